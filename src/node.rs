//! A running node: store, replicator and gRPC server wired together. `fednode` and the
//! tests start nodes through here.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use tonic::codec::CompressionEncoding;

use crate::api::{Context, OperatorApi, ReplicationApi};
use crate::config::Config;
use crate::consult::keys::OwnKeys;
use crate::crypto::Signer;
use crate::error::{Error, Result};
use crate::metrics::Metrics;
use crate::proto::operator_server::OperatorServer;
use crate::proto::replication_server::ReplicationServer;
use crate::records::Policy;
use crate::replication::Replicator;
use crate::screening::live::Screening;
use crate::store::{OwnRecordsAtStart, Store, WriterSettings};
use crate::transport::{self, ClientTls};

/// How long a shutdown waits for calls in progress before it closes their connections.
const DRAIN_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(3);
/// HTTP/2 streams (and so requests in flight) one connection may hold open at once.
const MAX_STREAMS_PER_CONNECTION: u32 = 64;

pub struct Node {
    addr: SocketAddr,
    cancel: CancellationToken,
    /// Force-closes every connection, once a shutdown has waited long enough.
    close_all: CancellationToken,
    server: JoinHandle<Result<()>>,
    /// Writes the summaries of unitemized refusals each second.
    summarizer: JoinHandle<()>,
    /// Announces our sealing keys and acknowledges consultations (holds a store handle).
    consultations: JoinHandle<()>,
    context: Arc<Context>,
    health: tonic_health::server::HealthReporter,
    metrics_addr: Option<SocketAddr>,
}

impl Node {
    /// Starts a node listening on `config.listen` (port 0 picks a free port).
    /// `own_records` is what the operator said on the command line (`--restored`,
    /// `--new-agency`): a runtime option, not configuration.
    pub async fn start(config: Config, own_records: OwnRecordsAtStart) -> Result<Node> {
        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|e| Error::config(format!("cannot listen on {}: {e}", config.listen)))?;
        Self::start_on(config, own_records, listener).await
    }

    /// Starts a node on a listener the caller bound (tests, and a restart on a held port).
    pub async fn start_on(config: Config, own_records: OwnRecordsAtStart, listener: TcpListener) -> Result<Node> {
        config.validate()?;
        name_crypto_threads();
        transport::check_node_certificate(&config.tls, &config.agency)?;
        let config = Arc::new(config);
        let addr = transport::local_addr(&listener)?;
        let tls_server = transport::server_config(&config.tls)?;
        let tls_client = ClientTls::load(&config.tls)?;
        let policy = Arc::new(config.policy()?);
        let metrics = Metrics::new();
        let store = open_store(&config, own_records, &metrics).await?;
        learn_keys(&store, &policy).await?;
        let screening_cancel = CancellationToken::new();
        // One allowance per caller for every path that audits refusals.
        let refusals = Arc::new(crate::api::refusals::RefusalAudit::default());
        let replicator = Replicator::start(
            config.clone(),
            policy.clone(),
            store.clone(),
            tls_client,
            metrics.clone(),
            refusals.clone(),
        )?;
        let sealing_keys = Arc::new(OwnKeys::new(
            Signer::load(&config.signing.key, &config.signing.key_id)?,
            &config.data_dir,
        ));
        let context = Arc::new(Context {
            config: config.clone(),
            sealing_keys: sealing_keys.clone(),
            policy: policy.clone(),
            store: store.clone(),
            replicator,
            metrics,
            screening: Screening::start(store.clone(), screening_cancel.clone()),
            refusals,
            heavy_reads: Default::default(),
        });

        let max = config.limits.max_message_bytes;
        let mut operator = OperatorServer::new(OperatorApi::new(context.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max)
            .accept_compressed(CompressionEncoding::Zstd)
            .accept_compressed(CompressionEncoding::Gzip);
        let mut replication = ReplicationServer::new(ReplicationApi::new(context.clone()))
            .max_decoding_message_size(max)
            .max_encoding_message_size(max)
            .accept_compressed(CompressionEncoding::Zstd)
            .accept_compressed(CompressionEncoding::Gzip);
        if config.limits.compression {
            // Used only with a caller that says it accepts them (grpc-accept-encoding).
            operator = operator
                .send_compressed(CompressionEncoding::Zstd)
                .send_compressed(CompressionEncoding::Gzip);
            replication = replication
                .send_compressed(CompressionEncoding::Zstd)
                .send_compressed(CompressionEncoding::Gzip);
        }
        let cancel = screening_cancel;
        let metrics_addr = match config.metrics_listen {
            Some(addr) => Some(serve_metrics(addr, &context, cancel.clone()).await?),
            None => None,
        };
        crate::consult::follower::announce_at_start(&store, &policy, &sealing_keys).await;
        let summarizer = tokio::spawn(summarize_refusals(context.clone(), cancel.clone()));
        let consultations = tokio::spawn(crate::consult::follower::run(
            store.clone(),
            policy,
            sealing_keys,
            context.metrics.clone(),
            cancel.clone(),
        ));
        let close_all = CancellationToken::new();
        let incoming = transport::incoming(
            listener,
            tls_server,
            transport::ConnectionLimits::of(&config),
            cancel.clone(),
            close_all.clone(),
        );
        let (health_reporter, health) = tonic_health::server::health_reporter();
        health_reporter.set_serving::<OperatorServer<OperatorApi>>().await;
        health_reporter.set_serving::<ReplicationServer<ReplicationApi>>().await;
        let (reflection_v1, reflection_v1alpha) = reflection_services()?;
        let shutdown = cancel.clone();
        let server = tokio::spawn(async move {
            tonic::transport::Server::builder()
                // A peer that stops answering (network partition, hung host) is dropped
                // after 20 s; without this its connection would stay open for ever, and a
                // shutdown (which drains every connection) would wait on it for ever.
                .http2_keepalive_interval(Some(std::time::Duration::from_secs(10)))
                .http2_keepalive_timeout(Some(std::time::Duration::from_secs(10)))
                // One client cannot open unbounded work: HTTP/2 streams and requests in
                // flight per connection are capped (connections are capped at accept).
                .max_concurrent_streams(Some(MAX_STREAMS_PER_CONNECTION))
                .concurrency_limit_per_connection(MAX_STREAMS_PER_CONNECTION as usize)
                // Counts each connection's calls, so an idle one is closed (`transport`).
                .layer(transport::TrackCalls)
                .add_service(operator)
                .add_service(replication)
                .add_service(health)
                .add_service(reflection_v1)
                .add_service(reflection_v1alpha)
                .serve_with_incoming_shutdown(incoming, shutdown.cancelled())
                .await
                .map_err(|e| Error::Unavailable(format!("server: {e}")))
        });
        tracing::info!(agency = %config.agency, %addr, "node started");
        Ok(Node {
            addr,
            cancel,
            close_all,
            server,
            summarizer,
            consultations,
            context,
            health: health_reporter,
            metrics_addr,
        })
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// Where `/metrics` is served, if `metrics_listen` is set.
    pub fn metrics_addr(&self) -> Option<SocketAddr> {
        self.metrics_addr
    }

    /// Stops serving, closes replication, drains and closes the store. Everything
    /// acknowledged is already on disk; this only makes the stop tidy and fast.
    pub async fn shutdown(self) -> Result<()> {
        let Node {
            cancel,
            close_all,
            server,
            summarizer,
            consultations,
            context,
            health,
            ..
        } = self;
        // Load balancers and monitors see the node going before its streams close.
        health.set_not_serving::<OperatorServer<OperatorApi>>().await;
        health.set_not_serving::<ReplicationServer<ReplicationApi>>().await;
        context.replicator.shutdown().await;
        cancel.cancel();
        let served = drain(server, close_all).await;
        context.screening.stopped().await;
        let _ = summarizer.await;
        let _ = consultations.await;
        context.audit_unitemized().await;
        let store = context.store.clone();
        drop(context);
        tokio::task::spawn_blocking(move || store.shutdown())
            .await
            .map_err(|e| Error::Internal(format!("store shutdown: {e}")))?;
        served
    }
}

/// Writes the summaries of refusals not itemized, every `SUMMARY_EVERY` until `cancel`
/// (shutdown writes the last ones).
async fn summarize_refusals(context: Arc<Context>, cancel: CancellationToken) {
    let mut tick = tokio::time::interval(crate::api::refusals::SUMMARY_EVERY);
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tick.tick() => context.audit_unitemized().await,
        }
    }
}

/// Waits for open connections to finish their calls, for `DRAIN_TIMEOUT` at most, then
/// closes them: a client that keeps a stream open (or a peer that stopped reading) cannot
/// hold the node up, nor keep the store open after it.
async fn drain(mut server: JoinHandle<Result<()>>, close_all: CancellationToken) -> Result<()> {
    let joined = match tokio::time::timeout(DRAIN_TIMEOUT, &mut server).await {
        Ok(joined) => joined,
        Err(_) => {
            tracing::warn!("connections still open {DRAIN_TIMEOUT:?} after shutdown began; closing them");
            close_all.cancel();
            server.await
        }
    };
    joined.map_err(|e| Error::Internal(format!("server task: {e}")))?
}

/// Serves `/metrics` until `cancel`. The scrape holds the context weakly, so a lingering
/// scrape connection never keeps the store open after shutdown.
async fn serve_metrics(addr: SocketAddr, context: &Arc<Context>, cancel: CancellationToken) -> Result<SocketAddr> {
    let listener = crate::metrics::bind(addr).await?;
    let bound = transport::local_addr(&listener)?;
    let weak = Arc::downgrade(context);
    let refresh = Arc::new(move || {
        if let Some(context) = weak.upgrade() {
            context.refresh_metrics();
        }
    });
    tokio::spawn(crate::metrics::serve(
        listener,
        context.metrics.clone(),
        refresh,
        cancel,
    ));
    tracing::info!(addr = %bound, "serving metrics");
    Ok(bound)
}

async fn open_store(config: &Config, own_records: OwnRecordsAtStart, metrics: &Metrics) -> Result<Store> {
    let settings = WriterSettings {
        agency: config.agency.clone(),
        signer: Signer::load(&config.signing.key, &config.signing.key_id)?,
        max_clock_skew: config.max_clock_skew,
        clock_ahead: config.clock_ahead,
        max_record_bytes: config.limits.max_record_bytes,
        flush_seconds: metrics.flush_seconds.clone(),
        own_records,
        cache_bytes: config.limits.store_cache_bytes,
    };
    let keyring = config.keyring()?;
    if !keyring.matches(
        &config.agency,
        settings.signer.key_id(),
        &settings.signer.public_key_base64(),
    ) {
        return Err(Error::config(format!(
            "signing.key does not match the public key listed for {}/{}",
            config.agency,
            settings.signer.key_id()
        )));
    }
    let dir = config.data_dir.clone();
    tokio::task::spawn_blocking(move || Store::open(&dir, settings))
        .await
        .map_err(|e| Error::Internal(format!("store open task: {e}")))?
}

/// Teaches admission every key announced in `_keys` so far, in timestamp order.
async fn learn_keys(store: &Store, policy: &Policy) -> Result<()> {
    let mut announcements = store
        .read(|s| s.list(crate::records::KEYS_COLLECTION, "", "", usize::MAX, usize::MAX))
        .await?
        .records;
    announcements.sort_by_key(|e| e.header().hlc);
    announcements.iter().try_for_each(|e| policy.learn(e))
}

/// gRPC server reflection (v1 and the v1alpha that many clients still ask for), so generic
/// tools (grpcurl, Postman, Python's grpcio) can discover the services. Callers still need
/// a certificate of our CA.
fn reflection_services() -> Result<(
    tonic_reflection::server::v1::ServerReflectionServer<impl tonic_reflection::server::v1::ServerReflection>,
    tonic_reflection::server::v1alpha::ServerReflectionServer<impl tonic_reflection::server::v1alpha::ServerReflection>,
)> {
    let builder = || {
        tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(crate::proto::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
    };
    let error = |e: tonic_reflection::server::Error| Error::Internal(format!("reflection: {e}"));
    Ok((
        builder().build_v1().map_err(error)?,
        builder().build_v1alpha().map_err(error)?,
    ))
}

/// Names the rayon pool (signing and verification) so `top -H` and profiles tell it apart
/// from the thread that happened to start it. Only the first node of a process gets to.
fn name_crypto_threads() {
    let _ = rayon::ThreadPoolBuilder::new()
        .thread_name(|i| format!("fedx-crypto-{i}"))
        .build_global();
}
