//! Replication: every node pulls from each of its peers over one long-lived bidirectional
//! stream (`Replicate`). The receiving side says which streams it wants and how far it has
//! them (`Want`); the sending side pushes those records in order, then live, with its heads.
//!
//! - [`link`]: our side as receiver: connect, admit and store batches, retry with backoff;
//!   [`incoming`] takes together the batches that arrived while we were busy; [`lane`]
//!   keeps denials on a lane of their own, ahead of bulk traffic.
//! - [`serve`]: our side as sender: read the log after the cursors, honour `readers`.
//! - [`routing`]: which peer each stream is pulled from.
//!
//! Records relay naturally: what we store from one peer is in our log, and our log is what
//! we serve to the others.

mod backoff;
mod incoming;
mod lane;
pub use lane::{LANE_HEADER, Lane};
mod link;
mod pipeline;
pub(crate) use link::admit_records;
mod repair;
pub mod routing;
mod saved_peers;
mod serve;

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::watch;
use tokio_util::sync::CancellationToken;
use tokio_util::task::TaskTracker;

use crate::api::refusals::RefusalAudit;
use crate::config::{Config, PeerConfig, check_peer};
use crate::error::{Error, Result};
use crate::records::Policy;
use crate::store::{AuditEvent, Store, StreamId};
use crate::transport::ClientTls;
use routing::Routing;

/// Where our link to a peer stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LinkState {
    #[default]
    Connecting,
    Connected,
    /// Down, waiting before the next attempt.
    Backoff,
}

impl LinkState {
    pub const ALL: [LinkState; 3] = [LinkState::Connecting, LinkState::Connected, LinkState::Backoff];

    /// The name status and metrics show (a contract).
    pub fn as_str(self) -> &'static str {
        match self {
            LinkState::Connecting => "connecting",
            LinkState::Connected => "connected",
            LinkState::Backoff => "backoff",
        }
    }
}

/// Anti-entropy's last verdict on a peer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SyncState {
    /// No comparison has finished yet.
    #[default]
    Unknown,
    InSync,
    Diverged,
}

impl SyncState {
    /// The name status shows (a contract).
    pub fn as_str(self) -> &'static str {
        match self {
            SyncState::Unknown => "unknown",
            SyncState::InSync => "in_sync",
            SyncState::Diverged => "diverged",
        }
    }
}

/// What an operator sees of one peer.
#[derive(Debug, Clone, Default)]
pub struct LinkStatus {
    pub state: LinkState,
    /// Records the peer holds that we do not (from its advertised heads).
    pub lag_records: u64,
    /// Whether the peer's heads arrived in this session, so that `lag_records` is current.
    pub heads_known: bool,
    pub records_received: u64,
    pub records_sent: u64,
    /// Records the peer asked us for that we have not sent yet (it is catching up from us).
    pub to_send: u64,
    /// When we last sent it records: until it has stored them, it holds less than we do.
    pub last_sent: Option<std::time::Instant>,
    pub last_error: String,
    /// Since when the peer has held records we do not (`None` while caught up).
    pub behind_since: Option<std::time::Instant>,
    pub sync_state: SyncState,
    /// RFC 3339: the first comparison of the current divergence.
    pub diverged_since: Option<String>,
    /// RFC 3339: the last completed comparison.
    pub last_sync: Option<String>,
}

struct Peer {
    endpoint: String,
    cancel: CancellationToken,
}

struct Inner {
    config: Arc<Config>,
    policy: Arc<Policy>,
    store: Store,
    tls: ClientTls,
    metrics: crate::metrics::Metrics,
    peers: Mutex<BTreeMap<String, Peer>>,
    status: Mutex<HashMap<String, LinkStatus>>,
    routing: Mutex<Routing>,
    routing_changed: watch::Sender<u64>,
    /// Outbound streams being served, by receiving agency and lane: one at a time each.
    serving: Mutex<HashMap<(String, Lane), CancellationToken>>,
    refused: AtomicU64,
    /// How refusals are audited (one allowance per peer, shared with the API's callers).
    refusals: Arc<RefusalAudit>,
    /// Peers whose anti-entropy answers were refused, and until when they are not asked.
    repair_backoff: Mutex<backoff::RepairBackoff>,
    /// Held across read-modify-persist of the peer list, so concurrent changes don't lose
    /// one another.
    peers_change: tokio::sync::Mutex<()>,
    cancel: CancellationToken,
    tasks: TaskTracker,
}

#[derive(Clone)]
pub struct Replicator {
    inner: Arc<Inner>,
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding one of these locks leaves plain data behind; keep going.
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Replicator {
    /// Starts a link to every peer: those persisted by `peers add|remove`, or, on a fresh
    /// data directory, those in config.
    pub fn start(
        config: Arc<Config>,
        policy: Arc<Policy>,
        store: Store,
        tls: ClientTls,
        metrics: crate::metrics::Metrics,
        refusals: Arc<RefusalAudit>,
    ) -> Result<Self> {
        let peers = match store.meta(saved_peers::META)? {
            Some(saved) => saved_peers::decode(&saved)?,
            None => config.peers.clone(),
        };
        if peers != config.peers {
            tracing::warn!("peers were changed at runtime; the stored list overrides [[peers]] in config");
        }
        let routing = Routing::new(&config.agency);
        let replicator = Replicator {
            inner: Arc::new(Inner {
                config,
                policy,
                store,
                tls,
                metrics,
                peers: Mutex::new(BTreeMap::new()),
                status: Mutex::new(HashMap::new()),
                routing: Mutex::new(routing),
                routing_changed: watch::channel(0).0,
                serving: Mutex::new(HashMap::new()),
                refused: AtomicU64::new(0),
                refusals,
                repair_backoff: Mutex::default(),
                peers_change: tokio::sync::Mutex::new(()),
                cancel: CancellationToken::new(),
                tasks: TaskTracker::new(),
            }),
        };
        for peer in peers {
            replicator.spawn_link(peer);
        }
        let inner = replicator.inner.clone();
        replicator
            .inner
            .tasks
            .spawn(repair::run(inner.clone(), inner.cancel.child_token()));
        Ok(replicator)
    }

    fn spawn_link(&self, peer: PeerConfig) {
        let cancel = self.inner.cancel.child_token();
        lock(&self.inner.peers).insert(
            peer.agency.clone(),
            Peer {
                endpoint: peer.endpoint.clone(),
                cancel: cancel.clone(),
            },
        );
        let status = LinkStatus::default();
        lock(&self.inner.status).insert(peer.agency.clone(), status);
        self.inner
            .tasks
            .spawn(link::run(self.inner.clone(), peer.agency, peer.endpoint, cancel));
    }

    pub fn peers(&self) -> Vec<PeerConfig> {
        lock(&self.inner.peers)
            .iter()
            .map(|(agency, peer)| PeerConfig {
                agency: agency.clone(),
                endpoint: peer.endpoint.clone(),
            })
            .collect()
    }

    pub fn is_peer(&self, agency: &str) -> bool {
        lock(&self.inner.peers).contains_key(agency)
    }

    /// Adds (or re-points) a peer at runtime; persisted before it takes effect.
    pub async fn add_peer(&self, peer: PeerConfig, actor: &str) -> Result<Vec<PeerConfig>> {
        check_peer(&self.inner.config, &peer).map_err(|e| Error::InvalidArgument(e.to_string()))?;
        let _change = self.inner.peers_change.lock().await;
        let mut peers = self.peers();
        peers.retain(|p| p.agency != peer.agency);
        peers.push(peer.clone());
        self.persist(
            peers,
            actor,
            "peers.add",
            &format!("{} at {}", peer.agency, peer.endpoint),
        )
        .await?;
        self.stop_link(&peer.agency);
        self.spawn_link(peer);
        Ok(self.peers())
    }

    /// Removes a peer at runtime: it stops receiving from us at once.
    pub async fn remove_peer(&self, agency: &str, actor: &str) -> Result<Vec<PeerConfig>> {
        let _change = self.inner.peers_change.lock().await;
        let mut peers = self.peers();
        if !peers.iter().any(|p| p.agency == agency) {
            return Err(Error::NotFound(format!("{agency} is not a peer of this node")));
        }
        peers.retain(|p| p.agency != agency);
        self.persist(peers, actor, "peers.remove", agency).await?;
        self.stop_link(agency);
        Ok(self.peers())
    }

    fn stop_link(&self, agency: &str) {
        if let Some(peer) = lock(&self.inner.peers).remove(agency) {
            peer.cancel.cancel();
        }
        for lane in [Lane::Main, Lane::Urgent] {
            if let Some(serving) = lock(&self.inner.serving).remove(&(agency.to_string(), lane)) {
                serving.cancel();
            }
        }
        lock(&self.inner.status).remove(agency);
        let mut routing = lock(&self.inner.routing);
        routing.drop_peer(agency);
        self.inner.reassign(
            &mut routing,
            &self.inner.store.snapshot().version_vector,
            std::time::Instant::now(),
        );
        self.inner.routing_changed.send_modify(|g| *g += 1);
    }

    async fn persist(&self, peers: Vec<PeerConfig>, actor: &str, action: &str, target: &str) -> Result<()> {
        let saved = saved_peers::encode(&peers)?;
        let event = AuditEvent {
            actor: actor.to_string(),
            action: action.to_string(),
            target: target.to_string(),
            detail: String::new(),
        };
        self.inner
            .store
            .record(vec![event], Some((saved_peers::META.to_string(), saved)))
            .await
    }

    /// Every peer with its link status, in agency order.
    pub fn status(&self) -> Vec<(PeerConfig, LinkStatus)> {
        let status = lock(&self.inner.status);
        self.peers()
            .into_iter()
            .map(|peer| {
                let link = status.get(&peer.agency).cloned().unwrap_or_default();
                (peer, link)
            })
            .collect()
    }

    /// Compares and repairs now, with one peer or (`None`) every peer.
    pub async fn sync(&self, agency: Option<&str>) -> Result<Vec<crate::proto::PeerSync>> {
        let peers: Vec<PeerConfig> = self
            .peers()
            .into_iter()
            .filter(|p| agency.is_none_or(|a| a == p.agency))
            .collect();
        if let (Some(agency), true) = (agency, peers.is_empty()) {
            return Err(Error::NotFound(format!("{agency} is not a peer of this node")));
        }
        let mut reports = Vec::new();
        for peer in peers {
            reports.push(repair::sync_peer(&self.inner, &peer.agency, &peer.endpoint).await);
        }
        Ok(reports)
    }

    /// Records refused at ingest since start (all peers).
    pub fn refused(&self) -> u64 {
        self.inner.refused.load(Ordering::Relaxed)
    }

    /// Serves a `Replicate` stream to `agency` (already authorized as a peer node).
    pub fn serve(
        &self,
        agency: String,
        lane: Lane,
        wants: tonic::Streaming<crate::proto::Want>,
    ) -> tokio_stream::wrappers::ReceiverStream<Result<crate::proto::Batch, tonic::Status>> {
        serve::start(self.inner.clone(), agency, lane, wants)
    }

    /// Stops every link and served stream and waits for them.
    pub async fn shutdown(&self) {
        self.inner.cancel.cancel();
        self.inner.tasks.close();
        self.inner.tasks.wait().await;
    }
}

impl Inner {
    /// Re-chooses every stream's source (true if any changed), and tells the store what
    /// peers hold of our own streams beyond what we hold, so that it numbers no write
    /// of ours twice after a restore.
    fn reassign(&self, routing: &mut Routing, local: &HashMap<StreamId, u64>, now: std::time::Instant) -> bool {
        let changed = routing.reassign(local, now);
        self.refresh_own_streams_held(routing, local);
        changed
    }

    /// `reassign` of the streams whose heads a peer just moved only.
    fn reassign_streams(
        &self,
        routing: &mut Routing,
        streams: &[StreamId],
        local: &HashMap<StreamId, u64>,
        now: std::time::Instant,
    ) -> bool {
        let changed = routing.reassign_streams(streams, local, now);
        if streams.iter().any(|s| s.author == self.config.agency) {
            self.refresh_own_streams_held(routing, local);
        }
        changed
    }

    /// Tells the store which of our own streams a peer holds more of (writes to them wait).
    fn refresh_own_streams_held(&self, routing: &Routing, local: &HashMap<StreamId, u64>) {
        self.store
            .own_streams_held()
            .set(routing.own_streams_held(local), routing.heard_from_a_peer());
    }

    fn update_status(&self, agency: &str, update: impl FnOnce(&mut LinkStatus)) {
        if let Some(status) = lock(&self.status).get_mut(agency) {
            update(status);
        }
    }

    /// Counts records sent to `agency`, which may be served without being our peer;
    /// `to_send` is what its main lane still has to send.
    fn count_sent(&self, agency: &str, records: usize, to_send: Option<u64>) {
        self.update_status(agency, |s| {
            s.records_sent += records as u64;
            if let Some(to_send) = to_send {
                s.to_send = to_send;
            }
            if records > 0 {
                s.last_sent = Some(std::time::Instant::now());
            }
        });
    }
}
