//! `fedctl import` and `fedctl export`: published lists in, our own formats out.
//!
//! Import parses the file locally (rows that cannot become a valid entry are reported with
//! their line and never sent), then sends the rest in batches over `BatchPut`. The node
//! signs each entry; a body equal to the current version is UNCHANGED and writes nothing,
//! so re-importing a file changes nothing. A batch the node refuses is retried row by row,
//! so one bad row costs only itself.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use tonic::transport::Channel;

use super::paging::for_each_record;
use super::{ExitCode, Failure, Output, print, progress_bar};
use crate::import::{self, Format, Row};
use crate::proto::operator_client::OperatorClient;
use crate::proto::record_body::Kind;
use crate::proto::*;

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Input format.
    #[arg(long, value_parser = parse_format)]
    format: Format,
    /// The file to import (for ofac-sdn, sdn.csv).
    file: PathBuf,
    /// The watchlist collection to write.
    #[arg(long)]
    collection: String,
    /// Record ids are this prefix + the source's key. Default "AGENCY/csl/", "AGENCY/ofac/",
    /// "AGENCY/ftm/"; none for jsonl and csv, whose ids are record ids.
    #[arg(long)]
    id_prefix: Option<String>,
    /// Also mark delisted the entries under the prefix that the file no longer lists.
    #[arg(long)]
    full_sync: bool,
    /// Listing date (YYYY-MM-DD) for entries whose source gives none (OFAC never does).
    /// Default: today.
    #[arg(long)]
    listed_on: Option<String>,
    /// Entries per BatchPut.
    #[arg(long, default_value_t = 500)]
    batch: usize,
}

fn parse_format(name: &str) -> Result<Format, String> {
    name.parse().map_err(|e: import::ImportError| e.to_string())
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub file: String,
    pub format: String,
    pub collection: String,
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Entries marked delisted by `--full-sync` because the file no longer lists them.
    pub delisted: usize,
    /// Entities the format says to leave out (FtM non-targets, sanctions, addresses...).
    pub skipped: usize,
    pub rejected: Vec<RejectedRow>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct RejectedRow {
    pub line: usize,
    pub id: String,
    pub reason: String,
}

/// The id prefix a format's records get unless the operator chooses one: both CSL
/// layouts share one, so importing the JSON after the CSV updates the same records.
fn default_id_prefix(format: Format, agency: &str) -> String {
    let source = match format {
        Format::CslJson | Format::CslCsv => "csl",
        Format::OfacSdn => "ofac",
        Format::Ftm => "ftm",
        // Our own exports carry full record ids.
        Format::Jsonl | Format::Csv => return String::new(),
    };
    format!("{agency}/{source}/")
}

/// `fedctl import`: the summary printed; exit code 1 when some rows were rejected.
pub(super) async fn run_import(
    client: &mut OperatorClient<Channel>,
    args: ImportArgs,
    agency: &str,
    output: Output,
) -> Result<(), Failure> {
    let summary = import(client, args, agency).await?;
    print(output, &summary, || summary.table())?;
    if summary.rejected.is_empty() {
        return Ok(());
    }
    Err(Failure {
        code: ExitCode::Error,
        message: format!(
            "{} rows rejected (listed above); the rest were imported",
            summary.rejected.len()
        ),
    })
}

/// `fedctl export`: to a file (reported on stdout) or to stdout (the count on stderr).
pub(super) async fn run_export(
    client: &mut OperatorClient<Channel>,
    collection: &str,
    prefix: &str,
    format: ExportFormat,
    out: Option<PathBuf>,
    output: Output,
) -> Result<(), Failure> {
    let count = export(client, collection, prefix, format, out.as_deref()).await?;
    let done = serde_json::json!({ "collection": collection, "exported": count, "out": out });
    match &out {
        Some(path) => print(output, &done, || {
            format!("exported {count} entries to {}", path.display())
        }),
        None => {
            eprintln!("exported {count} entries");
            Ok(())
        }
    }
}

/// Imports `args.file` as our agency `agency`.
pub async fn import(client: &mut OperatorClient<Channel>, args: ImportArgs, agency: &str) -> Result<Summary, Failure> {
    let id_prefix = args
        .id_prefix
        .clone()
        .unwrap_or_else(|| default_id_prefix(args.format, agency));
    let listed_on = args.listed_on.clone();
    let options = import::Options {
        default_listing_date: listed_on.unwrap_or_else(|| chrono::Utc::now().format("%Y-%m-%d").to_string()),
    };
    let parsed = import::parse(args.format, &args.file, &options).map_err(|e| Failure::invalid(e.to_string()))?;
    let mut summary = Summary {
        file: args.file.display().to_string(),
        format: args.format.to_string(),
        collection: args.collection.clone(),
        skipped: parsed.skipped,
        warnings: parsed.warnings,
        ..Summary::default()
    };
    let id_of = |key: &str| format!("{id_prefix}{key}");
    for rejected in &parsed.rejected {
        summary.rejected.push(RejectedRow {
            line: rejected.line,
            id: rejected.source_key.as_deref().map(id_of).unwrap_or_default(),
            reason: rejected.reason.clone(),
        });
    }
    for row in &parsed.rows {
        for warning in &row.warnings {
            summary.warnings.push(format!("line {}: {warning}", row.line));
        }
    }

    let progress = progress_bar(parsed.rows.len() as u64, "entries");
    for chunk in batches(&parsed.rows, args.batch.max(1)) {
        send_batch(client, &args.collection, &id_of, chunk, &mut summary).await?;
        progress.inc(chunk.len() as u64);
    }
    progress.finish_and_clear();

    if args.full_sync {
        let listed: HashSet<String> = parsed
            .rows
            .iter()
            .map(|r| id_of(&r.source_key))
            .chain(
                parsed
                    .rejected
                    .iter()
                    .filter_map(|r| r.source_key.as_deref().map(id_of)),
            )
            .collect();
        if parsed.rejected.iter().any(|r| r.source_key.is_none()) {
            summary.warnings.push(
                "--full-sync delisted nothing: some rejected rows have no id, so what the file still lists is unknown"
                    .into(),
            );
        } else {
            summary.delisted = delist_missing(client, &args.collection, &id_prefix, &listed).await?;
        }
    }
    Ok(summary)
}

fn put_of(collection: &str, id: String, row: &Row) -> PutRequest {
    PutRequest {
        collection: collection.to_string(),
        id,
        body: Some(RecordBody {
            kind: Some(Kind::WatchlistEntry(row.entry.clone())),
        }),
    }
}

async fn send_batch(
    client: &mut OperatorClient<Channel>,
    collection: &str,
    id_of: &impl Fn(&str) -> String,
    rows: &[Row],
    summary: &mut Summary,
) -> Result<(), Failure> {
    let puts = rows
        .iter()
        .map(|r| put_of(collection, id_of(&r.source_key), r))
        .collect();
    match client.batch_put(BatchPutRequest { puts }).await {
        Ok(response) => {
            response.into_inner().results.iter().for_each(|r| summary.count(r));
            Ok(())
        }
        Err(status) if refuses_content(&status) => {
            // Find the row(s) the node refuses; the others still go in.
            for row in rows {
                let id = id_of(&row.source_key);
                match client.put(put_of(collection, id.clone(), row)).await {
                    Ok(response) => summary.count(&response.into_inner()),
                    Err(status) if refuses_content(&status) => summary.rejected.push(RejectedRow {
                        line: row.line,
                        id,
                        reason: status.message().to_string(),
                    }),
                    Err(status) => return Err(status.into()),
                }
            }
            Ok(())
        }
        Err(status) => Err(status.into()),
    }
}

/// The node refused what we sent (as opposed to being unreachable or refusing us).
fn refuses_content(status: &tonic::Status) -> bool {
    matches!(
        status.code(),
        tonic::Code::InvalidArgument | tonic::Code::FailedPrecondition
    ) || status.metadata().contains_key(crate::api::status::REFUSAL_METADATA)
}

impl Summary {
    fn count(&mut self, response: &PutResponse) {
        match PutOutcome::try_from(response.outcome) {
            Ok(PutOutcome::Created) => self.created += 1,
            Ok(PutOutcome::Unchanged) => self.unchanged += 1,
            _ => self.updated += 1,
        }
    }

    pub fn table(&self) -> String {
        let mut text = format!(
            "imported {} ({}) into {}\ncreated {}  updated {}  unchanged {}  delisted {}  rejected {}  skipped {}",
            self.file,
            self.format,
            self.collection,
            self.created,
            self.updated,
            self.unchanged,
            self.delisted,
            self.rejected.len(),
            self.skipped
        );
        if !self.rejected.is_empty() {
            let mut table = super::table::Table::new(&["LINE", "ID", "REASON"]);
            for r in &self.rejected {
                table.row(vec![r.line.to_string(), r.id.clone(), r.reason.clone()]);
            }
            text.push_str("\n\n");
            text.push_str(&table.render());
        }
        for warning in &self.warnings {
            text.push_str(&format!("\nwarning: {warning}"));
        }
        text
    }
}

/// Bytes of entries sent in one `BatchPut`: half the node's default message limit, so
/// large entries make shorter batches rather than a refused one.
const BATCH_BYTES: usize = 4 * 1024 * 1024;

/// `rows` in consecutive batches of at most `max_rows` rows and `BATCH_BYTES` (one row at
/// least).
fn batches(rows: &[Row], max_rows: usize) -> Vec<&[Row]> {
    let mut batches = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (i, row) in rows.iter().enumerate() {
        let size = prost::Message::encoded_len(&row.entry);
        if i > start && (i - start == max_rows || bytes + size > BATCH_BYTES) {
            batches.push(&rows[start..i]);
            (start, bytes) = (i, 0);
        }
        bytes += size;
    }
    if start < rows.len() {
        batches.push(&rows[start..]);
    }
    batches
}

/// Revokes (marks delisted) the live entries under `prefix` that `listed` lacks.
async fn delist_missing(
    client: &mut OperatorClient<Channel>,
    collection: &str,
    prefix: &str,
    listed: &HashSet<String>,
) -> Result<usize, Failure> {
    let mut missing = Vec::new();
    for_each_record(client, collection, prefix, |id, body| {
        let live = matches!(
            &body.kind,
            Some(Kind::WatchlistEntry(e)) if e.status != WatchlistStatus::Delisted as i32
        );
        if live && !listed.contains(id) {
            missing.push(id.to_string());
        }
    })
    .await?;
    for id in &missing {
        let request = RevokeRequest {
            collection: collection.to_string(),
            id: id.clone(),
        };
        client.revoke(request).await?;
    }
    Ok(missing.len())
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum ExportFormat {
    Jsonl,
    Csv,
}

/// Writes the collection's current watchlist entries under `prefix`; returns how many.
pub async fn export(
    client: &mut OperatorClient<Channel>,
    collection: &str,
    prefix: &str,
    format: ExportFormat,
    out: Option<&Path>,
) -> Result<usize, Failure> {
    let mut rows = Vec::new();
    for_each_record(client, collection, prefix, |id, body| {
        if let Some(Kind::WatchlistEntry(entry)) = &body.kind {
            rows.push((id.to_string(), entry.clone()));
        }
    })
    .await?;
    let mut sink: Box<dyn Write> = match out {
        Some(path) => Box::new(std::fs::File::create(path).map_err(|e| Failure {
            code: ExitCode::Error,
            message: format!("cannot create {}: {e}", path.display()),
        })?),
        None => Box::new(std::io::stdout().lock()),
    };
    let written = match format {
        ExportFormat::Jsonl => import::export_jsonl(&rows, &mut sink),
        ExportFormat::Csv => import::export_csv(&rows, &mut sink),
    };
    written.map_err(|e| Failure {
        code: ExitCode::Error,
        message: format!("cannot write the export: {e}"),
    })?;
    Ok(rows.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(reason_bytes: usize) -> Row {
        Row {
            line: 1,
            source_key: String::new(),
            entry: WatchlistEntry {
                reason: "x".repeat(reason_bytes),
                ..Default::default()
            },
            warnings: vec![],
        }
    }

    #[test]
    fn large_entries_make_shorter_batches() {
        let small: Vec<Row> = (0..1200).map(|_| row(10)).collect();
        let sizes: Vec<usize> = batches(&small, 500).iter().map(|b| b.len()).collect();
        assert_eq!(sizes, vec![500, 500, 200]);
        let large: Vec<Row> = (0..300).map(|_| row(60 * 1024)).collect();
        let sizes: Vec<usize> = batches(&large, 500).iter().map(|b| b.len()).collect();
        assert!(
            sizes.iter().all(|&n| n > 0 && n * 60 * 1024 <= BATCH_BYTES),
            "{sizes:?}"
        );
        assert_eq!(sizes.iter().sum::<usize>(), 300);
        assert!(batches(&[], 500).is_empty());
    }
}
