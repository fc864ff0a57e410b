//! Screening benchmark on a synthetic corpus.
//!
//! `cargo bench --bench screening` (1,000,000 parties); `SCREEN_BENCH_PARTIES=100000` for a quick run,
//! `SCREEN_BENCH_INDEX_ONLY=1` to stop after the index latencies (for profiling).

#[path = "../tests/screening/corpus.rs"]
mod corpus;
#[path = "../tests/screening/eval_set.rs"]
mod eval_set;

use std::time::{Duration, Instant};

use fedx::screening::{ALGORITHM_VERSION, DEFAULT_MIN_SCORE, Index, Query};
use rand::Rng;

const QUERIES: usize = 2_000;
const BRUTE_QUERIES: usize = 20;

fn main() {
    // As fednode does (lib.rs says why).
    fedx::disable_transparent_huge_pages();
    let parties: u64 = std::env::var("SCREEN_BENCH_PARTIES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    println!("{ALGORITHM_VERSION}: {parties} synthetic parties, threshold {DEFAULT_MIN_SCORE}");

    let (index, listed) = build(parties);
    let queries = make_queries(&listed);

    for q in queries.iter().take(100) {
        index.screen(q);
    }
    let (indexed, hits) = latencies(&queries, |q| index.screen(q).len());
    println!(
        "index:       {} queries  p50 {:>9.3} ms  p99 {:>9.3} ms  max {:>9.3} ms  ({} hits)",
        queries.len(),
        ms(percentile(&indexed, 0.50)),
        ms(percentile(&indexed, 0.99)),
        ms(percentile(&indexed, 1.0)),
        hits
    );
    if std::env::var_os("SCREEN_BENCH_INDEX_ONLY").is_some() {
        return;
    }
    let sample: Vec<Query> = queries
        .iter()
        .step_by(queries.len() / BRUTE_QUERIES)
        .take(BRUTE_QUERIES)
        .cloned()
        .collect();
    let (brute, _) = latencies(&sample, |q| index.screen_brute_force(q).len());
    let (same, _) = latencies(&sample, |q| index.screen(q).len());
    println!(
        "brute force: {} queries  p50 {:>9.3} ms  (index on the same queries: p50 {:.3} ms)  speed-up {:.0}x",
        sample.len(),
        ms(percentile(&brute, 0.50)),
        ms(percentile(&same, 0.50)),
        percentile(&brute, 0.50).as_secs_f64() / percentile(&same, 0.50).as_secs_f64()
    );
    live_updates(index);
    eval_recall();
}

/// Builds the index; returns it with a sample of listed primary names to derive queries from.
fn build(parties: u64) -> (Index<u64>, Vec<String>) {
    let mut corpus = corpus::Corpus::new(42);
    let mut index = Index::new();
    let mut listed = Vec::new();
    let mut spent = Duration::ZERO;
    for key in 0..parties {
        let party = corpus.party();
        if listed.len() < QUERIES && corpus.rng().gen_bool((QUERIES as f64 * 2.0 / parties as f64).min(1.0)) {
            listed.push(party.names[0].0.clone());
        }
        let start = Instant::now();
        index.upsert(key, vec![party]);
        spent += start.elapsed();
    }
    println!(
        "build:       {:.1} s for {} parties (upsert time only), RSS {}",
        spent.as_secs_f64(),
        index.len(),
        rss()
    );
    (index, listed)
}

/// Half typo'd listed names, half names that are not listed.
fn make_queries(listed: &[String]) -> Vec<Query> {
    let mut fresh = corpus::Corpus::new(4242);
    let mut queries = Vec::with_capacity(QUERIES);
    for i in 0..QUERIES {
        let name = match listed.get(i / 2) {
            Some(name) if i % 2 == 0 => fresh.typo(name),
            _ if i % 4 == 1 => fresh.person_name().0,
            _ => fresh.company_name(),
        };
        queries.push(Query::new(name));
    }
    queries
}

fn latencies(queries: &[Query], run: impl Fn(&Query) -> usize) -> (Vec<Duration>, usize) {
    let mut times = Vec::with_capacity(queries.len());
    let mut hits = 0;
    for q in queries {
        let start = Instant::now();
        hits += run(q);
        times.push(start.elapsed());
    }
    times.sort_unstable();
    (times, hits)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1)) - 1;
    sorted.get(i).copied().unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A record arriving by replication is screenable immediately; a revoked one stops matching.
fn live_updates(mut index: Index<u64>) {
    let key = u64::MAX;
    let party = corpus::Corpus::new(1).party();
    let query = Query::new(party.names[0].0.clone());
    let start = Instant::now();
    index.upsert(key, vec![party]);
    let upsert = start.elapsed();
    let found = index.screen(&query).iter().any(|h| h.key == key);
    let start = Instant::now();
    index.remove(&key);
    let remove = start.elapsed();
    let gone = !index.screen(&query).iter().any(|h| h.key == key);
    println!(
        "live update: upsert {:.3} ms (found: {found}), remove {:.3} ms (gone: {gone})",
        ms(upsert),
        ms(remove)
    );
}

/// Recall/precision on the evaluation set (with 5,000 distractors), index vs brute force.
fn eval_recall() {
    let cases = eval_set::load();
    let mut index = Index::new();
    eval_set::index_cases(&mut index, &cases);
    let mut corpus = corpus::Corpus::new(7);
    for i in 0..5_000 {
        index.upsert(1_000_000 + i, vec![corpus.party()]);
    }
    let by_index = eval_set::evaluate(&cases, |q| index.screen(q), false);
    let by_brute = eval_set::evaluate(&cases, |q| index.screen_brute_force(q), false);
    for (label, m) in [("index", by_index), ("brute force", by_brute)] {
        println!(
            "eval {label:<12} recall {:.4}  precision {:.4}",
            m.recall(),
            m.precision()
        );
    }
}

fn rss() -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .map(|l| l.trim_start_matches("VmRSS:").trim().to_string())
        })
        .unwrap_or_else(|| "unknown".into())
}
