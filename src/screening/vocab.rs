//! Token dictionary with a fuzzy lookup: which known tokens resemble a query token?
//!
//! Fuzzy matching happens once per distinct token rather than per name, so its cost depends on the
//! vocabulary size (hundreds of thousands), not on the corpus size (millions of names).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::jaro::{jaro_winkler_upper_bound, letter_mask};
use super::phonetic::Phonetic;
use super::score::{PAIR_FLOOR, PairScore, pair_score};

pub(crate) type TokenId = u32;

/// Multiplicative hasher for integer keys: std's SipHash is needlessly slow for internal ids.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;

#[derive(Debug)]
pub(crate) struct Token {
    pub chars: Box<[char]>,
    pub phonetic: Phonetic,
    pub letters: u64,
}

impl Token {
    pub fn new(text: &str) -> Self {
        let chars: Box<[char]> = text.chars().collect();
        Self {
            letters: letter_mask(&chars),
            chars,
            phonetic: Phonetic::of(text),
        }
    }

    pub fn len(&self) -> usize {
        self.chars.len()
    }
}

/// A known token similar to a query token, scored for plain names and for abjad-transliterated ones.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Similar {
    pub id: TokenId,
    pub plain: PairScore,
    pub abjad: PairScore,
}

#[derive(Debug, Default)]
pub(crate) struct Vocab {
    ids: HashMap<Box<str>, TokenId>,
    tokens: Vec<Token>,
    trigrams: FastMap<u64, Vec<TokenId>>,
    metaphones: FastMap<u32, Vec<TokenId>>,
    skeletons: FastMap<u64, Vec<TokenId>>,
    /// Short tokens by themselves and their one-letter deletions: trigrams of "lu" and "liu" share
    /// nothing, yet one edit apart they are the same Chinese surname.
    short_variants: FastMap<u64, Vec<TokenId>>,
}

/// Tokens up to this length are also looked up by deletion variants.
const SHORT_TOKEN: usize = 6;

thread_local! {
    /// Shared-trigram counters per token id, reset after each lookup: avoids a hash map in the hot loop.
    static COUNTS: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

impl Vocab {
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    pub fn token(&self, id: TokenId) -> &Token {
        &self.tokens[id as usize]
    }

    /// Id of `text`, adding it (and its lookup keys) when new.
    pub fn intern(&mut self, text: &str) -> TokenId {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.tokens.len() as TokenId;
        let token = Token::new(text);
        for gram in trigrams(&token.chars) {
            self.trigrams.entry(gram).or_default().push(id);
        }
        for key in distinct_metaphones(&token.phonetic) {
            self.metaphones.entry(key).or_default().push(id);
        }
        if token.phonetic.skeleton != 0 {
            self.skeletons.entry(token.phonetic.skeleton).or_default().push(id);
        }
        if token.len() <= SHORT_TOKEN + 1 {
            for key in deletion_variants(&token.chars) {
                self.short_variants.entry(key).or_default().push(id);
            }
        }
        self.tokens.push(token);
        self.ids.insert(text.into(), id);
        id
    }

    /// Known tokens whose similarity to `query` clears the pair floor, in plain or abjad mode.
    pub fn similar(&self, query: &Token) -> Vec<Similar> {
        let mut candidates = self.trigram_candidates(&query.chars);
        for key in distinct_metaphones(&query.phonetic) {
            candidates.extend(self.metaphones.get(&key).into_iter().flatten());
        }
        if let Some(ids) = self.skeletons.get(&query.phonetic.skeleton) {
            candidates.extend(ids);
        }
        if query.len() <= SHORT_TOKEN {
            for key in deletion_variants(&query.chars) {
                candidates.extend(self.short_variants.get(&key).into_iter().flatten());
            }
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter_map(|id| {
                let token = self.token(id);
                if !could_clear_floor(query, token) {
                    return None;
                }
                let plain = pair_score(query, token, false);
                let abjad = if token.phonetic.skeleton_agrees(&query.phonetic) {
                    pair_score(query, token, true)
                } else {
                    plain
                };
                (abjad.total() > 0.0).then_some(Similar { id, plain, abjad })
            })
            .collect()
    }

    /// Tokens sharing at least two padded trigrams, or one and the first letter: two typos in a 7-letter
    /// token can leave a single trigram intact, but a typo in the first letter is rare (short tokens are
    /// also found through their deletion variants).
    fn trigram_candidates(&self, chars: &[char]) -> Vec<TokenId> {
        let mut grams: Vec<u64> = trigrams(chars).collect();
        grams.sort_unstable();
        grams.dedup();
        let first = chars.first();
        COUNTS.with_borrow_mut(|counts| {
            if counts.len() < self.tokens.len() {
                counts.resize(self.tokens.len(), 0);
            }
            let mut touched = Vec::new();
            for gram in &grams {
                for id in self.trigrams.get(gram).into_iter().flatten() {
                    let count = &mut counts[*id as usize];
                    if *count == 0 {
                        touched.push(*id);
                    }
                    *count = count.saturating_add(1);
                }
            }
            let mut passed = Vec::new();
            for id in touched {
                let count = std::mem::take(&mut counts[id as usize]);
                if count >= 2 || self.tokens[id as usize].chars.first() == first {
                    passed.push(id);
                }
            }
            passed
        })
    }
}

/// Phonetic agreement can lift a modest Jaro-Winkler over the floor; without it, the bound must clear it.
fn could_clear_floor(query: &Token, token: &Token) -> bool {
    query.len() == 1
        || token.len() == 1
        || query.phonetic.metaphone_agrees(&token.phonetic)
        || query.phonetic.skeleton_agrees(&token.phonetic)
        || jaro_winkler_upper_bound(&query.chars, query.letters, &token.chars, token.letters) >= PAIR_FLOOR
}

/// Hashes of the token and of each one-letter deletion of it: two tokens within one edit (or one
/// transposition) share a key.
fn deletion_variants(chars: &[char]) -> Vec<u64> {
    let mut keys: Vec<u64> = (0..chars.len())
        .map(|skip| hash_chars(chars.iter().enumerate().filter(|(i, _)| *i != skip).map(|(_, c)| *c)))
        .collect();
    keys.push(hash_chars(chars.iter().copied()));
    keys.sort_unstable();
    keys.dedup();
    keys
}

fn hash_chars(chars: impl Iterator<Item = char>) -> u64 {
    chars.fold(0xcbf2_9ce4_8422_2325u64, |h, c| {
        (h ^ u64::from(u32::from(c))).wrapping_mul(0x0100_0000_01b3)
    })
}

fn distinct_metaphones(phonetic: &Phonetic) -> impl Iterator<Item = u32> {
    let [primary, alternate] = phonetic.metaphone;
    let alternate = (alternate != primary).then_some(alternate);
    [Some(primary), alternate].into_iter().flatten().filter(|k| *k != 0)
}

/// Trigrams of the token padded with one boundary marker on each side, packed 21 bits per char.
fn trigrams(chars: &[char]) -> impl Iterator<Item = u64> + '_ {
    const PAD: u64 = 0;
    let code = move |i: usize| -> u64 {
        if i == 0 || i > chars.len() {
            PAD
        } else {
            u64::from(u32::from(chars[i - 1]))
        }
    };
    // Padded length is len + 2, giving len trigrams (at least one for a 1-char token).
    (0..chars.len().max(1)).map(move |i| (code(i) << 42) | (code(i + 1) << 21) | code(i + 2))
}
