//! A federation of twelve nodes in a sparse topology (each linked to four others, so most
//! records reach most nodes only through relays), with a fault-injecting proxy on every
//! directed link (`common::proxy`). Writers on four nodes, two in each half, write their
//! own denials and the same ids of the co-maintained `shared` collection; the federation
//! is then split into two halves that keep writing, and healed. Within a bounded time
//! every node must hold the same records (equal digests), every acknowledged denial, and
//! for every `shared` id the winner of DESIGN §4 (greatest HLC, then author) among the
//! versions acknowledged on either side.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::proxy::{Fault, Proxy};
use common::*;

const NODES: usize = 12;
/// Nodes that write, two in each half.
const WRITERS: [usize; 4] = [0, 3, 6, 9];
const SHARED_IDS: usize = 4;
const PARTITION: Duration = Duration::from_secs(4);
const CONVERGE: Duration = Duration::from_secs(90);
const CALL: Duration = Duration::from_secs(10);

/// A ring plus a chord to the node five places on: four links each, diameter three.
fn sparse_links() -> Vec<(usize, usize)> {
    (0..NODES)
        .flat_map(|i| [(i, (i + 1) % NODES), (i, (i + 5) % NODES)])
        .collect()
}

fn half(i: usize) -> usize {
    i * 2 / NODES
}

/// One acknowledged write to a `shared` id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Acked {
    hlc: u64,
    author: String,
    seq: u64,
}

#[derive(Default)]
struct Written {
    denials: Vec<String>,
    shared: BTreeMap<String, Vec<Acked>>,
}

/// Writer `node` writes `rounds` rounds of one denial of its own and one `shared` id.
async fn write(fed: &Federation, node: usize, tag: &str, rounds: usize, written: &mut Written) {
    let mut client = fed.operator(node);
    for round in 0..rounds {
        let id = format!("{}/{tag}-{round}", fed.agency(node));
        let request = put("denials", &id, denial(&id));
        tokio::time::timeout(CALL, client.put(request))
            .await
            .expect("a put answers in time")
            .unwrap_or_else(|e| panic!("node {node} refused its own denial {id}: {e}"));
        written.denials.push(id);

        let shared_id = format!("s{}", (round + node) % SHARED_IDS);
        let name = format!("{} {tag} {round}", fed.agency(node));
        let response = tokio::time::timeout(CALL, client.put(put("shared", &shared_id, watchlist_entry(&name))))
            .await
            .expect("a put answers in time")
            .unwrap_or_else(|e| panic!("node {node} refused a shared write: {e}"))
            .into_inner();
        let header = response.header.expect("a put's answer has a header");
        written.shared.entry(shared_id).or_default().push(Acked {
            hlc: header.hlc,
            author: header.author,
            seq: header.seq,
        });
    }
}

async fn write_everywhere(fed: &Federation, tag: &str, rounds: usize) -> Written {
    let mut all = Written::default();
    let runs = WRITERS.iter().map(|&node| async move {
        let mut written = Written::default();
        write(fed, node, tag, rounds, &mut written).await;
        written
    });
    for written in futures_util::future::join_all(runs).await {
        all.denials.extend(written.denials);
        for (id, versions) in written.shared {
            all.shared.entry(id).or_default().extend(versions);
        }
    }
    all
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_sparse_federation_split_in_two_converges_on_the_winners() {
    init_logging();
    let links = sparse_links();
    let mut fed = Federation::new(NODES, &links);
    let mut proxies = BTreeMap::new();
    for &(a, b) in &links {
        for (from, to) in [(a, b), (b, a)] {
            proxies.insert((from, to), Proxy::start(fed.configs[to].listen).await);
        }
    }
    let agencies: Vec<String> = (0..NODES).map(agency_name).collect();
    for (i, config) in fed.configs.iter_mut().enumerate() {
        for peer in &mut config.peers {
            let j = agencies.iter().position(|a| *a == peer.agency).expect("a member");
            peer.endpoint = proxies[&(i, j)].endpoint();
        }
    }
    fed.start_all().await;

    // Connected: every node holds what the four writers wrote, relayed over several hops.
    let mut written = write_everywhere(&fed, "before", 3).await;
    let all: Vec<usize> = (0..NODES).collect();
    for &i in &all {
        holds_denials(&fed, i, written.denials.len() as u64, CONVERGE).await;
    }

    // Split: no link between the halves carries anything; both halves keep writing.
    for (&(from, to), proxy) in &proxies {
        if half(from) != half(to) {
            proxy.cut(Fault::Reset);
        }
    }
    let started = Instant::now();
    let during = write_everywhere(&fed, "split", 4).await;
    tokio::time::sleep(PARTITION.saturating_sub(started.elapsed())).await;
    let first_half_denial = &during.denials[0];
    for i in all.iter().filter(|&&i| half(i) != half(WRITERS[0])) {
        assert!(
            get(&mut fed.operator(*i), "denials", first_half_denial).await.is_none(),
            "node {i} holds {first_half_denial}, written across the partition"
        );
    }
    written.denials.extend(during.denials);
    for (id, versions) in during.shared {
        written.shared.entry(id).or_default().extend(versions);
    }

    // Healed: all twelve agree, hold every denial, and the winner of every shared id.
    for proxy in proxies.values() {
        proxy.heal();
    }
    let healed = Instant::now();
    eventually("the halves to converge", CONVERGE, || {
        let fed = &fed;
        let all = &all;
        let expected = written.denials.len() as u64;
        async move {
            let held = records_held(&mut fed.operator(0), "denials").await;
            (held == expected && converged(fed, all).await).then_some(())
        }
    })
    .await;
    eprintln!("converged {:?} after the heal", healed.elapsed());

    for &i in &all {
        let mut client = fed.operator(i);
        for id in &written.denials {
            assert!(get(&mut client, "denials", id).await.is_some(), "node {i} lacks {id}");
        }
        for (id, versions) in &written.shared {
            let winner = versions.iter().max().expect("a version");
            let got = get(&mut client, "shared", id)
                .await
                .unwrap_or_else(|| panic!("node {i} lacks shared/{id}"));
            let header = got.record.and_then(|r| r.header).expect("a header");
            assert_eq!(
                (header.author.as_str(), header.seq),
                (winner.author.as_str(), winner.seq),
                "node {i}: shared/{id} is not the winner of {versions:?}"
            );
        }
        let status = status(&mut client).await;
        assert!(status.equivocations.is_empty(), "node {i}: {:?}", status.equivocations);
    }
    fed.stop_all().await;
}
