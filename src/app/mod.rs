//! The application: the edge between the command line and the library. A parsed command becomes
//! checked [`settings`] once; the command modules load the scenario files, call the library
//! (engine, analysis, report) and write the output files. This is the only layer that sees clap
//! types, and it decides what is read and written; errors are typed here and mapped to exit
//! codes in one place ([`Error::exit_code`]).

pub mod analysis;
pub mod charts;
pub mod evidence;
pub mod output;
pub mod progress;
pub mod run;
pub mod settings;
pub mod shard;

use crate::cli::CliCommand;
use crate::scenario::diagnostic::{Diagnostic, Location};
use crate::scenario::Diagnostics;
use settings::Command;

/// Everything that can end a command unsuccessfully.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario or an argument is invalid (exit 2).
    #[error("{0}")]
    Input(#[from] Diagnostics),
    /// An argument other than the scenario is invalid, e.g. a folder without summary.json
    /// (exit 2).
    #[error("error: {0}")]
    BadArgument(String),
    /// A failure while running (exit 1).
    #[error("error: {0}")]
    Runtime(String),
}

impl Error {
    /// 2 for bad input, 1 for runtime failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Input(_) | Error::BadArgument(_) => 2,
            Error::Runtime(_) => 1,
        }
    }
}

impl From<crate::engine::EngineError> for Error {
    fn from(e: crate::engine::EngineError) -> Self {
        Error::Runtime(e.to_string())
    }
}

/// A bad command-line argument (exit 2), located at the argument.
pub fn argument_error(argument: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Input(Diagnostics(vec![Diagnostic::located(
        Location::Argument(argument.into()),
        message,
    )]))
}

/// A bad command-line argument with a hint (exit 2).
pub fn argument_error_with_help(
    argument: impl Into<String>,
    message: impl Into<String>,
    help: Option<String>,
) -> Error {
    Error::Input(Diagnostics(vec![Diagnostic::located(
        Location::Argument(argument.into()),
        message,
    )
    .with_optional_help(help)]))
}

/// Runs a parsed command; returns the text to print on standard output.
pub fn execute(command: CliCommand) -> Result<String, Error> {
    match Command::from_cli(command)? {
        Command::Validate(input) => run::validate(&input),
        Command::Run(settings) => match settings.mode {
            settings::RunMode::Shard(spec) => shard::run_command(&settings, spec),
            _ => run::execute(&settings),
        },
        Command::Merge(settings) => shard::merge_command(&settings),
        Command::Plot(settings) => charts::plot_command(&settings),
        Command::Sensitivity(settings) => analysis::sensitivity(&settings),
        Command::Solve(settings) => analysis::solve(&settings),
        Command::Compare(settings) => analysis::compare(&settings),
        Command::Calibrate(settings) => analysis::calibrate(&settings),
        Command::Track(settings) => evidence::track(&settings),
        Command::Backtest(settings) => evidence::backtest(&settings),
    }
}
