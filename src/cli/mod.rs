//! fedctl: the operator CLI, a gRPC client over mTLS. Errors go to stderr with an exit
//! code (see [`ExitCode`]); `-o json` prints exactly one JSON document on stdout.
//!
//! `args.rs` is the command line; each command group has its own file (`node.rs`,
//! `records.rs`, `transfer.rs`, `screen.rs`, `check.rs`, `consult.rs`); this file
//! connects and dispatches.

mod args;
mod bundle;
mod check;
mod consult;
mod failure;
mod node;
mod paging;
mod records;
mod screen;
mod table;
mod transfer;

use std::path::PathBuf;

use serde::Serialize;
use tonic::codec::CompressionEncoding;
use tonic::transport::Channel;

pub use self::args::{Cli, Output};
use self::args::{Command, KeysCommand, MembersCommand, PkiCommand};
pub use self::failure::{ExitCode, Failure};
use crate::proto::ListRequest;
use crate::proto::operator_client::OperatorClient;
use crate::transport::{self, ClientTls};

/// Runs one fedctl command; the output is printed, the failure returned.
pub async fn run(cli: Cli) -> Result<(), Failure> {
    let output = cli.output;
    if let Command::Completions { shell } = cli.command {
        let mut command = <Cli as clap::CommandFactory>::command();
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut command, "fedctl", &mut script);
        // A closed pipe (`| head`) is not an error worth a panic.
        let _ = std::io::Write::write_all(&mut std::io::stdout(), &script);
        return Ok(());
    }
    if let Command::Pki(PkiCommand::Generate { out, agencies }) = &cli.command {
        let pki = transport::pki::generate(out, agencies)?;
        let agencies: Vec<_> = pki.agencies.iter().map(|a| &a.agency).collect();
        return print(output, &serde_json::json!({ "dir": out, "agencies": agencies }), || {
            format!(
                "development PKI for {agencies:?} written to {} (local use only)",
                out.display()
            )
        });
    }
    let client = &mut connect(&cli)?;
    match cli.command {
        Command::Status => node::status(client, output).await,
        Command::Peers(command) => node::peers(client, command, output).await,
        Command::Members(MembersCommand::List) => node::members(client, output).await,
        Command::Keys(KeysCommand::Rotate) => node::rotate_key(client, output).await,
        Command::Audit(command) => node::audit(client, command, output).await,
        Command::Sync { peer } => node::sync(client, peer, output).await,
        Command::Put { collection, id, file } => records::put(client, collection, id, file, output).await,
        Command::Get { collection, id } => records::get(client, collection, id, output).await,
        Command::List {
            collection,
            prefix,
            start_after,
            limit,
        } => {
            let request = ListRequest {
                collection,
                id_prefix: prefix,
                start_after,
                limit,
            };
            records::list(client, request, output).await
        }
        Command::Revoke { collection, id } => records::revoke(client, collection, id, output).await,
        Command::Delete { collection, id } => records::delete(client, collection, id, output).await,
        Command::Import(args) => transfer::run_import(client, args, &our_agency(&cli.cert)?, output).await,
        Command::Export {
            collection,
            format,
            prefix,
            out,
        } => transfer::run_export(client, &collection, &prefix, format, out, output).await,
        Command::Check { file } => check::run(client, &file, output).await,
        Command::Consult(command) => consult::run(client, command, output).await,
        Command::Screen(args) => screen::run(client, args, output).await,
        Command::Bundle(command) => bundle::run(client, command, output).await,
        Command::Pki(_) | Command::Completions { .. } => unreachable!("handled above"),
    }
}

/// Our agency, as our operator certificate names it.
fn our_agency(cert: &Option<PathBuf>) -> Result<String, Failure> {
    let cert = cert
        .as_ref()
        .ok_or_else(|| Failure::invalid("--cert (or FEDCTL_CERT) is required"))?;
    Ok(transport::identity_of_pem_file(cert)?.agency)
}

fn connect(cli: &Cli) -> Result<OperatorClient<Channel>, Failure> {
    let need = |path: &Option<PathBuf>, flag: &str| {
        path.clone()
            .ok_or_else(|| Failure::invalid(format!("--{flag} (or FEDCTL_{}) is required", flag.to_uppercase())))
    };
    let (ca, cert, key) = (
        need(&cli.cacert, "cacert")?,
        need(&cli.cert, "cert")?,
        need(&cli.key, "key")?,
    );
    let read = |path: &PathBuf| {
        std::fs::read(path).map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))
    };
    let tls = ClientTls {
        ca: read(&ca)?,
        cert: read(&cert)?,
        key: read(&key)?,
    };
    // The node would refuse it, but its TLS alert is often lost to the broken connection.
    if let Err(problem) = transport::check_client_certificate(&tls.ca, &tls.cert) {
        return Err(Failure {
            code: ExitCode::Connection,
            message: format!("the node will refuse our certificate {}: {problem}", cert.display()),
        });
    }
    // We expect our own agency's node: its certificate must carry that node name.
    let me = transport::identity_of_pem_file(&cert)?;
    let channel = transport::channel(&cli.endpoint, &tls, &transport::node_dns_name(&me.agency))?;
    Ok(OperatorClient::new(channel)
        .max_decoding_message_size(64 * 1024 * 1024)
        .accept_compressed(CompressionEncoding::Zstd)
        .accept_compressed(CompressionEncoding::Gzip))
}

fn print<T: Serialize>(output: Output, value: &T, table: impl FnOnce() -> String) -> Result<(), Failure> {
    let text = match output {
        Output::Json => serde_json::to_string_pretty(value).map_err(|e| Failure {
            code: ExitCode::Error,
            message: format!("cannot encode JSON: {e}"),
        })?,
        Output::Table => table(),
    };
    println!("{text}");
    Ok(())
}

/// A progress bar on stderr, drawn only when it is a terminal: scripts and pipes see
/// nothing.
fn progress_bar(len: u64, unit: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(len);
    let template = format!("{{bar:40}} {{pos}}/{{len}} {unit} {{elapsed}}");
    if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
        bar.set_style(style);
    }
    bar
}
