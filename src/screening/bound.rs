//! Upper bound of a name's score from what the postings tell about it, so that `Index::candidates` can
//! drop a name, or put it last, without reading it: reading thousands of scattered names is what made
//! large candidate sets slow, even when `score_name` then rejects nearly all of them.
//!
//! The score is `sum(pair * weight) / (query len + name len)` over aligned pairs (see `score_name`),
//! the weight at most `query token len + name token len` (a part of a Chinese given name weighs
//! less: `PairScore::part`). A query token whose similar tokens' postings were all read either met the
//! name there, with at best the similarity `s` of the first token met (they are read most similar
//! first), or pairs with none of its tokens: its query side is at most `s * query token len`. Other
//! query tokens are assumed to pair perfectly. On the name side, each aligned token is at most the
//! name's longest, and together at most the whole name. Compound edges (glued or split words) and
//! initials escape this reasoning, so names that could have them (judging from token sketches) get no
//! bound.

use super::jaro::Sketch;
use super::score::{BOUND_SLACK, COMPOUND_MAX_LEN_DIFF, COMPOUND_MIN_SIM};

/// Compound edges need `COMPOUND_MIN_SIM`; bounds of at least this may reach it.
const COMPOUND_FLOOR: f32 = COMPOUND_MIN_SIM - BOUND_SLACK;
/// Tokens of a name whose sketches its shape keeps; only lengths are kept of the others.
const SKETCHED_TOKENS: usize = 3;
/// Lengths above this share the last bit of the length masks.
const MAX_MASKED_LEN: usize = 63;

/// What the bound reads of every candidate name, in a dense array by name id of 16-byte entries: small
/// enough to stay in cache far better than the names themselves.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct NameOutline {
    len: u16,
    longest: u8,
    pub has_initial: bool,
    /// Bit `k` set when a token has `k` chars (`k` capped at 31, see `NameShape::rest_lens`).
    token_lens: u32,
    /// Bit `k` set when two adjacent tokens of at least 2 chars have `k` chars together.
    glued_lens: u64,
}

impl NameOutline {
    pub fn of(tokens: &[Sketch]) -> Self {
        Self {
            len: tokens.iter().map(|t| t.len()).sum::<usize>().min(usize::from(u16::MAX)) as u16,
            longest: tokens
                .iter()
                .map(|t| t.len())
                .max()
                .unwrap_or(0)
                .min(usize::from(u8::MAX)) as u8,
            has_initial: tokens.iter().any(|t| t.len() == 1),
            token_lens: tokens.iter().fold(0, |mask, t| mask | short_len_bit(t.len())),
            glued_lens: glued_lens(tokens).flatten().fold(0, |mask, len| mask | len_bit(len)),
        }
    }

    /// Whether `score_bound` needs the name's shape: when its token lengths leave room for a compound
    /// edge with the query.
    pub fn needs_shape(&self, query: &QueryShape) -> bool {
        !self.has_initial
            && (self.glued_lens & query.any_glued_len != 0 || self.token_lens & short_mask(query.any_split_len) != 0)
    }
}

/// What the bound needs to know about an indexed name beyond its outline, to tell whether it could
/// have compound edges: read only for names whose outline allows them.
#[derive(Debug, Clone, Copy, Default)]
#[repr(align(64))]
pub(crate) struct NameShape {
    token_count: u8,
    tokens: [Sketch; SKETCHED_TOKENS],
    /// Bit `k` set when a token after the sketched ones has `k` chars (`k` capped at 31: tokens have at
    /// most `MAX_TOKEN_CHARS`, and a shared last bit only makes the bound looser).
    rest_lens: u32,
    /// Bit `k` set when two adjacent tokens, not both sketched, have `k` chars together.
    rest_glued_lens: u64,
}

impl NameShape {
    pub fn of(tokens: &[Sketch]) -> Self {
        let mut sketched = [Sketch::default(); SKETCHED_TOKENS];
        sketched.iter_mut().zip(tokens).for_each(|(slot, token)| *slot = *token);
        let rest = tokens.iter().skip(SKETCHED_TOKENS);
        let rest_pairs = glued_lens(tokens).skip(SKETCHED_TOKENS - 1);
        Self {
            token_count: tokens.len().min(usize::from(u8::MAX)) as u8,
            tokens: sketched,
            rest_lens: rest.fold(0, |mask, t| mask | short_len_bit(t.len())),
            rest_glued_lens: rest_pairs.flatten().fold(0, |mask, len| mask | len_bit(len)),
        }
    }

    fn sketched(&self) -> &[Sketch] {
        &self.tokens[..usize::from(self.token_count).min(SKETCHED_TOKENS)]
    }
}

/// What the bound needs to know about the query form.
#[derive(Debug, Clone, Default)]
pub(crate) struct QueryShape {
    len: f32,
    /// Total length and number of the query tokens whose postings were not all read (initials included).
    unread_len: f32,
    unread_count: f32,
    /// Each token, with the lengths within `COMPOUND_MAX_LEN_DIFF` of its own.
    tokens: Vec<(Sketch, u64)>,
    /// Adjacent tokens glued, where both have at least 2 chars (as in `compound_edges`), likewise.
    glued_pairs: Vec<(Sketch, u64)>,
    /// The unions of the length masks above.
    any_glued_len: u64,
    any_split_len: u64,
}

impl QueryShape {
    /// `read[i]` tells whether all postings of query token `i`'s similar tokens were read.
    pub fn new(tokens: &[Sketch], read: &[bool]) -> Self {
        let unread: Vec<usize> = tokens
            .iter()
            .zip(read)
            .filter(|(_, read)| !**read)
            .map(|(t, _)| t.len())
            .collect();
        let pairs = tokens
            .windows(2)
            .filter(|pair| pair[0].len() >= 2 && pair[1].len() >= 2);
        let with_near_lens = |t: Sketch| (t, near_len_bits(t.len()));
        let glued_pairs: Vec<(Sketch, u64)> = pairs.map(|pair| with_near_lens(pair[0].glued(pair[1]))).collect();
        Self {
            len: tokens.iter().map(|t| t.len()).sum::<usize>() as f32,
            unread_len: unread.iter().sum::<usize>() as f32,
            unread_count: unread.len() as f32,
            any_glued_len: tokens.iter().fold(0, |mask, t| mask | near_len_bits(t.len())),
            any_split_len: glued_pairs.iter().fold(0, |mask, (_, near)| mask | near),
            tokens: tokens.iter().copied().map(with_near_lens).collect(),
            glued_pairs,
        }
    }
}

/// What the postings read told about one name: over the query tokens met there, the sum of their best
/// similarity times their length, and the sum of those similarities.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Seen {
    pub query_side: f32,
    pub similarity: f32,
}

impl Seen {
    pub fn add(&mut self, similarity: f32, query_len: usize) {
        self.query_side += similarity * query_len as f32;
        self.similarity += similarity;
    }
}

/// Upper bound of the name's score, judging from its outline, its shape if it `needs_shape`, and the
/// postings read; infinite when the name could have compound edges or initials.
pub(crate) fn score_bound(query: &QueryShape, name: NameOutline, shape: Option<&NameShape>, seen: Seen) -> f32 {
    let compounds = || shape.is_none_or(|shape| compounds_possible(query, shape));
    if name.has_initial || name.needs_shape(query) && compounds() {
        return f32::INFINITY;
    }
    let (name_len, longest) = (f32::from(name.len), f32::from(name.longest));
    let query_side = seen.query_side + query.unread_len;
    let name_side = ((seen.similarity + query.unread_count) * longest).min(name_len);
    (query_side + name_side) / (query.len + name_len).max(1.0)
}

fn compounds_possible(query: &QueryShape, name: &NameShape) -> bool {
    glued_possible(query, name) || split_possible(query, name)
}

/// Whether a query token could align with two adjacent name tokens glued, judging from their length
/// and sketches (only lengths beyond the sketched tokens).
fn glued_possible(query: &QueryShape, name: &NameShape) -> bool {
    let sketched = name.sketched();
    query.tokens.iter().any(|(token, near)| {
        name.rest_glued_lens & near != 0
            || sketched.windows(2).any(|pair| {
                let glued_len = pair[0].len() + pair[1].len();
                pair[0].len() >= 2
                    && pair[1].len() >= 2
                    && near & len_bit(glued_len) != 0
                    && token.jaro_winkler_bound(pair[0].glued(pair[1])) >= COMPOUND_FLOOR
            })
    })
}

/// Whether two adjacent query tokens glued could align with one name token, likewise.
fn split_possible(query: &QueryShape, name: &NameShape) -> bool {
    let sketched = name.sketched();
    query.glued_pairs.iter().any(|(glued, near)| {
        name.rest_lens & short_mask(*near) != 0
            || sketched
                .iter()
                .any(|t| near & len_bit(t.len()) != 0 && glued.jaro_winkler_bound(*t) >= COMPOUND_FLOOR)
    })
}

/// Lengths of adjacent tokens glued, `None` where one has fewer than 2 chars (no compound edge).
fn glued_lens(tokens: &[Sketch]) -> impl Iterator<Item = Option<usize>> + '_ {
    tokens
        .windows(2)
        .map(|pair| (pair[0].len() >= 2 && pair[1].len() >= 2).then(|| pair[0].len() + pair[1].len()))
}

fn len_bit(len: usize) -> u64 {
    1 << len.min(MAX_MASKED_LEN)
}

/// `len_bit` for token lengths, in 32 bits: the last one is shared by lengths 31 and 32.
fn short_len_bit(len: usize) -> u32 {
    1 << len.min(31)
}

/// A `len_bit` mask as `short_len_bit` would have made it: lengths from 31 up share bit 31. (Without
/// this, a glued pair of 33 chars or more would never meet a token of 31 or 32.)
fn short_mask(mask: u64) -> u32 {
    let folded = if mask >> 31 != 0 { 1 << 31 } else { 0 };
    (mask & 0x7fff_ffff) as u32 | folded
}

/// Bits of the lengths within `COMPOUND_MAX_LEN_DIFF` of `len`.
fn near_len_bits(len: usize) -> u64 {
    let lens = len.saturating_sub(COMPOUND_MAX_LEN_DIFF)..=len + COMPOUND_MAX_LEN_DIFF;
    lens.fold(0, |mask, len| mask | len_bit(len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_fill_one_cache_line() {
        assert_eq!(std::mem::size_of::<NameShape>(), 64);
        assert_eq!(std::mem::size_of::<NameOutline>(), 16);
    }

    fn sketches(words: &[&str]) -> Vec<Sketch> {
        words
            .iter()
            .map(|w| Sketch::of(&w.chars().collect::<Vec<_>>()))
            .collect()
    }

    /// Bound for `name` when the query tokens met it with the given similarities (0: not met).
    fn bound(query: &[&str], read: &[bool], name: &[&str], similarities: &[f32]) -> f32 {
        let mut seen = Seen::default();
        for (word, similarity) in query.iter().zip(similarities).filter(|(_, s)| **s > 0.0) {
            seen.add(*similarity, word.chars().count());
        }
        let query = QueryShape::new(&sketches(query), read);
        let name = sketches(name);
        let shape = NameShape::of(&name);
        score_bound(&query, NameOutline::of(&name), Some(&shape), seen)
    }

    #[test]
    fn a_long_token_may_be_two_query_tokens_glued() {
        // 20 + 13 chars glued against a 32-char token (the longest a token gets): the lengths
        // differ by one, so the pair may align as a split word, and there is no bound.
        let query = ["internationaltrading", "andshippingco"];
        let name = ["internationaltradingandshippingc"];
        assert_eq!(bound(&query, &[true, true], &name, &[0.925, 0.0]), f32::INFINITY);
        assert_eq!(short_mask(len_bit(33)), short_len_bit(32));
        assert_eq!(
            short_mask(len_bit(5) | len_bit(40)),
            short_len_bit(5) | short_len_bit(31)
        );
    }

    #[test]
    fn drops_a_name_missing_a_read_token() {
        // "drelua" meets "dreluia" with similarity 0.95.
        assert!(bound(&["drelua"], &[true], &["dreluia", "trading"], &[0.95]) < 0.85);
        let alone = bound(&["drelua"], &[true], &["dreluia"], &[0.95]);
        assert!((0.95..0.951).contains(&alone), "{alone}");
    }

    #[test]
    fn unread_tokens_may_pair_perfectly() {
        let name = ["drelua", "shipping"];
        assert!(bound(&["drelua", "trading"], &[true, false], &name, &[1.0, 0.0]) >= 0.85);
        assert!(bound(&["drelua", "trading"], &[true, true], &name, &[1.0, 0.0]) < 0.85);
    }

    #[test]
    fn possible_compounds_and_initials_are_not_bounded() {
        let unbounded = |query: &[&str], name: &[&str]| {
            bound(query, &vec![true; query.len()], name, &vec![0.0; query.len()]) == f32::INFINITY
        };
        assert!(unbounded(&["epozw"], &["ep", "ozw"]));
        assert!(!unbounded(&["drelua"], &["ep", "dre"]), "sketches rule out a compound");
        assert!(unbounded(&["alpha", "tech"], &["alphatech"]));
        assert!(unbounded(&["alpha", "tech"], &["alphatec", "gmbh"]));
        assert!(!unbounded(&["dreliua", "trading"], &["international"]));
        assert!(unbounded(&["drelua"], &["j", "smith"]));
        assert!(
            unbounded(&["drelua"], &["ab", "cd", "ef", "smith", "j"]),
            "initial beyond the sketches"
        );
        assert!(
            unbounded(&["abcdefgh"], &["a1", "b2", "c3", "abcd", "efgh"]),
            "glued beyond the sketches"
        );
    }
}
