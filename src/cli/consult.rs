//! `fedctl consult open|list|show|reply|inform|close`: the consultation workflow with the
//! authority whose denial is in force (docs/consultations.md).

use std::path::PathBuf;

use clap::{Subcommand, ValueEnum};
use tonic::transport::Channel;

use super::{Failure, Output, print, table::Table};
use crate::consult::state::{decision_name, reply_name, state_name};
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

#[derive(Subcommand)]
pub enum ConsultCommand {
    /// Consult the authority that issued the denials (all by one authority).
    #[command(
        after_help = "Example: fedctl consult open --denial denials/DE-BAFA/2026-0042 \\\n  \
                            --application config/examples/application-identical.json --reason \"end user audited on site\""
    )]
    Open {
        /// A denial consulted, as COLLECTION/ID (repeat for several).
        #[arg(long = "denial", required = true, value_name = "COLLECTION/ID")]
        denials: Vec<String>,
        /// The application (proto3 JSON of fedx.v1.Application).
        #[arg(long)]
        application: PathBuf,
        /// Why we are minded to grant.
        #[arg(long)]
        reason: String,
    },
    /// Our consultations: inbox (we denied), outbox (we asked).
    #[command(after_help = "Example: fedctl consult list --inbox --overdue -o json")]
    List {
        #[arg(long, conflicts_with = "outbox")]
        inbox: bool,
        #[arg(long)]
        outbox: bool,
        /// Only consultations in this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Only those past their reply-by date without a reply.
        #[arg(long)]
        overdue: bool,
    },
    /// Every step of a consultation: author, time, signature verified.
    #[command(after_help = "Example: fedctl consult show C-3f9a0c1b2d4e5f60")]
    Show { id: String },
    /// Reply as the denying authority.
    #[command(
        after_help = "Example: fedctl consult reply C-3f9a0c1b2d4e5f60 --objection --reason \"diversion risk stands\""
    )]
    Reply {
        id: String,
        #[command(flatten)]
        kind: ReplyArg,
        #[arg(long)]
        reason: String,
    },
    /// Give the information the denying authority requested (its reply clock resumes).
    #[command(
        after_help = "Example: fedctl consult inform C-3f9a0c1b2d4e5f60 --reason \"end-user certificate attached\""
    )]
    Inform {
        id: String,
        #[arg(long)]
        reason: String,
    },
    /// Close as the requesting authority; granted publishes a grant notice to the denial's readers.
    #[command(
        after_help = "Example: fedctl consult close C-3f9a0c1b2d4e5f60 --decision granted --reason \"…\" --override"
    )]
    Close {
        id: String,
        #[arg(long, value_enum)]
        decision: DecisionArg,
        #[arg(long)]
        reason: String,
        /// Grant before the denying authority replied and before the reply-by date.
        #[arg(long = "override")]
        override_: bool,
        /// Our licence's reference for the grant notice (default: the application's).
        #[arg(long)]
        licence: Option<String>,
    },
}

#[derive(clap::Args)]
#[group(required = true, multiple = false)]
pub struct ReplyArg {
    #[arg(long)]
    no_objection: bool,
    #[arg(long)]
    objection: bool,
    #[arg(long)]
    request_info: bool,
    #[arg(long)]
    denial_revoked: bool,
    #[arg(long)]
    denial_amended: bool,
}

impl ReplyArg {
    fn kind(&self) -> ReplyKind {
        match self {
            r if r.no_objection => ReplyKind::NoObjection,
            r if r.objection => ReplyKind::Objection,
            r if r.request_info => ReplyKind::InformationRequested,
            r if r.denial_revoked => ReplyKind::DenialRevoked,
            _ => ReplyKind::DenialAmended,
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum StateArg {
    Open,
    Acknowledged,
    InformationRequested,
    Replied,
    NoReply,
    Closed,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum DecisionArg {
    Granted,
    Refused,
    NotIdentical,
    Withdrawn,
}

pub async fn run(client: &mut OperatorClient<Channel>, command: ConsultCommand, output: Output) -> Result<(), Failure> {
    match command {
        ConsultCommand::Open {
            denials,
            application,
            reason,
        } => {
            let denials = denials.iter().map(|d| denial_ref(d)).collect::<Result<_, _>>()?;
            let text = std::fs::read_to_string(&application)
                .map_err(|e| Failure::invalid(format!("cannot read {}: {e}", application.display())))?;
            let application = serde_json::from_str(&text)
                .map_err(|e| Failure::invalid(format!("{}: not an application ({e})", application.display())))?;
            let request = ConsultOpenRequest {
                denials,
                application: Some(application),
                reason,
            };
            let view = client.consult_open(request).await?.into_inner();
            print(output, &view, || format!("{}\n{}", view.id, show_text(&view)))
        }
        ConsultCommand::List {
            inbox,
            outbox,
            state,
            overdue,
        } => {
            let request = ConsultListRequest {
                inbox,
                outbox,
                state: state.map_or(ConsultationState::Unspecified, state_of) as i32,
                overdue,
            };
            let list = client.consult_list(request).await?.into_inner();
            print(output, &list, || list_text(&list))
        }
        ConsultCommand::Show { id } => {
            let view = client.consult_show(ConsultShowRequest { id }).await?.into_inner();
            print(output, &view, || show_text(&view))
        }
        ConsultCommand::Reply { id, kind, reason } => {
            let request = ConsultReplyRequest {
                id,
                kind: kind.kind() as i32,
                reason,
            };
            let view = client.consult_reply(request).await?.into_inner();
            print(output, &view, || show_text(&view))
        }
        ConsultCommand::Inform { id, reason } => {
            let view = client
                .consult_inform(ConsultInformRequest { id, reason })
                .await?
                .into_inner();
            print(output, &view, || show_text(&view))
        }
        ConsultCommand::Close {
            id,
            decision,
            reason,
            override_,
            licence,
        } => {
            let request = ConsultCloseRequest {
                id,
                decision: decision_of(decision) as i32,
                reason,
                r#override: override_,
                licence_reference: licence.unwrap_or_default(),
            };
            let closed = client.consult_close(request).await?.into_inner();
            print(output, &closed, || close_text(&closed))
        }
    }
}

fn denial_ref(text: &str) -> Result<DenialRef, Failure> {
    let (collection, id) = text
        .split_once('/')
        .ok_or_else(|| Failure::invalid(format!("--denial {text:?}: expected COLLECTION/ID")))?;
    Ok(DenialRef {
        collection: collection.into(),
        id: id.into(),
    })
}

fn state_of(state: StateArg) -> ConsultationState {
    match state {
        StateArg::Open => ConsultationState::Open,
        StateArg::Acknowledged => ConsultationState::Acknowledged,
        StateArg::InformationRequested => ConsultationState::InformationRequested,
        StateArg::Replied => ConsultationState::Replied,
        StateArg::NoReply => ConsultationState::NoReply,
        StateArg::Closed => ConsultationState::Closed,
    }
}

fn decision_of(decision: DecisionArg) -> CloseDecision {
    match decision {
        DecisionArg::Granted => CloseDecision::Granted,
        DecisionArg::Refused => CloseDecision::Refused,
        DecisionArg::NotIdentical => CloseDecision::NotEssentiallyIdentical,
        DecisionArg::Withdrawn => CloseDecision::Withdrawn,
    }
}

fn list_text(list: &ConsultListResponse) -> String {
    if list.consultations.is_empty() {
        return "no consultations".into();
    }
    let mut table = Table::new(&["ID", "BOX", "REQUESTER", "DENIER", "STATE", "REPLY", "REPLY BY"]);
    for c in &list.consultations {
        table.row(vec![
            c.id.clone(),
            if c.inbox { "inbox" } else { "outbox" }.into(),
            c.requester.clone(),
            c.denier.clone(),
            state_name(c.state()).into(),
            reply_name(c.reply()).into(),
            c.reply_by.clone(),
        ]);
    }
    table.render()
}

fn show_text(view: &Consultation) -> String {
    let mut text = format!(
        "{} {} asks {}: {}{}, reply by {}\n",
        view.id,
        view.requester,
        view.denier,
        state_name(view.state()),
        if view.state() == ConsultationState::Closed {
            format!(" ({})", decision_name(view.decision()))
        } else {
            String::new()
        },
        view.reply_by
    );
    let mut table = Table::new(&["TIME", "AUTHOR", "STEP", "SIGNED", "SUMMARY"]);
    for e in &view.events {
        let summary = match e.ignored.as_str() {
            "" => e.summary.clone(),
            why => format!("IGNORED ({why}): {}", e.summary),
        };
        let signed = if e.signature_verified { "verified" } else { "no" };
        table.row(vec![
            e.time.clone(),
            e.author.clone(),
            e.step.clone(),
            signed.into(),
            summary,
        ]);
    }
    text.push_str(&table.render());
    text
}

fn close_text(closed: &ConsultCloseResponse) -> String {
    let mut text = closed.consultation.as_ref().map(show_text).unwrap_or_default();
    for notice in &closed.grant_notices {
        if let Some(header) = &notice.header {
            text.push_str(&format!(
                "\ngrant notice published: {}/{}",
                header.collection, header.id
            ));
        }
    }
    if let Some(denial) = &closed.refused_denial {
        let json = serde_json::to_string_pretty(denial).unwrap_or_default();
        text.push_str(&format!(
            "\nour denial, to check and publish with `fedctl put denials <ID> -`:\n{json}"
        ));
    }
    text
}
