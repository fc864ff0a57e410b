//! Token pairs that Jaro-Winkler finds close but that name different things: long words
//! built from stems with a stem changed ("elektrotranssbyt" / "elektrosnabstroy", common
//! in Russian and Ukrainian company names) and Chinese given names or surnames with one
//! syllable changed ("shanquan" / "shanyan", "liu" / "luo"). Jaro-Winkler rewards the
//! shared prefix and forgives the rest; these pairs are scored as unrelated instead.
//!
//! Only ever lowers a pair's score, so every bound the index computes from Jaro-Winkler
//! stays an upper bound and pruning stays exact.

use super::romanization::{LONGEST_TOKEN, chinese_marked, chinese_syllables, same_chinese};

/// Words at least this long are compared by the edits between them too.
const LONG_WORD: usize = 7;
/// A long word pair differing in at least this many edits, once spelling conventions are
/// folded away (`fold_spelling`)...
const STEM_EDITS: usize = 3;
/// ...making more than this share of the longer word, differs by a stem, not by a typo
/// or a transliteration (those leave one edit, or a small share).
const STEM_SHARE: f32 = 0.2;
/// Two edits or more within a block of at least this many letters, at most twice as many
/// as the edits, is a stem swapped in a compound; edits further apart are typos.
const STEM_LETTERS: usize = 3;

/// Whether two tokens (lowercase, transliterated) are distinct words however similar
/// their letters. `abjad`: one side comes from a script that does not write short vowels,
/// where counting edits says nothing.
pub(crate) fn distinct_words(a: &[char], b: &[char], abjad: bool) -> bool {
    if a == b || abjad {
        return false;
    }
    let mut buffers = ([0u8; LONGEST_TOKEN], [0u8; LONGEST_TOKEN]);
    let texts = ascii_lowercase(a, &mut buffers.0).zip(ascii_lowercase(b, &mut buffers.1));
    if let Some(distinct) = texts.and_then(|(a, b)| distinct_chinese(a, b)) {
        return distinct;
    }
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if super::name_parts::patronymic_of_other(a, b) {
        return true;
    }
    if shorter.len() < 2 || part_of(shorter, longer) {
        return false; // a glued or cut-short word: see `cut_short`
    }
    if longer.len() < LONG_WORD || abbreviates(shorter, longer) {
        return false;
    }
    let (a, b) = (fold_spelling(a), fold_spelling(b));
    let edits = strsim::osa_distance(&a, &b);
    let longest = a.chars().count().max(b.chars().count());
    (edits >= STEM_EDITS && edits as f32 > STEM_SHARE * longest as f32)
        || (edits >= 2 && (STEM_LETTERS..=2 * edits).contains(&changed_block(&a, &b)))
}

/// Letters of the longer word between what both words begin and end with: where a
/// compound's stem was swapped ("telepromsvyaz" / "telepromsbyt": 3), or what lies
/// between two typos ("krasnoyarskenergo" / "krasmoyarskenerqo": 12).
fn changed_block(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let longer = a.len().max(b.len());
    longer.saturating_sub(prefix + suffix)
}

/// Whether `part` begins or ends `word`: the two may be one word written glued or split
/// ("alpha tech" / "alphatech"), which the name score aligns as such.
fn part_of(part: &[char], word: &[char]) -> bool {
    word.starts_with(part) || word.ends_with(part)
}

/// `part_of` of the shorter of two words in the longer.
pub(crate) fn part_of_other(a: &[char], b: &[char]) -> bool {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    part_of(shorter, longer)
}

/// Whether one token is the other cut short by a stem ("termostroy" / "termostroyrezerv"):
/// similar enough to find the name (it may be written split), never enough to match alone.
pub(crate) fn cut_short(a: &[char], b: &[char]) -> bool {
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let missing = longer.len() - shorter.len();
    shorter.len() >= 2
        && part_of(shorter, longer)
        && missing >= STEM_EDITS
        && missing as f32 > STEM_SHARE * longer.len() as f32
        && !abbreviates(shorter, longer)
}

/// A short token made of a word's first letters and some later ones, in order: the
/// abbreviations of company names ("shipg" for shipping, "machy", "invt", "elecs").
fn abbreviates(short: &[char], word: &[char]) -> bool {
    const LONGEST_ABBREVIATION: usize = 5;
    if short.len() > LONGEST_ABBREVIATION || short.get(..2) != word.get(..2) {
        return false;
    }
    let mut letters = word.iter();
    short.iter().all(|c| letters.any(|w| w == c))
}

/// A spelling with the differences between romanizations of one name folded away, so
/// that only what differs in sound counts as edits: German and English renderings of
/// Slavic names ("andrejewitsch" / "andreyevich", "wasiljew" / "vasilev"), vowels
/// (all one), doubled letters. One pass: it runs for every similar pair a query meets.
fn fold_spelling(token: &[char]) -> String {
    const DIGRAPHS: [(&str, &str); 7] = [
        ("tsch", "ch"),
        ("sch", "sh"),
        ("zh", "sh"),
        ("kh", "h"),
        ("gh", "k"),
        ("ck", "k"),
        ("ph", "f"),
    ];
    let text: String = token.iter().collect();
    let mut folded = String::with_capacity(text.len() + 4);
    let mut push = |c: char| {
        let c = if matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y' | 'j') {
            'a'
        } else {
            c
        };
        if !folded.ends_with(c) {
            folded.push(c);
        }
    };
    let mut rest = text.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some((from, to)) = DIGRAPHS.iter().find(|(from, _)| rest.starts_with(from)) {
            to.chars().for_each(&mut push);
            rest = &rest[from.len()..];
            continue;
        }
        match c {
            'x' => "ks".chars().for_each(&mut push),
            'w' => push('v'),
            'z' => push('s'),
            'q' => push('k'),
            c => push(c),
        }
        rest = &rest[c.len_utf8()..];
    }
    folded
}

/// For two runs of Pinyin or marked Wade-Giles syllables (a Chinese given name is
/// usually two written as one word), one of them with a mark of Chinese: whether they are
/// distinct, which they are unless they spell the same syllables or one is the other with
/// syllables glued. None for other tokens.
fn distinct_chinese(a: &str, b: &str) -> Option<bool> {
    if !chinese_pair(a, b) {
        return None;
    }
    let (shorter, longer) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    // Syllables glued ("li" of "liling") are parts of a word; "heng" of "cheng" is not.
    let glued = syllables_around(shorter, longer);
    Some(!glued && !same_chinese(a, b))
}

/// Whether one token is the other with whole syllables glued on, both Chinese (as in
/// `distinct_chinese`): "xiao" of "xiaolu" is a part of another given name, or of the same
/// one written split ("xiao lu"), which compound edges align whole.
pub(crate) fn glued_syllables(a: &[char], b: &[char]) -> bool {
    let (shorter, longer) = if a.len() < b.len() { (a, b) } else { (b, a) };
    // The cheap test first: most similar pairs are not one inside the other.
    if shorter.len() == longer.len() || !(longer.starts_with(shorter) || longer.ends_with(shorter)) {
        return false;
    }
    let mut buffers = ([0u8; LONGEST_TOKEN], [0u8; LONGEST_TOKEN]);
    let Some((a, b)) = ascii_lowercase(a, &mut buffers.0).zip(ascii_lowercase(b, &mut buffers.1)) else {
        return false;
    };
    let (shorter, longer) = if a.len() < b.len() { (a, b) } else { (b, a) };
    syllables_around(shorter, longer) && chinese_pair(a, b)
}

/// Whether two tokens are both runs of Pinyin or marked Wade-Giles syllables, one of
/// them with a mark of Chinese: the pairs rule 5 judges by their syllables.
fn chinese_pair(a: &str, b: &str) -> bool {
    (chinese_marked(a) || chinese_marked(b)) && chinese_syllables(a) && chinese_syllables(b)
}

/// The token as ASCII text in `buffer`, if it is lowercase ASCII and fits.
fn ascii_lowercase<'b>(token: &[char], buffer: &'b mut [u8]) -> Option<&'b str> {
    if token.is_empty() || token.len() > buffer.len() || !token.iter().all(char::is_ascii_lowercase) {
        return None;
    }
    for (slot, c) in buffer.iter_mut().zip(token) {
        *slot = *c as u8;
    }
    std::str::from_utf8(&buffer[..token.len()]).ok()
}

/// Whether `longer` is `part` with whole syllables before or after it.
fn syllables_around(part: &str, longer: &str) -> bool {
    let rest = longer.strip_prefix(part).or_else(|| longer.strip_suffix(part));
    rest.is_some_and(|rest| !rest.is_empty() && chinese_syllables(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn distinct(a: &str, b: &str) -> bool {
        let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
        distinct_words(&a, &b, false)
    }

    #[test]
    fn a_changed_stem_or_syllable_is_another_word() {
        for (a, b) in [
            ("elektrotranssbyt", "elektrosnabstroy"),
            ("sevlogistik", "sevkomplogistik"),
            ("radioplast", "radiostal"),
            ("shanquan", "shanyan"),
            ("liu", "luo"),
            ("yinxiong", "yinrong"),
            ("cheng", "heng"),
            ("telepromsvyaz", "telepromsbyt"),
            ("elektrotranssbyt", "elektrotransmash"),
            // Two edits within four letters: at most twice the edits, a swapped block.
            ("krasnodarsk", "krasmodqrsk"),
        ] {
            assert!(distinct(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn typos_and_transliterations_stay_comparable() {
        for (a, b) in [
            // Japanese and Romance names that split into Wade-Giles syllables too.
            ("sato", "satou"),
            ("soto", "souto"),
            ("matsumoto", "matsomoto"),
            ("tekhnopromeksport", "technopromexport"),
            ("mohammed", "muhammad"),
            ("spetsstroy", "spetsstroi"),
            ("maria", "mariya"),
            ("ana", "anna"),
            ("elena", "yelena"),
            ("alexandrovich", "aleksandrovich"),
            ("zhang", "zhang"),
            ("andrejewitsch", "andreyevich"),
            ("nawigoawtomontasch", "navigoavtomontazh"),
            ("shipg", "shipping"),
            ("machy", "machinery"),
            ("yinkuang", "yinguang"),
            ("chang", "zhang"),
            ("leijian", "leichien"),
            ("liling", "li"),
            ("qorbani", "ghorbani"),
            ("maksxim", "maksim"),
            ("krasnoyarskenergo", "krasmoyarskenerqo"),
            ("vladivostokneftegaz", "vladivpstolneftegaz"),
            ("konstantinovich", "konstanrinovicg"),
            // Two edits five letters apart: typos.
            ("kartonprom", "kartlnprpm"),
        ] {
            assert!(!distinct(a, b), "{a} / {b}");
        }
    }
}
