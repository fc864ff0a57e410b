//! Compression of what a node answers (replication batches here): negotiated per call, so
//! a node that may compress sends fewer bytes, and one that may not sends them plain. The
//! bytes are counted on the wire by the test proxy (TLS included), for each record kind.

mod common;

use std::time::Duration;

use common::proxy::Proxy;
use common::*;
use fedx::proto::*;

const RECORDS: usize = 500;
const WAIT: Duration = Duration::from_secs(60);

/// Record `n` of a kind, with names and references that differ from record to record as
/// they would in a real list (identical bodies would compress far better than real ones).
fn record(collection: &str, n: usize) -> PutRequest {
    let words = [
        "Volga", "Orion", "Baltic", "Meridian", "Sokol", "Tianhe", "Arcadia", "Nordlys",
    ];
    let name = format!(
        "{} {} Trading {n}",
        words[n % words.len()],
        words[(n / words.len()) % words.len()]
    );
    let (id, mut body) = match collection {
        "denials" => (format!("DE-BAFA/Z-{n}"), denial(&format!("BAFA-2026-{n:05}"))),
        "shared" => (format!("DE-BAFA/W-{n}"), watchlist_entry(&name)),
        _ => (format!("DE-BAFA/E-{n}"), end_use_check()),
    };
    if let Some(record_body::Kind::LicenseDenial(d)) = &mut body.kind
        && let Some(consignee) = d.consignee.as_mut()
        && let Some(first) = consignee.names.first_mut()
    {
        first.full_name = name;
    }
    put(collection, &id, body)
}

/// Bytes A sends B, per record, while B pulls `RECORDS` records of `collection` from A
/// through a counting proxy, A compressing its answers or not.
async fn bytes_per_record(collection: &str, compression: bool) -> f64 {
    let mut fed = Federation::new(2, &[]);
    fed.configs[0].limits.compression = compression;
    fed.start_all().await;
    let puts = (0..RECORDS).map(|n| record(collection, n)).collect();
    fed.operator(0).batch_put(BatchPutRequest { puts }).await.unwrap();

    // A serves only its peers; B reaches A through the proxy, which counts A's answers.
    let proxy = Proxy::start(fed.configs[0].listen).await;
    let b = Some(PeerEntry {
        agency: fed.agency(1).to_string(),
        endpoint: fed.endpoint(1),
    });
    fed.operator(0).add_peer(AddPeerRequest { peer: b }).await.unwrap();
    let a = Some(PeerEntry {
        agency: fed.agency(0).to_string(),
        endpoint: proxy.endpoint(),
    });
    fed.operator(1).add_peer(AddPeerRequest { peer: a }).await.unwrap();
    let client = fed.operator(1);
    eventually("the records to arrive", WAIT, || {
        let mut client = client.clone();
        async move { (records_held(&mut client, collection).await >= RECORDS as u64).then_some(()) }
    })
    .await;
    let (_, from_a) = proxy.bytes();
    fed.stop_all().await;
    from_a as f64 / RECORDS as f64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replication_answers_are_compressed_when_the_sender_may_and_plain_when_not() {
    for collection in ["denials", "shared", "restricted"] {
        let plain = bytes_per_record(collection, false).await;
        let compressed = bytes_per_record(collection, true).await;
        eprintln!(
            "{collection}: {plain:.0} bytes per record plain, {compressed:.0} compressed ({:.2}x)",
            compressed / plain
        );
        assert!(
            compressed < plain * 0.8,
            "{collection}: {compressed:.0} bytes per record compressed against {plain:.0} plain"
        );
    }
}
