//! Name similarity: token-wise Jaro-Winkler with one-to-one greedy alignment, length-weighted over both
//! names so that a missing or extra token costs in proportion to its length.

use super::jaro::jaro_winkler;
use super::text::NameForm;
use super::vocab::{FastMap, Similar, Token, TokenId, Vocab};

/// Token pairs below this similarity count as unrelated: partial credit for "smith" vs "jones" would
/// only add noise to long names.
pub(crate) const PAIR_FLOOR: f32 = 0.8;
/// Share of the remaining gap to 1.0 granted when two tokens agree phonetically.
pub(crate) const PHONETIC_LIFT: f32 = 0.5;
/// Similarity of an initial to a token starting with that letter ("j" vs "john").
pub(crate) const INITIAL_SIM: f32 = 0.9;
/// A split or glued word keeps its letter count nearly intact...
const COMPOUND_MAX_LEN_DIFF: usize = 1;
/// ...and its letters: only near-identical compounds count, or any two short tokens would align.
const COMPOUND_MIN_SIM: f32 = 0.9;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct PairScore {
    pub jw: f32,
    pub phonetic: f32,
}

impl PairScore {
    pub fn total(self) -> f32 {
        self.jw + self.phonetic
    }
}

/// Similarity of two tokens. `abjad` allows consonant skeletons to count as phonetic agreement.
pub(crate) fn pair_score(a: &Token, b: &Token, abjad: bool) -> PairScore {
    if (a.len() == 1) != (b.len() == 1) {
        let same_initial = a.chars.first() == b.chars.first();
        let jw = if same_initial { INITIAL_SIM } else { 0.0 };
        return PairScore { jw, phonetic: 0.0 };
    }
    let jw = jaro_winkler(&a.chars, &b.chars);
    let agrees = a.phonetic.metaphone_agrees(&b.phonetic) || (abjad && a.phonetic.skeleton_agrees(&b.phonetic));
    let phonetic = if agrees { (1.0 - jw) * PHONETIC_LIFT } else { 0.0 };
    if jw + phonetic < PAIR_FLOOR {
        return PairScore::default();
    }
    PairScore { jw, phonetic }
}

/// A query name form, tokenized once.
#[derive(Debug)]
pub(crate) struct QueryForm {
    pub tokens: Vec<Token>,
    pub abjad: bool,
    total_len: usize,
}

impl QueryForm {
    pub fn new(form: &NameForm) -> Self {
        let tokens: Vec<Token> = form.tokens.iter().map(|t| Token::new(t)).collect();
        Self {
            total_len: tokens.iter().map(Token::len).sum(),
            tokens,
            abjad: form.abjad,
        }
    }

    pub fn total_len(&self) -> usize {
        self.total_len
    }
}

/// Where token pair scores come from: computed on the spot, or looked up from the query expansion.
pub(crate) trait PairSource {
    fn pair(&self, qi: usize, query: &Token, id: TokenId, token: &Token, abjad: bool) -> PairScore;
}

/// Computes every pair: the brute-force baseline.
pub(crate) struct DirectPairs;

impl PairSource for DirectPairs {
    fn pair(&self, _qi: usize, query: &Token, _id: TokenId, token: &Token, abjad: bool) -> PairScore {
        pair_score(query, token, abjad)
    }
}

/// Looks pairs up in the fuzzy vocabulary expansion of each query token; tokens absent from it are
/// below the pair floor. Initials are not expanded (they would match a whole letter), so computed.
pub(crate) struct ExpandedPairs {
    pub per_token: Vec<FastMap<TokenId, Similar>>,
}

impl PairSource for ExpandedPairs {
    fn pair(&self, qi: usize, query: &Token, id: TokenId, token: &Token, abjad: bool) -> PairScore {
        if query.len() == 1 || token.len() == 1 {
            return pair_score(query, token, abjad);
        }
        match self.per_token.get(qi).and_then(|m| m.get(&id)) {
            Some(s) if abjad => s.abjad,
            Some(s) => s.plain,
            None => PairScore::default(),
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct NameScore {
    pub jw: f32,
    pub phonetic: f32,
}

impl NameScore {
    pub fn total(self) -> f32 {
        self.jw + self.phonetic
    }
}

/// A candidate alignment edge: one query token (or two adjacent ones, glued) with one name token (or two).
#[derive(Debug, Clone, Copy)]
struct Edge {
    score: PairScore,
    query_mask: u32,
    name_mask: u32,
    weight: f32,
}

/// Reusable buffer for `score_name`, which runs for thousands of candidates per query.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    edges: Vec<Edge>,
    glued: Vec<char>,
}

pub(crate) fn score_name(
    query: &QueryForm,
    name: &[TokenId],
    name_abjad: bool,
    vocab: &Vocab,
    pairs: &impl PairSource,
    scratch: &mut Scratch,
) -> NameScore {
    let abjad = query.abjad || name_abjad;
    let edges = &mut scratch.edges;
    edges.clear();
    for (qi, q) in query.tokens.iter().enumerate() {
        for (ni, id) in name.iter().enumerate() {
            let token = vocab.token(*id);
            let score = pairs.pair(qi, q, *id, token, abjad);
            if score.total() > 0.0 {
                let weight = (q.len() + token.len()) as f32;
                edges.push(Edge {
                    score,
                    query_mask: 1 << qi,
                    name_mask: 1 << ni,
                    weight,
                });
            }
        }
    }
    let query_side = |i: usize| &query.tokens[i];
    let name_side = |i: usize| vocab.token(name[i]);
    let (nq, nn) = (query.tokens.len(), name.len());
    compound_edges((nq, &query_side), (nn, &name_side), false, edges, &mut scratch.glued);
    compound_edges((nn, &name_side), (nq, &query_side), true, edges, &mut scratch.glued);
    edges.sort_unstable_by(|a, b| {
        b.score
            .total()
            .total_cmp(&a.score.total())
            .then(b.weight.total_cmp(&a.weight))
    });
    let name_len: usize = name.iter().map(|id| vocab.token(*id).len()).sum();
    align(edges, query.total_len + name_len)
}

/// Greedy one-to-one alignment over edges sorted best first, weighted by the edge's combined length;
/// unaligned tokens on either side only add to the denominator.
fn align(edges: &[Edge], total_len: usize) -> NameScore {
    let (mut query_used, mut name_used) = (0u32, 0u32);
    let (mut jw, mut phonetic) = (0.0f32, 0.0f32);
    for edge in edges {
        if query_used & edge.query_mask != 0 || name_used & edge.name_mask != 0 {
            continue;
        }
        query_used |= edge.query_mask;
        name_used |= edge.name_mask;
        jw += edge.score.jw * edge.weight;
        phonetic += edge.score.phonetic * edge.weight;
    }
    let total = total_len.max(1) as f32;
    NameScore {
        jw: jw / total,
        phonetic: phonetic / total,
    }
}

/// One side of an alignment: its token count and token accessor.
type Side<'a> = (usize, &'a dyn Fn(usize) -> &'a Token);

/// Edges for split or glued words ("alpha tech" vs "alphatech", "xiao ping" vs "xiaoping"): a token of
/// `singles` against two adjacent tokens of `pairs` glued, when the letters nearly add up.
fn compound_edges(singles: Side, pairs: Side, singles_are_name: bool, edges: &mut Vec<Edge>, glued: &mut Vec<char>) {
    let ((single_count, single_at), (pair_count, pair_at)) = (singles, pairs);
    for si in 0..single_count {
        let single = single_at(si);
        for pi in 0..pair_count.saturating_sub(1) {
            let (left, right) = (pair_at(pi), pair_at(pi + 1));
            let glued_len = left.len() + right.len();
            if left.len() < 2 || right.len() < 2 || glued_len.abs_diff(single.len()) > COMPOUND_MAX_LEN_DIFF {
                continue;
            }
            glued.clear();
            glued.extend(left.chars.iter().chain(right.chars.iter()));
            let jw = jaro_winkler(&single.chars, glued);
            if jw < COMPOUND_MIN_SIM {
                continue;
            }
            let (single_mask, pair_mask) = (1u32 << si, 0b11u32 << pi);
            let (query_mask, name_mask) = if singles_are_name {
                (pair_mask, single_mask)
            } else {
                (single_mask, pair_mask)
            };
            edges.push(Edge {
                score: PairScore { jw, phonetic: 0.0 },
                query_mask,
                name_mask,
                weight: (single.len() + glued_len) as f32,
            });
        }
    }
}
