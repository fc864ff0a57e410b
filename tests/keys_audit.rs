//! Key lifecycle and the audit log: a rotated key is announced to the federation and
//! verifies end to end; the audit chain names an entry altered on disk.

mod common;

use std::time::Duration;

use common::process::{fedctl, json};
use common::*;
use fedx::proto::*;

const WAIT: Duration = Duration::from_secs(60);

fn key_id_of(record: &StoredRecord) -> String {
    record.record.as_ref().unwrap().header.as_ref().unwrap().key_id.clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_announced_and_verifies_through_a_relay_and_restarts() {
    let mut fed = Federation::new(3, &[(0, 1), (1, 2)]);
    // C starts after the rotation: K-1 reaches it signed by a key already retired.
    fed.start(0).await;
    fed.start(1).await;
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/K-1", denial("K-1"))).await.unwrap();
    let old_key = fed.configs[0].signing.key_id.clone();

    let rotated = json(&fedctl(&fed, 0, &["-o", "json", "keys", "rotate"], None).await);
    let new_key = rotated["key_id"].as_str().unwrap().to_string();
    assert_eq!(rotated["previous_key_id"], old_key.as_str());
    assert_ne!(new_key, old_key);
    a.put(put("denials", "DE-BAFA/K-2", denial("K-2"))).await.unwrap();

    // C, two hops away, learns the key from the announcement and verifies both records.
    fed.start(2).await;
    let mut c = fed.operator(2);
    let k2 = eventually("C has K-2", WAIT, || {
        let mut c = c.clone();
        async move { get(&mut c, "denials", "DE-BAFA/K-2").await }
    })
    .await;
    assert_eq!(key_id_of(&k2), new_key);
    let k1 = get(&mut c, "denials", "DE-BAFA/K-1").await.expect("K-1 at C");
    assert_eq!(key_id_of(&k1), old_key);
    let mut keys = member_keys(&mut c, "DE-BAFA").await;
    keys.sort();
    let mut expected = vec![
        (old_key.clone(), "retired".to_string()),
        (new_key.clone(), "active".to_string()),
    ];
    expected.sort();
    assert_eq!(keys, expected);

    // Both restart: A keeps signing with the new key, C still knows it.
    fed.stop(0).await;
    fed.stop(2).await;
    fed.start(0).await;
    fed.start(2).await;
    let mut a = fed.operator(0);
    let k3 = a
        .put(put("denials", "DE-BAFA/K-3", denial("K-3")))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(k3.header.unwrap().key_id, new_key);
    c = fed.operator(2);
    eventually("C has K-3 after both restarted", WAIT, || {
        let mut c = c.clone();
        async move { get(&mut c, "denials", "DE-BAFA/K-3").await }
    })
    .await;
    assert!(
        member_keys(&mut c, "DE-BAFA")
            .await
            .contains(&(new_key.clone(), "active".into()))
    );
    // The key lives in A's data directory, readable by the node's user only.
    let path = fed.data_dir(0).join("keys").join(format!("{new_key}.pem"));
    let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).unwrap().permissions());
    assert_eq!(mode & 0o077, 0, "the new private key is readable by others");
    // An operator cannot write key announcements by hand.
    let forged = a.put(PutRequest {
        collection: "_keys".into(),
        id: "DE-BAFA/forged".into(),
        body: Some(RecordBody {
            kind: Some(record_body::Kind::KeyAnnouncement(KeyAnnouncement {
                key_id: "forged".into(),
                public_key: "AAAA".into(),
                previous_key_id: new_key.clone(),
            })),
        }),
    });
    assert_eq!(forged.await.unwrap_err().code(), tonic::Code::PermissionDenied);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_verify_names_an_entry_altered_on_disk() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let mut a = fed.operator(0);
    for i in 1..=3 {
        let id = format!("DE-BAFA/AUDIT-{i}");
        a.put(put("denials", &id, denial(&id))).await.unwrap();
    }
    let refused = a.put(put("denials", "FR-SBDU/NOT-OURS", denial("X"))).await;
    assert_eq!(refused.unwrap_err().code(), tonic::Code::PermissionDenied);

    let tail = json(&fedctl(&fed, 0, &["-o", "json", "audit", "tail", "--limit", "10"], None).await);
    // The node's own announcement of its sealing key is audited too: count the denials.
    let ours = |e: &&serde_json::Value| e["target"].as_str().is_some_and(|t| t.starts_with("denials/"));
    let entries = tail.as_array().unwrap();
    let action = |e: &serde_json::Value| e["action"].as_str().unwrap_or_default().to_string();
    let writes = entries.iter().filter(ours).filter(|e| action(e) == "write").count();
    let actions: Vec<String> = entries.iter().map(action).collect();
    assert_eq!(writes, 3, "{tail}");
    let second = tail
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["target"] == "denials/DE-BAFA/AUDIT-2")
        .expect("the audit entry of the second write");
    let seq: u64 = second["seq"].as_str().unwrap().parse().unwrap();
    assert!(actions.iter().any(|a| a == "refuse:foreign_id"), "{actions:?}");
    let intact = json(&fedctl(&fed, 0, &["-o", "json", "audit", "verify"], None).await);
    assert_eq!(intact["ok"], true);
    // proto3 JSON writes 64-bit integers as strings.
    let total: u64 = intact["entries"].as_str().unwrap().parse().unwrap();
    assert!(total >= 4);

    // Offline, someone rewrites what the entry of the second write says.
    fed.stop(0).await;
    {
        let db = fed.open_store_offline(0);
        let key = [&b"a"[..], &seq.to_be_bytes()].concat();
        let entry = String::from_utf8(db.get(&key).unwrap().expect("that entry").to_vec()).unwrap();
        let altered = entry.replace("DE-BAFA/AUDIT-2", "DE-BAFA/AUDIT-9");
        assert_ne!(entry, altered);
        db.insert(key, altered.as_bytes()).unwrap();
        db.flush().unwrap();
    }
    fed.start(0).await;
    let broken = fedctl(&fed, 0, &["-o", "json", "audit", "verify"], None).await;
    assert_eq!(broken.status.code(), Some(1), "verify must fail");
    let verdict: serde_json::Value = serde_json::from_slice(&broken.stdout).unwrap();
    assert_ne!(verdict["ok"], true, "proto3 JSON omits a false ok");
    assert_eq!(verdict["first_bad_seq"], seq.to_string());
    assert!(String::from_utf8_lossy(&broken.stderr).contains(&format!("audit entry {seq}")));
}

/// The audit entries whose action is `action`, as (actor, target, detail).
fn entries(tail: &serde_json::Value, action: &str) -> Vec<(String, String, String)> {
    let field = |e: &serde_json::Value, name: &str| e[name].as_str().unwrap_or_default().to_string();
    tail.as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == action)
        .map(|e| (field(e, "actor"), field(e, "target"), field(e, "detail")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn accepted_writes_refusals_and_admin_actions_are_audited_with_who_and_what() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let mut a = fed.operator(0);
    a.put(put("denials", "DE-BAFA/AUD-1", denial("AUD-1"))).await.unwrap();
    let refused = a.put(put("denials", "DE-BAFA/AUD-2", watchlist_entry("Wrong Kind Ltd")));
    assert_eq!(refused.await.unwrap_err().code(), tonic::Code::InvalidArgument);
    let endpoint_b = fed.endpoint(1);
    for args in [
        vec!["peers", "remove", "FR-SBDU"],
        vec!["peers", "add", "FR-SBDU", &endpoint_b],
        vec!["sync"],
        vec!["keys", "rotate"],
    ] {
        json(&fedctl(&fed, 0, &[&["-o", "json"][..], &args].concat(), None).await);
    }
    let tail = json(&fedctl(&fed, 0, &["-o", "json", "audit", "tail", "--limit", "50"], None).await);
    let operator = "operator:DE-BAFA".to_string();
    let writes = entries(&tail, "write");
    assert!(
        writes
            .iter()
            .any(|(who, what, _)| who == &operator && what == "denials/DE-BAFA/AUD-1"),
        "{tail}"
    );
    assert!(
        writes
            .iter()
            .any(|(who, what, _)| who == &operator && what.starts_with("_keys/DE-BAFA/")),
        "{tail}"
    );
    let refusals: Vec<_> = tail
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"].as_str().is_some_and(|a| a.starts_with("refuse:")) && e["actor"] == "operator:DE-BAFA")
        .collect();
    assert!(!refusals.is_empty(), "the refused put is audited: {tail}");
    for (action, target) in [("peers.remove", "FR-SBDU"), ("peers.add", "FR-SBDU at ")] {
        let found = entries(&tail, action);
        assert!(
            found
                .iter()
                .any(|(who, what, _)| who == &operator && what.starts_with(target)),
            "{action}: {tail}"
        );
    }
    assert!(
        entries(&tail, "sync").iter().any(|(who, _, _)| who == &operator),
        "{tail}"
    );

    // B names every record it accepted from A, with A as the sender.
    let mut b = fed.operator(1);
    eventually("B holds A's denial", WAIT, || {
        let mut b = b.clone();
        async move { get(&mut b, "denials", "DE-BAFA/AUD-1").await }
    })
    .await;
    let _ = &mut b;
    let tail = json(&fedctl(&fed, 1, &["-o", "json", "audit", "tail", "--limit", "50"], None).await);
    let ingests = entries(&tail, "ingest");
    assert!(
        ingests
            .iter()
            .any(|(who, _, detail)| who == "peer:DE-BAFA" && detail.contains("denials/DE-BAFA/AUD-1#")),
        "{tail}"
    );
}
