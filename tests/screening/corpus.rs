//! Deterministic synthetic watchlist: Zipf-distributed names across cultures, companies, vessels,
//! aircraft, aliases and some Cyrillic-script names. Shared by the evaluation (distractors) and the benchmark.

use fedx::screening::{EntityKind, NameStrength, PartyDoc};
use rand::distributions::{Distribution, WeightedIndex};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

struct Culture {
    country: &'static str,
    given: Vec<String>,
    surnames: Vec<String>,
    given_zipf: WeightedIndex<f64>,
    surname_zipf: WeightedIndex<f64>,
}

const CULTURES: &[(&str, &[&str], &[&str])] = &[
    (
        "RU",
        &[
            "ka", "ro", "vo", "le", "mi", "na", "sha", "to", "ri", "di", "bo", "zhu", "ko", "pa", "se", "gei", "an",
            "dre", "vla", "ya", "ni", "lyu", "ser", "tem",
        ],
        &["ov", "ev", "in", "enko", "sky", "ova", "ich"],
    ),
    (
        "SY",
        &[
            "ha", "sa", "mi", "ra", "ja", "ka", "li", "ma", "na", "ba", "di", "fa", "za", "qa", "hu", "mu", "ta",
            "sha", "kha", "lid",
        ],
        &["i", "an", "ani", "oun", "ah", "el"],
    ),
    (
        "IR",
        &[
            "ba", "ha", "me", "re", "za", "ja", "far", "mo", "sa", "ka", "ri", "pa", "vi", "da", "ne", "gho", "kha",
            "ta",
        ],
        &["i", "ani", "zadeh", "pour", "nejad", "ian"],
    ),
    (
        "CN",
        &[
            "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu",
            "hu", "guo", "he", "lin", "gao", "luo", "zheng", "liang", "xie", "song", "tang", "han", "feng", "deng",
            "cao", "peng", "xiao", "tian", "dong", "pan", "yuan", "jiang", "yu", "du", "ye", "cheng", "wei", "su",
            "ding", "ren", "shen", "yao", "jin", "qiang", "ming", "jun", "yong", "jie", "hui", "ping", "hua", "xin",
            "hong", "fang", "lei", "bo",
        ],
        &[""],
    ),
    (
        "KP",
        &[
            "kim", "pak", "ri", "choe", "jong", "un", "yong", "ho", "myong", "chol", "song", "il", "kwang", "hyon",
            "su", "nam", "gil", "tae", "hui", "jin",
        ],
        &[""],
    ),
    (
        "DE",
        &[
            "mul", "schmi", "ber", "wag", "bau", "hof", "kle", "wolf", "neu", "zim", "kru", "lang", "hart", "stein",
            "berg", "feld", "ha", "ri", "o", "e",
        ],
        &["er", "mann", "t", "ner", "el", "ke"],
    ),
    (
        "VE",
        &[
            "gar", "ro", "mar", "her", "lo", "gon", "pe", "san", "ra", "to", "fl", "ri", "go", "di", "ca", "va", "be",
            "me", "za", "ur",
        ],
        &["ez", "ia", "o", "es", "an", "ero"],
    ),
    (
        "TR",
        &[
            "yil", "ka", "de", "sa", "ce", "yi", "oz", "ay", "ar", "do", "ki", "ko", "ku", "ak", "er", "gu", "ta",
            "bul", "ba", "te",
        ],
        &["maz", "ya", "mir", "hin", "lik", "dız", "oglu", "can", "turk"],
    ),
    (
        "GB",
        &[
            "smi", "jo", "wil", "bro", "tay", "da", "ev", "tho", "rob", "wal", "wri", "hug", "gre", "wo", "har", "cla",
            "lew", "mor", "ja", "whi",
        ],
        &["th", "nes", "son", "ams", "lor", "vies", "ker", "ton", "ley"],
    ),
];

const SECTORS: &[&str] = &[
    "Trading",
    "Shipping",
    "Logistics",
    "Industries",
    "Petroleum",
    "Engineering",
    "Construction",
    "Electronics",
    "Technologies",
    "Holding",
    "Group",
    "Maritime",
    "Chemicals",
    "Metals",
    "Energy",
    "Aviation",
    "Import Export",
    "Machinery",
    "Investment",
    "Services",
    "International",
    "Development",
    "Resources",
    "Mining",
    "Textiles",
    "Pharma",
    "Foods",
    "Consulting",
    "Capital",
    "Systems",
];
const LEGAL: &[&str] = &[
    "LLC",
    "Ltd",
    "Limited",
    "GmbH",
    "AG",
    "OOO",
    "ZAO",
    "JSC",
    "SARL",
    "S.A.",
    "SAS",
    "S.p.A.",
    "S.R.L.",
    "B.V.",
    "N.V.",
    "Co., Ltd.",
    "Corp.",
    "Inc.",
    "PLC",
    "LLP",
    "FZE",
    "A.S.",
];
const VESSEL_A: &[&str] = &[
    "Ocean", "Golden", "Sea", "Pacific", "Atlantic", "Silver", "Royal", "Northern", "Eastern", "Blue", "Grand", "Star",
    "Adrian", "Happy", "Lucky", "Arctic", "Caspian", "Red", "White", "Black", "Great", "Jade", "Coral", "Iron",
    "Crystal", "Emerald", "Sapphire", "Sun", "Moon", "Polar",
];
const VESSEL_B: &[&str] = &[
    "Star",
    "Dawn",
    "Princess",
    "Glory",
    "Pearl",
    "Spirit",
    "Wave",
    "Fortune",
    "Harmony",
    "Breeze",
    "Voyager",
    "Darya",
    "Falcon",
    "Trader",
    "Queen",
    "Horizon",
    "Navigator",
    "Dolphin",
    "Explorer",
    "Venture",
    "Eagle",
    "Wind",
    "Light",
    "Hope",
    "Pride",
    "Crown",
    "Legend",
    "Phoenix",
    "Tiger",
    "Dragon",
];

pub struct Corpus {
    rng: StdRng,
    cultures: Vec<Culture>,
    brands: Vec<String>,
    brand_zipf: WeightedIndex<f64>,
    sector_zipf: WeightedIndex<f64>,
}

fn zipf(n: usize) -> WeightedIndex<f64> {
    WeightedIndex::new((0..n).map(|i| 1.0 / (i as f64 + 1.0))).expect("non-empty weights")
}

fn word(rng: &mut StdRng, syllables: &[&str], suffixes: &[&str], parts: std::ops::RangeInclusive<usize>) -> String {
    let parts = rng.gen_range(parts);
    let mut w: String = (0..parts)
        .map(|_| syllables[rng.gen_range(0..syllables.len())])
        .collect();
    w.push_str(suffixes[rng.gen_range(0..suffixes.len())]);
    capitalize(&w)
}

fn capitalize(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

impl Corpus {
    pub fn new(seed: u64) -> Self {
        let mut rng = StdRng::seed_from_u64(seed);
        let cultures = CULTURES
            .iter()
            .map(|(country, syl, suf)| {
                let given: Vec<String> = (0..1500).map(|_| word(&mut rng, syl, &[""], 2..=3)).collect();
                let surnames: Vec<String> = (0..25_000).map(|_| word(&mut rng, syl, suf, 1..=3)).collect();
                Culture {
                    country,
                    given_zipf: zipf(given.len()),
                    surname_zipf: zipf(surnames.len()),
                    given,
                    surnames,
                }
            })
            .collect();
        let all: Vec<&str> = CULTURES.iter().flat_map(|c| c.1.iter().copied()).collect();
        let brands: Vec<String> = (0..60_000)
            .map(|_| word(&mut rng, &all, &["", "tex", "tech", "ex", "on", "a"], 2..=3))
            .collect();
        Self {
            rng,
            cultures,
            brand_zipf: zipf(brands.len()),
            brands,
            sector_zipf: zipf(SECTORS.len()),
        }
    }

    pub fn party(&mut self) -> PartyDoc {
        match self.rng.gen_range(0..100) {
            0..60 => self.person(),
            60..90 => self.company(),
            90..97 => self.vessel(),
            _ => self.aircraft(),
        }
    }

    pub fn person_name(&mut self) -> (String, &'static str) {
        let c = &self.cultures[self.rng.gen_range(0..self.cultures.len())];
        let given = &c.given[c.given_zipf.sample(&mut self.rng)];
        let surname = &c.surnames[c.surname_zipf.sample(&mut self.rng)];
        let name = match c.country {
            "CN" | "KP" => format!("{surname} {given}"),
            "SY" if self.rng.gen_bool(0.5) => format!("{given} Al-{surname}"),
            _ if self.rng.gen_bool(0.2) => format!("{}, {}", surname.to_uppercase(), given),
            _ => format!("{given} {surname}"),
        };
        (name, c.country)
    }

    pub fn company_name(&mut self) -> String {
        let brand = &self.brands[self.brand_zipf.sample(&mut self.rng)];
        let mut name = brand.clone();
        if self.rng.gen_bool(0.3) {
            name.push(' ');
            name.push_str(&self.brands[self.brand_zipf.sample(&mut self.rng)]);
        }
        if self.rng.gen_bool(0.8) {
            name.push(' ');
            name.push_str(SECTORS[self.sector_zipf.sample(&mut self.rng)]);
        }
        name.push(' ');
        name.push_str(LEGAL[self.rng.gen_range(0..LEGAL.len())]);
        name
    }

    fn person(&mut self) -> PartyDoc {
        let (name, country) = self.person_name();
        let mut names = vec![(name.clone(), NameStrength::Strong)];
        if country == "RU" && self.rng.gen_bool(0.3) {
            names.push((to_cyrillic(&name), NameStrength::Strong));
        }
        if self.rng.gen_bool(0.2) {
            names.push((self.person_name().0, NameStrength::Strong));
        }
        if self.rng.gen_bool(0.1) {
            let nick = format!("Abu {}", self.person_name().0.split(' ').next().unwrap_or("Ali"));
            names.push((nick, NameStrength::Weak));
        }
        let mut identifiers = Vec::new();
        if self.rng.gen_bool(0.3) {
            identifiers.push(format!(
                "PASSPORT:{}{}",
                self.letters(2),
                self.rng.gen_range(1_000_000..9_999_999)
            ));
        }
        PartyDoc {
            names,
            entity: EntityKind::Person,
            countries: vec![country.to_string()],
            identifiers,
            particulars: Default::default(),
        }
    }

    fn company(&mut self) -> PartyDoc {
        let mut names = vec![(self.company_name(), NameStrength::Strong)];
        if self.rng.gen_bool(0.15) {
            names.push((self.company_name(), NameStrength::Strong));
        }
        let country = self.cultures[self.rng.gen_range(0..self.cultures.len())]
            .country
            .to_string();
        let identifiers = vec![format!(
            "REGISTRATION:{}",
            self.rng.gen_range(1_000_000_000u64..9_999_999_999)
        )];
        PartyDoc {
            names,
            entity: EntityKind::Organisation,
            countries: vec![country],
            identifiers,
            particulars: Default::default(),
        }
    }

    fn vessel(&mut self) -> PartyDoc {
        let mut name = format!(
            "{} {}",
            VESSEL_A[self.rng.gen_range(0..VESSEL_A.len())],
            VESSEL_B[self.rng.gen_range(0..VESSEL_B.len())]
        );
        if self.rng.gen_bool(0.3) {
            name.push_str(&format!(" {}", self.rng.gen_range(1..30)));
        }
        let identifiers = vec![format!("IMO:{}", self.rng.gen_range(9_000_000..9_899_999))];
        PartyDoc {
            names: vec![(name.to_uppercase(), NameStrength::Strong)],
            entity: EntityKind::Vessel,
            countries: vec!["PA".into()],
            identifiers,
            particulars: Default::default(),
        }
    }

    fn aircraft(&mut self) -> PartyDoc {
        let tail = format!("EP-{}", self.letters(3));
        PartyDoc {
            names: vec![(tail.clone(), NameStrength::Strong)],
            entity: EntityKind::Aircraft,
            countries: vec!["IR".into()],
            identifiers: vec![format!("MSN:{}", self.rng.gen_range(100..99_999))],
            particulars: Default::default(),
        }
    }

    fn letters(&mut self, n: usize) -> String {
        (0..n).map(|_| char::from(b'A' + self.rng.gen_range(0..26u8))).collect()
    }

    /// One random edit (substitution, deletion, insertion, transposition) after the first letter.
    #[allow(dead_code)] // used by the benchmark, not by every test including this module
    pub fn typo(&mut self, name: &str) -> String {
        let mut chars: Vec<char> = name.chars().collect();
        if chars.len() < 4 {
            return name.to_string();
        }
        let i = self.rng.gen_range(1..chars.len() - 1);
        match self.rng.gen_range(0..4) {
            0 => chars[i] = char::from(b'a' + self.rng.gen_range(0..26u8)),
            1 => {
                chars.remove(i);
            }
            2 => chars.insert(i, chars[i]),
            _ => chars.swap(i, i + 1),
        }
        chars.into_iter().collect()
    }

    #[allow(dead_code)] // used by the benchmark only
    pub fn rng(&mut self) -> &mut StdRng {
        &mut self.rng
    }
}

/// Rough Latin-to-Cyrillic spelling so that some listed names exist only in Cyrillic script.
fn to_cyrillic(latin: &str) -> String {
    const DIGRAPHS: &[(&str, &str)] = &[
        ("shch", "щ"),
        ("kh", "х"),
        ("zh", "ж"),
        ("ch", "ч"),
        ("sh", "ш"),
        ("ya", "я"),
        ("yu", "ю"),
        ("ts", "ц"),
    ];
    const SINGLE: &[(char, char)] = &[
        ('a', 'а'),
        ('b', 'б'),
        ('v', 'в'),
        ('g', 'г'),
        ('d', 'д'),
        ('e', 'е'),
        ('z', 'з'),
        ('i', 'и'),
        ('y', 'й'),
        ('k', 'к'),
        ('l', 'л'),
        ('m', 'м'),
        ('n', 'н'),
        ('o', 'о'),
        ('p', 'п'),
        ('r', 'р'),
        ('s', 'с'),
        ('t', 'т'),
        ('u', 'у'),
        ('f', 'ф'),
        ('h', 'х'),
        ('c', 'к'),
        ('q', 'к'),
        ('w', 'в'),
        ('x', 'к'),
    ];
    let mut out = String::new();
    let lower = latin.to_lowercase();
    let mut rest = lower.as_str();
    while let Some(c) = rest.chars().next() {
        if let Some((d, cyr)) = DIGRAPHS.iter().find(|(d, _)| rest.starts_with(d)) {
            out.push_str(cyr);
            rest = &rest[d.len()..];
            continue;
        }
        out.push(SINGLE.iter().find(|(l, _)| *l == c).map_or(c, |(_, cyr)| *cyr));
        rest = &rest[c.len_utf8()..];
    }
    out
}
