//! An exclusive lock on an output folder, held while plancast finishes an interrupted write,
//! reads the manifest and moves a new set of files into place, so that two plancast processes
//! writing into one folder commit one after the other and never interleave their renames.
//!
//! It is an advisory `flock` on the folder itself (no lock file is left behind): the kernel
//! releases it when the process ends, even when it is killed, so a killed run never leaves a
//! stale lock. Only plancast takes it; other programs are not held back.

use std::fs::File;
use std::path::Path;

/// The lock on one output folder; released when dropped.
pub(super) struct FolderLock {
    /// The open folder the lock is held on (`None` where locking is unavailable).
    _folder: Option<File>,
}

/// Waits for and takes the lock on `dir` (an existing folder).
#[cfg(unix)]
pub(super) fn lock(dir: &Path) -> std::io::Result<FolderLock> {
    use rustix::fs::{flock, FlockOperation};
    use rustix::io::Errno;
    let folder = File::open(dir)?;
    loop {
        match flock(&folder, FlockOperation::LockExclusive) {
            Ok(()) => {
                return Ok(FolderLock {
                    _folder: Some(folder),
                })
            }
            Err(Errno::INTR) => continue,
            // A file system without locks (some network mounts): go on unlocked, as plancast
            // did before it locked; only concurrent writers into one folder lose protection.
            Err(Errno::NOLCK) | Err(Errno::OPNOTSUPP) => return Ok(FolderLock { _folder: None }),
            Err(e) => return Err(e.into()),
        }
    }
}

/// Elsewhere there is no folder lock: concurrent writers into one folder are not protected.
#[cfg(not(unix))]
pub(super) fn lock(_dir: &Path) -> std::io::Result<FolderLock> {
    Ok(FolderLock { _folder: None })
}

/// Takes the lock on `dir` if no one holds it: `Some` (held until dropped), or `None` when
/// another open handle (another process, or another writer of this one) holds it. Where
/// locking is unavailable, an unlocked `Some` with `locking` false.
#[cfg(unix)]
pub(super) fn try_lock(dir: &Path) -> std::io::Result<Option<(FolderLock, bool)>> {
    use rustix::fs::{flock, FlockOperation};
    use rustix::io::Errno;
    let folder = File::open(dir)?;
    loop {
        match flock(&folder, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {
                return Ok(Some((
                    FolderLock {
                        _folder: Some(folder),
                    },
                    true,
                )))
            }
            Err(Errno::INTR) => continue,
            Err(Errno::WOULDBLOCK) => return Ok(None),
            Err(Errno::NOLCK) | Err(Errno::OPNOTSUPP) => {
                return Ok(Some((FolderLock { _folder: None }, false)))
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// Elsewhere there is no lock: always "taken", unlocked.
#[cfg(not(unix))]
pub(super) fn try_lock(_dir: &Path) -> std::io::Result<Option<(FolderLock, bool)>> {
    Ok(Some((FolderLock { _folder: None }, false)))
}
