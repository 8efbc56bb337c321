//! The `plancast` binary: parse arguments, run the command, print one result or one error, and
//! return the exit code (0 ok, 1 runtime failure, 2 bad input or usage).

use clap::{CommandFactory, FromArgMatches};
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    // NO_COLOR (https://no-color.org) wins over everything, CLICOLOR_FORCE included: help and
    // usage errors are the only coloured output plancast has.
    let mut command = plancast::cli::Cli::command();
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        command = command.color(clap::ColorChoice::Never);
    }
    let cli =
        plancast::cli::Cli::from_arg_matches(&command.get_matches()).unwrap_or_else(|e| e.exit());
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
