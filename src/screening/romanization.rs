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
//! vowels that spellings exchange ("eo", "o", "u", "eu", "oo").

use std::collections::HashMap;
use std::sync::OnceLock;

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

/// The longest syllable of any system here, in letters ("hsiung", "ssyeong").
const LONGEST_SYLLABLE: usize = 8;
/// The longest token split into syllables, in letters.
const LONGEST_TOKEN: usize = 24;
/// Tokens of more syllables than this are not taken for a romanized name.
const MOST_SYLLABLES: usize = 4;

/// Folded keys of a token: `[Chinese, Korean]`, 0 where it is no such romanization.
pub(crate) fn keys(token: &str) -> [u64; 2] {
    if token.len() < 2 || !token.bytes().all(|b| b.is_ascii_lowercase()) {
        return [0, 0];
    }
    [System::Chinese, System::Korean]
        .map(|system| fold(token, system.syllables(), system).map_or(0, |key| hash(system, &key)))
}

/// Whether two Pinyin or Wade-Giles tokens spell the same syllables.
pub(crate) fn same_chinese(a: &str, b: &str) -> bool {
    let syllables = System::Chinese.syllables();
    matches!((fold(a, syllables, System::Chinese), fold(b, syllables, System::Chinese)), (Some(a), Some(b)) if a == b)
}

/// Whether a token is made of Pinyin or Wade-Giles syllables only.
pub(crate) fn chinese_syllables(token: &str) -> bool {
    let syllables = System::Chinese.syllables();
    token.bytes().all(|b| b.is_ascii_lowercase())
        && split(token, System::Chinese, |s| syllables.contains_key(s)).is_some()
}

/// Whether `token` is one Pinyin syllable (a Chinese surname is one, but for a few).
pub(crate) fn pinyin_syllable(token: &str) -> bool {
    pinyin().contains(token)
}

/// Whether a token is made of Pinyin syllables only.
pub(crate) fn pinyin_syllables(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_lowercase()) && split(token, System::Chinese, |s| pinyin().contains(s)).is_some()
}

#[derive(Clone, Copy)]
enum System {
    Chinese,
    Korean,
}

impl System {
    /// Each spelling of a syllable and its folded key.
    fn syllables(self) -> &'static HashMap<String, String> {
        static CHINESE: OnceLock<HashMap<String, String>> = OnceLock::new();
        static KOREAN: OnceLock<HashMap<String, String>> = OnceLock::new();
        match self {
            System::Chinese => CHINESE.get_or_init(chinese_spellings),
            System::Korean => KOREAN.get_or_init(korean_spellings),
        }
    }
}

fn hash(system: System, key: &str) -> u64 {
    let seed = 0xcbf2_9ce4_8422_2325u64 ^ system as u64;
    key.bytes()
        .fold(seed, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
        .max(1)
}

fn pinyin() -> &'static std::collections::HashSet<&'static str> {
    static SET: OnceLock<std::collections::HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| PINYIN.split_whitespace().collect())
}

/// The key of `token` split into the fewest syllables of `syllables`, if it splits into
/// at most `MOST_SYLLABLES`.
fn fold(token: &str, syllables: &HashMap<String, String>, system: System) -> Option<String> {
    let parts = split(token, system, |s| syllables.contains_key(s)).filter(|parts| parts.len() <= MOST_SYLLABLES)?;
    Some(
        parts
            .iter()
            .filter_map(|s| syllables.get(*s))
            .map(String::as_str)
            .collect(),
    )
}

/// `text` split into the fewest syllables `known` accepts (dynamic programming over
/// suffixes; ties go to the longer first syllable), if it is at most `LONGEST_TOKEN` long.
/// In Chinese only the first may begin with a vowel: Pinyin writes an apostrophe before
/// such a syllable ("Xi'an"), so "hee" is no "he" "e", nor "jei" a "je" "i".
fn split(text: &str, system: System, known: impl Fn(&str) -> bool) -> Option<Vec<&str>> {
    let n = text.len();
    if n == 0 || n > LONGEST_TOKEN || !text.is_ascii() {
        return None;
    }
    // fewest[i]: the fewest syllables text[i..] splits into, and where the first ends.
    let mut fewest = [None::<(usize, usize)>; LONGEST_TOKEN + 1];
    fewest[n] = Some((0, n));
    for start in (0..n).rev() {
        fewest[start] = (start + 1..=n.min(start + LONGEST_SYLLABLE))
            .rev()
            .filter(|end| starts_syllable(system, start, text.as_bytes()[start]) && known(&text[start..*end]))
            .filter_map(|end| fewest[end].map(|(count, _)| (count + 1, end)))
            .min_by_key(|(count, _)| *count);
    }
    let (count, _) = fewest[0]?;
    let mut parts = Vec::with_capacity(count);
    let mut at = 0;
    while at < n {
        let (_, end) = fewest[at]?;
        parts.push(&text[at..end]);
        at = end;
    }
    Some(parts)
}

fn starts_syllable(system: System, at: usize, letter: u8) -> bool {
    at == 0 || matches!(system, System::Korean) || !matches!(letter, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Pinyin initials, the two-letter ones first.
const INITIALS: [&str; 23] = [
    "zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c", "s", "y",
    "w",
];

fn split_initial(syllable: &str) -> (&str, &str) {
    INITIALS
        .iter()
        .find(|i| syllable.len() > i.len() && syllable.starts_with(**i))
        .map_or(("", syllable), |i| syllable.split_at(i.len()))
}

/// Initials Wade-Giles writes alike once its apostrophes are gone, as one class.
fn initial_class(initial: &str) -> &str {
    match initial {
        "b" | "p" => "p",
        "d" | "t" => "t",
        "g" | "k" => "k",
        "z" | "c" => "ts",
        "zh" | "ch" | "j" | "q" => "ch",
        "x" => "hs",
        other => other,
    }
}

/// Every Pinyin syllable and its Wade-Giles spellings, keyed by the Pinyin with its
/// initial's class. Where a spelling is both, the Pinyin reading wins.
fn chinese_spellings() -> HashMap<String, String> {
    let mut keys: HashMap<String, String> = HashMap::new();
    let key = |syllable: &str| {
        let (initial, rest) = split_initial(syllable);
        format!("{}{}", initial_class(initial), rest.replace('v', "u"))
    };
    for syllable in pinyin() {
        keys.insert((*syllable).to_owned(), key(syllable));
    }
    let mut sorted: Vec<&&str> = pinyin().iter().collect();
    sorted.sort();
    for syllable in sorted {
        for spelling in wade_giles(syllable) {
            keys.entry(spelling).or_insert_with(|| key(syllable));
        }
    }
    keys
}

/// The Wade-Giles spellings of a Pinyin syllable, without apostrophes or diacritics.
fn wade_giles(syllable: &str) -> Vec<String> {
    let (initial, rest) = split_initial(syllable);
    let rest = rest.replace('v', "u");
    let wg_initial = match initial {
        "b" => "p",
        "d" => "t",
        "g" => "k",
        "z" | "c" => "ts",
        "zh" | "j" | "q" => "ch",
        "x" => "hs",
        "r" => "j",
        other => other,
    };
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
fn korean_spellings() -> HashMap<String, String> {
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
    let mut keys = HashMap::new();
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
        let (a, b) = (keys(a), keys(b));
        (a[0] != 0 && a[0] == b[0]) || (a[1] != 0 && a[1] == b[1])
    }

    #[test]
    fn wade_giles_and_pinyin_of_one_name_agree() {
        for (a, b) in [
            ("tsao", "cao"),
            ("lo", "luo"),
            ("te", "de"),
            ("ching", "jing"),
            ("chien", "jian"),
            ("hsieh", "xie"),
            ("kuei", "gui"),
            ("chung", "zhong"),
            ("ssu", "si"),
            ("chih", "zhi"),
            ("pao", "bao"),
            ("chang", "zhang"),
            ("chingmin", "jingmin"),
            ("yunpei", "yunpei"),
            ("hsiung", "xiong"),
            ("ko", "ge"),
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
            ("dong", "tong"),
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
            ("park", "bark"),
            ("smith", "smyth"),
            ("hee", "ha"),
        ] {
            assert!(!agree(a, b), "{a} / {b}");
        }
    }

    #[test]
    fn only_whole_romanizations_have_keys() {
        assert_eq!(keys("smith"), [0, 0]);
        assert_eq!(keys("x"), [0, 0]);
        assert_ne!(keys("jingmin")[0], 0);
        assert_eq!(keys("jeong")[0], 0);
        assert_ne!(keys("jeong")[1], 0);
        assert_eq!(keys("hee")[0], 0, "no Pinyin writes he'e without its apostrophe");
    }

    #[test]
    fn splits_into_the_fewest_syllables() {
        let pinyin = |s: &str| pinyin().contains(s);
        assert_eq!(split("xian", System::Chinese, pinyin), Some(vec!["xian"]));
        assert_eq!(split("jingmin", System::Chinese, pinyin), Some(vec!["jing", "min"]));
        assert_eq!(split("smith", System::Chinese, pinyin), None);
        assert_eq!(split("hee", System::Chinese, pinyin), None);
    }
}
