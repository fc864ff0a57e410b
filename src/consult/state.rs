//! A consultation's state, folded from its steps in timestamp order, and the transitions
//! our own operators may make from it (docs/consultations.md, "Lifecycle").
//!
//! Replicated steps are never refused here (their authors signed them and every node has
//! admitted them); a step that does not fit the lifecycle is shown with the reason it was
//! ignored and changes nothing.

use chrono::{DateTime, SecondsFormat, Utc};

use crate::error::{Error, Result};
use crate::proto::consultation_step::Step as Kind;
use crate::proto::{CloseDecision, Consultation, ConsultationEvent, ConsultationState, ConsultationStep, ReplyKind};
use crate::records::hlc;

/// One step as held: who wrote it when, and what it says (or why it cannot be read).
pub struct Step {
    pub record_id: String,
    pub author: String,
    pub hlc: u64,
    pub version_hash: String,
    pub content: std::result::Result<ConsultationStep, String>,
}

/// Who the consultation is between, from our side.
pub struct Parties<'a> {
    pub id: &'a str,
    pub requester: &'a str,
    pub denier: &'a str,
    pub us: &'a str,
}

struct Fold {
    view: Consultation,
    reply_by: Option<DateTime<Utc>>,
    paused_since: Option<DateTime<Utc>>,
}

/// The wall-clock time of a record's timestamp.
pub fn time_of(hlc_time: u64) -> DateTime<Utc> {
    let since_epoch = hlc::to_duration(hlc_time);
    DateTime::from_timestamp(since_epoch.as_secs() as i64, since_epoch.subsec_nanos()).unwrap_or_default()
}

/// A reply-by time as steps and views carry it.
pub fn format_time(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// Folds the steps into the consultation as it stands at `now`.
pub fn fold(parties: &Parties, mut steps: Vec<Step>, now: DateTime<Utc>) -> Consultation {
    steps.sort_by(|a, b| (a.hlc, &a.record_id).cmp(&(b.hlc, &b.record_id)));
    let mut fold = Fold {
        view: Consultation {
            id: parties.id.to_string(),
            requester: parties.requester.to_string(),
            denier: parties.denier.to_string(),
            inbox: parties.us == parties.denier,
            ..Consultation::default()
        },
        reply_by: None,
        paused_since: None,
    };
    for step in steps {
        let mut event = ConsultationEvent {
            record_id: step.record_id.clone(),
            author: step.author.clone(),
            time: hlc::to_rfc3339(step.hlc),
            signature_verified: true,
            version_hash: step.version_hash.clone(),
            ..ConsultationEvent::default()
        };
        match &step.content {
            Err(why) => event.ignored = why.clone(),
            Ok(content) => {
                let (name, summary) = describe(content);
                event.step = name.into();
                event.summary = summary;
                if let Err(why) = fold.apply(parties, &step, content) {
                    event.ignored = why;
                }
            }
        }
        fold.view.events.push(event);
    }
    fold.finish(now)
}

impl Fold {
    fn state(&self) -> ConsultationState {
        self.view.state()
    }

    fn apply(&mut self, parties: &Parties, step: &Step, content: &ConsultationStep) -> std::result::Result<(), String> {
        let by_requester = step.author == parties.requester;
        let by_denier = step.author == parties.denier;
        let opened = self.view.opened.is_some();
        let closed = self.state() == ConsultationState::Closed;
        let on = time_of(step.hlc);
        match content.step.as_ref() {
            None => Err("an empty step".into()),
            Some(Kind::Open(open)) => {
                if !by_requester {
                    return Err("only the requesting authority opens".into());
                }
                if opened {
                    return Err("opened twice".into());
                }
                self.reply_by = DateTime::parse_from_rfc3339(&open.reply_by).ok().map(|t| t.to_utc());
                self.view.opened = Some(open.clone());
                self.view.set_state(ConsultationState::Open);
                Ok(())
            }
            Some(_) if !opened => Err("a step before the consultation was opened".into()),
            Some(_) if closed => Err("a step after the consultation was closed".into()),
            Some(Kind::Ack(_)) => {
                if !by_denier {
                    return Err("only the denying authority acknowledges".into());
                }
                if self.state() == ConsultationState::Open {
                    self.view.set_state(ConsultationState::Acknowledged);
                }
                Ok(())
            }
            Some(Kind::Reply(reply)) => {
                if !by_denier {
                    return Err("only the denying authority replies".into());
                }
                self.view.reply = reply.kind;
                if reply.kind() == ReplyKind::InformationRequested {
                    self.paused_since = Some(on);
                    self.view.set_state(ConsultationState::InformationRequested);
                } else {
                    self.resume(on);
                    self.view.set_state(ConsultationState::Replied);
                }
                Ok(())
            }
            Some(Kind::Inform(_)) => {
                if !by_requester {
                    return Err("only the requesting authority informs".into());
                }
                if self.state() != ConsultationState::InformationRequested {
                    return Err("no information was requested".into());
                }
                self.resume(on);
                self.view.set_state(ConsultationState::Acknowledged);
                Ok(())
            }
            Some(Kind::Close(close)) => {
                if !by_requester {
                    return Err("only the requesting authority closes".into());
                }
                self.view.decision = close.decision;
                self.view.set_state(ConsultationState::Closed);
                Ok(())
            }
        }
    }

    /// The reply clock stood still while information was awaited: the reply-by time moves
    /// on by as long.
    fn resume(&mut self, on: DateTime<Utc>) {
        if let (Some(since), Some(reply_by)) = (self.paused_since.take(), self.reply_by) {
            self.reply_by = Some(reply_by + (on - since).max(chrono::TimeDelta::zero()));
        }
    }

    fn finish(mut self, now: DateTime<Utc>) -> Consultation {
        if let Some(reply_by) = self.reply_by {
            self.view.reply_by = format_time(reply_by);
            let awaiting = matches!(self.state(), ConsultationState::Open | ConsultationState::Acknowledged);
            if awaiting && now > reply_by {
                self.view.overdue = true;
                self.view.set_state(ConsultationState::NoReply);
            }
        }
        self.view
    }
}

/// A step's name and a one-line summary of it.
pub fn describe(step: &ConsultationStep) -> (&'static str, String) {
    match step.step.as_ref() {
        None => ("empty", String::new()),
        Some(Kind::Open(open)) => (
            "open",
            format!(
                "{} denial(s) consulted; reply by {}: {}",
                open.denials.len(),
                open.reply_by,
                open.reason
            ),
        ),
        Some(Kind::Ack(_)) => ("ack", "received".into()),
        Some(Kind::Reply(reply)) => ("reply", format!("{}: {}", reply_name(reply.kind()), reply.reason)),
        Some(Kind::Inform(inform)) => ("inform", inform.reason.clone()),
        Some(Kind::Close(close)) => {
            let overridden = if close.r#override { " (override)" } else { "" };
            (
                "close",
                format!("{}{overridden}: {}", decision_name(close.decision()), close.reason),
            )
        }
    }
}

pub fn reply_name(kind: ReplyKind) -> &'static str {
    match kind {
        ReplyKind::NoObjection => "no_objection",
        ReplyKind::Objection => "objection",
        ReplyKind::InformationRequested => "information_requested",
        ReplyKind::DenialRevoked => "denial_revoked",
        ReplyKind::DenialAmended => "denial_amended",
        ReplyKind::Unspecified => "unspecified",
    }
}

pub fn decision_name(decision: CloseDecision) -> &'static str {
    match decision {
        CloseDecision::Granted => "granted",
        CloseDecision::Refused => "refused",
        CloseDecision::NotEssentiallyIdentical => "not_essentially_identical",
        CloseDecision::Withdrawn => "withdrawn",
        CloseDecision::Unspecified => "unspecified",
    }
}

pub fn state_name(state: ConsultationState) -> &'static str {
    match state {
        ConsultationState::Open => "open",
        ConsultationState::Acknowledged => "acknowledged",
        ConsultationState::InformationRequested => "information_requested",
        ConsultationState::Replied => "replied",
        ConsultationState::NoReply => "no_reply",
        ConsultationState::Closed => "closed",
        ConsultationState::Unspecified => "unspecified",
    }
}

fn not_closed(view: &Consultation) -> Result<()> {
    if view.state() == ConsultationState::Closed {
        return Err(Error::FailedPrecondition(format!(
            "consultation {} is closed ({})",
            view.id,
            decision_name(view.decision())
        )));
    }
    Ok(())
}

fn require_reason(reason: &str) -> Result<()> {
    if reason.trim().is_empty() {
        return Err(Error::invalid("a reason is required"));
    }
    Ok(())
}

/// May we (the denying authority) reply so?
pub fn check_reply(view: &Consultation, us: &str, kind: ReplyKind, reason: &str) -> Result<()> {
    if view.denier != us {
        return Err(Error::PermissionDenied(format!(
            "only {} (the denying authority) replies to consultation {}",
            view.denier, view.id
        )));
    }
    if kind == ReplyKind::Unspecified {
        return Err(Error::invalid("a reply kind is required"));
    }
    require_reason(reason)?;
    not_closed(view)
}

/// May we (the requesting authority) inform?
pub fn check_inform(view: &Consultation, us: &str, reason: &str) -> Result<()> {
    if view.requester != us {
        return Err(Error::PermissionDenied(format!(
            "only {} (the requesting authority) informs in consultation {}",
            view.requester, view.id
        )));
    }
    require_reason(reason)?;
    not_closed(view)?;
    if view.state() != ConsultationState::InformationRequested {
        return Err(Error::FailedPrecondition(format!(
            "consultation {} is {}: no information was requested",
            view.id,
            state_name(view.state())
        )));
    }
    Ok(())
}

/// May we (the requesting authority) close so? Granting before the denier replied and
/// before the reply-by date needs an explicit override: silence is not consent.
pub fn check_close(
    view: &Consultation,
    us: &str,
    decision: CloseDecision,
    reason: &str,
    override_: bool,
) -> Result<()> {
    if view.requester != us {
        return Err(Error::PermissionDenied(format!(
            "only {} (the requesting authority) closes consultation {}",
            view.requester, view.id
        )));
    }
    if decision == CloseDecision::Unspecified {
        return Err(Error::invalid("a decision is required"));
    }
    require_reason(reason)?;
    not_closed(view)?;
    let replied = view.state() == ConsultationState::Replied;
    let past_reply_by = view.state() == ConsultationState::NoReply;
    if decision == CloseDecision::Granted && !replied && !past_reply_by && !override_ {
        return Err(Error::FailedPrecondition(format!(
            "{} has not replied and the reply-by date {} has not passed: granting now needs --override with a reason",
            view.denier, view.reply_by
        )));
    }
    Ok(())
}

#[cfg(test)]
#[path = "state_tests.rs"]
mod tests;
