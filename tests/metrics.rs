//! The Prometheus endpoint of a real node: scraped over plain HTTP on loopback after real
//! writes, screening, replication, refusals (local and from a peer) and a peer catching up.

mod common;

use std::time::Duration;

use common::*;

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
}

/// The value of the sample `key` (name with its labels, as printed), if scraped.
fn value(text: &str, key: &str) -> Option<f64> {
    text.lines()
        .filter_map(|l| l.rsplit_once(' '))
        .find(|(k, _)| *k == key)
        .map(|(_, v)| {
            v.parse()
                .unwrap_or_else(|e| panic!("{key}: {v:?} is not a number: {e}"))
        })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_records_writes_ingest_refusals_peers_and_flushes() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let (a, b) = (fed.agency(0).to_string(), fed.agency(1).to_string());
    let mut client = fed.operator(0);
    let id = format!("{a}/M-1");
    client.put(put("denials", &id, denial(&id))).await.unwrap();
    let refused = client.put(put("denials", "not-ours", denial("X"))).await;
    assert!(refused.is_err());
    client
        .screen(fedx::proto::ScreenRequest {
            name: "Acme Trading".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let mut at_b = fed.operator(1);
    eventually("replication to B", Duration::from_secs(30), || {
        let mut at_b = at_b.clone();
        let id = id.clone();
        async move { get(&mut at_b, "denials", &id).await }
    })
    .await;
    let _ = &mut at_b;

    let text = scrape(&fed, 0).await;
    for line in [
        r#"fedx_collection_records{collection="denials"} 1"#.to_string(),
        r#"fedx_local_writes_total{outcome="created"} 1"#.to_string(),
        r#"fedx_refused_records_total{source="local",reason="foreign_id"} 1"#.to_string(),
    ] {
        assert!(has(&text, &line), "A lacks {line}:\n{text}");
    }
    assert!(text.contains("fedx_store_flush_seconds_count"), "{text}");
    assert!(text.contains("# HELP fedx_screen_seconds"), "{text}");
    let screens = value(&text, "fedx_screen_seconds_count").unwrap_or_else(|| panic!("no screen count:\n{text}"));
    assert!(screens >= 1.0, "the screen call was not timed:\n{text}");

    let connected = format!(r#"fedx_peer_stream_state{{peer="{a}",state="connected"}} 1"#);
    // The denial and A's announcement of its sealing key.
    let stored = format!(r#"fedx_ingest_records_total{{peer="{a}",outcome="stored"}} 2"#);
    let text = eventually(
        "B reports its stream connected and the record stored",
        Duration::from_secs(30),
        || {
            let fed = &fed;
            let (connected, stored) = (connected.clone(), stored.clone());
            async move {
                let text = scrape(fed, 1).await;
                (has(&text, &connected) && has(&text, &stored)).then_some(text)
            }
        },
    )
    .await;
    for line in [
        format!(r#"fedx_peer_lag_records{{peer="{a}"}} 0"#),
        format!(r#"fedx_peer_lag_seconds{{peer="{a}"}} 0.0"#),
    ] {
        assert!(has(&text, &line), "B lacks {line}:\n{text}");
    }
    assert!(!text.contains(&format!(r#"peer="{b}""#)), "B lists itself as a peer");
    fed.stop_all().await;
}

/// A record B refuses from its peer A (A's clock runs 10 minutes ahead, beyond B's 60 s
/// max_clock_skew) is counted with the peer as its source.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_refused_from_a_peer_is_counted_with_the_peer_as_source() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[0].max_clock_skew = Duration::from_secs(1200);
    fed.configs[0].clock_ahead = Duration::from_secs(600);
    fed.start_all().await;
    let a = fed.agency(0).to_string();
    let id = format!("{a}/SKEW-1");
    fed.operator(0).put(put("denials", &id, denial(&id))).await.unwrap();

    let key = format!(r#"fedx_refused_records_total{{source="peer:{a}",reason="future_timestamp"}}"#);
    let text = eventually("B counts the refusal from A", Duration::from_secs(30), || {
        let (fed, key) = (&fed, key.clone());
        async move {
            let text = scrape(fed, 1).await;
            value(&text, &key).is_some_and(|n| n >= 1.0).then_some(text)
        }
    })
    .await;
    assert!(
        !text.contains(r#"fedx_refused_records_total{source="local""#),
        "B's operators wrote nothing:\n{text}"
    );
    assert_eq!(
        value(&text, r#"fedx_collection_records{collection="denials"}"#).unwrap_or(0.0),
        0.0,
        "B stored the refused record:\n{text}"
    );
    fed.stop_all().await;
}

/// B is stopped while A writes; restarted, B reports how far it is behind A while it
/// catches up (slowly: B reads at most 10 records a second from a peer), then 0.
/// (The lag is what the peer holds that we do not: A, which has everything, shows 0 for B.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_peer_reports_its_lag_until_it_has_caught_up() {
    const VERSIONS: u64 = 60;
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.configs[0].limits.batch_records = 5;
    fed.configs[1].limits.peer_records_per_second = 10;
    fed.start_all().await;
    let a = fed.agency(0).to_string();
    let connected = format!(r#"fedx_peer_stream_state{{peer="{a}",state="connected"}} 1"#);
    eventually("B connects to A", Duration::from_secs(30), || {
        let (fed, connected) = (&fed, connected.clone());
        async move { has(&scrape(fed, 1).await, &connected).then_some(()) }
    })
    .await;

    fed.stop(1).await;
    // Versions of one id: anti-entropy (which fetches current versions by id) can bring B
    // the latest one at once, but only the paced stream fills B's version vector.
    let mut client = fed.operator(0);
    let id = format!("{a}/LAG-1");
    for i in 0..VERSIONS {
        let reference = format!("LAG-{i}");
        client.put(put("denials", &id, denial(&reference))).await.unwrap();
    }
    fed.start(1).await;

    let lag = format!(r#"fedx_peer_lag_records{{peer="{a}"}}"#);
    let seconds = format!(r#"fedx_peer_lag_seconds{{peer="{a}"}}"#);
    let behind = eventually("B reports a lag behind A", Duration::from_secs(30), || {
        let (fed, lag) = (&fed, lag.clone());
        async move { value(&scrape(fed, 1).await, &lag).filter(|&n| n > 0.0) }
    })
    .await;
    // A's versions, and its sealing key announcement if B stopped before it arrived.
    assert!(behind <= (VERSIONS + 1) as f64, "B cannot lag by {behind} records");
    let text = eventually("B catches up and reports no lag", Duration::from_secs(60), || {
        let (fed, lag) = (&fed, lag.clone());
        async move {
            let text = scrape(fed, 1).await;
            (value(&text, &lag) == Some(0.0)).then_some(text)
        }
    })
    .await;
    assert_eq!(value(&text, &seconds), Some(0.0), "{text}");
    let received = format!(r#"fedx_ingest_records_total{{peer="{a}",outcome="stored"}}"#);
    assert!(
        value(&text, &received).is_some_and(|n| n >= (VERSIONS - 1) as f64),
        "B caught up without storing A's versions:\n{text}"
    );
    fed.stop_all().await;
}
