//! Memory per stored record, measured on a `fednode` process (not a test: it asserts
//! nothing; run it by hand, figures in docs/operations.md):
//! `cargo nextest run --test memory --run-ignored only --no-capture`
//! The same records are loaded with sled's cache at 256 MiB and at 8 MiB, RSS read
//! after the load and again after a restart and a read of every record: what the cache
//! size changes is sled's cache, the rest (with the cache small) the screening index
//! and everything else that grows with the records.

mod common;

use common::process::fednode;
use common::*;

const RECORDS: usize = 20_000;
const CLIENTS: usize = 16;

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

async fn start(fed: &Federation, cache: u64) -> (tokio::process::Child, String) {
    let path = fed.dir.path().join("node.toml");
    let toml = config_toml(&fed.configs[0], "127.0.0.1:0") + &format!("[limits]\nstore_cache_bytes = {cache}\n");
    std::fs::write(&path, toml).unwrap();
    fednode(&path).await
}

async fn measure(cache: u64) {
    let fed = Federation::new(1, &[]);
    let (mut node, endpoint) = start(&fed, cache).await;
    let empty = rss_kib(node.id().unwrap());
    let tasks: Vec<_> = (0..CLIENTS)
        .map(|c| {
            let mut client = operator_at(&fed, 0, &endpoint);
            tokio::spawn(async move {
                for i in (c..RECORDS).step_by(CLIENTS) {
                    let id = format!("DE-BAFA/MEM-{i}");
                    let mut body = denial(&id);
                    if let Some(fedx::proto::record_body::Kind::LicenseDenial(d)) = &mut body.kind {
                        // A party of its own per record, as real denials have.
                        d.consignee.as_mut().unwrap().names[0].full_name = format!("Consignee Trading {i} LLC");
                    }
                    client.put(put("denials", &id, body)).await.unwrap();
                }
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let loaded = rss_kib(node.id().unwrap());
    node.kill().await.unwrap();
    let (node, endpoint) = start(&fed, cache).await;
    let restarted = rss_kib(node.id().unwrap());
    let mut client = operator_at(&fed, 0, &endpoint);
    for i in 0..RECORDS {
        assert!(get(&mut client, "denials", &format!("DE-BAFA/MEM-{i}")).await.is_some());
    }
    let read = rss_kib(node.id().unwrap());
    let per = |kib: u64| (kib.saturating_sub(empty) * 1024) as f64 / RECORDS as f64;
    println!(
        "cache {} MiB, {RECORDS} records: RSS empty {empty} KiB; after load {loaded} KiB ({:.0} B/record); \
         restarted {restarted} KiB ({:.0} B/record); after reading all {read} KiB ({:.0} B/record)",
        cache >> 20,
        per(loaded),
        per(restarted),
        per(read)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "a measurement, run by hand"]
async fn memory_per_stored_record() {
    measure(256 << 20).await;
    measure(8 << 20).await;
}
