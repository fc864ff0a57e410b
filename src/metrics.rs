//! Prometheus metrics: counters updated where things happen, gauges read from the store
//! snapshot and the replicator at scrape time, served as OpenMetrics text on
//! `metrics_listen` (plain HTTP: bind it to loopback or a monitoring network).
//! The metric names are documented in docs/operations.md.

use std::net::SocketAddr;
use std::sync::Arc;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;
use std::sync::atomic::AtomicU64;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::error::{Error, Refusal, Result};

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CollectionLabel {
    pub collection: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PeerLabel {
    pub peer: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct PeerState {
    pub peer: String,
    pub state: String,
}

/// `direction`: inbox (we denied) or outbox (we asked); `state`: open or no_reply.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ConsultationLabel {
    pub direction: String,
    pub state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Ingested {
    pub peer: String,
    /// `stored` or `duplicate`.
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Refused {
    /// `peer:AGENCY` for replicated records, `local` for our own operators' writes.
    pub source: String,
    pub reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    pub outcome: String,
}

/// Every metric a node exports. Cheap to clone (the metrics are shared handles).
#[derive(Clone)]
pub struct Metrics {
    registry: Arc<Registry>,
    pub collection_records: Family<CollectionLabel, Gauge>,
    pub ingested: Family<Ingested, Counter>,
    pub refused: Family<Refused, Counter>,
    pub local_writes: Family<OutcomeLabel, Counter>,
    pub peer_lag_records: Family<PeerLabel, Gauge>,
    pub peer_lag_seconds: Family<PeerLabel, Gauge<f64, AtomicU64>>,
    pub peer_state: Family<PeerState, Gauge>,
    pub consultations: Family<ConsultationLabel, Gauge>,
    pub flush_seconds: Histogram,
    pub screen_seconds: Histogram,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    pub fn new() -> Self {
        let metrics = Metrics {
            registry: Arc::new(Registry::default()),
            collection_records: Family::default(),
            ingested: Family::default(),
            refused: Family::default(),
            local_writes: Family::default(),
            peer_lag_records: Family::default(),
            peer_lag_seconds: Family::default(),
            peer_state: Family::default(),
            consultations: Family::default(),
            // 50 µs .. ~0.8 s
            flush_seconds: Histogram::new(exponential_buckets(0.000_05, 2.0, 15)),
            // 100 µs .. ~0.8 s
            screen_seconds: Histogram::new(exponential_buckets(0.000_1, 2.0, 14)),
        };
        let m = &metrics;
        let mut registry = Registry::with_prefix("fedx");
        registry.register(
            "collection_records",
            "Ids with a current version, per collection",
            m.collection_records.clone(),
        );
        registry.register(
            "ingest_records",
            "Replicated records admitted from each peer (stored or duplicate)",
            m.ingested.clone(),
        );
        registry.register(
            "refused_records",
            "Records refused at ingest or local write, by source and reason",
            m.refused.clone(),
        );
        registry.register(
            "local_writes",
            "Our operators' writes by outcome (created, updated, unchanged, failed)",
            m.local_writes.clone(),
        );
        registry.register(
            "peer_lag_records",
            "Records a peer holds that we do not, from its advertised heads",
            m.peer_lag_records.clone(),
        );
        registry.register(
            "peer_lag_seconds",
            "How long we have been behind a peer (0 when caught up)",
            m.peer_lag_seconds.clone(),
        );
        registry.register(
            "peer_stream_state",
            "1 for each peer's current stream state (connecting, connected, backoff)",
            m.peer_state.clone(),
        );
        registry.register(
            "consultations",
            "Consultations we are party to and not closed, by direction and state (open includes no_reply)",
            m.consultations.clone(),
        );
        registry.register(
            "store_flush_seconds",
            "Duration of each store flush (group commit)",
            m.flush_seconds.clone(),
        );
        registry.register(
            "screen_seconds",
            "Duration of each screening query",
            m.screen_seconds.clone(),
        );
        Metrics {
            registry: Arc::new(registry),
            ..metrics
        }
    }

    pub fn count_refusal(&self, source: &str, error: &Error) {
        let reason = match error {
            Error::Refused { reason, .. } => reason.as_str(),
            Error::InvalidArgument(_) => Refusal::InvalidContent.as_str(),
            _ => "other",
        };
        let labels = Refused {
            source: source.to_string(),
            reason: reason.to_string(),
        };
        self.refused.get_or_create(&labels).inc();
    }

    pub fn count_ingest(&self, peer: &str, stored: usize, duplicates: usize) {
        for (outcome, n) in [("stored", stored), ("duplicate", duplicates)] {
            let labels = Ingested {
                peer: peer.to_string(),
                outcome: outcome.to_string(),
            };
            self.ingested.get_or_create(&labels).inc_by(n as u64);
        }
    }

    /// The registry as OpenMetrics text.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Serves `GET /metrics` on `listener` until `cancel`; `refresh` updates the scrape-time
/// gauges first.
pub async fn serve(
    listener: TcpListener,
    metrics: Metrics,
    refresh: Arc<dyn Fn() + Send + Sync>,
    cancel: CancellationToken,
) {
    loop {
        let stream = tokio::select! {
            _ = cancel.cancelled() => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(e) => {
                    tracing::warn!(error = %e, "metrics: accept failed");
                    continue;
                }
            },
        };
        let (metrics, refresh) = (metrics.clone(), refresh.clone());
        tokio::spawn(async move {
            let service = service_fn(move |request: hyper::Request<hyper::body::Incoming>| {
                let response = scrape(request.uri().path(), &metrics, refresh.as_ref());
                async move { Ok::<_, std::convert::Infallible>(response) }
            });
            let served = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await;
            if let Err(e) = served {
                tracing::debug!(error = %e, "metrics connection ended");
            }
        });
    }
}

fn scrape(path: &str, metrics: &Metrics, refresh: &(dyn Fn() + Send + Sync)) -> hyper::Response<Full<Bytes>> {
    let (status, content_type, body) = if path == "/metrics" {
        refresh();
        (
            200,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
            metrics.encode(),
        )
    } else {
        (404, "text/plain", "see /metrics\n".to_string())
    };
    let mut response = hyper::Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::NOT_FOUND);
    if let Ok(value) = hyper::header::HeaderValue::from_str(content_type) {
        response.headers_mut().insert(hyper::header::CONTENT_TYPE, value);
    }
    response
}

/// Binds the metrics listener (a configuration error if the address is taken).
pub async fn bind(addr: SocketAddr) -> Result<TcpListener> {
    TcpListener::bind(addr)
        .await
        .map_err(|e| Error::config(format!("cannot listen for metrics on {addr}: {e}")))
}
