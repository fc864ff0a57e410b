//! The batches a peer sends us, as the receiver takes them: one at a time when we keep up,
//! and when we fall behind, every batch already here taken together (up to the batch
//! limit), so the work per batch (a trip to the blocking pool, a store commit, a routing
//! update) is shared by whatever arrived meanwhile; no latency is added while we keep up.

use std::future::Future;
use std::task::{Context, Poll, Waker};

use crate::proto::Batch;

pub(super) struct Incoming {
    stream: tonic::Streaming<Batch>,
    /// What the stream gave after the previous merge was complete: a batch that did not
    /// fit, its end, or its error, for the next call.
    held: Option<Result<Option<Batch>, tonic::Status>>,
}

impl Incoming {
    pub(super) fn new(stream: tonic::Streaming<Batch>) -> Self {
        Incoming { stream, held: None }
    }

    /// The next batch, merged with those already received, at most `limit` records unless
    /// a single batch is larger (admission refuses that one). Cancel-safe: the only wait
    /// is for the first batch.
    pub(super) async fn next(&mut self, limit: usize) -> Result<Option<Batch>, tonic::Status> {
        let first = match self.held.take() {
            Some(held) => held,
            None => self.stream.message().await,
        };
        let Some(mut batch) = first? else {
            return Ok(None);
        };
        while batch.records.len() < limit {
            // Only what is already here.
            match ready_now(self.stream.message()) {
                None => break,
                Some(Ok(Some(next))) if batch.records.len() + next.records.len() <= limit => merge(&mut batch, next),
                Some(other) => {
                    self.held = Some(other);
                    break;
                }
            }
        }
        Ok(Some(batch))
    }
}

/// `next` after `batch`: records in order; heads overlaid (a later cursor of a stream
/// supersedes an earlier one), and the whole list only if either listed all.
fn merge(batch: &mut Batch, next: Batch) {
    batch.records.extend(next.records);
    batch.heads.extend(next.heads);
    batch.heads_changed_only &= next.heads_changed_only;
}

/// `future`'s output if it is ready without waiting (a stream's message already received).
fn ready_now<F: Future>(future: F) -> Option<F::Output> {
    let mut future = std::pin::pin!(future);
    match future.as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(output) => Some(output),
        Poll::Pending => None,
    }
}
