//! Storing one version, ours or a peer's: the log, the winner (DESIGN §4), the stream's
//! contiguous sequence number, equivocation evidence, collection digests and the audit
//! chain.

use std::collections::HashMap;

use prost::Message as _;

use super::Writer;
use super::request::IngestOutcome;
use super::unit::Tx;
use crate::error::{Error, Refusal, Result};
use crate::proto::SignedRecord;
use crate::records::Envelope;
use crate::store::audit::{AuditEntry, AuditEvent};
use crate::store::winner::Winner;
use crate::store::{CollectionStats, RecordKey, StreamId, keys, storage_error};

pub(super) struct WinnerUpdate {
    /// The version is the winner now.
    current: bool,
    /// The id had no version before.
    created: bool,
    /// The winner changed.
    changed: bool,
}

/// Where a version comes from: signed here, or received from a peer.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Origin {
    Local,
    Peer,
}

pub(super) enum Stored {
    New { current: bool, created: bool },
    Duplicate,
}

impl Writer {
    pub(super) fn ingest(&mut self, tx: &mut Tx, records: Vec<Envelope>, actor: &str) -> IngestOutcome {
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
                actor: actor.to_string(),
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
    pub(super) fn store_version(&mut self, tx: &mut Tx, envelope: &Envelope, origin: Origin) -> Result<Stored> {
        let header = envelope.header();
        let stream = StreamId::of(header);
        let log_key = keys::log(&header.collection, &header.author, header.seq);
        if let Some(existing) = tx.get(&log_key)? {
            let existing =
                SignedRecord::decode(existing.as_ref()).map_err(|e| Error::Internal(format!("stored record: {e}")))?;
            if existing.record == envelope.signed.record {
                // Already logged; make sure it is also the winner it should be (anti-entropy
                // repairs a lost winner this way) and that the version vector counts it.
                if self.update_winner(tx, envelope)?.changed {
                    self.repaired_now.push(RecordKey::of(header));
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
            self.repaired_now.push(RecordKey::of(header));
        }
        self.advance(tx, stream)?;
        Ok(Stored::New {
            current: update.current,
            created: update.created,
        })
    }

    /// Moves the stream's contiguous sequence number past every version logged after it;
    /// `commit` writes it once for the whole group.
    pub(super) fn advance(&mut self, tx: &mut Tx, stream: StreamId) -> Result<()> {
        let mut seq = self.version_vector.get(&stream).copied().unwrap_or(0);
        let before = seq;
        while tx.contains(&keys::log(&stream.collection, &stream.author, seq + 1))? {
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
    pub(super) fn check_stamp(&mut self, tx: &mut Tx, envelope: &Envelope, log_key: &[u8]) -> Result<()> {
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
    pub(super) fn update_winner(&mut self, tx: &mut Tx, envelope: &Envelope) -> Result<WinnerUpdate> {
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

    pub(super) fn append_audit(&mut self, tx: &mut Tx, event: AuditEvent) {
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
pub(super) fn recount(db: &sled::Db) -> Result<HashMap<String, CollectionStats>> {
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

pub(super) fn xor(digest: &mut [u8; 32], hash: &[u8; 32]) {
    digest.iter_mut().zip(hash).for_each(|(d, h)| *d ^= h);
}
