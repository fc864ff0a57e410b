//! The bundle RPCs: `WantBundle` (what we hold), `ExportBundle` (what an agency may read
//! and lacks, signed by our node's key), `ImportBundle` (a bundle for us, admitted as
//! replication admits a peer's records, stored, audited). The file format and what goes
//! into a bundle are `bundle`'s; this file reads the store and writes to it.

use std::sync::Arc;

use tokio::sync::mpsc;
use tokio_stream::wrappers::ReceiverStream;
use tonic::Status;

use super::Context;
use crate::bundle::export::{self, ChunkLimits};
use crate::bundle::format;
use crate::bundle::import::{Opened, Part, Unpacker};
use crate::crypto::Signer;
use crate::error::{Error, Result};
use crate::proto::bundle_export_part::Part as ExportPart;
use crate::proto::*;
use crate::store::AuditEvent;
use crate::transport::Caller;

/// Refusals listed one by one in an import's summary; the count covers the rest.
const LISTED_REFUSALS: usize = 1000;

/// What we hold of every collection we hold, for a sender of bundles to us.
pub fn want(context: &Context) -> BundleWant {
    let snapshot = context.store.snapshot();
    let federation = &context.policy.federation;
    let holds = snapshot.cursors(|collection| federation.held(collection).is_some());
    BundleWant {
        format: format::FORMAT,
        agency: context.config.agency.clone(),
        created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        holds,
    }
}

pub type ExportStream = ReceiverStream<Result<BundleExportPart, Status>>;

/// Starts writing a bundle for `request.recipient`; the parts stream back as they are read.
pub fn export(context: Arc<Context>, caller: Caller, request: BundleExportRequest) -> Result<ExportStream> {
    let BundleExportRequest { recipient, want } = request;
    let federation = &context.policy.federation;
    if !federation.is_member(&recipient) || recipient == federation.us() {
        return Err(Error::invalid(format!(
            "{} is not a member of the federation this node could send a bundle to",
            crate::error::excerpt(&recipient)
        )));
    }
    if let Some(want) = &want {
        if want.agency != recipient {
            return Err(Error::invalid(format!(
                "the want file is {}'s, and the bundle would be for {recipient}",
                crate::error::excerpt(&want.agency)
            )));
        }
        if want.format != format::FORMAT {
            return Err(Error::invalid(format!(
                "want file format {} (this node reads {})",
                want.format,
                format::FORMAT
            )));
        }
    }
    let covers = export::plan(federation, &context.store.snapshot(), &recipient, want.as_ref());
    let (parts, stream) = mpsc::channel(2);
    tokio::spawn(async move {
        let result = write_bundle(&context, &recipient, covers, &parts).await;
        let (action, detail) = match &result {
            Ok(detail) => ("bundle.export", detail.clone()),
            Err(error) => ("bundle.export.failed", error.to_string()),
        };
        let event = AuditEvent {
            actor: caller.to_string(),
            action: action.into(),
            target: recipient,
            detail,
        };
        if let Err(error) = context.store.record(vec![event], None).await {
            tracing::warn!(%error, "cannot audit a bundle export");
        }
        if let Err(error) = result {
            let _ = parts.send(Err(error.into())).await;
        }
    });
    Ok(ReceiverStream::new(stream))
}

/// Reads the covered streams into chunks and sends them, then the signed header. The
/// audit detail on success.
async fn write_bundle(
    context: &Arc<Context>,
    recipient: &str,
    covers: Vec<BundleCoverage>,
    parts: &mpsc::Sender<Result<BundleExportPart, Status>>,
) -> Result<String> {
    let send = |part| async move {
        let part = BundleExportPart { part: Some(part) };
        parts
            .send(Ok(part))
            .await
            .map_err(|_| Error::invalid("the caller went away"))
    };
    send(ExportPart::ExpectedRecords(export::expected_records(&covers))).await?;
    let limits = ChunkLimits {
        records: context.config.limits.batch_records,
        bytes: context.config.limits.max_message_bytes / 2,
    };
    let signer = sender_key(context).await?;
    let mut writer = export::Writer::new(context.policy.federation.us(), recipient, covers.clone(), limits);
    for cover in covers {
        let mut after = cover.after;
        loop {
            let read = cover.clone();
            let (page, last) = context
                .store
                .read(move |store| export::read_stream(store, &read, after, limits.records))
                .await?;
            let full = page.len() == limits.records;
            for record in page {
                if let Some(chunk) = writer.add(&cover.collection, record) {
                    send(chunk_part(chunk)).await?;
                }
            }
            match last {
                Some(seq) if full && seq < cover.upto => after = seq,
                _ => break,
            }
        }
    }
    let (last, header) = writer.finish(&signer);
    if let Some(chunk) = last {
        send(chunk_part(chunk)).await?;
    }
    let name = format::framed_bundle_name(&header);
    send(ExportPart::SignedHeader(header)).await?;
    Ok(format!("bundle {name}"))
}

fn chunk_part(chunk: export::FramedChunk) -> ExportPart {
    ExportPart::Chunk(BundleChunkBytes {
        data: chunk.bytes,
        records: chunk.records,
    })
}

/// The key our node signs with now: the one `fedctl keys rotate` last made, if any.
async fn sender_key(context: &Context) -> Result<Signer> {
    let config = context.config.clone();
    context
        .store
        .read(move |store| {
            let configured = Signer::load(&config.signing.key, &config.signing.key_id)?;
            store.signer(&config.data_dir, configured)
        })
        .await
}

/// Reads a bundle from the caller's stream, admits and stores its records chunk by chunk.
/// Before the header is verified nothing is stored and a problem refuses the whole
/// bundle; after, each problem is a refusal in the summary and the rest goes on.
pub async fn import(
    context: &Arc<Context>,
    caller: &Caller,
    mut pieces: tonic::Streaming<BundlePiece>,
) -> Result<BundleImportSummary> {
    let mut unpacker = Some(Unpacker::new(&context.config.agency));
    let mut import = Import::default();
    let mut damaged = false;
    while let Some(piece) = pieces
        .message()
        .await
        .map_err(|s| Error::invalid(format!("the bundle stream broke: {}", s.message())))?
    {
        if damaged {
            continue; // read to the end, so the caller gets its answer
        }
        let (back, parts) = unpack(unpacker.take(), piece.data, context).await?;
        unpacker = Some(back);
        let (parts, problem) = split(parts, import.opened.is_some())?;
        for part in parts {
            import.take(context, part).await?;
        }
        if let Some(problem) = problem {
            import.refuse(context, "rest of the bundle", problem).await;
            damaged = true;
        }
    }
    let finished = unpacker.as_ref().map_or(Ok(()), Unpacker::finish);
    match (&import.opened, finished) {
        (None, Err(error)) => return Err(error),
        (_, Err(error)) if !damaged => import.refuse(context, "end of the bundle", error).await,
        _ => {}
    }
    import.audit(context, caller).await?;
    Ok(import.summary)
}

/// Pushes a piece into the unpacker and takes the parts now whole, on the blocking pool
/// (hashing and decoding megabyte chunks).
async fn unpack(
    unpacker: Option<Unpacker>,
    bytes: Vec<u8>,
    context: &Context,
) -> Result<(Unpacker, Vec<Result<Part>>)> {
    let mut unpacker = unpacker.ok_or_else(|| Error::Internal("the bundle reader is gone".into()))?;
    let policy = context.policy.clone();
    tokio::task::spawn_blocking(move || {
        unpacker.push(&bytes);
        let mut parts = Vec::new();
        loop {
            match unpacker.next(&policy.keyring()) {
                Ok(Some(part)) => parts.push(Ok(part)),
                Ok(None) => break,
                Err(error) => {
                    parts.push(Err(error));
                    break;
                }
            }
        }
        (unpacker, parts)
    })
    .await
    .map_err(|e| Error::Internal(format!("bundle task: {e}")))
}

/// The good parts, and the problem that ends the reading if any. A problem before the
/// header was verified refuses the bundle.
fn split(parts: Vec<Result<Part>>, opened: bool) -> Result<(Vec<Part>, Option<Error>)> {
    let mut good = Vec::new();
    let mut opened = opened;
    for part in parts {
        match part {
            Ok(part) => {
                opened |= matches!(part, Part::Opened(_));
                good.push(part);
            }
            Err(error) if !opened => return Err(error),
            Err(error) => return Ok((good, Some(error))),
        }
    }
    Ok((good, None))
}

/// An import under way.
#[derive(Default)]
struct Import {
    opened: Option<Opened>,
    summary: BundleImportSummary,
}

impl Import {
    async fn take(&mut self, context: &Arc<Context>, part: Part) -> Result<()> {
        match part {
            Part::Opened(opened) => {
                self.summary.sender = opened.header.sender.clone();
                self.summary.bundle = opened.name.clone();
                self.summary.records = opened.header.records;
                self.opened = Some(opened);
            }
            Part::Chunk {
                index,
                records,
                altered,
            } => {
                if let Some(error) = altered {
                    self.refuse(context, &format!("chunk {index}"), error).await;
                }
                self.store(context, records).await?;
            }
        }
        Ok(())
    }

    /// Admission as for a peer's batch, then the store; refusals audited.
    async fn store(&mut self, context: &Arc<Context>, records: Vec<SignedRecord>) -> Result<()> {
        if records.is_empty() {
            return Ok(());
        }
        let actor = self.actor();
        let (admitted, mut refused) = crate::replication::admit_records(context.policy.clone(), records).await?;
        if !admitted.is_empty() {
            let outcome = context.store.ingest(admitted, actor.clone()).await?;
            self.summary.stored += outcome.stored as u64;
            self.summary.already_held += outcome.duplicates as u64;
            refused.extend(outcome.refused);
        }
        for (record, error) in &refused {
            self.list(record, error);
            context.metrics.count_refusal(&actor, error);
        }
        let refusals = refused.iter().map(|(target, error)| (target.as_str(), error));
        context.refusals.record(&context.store, &actor, refusals).await;
        Ok(())
    }

    /// A part of the bundle refused (not a record).
    async fn refuse(&mut self, context: &Context, what: &str, error: Error) {
        self.list(what, &error);
        let actor = self.actor();
        context.metrics.count_refusal(&actor, &error);
        context.refusals.record(&context.store, &actor, [(what, &error)]).await;
    }

    fn list(&mut self, record: &str, error: &Error) {
        self.summary.refused_count += 1;
        if self.summary.refused.len() < LISTED_REFUSALS {
            self.summary.refused.push(BundleRefusal {
                record: record.to_string(),
                reason: error.refusal_name().to_string(),
                message: error.to_string(),
            });
        }
    }

    fn actor(&self) -> String {
        self.opened.as_ref().map_or_else(|| "bundle".to_string(), Opened::actor)
    }

    async fn audit(&self, context: &Context, caller: &Caller) -> Result<()> {
        let s = &self.summary;
        let event = AuditEvent {
            actor: caller.to_string(),
            action: "bundle.import".into(),
            target: format!("bundle {} from {}", s.bundle, s.sender),
            detail: format!(
                "{} records: {} stored, {} already held, {} refused",
                s.records, s.stored, s.already_held, s.refused_count
            ),
        };
        context.store.record(vec![event], None).await
    }
}
