//! `fedctl bundle want|export|import`: records carried by hand between nodes that are
//! never connected (docs/operations.md, "Air-gapped exchange"; the file format in
//! docs/bundles.md). The node does the work; fedctl moves files.

use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::Subcommand;
use tonic::transport::Channel;

use super::{ExitCode, Failure, Output, print, progress_bar};
use crate::bundle::format;
use crate::proto::bundle_export_part::Part;
use crate::proto::operator_client::OperatorClient;
use crate::proto::*;

/// Bytes of the file per `ImportBundle` message.
const PIECE: usize = 1 << 20;

#[derive(Subcommand)]
pub enum BundleCommand {
    /// At the receiving node: write what it holds, to carry to the sender.
    #[command(after_help = "Example: fedctl bundle want --out want-NL-CDIU.json")]
    Want {
        #[arg(long)]
        out: PathBuf,
    },
    /// At the sending node: write what AGENCY may read and its want file shows it lacks
    /// (everything, without --want), signed by this node's key.
    #[command(after_help = "Example: fedctl bundle export --to NL-CDIU --want want-NL-CDIU.json --out to-NL-CDIU.fedx")]
    Export {
        /// The agency the bundle is for.
        #[arg(long = "to", value_name = "AGENCY")]
        recipient: String,
        /// The recipient's want file (`fedctl bundle want`).
        #[arg(long)]
        want: Option<PathBuf>,
        #[arg(long)]
        out: PathBuf,
    },
    /// At the receiving node: admit and store a bundle's records, as replication would.
    #[command(after_help = "Example: fedctl bundle import to-NL-CDIU.fedx")]
    Import { file: PathBuf },
}

pub async fn run(client: &mut OperatorClient<Channel>, command: BundleCommand, output: Output) -> Result<(), Failure> {
    match command {
        BundleCommand::Want { out } => want(client, &out, output).await,
        BundleCommand::Export { recipient, want, out } => export(client, recipient, want, &out, output).await,
        BundleCommand::Import { file } => import(client, &file, output).await,
    }
}

async fn want(client: &mut OperatorClient<Channel>, out: &Path, output: Output) -> Result<(), Failure> {
    let want = client.want_bundle(BundleWantRequest {}).await?.into_inner();
    let json = serde_json::to_vec_pretty(&want).map_err(|e| Failure::invalid(format!("cannot encode JSON: {e}")))?;
    write_whole(out, &json)?;
    let summary = serde_json::json!({ "file": out, "agency": want.agency, "streams": want.holds.len() });
    print(output, &summary, || {
        format!(
            "{}: what {} holds ({} streams); carry it to the sender",
            out.display(),
            want.agency,
            want.holds.len()
        )
    })
}

async fn export(
    client: &mut OperatorClient<Channel>,
    recipient: String,
    want: Option<PathBuf>,
    out: &Path,
    output: Output,
) -> Result<(), Failure> {
    let want = match want {
        Some(path) => {
            let text =
                std::fs::read(&path).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))?;
            let want: BundleWant = serde_json::from_slice(&text)
                .map_err(|e| Failure::invalid(format!("{} is not a want file: {e}", path.display())))?;
            Some(want)
        }
        None => None,
    };
    let request = BundleExportRequest {
        recipient: recipient.clone(),
        want,
    };
    let mut parts = client.export_bundle(request).await?.into_inner();
    // Chunks come first and the signed header last; the file starts with the header.
    let chunks_path = sibling(out, "chunks");
    let mut chunks = BufWriter::new(File::create(&chunks_path).map_err(|e| cannot_write(&chunks_path, e))?);
    let bar = progress_bar(0, "records");
    let (mut records, mut header) = (0u64, None);
    while let Some(part) = parts.message().await? {
        match part.part {
            Some(Part::ExpectedRecords(expected)) => bar.set_length(expected),
            Some(Part::Chunk(chunk)) => {
                chunks
                    .write_all(&chunk.data)
                    .map_err(|e| cannot_write(&chunks_path, e))?;
                records += u64::from(chunk.records);
                bar.set_position(records);
            }
            Some(Part::SignedHeader(signed)) => header = Some(signed),
            None => {}
        }
    }
    bar.finish_and_clear();
    chunks.flush().map_err(|e| cannot_write(&chunks_path, e))?;
    drop(chunks);
    let header = header.ok_or_else(|| Failure {
        code: ExitCode::Error,
        message: "the node ended the export without the bundle's header".into(),
    })?;
    assemble(out, &header, &chunks_path)?;
    let name = format::framed_bundle_name(&header);
    let summary = serde_json::json!({ "file": out, "recipient": recipient, "records": records, "bundle": name });
    print(output, &summary, || {
        format!("{}: {records} records for {recipient}, bundle {name}", out.display())
    })
}

/// Writes the bundle: magic, header, then the chunks, and only then gives it its name.
fn assemble(out: &Path, header: &[u8], chunks_path: &Path) -> Result<(), Failure> {
    let partial = sibling(out, "partial");
    let write = || -> std::io::Result<()> {
        let mut file = BufWriter::new(File::create(&partial)?);
        file.write_all(format::MAGIC)?;
        file.write_all(header)?;
        std::io::copy(&mut File::open(chunks_path)?, &mut file)?;
        file.into_inner().map_err(|e| e.into_error())?.sync_all()?;
        std::fs::rename(&partial, out)?;
        std::fs::remove_file(chunks_path)
    };
    write().map_err(|e| cannot_write(out, e))
}

async fn import(client: &mut OperatorClient<Channel>, path: &Path, output: Output) -> Result<(), Failure> {
    let mut file = File::open(path).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let bar = progress_bar(size, "bytes");
    // Read as the stream is sent: a bundle is never whole in memory.
    let read_error = std::sync::Arc::new(std::sync::Mutex::new(None));
    let (bar_in_stream, error_in_stream) = (bar.clone(), read_error.clone());
    let pieces = std::iter::from_fn(move || {
        let mut data = vec![0; PIECE];
        match file.read(&mut data) {
            Ok(0) => None,
            Ok(read) => {
                data.truncate(read);
                bar_in_stream.inc(read as u64);
                Some(BundlePiece { data })
            }
            Err(e) => {
                *error_in_stream.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                None
            }
        }
    });
    let summary = client.import_bundle(tokio_stream::iter(pieces)).await;
    bar.finish_and_clear();
    if let Some(e) = read_error.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(Failure::invalid(format!("cannot read {}: {e}", path.display())));
    }
    let summary = summary?.into_inner();
    print(output, &summary, || summary_table(&summary))?;
    if summary.refused_count > 0 {
        return Err(Failure {
            code: ExitCode::Error,
            message: format!("{} refused (listed above)", summary.refused_count),
        });
    }
    Ok(())
}

fn summary_table(s: &BundleImportSummary) -> String {
    let mut text = format!(
        "bundle {} from {}: {} records, {} stored, {} already held, {} refused",
        s.bundle, s.sender, s.records, s.stored, s.already_held, s.refused_count
    );
    for refusal in &s.refused {
        text.push_str(&format!(
            "\n  refused {} ({}): {}",
            refusal.record, refusal.reason, refusal.message
        ));
    }
    if s.refused_count > s.refused.len() as u64 {
        text.push_str(&format!(
            "\n  … and {} more (fedctl audit tail)",
            s.refused_count - s.refused.len() as u64
        ));
    }
    text
}

/// A file next to `path` whose name says what it is for.
fn sibling(path: &Path, what: &str) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".{what}"));
    path.with_file_name(name)
}

fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let partial = sibling(path, "partial");
    let write = || -> std::io::Result<()> {
        let mut file = File::create(&partial)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&partial, path)
    };
    write().map_err(|e| cannot_write(path, e))
}

fn cannot_write(path: &Path, e: std::io::Error) -> Failure {
    Failure {
        code: ExitCode::Error,
        message: format!("cannot write {}: {e}", path.display()),
    }
}
