//! Arabic-script names (Arabic and Persian) in Latin letters as listings spell them:
//! long vowels as vowels ("نبيل" as "nbil", near "Nabil"/"Nabeel"), alif as "a", ayn as
//! the "a" most spellings give it ("عبد" as "abd", "سعيد" as "said"), ta marbuta as "a"
//! ("حمزة" as "hmza"), and Persian values where the name is Persian ("ظ" and "ض" as "z":
//! "Kazem", "Morteza"). Short vowels are not written and stay missing: consonant
//! skeletons (`phonetic`) compare what is left.

/// Letters only Persian (and Urdu) writes: a name with one is read the Persian way.
const PERSIAN_LETTERS: [char; 6] = ['\u{06CC}', '\u{06A9}', '\u{067E}', '\u{0686}', '\u{0698}', '\u{06AF}'];

/// Whether `c` is a letter or mark of the Arabic script this module spells.
pub(crate) fn is_arabic(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{06FF}')
}

/// Whether `raw` is written the Persian way.
pub(crate) fn is_persian(raw: &str) -> bool {
    raw.chars().any(|c| PERSIAN_LETTERS.contains(&c))
}

/// The Latin spelling of `c`, given the characters around it (`None` at the name's edges);
/// `None` for what this module does not spell (digits, Urdu letters), left to `any_ascii`.
pub(crate) fn spell(c: char, previous: Option<char>, next: Option<char>, persian: bool) -> Option<&'static str> {
    let initial = previous.is_none_or(|p| !is_arabic(p));
    // Next to an alif, waw and ya are consonants ("Marwan", "Ziyad", "Ayman").
    let by_alif = previous == Some('\u{0627}') || next == Some('\u{0627}');
    let latin = match c {
        '\u{0627}' | '\u{0622}' | '\u{0623}' | '\u{0649}' | '\u{0629}' => "a",
        '\u{0625}' | '\u{0626}' => "i",
        '\u{0624}' => "u",
        '\u{0628}' => "b",
        '\u{062A}' | '\u{0637}' => "t",
        '\u{062B}' if persian => "s",
        '\u{062B}' => "th",
        '\u{062C}' => "j",
        '\u{062D}' | '\u{0647}' => "h",
        '\u{062E}' => "kh",
        '\u{062F}' => "d",
        '\u{0630}' if persian => "z",
        '\u{0630}' => "dh",
        '\u{0631}' => "r",
        '\u{0632}' | '\u{0638}' => "z",
        '\u{0633}' | '\u{0635}' => "s",
        '\u{0634}' => "sh",
        '\u{0636}' if persian => "z",
        '\u{0636}' => "d",
        '\u{0639}' => "a",
        '\u{063A}' => "gh",
        '\u{0641}' => "f",
        '\u{0642}' => "q",
        '\u{0643}' | '\u{06A9}' => "k",
        '\u{0644}' => "l",
        '\u{0645}' => "m",
        '\u{0646}' => "n",
        '\u{0648}' if initial || by_alif => {
            if persian {
                "v"
            } else {
                "w"
            }
        }
        '\u{0648}' => "u",
        '\u{064A}' | '\u{06CC}' if initial || by_alif => "y",
        '\u{064A}' | '\u{06CC}' => "i",
        '\u{067E}' => "p",
        '\u{0686}' => "ch",
        '\u{0698}' => "zh",
        '\u{06AF}' => "g",
        '\u{064E}' => "a",
        '\u{064F}' => "u",
        '\u{0650}' => "i",
        // Hamza alone, tanwin, shadda, sukun, tatweel: nothing.
        '\u{0621}' | '\u{064B}'..='\u{064D}' | '\u{0651}' | '\u{0652}' | '\u{0640}' => "",
        _ => return None,
    };
    Some(latin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spelled(word: &str) -> String {
        let chars: Vec<char> = word.chars().collect();
        let persian = is_persian(word);
        (0..chars.len())
            .map(|i| {
                let previous = i.checked_sub(1).map(|p| chars[p]);
                spell(chars[i], previous, chars.get(i + 1).copied(), persian).unwrap_or("?")
            })
            .collect()
    }

    #[test]
    fn long_vowels_alif_and_ayn_are_spelled_as_listings_do() {
        assert_eq!(spelled("نبيل"), "nbil");
        assert_eq!(spelled("قاسم"), "qasm");
        assert_eq!(spelled("محمود"), "mhmud");
        assert_eq!(spelled("حمزة"), "hmza");
        assert_eq!(spelled("عبد"), "abd");
        assert_eq!(spelled("ياسين"), "yasin");
        assert_eq!(spelled("مروان"), "mrwan");
        assert_eq!(spelled("٣"), "?", "digits are left to any_ascii");
    }

    #[test]
    fn persian_names_take_persian_values() {
        assert_eq!(spelled("کاظم"), "kazm");
        assert_eq!(spelled("مرتضی"), "mrtzi", "a final ye is read \"i\", as it mostly is");
        assert_eq!(spelled("وحیدی"), "vhidi");
    }
}
