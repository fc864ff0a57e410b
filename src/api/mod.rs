//! The gRPC services: `Operator` for our own agency's operators and applications,
//! `Replication` for peer nodes. Every call first establishes who is calling from the
//! client certificate and refuses the wrong role; refusals are audited.

mod bundle;
mod check;
pub mod codec;
mod consult;
mod input;
mod operator;
pub mod pages;
mod peer;
pub mod refusals;
mod replies;
mod screen;
pub mod status;

use std::sync::Arc;

pub use operator::OperatorApi;
pub use peer::ReplicationApi;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::records::Policy;
use crate::replication::Replicator;
use crate::store::Store;
use crate::transport::{self, Caller, Role};

/// What the services share.
pub struct Context {
    pub config: Arc<Config>,
    pub policy: Arc<Policy>,
    /// Our sealing keys: what opens the consultation steps sealed to us.
    pub sealing_keys: Arc<crate::consult::keys::OwnKeys>,
    pub store: Store,
    pub replicator: Replicator,
    pub metrics: crate::metrics::Metrics,
    pub screening: crate::screening::live::Screening,
    pub refusals: Arc<refusals::RefusalAudit>,
    /// Turns for `List` and `Fetch` (see `pages`).
    pub heavy_reads: pages::HeavyReads,
}

impl Context {
    /// The caller, if it is an operator of our own agency.
    async fn operator<T>(&self, request: &tonic::Request<T>, method: &str) -> Result<Caller> {
        let caller = transport::caller(request)?;
        if caller.role == Role::Operator && caller.agency == self.config.agency {
            return Ok(caller);
        }
        let error = Error::PermissionDenied(format!("{caller} may not call {method} on this node"));
        self.audit_refusal(&caller.to_string(), method, &error).await;
        Err(error)
    }

    /// The caller, if it is the node of an agency we peer with.
    async fn peer<T>(&self, request: &tonic::Request<T>, method: &str) -> Result<Caller> {
        let caller = transport::caller(request)?;
        if caller.role == Role::Node && self.replicator.is_peer(&caller.agency) {
            return Ok(caller);
        }
        let error = Error::PermissionDenied(format!("{caller} is not a peer of this node"));
        self.audit_refusal(&caller.to_string(), method, &error).await;
        Err(error)
    }

    /// Sets the scrape-time gauges from the store snapshot and the replicator.
    pub fn refresh_metrics(&self) {
        let metrics = &self.metrics;
        for (name, stats) in &self.store.snapshot().collections {
            let labels = crate::metrics::CollectionLabel {
                collection: name.clone(),
            };
            metrics
                .collection_records
                .get_or_create(&labels)
                .set(stats.records as i64);
        }
        for (peer, status) in self.replicator.status() {
            let label = crate::metrics::PeerLabel {
                peer: peer.agency.clone(),
            };
            metrics
                .peer_lag_records
                .get_or_create(&label)
                .set(status.lag_records as i64);
            let behind = status.behind_since.map_or(0.0, |since| since.elapsed().as_secs_f64());
            metrics.peer_lag_seconds.get_or_create(&label).set(behind);
            for state in crate::replication::LinkState::ALL {
                let labels = crate::metrics::PeerState {
                    peer: peer.agency.clone(),
                    state: state.as_str().into(),
                };
                metrics
                    .peer_state
                    .get_or_create(&labels)
                    .set(i64::from(status.state == state));
            }
        }
    }

    /// Refuses a call whose input fails `checks`, audited like any refused call.
    async fn check_input(&self, caller: &Caller, method: &str, checks: Result<()>) -> Result<(), tonic::Status> {
        if let Err(error) = checks {
            self.audit_refusal(&caller.to_string(), method, &error).await;
            return Err(error.into());
        }
        Ok(())
    }

    async fn audit_refusal(&self, actor: &str, target: &str, error: &Error) {
        self.metrics.count_refusal("local", error);
        self.refusals.record(&self.store, actor, [(target, error)]).await;
    }

    /// Writes the summaries of refusals not itemized (see `refusals`).
    pub async fn audit_unitemized(&self) {
        self.refusals.record_summaries(&self.store).await;
    }
}
