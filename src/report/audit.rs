//! The audit line every chart and the HTML report carry (spec section 7): scenario name and
//! short sha256, seed, paths, sampling, as_of and engine version, so any figure can be
//! reproduced from the chart alone.

use super::labels::Labels;
use super::summary::Summary;
use crate::analysis::RunRecord;

/// Number of hex digits of the scenario's SHA-256 shown.
pub const SHORT_SHA_LEN: usize = 12;

/// The facts an audit line states.
struct Facts<'a> {
    name: &'a str,
    sha256: &'a str,
    seed: u64,
    paths: u64,
    sampling: &'a str,
    as_of: Option<i32>,
    engine: String,
    overrides: &'a [String],
}

/// The one format of an audit line.
fn line(facts: &Facts) -> String {
    let sha: String = facts.sha256.chars().take(SHORT_SHA_LEN).collect();
    let as_of = facts
        .as_of
        .map_or_else(|| "latest".to_string(), |y| y.to_string());
    let mut line = format!(
        "{} · sha256 {sha} · seed {} · {} paths · {} · as_of {as_of} · {}",
        facts.name, facts.seed, facts.paths, facts.sampling, facts.engine
    );
    match facts.overrides.len() {
        0 => {}
        1 => line.push_str(&format!(" · --set {}", facts.overrides[0])),
        n => line.push_str(&format!(" · {n} --set overrides")),
    }
    line
}

/// The audit line of a run, e.g. `Guangxi … · sha256 1a2b3c4d5e6f · seed 7 · 100000 paths ·
/// lhs · as_of latest · plancast 0.1.0` (with the number of `--set` overrides when there are any).
pub fn audit_line(summary: &Summary, labels: &Labels) -> String {
    line(&Facts {
        name: &labels.name(&summary.scenario.name, summary.scenario.name_zh.as_deref()),
        sha256: &summary.scenario.sha256,
        seed: summary.run.seed,
        paths: summary.run.paths,
        sampling: summary.run.sampling.name(),
        as_of: summary.run.as_of,
        engine: format!("{} {}", summary.engine.name, summary.engine.version),
        overrides: &summary.run.overrides,
    })
}

/// The audit line of an analysis (`sensitivity`, `compare`): the same format from the
/// analysis's [`RunRecord`].
pub fn analysis_audit_line(run: &RunRecord) -> String {
    line(&Facts {
        name: &run.scenario,
        sha256: &run.sha256,
        seed: run.seed,
        paths: run.paths,
        sampling: &run.sampling,
        as_of: run.as_of,
        engine: format!("plancast {}", run.engine_version),
        overrides: &run.overrides,
    })
}

/// The audit line of `compare`: every scenario's name and short sha256, then the seed, paths,
/// sampling, as_of and engine they share (common random numbers).
pub fn comparison_audit_line(runs: &[&RunRecord]) -> String {
    let Some(first) = runs.first() else {
        return String::new();
    };
    let scenarios: Vec<String> = runs
        .iter()
        .map(|r| {
            let sha: String = r.sha256.chars().take(SHORT_SHA_LEN).collect();
            let file = std::path::Path::new(&r.file)
                .file_name()
                .map(|f| f.to_string_lossy().to_string())
                .unwrap_or_else(|| r.file.clone());
            format!("{file} {sha}")
        })
        .collect();
    let mut rest = analysis_audit_line(first);
    // The part after the first scenario's name and sha: seed, paths, sampling, as_of, engine.
    if let Some(at) = rest.find(" · seed ") {
        rest = rest[at..].to_string();
    }
    format!("{}{rest}", scenarios.join(" vs "))
}
