//! Anti-entropy against a fake peer.
//!
//! A peer that answers it with garbage (its `Summarize` never matches ours, its `Fetch`
//! returns records we refuse) cannot flood the audit log: refusals from every path are
//! audited at the per-caller rate refused calls are, the rest counted into a summary
//! entry, a round stops at the first refused batch, and the peer's repair is backed off
//! with a growing delay, as a stream that sends garbage is. Its `last_error` says why.
//!
//! A comparison asks for bucket fingerprints only where totals differ.

mod common;

use std::time::Duration;

use common::fake_peer::*;
use common::*;
use fedx::proto::*;

const FR: &str = "FR-SBDU";
/// Garbage records the fake claims: more than a few fetches' worth.
const GARBAGE: usize = 3000;
/// Periodic rounds of this length follow one another.
const INTERVAL: Duration = Duration::from_secs(1);

/// FR-SBDU denials, each with a flipped signature bit.
fn bad_signatures(fake: &FakePeer) -> Vec<SignedRecord> {
    (0..GARBAGE)
        .map(|i| {
            let id = format!("FR-SBDU/GARBAGE-{i:05}");
            let mut signed = fake.sign(&fake.record("denials", &id, 1 + i as u64, denial(&id)));
            signed.signature[i % 64] ^= 0x01;
            signed
        })
        .collect()
}

/// The count in the detail of each `refuse.unitemized` entry of `actor`, summed.
fn unitemized(entries: &[fedx::proto::AuditEntry], actor: &str) -> u64 {
    entries
        .iter()
        .filter(|e| e.action == "refuse.unitemized" && e.actor == actor)
        .filter_map(|e| e.detail.split_whitespace().next()?.parse::<u64>().ok())
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_peer_answering_anti_entropy_with_garbage_is_audited_at_a_bounded_rate_and_backed_off() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[0].anti_entropy_interval = INTERVAL;
    let fake = FakePeer::start(&mut fed, 1).await;
    fake.offer("denials", bad_signatures(&fake));
    fed.start(0).await;
    let mut op = fed.operator(0);

    let sync = op.sync(SyncRequest { peer: FR.into() }).await.unwrap().into_inner();
    let error = &sync.peers[0].error;
    assert!(error.contains("bad_signature"), "the sync names the refusal: {error}");
    // Periodic rounds every second would each fetch (and refuse) everything again.
    tokio::time::sleep(INTERVAL * 8).await;

    let status = status(&mut op).await;
    eprintln!(
        "after a sync and {:?} of periodic rounds: {} records refused, {} audit entries",
        INTERVAL * 8,
        status.refused_records,
        status.audit_entries
    );
    // At most the round at start and the sync, each stopped at its first refused batch.
    let batch = fed.configs[0].limits.batch_records as u64;
    assert!(
        status.refused_records <= 2 * batch,
        "{} records refused: rounds go on after a refused batch, or are not backed off",
        status.refused_records
    );
    assert!(
        status.audit_entries <= 600,
        "{} audit entries: refusals through anti-entropy are not audited at a bounded rate",
        status.audit_entries
    );
    let entries = audit_after(&mut op, 0).await;
    let actor = format!("peer:{FR}");
    let itemized = entries
        .iter()
        .filter(|e| e.actor == actor && e.action == "refuse:bad_signature")
        .count() as u64;
    assert_eq!(
        itemized + unitemized(&entries, &actor),
        status.refused_records,
        "every refusal is itemized or counted in a summary entry"
    );
    assert!(unitemized(&entries, &actor) > 0, "no summary entry: {entries:?}");
    fed.stop_all().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_link_refused_by_us_says_why_in_last_error() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[0].anti_entropy_interval = Duration::from_secs(3600);
    let fake = FakePeer::start(&mut fed, 1).await;
    fed.start(0).await;
    let op = fed.operator(0);
    let mut garbage = bad_signatures(&fake);
    garbage.truncate(3);
    // On every session: the link is refused, backed off, reconnects, is refused again.
    let fake = std::sync::Arc::new(fake);
    let pusher = {
        let fake = fake.clone();
        tokio::spawn(async move {
            let mut last = 0;
            loop {
                let session = fake.session_after(last, CONNECT_WAIT).await;
                last = session.id;
                fake.push_on(&session, batch(garbage.clone())).await;
            }
        })
    };
    let last_error = eventually("the link drops the session", Duration::from_secs(20), || {
        let mut op = op.clone();
        async move {
            let peers = status(&mut op).await.peers;
            let error = peers.into_iter().find(|p| p.agency == FR)?.last_error;
            (!error.is_empty()).then_some(error)
        }
    })
    .await;
    assert!(
        last_error.contains("bad_signature 3") && last_error.contains("signature"),
        "{last_error}"
    );
    pusher.abort();
    fed.stop_all().await;
}

/// Bucket fingerprints cost the peer a scan of the collection and about 11 KiB on the
/// wire; a comparison asks for them only where the count and digest differ, so a node
/// holding many records does not pay that for every peer every round while in sync.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_comparison_asks_for_bucket_fingerprints_only_where_totals_differ() {
    init_logging();
    let mut fed = Federation::new(2, &[(0, 1)]);
    let fake = FakePeer::start(&mut fed, 1).await;
    let id = "FR-SBDU/DENIED-1";
    fake.offer("denials", vec![fake.sign(&fake.record("denials", id, 1, denial(id)))]);
    fed.start(0).await;
    let mut op = fed.operator(0);

    for _ in 0..2 {
        let sync = op.sync(SyncRequest { peer: FR.into() }).await.unwrap().into_inner();
        assert_eq!(sync.peers[0].error, "");
    }
    assert!(
        get(&mut op, "denials", id).await.is_some(),
        "the record the node lacked was fetched"
    );
    // Periodic rounds may have run too: whatever the order, "shared" was empty on both
    // sides throughout and "denials" differed until one round fetched the record.
    let asked = fake.summaries();
    let fingerprints = |collection: &str| {
        let calls: Vec<bool> = asked.iter().filter(|(c, _)| c == collection).map(|&(_, f)| f).collect();
        assert!(!calls.is_empty(), "{collection} never compared: {asked:?}");
        calls.into_iter().filter(|&f| f).count()
    };
    assert_eq!(
        fingerprints("shared"),
        0,
        "fingerprints asked of an equal collection: {asked:?}"
    );
    assert!(
        fingerprints("denials") >= 1,
        "a differing collection is compared bucket by bucket"
    );
    fed.stop_all().await;
}
