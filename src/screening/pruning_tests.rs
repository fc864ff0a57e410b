//! Property test of the pruning: at every threshold, the index returns exactly what scoring every
//! listed name (brute force) returns at or above that threshold, on generated corpora and queries.
//!
//! Brute force here uses the token similarities of the query's vocabulary expansion, as `screen` does:
//! what is tested is that candidate selection, bounds and cut-offs never change a result. (Token pairs
//! above the pair floor that the expansion does not find are a separate limit of `Vocab::similar`.)

use super::test_names::Names;
use super::{Hit, Index, PartyDoc, Query};

const THRESHOLDS: [f64; 8] = [0.3, 0.5, 0.7, 0.8, 0.85, 0.88, 0.9, 0.95];

/// An index of `parties` generated parties; a small `postings_budget` has common tokens skipped.
/// Rarity counts from the first name, so that common words lower scores here too.
fn corpus(seed: u64, parties: usize, postings_budget: usize) -> (Index<u32>, Vec<PartyDoc>) {
    let mut names = Names::new(seed);
    let docs: Vec<PartyDoc> = (0..parties).map(|_| names.party()).collect();
    let mut index = Index::new();
    index.set_postings_budget(postings_budget);
    index.set_rarity_floor(0);
    for (key, doc) in docs.iter().enumerate() {
        index.upsert(key as u32, vec![doc.clone()]);
    }
    (index, docs)
}

/// One disagreement: the first hits where the two answers part.
fn describe(query: &Query, expected: &[Hit<u32>], got: &[Hit<u32>]) -> String {
    let brief = |hit: Option<&Hit<u32>>| hit.map(|h| (h.key, h.score, h.matched_name.clone()));
    let at = (0..expected.len().max(got.len()))
        .find(|i| expected.get(*i) != got.get(*i))
        .unwrap_or(0);
    format!(
        "{:?} at {} (limit {}), hit {at}: brute force {:?}, index {:?}",
        query.name,
        query.min_score,
        query.limit,
        brief(expected.get(at)),
        brief(got.get(at)),
    )
}

/// Queries (of `queries`) whose answer differs from brute force at one threshold at least, with the
/// first disagreements found, and how many hits rarity lowered (so that the test covers it).
fn disagreements(
    index: &Index<u32>,
    docs: &[PartyDoc],
    mut names: Names,
    queries: usize,
) -> (usize, Vec<String>, usize) {
    let (mut failing, mut examples, mut lowered) = (0, Vec::new(), 0);
    for _ in 0..queries {
        let query = names.query(docs);
        let all = index.screen_expanded_brute_force(&Query {
            min_score: 0.0,
            limit: usize::MAX,
            ..query.clone()
        });
        lowered += all
            .iter()
            .filter(|h| h.features.iter().any(|f| f.name == "common_words"))
            .count();
        let mut failed = false;
        for min_score in THRESHOLDS {
            let expected: Vec<Hit<u32>> = all.iter().filter(|h| h.score >= min_score).cloned().collect();
            for limit in [3, usize::MAX] {
                let query = Query {
                    min_score,
                    limit,
                    ..query.clone()
                };
                let got = index.screen(&query);
                let expected = &expected[..expected.len().min(limit)];
                if got != expected {
                    failed = true;
                    if examples.len() < 40 {
                        examples.push(describe(&query, expected, &got));
                    }
                }
            }
        }
        failing += usize::from(failed);
    }
    (failing, examples, lowered)
}

/// Mismatching queries over two corpora: one read whole, one skipping common tokens.
fn mismatches(compounds: bool) -> (usize, Vec<String>, usize) {
    let (mut failing, mut examples, mut lowered) = (0, Vec::new(), 0);
    for (seed, budget) in [(1, super::index::POSTINGS_BUDGET), (2, 300)] {
        let (index, docs) = corpus(seed, 1000, budget);
        let names = Names::new(seed + 100);
        let names = if compounds { names } else { names.without_compounds() };
        let (count, found, by_rarity) = disagreements(&index, &docs, names, 150);
        failing += count;
        examples.extend(found);
        lowered += by_rarity;
    }
    (failing, examples, lowered)
}

#[test]
fn pruned_results_equal_brute_force_at_every_threshold() {
    let (failing, examples, lowered) = mismatches(false);
    assert!(failing == 0, "{failing} queries disagree:\n{}", examples.join("\n"));
    assert!(lowered > 0, "no hit was lowered by rarity: the test does not cover it");
}

/// A query token may align with two name tokens glued (or the reverse) of which neither is a similar
/// token of it: such a name is met by none of the query's sources.
#[test]
#[ignore = "known gap: names met only through a glued or split word are not candidates"]
fn glued_and_split_words_equal_brute_force_at_every_threshold() {
    let (failing, examples, _) = mismatches(true);
    assert!(failing == 0, "{failing} queries disagree:\n{}", examples.join("\n"));
}
