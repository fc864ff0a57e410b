//! fedctl's command line: global options, commands and their arguments (clap).

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

use super::{bundle, consult, screen, transfer};

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
    pub(super) endpoint: String,
    /// The federation CA certificate (PEM).
    #[arg(long, env = "FEDCTL_CACERT", global = true)]
    pub(super) cacert: Option<PathBuf>,
    /// Our operator certificate (PEM).
    #[arg(long, env = "FEDCTL_CERT", global = true)]
    pub(super) cert: Option<PathBuf>,
    /// Our operator private key (PEM).
    #[arg(long, env = "FEDCTL_KEY", global = true)]
    pub(super) key: Option<PathBuf>,
    /// Output format.
    #[arg(
        short,
        long,
        value_enum,
        env = "FEDCTL_OUTPUT",
        global = true,
        default_value = "table"
    )]
    pub(super) output: Output,
    #[command(subcommand)]
    pub(super) command: Command,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Output {
    Table,
    Json,
}

#[derive(Subcommand)]
pub(super) enum Command {
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
    Screen(screen::ScreenArgs),
    /// Offline bundles for a node this one never connects to (air-gapped exchange).
    #[command(
        subcommand,
        after_help = "Examples:\n  fedctl bundle want --out want.json                 (at the receiver)\n  \
                      fedctl bundle export --to NL-CDIU --want want.json --out to-NL-CDIU.fedx   (at the sender)\n  \
                      fedctl bundle import to-NL-CDIU.fedx              (at the receiver)"
    )]
    Bundle(bundle::BundleCommand),
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
pub(super) enum PeersCommand {
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
pub(super) enum MembersCommand {
    /// Members with every key the node knows (configured or announced) and its status.
    #[command(after_help = "Example: fedctl members list")]
    List,
}

#[derive(Subcommand)]
pub(super) enum KeysCommand {
    /// Make a new signing key and announce it to the federation, signed by the current
    /// key; the current key is retired (it still verifies what it signed before).
    #[command(after_help = "Example: fedctl keys rotate\n\
                      The new private key is written to <data_dir>/keys/<key id>.pem on the node.")]
    Rotate,
}

#[derive(Subcommand)]
pub(super) enum AuditCommand {
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
pub(super) enum PkiCommand {
    /// Generate a CA and, per agency, node and operator certificates and a signing key.
    #[command(after_help = "Example: fedctl pki generate --out certs DE-BAFA FR-SBDU NL-CDIU")]
    Generate {
        #[arg(long)]
        out: PathBuf,
        #[arg(required = true)]
        agencies: Vec<String>,
    },
}
