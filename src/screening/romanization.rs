//! Romanizations of Chinese and Korean names, folded to keys that two spellings of the
//! same syllables share: Hanyu Pinyin and Wade-Giles ("Zhang Jingmin" / "Chang Ching-min",
//! "Cao" / "Tsao", "Luo" / "Lo"), and Korean in Revised Romanization, McCune-Reischauer
//! and the spellings people use ("Jeong" / "Jong" / "Chung", "Hui" / "Hee", "Sun" /
//! "Soon", "Bae" / "Pae"). Letter by letter such pairs are too far apart for Jaro-Winkler,
//! and Double Metaphone gives short syllables no code.
//!
//! A token has a key only when it splits wholly into syllables of the system. The keys
//! merge what romanizations do not tell apart once apostrophes and diacritics are gone:
//! aspirated and plain initials ("p'ei" / "pei" = "pei" / "bei"), and in Korean the
//! vowels that spellings exchange ("eo", "o", "u", "eu", "oo"). So two tokens agree on a
//! key only where a romanization writes them alike: one of them a Wade-Giles spelling,
//! or one of them writing a vowel only Korean romanizations write (`Romanized::agrees`).

use std::sync::OnceLock;

use super::vocab::{FastMap, IdHasher};

type FastSet<T> = std::collections::HashSet<T, std::hash::BuildHasherDefault<IdHasher>>;

/// Every Hanyu Pinyin syllable (without tones; "v" for ü).
const PINYIN: &str = "a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu \
    ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua chuai \
    chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den deng di dian \
    diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen feng fo fou fu ga gai \
    gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha hai han hang hao he hei hen \
    heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao jie jin jing jiong jiu ju juan \
    jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai kuan kuang kui kun kuo la lai lan lang \
    lao le lei leng li lia lian liang liao lie lin ling liu long lou lu luan lun luo lv lve ma mai man mang \
    mao me mei men meng mi mian miao mie min ming miu mo mou mu na nai nan nang nao ne nei nen neng ni nian \
    niang niao nie nin ning niu nong nou nu nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian \
    piao pie pin ping po pou pu qi qia qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao \
    re ren reng ri rong rou ru ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she \
    shei shen sheng shi shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta \
    tai tan tang tao te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen \
    weng wo wu xi xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying \
    yo yong you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen \
    zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun zuo";

/// The longest syllable of each system, in letters ("chuang", "hsiung"; "ssyeong").
const LONGEST_CHINESE_SYLLABLE: usize = 6;
const LONGEST_KOREAN_SYLLABLE: usize = 8;
/// The longest token split into syllables, in letters.
pub(crate) const LONGEST_TOKEN: usize = 24;
/// Tokens of more syllables than this get no key: they are no romanized name.
const MOST_SYLLABLES: usize = 4;

/// Vowels Korean romanizations write and Pinyin and Wade-Giles do not (within a syllable).
const KOREAN_MARKS: [&str; 6] = ["eo", "eu", "ae", "oo", "ee", "oe"];
/// Letter groups found in Pinyin or Wade-Giles and rarely in the European names that also
/// happen to split into their syllables ("maria" = ma ri a, "dina" = di na).
const CHINESE_MARKS: [&str; 15] = [
    "zh", "x", "q", "ng", "ao", "ou", "ui", "ie", "iu", "ei", "uo", "sh", "ch", "hs", "tz",
];
/// Letter groups Wade-Giles writes and Pinyin does not: a token that splits into
/// Wade-Giles syllables only counts as Chinese with one ("Matsumoto" splits too).
const WADE_GILES_MARKS: [&str; 5] = ["hs", "tz", "ih", "ieh", "erh"];

/// What a token's romanization says about it, kept with its phonetic keys.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Romanized {
    /// Its Pinyin or Wade-Giles syllables folded (below), hashed; 0 where it is neither.
    /// 32 bits: every token of the vocabulary carries it, and the scoring loop reads
    /// thousands of tokens per query.
    chinese: u32,
    /// Its Korean syllables folded, hashed; 0 where it is none.
    korean: u32,
    /// It may be the Wade-Giles spelling of what its key folds ("chin" of "jin" and "qin",
    /// "chou" of "zhou"): initials fold alike because Wade-Giles writes them alike, so two
    /// tokens agree on the Chinese key only when one of them may be Wade-Giles ("qin" and
    /// "jin" are two Pinyin surnames; "jun" is Wade-Giles, but for "run"). A Pinyin
    /// spelling counts only with a mark of Chinese: "tan" / "dan" and "ken" / "gen" are
    /// Western names as often.
    wade_giles: bool,
    /// It has one of `KOREAN_MARKS`.
    korean_marked: bool,
}

impl Romanized {
    pub fn of(token: &str) -> Self {
        if token.len() < 2 || token.len() > LONGEST_TOKEN || !token.bytes().all(|b| b.is_ascii_lowercase()) {
            return Self::default();
        }
        let chinese = fold(token, System::Chinese, Reading::Key);
        Self {
            chinese: chinese.unwrap_or(0),
            korean: fold(token, System::Korean, Reading::Key).unwrap_or(0),
            wade_giles: chinese.is_some_and(|key| wade_giles_of_key(token, key)),
            korean_marked: KOREAN_MARKS.iter().any(|mark| token.contains(mark)),
        }
    }

    /// Whether two tokens spell the same syllables: the same Chinese key where one of them
    /// may be Wade-Giles ("Tsao" / "Cao", "Hsin" / "Xin", "Chou" / "Zhou"), or the same
    /// Korean key where one writes a Korean vowel ("Jeong" / "Jong", "Hee" / "Hui";
    /// without one, "Dora" and "Tula" would be a Korean name).
    pub fn agrees(&self, other: &Self) -> bool {
        let chinese = self.chinese != 0 && self.chinese == other.chinese && (self.wade_giles || other.wade_giles);
        let korean = self.korean != 0 && self.korean == other.korean && (self.korean_marked || other.korean_marked);
        chinese || korean
    }

    /// The keys to find a token by, each with whether the token is open on it: agrees
    /// with every token sharing that key (it is Wade-Giles, or writes a Korean vowel)
    /// rather than only with those open on it.
    pub fn keys(&self) -> impl Iterator<Item = (u32, bool)> {
        [(self.chinese, self.wade_giles), (self.korean, self.korean_marked)]
            .into_iter()
            .filter(|(key, _)| *key != 0)
    }
}

/// Whether `token` may be the Wade-Giles spelling of what its Chinese key folds, and is
/// Chinese enough to count (`Romanized::wade_giles`).
fn wade_giles_of_key(token: &str, key: u32) -> bool {
    let as_wade_giles = fold_with(token, System::Chinese, Reading::Key, wade_giles_spellings());
    let pinyin = splits(token, System::Chinese, Reading::Key, |s| pinyin().contains(s));
    as_wade_giles == Some(key) && (!pinyin || chinese_marked(token))
}

/// Whether a token has one of `CHINESE_MARKS`.
pub(crate) fn chinese_marked(token: &str) -> bool {
    CHINESE_MARKS.iter().any(|mark| token.contains(mark))
}

/// Whether two tokens, each Pinyin or marked Wade-Giles (`chinese_syllables`), spell the
/// same syllables once the initials Wade-Giles writes alike count as one.
pub(crate) fn same_chinese(a: &str, b: &str) -> bool {
    let fold = |t| fold(t, System::Chinese, Reading::Any);
    matches!((fold(a), fold(b)), (Some(a), Some(b)) if a == b)
}

/// Whether a token is Pinyin, or Wade-Giles with one of `WADE_GILES_MARKS`.
pub(crate) fn chinese_syllables(token: &str) -> bool {
    pinyin_syllables(token)
        || (WADE_GILES_MARKS.iter().any(|mark| token.contains(mark))
            && splits(token, System::Chinese, Reading::Any, |s| {
                System::Chinese.syllables().contains_key(s)
            }))
}

/// Whether `token` is one Pinyin syllable (a Chinese surname is one, but for a few).
pub(crate) fn pinyin_syllable(token: &str) -> bool {
    pinyin().contains(token)
}

/// Whether a token is made of Pinyin syllables only (its apostrophes are gone: "yongan").
pub(crate) fn pinyin_syllables(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_lowercase())
        && splits(token, System::Chinese, Reading::Any, |s| pinyin().contains(s))
}

#[derive(Clone, Copy)]
enum System {
    Chinese,
    Korean,
}

impl System {
    /// Each spelling of a syllable and its folded form.
    fn syllables(self) -> &'static FastMap<String, String> {
        static CHINESE: OnceLock<FastMap<String, String>> = OnceLock::new();
        static KOREAN: OnceLock<FastMap<String, String>> = OnceLock::new();
        match self {
            System::Chinese => CHINESE.get_or_init(chinese_spellings),
            System::Korean => KOREAN.get_or_init(korean_spellings),
        }
    }

    fn longest_syllable(self) -> usize {
        match self {
            System::Chinese => LONGEST_CHINESE_SYLLABLE,
            System::Korean => LONGEST_KOREAN_SYLLABLE,
        }
    }

    /// Hashed first, so that a Chinese and a Korean key never meet in one lookup map.
    fn tag(self) -> &'static [u8] {
        match self {
            System::Chinese => b"zh:",
            System::Korean => b"ko:",
        }
    }
}

/// How a token is split.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Reading {
    /// For a key: at most `MOST_SYLLABLES`, and in Chinese only the first may begin with
    /// a vowel, as Pinyin writes an apostrophe before such a syllable ("Xi'an"): "hee" is
    /// no "he" "e", nor "jei" a "je" "i".
    Key,
    /// Any split: the apostrophes of a name are gone by the time it is compared.
    Any,
}

fn pinyin() -> &'static FastSet<&'static str> {
    static SET: OnceLock<FastSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| PINYIN.split_whitespace().collect())
}

/// Every Wade-Giles spelling and the Pinyin syllable it writes, folded as in
/// `chinese_spellings` (where it writes several, the first in Pinyin order).
fn wade_giles_spellings() -> &'static FastMap<String, String> {
    static SPELLINGS: OnceLock<FastMap<String, String>> = OnceLock::new();
    SPELLINGS.get_or_init(|| {
        let mut spellings = FastMap::default();
        for syllable in pinyin_in_order() {
            for spelling in wade_giles(syllable) {
                spellings.entry(spelling).or_insert_with(|| fold_syllable(syllable));
            }
        }
        spellings
    })
}

/// Pinyin syllables in a fixed order: where two share a Wade-Giles spelling, the first
/// one's fold is kept, the same on every node.
fn pinyin_in_order() -> Vec<&'static str> {
    let mut sorted: Vec<&'static str> = pinyin().iter().copied().collect();
    sorted.sort_unstable();
    sorted
}

/// The hashed folded form of `token` split into the fewest syllables of `system`.
fn fold(token: &str, system: System, reading: Reading) -> Option<u32> {
    fold_with(token, system, reading, system.syllables())
}

/// `fold` with the spellings of `syllables` only.
fn fold_with(token: &str, system: System, reading: Reading, syllables: &FastMap<String, String>) -> Option<u32> {
    let ends = fewest_syllables(token, system, reading, |s| syllables.contains_key(s))?;
    let mut hash = Fnv::default();
    hash.write(system.tag());
    let mut start = 0;
    for end in ends.iter().take_while(|end| **end != 0) {
        hash.write(syllables.get(&token[start..*end as usize])?.as_bytes());
        start = *end as usize;
    }
    Some(((hash.0 >> 32) as u32 ^ hash.0 as u32).max(1))
}

fn splits(token: &str, system: System, reading: Reading, known: impl Fn(&str) -> bool) -> bool {
    fewest_syllables(token, system, reading, known).is_some()
}

/// Where each syllable of `text` ends, split into the fewest syllables `known` accepts
/// (dynamic programming over suffixes; ties go to the longer first syllable), ended by
/// zeros. None when `text` does not split, or is longer than `LONGEST_TOKEN`.
fn fewest_syllables(
    text: &str,
    system: System,
    reading: Reading,
    known: impl Fn(&str) -> bool,
) -> Option<[u8; LONGEST_TOKEN]> {
    let bytes = text.as_bytes();
    let n = text.len();
    if n == 0 || n > LONGEST_TOKEN || !text.is_ascii() {
        return None;
    }
    let vowel_first_only = reading == Reading::Key && matches!(system, System::Chinese);
    // fewest[i]: the fewest syllables text[i..] splits into, and where the first ends.
    let mut fewest = [None::<(usize, usize)>; LONGEST_TOKEN + 1];
    fewest[n] = Some((0, n));
    for start in (0..n).rev() {
        if vowel_first_only && start > 0 && matches!(bytes[start], b'a' | b'e' | b'i' | b'o' | b'u') {
            continue;
        }
        // Only ends the rest splits from are looked up: most are not.
        fewest[start] = (start + 1..=n.min(start + system.longest_syllable()))
            .rev()
            .filter_map(|end| fewest[end].map(|(count, _)| (count + 1, end)))
            .filter(|(_, end)| known(&text[start..*end]))
            .min_by_key(|(count, _)| *count);
    }
    let (count, _) = fewest[0]?;
    if reading == Reading::Key && count > MOST_SYLLABLES {
        return None;
    }
    let mut ends = [0u8; LONGEST_TOKEN];
    let mut at = 0;
    for slot in &mut ends {
        if at == n {
            break;
        }
        let (_, end) = fewest[at]?;
        *slot = end as u8;
        at = end;
    }
    Some(ends)
}

/// FNV-1a, as the vocabulary's other keys.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// Pinyin initials, the two-letter ones first.
const PINYIN_INITIALS: [&str; 23] = [
    "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y",
    "w",
];

fn split_initial(syllable: &str) -> (&str, &str) {
    PINYIN_INITIALS
        .iter()
        .find(|i| syllable.len() > i.len() && syllable.starts_with(**i))
        .map_or(("", syllable), |i| syllable.split_at(i.len()))
}

/// A Pinyin initial as Wade-Giles writes it without apostrophes: plain and aspirated
/// initials alike ("b" and "p" as "p"), and "j", "q" and "zh" as "ch".
fn wade_giles_initial(initial: &str) -> &str {
    match initial {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "z" | "c" => "ts",
        "zh" | "j" | "q" => "ch",
        "x" => "hs",
        "r" => "j",
        other => other,
    }
}

/// Every Pinyin syllable and its Wade-Giles spellings, each folded to the Pinyin syllable
/// with the initial Wade-Giles writes. Where a spelling is both, the Pinyin reading wins.
fn chinese_spellings() -> FastMap<String, String> {
    let mut keys: FastMap<String, String> = pinyin()
        .iter()
        .map(|syllable| ((*syllable).to_owned(), fold_syllable(syllable)))
        .collect();
    for (spelling, fold) in wade_giles_spellings() {
        keys.entry(spelling.clone()).or_insert_with(|| fold.clone());
    }
    keys
}

/// A Pinyin syllable with its initial as Wade-Giles writes it.
fn fold_syllable(syllable: &str) -> String {
    let (initial, rest) = split_initial(syllable);
    format!("{}{}", wade_giles_initial(initial), rest.replace('v', "u"))
}

/// The Wade-Giles spellings of a Pinyin syllable, without apostrophes or diacritics.
fn wade_giles(syllable: &str) -> Vec<String> {
    let (initial, rest) = split_initial(syllable);
    let rest = rest.replace('v', "u");
    let wg_initial = wade_giles_initial(initial);
    let whole = match (initial, rest.as_str()) {
        ("z" | "c", "i") => Some(vec!["tzu"]),
        ("s", "i") => Some(vec!["ssu", "szu"]),
        ("zh" | "ch" | "sh" | "r", "i") => return vec![format!("{wg_initial}ih")],
        ("y", "i") => Some(vec!["i", "yi"]),
        ("y", "ou") => Some(vec!["yu"]),
        ("y", "an") => Some(vec!["yen"]),
        ("y", "e") => Some(vec!["yeh"]),
        ("", "er") => Some(vec!["erh"]),
        _ => None,
    };
    if let Some(whole) = whole {
        return whole.into_iter().map(str::to_owned).collect();
    }
    let finals: Vec<&str> = match rest.as_str() {
        "ian" => vec!["ien"],
        "ie" => vec!["ieh"],
        "ong" => vec!["ung"],
        "iong" => vec!["iung"],
        "ue" => vec!["ueh"],
        "ui" => vec!["ui", "uei"],
        "uo" if matches!(initial, "d" | "t" | "n" | "l" | "z" | "c" | "s" | "zh" | "ch" | "r") => vec!["o"],
        "e" if matches!(initial, "g" | "k" | "h") => vec!["o"],
        other => vec![other],
    };
    finals.into_iter().map(|f| format!("{wg_initial}{f}")).collect()
}

/// Korean syllables as the romanizations in use spell them: (initial, vowel, final
/// consonant), each spelling with its class. Revised Romanization writes plain initials
/// g, d, b, j where McCune-Reischauer writes k, t, p, ch, and both lose the difference
/// to the aspirated ones without their apostrophe.
fn korean_spellings() -> FastMap<String, String> {
    const INITIALS: [(&str, &str); 22] = [
        ("", ""),
        ("g", "k"),
        ("k", "k"),
        ("kk", "k"),
        ("n", "n"),
        ("d", "t"),
        ("t", "t"),
        ("tt", "t"),
        ("r", "l"),
        ("l", "l"),
        ("m", "m"),
        ("b", "p"),
        ("p", "p"),
        ("pp", "p"),
        ("s", "s"),
        ("ss", "s"),
        ("sh", "s"),
        ("j", "c"),
        ("jj", "c"),
        ("ch", "c"),
        ("tch", "c"),
        ("h", "h"),
    ];
    // ŏ and ŭ lose their breve, and "oo", "ee", "ou" are how many write u, i and yeo.
    const VOWELS: [(&str, &str); 29] = [
        ("a", "a"),
        ("ae", "e"),
        ("e", "e"),
        ("ya", "ya"),
        ("yae", "ye"),
        ("ye", "ye"),
        ("eo", "o"),
        ("o", "o"),
        ("u", "o"),
        ("eu", "o"),
        ("oo", "o"),
        ("ou", "o"),
        ("yeo", "yo"),
        ("yo", "yo"),
        ("you", "yo"),
        ("yu", "yu"),
        ("yoo", "yu"),
        ("wa", "wa"),
        ("wae", "we"),
        ("oe", "we"),
        ("we", "we"),
        ("wo", "wo"),
        ("weo", "wo"),
        ("wi", "wi"),
        ("i", "i"),
        ("ee", "i"),
        ("ui", "i"),
        ("eui", "i"),
        ("yi", "i"),
    ];
    const FINALS: [(&str, &str); 9] = [
        ("", ""),
        ("k", "k"),
        ("g", "k"),
        ("n", "n"),
        ("t", "t"),
        ("l", "l"),
        ("m", "m"),
        ("p", "p"),
        ("ng", "ng"),
    ];
    let mut keys = FastMap::default();
    for (initial, initial_key) in INITIALS {
        for (vowel, vowel_key) in VOWELS {
            for (last, last_key) in FINALS {
                keys.entry(format!("{initial}{vowel}{last}"))
                    .or_insert_with(|| format!("{initial_key}{vowel_key}{last_key}"));
            }
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agree(a: &str, b: &str) -> bool {
        Romanized::of(a).agrees(&Romanized::of(b))
    }

    #[test]
    fn wade_giles_and_pinyin_of_one_name_agree() {
        for (a, b) in [
            ("tsao", "cao"),
            ("lo", "luo"),
            ("ching", "jing"),
            ("chien", "jian"),
            ("hsieh", "xie"),
            ("kuei", "gui"),
            ("chung", "zhong"),
            ("ssu", "si"),
            ("chih", "zhi"),
            ("chingmin", "jingmin"),
            ("hsiung", "xiong"),
            ("ko", "ge"),
            // Wade-Giles spellings that are Pinyin too.
            ("chou", "zhou"),
            ("pao", "bao"),
        ] {
            assert!(agree(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn korean_romanizations_of_one_name_agree() {
        for (a, b) in [
            ("jeong", "jong"),
            ("jeong", "chung"),
            ("hee", "hui"),
            ("soon", "sun"),
            ("bae", "pae"),
            ("hyeok", "hyok"),
            ("gyeong", "kyong"),
            ("hoon", "hun"),
            ("lee", "li"),
            ("eun", "un"),
            ("seong", "sung"),
        ] {
            assert!(agree(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn other_syllables_do_not_agree() {
        for (a, b) in [
            ("liu", "luo"),
            ("zhang", "zhao"),
            ("wang", "huang"),
            ("min", "ming"),
            ("jin", "jian"),
            // Two Pinyin surnames, which only Wade-Giles writes alike.
            ("jin", "qin"),
            ("ji", "qi"),
            ("zi", "ci"),
            // Wade-Giles "jun" and "ju" write Pinyin "run" and "ru".
            ("jun", "qun"),
            ("ju", "qu"),
            // Wade-Giles and Pinyin alike, but as often Western names.
            ("tan", "dan"),
            ("ken", "gen"),
            ("dina", "tina"),
            // Korean-shaped, but no Korean vowel on either side.
            ("dora", "tula"),
            ("tom", "dum"),
            ("sato", "satou"),
            ("smith", "smyth"),
            ("hee", "ha"),
            // Keys of the two systems never meet.
            ("lin", "min"),
            ("ren", "sen"),
        ] {
            assert!(!agree(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn only_whole_romanizations_have_keys() {
        assert_eq!(Romanized::of("smith"), Romanized::default());
        assert_eq!(Romanized::of("x"), Romanized::default());
        assert_eq!(Romanized::of("Jeong"), Romanized::default());
        assert_ne!(Romanized::of("jingmin").chinese, 0);
        assert_eq!(Romanized::of("jeong").chinese, 0);
        assert_ne!(Romanized::of("jeong").korean, 0);
        assert_eq!(
            Romanized::of("hee").chinese,
            0,
            "no Pinyin writes he'e without its apostrophe"
        );
        assert_eq!(Romanized::of("zhangliweijingmin").chinese, 0, "five syllables");
    }

    #[test]
    fn wade_giles_counts_as_chinese_only_with_its_marks() {
        assert!(chinese_syllables("hsiung") && chinese_syllables("yongan") && chinese_syllables("tzu"));
        assert!(!chinese_syllables("sato") && !chinese_syllables("matsumoto") && !chinese_syllables("soto"));
        assert!(same_chinese("zhangliweijingmin", "changliweichingmin"), "any length");
    }

    #[test]
    fn splits_into_the_fewest_syllables() {
        let ends = |text: &str, reading| {
            let found = fewest_syllables(text, System::Chinese, reading, |s| pinyin().contains(s));
            found.map(|ends| ends.into_iter().take_while(|end| *end != 0).collect::<Vec<u8>>())
        };
        assert_eq!(ends("xian", Reading::Key), Some(vec![4]));
        assert_eq!(ends("jingmin", Reading::Key), Some(vec![4, 7]));
        assert_eq!(ends("smith", Reading::Any), None);
        assert_eq!(ends("hee", Reading::Key), None);
        assert_eq!(ends("hee", Reading::Any), Some(vec![2, 3]));
    }
}
