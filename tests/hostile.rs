//! Hostile and huge inputs (issue 13): every case runs the `plancast` binary as a child process
//! under a memory cap and a CPU-time limit (rlimits, set by `sh -c 'ulimit -v …; ulimit -t …'`
//! before `exec`) and a wall-clock limit, and must end by itself, without a panic, with the
//! expected exit code and a message that says what is wrong. The small inputs are the files of
//! `tests/fixtures/hostile/`; the huge ones (a million values, 100,000 targets, ten million
//! history rows, damaged shard files) are generated here into a temporary folder.
//!
//! The limits are the bounds `docs/limits.md` promises for inputs of these classes: 1 GiB of
//! address space and 10 s of CPU time (all threads together). A case that needs more is killed
//! by the kernel, which the test reports as a failure. No timing is asserted beyond that.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Address space a case may use, KiB (`ulimit -v`).
const MEMORY_KIB: u64 = 1 << 20;

/// CPU seconds a case may use (`ulimit -t`).
const CPU_SECONDS: u64 = 10;

/// Wall-clock limit: a case blocked on a named pipe uses no CPU, so the wall clock catches it.
const WALL: Duration = Duration::from_secs(60);

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/hostile")
        .join(name)
}

/// Runs `plancast args…` in `dir` under the limits; checks that it ends by itself with `exit`,
/// without a panic, and that standard error contains every one of `says`.
fn check(dir: &Path, args: &[&str], exit: i32, says: &[&str]) {
    let script = format!("ulimit -v {MEMORY_KIB} && ulimit -t {CPU_SECONDS} && exec \"$0\" \"$@\"");
    let output = Command::new("sh")
        .arg("-c")
        .arg(script)
        .arg(assert_cmd::cargo::cargo_bin("plancast"))
        .args(args)
        .current_dir(dir)
        .timeout(WALL)
        .output()
        .expect("the case runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    let code = output.status.code();
    assert!(
        code.is_some(),
        "{args:?}: killed ({:?}): it did not end within {CPU_SECONDS} s of CPU, {} MiB and {WALL:?}\n{stderr}",
        output.status,
        MEMORY_KIB >> 10
    );
    assert!(!stderr.contains("panicked"), "{args:?} panics:\n{stderr}");
    assert_eq!(code, Some(exit), "{args:?}: exit code\n{stderr}");
    for text in says {
        assert!(
            stderr.contains(text),
            "{args:?}: expected {text:?} in:\n{stderr}"
        );
    }
    assert!(
        !stderr.chars().any(|c| c.is_ascii_digit())
            || !stderr
                .split(|c: char| !c.is_ascii_digit())
                .any(|run| run.len() > 30),
        "{args:?}: a number printed long:\n{stderr}"
    );
}

/// A scratch folder with the small fixtures copied in.
fn scratch() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(fixture("")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    dir
}

const HEAD: &str =
    "[scenario]\nname = \"h\"\nbase_year = 2020\nhorizon = 2030\nseed = 1\npaths = 1000\n";

fn indicator(id: &str, trend: &str) -> String {
    format!("[indicators.{id}]\nname = \"{id}\"\nmodel = \"growth\"\nbase = 100\ngrowth = [{{ from = 2021, to = 2030, trend = {trend}, noise = 1 }}]\n")
}

fn target(id: &str, indicator: &str, k: usize) -> String {
    format!(
        "[[targets]]\nid = \"{id}\"\nindicator = \"{indicator}\"\nyear = {}\nat_least = {k}\n",
        2021 + k % 10
    )
}

/// Class 1: every number of a shard's file is checked; a damaged shard is exit 2 naming the
/// shard and the field.
#[test]
fn damaged_shards_are_refused_naming_shard_and_field() {
    let dir = scratch();
    let d = dir.path();
    for k in ["1/2", "2/2"] {
        check(
            d,
            &[
                "run",
                "tiny.toml",
                "--paths",
                "20000",
                "--shard",
                k,
                "--out",
                &format!("s{}", &k[..1]),
                "-q",
            ],
            0,
            &[],
        );
    }
    let read = |k: u8| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(d.join(format!("s{k}/partial.json"))).unwrap())
            .unwrap()
    };
    type Damage = fn(&mut serde_json::Value, &mut serde_json::Value);
    let cases: [(&str, Damage, &str); 6] = [
        ("offset 2^62", |a, _| a["accumulator"]["cells"][0]["sketch"]["positive"]["offset"] = (1u64 << 62).into(), "`accumulator.cells[0].sketch` is damaged (bucket index out of range)"),
        ("offsets +2e9 and -2e9", |a, b| {
            a["accumulator"]["cells"][0]["sketch"]["positive"]["offset"] = 2_000_000_000i64.into();
            b["accumulator"]["cells"][0]["sketch"]["positive"]["offset"] = (-2_000_000_000i64).into();
        }, "bucket index out of range"),
        ("offset -2^31", |a, _| a["accumulator"]["target_outcomes"][0]["sketch"]["positive"]["offset"] = (-(1i64 << 31)).into(), "`accumulator.target_outcomes[0].sketch` is damaged"),
        ("met paths beyond the paths", |a, _| a["accumulator"]["target_met"][0] = 250_000_000_000u64.into(), "shard 1/2: `accumulator.target_met[0]` is damaged (250000000000 paths, more than the part's 16384)"),
        ("a non-finite value of no target", |_, b| b["accumulator"]["non_finite"] = serde_json::json!([0, 99, 2022, true]), "shard 2/2: `accumulator.non_finite` is damaged"),
        ("a block's moments", |a, _| a["block_moments"][0][0]["count"] = 7.into(), "`block_moments[0][0]` is damaged (7 values, but 16384 paths)"),
    ];
    for (name, damage, says) in cases {
        let (mut a, mut b) = (read(1), read(2));
        damage(&mut a, &mut b);
        for (k, v) in [(1, a), (2, b)] {
            std::fs::create_dir_all(d.join(format!("bad{k}"))).unwrap();
            std::fs::write(
                d.join(format!("bad{k}/partial.json")),
                serde_json::to_vec(&v).unwrap(),
            )
            .unwrap();
        }
        eprintln!("case: {name}");
        check(
            d,
            &["merge", "bad1", "bad2", "--out", "merged", "--no-charts"],
            2,
            &[says],
        );
    }
}

/// Class 2: values and thresholds far beyond a plan's never hang a chart; growth that must
/// overflow ends with exit 1 naming the indicator and the year.
#[test]
fn extreme_values_never_hang_a_chart() {
    let dir = scratch();
    let d = dir.path();
    for file in [
        "base1e308.toml",
        "sd.toml",
        "lognormal.toml",
        "split.toml",
        "t.toml",
        "tden.toml",
        "notarget.toml",
    ] {
        check(
            d,
            &["run", file, "--paths", "200", "--out", "out"],
            1,
            &["`gdp` leaves the range of numbers", "in 2021"],
        );
    }
    check(
        d,
        &["run", "thr.toml", "--paths", "200", "--out", "thr"],
        0,
        &[],
    );
    check(d, &["plot", "thr"], 0, &[]);
}

/// Class 3: only regular files are read, up to a stated size.
#[test]
fn special_files_are_refused_with_the_reason() {
    let dir = scratch();
    let d = dir.path();
    let fifo = std::process::Command::new("mkfifo")
        .arg(d.join("fifo"))
        .status();
    assert!(fifo.is_ok_and(|s| s.success()), "mkfifo");
    let device = "it is a device, not a regular file";
    check(d, &["validate", "/dev/zero"], 2, &["/dev/zero", device]);
    check(
        d,
        &["validate", "extends_zero.toml"],
        2,
        &["`extends` names `/dev/zero`", device],
    );
    check(d, &["validate", "extends_urandom.toml"], 2, &[device]);
    check(
        d,
        &["validate", "extends_fifo.toml"],
        2,
        &["a named pipe (FIFO), not a regular file"],
    );
    check(d, &["merge", "/dev/zero", "--out", "m"], 2, &[device]);
    check(d, &["calibrate", "/dev/zero"], 2, &[device]);
    std::fs::write(d.join("big.toml"), vec![b'#'; 5 << 20]).unwrap();
    check(
        d,
        &["validate", "big.toml"],
        2,
        &["larger than the 4 MiB this input may have"],
    );
    std::os::unix::fs::symlink("loop_b.toml", d.join("loop_a.toml")).unwrap();
    std::os::unix::fs::symlink("loop_a.toml", d.join("loop_b.toml")).unwrap();
    check(
        d,
        &["validate", "loop_a.toml"],
        2,
        &["a loop of symbolic links"],
    );
}

/// Class 4: cost linear in the scenario's size; what cannot be served is refused naming the
/// limit.
#[test]
fn huge_scenarios_are_refused_naming_the_limit_or_served_in_bounds() {
    let dir = scratch();
    let d = dir.path();
    let write = |name: &str, text: String| std::fs::write(d.join(name), text).unwrap();
    let mut text = format!("{HEAD}{}", indicator("gdp", "5"));
    for k in 0..100 {
        text.push_str(&target(&format!("t{k}"), "gdp", k));
    }
    write("targets100.toml", text);
    check(
        d,
        &[
            "run",
            "targets100.toml",
            "--paths",
            "2000",
            "--no-charts",
            "--out",
            "o",
        ],
        0,
        &[],
    );
    let mut text = format!("{HEAD}{}", indicator("gdp", "5"));
    for k in 0..3000 {
        text.push_str(&target(&format!("t{k}"), "gdp", k));
    }
    write("targets3000.toml", text);
    check(
        d,
        &["validate", "targets3000.toml"],
        2,
        &["targets: 3000, more than the 1000 plancast supports"],
    );
    let mut text = format!("{HEAD}{}", indicator("gdp", "5"));
    for k in 0..100_000 {
        text.push_str(&target(&format!("t{k}"), "gdp", k));
    }
    write("targets100k.toml", text);
    check(
        d,
        &["validate", "targets100k.toml"],
        2,
        &["larger than the 4 MiB"],
    );
    // Common factors: each adds members² / 2 matrix entries, so their number is bounded; 500
    // members (the most indicators) in one factor are served.
    let mut text = String::from(HEAD);
    for k in 0..500 {
        text.push_str(&indicator(&format!("i{k}"), "5"));
    }
    let members: Vec<String> = (0..500).map(|k| format!("i{k} = 0.04")).collect();
    text.push_str(&format!(
        "\n[[correlation.factors]]\nid = \"wide\"\nloadings = {{ {} }}\n",
        members.join(", ")
    ));
    write("factor500.toml", text);
    check(d, &["validate", "factor500.toml"], 0, &[]);
    let mut text = format!("{HEAD}{}{}", indicator("a", "5"), indicator("b", "5"));
    for k in 0..5_000 {
        text.push_str(&format!(
            "\n[[correlation.factors]]\nid = \"f{k}\"\nloadings = {{ a = 0.001, b = 0.001 }}\n"
        ));
    }
    write("factors5000.toml", text);
    check(
        d,
        &["validate", "factors5000.toml"],
        2,
        &["common factors: 5000, more than the 100 plancast supports"],
    );
    let mut text = String::from(HEAD);
    for k in 0..10_000 {
        text.push_str(&indicator(&format!("i{k}"), "5"));
    }
    write("indicators10k.toml", text);
    check(
        d,
        &["validate", "indicators10k.toml"],
        2,
        &["indicators: 10000, more than the 500"],
    );
    let mut text = String::from(HEAD);
    for k in 0..500 {
        text.push_str(&indicator(&format!("i{k}"), "5"));
    }
    write("indicators500.toml", text);
    check(
        d,
        &[
            "run",
            "indicators500.toml",
            "--paths",
            "1000",
            "--no-charts",
            "--out",
            "o500",
        ],
        0,
        &[],
    );
    // Posterior trends at the size limits: 500 indicators with an observation every year of a
    // 40-year axis (20,000 cells), all trend scores correlated in one chain, twenty events acting
    // on every indicator in every observed year. The likelihoods stay bounded (events
    // moment-matched beyond the pattern budget), so validating and running end in bounds.
    let mut text = String::from(
        "[scenario]\nname = \"p\"\nbase_year = 2020\nhorizon = 2059\nseed = 1\npaths = 1000\n",
    );
    for k in 0..500 {
        let observed: Vec<String> = (2021..2060)
            .map(|y| {
                format!(
                    "{y} = {:.3}",
                    100.0
                        * 1.05f64.powi(y - 2020)
                        * (1.0 + 0.01 * ((y as usize * 7 + k) % 5) as f64)
                )
            })
            .collect();
        text.push_str(&format!(
            "[indicators.x{k}]\nname = \"x{k}\"\nmodel = \"growth\"\nbase = 100\nobserved = {{ {} }}\ngrowth = [{{ from = 2021, to = 2059, trend = {{ dist = \"pert\", min = 0, mode = 5, max = 10 }}, noise = 1, persistence = 0.5 }}]\n",
            observed.join(", ")
        ));
    }
    let chain: Vec<String> = (0..499)
        .map(|k| format!("[\"x{k}\", \"x{}\", 0.3]", k + 1))
        .collect();
    text.push_str(&format!("[correlation]\ntrend = [{}]\n", chain.join(", ")));
    let effects: Vec<String> = (0..500).map(|k| format!("x{k} = -2.0")).collect();
    for e in 0..20 {
        text.push_str(&format!(
            "[[events]]\nid = \"e{e}\"\nprobability = 0.05\neffects = {{ {} }}\n",
            effects.join(", ")
        ));
    }
    text.push_str("[[targets]]\nid = \"t\"\nindicator = \"x0\"\nyear = 2059\nat_least = 500\n");
    write("posterior500.toml", text);
    check(
        d,
        &[
            "run",
            "posterior500.toml",
            "--paths",
            "1000",
            "--no-charts",
            "--out",
            "p500",
        ],
        0,
        &[],
    );
    let values = vec!["1"; 1_000_000].join(",");
    write(
        "discrete.toml",
        format!(
            "{HEAD}{}",
            indicator(
                "gdp",
                &format!("{{ dist = \"discrete\", values = [{values}], weights = [{values}] }}")
            )
        ),
    );
    check(
        d,
        &["validate", "discrete.toml"],
        2,
        &["`values` of a discrete distribution: 1000000, more than the 10000"],
    );
    let observed: Vec<String> = (0..200_000).map(|y| format!("\"{y}\" = 1")).collect();
    write(
        "observed.toml",
        format!(
            "{HEAD}{}observed = {{ {} }}\n",
            indicator("gdp", "5"),
            observed.join(", ")
        ),
    );
    check(
        d,
        &["validate", "observed.toml"],
        2,
        &["observed years of `gdp`: 200000, more than the 1000"],
    );
}

/// Classes 5, 6 and 7: calibrate, what used to be accepted, and the messages.
#[test]
fn bad_input_is_refused_with_exit_2_and_a_plain_message() {
    let dir = scratch();
    let d = dir.path();
    let mut rows = String::from("year,value\n");
    for k in 0..300_000 {
        rows.push_str(&format!("{},{}\n", 1000 + k % 2000, 1 + k % 7));
    }
    std::fs::write(d.join("rows.csv"), rows).unwrap();
    check(
        d,
        &["calibrate", "rows.csv"],
        2,
        &["year 1000 is listed twice (first on line 2)"],
    );
    check(
        d,
        &["calibrate", "extreme.csv"],
        2,
        &["is too large to compute"],
    );
    check(
        d,
        &["calibrate", "neg.csv"],
        2,
        &["5 of the values are zero or negative"],
    );
    check(
        d,
        &["validate", "lag.toml"],
        2,
        &["`gdp[-9223372036854775808]` reaches back"],
    );
    check(
        d,
        &["validate", "dupyear.toml"],
        2,
        &["`02021` is not a year"],
    );
    check(
        d,
        &["validate", "plusyear.toml"],
        2,
        &["`+2021` is not a year"],
    );
    check(
        d,
        &["validate", "spyear.toml"],
        2,
        &["` 2021` is not a year"],
    );
    check(
        d,
        &["run", "slash.toml", "--paths", "10", "--out", "o"],
        2,
        &["target id `a/b`", "target id `../x`"],
    );
    check(
        d,
        &["run", "tiny.toml", "--paths", "1,,0", "--out", "o"],
        2,
        &["may only stand between digits"],
    );
    check(
        d,
        &["run", "tiny.toml", "--paths", "1_", "--out", "o"],
        2,
        &["may only stand between digits"],
    );
    check(
        d,
        &["validate", "tiny.toml", "--set", "extends=thr.toml"],
        2,
        &["`extends` cannot be set with --set"],
    );
    check(
        d,
        &["validate", "scenkey.toml"],
        2,
        &["unknown key `scenario`"],
    );
    check(
        d,
        &["validate", "rawmeta.toml"],
        2,
        &["expected a table such as [scenario]"],
    );
    check(
        d,
        &["run", "tiny.toml", "--paths", "10", "--out", "/proc/self"],
        2,
        &["cannot write to /proc/self: the folder takes no new files"],
    );
}

/// Class 8: user text never opens as a formula in a spreadsheet.
#[test]
fn csv_cells_from_user_text_are_neutralised() {
    let dir = scratch();
    let d = dir.path();
    check(
        d,
        &[
            "run",
            "formula.toml",
            "--paths",
            "100",
            "--no-charts",
            "--out",
            "o",
        ],
        0,
        &[],
    );
    let targets = std::fs::read_to_string(d.join("o/targets.csv")).unwrap();
    assert!(targets.contains(",'+cmd|calc,"), "{targets}");
    for line in targets.lines().chain(
        std::fs::read_to_string(d.join("o/quantiles.csv"))
            .unwrap()
            .lines(),
    ) {
        for cell in line.split(',') {
            let cell = cell.trim_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '@']) || cell.parse::<f64>().is_ok(),
                "a formula cell: {line}"
            );
        }
    }
}
