//! Running the real binaries: `fednode` as a process (for SIGKILL and SIGTERM), `fedctl`
//! as an operator would.

use std::process::{Output, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

use super::Federation;

/// Starts `fednode` and returns it with the address it announced. Its agency is new (a
/// test federation's): `--new-agency`, a no-op once the store holds records of ours.
/// `FEDX_FEDNODE` names another build to run (a benchmark's before and after).
pub async fn fednode(config: &std::path::Path) -> (Child, String) {
    let binary = std::env::var_os("FEDX_FEDNODE").unwrap_or_else(|| env!("CARGO_BIN_EXE_fednode").into());
    let mut child = Command::new(binary)
        .arg("--config")
        .arg(config)
        .arg("--new-agency")
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

/// Runs `fedctl` as node `node`'s operator, with `stdin` if given; bounded in time.
pub async fn fedctl(fed: &Federation, node: usize, args: &[&str], stdin: Option<&str>) -> Output {
    fedctl_with(fed.fedctl_env(node), args, stdin).await
}

/// Runs `fedctl` with an explicit environment.
pub async fn fedctl_with(env: Vec<(&'static str, std::path::PathBuf)>, args: &[&str], stdin: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fedctl"));
    command.args(args).envs(env).kill_on_drop(true);
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("fedctl runs");
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        tokio::io::AsyncWriteExt::write_all(&mut input, text.as_bytes())
            .await
            .unwrap();
    }
    drop(input);
    tokio::time::timeout(Duration::from_secs(60), child.wait_with_output())
        .await
        .expect("fedctl finishes")
        .unwrap()
}

/// The JSON document a successful `fedctl -o json` printed.
pub fn json(output: &Output) -> serde_json::Value {
    assert!(
        output.status.success(),
        "fedctl failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("stdout is exactly one JSON document")
}
