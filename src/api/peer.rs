//! The `Replication` service: peer nodes only.

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::Context;
use crate::proto::replication_server::Replication;
use crate::proto::{Batch, Want};

pub struct ReplicationApi {
    context: Arc<Context>,
}

impl ReplicationApi {
    pub fn new(context: Arc<Context>) -> Self {
        ReplicationApi { context }
    }
}

#[tonic::async_trait]
impl Replication for ReplicationApi {
    type ReplicateStream = ReceiverStream<Result<Batch, Status>>;

    async fn replicate(&self, request: Request<Streaming<Want>>) -> Result<Response<Self::ReplicateStream>, Status> {
        let caller = self.context.peer(&request).await?;
        tracing::info!(peer = %caller.agency, "serving replication stream");
        let stream = self.context.replicator.serve(caller.agency, request.into_inner());
        Ok(Response::new(stream))
    }
}
