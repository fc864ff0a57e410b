//! fedctl: the operator CLI. See `fedctl --help`.

use clap::Parser;
use fedx::cli::{Cli, run};

#[tokio::main(flavor = "current_thread")]
async fn main() -> std::process::ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // --help and --version print and succeed; a usage error is invalid input (3), not
        // clap's default 2, which fedctl keeps for "cannot reach the node".
        Err(error) => {
            let _ = error.print();
            return match error.use_stderr() {
                true => std::process::ExitCode::from(fedx::cli::ExitCode::InvalidInput as u8),
                false => std::process::ExitCode::SUCCESS,
            };
        }
    };
    match run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("fedctl: {}", failure.message);
            std::process::ExitCode::from(failure.code as u8)
        }
    }
}
