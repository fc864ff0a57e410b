//! How refusals reach the audit log, on every path (refused calls, records refused from a
//! peer's stream or through anti-entropy, records the store writer refuses): itemized, one
//! entry each, up to a rate per caller; beyond it counted, and written as one summary entry
//! per caller each second. A caller or peer that floods bad input cannot flood the audit
//! log, and every refusal is still accounted for (metrics count each one too).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::Error;
use crate::store::{AuditEvent, Store};

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

impl Bucket {
    fn full(now: Instant) -> Self {
        Bucket {
            tokens: BURST,
            refilled: now,
            unitemized: 0,
        }
    }

    fn refill(&mut self, now: Instant) {
        let refill = now.duration_since(self.refilled).as_secs_f64() * PER_SECOND;
        self.tokens = (self.tokens + refill).min(BURST);
        self.refilled = now;
    }
}

impl RefusalAudit {
    /// Whether this refusal by `actor` gets its own audit entry; if not, it is counted
    /// for the next summary.
    pub fn itemize(&self, actor: &str) -> bool {
        self.itemize_many(actor, 1) == 1
    }

    /// How many of `count` refusals by `actor` get their own audit entry (the first ones);
    /// the rest are counted for the next summary.
    pub fn itemize_many(&self, actor: &str, count: usize) -> usize {
        let mut callers = self.callers.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        let bucket = callers.entry(actor.to_string()).or_insert_with(|| Bucket::full(now));
        bucket.refill(now);
        let itemized = (bucket.tokens.max(0.0).floor() as usize).min(count);
        bucket.tokens -= itemized as f64;
        bucket.unitemized += (count - itemized) as u64;
        itemized
    }

    /// Audits the refusals of `actor` (`(target, error)` each), as many itemized as its
    /// allowance holds; the rest go into its next summary.
    pub async fn record<'a>(
        &self,
        store: &Store,
        actor: &str,
        refusals: impl IntoIterator<Item = (&'a str, &'a Error)>,
    ) {
        let refusals: Vec<_> = refusals.into_iter().collect();
        let itemized = self.itemize_many(actor, refusals.len());
        if itemized == 0 {
            return;
        }
        let events = refusals[..itemized]
            .iter()
            .map(|(target, error)| AuditEvent::refusal(actor, target, error))
            .collect();
        if let Err(e) = store.record(events, None).await {
            tracing::error!(error = %e, "cannot audit refusals");
        }
    }

    /// Writes one entry per caller with refusals not itemized since the last call.
    pub async fn record_summaries(&self, store: &Store) {
        let events = self.summaries();
        if events.is_empty() {
            return;
        }
        if let Err(e) = store.record(events, None).await {
            tracing::error!(error = %e, "cannot audit unitemized refusals");
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

    #[test]
    fn a_batch_of_refusals_takes_what_the_allowance_holds() {
        let audit = RefusalAudit::default();
        assert_eq!(audit.itemize_many("peer:FR-SBDU", 150), 150);
        let itemized = audit.itemize_many("peer:FR-SBDU", 512);
        assert!((50..=51).contains(&itemized), "{itemized}");
        let summaries = audit.summaries();
        assert!(
            summaries[0].detail.starts_with(&format!("{} more", 512 - itemized)),
            "{summaries:?}"
        );
    }
}
