//! The Prometheus endpoint of a real node: scraped over plain HTTP on loopback after real
//! writes, replication and a refusal.

mod common;

use std::time::Duration;

use common::*;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

async fn scrape(fed: &Federation, node: usize) -> String {
    let addr = fed.nodes[node]
        .as_ref()
        .unwrap()
        .metrics_addr()
        .expect("metrics are on");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    stream
        .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_string(&mut response))
        .await
        .expect("the scrape finishes")
        .unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("application/openmetrics-text"), "{response}");
    response
}

fn has(text: &str, line: &str) -> bool {
    text.lines().any(|l| l == line)
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

    let connected = format!(r#"fedx_peer_stream_state{{peer="{a}",state="connected"}} 1"#);
    let text = eventually("B reports its stream connected", Duration::from_secs(30), || {
        let fed = &fed;
        let connected = connected.clone();
        async move {
            let text = scrape(fed, 1).await;
            has(&text, &connected).then_some(text)
        }
    })
    .await;
    for line in [
        format!(r#"fedx_ingest_records_total{{peer="{a}",outcome="stored"}} 1"#),
        format!(r#"fedx_peer_lag_records{{peer="{a}"}} 0"#),
        format!(r#"fedx_peer_lag_seconds{{peer="{a}"}} 0.0"#),
    ] {
        assert!(has(&text, &line), "B lacks {line}:\n{text}");
    }
    assert!(!text.contains(&format!(r#"peer="{b}""#)), "B lists itself as a peer");
    fed.stop_all().await;
}
