//! fedctl: the operator CLI, a gRPC client over mTLS. Errors go to stderr with an exit
//! code (see [`ExitCode`]); `-o json` prints exactly one JSON document on stdout.

mod check;
mod consult;
mod paging;
mod screen;
mod table;
mod transfer;

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use serde::Serialize;
use tonic::Code;
use tonic::transport::Channel;

use crate::proto::operator_client::OperatorClient;
use crate::proto::*;
use crate::records::hlc;
use crate::transport::{self, ClientTls};
use table::Table;

#[derive(Parser)]
#[command(
    name = "fedctl",
    version,
    about = "Administer a federation node over mutual TLS",
    after_help = "Exit codes: 0 success, 1 error, 2 cannot reach the node, 3 invalid input,\n\
                  4 consultation required (fedctl check found an essentially identical denial).\n\
                  Example: source config/node-a.env && fedctl status"
)]
pub struct Cli {
    /// The node's operator endpoint.
    #[arg(
        long,
        env = "FEDCTL_ENDPOINT",
        global = true,
        default_value = "https://127.0.0.1:7101"
    )]
    endpoint: String,
    /// The federation CA certificate (PEM).
    #[arg(long, env = "FEDCTL_CACERT", global = true)]
    cacert: Option<PathBuf>,
    /// Our operator certificate (PEM).
    #[arg(long, env = "FEDCTL_CERT", global = true)]
    cert: Option<PathBuf>,
    /// Our operator private key (PEM).
    #[arg(long, env = "FEDCTL_KEY", global = true)]
    key: Option<PathBuf>,
    /// Output format.
    #[arg(
        short,
        long,
        value_enum,
        env = "FEDCTL_OUTPUT",
        global = true,
        default_value = "table"
    )]
    output: Output,
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Agency, collections with counts and digests, peers with state, lag and sync state,
    /// equivocations seen.
    #[command(after_help = "Example: fedctl status -o json | jq '.collections[] | {name, digest}'")]
    Status,
    /// The peers this node replicates with.
    #[command(
        subcommand,
        after_help = "Examples:\n  fedctl peers list\n  fedctl peers add FR-SBDU https://127.0.0.1:7102\n  \
                      fedctl peers remove FR-SBDU"
    )]
    Peers(PeersCommand),
    /// The federation's members and their keys.
    #[command(subcommand, after_help = "Example: fedctl members list -o json")]
    Members(MembersCommand),
    /// Signing keys of our agency.
    #[command(subcommand, after_help = "Example: fedctl keys rotate && fedctl members list")]
    Keys(KeysCommand),
    /// The node's tamper-evident audit log.
    #[command(
        subcommand,
        after_help = "Examples:\n  fedctl audit tail --limit 50\n  fedctl audit verify"
    )]
    Audit(AuditCommand),
    /// Compare collections with peers now and fetch what differs (anti-entropy).
    #[command(after_help = "Examples:\n  fedctl sync\n  fedctl sync --peer FR-SBDU -o json")]
    Sync {
        /// Only this peer (default: every peer).
        #[arg(long)]
        peer: Option<String>,
    },
    /// Sign and store a record from a JSON file (or stdin): {"license_denial": {...}}.
    #[command(after_help = "Example: fedctl put denials DE-BAFA/2026-0042 config/examples/denial.json")]
    Put {
        collection: String,
        id: String,
        /// JSON file with the record body; `-` or nothing reads stdin.
        file: Option<PathBuf>,
    },
    /// Show the current version of a record.
    #[command(after_help = "Example: fedctl get denials DE-BAFA/2026-0042 -o json")]
    Get { collection: String, id: String },
    /// List the records of a collection in id order.
    #[command(after_help = "Examples:\n  fedctl list denials --prefix DE-BAFA/2026-\n  \
                      fedctl list denials --start-after DE-BAFA/2026-0042 --limit 50 -o json")]
    List {
        collection: String,
        #[arg(long, default_value = "")]
        prefix: String,
        #[arg(long, default_value = "")]
        start_after: String,
        #[arg(long, default_value_t = 100)]
        limit: u32,
    },
    /// Publish a new version with the revoked status (denial revoked, entry delisted,
    /// check withdrawn).
    #[command(after_help = "Example: fedctl revoke denials DE-BAFA/2026-0042")]
    Revoke { collection: String, id: String },
    /// Erase a record: a signed tombstone replaces it everywhere (revoke keeps it visible
    /// as revoked; delete removes its content).
    #[command(after_help = "Example: fedctl delete denials DE-BAFA/2026-0042")]
    Delete { collection: String, id: String },
    /// Import a published list into a watchlist collection: each entry is signed by the
    /// node and sent in batches; unchanged entries write nothing.
    #[command(
        after_help = "Formats: csl-json, csl-csv (US Consolidated Screening List), ofac-sdn (sdn.csv, \
                      with add.csv and alt.csv read from beside it), ftm (OpenSanctions FollowTheMoney JSON \
                      lines), jsonl and csv (fedctl export).\n\
                      Exit code 1 when some rows were rejected (the rest are imported; see the summary).\n\
                      Example: fedctl import --format ofac-sdn --collection watchlist.national sdn.csv --full-sync"
    )]
    Import(transfer::ImportArgs),
    /// Export the current watchlist entries of a collection (fedctl import reads them back).
    #[command(after_help = "Example: fedctl export --collection watchlist.national --format csv --out national.csv")]
    Export {
        #[arg(long)]
        collection: String,
        #[arg(long, value_enum)]
        format: transfer::ExportFormat,
        /// Only ids starting with this.
        #[arg(long, default_value = "")]
        prefix: String,
        /// Write here instead of stdout.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Check a proposed transaction against every partner denial in force: exit code 4 when
    /// one is essentially identical (consult its author before granting).
    #[command(after_help = "Example: fedctl check config/examples/application-identical.json; echo $?")]
    Check {
        /// The application as JSON (proto3 JSON of fedx.v1.Application).
        file: PathBuf,
    },
    /// Consultations with the authority whose denial is in force (no-undercut).
    #[command(
        subcommand,
        after_help = "Examples:\n  fedctl consult list --inbox --overdue\n  \
                      fedctl consult open --denial denials/DE-BAFA/2026-0042 \\\n    \
                      --application config/examples/application-identical.json --reason \"end user audited\"\n  \
                      fedctl consult reply C-3f9a0c1b2d4e5f60 --objection --reason \"diversion risk stands\""
    )]
    Consult(consult::ConsultCommand),
    /// Screen a name (or every row of a CSV file) against every party the node knows.
    #[command(
        after_help = "Examples:\n  fedctl screen \"Nicolas Maduro Moros\" --country VE --type person\n  \
                      fedctl screen --file parties.csv > hits.csv   (columns: name[,country][,type])"
    )]
    Screen {
        /// The name to screen.
        #[arg(required_unless_present = "file", conflicts_with = "file")]
        name: Option<String>,
        /// ISO 3166-1 alpha-2 country of the party: a mismatch lowers the score.
        #[arg(long)]
        country: Option<String>,
        /// The party's type: a mismatch lowers the score.
        #[arg(long = "type", value_enum)]
        party_type: Option<screen::PartyType>,
        /// Lowest score to report (0..1); default: the node's threshold.
        #[arg(long, default_value_t = 0.0)]
        min_score: f64,
        /// At most this many hits per name.
        #[arg(long, default_value_t = 10)]
        limit: u32,
        /// A CSV file with a header row: name[,country][,type]. Hits go to stdout as CSV
        /// (or JSON with -o json), with a progress bar on a terminal.
        #[arg(long)]
        file: Option<PathBuf>,
    },
    /// Development PKI (local use only).
    #[command(
        subcommand,
        after_help = "Example: fedctl pki generate --out certs DE-BAFA FR-SBDU NL-CDIU"
    )]
    Pki(PkiCommand),
    /// Print a shell completion script.
    #[command(after_help = "Example: fedctl completions bash > /etc/bash_completion.d/fedctl")]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(Subcommand)]
enum PeersCommand {
    /// The current peers (persisted changes included).
    #[command(after_help = "Example: fedctl peers list -o json")]
    List,
    /// Add or re-point a peer; it starts replicating at once and is kept across restarts.
    #[command(after_help = "Example: fedctl peers add FR-SBDU https://127.0.0.1:7102")]
    Add {
        agency: String,
        /// The peer node's https:// endpoint (not to be confused with --endpoint, ours).
        #[arg(value_name = "PEER_ENDPOINT")]
        peer_endpoint: String,
    },
    /// Remove a peer; it stops receiving from this node at once.
    #[command(after_help = "Example: fedctl peers remove FR-SBDU")]
    Remove { agency: String },
}

#[derive(Subcommand)]
enum MembersCommand {
    /// Members with every key the node knows (configured or announced) and its status.
    #[command(after_help = "Example: fedctl members list")]
    List,
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Make a new signing key and announce it to the federation, signed by the current
    /// key; the current key is retired (it still verifies what it signed before).
    #[command(after_help = "Example: fedctl keys rotate\n\
                      The new private key is written to <data_dir>/keys/<key id>.pem on the node.")]
    Rotate,
}

#[derive(Subcommand)]
enum AuditCommand {
    /// The latest entries (or those after --after).
    #[command(after_help = "Examples:\n  fedctl audit tail --limit 50\n  fedctl audit tail --after 1200 -o json")]
    Tail {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Entries after this sequence number, oldest first.
        #[arg(long, default_value_t = 0)]
        after: u64,
    },
    /// Check the whole hash chain; exit code 1 names the first entry that does not match.
    #[command(after_help = "Example: fedctl audit verify")]
    Verify,
}

#[derive(Subcommand)]
enum PkiCommand {
    /// Generate a CA and, per agency, node and operator certificates and a signing key.
    #[command(after_help = "Example: fedctl pki generate --out certs DE-BAFA FR-SBDU NL-CDIU")]
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(required = true)]
        agencies: Vec<String>,
    },
}

/// fedctl's documented exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    Error = 1,
    Connection = 2,
    InvalidInput = 3,
    /// `fedctl check`: an essentially identical denial is in force.
    ConsultationRequired = 4,
}

#[derive(Debug)]
pub struct Failure {
    pub code: ExitCode,
    pub message: String,
}

impl Failure {
    fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: ExitCode::InvalidInput,
            message: message.into(),
        }
    }
}

impl From<tonic::Status> for Failure {
    fn from(status: tonic::Status) -> Self {
        // A status the node sent has no source; one with a source failed here, in
        // transport: the node was not reached, or the connection to it was lost.
        if let Some(cause) = std::error::Error::source(&status) {
            return Failure {
                code: ExitCode::Connection,
                message: format!(
                    "{:?}: cannot reach the node, or lost it: {}",
                    status.code(),
                    transport::describe_transport_failure(cause)
                ),
            };
        }
        let code = match status.code() {
            Code::Unavailable | Code::DeadlineExceeded => ExitCode::Connection,
            Code::InvalidArgument => ExitCode::InvalidInput,
            _ => ExitCode::Error,
        };
        Failure {
            code,
            message: format!("{:?}: {}", status.code(), status.message()),
        }
    }
}

impl From<crate::Error> for Failure {
    fn from(error: crate::Error) -> Self {
        let code = match error {
            crate::Error::Config(_) | crate::Error::InvalidArgument(_) => ExitCode::InvalidInput,
            _ => ExitCode::Error,
        };
        Failure {
            code,
            message: error.to_string(),
        }
    }
}

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
    let mut client = connect(&cli)?;
    match cli.command {
        Command::Status => {
            let status = client.status(StatusRequest {}).await?.into_inner();
            print(output, &status, || status_table(&status))
        }
        Command::Peers(PeersCommand::List) => {
            let peers = client.list_peers(ListPeersRequest {}).await?.into_inner().peers;
            print(output, &peers, || peers_table(&peers))
        }
        Command::Peers(PeersCommand::Add { agency, peer_endpoint }) => {
            let peer = Some(PeerEntry {
                agency,
                endpoint: peer_endpoint,
            });
            let peers = client.add_peer(AddPeerRequest { peer }).await?.into_inner().peers;
            print(output, &peers, || peers_table(&peers))
        }
        Command::Peers(PeersCommand::Remove { agency }) => {
            let peers = client
                .remove_peer(RemovePeerRequest { agency })
                .await?
                .into_inner()
                .peers;
            print(output, &peers, || peers_table(&peers))
        }
        Command::Members(MembersCommand::List) => {
            let members = client.list_members(ListMembersRequest {}).await?.into_inner().members;
            print(output, &members, || members_table(&members))
        }
        Command::Put { collection, id, file } => {
            let body = read_body(file)?;
            let request = PutRequest {
                collection,
                id,
                body: Some(body),
            };
            let response = client.put(request).await?.into_inner();
            print(output, &response, || written(&response))
        }
        Command::Get { collection, id } => {
            let record = client.get(GetRequest { collection, id }).await?.into_inner();
            print(output, &record, || record_text(&record))
        }
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
            let page = paging::list(&mut client, request).await?;
            print(output, &page, || list_table(&page))
        }
        Command::Revoke { collection, id } => {
            let response = client.revoke(RevokeRequest { collection, id }).await?.into_inner();
            print(output, &response, || written(&response))
        }
        Command::Delete { collection, id } => {
            let response = client.delete(DeleteRequest { collection, id }).await?.into_inner();
            print(output, &response, || written(&response))
        }
        Command::Keys(KeysCommand::Rotate) => {
            let rotated = client.rotate_key(RotateKeyRequest {}).await?.into_inner();
            print(output, &rotated, || {
                format!(
                    "signing key {} replaced by {} (public key {}); announced to the federation",
                    rotated.previous_key_id, rotated.key_id, rotated.public_key
                )
            })
        }
        Command::Audit(AuditCommand::Tail { limit, after }) => {
            let request = AuditTailRequest {
                limit,
                after_seq: after,
            };
            let entries = client.audit_tail(request).await?.into_inner().entries;
            print(output, &entries, || audit_table(&entries))
        }
        Command::Audit(AuditCommand::Verify) => {
            let verdict = client.audit_verify(AuditVerifyRequest {}).await?.into_inner();
            print(output, &verdict, || match verdict.ok {
                true => format!(
                    "audit log intact: {} entries, head {}",
                    verdict.entries,
                    short(&verdict.head)
                ),
                false => format!(
                    "audit log BROKEN at entry {}: {}",
                    verdict.first_bad_seq, verdict.problem
                ),
            })?;
            match verdict.ok {
                true => Ok(()),
                false => Err(Failure {
                    code: ExitCode::Error,
                    message: format!("audit entry {} does not verify", verdict.first_bad_seq),
                }),
            }
        }
        Command::Sync { peer } => {
            let request = SyncRequest {
                peer: peer.unwrap_or_default(),
            };
            let report = client.sync(request).await?.into_inner();
            print(output, &report, || sync_table(&report))?;
            match report.peers.iter().find(|p| !p.error.is_empty()) {
                None => Ok(()),
                Some(failed) => Err(Failure {
                    code: ExitCode::Connection,
                    message: format!("sync with {} failed: {}", failed.agency, failed.error),
                }),
            }
        }
        Command::Import(args) => {
            let summary = transfer::import(&mut client, args, &our_agency(&cli.cert)?).await?;
            print(output, &summary, || summary.table())?;
            if summary.rejected.is_empty() {
                Ok(())
            } else {
                Err(Failure {
                    code: ExitCode::Error,
                    message: format!(
                        "{} rows rejected (listed above); the rest were imported",
                        summary.rejected.len()
                    ),
                })
            }
        }
        Command::Export {
            collection,
            format,
            prefix,
            out,
        } => {
            let count = transfer::export(&mut client, &collection, &prefix, format, out.as_deref()).await?;
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
        Command::Check { file } => check::run(&mut client, &file, output).await,
        Command::Consult(command) => consult::run(&mut client, command, output).await,
        Command::Screen {
            name,
            country,
            party_type,
            min_score,
            limit,
            file,
        } => {
            let template = ScreenRequest {
                name: name.unwrap_or_default(),
                country: country.unwrap_or_default(),
                entity_type: party_type.map_or(0, |t| t.entity_type() as i32),
                min_score,
                limit,
                ..ScreenRequest::default()
            };
            match file {
                Some(file) => screen::file(&mut client, &file, template, output).await,
                None => screen::one(&mut client, template, output).await,
            }
        }
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
    Ok(OperatorClient::new(channel).max_decoding_message_size(64 * 1024 * 1024))
}

fn read_body(file: Option<PathBuf>) -> Result<RecordBody, Failure> {
    let (name, text) = match file.filter(|f| f.as_os_str() != "-") {
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::invalid(format!("cannot read {}: {e}", path.display())))?;
            (path.display().to_string(), text)
        }
        None => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .map_err(|e| Failure::invalid(format!("cannot read stdin: {e}")))?;
            ("stdin".to_string(), text)
        }
    };
    serde_json::from_str(&text).map_err(|e| {
        Failure::invalid(format!(
            "{name}: not a record body ({e}); expected {{\"license_denial\": {{...}}}}, \
             {{\"watchlist_entry\": {{...}}}} or {{\"end_use_check\": {{...}}}}"
        ))
    })
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

fn short(digest: &str) -> String {
    digest.chars().take(16).collect()
}

fn status_table(status: &StatusResponse) -> String {
    let mut collections = Table::new(&["COLLECTION", "KIND", "MODE", "RECORDS", "DIGEST"]);
    for c in &status.collections {
        collections.row(vec![
            c.name.clone(),
            c.kind.clone(),
            c.mode.clone(),
            c.records.to_string(),
            short(&c.digest),
        ]);
    }
    let mut peers = Table::new(&["PEER", "STATE", "LAG", "RECEIVED", "SENT", "SYNC", "DIVERGED SINCE"]);
    let mut notes = Vec::new();
    for p in &status.peers {
        peers.row(vec![
            p.agency.clone(),
            p.state.clone(),
            p.lag_records.to_string(),
            p.records_received.to_string(),
            p.records_sent.to_string(),
            p.sync_state.clone(),
            p.diverged_since.clone(),
        ]);
        if !p.last_error.is_empty() {
            notes.push(format!("{}: {}", p.agency, p.last_error));
        }
    }
    if !status.clock_warning.is_empty() {
        notes.push(format!("CLOCK: {}", status.clock_warning));
    }
    for hold in &status.write_holds {
        notes.push(if hold.collection.is_empty() {
            let reason = match hold.reason.as_str() {
                "" => "no write of ours is taken until a peer has said how much of our records it holds",
                reason => reason,
            };
            format!("WRITES HELD: {reason}")
        } else {
            format!(
                "WRITES HELD: {} holds our {} records up to #{}, this node only up to #{}; writes to {} resume \
                 once they are back",
                hold.peer, hold.collection, hold.held_by_peer, hold.held_here, hold.collection
            )
        });
    }
    for e in &status.equivocations {
        notes.push(format!(
            "EQUIVOCATION: {} signed two records as seq {} of {} ({} and {})",
            e.author,
            e.seq,
            e.collection,
            short(&e.held_sha256),
            short(&e.other_sha256)
        ));
    }
    let mut text = format!(
        "agency {}   clock {}   refused {}   audit entries {}\n\n{}\n\n{}",
        status.agency,
        status.clock,
        status.refused_records,
        status.audit_entries,
        collections.render(),
        peers.render()
    );
    for note in notes {
        text.push('\n');
        text.push_str(&note);
    }
    text
}

fn audit_table(entries: &[AuditEntry]) -> String {
    let mut table = Table::new(&["SEQ", "TIME", "ACTOR", "ACTION", "TARGET", "DETAIL"]);
    for e in entries {
        table.row(vec![
            e.seq.to_string(),
            e.time.clone(),
            e.actor.clone(),
            e.action.clone(),
            e.target.clone(),
            e.detail.clone(),
        ]);
    }
    table.render()
}

fn sync_table(report: &SyncResponse) -> String {
    let mut table = Table::new(&["PEER", "COLLECTION", "IN SYNC", "BUCKETS", "FETCHED", "STORED", "ERROR"]);
    for p in &report.peers {
        for c in &p.collections {
            table.row(vec![
                p.agency.clone(),
                c.collection.clone(),
                c.in_sync.to_string(),
                c.differing_buckets.to_string(),
                c.fetched.to_string(),
                c.stored.to_string(),
                String::new(),
            ]);
        }
        if !p.error.is_empty() {
            table.row(vec![
                p.agency.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                p.error.clone(),
            ]);
        }
    }
    table.render()
}

fn peers_table(peers: &[PeerEntry]) -> String {
    let mut table = Table::new(&["PEER", "ENDPOINT"]);
    for p in peers {
        table.row(vec![p.agency.clone(), p.endpoint.clone()]);
    }
    table.render()
}

fn members_table(members: &[Member]) -> String {
    let mut table = Table::new(&["AGENCY", "KEY", "STATUS", "PUBLIC KEY"]);
    for m in members {
        for k in &m.keys {
            table.row(vec![
                m.agency.clone(),
                k.id.clone(),
                k.status.clone(),
                k.public_key.clone(),
            ]);
        }
    }
    table.render()
}

fn written(response: &PutResponse) -> String {
    let header = response.header.clone().unwrap_or_default();
    if response.outcome == PutOutcome::Unchanged as i32 {
        return format!(
            "unchanged {}/{}: seq {} already has this body",
            header.collection, header.id, header.seq
        );
    }
    format!(
        "stored {}/{} seq {} at {}{}",
        header.collection,
        header.id,
        header.seq,
        hlc::to_rfc3339(header.hlc),
        if response.current {
            ""
        } else {
            " (a newer version already wins)"
        }
    )
}

fn record_text(record: &StoredRecord) -> String {
    let inner = record.record.clone().unwrap_or_default();
    let header = inner.header.unwrap_or_default();
    let body = inner
        .body
        .map(|b| serde_json::to_string_pretty(&b).unwrap_or_default())
        .unwrap_or_else(|| "(deleted)".into());
    format!(
        "{}/{}\nauthor {}  seq {}  key {}  at {}\nsha256 {}\n{}",
        header.collection,
        header.id,
        header.author,
        header.seq,
        header.key_id,
        hlc::to_rfc3339(header.hlc),
        record.sha256,
        body
    )
}

fn list_table(page: &ListResponse) -> String {
    let mut table = Table::new(&["ID", "AUTHOR", "STATUS", "UPDATED"]);
    for stored in &page.records {
        let record = stored.record.clone().unwrap_or_default();
        let header = record.header.unwrap_or_default();
        table.row(vec![
            header.id,
            header.author,
            record.body.as_ref().map_or("deleted".into(), status_of),
            hlc::to_rfc3339(header.hlc),
        ]);
    }
    let mut text = table.render();
    if !page.next_start_after.is_empty() {
        text.push_str(&format!("\n(more: --start-after {})", page.next_start_after));
    }
    text
}

fn status_of(body: &RecordBody) -> String {
    use record_body::Kind;
    let status = match &body.kind {
        Some(Kind::LicenseDenial(d)) => DenialStatus::try_from(d.status).map(|s| s.as_str_name()),
        Some(Kind::WatchlistEntry(w)) => WatchlistStatus::try_from(w.status).map(|s| s.as_str_name()),
        Some(Kind::EndUseCheck(c)) => CheckStatus::try_from(c.status).map(|s| s.as_str_name()),
        Some(Kind::KeyAnnouncement(_) | Kind::SealingKey(_)) => return "announced".into(),
        Some(Kind::SealedStep(_)) => return "sealed".into(),
        Some(Kind::GrantNotice(_)) => return "granted".into(),
        None => return "deleted".into(),
    };
    status
        .map(|s| s.rsplit('_').next().unwrap_or(s).to_lowercase())
        .unwrap_or_else(|_| "unknown".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_table_says_why_writes_are_held() {
        let restored = StatusResponse {
            write_holds: vec![WriteHold {
                reason: "this node was started as restored from a copy".into(),
                ..WriteHold::default()
            }],
            ..StatusResponse::default()
        };
        assert!(status_table(&restored).contains("WRITES HELD: this node was started as restored from a copy"));
        let behind = StatusResponse {
            write_holds: vec![WriteHold {
                collection: "denials".into(),
                peer: "FR-SBDU".into(),
                held_here: 1,
                held_by_peer: 3,
                reason: String::new(),
            }],
            ..StatusResponse::default()
        };
        assert!(
            status_table(&behind)
                .contains("WRITES HELD: FR-SBDU holds our denials records up to #3, this node only up to #1")
        );
        assert!(!status_table(&StatusResponse::default()).contains("WRITES HELD"));
    }
}
