//! A 3-member etcd cluster (Debian's `etcd-server`) beside the federation as a whole, in
//! the same run: mutual TLS between members and with the client, the same 16 clients of
//! single puts on one connection to the first member, values as long as the federation's
//! put requests. etcd acknowledges a put once a majority has written it to its log and
//! synced it; a federation node acknowledges once it has synced it alone, and replicates
//! after. `FEDX_REGIME_ETCD` names the binary (default `etcd` on the PATH; `0` skips).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use fedx::transport::pki::DevCa;
use fedx::transport::{ClientTls, Role};
use tokio::process::{Child, Command};
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;

use crate::cluster::process_cpu_seconds;

const MEMBERS: usize = 3;
const CLIENTS: usize = 16;
const START_BOUND: Duration = Duration::from_secs(60);
const CALL: Duration = Duration::from_secs(10);

/// etcd's `etcdserverpb.PutRequest`, the two fields a put needs.
#[derive(Clone, PartialEq, prost::Message)]
struct PutRequest {
    #[prost(bytes = "vec", tag = "1")]
    key: Vec<u8>,
    #[prost(bytes = "vec", tag = "2")]
    value: Vec<u8>,
}

/// etcd's `PutResponse`; nothing of it is read.
#[derive(Clone, PartialEq, prost::Message)]
struct PutResponse {}

/// The etcd binary to run, if any.
pub fn binary() -> Option<PathBuf> {
    match std::env::var("FEDX_REGIME_ETCD") {
        Ok(v) if v == "0" => None,
        Ok(v) if !v.is_empty() => Some(v.into()),
        _ => std::env::var_os("PATH")?
            .to_str()?
            .split(':')
            .map(|dir| Path::new(dir).join("etcd"))
            .find(|p| p.is_file()),
    }
}

pub struct EtcdCluster {
    dir: tempfile::TempDir,
    members: Vec<Child>,
    client_urls: Vec<String>,
    tls: ClientTls,
}

impl EtcdCluster {
    pub async fn start(binary: &Path) -> EtcdCluster {
        let dir = tempfile::tempdir().expect("temp dir");
        let ca = DevCa::new().expect("a CA");
        let write = |name: &str, contents: &str| -> PathBuf {
            let path = dir.path().join(name);
            std::fs::write(&path, contents).expect("written");
            path
        };
        let ca_file = write("ca.pem", ca.cert_pem());
        // A node certificate serves and authenticates, for 127.0.0.1 and localhost.
        let (cert, key) = ca.issue("ETCD", Role::Node, None).expect("a certificate");
        let cert_file = write("member.pem", &cert);
        let key_file = write("member.key", &key);
        let free_port = || {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback");
            listener.local_addr().expect("an address").port()
        };
        let ports: Vec<(u16, u16)> = (0..MEMBERS).map(|_| (free_port(), free_port())).collect();
        let cluster = ports
            .iter()
            .enumerate()
            .map(|(i, (_, peer))| format!("m{i}=https://127.0.0.1:{peer}"))
            .collect::<Vec<_>>()
            .join(",");
        let mut members = Vec::new();
        let mut client_urls = Vec::new();
        for (i, (client, peer)) in ports.iter().enumerate() {
            let client_url = format!("https://127.0.0.1:{client}");
            let peer_url = format!("https://127.0.0.1:{peer}");
            let member = Command::new(binary)
                .arg(format!("--name=m{i}"))
                .arg(format!("--data-dir={}", dir.path().join(format!("m{i}")).display()))
                .arg(format!("--listen-client-urls={client_url}"))
                .arg(format!("--advertise-client-urls={client_url}"))
                .arg(format!("--listen-peer-urls={peer_url}"))
                .arg(format!("--initial-advertise-peer-urls={peer_url}"))
                .arg(format!("--initial-cluster={cluster}"))
                .args(["--initial-cluster-state=new", "--initial-cluster-token=fedx-bench"])
                .args(["--client-cert-auth", "--peer-client-cert-auth"])
                .arg(format!("--trusted-ca-file={}", ca_file.display()))
                .arg(format!("--cert-file={}", cert_file.display()))
                .arg(format!("--key-file={}", key_file.display()))
                .arg(format!("--peer-trusted-ca-file={}", ca_file.display()))
                .arg(format!("--peer-cert-file={}", cert_file.display()))
                .arg(format!("--peer-key-file={}", key_file.display()))
                .args(["--logger=zap", "--log-level=error"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .kill_on_drop(true)
                .spawn()
                .expect("etcd starts");
            members.push(member);
            client_urls.push(client_url);
        }
        let tls = ClientTls {
            ca: ca.cert_pem().as_bytes().to_vec(),
            cert: cert.into_bytes(),
            key: key.into_bytes(),
        };
        let cluster = EtcdCluster {
            dir,
            members,
            client_urls,
            tls,
        };
        cluster.wait_ready().await;
        cluster
    }

    fn channel(&self, member: usize) -> Channel {
        fedx::transport::channel(&self.client_urls[member], &self.tls, "localhost").expect("a channel")
    }

    /// Until every member has a leader and takes a write (a put through each).
    async fn wait_ready(&self) {
        let started = Instant::now();
        for member in 0..MEMBERS {
            let channel = self.channel(member);
            loop {
                if put(&channel, b"ready".to_vec(), Vec::new()).await.is_ok() {
                    break;
                }
                assert!(
                    started.elapsed() < START_BOUND,
                    "etcd member {member} did not take a write; data in {}",
                    self.dir.path().display()
                );
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }

    fn cpu_seconds(&self) -> Vec<f64> {
        self.members
            .iter()
            .map(|m| m.id().map_or(0.0, process_cpu_seconds))
            .collect()
    }

    async fn stop(mut self) {
        for member in &mut self.members {
            let _ = member.kill().await;
        }
    }
}

async fn put(channel: &Channel, key: Vec<u8>, value: Vec<u8>) -> Result<(), tonic::Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| tonic::Status::unavailable(e.to_string()))?;
    let call = grpc.unary::<_, PutResponse, _>(
        tonic::Request::new(PutRequest { key, value }),
        PathAndQuery::from_static("/etcdserverpb.KV/Put"),
        tonic_prost::ProstCodec::default(),
    );
    tokio::time::timeout(CALL, call)
        .await
        .map_err(|_| tonic::Status::deadline_exceeded("etcd put"))?
        .map(|_| ())
}

/// What one run of the etcd cluster measured.
pub struct EtcdFigures {
    pub puts_per_second: f64,
    pub cpu_us_per_put: Vec<f64>,
}

/// Starts the cluster, sends `puts` puts of `value_len` bytes from 16 clients to the
/// first member, and stops it.
pub async fn run(binary: &Path, puts: usize, value_len: usize) -> EtcdFigures {
    let cluster = EtcdCluster::start(binary).await;
    let channel = cluster.channel(0);
    let cpu = cluster.cpu_seconds();
    let started = Instant::now();
    let clients = (0..CLIENTS).map(|c| {
        let channel = channel.clone();
        async move {
            for i in (c..puts).step_by(CLIENTS) {
                let key = format!("/whole/{i}").into_bytes();
                put(&channel, key, vec![b'x'; value_len])
                    .await
                    .expect("etcd takes the put");
            }
        }
    });
    futures_util::future::join_all(clients).await;
    let seconds = started.elapsed().as_secs_f64();
    let cpu_us_per_put = (cluster.cpu_seconds().iter().zip(&cpu))
        .map(|(after, before)| (after - before) * 1e6 / puts as f64)
        .collect();
    cluster.stop().await;
    EtcdFigures {
        puts_per_second: puts as f64 / seconds,
        cpu_us_per_put,
    }
}
