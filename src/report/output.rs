//! Writing an output folder atomically: every file is first written into a hidden staging
//! folder beside the final ones, then renamed into place only when all of them are complete.
//! A run that fails or is interrupted before that leaves no half-written file under a final name;
//! a stale staging folder from a killed run is removed by the next run into the same folder.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

const STAGING_PREFIX: &str = ".plancast-staging-";

/// A set of files being written into `dir`.
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    files: Vec<PathBuf>,
    committed: bool,
}

impl OutputDir {
    /// Prepares to write into `dir` (created if missing).
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        fs::create_dir_all(dir)?;
        // Clean up staging folders that a killed run left behind (never one whose process is
        // still running: two runs may write into one folder at the same time).
        if let Ok(entries) = fs::read_dir(dir) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().to_string();
                if let Some(pid) = name.strip_prefix(STAGING_PREFIX) {
                    if !process_is_running(pid) {
                        let _ = fs::remove_dir_all(entry.path());
                    }
                }
            }
        }
        let staging = dir.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        fs::create_dir_all(&staging)?;
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            staging,
            files: Vec::new(),
            committed: false,
        })
    }

    /// Stages a file at `relative` (e.g. `summary.json` or `charts/x.svg`).
    pub fn write(&mut self, relative: &str, contents: &[u8]) -> std::io::Result<()> {
        let path = self.staging.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::File::create(&path)?;
        file.write_all(contents)?;
        file.sync_all()?;
        self.files.push(PathBuf::from(relative));
        Ok(())
    }

    /// Moves every staged file to its final name.
    pub fn commit(mut self) -> std::io::Result<Vec<PathBuf>> {
        let mut written = Vec::new();
        for relative in &self.files {
            let target = self.dir.join(relative);
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)?;
            }
            fs::rename(self.staging.join(relative), &target)?;
            written.push(target);
        }
        self.committed = true;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(written)
    }
}

/// Whether a process with this id exists (Linux: /proc; elsewhere assume it does, keeping the
/// folder rather than risking another run's files).
fn process_is_running(pid: &str) -> bool {
    let proc_root = Path::new("/proc");
    !proc_root.is_dir() || pid.parse::<u32>().is_err() || proc_root.join(pid).exists()
}

impl Drop for OutputDir {
    fn drop(&mut self) {
        if !self.committed {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}
