//! What the node refuses to start with (a node certificate no peer would accept, a data
//! directory under "~"), and how `fedctl` names a failure below gRPC: a client certificate
//! the node refuses, a node that is gone.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use common::*;
use fedx::config::Config;
use fedx::node::Node;
use fedx::store::OwnRecordsAtStart;
use fedx::transport::Role;
use fedx::transport::pki::DevCa;

const DAY: Duration = Duration::from_secs(86_400);

fn write_pair(dir: &Path, name: &str, (cert, key): (String, String)) -> (PathBuf, PathBuf) {
    let (cert_path, key_path) = (dir.join(format!("{name}.pem")), dir.join(format!("{name}.key")));
    std::fs::write(&cert_path, cert).unwrap();
    std::fs::write(&key_path, key).unwrap();
    (cert_path, key_path)
}

async fn start_error(config: Config) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    match Node::start_on(config, OwnRecordsAtStart::NewAgency, listener).await {
        Ok(node) => {
            node.shutdown().await.unwrap();
            "the node started".into()
        }
        Err(e) => e.to_string(),
    }
}

/// Each certificate mistake is refused at start with one line naming it.
#[tokio::test]
async fn a_node_certificate_no_peer_would_accept_is_refused_at_start() {
    init_logging();
    let fed = Federation::new(2, &[]);
    let dir = fed.dir.path();
    let now = SystemTime::now();
    let other_ca = DevCa::new().unwrap();
    let other_ca_path = dir.join("other-ca.pem");
    std::fs::write(&other_ca_path, other_ca.cert_pem()).unwrap();
    let agency = fed.agency(0).to_string();
    let expired = write_pair(
        dir,
        "expired",
        other_ca
            .issue(&agency, Role::Node, Some(now - 2 * DAY..now - DAY))
            .unwrap(),
    );
    let not_yet = write_pair(
        dir,
        "not-yet",
        other_ca
            .issue(&agency, Role::Node, Some(now + DAY..now + 2 * DAY))
            .unwrap(),
    );
    let mine = &fed.pki.agencies[0];
    let theirs = &fed.pki.agencies[1];
    let cases: Vec<(&str, PathBuf, (PathBuf, PathBuf), &str)> = vec![
        ("expired", other_ca_path.clone(), expired, "expired on"),
        ("not yet valid", other_ca_path.clone(), not_yet, "not valid before"),
        (
            "another agency's node certificate",
            fed.pki.ca_cert.clone(),
            (theirs.node_cert.clone(), theirs.node_key.clone()),
            "is the certificate of peer:FR-SBDU, not of this node (de-bafa.node.fedx)",
        ),
        (
            "our operator certificate",
            fed.pki.ca_cert.clone(),
            (mine.operator_cert.clone(), mine.operator_key.clone()),
            "is the certificate of operator:DE-BAFA, not of this node",
        ),
        (
            "another PKI's CA",
            other_ca_path.clone(),
            (mine.node_cert.clone(), mine.node_key.clone()),
            "is not issued by the federation CA in tls.ca",
        ),
    ];
    for (case, ca, (cert, key), expected) in cases {
        let mut config = fed.configs[0].clone();
        config.data_dir = dir.join(format!("data-{}", case.replace(' ', "-")));
        config.tls.ca = ca;
        config.tls.cert = cert;
        config.tls.key = key;
        let error = start_error(config).await;
        assert!(error.contains(expected), "{case}: {error:?}");
        assert!(error.contains("tls.cert"), "{case}: the error names the key: {error:?}");
        assert!(!error.contains('\n'), "{case}: one line: {error:?}");
    }
}

/// `data_dir = "~/…"` is under the home directory, not a folder named "~".
#[test]
fn a_leading_tilde_in_data_dir_is_the_home_directory() {
    let fed = Federation::new(1, &[]);
    let mut config = fed.configs[0].clone();
    config.data_dir = PathBuf::from("~/fedx-data-of-a-test");
    let toml = config_toml(&config, "127.0.0.1:0").replace(
        &format!("data_dir = {:?}", config.data_dir),
        "data_dir = \"~/fedx-data-of-a-test\"",
    );
    let path = fed.dir.path().join("node.toml");
    std::fs::write(&path, toml).unwrap();
    match std::env::var_os("HOME")
        .map(PathBuf::from)
        .filter(|home| home.is_absolute())
    {
        Some(home) => {
            let loaded = Config::load(&path).unwrap();
            assert_eq!(loaded.data_dir, home.join("fedx-data-of-a-test"));
        }
        None => {
            let error = Config::load(&path).unwrap_err().to_string();
            assert!(error.contains("$HOME"), "{error}");
        }
    }
}

/// Runs `fedctl status` against `endpoint` with the given client certificate.
async fn fedctl_status(endpoint: &str, ca: &Path, cert: &Path, key: &Path) -> std::process::Output {
    let run = tokio::process::Command::new(env!("CARGO_BIN_EXE_fedctl"))
        .arg("status")
        .env("FEDCTL_ENDPOINT", endpoint)
        .env("FEDCTL_CACERT", ca)
        .env("FEDCTL_CERT", cert)
        .env("FEDCTL_KEY", key)
        .output();
    tokio::time::timeout(Duration::from_secs(60), run)
        .await
        .expect("fedctl ends")
        .expect("fedctl runs")
}

/// A client certificate the node refuses is "cannot reach the node" (exit 2) with its
/// cause named, not an unknown error (exit 1).
#[tokio::test]
async fn fedctl_names_why_the_node_refused_its_certificate() {
    init_logging();
    let mut fed = Federation::new(1, &[]);
    let dir = fed.dir.path().to_path_buf();
    let now = SystemTime::now();
    let ca = DevCa::new().unwrap();
    let ca_path = dir.join("own-ca.pem");
    std::fs::write(&ca_path, ca.cert_pem()).unwrap();
    let agency = fed.agency(0).to_string();
    let node = write_pair(&dir, "node", ca.issue(&agency, Role::Node, None).unwrap());
    fed.configs[0].tls.ca = ca_path.clone();
    (fed.configs[0].tls.cert, fed.configs[0].tls.key) = node;
    fed.start(0).await;
    let endpoint = fed.endpoint(0);

    let expired = write_pair(
        &dir,
        "expired",
        ca.issue(&agency, Role::Operator, Some(now - 2 * DAY..now - DAY))
            .unwrap(),
    );
    let not_yet = write_pair(
        &dir,
        "not-yet",
        ca.issue(&agency, Role::Operator, Some(now + DAY..now + 2 * DAY))
            .unwrap(),
    );
    let foreign = write_pair(
        &dir,
        "foreign",
        DevCa::new().unwrap().issue(&agency, Role::Operator, None).unwrap(),
    );
    let cases = [
        ("expired", expired, "expired on"),
        ("not yet valid", not_yet, "not valid before"),
        ("foreign", foreign, "not issued by the federation CA"),
    ];
    for (case, (cert, key), expected) in cases {
        let output = fedctl_status(&endpoint, &ca_path, &cert, &key).await;
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!stderr.contains("Unknown"), "{case}: {stderr}");
        assert_eq!(output.status.code(), Some(2), "{case}: {stderr}");
        assert!(stderr.contains(expected), "{case}: {stderr}");
    }
    fed.stop_all().await;
}

/// A node that takes the connection and dies before answering is "cannot reach the node,
/// or lost it" (exit 2), not an unknown error.
#[tokio::test]
async fn fedctl_names_a_node_lost_mid_call() {
    init_logging();
    let fed = Federation::new(1, &[]);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("https://{}", listener.local_addr().unwrap());
    let tls = fedx::transport::server_config(&fed.configs[0].tls).unwrap();
    // The "node": completes TLS, reads the start of the call, and is gone.
    let dying = tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let (tcp, _) = listener.accept().await.unwrap();
        let mut tls = tokio_rustls::TlsAcceptor::from(tls).accept(tcp).await.unwrap();
        let mut start = [0u8; 64];
        let _ = tls.read(&mut start).await;
    });
    let ours = &fed.pki.agencies[0];
    let output = fedctl_status(&endpoint, &fed.pki.ca_cert, &ours.operator_cert, &ours.operator_key).await;
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("cannot reach the node, or lost it"), "{stderr}");
    dying.await.unwrap();
}
