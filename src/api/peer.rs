//! The `Replication` service: peer nodes only.

use std::sync::Arc;

use tokio_stream::wrappers::ReceiverStream;
use tonic::{Request, Response, Status, Streaming};

use super::{Context, input, pages};
use crate::error::Error;
use crate::proto::replication_server::Replication;
use crate::proto::{Batch, BucketSummary, EntryHash, FetchRequest, SummaryRequest, SummaryResponse, Want};

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
        let caller = self.context.peer(&request, "Replicate").await?;
        tracing::info!(peer = %caller.agency, "serving replication stream");
        let lane = crate::replication::Lane::of(&request);
        let stream = self.context.replicator.serve(caller.agency, lane, request.into_inner());
        Ok(Response::new(stream))
    }

    async fn summarize(&self, request: Request<SummaryRequest>) -> Result<Response<SummaryResponse>, Status> {
        let caller = self.context.peer(&request, "Summarize").await?;
        let SummaryRequest {
            collection,
            buckets,
            fingerprints,
        } = request.into_inner();
        self.context
            .check_input(&caller, "Summarize", input::check_collection(&collection))
            .await?;
        self.readable(&caller.agency, &collection)?;
        if buckets.len() > crate::store::BUCKETS {
            return Err(Error::InvalidArgument(format!("{} buckets asked for", buckets.len())).into());
        }
        let stats = self
            .context
            .store
            .snapshot()
            .collections
            .get(&collection)
            .copied()
            .unwrap_or_default();
        // Most calls ask for the totals alone (a comparison in sync): no scan, no read.
        let (buckets, entries) = if !fingerprints && buckets.is_empty() {
            (vec![], vec![])
        } else {
            self.context
                .store
                .read(move |s| {
                    let fingerprints = if fingerprints {
                        s.fingerprints(&collection)?
                    } else {
                        vec![]
                    };
                    let entries = if buckets.is_empty() {
                        vec![]
                    } else {
                        s.entries_in(&collection, &buckets)?
                    };
                    Ok((fingerprints, entries))
                })
                .await?
        };
        Ok(Response::new(SummaryResponse {
            buckets: buckets
                .into_iter()
                .enumerate()
                .map(|(bucket, f)| BucketSummary {
                    bucket: bucket as u32,
                    count: f.count,
                    digest: f.digest.to_vec(),
                })
                .collect(),
            entries: entries
                .into_iter()
                .map(|(id, hash)| EntryHash {
                    id,
                    sha256: hash.to_vec(),
                })
                .collect(),
            count: stats.records,
            digest: stats.digest.to_vec(),
        }))
    }

    async fn fetch(&self, request: Request<FetchRequest>) -> Result<Response<Batch>, Status> {
        let caller = self.context.peer(&request, "Fetch").await?;
        let FetchRequest { collection, ids } = request.into_inner();
        let limit = self.context.config.limits.batch_records;
        let checks = input::check_collection(&collection).and_then(|()| {
            if ids.len() > limit {
                return Err(Error::InvalidArgument(format!(
                    "{} ids in one fetch; the limit is {limit}",
                    ids.len()
                )));
            }
            ids.iter().try_for_each(|id| input::check_id("id", id))
        });
        self.context.check_input(&caller, "Fetch", checks).await?;
        self.readable(&caller.agency, &collection)?;
        let ids = pages::distinct(ids);
        let budget = pages::fetch_budget(self.context.config.limits.max_message_bytes);
        let _turn = self.context.heavy_reads.turn().await?;
        // In the order asked, as many as the budget holds: the caller asks again for the
        // ids after the last one answered.
        let records = self
            .context
            .store
            .read(move |s| {
                let (mut found, mut bytes) = (Vec::new(), 0);
                for id in &ids {
                    if let Some(envelope) = s.get(&collection, id)? {
                        bytes += prost::Message::encoded_len(&envelope.signed);
                        if bytes > budget && !found.is_empty() {
                            break;
                        }
                        found.push(envelope.signed);
                    }
                }
                Ok(found)
            })
            .await?;
        Ok(Response::new(Batch {
            records,
            ..Default::default()
        }))
    }
}

impl ReplicationApi {
    /// A collection we hold and `agency` may read; any other is answered as if it did not
    /// exist, so its existence does not leak.
    fn readable(&self, agency: &str, collection: &str) -> Result<(), Status> {
        self.context
            .policy
            .federation
            .releasable(collection, agency)
            .map(|_| ())
            .ok_or_else(|| Error::NotFound(format!("no collection {collection:?}")).into())
    }
}
