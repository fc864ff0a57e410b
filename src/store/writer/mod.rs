//! The single writer: the only code that mutates sled. It runs on its own OS thread and
//! writes queued requests in atomic commit units (see [`super::journal`]); its flusher
//! thread then flushes and answers each group of them: concurrent writers share a flush
//! (group commit), the writer signs and writes the next group while the previous one is
//! being flushed, taking in requests until that flush ends, and an acknowledged write is
//! on disk.
//!
//! One concern per file: [`request`] (what callers send and get back), [`unit`] (a commit
//! unit's writes, readable before they reach sled), [`own_writes`] (numbering and signing
//! our agency's records), [`versions`] (storing a version: log, winner, version vector,
//! audit chain) and [`flusher`] (group commit). This file is the group loop.

mod flusher;
mod own_writes;
mod request;
mod unit;
mod versions;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use tokio::sync::{mpsc, watch};

use self::flusher::{AppliedGroup, FlushQueue};
use self::own_writes::PutRun;
pub use self::own_writes::SIGNING_KEY_META;
use self::request::Answer;
pub use self::request::{Applied, Command, IngestOutcome, LocalWrite};
use self::unit::Tx;
use self::versions::recount;
use super::audit::AuditEntry;
use super::hold::{HOLD_META, HoldCause};
use super::{
    CollectionStats, OwnStreamsHeld, RecordKey, Repaired, Snapshot, StreamId, WriterSettings, keys, storage_error,
};
use crate::error::{Error, Result};
use crate::records::hlc::Clock;

/// Requests per commit, at most: bounds commit latency and batch memory.
const MAX_GROUP: usize = 256;
/// While a flush runs, how often the writer looks for new requests to add to its group.
const FLUSH_POLL: std::time::Duration = std::time::Duration::from_micros(100);

/// A commit unit's answers, and whether it reached sled.
struct WrittenUnit {
    answers: Vec<Answer>,
    stored: sled::Result<()>,
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
        let (mut flushes, flusher, flusher_queue) = flusher::start(
            self.disk.clone(),
            self.published.clone(),
            self.settings.flush_seconds.clone(),
            self.repaired.clone(),
        );
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
                let fault = self.disk.fail(&e);
                if let Err(reload) = self.reload() {
                    tracing::error!(error = %reload, "cannot reload store state");
                }
                return answers.into_iter().for_each(|a| a.fail_with(&fault));
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
                .for_each(|a| a.fail_with(&Error::Unavailable("the store flusher stopped".into())));
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
            tx.put(
                keys::version_vector(&stream.collection, &stream.author),
                seq.to_be_bytes().to_vec(),
            );
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

    fn apply(&mut self, tx: &mut Tx, command: Command) -> Answer {
        match command {
            Command::Local { writes, actor, reply } => self.apply_local(tx, writes, &actor, reply),
            Command::RotateKey { signer, actor, reply } => self.apply_rotation(tx, *signer, &actor, reply),
            Command::Ingest { records, actor, reply } => Answer::Ingest(reply, self.ingest(tx, records, &actor)),
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
}
