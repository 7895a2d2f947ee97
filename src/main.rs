use std::process::ExitCode;

use clap::Parser;
use genrescope::cli::{run, Cli};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Some(command) => run(command),
        None => Err(anyhow::anyhow!(
            "the window is not built yet; use a subcommand (see --help)"
        )),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
