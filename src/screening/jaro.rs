//! Allocation-free Jaro-Winkler over char slices: it runs for every candidate token pair, so the flag
//! vectors of the textbook version are replaced by fixed bitsets (inputs are truncated to `MAX_CHARS`).
//!
//! One deliberate deviation: the match window is at least 1. The textbook window is 0 for tokens of up to
//! 3 letters, so a single transposition in a short token ("jie"/"jei", "kim"/"kmi") looked unrelated;
//! short tokens are common in Chinese and Korean names.

const MAX_CHARS: usize = 256;
type Flags = [u64; MAX_CHARS / 64];

fn get(flags: &Flags, i: usize) -> bool {
    flags[i / 64] & (1 << (i % 64)) != 0
}

fn set(flags: &mut Flags, i: usize) {
    flags[i / 64] |= 1 << (i % 64);
}

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
    let mut a_flags: Flags = [0; MAX_CHARS / 64];
    let mut b_flags: Flags = [0; MAX_CHARS / 64];
    let mut matches = 0usize;
    for (i, ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        if let Some(j) = (lo..hi).find(|&j| !get(&b_flags, j) && b[j] == *ca) {
            set(&mut a_flags, i);
            set(&mut b_flags, j);
            matches += 1;
        }
    }
    if matches == 0 {
        return 0.0;
    }
    let mut half_transpositions = 0usize;
    let mut j = 0usize;
    for (i, ca) in a.iter().enumerate() {
        if !get(&a_flags, i) {
            continue;
        }
        while !get(&b_flags, j) {
            j += 1;
        }
        if b[j] != *ca {
            half_transpositions += 1;
        }
        j += 1;
    }
    let m = matches as f32;
    let t = (half_transpositions / 2) as f32;
    (m / a.len() as f32 + m / b.len() as f32 + (m - t) / m) / 3.0
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
    let m = in_mask(a, b_mask).min(in_mask(b, a_mask)) as f32;
    if m == 0.0 {
        return 0.0;
    }
    let sim = ((m / a.len() as f32).min(1.0) + (m / b.len() as f32).min(1.0) + 1.0) / 3.0;
    if sim <= 0.7 {
        return sim;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count();
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
                let bound = jaro_winkler_upper_bound(&a, letter_mask(&a), &b, letter_mask(&b));
                assert!(bound + 1e-6 >= jaro_winkler(&a, &b));
            }
        }
    }

    #[test]
    fn short_transpositions_still_match() {
        assert!(jaro_winkler(&chars("jie"), &chars("jei")) > 0.85);
    }
}
