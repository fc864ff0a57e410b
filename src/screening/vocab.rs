//! Token dictionary with a fuzzy lookup (which known tokens resemble a query token?), and the
//! similarity of two tokens that both it and the name score use.
//!
//! Fuzzy matching happens once per distinct token rather than per name, so its cost depends on the
//! vocabulary size (hundreds of thousands), not on the corpus size (millions of names).

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::jaro::{Sketch, SketchFilter, jaro_winkler, jaro_winkler_upper_bound, letter_mask};
use super::phonetic::Phonetic;
use super::stems::Stems;

/// Token pairs below this similarity count as unrelated: partial credit for "smith" vs "jones" would
/// only add noise to long names.
pub(crate) const PAIR_FLOOR: f32 = 0.8;
/// Share of the remaining gap to 1.0 granted when two tokens agree phonetically.
pub(crate) const PHONETIC_LIFT: f32 = 0.5;
/// The share granted when they spell the same Chinese or Korean syllables: a surer sign than
/// Double Metaphone's coarse code, and the pairs are further apart in letters ("hee" / "hui").
pub(crate) const ROMANIZED_LIFT: f32 = 0.75;
/// Similarity of an initial to a token starting with that letter ("j" vs "john").
pub(crate) const INITIAL_SIM: f32 = 0.9;

#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct PairScore {
    pub jw: f32,
    pub phonetic: f32,
    /// One token is the other with whole Chinese syllables glued on ("xiao" of "xiaolu"):
    /// part of a given name, so its edge weighs as the part alone (`score::token_edges`),
    /// and the name it misses counts against the match.
    pub part: bool,
}

impl PairScore {
    pub fn total(self) -> f32 {
        self.jw + self.phonetic
    }
}

/// Similarity of two tokens. `abjad` allows consonant skeletons to count as phonetic agreement.
pub(crate) fn pair_score(a: &Token, b: &Token, abjad: bool) -> PairScore {
    let [plain, abjad_score] = scores(a, b, Modes { plain: !abjad, abjad });
    if abjad { abjad_score } else { plain }
}

/// `[plain, abjad]` similarity of two tokens, the letters compared once. The modes differ
/// by the skeleton's lift and by the rules that judge letters alone, which abjad mode skips.
pub(crate) fn pair_scores(a: &Token, b: &Token) -> [PairScore; 2] {
    scores(
        a,
        b,
        Modes {
            plain: true,
            abjad: true,
        },
    )
}

/// Which of `scores` to compute; the other is left at zero.
struct Modes {
    plain: bool,
    abjad: bool,
}

fn scores(a: &Token, b: &Token, modes: Modes) -> [PairScore; 2] {
    if (a.len() == 1) != (b.len() == 1) {
        let same_initial = a.chars.first() == b.chars.first();
        let jw = if same_initial { INITIAL_SIM } else { 0.0 };
        return [PairScore {
            jw,
            phonetic: 0.0,
            part: false,
        }; 2];
    }
    let jw = jaro_winkler(&a.chars, &b.chars);
    let romanized = a.phonetic.romanized_agrees(&b.phonetic);
    let sounds_alike = a.phonetic.metaphone_agrees(&b.phonetic);
    let skeleton = modes.abjad && a.phonetic.skeleton_agrees(&b.phonetic);
    let lift = |agrees: bool| match (romanized, agrees) {
        (true, _) => ROMANIZED_LIFT,
        (false, true) => PHONETIC_LIFT,
        (false, false) => 0.0,
    };
    // Asked at most once per pair, whichever modes clear the floor.
    let glued = std::cell::OnceCell::new();
    let glued = || *glued.get_or_init(|| super::distinct::glued_syllables(&a.chars, &b.chars));
    let score = |agrees: bool, other_words: &dyn Fn() -> bool| {
        let phonetic = (1.0 - jw) * lift(agrees);
        if jw + phonetic < PAIR_FLOOR || other_words() {
            PairScore::default()
        } else if glued() {
            PairScore {
                jw: jw.min(PAIR_FLOOR),
                phonetic: 0.0,
                part: true,
            }
        } else if super::distinct::cut_short(&a.chars, &b.chars) {
            PairScore {
                jw: jw.min(PAIR_FLOOR),
                phonetic: 0.0,
                part: false,
            }
        } else {
            PairScore {
                jw,
                phonetic,
                part: false,
            }
        }
    };
    // Letters alike first (cheap), then whether the words are others all the same (two
    // spellings of the same syllables never are). Compounds of other stems; one that
    // begins or ends the other is a glued word (`cut_short`).
    let other_words = || {
        !romanized
            && ((super::stems::different_stems(a.stems, b.stems)
                && !super::distinct::part_of_other(&a.chars, &b.chars))
                || super::distinct::distinct_words(&a.chars, &b.chars, false))
    };
    let plain = if modes.plain {
        score(sounds_alike, &other_words)
    } else {
        PairScore::default()
    };
    let abjad = if modes.abjad {
        score(sounds_alike || skeleton, &|| false)
    } else {
        PairScore::default()
    };
    [plain, abjad]
}

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
    /// The stems of a compound company word (`stems`), or zero.
    pub stems: Stems,
}

impl Token {
    pub fn new(text: &str) -> Self {
        let chars: Box<[char]> = text.chars().collect();
        Self {
            letters: letter_mask(&chars),
            stems: super::stems::split(&chars),
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

/// A trigram posting carries the token's sketch: a lookup reads tens of thousands of postings and
/// rejects most of their tokens, which it can then do without touching the tokens themselves.
#[derive(Debug, Clone, Copy)]
struct Posting {
    id: TokenId,
    sketch: Sketch,
}

#[derive(Debug, Default)]
pub(crate) struct Vocab {
    ids: HashMap<Box<str>, TokenId>,
    tokens: Vec<Token>,
    /// Sketch of each token by id, in one dense array: read for every token of every scored name.
    sketches: Vec<Sketch>,
    trigrams: FastMap<u64, Vec<Posting>>,
    metaphones: FastMap<u32, Vec<TokenId>>,
    skeletons: FastMap<u64, Vec<TokenId>>,
    /// Tokens by their Chinese and Korean romanization keys (hashes tagged by system, so one
    /// map holds both)...
    romanized: FastMap<u32, Vec<TokenId>>,
    /// ...and by the keys they are open on (`Romanized::keys`): what a token that is not
    /// open on its key agrees with.
    romanized_open: FastMap<u32, Vec<TokenId>>,
    /// Short tokens by themselves and their one-letter deletions: trigrams of "lu" and "liu" share
    /// nothing, yet one edit apart they are the same Chinese surname.
    short_variants: FastMap<u64, Vec<TokenId>>,
    /// Tokens by first letter: the tokens a query initial aligns with.
    by_first: FastMap<char, Vec<TokenId>>,
}

/// Candidates whose characters `Vocab::similar` prefetches at a time: their tokens stay in L2 cache until
/// they are scored.
pub(crate) const PREFETCH_BATCH: usize = 256;
/// Tokens up to this length are also looked up by deletion variants.
const SHORT_TOKEN: usize = 6;
/// The sketch bound is never below the character bound in exact arithmetic; this covers f32 rounding, so
/// that the sketch only rejects what the character bound would reject too.
const SKETCH_BOUND_SLACK: f32 = 1e-4;

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

    pub fn sketch(&self, id: TokenId) -> Sketch {
        self.sketches[id as usize]
    }

    /// Length in chars of a token, read from the dense sketches rather than the token itself.
    pub fn token_len(&self, id: TokenId) -> usize {
        self.sketches[id as usize].len()
    }

    /// Id of `text`, if known.
    pub fn id_of(&self, text: &str) -> Option<TokenId> {
        self.ids.get(text).copied()
    }

    /// Tokens starting with `first` (the letter itself included, if known).
    pub fn starting_with(&self, first: char) -> &[TokenId] {
        self.by_first.get(&first).map_or(&[], Vec::as_slice)
    }

    /// Id of `text`, adding it (and its lookup keys) when new.
    pub fn intern(&mut self, text: &str) -> TokenId {
        if let Some(id) = self.ids.get(text) {
            return *id;
        }
        let id = self.tokens.len() as TokenId;
        let token = Token::new(text);
        let sketch = Sketch::of(&token.chars);
        for gram in trigrams(&token.chars) {
            self.trigrams.entry(gram).or_default().push(Posting { id, sketch });
        }
        for key in distinct_metaphones(&token.phonetic) {
            self.metaphones.entry(key).or_default().push(id);
        }
        if token.phonetic.skeleton != 0 {
            self.skeletons.entry(token.phonetic.skeleton).or_default().push(id);
        }
        for (key, open) in token.phonetic.romanized.keys() {
            self.romanized.entry(key).or_default().push(id);
            if open {
                self.romanized_open.entry(key).or_default().push(id);
            }
        }
        if token.len() <= SHORT_TOKEN + 1 {
            for key in deletion_variants(&token.chars) {
                self.short_variants.entry(key).or_default().push(id);
            }
        }
        if let Some(first) = token.chars.first() {
            self.by_first.entry(*first).or_default().push(id);
        }
        self.sketches.push(sketch);
        self.tokens.push(token);
        self.ids.insert(text.into(), id);
        id
    }

    /// Known tokens whose similarity to `query` clears the pair floor, in plain or abjad mode, by id.
    ///
    /// Candidates are tokens that sound alike (shared Double Metaphone key, consonant skeleton or
    /// romanization key) or are spelled alike (trigrams, deletion variants of short tokens). Sounding alike can lift a modest
    /// Jaro-Winkler over the floor, so only the spelling candidates must pass the Jaro-Winkler bounds:
    /// first the sketch bound, then the tighter one over their characters.
    pub fn similar(&self, query: &Token) -> Vec<Similar> {
        let filter = SketchFilter::new(Sketch::of(&query.chars), PAIR_FLOOR - SKETCH_BOUND_SLACK);
        let sound_alikes = self.phonetic_candidates(query);
        let sounds_alike = |id: &TokenId| sound_alikes.binary_search(id).is_ok();
        let mut candidates = self.trigram_candidates(query, &filter, &sounds_alike);
        if query.len() <= SHORT_TOKEN {
            for key in deletion_variants(&query.chars) {
                let ids = self.short_variants.get(&key).into_iter().flatten();
                candidates.extend(ids.filter(|id| sounds_alike(id) || could_clear_floor(&filter, self.sketch(**id))));
            }
        }
        candidates.extend(&sound_alikes);
        candidates.sort_unstable();
        candidates.dedup();
        let mut similar = Vec::new();
        for batch in candidates.chunks(PREFETCH_BATCH) {
            self.prefetch(batch);
            let scored = batch.iter().filter_map(|id| self.scored(query, *id, sounds_alike(id)));
            similar.extend(scored);
        }
        similar
    }

    /// Loads the tokens `ids` (both ends of the struct and of the characters) in a tight loop. Their
    /// cache misses are independent, so the CPU overlaps them, whereas the branchy Jaro-Winkler loop that
    /// follows would wait for each in turn (this more than halves the time of `similar`).
    fn prefetch(&self, ids: &[TokenId]) {
        let touch = |token: &Token| {
            let ends = [token.chars.first(), token.chars.last()].map(|c| c.map_or(0, |c| u32::from(*c)));
            ends[0] ^ ends[1] ^ token.phonetic.metaphone[0] ^ token.letters as u32
        };
        let touched = ids.iter().map(|id| touch(self.token(*id)));
        std::hint::black_box(touched.fold(0u32, |a, b| a ^ b));
    }

    /// `id` as a similar token of `query`, if it clears the pair floor (sound-alikes skip the bound).
    fn scored(&self, query: &Token, id: TokenId, sounds_alike: bool) -> Option<Similar> {
        let token = self.token(id);
        if !sounds_alike && !could_clear_floor_by_chars(query, token) {
            return None;
        }
        let [plain, abjad] = pair_scores(query, token);
        (abjad.total() > 0.0).then_some(Similar { id, plain, abjad })
    }

    /// Tokens sharing a Double Metaphone key or the consonant skeleton with `query`, or agreeing with
    /// it on a romanization key, sorted by id: every token for which `Phonetic::metaphone_agrees`,
    /// `skeleton_agrees` or `romanized_agrees` holds (and some with a one-sound Double Metaphone code).
    fn phonetic_candidates(&self, query: &Token) -> Vec<TokenId> {
        let romanized = query.phonetic.romanized.keys().flat_map(|(key, open)| {
            let tokens = if open { &self.romanized } else { &self.romanized_open };
            tokens.get(&key).into_iter().flatten()
        });
        let mut ids: Vec<TokenId> = distinct_metaphones(&query.phonetic)
            .flat_map(|key| self.metaphones.get(&key).into_iter().flatten())
            .chain(self.skeletons.get(&query.phonetic.skeleton).into_iter().flatten())
            .chain(romanized)
            .copied()
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Tokens sharing at least two padded trigrams, or one and the first letter (two typos in a 7-letter
    /// token can leave a single trigram intact, but a typo in the first letter is rare; short tokens are
    /// also found through their deletion variants), that sound alike or pass the sketch bound.
    fn trigram_candidates(
        &self,
        query: &Token,
        filter: &SketchFilter,
        sounds_alike: &impl Fn(&TokenId) -> bool,
    ) -> Vec<TokenId> {
        let mut grams: Vec<u64> = trigrams(&query.chars).collect();
        grams.sort_unstable();
        grams.dedup();
        let mut lists: Vec<&[Posting]> = grams
            .iter()
            .filter_map(|gram| self.trigrams.get(gram))
            .map(Vec::as_slice)
            .collect();
        lists.sort_unstable_by_key(|list| list.len());
        let longest = lists.pop().unwrap_or_default();
        COUNTS.with_borrow_mut(|counts| {
            if counts.len() < self.tokens.len() {
                counts.resize(self.tokens.len(), 0);
            }
            let mut touched = Vec::new();
            for list in lists {
                count_shared(list, false, filter, counts, &mut touched);
            }
            count_shared(longest, true, filter, counts, &mut touched);
            touched.retain(|id| {
                let flags = std::mem::take(&mut counts[*id as usize]);
                let shares_enough = flags & SHARED_TRIGRAMS >= 2 || flags & SAME_FIRST != 0;
                shares_enough && (flags & MAY_CLEAR_FLOOR != 0 || sounds_alike(id))
            });
            touched
        })
    }
}

/// `COUNTS` entries: shared trigrams in the low bits (a token has at most `MAX_TOKEN_CHARS` of them)...
const SHARED_TRIGRAMS: u8 = 0x3f;
/// ...whether the token starts like the query...
const SAME_FIRST: u8 = 0x40;
/// ...and whether its sketch bound may clear the pair floor.
const MAY_CLEAR_FLOOR: u8 = 0x80;

/// Counts a trigram shared with the tokens of `postings`, noting the tokens met for the first time in
/// `touched` with their `first_touch_flags`. When it is the `last` trigram counted, a token first met
/// here shares only this one (unless it has it twice: its postings are then adjacent), so it cannot pass
/// without the query's first letter and is skipped.
fn count_shared(
    postings: &[Posting],
    last: bool,
    filter: &SketchFilter,
    counts: &mut [u8],
    touched: &mut Vec<TokenId>,
) {
    for (i, posting) in postings.iter().enumerate() {
        let count = &mut counts[posting.id as usize];
        if *count == 0 {
            let repeated = || postings.get(i + 1).is_some_and(|next| next.id == posting.id);
            if last && posting.sketch.first != filter.query().first && !repeated() {
                continue;
            }
            touched.push(posting.id);
            *count = first_touch_flags(filter, posting.sketch);
        }
        *count += 1;
    }
}

fn first_touch_flags(filter: &SketchFilter, token: Sketch) -> u8 {
    let same_first = if filter.query().first == token.first {
        SAME_FIRST
    } else {
        0
    };
    let may_clear = if could_clear_floor(filter, token) {
        MAY_CLEAR_FLOOR
    } else {
        0
    };
    same_first | may_clear
}

/// Whether the character bound lets a pair of tokens reach the pair floor (initials always may).
fn could_clear_floor_by_chars(a: &Token, b: &Token) -> bool {
    a.len() == 1 || b.len() == 1 || jaro_winkler_upper_bound(&a.chars, a.letters, &b.chars, b.letters) >= PAIR_FLOOR
}

/// Whether the sketch bound lets a token reach the pair floor with the filter's query (initials always
/// may).
fn could_clear_floor(filter: &SketchFilter, token: Sketch) -> bool {
    filter.query().len() == 1 || token.len() == 1 || filter.passes(token)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// `similar` finds exactly the tokens whose pair score clears the floor, with that
    /// score, in plain and in abjad mode: what the index's pruning stands on. Includes
    /// pairs that the letter rules zero in plain mode only (Pinyin syllables, stems) and
    /// romanizations whose letters are far apart.
    #[test]
    fn similar_finds_exactly_the_pairs_that_clear_the_floor() {
        let words = [
            "jeong",
            "jong",
            "chung",
            "jung",
            "hee",
            "hui",
            "tsao",
            "cao",
            "lo",
            "luo",
            "qin",
            "jin",
            "chin",
            "liu",
            "lu",
            "jun",
            "qun",
            "tan",
            "dan",
            "sato",
            "satou",
            "dora",
            "tula",
            "mohammed",
            "mhmd",
            "muhammad",
            "elektrokabel",
            "elektrostal",
            "navigostal",
            "navigostroy",
            "xin",
            "hsin",
            "zhang",
            "chang",
            "soon",
            "sun",
            "bae",
            "pae",
        ];
        let mut vocab = Vocab::default();
        for word in words {
            vocab.intern(word);
        }
        for query in words.iter().chain(&["mhmmd", "jeeong", "tsaoo"]) {
            let query = Token::new(query);
            let found = vocab.similar(&query);
            for id in 0..vocab.len() as TokenId {
                let [plain, abjad] = [false, true].map(|mode| pair_score(&query, vocab.token(id), mode));
                let hit = found.iter().find(|s| s.id == id);
                let expected = (abjad.total() > 0.0).then_some((plain, abjad));
                assert_eq!(
                    hit.map(|s| (s.plain, s.abjad)),
                    expected,
                    "{:?} / {:?}",
                    query.chars,
                    vocab.token(id).chars
                );
            }
        }
    }
}
