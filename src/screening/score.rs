//! Name similarity: token-wise Jaro-Winkler with one-to-one greedy alignment, length-weighted over both
//! names so that a missing or extra token costs in proportion to its length.

use std::cell::RefCell;

use super::Feature;
use super::jaro::{Sketch, jaro_winkler};
use super::name_parts::{Surname, surname_differs};
use super::text::NameForm;
use super::vocab::{PairScore, Similar, Token, TokenId, Vocab, pair_score};

/// A split or glued word keeps its letter count nearly intact...
pub(crate) const COMPOUND_MAX_LEN_DIFF: usize = 1;
/// ...and its letters: only near-identical compounds count, or any two short tokens would align.
pub(crate) const COMPOUND_MIN_SIM: f32 = 0.9;

/// A query name form, tokenized once.
#[derive(Debug)]
pub(crate) struct QueryForm {
    pub tokens: Vec<Token>,
    pub sketches: Vec<Sketch>,
    pub abjad: bool,
    /// Parts of the query's name this form leaves out (`optional_parts::query_forms`).
    pub dropped: u8,
    total_len: usize,
}

impl QueryForm {
    pub fn new(form: &NameForm) -> Self {
        let tokens: Vec<Token> = form.tokens.iter().map(|t| Token::new(t)).collect();
        Self {
            total_len: tokens.iter().map(Token::len).sum(),
            sketches: tokens.iter().map(|t| Sketch::of(&t.chars)).collect(),
            tokens,
            abjad: form.abjad,
            dropped: form.dropped,
        }
    }

    pub fn total_len(&self) -> usize {
        self.total_len
    }
}

/// Where token pair scores come from: computed on the spot, or looked up from the query expansion.
pub(crate) trait PairSource {
    fn pair(&self, qi: usize, query: &Token, id: TokenId, vocab: &Vocab, abjad: bool) -> PairScore;
}

/// Computes every pair: the brute-force baseline.
pub(crate) struct DirectPairs;

impl PairSource for DirectPairs {
    fn pair(&self, _qi: usize, query: &Token, id: TokenId, vocab: &Vocab, abjad: bool) -> PairScore {
        pair_score(query, vocab.token(id), abjad)
    }
}

thread_local! {
    /// `ExpandedPairs::rows` by token id, all zero between queries: a dense array rather than a hash map,
    /// as it is read for every token of every candidate name.
    static ROW_OF_TOKEN: RefCell<Vec<u32>> = const { RefCell::new(Vec::new()) };
}

/// Looks pairs up in the fuzzy vocabulary expansion of each query token; tokens absent from it are
/// below the pair floor. Initials are not expanded (they would match a whole letter), so computed.
pub(crate) struct ExpandedPairs {
    /// Similar tokens of each query token, most similar first (ties by id).
    pub per_token: Vec<Vec<Similar>>,
    /// `[plain, abjad]` scores of one similar token against each query token in turn (zero where not
    /// similar); a token's row starts at `(row_of_token[id] - 1) * per_token.len()`.
    rows: Vec<[PairScore; 2]>,
    /// Borrowed from `ROW_OF_TOKEN` for the query's lifetime; zeroed and returned on drop.
    row_of_token: Vec<u32>,
}

impl ExpandedPairs {
    pub fn new(mut per_token: Vec<Vec<Similar>>, vocab_len: usize) -> Self {
        for similar in &mut per_token {
            similar.sort_unstable_by(|a, b| best_total(b).total_cmp(&best_total(a)).then(a.id.cmp(&b.id)));
        }
        let mut row_of_token = ROW_OF_TOKEN.take();
        row_of_token.resize(row_of_token.len().max(vocab_len), 0);
        let width = per_token.len();
        let mut rows = Vec::new();
        for (qi, similar) in per_token.iter().enumerate() {
            for s in similar {
                let slot = &mut row_of_token[s.id as usize];
                if *slot == 0 {
                    rows.resize(rows.len() + width, [PairScore::default(); 2]);
                    *slot = (rows.len() / width) as u32;
                }
                rows[(*slot as usize - 1) * width + qi] = [s.plain, s.abjad];
            }
        }
        Self {
            per_token,
            rows,
            row_of_token,
        }
    }
}

impl Drop for ExpandedPairs {
    fn drop(&mut self) {
        for s in self.per_token.iter().flatten() {
            self.row_of_token[s.id as usize] = 0;
        }
        ROW_OF_TOKEN.set(std::mem::take(&mut self.row_of_token));
    }
}

/// A similar token's better score over the plain and abjad modes.
pub(crate) fn best_total(s: &Similar) -> f32 {
    s.plain.total().max(s.abjad.total())
}

impl PairSource for ExpandedPairs {
    fn pair(&self, qi: usize, query: &Token, id: TokenId, vocab: &Vocab, abjad: bool) -> PairScore {
        if query.len() == 1 || vocab.token_len(id) == 1 {
            return pair_score(query, vocab.token(id), abjad);
        }
        match self.row_of_token.get(id as usize).copied().unwrap_or(0) {
            0 => PairScore::default(),
            row => self.rows[(row as usize - 1) * self.per_token.len() + qi][usize::from(abjad)],
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct NameScore {
    pub jw: f32,
    pub phonetic: f32,
    /// Zero or less: what is taken off when the words that matched are common ones (`rarity`).
    pub common: f32,
    /// Zero or less: taken off when nothing stands for a listed person's surname (`name_parts`).
    pub surname: f32,
    /// Zero or less: taken off for the parts the listed form or the query form leaves out.
    pub dropped: f32,
}

impl NameScore {
    pub fn total(self) -> f32 {
        self.jw + self.phonetic + self.common + self.surname + self.dropped
    }

    /// The parts of the score, each a feature of the hit.
    pub fn features(self) -> Vec<Feature> {
        let parts = [
            ("name_jaro_winkler", self.jw),
            ("phonetic", self.phonetic),
            ("common_words", self.common),
            ("surname_differs", self.surname),
            ("dropped_parts", self.dropped),
        ];
        let present = parts
            .into_iter()
            .filter(|(name, w)| *name == "name_jaro_winkler" || *w != 0.0);
        present
            .map(|(name, weight)| Feature {
                name,
                weight: f64::from(weight),
            })
            .collect()
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
    name_sketches: Vec<Sketch>,
    best_query: Vec<f32>,
    best_name: Vec<f32>,
    name_rare_weights: Vec<f32>,
    name_lens: Vec<f32>,
}

/// `score_name` reports zero when its upper bound is below `min_score` by more than this: the bound and
/// the score add the same terms in a different order, so their f32 roundings may differ slightly.
pub(crate) const BOUND_SLACK: f32 = 1e-4;

/// One indexed form of a listed name, as `score_name` compares it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ListedForm<'a> {
    pub tokens: &'a [TokenId],
    /// Transliterated from an abjad (see `NameForm::abjad`).
    pub abjad: bool,
    /// Which tokens are a person's surname.
    pub surname: Surname,
}

/// Similarity of a query form and an indexed name, or zero when it cannot reach `min_score`
/// before rarity (`rarity_of` gives each name token's factor) and name parts are taken into account.
pub(crate) fn score_name(
    query: &QueryForm,
    listed: ListedForm,
    vocab: &Vocab,
    pairs: &impl PairSource,
    rarity_of: &impl Fn(TokenId) -> f32,
    min_score: f32,
    scratch: &mut Scratch,
) -> NameScore {
    let Scratch {
        edges,
        glued,
        name_sketches,
        best_query,
        best_name,
        name_rare_weights,
        name_lens,
    } = scratch;
    let ListedForm {
        tokens: name,
        abjad: name_abjad,
        surname,
    } = listed;
    name_sketches.clear();
    name_sketches.extend(name.iter().map(|id| vocab.sketch(*id)));
    token_edges(query, name, name_abjad, vocab, pairs, edges);
    best_per_token(edges, query.tokens.len(), name.len(), best_query, best_name);
    compound_candidates(&query.sketches, name_sketches, best_query, best_name);
    compound_candidates(name_sketches, &query.sketches, best_name, best_query);
    let total_len = query.total_len + name_sketches.iter().map(|s| s.len()).sum::<usize>();
    let bound = weighted_sum(&query.sketches, best_query) + weighted_sum(name_sketches, best_name);
    if bound / (total_len.max(1) as f32) < min_score - BOUND_SLACK {
        return NameScore::default();
    }
    let query_side = |i: usize| &query.tokens[i];
    let name_side = |i: usize| vocab.token(name[i]);
    let (nq, nn) = (query.tokens.len(), name.len());
    let abjad = query.abjad || name_abjad;
    compound_edges((nq, &query_side), (nn, &name_side), false, abjad, edges, glued);
    compound_edges((nn, &name_side), (nq, &query_side), true, abjad, edges, glued);
    edges.sort_unstable_by(|a, b| {
        b.score
            .total()
            .total_cmp(&a.score.total())
            .then(b.weight.total_cmp(&a.weight))
    });
    name_rare_weights.clear();
    name_rare_weights.extend(name.iter().map(|id| vocab.token_len(*id) as f32 * rarity_of(*id)));
    name_lens.clear();
    name_lens.extend(name.iter().map(|id| vocab.token_len(*id) as f32));
    // Without short vowels, a surname's letters say too little to call it another.
    let surname = if abjad { Surname::Unknown } else { surname };
    let words = query.tokens.iter().enumerate().filter(|(_, t)| t.len() > 1);
    let query_words = words.fold(0u32, |mask, (i, _)| mask | 1 << i);
    align(edges, total_len, (name_lens, name_rare_weights), (surname, query_words))
}

/// Edges between single tokens whose pair score is above zero.
fn token_edges(
    query: &QueryForm,
    name: &[TokenId],
    name_abjad: bool,
    vocab: &Vocab,
    pairs: &impl PairSource,
    edges: &mut Vec<Edge>,
) {
    let abjad = query.abjad || name_abjad;
    edges.clear();
    for (qi, q) in query.tokens.iter().enumerate() {
        for (ni, id) in name.iter().enumerate() {
            let score = pairs.pair(qi, q, *id, vocab, abjad);
            if score.total() > 0.0 {
                let (q_len, n_len) = (q.len(), vocab.token_len(*id));
                // A part of a given name matches only the letters of the part: the rest
                // of the longer token stays unmatched.
                let weight = if score.part {
                    2 * q_len.min(n_len)
                } else {
                    q_len + n_len
                };
                edges.push(Edge {
                    score,
                    query_mask: 1 << qi,
                    name_mask: 1 << ni,
                    weight: weight as f32,
                });
            }
        }
    }
}

/// Each token's best edge score on either side. An aligned edge scores at most the best of both its
/// tokens, so `sum(best * len) / total length` bounds any one-to-one alignment of these edges.
fn best_per_token(edges: &[Edge], nq: usize, nn: usize, best_query: &mut Vec<f32>, best_name: &mut Vec<f32>) {
    best_query.clear();
    best_query.resize(nq, 0.0);
    best_name.clear();
    best_name.resize(nn, 0.0);
    for edge in edges {
        let (qi, ni) = (edge.query_mask.trailing_zeros(), edge.name_mask.trailing_zeros());
        let score = edge.score.total();
        best_query[qi as usize] = best_query[qi as usize].max(score);
        best_name[ni as usize] = best_name[ni as usize].max(score);
    }
}

/// Tokens that `compound_edges` could align as a split or glued word, judged by lengths and the sketch
/// bound, get the best possible score so that the bound holds before compound similarities are computed.
fn compound_candidates(singles: &[Sketch], pairs: &[Sketch], best_single: &mut [f32], best_pair: &mut [f32]) {
    for (si, single) in singles.iter().enumerate() {
        for (pi, pair) in pairs.windows(2).enumerate() {
            let (left, right) = (pair[0], pair[1]);
            if compound_lengths(single.len(), left.len(), right.len())
                && single.jaro_winkler_bound(left.glued(right)) >= COMPOUND_MIN_SIM - BOUND_SLACK
            {
                best_single[si] = 1.0;
                best_pair[pi] = 1.0;
                best_pair[pi + 1] = 1.0;
            }
        }
    }
}

/// Whether a token of length `single` may be compared with `left` and `right` glued.
fn compound_lengths(single: usize, left: usize, right: usize) -> bool {
    left >= 2 && right >= 2 && (left + right).abs_diff(single) <= COMPOUND_MAX_LEN_DIFF
}

fn weighted_sum(sketches: &[Sketch], scores: &[f32]) -> f32 {
    sketches
        .iter()
        .zip(scores)
        .map(|(s, score)| s.len() as f32 * score)
        .sum()
}

/// Greedy one-to-one alignment over edges sorted best first, weighted by the edge's combined length
/// (the part's letters only for `PairScore::part`);
/// unaligned tokens on either side only add to the denominator. When the name's side of the same
/// alignment scores lower with its tokens weighed by length times rarity than by length alone, its
/// common words matched and its rare ones did not: the difference, in proportion to the name's share
/// of the whole length, is taken off as `common` (never added: see `rarity`). Likewise, what the
/// `surname` tokens of a listed person were aligned with may take some off (`name_parts`);
/// `query_words`: the query's tokens that are words, not initials.
fn align(edges: &[Edge], total_len: usize, name_weights: (&[f32], &[f32]), parts: (Surname, u32)) -> NameScore {
    let (surname, query_words) = parts;
    let (surname_mask, articles) = match surname {
        Surname::At { words, articles } => (words, articles),
        Surname::Unknown | Surname::Dropped => (0, 0),
    };
    let (name_lens, name_rare) = name_weights;
    let masked = |weights: &[f32], mask: u32| -> f32 {
        let bits = weights.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0);
        bits.map(|(_, w)| w).sum()
    };
    let (mut query_used, mut name_used) = (0u32, 0u32);
    let (mut jw, mut phonetic, mut by_len, mut by_rarity) = (0.0f32, 0.0f32, 0.0f32, 0.0f32);
    let (mut surname_found, mut others_found) = (0.0f32, 0.0f32);
    for edge in edges {
        if query_used & edge.query_mask != 0 || name_used & edge.name_mask != 0 {
            continue;
        }
        query_used |= edge.query_mask;
        name_used |= edge.name_mask;
        jw += edge.score.jw * edge.weight;
        phonetic += edge.score.phonetic * edge.weight;
        by_len += edge.score.total() * masked(name_lens, edge.name_mask);
        by_rarity += edge.score.total() * masked(name_rare, edge.name_mask);
        // An article ("al") found says nothing about which person this is.
        if edge.name_mask & surname_mask != 0 {
            surname_found = surname_found.max(edge.score.total());
        } else if edge.name_mask & articles == 0 {
            others_found = others_found.max(edge.score.total());
        }
    }
    let total = total_len.max(1) as f32;
    let (len_total, rare_total) = (name_lens.iter().sum::<f32>(), name_rare.iter().sum::<f32>());
    let common = if rare_total > 0.0 && len_total > 0.0 {
        (by_rarity / rare_total - by_len / len_total) * len_total / total
    } else {
        0.0
    };
    NameScore {
        jw: jw / total,
        phonetic: phonetic / total,
        // Smaller differences are rounding, or words all about as common.
        common: if common < -MIN_COMMON_PENALTY { common } else { 0.0 },
        surname: match surname {
            Surname::At { .. } => surname_differs(surname_found, others_found),
            // A word of the query's own where the form left the surname out.
            Surname::Dropped if query_words & !query_used != 0 => surname_differs(0.0, others_found),
            Surname::Dropped | Surname::Unknown => 0.0,
        },
        dropped: 0.0,
    }
}

/// `NameScore::common` is zero unless rarity lowers the score by more than this.
const MIN_COMMON_PENALTY: f32 = 1e-3;

/// One side of an alignment: its token count and token accessor.
type Side<'a> = (usize, &'a dyn Fn(usize) -> &'a Token);

/// Edges for split or glued words ("alpha tech" vs "alphatech", "xiao ping" vs "xiaoping"): a token of
/// `singles` against two adjacent tokens of `pairs` glued, when the letters nearly add up.
fn compound_edges(
    singles: Side,
    pairs: Side,
    singles_are_name: bool,
    abjad: bool,
    edges: &mut Vec<Edge>,
    glued: &mut Vec<char>,
) {
    let ((single_count, single_at), (pair_count, pair_at)) = (singles, pairs);
    for si in 0..single_count {
        let single = single_at(si);
        for pi in 0..pair_count.saturating_sub(1) {
            let (left, right) = (pair_at(pi), pair_at(pi + 1));
            let glued_len = left.len() + right.len();
            if !compound_lengths(single.len(), left.len(), right.len()) {
                continue;
            }
            glued.clear();
            glued.extend(left.chars.iter().chain(right.chars.iter()));
            let jw = jaro_winkler(&single.chars, glued);
            // The whole must be related to one of its parts, as the index finds such a name
            // through that pair; a part that is another word is none ("petrov" of
            // "petroleum"), even where the letters of both parts add up.
            let related = |part: &Token| pair_score(single, part, abjad).total() > 0.0;
            if jw < COMPOUND_MIN_SIM
                || super::distinct::distinct_words(&single.chars, glued, abjad)
                || !(related(left) || related(right))
            {
                continue;
            }
            let (single_mask, pair_mask) = (1u32 << si, 0b11u32 << pi);
            let (query_mask, name_mask) = if singles_are_name {
                (pair_mask, single_mask)
            } else {
                (single_mask, pair_mask)
            };
            edges.push(Edge {
                score: PairScore {
                    jw,
                    phonetic: 0.0,
                    part: false,
                },
                query_mask,
                name_mask,
                weight: (single.len() + glued_len) as f32,
            });
        }
    }
}
