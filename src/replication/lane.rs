//! Replication's two lanes to each peer, two HTTP/2 streams on one connection: the main
//! lane carries bulk traffic (watchlists, end-use checks), the urgent lane licence denials
//! and the federation's own small collections (`Federation::urgent`), each with the heads
//! of its own streams. Each lane has its own flow-control window and its own
//! admission and store pipeline at the receiver, so a denial never waits behind batches
//! of a partner's bulk load, at any hop. The receiver says which lane a `Replicate` call
//! is by a request header; a call without it is the main lane.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;

use super::incoming::Incoming;
use super::link::OPEN_TIMEOUT;
use super::pipeline::Pipeline;
use super::{Inner, lock};
use crate::error::{Error, Result};
use crate::proto::replication_client::ReplicationClient;
use crate::proto::{Cursor, Want};
use crate::store::StreamId;

/// The request header naming the lane of a `Replicate` call.
pub const LANE_HEADER: &str = "fedx-lane";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lane {
    Main,
    Urgent,
}

impl Lane {
    /// The lane a served `Replicate` call asked for.
    pub fn of<T>(request: &tonic::Request<T>) -> Lane {
        match request.metadata().get(LANE_HEADER).and_then(|v| v.to_str().ok()) {
            Some("urgent") => Lane::Urgent,
            _ => Lane::Main,
        }
    }
}

/// The streams routing assigns to `agency` that travel on `lane`.
pub(super) fn wanted(inner: &Inner, agency: &str, lane: Lane) -> Vec<StreamId> {
    let federation = &inner.policy.federation;
    let mut streams = lock(&inner.routing).wanted_from(agency);
    streams.retain(|stream| federation.urgent(&stream.collection) == (lane == Lane::Urgent));
    streams
}

/// What we ask for: `streams`, each from what we hold of it on.
pub(super) fn want(inner: &Inner, streams: &[StreamId]) -> Want {
    let have = inner.store.snapshot();
    let cursors = streams
        .iter()
        .map(|stream| Cursor {
            collection: stream.collection.clone(),
            author: stream.author.clone(),
            seq: have.version_vector.get(stream).copied().unwrap_or(0),
        })
        .collect();
    Want { cursors }
}

/// Our side of `agency`'s urgent lane, for as long as the link's session lasts: asks for
/// the urgent streams routing assigns to the peer, admits and stores what arrives.
pub(super) async fn receive_urgent(
    inner: Arc<Inner>,
    agency: String,
    mut client: ReplicationClient<tonic::transport::Channel>,
    cancel: CancellationToken,
) -> Result<()> {
    let limits = &inner.config.limits;
    let unavailable = |message: String| Error::Unavailable(format!("{agency}: urgent lane: {message}"));
    let (wants, wants_rx) = mpsc::channel(8);
    let mut request = tonic::Request::new(ReceiverStream::new(wants_rx));
    request
        .metadata_mut()
        .insert(LANE_HEADER, tonic::metadata::MetadataValue::from_static("urgent"));
    let opened = tokio::time::timeout(OPEN_TIMEOUT, client.replicate(request))
        .await
        .map_err(|_| unavailable(format!("no answer within {OPEN_TIMEOUT:?}")))?
        .map_err(|s| unavailable(s.message().to_string()))?;
    let mut batches = Incoming::new(opened.into_inner());
    let mut routing_changed = inner.routing_changed.subscribe();
    let mut pipeline = Pipeline::start(&inner, &agency);
    let mut wanted_now: Option<Vec<StreamId>> = None;
    loop {
        let streams = wanted(&inner, &agency, Lane::Urgent);
        if wanted_now.as_ref() != Some(&streams) {
            let request = want(&inner, &streams);
            wants
                .send(request)
                .await
                .map_err(|_| unavailable("stream closed".into()))?;
            wanted_now = Some(streams);
        }
        tokio::select! {
            _ = cancel.cancelled() => return Ok(()),
            _ = routing_changed.changed() => {}
            stored = pipeline.stopped() => return stored,
            batch = batches.next(limits.batch_records) => {
                let Some(batch) = batch.map_err(|s| unavailable(s.message().to_string()))? else {
                    return Ok(());
                };
                pipeline.take(&inner, &agency, batch).await?;
            }
        }
    }
}
