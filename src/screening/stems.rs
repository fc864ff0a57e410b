//! Compound words of Russian and Ukrainian company names split into their stems:
//! "Elektrotranssbyt" is elektro + trans + sbyt, "Uralgeomash" ural + geo + mash. Such
//! names are built by gluing standard stems (a region, a branch, an activity), so two of
//! them that differ by one stem are two companies however many letters they share:
//! "Navigostal" / "Navigostroy", "Telepromsvyaz" / "Tekhpromsvyaz". Jaro-Winkler rewards
//! the shared letters; a pair of words that both split into known stems, into different
//! ones, scores as unrelated instead (`vocab::pair_score`), spelling variants of one stem
//! being one ("khim" and "him", "tekh" and "tech"). A word that does not split (a misspelt
//! one, or one with a stem not listed here) is left to the letter-based rules of
//! `distinct`, and so is a word that begins or ends the other (a glued word).

use std::collections::HashMap;
use std::sync::LazyLock;

/// Stems, each a line: its spellings, the first one naming it. Regions and cities first,
/// then branches and activities, then the endings that make a stem a word.
const STEMS: &str = "\
ural\nsib\nsever sev\nyug\nzapad zap\nvostok vost\ndal\nmos\nros\nkam\nvolga volg\nbel\nukr\nkaz\n\
arm\nkuban\ndon\nbalt\nkrym\nkuz\nnov\npriv\nzapsib\ntsentr centr center\nrus\nnevsk\nsamar\nkazan\n\
prom\nsnab\nsbyt\nstroy stroi stroj\nmash masch\ntorg\nmontazh montag\nmont\nspets spec spez\n\
elektro electro elektr\nelektronika electronika elektronik\nelektron electron\nradio\ntele\nsvyaz sviaz\n\
avto auto\navia\naero\nnavigo navig\nmor mors morsk\nflot\nsudo\nport\nrechflot\ntrans\nlogistik logistic\n\
energo energ\nteplo\ngidro hidro\natom\nneft nepht\ngaz gas\nugol\nruda\nzoloto\nalmaz\nstal\nmetall metal\n\
lit\nprokat\ntrub\nstanko\ninstrument instrum\npribor\navtomatika avtomat\ntekhnika technika tekhnik\n\
tekh tech tek\ntekhnologiya tekhnologii technolog\nkhim him chem\nfarm pharm\nmed\nbio\nagro\nles\n\
bum\ntekstil\ngeo\noptiko optika optik opto\nfoto\nlazer laser\nmikro micro\nnano\nkvant\nkosmos\n\
raket\nsputnik\nkabel cable\nplast\ndetal\nkomplekt complect\nkomponent component\nkomp\nservis service\n\
remont\nproekt project\nkonstrukt\ninvest\nrezerv reserv\nkapital\nfinans\nstrakh\nalyans alians\n\
soyuz\ngrupp group\nresurs\nsistem system\nkontrakt\nimport\neksport export\nsnabzh\ntermo thermo\n\
term\nkholod\nvod vodo\ngorn\nzavod\nkombinat\nglav\nobor\noborudovaniye oborudovanie\nstroymash\n\
avtomatizatsiya\nsvar\nekspert\ninzhiniring engineering\nkonsalt\nproizvodstvo\npostavka\ntekhnoservis\n\
kom\nelektrik\ngos\nobl\ngor\nmezh\nvnesh\nnauch\ntekhno techno\nkompleks komplex\nbur\ngeofiz\n\
mekhanika mechanika mekhanik\nmekh mech\ntsvet\nchermet\nmet\nprod\nopt\ndizel diesel\nturbo\nmotor\n\
kran\nvagon\nlokomotiv\ndor\nmost\nbeton\ntsement cement\nsteklo\nkeramika\npolimer polymer\nrezina\n\
inform info\ntelekom telecom\nintegral\nsignal\nantenna\nradar\nlokator\nakustik\nkorabl\nverf\n\
arsenal\nazot\nfosfor\ntitan\nalyumin alumin\nnikel nickel\nvolfram\nredmet\nizotop\nkristall\n\
kvarts\nkremniy\nizmer\nkontrol control\nupravleniye\nnalad\nimpeks impex\ntreyd trade\nlizing leasing\n\
garant\naudit\n";

/// A word splits only when it is at least this long: shorter ones are single stems or names.
const MIN_WORD: usize = 7;
/// At most this many stems are kept: one byte each in a `Stems`.
const MAX_STEMS: usize = 8;
/// The longest spelling in `STEMS`, in letters.
const MAX_SPELLING: usize = 16;

/// A word's stems, one byte each (a stem's line in `STEMS` plus one), first stem in the low
/// byte; zero when the word does not split into two known stems or more. Computed once per
/// token (`vocab::Token`), as `distinct` asks for it on every pair of similar words.
pub(crate) type Stems = u64;

/// Every spelling in `STEMS` and its stem's line, plus one.
static SPELLINGS: LazyLock<HashMap<&'static str, u8>> = LazyLock::new(|| {
    let lines = STEMS.lines().enumerate();
    let spellings = lines.flat_map(|(stem, line)| line.split_whitespace().map(move |s| (s, stem as u8 + 1)));
    spellings.collect()
});

/// The stems of `word`, or zero. Of its splits, the one found taking the longest stem first
/// at each place, so that a word always splits the same way.
pub(crate) fn split(word: &[char]) -> Stems {
    if word.len() < MIN_WORD || word.len() > MAX_STEMS * MAX_SPELLING || !word.iter().all(char::is_ascii_lowercase) {
        return 0;
    }
    let word: String = word.iter().collect();
    let mut dead_ends = 0u128; // places from which no split was found
    split_from(&word, 0, 0, &mut dead_ends).unwrap_or(0)
}

/// The stems of `word[at..]`, packed, when it splits after `depth` stems before it.
fn split_from(word: &str, at: usize, depth: usize, dead_ends: &mut u128) -> Option<Stems> {
    if at == word.len() {
        return (depth >= 2).then_some(0);
    }
    if depth == MAX_STEMS || *dead_ends & (1 << at) != 0 {
        return None;
    }
    for len in (2..=MAX_SPELLING.min(word.len() - at)).rev() {
        let Some(stem) = SPELLINGS.get(&word[at..at + len]) else {
            continue;
        };
        if let Some(rest) = split_from(word, at + len, depth + 1, dead_ends) {
            return Some(rest << 8 | Stems::from(*stem));
        }
    }
    *dead_ends |= 1 << at;
    None
}

/// Whether two words both split into stems, and into different ones.
pub(crate) fn different_stems(a: Stems, b: Stems) -> bool {
    a != 0 && b != 0 && a != b
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(word: &str) -> Vec<char> {
        word.chars().collect()
    }

    fn differ(a: &str, b: &str) -> bool {
        different_stems(split(&chars(a)), split(&chars(b)))
    }

    fn count(word: &str) -> u32 {
        split(&chars(word)).to_le_bytes().iter().filter(|b| **b != 0).count() as u32
    }

    #[test]
    fn compounds_split_into_their_stems() {
        assert_eq!(count("elektrotranssbyt"), 3);
        assert_eq!(count("uralgeomash"), 3);
        assert_eq!(count("radioelektronikakomplektservis"), 4);
        assert_eq!(count("moskvaria"), 0, "not all stems");
        assert_eq!(count("trans"), 0, "too short");
        assert_eq!(count("rzdiotransdetal"), 0, "a typo leaves letters over");
    }

    #[test]
    fn one_stem_changed_is_another_company() {
        assert!(differ("navigostal", "navigostroy"));
        assert!(differ("telepromsvyaz", "tekhpromsvyaz"));
        assert!(differ("energogeoles", "energoles"));
        assert!(differ("avtoelektronika", "aviaelektronika"));
        assert!(differ("sevlogistik", "siblogistik"));
    }

    #[test]
    fn spellings_of_one_stem_are_one() {
        assert!(!differ("elektrokhimprom", "electrohimprom"));
        assert!(!differ("avtotekhservis", "autotechservice"));
        assert!(!differ("radiotransdetal", "radiotransdetal"));
    }
}
