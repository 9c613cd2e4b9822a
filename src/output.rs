//! Output files that appear complete or not at all: written to a temporary file in the target's
//! folder, then renamed over the target. A failed or interrupted run leaves any earlier file
//! untouched, and no half-written file under the final name.

use crate::error::{Error, Result};
use std::path::Path;
use tempfile::NamedTempFile;

/// A temporary file beside `target`, readable like any file the user creates (tempfile's
/// default is owner-only, which would surprise anyone sharing a model or an export).
pub fn temp_beside(target: &Path) -> Result<NamedTempFile> {
    let dir = match target.parent() {
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

/// Flushes, syncs and renames the temporary file over `target`.
pub fn commit(tmp: NamedTempFile, target: &Path) -> Result<()> {
    tmp.as_file().sync_all().map_err(|e| Error::io(target, e))?;
    tmp.persist(target).map_err(|e| Error::io(target, e.error))?;
    Ok(())
}
