//! Which peer each stream is pulled from.
//!
//! Every peer advertises its heads (the highest contiguous seq it holds per stream it may
//! send us). We pull each stream from exactly one peer, so a node that catches up receives
//! each missing record about once, not once per peer. The choice converges: a stream is
//! pulled from a peer that holds the most of it, preferring the author itself; we move
//! away from a peer only once it has nothing more for us and another peer has.

use std::collections::HashMap;

use crate::store::StreamId;

#[derive(Debug, Default)]
pub struct Routing {
    heads: HashMap<String, HashMap<StreamId, u64>>,
    assigned: HashMap<StreamId, String>,
}

impl Routing {
    /// Records a peer's advertised heads (replacing what it said before).
    pub fn set_heads(&mut self, peer: &str, heads: HashMap<StreamId, u64>) {
        self.heads.insert(peer.to_string(), heads);
    }

    /// Forgets a disconnected peer; its streams move elsewhere on the next `reassign`.
    pub fn drop_peer(&mut self, peer: &str) {
        self.heads.remove(peer);
        self.assigned.retain(|_, p| p != peer);
    }

    /// Re-chooses a source for every stream; true if any assignment changed.
    pub fn reassign(&mut self, local: &HashMap<StreamId, u64>) -> bool {
        let mut candidates: HashMap<&StreamId, Vec<(&str, u64)>> = HashMap::new();
        for (peer, heads) in &self.heads {
            for (stream, &head) in heads {
                candidates.entry(stream).or_default().push((peer, head));
            }
        }
        let mut assigned = HashMap::new();
        for (stream, options) in candidates {
            let current = self.assigned.get(stream).map(String::as_str);
            let have = local.get(stream).copied().unwrap_or(0);
            assigned.insert(stream.clone(), choose(stream, &options, current, have).to_string());
        }
        let changed = assigned != self.assigned;
        self.assigned = assigned;
        changed
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
                .sum()
        })
    }
}

fn choose<'a>(stream: &StreamId, options: &[(&'a str, u64)], current: Option<&'a str>, have: u64) -> &'a str {
    let author = stream.1.as_str();
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
    let Some((current, current_head)) = current.and_then(|c| head_of(c).map(|h| (c, h))) else {
        return best;
    };
    if current_head <= have && head_of(best).unwrap_or(0) > have {
        best
    } else {
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(author: &str) -> StreamId {
        ("denials".into(), author.into())
    }

    fn heads(entries: &[(&str, u64)]) -> HashMap<StreamId, u64> {
        entries.iter().map(|(a, h)| (stream(a), *h)).collect()
    }

    #[test]
    fn each_stream_is_pulled_from_one_peer_preferring_the_author() {
        let mut routing = Routing::default();
        routing.set_heads("B", heads(&[("A", 10), ("B", 5)]));
        routing.set_heads("A", heads(&[("A", 10)]));
        routing.reassign(&HashMap::new());
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
        assert_eq!(routing.wanted_from("B"), vec![stream("B")]);
    }

    #[test]
    fn a_relay_is_kept_while_it_delivers_and_left_when_it_falls_behind() {
        let mut routing = Routing::default();
        routing.set_heads("B", heads(&[("A", 10)]));
        routing.reassign(&HashMap::new());
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        // The author appears: B still has records for us, so no switch (no duplicates).
        routing.set_heads("A", heads(&[("A", 12)]));
        assert!(!routing.reassign(&heads(&[("A", 4)])));
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
        // We hold all B has and A has more: switch.
        assert!(routing.reassign(&heads(&[("A", 10)])));
        assert_eq!(routing.wanted_from("A"), vec![stream("A")]);
        assert!(routing.wanted_from("B").is_empty());
        routing.drop_peer("A");
        routing.reassign(&heads(&[("A", 12)]));
        assert_eq!(routing.wanted_from("B"), vec![stream("A")]);
    }

    #[test]
    fn a_stale_source_is_left_for_one_that_has_more() {
        let mut routing = Routing::default();
        routing.set_heads("B", heads(&[("X", 5)]));
        routing.set_heads("C", heads(&[("X", 3)]));
        routing.reassign(&HashMap::new());
        assert_eq!(routing.wanted_from("B"), vec![stream("X")]);
        // C moves ahead while B is stuck; once we hold all of B's, we switch to C.
        routing.set_heads("C", heads(&[("X", 9)]));
        routing.reassign(&heads(&[("X", 4)]));
        assert_eq!(
            routing.wanted_from("B"),
            vec![stream("X")],
            "B still has records for us"
        );
        routing.reassign(&heads(&[("X", 5)]));
        assert_eq!(routing.wanted_from("C"), vec![stream("X")]);
        assert_eq!(routing.lag("C", &heads(&[("X", 5)])), 4);
    }
}
