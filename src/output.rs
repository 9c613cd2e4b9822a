//! Output files that appear complete or not at all: written to a temporary file in the target's
//! folder, then renamed over the target. A failed or interrupted run leaves any earlier file
//! untouched, and no half-written file under the final name.
//!
//! Only a regular file (or a name that does not exist yet) can be replaced that way. A device,
//! a FIFO or `/dev/stdout` is written to directly, as a stream: renaming over `/dev/null` would
//! replace the device node with a regular file. A symlink is followed, and the file it points to
//! is replaced, not the link. An existing file keeps its permission bits (and, where allowed,
//! its owner and group).

use crate::error::{Error, Result};
use std::fs::File;
use std::path::{Path, PathBuf};
use tempfile::NamedTempFile;

/// An output being written: a temporary file to rename at [`commit`], or a stream.
pub struct Output {
    kind: Kind,
}

enum Kind {
    Atomic { tmp: NamedTempFile, dest: PathBuf, entry: Pending },
    Stream(File),
}

/// Temporary files being written, by path, so that a signal handler can remove them before the
/// process exits (a destructor never runs when a handler calls `exit`). [`commit`] holds the
/// lock while it renames, so a file is either removed here or renamed into place, never both.
static PENDING: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());
/// Set once an output has been renamed into place: from then on an interruption has nothing
/// to undo, and must not claim that no output was written.
static COMMITTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    // A panic while holding the lock leaves a list that is still correct.
    PENDING.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file's entry in [`PENDING`], taken out when the file is renamed or dropped (and
/// so deleted by `NamedTempFile`).
struct Pending(PathBuf);

impl Drop for Pending {
    fn drop(&mut self) {
        pending().retain(|p| p != &self.0);
    }
}

/// For a handler of SIGINT, SIGTERM or SIGHUP that is about to exit the process: removes the
/// temporary file of every output still being written and keeps any from being renamed into
/// place afterwards (the lock stays held until the process exits). Returns false, and changes
/// nothing, when an output of this process was already renamed into place: the work is done,
/// and exiting now would report a failure for a complete file.
pub fn abandon_pending() -> bool {
    let list = pending();
    if COMMITTED.load(std::sync::atomic::Ordering::SeqCst) {
        return false;
    }
    for path in list.iter() {
        let _ = std::fs::remove_file(path);
    }
    // Never unlocked: a `commit` or `create` on another thread waits until the process exits.
    std::mem::forget(list);
    true
}

impl Output {
    /// Opens `target` for writing: a temporary file beside the file it names (after symlinks),
    /// or the device or FIFO itself.
    pub fn create(target: &Path) -> Result<Output> {
        if let Some(file) = open_stream(target)? {
            return Ok(Output { kind: Kind::Stream(file) });
        }
        let dest = resolve_symlinks(target)?;
        let existing = std::fs::metadata(&dest).ok();
        let tmp = temp_beside(target, &dest)?;
        if let Some(meta) = existing {
            keep_permissions(tmp.as_file(), &meta).map_err(|e| Error::io(target, e))?;
        }
        let path = tmp.path().to_path_buf();
        pending().push(path.clone());
        Ok(Output { kind: Kind::Atomic { tmp, dest, entry: Pending(path) } })
    }

    /// The file to write to (the temporary file, or the stream).
    pub fn as_file_mut(&mut self) -> &mut File {
        match &mut self.kind {
            Kind::Atomic { tmp, .. } => tmp.as_file_mut(),
            Kind::Stream(file) => file,
        }
    }

    /// True when the output is written directly (a device, FIFO or standard stream), so a
    /// failed run may leave part of it written.
    pub fn is_stream(&self) -> bool {
        matches!(self.kind, Kind::Stream(_))
    }
}

/// Opens `target` for writing; see [`Output::create`].
pub fn create(target: &Path) -> Result<Output> {
    Output::create(target)
}

/// Syncs the temporary file and renames it over the target, or, for a stream, flushes it.
/// `target` is the name the user gave, for messages.
pub fn commit(out: Output, target: &Path) -> Result<()> {
    match out.kind {
        Kind::Atomic { tmp, dest, entry } => {
            tmp.as_file().sync_all().map_err(|e| Error::io(target, e))?;
            let mut list = pending();
            tmp.persist(&dest).map_err(|e| Error::io(target, e.error))?;
            list.retain(|p| p != &entry.0);
            COMMITTED.store(true, std::sync::atomic::Ordering::SeqCst);
            drop(list);
            drop(entry);
        }
        // A File has no buffer of its own; a device or pipe may refuse fsync, and needs none.
        Kind::Stream(file) => drop(file),
    }
    Ok(())
}

/// A temporary file in `dest`'s folder, readable like any file the user creates (tempfile's
/// default is owner-only, which would surprise anyone sharing a model or an export). Errors
/// name `target`, as the user gave it.
fn temp_beside(target: &Path, dest: &Path) -> Result<NamedTempFile> {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".tagger-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o644));
    }
    if !dir.is_dir() {
        return Err(Error::io(target, std::io::Error::other(format!("folder {} does not exist", dir.display()))));
    }
    builder.tempfile_in(dir).map_err(|e| {
        Error::io(target, std::io::Error::new(e.kind(), format!("cannot create a file in {}: {e}", dir.display())))
    })
}

/// The standard stream `target` names (`/dev/stdout`, `/dev/fd/1`, `/proc/self/fd/2`...), or
/// `target` opened for writing when it is (after symlinks) neither a regular file nor a folder:
/// a character or block device, a FIFO, a socket. `None` for a file to replace atomically.
fn open_stream(target: &Path) -> Result<Option<File>> {
    if let Some(file) = standard_stream(target).map_err(|e| Error::io(target, e))? {
        return Ok(Some(file));
    }
    match std::fs::metadata(target) {
        Ok(meta) if !meta.is_file() && !meta.is_dir() => {
            // No truncation: a device has nothing to truncate, and a FIFO cannot be.
            let file = std::fs::OpenOptions::new().write(true).open(target).map_err(|e| Error::io(target, e))?;
            Ok(Some(file))
        }
        Ok(meta) if meta.is_dir() => Err(Error::io(target, std::io::Error::other("is a folder; give a file name"))),
        _ => Ok(None),
    }
}

/// A duplicate of stdout or stderr when `target` names one of them (`-` is stdout, as for
/// inputs; a file named `-` is `./-`). Reopening the path instead
/// would lose the shell's redirection mode (`>>` appends) and, for a file, its offset.
fn standard_stream(target: &Path) -> std::io::Result<Option<File>> {
    let name = target.to_string_lossy();
    let fd = match name.as_ref() {
        "-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1" => 1,
        "/dev/stderr" | "/dev/fd/2" | "/proc/self/fd/2" => 2,
        _ => return Ok(None),
    };
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        let owned = if fd == 1 {
            std::io::stdout().as_fd().try_clone_to_owned()?
        } else {
            std::io::stderr().as_fd().try_clone_to_owned()?
        };
        Ok(Some(File::from(owned)))
    }
    #[cfg(not(unix))]
    {
        let _ = fd;
        Ok(None)
    }
}

/// True when `target` is where stdout goes: `/dev/stdout` and its aliases, a link to them, or
/// the very file stdout is redirected to. A command writing its output there must print its
/// summary elsewhere, or the summary would be appended to the file.
pub fn is_stdout(target: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        use std::os::unix::fs::MetadataExt;
        if matches!(target.to_str(), Some("-" | "/dev/stdout" | "/dev/fd/1" | "/proc/self/fd/1")) {
            return true;
        }
        let stdout = std::io::stdout().as_fd().try_clone_to_owned().map(File::from).and_then(|f| f.metadata());
        match (stdout, std::fs::metadata(target)) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        target == Path::new("-") || target == Path::new("/dev/stdout")
    }
}

/// The file a chain of symlinks ends at; `target` itself when it is not a symlink. A link to a
/// file that does not exist yet resolves to that file's name, so it is created there.
fn resolve_symlinks(target: &Path) -> Result<PathBuf> {
    let mut path = target.to_path_buf();
    // Linux's own limit on symlinks followed in one lookup (MAXSYMLINKS).
    for _ in 0..40 {
        match std::fs::symlink_metadata(&path) {
            Ok(meta) if meta.file_type().is_symlink() => {
                let link = std::fs::read_link(&path).map_err(|e| Error::io(target, e))?;
                path = match path.parent() {
                    Some(dir) if link.is_relative() => dir.join(link),
                    _ => link,
                };
            }
            _ => return Ok(path),
        }
    }
    Err(Error::io(target, std::io::Error::other("too many levels of symbolic links")))
}

/// Gives the temporary file the permission bits of the file it replaces (a 640 export stays
/// 640), and its owner and group where the user may (root may; others may keep their group).
fn keep_permissions(tmp: &File, existing: &std::fs::Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        // Owner first: chown may clear set-user-ID bits, chmod then restores the mode exactly.
        let _ = std::os::unix::fs::fchown(tmp, Some(existing.uid()), Some(existing.gid()));
        tmp.set_permissions(std::fs::Permissions::from_mode(existing.mode() & 0o7777))
    }
    #[cfg(not(unix))]
    {
        tmp.set_permissions(existing.permissions())
    }
}
