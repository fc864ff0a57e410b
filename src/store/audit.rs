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
        AuditEvent {
            actor: actor.to_string(),
            action: format!("refuse:{}", error.refusal_name()),
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

/// The outcome of walking the audit chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verification {
    /// Every entry checks out; `head` is the last entry's hash.
    Intact { entries: u64, head: String },
    /// The first entry that does not: its sequence number and what is wrong.
    Broken { entries: u64, seq: u64, problem: String },
}

/// Checks (key seq, stored bytes) pairs in key order.
pub fn verify(entries: impl Iterator<Item = Result<(u64, Vec<u8>), Error>>) -> Result<Verification, Error> {
    let mut prev = String::new();
    let mut checked = 0;
    for item in entries {
        let (seq, bytes) = item?;
        let broken = |problem: String| Verification::Broken {
            entries: checked,
            seq,
            problem,
        };
        let entry: AuditEntry = match serde_json::from_slice(&bytes) {
            Ok(entry) => entry,
            Err(e) => return Ok(broken(format!("entry does not decode: {e}"))),
        };
        if entry.seq != seq || seq != checked + 1 {
            return Ok(broken(format!(
                "entry numbered {} where {} was expected",
                entry.seq,
                checked + 1
            )));
        }
        if entry.prev != prev {
            return Ok(broken("its link to the previous entry does not match".into()));
        }
        if entry.compute_hash() != entry.hash {
            return Ok(broken("its content does not match its hash (altered)".into()));
        }
        prev = entry.hash;
        checked += 1;
    }
    Ok(Verification::Intact {
        entries: checked,
        head: prev,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: u64) -> Vec<(u64, Vec<u8>)> {
        let mut prev = String::new();
        (1..=n)
            .map(|seq| {
                let event = AuditEvent {
                    actor: "node".into(),
                    action: "write".into(),
                    target: format!("c/{seq}"),
                    detail: String::new(),
                };
                let entry = AuditEntry::new(seq, event, prev.clone());
                prev = entry.hash.clone();
                (seq, serde_json::to_vec(&entry).unwrap())
            })
            .collect()
    }

    fn check(entries: Vec<(u64, Vec<u8>)>) -> Verification {
        verify(entries.into_iter().map(Ok)).unwrap()
    }

    #[test]
    fn an_intact_chain_verifies_and_any_change_is_named() {
        assert!(matches!(check(chain(5)), Verification::Intact { entries: 5, .. }));

        let mut altered = chain(5);
        altered[2].1 = String::from_utf8(altered[2].1.clone())
            .unwrap()
            .replace("c/3", "c/X")
            .into_bytes();
        assert!(matches!(check(altered), Verification::Broken { seq: 3, .. }));

        let mut removed = chain(5);
        removed.remove(1);
        assert!(matches!(check(removed), Verification::Broken { seq: 3, .. }));

        let mut garbage = chain(5);
        garbage[4].1 = b"not json".to_vec();
        assert!(matches!(check(garbage), Verification::Broken { seq: 5, .. }));
    }
}
