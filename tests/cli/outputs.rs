//! Where output goes: closed pipes, FIFOs, devices, standard output by name, symlinks, permission
//! bits, outputs that are inputs or folders, and signals that stop a command writing a file.

use crate::common::*;
use serde_json::Value;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Starts `tagger ARGS`, reads a few bytes of its stdout, closes the pipe, and waits. Returns
/// the exit status and stderr.
fn read_a_little_then_close(dir: &Path, args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 8];
    stdout.read_exact(&mut first).expect("some output");
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (out.status, String::from_utf8_lossy(&out.stderr).into_owned())
}

#[track_caller]
fn ended_quietly(status: std::process::ExitStatus, stderr: &str) {
    #[cfg(unix)]
    let killed_by_sigpipe = std::os::unix::process::ExitStatusExt::signal(&status) == Some(13);
    #[cfg(not(unix))]
    let killed_by_sigpipe = false;
    assert!(killed_by_sigpipe || status.code() == Some(0), "{status}; stderr: {stderr}");
    assert!(!stderr.contains("tagger:"), "no error for a closed pipe: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn predict_into_a_closed_pipe_ends_quietly() {
    let dir = tmp();
    let articles = dir.path().join("articles");
    std::fs::create_dir(&articles).unwrap();
    // About 300 bytes of output per file with -v: far more than a pipe holds, so the writes
    // after the reader is gone must fail.
    for i in 0..1000 {
        std::fs::copy(sample("football.txt"), articles.join(format!("match-report-{i:04}.txt"))).unwrap();
    }
    let (status, stderr) = read_a_little_then_close(dir.path(), &["predict", "-v", "articles"]);
    ended_quietly(status, &stderr);
    let (status, stderr) = read_a_little_then_close(dir.path(), &["predict", "--format", "json", "articles"]);
    ended_quietly(status, &stderr);
}

#[test]
fn label_into_a_closed_pipe_ends_quietly() {
    let dir = tmp();
    let mut rows = Vec::new();
    for _ in 0..3 {
        rows.extend(id_rows(corpus()));
    }
    std::fs::write(dir.path().join("big.csv"), csv_bytes(b',', false, &ID_HEADER, &rows)).unwrap();
    let (status, stderr) = read_a_little_then_close(dir.path(), &["label", "big.csv", "-q", "--batch-size", "64"]);
    ended_quietly(status, &stderr);
    assert_eq!(stderr, "");
}

#[test]
fn train_with_a_closed_stdout_does_not_panic() {
    let dir = tmp();
    let mut child = Command::new(BIN)
        .args(["train", "-", "-o", "m.bin"])
        .current_dir(dir.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The summary can only be printed after stdin ends, so stdout is closed first.
    drop(child.stdout.take());
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&std::fs::read(labels_csv()).unwrap()).unwrap();
    drop(stdin);
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // The note on the rows without a topic comes before the summary; after it, nothing.
    let note = unlabeled_note("<stdin>", corpus());
    assert!(!note.is_empty());
    let rest = stderr.strip_prefix(&note).unwrap_or_else(|| panic!("stderr starts with the note: {stderr}"));
    ended_quietly(out.status, rest);
    let info: Value =
        serde_json::from_str(&tagger(["inspect", "--format", "json", "--model", "m.bin"]).dir(dir.path()).run().ok())
            .unwrap();
    assert_eq!(info["documents"], corpus().len(), "the model is whole");
}

/// Every command that writes a file, writing it to `out`; run in a folder set up by
/// [`shard_files`]. The last argument is the output.
fn writing_commands(out: &str) -> Vec<Vec<String>> {
    let cmds: [&[&str]; 6] = [
        &["label", "a.csv", "-q", "-o"],
        &["train", "a.csv", "-q", "-o"],
        &["vocab", "--partial", "a.csv", "-o"],
        &["vocab", "--merge", "va.bin", "vb.bin", "-o"],
        &["train", "--vocab", "v.bin", "--partial", "a.csv", "-o"],
        &["train", "--merge", "ma.bin", "mb.bin", "-o"],
    ];
    cmds.iter().map(|c| c.iter().chain([&out]).map(|a| a.to_string()).collect()).collect()
}

/// A FIFO, with a reader that collects whatever is written to it until [`Fifo::written`].
#[cfg(target_os = "linux")]
struct Fifo {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    reader: std::thread::JoinHandle<Vec<u8>>,
}

#[cfg(target_os = "linux")]
impl Fifo {
    fn new(path: &Path) -> Fifo {
        use std::os::unix::fs::OpenOptionsExt;
        use std::sync::atomic::Ordering;
        assert!(Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success());
        // Opened non-blocking (O_NONBLOCK), so this never waits for a writer: a test whose
        // writer never comes (the bug this guards against) fails instead of hanging.
        let mut fifo = std::fs::OpenOptions::new().read(true).custom_flags(0o4000).open(path).unwrap();
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let finished = done.clone();
        let reader = std::thread::spawn(move || {
            let mut bytes = Vec::new();
            let mut buf = [0u8; 1 << 16];
            loop {
                let last = finished.load(Ordering::SeqCst);
                match fifo.read(&mut buf) {
                    Ok(0) if last => return bytes,
                    Ok(n) => bytes.extend_from_slice(&buf[..n]),
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock && last => return bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                    Err(e) => panic!("reading the FIFO: {e}"),
                }
                if !last {
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
            }
        });
        Fifo { done, reader }
    }

    /// Everything written, once the writer has exited.
    fn written(self) -> Vec<u8> {
        self.done.store(true, std::sync::atomic::Ordering::SeqCst);
        self.reader.join().expect("FIFO reader")
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_to_a_fifo_is_written_as_a_stream() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    let before = listing(d);
    let expected_csv = tagger(["label", "a.csv", "-q"]).dir(d).run().ok();
    tagger(["train", "a.csv", "-q", "-o", "m.bin"]).env("SOURCE_DATE_EPOCH", "1763856000").dir(d).run().ok();
    let expected_model = std::fs::read(d.join("m.bin")).unwrap();
    std::fs::remove_file(d.join("m.bin")).unwrap();
    for (args, expected) in [
        (&["label", "a.csv", "-q", "-o", "out.fifo"][..], expected_csv.as_bytes()),
        (&["train", "a.csv", "-q", "-o", "out.fifo"], &expected_model[..]),
    ] {
        let fifo = Fifo::new(&d.join("out.fifo"));
        let run = tagger(args).env("SOURCE_DATE_EPOCH", "1763856000").dir(d).run();
        let written = fifo.written();
        run.ok();
        assert!(written == expected, "{args:?}: the FIFO got {} bytes, expected {}", written.len(), expected.len());
        assert!(std::fs::symlink_metadata(d.join("out.fifo")).unwrap().file_type().is_fifo(), "{args:?}");
        std::fs::remove_file(d.join("out.fifo")).unwrap();
        assert_eq!(listing(d), before, "{args:?}: no temporary file");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_to_a_character_device_keeps_the_device() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    // Root may replace /dev/null itself when this regresses, so as root the test makes its own
    // null device (mknod) in its folder; anyone else writes to /dev/null, which they cannot
    // replace.
    let null = d.join("null");
    let device = if Command::new("mknod")
        .arg(&null)
        .args(["c", "1", "3"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
    {
        null
    } else {
        std::path::PathBuf::from("/dev/null")
    };
    let before = listing(d);
    for args in writing_commands(s(&device)) {
        tagger(&args).dir(d).run().ok();
        let meta = std::fs::symlink_metadata(&device).unwrap();
        assert!(meta.file_type().is_char_device(), "{args:?}: {} is no longer a device", device.display());
        assert_eq!(listing(d), before, "{args:?}: no temporary file");
    }
}

#[cfg(target_os = "linux")]
#[test]
fn output_to_standard_output_by_name_is_written_to_stdout() {
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    // As /dev/stdout is: a symlink to /proc/self/fd/1. (/dev/stdout itself is not used here,
    // so that a regression cannot replace it on the machine running the tests.)
    std::os::unix::fs::symlink("/proc/self/fd/1", d.join("stdout")).unwrap();
    let before = listing(d);
    let expected = tagger(["label", "a.csv", "-q"]).dir(d).run().ok();
    // `-` is stdout for -o as for inputs (before, `-o -` wrote a file named "-").
    for out in ["/dev/fd/1", "/proc/self/fd/1", "stdout", "-"] {
        let got = tagger(["label", "a.csv", "-q", "-o", out]).dir(d).run().ok();
        assert!(got == expected, "-o {out}: {} bytes on stdout, expected {}", got.len(), expected.len());
        assert_eq!(listing(d), before, "-o {out}: no temporary file, the link kept");
    }
    // A model on stdout is the model alone: the summary goes to stderr instead.
    tagger(["train", "a.csv", "-q", "-o", "m.bin"]).env("SOURCE_DATE_EPOCH", "1763856000").dir(d).run().ok();
    let model = std::fs::read(d.join("m.bin")).unwrap();
    for out in ["/dev/fd/1", "stdout", "-"] {
        let run = tagger(["train", "a.csv", "-q", "-o", out]).env("SOURCE_DATE_EPOCH", "1763856000").dir(d).run();
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert!(run.stdout == model, "-o {out}: the model and nothing else on stdout");
        assert!(run.stderr.starts_with(&format!("wrote {out}: ")), "{}", run.stderr);
    }
}

#[cfg(unix)]
#[test]
fn output_through_a_symlink_replaces_the_file_it_points_to() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    std::fs::create_dir(d.join("sub")).unwrap();
    for (i, args) in writing_commands("link").into_iter().enumerate() {
        // An existing file behind the link, and a link to a file not written yet.
        let (target, existing) = (format!("sub/out-{i}"), i % 2 == 0);
        if existing {
            std::fs::write(d.join(&target), "earlier\n").unwrap();
            std::fs::set_permissions(d.join(&target), std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        std::os::unix::fs::symlink(&target, d.join("link")).unwrap();
        tagger(&args).dir(d).run().ok();
        assert_eq!(std::fs::read_link(d.join("link")).unwrap(), Path::new(&target), "{args:?}: the link is kept");
        let meta = std::fs::symlink_metadata(d.join(&target)).unwrap();
        assert!(meta.is_file() && meta.len() > 8, "{args:?}: written behind the link");
        if existing {
            assert_eq!(meta.permissions().mode() & 0o777, 0o640, "{args:?}: mode kept");
        }
        std::fs::remove_file(d.join("link")).unwrap();
    }
    let names = listing(&d.join("sub"));
    assert_eq!(names, (0..6).map(|i| format!("out-{i}")).collect::<Vec<_>>(), "no temporary file");
    assert!(!listing(d).iter().any(|n| n.starts_with(".tagger-")), "no temporary file");
}

#[cfg(unix)]
#[test]
fn an_existing_output_keeps_its_permission_bits() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    for (args, mode) in writing_commands("out").into_iter().zip([0o640, 0o600, 0o604, 0o660, 0o640, 0o755]) {
        std::fs::write(d.join("out"), "earlier\n").unwrap();
        std::fs::set_permissions(d.join("out"), std::fs::Permissions::from_mode(mode)).unwrap();
        tagger(&args).dir(d).run().ok();
        let meta = std::fs::metadata(d.join("out")).unwrap();
        assert!(meta.len() > 8, "{args:?}: replaced");
        assert_eq!(meta.permissions().mode() & 0o777, mode, "{args:?}: mode {mode:o} kept");
        std::fs::remove_file(d.join("out")).unwrap();
    }
    // A new file gets the usual mode, as the umask allows.
    tagger(["label", "a.csv", "-q", "-o", "new.csv"]).dir(d).run().ok();
    let mode = std::fs::metadata(d.join("new.csv")).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode & !0o644, 0, "{mode:o}");
}

#[test]
fn output_that_is_an_input_is_refused_in_every_command() {
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    std::fs::write(d.join("stop.txt"), "في\nمن\n").unwrap();
    let m = train_small(d);
    std::fs::rename(m, d.join("m.bin")).unwrap();
    std::fs::hard_link(d.join("a.csv"), d.join("hard.csv")).unwrap();
    let before: Vec<(String, Vec<u8>)> =
        listing(d).into_iter().map(|n| (n.clone(), std::fs::read(d.join(&n)).unwrap())).collect();
    let refusals: [(&[&str], &str); 11] = [
        (&["train", "a.csv", "-o", "a.csv"], "--output a.csv is the same file as the input a.csv"),
        (&["train", "a.csv", "-o", "./a.csv"], "--output ./a.csv is the same file as the input a.csv"),
        (&["train", "a.csv", "-o", "hard.csv"], "--output hard.csv is the same file as the input a.csv"),
        (
            &["train", "a.csv", "--stopwords", "stop.txt", "-o", "stop.txt"],
            "--output stop.txt is the same file as --stopwords stop.txt",
        ),
        (&["vocab", "--partial", "a.csv", "-o", "a.csv"], "--output a.csv is the same file as the input a.csv"),
        (
            &["vocab", "--merge", "va.bin", "vb.bin", "-o", "vb.bin"],
            "--output vb.bin is the same file as the shard vb.bin",
        ),
        (
            &["train", "--vocab", "v.bin", "--partial", "a.csv", "-o", "a.csv"],
            "--output a.csv is the same file as the input a.csv",
        ),
        (
            &["train", "--vocab", "v.bin", "--partial", "a.csv", "-o", "v.bin"],
            "--output v.bin is the same file as --vocab v.bin",
        ),
        (
            &["train", "--merge", "ma.bin", "mb.bin", "-o", "ma.bin"],
            "--output ma.bin is the same file as the shard ma.bin",
        ),
        (&["label", "a.csv", "-o", "a.csv"], "--output a.csv is the same file as the input a.csv"),
        (&["label", "a.csv", "--model", "m.bin", "-o", "m.bin"], "--output m.bin is the same file as --model m.bin"),
    ];
    for (args, message) in refusals {
        tagger(args).dir(d).run().refused(&format!("tagger: {message}; write to another file"));
        for (name, bytes) in &before {
            assert!(std::fs::read(d.join(name)).unwrap() == *bytes, "{args:?}: {name} changed");
        }
        assert_eq!(listing(d), before.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>(), "{args:?}");
    }
    // A file of the same name in another folder is another file.
    std::fs::create_dir(d.join("sub")).unwrap();
    tagger(["label", "a.csv", "-q", "-o", "sub/a.csv"]).dir(d).run().ok();
}

#[test]
fn output_that_is_a_folder_is_refused_before_any_work() {
    let dir = tmp();
    shard_files(dir.path());
    let d = dir.path();
    std::fs::create_dir(d.join("models")).unwrap();
    let before = listing(d);
    let refusals: [(&[&str], &str); 6] = [
        (
            &["train", "a.csv", "-o", "models"],
            "--output models is a folder; give a file name, such as models/model.bin",
        ),
        (
            &["train", "a.csv", "-o", "models/"],
            "--output models/ is a folder; give a file name, such as models/model.bin",
        ),
        (&["train", "a.csv", "-o", "new/"], "--output new/ is a folder; give a file name, such as new/model.bin"),
        (
            &["train", "--vocab", "v.bin", "--partial", "a.csv", "-o", "models"],
            "--output models is a folder; give a file name, such as models/model-shard.bin",
        ),
        (
            &["vocab", "--partial", "a.csv", "-o", "models"],
            "--output models is a folder; give a file name, such as models/vocab.bin",
        ),
        (
            &["label", "a.csv", "-o", "models/"],
            "--output models/ is a folder; give a file name, such as models/tagged.csv",
        ),
    ];
    for (args, message) in refusals {
        tagger(args).dir(d).run().refused(&format!("tagger: {message}"));
        assert_eq!(listing(d), before, "{args:?}");
        assert_eq!(listing(&d.join("models")), Vec::<String>::new(), "{args:?}");
    }
}

/// A CSV of `rows` articles (data/labels.csv repeated), big enough that label and train run for
/// a while on this 2-core machine.
fn big_csv(dir: &Path, rows: usize) -> PathBuf {
    let corpus = corpus();
    let mut w = csv::Writer::from_path(dir.join("big.csv")).unwrap();
    w.write_record(["text", "labels"]).unwrap();
    for row in corpus.iter().cycle().take(rows) {
        w.write_record([&row.text, &row.labels]).unwrap();
    }
    w.flush().unwrap();
    dir.join("big.csv")
}

fn temp_files(dir: &Path) -> Vec<String> {
    listing(dir).into_iter().filter(|n| n.starts_with(".tagger-") && n.ends_with(".tmp")).collect()
}

/// Starts `tagger ARGS` in the crate root, sends `signal` (a `kill -s` name) once `ready` holds
/// for `dir`, and returns the exit code and stderr.
fn interrupt(args: &[&str], dir: &Path, signal: &str, ready: impl Fn(&Path) -> bool) -> (Option<i32>, String) {
    let mut child = Command::new(BIN)
        .args(args)
        .current_dir(root())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("tagger starts");
    let start = std::time::Instant::now();
    while !ready(dir) {
        assert!(child.try_wait().unwrap().is_none(), "tagger {args:?} ended before the signal could be sent");
        assert!(start.elapsed().as_secs() < 60, "tagger {args:?} never got ready");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    assert!(child.try_wait().unwrap().is_none(), "tagger {args:?} ended before the signal could be sent");
    let sent = Command::new("kill").args(["-s", signal, &child.id().to_string()]).status().expect("kill runs");
    assert!(sent.success());
    let out = child.wait_with_output().unwrap();
    (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
}

#[cfg(unix)]
#[test]
fn sigterm_and_sighup_during_label_remove_the_temporary_file() {
    // `timeout 3 tagger label big.csv -o out.csv` (SIGTERM) and SIGHUP left a hidden
    // `.tagger-*.tmp` beside out.csv: only SIGINT was handled.
    let dir = tmp();
    let big = big_csv(dir.path(), 200_000);
    let out = dir.path().join("out.csv");
    for signal in ["TERM", "HUP", "INT"] {
        let (code, stderr) =
            interrupt(&["label", s(&big), "-o", s(&out), "-q"], dir.path(), signal, |d| !temp_files(d).is_empty());
        assert_eq!(code, Some(130), "SIG{signal}: {stderr}");
        assert_eq!(stderr.trim_end(), "tagger: interrupted; no output was written", "SIG{signal}");
        assert_eq!(listing(dir.path()), ["big.csv"], "SIG{signal} left files behind");
    }
}

#[cfg(unix)]
#[test]
fn signals_during_train_exit_with_one_line_and_no_file() {
    // Ctrl-C during train killed it with no message (and, during the write, left the temporary
    // model file); SIGTERM and SIGHUP the same.
    let dir = tmp();
    let big = big_csv(dir.path(), 200_000);
    let model = dir.path().join("m.bin");
    for signal in ["INT", "TERM", "HUP"] {
        let started = std::time::Instant::now();
        let (code, stderr) = interrupt(&["train", s(&big), "-o", s(&model), "-q"], dir.path(), signal, |_| {
            started.elapsed() > std::time::Duration::from_millis(300)
        });
        assert_eq!(code, Some(130), "SIG{signal}: {stderr}");
        assert_eq!(stderr.trim_end(), "tagger: interrupted; no output was written", "SIG{signal}");
        assert_eq!(listing(dir.path()), ["big.csv"], "SIG{signal} left files behind");
    }
}

#[test]
fn an_output_with_a_slash_after_a_file_name_is_not_called_a_folder() {
    let dir = tmp();
    std::fs::write(dir.path().join("out.csv"), "old\n").unwrap();
    let run = tagger(["label", s(&labels_csv()), "-o", "out.csv/"]).dir(dir.path()).run();
    run.refused(
        "tagger: --output out.csv/ ends with '/' but out.csv is a file, not a folder; give a file name without the '/'",
    );
    assert_eq!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap(), "old\n");
}
