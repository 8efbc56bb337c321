//! Issue 14: the bundled scenario's report stays small enough to mail and to open quickly
//! (under 4 MB, in English and in Chinese, at the default 100,000 paths): the charts are inline
//! SVG and the embedded faces are cut to the page's characters.

use std::fs;
use std::process::Command;

#[test]
fn the_bundled_report_is_under_4_mb() {
    let dir = tempfile::tempdir().unwrap();
    for lang in ["en", "zh"] {
        let out = dir.path().join(lang);
        let status = Command::new(env!("CARGO_BIN_EXE_plancast"))
            .args([
                "run",
                "scenarios/guangxi-14th-fyp.toml",
                "--quiet",
                "--lang",
                lang,
            ])
            .arg("--out")
            .arg(&out)
            .status()
            .unwrap();
        assert!(status.success());
        let html = fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            html.len() < 4_000_000,
            "report.html ({lang}) is {} bytes",
            html.len()
        );
        // Every chart is in it, as inline SVG.
        let charts = fs::read_dir(out.join("charts"))
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension() == Some("svg".as_ref()))
            .count();
        assert_eq!(html.matches("<svg ").count(), charts, "{lang}");
        // Every face is cut to the page's characters (the whole Chinese face alone is 1.7 MB
        // in base64).
        let faces: Vec<usize> = html
            .split("base64,")
            .skip(1)
            .map(|s| s.find(')').unwrap())
            .collect();
        assert_eq!(faces.len(), 3, "{lang}");
        assert!(faces.iter().all(|&len| len < 600_000), "{lang}: {faces:?}");
        assert_eq!(html.matches("unicode-range:").count(), 3, "{lang}");
    }
}
