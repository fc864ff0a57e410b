//! Our own agency's writes: numbered and stamped in order, signed (in parallel for a
//! bulk run), stored in order; key rotation; the audit entry each write gets.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use prost::Message as _;
use rayon::prelude::*;

use super::Writer;
use super::request::{Answer, Applied, LocalReply, LocalWrite};
use super::unit::Tx;
use super::versions::{Origin, Stored};
use crate::crypto::Signer;
use crate::error::{Error, Refusal, Result};
use crate::proto::{PutOutcome, Record, RecordBody, RecordHeader, SignedRecord};
use crate::records::{Envelope, KEYS_COLLECTION, SCHEMA_VERSION, sha256};
use crate::store::audit::AuditEvent;
use crate::store::{StreamId, keys};

/// Metadata: the id of the key we sign with, once rotated away from the configured one.
pub const SIGNING_KEY_META: &str = "signing_key";
/// Below this many records a run is signed on the writer thread. Waking the rayon pool
/// costs more than it saves for the few puts concurrent clients bring to a commit (its
/// idle workers spin and yield before they sleep): with 16 clients, signing their puts
/// here took 198 → 183 µs of CPU per put (median of 4 alternated runs each). A bulk
/// load's batch is worth spreading over the cores.
pub(super) const PARALLEL_SIGNING_FROM: usize = 32;

/// Puts of consecutive requests in a group, signed as one run. No two requests in a run
/// write the same id: a later one must see the earlier one stored (an unchanged body
/// writes nothing).
#[derive(Default)]
pub(super) struct PutRun {
    writes: Vec<LocalWrite>,
    /// Each request's number of writes, actor and reply, in order.
    requests: Vec<(usize, String, LocalReply)>,
    targets: HashSet<(String, String)>,
}

impl PutRun {
    pub(super) fn overlaps(&self, writes: &[LocalWrite]) -> bool {
        writes.iter().any(|w| {
            let (collection, id) = w.target();
            self.targets.contains(&(collection.to_string(), id.to_string()))
        })
    }

    pub(super) fn push(&mut self, writes: Vec<LocalWrite>, actor: String, reply: LocalReply) {
        for write in &writes {
            let (collection, id) = write.target();
            self.targets.insert((collection.to_string(), id.to_string()));
        }
        self.requests.push((writes.len(), actor, reply));
        self.writes.extend(writes);
    }
}

/// A local write ready to sign, or one with nothing to write.
pub(super) enum Prepared {
    Sign(Box<Record>, Vec<u8>),
    /// The current winner already has this body: its header.
    Unchanged(RecordHeader),
}

/// A local write signed (or found unchanged), waiting to be stored.
pub(super) enum Signed {
    New(Box<Envelope>),
    Unchanged(RecordHeader),
}

impl Writer {
    /// The puts of several requests, signed together (in parallel when there are enough)
    /// and answered each with its own results.
    pub(super) fn apply_puts(&mut self, tx: &mut Tx, run: PutRun) -> Vec<Answer> {
        let mut results = self.local_run(tx, run.writes).into_iter();
        run.requests
            .into_iter()
            .map(|(count, actor, reply)| {
                let results: Vec<_> = results.by_ref().take(count).collect();
                self.audited(tx, &actor, reply, results)
            })
            .collect()
    }

    /// One request's writes, in order. Runs of puts are signed in parallel; a revocation
    /// or deletion reads the current winner, so it goes alone, after whatever came before
    /// it is stored.
    pub(super) fn apply_local(
        &mut self,
        tx: &mut Tx,
        writes: Vec<LocalWrite>,
        actor: &str,
        reply: LocalReply,
    ) -> Answer {
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
        self.audited(tx, actor, reply, results)
    }

    pub(super) fn apply_rotation(&mut self, tx: &mut Tx, signer: Signer, actor: &str, reply: LocalReply) -> Answer {
        let results = self.rotate_key(tx, signer);
        self.audited(tx, actor, reply, results)
    }

    /// Audits each of a request's writes and holds its answer for the flush.
    fn audited(&mut self, tx: &mut Tx, actor: &str, reply: LocalReply, results: Vec<Result<Applied>>) -> Answer {
        for result in &results {
            self.append_audit(tx, local_audit(actor, result));
        }
        Answer::Local(reply, results)
    }

    /// Writes of our own agency: numbered and stamped in order, signed in parallel (the
    /// costly part), stored in order. Nothing after a failed store is stored, so a
    /// stream's sequence numbers never skip.
    pub(super) fn local_run(&mut self, tx: &mut Tx, writes: Vec<LocalWrite>) -> Vec<Result<Applied>> {
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
    pub(super) fn encode_local(
        &self,
        tx: &Tx,
        write: LocalWrite,
        next_seq: &mut HashMap<String, u64>,
    ) -> Result<Prepared> {
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
    pub(super) fn encode_record(
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
    pub(super) fn own_stream_held(&self, collection: &str) -> Result<u64> {
        if let Some(cause) = self.awaiting_peer_heads {
            return Err(Error::Unavailable(cause.reason().into()));
        }
        let stream = StreamId::new(collection, &self.settings.agency);
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
    pub(super) fn current_with_body(
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

    pub(super) fn check_deletable(&self, tx: &Tx, collection: &str, id: &str) -> Result<()> {
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
    pub(super) fn rotate_key(&mut self, tx: &mut Tx, signer: Signer) -> Vec<Result<Applied>> {
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

    pub(super) fn revoked_body(&self, tx: &Tx, collection: &str, id: &str) -> Result<RecordBody> {
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
}

pub(super) fn local_audit(actor: &str, result: &Result<Applied>) -> AuditEvent {
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
