//! fednode: runs one federation node.

use std::path::PathBuf;

use anyhow::Context as _;
use clap::Parser;
use fedx::config::Config;
use fedx::node::Node;
use fedx::store::OwnRecordsAtStart;

#[derive(Parser)]
#[command(
    version,
    about = "A federation node for export-control authorities",
    after_help = "Prints `listening on ADDR` once it serves; SIGTERM or Ctrl-C shuts it down cleanly.\n\n\
                  Examples:\n  fednode --config config/node-a.toml\n  \
                  fednode --config /etc/fedx/node.toml --log-format json\n  \
                  FEDNODE_CONFIG=/etc/fedx/node.toml FEDNODE_LOG_FORMAT=json RUST_LOG=fedx=debug fednode"
)]
struct Args {
    /// The node's TOML config (see config/node-a.toml for every key).
    #[arg(long, env = "FEDNODE_CONFIG")]
    config: PathBuf,
    /// Log format.
    #[arg(long, value_enum, default_value = "pretty", env = "FEDNODE_LOG_FORMAT")]
    log_format: LogFormat,
    /// The data directory was just restored from a copy: take no write of our own records
    /// until a peer has said how much of them it holds (the copy may lack some we
    /// published, and their sequence numbers must not be used again). Remembered in the
    /// store until then, across restarts.
    #[arg(long, conflicts_with = "new_agency")]
    restored: bool,
    /// First start of a new agency: the federation holds no record of ours, so number our
    /// writes from #1 at once. Without it, a store holding no record of ours (new, or a
    /// wiped or mistyped data directory) takes no write of ours until a peer has said how
    /// much of them it holds. Remembered in the store; ignored once it holds records of
    /// ours. Do not leave it in a service definition.
    #[arg(long)]
    new_agency: bool,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum LogFormat {
    Pretty,
    Json,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    fedx::disable_transparent_huge_pages();
    let args = Args::parse();
    init_logging(args.log_format);
    let config = Config::load(&args.config)?;
    let own_records = match (args.restored, args.new_agency) {
        (true, _) => OwnRecordsAtStart::Restored,
        (false, true) => OwnRecordsAtStart::NewAgency,
        (false, false) => OwnRecordsAtStart::Unknown,
    };
    let node = Node::start(config, own_records)
        .await
        .context("cannot start the node")?;
    // A plain line tests and scripts can wait for (the port is real even with port 0).
    println!("listening on {}", node.local_addr());
    wait_for_signal().await?;
    tracing::info!("shutting down");
    node.shutdown().await?;
    Ok(())
}

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Pretty => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

async fn wait_for_signal() -> anyhow::Result<()> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
    Ok(())
}
