//! A node killed with SIGKILL keeps every write it acknowledged.

mod common;

use std::process::Stdio;
use std::time::Duration;

use common::*;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// Starts `fednode` and returns it with the address it announced.
async fn fednode(config: &std::path::Path) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fednode"))
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("fednode starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = tokio::time::timeout(Duration::from_secs(30), lines.next_line())
        .await
        .expect("fednode announces its address")
        .unwrap()
        .expect("a line");
    let addr = line
        .strip_prefix("listening on ")
        .expect("the listening line")
        .to_string();
    (child, format!("https://{addr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_sigkill() {
    let fed = Federation::new(1, &[]);
    let path = fed.dir.path().join("node.toml");
    std::fs::write(&path, config_toml(&fed.configs[0], "127.0.0.1:0")).unwrap();

    let (mut node, endpoint) = fednode(&path).await;
    let client = operator_at(&fed, 0, &endpoint);
    // Concurrent writers, then SIGKILL the moment the last acknowledgement arrives.
    let writers = (0..32).map(|i| {
        let mut client = client.clone();
        async move {
            let id = format!("DE-BAFA/KILL-{i}");
            client
                .put(put("denials", &id, denial(&id)))
                .await
                .expect("acknowledged");
            id
        }
    });
    let acknowledged = futures_util::future::join_all(writers).await;
    node.start_kill().unwrap();
    node.wait().await.unwrap();

    let (_node, endpoint) = fednode(&path).await;
    let mut client = operator_at(&fed, 0, &endpoint);
    for id in acknowledged {
        assert!(
            get(&mut client, "denials", &id).await.is_some(),
            "{id} was acknowledged but lost"
        );
    }
}
