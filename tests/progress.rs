//! The progress bar stays off standard error when it is not a terminal (pipes, CI, files),
//! even for a run long enough to show it on a terminal.

use assert_cmd::Command;

#[test]
fn no_progress_bar_when_stderr_is_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let output = Command::cargo_bin("plancast")
        .unwrap()
        .args([
            "run",
            "benches/scenarios/synthetic.toml",
            "--paths",
            "1e6",
            "--out",
        ])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(output.status.success());
    // Meaningful when the run lasts long enough for the bar to appear on a terminal (1M paths
    // of this scenario take about a second on two cores).
    eprintln!(
        "run took {:?}; the bar would show after {:?}",
        started.elapsed(),
        plancast::app::progress::SHOW_AFTER
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        !stderr.contains("simulating"),
        "progress output on a non-terminal stderr: {stderr}"
    );
}
