//! The consultation RPCs (`fedctl consult`): open, list, show, reply, inform, close. Each
//! step is checked against the consultation's state (`consult::state`), sealed to the two
//! authorities and written like any of our records: signed, audited, flushed, replicated.

use std::sync::Arc;

use chrono::NaiveDate;

use super::Context;
use crate::consult::book::{self, Between};
use crate::consult::keys::OwnKeys;
use crate::consult::state;
use crate::error::{Error, Result};
use crate::licensing;
use crate::proto::consultation_step::Step as StepKind;
use crate::proto::record_body::Kind;
use crate::proto::*;
use crate::records::{Envelope, RecordKind, grants_collection, validate};
use crate::store::{LocalWrite, Store};
use crate::transport::Caller;

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// Runs `f` over our consultation book on the blocking pool (it opens sealed steps).
async fn read_book<T: Send + 'static>(
    context: &Arc<Context>,
    f: impl FnOnce(&Store, &OwnKeys, &str) -> Result<T> + Send + 'static,
) -> Result<T> {
    let (keys, us) = (context.sealing_keys.clone(), context.config.agency.clone());
    context.store.read(move |store| f(store, &keys, &us)).await
}

/// A consultation as it stands.
pub async fn show(context: &Arc<Context>, id: String) -> Result<Consultation> {
    read_book(context, move |store, keys, us| {
        book::find(store, keys, us, &id, chrono::Utc::now())
    })
    .await
}

/// How many of our consultations are open, and past their reply-by time, in and out.
pub async fn counts(context: &Arc<Context>) -> Result<ConsultationCounts> {
    let all = read_book(context, |store, keys, us| {
        book::all(store, keys, us, chrono::Utc::now())
    })
    .await?;
    Ok(book::counts(&all))
}

pub async fn list(context: &Arc<Context>, request: ConsultListRequest) -> Result<ConsultListResponse> {
    let all = read_book(context, |store, keys, us| {
        book::all(store, keys, us, chrono::Utc::now())
    })
    .await?;
    let wanted = |c: &Consultation| {
        (!request.inbox || c.inbox)
            && (!request.outbox || !c.inbox)
            && (request.state == ConsultationState::Unspecified as i32 || c.state == request.state)
            && (!request.overdue || c.overdue)
    };
    Ok(ConsultListResponse {
        consultations: all.into_iter().filter(wanted).collect(),
    })
}

/// Writes one step of ours and answers the consultation as it stands after it.
async fn write_step(
    context: &Arc<Context>,
    caller: &Caller,
    between: Between,
    step: ConsultationStep,
) -> Result<Consultation> {
    write(context, caller, between.clone(), step, Vec::new()).await?;
    show(context, between.id).await
}

/// Seals and writes a step (and any records that go with it) as one request.
async fn write(
    context: &Arc<Context>,
    caller: &Caller,
    between: Between,
    step: ConsultationStep,
    mut also: Vec<LocalWrite>,
) -> Result<Vec<PutResponse>> {
    let (store, policy, us) = (
        context.store.clone(),
        context.policy.clone(),
        context.config.agency.clone(),
    );
    let write = context
        .store
        .read(move |_| book::write_step(&store, &us, &between, &step))
        .await?;
    also.insert(0, write);
    for write in &also {
        if let LocalWrite::Put { collection, id, body } = write {
            policy.check_own_write(collection, id, body)?;
        }
    }
    let mut responses = Vec::new();
    for result in context.store.put(also, caller.to_string()).await? {
        let applied = result?;
        responses.push(PutResponse {
            header: Some(applied.header),
            current: applied.current,
            outcome: applied.outcome as i32,
        });
    }
    Ok(responses)
}

pub async fn open(context: &Arc<Context>, caller: &Caller, request: ConsultOpenRequest) -> Result<Consultation> {
    let application = request
        .application
        .ok_or_else(|| Error::invalid("application is missing"))?;
    validate::check_application(&application)?;
    if request.reason.trim().is_empty() {
        return Err(Error::invalid(
            "a reason is required: why the authority is minded to grant",
        ));
    }
    if request.denials.is_empty() {
        return Err(Error::invalid(
            "name at least one denial to consult (--denial COLLECTION/ID)",
        ));
    }
    let denials = consulted_denials(context, request.denials).await?;
    let denier = denials[0].0.header().author.clone();
    if let Some(other) = denials.iter().find(|(d, _)| d.header().author != denier) {
        return Err(Error::invalid(format!(
            "{} is by {}, {} by {denier}: open one consultation per denying authority",
            other.0.header().id,
            other.0.header().author,
            denials[0].0.header().id
        )));
    }
    let matches = denials
        .iter()
        .filter_map(|(_, d)| licensing::compare(&application, d))
        .collect();
    let regimes = denials.iter().map(|(_, denial)| denial.regime());
    let window = context.config.consultations.reply_window(regimes);
    let within = chrono::TimeDelta::from_std(window).unwrap_or(chrono::TimeDelta::MAX);
    let reply_by = chrono::Utc::now()
        .checked_add_signed(within)
        .unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC);
    let open = ConsultationOpen {
        denials: denials
            .iter()
            .map(|(envelope, denial)| ConsultedDenial {
                collection: envelope.header().collection.clone(),
                id: envelope.header().id.clone(),
                version_hash: hex::encode(envelope.hash),
                reference: denial.reference.clone(),
            })
            .collect(),
        application: Some(application),
        matches,
        reason: request.reason,
        reply_by: state::format_time(reply_by),
    };
    let between = Between {
        id: book::new_id(),
        requester: context.config.agency.clone(),
        denier,
    };
    let step = ConsultationStep {
        step: Some(StepKind::Open(open)),
    };
    write_step(context, caller, between, step).await
}

/// The named denials as held: partners' denials in force, each with its content.
async fn consulted_denials(context: &Arc<Context>, refs: Vec<DenialRef>) -> Result<Vec<(Envelope, LicenseDenial)>> {
    let (policy, store) = (context.policy.clone(), context.store.clone());
    context
        .store
        .read(move |_| {
            let mut found = Vec::new();
            for DenialRef { collection, id } in refs {
                let held = policy
                    .federation
                    .held(&collection)
                    .filter(|c| c.kind == RecordKind::LicenseDenial);
                if held.is_none() {
                    return Err(Error::NotFound(format!(
                        "no denial collection {collection:?} on this node"
                    )));
                }
                let envelope = store
                    .get(&collection, &id)?
                    .ok_or_else(|| Error::NotFound(format!("no denial {collection}/{id} on this node")))?;
                let denial = match envelope.record.body.as_ref().and_then(|b| b.kind.as_ref()) {
                    Some(Kind::LicenseDenial(d)) => d.clone(),
                    _ => return Err(Error::FailedPrecondition(format!("{collection}/{id} is deleted"))),
                };
                if envelope.header().author == policy.agency() {
                    return Err(Error::invalid(format!(
                        "{collection}/{id} is our own denial: there is no one to consult"
                    )));
                }
                if !licensing::in_force(&denial, today()) {
                    return Err(Error::FailedPrecondition(format!(
                        "{collection}/{id} is not in force (revoked, expired or past its review date)"
                    )));
                }
                found.push((envelope, denial));
            }
            Ok(found)
        })
        .await
}

fn between(view: &Consultation) -> Between {
    Between {
        id: view.id.clone(),
        requester: view.requester.clone(),
        denier: view.denier.clone(),
    }
}

pub async fn reply(context: &Arc<Context>, caller: &Caller, request: ConsultReplyRequest) -> Result<Consultation> {
    let view = show(context, request.id.clone()).await?;
    state::check_reply(&view, &context.config.agency, request.kind(), &request.reason)?;
    let step = ConsultationStep {
        step: Some(StepKind::Reply(ConsultationReply {
            kind: request.kind,
            reason: request.reason,
            denial_version_hash: String::new(),
        })),
    };
    write_step(context, caller, between(&view), step).await
}

pub async fn inform(context: &Arc<Context>, caller: &Caller, request: ConsultInformRequest) -> Result<Consultation> {
    let view = show(context, request.id.clone()).await?;
    state::check_inform(&view, &context.config.agency, &request.reason)?;
    let step = ConsultationStep {
        step: Some(StepKind::Inform(ConsultationInform { reason: request.reason })),
    };
    write_step(context, caller, between(&view), step).await
}

pub async fn close(
    context: &Arc<Context>,
    caller: &Caller,
    request: ConsultCloseRequest,
) -> Result<ConsultCloseResponse> {
    let view = show(context, request.id.clone()).await?;
    let decision = request.decision();
    state::check_close(
        &view,
        &context.config.agency,
        decision,
        &request.reason,
        request.r#override,
    )?;
    let opened = view.opened.clone().unwrap_or_default();
    let grants = if decision == CloseDecision::Granted {
        grant_notices(context, &view, &opened, &request)?
    } else {
        Vec::new()
    };
    let step = ConsultationStep {
        step: Some(StepKind::Close(ConsultationClose {
            decision: request.decision,
            reason: request.reason.clone(),
            r#override: request.r#override,
        })),
    };
    let written = write(context, caller, between(&view), step, grants).await?;
    let refused_denial = (decision == CloseDecision::Refused).then(|| refused_denial(&opened, &request.reason));
    Ok(ConsultCloseResponse {
        consultation: Some(show(context, view.id).await?),
        grant_notices: written.into_iter().skip(1).collect(),
        refused_denial,
    })
}

/// One grant notice per denial consulted, for every reader of its collection: which
/// denial, that a licence was granted after consultation, and our reasons. Nothing of the
/// consultation's own content.
fn grant_notices(
    context: &Arc<Context>,
    view: &Consultation,
    opened: &ConsultationOpen,
    request: &ConsultCloseRequest,
) -> Result<Vec<LocalWrite>> {
    let us = &context.config.agency;
    let licence = match request.licence_reference.trim() {
        "" => opened
            .application
            .as_ref()
            .map(|a| a.reference.clone())
            .unwrap_or_default(),
        given => given.to_string(),
    };
    Ok(opened
        .denials
        .iter()
        .enumerate()
        .map(|(i, denial)| LocalWrite::Put {
            collection: grants_collection(&denial.collection),
            id: format!("{us}/{}-{}", view.id, i + 1),
            body: Box::new(RecordBody {
                kind: Some(Kind::GrantNotice(GrantNotice {
                    denial_collection: denial.collection.clone(),
                    denial_id: denial.id.clone(),
                    denial_version_hash: denial.version_hash.clone(),
                    denial_reference: denial.reference.clone(),
                    denial_author: view.denier.clone(),
                    licence_reference: licence.clone(),
                    reasons: request.reason.clone(),
                    granted_date: today().to_string(),
                    granted_by: us.clone(),
                })),
            }),
        })
        .collect())
}

/// The denial we issue when we refuse after consulting: the application's transaction,
/// ready for `fedctl put` once the officer has checked it.
fn refused_denial(opened: &ConsultationOpen, reason: &str) -> RecordBody {
    let application = opened.application.clone().unwrap_or_default();
    RecordBody {
        kind: Some(Kind::LicenseDenial(LicenseDenial {
            reference: application.reference,
            regime: Regime::National as i32,
            action: DenialAction::Refusal as i32,
            control_list_entries: application.control_list_entries,
            item_description: application.item_description,
            quantity: application.quantity,
            value: application.value,
            destination_country: application.destination_country,
            consignee: application.consignee,
            end_user: application.end_user,
            intermediaries: application.intermediaries,
            stated_end_use: application.stated_end_use,
            reason: reason.to_string(),
            decision_date: today().to_string(),
            review_due_date: String::new(),
            status: DenialStatus::Active as i32,
        })),
    }
}
