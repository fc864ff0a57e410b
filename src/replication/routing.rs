//! Which peer each stream is pulled from.
//!
//! Every peer advertises its heads (the highest contiguous seq it holds per stream it may
//! send us). We pull each stream from exactly one peer, so a node that catches up receives
//! each missing record about once, not once per peer. The choice converges: a new stream is
//! pulled from a peer that holds the most of it, preferring the author itself; we move
//! away from a peer only once it has nothing more for us, has stopped advancing for a
//! while, and another peer has more. Never switching while the current source still
//! delivers (a relay may be catching up itself) is what keeps catch-up free of
//! duplicates: a switch would re-send whatever the old source had in flight. For the same
//! reason a stream is not assigned while its author is connected but has not yet said
//! what it holds: the first heads to arrive would otherwise pick a relay.
//!
//! Our own streams are pulled only while a peer holds some of them that we lack (after a
//! restore from an old backup): pulled for good, each record we write would come straight
//! back from every peer that stores it, to be verified and dropped as a duplicate.

use std::collections::{HashMap, HashSet};
use std::time::{Duration, Instant};

use crate::store::StreamId;

/// How long a source must stand still before we leave it for one that has more.
pub const STALE_AFTER: Duration = Duration::from_secs(3);
/// How long a source may claim records we lack without our holding any more of the
/// stream before we stop trusting its claims (until it reconnects).
pub const STARVED_AFTER: Duration = Duration::from_secs(10);

#[derive(Debug, Default)]
pub struct Routing {
    /// Our agency: the author of the streams we pull only to recover.
    own: String,
    heads: HashMap<String, HashMap<StreamId, u64>>,
    /// When each peer's head of each stream last moved forward.
    advanced: HashMap<(String, StreamId), Instant>,
    assigned: HashMap<StreamId, String>,
    /// Peers connected whose first heads have not arrived yet.
    awaiting: HashSet<String>,
    /// What we held of each stream, and since when (or since its source changed).
    progress: HashMap<StreamId, (u64, Instant)>,
    /// Sources that claimed records of a stream and never delivered them.
    distrusted: HashSet<(String, StreamId)>,
    /// Peers that claimed records of our own streams and never delivered them: unlike
    /// `distrusted`, kept across reconnects, since such a claim stops our writes to the
    /// stream (`own_streams_held`) and a peer must not be able to renew it at will.
    refuted_own: HashSet<(String, StreamId)>,
    /// When every stream was last re-chosen (`reassign`).
    last_reassigned: Option<Instant>,
}

impl Routing {
    pub fn new(own: &str) -> Self {
        Routing {
            own: own.to_string(),
            ..Routing::default()
        }
    }

    /// A link to `peer` is up; its heads are on their way.
    pub fn connected(&mut self, peer: &str) {
        self.awaiting.insert(peer.to_string());
    }

    /// The heads `peer` opened its session with (on its main lane): the wait for them ends.
    pub fn set_heads(&mut self, peer: &str, heads: HashMap<StreamId, u64>, now: Instant) {
        self.awaiting.remove(peer);
        self.update_heads(peer, heads, now);
    }

    /// Heads of `peer` it sent since; a stream it does not name keeps what it said before
    /// (a batch names only the heads that moved, and each lane only its own streams).
    pub fn update_heads(&mut self, peer: &str, moved: HashMap<StreamId, u64>, now: Instant) {
        let known = self.heads.entry(peer.to_string()).or_default();
        for (stream, head) in moved {
            if known.get(&stream).is_none_or(|old| head > *old) {
                self.advanced.insert((peer.to_string(), stream.clone()), now);
            }
            known.insert(stream, head);
        }
    }

    /// Whether `peer` has told us its heads in this session (its main lane's first batch).
    pub fn has_heads(&self, peer: &str) -> bool {
        !self.awaiting.contains(peer) && self.heads.contains_key(peer)
    }

    /// Forgets a disconnected peer; its streams move elsewhere on the next `reassign`.
    pub fn drop_peer(&mut self, peer: &str) {
        self.heads.remove(peer);
        self.awaiting.remove(peer);
        self.advanced.retain(|(p, _), _| p != peer);
        self.assigned.retain(|_, p| p != peer);
        self.distrusted.retain(|(p, _)| p != peer);
    }

    /// Re-chooses a source for every stream; true if any assignment changed. Its cost grows
    /// with peers times streams (both grow with the federation): run it when every stream
    /// may have moved (a session opened or closed) and on a timer (sources that stood
    /// still or never delivered), and `reassign_streams` when a peer's heads moved.
    pub fn reassign(&mut self, local: &HashMap<StreamId, u64>, now: Instant) -> bool {
        self.last_reassigned = Some(now);
        let offered: HashSet<StreamId> = self.heads.values().flat_map(|heads| heads.keys().cloned()).collect();
        let before = self.assigned.len();
        self.assigned.retain(|stream, _| offered.contains(stream));
        let dropped = self.assigned.len() != before;
        offered.iter().fold(dropped, |changed, stream| {
            self.reassign_stream(stream, local, now) | changed
        })
    }

    /// Whether the last `reassign` of every stream was `every` ago or more.
    pub fn reassign_due(&self, now: Instant, every: Duration) -> bool {
        self.last_reassigned
            .is_none_or(|at| now.saturating_duration_since(at) >= every)
    }

    /// Re-chooses a source for `streams` only; true if any assignment changed.
    pub fn reassign_streams<'a>(
        &mut self,
        streams: impl IntoIterator<Item = &'a StreamId>,
        local: &HashMap<StreamId, u64>,
        now: Instant,
    ) -> bool {
        streams.into_iter().fold(false, |changed, stream| {
            self.reassign_stream(stream, local, now) | changed
        })
    }

    /// Chooses the peer to pull `stream` from (or none); true if that changed.
    fn reassign_stream(&mut self, stream: &StreamId, local: &HashMap<StreamId, u64>, now: Instant) -> bool {
        let mut options: Vec<(&str, u64)> = self
            .heads
            .iter()
            .filter_map(|(peer, heads)| heads.get(stream).map(|head| (peer.as_str(), *head)))
            .collect();
        let current = self.assigned.get(stream).cloned();
        if options.is_empty() || (current.is_none() && self.awaiting.contains(&stream.author)) {
            // Nobody offers it, or wait for the author's own heads.
            return self.assigned.remove(stream).is_some();
        }
        let have = local.get(stream).copied().unwrap_or(0);
        cap_at_author(stream, &mut options);
        let progress = self.progress.entry(stream.clone()).or_insert((have, now));
        if progress.0 != have {
            *progress = (have, now);
        }
        if let Some(peer) = &current {
            let claims_more = options.iter().any(|(p, head)| p == peer && *head > have);
            if claims_more && now.saturating_duration_since(progress.1) >= STARVED_AFTER {
                tracing::warn!(%peer, ?stream, have, "peer claims records it does not send; pulling elsewhere");
                self.distrusted.insert((peer.clone(), stream.clone()));
                if stream.author == self.own {
                    self.refuted_own.insert((peer.clone(), stream.clone()));
                }
            }
        }
        let trusted: Vec<_> = options
            .iter()
            .copied()
            .filter(|(p, _)| !self.distrusted.contains(&(p.to_string(), stream.clone())))
            .collect();
        // With no one else to pull from, even a doubtful source is better than none.
        let options = if trusted.is_empty() { options } else { trusted };
        if stream.author == self.own && options.iter().all(|&(_, head)| head <= have) {
            return self.assigned.remove(stream).is_some();
        }
        let current = current.as_ref().map(|peer| {
            let moved = self.advanced.get(&(peer.clone(), stream.clone()));
            let stale = moved.is_none_or(|at| now.saturating_duration_since(*at) >= STALE_AFTER);
            (peer.as_str(), stale)
        });
        let chosen = choose(stream, &options, current, have).to_string();
        let changed = current.is_none_or(|(peer, _)| peer != chosen);
        if changed {
            progress.1 = now; // a new source gets its full time to deliver
            self.assigned.insert(stream.clone(), chosen);
        }
        changed
    }

    /// Each of our own streams that a peer holds more of than `local` (only after a restore
    /// from an older copy): the peer that holds the most, and how much. Claims of a peer
    /// that once claimed more of one of them and delivered nothing are not believed.
    pub fn own_streams_held(&self, local: &HashMap<StreamId, u64>) -> HashMap<String, (String, u64)> {
        let mut held: HashMap<String, (String, u64)> = HashMap::new();
        for (peer, heads) in &self.heads {
            for (stream, &head) in heads {
                let ours = stream.author == self.own;
                let believed = !self.refuted_own.contains(&(peer.clone(), stream.clone()));
                let more = head > local.get(stream).copied().unwrap_or(0);
                if ours && believed && more && held.get(&stream.collection).is_none_or(|(_, most)| head > *most) {
                    held.insert(stream.collection.clone(), (peer.clone(), head));
                }
            }
        }
        held
    }

    /// Whether a connected peer has sent the heads it opened its session with (all of
    /// them, on its main lane; an urgent lane's heads alone do not say what it holds).
    pub fn heard_from_a_peer(&self) -> bool {
        self.heads.keys().any(|peer| !self.awaiting.contains(peer))
    }

    /// The streams to pull from `peer`.
    pub fn wanted_from(&self, peer: &str) -> Vec<StreamId> {
        let mut streams: Vec<StreamId> = self
            .assigned
            .iter()
            .filter(|(_, p)| p.as_str() == peer)
            .map(|(s, _)| s.clone())
            .collect();
        streams.sort();
        streams
    }

    /// Records `peer` holds that we do not: its replication lag as seen from here.
    pub fn lag(&self, peer: &str, local: &HashMap<StreamId, u64>) -> u64 {
        self.heads.get(peer).map_or(0, |heads| {
            heads
                .iter()
                .map(|(stream, head)| head.saturating_sub(local.get(stream).copied().unwrap_or(0)))
                .fold(0, u64::saturating_add) // heads come from the peer: never overflow
        })
    }
}

/// No one can hold more of an author's stream than the author: while it is connected,
/// larger claims by others are capped at its own head.
fn cap_at_author(stream: &StreamId, options: &mut [(&str, u64)]) {
    if let Some(&(_, author_head)) = options.iter().find(|(p, _)| *p == stream.author) {
        options
            .iter_mut()
            .for_each(|(_, head)| *head = (*head).min(author_head));
    }
}

/// `current`: the peer we pull from now, and whether its head has stood still a while.
fn choose<'a>(stream: &StreamId, options: &[(&'a str, u64)], current: Option<(&'a str, bool)>, have: u64) -> &'a str {
    let author = stream.author.as_str();
    let head_of = |peer: &str| options.iter().find(|(p, _)| *p == peer).map(|(_, h)| *h);
    // Most records first, then the author itself, then a stable order by name.
    let best = options
        .iter()
        .max_by(|a, b| {
            (a.1, a.0 == author)
                .cmp(&(b.1, b.0 == author))
                .then_with(|| b.0.cmp(a.0))
        })
        .map(|(p, _)| *p)
        .expect("a stream has at least one candidate");
    let Some((current, stale, current_head)) = current.and_then(|(c, stale)| head_of(c).map(|h| (c, stale, h))) else {
        return best;
    };
    if stale && current_head <= have && head_of(best).unwrap_or(0) > have {
        best
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(author: &str) -> StreamId {
        StreamId::new("denials", author)
    }

    fn later(start: Instant) -> Instant {
        start + STALE_AFTER
    }

    fn heads(entries: &[(&str, u64)]) -> HashMap<StreamId, u64> {
        entries.iter().map(|(a, h)| (stream(a), *h)).collect()
    }

    #[test]
    fn heads_that_moved_re_choose_their_streams_only_and_the_recheck_does_the_rest() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        routing.set_heads("B", heads(&[("A", 10)]), t0);
        assert!(routing.reassign(&HashMap::new(), t0));
        assert!(!routing.reassign_due(t0, STALE_AFTER));
        routing.update_heads("C", heads(&[("A", 20), ("X", 3)]), t0);
        assert!(routing.reassign_streams(&[stream("X")], &HashMap::new(), t0));
        assert_eq!(routing.wanted_from("C"), [stream("X")]);
        assert_eq!(routing.wanted_from("B"), [stream("A")]);
        // B stood still with nothing more for us: only a pass over every stream sees it.
        let (local, later) = (heads(&[("A", 10)]), later(t0));
        assert!(!routing.reassign_streams(&[stream("X")], &local, later));
        assert_eq!(routing.wanted_from("B"), [stream("A")]);
        assert!(routing.reassign_due(later, STALE_AFTER));
        assert!(routing.reassign(&local, later));
        assert_eq!(routing.wanted_from("C"), [stream("A"), stream("X")]);
    }

    #[test]
    fn each_stream_is_pulled_from_one_peer_preferring_the_author() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        routing.set_heads("B", heads(&[("A", 10), ("B", 5)]), t0);
        routing.set_heads("A", heads(&[("A", 10)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
        assert_eq!(routing.wanted_from("B"), vec![stream("B")]);
    }

    #[test]
    fn a_relay_is_kept_while_it_delivers_and_left_when_it_falls_behind() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        routing.set_heads("B", heads(&[("A", 10)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        // The author appears: B still has records for us, so no switch (no duplicates).
        routing.set_heads("A", heads(&[("A", 12)]), t0);
        assert!(!routing.reassign(&heads(&[("A", 4)]), later(t0)));
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        // We hold all B has, but B just moved: it is probably catching up itself; stay.
        assert!(!routing.reassign(&heads(&[("A", 10)]), t0));
        // B has stood still a while and A has more: switch.
        assert!(routing.reassign(&heads(&[("A", 10)]), later(t0)));
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
        assert!(routing.wanted_from("B").is_empty());
        routing.drop_peer("A");
        routing.reassign(&heads(&[("A", 12)]), later(t0));
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
    }

    #[test]
    fn a_new_stream_waits_for_its_connected_author() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        routing.connected("A");
        routing.set_heads("B", heads(&[("A", 4)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert!(
            routing.wanted_from("B").is_empty(),
            "A is connected: wait for its heads"
        );
        routing.set_heads("A", heads(&[("A", 5)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
    }

    #[test]
    fn a_source_that_claims_records_it_never_sends_is_left() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        // The author is connected: a relay's larger claim counts only up to the author's.
        routing.set_heads("A", heads(&[("A", 5)]), t0);
        routing.set_heads("L", heads(&[("A", 1_000_000)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
        // Without the author: L is chosen for its claim, delivers nothing, and is left.
        routing.drop_peer("A");
        routing.set_heads("B", heads(&[("A", 5)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("L"), vec![stream("A")]);
        routing.reassign(&HashMap::new(), t0 + STARVED_AFTER);
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        // Its claims stay doubted while it stays connected.
        routing.reassign(&heads(&[("A", 5)]), t0 + STARVED_AFTER * 2);
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        assert_eq!(routing.lag("L", &HashMap::new()), 1_000_000);
        routing.set_heads("L", heads(&[("A", u64::MAX), ("B", u64::MAX)]), t0);
        assert_eq!(routing.lag("L", &HashMap::new()), u64::MAX);
    }

    #[test]
    fn a_stale_source_is_left_for_one_that_has_more() {
        let (mut routing, t0) = (Routing::default(), Instant::now());
        routing.set_heads("B", heads(&[("X", 5)]), t0);
        routing.set_heads("C", heads(&[("X", 3)]), t0);
        routing.reassign(&HashMap::new(), t0);
        assert_eq!(routing.wanted_from("B"), vec![stream("X")]);
        // C moves ahead while B is stuck; once we hold all of B's, we switch to C.
        routing.set_heads("C", heads(&[("X", 9)]), later(t0));
        routing.reassign(&heads(&[("X", 4)]), later(t0));
        assert_eq!(
            routing.wanted_from("B"),
            vec![stream("X")],
            "B still has records for us"
        );
        routing.reassign(&heads(&[("X", 5)]), later(t0));
        assert_eq!(routing.wanted_from("C"), vec![stream("X")]);
        assert_eq!(routing.lag("C", &heads(&[("X", 5)])), 4);
    }

    #[test]
    fn our_own_stream_is_pulled_only_while_a_peer_holds_more_of_it() {
        let (mut routing, t0) = (Routing::new("A"), Instant::now());
        routing.set_heads("B", heads(&[("A", 10), ("B", 5)]), t0);
        routing.reassign(&heads(&[("A", 10)]), t0);
        assert_eq!(routing.wanted_from("B"), vec![stream("B")]);
        // Restored from an old backup: B holds records of ours that we lost.
        routing.reassign(&heads(&[("A", 4)]), t0);
        assert_eq!(routing.wanted_from("B"), vec![stream("A"), stream("B")]);
        // Recovered: what we write next need not come back from B.
        assert!(routing.reassign(&heads(&[("A", 10)]), t0));
        assert_eq!(routing.wanted_from("B"), vec![stream("B")]);
        // A peer that claims more of ours and never sends it is left, and then no one
        // else has more: nothing of ours is pulled.
        routing.set_heads("L", heads(&[("A", 1_000)]), t0);
        routing.reassign(&heads(&[("A", 10)]), t0);
        assert_eq!(routing.wanted_from("L"), vec![stream("A")]);
        routing.reassign(&heads(&[("A", 10)]), t0 + STARVED_AFTER);
        assert!(routing.wanted_from("L").is_empty());
        assert_eq!(routing.wanted_from("B"), vec![stream("B")]);
    }

    #[test]
    fn what_peers_hold_of_our_own_streams_beyond_ours_is_reported_unless_never_delivered() {
        let (mut routing, t0) = (Routing::new("A"), Instant::now());
        let held = |routing: &Routing, have: u64| routing.own_streams_held(&heads(&[("A", have)]));
        routing.set_heads("B", heads(&[("A", 10), ("B", 5)]), t0);
        routing.set_heads("C", heads(&[("A", 12)]), t0);
        routing.reassign(&heads(&[("A", 12)]), t0);
        assert!(held(&routing, 12).is_empty(), "no peer holds more than we do");
        // Restored: both hold more; the one that holds the most is named.
        routing.reassign(&heads(&[("A", 4)]), t0);
        let expected = HashMap::from([("denials".to_string(), ("C".to_string(), 12))]);
        assert_eq!(held(&routing, 4), expected);
        // C claims 12 and never delivers: its claim is no longer believed; B's still is.
        routing.reassign(&heads(&[("A", 4)]), t0 + STARVED_AFTER);
        let expected = HashMap::from([("denials".to_string(), ("B".to_string(), 10))]);
        assert_eq!(held(&routing, 4), expected);
        // Nor after C reconnects with the same claim: it cannot hold our writes again.
        routing.drop_peer("C");
        routing.set_heads("C", heads(&[("A", 12)]), t0 + STARVED_AFTER);
        routing.reassign(&heads(&[("A", 4)]), t0 + STARVED_AFTER);
        assert_eq!(held(&routing, 4), expected);
    }
}
