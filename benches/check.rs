//! Licence-check benchmark: `cargo bench --bench check`.
//!
//! A publishes `FEDX_BENCH_DENIALS` denials (default 100,000), each to a consignee of its
//! own; B holds them all, then checks applications against them: half name a denied
//! consignee spelled otherwise (an essentially identical match), half an unlisted one.
//! Prints one JSON object per figure: check latency at B (p50, p99) and, as the baseline
//! measured in the same run, the latency of a plain screen of the same names.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use fedx::proto::record_body::Kind;
use fedx::proto::*;
use rand::{Rng, SeedableRng};

const BATCH: usize = 500;
const CHECKS: usize = 400;
const SYLLABLES: &[&str] = &[
    "ka", "ro", "mi", "tel", "san", "vor", "dan", "le", "pri", "ston", "gar", "bel", "nu", "ax", "zen", "mar", "lo",
    "fin", "tra", "kon", "sel", "dor", "ika", "ven",
];
const KINDS: &[&str] = &[
    "Trading",
    "Machinery",
    "Electronics",
    "Engineering",
    "Industrial",
    "Logistics",
];
const COUNTRIES: &[&str] = &["AE", "TR", "CN", "MY", "RU", "IR", "PK", "HK"];

fn word(rng: &mut impl Rng) -> String {
    let n = rng.gen_range(2..4);
    let mut word: String = (0..n).map(|_| SYLLABLES[rng.gen_range(0..SYLLABLES.len())]).collect();
    word[..1].make_ascii_uppercase();
    word
}

fn company(rng: &mut impl Rng) -> String {
    format!(
        "{} {} {} LLC",
        word(rng),
        word(rng),
        KINDS[rng.gen_range(0..KINDS.len())]
    )
}

fn denial_of(consignee: &str, destination: &str, n: usize) -> RecordBody {
    let mut body = denial(&format!("BENCH-{n}"));
    if let Some(Kind::LicenseDenial(d)) = &mut body.kind {
        d.destination_country = destination.into();
        d.control_list_entries = vec![format!("{}A00{}.a", 1 + n % 5, 1 + n % 3)];
        let party = d.consignee.as_mut().expect("the example has a consignee");
        party.names.truncate(1);
        party.names[0].full_name = consignee.into();
        party.countries = vec![destination.into()];
        party.addresses.clear();
        party.identifiers.clear();
    }
    body
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at].as_secs_f64() * 1000.0
}

fn main() {
    let n: usize = std::env::var("FEDX_BENCH_DENIALS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut fed = Federation::new(2, &[(0, 1)]);
        fed.start_all().await;
        let mut rng = rand::rngs::StdRng::seed_from_u64(42);
        let denied: Vec<(String, &str)> = (0..n)
            .map(|_| (company(&mut rng), COUNTRIES[rng.gen_range(0..COUNTRIES.len())]))
            .collect();
        let mut a = fed.operator(0);
        for (start, chunk) in denied.chunks(BATCH).enumerate() {
            let puts = chunk
                .iter()
                .enumerate()
                .map(|(i, (name, country))| {
                    let k = start * BATCH + i;
                    put("denials", &format!("DE-BAFA/B{k:07}"), denial_of(name, country, k))
                })
                .collect();
            a.batch_put(BatchPutRequest { puts }).await.expect("bulk load");
        }
        holds_denials(&fed, 1, n as u64, Duration::from_secs(900)).await;
        let mut b = fed.operator(1);
        let applications: Vec<Application> = (0..CHECKS)
            .map(|i| {
                let (name, country, entry) = if i % 2 == 0 {
                    let k = rng.gen_range(0..n);
                    let (name, country) = &denied[k];
                    (
                        name.replace("LLC", "L.L.C."),
                        *country,
                        format!("{}A00{}", 1 + k % 5, 1 + k % 3),
                    )
                } else {
                    (company(&mut rng), "AE", "3A001".to_string())
                };
                let mut application: Application =
                    serde_json::from_str(include_str!("../config/examples/application-identical.json")).unwrap();
                application.destination_country = country.into();
                application.control_list_entries = vec![entry];
                // The consignee is where the goods go (the example's is in the UAE).
                let consignee = application.consignee.as_mut().unwrap();
                consignee.names[0].full_name = name;
                consignee.countries = vec![country.into()];
                consignee.addresses.clear();
                application.end_user = None;
                application
            })
            .collect();
        let mut checks = Vec::new();
        let mut screens = Vec::new();
        let mut identical = 0;
        for application in &applications {
            let name = application.consignee.as_ref().unwrap().names[0].full_name.clone();
            let started = Instant::now();
            let screened = b
                .screen(ScreenRequest {
                    name,
                    ..Default::default()
                })
                .await
                .unwrap();
            screens.push(started.elapsed());
            drop(screened);
            let started = Instant::now();
            let request = CheckRequest {
                application: Some(application.clone()),
            };
            let response = b.check_application(request).await.unwrap().into_inner();
            checks.push(started.elapsed());
            identical += usize::from(response.consultation_required);
        }
        checks.sort();
        screens.sort();
        for (figure, sorted) in [("check_ms", &checks), ("screen_baseline_ms", &screens)] {
            println!(
                "{}",
                serde_json::json!({
                    "figure": figure,
                    "denials_held": n,
                    "calls": sorted.len(),
                    "p50": percentile(sorted, 0.5),
                    "p99": percentile(sorted, 0.99),
                    "p99_ratio_to_screen": percentile(sorted, 0.99) / percentile(&screens, 0.99),
                })
            );
        }
        println!(
            "{}",
            serde_json::json!({"figure": "consultation_required", "of": CHECKS, "count": identical})
        );
        fed.stop_all().await;
    });
}
