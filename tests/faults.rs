//! Faults the fast path cannot see or that operators cause: records lost behind the
//! version vector (anti-entropy repairs them), hard deletes racing older versions
//! (tombstones win), peers removed and added at runtime (churn), SIGTERM.

mod common;

use std::time::Duration;

use common::process::{fedctl, fednode, json};
use common::*;
use fedx::proto::*;

const WAIT: Duration = Duration::from_secs(60);

/// The sled keys of a winner and of one log entry (see src/store/keys.rs).
fn record_key(collection: &str, id: &str) -> Vec<u8> {
    [b"r", collection.as_bytes(), b"\0", id.as_bytes()].concat()
}

fn log_key(collection: &str, author: &str, seq: u64) -> Vec<u8> {
    [
        b"l",
        collection.as_bytes(),
        b"\0",
        author.as_bytes(),
        b"\0",
        &seq.to_be_bytes(),
    ]
    .concat()
}

async fn converged(fed: &Federation, nodes: &[usize]) -> bool {
    let mut seen = Vec::new();
    for &i in nodes {
        seen.push(digests(&mut fed.operator(i)).await);
    }
    seen.windows(2).all(|w| w[0] == w[1])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anti_entropy_repairs_records_lost_behind_the_version_vector() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[1].anti_entropy_interval = Duration::from_secs(1);
    fed.start_all().await;
    let mut a = fed.operator(0);
    for i in 1..=20 {
        let id = format!("DE-BAFA/AE-{i}");
        a.put(put("denials", &id, denial(&id))).await.unwrap();
    }
    eventually("B holds A's denials", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;

    // While B is stopped, five records vanish from its store (winner and log entry) but
    // its version vector still claims them: replication alone would never resend them.
    fed.stop(1).await;
    {
        let db = sled::open(fed.data_dir(1)).expect("B's store opens offline");
        for seq in 1..=5u64 {
            let id = format!("DE-BAFA/AE-{seq}");
            assert!(db.remove(record_key("denials", &id)).unwrap().is_some());
            assert!(db.remove(log_key("denials", "DE-BAFA", seq)).unwrap().is_some());
        }
        db.flush().unwrap();
    }
    fed.start(1).await;
    let mut b = fed.operator(1);
    eventually("anti-entropy repairs B", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;
    for seq in 1..=5 {
        let id = format!("DE-BAFA/AE-{seq}");
        let record = get(&mut b, "denials", &id).await.expect("repaired");
        assert_eq!(record.record.unwrap().header.unwrap().author, "DE-BAFA");
    }
    let peer = eventually("B reports A in sync", WAIT, || {
        let mut b = b.clone();
        async move {
            let status = status(&mut b).await;
            status.peers.into_iter().find(|p| p.sync_state == "in_sync")
        }
    })
    .await;
    assert!(peer.diverged_since.is_empty() && !peer.last_sync.is_empty());

    // `fedctl sync` compares on demand and finds nothing left to repair.
    let report = json(&fedctl(&fed, 1, &["-o", "json", "sync"], None).await);
    let collections = report["peers"][0]["collections"].as_array().unwrap();
    assert!(collections.iter().all(|c| c["in_sync"] == true), "{report}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_tombstone_beats_an_older_version_that_arrives_after_it() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let (mut a, mut b) = (fed.operator(0), fed.operator(1));
    a.put(put("shared", "ACME-1", watchlist_entry("Acme Dual Use Trading LLC")))
        .await
        .unwrap();
    eventually("B has the entry", WAIT, || {
        let mut b = b.clone();
        async move { get(&mut b, "shared", "ACME-1").await }
    })
    .await;
    let screen = |name: &str| ScreenRequest {
        name: name.into(),
        ..Default::default()
    };
    let hits = |mut client: fedx::proto::operator_client::OperatorClient<_>| async move {
        client
            .screen(screen("Acme Dual Use Trading"))
            .await
            .unwrap()
            .into_inner()
            .hits
            .len()
    };
    assert!(hits(a.clone()).await > 0);

    // Partition: each side drops the other. B writes a version first, A deletes after.
    for (i, other) in [(0, 1), (1, 0)] {
        let agency = fed.agency(other).to_string();
        fed.operator(i).remove_peer(RemovePeerRequest { agency }).await.unwrap();
    }
    b.put(put("shared", "ACME-1", watchlist_entry("Acme Dual Use Trading Ltd")))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let deleted = a
        .delete(DeleteRequest {
            collection: "shared".into(),
            id: "ACME-1".into(),
        })
        .await
        .unwrap()
        .into_inner();
    assert!(deleted.header.unwrap().tombstone);
    eventually("screening forgets the deleted entry", WAIT, || {
        let a = a.clone();
        async move { (hits(a).await == 0).then_some(()) }
    })
    .await;

    // Heal: B's older version reaches A after the tombstone and must not resurrect it.
    for (i, other) in [(0, 1), (1, 0)] {
        let peer = Some(PeerEntry {
            agency: fed.agency(other).into(),
            endpoint: fed.endpoint(other),
        });
        fed.operator(i).add_peer(AddPeerRequest { peer }).await.unwrap();
    }
    eventually("A and B converge", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;
    for client in [&mut a, &mut b] {
        let winner = get(client, "shared", "ACME-1").await.expect("the tombstone is kept");
        let header = winner.record.unwrap().header.unwrap();
        assert!(header.tombstone, "an older version resurrected a deleted record");
        assert_eq!(header.author, "DE-BAFA");
    }
    // Deleting twice is refused; revoking a deleted record too.
    let again = a.delete(DeleteRequest {
        collection: "shared".into(),
        id: "ACME-1".into(),
    });
    assert_eq!(again.await.unwrap_err().code(), tonic::Code::FailedPrecondition);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_removed_peer_stops_receiving_and_a_new_peer_catches_up() {
    let mut fed = Federation::new(3, &[(0, 1)]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/CHURN-1", denial("CHURN-1")))
        .await
        .unwrap();
    let mut b = fed.operator(1);
    eventually("B has the first denial", WAIT, || {
        let mut b = b.clone();
        async move { get(&mut b, "denials", "DE-BAFA/CHURN-1").await }
    })
    .await;

    let removed = fedctl(&fed, 0, &["-o", "json", "peers", "remove", "FR-SBDU"], None).await;
    assert!(json(&removed).as_array().unwrap().is_empty());
    a.put(put("denials", "DE-BAFA/CHURN-2", denial("CHURN-2")))
        .await
        .unwrap();
    // B keeps trying to pull from A, and A keeps refusing it.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert!(
        get(&mut b, "denials", "DE-BAFA/CHURN-2").await.is_none(),
        "a removed peer still receives"
    );

    // A new peer, added at runtime on both sides, catches up on everything.
    let endpoint_a = fed.endpoint(0);
    let endpoint_c = fed.endpoint(2);
    json(&fedctl(&fed, 0, &["-o", "json", "peers", "add", "NL-CDIU", &endpoint_c], None).await);
    json(&fedctl(&fed, 2, &["-o", "json", "peers", "add", "DE-BAFA", &endpoint_a], None).await);
    eventually("C catches up with A", WAIT, || async {
        converged(&fed, &[0, 2]).await.then_some(())
    })
    .await;
    let mut c = fed.operator(2);
    assert!(get(&mut c, "denials", "DE-BAFA/CHURN-2").await.is_some());
    // The change is persisted: after a restart A still peers with C, not B.
    fed.stop(0).await;
    fed.start(0).await;
    let peers = fed
        .operator(0)
        .list_peers(ListPeersRequest {})
        .await
        .unwrap()
        .into_inner()
        .peers;
    assert_eq!(peers.iter().map(|p| p.agency.as_str()).collect::<Vec<_>>(), ["NL-CDIU"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_flushes_closes_and_exits_zero() {
    let fed = Federation::new(1, &[]);
    let path = fed.dir.path().join("node.toml");
    std::fs::write(&path, config_toml(&fed.configs[0], "127.0.0.1:0")).unwrap();
    let (mut node, endpoint) = fednode(&path).await;
    let mut client = operator_at(&fed, 0, &endpoint);
    client
        .put(put("denials", "DE-BAFA/TERM-1", denial("TERM-1")))
        .await
        .unwrap();

    let pid = node.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let exit = tokio::time::timeout(Duration::from_secs(10), node.wait())
        .await
        .expect("fednode exits within 10 s of SIGTERM")
        .unwrap();
    assert!(exit.success(), "fednode exited with {exit:?}");

    let (_node, endpoint) = fednode(&path).await;
    let mut client = operator_at(&fed, 0, &endpoint);
    assert!(get(&mut client, "denials", "DE-BAFA/TERM-1").await.is_some());
}
