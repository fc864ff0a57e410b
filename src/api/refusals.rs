//! How refused calls reach the audit log: itemized, one entry each, up to a rate per
//! caller; beyond it counted, and written as one summary entry per caller each second. A
//! caller that floods bad calls cannot flood the audit log, and every refusal is still
//! accounted for (metrics count each one too).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::store::AuditEvent;

/// Refusals itemized at once per caller, and per second after that.
const BURST: f64 = 200.0;
const PER_SECOND: f64 = 20.0;
/// How often the summaries are written.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(1);

#[derive(Default)]
pub struct RefusalAudit {
    callers: Mutex<HashMap<String, Bucket>>,
}

struct Bucket {
    tokens: f64,
    refilled: Instant,
    /// Refusals since the last summary that were not itemized.
    unitemized: u64,
}

impl RefusalAudit {
    /// Whether this refusal by `actor` gets its own audit entry; if not, it is counted
    /// for the next summary.
    pub fn itemize(&self, actor: &str) -> bool {
        let mut callers = self.callers.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let bucket = callers.entry(actor.to_string()).or_insert(Bucket {
            tokens: BURST,
            refilled: now,
            unitemized: 0,
        });
        let refill = now.duration_since(bucket.refilled).as_secs_f64() * PER_SECOND;
        bucket.tokens = (bucket.tokens + refill).min(BURST);
        bucket.refilled = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            bucket.unitemized += 1;
            false
        }
    }

    /// One entry per caller with refusals not itemized since the last call; callers whose
    /// allowance is whole again are forgotten.
    pub fn summaries(&self) -> Vec<AuditEvent> {
        let mut callers = self.callers.lock().unwrap_or_else(|p| p.into_inner());
        let mut events = Vec::new();
        for (actor, bucket) in callers.iter_mut() {
            if bucket.unitemized > 0 {
                events.push(AuditEvent {
                    actor: actor.clone(),
                    action: "refuse.unitemized".into(),
                    target: String::new(),
                    detail: format!(
                        "{} more refusals, not itemized: over {BURST} at once or {PER_SECOND} per second",
                        bucket.unitemized
                    ),
                });
                bucket.unitemized = 0;
            }
        }
        let now = Instant::now();
        callers.retain(|_, b| b.tokens + now.duration_since(b.refilled).as_secs_f64() * PER_SECOND < BURST);
        events
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flood_is_itemized_up_to_the_burst_then_summarized() {
        let audit = RefusalAudit::default();
        let itemized = (0..1000).filter(|_| audit.itemize("intruder")).count();
        assert!((200..=201).contains(&itemized), "{itemized}");
        assert!(audit.itemize("operator"), "another caller has its own allowance");
        let summaries = audit.summaries();
        assert_eq!(summaries.len(), 1);
        assert_eq!(summaries[0].actor, "intruder");
        let unitemized = 1000 - itemized;
        assert!(
            summaries[0].detail.starts_with(&format!("{unitemized} more")),
            "{:?}",
            summaries[0]
        );
        assert!(audit.summaries().is_empty(), "each refusal is summarized once");
    }
}
