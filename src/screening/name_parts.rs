//! A person's name in parts. Listings and queries write given names, patronymics and
//! surnames in several orders, so names are aligned word by word whatever the order; where
//! the parts can be told apart, they are compared as such:
//! - A patronymic ("Timurovich", "Olehivna") is a word of its own: it never stands for the
//!   given name it is made from (`patronymic_of_other`, used by `distinct`), so a father's
//!   name does not pass for a person's own.
//! - A listed person's surname (`surname_place`): the words before a comma ("Ivanov, Ivan");
//!   the first word of a Chinese name (all syllables, the first one alone) or of a name
//!   that ends in its one patronymic ("Ivanov Ivan Ivanovich"); otherwise the last, its
//!   articles ("Al") counting for neither it nor the rest. When the query's words stand
//!   for the listed person's other words but none stands for the surname, the query names
//!   someone else of the same given name (`surname_differs`): a strong negative, beyond
//!   the surname's length.
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

/// Articles that belong to the surname after them ("Al Shami", "bin Laden"); the Romance
/// and Germanic ones ("de", "van") are stopwords, gone before this.
const PARTICLES: &str = "al bin ibn abu bint ould ter ten";
/// What follows a comma without being a given name ("Smith, Jr.").
const SUFFIXES: &str = "jr sr ii iii iv";

/// What a name scores less for each part its indexed form leaves out.
pub(crate) const DROPPED_PART: f32 = 0.02;
/// What a name scores less for each part a query's form leaves out: more than for a listed
/// name's optional part, as it sets aside a word the officer typed.
pub(crate) const QUERY_DROPPED_PART: f32 = 0.05;

/// What is taken off when nothing in the query stands for the listed surname: no word
/// pairs with it above the pair floor (`vocab::PAIR_FLOOR`; a word cut short by a stem,
/// "al" for "ali", is capped at the floor), so a misspelt or transliterated surname
/// ("Husein" / "Khuseyn") is still found.
const SURNAME_DIFFERS: f32 = 0.15;
/// The listed person's other words must be found this well for a missing surname to say
/// "someone else": a query that matches nothing well is no match anyway.
const OTHERS_FOUND: f32 = 0.9;

/// Whether a token is a patronymic: a given name with a patronymic ending.
pub(crate) fn is_patronymic(token: &str) -> bool {
    patronymic_shape(token.chars().rev(), token.len())
}

/// Whether a word of `len` letters, given last letter first, has a patronymic's shape
/// (one rule for `&str` and `&[char]` words, without building either from the other).
fn patronymic_shape(reversed: impl Iterator<Item = char> + Clone, len: usize) -> bool {
    let ends_with = |ending: &str| reversed.clone().take(ending.len()).eq(ending.chars().rev());
    len > 6 && PATRONYMIC_ENDINGS.iter().any(|e| ends_with(e))
}

/// Whether a token is an article of the surname after it.
fn is_article(token: &str) -> bool {
    PARTICLES.split(' ').any(|p| p == token)
}

/// Where a name's patronymic is, if it has one after its first word: the first such word
/// ("Roman Arkadyevich Abramovich": the other is the surname).
pub(crate) fn patronymic_at(tokens: &[String]) -> Option<usize> {
    (1..tokens.len()).find(|i| is_patronymic(&tokens[*i]))
}

/// Whether the patronymic-looking last word of `tokens` is the name's patronymic, not a
/// surname of that shape ("Ivanov Ivan Ivanovich", not "Viktor Fedorovych Yanukovych").
pub(crate) fn ends_in_patronymic(tokens: &[String]) -> bool {
    tokens.len() >= 2 && patronymic_at(tokens) == Some(tokens.len() - 1)
}

/// Whether one word is a patronymic and the other a shorter word that is not (the given
/// name it may be made from, or a surname): distinct words, however alike their letters.
/// A misspelt patronymic is about as long as the patronymic, an initial is left to the
/// initials rule.
pub(crate) fn patronymic_of_other(a: &[char], b: &[char]) -> bool {
    let one_way = |patronymic: &[char], other: &[char]| {
        other.len() > 1
            && other.len() + 3 <= patronymic.len()
            && patronymic_shape(patronymic.iter().rev().copied(), patronymic.len())
            && !patronymic_shape(other.iter().rev().copied(), other.len())
    };
    one_way(a, b) || one_way(b, a)
}

/// Where a listed person's surname is in the full form of their name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SurnamePlace {
    /// A one-word name, or not a person.
    Unknown,
    /// The first so many words: before a comma, or the first of a Chinese name or of a name
    /// that ends in its patronymic.
    First(usize),
    /// The last word.
    Last,
}

/// Where the surname is in a listed person's name `raw`, whose full form is `tokens`.
pub(crate) fn surname_place(raw: &str, tokens: &[String]) -> SurnamePlace {
    if tokens.len() < 2 {
        return SurnamePlace::Unknown;
    }
    let tokens_of = |text: &str| {
        let forms = super::text::name_forms(text, super::text::Dots::Initials);
        forms.into_iter().next().map(|f| f.tokens)
    };
    let given = |t: &String| !SUFFIXES.split(' ').any(|s| s == t);
    let before_comma = raw
        .split_once(',')
        .filter(|(_, after)| tokens_of(after).is_some_and(|t| t.iter().any(given)))
        .and_then(|(before, _)| tokens_of(before))
        .filter(|before| !before.is_empty() && before.len() < tokens.len() && tokens.starts_with(before));
    let chinese = super::romanization::pinyin_syllable(&tokens[0])
        && tokens.iter().all(|t| super::romanization::pinyin_syllables(t));
    match before_comma {
        Some(before) => SurnamePlace::First(before.len()),
        None if chinese || ends_in_patronymic(tokens) => SurnamePlace::First(1),
        None => SurnamePlace::Last,
    }
}

/// Where the last part of a name of several words starts: its last word and the particles
/// before it ("rami youssef al shami": 2), never the first word.
pub(crate) fn last_part_start(tokens: &[String]) -> usize {
    let last = tokens.len().saturating_sub(1);
    let particles = tokens[..last].iter().rev().take_while(|t| is_article(t)).count();
    last.saturating_sub(particles).max(1.min(last))
}

/// Which words of an indexed form are the listed person's surname.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Surname {
    /// Not a person, a one-word name, or a form in another script than the one the surname
    /// was read from.
    Unknown,
    /// The surname's tokens, and its articles' ("al"), as masks.
    At { words: u32, articles: u32 },
    /// The form leaves the surname out ("Rosa Castro" of "Rosa Castro Villegas").
    Dropped,
}

/// The listed person's surname in `form`, one of the forms of the name whose full form is
/// `full`: forms leave words out but keep their order, so the surname is there when the
/// form begins (or ends) as the full form does.
pub(crate) fn surname_in(form: &[String], full: &[String], place: SurnamePlace) -> Surname {
    let (form, full) = (&form[..form.len().min(32)], &full[..full.len().min(32)]);
    let words = match place {
        SurnamePlace::Unknown => return Surname::Unknown,
        SurnamePlace::First(n) if form.starts_with(&full[..n.min(full.len())]) => {
            ((1u64 << n.min(form.len())) - 1) as u32
        }
        SurnamePlace::Last if !form.is_empty() && form.last() == full.last() => 1 << (form.len() - 1),
        SurnamePlace::First(_) | SurnamePlace::Last => return Surname::Dropped,
    };
    let articles = form
        .iter()
        .enumerate()
        .filter(|(_, t)| is_article(t))
        .fold(0u32, |mask, (i, _)| mask | 1 << i);
    Surname::At {
        words,
        articles: articles & !words,
    }
}

/// What a name score loses when the query's words stand for the listed person's other
/// words (`others`: the best an aligned word of theirs scored) but not for the surname
/// (`surname`: the best an aligned surname word scored, zero if none was aligned, or if
/// the form leaves the surname out and the query has a word of its own in its place).
pub(crate) fn surname_differs(surname: f32, others: f32) -> f32 {
    if others < OTHERS_FOUND || surname > super::vocab::PAIR_FLOOR {
        return 0.0;
    }
    -SURNAME_DIFFERS
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
        let place = |raw: &str| {
            surname_place(
                raw,
                &super::super::text::name_forms(raw, super::super::text::Dots::Initials)[0].tokens,
            )
        };
        assert_eq!(place("Ivan Ivanov"), SurnamePlace::Last);
        assert_eq!(place("Ivanov Ivan Ivanovich"), SurnamePlace::First(1));
        assert_eq!(place("Ivan Ivanovich Ivanov"), SurnamePlace::Last);
        assert_eq!(
            place("Roman Arkadyevich Abramovich"),
            SurnamePlace::Last,
            "two patronymic shapes"
        );
        assert_eq!(place("Garcia Lopez, Maria"), SurnamePlace::First(2));
        assert_eq!(
            place("John Smith, Jr."),
            SurnamePlace::Last,
            "a suffix is no given name"
        );
        assert_eq!(place("Zheng Xiaolu"), SurnamePlace::First(1));
        assert_eq!(
            place("Maria Linda Chen"),
            SurnamePlace::Last,
            "\"maria\" is no one syllable"
        );
        assert_eq!(place("Ivanov"), SurnamePlace::Unknown);
    }

    #[test]
    fn a_form_has_the_surname_where_the_full_name_has_it() {
        let full = words("mohamed ahmed mohamed");
        assert_eq!(
            surname_in(&words("mohamed ahmed"), &full, SurnamePlace::Last),
            Surname::Dropped
        );
        let at = |words: u32, articles: u32| Surname::At { words, articles };
        assert_eq!(
            surname_in(&words("mohamed mohamed"), &full, SurnamePlace::Last),
            at(0b10, 0)
        );
        let full = words("rami youssef al shami");
        assert_eq!(surname_in(&full, &full, SurnamePlace::Last), at(0b1000, 0b100));
        assert_eq!(
            surname_in(&words("rami youssef shami"), &full, SurnamePlace::Last),
            at(0b100, 0)
        );
        let full = words("garcia lopez maria");
        assert_eq!(surname_in(&full, &full, SurnamePlace::First(2)), at(0b11, 0));
        assert_eq!(surname_in(&full, &full, SurnamePlace::Unknown), Surname::Unknown);
        assert_eq!(last_part_start(&words("rami youssef al shami")), 2);
        assert_eq!(last_part_start(&words("al shami")), 1);
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
        assert_eq!(surname_differs(0.82, 1.0), 0.0, "a variant of the surname");
        assert_eq!(surname_differs(0.0, 0.5), 0.0, "nothing else found either");
        assert_eq!(surname_differs(0.0, 1.0), -SURNAME_DIFFERS);
        let floor = super::super::vocab::PAIR_FLOOR;
        assert_eq!(surname_differs(floor, 1.0), -SURNAME_DIFFERS, "cut short");
    }
}
