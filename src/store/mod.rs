//! The store: sled behind one module. The only module that touches sled.
//!
//! Reads go straight to sled (callers on async tasks use [`Store::read`], which runs them
//! on the blocking pool). Every write goes through the single writer thread
//! ([`writer`]), which verifies nothing (admission did that) but decides winners, keeps
//! the version vectors and digests, and writes requests as atomic commit units
//! ([`journal`]), each group of them followed by one flush: group commit.

pub mod audit;
mod disk;
mod hold;
mod journal;
mod keys;
mod shared;
mod signing_key;
mod snapshot;
mod stall;
mod winner;
mod writer;

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;

use tokio::sync::{mpsc, oneshot, watch};

pub use audit::{AuditEntry, AuditEvent};
pub use disk::{DEFAULT_CACHE_BYTES, MIN_FREE_BYTES, open_db_when_free};
pub use hold::{HoldCause, OwnRecordsAtStart};
pub use shared::{OwnStreamsHeld, Repaired};
pub use snapshot::{CollectionStats, Snapshot};
pub use writer::{Applied, IngestOutcome, LocalWrite};

use crate::crypto::Signer;
use crate::error::{Error, Result};
use crate::proto::{RecordHeader, SignedRecord};
use crate::records::Envelope;
use crate::records::hlc::{Clock, StoredClockAhead};

/// One author's stream of versions in one collection: what a version vector counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StreamId {
    pub collection: String,
    pub author: String,
}

impl StreamId {
    /// The stream a version belongs to.
    pub fn of(header: &RecordHeader) -> Self {
        StreamId::new(&header.collection, &header.author)
    }

    pub fn new(collection: impl Into<String>, author: impl Into<String>) -> Self {
        StreamId {
            collection: collection.into(),
            author: author.into(),
        }
    }
}

/// One record (all its versions): a collection and an id in it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordKey {
    pub collection: String,
    pub id: String,
}

impl RecordKey {
    /// The record a version is a version of.
    pub fn of(header: &RecordHeader) -> Self {
        RecordKey::new(&header.collection, &header.id)
    }

    pub fn new(collection: impl Into<String>, id: impl Into<String>) -> Self {
        RecordKey {
            collection: collection.into(),
            id: id.into(),
        }
    }
}

/// Why the writer refuses writes of our own records for now: a restore from an older copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteHold {
    /// No peer has said yet how much of ours it holds, and we cannot know (see `hold`).
    AwaitingPeerHeads(HoldCause),
    /// `peer` holds more of our stream of `collection` than we do.
    Stream {
        collection: String,
        peer: String,
        held_here: u64,
        held_by_peer: u64,
    },
}

/// One page of `list`: its records, and whether more follow.
#[derive(Debug, Default)]
pub struct Page {
    pub records: Vec<Envelope>,
    pub more: bool,
}

/// Anti-entropy buckets per collection: ids are spread by the first byte of SHA-256(id).
pub const BUCKETS: usize = 256;

pub fn bucket_of(id: &str) -> u32 {
    u32::from(crate::records::sha256(id.as_bytes())[0])
}

/// The version a stored `r` value points at.
fn read_winner(db: &sled::Db, value: &[u8]) -> Result<Envelope> {
    winner::Winner::decode(value)?.read(|key| db.get(key).map_err(storage_error))
}

/// One anti-entropy bucket: how many winners, and the XOR of their hashes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Fingerprint {
    pub count: u64,
    pub digest: [u8; 32],
}

/// A stored record an author signed twice with one sequence number, and the other one.
#[derive(Debug, Clone)]
pub struct Equivocation {
    pub held: Envelope,
    pub other: Envelope,
}

#[derive(Clone)]
pub struct Store {
    disk: disk::Disk,
    commands: mpsc::Sender<writer::Command>,
    snapshot: watch::Receiver<Arc<Snapshot>>,
    writer: Arc<Mutex<Option<JoinHandle<()>>>>,
    repaired: Repaired,
    own_streams_held: OwnStreamsHeld,
    /// The stored clock was ahead of the system clock at start (see `Clock`).
    stored_clock_ahead: Option<StoredClockAhead>,
}

/// Settings the writer needs to sign our own records.
pub struct WriterSettings {
    pub agency: String,
    pub signer: Signer,
    pub max_clock_skew: std::time::Duration,
    pub clock_ahead: std::time::Duration,
    pub max_record_bytes: usize,
    /// Observes every flush's duration.
    pub flush_seconds: prometheus_client::metrics::histogram::Histogram,
    /// What the operator said of our records at start (`--restored`, `--new-agency`).
    pub own_records: OwnRecordsAtStart,
    /// sled's page cache, in bytes (`limits.store_cache_bytes`).
    pub cache_bytes: u64,
}

/// Where `fedctl keys rotate` keeps a new signing key (PKCS#8 PEM, owner-only).
pub fn rotated_key_path(data_dir: &Path, key_id: &str) -> std::path::PathBuf {
    data_dir.join("keys").join(format!("{key_id}.pem"))
}

pub(crate) fn storage_error(e: sled::Error) -> Error {
    Error::storage(disk::describe(&e), e)
}

impl Store {
    /// Opens (or creates) the store and starts its writer thread. Signs with the key
    /// `fedctl keys rotate` last made, if any, rather than the configured one.
    pub fn open(dir: &Path, mut settings: WriterSettings) -> Result<Self> {
        let disk = disk::Disk::open(dir, settings.cache_bytes)?;
        let db = disk.db()?;
        settings.signer = signing_key::signer_in_use(&db, dir, settings.signer)?;
        let persisted_clock = db.get(keys::meta("hlc")).map_err(storage_error)?;
        let clock = Clock::new(
            settings.max_clock_skew,
            settings.clock_ahead,
            persisted_clock.and_then(|v| keys::be_u64(&v)),
        );
        let stored_clock_ahead = clock.stored_ahead();
        winner::upgrade(&db)?;
        hold::settle_at_open(&db, &settings.agency, settings.own_records)?;
        let (commands, receiver) = mpsc::channel(1024);
        drop(db);
        let repaired = Repaired::default();
        let own_streams_held = OwnStreamsHeld::default();
        let (writer, snapshot) = writer::Writer::load(
            disk.clone(),
            settings,
            clock,
            repaired.clone(),
            own_streams_held.clone(),
        )?;
        let thread = std::thread::Builder::new()
            .name("store-writer".into())
            .spawn(move || writer.run(receiver))
            .map_err(|e| Error::Internal(format!("cannot start the store writer: {e}")))?;
        Ok(Store {
            disk,
            commands,
            snapshot,
            writer: Arc::new(Mutex::new(Some(thread))),
            repaired,
            own_streams_held,
            stored_clock_ahead,
        })
    }

    /// While timestamps follow a stored clock that was ahead of the system clock at
    /// start: what happened, for `fedctl status`.
    pub fn clock_warning(&self) -> Option<String> {
        self.stored_clock_ahead
            .filter(StoredClockAhead::still_ahead)
            .map(|jump| jump.describe())
    }

    /// Opens a store for inspection (tests, offline tools); no writer. Like every open,
    /// it finishes a commit unit a crash interrupted.
    pub fn inspect(dir: &Path) -> Result<Inspector> {
        let db = sled::Config::new().path(dir).open().map_err(storage_error)?;
        journal::replay(&db)?;
        Ok(Inspector { db })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.borrow().clone()
    }

    /// Changes after every commit.
    pub fn subscribe(&self) -> watch::Receiver<Arc<Snapshot>> {
        self.snapshot.clone()
    }

    /// Takes the ids repaired behind the version vector since the last call (one follower).
    pub fn take_repaired(&self) -> Vec<RecordKey> {
        self.repaired.take()
    }

    /// Puts back ids taken by `take_repaired` that the follower could not index.
    pub fn requeue_repaired(&self, keys: Vec<RecordKey>) {
        self.repaired.push(keys);
    }

    /// Where replication tells the writer how much of our own streams peers hold.
    pub fn own_streams_held(&self) -> &OwnStreamsHeld {
        &self.own_streams_held
    }

    /// The writes of `agency` (ours) the writer refuses for now, as it would decide them.
    pub fn write_holds(&self, agency: &str) -> Vec<WriteHold> {
        let snapshot = self.snapshot();
        // The writer ends its hold at its next commit after a peer was heard.
        if let Some(cause) = snapshot.awaiting_peer_heads
            && !self.own_streams_held.heard()
        {
            return vec![WriteHold::AwaitingPeerHeads(cause)];
        }
        let held_here = |collection: &str| {
            let stream = StreamId::new(collection, agency);
            snapshot.version_vector.get(&stream).copied().unwrap_or(0)
        };
        self.own_streams_held
            .beyond(held_here)
            .into_iter()
            .map(|(collection, peer, held_by_peer)| WriteHold::Stream {
                held_here: held_here(&collection),
                collection,
                peer,
                held_by_peer,
            })
            .collect()
    }

    /// Runs a read on the blocking pool, so a cold sled page never stalls a tokio worker.
    pub async fn read<T: Send + 'static>(&self, f: impl FnOnce(&Store) -> Result<T> + Send + 'static) -> Result<T> {
        let store = self.clone();
        tokio::task::spawn_blocking(move || f(&store))
            .await
            .map_err(|e| Error::Internal(format!("read task failed: {e}")))?
    }

    async fn submit<T>(&self, command: impl FnOnce(oneshot::Sender<Result<T>>) -> writer::Command) -> Result<T> {
        let (reply, response) = oneshot::channel();
        self.commands
            .send(command(reply))
            .await
            .map_err(|_| Error::Unavailable("the store is shutting down".into()))?;
        response
            .await
            .map_err(|_| Error::Unavailable("the store writer stopped".into()))?
    }

    /// Signs and stores our own writes; acknowledged once on disk. One result per write.
    pub async fn put(&self, writes: Vec<LocalWrite>, actor: String) -> Result<Vec<Result<Applied>>> {
        self.submit(|reply| writer::Command::Local { writes, actor, reply })
            .await
    }

    /// Stores admitted records from a peer or a bundle (`actor` says which, for the
    /// audit); acknowledged once on disk.
    pub async fn ingest(&self, records: Vec<Envelope>, actor: String) -> Result<IngestOutcome> {
        self.submit(|reply| writer::Command::Ingest { records, actor, reply })
            .await
    }

    /// Announces `signer`'s public key in `_keys` (signed by the current key) and signs
    /// every later write with it. The key file must already be on disk.
    pub async fn rotate_key(&self, signer: Signer, actor: String) -> Result<Applied> {
        let mut results = self
            .submit(|reply| writer::Command::RotateKey {
                signer: Box::new(signer),
                actor,
                reply,
            })
            .await?;
        results
            .pop()
            .unwrap_or_else(|| Err(Error::Internal("no result for the key rotation".into())))
    }

    /// Appends audit entries (refusals, admin actions) and optionally sets a metadata key
    /// in the same commit.
    pub async fn record(&self, events: Vec<AuditEvent>, meta: Option<(String, Vec<u8>)>) -> Result<()> {
        self.submit(|reply| writer::Command::Record { events, meta, reply })
            .await
    }

    /// Stops the writer after it drains what is queued, then closes sled: clones of the
    /// store that are still alive (a task not yet dropped) answer Unavailable from then on
    /// instead of keeping the directory locked.
    pub fn shutdown(self) {
        let Store {
            writer, commands, disk, ..
        } = self;
        drop(commands);
        if let Some(thread) = writer.lock().ok().and_then(|mut t| t.take()) {
            let _ = thread.join();
        }
        disk.close();
    }

    pub fn get(&self, collection: &str, id: &str) -> Result<Option<Envelope>> {
        let db = self.disk.db()?;
        db.get(keys::record(collection, id))
            .map_err(storage_error)?
            .map(|v| read_winner(&db, &v))
            .transpose()
    }

    /// The hash of an id's winning version, without reading the version.
    pub fn winner_hash(&self, collection: &str, id: &str) -> Result<Option<[u8; 32]>> {
        self.disk
            .db()?
            .get(keys::record(collection, id))
            .map_err(storage_error)?
            .map(|v| winner::Winner::decode(&v).map(|w| w.hash))
            .transpose()
    }

    /// Calls `f` with every winner of `collection` whose id starts with `prefix`, in id
    /// order, a page at a time (no page holds the whole collection in memory).
    pub fn each(&self, collection: &str, prefix: &str, mut f: impl FnMut(&Envelope)) -> Result<()> {
        const PAGE: usize = 500;
        let mut after = String::new();
        loop {
            let page = self.list(collection, prefix, &after, PAGE, usize::MAX)?;
            page.records.iter().for_each(&mut f);
            match page.records.last() {
                Some(last) if page.more => after = last.header().id.clone(),
                _ => return Ok(()),
            }
        }
    }

    /// Winning versions of a collection in id order, after `start_after`: at most
    /// `limit`, and no more once their signed bytes would pass `max_bytes` (one at least),
    /// so a page is bounded however large the records are.
    pub fn list(
        &self,
        collection: &str,
        id_prefix: &str,
        start_after: &str,
        limit: usize,
        max_bytes: usize,
    ) -> Result<Page> {
        let prefix = keys::record_prefix(collection, id_prefix);
        // Start at the prefix, or just after `start_after` if that is later.
        let mut after = keys::record(collection, start_after);
        after.push(0);
        let start = if start_after.is_empty() {
            prefix.clone()
        } else {
            prefix.clone().max(after)
        };
        let db = self.disk.db()?;
        let mut page = Page::default();
        let mut bytes = 0;
        for item in db.range(start..) {
            let (key, value) = item.map_err(storage_error)?;
            if !key.starts_with(&prefix) {
                break;
            }
            if page.records.len() == limit {
                page.more = true;
                break;
            }
            let envelope = read_winner(&db, &value)?;
            bytes += prost::Message::encoded_len(&envelope.signed);
            if bytes > max_bytes && !page.records.is_empty() {
                page.more = true;
                break;
            }
            page.records.push(envelope);
        }
        Ok(page)
    }

    /// Versions of one stream with `after < seq <= upto`, in order, at most `limit`.
    pub fn log_range(&self, stream: &StreamId, after: u64, upto: u64, limit: usize) -> Result<Vec<SignedRecord>> {
        let StreamId { collection, author } = stream;
        let range = keys::log(collection, author, after.saturating_add(1))..=keys::log(collection, author, upto);
        let mut out = Vec::new();
        for item in self.disk.db()?.range(range).take(limit) {
            let (_, value) = item.map_err(storage_error)?;
            out.push(
                prost::Message::decode(value.as_ref()).map_err(|e| Error::Internal(format!("stored record: {e}")))?,
            );
        }
        Ok(out)
    }

    /// Every bucket's fingerprint of a collection (a scan of its winners).
    pub fn fingerprints(&self, collection: &str) -> Result<Vec<Fingerprint>> {
        let mut buckets = vec![Fingerprint::default(); BUCKETS];
        self.scan_winners(collection, |id, hash| {
            let bucket = &mut buckets[bucket_of(id) as usize];
            bucket.count += 1;
            bucket.digest.iter_mut().zip(hash).for_each(|(d, h)| *d ^= h);
        })?;
        Ok(buckets)
    }

    /// (id, winner hash) of every id of a collection in the given buckets.
    pub fn entries_in(&self, collection: &str, buckets: &[u32]) -> Result<Vec<(String, [u8; 32])>> {
        let mut entries = Vec::new();
        self.scan_winners(collection, |id, hash| {
            if buckets.contains(&bucket_of(id)) {
                entries.push((id.to_string(), hash));
            }
        })?;
        Ok(entries)
    }

    fn scan_winners(&self, collection: &str, mut visit: impl FnMut(&str, [u8; 32])) -> Result<()> {
        for item in self.disk.db()?.scan_prefix(keys::record_prefix(collection, "")) {
            let (key, value) = item.map_err(storage_error)?;
            let Some((_, id)) = keys::parse_record(&key) else {
                continue;
            };
            visit(id, winner::Winner::decode(&value)?.hash);
        }
        Ok(())
    }

    /// The evidence of every equivocation seen.
    pub fn equivocations(&self) -> Result<Vec<Equivocation>> {
        let mut found = Vec::new();
        let db = self.disk.db()?;
        for item in db.scan_prefix([keys::EVIDENCE]) {
            let (key, value) = item.map_err(storage_error)?;
            let other = Envelope::from_stored(&value)?;
            // Evidence keys mirror log keys: the same parts after the prefix. When the log
            // holds the evidence itself, it was a twin by timestamp: the held version is
            // the author's first with that timestamp.
            // (Read once: the writer may be writing this very unit, evidence first.)
            let mut log_key = key.to_vec();
            log_key[0] = keys::LOG;
            let mut held = db.get(&log_key).map_err(storage_error)?;
            if held.as_ref().is_some_and(|logged| *logged == value) {
                let header = other.header();
                held = match db.get(keys::stamp(&header.author, header.hlc)).map_err(storage_error)? {
                    Some(first) => db.get(first).map_err(storage_error)?,
                    None => continue,
                };
            }
            if let Some(held) = held {
                found.push(Equivocation {
                    held: Envelope::from_stored(&held)?,
                    other,
                });
            }
        }
        Ok(found)
    }

    /// The last `limit` audit entries after `after_seq` (0: the latest `limit`).
    pub fn audit_tail(&self, after_seq: u64, limit: usize) -> Result<Vec<AuditEntry>> {
        let decode = |value: &[u8]| {
            serde_json::from_slice::<AuditEntry>(value).map_err(|e| Error::Internal(format!("audit entry: {e}")))
        };
        let mut entries = Vec::new();
        if after_seq > 0 {
            for item in self
                .disk
                .db()?
                .range(keys::audit(after_seq + 1)..keys::audit(u64::MAX))
                .take(limit)
            {
                entries.push(decode(&item.map_err(storage_error)?.1)?);
            }
        } else {
            for item in self.disk.db()?.scan_prefix([keys::AUDIT]).rev().take(limit) {
                entries.push(decode(&item.map_err(storage_error)?.1)?);
            }
            entries.reverse();
        }
        Ok(entries)
    }

    /// Walks the whole audit chain: every entry's hash, its link to the one before, and
    /// contiguous numbering.
    pub fn audit_verify(&self) -> Result<audit::Verification> {
        audit::verify(self.disk.db()?.scan_prefix([keys::AUDIT]).map(|item| {
            let (key, value) = item.map_err(storage_error)?;
            Ok((keys::be_u64(&key[1..]).unwrap_or(0), value.to_vec()))
        }))
    }

    pub fn meta(&self, name: &str) -> Result<Option<Vec<u8>>> {
        Ok(self
            .disk
            .db()?
            .get(keys::meta(name))
            .map_err(storage_error)?
            .map(|v| v.to_vec()))
    }
}

/// Access to a stopped node's store, for reading what is really on disk (opening it
/// finishes a commit unit a crash interrupted, as every open does).
pub struct Inspector {
    db: sled::Db,
}

impl Inspector {
    /// The whole audit log, in order.
    pub fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
        self.db
            .scan_prefix([keys::AUDIT])
            .map(|item| {
                let (_, value) = item.map_err(storage_error)?;
                serde_json::from_slice(&value).map_err(|e| Error::Internal(format!("audit entry: {e}")))
            })
            .collect()
    }

    /// Every key that mentions `needle` (a collection name, an id...), as text.
    pub fn keys_containing(&self, needle: &str) -> Result<Vec<String>> {
        let mut found = Vec::new();
        for item in self.db.iter() {
            let (key, value) = item.map_err(storage_error)?;
            let contains = |hay: &[u8]| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
            if contains(&key) || contains(&value) {
                found.push(String::from_utf8_lossy(&key).into_owned());
            }
        }
        Ok(found)
    }
}
