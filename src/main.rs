//! The `plancast` binary: parse arguments, run the command, print one result or one error, and
//! return the exit code (0 ok, 1 runtime failure, 2 bad input or usage).

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = plancast::cli::Cli::parse();
    match plancast::app::execute(cli.command) {
        Ok(text) => {
            // A closed pipe (e.g. `| head`) is not an error.
            let _ = std::io::stdout().write_all(text.as_bytes());
            ExitCode::SUCCESS
        }
        Err(error) => {
            // Numbers printed short: `1e308`, not a 309-digit decimal.
            eprintln!("{}", plancast::numeric::shorten_numbers(&error.to_string()));
            ExitCode::from(error.exit_code() as u8)
        }
    }
}
