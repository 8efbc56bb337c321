//! The manifest `.plancast-files`: which files of an output folder plancast wrote, each under
//! the [`FileSet`] that owns it. A command replaces its sets as a whole: files that the previous
//! manifest lists under a set this command writes, and that this command did not write again,
//! are stale and removed. Files of other sets (written by other commands into the same folder)
//! and files the manifest does not list (a user's own notes) are never touched.
//!
//! Format: a comment line, then one `set<TAB>relative/path` line per file, sorted. Lines that
//! are not of that form, or whose path is not a plain relative path inside the folder, are
//! ignored (so a damaged or hand-edited manifest can never make plancast delete anything outside
//! the folder); lines of sets this version does not know are kept as they are.

use std::collections::BTreeSet;
use std::path::{Component, Path};

/// The manifest's file name in the output folder.
pub(super) const MANIFEST_FILE: &str = ".plancast-files";

const HEADER: &str = concat!(
    "# Files plancast wrote into this folder, by the set that owns them (set<TAB>path). ",
    "plancast deletes a listed file when the command owning its set no longer writes it; ",
    "unlisted files are never touched."
);

/// A part of an output folder that one kind of command writes and replaces as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum FileSet {
    /// `summary.json`, `targets.csv`, `quantiles.csv`, `results.xlsx` (written by `run` and
    /// `merge`).
    Results,
    /// `charts/*` and `report.html` drawn from a summary (`run` and `merge` without
    /// `--no-charts`, and `plot`).
    Charts,
    /// `partial.json` of `run --shard`.
    Partial,
    /// `sensitivity.json`, `sensitivity.csv`, `sensitivity.xlsx` and the tornado charts of
    /// `sensitivity`.
    Sensitivity,
    /// `solve.json` of `solve` (the growth table).
    Solve,
    /// `solve-vary.json` of `solve --vary` (its own set, so that it and the growth table can
    /// share a folder).
    SolveVary,
    /// `compare.csv`, `compare.xlsx`, `compare.json` and the comparison charts of `compare`.
    Compare,
    /// `track.csv`, `track.json`, `track.html` and the track charts of `track`.
    Track,
    /// `backtest.csv`, `backtest.json` and the PIT and coverage charts of `backtest`.
    Backtest,
}

impl FileSet {
    /// The name written in the manifest.
    pub fn name(self) -> &'static str {
        match self {
            FileSet::Results => "results",
            FileSet::Charts => "charts",
            FileSet::Partial => "partial",
            FileSet::Sensitivity => "sensitivity",
            FileSet::Solve => "solve",
            FileSet::SolveVary => "solve-vary",
            FileSet::Compare => "compare",
            FileSet::Track => "track",
            FileSet::Backtest => "backtest",
        }
    }
}

/// One manifest line: a file and the set that owns it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Entry {
    /// The set's name (kept as written, also for sets this version does not know).
    pub set: String,
    /// The path relative to the output folder, `/`-separated.
    pub path: String,
}

/// Whether `path` is a plain relative path inside the folder that plancast may own: only normal
/// components (no root, `..` or `.`), no tab or line break (the manifest and journal are
/// line-based), and not one of plancast's own hidden bookkeeping names.
pub(super) fn is_safe_relative(path: &str) -> bool {
    !path.is_empty()
        && !path.contains(['\t', '\n', '\r', '\\'])
        && !path.starts_with(".plancast-")
        && Path::new(path)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
}

/// Parses a manifest's text; unusable lines are skipped.
pub(super) fn parse(text: &str) -> Vec<Entry> {
    text.lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('\t'))
        .filter(|(set, path)| !set.is_empty() && is_safe_relative(path))
        .map(|(set, path)| Entry {
            set: set.to_string(),
            path: path.to_string(),
        })
        .collect()
}

/// The manifest of the folder `dir`; empty when there is none (a folder written by an older
/// plancast, or never written: nothing in it is known to be plancast's).
pub(super) fn read(dir: &Path) -> std::io::Result<Vec<Entry>> {
    match std::fs::read(dir.join(MANIFEST_FILE)) {
        Ok(bytes) => Ok(parse(&String::from_utf8_lossy(&bytes))),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The manifest file's contents for `entries`.
pub(super) fn render(entries: &[Entry]) -> Vec<u8> {
    let mut text = format!("{HEADER}\n");
    for entry in entries {
        text.push_str(&format!("{}\t{}\n", entry.set, entry.path));
    }
    text.into_bytes()
}

/// What a commit does to the bookkeeping: the next manifest and the stale files to delete.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Plan {
    /// The manifest after the commit, sorted.
    pub manifest: Vec<Entry>,
    /// Files to delete (relative paths), sorted.
    pub stale: Vec<String>,
}

/// Plans a commit that writes `written` over a folder whose manifest is `previous`. The sets of
/// `written` are replaced as a whole; a file written now under another set than before changes
/// owner (and is not stale).
pub(super) fn plan(previous: &[Entry], written: &[Entry]) -> Plan {
    let replaced: BTreeSet<&str> = written.iter().map(|e| e.set.as_str()).collect();
    let written_paths: BTreeSet<&str> = written.iter().map(|e| e.path.as_str()).collect();
    let mut manifest: BTreeSet<Entry> = written.iter().cloned().collect();
    let mut stale = BTreeSet::new();
    for entry in previous {
        if written_paths.contains(entry.path.as_str()) {
            continue;
        }
        if replaced.contains(entry.set.as_str()) {
            stale.insert(entry.path.clone());
        } else {
            manifest.insert(entry.clone());
        }
    }
    Plan {
        manifest: manifest.into_iter().collect(),
        stale: stale.into_iter().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(set: &str, path: &str) -> Entry {
        Entry {
            set: set.to_string(),
            path: path.to_string(),
        }
    }

    #[test]
    fn a_replaced_set_loses_the_files_not_written_again_and_other_sets_keep_theirs() {
        let previous = vec![
            entry("results", "summary.json"),
            entry("charts", "report.html"),
            entry("charts", "charts/outcome_gone.png"),
            entry("charts", "charts/outcome_kept.png"),
            entry("sensitivity", "charts/tornado-a.png"),
        ];
        let written = vec![
            entry("charts", "report.html"),
            entry("charts", "charts/outcome_kept.png"),
            entry("charts", "charts/outcome_new.png"),
        ];
        let plan = plan(&previous, &written);
        assert_eq!(plan.stale, vec!["charts/outcome_gone.png".to_string()]);
        assert_eq!(
            plan.manifest,
            vec![
                entry("charts", "charts/outcome_kept.png"),
                entry("charts", "charts/outcome_new.png"),
                entry("charts", "report.html"),
                entry("results", "summary.json"),
                entry("sensitivity", "charts/tornado-a.png"),
            ]
        );
    }

    #[test]
    fn a_file_written_under_another_set_changes_owner_and_is_not_stale() {
        let previous = vec![entry("compare", "charts/x.png")];
        let written = vec![entry("charts", "charts/x.png")];
        let plan = plan(&previous, &written);
        assert!(plan.stale.is_empty());
        assert_eq!(plan.manifest, vec![entry("charts", "charts/x.png")]);
    }

    #[test]
    fn parse_reads_what_render_writes_and_skips_unsafe_lines() {
        let entries = vec![
            entry("charts", "charts/a b.png"),
            entry("future-set", "x.txt"),
        ];
        assert_eq!(
            parse(&String::from_utf8(render(&entries)).unwrap()),
            entries
        );
        let hostile = "results\t../outside.txt\nresults\t/etc/passwd\nresults\tcharts/../../x\n\
                       results\t.plancast-journal\nno tab here\n\tempty-set.txt\nresults\tok.csv\n";
        assert_eq!(parse(hostile), vec![entry("results", "ok.csv")]);
    }
}
