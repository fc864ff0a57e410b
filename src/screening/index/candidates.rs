//! Candidate names for a query form: which names share similar tokens with it (`Index::candidates`),
//! and which of them could reach the threshold.

use std::cell::RefCell;
use std::hash::Hash;

use super::{Index, NameId};
use crate::screening::bound::{NameOutline, NameShape, QueryShape, Seen, score_bound};
use crate::screening::score::{BOUND_SLACK, COMPOUND_MAX_LEN_DIFF, ExpandedPairs, QueryForm, best_total};
use crate::screening::text::MAX_TOKEN_CHARS;
use crate::screening::vocab::{INITIAL_SIM, TokenId};

/// What `Index::candidates` gathered about one name.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    /// Rank + 1 of the last query token met: each query token counts once per name, at its best.
    marker: u8,
    /// The best similarity of that token met so far in this name.
    best: f32,
    seen: Seen,
}

impl Evidence {
    /// Notes that query token `marker` (of `query_len` chars) met this name with `similarity`.
    fn meet(&mut self, marker: u8, similarity: f32, query_len: usize) {
        if self.marker < marker {
            self.marker = marker;
            self.best = similarity;
            self.seen.add(similarity, query_len);
        } else if self.marker == marker && similarity > self.best {
            self.seen.add(similarity - self.best, query_len);
            self.best = similarity;
        }
    }
}

thread_local! {
    /// Evidence per name id for `Index::candidates`, reset after each use: one entry per name so that
    /// each posting read costs one cache miss.
    static EVIDENCE: RefCell<Vec<Evidence>> = const { RefCell::new(Vec::new()) };
}

/// Postings read per query form before common tokens may be skipped (see `Index::candidates`).
pub(crate) const POSTINGS_BUDGET: usize = 20_000;
/// A skipped token is still confirmed (see `Index::candidates`) when its postings are at most this many
/// per candidate left: reading a posting in sequence costs a small fraction of reading a scattered name.
const CONFIRM_RATIO: usize = 8;

/// One query token as `Index::tokens_to_read` weighs it.
#[derive(Debug, Clone, Copy)]
struct Reach {
    qi: usize,
    /// Postings of its sources (initials last: they would read every token with their letter).
    volume: usize,
    /// What it may add to the score's numerator on the query side, the most its aligned name tokens
    /// may add to the denominator, and its best similarity with them (see `unmet_bound`).
    query_side: f32,
    name_len: usize,
    similarity: f32,
}

impl<K: Clone + Eq + Hash> Index<K> {
    /// Names that may reach `min_score` against the query form, with an upper bound of their score.
    ///
    /// A name can only score through query tokens it shares a similar token with (initials included,
    /// see `visit_sources`), or through a glued or split word, whose longer part is a similar token of
    /// the query token. So the names met in the postings of the query tokens' sources are all the names
    /// that may score. Rare tokens are read first; once `POSTINGS_BUDGET` is spent, the remaining (most
    /// common) tokens are skipped if a name met by none of the read tokens cannot reach `min_score`
    /// whatever it holds (`unmet_bound`). The skipped tokens' postings are then read too when they are
    /// few enough for the names found, only to confirm which of these names contain such a token; and
    /// names whose score bound (see `bound`) is below `min_score` are dropped.
    pub(super) fn candidates(&self, form: &QueryForm, pairs: &ExpandedPairs, min_score: f64) -> Vec<(NameId, f32)> {
        let (read, skipped) = self.tokens_to_read(form, pairs, min_score as f32);
        EVIDENCE.with_borrow_mut(|evidence| {
            if evidence.len() < self.names.len() {
                evidence.resize(self.names.len(), Evidence::default());
            }
            let found = self.gather_evidence(form, pairs, &read, evidence);
            let mut confirmed = vec![false; form.tokens.len()];
            read.iter().for_each(|qi| confirmed[*qi] = true);
            for (rank, reach) in skipped.iter().enumerate() {
                if reach.volume <= CONFIRM_RATIO.saturating_mul(found.len()) {
                    self.confirm(form, pairs, reach.qi, (read.len() + rank) as u8 + 1, evidence);
                    confirmed[reach.qi] = true;
                }
            }
            let query_shape = QueryShape::new(&form.sketches, &confirmed);
            self.bounded(found, &query_shape, min_score as f32, evidence)
        })
    }

    /// Names met in the postings of the `read` query tokens (in that order), with their evidence.
    fn gather_evidence(
        &self,
        form: &QueryForm,
        pairs: &ExpandedPairs,
        read: &[usize],
        evidence: &mut [Evidence],
    ) -> Vec<NameId> {
        let mut found = Vec::new();
        for (rank, qi) in read.iter().enumerate() {
            let marker = rank as u8 + 1;
            let query_len = form.tokens[*qi].len();
            self.visit_postings(form, pairs, *qi, |name, similarity| {
                let e = &mut evidence[name as usize];
                if e.marker == 0 {
                    found.push(name);
                }
                e.meet(marker, similarity, query_len);
            });
        }
        found
    }

    /// Records which of the names found contain a source of the skipped query token `qi`, for their
    /// score bounds.
    fn confirm(&self, form: &QueryForm, pairs: &ExpandedPairs, qi: usize, marker: u8, evidence: &mut [Evidence]) {
        let query_len = form.tokens[qi].len();
        self.visit_postings(form, pairs, qi, |name, similarity| {
            let e = &mut evidence[name as usize];
            // Names met only here were not found and stay out (their marker is 0).
            if e.marker != 0 {
                e.meet(marker, similarity, query_len);
            }
        });
    }

    /// The names whose score bound reaches `min_score`, with that bound; resets their evidence.
    fn bounded(
        &self,
        names: Vec<NameId>,
        query: &QueryShape,
        min_score: f32,
        evidence: &mut [Evidence],
    ) -> Vec<(NameId, f32)> {
        // Gathered first, in loops simple enough for the CPU to overlap their cache misses.
        let kept: Vec<(NameId, Seen, NameOutline)> = names
            .into_iter()
            .map(|name| {
                let seen = std::mem::take(&mut evidence[name as usize]).seen;
                (name, seen, self.outlines[name as usize])
            })
            .collect();
        let needed_shapes: Vec<NameShape> = kept
            .iter()
            .filter(|(_, _, outline)| outline.needs_shape(query))
            .map(|(name, _, _)| self.shapes[*name as usize])
            .collect();
        let mut shapes = needed_shapes.iter();
        let min_bound = min_score - BOUND_SLACK;
        let bounded = kept.into_iter().filter_map(|(name, seen, outline)| {
            let shape = if outline.needs_shape(query) {
                shapes.next()
            } else {
                None
            };
            let bound = score_bound(query, outline, shape, seen);
            (bound >= min_bound).then_some((name, bound))
        });
        bounded.collect()
    }

    /// Calls `visit(name, similarity)` for each posting of each source of query token `qi`.
    fn visit_postings(&self, form: &QueryForm, pairs: &ExpandedPairs, qi: usize, mut visit: impl FnMut(NameId, f32)) {
        self.visit_sources(form, pairs, qi, |token, similarity| {
            for name in self.postings_of(token) {
                visit(*name, similarity);
            }
        });
    }

    /// Calls `visit(token, similarity)` for each vocabulary token that query token `qi` may align with,
    /// with an upper bound of that pair's similarity: its similar tokens and the initial of its first
    /// letter, or for an initial, every token starting with its letter.
    fn visit_sources(&self, form: &QueryForm, pairs: &ExpandedPairs, qi: usize, mut visit: impl FnMut(TokenId, f32)) {
        let chars = &form.tokens[qi].chars;
        let Some(first) = chars.first() else {
            return;
        };
        if chars.len() == 1 {
            for token in self.vocab.starting_with(*first) {
                let similarity = if self.vocab.token_len(*token) == 1 {
                    1.0
                } else {
                    INITIAL_SIM
                };
                visit(*token, similarity);
            }
            return;
        }
        for similar in &pairs.per_token[qi] {
            visit(similar.id, best_total(similar));
        }
        if let Some(initial) = self.vocab.id_of(first.encode_utf8(&mut [0; 4])) {
            visit(initial, INITIAL_SIM);
        }
    }

    /// Query tokens whose postings are read (rarest first), and the others (skipped).
    fn tokens_to_read(&self, form: &QueryForm, pairs: &ExpandedPairs, min_score: f32) -> (Vec<usize>, Vec<Reach>) {
        let mut order: Vec<Reach> = (0..form.tokens.len()).map(|qi| self.reach(form, pairs, qi)).collect();
        order.sort_unstable_by_key(|r| (r.volume, r.qi));
        let total_len = form.total_len();
        let mut volume_read = 0usize;
        let mut read = Vec::new();
        for i in 0..order.len() {
            let over_budget = volume_read.saturating_add(order[i].volume) > self.postings_budget;
            if over_budget && unmet_bound(&order[i..], total_len) < min_score - BOUND_SLACK {
                return (read, order.split_off(i));
            }
            read.push(order[i].qi);
            volume_read = volume_read.saturating_add(order[i].volume);
        }
        (read, Vec::new())
    }

    fn reach(&self, form: &QueryForm, pairs: &ExpandedPairs, qi: usize) -> Reach {
        let len = form.tokens[qi].len();
        if len == 1 {
            // An initial pairs at 0.9 with a longer token, at 1.0 with its own letter: within
            // 0.9 * (1 + name token length) + 0.2 either way.
            return Reach {
                qi,
                volume: usize::MAX,
                query_side: INITIAL_SIM + 0.2,
                name_len: MAX_TOKEN_CHARS,
                similarity: INITIAL_SIM,
            };
        }
        let (mut volume, mut longest) = (0usize, 0usize);
        self.visit_sources(form, pairs, qi, |token, _| {
            volume += self.postings_of(token).len();
            longest = longest.max(self.vocab.token_len(token));
        });
        Reach {
            qi,
            volume,
            // Glued or split words may align at any similarity, one char longer than the query
            // token(s) they align with.
            query_side: len as f32,
            name_len: longest.max(len + COMPOUND_MAX_LEN_DIFF),
            similarity: 1.0,
        }
    }
}

/// Upper bound of the score of a name met by no query token but `unread` ones. Their edges add at
/// most `a` (their `query_side`s) plus `s * x` to the numerator, for `x` chars of aligned name tokens
/// (at most `m`, the sum of their `name_len`s) that also add to the denominator, and `s` the best
/// similarity: `(a + s * x) / (total_len + x)` is monotonic in `x`, so at most its value at 0 or `m`.
fn unmet_bound(unread: &[Reach], total_len: usize) -> f32 {
    let query_side: f32 = unread.iter().map(|r| r.query_side).sum();
    let name_side = unread.iter().map(|r| r.name_len).sum::<usize>() as f32;
    let similarity = unread.iter().map(|r| r.similarity).fold(0.0, f32::max);
    let total_len = (total_len as f32).max(1.0);
    let without_name = query_side / total_len;
    let with_name = (query_side + similarity * name_side) / (total_len + name_side);
    without_name.max(with_name)
}

/// Candidates whose score bounds fall in one slice of [0, 1].
#[derive(Debug, Default)]
pub(super) struct Bucket {
    pub max_bound: f32,
    pub names: Vec<NameId>,
}

/// Slices of [0, 1] that candidates are grouped in by score bound: scoring them in this order needs no
/// sort, and its granularity only delays by a slice the point where the rest can be skipped.
const BOUND_BUCKETS: usize = 256;

/// Candidates grouped by score bound, highest first (unbounded ones in the first group).
pub(super) fn best_bound_first(candidates: Vec<(NameId, f32)>) -> Vec<Bucket> {
    let mut buckets: Vec<Bucket> = (0..=BOUND_BUCKETS).map(|_| Bucket::default()).collect();
    for (name, bound) in candidates {
        let below_one = ((1.0 - bound.min(1.0)) * BOUND_BUCKETS as f32) as usize;
        let bucket = &mut buckets[below_one.min(BOUND_BUCKETS)];
        bucket.max_bound = bucket.max_bound.max(bound);
        bucket.names.push(name);
    }
    buckets.retain(|b| !b.names.is_empty());
    buckets
}
