//! Screening on the independent evaluation set (`tests/data/screening-eval`, written without
//! looking at the scorer): precision, recall and F1 per category at the default threshold,
//! and the best recall at precision ≥ 0.95, on the `holdout` half (`SCREEN_EVAL_SPLIT=tune`
//! for the half one may tune on). The figures in docs/screening.md come from
//! `cargo test --release --test screening_holdout -- --nocapture`.
//!
//! Each query counts once, by its best hit: a true positive when that hit reaches the
//! threshold and is one of the expected parties; a false positive when it reaches the
//! threshold and is not (for a query of a listed party that is also a miss).

use std::collections::BTreeMap;

use fedx::screening::{DEFAULT_MIN_SCORE, EntityKind, Hit, Index, NameStrength, PartyDoc, Query};
use serde_json::Value;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/screening-eval");

fn lines(file: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(format!("{DIR}/{file}")).expect("the evaluation set is checked in");
    text.lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
        .collect()
}

fn strings(value: &Value) -> Vec<String> {
    let items = value.as_array().map(Vec::as_slice).unwrap_or_default();
    items.iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

fn entity(kind: &str) -> EntityKind {
    match kind {
        "person" => EntityKind::Person,
        "organisation" => EntityKind::Organisation,
        "vessel" => EntityKind::Vessel,
        "aircraft" => EntityKind::Aircraft,
        _ => EntityKind::Unknown,
    }
}

fn party(value: &Value) -> PartyDoc {
    let names = value["names"].as_array().map(Vec::as_slice).unwrap_or_default();
    let names = names
        .iter()
        .map(|n| {
            let strength = match n["kind"].as_str() {
                Some("weak_alias") => NameStrength::Weak,
                _ => NameStrength::Strong,
            };
            (n["name"].as_str().unwrap_or_default().to_string(), strength)
        })
        .collect();
    let addresses = value["addresses"].as_array().map(Vec::as_slice).unwrap_or_default();
    let mut countries = strings(&value["countries"]);
    countries.extend(
        addresses
            .iter()
            .filter_map(|a| a["country"].as_str())
            .map(str::to_owned),
    );
    let identifiers = value["identifiers"].as_array().map(Vec::as_slice).unwrap_or_default();
    PartyDoc {
        names,
        entity: entity(value["entity_type"].as_str().unwrap_or_default()),
        countries,
        identifiers: identifiers
            .iter()
            .filter_map(|i| i["value"].as_str())
            .map(str::to_owned)
            .collect(),
        particulars: Default::default(),
    }
}

/// One query's best hit: its score, and whether it is an expected party.
struct Outcome {
    category: String,
    listed: bool,
    best: Option<(f64, bool)>,
    /// The query, the expected parties' first names and the best hit's name: shown for
    /// errors on the tune half only (`SCREEN_EVAL_ERRORS=1`).
    shown: String,
}

#[derive(Default, Clone, Copy)]
struct Counts {
    true_pos: u32,
    false_pos: u32,
    false_neg: u32,
    true_neg: u32,
}

impl Counts {
    fn add(&mut self, outcome: &Outcome, threshold: f64) {
        match (outcome.listed, outcome.best.filter(|(score, _)| *score >= threshold)) {
            (true, Some((_, true))) => self.true_pos += 1,
            (true, Some((_, false))) => {
                self.false_pos += 1;
                self.false_neg += 1;
            }
            (true, None) => self.false_neg += 1,
            (false, Some(_)) => self.false_pos += 1,
            (false, None) => self.true_neg += 1,
        }
    }

    fn precision(self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_pos)
    }

    fn recall(self) -> f64 {
        ratio(self.true_pos, self.true_pos + self.false_neg)
    }

    fn f1(self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
}

fn ratio(a: u32, b: u32) -> f64 {
    if b == 0 { 1.0 } else { f64::from(a) / f64::from(b) }
}

fn counts(outcomes: &[&Outcome], threshold: f64) -> Counts {
    let mut counts = Counts::default();
    outcomes.iter().for_each(|o| counts.add(o, threshold));
    counts
}

/// The best recall at any threshold where precision is at least `floor`.
fn recall_at_precision(outcomes: &[&Outcome], floor: f64) -> (f64, f64) {
    let mut thresholds: Vec<f64> = outcomes.iter().filter_map(|o| o.best.map(|b| b.0)).collect();
    thresholds.sort_by(f64::total_cmp);
    thresholds.dedup();
    thresholds
        .into_iter()
        .map(|t| (counts(outcomes, t), t))
        .filter(|(c, _)| c.precision() >= floor)
        .map(|(c, t)| (c.recall(), t))
        .fold((0.0, 1.0), |best, next| if next.0 > best.0 { next } else { best })
}

fn evaluate(split: &str) -> Vec<Outcome> {
    let mut index = Index::new();
    let parties = lines("parties.jsonl");
    let mut first_names = std::collections::HashMap::new();
    for value in &parties {
        let id = value["id"].as_str().expect("a party id").to_string();
        let doc = party(value);
        first_names.insert(id.clone(), doc.names.first().map(|n| n.0.clone()).unwrap_or_default());
        index.upsert(id, vec![doc]);
    }
    let queries = lines("queries.jsonl");
    let queries = queries.iter().filter(|q| q["split"] == split);
    let explain = std::env::var_os("SCREEN_EVAL_EXPLAIN").is_some();
    queries
        .map(|q| {
            let expected = strings(&q["expected"]);
            let query = Query {
                country: q["country"].as_str().map(str::to_owned),
                entity: q["entity_type"].as_str().map(entity),
                min_score: 0.3,
                limit: 1,
                ..Query::new(q["query"].as_str().unwrap_or_default())
            };
            let best = index.screen(&query).into_iter().next();
            let wanted: Vec<&str> = expected
                .iter()
                .filter_map(|id| first_names.get(id))
                .map(String::as_str)
                .collect();
            let mut shown = format!(
                "{:?} wanted {wanted:?} got {:?}",
                query.name,
                best.as_ref()
                    .map(|hit| (&hit.matched_name, (hit.score * 1000.0).round() / 1000.0))
            );
            if explain && split == "tune" {
                shown += &explained(&index, &query, best.as_ref(), &expected);
            }
            Outcome {
                category: q["category"].as_str().unwrap_or_default().to_string(),
                listed: !expected.is_empty(),
                best: best.map(|hit| (hit.score, expected.contains(&hit.key))),
                shown,
            }
        })
        .collect()
}

/// The features of the best hit and of the expected party's hit (`SCREEN_EVAL_EXPLAIN=1`,
/// tune half only): why a query went wrong.
fn explained(index: &Index<String>, query: &Query, best: Option<&Hit<String>>, expected: &[String]) -> String {
    let features = |hit: &Hit<String>| {
        let parts = hit.features.iter().map(|f| format!("{} {:.3}", f.name, f.weight));
        format!(
            "{:?} {:.3} [{}]",
            hit.matched_name,
            hit.score,
            parts.collect::<Vec<_>>().join(", ")
        )
    };
    let wide = Query {
        min_score: 0.1,
        limit: 200,
        ..query.clone()
    };
    let wanted = index.screen(&wide).into_iter().find(|hit| expected.contains(&hit.key));
    format!(
        "\n    best {}\n    wanted {}",
        best.map(features).unwrap_or_default(),
        wanted.as_ref().map(features).unwrap_or_default()
    )
}

#[test]
fn screening_on_the_independent_set() {
    let split = std::env::var("SCREEN_EVAL_SPLIT").unwrap_or_else(|_| "holdout".into());
    let outcomes = evaluate(&split);
    assert!(outcomes.len() >= 1_500, "{} {split} queries", outcomes.len());
    let mut by_category: BTreeMap<&str, Vec<&Outcome>> = BTreeMap::new();
    for outcome in &outcomes {
        by_category.entry(&outcome.category).or_default().push(outcome);
    }
    println!("split {split}, threshold {DEFAULT_MIN_SCORE}");
    println!(
        "{:<20} {:>5} {:>9} {:>7} {:>6} {:>10}",
        "category", "n", "precision", "recall", "F1", "false pos"
    );
    for (category, outcomes) in &by_category {
        let c = counts(outcomes, DEFAULT_MIN_SCORE);
        if outcomes.iter().any(|o| o.listed) {
            println!(
                "{category:<20} {:>5} {:>9.3} {:>7.3} {:>6.3} {:>10}",
                outcomes.len(),
                c.precision(),
                c.recall(),
                c.f1(),
                c.false_pos
            );
        } else {
            // Look-alikes and unlisted names: only false positives can happen.
            println!(
                "{category:<20} {:>5} {:>9} {:>7} {:>6} {:>10}",
                outcomes.len(),
                "-",
                "-",
                "-",
                c.false_pos
            );
        }
    }
    if split == "tune" && std::env::var("SCREEN_EVAL_ERRORS").is_ok() {
        for o in &outcomes {
            let hit = o.best.filter(|(score, _)| *score >= DEFAULT_MIN_SCORE);
            let wrong = match (o.listed, hit) {
                (true, Some((_, true))) | (false, None) => None,
                (true, None) => Some("miss"),
                (_, Some(_)) => Some("false hit"),
            };
            if let Some(wrong) = wrong {
                println!("{wrong:<9} {:<20} {}", o.category, o.shown);
            }
        }
    }
    let all: Vec<&Outcome> = outcomes.iter().collect();
    let c = counts(&all, DEFAULT_MIN_SCORE);
    let (recall, at) = recall_at_precision(&all, 0.95);
    println!(
        "all: precision {:.3} recall {:.3} F1 {:.3}; recall {recall:.3} at precision ≥ 0.95 (threshold {at:.3})",
        c.precision(),
        c.recall(),
        c.f1()
    );
    // A floor under today's figures (F1 0.904 holdout, 0.901 tune), so a change that makes
    // screening worse fails here; the targets (F1 ≥ 0.92, recall ≥ 0.90 at precision
    // ≥ 0.95) are reported, not asserted.
    assert!(c.f1() >= 0.88, "F1 {:.3} on {split}", c.f1());
}
