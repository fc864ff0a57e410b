//! The audit log: append-only entries, each hash-chained to the one before, so altering or
//! removing an entry breaks every hash after it.

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::records::sha256;

/// Something worth recording: an accepted write, a refusal, an admin action.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditEvent {
    /// Who: `operator:DE-BAFA`, `peer:FR-SBDU`, `node`.
    pub actor: String,
    /// What: `put`, `revoke`, `ingest`, `refuse:bad_signature`, `peers.add`...
    pub action: String,
    /// On what: `collection/id`, a peer, ...
    pub target: String,
    pub detail: String,
}

impl AuditEvent {
    /// A refused record or request: `action` is `refuse:<reason>`.
    pub fn refusal(actor: &str, target: &str, error: &Error) -> Self {
        let reason = match error {
            Error::Refused { reason, .. } => reason.as_str(),
            Error::PermissionDenied(_) => "permission_denied",
            Error::Unauthenticated(_) => "unauthenticated",
            _ => "invalid_argument",
        };
        AuditEvent {
            actor: actor.to_string(),
            action: format!("refuse:{reason}"),
            target: target.to_string(),
            detail: error.to_string(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct AuditEntry {
    pub seq: u64,
    /// Wall-clock time, RFC 3339.
    pub time: String,
    #[serde(flatten)]
    pub event: AuditEvent,
    /// Hex hash of the previous entry ("" for the first).
    pub prev: String,
    /// Hex SHA-256 over `prev` and this entry's other fields.
    pub hash: String,
}

impl AuditEntry {
    pub fn new(seq: u64, event: AuditEvent, prev: String) -> Self {
        let mut entry = AuditEntry {
            seq,
            time: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            event,
            prev,
            hash: String::new(),
        };
        entry.hash = entry.compute_hash();
        entry
    }

    pub fn compute_hash(&self) -> String {
        let unsigned = AuditEntry {
            hash: String::new(),
            ..self.clone()
        };
        // Serializing a struct of strings cannot fail.
        let bytes = serde_json::to_vec(&unsigned).unwrap_or_default();
        hex::encode(sha256(&bytes))
    }
}
