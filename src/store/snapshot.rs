//! The store's published view: what it holds, per stream and per collection, after the
//! last flush.

use std::collections::HashMap;

use super::{HoldCause, StreamId};
use crate::proto::Cursor;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CollectionStats {
    /// Ids with a winning version (tombstones included).
    pub records: u64,
    /// XOR of the SHA-256 of every winning version: order-independent, so equal on
    /// converged nodes, and updated incrementally.
    pub digest: [u8; 32],
}

/// What the store holds, published after every commit. Cheap to read, never stale by more
/// than one commit.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Highest contiguous sequence number held per stream.
    pub version_vector: HashMap<StreamId, u64>,
    pub collections: HashMap<String, CollectionStats>,
    /// Entries in the audit log.
    pub audit_entries: u64,
    /// The writer holds our own writes until a peer's heads arrive (see `WriteHold`).
    pub awaiting_peer_heads: Option<HoldCause>,
}

impl Snapshot {
    /// The version vector as cursors, for the collections `keep` accepts, in order of
    /// collection then author: what heads, status and want files show.
    pub fn cursors(&self, keep: impl Fn(&str) -> bool) -> Vec<Cursor> {
        self.cursors_where(|stream, _| keep(&stream.collection))
    }

    /// The version vector's entries `keep` accepts, as cursors, in the same order.
    pub fn cursors_where(&self, keep: impl Fn(&StreamId, u64) -> bool) -> Vec<Cursor> {
        let mut cursors: Vec<Cursor> = self
            .version_vector
            .iter()
            .filter(|&(stream, &seq)| keep(stream, seq))
            .map(|(stream, &seq)| Cursor {
                collection: stream.collection.clone(),
                author: stream.author.clone(),
                seq,
            })
            .collect();
        cursors.sort_by(|a, b| (&a.collection, &a.author).cmp(&(&b.collection, &b.author)));
        cursors
    }
}
