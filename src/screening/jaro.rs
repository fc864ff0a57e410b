//! Allocation-free Jaro-Winkler over char slices: it runs for every candidate token pair, so the flag
//! vectors of the textbook version are replaced by 64-bit sets. Inputs are truncated to `MAX_CHARS`,
//! which no compared word exceeds: tokens have at most `MAX_TOKEN_CHARS`, compounds twice that.
//!
//! One deliberate deviation: the match window is at least 1. The textbook window is 0 for tokens of up to
//! 3 letters, so a single transposition in a short token ("jie"/"jei", "kim"/"kmi") looked unrelated;
//! short tokens are common in Chinese and Korean names.

const MAX_CHARS: usize = 64;

pub(crate) fn jaro(a: &[char], b: &[char]) -> f32 {
    let a = &a[..a.len().min(MAX_CHARS)];
    let b = &b[..b.len().min(MAX_CHARS)];
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() { 1.0 } else { 0.0 };
    }
    if a == b {
        return 1.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1).max(1);
    let (mut a_matched, mut b_matched) = (0u64, 0u64);
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if let Some(j) = (lo..hi).find(|&j| b[j] == *ca && b_matched & (1 << j) == 0) {
            a_matched |= 1 << i;
            b_matched |= 1 << j;
        }
    }
    let matches = a_matched.count_ones();
    if matches == 0 {
        return 0.0;
    }
    // The k-th matched char of `a` against the k-th matched char of `b`.
    let half_transpositions = set_bits(a_matched)
        .zip(set_bits(b_matched))
        .filter(|(i, j)| a[*i] != b[*j])
        .count();
    let m = matches as f32;
    let t = (half_transpositions / 2) as f32;
    (m / a.len() as f32 + m / b.len() as f32 + (m - t) / m) / 3.0
}

/// Positions of the set bits, lowest first.
fn set_bits(mut bits: u64) -> impl Iterator<Item = usize> {
    std::iter::from_fn(move || {
        let i = bits.trailing_zeros() as usize;
        bits &= bits.wrapping_sub(1);
        (i < 64).then_some(i)
    })
}

/// Jaro with the Winkler bonus for a common prefix of up to 4 characters (scaling 0.1), given only
/// above the customary 0.7 so that unrelated strings sharing an initial stay low.
pub(crate) fn jaro_winkler(a: &[char], b: &[char]) -> f32 {
    let sim = jaro(a, b);
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    (sim + 0.1 * prefix as f32 * (1.0 - sim)).min(1.0)
}

/// Set of the characters of a token, hashed into 64 bits.
pub(crate) fn letter_mask(chars: &[char]) -> u64 {
    chars.iter().fold(0, |mask, c| mask | 1 << (u32::from(*c) % 64))
}

/// Cheap upper bound of `jaro_winkler`: matches are at most the characters of each side found in the
/// other's letter set. Used to skip the full computation for most dissimilar vocabulary tokens.
pub(crate) fn jaro_winkler_upper_bound(a: &[char], a_mask: u64, b: &[char], b_mask: u64) -> f32 {
    if a.is_empty() || b.is_empty() {
        return 1.0;
    }
    let in_mask = |chars: &[char], mask: u64| {
        chars
            .iter()
            .filter(|c| mask & (1 << (u32::from(**c) % 64)) != 0)
            .count()
    };
    let matches = in_mask(a, b_mask).min(in_mask(b, a_mask));
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
    bound_from_matches(matches, a.len(), b.len(), prefix)
}

/// What a looser Jaro-Winkler bound needs to know about a token: small enough to be copied into dense
/// arrays and postings, so that bounding thousands of tokens reads no scattered character data.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Sketch {
    pub first: char,
    /// The letter set hashed into 32 bits: `char % 32` keeps the letters of one alphabet apart.
    letters: u32,
    /// Low bytes of the first four chars (zero-padded): equal bytes may hide different chars, which only
    /// loosens the bound.
    head: u32,
    len: u32,
}

impl Sketch {
    pub fn of(chars: &[char]) -> Self {
        let head = chars
            .iter()
            .take(4)
            .enumerate()
            .fold(0, |head, (i, c)| head | (u32::from(*c) & 0xff) << (8 * i));
        Self {
            first: chars.first().copied().unwrap_or_default(),
            letters: chars.iter().fold(0, |mask, c| mask | 1 << (u32::from(*c) % 32)),
            head,
            len: chars.len() as u32,
        }
    }

    pub fn len(self) -> usize {
        self.len as usize
    }

    /// Sketch of `self` and `right` written as one word.
    pub fn glued(self, right: Self) -> Self {
        let head = match self.len {
            0..4 => self.head | right.head << (8 * self.len),
            _ => self.head,
        };
        Self {
            first: if self.len == 0 { right.first } else { self.first },
            letters: self.letters | right.letters,
            head,
            len: self.len + right.len,
        }
    }

    /// Upper bound of `jaro_winkler` between the sketched tokens, never below `jaro_winkler_upper_bound`:
    /// each letter-set bit of one side missing from the other stands for at least one unmatched char, and
    /// the common prefix is at most the common head.
    pub fn jaro_winkler_bound(self, other: Self) -> f32 {
        if self.len == 0 || other.len == 0 {
            return 1.0;
        }
        let (matches, prefix) = self.most_matches_and_prefix(other);
        bound_from_matches(matches, self.len(), other.len(), prefix)
    }

    fn most_matches_and_prefix(self, other: Self) -> (usize, usize) {
        let (a_len, b_len) = (self.len(), other.len());
        let unmatched = |mask: u32, other: u32| (mask & !other).count_ones() as usize;
        let matches = (a_len.saturating_sub(unmatched(self.letters, other.letters)))
            .min(b_len.saturating_sub(unmatched(other.letters, self.letters)));
        let prefix = if self.first == other.first {
            let same_head_bytes = ((self.head ^ other.head).trailing_zeros() / 8) as usize;
            same_head_bytes.min(a_len).min(b_len)
        } else {
            0
        };
        (matches, prefix)
    }
}

/// Token lengths that `SketchFilter` tabulates (`MAX_TOKEN_CHARS`); longer ones are bounded directly.
const FILTER_LENS: usize = 33;

/// Tells which tokens' `Sketch::jaro_winkler_bound` against one query reaches a floor, for the thousands
/// of tokens of one lookup: the bound only grows with the matches and the prefix, so the fewest matches
/// reaching the floor are tabulated per token length and prefix, and a test is a table lookup.
pub(crate) struct SketchFilter {
    query: Sketch,
    floor: f32,
    /// Indexed by token length, then prefix (0 to 4); `u8::MAX` when no match count reaches the floor.
    min_matches: [[u8; 5]; FILTER_LENS],
}

impl SketchFilter {
    pub fn new(query: Sketch, floor: f32) -> Self {
        let mut min_matches = [[u8::MAX; 5]; FILTER_LENS];
        for (len, by_prefix) in min_matches.iter_mut().enumerate().skip(1) {
            for (prefix, min) in by_prefix.iter_mut().enumerate() {
                let reaches = |m: usize| bound_from_matches(m, query.len(), len, prefix) >= floor;
                let most = len.min(query.len());
                if reaches(most) {
                    *min = fewest(most, reaches) as u8;
                }
            }
        }
        Self {
            query,
            floor,
            min_matches,
        }
    }

    pub fn query(&self) -> Sketch {
        self.query
    }

    /// Whether `self.query.jaro_winkler_bound(token) >= floor`.
    pub fn passes(&self, token: Sketch) -> bool {
        if self.query.len == 0 || token.len == 0 || token.len() >= FILTER_LENS {
            return self.query.jaro_winkler_bound(token) >= self.floor;
        }
        let (matches, prefix) = self.query.most_matches_and_prefix(token);
        matches >= usize::from(self.min_matches[token.len()][prefix.min(4)])
    }
}

/// The fewest matches, at most `most`, for which `reaches` holds, given that it holds for `most` and only
/// grows with the matches: a binary search.
fn fewest(most: usize, reaches: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, most);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if reaches(mid) { hi = mid } else { lo = mid + 1 }
    }
    lo
}

/// Jaro-Winkler with no transpositions, given at most `matches` matching characters and a common
/// prefix of `prefix`: nondecreasing in both, so bounds on them give a bound on the similarity.
fn bound_from_matches(matches: usize, a_len: usize, b_len: usize, prefix: usize) -> f32 {
    let m = matches as f32;
    if m == 0.0 {
        return 0.0;
    }
    let sim = ((m / a_len as f32).min(1.0) + (m / b_len as f32).min(1.0) + 1.0) / 3.0;
    if sim <= 0.7 {
        return sim;
    }
    sim + 0.1 * prefix as f32 * (1.0 - sim)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    #[test]
    fn agrees_with_strsim() {
        let words = [
            "martha", "marhta", "dwayne", "duane", "dixon", "dicksonx", "mohammed", "muhammad", "mhmd", "a", "",
        ];
        for a in words {
            for b in words.iter().filter(|b| b.len().max(a.len()) > 3) {
                let ours = jaro_winkler(&chars(a), &chars(b)) as f64;
                let reference = strsim::jaro_winkler(a, b);
                assert!((ours - reference).abs() < 1e-5, "{a} {b}: {ours} vs {reference}");
            }
        }
    }

    #[test]
    fn upper_bound_holds() {
        let words = [
            "martha", "marhta", "dwayne", "duane", "dixon", "dicksonx", "mohammed", "muhammad", "mhmd", "ab",
        ];
        for a in words {
            for b in words {
                let (a, b) = (chars(a), chars(b));
                let (a_mask, b_mask) = (letter_mask(&a), letter_mask(&b));
                let bound = jaro_winkler_upper_bound(&a, a_mask, &b, b_mask);
                assert!(bound + 1e-6 >= jaro_winkler(&a, &b));
                let sketch = Sketch::of(&a).jaro_winkler_bound(Sketch::of(&b));
                assert!(sketch + 1e-6 >= bound, "{a:?} {b:?}: {sketch} < {bound}");
            }
        }
    }

    #[test]
    fn sketch_filter_agrees_with_the_bound() {
        let words = [
            "martha", "marhta", "dwayne", "duane", "dixon", "dicksonx", "mohammed", "muhammad", "a", "ab",
        ];
        for query in words {
            let query = Sketch::of(&chars(query));
            for floor in [0.0, 0.5, 0.8, 0.9, 1.0] {
                let filter = SketchFilter::new(query, floor);
                for token in words.map(|w| Sketch::of(&chars(w))) {
                    assert_eq!(filter.passes(token), query.jaro_winkler_bound(token) >= floor);
                }
            }
        }
    }

    #[test]
    fn glued_sketch_bounds_the_glued_word() {
        let words = ["ep", "ozw", "alpha", "tech", "xiao", "ping", "a", "mohammed"];
        for left in words {
            for right in words {
                let glued = chars(&format!("{left}{right}"));
                let sketch = Sketch::of(&chars(left)).glued(Sketch::of(&chars(right)));
                assert_eq!(sketch.len(), glued.len());
                for single in words
                    .iter()
                    .map(|w| chars(w))
                    .chain([chars("epozw"), chars("alphatech")])
                {
                    let bound = sketch.jaro_winkler_bound(Sketch::of(&single));
                    assert!(
                        bound + 1e-6 >= jaro_winkler(&single, &glued),
                        "{left}+{right} vs {single:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn short_transpositions_still_match() {
        assert!(jaro_winkler(&chars("jie"), &chars("jei")) > 0.85);
    }
}
