//! The files a command reads and the one it writes, checked before any work starts: an output
//! that is one of the inputs would be replaced by its own result, and a shard given twice would
//! count twice. Files are compared by device and inode, so `./x.csv`, a symlink or a hard link
//! to the same file are caught, and two files that merely share a name are not.

use std::path::Path;

/// What identifies a file whatever it is called.
#[derive(PartialEq, Eq, Hash)]
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

/// The longest path the kernel takes (Linux's PATH_MAX): a file below it cannot be opened by
/// name, so it is named in the error instead of being passed over.
const PATH_MAX: usize = 4096;

/// The `.txt` files below a folder, as `predict DIR` reads them, and what the walk says on
/// stderr about what it did not read.
#[derive(Default)]
pub(super) struct Found {
    pub files: Vec<std::path::PathBuf>,
    /// `tagger: note:` lines: a folder reached again through a symlink, read once.
    pub notes: Vec<String>,
    /// `tagger: warning:` lines: entries that are not read (a FIFO, a device, a dangling link).
    pub warnings: Vec<String>,
}

/// Every `.txt` file (any case) below `root`, in sorted order. Each folder is read once,
/// whatever the symlinks that lead to it (by device and inode), so a loop (`ln -s .. d/sub/loop`)
/// neither hangs nor reads a file again; it once hung while memory grew 11 MB/s, and one loop
/// predicted the same file 41 times. A `.txt` that is not a regular file (a FIFO once hung the
/// run) is passed over with a warning. A folder or entry that cannot be read, or whose path is
/// longer than the system allows, is an error that names it: nothing below it is dropped
/// without a word.
pub(super) fn txt_files_below(root: &Path) -> tagger::Result<Found> {
    let mut found = Found::default();
    let meta = std::fs::metadata(root).map_err(|e| unreadable(root, e))?;
    let mut seen = std::collections::HashMap::new();
    seen.insert(folder_id(root, &meta), root.to_path_buf());
    walk(root, &mut seen, &mut found)?;
    found.files.sort();
    Ok(found)
}

/// A folder's identity, from its metadata; without Unix inodes, its canonical path.
fn folder_id(path: &Path, meta: &std::fs::Metadata) -> FileId {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let _ = path;
        FileId { dev_ino: (meta.dev(), meta.ino()) }
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        FileId { path: path.canonicalize().unwrap_or_else(|_| path.to_path_buf()) }
    }
}

fn walk(
    dir: &Path,
    seen: &mut std::collections::HashMap<FileId, std::path::PathBuf>,
    found: &mut Found,
) -> tagger::Result<()> {
    for entry in std::fs::read_dir(dir).map_err(|e| unreadable(dir, e))? {
        let entry = entry.map_err(|e| unreadable(dir, e))?;
        let path = entry.path();
        let kind = entry.file_type().map_err(|e| unreadable(&path, e))?;
        let txt = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("txt"));
        // A symlink is followed to what it names; anything else is looked at in place.
        let meta = if kind.is_symlink() { std::fs::metadata(&path) } else { entry.metadata() };
        let meta = match meta {
            Ok(meta) => meta,
            Err(e) if kind.is_symlink() && e.kind() == std::io::ErrorKind::NotFound => {
                found.warnings.push(format!("{}: a symlink to nothing (dangling); not read", quoted(&path)));
                continue;
            }
            Err(e) => return Err(unreadable(&path, e)),
        };
        if meta.is_dir() {
            match seen.entry(folder_id(&path, &meta)) {
                std::collections::hash_map::Entry::Occupied(first) => found.notes.push(format!(
                    "{} leads to {}, which is already read; not read again",
                    quoted(&path),
                    quoted(first.get())
                )),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(path.clone());
                    walk(&path, seen, found)?;
                }
            }
        } else if txt && meta.is_file() {
            found.files.push(path);
        } else if txt {
            found.warnings.push(format!("{}: {}, not a regular file; not read", quoted(&path), special_kind(&meta)));
        }
    }
    Ok(())
}

/// What a file that is neither a folder nor a regular file is.
fn special_kind(meta: &std::fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO (named pipe)";
        } else if t.is_socket() {
            return "a socket";
        } else if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
    }
    let _ = meta;
    "a special file"
}

/// A folder or entry of a walk that cannot be read, with a reason that says what to do when the
/// path is too long.
fn unreadable(path: &Path, err: std::io::Error) -> tagger::Error {
    let bytes = path.as_os_str().len();
    if bytes >= PATH_MAX {
        let reason = format!(
            "its path is {bytes} bytes, longer than the system allows ({PATH_MAX}), so it cannot be read ({err}); move the files to a shorter path and give that"
        );
        return tagger::Error::io(quoted(path), std::io::Error::new(err.kind(), reason));
    }
    tagger::Error::io(quoted(path), err)
}

/// A file name as text output shows it: as it is, unless it holds a control character (a tab or
/// a line break would split predict's `file<TAB>topics` lines), bytes that are not UTF-8, or
/// begins with a double quote. Such a name is written in double quotes with C escapes, as
/// `ls --quoting-style=c-maybe` does: `\"`, `\\`, `\t`, `\n`, `\r`, and any other control
/// character or byte that is not UTF-8 as three octal digits (`caf\351.txt`). A reader tells the
/// two apart by the first character.
pub(super) fn quoted(path: &Path) -> String {
    #[cfg(unix)]
    let bytes = {
        use std::os::unix::ffi::OsStrExt;
        path.as_os_str().as_bytes()
    };
    #[cfg(not(unix))]
    let lossy = path.to_string_lossy();
    #[cfg(not(unix))]
    let bytes = lossy.as_bytes();
    if let Ok(text) = std::str::from_utf8(bytes) {
        if !text.starts_with('"') && !text.chars().any(char::is_control) {
            return text.to_string();
        }
    }
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                '\t' => out.push_str("\\t"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                c if c.is_control() => {
                    let mut buf = [0; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        out.push_str(&format!("\\{b:03o}"));
                    }
                }
                c => out.push(c),
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\{b:03o}"));
        }
    }
    out.push('"');
    out
}

/// The bytes of a file name that is not UTF-8 (for JSON's `file_bytes`); `None` for one that is.
pub(super) fn non_utf8_bytes(path: &Path) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt;
        let bytes = path.as_os_str().as_bytes();
        std::str::from_utf8(bytes).is_err().then(|| bytes.to_vec())
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}
