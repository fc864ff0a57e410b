//! Candidate names for a query form: which names share similar tokens with it (`Index::candidates`),
//! and which of them could reach the threshold.

use std::cell::RefCell;
use std::hash::Hash;

use super::{Index, NameId};
use crate::screening::bound::{NameOutline, NameShape, QueryShape, Seen, score_bound};
use crate::screening::score::{BOUND_SLACK, ExpandedPairs, QueryForm, best_total};

/// Evidence gathered for one name by `Index::candidates`.
#[derive(Debug, Clone, Copy, Default)]
struct Evidence {
    /// Per read query token met, its best similarity times the longer of the two token lengths.
    sum: f32,
    /// Rank + 1 of the last query token met: each query token counts once per name.
    marker: u8,
    /// The same encounters, and those with confirmed tokens, as the score bound needs them.
    seen: Seen,
}

thread_local! {
    /// Evidence per name id for `Index::candidates`, reset after each use: one entry per name so that
    /// each posting read costs one cache miss.
    static EVIDENCE: RefCell<Vec<Evidence>> = const { RefCell::new(Vec::new()) };
}

/// Postings read per query form before common tokens may be skipped (see `Index::candidates`).
const POSTINGS_BUDGET: usize = 20_000;
/// A skipped token is still confirmed (see `Index::candidates`) when its postings are at most this many
/// per candidate left: reading a posting in sequence costs a small fraction of reading a scattered name.
const CONFIRM_RATIO: usize = 8;
/// The coverage bound of `Index::candidates` uses a threshold this much below the query's, as a safety
/// margin for the approximations in that bound.
const COVER_MARGIN: f64 = 0.05;

impl<K: Clone + Eq + Hash> Index<K> {
    /// Names sharing a similar token with the query, reading rare tokens' postings first.
    ///
    /// A name matching none of the read tokens can at best match the unread ones, which scores about
    /// `2u / (total + u)` for `u` unread query characters. Once that is below the threshold, the
    /// remaining (most common) tokens are read only while within `POSTINGS_BUDGET`.
    ///
    /// Each name found collects evidence: per read query token, its best similarity times the longer
    /// of the two token lengths. Names whose evidence plus the unread query length cannot reach the
    /// threshold are dropped before scoring (names with initials are kept: an initial aligns with a
    /// query token without being among its similar tokens).
    ///
    /// The skipped tokens' postings are then read too when they are few enough for the names left, only
    /// to confirm which of these names contain such a token, and names whose score bound (see `bound`)
    /// is below the threshold are dropped as well.
    pub(super) fn candidates(&self, form: &QueryForm, pairs: &ExpandedPairs, min_score: f64) -> Vec<(NameId, f32)> {
        let (read, skipped) = self.tokens_to_read(form, pairs, min_score);
        let read_len: usize = read.iter().map(|qi| form.tokens[*qi].len()).sum();
        let unread_len = (form.total_len() - read_len) as f64;
        let needed = ((min_score - COVER_MARGIN) * form.total_len() as f64 - unread_len) as f32;
        EVIDENCE.with_borrow_mut(|evidence| {
            if evidence.len() < self.names.len() {
                evidence.resize(self.names.len(), Evidence::default());
            }
            let found = self.gather_evidence(form, pairs, &read, evidence);
            let kept = self.with_enough_evidence(found, needed, evidence);
            let mut confirmed = vec![false; form.tokens.len()];
            read.iter().for_each(|qi| confirmed[*qi] = true);
            for (rank, (volume, qi)) in skipped.iter().enumerate() {
                if *volume <= CONFIRM_RATIO * kept.len() {
                    self.confirm(form, pairs, *qi, (read.len() + rank) as u8 + 1, evidence);
                    confirmed[*qi] = true;
                }
            }
            let query_shape = QueryShape::new(&form.sketches, &confirmed);
            self.bounded(kept, &query_shape, min_score as f32, evidence)
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
            self.visit_postings(pairs, *qi, query_len, |name, weight, similarity| {
                let e = &mut evidence[name as usize];
                if e.marker == 0 {
                    found.push(name);
                }
                if e.marker < marker {
                    e.marker = marker;
                    e.sum += weight;
                    e.seen.add(similarity, query_len);
                }
            });
        }
        found
    }

    /// Records which of the names found contain a similar token of the skipped query token `qi`, for
    /// their score bounds (their evidence, a heuristic over the read tokens only, stays as it is).
    fn confirm(&self, form: &QueryForm, pairs: &ExpandedPairs, qi: usize, marker: u8, evidence: &mut [Evidence]) {
        let query_len = form.tokens[qi].len();
        self.visit_postings(pairs, qi, query_len, |name, _, similarity| {
            let e = &mut evidence[name as usize];
            // Names met only here were not found and stay out (their marker is 0).
            if e.marker != 0 && e.marker < marker {
                e.marker = marker;
                e.seen.add(similarity, query_len);
            }
        });
    }

    /// The names found whose evidence reaches `needed`, or that have initials; resets the others'.
    fn with_enough_evidence(&self, mut found: Vec<NameId>, needed: f32, evidence: &mut [Evidence]) -> Vec<NameId> {
        found.retain(|name| {
            let e = &mut evidence[*name as usize];
            let keep = e.sum >= needed || self.has_initial(*name);
            if !keep {
                *e = Evidence::default();
            }
            keep
        });
        found
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

    /// Calls `visit(name, evidence, similarity)` for each posting of each similar token of query token
    /// `qi`, most similar tokens first; the evidence is the similarity times the longer token length.
    fn visit_postings(
        &self,
        pairs: &ExpandedPairs,
        qi: usize,
        query_len: usize,
        mut visit: impl FnMut(NameId, f32, f32),
    ) {
        for similar in &pairs.per_token[qi] {
            let similarity = best_total(similar);
            let weight = similarity * query_len.max(self.vocab.token_len(similar.id)) as f32;
            for name in self.postings_of(similar.id) {
                visit(*name, weight, similarity);
            }
        }
    }

    /// Query tokens whose postings are read (rarest first), and the others with their postings volume.
    fn tokens_to_read(
        &self,
        form: &QueryForm,
        pairs: &ExpandedPairs,
        min_score: f64,
    ) -> (Vec<usize>, Vec<(usize, usize)>) {
        let mut order: Vec<(usize, usize)> = pairs
            .per_token
            .iter()
            .enumerate()
            .filter(|(qi, _)| form.tokens[*qi].len() > 1)
            .map(|(qi, similar)| (similar.iter().map(|s| self.postings_of(s.id).len()).sum(), qi))
            .collect();
        order.sort_unstable();
        let threshold = (min_score - COVER_MARGIN).clamp(0.0, 1.0);
        let total = form.total_len() as f64;
        let max_unread = threshold * total / (2.0 - threshold);
        let (mut unread, mut volume_read) = (total, 0usize);
        let mut read = Vec::new();
        for (i, (volume, qi)) in order.iter().enumerate() {
            if unread < max_unread && volume_read + volume > POSTINGS_BUDGET {
                return (read, order.split_off(i));
            }
            read.push(*qi);
            volume_read += volume;
            unread -= form.tokens[*qi].len() as f64;
        }
        (read, Vec::new())
    }

    fn has_initial(&self, name: NameId) -> bool {
        self.with_initial[name as usize / 64] & (1 << (name % 64)) != 0
    }
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
