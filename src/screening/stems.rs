//! Compound words of Russian and Ukrainian company names split into their stems:
//! "Elektrotranssbyt" is elektro + trans + sbyt, "Uralgeomash" ural + geo + mash. Such
//! names are built by gluing standard stems (a region, a branch, an activity), so two of
//! them that differ by one stem are two companies however many letters they share:
//! "Navigostal" / "Navigostroy", "Telepromsvyaz" / "Tekhpromsvyaz". Jaro-Winkler rewards
//! the shared letters; `distinct` asks `split` instead when both words split into known
//! stems and compares the stems, spelling variants of one stem being one ("khim" and
//! "him", "tekh" and "tech"). A word that does not split (a misspelt one, or one with a
//! stem not listed here) is left to the letter-based rules.

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

/// A word's stems, by the index of each stem's line in `STEMS`, or `None` when it does not
/// split into two known stems or more. Of the splits, the one of fewest stems (then the
/// longest first stem) is taken, so a word always splits the same way.
pub(crate) fn split(word: &[char]) -> Option<Vec<usize>> {
    if word.len() < MIN_WORD || !word.iter().all(char::is_ascii_lowercase) {
        return None;
    }
    let word: String = word.iter().collect();
    // best[i]: the fewest stems covering word[i..], and the first of them.
    let n = word.len();
    let mut best: Vec<Option<(usize, usize, usize)>> = vec![None; n + 1];
    best[n] = Some((0, 0, 0));
    for start in (0..n).rev() {
        for (stem, spelling) in spellings() {
            let end = start + spelling.len();
            if !word[start..].starts_with(spelling) {
                continue;
            }
            let Some((count, _, _)) = best[end] else {
                continue;
            };
            let candidate = (count + 1, stem, end);
            let better = match best[start] {
                None => true,
                Some((c, _, e)) => (count + 1, std::cmp::Reverse(end)) < (c, std::cmp::Reverse(e)),
            };
            if better {
                best[start] = Some(candidate);
            }
        }
    }
    let mut stems = Vec::new();
    let mut at = 0;
    while at < n {
        let (_, stem, end) = best[at]?;
        stems.push(stem);
        at = end;
    }
    (stems.len() >= 2).then_some(stems)
}

/// Every spelling in `STEMS` with its stem's line index.
fn spellings() -> impl Iterator<Item = (usize, &'static str)> {
    let lines = STEMS.lines().enumerate();
    lines.flat_map(|(stem, line)| line.split_whitespace().map(move |s| (stem, s)))
}

/// Whether two words both split into stems, and into different ones.
pub(crate) fn different_stems(a: &[char], b: &[char]) -> bool {
    match (split(a), split(b)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(word: &str) -> Vec<char> {
        word.chars().collect()
    }

    fn differ(a: &str, b: &str) -> bool {
        different_stems(&chars(a), &chars(b))
    }

    #[test]
    fn compounds_split_into_their_stems() {
        assert_eq!(split(&chars("elektrotranssbyt")).map(|s| s.len()), Some(3));
        assert_eq!(split(&chars("uralgeomash")).map(|s| s.len()), Some(3));
        assert_eq!(split(&chars("moskva")), None, "not all stems");
        assert_eq!(split(&chars("trans")), None, "too short");
        assert_eq!(split(&chars("rzdiotransdetal")), None, "a typo leaves letters over");
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
