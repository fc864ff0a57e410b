//! The sled database behind a handle that can be reopened. After a storage fault (a full
//! or read-only disk) sled refuses every later write until it is opened again; the writer
//! reopens it once the data directory takes writes again. Reads keep using the old
//! handle meanwhile: what was stored stays readable through the fault.
//!
//! A nearly full disk is refused before sled gets there ([`Disk::check_space`]): sled
//! 0.34, out of space while writing a large page to its own file (a "blob", over a
//! quarter of a 512 KiB segment), returns without releasing its claim on the log
//! buffer, and every later flush then waits forever. A flush that stalls anyway (the disk
//! filled from outside) wedges the handle for good: see [`Disk::wedge`].

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::error::{Error, Result};

/// How long a reopen waits for readers still holding the old handle.
const REOPEN_ATTEMPTS: u32 = 40;
const REOPEN_PAUSE: Duration = Duration::from_millis(50);

#[derive(Clone)]
pub struct Disk {
    path: PathBuf,
    cache_bytes: u64,
    db: Arc<RwLock<Option<sled::Db>>>,
    /// The storage fault that stopped writes, until recovery.
    fault: Arc<Mutex<Option<Fault>>>,
    /// Whether writes are refused for want of space (to log the change once).
    short_of_space: Arc<AtomicBool>,
}

#[derive(Clone)]
struct Fault {
    /// What writes (and, once wedged, reads) are answered with.
    error: Error,
    /// sled's handle can never write again, nor be reopened in this process.
    wedged: bool,
}

/// Writes are refused once the data directory's file system has less free than this:
/// room for what the writer may still have in flight, so that sled never runs out.
pub const MIN_FREE_BYTES: u64 = 32 * 1024 * 1024;

/// Once refused, writes resume only with this much free. sled's own space comes and goes
/// by a few MiB (pages rewritten, old ones freed later), so a single threshold would let
/// writes flap between refused and acknowledged while the disk stays full.
pub const RESUME_FREE_BYTES: u64 = 48 * 1024 * 1024;

/// sled's page cache when the configuration does not say (`limits.store_cache_bytes`).
pub const DEFAULT_CACHE_BYTES: u64 = 256 * 1024 * 1024;

/// Opens sled as the store uses it. We flush explicitly after every group commit, so
/// sled's timer flusher would only compete. Finishes, before anything reads, a commit
/// unit that a crash interrupted.
fn open_db(path: &Path, cache_bytes: u64) -> Result<sled::Db> {
    remove_unfinished_snapshots(path)?;
    let db = sled::Config::new()
        .path(path)
        .mode(sled::Mode::HighThroughput)
        .cache_capacity(cache_bytes)
        .flush_every_ms(None)
        .open()
        .map_err(|e| Error::Unavailable(format!("cannot open store at {}: {e}", path.display())))?;
    super::journal::replay(&db)?;
    Ok(db)
}

/// Removes the snapshots sled did not finish writing. sled writes a snapshot as
/// `snap.<lsn>.generating`, syncs it, then renames it to `snap.<lsn>`; so a
/// `.generating` file is never one it finished, yet at open sled reads the last snapshot
/// file by name, `.generating` ones included, and refuses the store for good when that
/// one is empty or cut short (a start on a full disk leaves one). Without it sled reads
/// the previous snapshot and the log after it, as if the write had never begun.
fn remove_unfinished_snapshots(path: &Path) -> Result<()> {
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => {
            return Err(Error::Unavailable(format!(
                "cannot read the data directory {}: {e}",
                path.display()
            )));
        }
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            tracing::warn!(file = %entry.path().display(), "removing a snapshot sled did not finish writing");
            std::fs::remove_file(entry.path()).map_err(|e| {
                Error::Unavailable(format!(
                    "cannot remove the unfinished snapshot {}: {e}",
                    entry.path().display()
                ))
            })?;
        }
    }
    Ok(())
}

/// Bytes an unprivileged writer may still use on the file system holding `path`.
fn available_bytes(path: &Path) -> std::io::Result<u64> {
    use std::os::unix::ffi::OsStrExt as _;
    let path = std::ffi::CString::new(path.as_os_str().as_bytes())?;
    let mut stats = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `path` is NUL-terminated and `stats` is written by statvfs before we read it.
    let stats = unsafe {
        if libc::statvfs(path.as_ptr(), stats.as_mut_ptr()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
        stats.assume_init()
    };
    Ok(stats.f_bavail.saturating_mul(stats.f_frsize))
}

/// How long opening waits for another handle (ours or another process's) to let go.
const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// Opens sled, waiting up to `LOCK_WAIT` while its directory lock is held: sled lets go
/// only once its last handle and IO threads are done, which may be just after a stop
/// returns (a restart in the same process, or a process still exiting). Also what tests
/// use to open a stopped node's store offline.
pub fn open_db_when_free(path: &Path) -> Result<sled::Db> {
    open_when_free(path, DEFAULT_CACHE_BYTES)
}

fn open_when_free(path: &Path, cache_bytes: u64) -> Result<sled::Db> {
    let deadline = std::time::Instant::now() + LOCK_WAIT;
    loop {
        match open_db(path, cache_bytes) {
            // sled reports the lock only in the message (as `ErrorKind::Other`).
            Err(e) if e.to_string().contains("could not acquire lock") && std::time::Instant::now() < deadline => {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            opened => return opened,
        }
    }
}

impl Disk {
    pub fn open(path: &Path, cache_bytes: u64) -> Result<Self> {
        Ok(Disk {
            path: path.to_path_buf(),
            cache_bytes,
            db: Arc::new(RwLock::new(Some(open_when_free(path, cache_bytes)?))),
            fault: Arc::new(Mutex::new(None)),
            short_of_space: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The current handle (cheap: a reference count).
    pub fn db(&self) -> Result<sled::Db> {
        self.db
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(
                || match self.fault.lock().unwrap_or_else(PoisonError::into_inner).as_ref() {
                    Some(fault) => fault.error.clone(),
                    None => Error::Unavailable("the store is closed".into()),
                },
            )
    }

    /// Refuses a write once the data directory has less than [`MIN_FREE_BYTES`] free
    /// (the writer asks before each commit unit). Writes resume by themselves once
    /// [`RESUME_FREE_BYTES`] are free again.
    pub fn check_space(&self) -> Result<()> {
        // A file system that cannot say leaves it to sled to report a fault.
        let free = available_bytes(&self.path).unwrap_or(u64::MAX);
        let was_short = self.short_of_space.load(Ordering::Relaxed);
        let short = free < if was_short { RESUME_FREE_BYTES } else { MIN_FREE_BYTES };
        if self.short_of_space.swap(short, Ordering::Relaxed) != short {
            if short {
                tracing::error!(dir = %self.path.display(), free_bytes = free, "storage: the data directory is nearly full; writes are refused until it has room");
            } else {
                tracing::info!(dir = %self.path.display(), free_bytes = free, "storage: the data directory has room again; writes resume");
            }
        }
        if !short {
            return Ok(());
        }
        Err(Error::Storage {
            message: format!(
                "the data directory {} is full ({} MiB free; writes resume once {} MiB are free)",
                self.path.display(),
                free / (1024 * 1024),
                RESUME_FREE_BYTES / (1024 * 1024)
            ),
            source: None,
        })
    }

    /// Drops our handle: sled releases the directory once reads in flight finish.
    pub fn close(&self) {
        drop(self.db.write().unwrap_or_else(PoisonError::into_inner).take());
    }

    /// Records a storage fault: writes stop until [`Disk::recover`] succeeds. Returns
    /// what writes are answered with meanwhile (the first fault's, if one is recorded).
    pub fn fail(&self, error: &sled::Error) -> Error {
        let mut fault = self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = fault.get_or_insert_with(|| {
            tracing::error!(error = %error, dir = %self.path.display(), "storage fault: writes stop until the data directory takes writes again");
            Fault {
                error: self.refuses_writes(describe(error), error.clone()),
                wedged: false,
            }
        });
        fault.error.clone()
    }

    /// The error a write gets while the data directory refuses writes.
    fn refuses_writes(&self, why: String, source: impl std::error::Error + Send + Sync + 'static) -> Error {
        let message = format!(
            "the data directory {} refuses writes: {why}; writes resume once it takes them again",
            self.path.display()
        );
        Error::storage(message, source)
    }

    /// Records that a flush never finished: sled's handle holds writes it will never make
    /// durable, and (alive in the stuck flush) keeps the directory locked, so it cannot
    /// be reopened in this process. Reads stop too, since that handle would show those
    /// writes; the node answers Unavailable until it is restarted.
    /// Returns the error that writes and reads answer from then on.
    pub fn wedge(&self, waited: Duration) -> Error {
        let message = format!(
            "a flush of the store has not finished in {waited:?}: sled stopped writing to the data directory {} (full?); free space there and restart the node",
            self.path.display()
        );
        tracing::error!(dir = %self.path.display(), "storage fault: {message}");
        let error = Error::Storage { message, source: None };
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = Some(Fault {
            error: error.clone(),
            wedged: true,
        });
        self.close();
        error
    }

    /// The error to answer with once the handle is wedged.
    pub fn wedged(&self) -> Option<Error> {
        let fault = self.fault.lock().unwrap_or_else(PoisonError::into_inner);
        let fault = fault.as_ref().filter(|f| f.wedged)?;
        Some(fault.error.clone())
    }

    pub fn faulted(&self) -> bool {
        self.fault.lock().unwrap_or_else(PoisonError::into_inner).is_some()
    }

    /// After a fault: if the data directory takes a write again, reopens sled (only the
    /// store writer calls this, between commits). Errors say why writes still fail.
    pub fn recover(&self) -> Result<()> {
        let fault = self.fault.lock().unwrap_or_else(PoisonError::into_inner).clone();
        let Some(fault) = fault else { return Ok(()) };
        if fault.wedged {
            return Err(fault.error);
        }
        self.probe().map_err(|e| self.refuses_writes(e.kind().to_string(), e))?;
        let mut slot = self.db.write().unwrap_or_else(PoisonError::into_inner);
        drop(slot.take());
        let mut attempt = 0;
        let db = loop {
            match open_db(&self.path, self.cache_bytes) {
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

/// A sled error in the operator's words. An I/O error is named by its kind ("permission
/// denied", "no storage space"): sled hands out copies of the error that keep only the
/// kind and a debug text. One of no particular kind keeps that text, the only clue.
pub fn describe(error: &sled::Error) -> String {
    match error {
        sled::Error::Io(io) if io.kind() != std::io::ErrorKind::Other => io.kind().to_string(),
        sled::Error::Io(io) => io.to_string(),
        other => other.to_string(),
    }
}
