//! sled flushes that the flusher can stop waiting for. sled 0.34 can block a flush
//! forever: out of space while writing a large page to its own file, it returns without
//! releasing its claim on the log buffer, which then is never written, and every flush
//! waits for it (no error is ever raised). So flushes run on a thread of their own, and
//! the flusher waits for one at most [`FLUSH_STALL`]; after that the handle is wedged
//! (see `Disk::wedge`) and the thread is left to its flush.

use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::time::Duration;

/// How long a flush may take before the store gives up on it. A healthy flush of one
/// group takes milliseconds, a slow disk under load a second or two.
pub const FLUSH_STALL: Duration = Duration::from_secs(15);

/// How a flush ended.
pub enum Flushed {
    Done(sled::Result<usize>),
    /// Still running after `FLUSH_STALL`, or its thread is gone.
    Stalled,
}

/// A thread that flushes the handles it is given, one at a time.
pub struct FlushThread {
    requests: SyncSender<sled::Db>,
    results: Receiver<sled::Result<usize>>,
}

impl FlushThread {
    pub fn start() -> std::io::Result<Self> {
        let (requests, incoming) = std::sync::mpsc::sync_channel::<sled::Db>(1);
        let (done, results) = std::sync::mpsc::sync_channel(1);
        // Detached: a wedged flush never returns, and must not hold up a shutdown.
        std::thread::Builder::new()
            .name("store-flush-io".into())
            .spawn(move || {
                while let Ok(db) = incoming.recv() {
                    let result = db.flush();
                    drop(db);
                    if done.send(result).is_err() {
                        return;
                    }
                }
            })?;
        Ok(FlushThread { requests, results })
    }

    /// Flushes `db`, waiting at most `FLUSH_STALL`. After `Stalled` this thread is lost:
    /// start another for later flushes.
    pub fn flush(&self, db: sled::Db) -> Flushed {
        if self.requests.send(db).is_err() {
            return Flushed::Stalled;
        }
        match self.results.recv_timeout(FLUSH_STALL) {
            Ok(result) => Flushed::Done(result),
            Err(RecvTimeoutError::Timeout | RecvTimeoutError::Disconnected) => Flushed::Stalled,
        }
    }
}
