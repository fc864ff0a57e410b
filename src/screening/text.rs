//! Name normalization: folding, transliteration, tokenization (legal forms and stopwords go in
//! `legal_forms`); identifier and country cleanup.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Longer tokens are truncated: real name tokens are far shorter, and it bounds Jaro-Winkler work.
pub(crate) const MAX_TOKEN_CHARS: usize = 32;
/// Names with more tokens are truncated, which keeps alignment cheap.
pub(crate) const MAX_TOKENS: usize = 16;

/// One tokenized spelling of a name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameForm {
    pub tokens: Vec<String>,
    /// Transliterated from an abjad (Arabic, Hebrew): short vowels are missing, so consonant skeletons
    /// are compared too.
    pub abjad: bool,
    /// How many of the name's parts this form leaves out (`optional_parts`).
    pub dropped: u8,
}

/// How a letter written with its dot is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dots {
    /// Joined with the letters around it, as in a company's legal form or acronym
    /// ("S.p.A." is "spa", "J.P. Morgan" "jp morgan").
    Join,
    /// An initial of its own, as in a person's name ("Patrushev V.T." is "patrushev v t";
    /// the "Y." of "Y. Rustamovna Levina" is no Spanish "y").
    Initials,
}

/// The Latin form of a name, plus its original-script form when that differs.
pub(crate) fn name_forms(raw: &str, dots: Dots) -> Vec<NameForm> {
    // Most names are plain ASCII: transliterating and folding them only lowercases, and
    // their original form is their Latin one. (Unicode normalization was most of the cost
    // of indexing a record.)
    if raw.is_ascii() {
        let tokens = tokenize(&raw.to_ascii_lowercase(), dots);
        if tokens.is_empty() {
            return Vec::new();
        }
        return vec![NameForm {
            tokens,
            abjad: false,
            dropped: 0,
        }];
    }
    any_name_forms(raw, dots)
}

/// `name_forms` for a name in any script. A name in Han or Hangul has its Latin form only:
/// written as it is, a run of syllables would be one token, in which two companies that
/// differ in one syllable of ten look nearly equal.
fn any_name_forms(raw: &str, dots: Dots) -> Vec<NameForm> {
    let syllabic = raw.chars().any(is_syllabic);
    let (raw_english, company) = if syllabic {
        super::chinese_terms::in_english(raw)
    } else {
        (raw.to_string(), false)
    };
    let spelled = transliterate(&raw_english, company);
    let latin = NameForm {
        tokens: tokenize(&fold(&spelled), dots),
        abjad: raw.chars().any(is_abjad),
        dropped: 0,
    };
    let original = NameForm {
        tokens: if syllabic {
            Vec::new()
        } else {
            tokenize(&fold(raw), dots)
        },
        abjad: false,
        dropped: 0,
    };
    let mut forms = Vec::with_capacity(2);
    if !latin.tokens.is_empty() {
        forms.push(latin);
    }
    if !original.tokens.is_empty() && forms.iter().all(|f| f.tokens != original.tokens) {
        forms.push(original);
    }
    forms
}

/// NFKD, combining marks (diacritics) dropped, lowercased.
pub(crate) fn fold(s: &str) -> String {
    s.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Latin transliteration. Han and Hangul characters are syllables, so they are spaced apart to give
/// pinyin-like tokens ("王伟" -> "wang wei") instead of one glued word; in a company's name
/// (`han_company`) a run of Han syllables is one word, as listings write a brand ("Songtao").
fn transliterate(raw: &str, han_company: bool) -> String {
    let mut out = String::with_capacity(raw.len() + 8);
    let mut previous = ' ';
    let mut han_run: Vec<String> = Vec::new();
    let persian = super::arabic::is_persian(raw);
    // NFKC: Arabic presentation forms (and other compatibility characters) to their letters.
    let mut chars = raw.nfkc().peekable();
    while let Some(c) = chars.next() {
        if han_company && is_han(c) {
            han_run.push(any_ascii::any_ascii_char(c).to_lowercase());
            continue;
        }
        if !han_run.is_empty() {
            push_word(&mut out, &std::mem::take(&mut han_run).concat());
        }
        // The Arabic article is written glued ("الحسن"); split it as Latin spellings do ("al-Hassan").
        if c == '\u{0627}' && chars.peek() == Some(&'\u{0644}') && !previous.is_alphanumeric() {
            chars.next();
            out.push_str("al ");
            previous = 'l';
            continue;
        }
        let before = std::mem::replace(&mut previous, c);
        if c.is_ascii() {
            out.push(c);
        } else if let Some(latin) = super::arabic::is_arabic(c)
            .then(|| super::arabic::spell(c, Some(before), chars.peek().copied(), persian))
            .flatten()
        {
            out.push_str(latin);
        } else if is_syllabic(c) {
            out.push(' ');
            out.push_str(any_ascii::any_ascii_char(c));
            out.push(' ');
        } else {
            out.push_str(any_ascii::any_ascii_char(c));
        }
    }
    push_word(&mut out, &han_run.concat());
    out
}

fn push_word(out: &mut String, word: &str) {
    if !word.is_empty() {
        out.push(' ');
        out.push_str(word);
        out.push(' ');
    }
}

fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Han or Hangul.
fn is_syllabic(c: char) -> bool {
    is_han(c) || matches!(c, '\u{AC00}'..='\u{D7AF}')
}

fn is_abjad(c: char) -> bool {
    matches!(c, '\u{0590}'..='\u{05FF}' | '\u{0600}'..='\u{06FF}' | '\u{0750}'..='\u{077F}'
        | '\u{FB1D}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
}

/// Splits on anything but letters and digits. Dots and apostrophes join ("S.p.A." -> "spa",
/// "O'Brien" -> "obrien"), but in a person's name a letter with its dot is an initial
/// (`Dots`). Abbreviations are expanded ("trdg" -> "trading"). Stopwords and legal forms
/// are dropped unless nothing else remains; initials are never taken for stopwords.
fn tokenize(folded: &str, dots: Dots) -> Vec<String> {
    let mut tokens: Vec<String> = Vec::new();
    let mut initials: Vec<bool> = Vec::new();
    for (word, initial) in words(folded, dots) {
        let expanded = if initial {
            word.as_str()
        } else {
            super::abbreviations::expand(&word)
        };
        for mut token in expanded.split(' ').map(str::to_owned) {
            if let Some((cut, _)) = token.char_indices().nth(MAX_TOKEN_CHARS) {
                token.truncate(cut);
            }
            tokens.push(token);
            initials.push(initial);
        }
    }
    let kept = super::legal_forms::without_legal_forms(&tokens, &initials);
    let mut tokens: Vec<String> = if kept.is_empty() { tokens } else { kept };
    tokens.iter_mut().for_each(respell_german_slavic);
    tokens.truncate(MAX_TOKENS);
    tokens
}

/// A Slavic name in German romanization ("Walerjewitsch", "Kudrjawzew", "Gerasimowa")
/// respelt as English romanization writes it ("valeryevich", "kudryavtsev",
/// "gerasimova"), on both sides of every comparison: letter by letter the two spellings
/// are too far apart for Jaro-Winkler. Only tokens with a German-Slavic ending or "tsch".
fn respell_german_slavic(token: &mut String) {
    const ENDINGS: [&str; 7] = ["witsch", "wna", "ow", "ew", "owa", "ewa", "jew"];
    let german = token.contains("tsch") || (token.len() >= 5 && ENDINGS.iter().any(|e| token.ends_with(e)));
    if !german || !token.is_ascii() {
        return;
    }
    *token = token
        .replace("schtsch", "shch")
        .replace("tsch", "ch")
        .replace("sch", "sh")
        .replace('w', "v")
        .replace('j', "y")
        .replace('z', "ts");
}

/// The words of a folded name, each with whether it is an initial: with `Dots::Initials`,
/// a letter followed by its dot, or one that follows an initial's dot directly and ends
/// the word without one ("V.T" as "V.T.").
fn words(folded: &str, dots: Dots) -> Vec<(String, bool)> {
    let mut words: Vec<(String, bool)> = Vec::new();
    let mut current = String::new();
    let mut letters = 0;
    // Whether `current` began right after an initial's dot.
    let mut after_initial = false;
    let mut previous_was_initial_dot = false;
    for c in folded.chars() {
        let initial_dot =
            dots == Dots::Initials && c == '.' && letters == 1 && current.chars().all(char::is_alphabetic);
        if c.is_alphanumeric() {
            if current.is_empty() {
                after_initial = previous_was_initial_dot;
            }
            current.push(c);
            letters += 1;
        } else if initial_dot {
            words.push((std::mem::take(&mut current), true));
            letters = 0;
        } else if !is_joiner(c) && !current.is_empty() {
            let initial = after_initial && letters == 1;
            words.push((std::mem::take(&mut current), initial));
            letters = 0;
        }
        previous_was_initial_dot = initial_dot;
    }
    if !current.is_empty() {
        let initial = after_initial && letters == 1;
        words.push((current, initial));
    }
    words
}

fn is_joiner(c: char) -> bool {
    matches!(c, '.' | '\'' | '’' | '`' | 'ʼ' | 'ʻ' | 'ʿ' | 'ʾ')
}

/// Uppercase letters and digits only; `None` when too short to be a trustworthy identifier.
pub(crate) fn normalize_identifier(raw: &str) -> Option<String> {
    let value = match raw.split_once(':') {
        Some((tag, value)) if !tag.is_empty() && tag.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => value,
        _ => raw,
    };
    let mut clean: String = fold(value)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect();
    // "IMO 9187629" and "9187629" are the same vessel.
    if let Some(digits) = clean.strip_prefix("IMO")
        && digits.len() == 7
        && digits.chars().all(|c| c.is_ascii_digit())
    {
        clean = digits.to_string();
    }
    (clean.chars().count() >= 4).then_some(clean)
}

pub(crate) fn normalize_country(raw: &str) -> String {
    raw.trim().to_ascii_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn german_romanizations_of_slavic_names_are_respelt() {
        for (german, english) in [
            ("walerjewitsch", "valeryevich"),
            ("kudrjawzew", "kudryavtsev"),
            ("gerasimowa", "gerasimova"),
            ("jurjewna", "yuryevna"),
        ] {
            let mut token = german.to_string();
            respell_german_slavic(&mut token);
            assert_eq!(token, english);
        }
        let mut other = "jorge".to_string();
        respell_german_slavic(&mut other);
        assert_eq!(other, "jorge", "no German-Slavic ending: left alone");
    }

    fn latin(raw: &str) -> Vec<String> {
        name_forms(raw, Dots::Join)
            .into_iter()
            .next()
            .map(|f| f.tokens)
            .unwrap_or_default()
    }

    #[test]
    fn ascii_names_take_a_shortcut_to_the_same_forms() {
        for raw in [
            "Alpha Trading Co., Ltd.",
            "O'Brien & Sons (UK) LIMITED",
            "S.p.A. Fratelli Rossi",
            "The Company",
            "  ...  ",
            "",
            "A-1 INTERNATIONAL\tHOLDINGS\n#42 ~`^|",
            "Al-Hassan Bin Ali",
            "AVERYLONGTOKENTHATGOESPASTTHIRTYTWOCHARACTERS x",
        ] {
            assert_eq!(name_forms(raw, Dots::Join), any_name_forms(raw, Dots::Join), "{raw:?}");
        }
    }

    #[test]
    fn folds_diacritics_and_case() {
        assert_eq!(latin("José  MÜLLER-Şahin"), ["jose", "muller", "sahin"]);
    }

    #[test]
    fn drops_legal_forms_and_dots() {
        assert_eq!(latin("Alpha Trading Co., Ltd."), ["alpha", "trading"]);
        assert_eq!(latin("Fratelli Rossi S.p.A."), ["fratelli", "rossi"]);
        assert_eq!(latin("ООО «Ромашка»"), ["romashka"]);
    }

    #[test]
    fn drops_baltic_polish_and_free_zone_legal_forms() {
        assert_eq!(latin("Baltic Amber SIA"), ["baltic", "amber"]);
        assert_eq!(latin("UAB \"Vilniaus Prekyba\""), ["vilniaus", "prekyba"]);
        assert_eq!(latin("Nordic Trade OÜ"), ["nordic", "trade"]);
        assert_eq!(
            latin("Ou Yang Ming"),
            ["ou", "yang", "ming"],
            "a leading Ou is a surname"
        );
        assert_eq!(latin("Polimex Sp. z o.o."), ["polimex"]);
        assert_eq!(latin("Polimex Sp.z.o.o."), ["polimex"]);
        assert_eq!(latin("Gulf Star DMCC"), ["gulf", "star"]);
        assert_eq!(latin("Gulf Star FZ-LLC"), ["gulf", "star"]);
        assert_eq!(latin("Gulf Star FZCO"), ["gulf", "star"]);
        assert_eq!(latin("Z Kim"), ["z", "kim"], "a lone Z is an initial");
    }

    #[test]
    fn keeps_stopwords_when_nothing_else_remains() {
        assert_eq!(latin("The Company"), ["the", "company"]);
    }

    #[test]
    fn keeps_original_script_form() {
        let forms = name_forms("Владимир Путин", Dots::Join);
        assert_eq!(forms.len(), 2);
        assert_eq!(forms[0].tokens, ["vladimir", "putin"]);
        assert_eq!(forms[1].tokens, ["владимир", "путин"]);
    }

    #[test]
    fn spaces_han_syllables() {
        assert_eq!(latin("王伟"), ["wang", "wei"]);
    }

    #[test]
    fn flags_abjad_and_splits_the_article() {
        assert!(name_forms("محمد حسن", Dots::Join)[0].abjad);
        assert_eq!(latin("محمد الحسن"), ["mhmd", "al", "hsn"]);
        assert_eq!(latin("نبيل قاسم"), ["nbil", "qasm"]);
        assert!(!name_forms("Mohammed Hassan", Dots::Join)[0].abjad);
    }

    #[test]
    fn normalizes_identifiers() {
        assert_eq!(normalize_identifier("PASSPORT:ab 12-34.5"), Some("AB12345".into()));
        assert_eq!(normalize_identifier("IMO 9187629"), Some("9187629".into()));
        assert_eq!(normalize_identifier("12"), None);
    }
}
