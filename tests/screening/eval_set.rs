//! Loads `tests/data/screening_eval.jsonl` and measures precision and recall on it.

use std::collections::BTreeMap;

use fedx::screening::{DEFAULT_MIN_SCORE, EntityKind, Hit, Index, NameStrength, PartyDoc, Query};
use serde_json::Value;

pub const EVAL_PATH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/screening_eval.jsonl");

pub struct EvalCase {
    pub query: Query,
    pub party: PartyDoc,
    pub is_match: bool,
    pub why: String,
}

pub fn load() -> Vec<EvalCase> {
    let text = std::fs::read_to_string(EVAL_PATH).expect("evaluation set is committed with the crate");
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| parse(&serde_json::from_str(l).expect("valid JSON line")))
        .collect()
}

fn parse(row: &Value) -> EvalCase {
    let q = &row["query"];
    let p = &row["party"];
    let query = Query {
        country: q["country"].as_str().map(str::to_string),
        entity: q["type"].as_str().map(entity),
        identifiers: strings(&q["identifiers"]),
        min_score: DEFAULT_MIN_SCORE,
        limit: 1000,
        ..Query::new(q["name"].as_str().unwrap_or_default())
    };
    let names = p["names"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|n| {
            let strength = if n["kind"] == "weak_alias" {
                NameStrength::Weak
            } else {
                NameStrength::Strong
            };
            (n["name"].as_str().unwrap_or_default().to_string(), strength)
        })
        .collect();
    let identifiers = p["identifiers"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|i| {
            format!(
                "{}:{}",
                i["type"].as_str().unwrap_or("other").to_uppercase(),
                i["value"].as_str().unwrap_or_default()
            )
        })
        .collect();
    EvalCase {
        query,
        party: PartyDoc {
            names,
            entity: entity(p["type"].as_str().unwrap_or_default()),
            countries: strings(&p["countries"]),
            identifiers,
            particulars: Default::default(),
        },
        is_match: row["match"].as_bool().unwrap_or(false),
        why: row["why"].as_str().unwrap_or_default().to_string(),
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_string))
        .collect()
}

fn entity(s: &str) -> EntityKind {
    match s {
        "person" => EntityKind::Person,
        "organisation" => EntityKind::Organisation,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

/// Eval parties are keyed by their line number.
pub fn index_cases(index: &mut Index<u64>, cases: &[EvalCase]) {
    for (i, case) in cases.iter().enumerate() {
        index.upsert(i as u64, vec![case.party.clone()]);
    }
}

#[derive(Default, Debug)]
pub struct Metrics {
    pub true_pos: usize,
    pub false_neg: usize,
    pub false_pos: usize,
    pub true_neg: usize,
    /// Errors by `why`: (missed true pairs, accepted false pairs).
    pub errors: BTreeMap<String, (usize, usize)>,
}

impl Metrics {
    pub fn recall(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_neg).max(1) as f64
    }

    pub fn precision(&self) -> f64 {
        self.true_pos as f64 / (self.true_pos + self.false_pos).max(1) as f64
    }
}

/// Screens every case; a case's party counts as hit when it is among the hits at/above the threshold.
pub fn evaluate(cases: &[EvalCase], screen: impl Fn(&Query) -> Vec<Hit<u64>>, verbose: bool) -> Metrics {
    let mut m = Metrics::default();
    for (i, case) in cases.iter().enumerate() {
        let hits = screen(&case.query);
        let hit = hits.iter().find(|h| h.key == i as u64);
        let errors = m.errors.entry(case.why.clone()).or_default();
        match (case.is_match, hit.is_some()) {
            (true, true) => m.true_pos += 1,
            (true, false) => {
                m.false_neg += 1;
                errors.0 += 1;
            }
            (false, true) => {
                m.false_pos += 1;
                errors.1 += 1;
            }
            (false, false) => m.true_neg += 1,
        }
        if verbose && case.is_match != hit.is_some() {
            let names: Vec<&str> = case.party.names.iter().map(|(n, _)| n.as_str()).collect();
            let relaxed = Query {
                min_score: 0.0,
                ..case.query.clone()
            };
            let score = screen(&relaxed)
                .into_iter()
                .find(|h| h.key == i as u64)
                .map(|h| (h.score, h.features));
            eprintln!(
                "{:<5} {:<24} {:?} -> {:?} {:?}",
                case.is_match, case.why, case.query.name, names, score
            );
        }
    }
    m
}
