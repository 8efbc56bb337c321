//! Reading a scenario: files (with `extends`), `--set` overrides, the serde mirror, validation,
//! and diagnostics that point at file, line and column.

pub mod diagnostic;
pub mod history;
pub mod knob;
pub mod limits;
pub mod merge;
pub mod raw;
pub mod source;
pub mod validate;

use diagnostic::{did_you_mean, Diagnostic, KeyPath, Location, Segment};
use merge::Override;
use sha2::{Digest, Sha256};
use source::SourceFile;
use std::path::{Path, PathBuf};
pub use validate::RunSettings;

use crate::model::Scenario;

/// A file that went into a scenario, for the audit record.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize, PartialEq)]
pub struct FileRecord {
    /// The path as given (or as resolved from `extends`).
    pub path: String,
    /// SHA-256 of the file's bytes, hex.
    pub sha256: String,
}

/// A validated scenario with the record of where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The validated model.
    pub scenario: Scenario,
    /// The scenario file first, then each file it extends.
    pub files: Vec<FileRecord>,
    /// The `--set` arguments, as typed.
    pub overrides: Vec<String>,
    /// The resolved document (files merged along `extends`, overrides applied) that was
    /// validated: a shard records it so that `plancast merge` rebuilds the same scenario
    /// without the files.
    pub document: toml::Table,
}

/// Options for [`load`].
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// `--set KEY=VALUE` arguments.
    pub sets: Vec<String>,
    /// `--paths`, `--seed`, `--as-of`.
    pub settings: RunSettings,
}

/// Every problem found in the input, located. Displaying it prints one block per problem.
#[derive(Debug, Clone)]
pub struct Diagnostics(pub Vec<Diagnostic>);

impl std::fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, d) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{d}")?;
        }
        if self.0.len() > 1 {
            write!(f, "\n{} problems found", self.0.len())?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}

/// Reads, merges, overrides, deserialises and validates a scenario.
pub fn load(path: &Path, options: &LoadOptions) -> Result<Loaded, Diagnostics> {
    let mut sources: Vec<SourceFile> = Vec::new();
    let mut records = Vec::new();
    let mut document = read_chain(path, &mut sources, &mut records, &mut Vec::new())
        .map_err(|d| Diagnostics(vec![d]))?;

    let mut overrides: Vec<Override> = Vec::new();
    let mut diags = Vec::new();
    for raw in &options.sets {
        match merge::parse_override(raw) {
            Ok(set) => match merge::apply_override(&mut document, &set) {
                Ok(()) => overrides.push(set),
                Err(d) => diags.push(*d),
            },
            Err(d) => diags.push(*d),
        }
    }
    if !diags.is_empty() {
        return Err(Diagnostics(diags));
    }

    let raw: raw::RawScenario =
        match serde_path_to_error::deserialize(toml::Value::Table(document.clone())) {
            Ok(raw) => raw,
            Err(error) => {
                let path = convert_path(error.path());
                let diagnostic = serde_diagnostic(path, &error.inner().to_string());
                return Err(Diagnostics(vec![locate(diagnostic, &sources, &overrides)]));
            }
        };
    // The run settings were checked where they were given (the command line: `app::settings`);
    // a path count out of range from a library caller is refused by validation.
    match validate::validate(&raw, &options.settings) {
        Ok(scenario) => Ok(Loaded {
            scenario,
            files: records,
            overrides: options.sets.clone(),
            document,
        }),
        Err(diags) => Err(Diagnostics(located_and_capped(diags, &sources, &overrides))),
    }
}

/// The first [`limits::MAX_REPORTED_PROBLEMS`] problems, located, and a last line that counts
/// the rest: a file with a million mistakes is reported in the time a few take.
fn located_and_capped(
    mut diags: Vec<Diagnostic>,
    sources: &[SourceFile],
    overrides: &[Override],
) -> Vec<Diagnostic> {
    let more = diags.len().saturating_sub(limits::MAX_REPORTED_PROBLEMS);
    diags.truncate(limits::MAX_REPORTED_PROBLEMS);
    let mut out: Vec<Diagnostic> = diags
        .into_iter()
        .map(|d| locate(d, sources, overrides))
        .collect();
    if more > 0 {
        let file = sources
            .first()
            .map(|f| Location::FileOnly(f.display_path.clone()))
            .unwrap_or(Location::Nowhere);
        out.push(Diagnostic::located(
            file,
            format!("... and {more} more problem(s) not shown: fix these first"),
        ));
    }
    out
}

/// Validates a resolved document recorded earlier (see [`Loaded::document`]) with the same
/// settings: the scenario of a shard, rebuilt by `plancast merge`. Problems are reported without
/// file locations (there are no files).
pub fn load_document(
    document: toml::Table,
    files: Vec<FileRecord>,
    overrides: Vec<String>,
    settings: &RunSettings,
) -> Result<Loaded, Diagnostics> {
    let raw: raw::RawScenario =
        serde_path_to_error::deserialize(toml::Value::Table(document.clone())).map_err(|e| {
            Diagnostics(vec![serde_diagnostic(
                convert_path(e.path()),
                &e.inner().to_string(),
            )])
        })?;
    let scenario = validate::validate(&raw, settings)
        .map_err(|d| Diagnostics(located_and_capped(d, &[], &[])))?;
    Ok(Loaded {
        scenario,
        files,
        overrides,
        document,
    })
}

/// Reads `path` and, recursively, the files it extends; returns the merged document.
fn read_chain(
    path: &Path,
    sources: &mut Vec<SourceFile>,
    records: &mut Vec<FileRecord>,
    visiting: &mut Vec<PathBuf>,
) -> Result<toml::Table, Diagnostic> {
    let display = path.display().to_string();
    let bytes = limits::read_regular_file(path, limits::MAX_SCENARIO_BYTES).map_err(|reason| {
        Diagnostic::located(
            Location::FileOnly(display.clone()),
            format!("cannot read the scenario file: {reason}"),
        )
    })?;
    let text = String::from_utf8(bytes.clone()).map_err(|e| {
        let location = source::location_at(
            &display,
            &String::from_utf8_lossy(&bytes),
            e.utf8_error().valid_up_to(),
        );
        Diagnostic::located(
            location,
            "the file is not valid UTF-8 text (save it as UTF-8)",
        )
    })?;
    let file = SourceFile::parse(display.clone(), text.clone())
        .map_err(|(location, message)| Diagnostic::located(location, message))?;
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        Diagnostic::located(
            source::location_at(&display, &text, offset),
            format!("TOML syntax error: {}", e.message()),
        )
    })?;
    records.push(FileRecord {
        path: display.clone(),
        sha256: hex(&Sha256::digest(&bytes)),
    });
    let canonical = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    visiting.push(canonical);
    let parent = match table.get("extends") {
        None => None,
        Some(toml::Value::String(relative)) => Some(relative.clone()),
        Some(_) => {
            let location = file
                .locate(&KeyPath::root().key("extends"))
                .map(|(l, _)| l)
                .unwrap_or(Location::FileOnly(display.clone()));
            return Err(Diagnostic::located(
                location,
                "`extends` must be a file name in quotes, e.g. extends = \"base.toml\"",
            ));
        }
    };
    let extends_location = file
        .locate(&KeyPath::root().key("extends"))
        .map(|(l, _)| l)
        .unwrap_or(Location::FileOnly(display.clone()));
    sources.push(file);
    let Some(relative) = parent else {
        return Ok(table);
    };
    let parent_path = path
        .parent()
        .unwrap_or_else(|| Path::new("."))
        .join(&relative);
    let canonical_parent = parent_path.canonicalize().unwrap_or(parent_path.clone());
    if visiting.contains(&canonical_parent) {
        return Err(Diagnostic::located(
            extends_location,
            format!("`extends = \"{relative}\"` leads back to a file already being read: the chain is circular"),
        ));
    }
    match limits::check_path(&parent_path, limits::MAX_SCENARIO_BYTES) {
        Ok(()) => {}
        Err(reason) if reason == "no such file" => {
            return Err(Diagnostic::located(
                extends_location,
                format!(
                    "`extends` names `{}`, which does not exist (paths are relative to this file)",
                    parent_path.display()
                ),
            ));
        }
        Err(reason) => {
            return Err(Diagnostic::located(
                extends_location,
                format!(
                    "`extends` names `{}`, which cannot be read: {reason}",
                    parent_path.display()
                ),
            ));
        }
    }
    table.remove("extends");
    let mut merged = read_chain(&parent_path, sources, records, visiting)?;
    merge::merge_tables(&mut merged, table);
    Ok(merged)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn convert_path(path: &serde_path_to_error::Path) -> KeyPath {
    KeyPath(
        path.iter()
            .filter_map(|segment| match segment {
                serde_path_to_error::Segment::Seq { index } => Some(Segment::Index(*index)),
                serde_path_to_error::Segment::Map { key } => Some(Segment::Key(key.clone())),
                serde_path_to_error::Segment::Enum { variant } => {
                    Some(Segment::Key(variant.clone()))
                }
                serde_path_to_error::Segment::Unknown => None,
            })
            .collect(),
    )
}

/// Turns a serde message into a planner's message (unknown keys get "did you mean").
fn serde_diagnostic(path: KeyPath, message: &str) -> Diagnostic {
    if let Some(rest) = message.strip_prefix("unknown field `") {
        let (key, expected) = rest.split_once('`').unwrap_or((rest, ""));
        // "…, expected one of `a`, `b`, `c`" possibly followed by more text that quotes other
        // names (such as the table): only the listed names count.
        let list = expected
            .split_once("expected one of ")
            .or_else(|| expected.split_once("expected "))
            .map_or("", |(_, list)| list);
        let valid: Vec<&str> = list
            .split(", ")
            .map_while(|item| {
                let item = item.split_whitespace().next().unwrap_or("");
                item.strip_prefix('`')
                    .and_then(|rest| rest.strip_suffix('`'))
                    .filter(|name| !name.contains('`'))
            })
            .filter(|name| *name != key)
            .collect();
        // serde_path_to_error's path already ends with the unknown key.
        let key_path = match path.0.last() {
            Some(Segment::Key(last)) if last == key => path.clone(),
            _ => path.key(key),
        };
        let mut d = Diagnostic::at_key(key_path, format!("unknown key `{key}`"))
            .with_optional_help(did_you_mean(key, valid.iter().copied()));
        if key == "extends" && d.help.is_none() {
            d.help = Some(
                "`extends = \"…\"` goes at the top of the file, before the first [table]"
                    .to_string(),
            );
        }
        if d.help.is_none() && !valid.is_empty() {
            d.help = Some(format!("valid keys here: {}", valid.join(", ")));
        }
        return d;
    }
    if let Some(rest) = message.strip_prefix("missing field `") {
        let key = rest.split('`').next().unwrap_or(rest);
        return Diagnostic::at(path, format!("missing required key `{key}`"));
    }
    // serde's text names Rust types; say it in the file's terms, on one line.
    let first_line = message.lines().next().unwrap_or(message);
    let first_line = &plain_type_names(first_line);
    let message = first_line
        .replace("invalid type: ", "wrong type: found ")
        .replace("expected f64", "expected a number")
        .replace("expected i64", "expected a whole number")
        .replace("expected u64", "expected a whole number (0 or more)")
        .replace("expected a boolean", "expected true or false")
        .replace(
            "a tuple of size 3",
            "a list like [\"indicator_a\", \"indicator_b\", 0.5]",
        )
        .replace("floating point", "the number")
        .replace("integer", "the whole number");
    Diagnostic::at(path, message)
}

/// serde's "expected struct RawPeriod with 5 elements" and "expected struct RawMeta" name the
/// Rust types of the serde mirror; say what the file should hold instead.
fn plain_type_names(message: &str) -> String {
    let Some(start) = message.find("expected struct Raw") else {
        return message.to_string();
    };
    let name_start = start + "expected struct ".len();
    let name_end = message[name_start..]
        .find(|c: char| !c.is_ascii_alphanumeric())
        .map_or(message.len(), |i| name_start + i);
    let what = match &message[name_start..name_end] {
        "RawScenario" => "a scenario file",
        "RawMeta" => "a table such as [scenario] with name, base_year and horizon",
        "RawIndicator" => "a table such as [indicators.gdp]",
        "RawPeriod" => "a period table such as { from = 2021, to = 2025, trend = 5 }",
        "RawCorrelation" => "a table such as [correlation]",
        "RawEvent" => "an event table such as [[events]]",
        "RawTarget" => "a target table such as [[targets]]",
        "RawGroup" => "a group table such as [[groups]]",
        _ => "a table",
    };
    // Drop " with N elements" after the name: it counts the fields of the Rust type.
    let mut rest = &message[name_end..];
    if let Some(after) = rest.strip_prefix(" with ") {
        if let Some(i) = after.find(" elements") {
            rest = &after[i + " elements".len()..];
        }
    }
    format!("{}expected {what}{rest}", &message[..start])
}

/// Resolves a diagnostic's key path to a file position (or to the `--set` argument that put the
/// value there).
fn locate(mut d: Diagnostic, sources: &[SourceFile], overrides: &[Override]) -> Diagnostic {
    let Some(path) = d.path.clone() else { return d };
    if !matches!(d.location, Location::Nowhere) {
        return d;
    }
    if let Some(set) = overrides.iter().rev().find(|s| path.starts_with(&s.path)) {
        d.location = Location::Argument(format!("--set {}", set.raw));
        d.column_offset = 0;
        return d;
    }
    if d.at_key {
        for file in sources {
            if let Some(location) = file.locate_key(&path) {
                d.location = location;
                return d;
            }
        }
    }
    let mut partial = None;
    for file in sources {
        match file.locate(&path) {
            Some((location, true)) => {
                d.location = shift(location, d.column_offset);
                return d;
            }
            Some((location, false)) if partial.is_none() => partial = Some(location),
            _ => {}
        }
    }
    d.location = partial.unwrap_or_else(|| {
        sources
            .first()
            .map(|f| Location::FileOnly(f.display_path.clone()))
            .unwrap_or(Location::Nowhere)
    });
    d
}

fn shift(location: Location, columns: u32) -> Location {
    match location {
        Location::File { path, line, column } => Location::File {
            path,
            line,
            column: column + columns as usize,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(text: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.toml");
        std::fs::write(&path, text).unwrap();
        load(&path, &LoadOptions::default())
            .unwrap_err()
            .to_string()
    }

    const HEAD: &str = "[scenario]\nname = \"t\"\nbase_year = 2020\nhorizon = 2025\n";

    #[test]
    fn messages_name_no_rust_types_and_suggest_no_key_itself() {
        let message = problems("scenario = 3\n");
        assert!(!message.contains("Raw"), "{message}");
        assert!(
            message.contains("expected a table such as [scenario]"),
            "{message}"
        );
        let message = problems(&format!(
            "{HEAD}[indicators.gdp]\nname = \"g\"\nmodel = \"growth\"\nbase = 1\ngrowth = [[2021, 2025, 5, 1]]\n"
        ));
        assert!(
            !message.contains("Raw") && !message.contains("elements"),
            "{message}"
        );
        assert!(message.contains("expected a period table"), "{message}");
        let message = problems(&format!("{HEAD}scenario = 3\n"));
        assert!(message.contains("unknown key `scenario`"), "{message}");
        assert!(!message.contains("did you mean `scenario`"), "{message}");
    }

    #[test]
    fn a_million_mistakes_are_reported_as_fifty_and_a_count() {
        let mut text = format!("{HEAD}[indicators.gdp]\nname = \"g\"\nmodel = \"growth\"\nbase = 1\ngrowth = [{{ from = 2021, to = 2025, trend = 5 }}]\nobserved = {{ ");
        let entries: Vec<String> = (0..2000).map(|k| format!("x{k} = 1")).collect();
        text.push_str(&entries.join(", "));
        text.push_str(" }\n");
        let message = problems(&text);
        assert!(
            message.contains("observed years of `gdp`: 2000, more than the 1000"),
            "{message}"
        );
        let entries: Vec<String> = (0..900).map(|k| format!("x{k} = 1")).collect();
        let text = text.replace(
            &text[text.find("observed").unwrap()..],
            &format!("observed = {{ {} }}\n", entries.join(", ")),
        );
        let message = problems(&text);
        assert!(
            message.contains("... and 850 more problem(s) not shown"),
            "{message}"
        );
        assert_eq!(
            message.matches("is not a year").count(),
            limits::MAX_REPORTED_PROBLEMS
        );
    }

    #[test]
    fn extends_reads_only_regular_files() {
        let message = problems(&format!("extends = \"/dev/zero\"\n{HEAD}"));
        assert!(
            message.contains("`extends` names `/dev/zero`, which cannot be read: it is a device, not a regular file"),
            "{message}"
        );
    }
}
