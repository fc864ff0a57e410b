//! A person's name in parts. Listings and queries write given names, patronymics and
//! surnames in several orders, so names are aligned word by word whatever the order; where
//! the parts can be told apart, they are compared as such:
//! - A patronymic ("Timurovich", "Olehivna") is a word of its own: it never stands for the
//!   given name it is made from (`patronymic_of_other`, used by `distinct`), so a father's
//!   name does not pass for a person's own.
//! - A listed person's surname (`surname_words`): the words before a comma ("Ivanov, Ivan");
//!   the first word of a Chinese name or of a name that ends in a patronymic ("Ivanov Ivan
//!   Ivanovich"); otherwise the last. When the query's words stand for the listed person's
//!   other words but none stands for the surname, the query names someone else of the same
//!   given name (`surname_differs`): a strong negative, beyond the surname's length.
//! - Middle parts (a second given name, a father's or grandfather's name) are optional: a
//!   listed name is also indexed without them (`optional_parts`), at a small cost per part
//!   left out (`DROPPED_PART`), so the whole name still ranks first.
//!
//! Every rule here only lowers a score, so every bound the index prunes with still holds.

/// Endings of East Slavic patronymics as they are romanized (Russian, Ukrainian,
/// Belarusian; English, German and French spellings).
const PATRONYMIC_ENDINGS: [&str; 14] = [
    "ovich", "evich", "ovych", "evych", "avich", "ovitch", "evitch", "owitsch", "ewitsch", "ovna", "evna", "ivna",
    "owna", "ewna",
];

/// Words that belong to the surname after them ("Al Shami", "van Dijk", "de la Cruz").
const PARTICLES: &str = "al el bin ibn abu bint ould van von der de da del della di dos das du la le ter ten";

/// What a name scores less for each part its indexed form leaves out.
pub(crate) const DROPPED_PART: f32 = 0.02;
/// What a name scores less for each part a query's form leaves out: more than for a listed
/// name's optional part, as it sets aside a word the officer typed.
pub(crate) const QUERY_DROPPED_PART: f32 = 0.05;

/// A listed surname counts as found when a query word pairs with it at least this well
/// (a typo or a transliteration variant of it).
const SURNAME_FOUND: f32 = 0.8;
/// At or below this, a query word is another surname than the listed one, not a variant of
/// it (between the two, a part of the penalty).
const SURNAME_LOST: f32 = 0.6;
/// What is taken off when nothing in the query stands for the listed surname.
const SURNAME_DIFFERS: f32 = 0.15;
/// The listed person's other words must be found this well for a missing surname to say
/// "someone else": a query that matches nothing well is no match anyway.
const OTHERS_FOUND: f32 = 0.9;

/// Whether a token is a patronymic: a given name with a patronymic ending.
pub(crate) fn is_patronymic(token: &str) -> bool {
    token.len() > 6 && PATRONYMIC_ENDINGS.iter().any(|e| token.ends_with(e))
}

/// Whether one word is a patronymic and the other a shorter word that is not (the given
/// name it may be made from, or a surname): distinct words, however alike their letters.
/// A misspelt patronymic is about as long as the patronymic, an initial is left to the
/// initials rule.
pub(crate) fn patronymic_of_other(a: &[char], b: &[char]) -> bool {
    let text = |w: &[char]| w.iter().collect::<String>();
    let (a_text, b_text) = (text(a), text(b));
    let one_way = |patronymic: &str, other: &str, other_len: usize, len: usize| {
        is_patronymic(patronymic) && !is_patronymic(other) && other_len > 1 && other_len + 3 <= len
    };
    one_way(&a_text, &b_text, b.len(), a.len()) || one_way(&b_text, &a_text, a.len(), b.len())
}

/// The surname words of a listed person's name `raw`, whose full form is `tokens`.
pub(crate) fn listed_surname(raw: &str, tokens: &[String]) -> Vec<String> {
    let before_comma = raw
        .split_once(',')
        .and_then(|(before, _)| super::text::name_forms(before).into_iter().next())
        .filter(|form| tokens.starts_with(&form.tokens))
        .map(|form| form.tokens.len());
    surname_words(tokens, before_comma)
}

/// The surname words of a person's name `tokens`; `before_comma`: how many of them the
/// listing wrote before a comma, if it wrote one. Empty when the name is one word.
fn surname_words(tokens: &[String], before_comma: Option<usize>) -> Vec<String> {
    if tokens.len() < 2 {
        return Vec::new();
    }
    let chinese = tokens.iter().all(|t| super::distinct::pinyin_syllables(t));
    let at = match before_comma {
        Some(k) if (1..tokens.len()).contains(&k) => return tokens[..k].to_vec(),
        _ if chinese => 0,
        _ if is_patronymic(&tokens[tokens.len() - 1]) => 0,
        _ => return tokens[last_part_start(tokens)..].to_vec(),
    };
    vec![tokens[at].clone()]
}

/// Where the last part of a name of several words starts: its last word and the particles
/// before it ("rami youssef al shami": 2), never the first word.
pub(crate) fn last_part_start(tokens: &[String]) -> usize {
    let particle = |t: &String| PARTICLES.split(' ').any(|p| p == t);
    let last = tokens.len().saturating_sub(1);
    let particles = tokens[..last].iter().rev().take_while(|t| particle(t)).count();
    last.saturating_sub(particles).max(1.min(last))
}

/// Which words of an indexed form are the listed person's surname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surname {
    /// Not a person, or a one-word name.
    Unknown,
    /// These tokens, as a mask.
    At(u32),
    /// The form leaves the surname out ("Rosa Castro" of "Rosa Castro Villegas").
    Dropped,
}

/// The listed person's `surname` words among a form's `tokens`.
pub(crate) fn surname_in(tokens: &[String], surname: &[String]) -> Surname {
    let at = tokens.iter().enumerate().filter(|(_, t)| surname.contains(t));
    match at.fold(0, |mask, (i, _)| mask | 1 << i) {
        _ if surname.is_empty() => Surname::Unknown,
        0 => Surname::Dropped,
        mask => Surname::At(mask),
    }
}

/// What a name score loses when the query's words stand for the listed person's other
/// words (`others`: the best an aligned word of theirs scored) but not for the surname
/// (`surname`: the best an aligned surname word scored, zero if none was aligned, or if
/// the form leaves the surname out and the query has a word of its own in its place).
pub(crate) fn surname_differs(surname: f32, others: f32) -> f32 {
    if others < OTHERS_FOUND || surname >= SURNAME_FOUND {
        return 0.0;
    }
    -SURNAME_DIFFERS * ((SURNAME_FOUND - surname) / (SURNAME_FOUND - SURNAME_LOST)).min(1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(name: &str) -> Vec<String> {
        name.split(' ').map(str::to_owned).collect()
    }

    fn chars(word: &str) -> Vec<char> {
        word.chars().collect()
    }

    #[test]
    fn surnames_by_comma_script_and_patronymic() {
        assert_eq!(surname_words(&words("ivan ivanov"), None), ["ivanov"]);
        assert_eq!(surname_words(&words("ivanov ivan ivanovich"), None), ["ivanov"]);
        assert_eq!(surname_words(&words("ivan ivanovich ivanov"), None), ["ivanov"]);
        assert_eq!(
            surname_words(&words("garcia lopez maria"), Some(2)),
            ["garcia", "lopez"]
        );
        assert_eq!(surname_words(&words("zheng xiaolu"), None), ["zheng"]);
        assert!(surname_words(&words("ivanov"), None).is_empty());
        assert_eq!(
            listed_surname("Garcia Lopez, Maria", &words("garcia lopez maria")),
            ["garcia", "lopez"]
        );
        assert_eq!(listed_surname("Maria Garcia", &words("maria garcia")), ["garcia"]);
        assert_eq!(surname_words(&words("rami youssef al shami"), None), ["al", "shami"]);
        assert_eq!(surname_words(&words("al shami"), None), ["shami"]);
        assert_eq!(surname_in(&words("rosa castro"), &words("villegas")), Surname::Dropped);
        assert_eq!(
            surname_in(&words("rosa villegas"), &words("villegas")),
            Surname::At(0b10)
        );
        assert_eq!(surname_in(&words("rosa villegas"), &[]), Surname::Unknown);
    }

    #[test]
    fn a_patronymic_is_not_the_given_name_it_comes_from() {
        assert!(patronymic_of_other(&chars("timurovich"), &chars("timur")));
        assert!(patronymic_of_other(&chars("henadz"), &chars("henadzevich")));
        assert!(!patronymic_of_other(&chars("viktorovich"), &chars("viktorovych")));
        assert!(
            !patronymic_of_other(&chars("viktorovich"), &chars("viktorovic")),
            "a typo"
        );
        assert!(!patronymic_of_other(&chars("v"), &chars("viktorovich")), "an initial");
    }

    #[test]
    fn a_missing_surname_costs_only_when_the_rest_is_found() {
        assert_eq!(surname_differs(0.95, 1.0), 0.0);
        assert_eq!(surname_differs(0.0, 0.5), 0.0);
        assert!((surname_differs(0.0, 1.0) + SURNAME_DIFFERS).abs() < 1e-6);
        assert!(surname_differs(0.7, 1.0) > surname_differs(0.65, 1.0));
    }
}
