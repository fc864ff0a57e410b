//! How a node numbers and stamps its own writes after a start it cannot vouch for: a new or
//! wiped store (it waits for a peer's word on what the federation holds of ours, or the
//! operator's `--new-agency`), and a stored clock ahead of the system clock.

mod common;

use std::time::Duration;

use common::*;
use fedx::proto::*;
use fedx::store::OwnRecordsAtStart;

const WAIT: Duration = Duration::from_secs(30);

/// The probe of a mistyped data directory while the only peer is down: A comes back on an
/// empty store and must not number a write #1 of a stream B already holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_on_an_empty_data_directory_takes_no_write_of_its_own_until_a_peer_has_said_what_it_holds() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    fed.operator(0).batch_put(a_denials(0, 5)).await.unwrap();
    holds_denials(&fed, 1, 5, WAIT).await;
    fed.stop_all().await;

    // A on an empty data directory, not confirmed as a new agency, B down.
    std::fs::remove_dir_all(fed.data_dir(0)).unwrap();
    fed.own_records[0] = OwnRecordsAtStart::Unknown;
    fed.start(0).await;
    let write = put("denials", "DE-BAFA/NEW", denial("REF-NEW"));
    let refused = fed.operator(0).put(write.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("holds no record of ours"), "{refused:?}");
    let held = vec![WriteHold {
        reason: fedx::store::HoldCause::NothingOfOurs.reason().into(),
        ..WriteHold::default()
    }];
    assert_eq!(status(&mut fed.operator(0)).await.write_holds, held);
    // Remembered across a restart.
    fed.stop(0).await;
    fed.start(0).await;
    let refused = fed.operator(0).put(write.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");

    // B answers: A pulls its 5 records back, then numbers the new one after them.
    fed.start(1).await;
    let written = eventually("A to take writes again", WAIT, || {
        let (mut a, write) = (fed.operator(0), write.clone());
        async move { a.put(write).await.ok().map(|r| r.into_inner()) }
    })
    .await;
    assert_eq!(written.header.unwrap().seq, 6);
    assert_eq!(status(&mut fed.operator(0)).await.write_holds, vec![]);
    holds_denials(&fed, 1, 6, WAIT).await;
    holds_denials(&fed, 0, 6, WAIT).await;
    eventually("A and B to agree", WAIT, || async {
        converged(&fed, &[0, 1]).await.then_some(())
    })
    .await;
    assert!(status(&mut fed.operator(1)).await.equivocations.is_empty());
    fed.stop_all().await;
}

/// A new agency: held until confirmed (`--new-agency`), or until a reachable peer says it
/// holds nothing of ours; the confirmation is remembered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_agency_takes_writes_once_confirmed_or_once_a_peer_has_answered() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.own_records[0] = OwnRecordsAtStart::Unknown;
    fed.own_records[1] = OwnRecordsAtStart::Unknown;
    fed.start(0).await;
    let write = put("denials", "DE-BAFA/001", denial("REF-1"));
    let refused = fed.operator(0).put(write.clone()).await.unwrap_err();
    assert_eq!(refused.code(), tonic::Code::Unavailable, "{refused:?}");
    assert!(refused.message().contains("--new-agency"), "{refused:?}");

    // The operator confirms: writes numbered from #1, and no hold after a plain restart.
    fed.stop(0).await;
    fed.own_records[0] = OwnRecordsAtStart::NewAgency;
    fed.start(0).await;
    let written = fed.operator(0).put(write).await.unwrap().into_inner();
    assert_eq!(written.header.unwrap().seq, 1);
    fed.stop(0).await;
    fed.own_records[0] = OwnRecordsAtStart::Unknown;
    fed.start(0).await;
    let written = fed
        .operator(0)
        .put(put("denials", "DE-BAFA/002", denial("REF-2")))
        .await;
    assert_eq!(written.unwrap().into_inner().header.unwrap().seq, 2);

    // B, new too and unconfirmed, takes writes once A (reachable) has said what it holds.
    fed.start(1).await;
    let b_write = put("denials", "FR-SBDU/001", denial("REF-B1"));
    let written = eventually("B to take writes", WAIT, || {
        let (mut b, write) = (fed.operator(1), b_write.clone());
        async move { b.put(write).await.ok().map(|r| r.into_inner()) }
    })
    .await;
    assert_eq!(written.header.unwrap().seq, 1);
    fed.stop_all().await;
}

/// A clock that jumped forward and was set back: the stored clock is 2 h ahead of the
/// system clock. The node starts, says so in its status, and stamps after the stored clock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_node_whose_stored_clock_is_ahead_starts_and_stamps_after_it() {
    init_logging();
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    fed.operator(0)
        .put(put("denials", "DE-BAFA/001", denial("REF-1")))
        .await
        .unwrap();
    fed.stop(0).await;
    let stored = fedx::records::hlc::wall_clock() + fedx::records::hlc::from_duration(Duration::from_secs(7200));
    {
        let db = fed.open_store_offline(0);
        db.insert(b"mhlc", stored.to_be_bytes().to_vec()).unwrap();
        db.flush().unwrap();
    }

    fed.start(0).await;
    let mut a = fed.operator(0);
    let warning = status(&mut a).await.clock_warning;
    assert!(warning.contains("ahead of the system clock"), "{warning}");
    assert!(warning.contains(&fedx::records::hlc::to_rfc3339(stored)), "{warning}");
    let written = a.put(put("denials", "DE-BAFA/002", denial("REF-2"))).await.unwrap();
    let header = written.into_inner().header.unwrap();
    assert!(header.hlc > stored, "stamped {} after {stored}", header.hlc);
    assert_eq!(header.seq, 2);
    fed.stop(0).await;
}

/// Denials `DE-BAFA/<from>` up to `<to>` (excluded), for A to publish.
fn a_denials(from: usize, to: usize) -> BatchPutRequest {
    BatchPutRequest {
        puts: (from..to)
            .map(|n| put("denials", &format!("DE-BAFA/{n:03}"), denial(&format!("REF-{n}"))))
            .collect(),
    }
}
