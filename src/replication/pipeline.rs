//! One lane's receiving pipeline: records paced per peer, admission of the next batch
//! (signatures, on the blocking pool) overlapping the store's commit of the previous one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use tokio_util::task::AbortOnDropHandle;

use super::Inner;
use super::link::{Admitted, admit, store_batches};
use crate::error::{Error, Result};
use crate::proto::Batch;

pub(super) struct Pipeline {
    pace: Pace,
    /// Admitted batches wait here for the store; two in flight keep both stages busy.
    admitted: mpsc::Sender<Admitted>,
    storing: AbortOnDropHandle<Result<()>>,
}

impl Pipeline {
    pub(super) fn start(inner: &Arc<Inner>, agency: &str) -> Self {
        let (admitted, queue) = mpsc::channel(2);
        let storing = tokio::spawn(store_batches(inner.clone(), agency.to_string(), queue));
        Pipeline {
            pace: Pace::new(inner.config.limits.peer_records_per_second),
            admitted,
            storing: AbortOnDropHandle::new(storing),
        }
    }

    /// Paces, admits and queues `batch` for the store.
    pub(super) async fn take(&mut self, inner: &Arc<Inner>, agency: &str, batch: Batch) -> Result<()> {
        self.pace.take(batch.records.len()).await;
        let batch = admit(inner, agency, batch).await?;
        if self.admitted.send(batch).await.is_err() {
            // The store task ended; its result says why.
            return self.stopped().await;
        }
        Ok(())
    }

    /// Resolves when the store task ends: refused records, a failed commit.
    pub(super) async fn stopped(&mut self) -> Result<()> {
        (&mut self.storing)
            .await
            .map_err(|e| Error::Internal(format!("store task: {e}")))?
    }
}

/// A token bucket over records received from one peer on one lane: while it is empty we
/// do not read the stream, and HTTP/2 flow control holds the sender back.
struct Pace {
    per_second: f64,
    tokens: f64,
    last: Instant,
}

impl Pace {
    fn new(per_second: u32) -> Self {
        let per_second = f64::from(per_second.max(1));
        Pace {
            per_second,
            tokens: per_second,
            last: Instant::now(),
        }
    }

    async fn take(&mut self, records: usize) {
        let now = Instant::now();
        let refill = now.duration_since(self.last).as_secs_f64() * self.per_second;
        self.tokens = (self.tokens + refill).min(self.per_second);
        self.last = now;
        self.tokens -= records as f64;
        if self.tokens < 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(-self.tokens / self.per_second)).await;
        }
    }
}
