//! Fuzzy name screening: does a queried name match any listed party?
//!
//! Pipeline (see `ALGORITHM_VERSION`):
//! 1. Names are normalized (NFKD, case folding, diacritics stripped), transliterated to Latin while the
//!    original-script form is indexed too (not for Han and Hangul, whose runs would be one token; Han
//!    business terms and places go to English first, `chinese_terms`; Arabic script is spelled as
//!    listings spell it, `arabic`), tokenized, and cleared of legal forms, abbreviated or written out,
//!    and stopwords (`legal_forms`).
//! 2. Candidates come from an inverted index: query tokens are expanded to similar vocabulary tokens
//!    (character trigrams, one-letter deletions of short tokens, Double Metaphone keys, consonant
//!    skeletons) and to the initial of their first letter (an initial query token to every token with its
//!    letter), whose postings give candidate names. Very common tokens are left unread only when a name
//!    met by none of the tokens read could not reach the threshold whatever it holds.
//! 3. Each candidate name is scored with token-wise Jaro-Winkler (greedy one-to-one alignment,
//!    length-weighted over both sides, glued/split words aligned as one), lifted when tokens agree
//!    phonetically; differing numbers ("Grace 1" / "Grace 2") are penalized. Tokens whose letters are
//!    alike but that are other words count as unrelated (`distinct`): a compound with a stem swapped, a
//!    Chinese syllable changed, a compound of other stems (`stems`), a patronymic for its given name; a
//!    word cut short by a stem counts at most the pair floor. A listed name whose common words matched
//!    and whose distinctive ones did not is lowered (`rarity`), and so is a listed person whose surname
//!    nothing in the query stands for (`name_parts`). Listed names are also indexed, and a person's
//!    query also screened, without optional parts (`optional_parts`), at a small cost per part.
//! 4. Party-level evidence adjusts the score (`evidence`): exact identifier = 1.0, country and entity-type
//!    mismatch penalties, shared cities, postal codes and birth dates lift, differing birth dates lower;
//!    weak aliases capped below the default threshold.
//!
//! The rest only saves work, and does not change a result at any threshold: upper bounds skip what
//! cannot reach the threshold (`pruning_tests` compares with brute force at many thresholds). Vocabulary
//! tokens are filtered on Jaro-Winkler bounds from small sketches kept in the trigram postings
//! (`jaro::Sketch`) before their characters are read. Candidate names get a score bound from the
//! postings and a dense outline of the name (`bound`) before the name itself is read, and are scored
//! best bound first: once `limit` hits are known, names bounded below the last of them are skipped
//! (`Index::cutoff`). `score_name` stops as soon as its own bound falls short. Where many scattered
//! tokens or names must be read, a tight loop first loads them all, so that the CPU overlaps their
//! cache misses.
//!
//! Known limits of that claim: a name that only a glued or split word relates to the query (neither part
//! similar to the whole) is not a candidate; and `Vocab::similar` finds similar tokens through shared
//! trigrams, deletions and phonetic keys, so a pair above the pair floor sharing none of them
//! ("leenra"/"elena") is scored as unrelated by the index, while `screen_brute_force` computes every
//! pair. Neither limit depends on the threshold.
//!
//! The index is single-writer: wrap it in a `RwLock` to screen while replication upserts.

mod abbreviations;
mod arabic;
mod bound;
mod chinese_terms;
mod distinct;
mod evidence;
mod index;
mod jaro;
mod legal_forms;
mod name_parts;
mod optional_parts;
mod phonetic;
mod places;
mod rarity;
mod romanization;
mod score;
mod stems;
mod text;
mod vocab;

#[cfg(test)]
mod pruning_tests;
#[cfg(test)]
mod test_names;
#[cfg(test)]
mod tests;

pub mod live;
pub use evidence::{
    BIRTH_DATE_MATCH, BIRTH_DATE_MISMATCH, CITY_MATCH, COUNTRY_MISMATCH_PENALTY, ENTITY_MISMATCH_PENALTY,
    POSTAL_CODE_MATCH, Particulars,
};
pub use index::Index;

/// Reported with results so that a score can be traced to the logic that produced it.
pub const ALGORITHM_VERSION: &str = "fedx-screen-8";

/// Scores at or above this are reported as potential matches by default.
pub const DEFAULT_MIN_SCORE: f64 = 0.85;

/// A hit found only through a weak alias is capped here, below `DEFAULT_MIN_SCORE`.
pub const WEAK_ALIAS_CAP: f64 = DEFAULT_MIN_SCORE - 0.05;

/// Penalty when both names carry numbers and none agrees ("Grace 1" vs "Grace 2").
pub const NUMBER_MISMATCH_PENALTY: f64 = -0.2;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EntityKind {
    Person,
    Organisation,
    Vessel,
    Aircraft,
    Unknown,
}

/// Primary, alias and previous names are `Strong`; weak aliases (nicknames, short forms) are `Weak`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameStrength {
    Strong,
    Weak,
}

/// One listed party.
///
/// `identifiers` hold values, optionally tagged with their type as `"TYPE:value"` (e.g. `"IMO:9187629"`,
/// `"PASSPORT:AB 123456"`). Matching ignores the tag: a value matches when it is equal after uppercasing and
/// dropping everything but letters and digits (and a leading `IMO` before a 7-digit number). Values shorter
/// than 4 characters after that are ignored, as they collide too easily.
#[derive(Debug, Clone, PartialEq)]
pub struct PartyDoc {
    pub names: Vec<(String, NameStrength)>,
    pub entity: EntityKind,
    /// ISO 3166-1 alpha-2 codes (nationality, registration and address countries), any case.
    pub countries: Vec<String>,
    pub identifiers: Vec<String>,
    /// Places and birth dates: corroborate or contradict a name match (`evidence`).
    pub particulars: Particulars,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub name: String,
    pub country: Option<String>,
    pub entity: Option<EntityKind>,
    /// Same format as `PartyDoc::identifiers`.
    pub identifiers: Vec<String>,
    /// A whole party's places and birth dates, when the query is one.
    pub particulars: Particulars,
    pub min_score: f64,
    pub limit: usize,
}

impl Query {
    /// A name-only query with the default threshold and a limit of 10 hits.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            country: None,
            entity: None,
            identifiers: Vec::new(),
            particulars: Particulars::default(),
            min_score: DEFAULT_MIN_SCORE,
            limit: 10,
        }
    }
}

/// One contribution to a hit's score; the weights of a hit's features sum to its score (before clamping
/// to [0, 1]).
#[derive(Debug, Clone, PartialEq)]
pub struct Feature {
    pub name: &'static str,
    pub weight: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit<K> {
    pub key: K,
    pub score: f64,
    /// The indexed name as listed (not normalized), or the first listed name for identifier hits.
    pub matched_name: String,
    pub features: Vec<Feature>,
}
