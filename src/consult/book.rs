//! The consultations this node takes part in, read from the `_consultations` collection
//! (opening our copy of each step), and the sealed records of new steps.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::channel::{self, Recipient};
use super::keys::{self, OwnKeys};
use super::state::{self, Parties, Step};
use crate::error::{Error, Result};
use crate::proto::record_body::Kind;
use crate::proto::{Consultation, ConsultationCounts, ConsultationState, ConsultationStep, RecordBody, SealedStep};
use crate::records::{CONSULTATIONS_COLLECTION, Envelope};
use crate::store::{LocalWrite, Store};

/// Who a consultation is between.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Between {
    pub id: String,
    pub requester: String,
    pub denier: String,
}

/// Every consultation we are a party to, as it stands `today`.
pub fn all(store: &Store, keys: &OwnKeys, us: &str, now: DateTime<Utc>) -> Result<Vec<Consultation>> {
    let mut steps: BTreeMap<String, (Between, Vec<Step>)> = BTreeMap::new();
    store.each(CONSULTATIONS_COLLECTION, "", |envelope| {
        if let Some(sealed) = sealed_step(envelope)
            && (sealed.requester == us || sealed.denier == us)
        {
            let between = Between {
                id: sealed.consultation.clone(),
                requester: sealed.requester.clone(),
                denier: sealed.denier.clone(),
            };
            let entry = steps
                .entry(between.id.clone())
                .or_insert_with(|| (between.clone(), Vec::new()));
            // Steps must agree on who the consultation is between; one that does not is shown,
            // not counted.
            let step = opened(envelope, sealed, us, keys);
            entry.1.push(if entry.0 == between {
                step
            } else {
                Step {
                    content: Err("names other parties than the consultation".into()),
                    ..step
                }
            });
        }
    })?;
    Ok(steps
        .into_values()
        .map(|(between, steps)| {
            let parties = Parties {
                id: &between.id,
                requester: &between.requester,
                denier: &between.denier,
                us,
            };
            state::fold(&parties, steps, now)
        })
        .collect())
}

/// How many of our consultations are not closed, and of those past their reply-by time.
pub fn counts(consultations: &[Consultation]) -> ConsultationCounts {
    let mut counts = ConsultationCounts::default();
    for c in consultations.iter().filter(|c| c.state() != ConsultationState::Closed) {
        let silent = u32::from(c.state() == ConsultationState::NoReply);
        if c.inbox {
            counts.open_inbox += 1;
            counts.no_reply_inbox += silent;
        } else {
            counts.open_outbox += 1;
            counts.no_reply_outbox += silent;
        }
    }
    counts
}

/// One consultation, if we are a party to it.
pub fn find(store: &Store, keys: &OwnKeys, us: &str, id: &str, now: DateTime<Utc>) -> Result<Consultation> {
    all(store, keys, us, now)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or_else(|| Error::NotFound(format!("no consultation {id:?} of ours on this node")))
}

fn sealed_step(envelope: &Envelope) -> Option<&SealedStep> {
    match envelope.record.body.as_ref()?.kind.as_ref()? {
        Kind::SealedStep(step) => Some(step),
        _ => None,
    }
}

fn opened(envelope: &Envelope, sealed: &SealedStep, us: &str, keys: &OwnKeys) -> Step {
    let header = envelope.header();
    Step {
        record_id: header.id.clone(),
        author: header.author.clone(),
        hlc: header.hlc,
        version_hash: hex::encode(envelope.hash),
        content: channel::open_step(sealed, &header.author, &header.id, us, keys).map_err(|e| e.to_string()),
    }
}

/// The record of a new step by us, sealed to both authorities with their announced keys.
pub fn write_step(store: &Store, us: &str, between: &Between, step: &ConsultationStep) -> Result<LocalWrite> {
    let (name, _) = state::describe(step);
    let id = format!("{us}/{}/{name}-{:08x}", between.id, rand::random::<u32>());
    let key_of = |agency: &str| {
        keys::announced(store, agency)?.ok_or_else(|| {
            Error::FailedPrecondition(format!(
                "{agency} has not announced a sealing key yet (its node announces one when it starts); retry once it has replicated"
            ))
        })
    };
    let (requester_key, denier_key) = (key_of(&between.requester)?, key_of(&between.denier)?);
    let envelope = channel::Envelope {
        consultation: &between.id,
        requester: &between.requester,
        denier: &between.denier,
        author: us,
        record_id: &id,
    };
    let recipients = [
        Recipient {
            agency: &between.requester,
            key_id: &requester_key.0,
            public_key: &requester_key.1,
        },
        Recipient {
            agency: &between.denier,
            key_id: &denier_key.0,
            public_key: &denier_key.1,
        },
    ];
    let sealed = channel::seal_step(step, &envelope, recipients)?;
    Ok(LocalWrite::Put {
        collection: CONSULTATIONS_COLLECTION.into(),
        id,
        body: Box::new(RecordBody {
            kind: Some(Kind::SealedStep(sealed)),
        }),
    })
}

/// A new consultation id: `C-` and 16 random hex digits.
pub fn new_id() -> String {
    format!("C-{:016x}", rand::random::<u64>())
}
