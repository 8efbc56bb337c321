//! The audit line every chart and the HTML report carry (spec section 7): scenario name and
//! short sha256, seed, paths, sampling, as_of and engine version, so any figure can be
//! reproduced from the chart alone.

use super::labels::Labels;
use super::summary::Summary;

/// Number of hex digits of the scenario's SHA-256 shown.
pub const SHORT_SHA_LEN: usize = 12;

/// The audit line of a run, e.g. `Guangxi … · sha256 1a2b3c4d5e6f · seed 7 · 100000 paths ·
/// lhs · as_of all · plancast 0.1.0` (with the number of `--set` overrides when there are any).
pub fn audit_line(summary: &Summary, labels: &Labels) -> String {
    let name = labels.name(&summary.scenario.name, summary.scenario.name_zh.as_deref());
    let sha: String = summary
        .scenario
        .sha256
        .chars()
        .take(SHORT_SHA_LEN)
        .collect();
    let as_of = summary
        .run
        .as_of
        .map_or_else(|| "all".to_string(), |y| y.to_string());
    let mut line = format!(
        "{name} · sha256 {sha} · seed {} · {} paths · {} · as_of {as_of} · {} {}",
        summary.run.seed,
        summary.run.paths,
        summary.run.sampling.name(),
        summary.engine.name,
        summary.engine.version
    );
    match summary.run.overrides.len() {
        0 => {}
        1 => line.push_str(&format!(" · --set {}", summary.run.overrides[0])),
        n => line.push_str(&format!(" · {n} --set overrides")),
    }
    line
}
