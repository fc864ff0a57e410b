//! What a bundle for one agency carries, and writing it as chunks. Releasability is the
//! federation model's (`Federation::releasable_to`), as for a replication peer; on top of
//! it, consultation steps travel only between their two authorities.

use prost::Message as _;

use super::format;
use crate::crypto::Signer;
use crate::error::Result;
use crate::proto::record_body::Kind;
use crate::proto::{BundleChunk, BundleCoverage, BundleHeader, BundleWant, Record, SignedRecord};
use crate::records::{CONSULTATIONS_COLLECTION, Federation, sha256};
use crate::store::{Snapshot, Store, StreamId};

/// The streams a bundle for `recipient` covers: every stream of a collection it may read
/// that we hold beyond what its want shows (from the start without a want).
pub fn plan(
    federation: &Federation,
    snapshot: &Snapshot,
    recipient: &str,
    want: Option<&BundleWant>,
) -> Vec<BundleCoverage> {
    let held_there = |stream: &StreamId| {
        want.into_iter()
            .flat_map(|w| &w.holds)
            .find(|c| c.collection == stream.collection && c.author == stream.author)
            .map_or(0, |c| c.seq)
    };
    let mut covers: Vec<BundleCoverage> = snapshot
        .version_vector
        .iter()
        .filter(|(stream, _)| federation.releasable(&stream.collection, recipient).is_some())
        .filter_map(|(stream, &upto)| {
            let after = held_there(stream);
            (upto > after).then(|| BundleCoverage {
                collection: stream.collection.clone(),
                author: stream.author.clone(),
                after,
                upto,
            })
        })
        .collect();
    // Key announcements first: the recipient verifies later records with what they teach.
    covers.sort_by(|a, b| {
        let keys_first = |c: &BundleCoverage| c.collection != crate::records::KEYS_COLLECTION;
        (keys_first(a), &a.collection, &a.author).cmp(&(keys_first(b), &b.collection, &b.author))
    });
    covers
}

/// Records the plan covers: an upper bound on what the bundle will hold.
pub fn expected_records(covers: &[BundleCoverage]) -> u64 {
    covers.iter().map(|c| c.upto - c.after).sum()
}

/// Whether a version goes into a bundle from `sender` to `recipient`: everything of a
/// releasable collection, except consultation steps of other pairs of authorities.
pub fn carries(signed: &SignedRecord, collection: &str, sender: &str, recipient: &str) -> bool {
    if collection != CONSULTATIONS_COLLECTION {
        return true;
    }
    let Ok(record) = Record::decode(signed.record.as_slice()) else {
        return false;
    };
    let Some(Kind::SealedStep(step)) = record.body.and_then(|b| b.kind) else {
        return false;
    };
    let pair = [step.requester.as_str(), step.denier.as_str()];
    pair.contains(&sender) && pair.contains(&recipient)
}

/// Bounds of one chunk: a replication batch's.
#[derive(Debug, Clone, Copy)]
pub struct ChunkLimits {
    pub records: usize,
    pub bytes: usize,
}

/// Builds the chunks of a bundle and, at the end, its signed header.
pub struct Writer {
    header: BundleHeader,
    limits: ChunkLimits,
    pending: Vec<SignedRecord>,
    pending_bytes: usize,
}

/// A chunk as it goes into the file: length-delimited, and how many records it holds.
pub struct FramedChunk {
    pub bytes: Vec<u8>,
    pub records: u32,
}

impl Writer {
    pub fn new(sender: &str, recipient: &str, covers: Vec<BundleCoverage>, limits: ChunkLimits) -> Self {
        let created = chrono::Utc::now().timestamp().max(0) as u64;
        Writer {
            header: BundleHeader {
                format: format::FORMAT,
                sender: sender.to_string(),
                recipient: recipient.to_string(),
                created,
                covers,
                records: 0,
                chunk_sha256: Vec::new(),
            },
            limits,
            pending: Vec::new(),
            pending_bytes: 0,
        }
    }

    pub fn covers(&self) -> &[BundleCoverage] {
        &self.header.covers
    }

    /// Adds a version of `collection` if it goes to the recipient; returns a chunk when
    /// one is full.
    pub fn add(&mut self, collection: &str, record: SignedRecord) -> Option<FramedChunk> {
        if !carries(&record, collection, &self.header.sender, &self.header.recipient) {
            return None;
        }
        let size = record.encoded_len();
        let full = self.pending.len() >= self.limits.records
            || (!self.pending.is_empty() && self.pending_bytes + size > self.limits.bytes);
        let chunk = if full { self.take_chunk() } else { None };
        self.pending_bytes += size;
        self.pending.push(record);
        chunk
    }

    /// The last chunk, if records are pending, then the signed header (length-delimited).
    pub fn finish(mut self, signer: &Signer) -> (Option<FramedChunk>, Vec<u8>) {
        let last = self.take_chunk();
        let signed = format::sign_header(&self.header, signer);
        (last, signed.encode_length_delimited_to_vec())
    }

    fn take_chunk(&mut self) -> Option<FramedChunk> {
        if self.pending.is_empty() {
            return None;
        }
        let chunk = BundleChunk {
            records: std::mem::take(&mut self.pending),
        };
        self.pending_bytes = 0;
        let records = chunk.records.len() as u32;
        let bytes = chunk.encode_to_vec();
        self.header.chunk_sha256.push(sha256(&bytes).to_vec());
        self.header.records += u64::from(records);
        let mut framed = Vec::with_capacity(bytes.len() + 5);
        prost::encoding::encode_varint(bytes.len() as u64, &mut framed);
        framed.extend_from_slice(&bytes);
        Some(FramedChunk { bytes: framed, records })
    }
}

/// Versions of one covered stream after `after`, at most `limit`, in order: (versions,
/// the last sequence number read).
pub fn read_stream(
    store: &Store,
    cover: &BundleCoverage,
    after: u64,
    limit: usize,
) -> Result<(Vec<SignedRecord>, Option<u64>)> {
    let stream = StreamId::new(cover.collection.clone(), cover.author.clone());
    let page = store.log_range(&stream, after, cover.upto, limit)?;
    let last = page
        .last()
        .and_then(|r| crate::records::header_of(&r.record))
        .map(|h| h.seq);
    Ok((page, last))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{RecordBody, RecordHeader, SealedStep};

    fn step(requester: &str, denier: &str) -> SignedRecord {
        let record = Record {
            header: Some(RecordHeader {
                collection: CONSULTATIONS_COLLECTION.into(),
                ..Default::default()
            }),
            body: Some(RecordBody {
                kind: Some(Kind::SealedStep(SealedStep {
                    consultation: "C-1".into(),
                    requester: requester.into(),
                    denier: denier.into(),
                    copies: Vec::new(),
                })),
            }),
        };
        SignedRecord {
            record: record.encode_to_vec(),
            signature: Vec::new(),
        }
    }

    #[test]
    fn consultation_steps_travel_only_between_their_two_authorities() {
        let c = CONSULTATIONS_COLLECTION;
        assert!(carries(&step("A", "C"), c, "A", "C"));
        assert!(carries(&step("C", "A"), c, "A", "C"));
        assert!(
            !carries(&step("A", "B"), c, "A", "C"),
            "A's consultation with B, not C's"
        );
        assert!(
            !carries(&step("B", "C"), c, "A", "C"),
            "relayed by A: not in A's bundle"
        );
        let tombstone = SignedRecord {
            record: Record::default().encode_to_vec(),
            signature: Vec::new(),
        };
        assert!(!carries(&tombstone, c, "A", "C"));
        assert!(carries(&tombstone, "denials", "A", "C"));
    }
}
