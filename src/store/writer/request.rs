//! What callers send the writer and what it answers, once the commit is on disk.

use tokio::sync::oneshot;

use crate::crypto::Signer;
use crate::error::{Error, Result};
use crate::proto::{PutOutcome, RecordBody, RecordHeader};
use crate::records::Envelope;
use crate::store::audit::AuditEvent;

/// Where a local request's results go, each write's own.
pub(super) type LocalReply = oneshot::Sender<Result<Vec<Result<Applied>>>>;

pub enum Command {
    Local {
        writes: Vec<LocalWrite>,
        actor: String,
        reply: LocalReply,
    },
    Ingest {
        records: Vec<Envelope>,
        /// Who delivered them, as the audit names it: `peer:FR-SBDU`, `bundle:...`.
        actor: String,
        reply: oneshot::Sender<Result<IngestOutcome>>,
    },
    Record {
        events: Vec<AuditEvent>,
        meta: Option<(String, Vec<u8>)>,
        reply: oneshot::Sender<Result<()>>,
    },
    /// Announces `signer`'s key in `_keys`, signed by the current key, then signs with it.
    RotateKey {
        signer: Box<Signer>,
        actor: String,
        reply: LocalReply,
    },
}

/// A write by our own agency, checked by admission, signed here.
#[derive(Debug, Clone)]
pub enum LocalWrite {
    Put {
        collection: String,
        id: String,
        body: Box<RecordBody>,
    },
    /// A new version of the current winner with the kind's revoked status.
    Revoke { collection: String, id: String },
    /// A tombstone: a hard delete that replicates like any version.
    Delete { collection: String, id: String },
}

#[derive(Debug, Clone)]
pub struct Applied {
    pub header: RecordHeader,
    /// Whether this version is now the winner for its id.
    pub current: bool,
    pub outcome: PutOutcome,
}

impl LocalWrite {
    pub(super) fn is_put(&self) -> bool {
        matches!(self, LocalWrite::Put { .. })
    }

    pub(super) fn target(&self) -> (&str, &str) {
        match self {
            LocalWrite::Put { collection, id, .. }
            | LocalWrite::Revoke { collection, id }
            | LocalWrite::Delete { collection, id } => (collection, id),
        }
    }
}

#[derive(Debug, Default)]
pub struct IngestOutcome {
    pub stored: usize,
    pub duplicates: usize,
    /// `(collection/id, why)`: audited by the caller, at the rate refusals are
    /// (`api::refusals`), so a peer cannot flood the audit log through the writer either.
    pub refused: Vec<(String, Error)>,
}

impl Command {
    /// Answers a command that could not be applied.
    pub(super) fn refuse(self, error: &Error) {
        let error = unavailable(error);
        let _ = match self {
            Command::Local { reply, .. } | Command::RotateKey { reply, .. } => reply.send(Err(error)).map_err(drop),
            Command::Ingest { reply, .. } => reply.send(Err(error)).map_err(drop),
            Command::Record { reply, .. } => reply.send(Err(error)).map_err(drop),
        };
    }
}

/// A request's answer, held until the commit is on disk.
pub(super) enum Answer {
    Local(LocalReply, Vec<Result<Applied>>),
    Ingest(oneshot::Sender<Result<IngestOutcome>>, IngestOutcome),
    Record(oneshot::Sender<Result<()>>),
}

impl Answer {
    pub(super) fn send(self) {
        // A requester that gave up no longer needs the answer.
        let _ = match self {
            Answer::Local(reply, results) => reply.send(Ok(results)).map_err(drop),
            Answer::Ingest(reply, outcome) => reply.send(Ok(outcome)).map_err(drop),
            Answer::Record(reply) => reply.send(Ok(())).map_err(drop),
        };
    }

    /// Answers with `error` instead: nothing of this request is acknowledged.
    pub(super) fn fail_with(self, error: &Error) {
        let error = unavailable(error);
        let _ = match self {
            Answer::Local(reply, _) => reply.send(Err(error)).map_err(drop),
            Answer::Ingest(reply, _) => reply.send(Err(error)).map_err(drop),
            Answer::Record(reply) => reply.send(Err(error)).map_err(drop),
        };
    }
}

/// A request the store could not write may be retried: a storage fault or an
/// unavailable store is answered as it is, anything else as Unavailable with its text.
fn unavailable(error: &Error) -> Error {
    match error {
        Error::Unavailable(_) | Error::Storage { .. } => error.clone(),
        other => Error::Unavailable(other.to_string()),
    }
}
