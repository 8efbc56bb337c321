//! Writing an output folder so that it is consistent as a set.
//!
//! Every file is first written (and synced) into a hidden staging folder beside the final ones.
//! [`OutputDir::commit`] then, holding a lock on the folder (`output/lock.rs`), writes a
//! roll-forward journal (`output/journal.rs`) naming the staged files, renames them into place,
//! deletes the files of an earlier run that this one replaces but did not write again
//! (`output/manifest.rs`), and removes the journal. A run that fails or is killed before the
//! journal exists leaves the previous set untouched; one killed after leaves a journal that the
//! next plancast opening the folder ([`OutputDir::create`], [`finish_interrupted`]) completes
//! before anything else. Stale staging folders of killed runs are removed by the next run into
//! the same folder.

mod journal;
mod lock;
mod manifest;

pub use manifest::FileSet;

use journal::Journal;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const STAGING_PREFIX: &str = ".plancast-staging-";

/// Staging folders made by this process so far (two output sets may be written into one folder
/// from one process, e.g. by library users on several threads).
static STAGING_COUNT: AtomicUsize = AtomicUsize::new(0);

/// A set of files being written into `dir`.
pub struct OutputDir {
    dir: PathBuf,
    staging: PathBuf,
    files: Vec<(FileSet, String)>,
    /// Set once the journal owns the staging folder (it must then outlive this value).
    committed: bool,
    /// A lock on the staging folder itself, held while this value lives: the kernel drops it
    /// when the process ends, even by `kill -9`, so the next plancast on the folder knows the
    /// folder is abandoned whatever process has the same id by then.
    _staging_lock: Option<lock::FolderLock>,
}

impl OutputDir {
    /// Prepares to write into `dir` (created if missing). First finishes a commit that an
    /// interrupted plancast left in `dir` (saying so on stderr), and removes staging folders of
    /// processes that no longer exist.
    pub fn create(dir: &Path) -> std::io::Result<Self> {
        // `create_dir_all` on a file says only "File exists"; say what the user can fix.
        if dir.exists() && !dir.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::AlreadyExists,
                "it is a file, not a folder (--out takes a folder)",
            ));
        }
        fs::create_dir_all(dir)?;
        let (staging, staging_lock) = {
            let _lock = lock::lock(dir)?;
            finish_interrupted_locked(dir)?;
            // A journal being written when its process died; the commit had not begun.
            let _ = fs::remove_file(dir.join(journal::JOURNAL_TEMP_FILE));
            remove_stale_staging_folders(dir);
            // Made and locked while the folder is locked, so that no other plancast takes it
            // for abandoned in between.
            let staging = dir.join(format!(
                "{STAGING_PREFIX}{}-{}",
                std::process::id(),
                STAGING_COUNT.fetch_add(1, Ordering::Relaxed)
            ));
            fs::create_dir_all(&staging)?;
            let staging_lock = lock::try_lock(&staging)?.map(|(lock, _)| lock);
            (staging, staging_lock)
        };
        Ok(OutputDir {
            dir: dir.to_path_buf(),
            staging,
            files: Vec::new(),
            committed: false,
            _staging_lock: staging_lock,
        })
    }

    /// Stages a file at `relative` (e.g. `summary.json` or `charts/x.svg`) as part of `set`.
    /// Committing replaces every set written to: files an earlier command wrote into one of
    /// these sets and this one does not write are deleted.
    pub fn write(&mut self, set: FileSet, relative: &str, contents: &[u8]) -> std::io::Result<()> {
        if !manifest::is_safe_relative(relative) {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{relative}` is not a plain relative file name inside the output folder"),
            ));
        }
        let path = self.staging.join(relative);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::File::create(&path)?;
        file.write_all(contents)?;
        file.sync_all()?;
        self.files.retain(|(_, r)| r != relative);
        self.files.push((set, relative.to_string()));
        Ok(())
    }

    /// Moves every staged file to its final name and deletes the stale files of the sets written
    /// to; returns the final paths of the staged files.
    pub fn commit(self) -> std::io::Result<Vec<PathBuf>> {
        let dir = self.dir.clone();
        let files: Vec<PathBuf> = self.files.iter().map(|(_, r)| dir.join(r)).collect();
        self.commit_moving(None)?;
        Ok(files)
    }

    /// Test support: does what [`OutputDir::commit`] does up to the `moves`-th rename and stops
    /// there, leaving the folder as a process killed at that moment would (journal, staging
    /// folder, a mix of old and new files). Not for use outside tests.
    #[doc(hidden)]
    pub fn commit_interrupted_after(self, moves: usize) -> std::io::Result<()> {
        self.commit_moving(Some(moves))
    }

    fn commit_moving(mut self, limit: Option<usize>) -> std::io::Result<()> {
        let _lock = lock::lock(&self.dir)?;
        // A plancast killed while committing since this one was created.
        finish_interrupted_locked(&self.dir)?;
        let previous = manifest::read(&self.dir)?;
        let written: Vec<manifest::Entry> = self
            .files
            .iter()
            .map(|(set, path)| manifest::Entry {
                set: set.name().to_string(),
                path: path.clone(),
            })
            .collect();
        let plan = manifest::plan(&previous, &written);
        let mut listing = fs::File::create(self.staging.join(manifest::MANIFEST_FILE))?;
        listing.write_all(&manifest::render(&plan.manifest))?;
        listing.sync_all()?;
        let journal = Journal {
            pid: std::process::id(),
            staging: self
                .staging
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
            moves: self
                .files
                .iter()
                .map(|(_, r)| r.clone())
                .chain([manifest::MANIFEST_FILE.to_string()])
                .collect(),
            deletes: plan.stale,
        };
        journal::write(&self.dir, &journal)?;
        // From here the journal owns the staging folder: if anything below fails, the folder
        // is left for the next plancast to finish, never half-undone.
        self.committed = true;
        let context = |e: std::io::Error| {
            std::io::Error::new(
                e.kind(),
                format!("{e} (while moving files into place; the next plancast run or plot on this folder finishes the move)"),
            )
        };
        journal::apply(&self.dir, &journal, limit).map_err(context)?;
        if limit.is_none() {
            journal::finish(&self.dir, &journal).map_err(context)?;
        }
        Ok(())
    }
}

/// Writes `files` (file set, name relative to `dir`, contents) into `dir` atomically as one
/// set: the one writer every command's outputs go through. Returns the final paths.
pub fn write_files(dir: &Path, files: &[(FileSet, &str, &[u8])]) -> std::io::Result<Vec<PathBuf>> {
    let mut out = OutputDir::create(dir)?;
    for (set, name, contents) in files {
        out.write(*set, name, contents)?;
    }
    out.commit()
}

/// Finishes a commit that an interrupted plancast left in `dir`, if there is one, waiting for a
/// plancast that is committing into `dir` right now. Readers call this before reading files of
/// the folder so that they see one complete set. Returns whether there was one to finish (and
/// then says so on stderr).
pub fn finish_interrupted(dir: &Path) -> std::io::Result<bool> {
    // Cheap check first, so that reading a folder without a journal needs no lock.
    if !dir.join(journal::JOURNAL_FILE).exists() {
        return Ok(false);
    }
    let _lock = lock::lock(dir)?;
    finish_interrupted_locked(dir)
}

/// [`finish_interrupted`] for a caller holding the folder lock: no other plancast is committing,
/// so a journal found here is one whose process stopped before the end.
fn finish_interrupted_locked(dir: &Path) -> std::io::Result<bool> {
    let Some(journal) = journal::read(dir)? else {
        return Ok(false);
    };
    let context = |e: std::io::Error| {
        std::io::Error::new(
            e.kind(),
            format!(
                "cannot finish the interrupted write recorded in {}: {e}",
                dir.join(journal::JOURNAL_FILE).display()
            ),
        )
    };
    let moved = journal::apply(dir, &journal, None).map_err(context)?;
    journal::finish(dir, &journal).map_err(context)?;
    eprintln!(
        "note: finished the interrupted write of plancast process {} into {} (moved the last {moved} of its {} files into place)",
        journal.pid,
        dir.display(),
        journal.moves.len()
    );
    Ok(true)
}

/// Removes staging folders that a killed run left behind, never one that a running writer
/// still uses (two runs may write into one folder at the same time). A writer holds a lock on
/// its staging folder while it lives, so a folder whose lock can be taken is abandoned, even
/// when its process id has since been given to another process (issue 13); where locks are
/// unavailable, a folder whose process id is not running is. The caller holds the folder lock
/// and has finished any journal first, so none of these is still named by one.
fn remove_stale_staging_folders(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        let Some(rest) = name.strip_prefix(STAGING_PREFIX) else {
            continue;
        };
        // `<pid>-<n>`, or `<pid>` from older versions.
        let pid = rest.split('-').next().unwrap_or(rest);
        let abandoned = match lock::try_lock(&entry.path()) {
            Ok(Some((_lock, true))) => true,
            Ok(Some((_, false))) => !process_is_running(pid),
            Ok(None) => false,
            // Not a folder (or unreadable): only by its process id.
            Err(_) => !process_is_running(pid),
        };
        if abandoned {
            let _ = fs::remove_dir_all(entry.path());
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn read(path: &Path) -> String {
        fs::read_to_string(path).unwrap()
    }

    fn hidden_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .filter(|n| n.starts_with(".plancast-") && n != manifest::MANIFEST_FILE)
            .collect();
        names.sort();
        names
    }

    fn write_set(dir: &Path, files: &[(FileSet, &str, &str)]) -> OutputDir {
        let mut out = OutputDir::create(dir).unwrap();
        for (set, path, text) in files {
            out.write(*set, path, text.as_bytes()).unwrap();
        }
        out
    }

    #[test]
    fn an_interrupted_commit_is_finished_by_the_next_create_at_every_cut() {
        let new = [
            (FileSet::Results, "summary.json", "new summary"),
            (FileSet::Charts, "report.html", "new report"),
            (FileSet::Charts, "charts/kept.png", "new kept"),
        ];
        // 3 files and the manifest: every cut from before the first rename to after the last.
        for cut in 0..=4 {
            let dir = tempfile::tempdir().unwrap();
            let out = dir.path();
            write_set(
                out,
                &[
                    (FileSet::Results, "summary.json", "old summary"),
                    (FileSet::Charts, "report.html", "old report"),
                    (FileSet::Charts, "charts/kept.png", "old kept"),
                    (FileSet::Charts, "charts/gone.png", "old gone"),
                ],
            )
            .commit()
            .unwrap();
            fs::write(out.join("notes.txt"), "mine").unwrap();
            write_set(out, &new).commit_interrupted_after(cut).unwrap();
            assert_eq!(
                hidden_entries(out).len(),
                2,
                "cut {cut}: journal and staging"
            );
            OutputDir::create(out).unwrap();
            for (_, path, text) in &new {
                assert_eq!(read(&out.join(path)), *text, "cut {cut}: {path}");
            }
            assert!(!out.join("charts/gone.png").exists(), "cut {cut}");
            assert_eq!(read(&out.join("notes.txt")), "mine");
            // Only the staging folder of the new (unused) OutputDir, which its drop removed.
            assert!(
                hidden_entries(out).is_empty(),
                "cut {cut}: {:?}",
                hidden_entries(out)
            );
            let listed = manifest::read(out).unwrap();
            assert_eq!(listed.len(), 3, "cut {cut}: {listed:?}");
        }
    }

    #[test]
    fn finish_interrupted_completes_the_set_and_reports_nothing_to_do_after() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_set(
            out,
            &[
                (FileSet::Results, "a.csv", "old a"),
                (FileSet::Results, "b.csv", "old b"),
            ],
        )
        .commit()
        .unwrap();
        write_set(
            out,
            &[
                (FileSet::Results, "a.csv", "new a"),
                (FileSet::Results, "b.csv", "new b"),
            ],
        )
        .commit_interrupted_after(1)
        .unwrap();
        assert_eq!(
            (read(&out.join("a.csv")), read(&out.join("b.csv"))),
            ("new a".into(), "old b".into())
        );
        assert!(finish_interrupted(out).unwrap());
        assert_eq!(
            (read(&out.join("a.csv")), read(&out.join("b.csv"))),
            ("new a".into(), "new b".into())
        );
        assert!(!finish_interrupted(out).unwrap());
        assert!(hidden_entries(out).is_empty());
    }

    #[test]
    fn abandoned_staging_folders_go_even_when_their_process_id_is_in_use() {
        let dir = tempfile::tempdir().unwrap();
        // A run killed with `kill -9` whose process id now belongs to a running process (here:
        // this test's own), and a writer of this process still at work.
        let abandoned = dir
            .path()
            .join(format!("{STAGING_PREFIX}{}-999999", std::process::id()));
        fs::create_dir_all(abandoned.join("charts")).unwrap();
        fs::write(abandoned.join("summary.json"), "{}").unwrap();
        let busy = OutputDir::create(dir.path()).unwrap();
        let other = OutputDir::create(dir.path()).unwrap();
        assert!(!abandoned.exists(), "an abandoned staging folder was kept");
        assert!(
            busy.staging.exists(),
            "a live writer's staging folder was removed"
        );
        drop((busy, other));
        assert!(
            hidden_entries(dir.path()).is_empty(),
            "{:?}",
            hidden_entries(dir.path())
        );
    }

    #[test]
    fn a_command_replaces_only_its_own_sets() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_set(
            out,
            &[
                (FileSet::Results, "summary.json", "run"),
                (FileSet::Charts, "charts/a.png", "run"),
                (FileSet::Charts, "charts/b.png", "run"),
            ],
        )
        .commit()
        .unwrap();
        write_set(
            out,
            &[(FileSet::Sensitivity, "charts/tornado-x.png", "sens")],
        )
        .commit()
        .unwrap();
        // A redraw with fewer charts: b.png goes, the run's summary and the tornado stay.
        write_set(out, &[(FileSet::Charts, "charts/a.png", "plot")])
            .commit()
            .unwrap();
        assert_eq!(read(&out.join("summary.json")), "run");
        assert_eq!(read(&out.join("charts/a.png")), "plot");
        assert!(!out.join("charts/b.png").exists());
        assert_eq!(read(&out.join("charts/tornado-x.png")), "sens");
    }

    #[test]
    fn an_emptied_folder_goes_and_a_user_file_keeps_its_folder() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path();
        write_set(
            out,
            &[
                (FileSet::Compare, "compare.csv", "1"),
                (FileSet::Compare, "charts/compare.png", "1"),
                (FileSet::Compare, "extra/x.png", "1"),
            ],
        )
        .commit()
        .unwrap();
        fs::write(out.join("charts/mine.txt"), "mine").unwrap();
        write_set(out, &[(FileSet::Compare, "compare.csv", "2")])
            .commit()
            .unwrap();
        assert!(!out.join("extra").exists());
        assert!(!out.join("charts/compare.png").exists());
        assert_eq!(read(&out.join("charts/mine.txt")), "mine");
    }

    #[test]
    fn a_path_leaving_the_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut out = OutputDir::create(dir.path()).unwrap();
        for bad in ["../x", "/tmp/x", "", ".plancast-files", "a\tb"] {
            assert!(out.write(FileSet::Results, bad, b"x").is_err(), "{bad:?}");
        }
    }
}
