//! Federation benchmark: `cargo bench --bench federation`.
//!
//! Measures, in one run on this machine, with real nodes over mTLS on loopback:
//! - baseline: single-core `verify_strict` of a typical record;
//! - a second baseline for the put: 16 concurrent clients calling the node's gRPC health
//!   check, what the transport alone (TLS, HTTP/2, tonic, clients and node) costs per call;
//! - local put throughput with 16 concurrent clients (one `Put` per record);
//! - a bulk load of 100,000 records at A (`BatchPut`);
//! - replication A→B: B starts empty and pulls all A holds over one mTLS link;
//! - live replication: 100,000 more records written at A while B replicates them;
//! - catch-up of a node (C) that was stopped while those 100,000 records were written;
//! - how soon a watchlist entry put at A is screenable at C (DESIGN: within a second),
//!   right after C's catch-up, while its index still follows what C took in;
//! - an offline bundle of everything A holds for D, a node never connected: its export at
//!   A, its size, and its import at D.
//!
//! Prints one JSON object per figure, each with its ratio to the verify baseline (the
//! machine is shared and noisy: ratios travel, absolute rates drift) and the CPU time the
//! whole process spent per record meanwhile (nodes and clients together; it drifts less).
//! `FEDX_BENCH_RECORDS` changes the record count; `FEDX_BENCH_ONLY=put` runs only the
//! put phase (for profiling).

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use fedx::proto::*;

const CLIENTS: usize = 16;
const BATCH: usize = 500;
const FRESHNESS_SAMPLES: usize = 20;
const CONVERGENCE: Duration = Duration::from_secs(600);

/// A measured stretch: wall time, and the CPU time this process (nodes and clients
/// alike) spent meanwhile, which drifts less than wall time on a shared host.
struct Phase {
    wall: Instant,
    cpu: Duration,
}

impl Phase {
    fn start() -> Self {
        Phase {
            wall: Instant::now(),
            cpu: process_cpu(),
        }
    }
}

fn process_cpu() -> Duration {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage fills the struct it is given, which outlives the call.
    let usage = unsafe {
        libc::getrusage(libc::RUSAGE_SELF, usage.as_mut_ptr());
        usage.assume_init()
    };
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    time(usage.ru_utime) + time(usage.ru_stime)
}

fn report(name: &str, count: usize, phase: &Phase, baseline: Option<f64>) -> f64 {
    let elapsed = phase.wall.elapsed();
    let cpu = process_cpu() - phase.cpu;
    let rate = count as f64 / elapsed.as_secs_f64();
    let ratio = baseline.map(|b| rate / b);
    println!(
        "{}",
        serde_json::json!({
            "bench": name,
            "count": count,
            "seconds": (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
            "per_second": rate.round(),
            "ratio_to_verify": ratio.map(|r| (r * 1000.0).round() / 1000.0),
            "cpu_us_per_record": (cpu.as_secs_f64() * 1e6 / count as f64).round(),
        })
    );
    rate
}

/// Single-core verify_strict of a realistic signed denial, through the node's keyring.
fn verify_baseline(fed: &Federation) -> f64 {
    let n = 20_000;
    let phase = Phase::start();
    baseline::verify_strict_per_second(fed, n);
    report("verify_strict_single_core", n, &phase, None)
}

/// 16 clients each calling the health check in turn, `n` calls in all: the ceiling the
/// transport sets on the put, whose calls travel the same way.
async fn health_checks(fed: &Federation, n: usize, baseline: f64) {
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};
    let phase = Phase::start();
    let clients = (0..CLIENTS).map(|c| {
        let mut client = HealthClient::new(fed.operator_channel(0));
        async move {
            for _ in (c..n).step_by(CLIENTS) {
                client.check(HealthCheckRequest::default()).await.unwrap();
            }
        }
    });
    futures_util::future::join_all(clients).await;
    report("health_check_16_clients", n, &phase, Some(baseline));
}

async fn local_puts(fed: &Federation, n: usize, baseline: f64) {
    let phase = Phase::start();
    let clients = (0..CLIENTS).map(|c| {
        let mut client = fed.operator(0);
        async move {
            for i in (c..n).step_by(CLIENTS) {
                let id = format!("DE-BAFA/PUT-{i}");
                client.put(put("denials", &id, denial(&id))).await.unwrap();
            }
        }
    });
    futures_util::future::join_all(clients).await;
    report("local_put_16_clients", n, &phase, Some(baseline));
}

async fn write_batches(fed: &Federation, n: usize, prefix: &str) {
    let writers = (0..4).map(|w| {
        let mut client = fed.operator(0);
        async move {
            for chunk in (w * BATCH..n).step_by(4 * BATCH) {
                let puts = (chunk..(chunk + BATCH).min(n))
                    .map(|i| put("denials", &format!("DE-BAFA/{prefix}-{i:07}"), denial(&format!("R{i}"))))
                    .collect();
                client.batch_put(BatchPutRequest { puts }).await.unwrap();
            }
        }
    });
    futures_util::future::join_all(writers).await;
}

/// Puts a watchlist entry with a new name at A and times until C's `Screen` finds it,
/// `FRESHNESS_SAMPLES` times; prints the median and the slowest.
async fn screenable_after_put(fed: &Federation) {
    const SYLLABLES: [&str; 12] = [
        "zor", "va", "nek", "tal", "mu", "rix", "pe", "dó", "quen", "sha", "bel", "ost",
    ];
    let word = |n: usize| {
        let mut w: String = (0..3).map(|k| SYLLABLES[(n / 12usize.pow(k)) % 12]).collect();
        w[..1].make_ascii_uppercase();
        w
    };
    let (mut a, c) = (fed.operator(0), fed.operator(2));
    let mut elapsed = Vec::new();
    for i in 0..FRESHNESS_SAMPLES {
        let (name, id) = (
            format!("{} {} Holdings", word(i * 37 + 5), word(i * 11 + 700)),
            format!("FRESH-{i}"),
        );
        let start = Instant::now();
        a.put(put("shared", &id, watchlist_entry(&name))).await.unwrap();
        // Polled every 2 ms (`eventually` waits 50 ms between tries: too coarse here).
        let request = ScreenRequest {
            name,
            ..ScreenRequest::default()
        };
        loop {
            let hits = c.clone().screen(request.clone()).await.unwrap().into_inner().hits;
            if hits.iter().any(|h| h.id == id) {
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "{id} never became screenable at C"
            );
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        elapsed.push(start.elapsed());
    }
    elapsed.sort();
    let ms = |d: Duration| (d.as_secs_f64() * 10_000.0).round() / 10.0;
    println!(
        "{}",
        serde_json::json!({
            "bench": "screenable_at_c_after_put_at_a",
            "count": elapsed.len(),
            "p50_ms": ms(elapsed[elapsed.len() / 2]),
            "max_ms": ms(elapsed[elapsed.len() - 1]),
        })
    );
}

fn main() {
    fedx::disable_transparent_huge_pages();
    let n: usize = std::env::var("FEDX_BENCH_RECORDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        // Links A–B and A–C; B and C start later; D is never connected.
        let mut fed = Federation::new(4, &[(0, 1), (0, 2)]);
        let baseline = verify_baseline(&fed);
        // Each write figure is A's alone, not A's and a replica's competing for the cores.
        fed.start(0).await;
        let puts = (n / 5).max(1_000);
        health_checks(&fed, puts, baseline).await;
        local_puts(&fed, puts, baseline).await;
        if std::env::var("FEDX_BENCH_ONLY").as_deref() == Ok("put") {
            return fed.stop_all().await;
        }
        let phase = Phase::start();
        write_batches(&fed, n, "BULK").await;
        report("batch_put_at_a", n, &phase, Some(baseline));

        // B starts empty and pulls everything A holds over its link.
        let held = puts + n;
        let phase = Phase::start();
        fed.start(1).await;
        holds_denials(&fed, 1, held as u64, CONVERGENCE).await;
        report("replication_a_to_b", held, &phase, Some(baseline));

        // C takes what A holds, then stops and misses the next n records.
        fed.start(2).await;
        holds_denials(&fed, 2, held as u64, CONVERGENCE).await;
        fed.stop(2).await;

        // Live: A is written while B replicates, so A's and B's work share the cores.
        let phase = Phase::start();
        write_batches(&fed, n, "LIVE").await;
        report("batch_put_at_a_while_b_replicates", n, &phase, Some(baseline));
        holds_denials(&fed, 1, (held + n) as u64, CONVERGENCE).await;
        report("live_replication_a_to_b", n, &phase, Some(baseline));

        let phase = Phase::start();
        fed.start(2).await;
        holds_denials(&fed, 2, (held + n) as u64, CONVERGENCE).await;
        report("catch_up_c", n, &phase, Some(baseline));
        screenable_after_put(&fed).await;
        fed.stop(1).await;
        fed.stop(2).await;
        bundle_to_d(&mut fed, baseline).await;
        fed.stop_all().await;
    });
}

/// Everything A holds, as a bundle for D: exported at A, imported at D (the file held in
/// memory here; fedctl streams it to and from disk).
async fn bundle_to_d(fed: &mut Federation, baseline: f64) {
    use bundle_export_part::Part;
    let phase = Phase::start();
    let request = BundleExportRequest {
        recipient: fed.agency(3).into(),
        want: None,
    };
    let mut parts = fed.operator(0).export_bundle(request).await.unwrap().into_inner();
    let (mut chunks, mut header, mut records) = (Vec::new(), Vec::new(), 0);
    while let Some(part) = parts.message().await.unwrap() {
        match part.part {
            Some(Part::Chunk(chunk)) => {
                records += chunk.records as usize;
                chunks.push(chunk.data);
            }
            Some(Part::SignedHeader(signed)) => header = signed,
            _ => {}
        }
    }
    report("bundle_export_at_a", records, &phase, Some(baseline));
    let bytes = fedx::bundle::format::MAGIC.len() + header.len() + chunks.iter().map(Vec::len).sum::<usize>();
    let size = serde_json::json!({ "bench": "bundle_size", "records": records, "bytes": bytes,
        "bytes_per_record": bytes / records.max(1) });
    println!("{size}");
    fed.start(3).await;
    let phase = Phase::start();
    let mut pieces = vec![BundlePiece {
        data: [fedx::bundle::format::MAGIC, &header].concat(),
    }];
    pieces.extend(chunks.into_iter().map(|data| BundlePiece { data }));
    let summary = fed
        .operator(3)
        .import_bundle(tokio_stream::iter(pieces))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(summary.refused_count, 0, "{summary:?}");
    report("bundle_import_at_d", summary.stored as usize, &phase, Some(baseline));
}
