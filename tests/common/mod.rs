//! Test federations: real nodes on 127.0.0.1 with real mTLS (a fresh PKI per test) and
//! real sled stores in a temporary directory. Every wait is bounded.
#![allow(dead_code)]

pub mod baseline;
pub mod fake_peer;
pub mod process;
pub mod proxy;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fedx::config::{CollectionConfig, Config, KeyConfig, Limits, MemberConfig, PeerConfig, SigningConfig, TlsConfig};
use fedx::node::Node;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::*;
use fedx::records::{Mode, RecordKind};
use fedx::store::OwnRecordsAtStart;
use fedx::transport::pki::{self, DevPki};
use fedx::transport::{self, ClientTls};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tonic::transport::Channel;

pub const AGENCIES: [&str; 5] = ["DE-BAFA", "FR-SBDU", "NL-CDIU", "IT-UAMA", "SE-ISP"];

/// Agency `i` of a test federation: the five named ones first, then numbered ones (for
/// federations larger than five).
pub fn agency_name(i: usize) -> String {
    AGENCIES
        .get(i)
        .map_or_else(|| format!("X{i:02}-AUTH"), |a| a.to_string())
}

pub fn init_logging() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into()))
        .with_test_writer()
        .try_init();
}

pub struct Federation {
    pub dir: tempfile::TempDir,
    pub pki: DevPki,
    pub configs: Vec<Config>,
    /// What each node is told at start (`fednode --restored`, `--new-agency`). A test
    /// federation is new: its nodes number their writes from #1 without waiting for a
    /// peer (tests of that hold change it).
    pub own_records: Vec<OwnRecordsAtStart>,
    listeners: Vec<Option<std::net::TcpListener>>,
    pub nodes: Vec<Option<Node>>,
}

/// The collections every test federation has:
/// - `denials`: license denials, owner mode, everyone reads and writes;
/// - `shared`: a co-maintained watchlist, shared mode;
/// - `restricted`: end-use checks readable by the first two agencies only.
pub fn collections(agencies: &[String]) -> Vec<CollectionConfig> {
    let all = agencies.to_vec();
    let first_two = agencies.iter().take(2).cloned().collect::<Vec<_>>();
    vec![
        collection("denials", RecordKind::LicenseDenial, Mode::Owner, &all, &all),
        collection("shared", RecordKind::WatchlistEntry, Mode::Shared, &all, &all),
        collection(
            "restricted",
            RecordKind::EndUseCheck,
            Mode::Owner,
            &first_two,
            &first_two,
        ),
    ]
}

fn collection(name: &str, kind: RecordKind, mode: Mode, writers: &[String], readers: &[String]) -> CollectionConfig {
    CollectionConfig {
        name: name.into(),
        kind,
        mode,
        writers: writers.to_vec(),
        readers: readers.to_vec(),
    }
}

impl Federation {
    /// `n` agencies, peered along `links` (pairs of node indexes, both directions).
    pub fn new(n: usize, links: &[(usize, usize)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let agencies: Vec<String> = (0..n).map(agency_name).collect();
        let pki = pki::generate(&dir.path().join("pki"), &agencies).expect("dev PKI");
        let listeners: Vec<_> = (0..n)
            .map(|_| std::net::TcpListener::bind("127.0.0.1:0").expect("bind loopback"))
            .collect();
        let addrs: Vec<SocketAddr> = listeners.iter().map(|l| l.local_addr().unwrap()).collect();
        let members: Vec<MemberConfig> = pki
            .agencies
            .iter()
            .map(|a| MemberConfig {
                agency: a.agency.clone(),
                keys: vec![KeyConfig {
                    id: a.signing_key_id.clone(),
                    public_key: a.signing_public_key.clone(),
                    status: Default::default(),
                    revoked_at: None,
                }],
            })
            .collect();
        let configs = (0..n)
            .map(|i| {
                let files = &pki.agencies[i];
                let peers = links
                    .iter()
                    .filter_map(|&(a, b)| match (a == i, b == i) {
                        (true, _) => Some(b),
                        (_, true) => Some(a),
                        _ => None,
                    })
                    .map(|j| PeerConfig {
                        agency: agencies[j].clone(),
                        endpoint: format!("https://{}", addrs[j]),
                    })
                    .collect();
                Config {
                    agency: agencies[i].clone(),
                    listen: addrs[i],
                    data_dir: dir.path().join(format!("node-{i}")),
                    max_clock_skew: Duration::from_secs(60),
                    tls: TlsConfig {
                        ca: pki.ca_cert.clone(),
                        cert: files.node_cert.clone(),
                        key: files.node_key.clone(),
                    },
                    signing: SigningConfig {
                        key: files.signing_key.clone(),
                        key_id: files.signing_key_id.clone(),
                    },
                    members: members.clone(),
                    peers,
                    collections: collections(&agencies),
                    limits: Limits::default(),
                    metrics_listen: Some("127.0.0.1:0".parse().expect("loopback address")),
                    clock_ahead: Duration::ZERO,
                    anti_entropy_interval: Duration::from_secs(60),
                    consultations: Default::default(),
                }
            })
            .collect();
        Federation {
            dir,
            pki,
            configs,
            own_records: vec![OwnRecordsAtStart::NewAgency; n],
            listeners: listeners.into_iter().map(Some).collect(),
            nodes: (0..n).map(|_| None).collect(),
        }
    }

    pub fn agency(&self, i: usize) -> &str {
        &self.configs[i].agency
    }

    /// Hands over node `i`'s reserved listener (for starting the node elsewhere, e.g. in its
    /// own runtime); `start` rebinds the address when it is gone.
    pub fn take_listener(&mut self, i: usize) -> Option<std::net::TcpListener> {
        self.listeners[i].take()
    }

    pub fn endpoint(&self, i: usize) -> String {
        format!("https://{}", self.configs[i].listen)
    }

    /// Starts node `i` (again, on the same address, after a stop).
    pub async fn start(&mut self, i: usize) {
        let listener = match self.listeners[i].take() {
            Some(l) => {
                l.set_nonblocking(true).unwrap();
                tokio::net::TcpListener::from_std(l).unwrap()
            }
            None => tokio::net::TcpListener::bind(self.configs[i].listen)
                .await
                .expect("rebind"),
        };
        let node = Node::start_on(self.configs[i].clone(), self.own_records[i], listener)
            .await
            .expect("node starts");
        self.nodes[i] = Some(node);
    }

    pub async fn start_all(&mut self) {
        for i in 0..self.configs.len() {
            self.start(i).await;
        }
    }

    pub async fn stop(&mut self, i: usize) {
        if let Some(node) = self.nodes[i].take() {
            node.shutdown().await.expect("clean shutdown");
        }
    }

    pub async fn stop_all(&mut self) {
        for i in 0..self.nodes.len() {
            self.stop(i).await;
        }
    }

    pub fn data_dir(&self, i: usize) -> &Path {
        &self.configs[i].data_dir
    }

    /// Node `i`'s store, opened offline (the node stopped) as the node opens it: waiting
    /// for sled's lock, which it may still hold just after a stop returns.
    pub fn open_store_offline(&self, i: usize) -> sled::Db {
        fedx::store::open_db_when_free(self.data_dir(i)).expect("the store opens offline")
    }

    /// A client with node `i`'s operator certificate.
    pub fn operator(&self, i: usize) -> OperatorClient<Channel> {
        OperatorClient::new(self.operator_channel(i))
    }

    /// A connection to node `i` with its operator certificate, for any of its services.
    pub fn operator_channel(&self, i: usize) -> Channel {
        let files = &self.pki.agencies[i];
        self.channel_with(i, &self.pki.ca_cert, &files.operator_cert, &files.operator_key)
    }

    /// A client of node `i` presenting an arbitrary certificate.
    pub fn client_with(&self, i: usize, ca: &Path, cert: &Path, key: &Path) -> OperatorClient<Channel> {
        OperatorClient::new(self.channel_with(i, ca, cert, key))
    }

    fn channel_with(&self, i: usize, ca: &Path, cert: &Path, key: &Path) -> Channel {
        let tls = ClientTls {
            ca: std::fs::read(ca).unwrap(),
            cert: std::fs::read(cert).unwrap(),
            key: std::fs::read(key).unwrap(),
        };
        let name = transport::node_dns_name(self.agency(i));
        transport::channel(&self.endpoint(i), &tls, &name).unwrap()
    }

    /// Environment for running `fedctl` as node `i`'s operator.
    pub fn fedctl_env(&self, i: usize) -> Vec<(&'static str, PathBuf)> {
        let files = &self.pki.agencies[i];
        vec![
            ("FEDCTL_ENDPOINT", PathBuf::from(self.endpoint(i))),
            ("FEDCTL_CACERT", self.pki.ca_cert.clone()),
            ("FEDCTL_CERT", files.operator_cert.clone()),
            ("FEDCTL_KEY", files.operator_key.clone()),
        ]
    }
}

/// Polls `check` until it returns `Some`, for at most `timeout`.
pub async fn eventually<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        if let Some(value) = check().await {
            return value;
        }
        if tokio::time::Instant::now() > deadline {
            panic!("timed out after {timeout:?} waiting for {what}");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// One of the shipped example bodies, parsed once.
fn example(name: &str) -> RecordBody {
    static EXAMPLES: std::sync::OnceLock<std::collections::HashMap<&'static str, RecordBody>> =
        std::sync::OnceLock::new();
    let examples = EXAMPLES.get_or_init(|| {
        ["denial.json", "watchlist-entry.json", "end-use-check.json"]
            .into_iter()
            .map(|name| {
                let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config/examples").join(name);
                (
                    name,
                    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap(),
                )
            })
            .collect()
    });
    examples[name].clone()
}

/// A valid denial body (the shipped example) with its own reference.
pub fn denial(reference: &str) -> RecordBody {
    let mut body = example("denial.json");
    if let Some(record_body::Kind::LicenseDenial(d)) = &mut body.kind {
        d.reference = reference.into();
    }
    body
}

/// A valid watchlist entry whose primary name is `name`.
pub fn watchlist_entry(name: &str) -> RecordBody {
    let mut body = example("watchlist-entry.json");
    if let Some(record_body::Kind::WatchlistEntry(w)) = &mut body.kind {
        w.party.as_mut().unwrap().names[0].full_name = name.into();
    }
    body
}

pub fn end_use_check() -> RecordBody {
    example("end-use-check.json")
}

pub fn put(collection: &str, id: &str, body: RecordBody) -> PutRequest {
    PutRequest {
        collection: collection.into(),
        id: id.into(),
        body: Some(body),
    }
}

/// The stored record at node `i`, if any.
pub async fn get(client: &mut OperatorClient<Channel>, collection: &str, id: &str) -> Option<StoredRecord> {
    let request = GetRequest {
        collection: collection.into(),
        id: id.into(),
    };
    client.get(request).await.ok().map(|r| r.into_inner())
}

/// Whether the node's version vector covers this version: stored durably and published,
/// which is what screens and checks wait for (a `get` may see a record a moment earlier).
pub async fn published(client: &mut OperatorClient<Channel>, header: &RecordHeader) -> bool {
    let covers = |c: &Cursor| c.collection == header.collection && c.author == header.author && c.seq >= header.seq;
    status(client).await.version_vector.iter().any(covers)
}

pub async fn status(client: &mut OperatorClient<Channel>) -> StatusResponse {
    client.status(StatusRequest {}).await.expect("status").into_inner()
}

/// How many records of `collection` the node holds (0 for a collection it does not have).
pub async fn records_held(client: &mut OperatorClient<Channel>, collection: &str) -> u64 {
    let collections = status(client).await.collections;
    collections
        .iter()
        .find(|c| c.name == collection)
        .map_or(0, |c| c.records)
}

/// Waits (at most `timeout`) until node `i` holds at least `n` records of `denials`.
pub async fn holds_denials(fed: &Federation, i: usize, n: u64, timeout: Duration) {
    let client = fed.operator(i);
    eventually("the denials to arrive", timeout, || {
        let mut client = client.clone();
        async move {
            let held = status(&mut client)
                .await
                .collections
                .iter()
                .find(|c| c.name == "denials")?
                .records;
            (held >= n).then_some(())
        }
    })
    .await;
}

/// Whether `nodes` agree on every collection's count and digest.
pub async fn converged(fed: &Federation, nodes: &[usize]) -> bool {
    let mut seen = Vec::new();
    for &i in nodes {
        seen.push(digests(&mut fed.operator(i)).await);
    }
    seen.windows(2).all(|w| w[0] == w[1])
}

/// (name, records, digest) of every collection all nodes hold, for comparing nodes
/// (`restricted` is held by the first two agencies only).
pub async fn digests(client: &mut OperatorClient<Channel>) -> Vec<(String, u64, String)> {
    status(client)
        .await
        .collections
        .into_iter()
        .filter(|c| c.name != "restricted")
        .map(|c| (c.name, c.records, c.digest))
        .collect()
}

pub fn denial_status(record: &StoredRecord) -> DenialStatus {
    match record
        .record
        .as_ref()
        .and_then(|r| r.body.as_ref())
        .and_then(|b| b.kind.as_ref())
    {
        Some(record_body::Kind::LicenseDenial(d)) => DenialStatus::try_from(d.status).unwrap(),
        other => panic!("not a denial: {other:?}"),
    }
}

/// Node `i`'s config as TOML, for running `fednode` as a process.
pub fn config_toml(config: &Config, listen: &str) -> String {
    let list = |v: &[String]| v.iter().map(|s| format!("{s:?}")).collect::<Vec<_>>().join(", ");
    let mut toml = format!(
        "agency = {:?}\nlisten = {listen:?}\ndata_dir = {:?}\nmax_clock_skew = \"60s\"\n\
         [tls]\nca = {:?}\ncert = {:?}\nkey = {:?}\n[signing]\nkey = {:?}\nkey_id = {:?}\n",
        config.agency,
        config.data_dir,
        config.tls.ca,
        config.tls.cert,
        config.tls.key,
        config.signing.key,
        config.signing.key_id
    );
    for m in &config.members {
        for k in &m.keys {
            toml.push_str(&format!(
                "[[members]]\nagency = {:?}\nkeys = [{{ id = {:?}, public_key = {:?} }}]\n",
                m.agency, k.id, k.public_key
            ));
        }
    }
    for c in &config.collections {
        toml.push_str(&format!(
            "[[collections]]\nname = {:?}\nkind = {:?}\nmode = {:?}\nwriters = [{}]\nreaders = [{}]\n",
            c.name,
            c.kind.as_str(),
            c.mode.as_str(),
            list(&c.writers),
            list(&c.readers)
        ));
    }
    toml
}

/// A client of node `i` at an explicit endpoint (a `fednode` process).
pub fn operator_at(fed: &Federation, i: usize, endpoint: &str) -> OperatorClient<Channel> {
    let files = &fed.pki.agencies[i];
    let tls = ClientTls {
        ca: std::fs::read(&fed.pki.ca_cert).unwrap(),
        cert: std::fs::read(&files.operator_cert).unwrap(),
        key: std::fs::read(&files.operator_key).unwrap(),
    };
    let name = transport::node_dns_name(fed.agency(i));
    OperatorClient::new(transport::channel(endpoint, &tls, &name).unwrap())
}

/// `GET /metrics` on node `i` (plain HTTP on loopback).
pub async fn scrape(fed: &Federation, i: usize) -> String {
    let addr = fed.nodes[i]
        .as_ref()
        .expect("node is running")
        .metrics_addr()
        .expect("metrics are on");
    let fetch = async {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream
            .write_all(b"GET /metrics HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
            .await
            .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).await.unwrap();
        response
    };
    let response = tokio::time::timeout(Duration::from_secs(10), fetch)
        .await
        .expect("the scrape finishes");
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    assert!(response.contains("application/openmetrics-text"), "{response}");
    response
}

/// (key id, status) of every key `agency` has, as node `client` lists its members.
pub async fn member_keys(client: &mut OperatorClient<Channel>, agency: &str) -> Vec<(String, String)> {
    let members = client
        .list_members(ListMembersRequest {})
        .await
        .unwrap()
        .into_inner()
        .members;
    members
        .into_iter()
        .filter(|m| m.agency == agency)
        .flat_map(|m| m.keys)
        .map(|k| (k.id, k.status))
        .collect()
}
