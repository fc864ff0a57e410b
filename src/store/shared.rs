//! What the store shares with the tasks around it: the ids anti-entropy repaired behind
//! the log (for the screening index), and how much of our own streams peers hold (from
//! replication, for the writer's own-write hold).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::RecordKey;

/// Ids whose winner changed behind the version vector (anti-entropy restoring a record
/// lost from the log, or a lost winner), queued after their commit is on disk. Followers
/// of the log (the screening index) would not see these: they take them from here.
#[derive(Clone, Default)]
pub struct Repaired(Arc<Mutex<Vec<RecordKey>>>);

impl Repaired {
    pub(super) fn push(&self, keys: impl IntoIterator<Item = RecordKey>) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).extend(keys);
    }

    pub(super) fn take(&self) -> Vec<RecordKey> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

/// How much of each of our own streams a peer holds, where that is more than we hold
/// (collection → peer, seq): set by replication from the heads peers advertise. Only a
/// node restored from an older copy of its store holds less of its own streams than a
/// peer; until it has the rest back, the next sequence number it would give a write of
/// that stream is one it already published, with another record, so the writer takes no
/// write of it (peers would refuse that record as equivocation, and it would never reach them).
#[derive(Clone, Default)]
pub struct OwnStreamsHeld(Arc<Mutex<HeldByPeers>>);

#[derive(Default)]
struct HeldByPeers {
    streams: HashMap<String, (String, u64)>,
    /// Whether any peer has advertised its heads since we started.
    heard: bool,
}

impl OwnStreamsHeld {
    /// Replaces what peers hold of our streams; `heard`: some peer's heads are known.
    pub fn set(&self, held: HashMap<String, (String, u64)>, heard: bool) {
        let mut state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        state.streams = held;
        state.heard |= heard;
    }

    /// The peer that holds more of our stream of `collection` than `held_here`, and how far.
    pub(super) fn ahead_of(&self, collection: &str, held_here: u64) -> Option<(String, u64)> {
        let state = self.0.lock().unwrap_or_else(|p| p.into_inner());
        state
            .streams
            .get(collection)
            .filter(|(_, seq)| *seq > held_here)
            .cloned()
    }

    pub(super) fn heard(&self) -> bool {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).heard
    }

    /// Our streams some peer holds more of than `held_here` says we do: (collection, the
    /// peer, how far it holds).
    pub(super) fn beyond(&self, held_here: impl Fn(&str) -> u64) -> Vec<(String, String, u64)> {
        let mut collections: Vec<String> = {
            let state = self.0.lock().unwrap_or_else(|p| p.into_inner());
            state.streams.keys().cloned().collect()
        };
        collections.sort();
        collections
            .into_iter()
            .filter_map(|c| {
                let (peer, seq) = self.ahead_of(&c, held_here(&c))?;
                Some((c, peer, seq))
            })
            .collect()
    }
}
