//! Phonetic keys of a token: Double Metaphone (primary and alternate), a consonant skeleton,
//! and the folded Chinese and Korean romanization (`romanization`).

use rphonetic::DoubleMetaphone;

use super::romanization::Romanized;

/// Keys are packed into integers so that vocabulary entries stay small; 0 means "no key".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Phonetic {
    pub metaphone: [u32; 2],
    pub skeleton: u64,
    pub romanized: Romanized,
}

impl Phonetic {
    pub fn of(token: &str) -> Self {
        // A romanized syllable is a name however short ("lo" / "luo").
        let romanized = Romanized::of(token);
        // Double Metaphone only knows Latin spellings; short tokens would collide with everything.
        if token.len() < 3 || !token.bytes().all(|b| b.is_ascii_lowercase()) {
            return Self {
                romanized,
                ..Self::default()
            };
        }
        let codes = DoubleMetaphone::default().double_metaphone(token);
        Self {
            metaphone: [pack(&codes.primary()), pack(&codes.alternate())],
            skeleton: skeleton(token),
            romanized,
        }
    }

    /// The same Chinese or Korean syllables in two romanizations.
    pub fn romanized_agrees(&self, other: &Self) -> bool {
        self.romanized.agrees(&other.romanized)
    }

    /// Agreement on a code of at least two sounds: one ("L" for "liu" and "luo") says
    /// little.
    pub fn metaphone_agrees(&self, other: &Self) -> bool {
        self.metaphone.iter().any(|k| *k > 0xff && other.metaphone.contains(k))
    }

    pub fn skeleton_agrees(&self, other: &Self) -> bool {
        self.skeleton != 0 && self.skeleton == other.skeleton
    }
}

/// Double Metaphone codes are at most 4 ASCII characters.
fn pack(code: &str) -> u32 {
    code.bytes().take(4).fold(0u32, |acc, b| (acc << 8) | u32::from(b))
}

/// Consonants without semivowels and doubles ("mohammed" and the Arabic-script "mhmd" both give "mhmd").
/// Abjads do not write short vowels, so this is how their transliterations compare to Latin spellings.
fn skeleton(token: &str) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut last = 0u8;
    let mut len = 0;
    for b in token.bytes() {
        let b = if b == b'q' { b'k' } else { b };
        if matches!(b, b'a' | b'e' | b'i' | b'o' | b'u' | b'y' | b'w' | b'v') || b == last {
            continue;
        }
        last = b;
        len += 1;
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    if len < 2 { 0 } else { hash }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metaphone_matches_transliteration_variants() {
        assert!(Phonetic::of("mohammed").metaphone_agrees(&Phonetic::of("muhammad")));
        assert!(Phonetic::of("tchaikovsky").metaphone_agrees(&Phonetic::of("chaykovskiy")));
        assert!(!Phonetic::of("smith").metaphone_agrees(&Phonetic::of("jones")));
    }

    #[test]
    fn skeleton_matches_abjad_transliteration() {
        assert!(Phonetic::of("mhmd").skeleton_agrees(&Phonetic::of("mohammed")));
        assert!(Phonetic::of("mstfa").skeleton_agrees(&Phonetic::of("mustafa")));
        assert!(!Phonetic::of("ly").skeleton_agrees(&Phonetic::of("lee")));
    }
}
