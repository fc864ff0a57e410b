//! How much a word says about which party a name is: a word in few of the names the node
//! holds (a surname, a brand) decides, a word in many ("Trading", "Technology",
//! "Mohammad", a city) hardly. Read from the index's postings, so it follows records as
//! they arrive and leave.
//!
//! Rarity only ever lowers a score (`score::align`): the name score weighs tokens by
//! length, and when the listed name's side of the same alignment, weighed by length times
//! rarity, scores lower, its common words matched and its distinctive ones did not ("Beta
//! Electronic Technology" for "Alpha Electronic Technology"; a shared given name and
//! patronymic with another surname): the difference is taken off. Every bound the index
//! prunes with is a bound of the length-weighted score, so pruning stays exact. Raising
//! scores when only common words differ (an added "International") would need those
//! bounds weighed by rarity too; the query side is not weighed, as an added rare word
//! (a city, a Western given name) would then count against a true match.

/// A word in at most this share of the names counts fully (a surname shared by a few dozen of
/// a million names).
const RARE_SHARE: f64 = 1.0 / 10_000.0;
/// The least a word counts, however common.
const MIN_FACTOR: f32 = 0.1;
/// Below this many names, shares mean little (a test index of ten names): the index counts
/// as if there were this many, so in a small index only a word of many names counts less.
pub(crate) const MIN_NAMES: usize = 20_000;

/// The rarity factor, in `[MIN_FACTOR, 1]`, of a word found in `containing` of `names`
/// indexed names: its inverse document frequency relative to that of a rare word.
pub(crate) fn factor(containing: usize, names: usize) -> f32 {
    let names = names as f64;
    let containing = containing.max(1) as f64;
    let full = (1.0 + 1.0 / RARE_SHARE).ln();
    let idf = (1.0 + names / containing).ln();
    ((idf / full) as f32).clamp(MIN_FACTOR, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rare_words_count_fully_common_ones_little() {
        assert_eq!(factor(1, 1_000_000), 1.0);
        assert!(factor(100, 1_000_000) > 0.999);
        let trading = factor(50_000, 1_000_000);
        assert!((0.3..0.5).contains(&trading), "{trading}");
        assert!(factor(1_000_000, 1_000_000) < MIN_FACTOR + 0.01);
        assert_eq!(factor(0, MIN_NAMES), 1.0, "a word nobody holds is rare");
        assert_eq!(
            factor(2, MIN_NAMES),
            1.0,
            "in a small index, a word of two names is rare"
        );
    }
}
