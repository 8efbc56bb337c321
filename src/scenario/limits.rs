//! The supported sizes of every input (`docs/limits.md`), and the one way input files are read:
//! regular files only, up to a stated size, so that no file (a device, a named pipe, a file of
//! gigabytes) can make a command wait forever or take unbounded memory.
//!
//! Every limit is far above what a plan needs (the bundled Guangxi scenario has 11 indicators
//! and 22 targets) and low enough that the work and memory a scenario asks for stay within about
//! ten seconds and one gigabyte at the default path count (`tests/hostile.rs` checks it, one
//! child process per hostile input under a time limit and a memory cap).

use std::io::Read;
use std::path::Path;

/// The largest scenario file (each file of an `extends` chain), in bytes.
pub const MAX_SCENARIO_BYTES: u64 = 4 << 20;

/// The largest `year,value` history file of `plancast calibrate`, in bytes.
pub const MAX_HISTORY_BYTES: u64 = 4 << 20;

/// The largest `summary.json` that `plancast plot` reads, in bytes.
pub const MAX_SUMMARY_BYTES: u64 = 256 << 20;

/// The largest `partial.json` that `plancast merge` reads, in bytes.
pub const MAX_PARTIAL_BYTES: u64 = 256 << 20;

/// The most indicators in a scenario.
pub const MAX_INDICATORS: usize = 500;

/// The most simulated cells: indicators times years of the axis.
pub const MAX_CELLS: usize = 20_000;

/// The most targets in a scenario.
pub const MAX_TARGETS: usize = 1_000;

/// The most targets on one indicator: every later target is paired with every earlier one for
/// the conditional milestone probabilities, so the pairs grow with the square of this number.
pub const MAX_TARGETS_PER_INDICATOR: usize = 100;

/// The most named groups, and the most members of one group.
pub const MAX_GROUPS: usize = 1_000;

/// The most events.
pub const MAX_EVENTS: usize = 1_000;

/// The most entries of each correlation list (`noise`, `trend`).
pub const MAX_CORRELATION_ENTRIES: usize = 10_000;

/// The most common factors in `[[correlation.factors]]` (each adds up to members² / 2 matrix
/// entries).
pub const MAX_FACTORS: usize = 100;

/// The most members (loadings) of one common factor: at most one per indicator.
pub const MAX_FACTOR_LOADINGS: usize = MAX_INDICATORS;

/// The most values of one `discrete` distribution.
pub const MAX_DISCRETE_VALUES: usize = 10_000;

/// The most periods of one indicator.
pub const MAX_PERIODS: usize = 1_000;

/// The most `observed` (and `observed_sources`) entries of one indicator.
pub const MAX_OBSERVED: usize = 1_000;

/// The most characters of a formula.
pub const MAX_FORMULA_CHARS: usize = 100_000;

/// The most problems printed for one input; the rest are counted.
pub const MAX_REPORTED_PROBLEMS: usize = 50;

/// Reads the regular file at `path`, of at most `limit` bytes. The error is the reason in
/// words (for a message that names the path): missing, a folder, a device or named pipe, a loop
/// of symbolic links, too large, unreadable.
pub fn read_regular_file(path: &Path, limit: u64) -> Result<Vec<u8>, String> {
    check_path(path, limit)?;
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    // The file may have been swapped since the check: check the opened file, and never read
    // more than the limit whatever it is.
    check_regular(&file.metadata().map_err(|e| io_reason(&e))?, limit)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(bytes.len() as u64, limit));
    }
    Ok(bytes)
}

/// Whether `path` (symbolic links followed) is a regular file of at most `limit` bytes; if not,
/// the reason in words, as [`read_regular_file`] gives it.
pub fn check_path(path: &Path, limit: u64) -> Result<(), String> {
    let metadata = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    check_regular(&metadata, limit)
}

/// What kind of file `metadata` describes, when it is not a regular file of at most `limit`
/// bytes.
fn check_regular(metadata: &std::fs::Metadata, limit: u64) -> Result<(), String> {
    let kind = metadata.file_type();
    if kind.is_dir() {
        return Err("it is a folder, not a file".to_string());
    }
    if !kind.is_file() {
        return Err(format!("it is {}, not a regular file", special_kind(&kind)));
    }
    if metadata.len() > limit {
        return Err(too_large(metadata.len(), limit));
    }
    Ok(())
}

#[cfg(unix)]
fn special_kind(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a named pipe (FIFO)"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special_kind(_kind: &std::fs::FileType) -> &'static str {
    "a special file"
}

fn too_large(size: u64, limit: u64) -> String {
    format!(
        "it is larger than the {} this input may have (it has {}; see docs/limits.md)",
        bytes_text(limit),
        bytes_text(size)
    )
}

/// A byte count in words: "4 MiB", "1.5 GiB", "812 bytes".
pub fn bytes_text(bytes: u64) -> String {
    const UNITS: [&str; 4] = ["KiB", "MiB", "GiB", "TiB"];
    if bytes < 1024 {
        return format!("{bytes} bytes");
    }
    let mut value = bytes as f64;
    let mut unit = "";
    for u in UNITS {
        value /= 1024.0;
        unit = u;
        if value < 1024.0 {
            break;
        }
    }
    if value.fract() == 0.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// An I/O error in a planner's words (the path is named by the caller).
pub fn io_reason(error: &std::io::Error) -> String {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::NotFound => "no such file".to_string(),
        ErrorKind::PermissionDenied => "permission denied".to_string(),
        ErrorKind::IsADirectory => "it is a folder, not a file".to_string(),
        _ if error.raw_os_error() == Some(ELOOP) => "a loop of symbolic links".to_string(),
        _ => error.to_string(),
    }
}

/// ELOOP on Linux (too many levels of symbolic links), which the standard library reports as
/// an uncategorised error on some versions.
const ELOOP: i32 = 40;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn special_and_large_files_are_refused_with_the_reason() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            read_regular_file(dir.path(), 10).unwrap_err(),
            "it is a folder, not a file"
        );
        let big = dir.path().join("big.toml");
        std::fs::write(&big, vec![b'#'; 11]).unwrap();
        let message = read_regular_file(&big, 10).unwrap_err();
        assert!(message.contains("larger than the 10 bytes"), "{message}");
        assert_eq!(read_regular_file(&big, 11).unwrap().len(), 11);
        assert_eq!(
            read_regular_file(&dir.path().join("none"), 10).unwrap_err(),
            "no such file"
        );
        #[cfg(unix)]
        {
            assert_eq!(
                read_regular_file(Path::new("/dev/zero"), 10).unwrap_err(),
                "it is a device, not a regular file"
            );
            let a = dir.path().join("a");
            let b = dir.path().join("b");
            std::os::unix::fs::symlink(&a, &b).unwrap();
            std::os::unix::fs::symlink(&b, &a).unwrap();
            assert_eq!(
                read_regular_file(&a, 10).unwrap_err(),
                "a loop of symbolic links"
            );
        }
    }

    #[test]
    fn sizes_read_as_words() {
        assert_eq!(bytes_text(4 << 20), "4 MiB");
        assert_eq!(bytes_text(1536), "1.5 KiB");
        assert_eq!(bytes_text(10), "10 bytes");
    }
}
