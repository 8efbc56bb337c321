//! Bad input (scenario spec, section 8): every invalid scenario file and every invalid argument
//! ends with exit code 2, a message that names the file, the line (and column where it matters),
//! what is wrong and, for a misspelt name, the nearest valid one; nothing panics and nothing is
//! written.
//!
//! The scenario cases are the files under `tests/fixtures/invalid/` (sub-folders included, e.g.
//! `extends_cycle/`). Each file starts with comments that state what the engine must say:
//!
//! ```text
//! # Fixture: what is broken (free text)
//! # expect-line: 14              (or `none` when the problem has no line, e.g. an empty file)
//! # expect-column: 23            (optional)
//! # expect-file: b.toml          (optional: the file the location is in; default: this file)
//! # expect-message: unknown indicator `rd_spnd`     (one or more; all on the located line)
//! # expect-help: did you mean `rd_spend`?           (optional; on a `help:` line of that problem)
//! # expect-problems: 1           (optional: the number of problems reported in all)
//! # engine-problem: ...          (optional: a known engine bug; see below)
//! ```
//!
//! A fixture without `expect-line` and `expect-message` fails the test, so a new fixture cannot
//! pass silently.
//!
//! Fixtures (and CLI cases) marked `engine-problem` state what a user would want, not what the
//! engine does today. They are checked by their own tests, `*_with_known_engine_problems`, which
//! fail until the engine is fixed; the other tests must always pass. When an engine fix lands,
//! the marked case starts to pass: remove its marker so that it guards against regressions.

use assert_cmd::Command;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;

/// Paths passed to every `run`, as the brief asks: small, so a fixture that is wrongly accepted
/// finishes quickly (and is then reported as accepted).
const RUN_PATHS: &str = "1000";

/// A fixture or CLI run may not take longer than this (a hang is a failure, not a stuck suite).
const TIMEOUT: Duration = Duration::from_secs(60);

fn invalid_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid")
}

fn valid_small() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid/small.toml")
}

// ---------------------------------------------------------------------------------------------
// Fixture expectations
// ---------------------------------------------------------------------------------------------

/// What a fixture's leading comments say the engine must report.
#[derive(Debug, Default)]
struct Expect {
    /// `None`: the problem has no line (e.g. a missing top-level table in an empty file).
    line: Option<usize>,
    column: Option<usize>,
    /// File name (not path) the location must be in.
    file: String,
    messages: Vec<String>,
    help: Option<String>,
    /// How many problems the engine may report in all (one mistake, one message).
    problems: Option<usize>,
    engine_problem: Option<String>,
}

/// Every `*.toml` under `tests/fixtures/invalid/`, recursively, sorted.
fn fixtures() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()));
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "toml") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&invalid_dir(), &mut out);
    out.sort();
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// The name a failure report uses for a fixture: its path below `tests/fixtures/invalid/`.
fn short(path: &Path) -> String {
    path.strip_prefix(invalid_dir())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// Reads the leading comment block (bytes, so that a non-UTF-8 fixture still has a header).
fn parse_expect(path: &Path) -> Result<Expect, String> {
    let bytes = fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    let text = String::from_utf8_lossy(&bytes);
    let mut expect = Expect {
        file: file_name(path),
        ..Default::default()
    };
    let mut saw_line = false;
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() {
            continue;
        }
        let Some(comment) = line.strip_prefix('#') else {
            break; // the header ends at the first line that is not a comment
        };
        let Some((key, value)) = comment.trim().split_once(':') else {
            continue;
        };
        let value = value.trim().to_string();
        match key.trim() {
            "expect-line" => {
                saw_line = true;
                expect.line = if value == "none" {
                    None
                } else {
                    Some(
                        value
                            .parse()
                            .map_err(|_| format!("bad expect-line `{value}`"))?,
                    )
                };
            }
            "expect-column" => {
                expect.column = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad expect-column `{value}`"))?,
                )
            }
            "expect-file" => expect.file = value,
            "expect-message" if !value.is_empty() => expect.messages.push(value),
            "expect-help" if !value.is_empty() => expect.help = Some(value),
            "expect-problems" => {
                expect.problems = Some(
                    value
                        .parse()
                        .map_err(|_| format!("bad expect-problems `{value}`"))?,
                )
            }
            "engine-problem" if !value.is_empty() => expect.engine_problem = Some(value),
            other if other.starts_with("expect") || other.starts_with("engine") => {
                return Err(format!("unknown expectation `{other}` (typo?)"));
            }
            _ => {}
        }
    }
    if !saw_line {
        return Err("no `# expect-line:` comment at the top of the file".into());
    }
    if expect.messages.is_empty() {
        return Err("no `# expect-message:` comment at the top of the file".into());
    }
    if expect.column.is_some() && expect.line.is_none() {
        return Err("`expect-column` without a line".into());
    }
    Ok(expect)
}

// ---------------------------------------------------------------------------------------------
// Running the binary and checking what it did
// ---------------------------------------------------------------------------------------------

/// One run of the binary inside a fresh temporary folder (its working directory, so a default
/// `output/` would land there too).
struct Run {
    output: Output,
    /// Everything the run left in its working directory.
    written: Vec<String>,
    command: String,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
}

/// Runs `plancast ARGS`; `{out}` in an argument is replaced by `<temp dir>/out`.
fn plancast(args: &[&str]) -> Run {
    let temp = tempfile::tempdir().expect("temp dir");
    let out = temp.path().join("out");
    let args: Vec<String> = args
        .iter()
        .map(|a| a.replace("{out}", &out.display().to_string()))
        .collect();
    let output = Command::cargo_bin("plancast")
        .expect("plancast binary")
        .args(&args)
        .current_dir(temp.path())
        .env_remove("RUST_BACKTRACE")
        .timeout(TIMEOUT)
        .output()
        .expect("run plancast");
    let mut written = Vec::new();
    collect_files(temp.path(), temp.path(), &mut written);
    Run {
        output,
        written,
        command: format!("plancast {}", args.join(" ")),
    }
}

/// Every file and folder under `dir`, relative to `root` (an empty `out/` counts as nothing).
fn collect_files(root: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            let before = out.len();
            collect_files(root, &path, out);
            if out.len() == before && path != root.join("out") {
                out.push(format!("{}/", path.strip_prefix(root).unwrap().display()));
            }
        } else {
            out.push(path.strip_prefix(root).unwrap().display().to_string());
        }
    }
}

/// The checks shared by every bad-input run: exit code 2, no panic, nothing on stdout, nothing
/// written.
fn check_common(run: &Run, problems: &mut Vec<String>) {
    let stderr = run.stderr();
    match run.output.status.code() {
        Some(2) => {}
        Some(code) => problems.push(format!("exit code {code}, expected 2")),
        None => problems.push("killed by a signal or timed out, expected exit code 2".into()),
    }
    if stderr.contains("panicked") || stderr.contains("RUST_BACKTRACE") {
        problems.push("panicked".into());
    }
    if stderr.trim().is_empty() {
        problems.push("nothing on stderr".into());
    }
    if run.output.status.code() != Some(0) && !run.stdout().trim().is_empty() {
        problems.push(format!(
            "printed on stdout: {}",
            first_lines(&run.stdout(), 3)
        ));
    }
    if !run.written.is_empty() {
        problems.push(format!("wrote {}", run.written.join(", ")));
    }
}

/// The stderr blocks of the individual problems: an `error:` line and the lines after it up to
/// the next `error:` line.
fn diagnostic_blocks(stderr: &str) -> Vec<Vec<&str>> {
    let mut blocks: Vec<Vec<&str>> = Vec::new();
    for line in stderr.lines() {
        if line.trim_start().starts_with("error") || blocks.is_empty() {
            blocks.push(vec![line]);
        } else {
            blocks.last_mut().unwrap().push(line);
        }
    }
    blocks
}

/// Checks that one problem in `stderr` is at the expected place and says the expected things:
/// its first line holds `FILE:LINE:` (and the column) and every message fragment; its help line
/// holds the help fragment. With `expect-problems`, also checks how many problems are reported.
fn check_diagnostic(stderr: &str, expect: &Expect, problems: &mut Vec<String>) {
    let place = match (expect.line, expect.column) {
        (Some(line), Some(column)) => format!("{}:{line}:{column}", expect.file),
        (Some(line), None) => format!("{}:{line}:", expect.file),
        (None, _) => expect.file.clone(),
    };
    let at_place = |first: &str| match first.find(&place) {
        // `x.toml:3:1` must not match `x.toml:3:12`
        Some(i) => {
            expect.column.is_none()
                || !first[i + place.len()..].starts_with(|c: char| c.is_ascii_digit())
        }
        None => false,
    };
    // Match the message fragments against the message only, not against the location (a
    // fixture named `nonfinite_*.toml` must not satisfy the fragment `finite`).
    let says_it = |first: &str| {
        let text = message_part(first, &expect.file);
        expect.messages.iter().all(|m| text.contains(m.as_str()))
    };
    let wanted = expect
        .messages
        .iter()
        .map(|m| format!("`{m}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let blocks = diagnostic_blocks(stderr);
    let saying: Vec<&Vec<&str>> = blocks.iter().filter(|b| says_it(b[0])).collect();
    let located: Vec<&Vec<&str>> = saying.iter().copied().filter(|b| at_place(b[0])).collect();
    if saying.is_empty() {
        problems.push(format!("no problem says {wanted}"));
        if !blocks.iter().any(|b| at_place(b[0])) {
            problems.push(format!("no problem is reported at `{place}`"));
        }
    } else if located.is_empty() {
        problems.push(format!(
            "the message is not at `{place}`; it is reported as: {}",
            saying[0][0]
        ));
    }
    if let Some(help) = &expect.help {
        let candidates = if located.is_empty() {
            &saying
        } else {
            &located
        };
        let helped = candidates.iter().any(|b| {
            b[1..]
                .iter()
                .any(|l| l.contains("help:") && l.contains(help.as_str()))
        });
        if !helped {
            problems.push(format!("no `help:` line saying `{help}` with that problem"));
        }
    }
    if let Some(count) = expect.problems {
        let reported = blocks
            .iter()
            .filter(|b| b[0].trim_start().starts_with("error"))
            .count();
        if reported != count {
            problems.push(format!(
                "{reported} problems reported for one mistake, expected {count}"
            ));
        }
    }
}

/// The message of an `error: PATH:LINE:COL: message` line: what follows the location of `file`
/// (or the whole line when it does not name `file`).
fn message_part<'a>(line: &'a str, file: &str) -> &'a str {
    let Some(i) = line.find(file) else {
        return line;
    };
    let rest = &line[i + file.len()..];
    // skip `:LINE:COL` (or `:LINE`), then `: `
    let mut rest = rest;
    for _ in 0..2 {
        if let Some(after) = rest.strip_prefix(':') {
            let digits = after.chars().take_while(|c| c.is_ascii_digit()).count();
            if digits == 0 {
                break;
            }
            rest = &after[digits..];
        }
    }
    rest.strip_prefix(':').unwrap_or(rest).trim_start()
}

fn first_lines(text: &str, n: usize) -> String {
    text.lines().take(n).collect::<Vec<_>>().join(" | ")
}

/// Runs one fixture through `run` and `validate`; returns what went wrong (empty: all good).
fn check_fixture(path: &Path, expect: &Expect) -> Vec<String> {
    let file = path.to_str().expect("UTF-8 path");
    let mut report = Vec::new();
    for args in [
        vec!["run", file, "--out", "{out}", "--paths", RUN_PATHS],
        vec!["validate", file],
    ] {
        let run = plancast(&args);
        let mut problems = Vec::new();
        check_common(&run, &mut problems);
        check_diagnostic(&run.stderr(), expect, &mut problems);
        if !problems.is_empty() {
            let shown = if run.output.status.code() == Some(0) {
                format!("stdout: {}", first_lines(&run.stdout(), 2))
            } else {
                format!(
                    "stderr:\n      {}",
                    run.stderr().trim_end().replace('\n', "\n      ")
                )
            };
            report.push(format!(
                "  `{}` (exit {:?}):\n    - {}\n    {shown}",
                run.command
                    .replace(&format!("{}/", invalid_dir().display()), ""),
                run.output.status.code(),
                problems.join("\n    - ")
            ));
        }
    }
    report
}

/// Checks every fixture whose marking matches `known_problems`; panics with a full report.
fn check_fixtures(known_problems: bool) {
    let mut failures = Vec::new();
    let mut checked = 0;
    for path in fixtures() {
        let expect = match parse_expect(&path) {
            Ok(expect) => expect,
            Err(e) if !known_problems => {
                failures.push(format!("{}: {e}", short(&path)));
                continue;
            }
            Err(_) => continue,
        };
        if expect.engine_problem.is_some() != known_problems {
            continue;
        }
        checked += 1;
        let report = check_fixture(&path, &expect);
        match (&expect.engine_problem, report.is_empty()) {
            (Some(_), true) => eprintln!(
                "note: {} now passes; remove its `engine-problem` marker",
                short(&path)
            ),
            (_, true) => {}
            (problem, false) => failures.push(format!(
                "{}{}\n{}",
                short(&path),
                problem
                    .as_ref()
                    .map(|p| format!(" [known engine problem: {p}]"))
                    .unwrap_or_default(),
                report.join("\n")
            )),
        }
    }
    eprintln!("checked {checked} fixtures, {} failed", failures.len());
    assert!(
        failures.is_empty(),
        "{} of {checked} invalid fixtures were not handled as expected:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

// ---------------------------------------------------------------------------------------------
// Fixture tests
// ---------------------------------------------------------------------------------------------

#[test]
fn every_fixture_declares_its_expectations() {
    let all = fixtures();
    assert!(
        all.len() >= 40,
        "expected the invalid fixtures under {}, found {}",
        invalid_dir().display(),
        all.len()
    );
    let missing: Vec<String> = all
        .iter()
        .filter_map(|p| parse_expect(p).err().map(|e| format!("{}: {e}", short(p))))
        .collect();
    assert!(
        missing.is_empty(),
        "fixtures without usable expectations:\n{}",
        missing.join("\n")
    );
}

/// Every fixture not marked `engine-problem`: must always pass.
#[test]
fn invalid_fixtures_are_rejected_with_located_messages() {
    check_fixtures(false);
}

/// Fixtures marked `engine-problem`: they state what a user needs and fail until the engine is
/// fixed. Expected to fail for now; the report lists each case.
#[test]
#[ignore = "no fixture is marked engine-problem at present; run with --ignored after marking one"]
fn invalid_fixtures_with_known_engine_problems() {
    check_fixtures(true);
}

/// A fixture run must not be accepted because of `--paths`: the valid example, run the same
/// way, succeeds (so the harness itself is sound).
#[test]
fn harness_accepts_the_valid_example() {
    let small = valid_small();
    let run = plancast(&[
        "run",
        small.to_str().unwrap(),
        "--out",
        "{out}",
        "--paths",
        RUN_PATHS,
    ]);
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert!(
        run.written.iter().any(|f| f == "out/summary.json"),
        "{:?}",
        run.written
    );
}

// ---------------------------------------------------------------------------------------------
// Command-line arguments
// ---------------------------------------------------------------------------------------------

/// One bad command line. `{small}` is the valid example, `{out}` the fresh output folder.
struct CliCase {
    args: &'static [&'static str],
    /// Fragments that must all appear in stderr.
    messages: &'static [&'static str],
    /// Fragment of a `help:` line (or of clap's `tip:` line).
    help: Option<&'static str>,
    /// A known engine problem (the case states what a user would want).
    engine_problem: Option<&'static str>,
}

const fn case(args: &'static [&'static str], messages: &'static [&'static str]) -> CliCase {
    CliCase {
        args,
        messages,
        help: None,
        engine_problem: None,
    }
}

fn cli_cases() -> Vec<CliCase> {
    vec![
        case(
            &["run", "{small}", "--out", "{out}", "--paths", "0"],
            &["--paths"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--paths", "1e12"],
            &["--paths"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--paths", "abc"],
            &["--paths", "abc"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--paths", "1.5"],
            &["--paths", "1.5"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--paths=-5"],
            &["--paths", "-5"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--threads", "0"],
            &["--threads", "0"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--seed", "x"],
            &["--seed"],
        ),
        CliCase {
            help: Some("did you mean `rd_spend`?"),
            ..case(
                &[
                    "run",
                    "{small}",
                    "--out",
                    "{out}",
                    "--set",
                    "indicators.rd_spnd.base=180",
                ],
                &["--set indicators.rd_spnd.base=180", "no key `rd_spnd`"],
            )
        },
        CliCase {
            help: Some("did you mean `growth`?"),
            ..case(
                &[
                    "run",
                    "{small}",
                    "--out",
                    "{out}",
                    "--set",
                    "indicators.gdp.grwoth.0.noise=2",
                ],
                &["--set indicators.gdp.grwoth.0.noise=2", "no key `grwoth`"],
            )
        },
        CliCase {
            help: Some("did you mean `base`?"),
            ..case(
                &[
                    "run",
                    "{small}",
                    "--out",
                    "{out}",
                    "--set",
                    "indicators.gdp.bsae=20000",
                ],
                &["--set indicators.gdp.bsae=20000", "unknown key `bsae`"],
            )
        },
        case(
            &[
                "run",
                "{small}",
                "--out",
                "{out}",
                "--set",
                "indicators.gdp.base",
            ],
            &["--set indicators.gdp.base", "KEY=VALUE"],
        ),
        case(
            &[
                "run",
                "{small}",
                "--out",
                "{out}",
                "--set",
                "indicators.gdp.base=-5",
            ],
            &["--set indicators.gdp.base=-5", "must be positive"],
        ),
        case(
            &[
                "run",
                "{small}",
                "--out",
                "{out}",
                "--set",
                "indicators.gdp.growth.3.noise=1",
            ],
            &["--set indicators.gdp.growth.3.noise=1", "out of range"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--as-of", "2050"],
            &["--as-of", "2050"],
        ),
        case(
            &["run", "{small}", "--out", "{out}", "--as-of", "2010"],
            &["--as-of", "2010"],
        ),
        case(
            &["run", "no_such_scenario.toml", "--out", "{out}"],
            &["no_such_scenario.toml", "no such file"],
        ),
        case(
            &["run", "{dir}", "--out", "{out}"],
            &["invalid", "cannot read"],
        ),
        case(&["run", "--out", "{out}"], &["SCENARIO"]),
        case(
            &["validate", "no_such_scenario.toml"],
            &["no_such_scenario.toml", "no such file"],
        ),
        case(
            &["validate", "{small}", "--as-of", "2050"],
            &["--as-of", "2050"],
        ),
        CliCase {
            help: Some("did you mean `rd_spend`?"),
            ..case(
                &[
                    "validate",
                    "{small}",
                    "--set",
                    "indicators.rd_spnd.base=180",
                ],
                &["--set indicators.rd_spnd.base=180", "no key `rd_spnd`"],
            )
        },
    ]
}

fn check_cli(known_problems: bool) {
    let small = valid_small().display().to_string();
    let dir = invalid_dir().display().to_string();
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cli_cases() {
        if case.engine_problem.is_some() != known_problems {
            continue;
        }
        checked += 1;
        let args: Vec<String> = case
            .args
            .iter()
            .map(|a| a.replace("{small}", &small).replace("{dir}", &dir))
            .collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = plancast(&args);
        let stderr = run.stderr();
        let mut problems = Vec::new();
        check_common(&run, &mut problems);
        for m in case.messages {
            if !stderr.contains(m) {
                problems.push(format!("stderr does not say `{m}`"));
            }
        }
        if let Some(help) = case.help {
            let helped = stderr
                .lines()
                .any(|l| (l.contains("help:") || l.contains("tip:")) && l.contains(help));
            if !helped {
                problems.push(format!("no `help:` line saying `{help}`"));
            }
        }
        match (case.engine_problem, problems.is_empty()) {
            (Some(_), true) => eprintln!("note: `{}` now passes; remove its marker", run.command),
            (_, true) => {}
            (problem, false) => failures.push(format!(
                "`{}` (exit {:?}){}\n    - {}\n    stderr:\n      {}",
                run.command
                    .replace(small.as_str(), "small.toml")
                    .replace(dir.as_str(), "tests/fixtures/invalid"),
                run.output.status.code(),
                problem
                    .map(|p| format!(" [known engine problem: {p}]"))
                    .unwrap_or_default(),
                problems.join("\n    - "),
                stderr.trim_end().replace('\n', "\n      ")
            )),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} bad command lines were not handled as expected:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// Every bad command line not marked `engine_problem`: must always pass.
#[test]
fn bad_arguments_exit_2_without_writing() {
    check_cli(false);
}

/// Bad command lines marked `engine_problem`: expected to fail until the engine is fixed.
#[test]
#[ignore = "no argument case is marked engine_problem at present; run with --ignored after marking one"]
fn bad_arguments_with_known_engine_problems() {
    check_cli(true);
}
