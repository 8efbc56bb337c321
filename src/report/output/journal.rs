//! The roll-forward journal `.plancast-journal` that makes the commit of an output set atomic
//! in effect. Before the first rename, the commit writes (atomically: temporary file, sync,
//! rename, sync of the folder) the staging folder's name, the files to move out of it and the
//! stale files to delete. If the process dies before the journal is removed, the next plancast
//! that opens the folder finds it and finishes the moves: every staged file was complete and
//! synced before the journal was written, so finishing gives exactly the set the interrupted
//! command meant to write. Applying a journal is idempotent (a file already moved is skipped), so
//! a second interruption while finishing is finished the same way.
//!
//! Format: `plancast-journal/1`, then `pid<TAB>N`, `staging<TAB>NAME`, and one `move<TAB>PATH`
//! or `delete<TAB>PATH` line per file.

use super::manifest::is_safe_relative;
use std::fs;
use std::io::{Error, ErrorKind, Write};
use std::path::Path;

/// The journal's file name in the output folder.
pub(super) const JOURNAL_FILE: &str = ".plancast-journal";
/// The temporary name the journal is written under before it is renamed into place.
pub(super) const JOURNAL_TEMP_FILE: &str = ".plancast-journal.tmp";

const FORMAT: &str = "plancast-journal/1";

/// A commit in progress.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Journal {
    /// The process that wrote it (for the message when another process finishes it).
    pub pid: u32,
    /// The staging folder's name (a single name inside the output folder).
    pub staging: String,
    /// Files to move from the staging folder to the same relative path in the output folder,
    /// in order (the manifest last).
    pub moves: Vec<String>,
    /// Stale files to delete once every file is moved.
    pub deletes: Vec<String>,
}

impl Journal {
    fn render(&self) -> Vec<u8> {
        let mut text = format!("{FORMAT}\npid\t{}\nstaging\t{}\n", self.pid, self.staging);
        for path in &self.moves {
            text.push_str(&format!("move\t{path}\n"));
        }
        for path in &self.deletes {
            text.push_str(&format!("delete\t{path}\n"));
        }
        text.into_bytes()
    }

    /// Parses a journal; anything unexpected is refused rather than guessed at, since applying a
    /// journal moves and deletes files.
    fn parse(text: &str) -> Result<Journal, String> {
        let mut lines = text.lines();
        if lines.next() != Some(FORMAT) {
            return Err(format!("it does not start with `{FORMAT}`"));
        }
        let mut journal = Journal {
            pid: 0,
            staging: String::new(),
            moves: Vec::new(),
            deletes: Vec::new(),
        };
        for line in lines {
            let Some((key, value)) = line.split_once('\t') else {
                return Err(format!("unreadable line `{line}`"));
            };
            match key {
                "pid" => {
                    journal.pid = value
                        .parse()
                        .map_err(|_| format!("unreadable process id `{value}`"))?
                }
                "staging" if is_staging_name(value) => journal.staging = value.to_string(),
                "move" | "delete" if is_safe_or_manifest(value) => {
                    let list = if key == "move" {
                        &mut journal.moves
                    } else {
                        &mut journal.deletes
                    };
                    list.push(value.to_string());
                }
                _ => return Err(format!("unexpected line `{line}`")),
            }
        }
        if journal.staging.is_empty() {
            return Err("it names no staging folder".to_string());
        }
        Ok(journal)
    }
}

/// Whether `name` is a staging folder's name (a single component with the staging prefix), so
/// that a damaged journal can never make plancast remove another folder.
fn is_staging_name(name: &str) -> bool {
    name.strip_prefix(super::STAGING_PREFIX)
        .is_some_and(|rest| {
            !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_safe_or_manifest(path: &str) -> bool {
    path == super::manifest::MANIFEST_FILE || is_safe_relative(path)
}

/// Writes `journal` into `dir` atomically and durably (the caller holds the folder lock).
pub(super) fn write(dir: &Path, journal: &Journal) -> std::io::Result<()> {
    let temp = dir.join(JOURNAL_TEMP_FILE);
    let mut file = fs::File::create(&temp)?;
    file.write_all(&journal.render())?;
    file.sync_all()?;
    drop(file);
    fs::rename(&temp, dir.join(JOURNAL_FILE))?;
    sync_folder(dir)
}

/// The journal left in `dir`, if any.
pub(super) fn read(dir: &Path) -> std::io::Result<Option<Journal>> {
    let path = dir.join(JOURNAL_FILE);
    match fs::read(&path) {
        Ok(bytes) => Journal::parse(&String::from_utf8_lossy(&bytes))
            .map(Some)
            .map_err(|why| {
                Error::new(
                    ErrorKind::InvalidData,
                    format!(
                        "{} is not a plancast journal ({why}); remove it by hand if no plancast is writing there",
                        path.display()
                    ),
                )
            }),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Moves the journal's files into place (at most `limit` of them; `None`: all), then, when all
/// are moved, deletes its stale files. Returns how many files it moved (files already moved are
/// skipped, so a journal can be applied again after an interruption).
pub(super) fn apply(dir: &Path, journal: &Journal, limit: Option<usize>) -> std::io::Result<usize> {
    let staging = dir.join(&journal.staging);
    let mut moved = 0;
    let mut folders = vec![dir.to_path_buf()];
    for relative in &journal.moves {
        if limit.is_some_and(|limit| moved >= limit) {
            return Ok(moved);
        }
        let from = staging.join(relative);
        if !from.exists() {
            continue;
        }
        let to = dir.join(relative);
        if let Some(parent) = to.parent() {
            fs::create_dir_all(parent)?;
            if !folders.iter().any(|f| f == parent) {
                folders.push(parent.to_path_buf());
            }
        }
        fs::rename(&from, &to)?;
        moved += 1;
    }
    for folder in &folders {
        sync_folder(folder)?;
    }
    for relative in &journal.deletes {
        delete_stale(dir, relative)?;
    }
    Ok(moved)
}

/// Deletes a stale file (never a folder), then its parent folders inside `dir` that this left
/// empty.
fn delete_stale(dir: &Path, relative: &str) -> std::io::Result<()> {
    let path = dir.join(relative);
    match fs::symlink_metadata(&path) {
        Ok(meta) if !meta.is_dir() => fs::remove_file(&path)?,
        // Gone already (deleted by hand, or by an earlier attempt), or replaced by a folder,
        // which plancast did not write: nothing to do.
        _ => return Ok(()),
    }
    let mut parent = path.parent();
    while let Some(folder) = parent.filter(|p| *p != dir && p.starts_with(dir)) {
        if fs::remove_dir(folder).is_err() {
            break; // not empty: it holds other files
        }
        parent = folder.parent();
    }
    Ok(())
}

/// Ends a commit: removes the journal (the set is complete from here on) and the emptied
/// staging folder.
pub(super) fn finish(dir: &Path, journal: &Journal) -> std::io::Result<()> {
    match fs::remove_file(dir.join(JOURNAL_FILE)) {
        Err(e) if e.kind() != ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    sync_folder(dir)?;
    let _ = fs::remove_dir_all(dir.join(&journal.staging));
    Ok(())
}

/// Makes the renames in `folder` durable (a no-op where folders cannot be opened, e.g. Windows).
fn sync_folder(folder: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        fs::File::open(folder)?.sync_all()
    }
    #[cfg(not(unix))]
    {
        let _ = folder;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_what_render_writes() {
        let journal = Journal {
            pid: 42,
            staging: ".plancast-staging-42-0".to_string(),
            moves: vec![
                "summary.json".into(),
                "charts/a.png".into(),
                ".plancast-files".into(),
            ],
            deletes: vec!["charts/old.png".into()],
        };
        let text = String::from_utf8(journal.render()).unwrap();
        assert_eq!(Journal::parse(&text), Ok(journal));
    }

    #[test]
    fn parse_refuses_a_journal_that_points_outside_the_folder() {
        for bad in [
            "plancast-journal/1\npid\t1\nstaging\t..\n",
            "plancast-journal/1\npid\t1\nstaging\t.plancast-staging-1/../..\n",
            "plancast-journal/1\npid\t1\nstaging\t.plancast-staging-1\nmove\t../x\n",
            "plancast-journal/1\npid\t1\nstaging\t.plancast-staging-1\ndelete\t/etc/passwd\n",
            "plancast-journal/1\npid\t1\n",
            "something else\n",
        ] {
            assert!(Journal::parse(bad).is_err(), "{bad:?}");
        }
    }
}
