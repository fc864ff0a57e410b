//! Group commit: the flusher thread flushes applied groups, then publishes and answers
//! them in order; the writer's side of its queue knows when everything sent is flushed.

use std::sync::mpsc::{Receiver, SyncSender};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use prometheus_client::metrics::histogram::Histogram;

use tokio::sync::watch;

use super::request::Answer;
use crate::error::{Error, Result};
use crate::store::stall::{FLUSH_STALL, FlushThread, Flushed};
use crate::store::{RecordKey, Repaired, Snapshot, disk::Disk};

/// Applied groups waiting for their flush, at most: how far the writer may run ahead of
/// the disk.
const FLUSH_QUEUE: usize = 2;

/// The writer's side of the flusher's queue, and the flusher with its end of the queue
/// (to run on its own thread).
pub(super) fn start(
    disk: Disk,
    published: watch::Sender<Arc<Snapshot>>,
    flush_seconds: Histogram,
    repaired: Repaired,
) -> (FlushQueue, Flusher, Receiver<AppliedGroup>) {
    let (queue, flusher_queue) = std::sync::mpsc::sync_channel(FLUSH_QUEUE);
    let progress = Arc::new(FlushProgress::default());
    let flushes = FlushQueue {
        queue,
        progress: progress.clone(),
        sent: 0,
    };
    let flusher = Flusher {
        disk,
        io: None,
        published,
        flush_seconds,
        repaired,
        progress,
    };
    (flushes, flusher, flusher_queue)
}

/// A group applied to sled, waiting for its flush.
pub(super) struct AppliedGroup {
    /// The sled handle it was written on.
    pub(super) db: sled::Db,
    pub(super) answers: Vec<Answer>,
    /// What the store holds once this group is on disk.
    pub(super) snapshot: Arc<Snapshot>,
    pub(super) repaired: Vec<RecordKey>,
}

/// The writer's side of the flusher's queue.
pub(super) struct FlushQueue {
    queue: SyncSender<AppliedGroup>,
    progress: Arc<FlushProgress>,
    /// Groups handed to the flusher.
    sent: u64,
}

impl FlushQueue {
    pub(super) fn send(&mut self, group: AppliedGroup) -> std::result::Result<(), AppliedGroup> {
        self.queue.send(group).map_err(|unsent| unsent.0)?;
        self.sent += 1;
        Ok(())
    }

    /// Whether every group sent has been flushed (or the flusher stopped), waiting up to
    /// `timeout` for it.
    pub(super) fn all_flushed(&self, timeout: std::time::Duration) -> bool {
        let state = self.progress.state.lock().unwrap_or_else(PoisonError::into_inner);
        let (state, _) = self
            .progress
            .changed
            .wait_timeout_while(state, timeout, |s| s.flushed < self.sent && !s.stopped)
            .unwrap_or_else(PoisonError::into_inner);
        state.flushed >= self.sent || state.stopped
    }
}

/// How far the flusher has got: groups flushed (or failed), and whether it stopped.
#[derive(Default)]
pub(super) struct FlushProgress {
    state: Mutex<FlushState>,
    changed: Condvar,
}

#[derive(Default)]
pub(super) struct FlushState {
    flushed: u64,
    stopped: bool,
}

impl FlushProgress {
    pub(super) fn update(&self, change: impl FnOnce(&mut FlushState)) {
        change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }
}

/// Tells the writer the flusher stopped, however it stops: the writer then no longer
/// waits for it.
pub(super) struct StopSignal(Arc<FlushProgress>);

impl Drop for StopSignal {
    fn drop(&mut self) {
        self.0.update(|s| s.stopped = true);
    }
}

/// Flushes applied groups, then publishes and answers them in order. Groups that queue
/// up while a flush runs share the next one.
pub(super) struct Flusher {
    disk: Disk,
    /// Where flushes run; replaced after one stalls.
    io: Option<FlushThread>,
    published: watch::Sender<Arc<Snapshot>>,
    flush_seconds: Histogram,
    repaired: Repaired,
    progress: Arc<FlushProgress>,
}

impl Flusher {
    /// Flushes one handle, waiting a bounded time (see [`super::stall`]).
    pub(super) fn flush(&mut self, db: &sled::Db) -> Result<()> {
        if let Some(wedged) = self.disk.wedged() {
            return Err(wedged);
        }
        let io = match self.io.take() {
            Some(io) => io,
            None => FlushThread::start().map_err(|e| Error::storage("cannot start a flush thread", e))?,
        };
        match io.flush(db.clone()) {
            Flushed::Done(result) => {
                self.io = Some(io);
                result.map(drop).map_err(|e| self.disk.fail(&e))
            }
            Flushed::Stalled => Err(self.disk.wedge(FLUSH_STALL)),
        }
    }

    pub(super) fn run(mut self, queue: Receiver<AppliedGroup>) {
        let _stop = StopSignal(self.progress.clone());
        while let Ok(first) = queue.recv() {
            let mut groups = vec![first];
            groups.extend(queue.try_iter());
            let started = std::time::Instant::now();
            // Each group through the handle it was written on: flushing a handle reopened
            // since (after a storage fault) would acknowledge what never reached it.
            let flushed = groups.iter().try_for_each(|group| self.flush(&group.db));
            self.flush_seconds.observe(started.elapsed().as_secs_f64());
            tracing::trace!(groups = groups.len(), elapsed = ?started.elapsed(), "flush");
            // The writer may apply its next group now, while these are answered.
            let count = groups.len() as u64;
            self.progress.update(|s| s.flushed += count);
            match flushed {
                Ok(_) => {
                    // Queued before the snapshot that wakes the followers.
                    self.repaired
                        .push(groups.iter_mut().flat_map(|g| std::mem::take(&mut g.repaired)));
                    if let Some(last) = groups.last() {
                        self.published.send_replace(last.snapshot.clone());
                    }
                    groups.into_iter().flat_map(|g| g.answers).for_each(Answer::send);
                }
                Err(e) => {
                    // Applied but maybe not durable: nothing here is acknowledged. A later
                    // successful flush may still persist it; a client retry is then a new version.
                    tracing::error!(error = %e, "store flush failed; nothing in these groups was acknowledged");
                    groups.into_iter().flat_map(|g| g.answers).for_each(|a| a.fail_with(&e));
                }
            }
        }
    }
}
