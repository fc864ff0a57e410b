//! Seeded generator of listed parties and queries for the pruning property test: names of several
//! cultures and kinds sharing many tokens (so that common tokens have long postings), short and long
//! names, initials, glued words, numbers, other scripts, and queries that are near-variants of listed
//! names (typos, reorderings, dropped, added, glued and split words) or fresh names.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::{EntityKind, NameStrength, Particulars, PartyDoc, Query};

const GIVEN: &[&str] = &[
    "mohammed", "muhammad", "mohamed", "ahmad", "ahmed", "ali", "hassan", "hussein", "husain", "abdul", "rahman",
    "karim", "ivan", "sergei", "sergey", "vladimir", "nikolai", "dmitry", "olga", "elena", "john", "jon", "james",
    "maria", "mariam", "jose", "juan", "reza", "mehdi", "hossein", "kim", "jong", "wei", "li", "hu", "jie", "jun",
    "xiao", "ping", "chol", "nicolas", "nikolas",
];
const SURNAMES: &[&str] = &[
    "ivanov",
    "ivanova",
    "petrov",
    "petrenko",
    "sidorov",
    "smith",
    "smyth",
    "al",
    "hassani",
    "rahmani",
    "tikriti",
    "maduro",
    "moros",
    "wang",
    "zhang",
    "liu",
    "lu",
    "chen",
    "kim",
    "pak",
    "ri",
    "hosseini",
    "tehrani",
    "garcia",
    "gonzalez",
    "kovalenko",
    "shevchenko",
    "abdullah",
    "abdallah",
    "sergeyevich",
    "ivanovich",
    "nikolaevich",
];
const GENERIC: &[&str] = &[
    "trading",
    "trade",
    "technology",
    "technologies",
    "tech",
    "electronic",
    "electronics",
    "engineering",
    "equipment",
    "international",
    "industrial",
    "industries",
    "shipping",
    "logistics",
    "group",
    "holding",
    "import",
    "export",
    "general",
    "energy",
    "petroleum",
    "marine",
    "systems",
    "services",
];
const CITIES: &[&str] = &[
    "dubai", "moscow", "tehran", "shanghai", "hong", "kong", "minsk", "kyiv", "riga",
];
const LEGAL: &[&str] = &[
    "LLC",
    "Ltd",
    "GmbH",
    "OOO",
    "JSC",
    "FZE",
    "Co., Ltd.",
    "S.A.",
    "SIA",
    "UAB",
];
const SYLLABLES: &[&str] = &[
    "ka", "ro", "vo", "le", "mi", "na", "sha", "to", "ri", "di", "bo", "zhu", "al", "pha", "ter", "nex", "tra", "ver",
    "on", "is", "ma", "gen", "tek", "pro", "sin", "or", "el", "dar", "ya", "ku",
];
const OTHER_SCRIPT: &[&str] = &[
    "Владимир Путин",
    "Иван Петров",
    "ООО «Ромашка»",
    "محمد حسن",
    "محمد الحسن",
    "王伟",
    "李小平",
    "Сергей Иванович Сидоров",
    "Мохаммед Хусейн",
    "김정은",
];
const LETTERS: &[u8] = b"abcdefghijklmnopqrstuvwxyz";

/// The generator: one seeded random source, picking from the pools above.
pub(crate) struct Names {
    rng: StdRng,
    /// Whether variants may glue or split words.
    compounds: bool,
}

impl Names {
    pub fn new(seed: u64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed),
            compounds: true,
        }
    }

    /// Variants keep words whole: no glued or split words.
    pub fn without_compounds(mut self) -> Self {
        self.compounds = false;
        self
    }

    fn pick(&mut self, pool: &[&'static str]) -> &'static str {
        pool.choose(&mut self.rng).copied().unwrap_or("x")
    }

    /// A made-up word of 1 to 4 syllables: distinctive company stems and rarer surnames.
    fn stem(&mut self) -> String {
        let syllables = self.rng.gen_range(1..=4);
        (0..syllables).map(|_| self.pick(SYLLABLES)).collect()
    }

    fn person(&mut self) -> String {
        let mut parts = vec![self.pick(GIVEN).to_string()];
        for _ in 0..self.rng.gen_range(0..=3) {
            let part = match self.rng.gen_range(0..4) {
                0 => self.pick(GIVEN).to_string(),
                1 => self.stem(),
                _ => self.pick(SURNAMES).to_string(),
            };
            parts.push(part);
        }
        if self.rng.gen_bool(0.1) {
            let i = self.rng.gen_range(0..parts.len());
            parts[i] = parts[i][..1].to_string();
        }
        if self.rng.gen_bool(0.2) && parts.len() > 1 {
            let surname = parts.remove(parts.len() - 1);
            return format!("{}, {}", surname.to_uppercase(), parts.join(" "));
        }
        parts.join(" ")
    }

    fn company(&mut self) -> String {
        let mut parts = Vec::new();
        if self.rng.gen_bool(0.3) {
            parts.push(self.pick(CITIES).to_string());
        }
        for _ in 0..self.rng.gen_range(1..=2) {
            parts.push(self.stem());
        }
        if self.rng.gen_bool(0.2) && parts.len() > 1 {
            let last = parts.pop().unwrap_or_default();
            let first = parts.pop().unwrap_or_default();
            parts.push(format!("{first}{last}"));
        }
        for _ in 0..self.rng.gen_range(0..=4) {
            parts.push(self.pick(GENERIC).to_string());
        }
        if self.rng.gen_bool(0.6) {
            parts.push(self.pick(LEGAL).to_string());
        }
        parts.join(" ")
    }

    fn vessel(&mut self) -> String {
        let number = self.rng.gen_range(1..4);
        format!("{} {} {number}", self.stem(), self.pick(SURNAMES))
    }

    /// A listed or queried name of any kind, with its entity kind.
    pub fn name(&mut self) -> (String, EntityKind) {
        match self.rng.gen_range(0..20) {
            0..=8 => (self.person(), EntityKind::Person),
            9..=15 => (self.company(), EntityKind::Organisation),
            16..=17 => (self.vessel(), EntityKind::Vessel),
            18 => (self.pick(OTHER_SCRIPT).to_string(), EntityKind::Unknown),
            _ => {
                let tokens = self.rng.gen_range(6..=12);
                let long: Vec<String> = (0..tokens).map(|_| self.stem()).collect();
                (long.join(" "), EntityKind::Organisation)
            }
        }
    }

    pub fn party(&mut self) -> PartyDoc {
        let (name, entity) = self.name();
        let mut names = vec![(name, NameStrength::Strong)];
        if self.rng.gen_bool(0.2) {
            let strength = if self.rng.gen_bool(0.5) {
                NameStrength::Weak
            } else {
                NameStrength::Strong
            };
            let (alias, _) = self.name();
            names.push((alias, strength));
        }
        let countries = ["RU", "IR", "CN", "AE", "KP", "VE", "LV"];
        PartyDoc {
            names,
            entity,
            countries: vec![self.pick(&countries).to_string()],
            identifiers: Vec::new(),
            particulars: self.particulars(),
        }
    }

    /// Some of a city, a postal code and a birth date, from small pools so that queries and
    /// parties share them: corroboration lifts scores across thresholds, a differing date lowers.
    fn particulars(&mut self) -> Particulars {
        let mut some = |pool: &[&'static str]| -> Vec<String> {
            if self.rng.gen_bool(0.4) {
                vec![self.pick(pool).to_string()]
            } else {
                Vec::new()
            }
        };
        Particulars {
            cities: some(&["Moscow", "Tehran", "Dubai", "Riga"]),
            postal_codes: some(&["101000", "11369", "00000"]),
            birth_dates: some(&["1970-01-01", "1970", "1981-05-09", "1981-05"]),
        }
    }

    /// A near-variant of `name`: one to three edits of the kinds officers meet.
    pub fn variant(&mut self, name: &str) -> String {
        let mut words: Vec<String> = name.split_whitespace().map(str::to_lowercase).collect();
        for _ in 0..self.rng.gen_range(1..=3) {
            if words.is_empty() {
                break;
            }
            let i = self.rng.gen_range(0..words.len());
            match self.rng.gen_range(0..9) {
                0..=2 => words[i] = self.typo(&words[i]),
                3 => words.shuffle(&mut self.rng),
                4 if words.len() > 1 => {
                    words.remove(i);
                }
                5 => words.insert(i, self.pick(GENERIC).to_string()),
                6 if self.compounds && i + 1 < words.len() => {
                    let next = words.remove(i + 1);
                    words[i].push_str(&next);
                }
                7 if self.compounds && words[i].chars().count() > 5 => {
                    let cut = words[i].char_indices().nth(3).map_or(0, |(at, _)| at);
                    let tail = words[i].split_off(cut);
                    words.insert(i + 1, tail);
                }
                _ => words[i] = words[i].chars().take(1).collect(),
            }
        }
        words.join(" ")
    }

    fn typo(&mut self, word: &str) -> String {
        let mut chars: Vec<char> = word.chars().collect();
        if chars.is_empty() {
            return String::new();
        }
        let i = self.rng.gen_range(0..chars.len());
        let letter = char::from(*LETTERS.choose(&mut self.rng).unwrap_or(&b'a'));
        match self.rng.gen_range(0..4) {
            0 => chars[i] = letter,
            1 if chars.len() > 2 => {
                chars.remove(i);
            }
            2 if i + 1 < chars.len() => chars.swap(i, i + 1),
            _ => chars.insert(i, letter),
        }
        chars.into_iter().collect()
    }

    /// A query: mostly a near-variant of a listed name, sometimes a fresh name; sometimes with a
    /// country, entity kind or particulars, so that penalties and lifts move scores across thresholds.
    pub fn query(&mut self, listed: &[PartyDoc]) -> Query {
        let name = match listed.choose(&mut self.rng) {
            Some(party) if self.rng.gen_bool(0.75) => {
                let listed_name = party
                    .names
                    .choose(&mut self.rng)
                    .map(|(n, _)| n.clone())
                    .unwrap_or_default();
                if self.rng.gen_bool(0.15) {
                    listed_name
                } else {
                    self.variant(&listed_name)
                }
            }
            _ => self.name().0,
        };
        let country = self
            .rng
            .gen_bool(0.2)
            .then(|| self.pick(&["RU", "IR", "CN"]).to_string());
        let entity = self.rng.gen_bool(0.2).then_some(EntityKind::Person);
        let particulars = if self.rng.gen_bool(0.3) {
            self.particulars()
        } else {
            Particulars::default()
        };
        Query {
            country,
            entity,
            particulars,
            ..Query::new(name)
        }
    }
}
