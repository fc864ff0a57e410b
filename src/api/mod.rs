//! The gRPC services: `Operator` for our own agency's operators and applications,
//! `Replication` for peer nodes. Every call first establishes who is calling from the
//! client certificate and refuses the wrong role; refusals are audited.

mod operator;
mod peer;
pub mod status;

use std::sync::Arc;

pub use operator::OperatorApi;
pub use peer::ReplicationApi;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::records::Policy;
use crate::replication::Replicator;
use crate::store::{AuditEvent, Store};
use crate::transport::{self, Caller, Role};

/// What the services share.
pub struct Context {
    pub config: Arc<Config>,
    pub policy: Arc<Policy>,
    pub store: Store,
    pub replicator: Replicator,
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
    async fn peer<T>(&self, request: &tonic::Request<T>) -> Result<Caller> {
        let caller = transport::caller(request)?;
        if caller.role == Role::Node && self.replicator.is_peer(&caller.agency) {
            return Ok(caller);
        }
        let error = Error::PermissionDenied(format!("{caller} is not a peer of this node"));
        self.audit_refusal(&caller.to_string(), "Replicate", &error).await;
        Err(error)
    }

    async fn audit_refusal(&self, actor: &str, target: &str, error: &Error) {
        if let Err(e) = self
            .store
            .record(vec![AuditEvent::refusal(actor, target, error)], None)
            .await
        {
            tracing::error!(error = %e, "cannot audit a refusal");
        }
    }
}
