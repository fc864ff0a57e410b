//! Logs: structured JSON lines on request, and never a private key or a record payload,
//! even at the most verbose level.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use fedx::proto::*;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The base64 body lines of a PEM file: what would show if the key leaked.
fn pem_body(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----") && l.len() > 16)
        .map(str::to_string)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trace_logs_are_json_and_hold_no_keys_or_payloads() {
    let fed = Federation::new(1, &[]);
    let path = fed.dir.path().join("node.toml");
    std::fs::write(&path, config_toml(&fed.configs[0], "127.0.0.1:0")).unwrap();
    let log_path = fed.dir.path().join("node.log");
    let mut node = tokio::process::Command::new(env!("CARGO_BIN_EXE_fednode"))
        .args(["--new-agency", "--log-format", "json", "--config"])
        .arg(&path)
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(node.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let endpoint = format!("https://{}", line.strip_prefix("listening on ").unwrap());
    let mut client = operator_at(&fed, 0, &endpoint);

    // A payload with a marker that must never reach the log, through every path that
    // touches a body: put, a refused put, get, list, screen, revoke, key rotation.
    const MARKER: &str = "Zanzibar Quokka Payload Holdings";
    let mut body = denial("LOG-1");
    if let Some(record_body::Kind::LicenseDenial(d)) = &mut body.kind {
        d.consignee.as_mut().unwrap().names[0].full_name = MARKER.into();
        d.item_description = format!("{MARKER} item");
    }
    client.put(put("denials", "DE-BAFA/LOG-1", body.clone())).await.unwrap();
    let refused = client.put(put("denials", "FR-SBDU/LOG-2", body)).await;
    assert!(refused.is_err());
    get(&mut client, "denials", "DE-BAFA/LOG-1").await.unwrap();
    client
        .list(ListRequest {
            collection: "denials".into(),
            ..Default::default()
        })
        .await
        .unwrap();
    let hits = client
        .screen(ScreenRequest {
            name: MARKER.into(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner()
        .hits;
    assert!(!hits.is_empty());
    client
        .revoke(RevokeRequest {
            collection: "denials".into(),
            id: "DE-BAFA/LOG-1".into(),
        })
        .await
        .unwrap();
    let rotated = client.rotate_key(RotateKeyRequest {}).await.unwrap().into_inner();
    node.start_kill().unwrap();
    node.wait().await.unwrap();

    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.lines().count() > 20,
        "the node logged almost nothing at trace level"
    );
    for line in log.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
    }
    let files = &fed.pki.agencies[0];
    let rotated_key = fed.data_dir(0).join("keys").join(format!("{}.pem", rotated.key_id));
    let mut secrets = vec![MARKER.to_string()];
    for key in [&files.signing_key, &files.node_key, &files.operator_key, &rotated_key] {
        secrets.extend(pem_body(key));
    }
    for secret in secrets {
        assert!(!log.contains(&secret), "the log contains {secret:?}");
    }
}
