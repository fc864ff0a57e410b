//! A weak line between two nodes: 256 kbit/s, 600 ms round trips with jitter, and now and
//! then a lost packet. The federation still converges, the link is not torn down by
//! time-outs or keepalives, and a denial published while a bulk load crosses that line
//! reaches the far side within seconds: it does not queue behind the bulk. (A stream the
//! far side has never pulled before, say a partner's very first denial, takes one more
//! trip: its existence travels in the heads behind what is in flight, then the far side
//! asks for it.)

mod common;

use std::time::{Duration, Instant};

use common::proxy::{Line, Proxy};
use common::*;
use fedx::proto::*;

const BULK: usize = 20_000;
const PER_CALL: usize = 500;

fn slow_line() -> Line {
    Line {
        bits_per_second: 256_000,
        one_way: Duration::from_millis(300),
        jitter: Duration::from_millis(50),
        loss: 0.01,
        retransmit: Duration::from_millis(600),
    }
}

async fn peer_state(fed: &Federation, i: usize, peer: &str) -> String {
    let peers = status(&mut fed.operator(i)).await.peers;
    peers
        .into_iter()
        .find(|p| p.agency == peer)
        .map(|p| p.state)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denial_overtakes_a_bulk_load_on_a_slow_line_and_the_link_stays_up() {
    init_logging();
    // A–B on a fast line; B–C: C pulls from B through the slow line.
    let mut fed = Federation::new(3, &[(0, 1)]);
    fed.start_all().await;
    let proxy = Proxy::start(fed.configs[1].listen).await;
    proxy.shape(slow_line());
    let (b, c) = (fed.agency(1).to_string(), fed.agency(2).to_string());
    let to_c = Some(PeerEntry {
        agency: c.clone(),
        endpoint: fed.endpoint(2),
    });
    fed.operator(1).add_peer(AddPeerRequest { peer: to_c }).await.unwrap();
    let to_b = Some(PeerEntry {
        agency: b.clone(),
        endpoint: proxy.endpoint(),
    });
    fed.operator(2).add_peer(AddPeerRequest { peer: to_b }).await.unwrap();

    // A's denials reach C already (C pulls A's denial stream from B), as a partner's do.
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/EARLIER", denial("EARLIER-1")))
        .await
        .unwrap();
    eventually("the earlier denial to reach C", Duration::from_secs(60), || {
        let mut c = fed.operator(2);
        async move { get(&mut c, "denials", "DE-BAFA/EARLIER").await.map(drop) }
    })
    .await;

    // The bulk load at A, then (while it crosses the slow line) one more denial.
    for call in 0..BULK / PER_CALL {
        let puts = (call * PER_CALL..(call + 1) * PER_CALL)
            .map(|n| {
                put(
                    "shared",
                    &format!("BULK-{n:05}"),
                    watchlist_entry(&format!("Bulk Party {n}")),
                )
            })
            .collect();
        a.batch_put(BatchPutRequest { puts }).await.unwrap();
    }
    eventually("the bulk load to start crossing", Duration::from_secs(60), || {
        let mut c = fed.operator(2);
        async move { (records_held(&mut c, "shared").await > 0).then_some(()) }
    })
    .await;
    let published = Instant::now();
    a.put(put("denials", "DE-BAFA/URGENT", denial("URGENT-1")))
        .await
        .unwrap();
    let mut c_client = fed.operator(2);
    eventually("the denial to reach C", Duration::from_secs(60), || {
        let mut c = c_client.clone();
        async move { get(&mut c, "denials", "DE-BAFA/URGENT").await.map(drop) }
    })
    .await;
    let took = published.elapsed();
    let bulk_at_c = records_held(&mut c_client, "shared").await;
    eprintln!("the denial reached C in {took:?}, with {bulk_at_c} of {BULK} bulk entries there");
    assert!(
        bulk_at_c < BULK as u64,
        "the bulk had crossed before the denial: the test proves nothing"
    );
    assert!(
        took < Duration::from_secs(10),
        "the denial took {took:?} behind the bulk"
    );

    // The rest crosses; the link to B stays up all along.
    let deadline = Instant::now() + Duration::from_secs(300);
    loop {
        assert_eq!(peer_state(&fed, 2, &b).await, "connected", "C's link to B went down");
        if converged(&fed, &[0, 1, 2]).await {
            break;
        }
        assert!(Instant::now() < deadline, "no convergence over the slow line");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let (to_b_bytes, from_b_bytes) = proxy.bytes();
    eprintln!("over the slow line: {from_b_bytes} bytes to C, {to_b_bytes} back");
    fed.stop_all().await;
}
