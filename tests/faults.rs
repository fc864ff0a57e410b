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

/// B's status for its peer A.
async fn peer_status(b: &mut fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>) -> PeerStatus {
    status(b).await.peers.into_iter().next().expect("B has one peer")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anti_entropy_repairs_records_lost_or_rolled_back_behind_the_version_vector() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    // No periodic comparison during the test: only B's start and `fedctl sync` compare.
    for config in &mut fed.configs {
        config.anti_entropy_interval = Duration::from_secs(3600);
    }
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
    // Keep B's stored first version of AE-6, then let A supersede it (log seq 21).
    fed.stop(1).await;
    let first_version = {
        let db = fed.open_store_offline(1);
        db.get(record_key("denials", "DE-BAFA/AE-6"))
            .unwrap()
            .expect("AE-6 at B")
    };
    fed.start(1).await;
    let mut amended = denial("DE-BAFA/AE-6");
    if let Some(record_body::Kind::LicenseDenial(d)) = amended.kind.as_mut() {
        d.item_description = "amended description".into();
    }
    a.put(put("denials", "DE-BAFA/AE-6", amended)).await.unwrap();
    eventually("B holds the amendment", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;

    // Both stop. In B's store five records vanish (winner and log entry) and AE-6 rolls
    // back to its first version, while B's version vector still claims all of them:
    // replication alone never resends them.
    fed.stop(0).await;
    fed.stop(1).await;
    {
        let db = fed.open_store_offline(1);
        for seq in 1..=5u64 {
            let id = format!("DE-BAFA/AE-{seq}");
            assert!(db.remove(record_key("denials", &id)).unwrap().is_some());
            assert!(db.remove(log_key("denials", "DE-BAFA", seq)).unwrap().is_some());
        }
        db.insert(record_key("denials", "DE-BAFA/AE-6"), first_version).unwrap();
        // AE-7 keeps its winner, which now points at nothing in the log.
        assert!(db.remove(log_key("denials", "DE-BAFA", 7)).unwrap().is_some());
        db.flush().unwrap();
    }
    // B starts while A is down, so its start-up comparison fails; A's finds nothing B
    // lacks... and pulls nothing that beats what A holds.
    fed.start(1).await;
    let mut b = fed.operator(1);
    eventually("B finds A down", WAIT, || {
        let mut b = b.clone();
        async move { (peer_status(&mut b).await.state == "backoff").then_some(()) }
    })
    .await;
    // B's start-up comparison failed as fast as its first connection did.
    tokio::time::sleep(Duration::from_millis(500)).await;
    fed.start(0).await;
    eventually("B reconnects to A", WAIT, || {
        let mut b = b.clone();
        async move { (peer_status(&mut b).await.state == "connected").then_some(()) }
    })
    .await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    assert!(!converged(&fed, &[0, 1]).await, "the fast path repaired B by itself");
    assert!(get(&mut b, "denials", "DE-BAFA/AE-1").await.is_none());

    // `fedctl sync` compares now and fetches exactly the difference: 5 lost, 1 rolled back,
    // 1 whose version vanished from under its winner.
    let report = json(&fedctl(&fed, 1, &["-o", "json", "sync"], None).await);
    let denials = report["peers"][0]["collections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["collection"] == "denials")
        .expect("denials compared")
        .clone();
    // (proto3 JSON: 64-bit counts are strings, false is omitted.) The rolled-back
    // version was still in B's log, so only the 6 others are new to B.
    assert_ne!(denials["in_sync"], true, "{report}");
    assert_eq!(denials["fetched"], "7", "{report}");
    assert_eq!(denials["stored"], "6", "{report}");
    let peer = peer_status(&mut b).await;
    assert_eq!(peer.sync_state, "diverged");
    assert!(!peer.diverged_since.is_empty(), "status names since when B diverged");
    assert!(converged(&fed, &[0, 1]).await);
    for seq in 1..=5 {
        let id = format!("DE-BAFA/AE-{seq}");
        let record = get(&mut b, "denials", &id).await.expect("repaired");
        assert_eq!(record.record.unwrap().header.unwrap().author, "DE-BAFA");
    }
    for id in ["DE-BAFA/AE-6", "DE-BAFA/AE-7"] {
        let winner = get(&mut b, "denials", id).await.unwrap();
        assert_eq!(winner, get(&mut a, "denials", id).await.unwrap());
    }
    // What anti-entropy restored is screenable too, though it came in behind the version
    // vector, past what B's screening index had read of the log.
    eventually("the repaired denials are screenable at B", WAIT, || {
        let mut b = b.clone();
        async move {
            let request = ScreenRequest {
                name: "Gulf Precision Machinery Trading LLC".into(),
                limit: 100,
                ..Default::default()
            };
            let hits = b.screen(request).await.unwrap().into_inner().hits;
            let screenable = |seq: u64| hits.iter().any(|h| h.id == format!("DE-BAFA/AE-{seq}"));
            [1, 2, 3, 4, 5, 7].into_iter().all(screenable).then_some(())
        }
    })
    .await;

    // The next comparison finds nothing left to repair, and status says so.
    let report = json(&fedctl(&fed, 1, &["-o", "json", "sync"], None).await);
    let collections = report["peers"][0]["collections"].as_array().unwrap();
    assert!(collections.iter().all(|c| c["in_sync"] == true), "{report}");
    let peer = peer_status(&mut b).await;
    assert_eq!(peer.sync_state, "in_sync");
    assert!(peer.diverged_since.is_empty() && !peer.last_sync.is_empty());
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
async fn sigterm_flushes_closes_streams_and_exits_zero() {
    // A runs as a process, B in this test, peered with each other.
    let mut fed = Federation::new(2, &[(0, 1)]);
    drop(fed.take_listener(0));
    let path = fed.dir.path().join("node.toml");
    let listen = fed.configs[0].listen.to_string();
    let toml = config_toml(&fed.configs[0], &listen)
        + &format!(
            "[[peers]]\nagency = {:?}\nendpoint = {:?}\n",
            fed.agency(1),
            fed.endpoint(1)
        );
    std::fs::write(&path, toml).unwrap();
    let (mut node, endpoint) = fednode(&path).await;
    fed.start(1).await;
    let mut client = operator_at(&fed, 0, &endpoint);
    client
        .put(put("denials", "DE-BAFA/TERM-1", denial("TERM-1")))
        .await
        .unwrap();
    let mut b = fed.operator(1);
    eventually("B receives A's denial over a live stream", WAIT, || {
        let mut b = b.clone();
        async move { get(&mut b, "denials", "DE-BAFA/TERM-1").await }
    })
    .await;
    assert_eq!(peer_status(&mut b).await.state, "connected");
    // A client keeps a screening stream open and idle: it must not hold the shutdown up.
    let (_idle, requests) = tokio::sync::mpsc::channel::<ScreenRequest>(1);
    let open = client.screen_batch(tokio_stream::wrappers::ReceiverStream::new(requests));
    let _open = open.await.unwrap();

    let pid = node.id().expect("running").to_string();
    let sent = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(sent.success());
    let exit = tokio::time::timeout(Duration::from_secs(5), node.wait())
        .await
        .expect("fednode exits within 5 s of SIGTERM")
        .unwrap();
    assert!(exit.success(), "fednode exited with {exit:?}");
    // A closed its stream: B sees the link down, not a connection left hanging.
    eventually("B sees A's stream closed", Duration::from_secs(5), || {
        let mut b = b.clone();
        async move { (peer_status(&mut b).await.state != "connected").then_some(()) }
    })
    .await;

    let (_node, endpoint) = fednode(&path).await;
    let mut client = operator_at(&fed, 0, &endpoint);
    assert!(get(&mut client, "denials", "DE-BAFA/TERM-1").await.is_some());
}

/// A store written by a build that kept a full copy of each winner (format 1, no format
/// marker) is rewritten once at start: the same records, digests and history, and writes
/// go on from there.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_of_the_earlier_format_is_upgraded_at_start() {
    let mut fed = Federation::new(1, &[]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    for i in 1..=5 {
        let id = format!("DE-BAFA/UP-{i}");
        a.put(put("denials", &id, denial(&id))).await.unwrap();
    }
    a.revoke(RevokeRequest {
        collection: "denials".into(),
        id: "DE-BAFA/UP-2".into(),
    })
    .await
    .unwrap();
    let list = |mut a: fedx::proto::operator_client::OperatorClient<tonic::transport::Channel>| async move {
        let request = ListRequest {
            collection: "denials".into(),
            ..Default::default()
        };
        a.list(request).await.unwrap().into_inner().records
    };
    let (before, records_before) = (digests(&mut a).await, list(a.clone()).await);
    fed.stop(0).await;
    {
        // Back to format 1: every winner in full under its record key, no marker.
        // Every winner, the node's own announcements included.
        let db = fed.open_store_offline(0);
        let winners: Vec<_> = db.scan_prefix(b"r").map(Result::unwrap).collect();
        assert!(winners.len() >= 5, "the denials and the node's own records");
        for (key, pointer) in winners {
            let version = db.get(&pointer[40..]).unwrap().expect("its log entry");
            db.insert(key, version).unwrap();
        }
        assert!(db.remove(b"mformat").unwrap().is_some(), "format marker");
        db.flush().unwrap();
    }
    fed.start(0).await;
    let mut a = fed.operator(0);
    assert_eq!(digests(&mut a).await, before);
    assert_eq!(list(a.clone()).await, records_before);
    assert_eq!(
        denial_status(&get(&mut a, "denials", "DE-BAFA/UP-2").await.unwrap()),
        DenialStatus::Revoked
    );
    // A further version of an upgraded winner replaces it.
    a.revoke(RevokeRequest {
        collection: "denials".into(),
        id: "DE-BAFA/UP-3".into(),
    })
    .await
    .unwrap();
    let after = digests(&mut a).await;
    assert_ne!(after, before);
    assert_eq!(after.iter().find(|c| c.0 == "denials").unwrap().1, 5);
    fed.stop_all().await;
}

/// A store whose log lost its newest entries (a damaged disk) still loads its screening
/// index: screens answer after the restart instead of waiting for versions that are gone.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn screening_loads_a_store_whose_log_lost_its_newest_entries() {
    let mut fed = Federation::new(1, &[]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    for i in 1..=10 {
        let name = format!("Damaged Disk Holdings {i}");
        a.put(put("shared", &format!("DD-{i}"), watchlist_entry(&name)))
            .await
            .unwrap();
    }
    fed.stop(0).await;
    {
        let db = fed.open_store_offline(0);
        for seq in [9, 10] {
            assert!(db.remove(log_key("shared", "DE-BAFA", seq)).unwrap().is_some());
        }
        db.flush().unwrap();
    }
    fed.start(0).await;
    let request = ScreenRequest {
        name: "Damaged Disk Holdings 3".into(),
        ..Default::default()
    };
    let mut a = fed.operator(0);
    let answer = tokio::time::timeout(Duration::from_secs(20), a.screen(request))
        .await
        .expect("the screen waited for versions that are gone")
        .expect("screened");
    assert!(answer.into_inner().hits.iter().any(|h| h.id == "DD-3"));
    fed.stop_all().await;
}

/// Our own versions past the version vector (what anti-entropy restores after a loss, in
/// any order) keep their places: the writer numbers a run of concurrent puts before
/// storing any of it, and skips those places rather than signing a second version for
/// one (which the store would refuse as our own equivocation).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_puts_skip_our_own_versions_held_past_the_version_vector() {
    let mut fed = Federation::new(1, &[]);
    fed.start_all().await;
    let a = fed.operator(0);
    for i in 1..=10 {
        let id = format!("DE-BAFA/OLD-{i}");
        a.clone().put(put("denials", &id, denial(&id))).await.unwrap();
    }
    fed.stop(0).await;
    {
        // Versions 4–6 lost; 7–10 held past a vector of 3.
        let db = fed.open_store_offline(0);
        for seq in 4..=6 {
            assert!(db.remove(log_key("denials", "DE-BAFA", seq)).unwrap().is_some());
        }
        let vector = [b"vdenials".as_slice(), b"\0DE-BAFA"].concat();
        assert!(db.insert(vector, 3u64.to_be_bytes().to_vec()).unwrap().is_some());
        db.flush().unwrap();
    }
    fed.start(0).await;
    let a = fed.operator(0);
    for round in 0..4 {
        let puts = (0..16).map(|i| {
            let (mut a, id) = (a.clone(), format!("DE-BAFA/NEW-{round}-{i}"));
            async move { a.put(put("denials", &id, denial(&id))).await }
        });
        for answer in futures_util::future::join_all(puts).await {
            let seq = answer.expect("put").into_inner().header.unwrap().seq;
            assert!(!(7..=10).contains(&seq), "seq {seq} was already ours");
        }
    }
    let status = status(&mut a.clone()).await;
    assert!(status.equivocations.is_empty(), "{:?}", status.equivocations);
    // 4–6 taken by new puts, 7–10 skipped: nothing is missing below the vector.
    let denials = status.collections.iter().find(|c| c.name == "denials").unwrap();
    assert_eq!(denials.records, 7 + 64);
    fed.stop_all().await;
}
