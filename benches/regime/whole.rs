//! The federation as a whole: three `fednode` processes in a full mesh, 16 clients each
//! sending single `Put`s to A, until B and C hold every record. Reports puts per second
//! and the CPU each node spent per record, as ratios to `verify_strict` measured in the
//! same run (the machine is shared: ratios travel, absolute rates drift). With etcd on
//! the machine (`etcd.rs`), a 3-member etcd cluster takes the same load after each round,
//! rounds alternating (`FEDX_REGIME_WHOLE_ROUNDS`). `FEDX_REGIME_WHOLE_NODES=1,2,3` runs
//! federations of one, two and three nodes in each round instead: what A spends per put
//! for each peer it serves.

use std::time::{Duration, Instant};

use crate::cluster::Cluster;
use crate::common::baseline::verify_strict_per_second;
use crate::common::*;
use crate::topology::Topology;
use fedx::proto::PutRequest;
use prost::Message;

const CLIENTS: usize = 16;
/// The federation etcd's three members are compared with.
const NODES: usize = 3;
const BOUND: Duration = Duration::from_secs(600);

/// What one round measured of the federation.
pub struct Figures {
    pub puts_per_second: f64,
    pub verify_per_second: f64,
    /// Bytes of one encoded put request, for etcd's values.
    pub request_len: usize,
}

/// Rounds of the federations of `sizes` nodes, each round followed by etcd's if it is on
/// the machine.
pub async fn rounds(puts: usize, rounds: usize, sizes: &[usize]) {
    let etcd = crate::etcd::binary();
    if etcd.is_none() {
        eprintln!("no etcd run (FEDX_REGIME_ETCD=0, or etcd not installed: `apt-get install etcd-server`)");
    }
    for round in 0..rounds {
        let mut ours = None;
        for &nodes in sizes {
            let figures = run(puts, nodes).await;
            ours = ours.or((nodes == NODES).then_some(figures));
        }
        let (Some(binary), Some(ours)) = (&etcd, ours) else {
            continue;
        };
        let theirs = crate::etcd::run(binary, puts, ours.request_len).await;
        println!(
            "{}",
            serde_json::json!({
                "bench": "etcd_3_members_16_clients_put_at_first_member",
                "round": round,
                "puts": puts,
                "value_bytes": ours.request_len,
                "puts_per_second": theirs.puts_per_second.round(),
                "ratio_to_verify": theirs.puts_per_second / ours.verify_per_second,
                "cpu_us_per_put": theirs.cpu_us_per_put.iter().map(|us| us.round()).collect::<Vec<_>>(),
                "federation_over_etcd": ours.puts_per_second / theirs.puts_per_second,
            })
        );
    }
}

pub async fn run(puts: usize, nodes: usize) -> Figures {
    let cluster = Cluster::start(nodes, Topology::Mesh, false).await;
    let verify = verify_strict_per_second(&cluster.fed, 20_000);
    let verify_us = 1e6 / verify;
    let cpu = cluster.cpu_seconds();
    let started = Instant::now();
    let request_len = request(&cluster, 0).encoded_len();
    let clients = (0..CLIENTS).map(|c| {
        let mut client = cluster.client(0);
        let requests: Vec<PutRequest> = (c..puts).step_by(CLIENTS).map(|i| request(&cluster, i)).collect();
        async move {
            for request in requests {
                client.put(request).await.expect("the put is accepted");
            }
        }
    });
    futures_util::future::join_all(clients).await;
    let acknowledged = started.elapsed().as_secs_f64();
    for i in 1..nodes {
        while records_held(&mut cluster.client(i), "denials").await < puts as u64 {
            assert!(started.elapsed() < BOUND, "node {i} did not receive every put");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
    let everywhere = started.elapsed().as_secs_f64();
    let used: Vec<f64> = cluster.cpu_seconds().iter().zip(&cpu).map(|(a, b)| a - b).collect();
    let per_record_us: Vec<f64> = used.iter().map(|s| s * 1e6 / puts as f64).collect();
    let rate = puts as f64 / everywhere;
    let node = |i: usize| ((b'A' + i as u8) as char).to_string();
    let us: serde_json::Map<_, _> = (0..nodes).map(|i| (node(i), per_record_us[i].round().into())).collect();
    let verifies: serde_json::Map<_, _> = (0..nodes)
        .map(|i| (node(i), (per_record_us[i] / verify_us).into()))
        .collect();
    println!(
        "{}",
        serde_json::json!({
            "bench": "federation_16_clients_put_at_a_until_every_node_holds_all",
            "nodes": nodes,
            "puts": puts,
            "verify_strict_per_second": verify.round(),
            "acknowledged_s": acknowledged,
            "held_everywhere_s": everywhere,
            "puts_per_second": rate.round(),
            "ratio_to_verify": rate / verify,
            "cpu_us_per_record": us,
            "cpu_per_record_in_verifies": verifies,
        })
    );
    cluster.stop().await;
    Figures {
        puts_per_second: rate,
        verify_per_second: verify,
        request_len,
    }
}

fn request(cluster: &Cluster, i: usize) -> PutRequest {
    let id = format!("{}/WHOLE-{i}", cluster.fed.agency(0));
    put("denials", &id, denial(&id))
}
