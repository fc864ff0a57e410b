//! fedctl against a real node: JSON on stdout only, errors on stderr, exit codes.

mod common;

use std::process::Output;

use common::process::{fedctl, json};
use common::*;

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
    let said = String::from_utf8_lossy(&missing.stderr);
    assert!(said.starts_with("fedctl: not found: "), "{said}");
    assert!(!said.contains("NotFound"), "the code is named once: {said}");

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

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/import")
        .join(name)
}

/// The OFAC fixture with `edit` applied to sdn.csv's lines, beside copies of add.csv and alt.csv.
fn edited_ofac(dir: &std::path::Path, edit: impl Fn(Vec<Vec<u8>>) -> Vec<Vec<u8>>) -> std::path::PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    for side in ["add.csv", "alt.csv"] {
        std::fs::copy(fixture("ofac").join(side), dir.join(side)).unwrap();
    }
    let original = std::fs::read(fixture("ofac/sdn.csv")).unwrap();
    let lines: Vec<Vec<u8>> = original.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
    let sdn = dir.join("sdn.csv");
    std::fs::write(&sdn, edit(lines).join(&b'\n')).unwrap();
    sdn
}

fn import_summary(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).expect("the summary is one JSON document")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_is_idempotent_updates_changed_rows_delists_with_full_sync_and_round_trips_through_export() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let sdn = fixture("ofac/sdn.csv");
    let import = |file: std::path::PathBuf, extra: &'static [&'static str]| {
        let fed = &fed;
        async move {
            let file = file.to_str().unwrap().to_string();
            let mut args = vec!["-o", "json", "import", "--format", "ofac-sdn", "--collection", "shared"];
            args.extend_from_slice(extra);
            args.push(&file);
            fedctl(fed, 0, &args, None).await
        }
    };

    // First import: every valid row is created; the malformed one is reported by line.
    let first = import(sdn.clone(), &[]).await;
    assert_eq!(first.status.code(), Some(1), "rejected rows make the exit code 1");
    assert!(String::from_utf8_lossy(&first.stderr).contains("1 rows rejected"));
    let summary = import_summary(&first);
    assert_eq!(
        (summary["created"].as_u64(), summary["unchanged"].as_u64()),
        (Some(7), Some(0))
    );
    assert_eq!(summary["rejected"][0]["line"], 7);
    let digest = |fed: &Federation| {
        let mut client = fed.operator(0);
        async move { digests(&mut client).await }
    };
    let after_first = digest(&fed).await;

    // The same file again changes nothing.
    let again = import_summary(&import(sdn.clone(), &[]).await);
    assert_eq!(
        (again["created"].as_u64(), again["unchanged"].as_u64()),
        (Some(0), Some(7))
    );
    assert_eq!(digest(&fed).await, after_first);

    // A changed row is a new version; with --full-sync a row gone from the file is delisted.
    let dir = fed.dir.path().join("ofac-v2");
    let changed = edited_ofac(&dir, |lines| {
        lines
            .into_iter()
            .filter(|l| !l.starts_with(b"306,") && !l.starts_with(b"abc,"))
            .map(|l| {
                if l.starts_with(b"36,") {
                    String::from_utf8(l)
                        .unwrap()
                        .replace("AEROCARIBBEAN AIRLINES", "AEROCARIBBEAN AIRLINES SA")
                        .into_bytes()
                } else {
                    l
                }
            })
            .collect()
    });
    let synced = import(changed, &["--full-sync"]).await;
    assert!(synced.status.success(), "{}", String::from_utf8_lossy(&synced.stderr));
    let synced = import_summary(&synced);
    assert_eq!(
        (
            synced["updated"].as_u64(),
            synced["unchanged"].as_u64(),
            synced["delisted"].as_u64()
        ),
        (Some(1), Some(5), Some(1))
    );
    let mut client = fed.operator(0);
    let delisted = get(&mut client, "shared", "DE-BAFA/ofac/306").await.unwrap();
    assert!(matches!(
        delisted.record.and_then(|r| r.body).and_then(|b| b.kind),
        Some(fedx::proto::record_body::Kind::WatchlistEntry(e)) if e.status == fedx::proto::WatchlistStatus::Delisted as i32
    ));

    // Export, then import the export: nothing changes, in both formats.
    let before = digest(&fed).await;
    for format in ["jsonl", "csv"] {
        let out = dir.join(format!("export.{format}"));
        let out_arg = out.to_str().unwrap();
        let exported = json(
            &fedctl(
                &fed,
                0,
                &[
                    "-o",
                    "json",
                    "export",
                    "--collection",
                    "shared",
                    "--format",
                    format,
                    "--out",
                    out_arg,
                ],
                None,
            )
            .await,
        );
        assert_eq!(exported["exported"], 7);
        let args = [
            "-o",
            "json",
            "import",
            "--format",
            format,
            "--collection",
            "shared",
            out_arg,
        ];
        let back = json(&fedctl(&fed, 0, &args, None).await);
        assert_eq!(
            (
                back["unchanged"].as_u64(),
                back["created"].as_u64(),
                back["updated"].as_u64()
            ),
            (Some(7), Some(0), Some(0)),
            "{format}"
        );
    }
    assert_eq!(digest(&fed).await, before);
    fed.stop_all().await;
}

/// Every command, run once the way it succeeds and once the way it most commonly fails,
/// with the documented exit code: 0 success, 1 error, 2 cannot reach the node, 3 invalid
/// input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_exits_with_the_documented_code() {
    let mut fed = Federation::new(2, &[(0, 1)]);
    fed.start_all().await;
    let denial_file = concat!(env!("CARGO_MANIFEST_DIR"), "/config/examples/denial.json");
    let pki_dir = fed.dir.path().join("new-pki");
    let export_out = fed.dir.path().join("export.jsonl");
    let (pki_dir, export_out) = (pki_dir.to_str().unwrap(), export_out.to_str().unwrap());
    let peer_b = fed.endpoint(1);
    let csl = fixture("csl.json");
    let csl = csl.to_str().unwrap();
    let cases: Vec<(Vec<&str>, i32)> = vec![
        (vec!["status"], 0),
        (vec!["peers", "list"], 0),
        (vec!["peers", "add", "FR-SBDU", &peer_b], 0),
        (vec!["peers", "add", "FR-SBDU", "http://127.0.0.1:1"], 3),
        (vec!["peers", "remove", "NOPE-X"], 1),
        (vec!["members", "list"], 0),
        (vec!["put", "denials", "DE-BAFA/EXIT-1", denial_file], 0),
        (vec!["put", "denials", "DE-BAFA/EXIT-2", "/no/such/file.json"], 3),
        (vec!["put", "denials", "FR-SBDU/EXIT-1", denial_file], 1),
        (vec!["get", "denials", "DE-BAFA/EXIT-1"], 0),
        (vec!["get", "denials", "DE-BAFA/none"], 1),
        (vec!["list", "denials"], 0),
        (vec!["list", "no-such-collection"], 1),
        (vec!["revoke", "denials", "DE-BAFA/EXIT-1"], 0),
        (vec!["revoke", "denials", "DE-BAFA/none"], 1),
        (vec!["delete", "denials", "DE-BAFA/EXIT-1"], 0),
        (vec!["delete", "denials", "DE-BAFA/none"], 1),
        (vec!["screen", "Acme Trading"], 0),
        (vec!["screen", "Acme", "--min-score", "7"], 3),
        // The fixture holds one malformed row: the rest is imported, and the exit code says so.
        (vec!["import", "--format", "csl-json", "--collection", "shared", csl], 1),
        (
            vec![
                "import",
                "--format",
                "csl-json",
                "--collection",
                "shared",
                "/no/such.json",
            ],
            3,
        ),
        (
            vec![
                "export",
                "--collection",
                "shared",
                "--format",
                "jsonl",
                "--out",
                export_out,
            ],
            0,
        ),
        (vec!["export", "--collection", "nope", "--format", "jsonl"], 1),
        (
            vec!["import", "--format", "jsonl", "--collection", "shared", export_out],
            0,
        ),
        (vec!["audit", "tail"], 0),
        (vec!["audit", "verify"], 0),
        (vec!["sync"], 0),
        (vec!["sync", "--peer", "NOPE-X"], 1),
        (vec!["keys", "rotate"], 0),
        (vec!["pki", "generate", "--out", pki_dir, "XX-ONE"], 0),
        (vec!["pki", "generate", "--out", pki_dir, "not an agency"], 3),
        (vec!["completions", "bash"], 0),
        (vec!["no-such-command"], 3),
        (vec!["get", "denials"], 3),
        (vec!["--help"], 0),
    ];
    let mut wrong = Vec::new();
    for (args, expected) in &cases {
        let output = fedctl(&fed, 0, args, None).await;
        if output.status.code() != Some(*expected) {
            wrong.push(format!(
                "fedctl {}: exit {:?}, expected {expected}: {}",
                args.join(" "),
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
    }
    // The node is down: every command that needs it exits 2.
    fed.stop(0).await;
    for args in [&["status"][..], &["audit", "verify"], &["list", "denials"]] {
        let output = fedctl(&fed, 0, args, None).await;
        if output.status.code() != Some(2) {
            wrong.push(format!(
                "fedctl {} with the node down: exit {:?}",
                args.join(" "),
                output.status.code()
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong exit codes:\n{}", wrong.join("\n"));
}

/// Every command path of fedctl (`["peers", "add"]`, ...), from clap's own definition, so a
/// new command is walked without touching this test.
fn command_paths() -> Vec<Vec<String>> {
    fn walk(command: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            walk(sub, &path, out);
            out.push(path);
        }
    }
    let mut paths = vec![Vec::new()];
    walk(&<fedx::cli::Cli as clap::CommandFactory>::command(), &[], &mut paths);
    paths
}

/// Runs a binary with `args`, bounded in time, without the FEDCTL_/FEDNODE_ variables of
/// whoever runs the tests.
async fn run(binary: &str, args: &[&str]) -> Output {
    let mut command = tokio::process::Command::new(binary);
    command.args(args).kill_on_drop(true);
    for (name, _) in std::env::vars() {
        if name.starts_with("FEDCTL_") || name.starts_with("FEDNODE_") {
            command.env_remove(name);
        }
    }
    let child = command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("the binary runs");
    tokio::time::timeout(std::time::Duration::from_secs(30), child.wait_with_output())
        .await
        .unwrap_or_else(|_| panic!("{binary} {args:?} did not finish in 30 s"))
        .unwrap()
}

/// `--help` of every fedctl command (groups included) and of fednode shows examples.
#[tokio::test]
async fn every_help_text_has_an_example() {
    let paths = command_paths();
    for expected in [&["peers", "add"][..], &["audit", "verify"], &["pki"], &["screen"], &[]] {
        assert!(
            paths.iter().any(|p| p == expected),
            "the walk misses fedctl {expected:?}: {paths:?}"
        );
    }
    let mut missing = Vec::new();
    for path in &paths {
        let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
        args.push("--help");
        let output = run(env!("CARGO_BIN_EXE_fedctl"), &args).await;
        let help = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "fedctl {}: {output:?}", args.join(" "));
        if !help.contains("Example") {
            missing.push(format!("fedctl {}", args.join(" ")));
        }
    }
    let output = run(env!("CARGO_BIN_EXE_fednode"), &["--help"]).await;
    assert!(output.status.success(), "fednode --help: {output:?}");
    if !String::from_utf8_lossy(&output.stdout).contains("Example") {
        missing.push("fednode --help".into());
    }
    assert!(missing.is_empty(), "help without an example:\n{}", missing.join("\n"));
}

#[tokio::test]
async fn completions_name_the_subcommands() {
    let output = run(env!("CARGO_BIN_EXE_fedctl"), &["completions", "bash"]).await;
    assert!(output.status.success(), "{output:?}");
    let script = String::from_utf8_lossy(&output.stdout);
    assert!(!script.trim().is_empty(), "an empty completion script");
    for word in ["fedctl", "screen", "peers", "import", "--output"] {
        assert!(script.contains(word), "the bash completions do not mention {word}");
    }
}

/// fednode started with nothing but FEDNODE_CONFIG (and FEDNODE_LOG_FORMAT) serves and logs
/// JSON; fedctl with FEDCTL_OUTPUT=json prints JSON without `-o`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn environment_variables_configure_both_binaries() {
    let fed = Federation::new(1, &[]);
    let path = fed.dir.path().join("node.toml");
    std::fs::write(&path, config_toml(&fed.configs[0], "127.0.0.1:0")).unwrap();
    let log_path = fed.dir.path().join("node.log");
    let mut node = tokio::process::Command::new(env!("CARGO_BIN_EXE_fednode"))
        .env("FEDNODE_CONFIG", &path)
        .env("FEDNODE_LOG_FORMAT", "json")
        .env("RUST_LOG", "info")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut lines = tokio::io::AsyncBufReadExt::lines(tokio::io::BufReader::new(node.stdout.take().unwrap()));
    let line = tokio::time::timeout(std::time::Duration::from_secs(30), lines.next_line())
        .await
        .expect("fednode announces its address")
        .unwrap()
        .unwrap_or_else(|| panic!("fednode exited: {}", std::fs::read_to_string(&log_path).unwrap()));
    let endpoint = format!(
        "https://{}",
        line.strip_prefix("listening on ").expect("the listening line")
    );

    let mut env = fed.fedctl_env(0);
    env.retain(|(name, _)| *name != "FEDCTL_ENDPOINT");
    env.push(("FEDCTL_ENDPOINT", endpoint.into()));
    env.push(("FEDCTL_OUTPUT", "json".into()));
    let status = json(&common::process::fedctl_with(env.clone(), &["status"], None).await);
    assert_eq!(status["agency"], "DE-BAFA");
    let members = json(&common::process::fedctl_with(env.clone(), &["members", "list"], None).await);
    assert!(members.is_array(), "{members}");
    // The flag still wins over the variable.
    let table = common::process::fedctl_with(env, &["-o", "table", "status"], None).await;
    assert!(table.status.success());
    assert!(String::from_utf8_lossy(&table.stdout).starts_with("agency DE-BAFA"));

    let pid = node.id().expect("running").to_string();
    assert!(
        std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let exit = tokio::time::timeout(std::time::Duration::from_secs(10), node.wait())
        .await
        .expect("fednode exits after SIGTERM")
        .unwrap();
    assert!(exit.success(), "{exit:?}");
    let log = std::fs::read_to_string(&log_path).unwrap();
    let messages: Vec<String> = log
        .lines()
        .map(|line| {
            let value: serde_json::Value =
                serde_json::from_str(line).unwrap_or_else(|e| panic!("not a JSON line ({e}): {line}"));
            value["fields"]["message"].as_str().unwrap_or_default().to_string()
        })
        .collect();
    for message in ["node started", "shutting down"] {
        assert!(messages.iter().any(|m| m == message), "no {message:?} in {log}");
    }
}
