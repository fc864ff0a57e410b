//! fedctl: the operator CLI. See `fedctl --help`.

use clap::Parser;
use fedx::cli::{Cli, run};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("fedctl: {}", failure.message);
            std::process::ExitCode::from(failure.code as u8)
        }
    }
}
