//! A fake peer for trust tests: a test gRPC server that serves the `Replication` service
//! over the same mTLS as real nodes (the library's own `transport::server_config` and
//! `transport::incoming`), presents a configured agency's node certificate, and pushes
//! hand-crafted batches to the node under test: records signed with that agency's signing
//! key from the test PKI, or deliberately broken ones.
//!
//! Replication is pull-based: the node under test connects to its peers and sends `Want`s;
//! the peer pushes `Batch`es. So the node dials the fake (its peer config already points at
//! the fake's address, the listener `Federation::new` reserved for that agency), and every
//! `Replicate` call is one *session*. A node drops a session after a batch with refused
//! records and reconnects with backoff; `Operator.AddPeer` (re-pointing the peer at the
//! same endpoint) restarts its link at once.
//!
//! Anti-entropy (`Summarize`/`Fetch`) answers from `offer`ed records (an empty collection
//! otherwise), so the same bad input can also be delivered through `fedctl sync`.
//!
//! Also here: observing the node under test (metrics scrape, store state, audit tail).
//! Every wait is bounded.

use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use fedx::config::TlsConfig;
use fedx::crypto::Signer;
use fedx::proto::operator_client::OperatorClient;
use fedx::proto::replication_server::{Replication, ReplicationServer};
use fedx::proto::*;
use fedx::records::{SCHEMA_VERSION, hlc};
use fedx::transport;
use prost::Message as _;
use tokio::sync::{mpsc, watch};
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tokio_util::task::AbortOnDropHandle;
use tonic::transport::Channel;
use tonic::{Request, Response, Status, Streaming};

use super::Federation;

/// Batches queued towards the node in one session.
const QUEUE: usize = 4;
/// How long `push` waits for the node to (re)connect, and for queue room.
pub const CONNECT_WAIT: Duration = Duration::from_secs(20);

/// One `Replicate` call from the node under test.
pub struct Session {
    pub id: u64,
    batches: mpsc::Sender<Result<Batch, Status>>,
    /// Cancelled once the node has ended the session (its `Want` stream closed).
    closed: CancellationToken,
}

impl Session {
    pub fn is_closed(&self) -> bool {
        self.closed.is_cancelled() || self.batches.is_closed()
    }
}

/// Anti-entropy answers: the records the fake claims per collection.
type Offers = HashMap<String, Vec<SignedRecord>>;

struct Shared {
    current: Mutex<Option<Arc<Session>>>,
    /// Bumped whenever a session opens or closes.
    changes: watch::Sender<u64>,
    opened: AtomicU64,
    wants: Mutex<Vec<Want>>,
    /// Who called (`peer:AGENCY` from the verified client certificate), per call.
    callers: Mutex<Vec<String>>,
    offers: Mutex<Offers>,
    /// Every `Summarize` call: (collection, whether it asked for bucket fingerprints).
    summaries: Mutex<Vec<(String, bool)>>,
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

struct Service {
    shared: Arc<Shared>,
}

impl Service {
    /// The node's urgent lane: its wants are kept with the others; everything a test
    /// pushes goes on the main lane (the node takes records on either).
    fn urgent_lane(&self, mut wants: Streaming<Want>) -> ReceiverStream<Result<Batch, Status>> {
        let (batches, stream) = mpsc::channel::<Result<Batch, Status>>(QUEUE);
        let shared = self.shared.clone();
        tokio::spawn(async move {
            while let Ok(Some(want)) = wants.message().await {
                lock(&shared.wants).push(want);
            }
            drop(batches);
        });
        ReceiverStream::new(stream)
    }
}

#[tonic::async_trait]
impl Replication for Service {
    type ReplicateStream = ReceiverStream<Result<Batch, Status>>;

    async fn replicate(&self, request: Request<Streaming<Want>>) -> Result<Response<Self::ReplicateStream>, Status> {
        let caller = transport::caller(&request).map_err(Status::from)?;
        lock(&self.shared.callers).push(caller.to_string());
        if fedx::replication::Lane::of(&request) == fedx::replication::Lane::Urgent {
            return Ok(Response::new(self.urgent_lane(request.into_inner())));
        }
        let (batches, stream) = mpsc::channel(QUEUE);
        let session = Arc::new(Session {
            id: self.shared.opened.fetch_add(1, Ordering::SeqCst) + 1,
            batches,
            closed: CancellationToken::new(),
        });
        *lock(&self.shared.current) = Some(session.clone());
        self.shared.changes.send_modify(|n| *n += 1);
        let (shared, mut wants) = (self.shared.clone(), request.into_inner());
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    want = wants.message() => match want {
                        Ok(Some(want)) => lock(&shared.wants).push(want),
                        Ok(None) | Err(_) => break,
                    },
                    _ = session.batches.closed() => break,
                }
            }
            session.closed.cancel();
            shared.changes.send_modify(|n| *n += 1);
        });
        Ok(Response::new(ReceiverStream::new(stream)))
    }

    async fn summarize(&self, request: Request<SummaryRequest>) -> Result<Response<SummaryResponse>, Status> {
        let SummaryRequest {
            collection,
            buckets,
            fingerprints,
        } = request.into_inner();
        lock(&self.shared.summaries).push((collection.clone(), fingerprints));
        // Nothing offered: an empty collection.
        let records = lock(&self.shared.offers).get(&collection).cloned().unwrap_or_default();
        let entries: Vec<(String, [u8; 32])> = records
            .iter()
            .filter_map(|r| {
                let header = Record::decode(r.record.as_slice()).ok()?.header?;
                Some((header.id, fedx::records::sha256(&r.record)))
            })
            .collect();
        let mut fingerprint = vec![(0u64, [0u8; 32]); fedx::store::BUCKETS];
        let mut digest = [0u8; 32];
        for (id, hash) in &entries {
            let slot = &mut fingerprint[fedx::store::bucket_of(id) as usize];
            slot.0 += 1;
            xor(&mut slot.1, hash);
            xor(&mut digest, hash);
        }
        Ok(Response::new(SummaryResponse {
            buckets: if fingerprints {
                fingerprint
                    .iter()
                    .enumerate()
                    .map(|(bucket, (count, digest))| BucketSummary {
                        bucket: bucket as u32,
                        count: *count,
                        digest: digest.to_vec(),
                    })
                    .collect()
            } else {
                vec![]
            },
            entries: entries
                .iter()
                .filter(|(id, _)| buckets.contains(&fedx::store::bucket_of(id)))
                .map(|(id, hash)| EntryHash {
                    id: id.clone(),
                    sha256: hash.to_vec(),
                })
                .collect(),
            count: entries.len() as u64,
            digest: digest.to_vec(),
        }))
    }

    async fn fetch(&self, request: Request<FetchRequest>) -> Result<Response<Batch>, Status> {
        let FetchRequest { collection, ids } = request.into_inner();
        let offered = lock(&self.shared.offers).get(&collection).cloned().unwrap_or_default();
        let records = offered
            .into_iter()
            .filter(|r| {
                Record::decode(r.record.as_slice())
                    .ok()
                    .and_then(|r| r.header)
                    .is_some_and(|h| ids.contains(&h.id))
            })
            .collect();
        Ok(Response::new(Batch {
            records,
            ..Default::default()
        }))
    }
}

fn xor(digest: &mut [u8; 32], hash: &[u8; 32]) {
    digest.iter_mut().zip(hash).for_each(|(d, h)| *d ^= h);
}

/// A fake peer node of agency `agency`, listening on the address the federation gave it.
pub struct FakePeer {
    pub agency: String,
    pub key_id: String,
    pub signer: Signer,
    pub addr: SocketAddr,
    shared: Arc<Shared>,
    cancel: CancellationToken,
    _server: AbortOnDropHandle<()>,
}

impl Drop for FakePeer {
    fn drop(&mut self) {
        self.cancel.cancel();
    }
}

impl FakePeer {
    /// Serves as agency `i` of `fed` (which must not be started), on the listener the
    /// federation reserved for it, so the other nodes' peer configs point here.
    pub async fn start(fed: &mut Federation, i: usize) -> FakePeer {
        let files = fed.pki.agencies[i].clone();
        let listener = match fed.take_listener(i) {
            Some(l) => {
                l.set_nonblocking(true).unwrap();
                tokio::net::TcpListener::from_std(l).unwrap()
            }
            None => tokio::net::TcpListener::bind(fed.configs[i].listen)
                .await
                .expect("rebind the fake peer's address"),
        };
        let addr = listener.local_addr().unwrap();
        let tls = TlsConfig {
            ca: fed.pki.ca_cert.clone(),
            cert: files.node_cert.clone(),
            key: files.node_key.clone(),
        };
        let server_tls = transport::server_config(&tls).expect("fake peer TLS");
        let cancel = CancellationToken::new();
        let limits = transport::ConnectionLimits::of(&fed.configs[i]);
        let incoming = transport::incoming(listener, server_tls, limits, cancel.clone(), CancellationToken::new());
        let shared = Arc::new(Shared {
            current: Mutex::new(None),
            changes: watch::channel(0).0,
            opened: AtomicU64::new(0),
            wants: Mutex::new(Vec::new()),
            callers: Mutex::new(Vec::new()),
            offers: Mutex::new(HashMap::new()),
            summaries: Mutex::new(Vec::new()),
        });
        let max = fed.configs[i].limits.max_message_bytes;
        let service = ReplicationServer::new(Service { shared: shared.clone() })
            .max_decoding_message_size(max)
            .max_encoding_message_size(max);
        let shutdown = cancel.clone();
        let server = tokio::spawn(async move {
            let served = tonic::transport::Server::builder()
                // As the node's server: calls in progress keep their connection open.
                .layer(transport::TrackCalls)
                .add_service(service)
                .serve_with_incoming_shutdown(incoming, shutdown.cancelled())
                .await;
            if let Err(e) = served {
                tracing::warn!(error = %e, "fake peer server stopped");
            }
        });
        FakePeer {
            agency: files.agency.clone(),
            key_id: files.signing_key_id.clone(),
            signer: Signer::load(&files.signing_key, &files.signing_key_id).expect("signing key"),
            addr,
            shared,
            cancel,
            _server: AbortOnDropHandle::new(server),
        }
    }

    pub fn endpoint(&self) -> String {
        format!("https://{}", self.addr)
    }

    /// `Replicate` calls so far.
    pub fn sessions(&self) -> u64 {
        self.shared.opened.load(Ordering::SeqCst)
    }

    /// Every caller so far, as `peer:AGENCY`.
    pub fn callers(&self) -> Vec<String> {
        lock(&self.shared.callers).clone()
    }

    /// Every `Want` received so far.
    pub fn wants(&self) -> Vec<Want> {
        lock(&self.shared.wants).clone()
    }

    /// Every `Summarize` call so far: (collection, whether it asked for fingerprints).
    pub fn summaries(&self) -> Vec<(String, bool)> {
        lock(&self.shared.summaries).clone()
    }

    /// Records to answer anti-entropy with, for `collection`.
    pub fn offer(&self, collection: &str, records: Vec<SignedRecord>) {
        lock(&self.shared.offers).insert(collection.to_string(), records);
    }

    /// The open session with an id above `after`, waiting up to `timeout` for the node to
    /// connect.
    pub async fn session_after(&self, after: u64, timeout: Duration) -> Arc<Session> {
        let mut changes = self.shared.changes.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let open = lock(&self.shared.current)
                .clone()
                .filter(|s| s.id > after && !s.is_closed());
            if let Some(session) = open {
                return session;
            }
            match tokio::time::timeout_at(deadline, changes.changed()).await {
                Ok(Ok(())) => {}
                Ok(Err(_)) => unreachable!("the fake peer holds the sender"),
                Err(_) => panic!(
                    "{}: no session from the node after #{after} within {timeout:?}",
                    self.agency
                ),
            }
        }
    }

    /// The open session, waiting for one.
    pub async fn session(&self) -> Arc<Session> {
        self.session_after(0, CONNECT_WAIT).await
    }

    /// Sends `batch` on the open session (waiting for the node to connect); returns the
    /// session's id.
    pub async fn push(&self, batch: Batch) -> u64 {
        let session = self.session().await;
        self.push_on(&session, batch).await;
        session.id
    }

    /// Sends `batch` on `session`; false if the node has closed it meanwhile.
    pub async fn push_on(&self, session: &Session, batch: Batch) -> bool {
        match tokio::time::timeout(CONNECT_WAIT, session.batches.send(Ok(batch))).await {
            Ok(sent) => sent.is_ok(),
            Err(_) => panic!(
                "the node read nothing from session #{} for {CONNECT_WAIT:?}",
                session.id
            ),
        }
    }

    /// Waits until the node has ended session `id`.
    pub async fn wait_closed(&self, session: &Session, timeout: Duration) {
        let closed = tokio::time::timeout(timeout, async {
            tokio::select! {
                _ = session.closed.cancelled() => {}
                _ = session.batches.closed() => {}
            }
        });
        if closed.await.is_err() {
            panic!("the node kept session #{} open for {timeout:?}", session.id);
        }
    }

    /// A header as this agency writes it: its key, stamped now, the current schema.
    pub fn header(&self, collection: &str, id: &str, seq: u64) -> RecordHeader {
        RecordHeader {
            collection: collection.into(),
            id: id.into(),
            author: self.agency.clone(),
            seq,
            hlc: hlc::wall_clock(),
            key_id: self.key_id.clone(),
            schema_version: SCHEMA_VERSION,
            tombstone: false,
        }
    }

    pub fn record(&self, collection: &str, id: &str, seq: u64, body: RecordBody) -> Record {
        Record {
            header: Some(self.header(collection, id, seq)),
            body: Some(body),
        }
    }

    /// Signs `record` with this agency's signing key.
    pub fn sign(&self, record: &Record) -> SignedRecord {
        sign_record(&self.signer, record)
    }

    /// Signs `bytes` (anything) with this agency's signing key.
    pub fn sign_bytes(&self, bytes: Vec<u8>) -> SignedRecord {
        SignedRecord {
            signature: self.signer.sign(&bytes),
            record: bytes,
        }
    }
}

/// Encodes `record` and signs the bytes as a node does (domain tag and all).
pub fn sign_record(signer: &Signer, record: &Record) -> SignedRecord {
    let bytes = record.encode_to_vec();
    SignedRecord {
        signature: signer.sign(&bytes),
        record: bytes,
    }
}

/// A batch of records without heads.
pub fn batch(records: Vec<SignedRecord>) -> Batch {
    Batch {
        records,
        ..Default::default()
    }
}

// ---------------------------------------------------------------------------------------
// Observing the node under test
// ---------------------------------------------------------------------------------------

/// Every sample of metric `name` as (labels as printed, value).
pub fn samples(text: &str, name: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter_map(|l| l.strip_prefix(name))
        .filter_map(|rest| rest.rsplit_once(' '))
        .filter(|(labels, _)| labels.is_empty() || labels.starts_with('{'))
        .map(|(labels, value)| (labels.to_string(), value.parse().unwrap_or(f64::NAN)))
        .collect()
}

/// Refused records by reason, for one source (`peer:FR-SBDU`, `local`).
pub fn refusals(text: &str, source: &str) -> BTreeMap<String, u64> {
    let prefix = format!("{{source=\"{source}\",reason=\"");
    samples(text, "fedx_refused_records_total")
        .into_iter()
        .filter_map(|(labels, value)| {
            let reason = labels.strip_prefix(&prefix)?.strip_suffix("\"}")?;
            Some((reason.to_string(), value as u64))
        })
        .collect()
}

/// Records ingested from `peer`: (stored, duplicates).
pub fn ingested(text: &str, peer: &str) -> (u64, u64) {
    let all = samples(text, "fedx_ingest_records_total");
    let get = |outcome: &str| {
        all.get(&format!("{{peer=\"{peer}\",outcome=\"{outcome}\"}}"))
            .map_or(0, |v| *v as u64)
    };
    (get("stored"), get("duplicate"))
}

/// What the store holds, as an operator sees it: per collection (name, records, digest)
/// and the version vector (collection, author, seq).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreState {
    pub collections: Vec<(String, u64, String)>,
    pub version_vector: Vec<(String, String, u64)>,
}

impl StoreState {
    pub fn records(&self, collection: &str) -> u64 {
        self.collections.iter().find(|c| c.0 == collection).map_or(0, |c| c.1)
    }

    pub fn seq(&self, collection: &str, author: &str) -> u64 {
        self.version_vector
            .iter()
            .find(|v| v.0 == collection && v.1 == author)
            .map_or(0, |v| v.2)
    }
}

pub async fn store_state(client: &mut OperatorClient<Channel>) -> StoreState {
    let status = super::status(client).await;
    StoreState {
        collections: status
            .collections
            .into_iter()
            .map(|c| (c.name, c.records, c.digest))
            .collect(),
        version_vector: status
            .version_vector
            .into_iter()
            .map(|c| (c.collection, c.author, c.seq))
            .collect(),
    }
}

/// Audit entries after `after_seq` (at most 1000).
pub async fn audit_after(client: &mut OperatorClient<Channel>, after_seq: u64) -> Vec<AuditEntry> {
    client
        .audit_tail(AuditTailRequest { limit: 1000, after_seq })
        .await
        .expect("audit tail")
        .into_inner()
        .entries
}

/// The last audit entry's sequence number.
pub async fn audit_head(client: &mut OperatorClient<Channel>) -> u64 {
    super::status(client).await.audit_entries
}
