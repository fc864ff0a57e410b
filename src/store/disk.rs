//! The sled database behind a handle that can be reopened. After a storage fault (a full
//! or read-only disk) sled refuses every later write until it is opened again; the writer
//! reopens it once the data directory takes writes again. Reads keep using the old
//! handle meanwhile: what was stored stays readable through the fault.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long a reopen waits for readers still holding the old handle.
const REOPEN_ATTEMPTS: u32 = 40;
const REOPEN_PAUSE: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct Disk {
    path: PathBuf,
    db: Arc<RwLock<Option<sled::Db>>>,
    /// The storage fault that stopped writes, until recovery.
    fault: Arc<Mutex<Option<String>>>,
}

/// Opens sled as the store uses it. We flush explicitly after every group commit, so
/// sled's timer flusher would only compete. Finishes, before anything reads, a commit
/// unit that a crash interrupted.
fn open_db(path: &Path) -> Result<sled::Db> {
    let db = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput)
        .flush_every_ms(None)
        .open()
        .map_err(|e| Error::Unavailable(format!("cannot open store at {}: {e}", path.display())))?;
    super::journal::replay(&db)?;
    Ok(db)
}

/// How long opening waits for another handle (ours or another process's) to let go.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled, waiting up to `LOCK_WAIT` while its directory lock is held: sled lets go
/// only once its last handle and IO threads are done, which may be just after a stop
/// returns (a restart in the same process, or a process still exiting). Also what tests
/// use to open a stopped node's store offline.
pub fn open_db_when_free(path: &Path) -> Result<sled::Db> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match open_db(path) {
            // sled reports the lock only in the message (as `ErrorKind::Other`).
            Err(e) if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            opened => return opened,
        }
    }
}

impl Disk {
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Disk {
            path: path.to_path_buf(),
            db: Arc::new(RwLock::new(Some(open_db_when_free(path)?))),
            fault: Arc::new(Mutex::new(None)),
        })
    }

    /// The current handle (cheap: a reference count).
    pub fn db(&self) -> Result<sled::Db> {
        self.db
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(|| Error::Unavailable("the store is being reopened after a storage fault".into()))
    }

    /// Drops our handle: sled releases the directory once reads in flight finish.
    pub fn close(&self) {
        drop(self.db.write().unwrap_or_else(PoisonError::into_inner).take());
    }

    /// Records a storage fault: writes stop until [`Disk::recover`] succeeds.
    pub fn fail(&self, error: &sled::Error) {
        let mut fault = self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        if fault.is_none() {
            tracing::error!(error = %error, dir = %self.path.display(), "storage fault: writes stop until the data directory takes writes again");
            *fault = Some(error.to_string());
        }
    }

    pub fn faulted(&self) -> bool {
        self.fault.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    /// After a fault: if the data directory takes a write again, reopens sled (only the
    /// store writer calls this, between commits). Errors say why writes still fail.
    pub fn recover(&self) -> Result<()> {
        let fault = self.fault.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let Some(fault) = fault else { return Ok(()) };
        self.probe().map_err(|e| {
            Error::Unavailable(format!(
                "storage fault ({fault}); the data directory {} still refuses writes: {e}",
                self.path.display()
            ))
        })?;
        let mut slot = self.db.write().unwrap_or_else(PoisonError::into_inner);
        drop(slot.take());
        let mut attempt = 0;
        let db = loop {
            match open_db(&self.path) {
                Ok(db) => break db,
                // Readers may still hold the old handle (and sled's file lock) briefly.
                Err(_) if attempt < REOPEN_ATTEMPTS => {
                    attempt += 1;
                    std::thread::sleep(REOPEN_PAUSE);
                }
                Err(e) => return Err(e),
            }
        };
        *slot = Some(db);
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = None;
        tracing::info!(dir = %self.path.display(), "storage fault cleared; the store was reopened");
        Ok(())
    }

    /// Creates, writes and syncs a small file in the data directory.
    fn probe(&self) -> std::io::Result<()> {
        let path = self.path.join("write-probe");
        let mut file = std::fs::File::create(&path)?;
        file.write_all(b"probe")?;
        file.sync_all()?;
        std::fs::remove_file(path)
    }
}
