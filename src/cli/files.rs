//! The files a command reads and the one it writes, checked before any work starts: an output
//! that is one of the inputs would be replaced by its own result, and a shard given twice would
//! count twice. Files are compared by device and inode, so `./x.csv`, a symlink or a hard link
//! to the same file are caught, and two files that merely share a name are not.

use std::path::Path;

/// What identifies a file whatever it is called.
#[derive(PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev_ino: (u64, u64),
    #[cfg(not(unix))]
    path: std::path::PathBuf,
}

/// The identity of the file `path` names (after symlinks), if it exists.
fn identity(path: &Path) -> Option<FileId> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = std::fs::metadata(path).ok()?;
        Some(FileId { dev_ino: (meta.dev(), meta.ino()) })
    }
    #[cfg(not(unix))]
    {
        Some(FileId { path: path.canonicalize().ok()? })
    }
}

/// One file a command reads, and how to name it in a message ("the input", "--vocab").
pub(super) struct Input<'a> {
    pub role: &'a str,
    pub path: &'a Path,
}

impl<'a> Input<'a> {
    pub fn new(role: &'a str, path: &'a Path) -> Self {
        Input { role, path }
    }
}

/// Refuses, as a usage error (exit 2), an `output` that is a folder (found before the work, not
/// when the file is written after minutes of training) or the same file as one of `inputs`.
/// `example` is a file name to suggest (`model.bin`).
pub(super) fn check_output(output: &Path, inputs: &[Input], example: &str) {
    refuse_folder(output, example);
    refuse_output_over_input(output, inputs);
}

/// `somedir` or `somedir/` as the output.
fn refuse_folder(output: &Path, example: &str) {
    let text = output.as_os_str().to_string_lossy();
    let slash = text.ends_with('/');
    // `out.csv/` does not exist as a path (ENOTDIR): look at `out.csv`. Calling it a folder
    // would mislead (issue 12, item 13).
    let file = text.trim_end_matches('/');
    if slash && Path::new(file).is_file() {
        super::refuse(format_args!(
            "--output {} ends with '/' but {file} is a file, not a folder; give a file name without the '/'",
            output.display()
        ));
    }
    if output.is_dir() || slash {
        super::refuse(format_args!(
            "--output {} is a folder; give a file name, such as {}",
            output.display(),
            output.join(example).display()
        ));
    }
}

/// An `output` that is the same file as one of `inputs`. Only a regular file can be lost that
/// way: a device, FIFO or standard stream is written as a stream. Inputs read from stdin (`-`)
/// are not files to compare.
fn refuse_output_over_input(output: &Path, inputs: &[Input]) {
    if !std::fs::metadata(output).is_ok_and(|m| m.is_file()) {
        return;
    }
    let Some(out) = identity(output) else { return };
    for input in inputs.iter().filter(|i| i.path != Path::new("-")) {
        if identity(input.path).as_ref() == Some(&out) {
            super::refuse(format_args!(
                "--output {} is the same file as {} {}; write to another file",
                output.display(),
                input.role,
                input.path.display()
            ));
        }
    }
}

/// Refuses, as a usage error (exit 2), a shard given twice among `shards` (by any name): its
/// documents would count twice in the merge.
pub(super) fn refuse_duplicate_shards(shards: &[std::path::PathBuf]) {
    let ids: Vec<Option<FileId>> = shards.iter().map(|p| identity(p)).collect();
    for (i, id) in ids.iter().enumerate() {
        let Some(id) = id else { continue };
        if let Some(j) = ids[..i].iter().position(|earlier| earlier.as_ref() == Some(id)) {
            let (first, again) = (&shards[j], &shards[i]);
            let alias = if first == again { String::new() } else { format!(" (again as {})", again.display()) };
            super::refuse(format_args!(
                "shard {} is given twice{alias}; give each shard once (its documents would count twice)",
                first.display()
            ));
        }
    }
}
