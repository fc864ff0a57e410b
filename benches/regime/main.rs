//! Regime-scale benchmark: `cargo bench --bench regime`.
//!
//! First the federation as a whole (`whole.rs`: three nodes, 16 clients of single puts;
//! `FEDX_REGIME_WHOLE_PUTS`, 0 skips it; beside a 3-member etcd cluster when etcd is on
//! the machine, `etcd.rs`). Then it starts federations of N `fednode` processes on this
//! machine (generated PKI and config, a counting proxy on every directed link) in each
//! topology (`topology.rs`) and measures:
//! - idle: CPU and RSS per node, bytes on the wire per node per minute (keepalives,
//!   heads, anti-entropy), links per node;
//! - propagation: a denial put at a random node, until every node holds it (p50, p99,
//!   max over `FEDX_REGIME_PUTS` puts), and the bytes all links carried per record;
//! - partition: the federation split in two halves that both keep writing for
//!   `FEDX_REGIME_PARTITION_SECS`, then healed: the time until all digests agree (median
//!   and max over `FEDX_REGIME_PARTITIONS` partitions, one after another);
//! - denials during bulk: a partner's bulk load (`FEDX_REGIME_BULK` watchlist entries at
//!   node 0) replicating while denials are put at random nodes: their propagation;
//! - idle again, now holding the bulk: whether idle traffic grew with the record count.
//!
//! Prints a JSON object per federation and a Markdown table row for BENCHMARKS.md.
//! `FEDX_REGIME_NODES=10,25,50` and `FEDX_REGIME_TOPOLOGIES=mesh,sparse,hub` choose the
//! federations; `FEDX_REGIME_IDLE_SECS` the idle windows. `FEDX_REGIME_PROXIES=0` links the
//! nodes directly, for federations whose proxies alone would load the machine (a 50-node
//! mesh has 2,450): no wire bytes and no partition then (both reported as 0).

mod cluster;
#[path = "../../tests/common/mod.rs"]
mod common;
mod etcd;
mod topology;
mod whole;

use std::time::{Duration, Instant};

use cluster::Cluster;
use common::*;
use fedx::proto::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use topology::Topology;

const POLL: Duration = Duration::from_millis(5);
const PROPAGATION_BOUND: Duration = Duration::from_secs(60);
const CONVERGE_BOUND: Duration = Duration::from_secs(600);
const BULK_BATCH: usize = 500;
const SETTLE: Duration = Duration::from_secs(10);
/// The nodes' default `anti_entropy_interval`.
const ANTI_ENTROPY_INTERVAL: Duration = Duration::from_secs(60);

struct Settings {
    nodes: Vec<usize>,
    topologies: Vec<Topology>,
    puts: usize,
    idle: Duration,
    partition: Duration,
    partitions: usize,
    /// Whether links go through counting proxies (wire bytes, partitions).
    proxied: bool,
    bulk: usize,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.trim().parse().unwrap_or_else(|_| panic!("{name}: cannot read {v:?}")),
        Err(_) => default,
    }
}

/// A comma-separated list from the environment.
fn list(name: &str, default: &str) -> Vec<String> {
    let value = std::env::var(name).unwrap_or_else(|_| default.into());
    value
        .split(',')
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn settings() -> Settings {
    Settings {
        nodes: list("FEDX_REGIME_NODES", "10,25,50")
            .iter()
            .map(|n| n.parse().expect("FEDX_REGIME_NODES: numbers"))
            .collect(),
        topologies: list("FEDX_REGIME_TOPOLOGIES", "mesh,sparse,hub")
            .iter()
            .map(|t| Topology::parse(t).expect("FEDX_REGIME_TOPOLOGIES: mesh, sparse or hub"))
            .collect(),
        puts: env_or("FEDX_REGIME_PUTS", 50),
        idle: Duration::from_secs(env_or("FEDX_REGIME_IDLE_SECS", 30)),
        partition: Duration::from_secs(env_or("FEDX_REGIME_PARTITION_SECS", 60)),
        partitions: env_or("FEDX_REGIME_PARTITIONS", 1).max(1),
        proxied: env_or("FEDX_REGIME_PROXIES", 1) != 0,
        bulk: env_or("FEDX_REGIME_BULK", 20_000),
    }
}

#[tokio::main]
async fn main() {
    fedx::disable_transparent_huge_pages();
    let whole_puts = env_or("FEDX_REGIME_WHOLE_PUTS", 20_000);
    if whole_puts > 0 {
        let sizes: Vec<usize> = list("FEDX_REGIME_WHOLE_NODES", "3")
            .iter()
            .map(|n| n.parse().expect("FEDX_REGIME_WHOLE_NODES: numbers"))
            .collect();
        whole::rounds(whole_puts, env_or("FEDX_REGIME_WHOLE_ROUNDS", 1), &sizes).await;
    }
    let settings = settings();
    if settings.nodes.is_empty() {
        return;
    }
    let mut rows = Vec::new();
    for &n in &settings.nodes {
        for &topology in &settings.topologies {
            rows.push(run(n, topology, &settings).await);
        }
    }
    println!(
        "\n| N | topology | links/node | hops | put→all p50 / p99 / max (s) | bytes/record | idle CPU/node | RSS/node (MiB) | idle KiB/node/min (empty → bulk) | partition heal p50 / max (s) | denial during bulk p50 / p99 (s) |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for row in rows {
        println!("{row}");
    }
}

/// One federation, every measurement; returns its table row.
async fn run(n: usize, topology: Topology, settings: &Settings) -> String {
    let mut rng = StdRng::seed_from_u64(n as u64);
    let cluster = Cluster::start(n, topology, settings.proxied).await;
    let links_per_node = cluster.links.len() as f64 * 2.0 / n as f64;
    let hops = topology::diameter(n, &cluster.links);
    eprintln!(
        "{n} nodes, {}: started, {links_per_node:.1} links per node, {hops} hops across",
        topology.name()
    );

    // Starting links exchange heads and run a first anti-entropy round: not idle yet.
    tokio::time::sleep(SETTLE).await;
    let empty = idle(&cluster, settings.idle).await;

    let before = cluster.wire_bytes();
    let mut propagation = Vec::new();
    for k in 0..settings.puts {
        let node = rng.gen_range(0..n);
        propagation.push(propagate(&cluster, node, &format!("put-{k}")).await);
    }
    let bytes_per_record = (cluster.wire_bytes() - before) as f64 / settings.puts as f64;

    let mut heals = Vec::new();
    for _ in 0..settings.partitions * usize::from(settings.proxied) {
        heals.push(partition(&cluster, settings.partition, &mut rng).await);
    }
    let (during_bulk, bulk_done) = denials_during_bulk(&cluster, settings.bulk, &mut rng).await;
    // Anti-entropy rounds that ran during the bulk load found differences (records in
    // flight) and look again on their next round: steady state is one interval later.
    tokio::time::sleep(SETTLE + ANTI_ENTROPY_INTERVAL).await;
    let loaded = idle(&cluster, settings.idle).await;

    let (p50, p99, max) = percentiles(&mut propagation);
    let (bulk_p50, bulk_p99, _) = percentiles(&mut during_bulk.clone());
    let (heal, _, heal_max) = percentiles(&mut heals.clone());
    println!(
        "{}",
        serde_json::json!({
            "nodes": n, "topology": topology.name(), "links_per_node": links_per_node, "hops": hops,
            "put_to_all_p50_s": p50, "put_to_all_p99_s": p99, "put_to_all_max_s": max,
            "wire_bytes_per_record": bytes_per_record,
            "idle_cpu_percent_per_node_mean": empty.cpu_mean, "idle_cpu_percent_per_node_max": empty.cpu_max,
            "rss_mib_per_node_mean": loaded.rss_mean, "rss_mib_per_node_max": loaded.rss_max,
            "idle_kib_per_node_minute_empty": empty.kib_per_node_minute,
            "idle_kib_per_node_minute_with_bulk": loaded.kib_per_node_minute,
            "idle_cpu_percent_per_node_with_bulk": loaded.cpu_mean,
            "partition_heal_s": heal, "partition_heals_s": heals, "bulk_records": settings.bulk, "bulk_held_by_all_s": bulk_done,
            "denial_during_bulk_p50_s": bulk_p50, "denial_during_bulk_p99_s": bulk_p99,
            "denials_during_bulk": during_bulk.len(),
        })
    );
    cluster.stop().await;
    format!(
        "| {n} | {} | {links_per_node:.1} | {hops} | {p50:.2} / {p99:.2} / {max:.2} | {bytes_per_record:.0} | {:.2} % | {:.0} | {:.1} → {:.1} | {heal:.1} / {heal_max:.1} | {bulk_p50:.2} / {bulk_p99:.2} |",
        topology.name(),
        empty.cpu_mean,
        loaded.rss_mean,
        empty.kib_per_node_minute,
        loaded.kib_per_node_minute,
    )
}

struct Idle {
    cpu_mean: f64,
    cpu_max: f64,
    rss_mean: f64,
    rss_max: f64,
    kib_per_node_minute: f64,
}

/// CPU (percent of one core), RSS and wire traffic of a federation doing nothing.
async fn idle(cluster: &Cluster, window: Duration) -> Idle {
    let cpu = cluster.cpu_seconds();
    let bytes = cluster.wire_bytes();
    let links = cluster.link_bytes();
    tokio::time::sleep(window).await;
    if std::env::var_os("FEDX_REGIME_BUSIEST").is_some() {
        let mut moved: Vec<_> = cluster
            .link_bytes()
            .iter()
            .zip(&links)
            .map(|((l, a), (_, b))| (a - b, *l))
            .collect();
        moved.sort_unstable_by(|a, b| b.cmp(a));
        eprintln!(
            "busiest links while idle (bytes, (from, to)): {:?}",
            &moved[..moved.len().min(8)]
        );
        if let Some(&(_, (from, _))) = moved.first() {
            for peer in status(&mut cluster.client(from)).await.peers {
                eprintln!(
                    "node {from} peer {}: {} lag {} sync {} last_error {:?}",
                    peer.agency, peer.state, peer.lag_records, peer.sync_state, peer.last_error
                );
            }
        }
    }
    let used: Vec<f64> = cluster
        .cpu_seconds()
        .iter()
        .zip(&cpu)
        .map(|(after, before)| (after - before) / window.as_secs_f64() * 100.0)
        .collect();
    let rss = cluster.rss_mib();
    let n = cluster.len() as f64;
    let minutes = window.as_secs_f64() / 60.0;
    Idle {
        cpu_mean: used.iter().sum::<f64>() / n,
        cpu_max: used.iter().copied().fold(0.0, f64::max),
        rss_mean: rss.iter().sum::<f64>() / n,
        rss_max: rss.iter().copied().fold(0.0, f64::max),
        kib_per_node_minute: (cluster.wire_bytes() - bytes) as f64 / 1024.0 / n / minutes,
    }
}

/// Puts a denial at `node`; seconds until every node holds it.
async fn propagate(cluster: &Cluster, node: usize, id: &str) -> f64 {
    let id = format!("{}/{id}", cluster.fed.agency(node));
    let started = Instant::now();
    cluster.put(node, put("denials", &id, denial(&id))).await;
    while !cluster.held_by_all("denials", &id).await {
        assert!(started.elapsed() < PROPAGATION_BOUND, "{id} did not reach every node");
        tokio::time::sleep(POLL).await;
    }
    started.elapsed().as_secs_f64()
}

/// Splits the federation for `length` while a writer in each half keeps writing; heals;
/// seconds until every node shows the same digests.
async fn partition(cluster: &Cluster, length: Duration, rng: &mut StdRng) -> f64 {
    let n = cluster.len();
    let sides: [Vec<usize>; 2] = [
        (0..n).filter(|&i| cluster.topology.half(n, i)).collect(),
        (0..n).filter(|&i| !cluster.topology.half(n, i)).collect(),
    ];
    cluster.split();
    let started = Instant::now();
    let mut k = 0;
    while started.elapsed() < length {
        for side in &sides {
            let node = side[rng.gen_range(0..side.len())];
            let id = format!("{}/split-{k}", cluster.fed.agency(node));
            cluster.put(node, put("denials", &id, denial(&id))).await;
            let shared = format!("s{}", k % 8);
            cluster.put(node, put("shared", &shared, watchlist_entry(&id))).await;
        }
        k += 1;
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    cluster.heal();
    let healed = Instant::now();
    while !cluster.converged().await {
        assert!(healed.elapsed() < CONVERGE_BOUND, "the halves did not converge");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    healed.elapsed().as_secs_f64()
}

/// A bulk load at node 0 while denials are put at random nodes, one after another, until
/// every node holds the bulk. Returns the denials' propagation times and the seconds until
/// the bulk was everywhere.
async fn denials_during_bulk(cluster: &Cluster, records: usize, rng: &mut StdRng) -> (Vec<f64>, f64) {
    let before = records_held(&mut cluster.client(0), "shared").await as usize;
    let started = Instant::now();
    let mut loader = cluster.client(0);
    let load = tokio::spawn(async move {
        for first in (0..records).step_by(BULK_BATCH) {
            let puts = (first..(first + BULK_BATCH).min(records))
                .map(|k| {
                    put(
                        "shared",
                        &format!("bulk-{k}"),
                        watchlist_entry(&format!("Bulk Trading {k}")),
                    )
                })
                .collect();
            loader
                .batch_put(BatchPutRequest { puts })
                .await
                .expect("the bulk load is accepted");
        }
    });
    let held = |i: usize| async move { records_held(&mut cluster.client(i), "shared").await };
    let mut times = Vec::new();
    let mut k = 0;
    loop {
        let everywhere = futures_util::future::join_all((0..cluster.len()).map(held)).await;
        if load.is_finished() && everywhere.iter().all(|&h| h as usize >= before + records) {
            break;
        }
        assert!(
            started.elapsed() < CONVERGE_BOUND,
            "the bulk load did not reach every node"
        );
        let node = rng.gen_range(0..cluster.len());
        times.push(propagate(cluster, node, &format!("bulk-denial-{k}")).await);
        k += 1;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    (times, started.elapsed().as_secs_f64())
}

/// p50, p99 and max of `values` (nearest rank).
fn percentiles(values: &mut [f64]) -> (f64, f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0, 0.0);
    }
    values.sort_by(f64::total_cmp);
    let rank = |p: f64| values[((p * values.len() as f64).ceil() as usize).clamp(1, values.len()) - 1];
    (rank(0.50), rank(0.99), rank(1.0))
}
