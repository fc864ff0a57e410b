//! Name parts that a listing or a query often leaves out: a person's patronymic or middle
//! parts ("Anton Sedykh" for "Anton Viktorovich Sedykh"), the place a company's name
//! starts with ("Xingshan Instrument" for "Qingdao Xingshan Instrument"), a company's
//! descriptors ("Chunlong" for "Chunlong Equipment").
//! A listed name with such a part is also indexed without it, as one more form of the
//! same name, at a small cost per part left out (`name_parts::DROPPED_PART`). A query is
//! also screened without a person's middle parts or a company's leading place
//! (`query_forms`), but such a form never meets a shortened listed one; a company query's
//! descriptors stay (leaving them out found more added words and more look-alikes: worse
//! on balance).

use std::collections::HashSet;
use std::sync::LazyLock;

use super::EntityKind;
use super::legal_forms::is_function_word;
use super::name_parts::{
    Surname, SurnamePlace, ends_in_patronymic, is_patronymic, last_part_start, patronymic_at, surname_in, surname_place,
};
use super::places::leading_place;
use super::text::{Dots, NameForm, name_forms};

/// Words that say what a company does rather than which company it is: a listing or a
/// query often leaves one out ("Khazar Mehran" for "Khazar Mehran Trading").
const DESCRIPTORS: &str = "aerospace automation aviation chemical chemicals commercial components construction \
    development electronic electronics energy engineering enterprise enterprises equipment export general group \
    holding holdings import industrial industries industry instrument instruments international investment \
    logistics machinery manufacturing marine material materials optoelectronic optoelectronics petroleum \
    products semiconductor services shipping solutions supply systems technology technologies trade trading";

/// A company name cut down to one word keeps a word at least this long: shorter ones
/// are too easily another company's.
const MIN_SOLE_WORD: usize = 5;

/// At most this many shortened forms per listed name.
const MAX_SHORTENED: usize = 3;

/// One form under which a listed name is indexed.
#[derive(Debug)]
pub(crate) struct IndexedForm {
    pub form: NameForm,
    /// Which of its tokens are a person's surname.
    pub surname: Surname,
}

/// The forms a listed name `raw` is indexed under: its own (`text::name_forms`), then the
/// Latin one without its optional parts.
pub(crate) fn indexed_forms(raw: &str, entity: EntityKind) -> Vec<IndexedForm> {
    let dots = match entity {
        EntityKind::Person => Dots::Initials,
        _ => Dots::Join,
    };
    let forms = name_forms(raw, dots);
    let Some(full) = forms.first() else {
        return Vec::new();
    };
    let place = match entity {
        EntityKind::Person => surname_place(raw, &full.tokens),
        _ => SurnamePlace::Unknown,
    };
    let shorter = without_optional_parts(full, entity, surname_words(place));
    let latin = |form: NameForm| IndexedForm {
        surname: surname_in(&form.tokens, &full.tokens, place),
        form,
    };
    // The surname was read from the Latin form: another script's form does not say.
    let other_script = forms.iter().skip(1).cloned().map(|form| IndexedForm {
        surname: Surname::Unknown,
        form,
    });
    let latin_forms = std::iter::once(full.clone()).chain(shorter).map(latin);
    latin_forms.chain(other_script).collect()
}

/// The forms a query name `raw` is screened under: its own (`text::name_forms`); for a
/// person, also the Latin one without its middle parts ("George Smith" for "George Joseph
/// Smith", "Sedykh Anton" for "Sedykh Anton Viktorovich"), and a Chinese name without a
/// Western given name before it ("Cao Chaoxiu" for "Tony Cao Chaoxiu"); for a company (or
/// a query of unknown kind), without a place it begins with ("Hawk Unity Group" for
/// "Rotterdam Hawk Unity Group"). A shortened query form meets only whole listed forms of
/// no more words (`Index::score_into`): shortened both ways, or against a listed name's
/// own middle part, two names may have no more than a given name and a surname in common.
pub(crate) fn query_forms(raw: &str, entity: Option<EntityKind>) -> Vec<NameForm> {
    let mut forms = match entity {
        Some(EntityKind::Person) => name_forms(raw, Dots::Initials),
        Some(_) => name_forms(raw, Dots::Join),
        // A query of unknown kind is read as a person's too where its dots glued letters
        // into a word that stayed ("vt" of "Patrushev V.T.") or an initial went as a
        // function word ("Y."), not where they spelt a legal form that went ("S.A."):
        // single letters meet many names, and cost time.
        None => {
            let mut forms = name_forms(raw, Dots::Join);
            let initials = name_forms(raw, Dots::Initials).into_iter().next();
            let differs = |f: &NameForm| {
                forms.first().is_some_and(|joined| {
                    joined.tokens.iter().any(|t| !f.tokens.contains(t))
                        || f.tokens
                            .iter()
                            .any(|t| is_function_word(t) && !joined.tokens.contains(t))
                })
            };
            forms.extend(initials.filter(differs));
            forms
        }
    };
    let Some(latin) = forms.first() else {
        return forms;
    };
    let tokens = &latin.tokens;
    let shorter = match entity {
        // A hyphen joins the syllables of a Korean or Chinese given name ("Hee-ho"), or
        // an article to its surname: neither is a part to leave out.
        Some(EntityKind::Person) if !raw.contains('-') => {
            person_without_middle(tokens, surname_words(surname_place(raw, tokens)))
        }
        Some(EntityKind::Organisation) | None if tokens.len() >= 2 && leading_place(&tokens[0]) => {
            vec![tokens[1..].to_vec()]
        }
        _ => Vec::new(),
    };
    let shorter: Vec<NameForm> = shorter
        .into_iter()
        .map(|kept| NameForm {
            dropped: (tokens.len() - kept.len()) as u8,
            tokens: kept,
            abjad: latin.abjad,
        })
        .collect();
    forms.extend(shorter);
    forms
}

/// How many words a name begins with that are its surname (`SurnamePlace::First`).
fn surname_words(place: SurnamePlace) -> usize {
    match place {
        SurnamePlace::First(n) => n,
        SurnamePlace::Unknown | SurnamePlace::Last => 0,
    }
}

/// A person's name read given name first: the rules for a person's parts are written for
/// that order, and a name that begins with its `surname_words` ("Garcia Lopez, Maria")
/// would otherwise lose its given name as if it were a second surname. For each of the
/// name's words, its position in that order.
fn given_name_first(tokens: &[String], surname_words: usize) -> (Vec<String>, impl Fn(usize) -> usize) {
    let (len, n) = (tokens.len(), surname_words.min(tokens.len()));
    let reordered = [&tokens[n..], &tokens[..n]].concat();
    (reordered, move |i: usize| (i + len - n) % len.max(1))
}

/// A person's name `tokens` without its middle parts, and a Chinese name without a Western
/// given name before it; the words kept stay in the name's own order.
fn person_without_middle(tokens: &[String], surname_words: usize) -> Vec<Vec<String>> {
    let pinyin = |t: &String| super::romanization::pinyin_syllables(t);
    let (given_first, position) = given_name_first(tokens, surname_words);
    let keep = |kept: &dyn Fn(usize) -> bool| -> Vec<String> {
        let kept_words = tokens.iter().enumerate().filter(|(i, _)| kept(position(*i)));
        kept_words.map(|(_, t)| t.clone()).collect()
    };
    let (last, len) = (last_part_start(&given_first), tokens.len());
    let mut shorter: Vec<Vec<String>> = Vec::new();
    // Not when what follows the first word is a Chinese name (next rule).
    if last >= 2 && !given_first[1..].iter().all(pinyin) {
        shorter.push(match ends_in_patronymic(&given_first) {
            true => keep(&|at| at + 1 < len),
            false => keep(&|at| at == 0 || at >= last),
        });
    }
    if len >= 3 && !pinyin(&given_first[0]) && given_first[1..].iter().all(pinyin) {
        shorter.push(keep(&|at| at >= 1));
    }
    shorter
}

/// Shorter forms of a listed name's `form`: without a patronymic or a leading
/// place; a person's name of three parts or more without its middle parts (a second
/// given name, a father's name: "Omar Shehadeh" for "Omar Suleiman Nabil Shehadeh"), its
/// last part (a second surname: "Rosa Castro" for "Rosa Castro Villegas") or the article
/// of its surname ("Rami Shami" for "Rami Al Shami"); a company's name without its
/// descriptors, or one of them. A person's name that begins with its `surname_words` is
/// read given name first (`given_name_first`).
pub(crate) fn without_optional_parts(form: &NameForm, entity: EntityKind, surname_words: usize) -> Vec<NameForm> {
    let tokens = &form.tokens;
    // Three tokens at least ("Ivanovich" alone, or with one other token, is the name),
    // but for a company's descriptor.
    if tokens.len() < 2 || (tokens.len() < 3 && entity == EntityKind::Person) {
        return Vec::new();
    }
    let patronymic = |t: &String| is_patronymic(t);
    let place = |t: &String| leading_place(t);
    let without = |drop: &dyn Fn(usize, &String) -> bool| -> Vec<String> {
        tokens
            .iter()
            .enumerate()
            .filter(|(i, t)| !drop(*i, t))
            .map(|(_, t)| t.clone())
            .collect()
    };
    let mut shorter = Vec::new();
    if tokens.len() >= 3 {
        // The patronymic only: in "Roman Arkadyevich Abramovich" the other is the surname.
        let patronymic_at = patronymic_at(tokens);
        shorter.push(without(&|i, t| Some(i) == patronymic_at || (i == 0 && place(t))));
    }
    // Not for Chinese names: their three syllables are a surname and one given name.
    let chinese = tokens.iter().all(|t| super::romanization::pinyin_syllables(t));
    let (given_first, at) = given_name_first(tokens, surname_words);
    let (last, len) = (last_part_start(&given_first), tokens.len());
    let person = entity == EntityKind::Person && !chinese && !tokens.iter().any(patronymic);
    if person && last + 1 < len {
        // The article of a surname ("Al Shami" as "Shami").
        shorter.push(without(&|i, _| at(i) >= last && at(i) + 1 < len));
    }
    if person && last >= 2 {
        // Given name and surname; then without the last part (a second surname); then,
        // for longer names, without all middle parts but the first.
        shorter.push(without(&|i, _| at(i) != 0 && at(i) < last));
        shorter.push(without(&|i, _| at(i) >= last));
        shorter.push(without(&|i, _| at(i) > 1 && at(i) < last));
    }
    let company = entity != EntityKind::Person;
    if company {
        shorter.push(without(&|_, t| descriptor(t)));
        for (at, _) in tokens.iter().enumerate().filter(|(_, t)| descriptor(t)) {
            shorter.push(without(&|i, _| i == at));
        }
    }
    let mut forms: Vec<NameForm> = Vec::new();
    for tokens in shorter {
        let new =
            enough(&tokens, company) && tokens.len() < form.tokens.len() && forms.iter().all(|f| f.tokens != tokens);
        if new && forms.len() < MAX_SHORTENED {
            forms.push(NameForm {
                dropped: (form.tokens.len() - tokens.len()) as u8,
                tokens,
                abjad: form.abjad,
            });
        }
    }
    forms
}

fn descriptor(token: &str) -> bool {
    static SET: LazyLock<HashSet<&'static str>> = LazyLock::new(|| DESCRIPTORS.split_whitespace().collect());
    SET.contains(token)
}

/// Whether a shortened form is still a name: two tokens, or a company's one long word
/// that is not itself a descriptor or a place.
fn enough(tokens: &[String], company: bool) -> bool {
    match tokens {
        [word] => company && word.chars().count() >= MIN_SOLE_WORD && !descriptor(word) && !leading_place(word),
        _ => tokens.len() >= 2,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shortened_as(name: &str, entity: EntityKind) -> Vec<String> {
        let form = NameForm {
            tokens: name.split(' ').map(str::to_owned).collect(),
            abjad: false,
            dropped: 0,
        };
        without_optional_parts(&form, entity, 0)
            .into_iter()
            .map(|f| f.tokens.join(" "))
            .collect()
    }

    fn shortened(name: &str) -> Option<String> {
        shortened_as(name, EntityKind::Unknown).into_iter().next()
    }

    #[test]
    fn a_persons_query_is_also_screened_without_its_middle_parts() {
        let forms = |raw: &str, entity: EntityKind| -> Vec<(String, u8)> {
            let forms = query_forms(raw, Some(entity)).into_iter();
            forms.map(|f| (f.tokens.join(" "), f.dropped)).collect()
        };
        let person = EntityKind::Person;
        assert_eq!(
            forms("George Joseph Smith", person),
            [("george joseph smith".into(), 0), ("george smith".into(), 1)]
        );
        assert_eq!(forms("Sedykh Anton Viktorovich", person)[1], ("sedykh anton".into(), 1));
        assert_eq!(
            forms("Tony Cao Chaoxiu", person)[1..],
            [("cao chaoxiu".into(), 1)],
            "the Chinese surname stays"
        );
        assert_eq!(
            forms("Roman Arkadyevich Abramovich", person)[1],
            ("roman abramovich".into(), 1)
        );
        assert_eq!(forms("Bae Hye-gyeong", person).len(), 1, "one given name, hyphenated");
        assert_eq!(forms("Zhang Xiao Ping", person).len(), 1);
        assert_eq!(forms("Alpha Beta Trading", EntityKind::Organisation).len(), 1);
        assert_eq!(query_forms("George Joseph Smith", None).len(), 1, "maybe a company");
        let company = forms("Rotterdam Hawk Unity Group", EntityKind::Organisation);
        assert_eq!(company[1..], [("hawk unity group".into(), 1)]);
        assert_eq!(query_forms("Samara Uralenergomash", None).len(), 2);
        assert_eq!(forms("Samara Petrova", person).len(), 1, "a person's first word stays");
    }

    #[test]
    fn a_name_written_surname_first_keeps_its_given_name() {
        let person = EntityKind::Person;
        let listed = |raw: &str| -> Vec<String> {
            let forms = indexed_forms(raw, person).into_iter().skip(1);
            forms.map(|f| f.form.tokens.join(" ")).collect()
        };
        // As "John Robert Smith" and "Maria Garcia Lopez" are shortened, in their own order.
        assert_eq!(listed("Smith, John Robert"), ["smith john", "john robert"]);
        assert_eq!(listed("Garcia Lopez, Maria"), ["lopez maria", "garcia maria"]);
        let query = query_forms("Smith, John Robert", Some(person));
        assert_eq!(query[1].tokens.join(" "), "smith john");
    }

    #[test]
    fn patronymics_and_leading_places_are_optional() {
        assert_eq!(shortened("anton viktorovich sedykh").as_deref(), Some("anton sedykh"));
        assert_eq!(shortened("sedykh anton viktorovich").as_deref(), Some("sedykh anton"));
        assert_eq!(shortened("taras olehovych holovko").as_deref(), Some("taras holovko"));
        assert_eq!(
            shortened("qingdao xingshan instrument").as_deref(),
            Some("xingshan instrument")
        );
        assert_eq!(shortened("anton sedykh"), None, "two tokens are the name");
        assert_eq!(shortened("ivanovich steel works"), None, "a first token stays");
        assert_eq!(shortened("xingshan qingdao precision"), None, "only a leading place");
        assert_eq!(
            shortened_as("rosa castro villegas", EntityKind::Person),
            ["rosa villegas", "rosa castro"]
        );
        assert_eq!(
            shortened_as("omar suleiman nabil shehadeh", EntityKind::Person),
            ["omar shehadeh", "omar suleiman nabil", "omar suleiman shehadeh"]
        );
        assert_eq!(
            shortened_as("rami youssef al shami", EntityKind::Person),
            ["rami youssef shami", "rami al shami", "rami youssef"]
        );
        assert!(shortened_as("zhang xiao ping", EntityKind::Person).is_empty());
        assert_eq!(
            shortened_as("khazar mehran trading", EntityKind::Organisation),
            ["khazar mehran"]
        );
        assert_eq!(
            shortened_as("anjia import export", EntityKind::Organisation),
            ["anjia", "anjia export", "anjia import"]
        );
        assert_eq!(
            shortened_as("chunlong equipment", EntityKind::Organisation),
            ["chunlong"]
        );
        let short = shortened_as("zeta equipment", EntityKind::Organisation);
        assert!(short.is_empty(), "too short alone: {short:?}");
        let short = shortened_as("beijing aerospace", EntityKind::Organisation);
        assert!(short.is_empty(), "a place or a descriptor alone is no name: {short:?}");
        assert!(shortened_as("sergei ivanovich", EntityKind::Unknown).is_empty());
        assert!(shortened_as("anton sedykh", EntityKind::Person).is_empty());
    }
}
