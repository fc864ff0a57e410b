//! Legal forms, function words, titles and "International": dropped from every name (listed or queried)
//! before comparison, as they tell nothing about which party a name is. Legal forms come
//! abbreviated ("OOO", "S.A.", "Sp. z o.o.") or spelled out ("Obshchestvo s
//! ogranichennoy otvetstvennostyu", "Sociedad Anonima", "Aktiengesellschaft"); both go,
//! so a spelled-out form meets its abbreviation on the name alone.

use std::collections::HashSet;
use std::sync::LazyLock;

use super::romanization::{chinese_marked, pinyin_syllable, pinyin_syllables};

/// Legal forms as their abbreviations fold (lowercase, dots joined: "S.A." is "sa").
const ABBREVIATED: &str = "\
    llc ltd limited inc incorporated corp corporation co company plc llp lp pte pty pvt private public \
    liability joint stock \
    ooo zao oao pao ao jsc cjsc ojsc pjsc prjsc pjs ip tov pat too ооо зао оао пао ао ип тов пат нао тоо \
    gmbh ag kg ohg ug mbh bv nv vof ab as asa aps oy oyj \
    sa sas sarl sasu eurl spa srl sl sll ltda cv sapi snc sc \
    se kft zrt sro zoo doo dd ad ood eood bhd sdn tbk fze fzco fzc fzllc dmcc sia uab spzoo wll spc \
    est establishment sharikat sherkat sirketi anonim sti kk yk \
    mv mt mts ss";

/// The words of legal forms written out, in the spellings romanization commonly gives
/// them: Russian and Kazakh (OOO, ZAO, OAO, PAO, TOO), Ukrainian (TOV, PAT, PP),
/// German, Dutch, Romance, Polish, Czech, Baltic and Estonian forms. None of them is a
/// name on its own.
const SPELLED_OUT: &str = "\
    obshchestvo obschestvo obshestvo obshhestvo obshchestva aktsionernoye aktsionernoe akcionernoe \
    aktsionernoi zakrytoye zakrytoe otkrytoye otkrytoe publichnoye publichnoe nepublichnoye \
    ogranichennoy ogranichennoi ogranichennoj otvetstvennostyu otvetstvennostiu otvetstvennostju \
    tovarishchestvo tovarishestvo tovarystvo obmezhenoyu obmezhenoiu vidpovidalnistyu \
    vidpovidalnistiu aktsionerne pryvatne pidpryiemstvo pidpryyemstvo \
    общество ограниченной ответственностью акционерное закрытое открытое публичное \
    непубличное товарищество товариство обмеженою відповідальністю акціонерне приватне \
    aktiengesellschaft gesellschaft beschrankter haftung kommanditgesellschaft \
    besloten vennootschap beperkte aansprakelijkheid naamloze \
    sociedad sociedade anonima responsabilidad limitada societe anonyme responsabilite limitee \
    societa azioni responsabilita limitata \
    spolka ograniczona odpowiedzialnoscia akcyjna spolecnost rucenim omezenym \
    aktsiaselts osauhing sabiedriba ierobezotu atbildibu uzdaroji akcine bendrove";

/// Legal forms written as several tokens whose parts are words elsewhere ("Sp. z o.o."
/// is "sp z oo"; "Closed Joint Stock Company" would keep "closed"): dropped only whole.
const PHRASES: &[&[&str]] = &[
    &["sp", "z", "oo"],
    &["z", "oo"],
    &["fz", "llc"],
    &["fz", "co"],
    &["closed", "joint"],
    &["open", "joint"],
    &["liability", "partnership"],
    &["limited", "partnership"],
    &["private", "enterprise"],
    // Iran's private and public joint-stock companies (PJS).
    &["sahami", "khass"],
    &["sahami", "aam"],
];

/// Prepositions inside spelled-out legal forms ("s" in "obshchestvo s ogranichennoy",
/// "mit", "ar", "per", "z"): dropped when a written-out legal-form word follows, kept
/// otherwise (a lone "S" or "Z" is an initial, "Per" a name).
const CONNECTORS: &[&str] = &["s", "z", "ar", "mit", "per", "с", "з"];

/// Legal forms that are also name tokens elsewhere (Estonian "OÜ" folds to the Chinese
/// surname "Ou"): dropped only as the last token, where legal forms are written.
const TRAILING: &[&str] = &["ou"];

const FUNCTION_WORDS: &str = "the and of for de la le les du des del della di da do dos das der die den und \
    et y e el los las van von ve и";

/// Titles and ranks put before a name, never part of it ("General Nam Chol Ki"). A
/// company's "General" goes too: a generic word, dropped on both sides alike.
const TITLES: &str = "mr mrs ms dr prof sheikh shaikh haji hajji sardar general colonel brigadier admiral \
    lieutenant captain capt";

/// "International" in the languages listings use: a company adds it to its name, or a
/// listing leaves it out, as often as not; dropped on both sides alike, like "General".
const INTERNATIONAL: &str = "international internacional internationale internazionale uluslararasi";

static SPELLED_OUT_WORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| SPELLED_OUT.split_whitespace().collect());

static FUNCTION_WORD_SET: LazyLock<HashSet<&'static str>> =
    LazyLock::new(|| FUNCTION_WORDS.split_whitespace().collect());

static STOPWORDS: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    let mut words: HashSet<&'static str> = ABBREVIATED.split_whitespace().collect();
    words.extend(SPELLED_OUT_WORDS.iter());
    words.extend(FUNCTION_WORD_SET.iter());
    words.extend(TITLES.split_whitespace());
    words.extend(INTERNATIONAL.split_whitespace());
    words
});

/// Whether a word is a function word ("de", "y", "van").
pub(crate) fn is_function_word(word: &str) -> bool {
    FUNCTION_WORD_SET.contains(word)
}

/// `tokens` without legal forms, function words and titles; a token `initials` marks
/// (a letter written with its dot: the "Y." of "Y. Rustamovna Levina") is a person's
/// initial, never the function word it spells.
pub(crate) fn without_legal_forms(tokens: &[String], initials: &[bool]) -> Vec<String> {
    let initial = |i: usize| initials.get(i).copied().unwrap_or(false);
    let mut kept: Vec<(&str, bool)> = Vec::with_capacity(tokens.len());
    let mut i = 0;
    while i < tokens.len() {
        let rest = &tokens[i..];
        let phrase = PHRASES
            .iter()
            .find(|p| p.len() <= rest.len() && p.iter().zip(rest).all(|(a, b)| *a == b.as_str()));
        if let Some(phrase) = phrase {
            i += phrase.len();
            continue;
        }
        let connects = CONNECTORS.contains(&rest[0].as_str())
            && rest
                .get(1)
                .is_some_and(|next| SPELLED_OUT_WORDS.contains(next.as_str()));
        if !connects {
            kept.push((&tokens[i], initial(i)));
        }
        i += 1;
    }
    if kept.len() > 1 && kept.last().is_some_and(|(t, _)| TRAILING.contains(t)) {
        kept.pop();
    }
    let syllable = |t: &str| FUNCTION_WORD_SET.contains(t) && pinyin_syllable(t);
    // Asked only of names with such a word: most have none.
    let chinese = kept.iter().any(|(t, _)| syllable(t)) && chinese_name(&kept);
    kept.into_iter()
        .filter(|&(t, initial)| initial || !STOPWORDS.contains(t) || (chinese && syllable(t)))
        .filter(|(t, _)| !misspelt_international(t))
        .map(|(t, _)| t.to_string())
        .collect()
}

/// Whether the words of a name other than its function words are all Pinyin, one with a
/// mark of Chinese: then "de", "le", "da", "di", "du", "die" are its syllables ("Cai De Song",
/// 蔡德松), not the particles of "Banco de Venezuela" or "Maria da Silva".
fn chinese_name(tokens: &[(&str, bool)]) -> bool {
    let words = || {
        tokens
            .iter()
            .map(|(t, _)| *t)
            .filter(|t| !FUNCTION_WORD_SET.contains(t))
    };
    words().next().is_some() && words().any(chinese_marked) && words().all(pinyin_syllables)
}

/// "International" with one letter added, left out or changed ("Interdnational"): a long
/// word is misspelt as often as any, and kept it would count as a word of the name.
fn misspelt_international(token: &str) -> bool {
    token.len() >= 12
        && INTERNATIONAL
            .split_whitespace()
            .any(|word| one_edit_apart(token.as_bytes(), word.as_bytes()))
}

fn one_edit_apart(a: &[u8], b: &[u8]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short.iter().zip(long).take_while(|(x, y)| x == y).count();
    if short.len() == long.len() {
        prefix == short.len() || short[prefix + 1..] == long[prefix + 1..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(name: &str) -> Vec<String> {
        let tokens: Vec<String> = name.split(' ').map(str::to_owned).collect();
        without_legal_forms(&tokens, &[])
    }

    #[test]
    fn spelled_out_legal_forms_go_as_their_abbreviations_do() {
        assert_eq!(kept("obshchestvo s ogranichennoy otvetstvennostyu vektor"), ["vektor"]);
        assert_eq!(kept("zakrytoye aktsionernoye obshchestvo krandetal"), ["krandetal"]);
        assert_eq!(kept("closed joint stock company krandetal"), ["krandetal"]);
        assert_eq!(kept("limited liability partnership td mikrokom"), ["td", "mikrokom"]);
        assert_eq!(
            kept("baraka dolphin spolka z ograniczona odpowiedzialnoscia"),
            ["baraka", "dolphin"]
        );
        assert_eq!(kept("pacific mustang sociedad anonima"), ["pacific", "mustang"]);
        assert_eq!(kept("sky trading aktiengesellschaft"), ["sky", "trading"]);
        assert_eq!(kept("arctic titan aktsiaselts"), ["arctic", "titan"]);
    }

    #[test]
    fn international_goes_misspelt_too() {
        assert_eq!(kept("euro pollux interdnational"), ["euro", "pollux"]);
        assert_eq!(kept("moselektronika internaational"), ["moselektronika"]);
        assert_eq!(
            kept("moselektronika internatoinal"),
            ["moselektronika", "internatoinal"]
        );
        assert_eq!(kept("alpha internationalism"), ["alpha", "internationalism"]);
        assert!(one_edit_apart(b"international", b"international"));
    }

    #[test]
    fn connectors_and_trailing_forms_go_only_where_legal_forms_are() {
        assert_eq!(kept("z kim"), ["z", "kim"], "a lone Z is an initial");
        assert_eq!(kept("per as"), ["per"], "a name before an abbreviated form stays");
        assert_eq!(kept("open systems"), ["open", "systems"]);
        assert_eq!(kept("ou yang ming"), ["ou", "yang", "ming"]);
        assert_eq!(kept("nordic trade ou"), ["nordic", "trade"]);
    }
}
