//! The single writer: the only code that mutates sled. It runs on its own OS thread and
//! writes queued requests in atomic commit units (see [`super::journal`]); its flusher
//! thread then flushes and answers each group of them: concurrent writers share a flush
//! (group commit), the writer signs and writes the next group while the previous one is
//! being flushed, taking in requests until that flush ends, and an acknowledged write is
//! on disk.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use prost::Message as _;
use rayon::prelude::*;
use tokio::sync::{mpsc, oneshot, watch};

use super::audit::{AuditEntry, AuditEvent};
use super::hold::{HOLD_META, HoldCause};
use super::stall::{FLUSH_STALL, FlushThread, Flushed};
use super::winner::Winner;
use super::{
    CollectionStats, OwnStreamsHeld, RecordKey, Repaired, Snapshot, StreamId, WriterSettings, keys, storage_error,
};
use crate::crypto::Signer;
use crate::error::{Error, Refusal, Result};
use crate::proto::{PutOutcome, Record, RecordBody, RecordHeader, SignedRecord};
use crate::records::hlc::Clock;
use crate::records::{Envelope, KEYS_COLLECTION, SCHEMA_VERSION, sha256};

/// Requests per commit, at most: bounds commit latency and batch memory.
const MAX_GROUP: usize = 256;
/// Applied groups waiting for their flush, at most: how far the writer may run ahead of
/// the disk.
const FLUSH_QUEUE: usize = 2;
/// While a flush runs, how often the writer looks for new requests to add to its group.
const FLUSH_POLL: std::time::Duration = std::time::Duration::from_micros(100);
/// Metadata: the id of the key we sign with, once rotated away from the configured one.
pub const SIGNING_KEY_META: &str = "signing_key";
/// Below this many records a run is signed on the writer thread. Waking the rayon pool
/// costs more than it saves for the few puts concurrent clients bring to a commit (its
/// idle workers spin and yield before they sleep): with 16 clients, signing their puts
/// here took 198 → 183 µs of CPU per put (median of 4 alternated runs each). A bulk
/// load's batch is worth spreading over the cores.
const PARALLEL_SIGNING_FROM: usize = 32;

/// Where a local request's results go, each write's own.
type LocalReply = oneshot::Sender<Result<Vec<Result<Applied>>>>;

pub enum Command {
    Local {
        writes: Vec<LocalWrite>,
        actor: String,
        reply: LocalReply,
    },
    Ingest {
        records: Vec<Envelope>,
        from: String,
        reply: oneshot::Sender<Result<IngestOutcome>>,
    },
    Record {
        events: Vec<AuditEvent>,
        meta: Option<(String, Vec<u8>)>,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Announces `signer`'s key in `_keys`, signed by the current key, then signs with it.
    RotateKey {
        signer: Box<Signer>,
        actor: String,
        reply: LocalReply,
    },
}

/// A write by our own agency, checked by admission, signed here.
#[derive(Debug, Clone)]
pub enum LocalWrite {
    Put {
        collection: String,
        id: String,
        body: Box<RecordBody>,
    },
    /// A new version of the current winner with the kind's revoked status.
    Revoke { collection: String, id: String },
    /// A tombstone: a hard delete that replicates like any version.
    Delete { collection: String, id: String },
}

#[derive(Debug, Clone)]
pub struct Applied {
    pub header: RecordHeader,
    /// Whether this version is now the winner for its id.
    pub current: bool,
    pub outcome: PutOutcome,
}

impl LocalWrite {
    fn is_put(&self) -> bool {
        matches!(self, LocalWrite::Put { .. })
    }

    fn target(&self) -> (&str, &str) {
        match self {
            LocalWrite::Put { collection, id, .. }
            | LocalWrite::Revoke { collection, id }
            | LocalWrite::Delete { collection, id } => (collection, id),
        }
    }
}

/// Puts of consecutive requests in a group, signed as one run. No two requests in a run
/// write the same id: a later one must see the earlier one stored (an unchanged body
/// writes nothing).
#[derive(Default)]
struct PutRun {
    writes: Vec<LocalWrite>,
    /// Each request's number of writes, actor and reply, in order.
    requests: Vec<(usize, String, LocalReply)>,
    targets: HashSet<(String, String)>,
}

impl PutRun {
    fn overlaps(&self, writes: &[LocalWrite]) -> bool {
        writes.iter().any(|w| {
            let (collection, id) = w.target();
            self.targets.contains(&(collection.to_string(), id.to_string()))
        })
    }

    fn push(&mut self, writes: Vec<LocalWrite>, actor: String, reply: LocalReply) {
        for write in &writes {
            let (collection, id) = write.target();
            self.targets.insert((collection.to_string(), id.to_string()));
        }
        self.requests.push((writes.len(), actor, reply));
        self.writes.extend(writes);
    }
}

/// A commit unit's answers, and whether it reached sled.
struct WrittenUnit {
    answers: Vec<Answer>,
    stored: sled::Result<()>,
}

/// A local write ready to sign, or one with nothing to write.
enum Prepared {
    Sign(Box<Record>, Vec<u8>),
    /// The current winner already has this body: its header.
    Unchanged(RecordHeader),
}

/// A local write signed (or found unchanged), waiting to be stored.
enum Signed {
    New(Box<Envelope>),
    Unchanged(RecordHeader),
}

#[derive(Debug, Default)]
pub struct IngestOutcome {
    pub stored: usize,
    pub duplicates: usize,
    /// `(collection/id, why)`: audited by the caller, at the rate refusals are
    /// (`api::refusals`), so a peer cannot flood the audit log through the writer either.
    pub refused: Vec<(String, Error)>,
}

/// The writes of one commit unit, in order, readable before they reach sled.
/// (`IVec`s are reference-counted: `writes` and `pending` share each value.)
struct Tx<'a> {
    db: &'a sled::Db,
    writes: Vec<(sled::IVec, sled::IVec)>,
    pending: HashMap<sled::IVec, sled::IVec>,
}

impl<'a> Tx<'a> {
    fn new(db: &'a sled::Db) -> Self {
        Tx {
            db,
            writes: Vec::new(),
            pending: HashMap::new(),
        }
    }

    fn get(&self, key: &[u8]) -> Result<Option<sled::IVec>> {
        if let Some(value) = self.pending.get(key) {
            return Ok(Some(value.clone()));
        }
        self.db.get(key).map_err(storage_error)
    }

    /// Where the current winner of an id is, if it has one.
    fn winner(&self, collection: &str, id: &str) -> Result<Option<Winner>> {
        self.get(&keys::record(collection, id))?
            .map(|v| Winner::decode(&v))
            .transpose()
    }

    /// The current winner of an id, read from the log.
    fn current(&self, collection: &str, id: &str) -> Result<Option<Envelope>> {
        self.winner(collection, id)?
            .map(|w| w.read(|key| self.get(key)))
            .transpose()
    }

    fn contains(&self, key: &[u8]) -> Result<bool> {
        Ok(self.pending.contains_key(key) || self.db.contains_key(key).map_err(storage_error)?)
    }

    fn put(&mut self, key: Vec<u8>, value: Vec<u8>) {
        let (key, value) = (sled::IVec::from(key), sled::IVec::from(value));
        self.writes.push((key.clone(), value.clone()));
        self.pending.insert(key, value);
    }
}

struct WinnerUpdate {
    /// The version is the winner now.
    current: bool,
    /// The id had no version before.
    created: bool,
    /// The winner changed.
    changed: bool,
}

/// Where a version comes from: signed here, or received from a peer.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Origin {
    Local,
    Peer,
}

enum Stored {
    New { current: bool, created: bool },
    Duplicate,
}

pub struct Writer {
    disk: super::disk::Disk,
    settings: WriterSettings,
    clock: Clock,
    version_vector: HashMap<StreamId, u64>,
    stats: HashMap<String, CollectionStats>,
    audit_seq: u64,
    audit_hash: String,
    published: watch::Sender<Arc<Snapshot>>,
    /// Streams whose contiguous sequence number this group moved: written once per commit.
    advanced: HashSet<StreamId>,
    /// Ids whose winner this group changed behind the version vector (see `Repaired`).
    repaired_now: Vec<RecordKey>,
    repaired: Repaired,
    own_streams_held: OwnStreamsHeld,
    /// Why no peer's word on what it holds of ours can be done without yet (`super::hold`).
    awaiting_peer_heads: Option<HoldCause>,
}

impl Writer {
    pub fn load(
        disk: super::disk::Disk,
        settings: WriterSettings,
        clock: Clock,
        repaired: Repaired,
        own_streams_held: OwnStreamsHeld,
    ) -> Result<(Self, watch::Receiver<Arc<Snapshot>>)> {
        let (published, snapshot) = watch::channel(Arc::new(Snapshot::default()));
        let mut writer = Writer {
            disk,
            settings,
            clock,
            version_vector: HashMap::new(),
            stats: HashMap::new(),
            audit_seq: 0,
            audit_hash: String::new(),
            published,
            advanced: HashSet::new(),
            repaired_now: Vec::new(),
            repaired,
            own_streams_held,
            awaiting_peer_heads: None,
        };
        writer.reload()?;
        writer.publish();
        Ok((writer, snapshot))
    }

    /// Rebuilds the in-memory state from disk (at start, and after a failed commit).
    fn reload(&mut self) -> Result<()> {
        let db = self.disk.db()?;
        self.version_vector.clear();
        for item in db.scan_prefix([keys::VERSION_VECTOR]) {
            let (key, value) = item.map_err(storage_error)?;
            if let (Some(stream), Some(seq)) = (keys::parse_version_vector(&key), keys::be_u64(&value)) {
                self.version_vector.insert(stream, seq);
            }
        }
        self.stats = recount(&db)?;
        if let Some(item) = db.scan_prefix([keys::AUDIT]).next_back() {
            let (_, value) = item.map_err(storage_error)?;
            let last: AuditEntry =
                serde_json::from_slice(&value).map_err(|e| Error::Internal(format!("audit entry: {e}")))?;
            self.audit_seq = last.seq;
            self.audit_hash = last.hash;
        }
        self.awaiting_peer_heads = HoldCause::read(&db)?;
        Ok(())
    }

    fn publish(&self) {
        self.published.send_replace(self.snapshot());
    }

    fn snapshot(&self) -> Arc<Snapshot> {
        Arc::new(Snapshot {
            version_vector: self.version_vector.clone(),
            collections: self.stats.clone(),
            audit_entries: self.audit_seq,
            awaiting_peer_heads: self.awaiting_peer_heads,
        })
    }

    pub fn run(mut self, mut commands: mpsc::Receiver<Command>) {
        let (queue, flusher_queue) = std::sync::mpsc::sync_channel(FLUSH_QUEUE);
        let progress = Arc::new(FlushProgress::default());
        let mut flushes = FlushQueue {
            queue,
            progress: progress.clone(),
            sent: 0,
        };
        let flusher = Flusher {
            disk: self.disk.clone(),
            io: None,
            published: self.published.clone(),
            flush_seconds: self.settings.flush_seconds.clone(),
            repaired: self.repaired.clone(),
            progress,
        };
        std::thread::scope(|scope| {
            let spawned = std::thread::Builder::new()
                .name("store-flusher".into())
                .spawn_scoped(scope, move || flusher.run(flusher_queue));
            if let Err(e) = spawned {
                tracing::error!(error = %e, "cannot start the store flusher; the store accepts no writes");
                return;
            }
            while let Some(first) = commands.blocking_recv() {
                let mut group = vec![first];
                while group.len() < MAX_GROUP {
                    match commands.try_recv() {
                        Ok(command) => group.push(command),
                        Err(_) => break,
                    }
                }
                match self.recover() {
                    Ok(()) => self.commit(group, &mut commands, &mut flushes),
                    Err(error) => group.into_iter().for_each(|c| c.refuse(&error)),
                }
            }
            // Closing the queue lets the flusher finish what is queued and stop.
            drop(flushes);
        });
    }

    /// After a storage fault: reopens the store if the disk takes writes again, and
    /// reloads our state from what really reached it.
    fn recover(&mut self) -> Result<()> {
        if !self.disk.faulted() {
            return Ok(());
        }
        self.disk.recover()?;
        self.reload()?;
        // A group that failed its flush may have reached the disk after all.
        self.publish();
        Ok(())
    }

    /// Writes a group and hands it to the flusher, which answers it.
    ///
    /// The group is written as it comes, one commit unit at a time (each atomic: see
    /// [`super::journal`]), and its requests are answered together after one flush. While
    /// the flusher flushes the previous group, requests that arrive are written in this
    /// one (more requests share each flush, and the disk and the writer work at once).
    fn commit(&mut self, group: Vec<Command>, commands: &mut mpsc::Receiver<Command>, flushes: &mut FlushQueue) {
        let db = match self.disk.db() {
            Ok(db) => db,
            Err(error) => return group.into_iter().for_each(|c| c.refuse(&error)),
        };
        let mut answers = Vec::new();
        let mut unit = group;
        loop {
            let written = match self.disk.check_space() {
                Ok(()) => self.write_unit(&db, std::mem::take(&mut unit)),
                Err(full) => {
                    std::mem::take(&mut unit).into_iter().for_each(|c| c.refuse(&full));
                    WrittenUnit {
                        answers: Vec::new(),
                        stored: Ok(()),
                    }
                }
            };
            answers.extend(written.answers);
            if let Err(e) = written.stored {
                tracing::error!(error = %e, "store commit failed; nothing in this group was acknowledged");
                self.repaired_now.clear();
                self.disk.fail(&e);
                if let Err(reload) = self.reload() {
                    tracing::error!(error = %reload, "cannot reload store state");
                }
                return answers.into_iter().for_each(|a| a.fail(storage_error(e.clone())));
            }
            while unit.is_empty() && answers.len() < MAX_GROUP {
                match commands.try_recv() {
                    Ok(command) => unit.push(command),
                    Err(_) if flushes.all_flushed(FLUSH_POLL) => break,
                    Err(_) => {}
                }
            }
            if unit.is_empty() {
                break;
            }
            // Whatever else is queued joins this unit: signed together, journaled once.
            while answers.len() + unit.len() < MAX_GROUP {
                match commands.try_recv() {
                    Ok(command) => unit.push(command),
                    Err(_) => break,
                }
            }
        }
        let group = AppliedGroup {
            db,
            answers,
            snapshot: self.snapshot(),
            repaired: std::mem::take(&mut self.repaired_now),
        };
        if let Err(unsent) = flushes.send(group) {
            unsent
                .answers
                .into_iter()
                .for_each(|a| a.fail(Error::Unavailable("the store flusher stopped".into())));
        }
    }

    /// Applies commands as one commit unit and writes it (not yet flushed): the records,
    /// their winners and audit entries, the version vectors they moved and the clock.
    fn write_unit(&mut self, db: &sled::Db, commands: Vec<Command>) -> WrittenUnit {
        let mut tx = Tx::new(db);
        self.end_restore_hold(&mut tx);
        let answers = self.apply_commands(&mut tx, commands);
        for stream in std::mem::take(&mut self.advanced) {
            let seq = self.version_vector.get(&stream).copied().unwrap_or(0);
            tx.put(keys::version_vector(&stream.0, &stream.1), seq.to_be_bytes().to_vec());
        }
        tx.put(keys::meta("hlc"), self.clock.now().to_be_bytes().to_vec());
        WrittenUnit {
            answers,
            stored: super::journal::write(db, &tx.writes),
        }
    }

    /// Once a peer has said what it holds of ours, our own writes need no longer wait for
    /// it (streams that peer holds more of still wait: `encode_record`).
    fn end_restore_hold(&mut self, tx: &mut Tx) {
        if self.awaiting_peer_heads.is_some() && self.own_streams_held.heard() {
            tracing::info!("a peer has said how much of our records it holds: this node takes writes of its own again");
            self.awaiting_peer_heads = None;
            tx.put(keys::meta(HOLD_META), super::hold::no_hold());
        }
    }

    /// Applies requests in order, signing the puts of consecutive requests together.
    fn apply_commands(&mut self, tx: &mut Tx, commands: Vec<Command>) -> Vec<Answer> {
        let mut answers = Vec::with_capacity(commands.len());
        let mut puts = PutRun::default();
        for command in commands {
            match command {
                Command::Local { writes, actor, reply } if writes.iter().all(LocalWrite::is_put) => {
                    if puts.overlaps(&writes) {
                        answers.extend(self.apply_puts(tx, std::mem::take(&mut puts)));
                    }
                    puts.push(writes, actor, reply);
                }
                command => {
                    answers.extend(self.apply_puts(tx, std::mem::take(&mut puts)));
                    answers.push(self.apply(tx, command));
                }
            }
        }
        answers.extend(self.apply_puts(tx, puts));
        answers
    }

    /// The puts of several requests, signed together (in parallel when there are enough)
    /// and answered each with its own results.
    fn apply_puts(&mut self, tx: &mut Tx, run: PutRun) -> Vec<Answer> {
        let mut results = self.local_run(tx, run.writes).into_iter();
        run.requests
            .into_iter()
            .map(|(count, actor, reply)| {
                let results: Vec<_> = results.by_ref().take(count).collect();
                for result in &results {
                    self.append_audit(tx, local_audit(&actor, result));
                }
                Answer::Local(reply, results)
            })
            .collect()
    }

    fn apply(&mut self, tx: &mut Tx, command: Command) -> Answer {
        match command {
            Command::Local { writes, actor, reply } => {
                // Runs of puts are signed in parallel; a revocation reads the current
                // winner, so it goes alone, after whatever came before it is stored.
                let mut results = Vec::with_capacity(writes.len());
                let mut run = Vec::new();
                for write in writes {
                    if let LocalWrite::Revoke { .. } | LocalWrite::Delete { .. } = write {
                        results.extend(self.local_run(tx, std::mem::take(&mut run)));
                        results.extend(self.local_run(tx, vec![write]));
                    } else {
                        run.push(write);
                    }
                }
                results.extend(self.local_run(tx, run));
                for result in &results {
                    let event = local_audit(&actor, result);
                    self.append_audit(tx, event);
                }
                Answer::Local(reply, results)
            }
            Command::RotateKey { signer, actor, reply } => {
                let results = self.rotate_key(tx, *signer);
                for result in &results {
                    self.append_audit(tx, local_audit(&actor, result));
                }
                Answer::Local(reply, results)
            }
            Command::Ingest { records, from, reply } => Answer::Ingest(reply, self.ingest(tx, records, &from)),
            Command::Record { events, meta, reply } => {
                for event in events {
                    self.append_audit(tx, event);
                }
                if let Some((name, value)) = meta {
                    tx.put(keys::meta(&name), value);
                }
                Answer::Record(reply)
            }
        }
    }

    /// Writes of our own agency: numbered and stamped in order, signed in parallel (the
    /// costly part), stored in order. Nothing after a failed store is stored, so a
    /// stream's sequence numbers never skip.
    fn local_run(&mut self, tx: &mut Tx, writes: Vec<LocalWrite>) -> Vec<Result<Applied>> {
        let mut next_seq = HashMap::new();
        let encoded: Vec<Result<Prepared>> = writes
            .into_iter()
            .map(|w| self.encode_local(tx, w, &mut next_seq))
            .collect();
        let signer = &self.settings.signer;
        let sign = |encoded: Result<Prepared>| {
            encoded.map(|prepared| match prepared {
                Prepared::Sign(record, bytes) => Signed::New(Box::new(Envelope {
                    hash: sha256(&bytes),
                    signed: SignedRecord {
                        signature: signer.sign(&bytes),
                        record: bytes,
                    },
                    record: *record,
                })),
                Prepared::Unchanged(header) => Signed::Unchanged(header),
            })
        };
        let signed: Vec<Result<Signed>> = if encoded.len() < PARALLEL_SIGNING_FROM {
            encoded.into_iter().map(sign).collect()
        } else {
            encoded.into_par_iter().map(sign).collect()
        };
        let mut failed = false;
        signed
            .into_iter()
            .map(|signed| {
                let signed = signed?;
                if failed {
                    return Err(Error::Unavailable("an earlier write of this commit failed".into()));
                }
                let envelope = match signed {
                    Signed::New(envelope) => *envelope,
                    Signed::Unchanged(header) => {
                        return Ok(Applied {
                            header,
                            current: true,
                            outcome: PutOutcome::Unchanged,
                        });
                    }
                };
                let stored = self.store_version(tx, &envelope, Origin::Local);
                failed = !matches!(stored, Ok(Stored::New { .. }));
                match stored? {
                    Stored::New { current, created } => Ok(Applied {
                        header: envelope.header().clone(),
                        current,
                        outcome: if created {
                            PutOutcome::Created
                        } else {
                            PutOutcome::Updated
                        },
                    }),
                    Stored::Duplicate => Err(Error::Internal(
                        "a fresh local version collided with a stored one".into(),
                    )),
                }
            })
            .collect()
    }

    /// The record a local write makes, encoded; a sequence number is used only by a write
    /// that passes the size check. A put of the body the current winner already has
    /// writes nothing, so re-importing a list changes nothing.
    fn encode_local(&self, tx: &Tx, write: LocalWrite, next_seq: &mut HashMap<String, u64>) -> Result<Prepared> {
        let (collection, id, body) = match write {
            LocalWrite::Put { collection, id, body } => {
                if let Some(current) = self.current_with_body(tx, &collection, &id, &body)? {
                    return Ok(Prepared::Unchanged(current));
                }
                (collection, id, *body)
            }
            LocalWrite::Revoke { collection, id } => {
                let body = self.revoked_body(tx, &collection, &id)?;
                (collection, id, body)
            }
            LocalWrite::Delete { collection, id } => {
                self.check_deletable(tx, &collection, &id)?;
                return self.encode_record(tx, collection, id, None, next_seq);
            }
        };
        self.encode_record(tx, collection, id, Some(body), next_seq)
    }

    /// Numbers, stamps and encodes one of our records (`None` body: a tombstone).
    fn encode_record(
        &self,
        tx: &Tx,
        collection: String,
        id: String,
        body: Option<RecordBody>,
        next_seq: &mut HashMap<String, u64>,
    ) -> Result<Prepared> {
        let agency = &self.settings.agency;
        let seq = match next_seq.entry(collection.clone()) {
            Entry::Occupied(next) => next.into_mut(),
            Entry::Vacant(next) => next.insert(self.own_stream_held(&collection)?),
        };
        // A run is numbered before any of it is stored. Past the version vector the log
        // may already hold versions of ours (anti-entropy restoring what this node lost):
        // their places are skipped, and `advance` moves past them as the run is stored.
        while tx.contains(&keys::log(&collection, agency, *seq + 1))? {
            *seq += 1;
        }
        let record = Record {
            header: Some(RecordHeader {
                collection,
                id,
                author: agency.clone(),
                seq: *seq + 1,
                hlc: self.clock.now(),
                key_id: self.settings.signer.key_id().to_string(),
                schema_version: SCHEMA_VERSION,
                tombstone: body.is_none(),
            }),
            body,
        };
        let bytes = record.encode_to_vec();
        if bytes.len() > self.settings.max_record_bytes {
            return Err(Error::refused(
                Refusal::Oversize,
                format!(
                    "record is {} bytes, the limit is {}",
                    bytes.len(),
                    self.settings.max_record_bytes
                ),
            ));
        }
        *seq += 1;
        Ok(Prepared::Sign(Box::new(record), bytes))
    }

    /// How far we hold our own stream of `collection`, where a run starts numbering it;
    /// refused while its next number may already be published (see `OwnStreamsHeld`).
    fn own_stream_held(&self, collection: &str) -> Result<u64> {
        if let Some(cause) = self.awaiting_peer_heads {
            return Err(Error::Unavailable(cause.reason().into()));
        }
        let stream = (collection.to_string(), self.settings.agency.clone());
        let held = self.version_vector.get(&stream).copied().unwrap_or(0);
        if let Some((peer, peer_holds)) = self.own_streams_held.ahead_of(collection, held) {
            return Err(Error::Unavailable(format!(
                "{peer} holds {collection} records of ours up to #{peer_holds}, this node only up to #{held} \
                 (restored from an older copy?); writes to {collection} resume once they are back"
            )));
        }
        Ok(held)
    }

    /// The current winner's header, if it is live and has exactly this body.
    fn current_with_body(
        &self,
        tx: &Tx,
        collection: &str,
        id: &str,
        body: &RecordBody,
    ) -> Result<Option<RecordHeader>> {
        let Some(current) = tx.current(collection, id)? else {
            return Ok(None);
        };
        let header = current.header().clone();
        let same = !header.tombstone && current.record.body.as_ref() == Some(body);
        Ok(same.then_some(header))
    }

    fn check_deletable(&self, tx: &Tx, collection: &str, id: &str) -> Result<()> {
        let current = tx
            .current(collection, id)?
            .ok_or_else(|| Error::NotFound(format!("{collection}/{id}")))?;
        if current.header().tombstone {
            return Err(Error::FailedPrecondition(format!(
                "{collection}/{id} is already deleted"
            )));
        }
        Ok(())
    }

    /// Stores the announcement of `signer`'s key (signed by the current key), then makes
    /// `signer` the key every later write is signed with.
    fn rotate_key(&mut self, tx: &mut Tx, signer: Signer) -> Vec<Result<Applied>> {
        let body = RecordBody {
            kind: Some(crate::proto::record_body::Kind::KeyAnnouncement(
                crate::proto::KeyAnnouncement {
                    key_id: signer.key_id().to_string(),
                    public_key: signer.public_key_base64(),
                    previous_key_id: self.settings.signer.key_id().to_string(),
                },
            )),
        };
        let write = LocalWrite::Put {
            collection: KEYS_COLLECTION.into(),
            id: format!("{}/{}", self.settings.agency, signer.key_id()),
            body: Box::new(body),
        };
        let results = self.local_run(tx, vec![write]);
        if results.iter().all(Result::is_ok) {
            tx.put(keys::meta(SIGNING_KEY_META), signer.key_id().as_bytes().to_vec());
            self.settings.signer = signer;
        }
        results
    }

    fn revoked_body(&self, tx: &Tx, collection: &str, id: &str) -> Result<RecordBody> {
        let current = tx
            .current(collection, id)?
            .ok_or_else(|| Error::NotFound(format!("{collection}/{id}")))?;
        let deleted = current.header().tombstone;
        let mut body = current
            .record
            .body
            .filter(|_| !deleted)
            .ok_or_else(|| Error::FailedPrecondition(format!("{collection}/{id} is deleted")))?;
        let before = body.clone();
        crate::records::revoke(&mut body);
        if body == before {
            return Err(Error::FailedPrecondition(format!(
                "{collection}/{id} is already revoked"
            )));
        }
        Ok(body)
    }

    fn ingest(&mut self, tx: &mut Tx, records: Vec<Envelope>, from: &str) -> IngestOutcome {
        let mut outcome = IngestOutcome::default();
        // Every accepted record is named in the batch's audit entry.
        let mut accepted = Vec::new();
        for envelope in records {
            let result = self
                .clock
                .observe(envelope.header().hlc)
                .and_then(|()| self.store_version(tx, &envelope, Origin::Peer));
            match result {
                Ok(Stored::New { .. }) => {
                    outcome.stored += 1;
                    let header = envelope.header();
                    accepted.push(format!("{}/{}#{}", header.collection, header.id, header.seq));
                }
                Ok(Stored::Duplicate) => outcome.duplicates += 1,
                Err(error) => {
                    let header = envelope.header();
                    let target = format!("{}/{}", header.collection, header.id);
                    outcome.refused.push((target, error));
                }
            }
        }
        if outcome.stored > 0 {
            let event = AuditEvent {
                actor: format!("peer:{from}"),
                action: "ingest".into(),
                target: String::new(),
                detail: format!(
                    "{} records stored, {} duplicates: {}",
                    outcome.stored,
                    outcome.duplicates,
                    accepted.join(" ")
                ),
            };
            self.append_audit(tx, event);
        }
        outcome
    }

    /// Logs the version, makes it the winner if it beats the current one, advances the
    /// stream's contiguous sequence number.
    fn store_version(&mut self, tx: &mut Tx, envelope: &Envelope, origin: Origin) -> Result<Stored> {
        let header = envelope.header();
        let stream = (header.collection.clone(), header.author.clone());
        let log_key = keys::log(&header.collection, &header.author, header.seq);
        if let Some(existing) = tx.get(&log_key)? {
            let existing =
                SignedRecord::decode(existing.as_ref()).map_err(|e| Error::Internal(format!("stored record: {e}")))?;
            if existing.record == envelope.signed.record {
                // Already logged; make sure it is also the winner it should be (anti-entropy
                // repairs a lost winner this way) and that the version vector counts it.
                if self.update_winner(tx, envelope)?.changed {
                    self.repaired_now.push((header.collection.clone(), header.id.clone()));
                }
                self.advance(tx, stream)?;
                return Ok(Stored::Duplicate);
            }
            let evidence = keys::evidence(&header.collection, &header.author, header.seq);
            if !tx.contains(&evidence)? {
                tx.put(evidence, envelope.to_stored());
            }
            return Err(Error::refused(
                Refusal::Equivocation,
                format!(
                    "{} signed two different records as seq {} of {}",
                    header.author, header.seq, header.collection
                ),
            ));
        }
        // Our own clock never issues a timestamp twice: only others' versions need the check.
        if origin == Origin::Peer {
            self.check_stamp(tx, envelope, &log_key)?;
        }
        tx.put(log_key, envelope.to_stored());
        let update = self.update_winner(tx, envelope)?;
        // A version behind the version vector (anti-entropy restoring a lost record) is
        // past what followers of the log have read.
        let behind = self.version_vector.get(&stream).is_some_and(|&vv| header.seq <= vv);
        if update.changed && behind {
            self.repaired_now.push((header.collection.clone(), header.id.clone()));
        }
        self.advance(tx, stream)?;
        Ok(Stored::New {
            current: update.current,
            created: update.created,
        })
    }

    /// Moves the stream's contiguous sequence number past every version logged after it;
    /// `commit` writes it once for the whole group.
    fn advance(&mut self, tx: &mut Tx, stream: StreamId) -> Result<()> {
        let mut seq = self.version_vector.get(&stream).copied().unwrap_or(0);
        let before = seq;
        while tx.contains(&keys::log(&stream.0, &stream.1, seq + 1))? {
            seq += 1;
        }
        if seq != before {
            self.version_vector.insert(stream.clone(), seq);
            self.advanced.insert(stream);
        }
        Ok(())
    }

    /// Keeps evidence when an author stamped two versions with one timestamp. The version
    /// is still stored: refusing it would leave a gap its stream could never pass, and
    /// the winner rule orders such twins deterministically anyway.
    fn check_stamp(&mut self, tx: &mut Tx, envelope: &Envelope, log_key: &[u8]) -> Result<()> {
        let header = envelope.header();
        let stamp = keys::stamp(&header.author, header.hlc);
        match tx.get(&stamp)? {
            None => tx.put(stamp, log_key.to_vec()),
            Some(first) if first.as_ref() != log_key => {
                tracing::warn!(
                    author = %header.author,
                    collection = %header.collection,
                    seq = header.seq,
                    "two versions by one author share a timestamp; kept as evidence"
                );
                tx.put(
                    keys::evidence(&header.collection, &header.author, header.seq),
                    envelope.to_stored(),
                );
            }
            Some(_) => {}
        }
        Ok(())
    }

    /// Makes the version the winner if it beats the current one (DESIGN §4).
    fn update_winner(&mut self, tx: &mut Tx, envelope: &Envelope) -> Result<WinnerUpdate> {
        let header = envelope.header();
        let previous = tx.winner(&header.collection, &header.id)?;
        let wins = previous.as_ref().is_none_or(|p| envelope.version() > p.version());
        if wins {
            tx.put(
                keys::record(&header.collection, &header.id),
                Winner::of(envelope).encode(),
            );
            let stats = self.stats.entry(header.collection.clone()).or_default();
            match &previous {
                Some(previous) => xor(&mut stats.digest, &previous.hash),
                None => stats.records += 1,
            }
            xor(&mut stats.digest, &envelope.hash);
        }
        Ok(WinnerUpdate {
            created: previous.is_none(),
            current: wins || previous.is_some_and(|p| p.hash == envelope.hash),
            changed: wins,
        })
    }

    fn append_audit(&mut self, tx: &mut Tx, event: AuditEvent) {
        self.audit_seq += 1;
        let entry = AuditEntry::new(self.audit_seq, event, std::mem::take(&mut self.audit_hash));
        self.audit_hash = entry.hash.clone();
        tx.put(keys::audit(entry.seq), serde_json::to_vec(&entry).unwrap_or_default());
    }
}

/// Counts and digests every collection from its winners. Run at every start, so stats
/// always describe what is really on disk (even after an offline restore or repair) and
/// anti-entropy compares the truth. A winner whose version is missing from the log is
/// dropped, so that the id differs from peers and anti-entropy fetches it again.
fn recount(db: &sled::Db) -> Result<HashMap<String, CollectionStats>> {
    let mut stats: HashMap<String, CollectionStats> = HashMap::new();
    for item in db.scan_prefix([keys::RECORD]) {
        let (key, value) = item.map_err(storage_error)?;
        let Some((collection, id)) = keys::parse_record(&key) else {
            continue;
        };
        let winner = Winner::decode(&value)?;
        if !db.contains_key(&winner.log_key).map_err(storage_error)? {
            tracing::warn!(
                collection,
                id,
                "a winner's version is missing from the log; dropped for anti-entropy to fetch again"
            );
            db.remove(&key).map_err(storage_error)?;
            continue;
        }
        let entry = stats.entry(collection.to_string()).or_default();
        entry.records += 1;
        xor(&mut entry.digest, &winner.hash);
    }
    Ok(stats)
}

fn xor(digest: &mut [u8; 32], hash: &[u8; 32]) {
    digest.iter_mut().zip(hash).for_each(|(d, h)| *d ^= h);
}

fn local_audit(actor: &str, result: &Result<Applied>) -> AuditEvent {
    match result {
        Ok(applied) => AuditEvent {
            actor: actor.to_string(),
            action: match applied.outcome {
                PutOutcome::Unchanged => "write.unchanged",
                _ => "write",
            }
            .into(),
            target: format!("{}/{}", applied.header.collection, applied.header.id),
            detail: format!("seq {} current={}", applied.header.seq, applied.current),
        },
        Err(error) => AuditEvent {
            actor: actor.to_string(),
            action: "write.failed".into(),
            target: String::new(),
            detail: error.to_string(),
        },
    }
}

/// A group applied to sled, waiting for its flush.
pub struct AppliedGroup {
    /// The sled handle it was written on.
    db: sled::Db,
    answers: Vec<Answer>,
    /// What the store holds once this group is on disk.
    snapshot: Arc<Snapshot>,
    repaired: Vec<RecordKey>,
}

/// The writer's side of the flusher's queue.
struct FlushQueue {
    queue: std::sync::mpsc::SyncSender<AppliedGroup>,
    progress: Arc<FlushProgress>,
    /// Groups handed to the flusher.
    sent: u64,
}

impl FlushQueue {
    fn send(&mut self, group: AppliedGroup) -> std::result::Result<(), AppliedGroup> {
        self.queue.send(group).map_err(|unsent| unsent.0)?;
        self.sent += 1;
        Ok(())
    }

    /// Whether every group sent has been flushed (or the flusher stopped), waiting up to
    /// `timeout` for it.
    fn all_flushed(&self, timeout: std::time::Duration) -> bool {
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
struct FlushProgress {
    state: Mutex<FlushState>,
    changed: Condvar,
}

#[derive(Default)]
struct FlushState {
    flushed: u64,
    stopped: bool,
}

impl FlushProgress {
    fn update(&self, change: impl FnOnce(&mut FlushState)) {
        change(&mut self.state.lock().unwrap_or_else(PoisonError::into_inner));
        self.changed.notify_all();
    }
}

/// Tells the writer the flusher stopped, however it stops: the writer then no longer
/// waits for it.
struct StopSignal(Arc<FlushProgress>);

impl Drop for StopSignal {
    fn drop(&mut self) {
        self.0.update(|s| s.stopped = true);
    }
}

/// Flushes applied groups, then publishes and answers them in order. Groups that queue
/// up while a flush runs share the next one.
struct Flusher {
    disk: super::disk::Disk,
    /// Where flushes run; replaced after one stalls.
    io: Option<FlushThread>,
    published: watch::Sender<Arc<Snapshot>>,
    flush_seconds: prometheus_client::metrics::histogram::Histogram,
    repaired: Repaired,
    progress: Arc<FlushProgress>,
}

impl Flusher {
    /// Flushes one handle, waiting a bounded time (see [`super::stall`]).
    fn flush(&mut self, db: &sled::Db) -> Result<()> {
        if let Some(wedged) = self.disk.wedged() {
            return Err(wedged);
        }
        let io = match self.io.take() {
            Some(io) => io,
            None => FlushThread::start()
                .map_err(|e| Error::Unavailable(format!("storage: cannot start a flush thread: {e}")))?,
        };
        match io.flush(db.clone()) {
            Flushed::Done(result) => {
                self.io = Some(io);
                result.map(drop).map_err(|e| {
                    self.disk.fail(&e);
                    storage_error(e)
                })
            }
            Flushed::Stalled => Err(self.disk.wedge(FLUSH_STALL)),
        }
    }

    fn run(mut self, queue: std::sync::mpsc::Receiver<AppliedGroup>) {
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

impl Command {
    /// Answers a command that could not be applied.
    fn refuse(self, error: &Error) {
        let error = match error {
            Error::Unavailable(message) => Error::Unavailable(message.clone()),
            other => Error::Unavailable(other.to_string()),
        };
        let _ = match self {
            Command::Local { reply, .. } | Command::RotateKey { reply, .. } => reply.send(Err(error)).map_err(drop),
            Command::Ingest { reply, .. } => reply.send(Err(error)).map_err(drop),
            Command::Record { reply, .. } => reply.send(Err(error)).map_err(drop),
        };
    }
}

/// A request's answer, held until the commit is on disk.
enum Answer {
    Local(LocalReply, Vec<Result<Applied>>),
    Ingest(oneshot::Sender<Result<IngestOutcome>>, IngestOutcome),
    Record(oneshot::Sender<Result<()>>),
}

impl Answer {
    fn send(self) {
        // A requester that gave up no longer needs the answer.
        let _ = match self {
            Answer::Local(reply, results) => reply.send(Ok(results)).map_err(drop),
            Answer::Ingest(reply, outcome) => reply.send(Ok(outcome)).map_err(drop),
            Answer::Record(reply) => reply.send(Ok(())).map_err(drop),
        };
    }

    fn fail(self, error: Error) {
        self.fail_with(&error);
    }

    /// Answers Unavailable with `error`'s message (an Unavailable one's as it is).
    fn fail_with(self, error: &Error) {
        let message = match error {
            Error::Unavailable(message) => message.clone(),
            other => other.to_string(),
        };
        let _ = match self {
            Answer::Local(reply, _) => reply.send(Err(Error::Unavailable(message))).map_err(drop),
            Answer::Ingest(reply, _) => reply.send(Err(Error::Unavailable(message))).map_err(drop),
            Answer::Record(reply) => reply.send(Err(Error::Unavailable(message))).map_err(drop),
        };
    }
}
