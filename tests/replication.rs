//! Replication across real nodes: relay, catch-up, conflicts, releasability.

mod common;

use std::time::Duration;

use common::fake_peer::{self, FakePeer};
use common::*;
use fedx::proto::*;
use fedx::records::Version;
use fedx::store::OwnRecordsAtStart;

const WAIT: Duration = Duration::from_secs(30);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_and_its_revocation_relay_from_a_to_c_through_b() {
    init_logging();
    // A–B and B–C only: C hears of A's records through B.
    let mut fed = Federation::new(3, &[(0, 1), (1, 2)]);
    fed.start_all().await;
    let (mut a, mut c) = (fed.operator(0), fed.operator(2));
    let id = "DE-BAFA/2026-0042";
    a.put(put("denials", id, denial("BAFA-DN-2026-0042"))).await.unwrap();

    let at_c = eventually("the denial at C", WAIT, || {
        let mut c = c.clone();
        async move { get(&mut c, "denials", id).await }
    })
    .await;
    let at_a = get(&mut a, "denials", id).await.unwrap();
    // The exact bytes A signed, verifiable at C with A's key from the federation config.
    assert_eq!(at_c.signed, at_a.signed);
    let signed = at_c.signed.clone().unwrap();
    let header = at_c.record.as_ref().unwrap().header.clone().unwrap();
    assert_eq!(header.author, "DE-BAFA");
    fed.configs[2]
        .keyring()
        .unwrap()
        .verify(
            &header.author,
            &header.key_id,
            header.hlc,
            &signed.record,
            &signed.signature,
        )
        .expect("A's signature verifies at C");

    a.revoke(RevokeRequest {
        collection: "denials".into(),
        id: id.into(),
    })
    .await
    .unwrap();
    eventually("the revocation at C", WAIT, || {
        let mut c = c.clone();
        async move {
            let record = get(&mut c, "denials", id).await?;
            (denial_status(&record) == DenialStatus::Revoked).then_some(())
        }
    })
    .await;
    assert_eq!(
        denial_status(&get(&mut c, "denials", id).await.unwrap()),
        DenialStatus::Revoked
    );
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_node_catches_up_receiving_about_what_it_missed() {
    init_logging();
    const MISSED: usize = 5_000;
    let mut fed = Federation::new(3, &[(0, 1), (1, 2), (0, 2)]);
    fed.start_all().await;
    fed.stop(2).await;

    let mut a = fed.operator(0);
    for chunk in 0..MISSED / 500 {
        let puts = (0..500)
            .map(|i| {
                let n = chunk * 500 + i;
                put("denials", &format!("DE-BAFA/{n:05}"), denial(&format!("REF-{n}")))
            })
            .collect();
        a.batch_put(BatchPutRequest { puts }).await.unwrap();
    }
    fed.start(2).await;
    let mut c = fed.operator(2);
    // Compared with A as it is then: C may announce its sealing key once it is back.
    eventually("C to converge with A", WAIT, || {
        let (mut a, mut c) = (a.clone(), c.clone());
        async move { (digests(&mut c).await == digests(&mut a).await).then_some(()) }
    })
    .await;
    // C's counters start at its restart: everything it received since is catch-up.
    let received: u64 = status(&mut c).await.peers.iter().map(|p| p.records_received).sum();
    let per_peer: Vec<_> = status(&mut c)
        .await
        .peers
        .iter()
        .map(|p| (p.agency.clone(), p.records_received))
        .collect();
    eprintln!("catch-up: C missed {MISSED} records and was sent {received}: {per_peer:?}");
    assert!(received >= MISSED as u64, "received {received}");
    assert!(
        received as f64 <= 1.1 * MISSED as f64,
        "C missed {MISSED} records but was sent {received}"
    );
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writes_to_a_shared_id_converge_on_the_design_winner() {
    init_logging();
    // No links yet: a partition. Both sides write the same shared id.
    let mut fed = Federation::new(3, &[]);
    fed.start_all().await;
    let id = "EU-SHARED/0001";
    let mut versions = Vec::new();
    for (i, name) in [(0, "Version of A"), (1, "Version of B")] {
        let mut client = fed.operator(i);
        client.put(put("shared", id, watchlist_entry(name))).await.unwrap();
        let stored = get(&mut client, "shared", id).await.unwrap();
        let header = stored.record.as_ref().unwrap().header.clone().unwrap();
        let hash: [u8; 32] = hex::decode(&stored.sha256).unwrap().try_into().unwrap();
        versions.push((
            Version {
                hlc: header.hlc,
                author: header.author,
                hash,
            },
            stored.sha256,
        ));
    }
    let winner = versions.iter().max_by(|a, b| a.0.cmp(&b.0)).unwrap().1.clone();

    // Heal: a full mesh, added at runtime.
    for (i, j) in [(0, 1), (1, 2), (0, 2)] {
        for (from, to) in [(i, j), (j, i)] {
            let peer = PeerEntry {
                agency: fed.agency(to).into(),
                endpoint: fed.endpoint(to),
            };
            fed.operator(from)
                .add_peer(AddPeerRequest { peer: Some(peer) })
                .await
                .unwrap();
        }
    }
    for i in 0..3 {
        let client = fed.operator(i);
        eventually("every node to hold the winner", WAIT, || {
            let (mut client, winner) = (client.clone(), winner.clone());
            async move { (get(&mut client, "shared", id).await?.sha256 == winner).then_some(()) }
        })
        .await;
    }
    // Status counts a version once its batch is flushed, which may be just after `Get`
    // sees it: the digests must come to agree, and stay agreed.
    eventually("the digests to agree", WAIT, || async {
        converged(&fed, &[0, 1, 2]).await.then_some(())
    })
    .await;
    assert!(converged(&fed, &[0, 1, 2]).await);
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_collection_never_reaches_an_agency_outside_its_readers() {
    init_logging();
    let mut fed = Federation::new(3, &[(0, 1), (1, 2), (0, 2)]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    a.put(put("restricted", "DE-BAFA/EUC-1", end_use_check()))
        .await
        .unwrap();
    // A later record every node reads: once C has it, C has seen all A would send it.
    a.put(put("denials", "DE-BAFA/after", denial("AFTER"))).await.unwrap();
    let mut b = fed.operator(1);
    eventually("B to hold the restricted record", WAIT, || {
        let mut b = b.clone();
        async move { get(&mut b, "restricted", "DE-BAFA/EUC-1").await }
    })
    .await;
    eventually("C to hold the later denial", WAIT, || {
        let mut c = fed.operator(2);
        async move { get(&mut c, "denials", "DE-BAFA/after").await }
    })
    .await;
    let c_status = status(&mut fed.operator(2)).await;
    assert!(c_status.collections.iter().all(|c| c.name != "restricted"));
    assert!(get(&mut b, "restricted", "DE-BAFA/EUC-1").await.is_some());
    // C's operator is told C does not hold it, rather than shown an empty list.
    let listed = fed
        .operator(2)
        .list(ListRequest {
            collection: "restricted".into(),
            ..Default::default()
        })
        .await
        .expect_err("C holds no restricted collection");
    assert_eq!(listed.code(), tonic::Code::NotFound, "{listed:?}");
    assert!(listed.message().contains("not among its readers"), "{listed:?}");

    // What is really on C's disk: nothing of the restricted collection.
    fed.stop_all().await;
    let store = fedx::store::Store::inspect(fed.data_dir(2)).unwrap();
    assert!(
        store.keys_containing("DE-BAFA/after").unwrap().len() >= 2,
        "sanity: C stored the denial"
    );
    assert_eq!(store.keys_containing("restricted").unwrap(), Vec::<String>::new());
    assert_eq!(store.keys_containing("EUC-1").unwrap(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_author_restored_from_an_old_backup_pulls_its_records_back_and_then_no_echoes() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    let copy = copy_of_a_before_its_last_ten_denials(&mut fed).await;
    fed.stop(0).await;
    restore(&fed, 0, &copy);

    // A comes back with 10 of its 20 records: it pulls the other 10 from B.
    fed.start(0).await;
    holds_denials(&fed, 0, 20, WAIT).await;
    let pulled_back = records_received(&fed, 0).await;
    assert!(
        pulled_back >= 10,
        "A lacked 10 of its records and was sent {pulled_back}"
    );
    // Then its 50 new records go to B, and do not come back to be verified and dropped.
    // (Anti-entropy may still deliver a late duplicate of the 10 pulled back.)
    fed.operator(0).batch_put(a_denials(20, 70)).await.unwrap();
    holds_denials(&fed, 1, 70, WAIT).await;
    let echoed = records_received(&fed, 0).await - pulled_back;
    assert!(echoed <= 10, "A wrote 50 records and was sent {echoed} back");
    fed.stop_all().await;
}

/// A node restored from an older copy of its store must not give a new write a sequence
/// number it already published with another record (its peers would refuse the write as
/// equivocation and it would never reach them): while a peer holds more of one of its
/// streams than it does, it takes no write to that stream, until it has the rest back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restored_author_takes_no_write_to_a_stream_a_peer_holds_more_of_until_it_has_it_back() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    let fake = FakePeer::start(&mut fed, 1).await;
    fed.start(0).await;
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/001", denial("REF-1"))).await.unwrap();
    // What A published as #2 and #3 before it was restored from a copy that lacks them.
    let files = &fed.pki.agencies[0];
    let signer = fedx::crypto::Signer::load(&files.signing_key, &files.signing_key_id).unwrap();
    let lost: Vec<SignedRecord> = (2..=3)
        .map(|seq| {
            let id = format!("DE-BAFA/LOST-{seq}");
            let header = RecordHeader {
                collection: "denials".into(),
                id: id.clone(),
                author: "DE-BAFA".into(),
                seq,
                hlc: fedx::records::hlc::wall_clock(),
                key_id: files.signing_key_id.clone(),
                schema_version: 1,
                tombstone: false,
            };
            let record = Record {
                header: Some(header),
                body: Some(denial(&id)),
            };
            fake_peer::sign_record(&signer, &record)
        })
        .collect();
    let heads = vec![Cursor {
        collection: "denials".into(),
        author: "DE-BAFA".into(),
        seq: 3,
    }];
    fake.push(Batch {
        records: Vec::new(),
        heads: heads.clone(),
        heads_changed_only: false,
    })
    .await;
    eventually(
        "A to learn that FR-SBDU holds two records of ours it lacks",
        WAIT,
        || {
            let mut a = a.clone();
            async move {
                let peers = status(&mut a).await.peers;
                peers.iter().any(|p| p.lag_records == 2).then_some(())
            }
        },
    )
    .await;

    let refused = a.put(put("denials", "DE-BAFA/002", denial("REF-2"))).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("FR-SBDU"), "{refused:?}");
    // The operator sees why in the status.
    let held = WriteHold {
        collection: "denials".into(),
        peer: "FR-SBDU".into(),
        held_here: 1,
        held_by_peer: 3,
        reason: String::new(),
    };
    assert_eq!(status(&mut a).await.write_holds, vec![held]);
    assert!(get(&mut a, "denials", "DE-BAFA/002").await.is_none());
    // Only that stream waits: A's other collections take writes.
    a.put(put("shared", "WL-1", watchlist_entry("Orion Trading")))
        .await
        .unwrap();

    fake.push(Batch {
        records: lost.clone(),
        heads,
        heads_changed_only: false,
    })
    .await;
    let written = eventually("A to take writes to denials again", WAIT, || {
        let mut a = a.clone();
        async move {
            let request = put("denials", "DE-BAFA/002", denial("REF-2"));
            a.put(request).await.ok().map(|r| r.into_inner())
        }
    })
    .await;
    assert_eq!(written.header.unwrap().seq, 4, "numbered after what FR-SBDU held");
    assert_eq!(status(&mut a).await.write_holds, vec![]);
    for signed in &lost {
        let id = fedx::records::header_of(&signed.record).unwrap().id;
        let held = get(&mut a, "denials", &id).await.unwrap();
        assert_eq!(held.signed.unwrap(), *signed, "{id} is the record A published");
    }
    fed.stop_all().await;
}

/// `fednode --restored`: a node restored from a copy while its peers are down takes no
/// write of its own (not even after a restart) until a peer has said what it holds of
/// ours; then it numbers its writes after those it published since the copy.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_started_as_restored_takes_no_write_of_its_own_until_a_peer_has_said_what_it_holds() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    let copy = copy_of_a_before_its_last_ten_denials(&mut fed).await;
    fed.stop_all().await;
    restore(&fed, 0, &copy);

    // A comes back from the copy (10 of its 20 records) while B is down.
    fed.own_records[0] = OwnRecordsAtStart::Restored;
    fed.start(0).await;
    let write = put("denials", "DE-BAFA/NEW", denial("REF-NEW"));
    let refused = fed.operator(0).put(write.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("restored"), "{refused:?}");
    let held = vec![WriteHold {
        reason: fedx::store::HoldCause::Restored.reason().into(),
        ..WriteHold::default()
    }];
    assert_eq!(
        status(&mut fed.operator(0)).await.write_holds,
        held,
        "every collection held"
    );
    // Remembered across a restart without the flag.
    fed.stop(0).await;
    fed.own_records[0] = OwnRecordsAtStart::Unknown;
    fed.start(0).await;
    let refused = fed.operator(0).put(write.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(get(&mut fed.operator(0), "denials", "DE-BAFA/NEW").await.is_none());
    assert_eq!(status(&mut fed.operator(0)).await.write_holds, held);

    // B answers: A pulls its 10 records back, then numbers the new one after them.
    fed.start(1).await;
    let written = eventually("A to take writes again", WAIT, || {
        let (mut a, write) = (fed.operator(0), write.clone());
        async move { a.put(write).await.ok().map(|r| r.into_inner()) }
    })
    .await;
    assert_eq!(written.header.unwrap().seq, 21);
    assert_eq!(status(&mut fed.operator(0)).await.write_holds, vec![]);
    holds_denials(&fed, 1, 21, WAIT).await;
    holds_denials(&fed, 0, 21, WAIT).await;
    eventually("A and B to agree", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;
    fed.stop_all().await;
}

/// Starts A and B; A publishes 20 denials, all replicated to B. Returns a copy of A's data
/// directory taken (with A stopped) after the first 10.
async fn copy_of_a_before_its_last_ten_denials(fed: &mut Federation) -> tempfile::TempDir {
    fed.start_all().await;
    fed.operator(0).batch_put(a_denials(0, 10)).await.unwrap();
    holds_denials(fed, 1, 10, WAIT).await;
    fed.stop(0).await;
    let copy = tempfile::tempdir().unwrap();
    copy_dir(fed.data_dir(0), copy.path());
    fed.start(0).await;
    fed.operator(0).batch_put(a_denials(10, 20)).await.unwrap();
    holds_denials(fed, 1, 20, WAIT).await;
    copy
}

/// Denials `DE-BAFA/<from>` up to `<to>` (excluded), for A to publish.
fn a_denials(from: usize, to: usize) -> BatchPutRequest {
    BatchPutRequest {
        puts: (from..to)
            .map(|n| put("denials", &format!("DE-BAFA/{n:03}"), denial(&format!("REF-{n}"))))
            .collect(),
    }
}

/// Replaces stopped node `i`'s data directory with `copy`.
fn restore(fed: &Federation, i: usize, copy: &tempfile::TempDir) {
    std::fs::remove_dir_all(fed.data_dir(i)).unwrap();
    copy_dir(copy.path(), fed.data_dir(i));
}

/// Records node `i` was sent by its peers, duplicates included.
async fn records_received(fed: &Federation, i: usize) -> u64 {
    let peers = status(&mut fed.operator(i)).await.peers;
    peers.iter().map(|p| p.records_received).sum()
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}
