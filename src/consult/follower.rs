//! What a node does in consultations by itself: it announces its sealing keys (so partners
//! can seal to it), and acknowledges each consultation opened with it as soon as the open
//! step has arrived, so the requesting authority sees receipt.

use std::sync::Arc;
use std::time::Duration;

use tokio_util::sync::CancellationToken;

use super::book::{self, Between};
use super::keys::OwnKeys;
use crate::error::Result;
use crate::metrics::{ConsultationLabel, Metrics};
use crate::proto::record_body::Kind;
use crate::proto::{
    Consultation, ConsultationAck, ConsultationCounts, ConsultationState, ConsultationStep, RecordBody, SealingKey,
    consultation_step,
};
use crate::records::{Policy, SEALING_KEYS_COLLECTION};
use crate::store::{LocalWrite, Store};

/// How often the follower looks again when nothing changed (a refused write, e.g. while
/// our own writes are held, is retried then).
const RETRY: Duration = Duration::from_secs(2);
/// The audit actor of what the node writes by itself.
const ACTOR: &str = "node:consultations";

/// Announces our sealing keys now, before the node serves, so a partner can seal to us from
/// our first answer on. While our own writes are held (a store waiting for a peer's word)
/// this does nothing and `run` announces them once the hold lifts.
pub async fn announce_at_start(store: &Store, policy: &Policy, keys: &Arc<OwnKeys>) {
    if !store.write_holds(policy.agency()).is_empty() {
        return;
    }
    let (us, keys) = (policy.agency().to_string(), keys.clone());
    let announced = async {
        let writes = store.read(move |store| announcements(store, &us, &keys)).await?;
        if writes.is_empty() {
            return Ok(());
        }
        store
            .put(writes, ACTOR.into())
            .await?
            .into_iter()
            .try_for_each(|r| r.map(drop))
    };
    if let Err(e) = announced.await {
        tracing::warn!(error = %e, "sealing keys: not announced at start, will retry");
    }
}

pub async fn run(store: Store, policy: Arc<Policy>, keys: Arc<OwnKeys>, metrics: Metrics, cancel: CancellationToken) {
    let mut snapshots = store.subscribe();
    loop {
        if let Err(e) = step(&store, &policy, &keys, &metrics).await {
            tracing::debug!(error = %e, "consultation follower: will retry");
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = snapshots.changed() => {}
            _ = tokio::time::sleep(RETRY) => {}
        }
    }
}

async fn step(store: &Store, policy: &Arc<Policy>, keys: &Arc<OwnKeys>, metrics: &Metrics) -> Result<()> {
    let (reader, policy_, keys_, metrics) = (store.clone(), policy.clone(), keys.clone(), metrics.clone());
    let writes = store
        .read(move |_| {
            let us = policy_.agency();
            let consultations = book::all(&reader, &keys_, us, chrono::Utc::now())?;
            publish(&metrics, book::counts(&consultations));
            let mut writes = announcements(&reader, us, &keys_)?;
            writes.extend(acknowledgements(&reader, us, &consultations)?);
            for write in &writes {
                if let LocalWrite::Put { collection, id, body } = write {
                    policy_.check_own_write(collection, id, body)?;
                }
            }
            Ok(writes)
        })
        .await?;
    if writes.is_empty() {
        return Ok(());
    }
    for result in store.put(writes, ACTOR.into()).await? {
        result?;
    }
    Ok(())
}

/// Our sealing keys not yet announced under `<us>/<key id>`.
fn announcements(store: &Store, us: &str, keys: &OwnKeys) -> Result<Vec<LocalWrite>> {
    keys.reload();
    let mut writes = Vec::new();
    for (key_id, public_key) in keys.public_keys() {
        let id = format!("{us}/{key_id}");
        let held = store.get(SEALING_KEYS_COLLECTION, &id)?;
        let same = held
            .as_ref()
            .and_then(|e| e.record.body.as_ref())
            .and_then(|b| b.kind.as_ref());
        if matches!(same, Some(Kind::SealingKey(k)) if k.public_key == public_key) {
            continue;
        }
        writes.push(LocalWrite::Put {
            collection: SEALING_KEYS_COLLECTION.into(),
            id,
            body: Box::new(RecordBody {
                kind: Some(Kind::SealingKey(SealingKey { key_id, public_key })),
            }),
        });
    }
    Ok(writes)
}

/// The consultation gauges, as of this look.
fn publish(metrics: &Metrics, counts: ConsultationCounts) {
    let gauges = [
        ("inbox", "open", counts.open_inbox),
        ("outbox", "open", counts.open_outbox),
        ("inbox", "no_reply", counts.no_reply_inbox),
        ("outbox", "no_reply", counts.no_reply_outbox),
    ];
    for (direction, state, count) in gauges {
        let label = ConsultationLabel {
            direction: direction.into(),
            state: state.into(),
        };
        metrics.consultations.get_or_create(&label).set(i64::from(count));
    }
}

/// An acknowledgement for each consultation opened with us that we have not acknowledged.
fn acknowledgements(store: &Store, us: &str, consultations: &[Consultation]) -> Result<Vec<LocalWrite>> {
    let mut writes = Vec::new();
    for consultation in consultations {
        let awaiting_ack = consultation.denier == us
            && matches!(
                consultation.state(),
                ConsultationState::Open | ConsultationState::NoReply
            )
            && !consultation.events.iter().any(|e| e.step == "ack" && e.author == us);
        if !awaiting_ack {
            continue;
        }
        let between = Between {
            id: consultation.id.clone(),
            requester: consultation.requester.clone(),
            denier: consultation.denier.clone(),
        };
        let ack = ConsultationStep {
            step: Some(consultation_step::Step::Ack(ConsultationAck {})),
        };
        writes.push(book::write_step(store, us, &between, &ack)?);
    }
    Ok(writes)
}
