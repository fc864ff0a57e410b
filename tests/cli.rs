//! fedctl against a real node: JSON on stdout only, errors on stderr, exit codes.

mod common;

use std::process::Output;

use common::*;

async fn fedctl(fed: &Federation, node: usize, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedctl"));
    command.args(args).envs(fed.fedctl_env(node)).kill_on_drop(true);
    command.stdin(std::process::Stdio::piped());
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = command.spawn().expect("fedctl runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        tokio::io::AsyncWriteExt::write_all(&mut input, text.as_bytes())
            .await
            .unwrap();
    }
    drop(input);
    tokio::time::timeout(std::time::Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("fedctl finishes")
        .unwrap()
}

fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "fedctl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is exactly one JSON document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_output_is_only_json_and_errors_go_to_stderr_with_exit_codes() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start(0).await;
    let denial = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/config/examples/denial.json")).unwrap();

    let status = json(&fedctl(&fed, 0, &["-o", "json", "status"], None).await);
    assert_eq!(status["agency"], "DE-BAFA");
    assert!(status["collections"].as_array().unwrap().len() >= 3);

    let id = "DE-BAFA/CLI-1";
    let put = json(&fedctl(&fed, 0, &["-o", "json", "put", "denials", id], Some(&denial)).await);
    assert_eq!(put["header"]["id"], id);
    let got = json(&fedctl(&fed, 0, &["-o", "json", "get", "denials", id], None).await);
    assert_eq!(
        got["record"]["body"]["license_denial"]["status"],
        "DENIAL_STATUS_ACTIVE"
    );
    let listed = json(&fedctl(&fed, 0, &["-o", "json", "list", "denials"], None).await);
    assert_eq!(listed["records"].as_array().unwrap().len(), 1);
    for args in [&["members", "list"][..], &["peers", "list"]] {
        let mut full = vec!["-o", "json"];
        full.extend_from_slice(args);
        json(&fedctl(&fed, 0, &full, None).await);
    }
    let revoked = json(&fedctl(&fed, 0, &["-o", "json", "revoke", "denials", id], None).await);
    assert_eq!(revoked["header"]["seq"], "2", "prost JSON writes u64 as a string");

    // Not found: exit 1, nothing on stdout, a message on stderr.
    let missing = fedctl(&fed, 0, &["-o", "json", "get", "denials", "DE-BAFA/none"], None).await;
    assert_eq!(missing.status.code(), Some(1));
    assert!(missing.stdout.is_empty());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("NotFound"));

    // Invalid input: exit 3, whether caught locally (bad JSON) or by the node.
    let bad_json = fedctl(&fed, 0, &["-o", "json", "put", "denials", "DE-BAFA/x"], Some("{ nope")).await;
    assert_eq!(bad_json.status.code(), Some(3));
    assert!(bad_json.stdout.is_empty());
    let invalid = denial.replace("\"AE\"", "\"XX\"");
    let refused = fedctl(&fed, 0, &["-o", "json", "put", "denials", "DE-BAFA/x"], Some(&invalid)).await;
    assert_eq!(
        refused.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    // Cannot connect: exit 2.
    fed.stop(0).await;
    let down = fedctl(&fed, 0, &["-o", "json", "status"], None).await;
    assert_eq!(down.status.code(), Some(2), "{}", String::from_utf8_lossy(&down.stderr));
    assert!(down.stdout.is_empty());
}
