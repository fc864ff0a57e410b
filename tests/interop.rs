//! A non-Rust gRPC client (Python grpcio) against a real node over mutual TLS: the
//! standard health service, server reflection, and refusal of a client without a
//! certificate. `scripts/test.sh` installs grpcio and sets FEDX_PYTHON.

mod common;

use common::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn python_grpcio_sees_health_and_reflection_and_needs_a_certificate() {
    let mut fed = Federation::new(1, &[]);
    fed.start(0).await;
    let python = std::env::var("FEDX_PYTHON").unwrap_or_else(|_| "python3".into());
    let files = &fed.pki.agencies[0];
    let endpoint = fed.endpoint(0);
    let address = endpoint.trim_start_matches("https://");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/python/grpc_interop.py");
    let run = tokio::process::Command::new(&python)
        .arg(script)
        .arg(address)
        .arg(&fed.pki.ca_cert)
        .arg(&files.operator_cert)
        .arg(&files.operator_key)
        .arg(fedx::transport::node_dns_name("DE-BAFA"))
        .kill_on_drop(true)
        .output();
    let output = tokio::time::timeout(std::time::Duration::from_secs(60), run)
        .await
        .expect("the Python client finishes")
        .expect("python runs");
    assert!(
        output.status.success(),
        "Python grpcio client failed (exit {:?}):\n{}{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        said.contains("health, reflection and the certificate requirement check out"),
        "{said}"
    );
    fed.stop_all().await;
}
