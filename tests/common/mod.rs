//! Helpers for the integration tests (`tests/cli/`, `tests/properties.rs`, `tests/shards.rs`):
//! run the real `tagger` binary, find the project's data, build small CSV files from the rows of
//! `data/labels.csv`, read it as the library does, and parse what the commands write.

// Each test binary includes this module and uses a part of it.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use tagger::corpus::LabeledCorpus;
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::TrainingMeta;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_tagger");

/// The threshold stored in models trained with the default settings (`train --threshold`).
pub const DEFAULT_THRESHOLD: f64 = tagger::DEFAULT_THRESHOLD;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn labels_csv() -> PathBuf {
    root().join("data").join("labels.csv")
}

pub fn sample(name: &str) -> PathBuf {
    root().join("data").join("samples").join(name)
}

pub fn sample_text(name: &str) -> String {
    std::fs::read_to_string(sample(name)).expect("sample readable")
}

/// The finished run of one `tagger` command.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: String,
}

impl Run {
    pub fn out(&self) -> String {
        String::from_utf8(self.stdout.clone()).expect("stdout is UTF-8")
    }

    /// Exit 0; returns stdout.
    #[track_caller]
    pub fn ok(&self) -> String {
        assert_eq!(self.code, Some(0), "expected success; stderr: {}", self.stderr);
        self.out()
    }

    /// A data or runtime error: exit 1 and exactly one line on stderr, starting with `tagger: `.
    /// Returns that line (without the newline).
    #[track_caller]
    pub fn error_line(&self) -> String {
        assert_eq!(self.code, Some(1), "expected exit 1; stderr: {}", self.stderr);
        assert!(self.stderr.ends_with('\n'), "stderr: {:?}", self.stderr);
        let line = self.stderr.trim_end_matches('\n');
        assert!(!line.contains('\n'), "error is not one line: {:?}", self.stderr);
        assert!(line.starts_with("tagger: "), "error does not start with 'tagger: ': {line}");
        line.to_string()
    }

    /// Exit 1 with exactly this one-line message.
    #[track_caller]
    pub fn fails_with(&self, expected: &str) {
        assert_eq!(self.error_line(), expected);
    }

    /// Exit 1 with a one-line message starting with `prefix`.
    #[track_caller]
    pub fn fails_starting_with(&self, prefix: &str) -> String {
        let line = self.error_line();
        assert!(line.starts_with(prefix), "expected a message starting with {prefix:?}, got {line:?}");
        line
    }

    /// A usage error found in what the options name (an output that is an input...): exit 2,
    /// nothing on stdout, and exactly this one line on stderr.
    #[track_caller]
    pub fn refused(&self, expected: &str) {
        assert_eq!(self.code, Some(2), "expected exit 2; stderr: {}", self.stderr);
        assert!(self.stdout.is_empty(), "stdout: {}", self.out());
        assert_eq!(self.stderr, format!("{expected}\n"));
    }

    /// A usage error: exit 2, nothing on stdout, and one `tagger: ` line on stderr (clap's
    /// message, tips and usage line) that mentions `mentions`. Returns the line.
    #[track_caller]
    pub fn usage_error(&self, mentions: &str) -> String {
        assert_eq!(self.code, Some(2), "expected exit 2; stderr: {}", self.stderr);
        assert!(self.stdout.is_empty(), "stdout: {}", self.out());
        let line = self.stderr.strip_suffix('\n').unwrap_or_else(|| panic!("stderr: {:?}", self.stderr));
        assert!(!line.contains('\n') && line.starts_with("tagger: "), "not one tagger: line: {:?}", self.stderr);
        assert!(line.contains(mentions), "stderr does not mention {mentions:?}: {}", self.stderr);
        line.to_string()
    }
}

/// A `tagger` command to run; see [`tagger`].
pub struct Tagger {
    cmd: Command,
    stdin: Option<Vec<u8>>,
}

/// `tagger ARGS...`, run from the crate root unless [`Tagger::dir`] says otherwise.
pub fn tagger<I, S>(args: I) -> Tagger
where
    I: IntoIterator<Item = S>,
    S: AsRef<std::ffi::OsStr>,
{
    let mut cmd = Command::new(BIN);
    cmd.args(args).current_dir(root()).env_remove("SOURCE_DATE_EPOCH");
    Tagger { cmd, stdin: None }
}

impl Tagger {
    /// More arguments after those given to [`tagger`].
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn dir(mut self, dir: &Path) -> Self {
        self.cmd.current_dir(dir);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Self {
        self.cmd.env(key, value);
        self
    }

    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(bytes.into());
        self
    }

    /// Runs to the end. Whatever the outcome, the binary must not panic.
    pub fn run(mut self) -> Run {
        self.cmd.stdin(if self.stdin.is_some() { Stdio::piped() } else { Stdio::null() });
        self.cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let mut child = self.cmd.spawn().expect("tagger starts");
        // Written from another thread so a large output cannot block a large input.
        let feeder = match (self.stdin.take(), child.stdin.take()) {
            (Some(bytes), Some(mut pipe)) => Some(std::thread::spawn(move || {
                let _ = pipe.write_all(&bytes);
            })),
            _ => None,
        };
        let output = child.wait_with_output().expect("tagger runs");
        if let Some(f) = feeder {
            f.join().expect("stdin feeder");
        }
        let run = Run {
            code: output.status.code(),
            stdout: output.stdout,
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        };
        assert!(!run.stderr.contains("panicked"), "tagger panicked: {}", run.stderr);
        run
    }
}

/// One labeled article of `data/labels.csv`.
#[derive(Debug, Clone)]
pub struct Row {
    pub text: String,
    pub labels: String,
}

/// Every row of `data/labels.csv`, read with the csv crate.
pub fn corpus() -> &'static [Row] {
    static ROWS: OnceLock<Vec<Row>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut reader = csv::Reader::from_path(labels_csv()).expect("data/labels.csv");
        assert_eq!(reader.headers().unwrap(), vec!["text", "labels"]);
        reader
            .records()
            .map(|r| {
                let r = r.expect("data/labels.csv parses");
                Row { text: r[0].to_string(), labels: r[1].to_string() }
            })
            .collect()
    })
}

/// Every `n`th row of the corpus, starting with the first: all ten topics in a few hundred rows,
/// and some rows with no topic.
pub fn every_nth(n: usize) -> Vec<Row> {
    corpus().iter().step_by(n).cloned().collect()
}

impl Row {
    /// The row's topics (none for an empty labels field).
    pub fn topics(&self) -> Vec<&str> {
        self.labels.split('|').filter(|t| !t.is_empty()).collect()
    }
}

/// The 1-based CSV lines (the header is line 1) where the rows without a topic start, in a file
/// written by [`write_labeled`]: every row takes one line plus one per line break in its fields.
pub fn unlabeled_lines(rows: &[Row]) -> Vec<usize> {
    let mut line = 2;
    let mut found = Vec::new();
    for r in rows {
        if r.topics().is_empty() {
            found.push(line);
        }
        line += 1 + r.text.matches('\n').count() + r.labels.matches('\n').count();
    }
    found
}

/// The note `train` prints on stderr when some rows of `name` have no topic (the first ten lines
/// are named); empty when every row has one.
pub fn unlabeled_note(name: &str, rows: &[Row]) -> String {
    let lines = unlabeled_lines(rows);
    if lines.is_empty() {
        return String::new();
    }
    let named: Vec<String> = lines.iter().take(10).map(usize::to_string).collect();
    format!(
        "tagger: note: {} rows of {name} have no topic and train as texts about none of the topics (lines {}{})\n",
        lines.len(),
        named.join(", "),
        if lines.len() > 10 { ", ..." } else { "" }
    )
}

/// Writes `text,labels` rows as CSV.
pub fn write_labeled(path: &Path, rows: &[Row]) {
    let mut w = csv::Writer::from_path(path).expect("create csv");
    w.write_record(["text", "labels"]).unwrap();
    for r in rows {
        w.write_record([&r.text, &r.labels]).unwrap();
    }
    w.flush().unwrap();
}

/// CSV bytes of `header` and `rows` with the given delimiter and record terminator.
pub fn csv_bytes(delimiter: u8, crlf: bool, header: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut b = csv::WriterBuilder::new();
    b.delimiter(delimiter);
    if crlf {
        b.terminator(csv::Terminator::CRLF);
    }
    let mut w = b.from_writer(Vec::new());
    w.write_record(header).unwrap();
    for r in rows {
        w.write_record(r).unwrap();
    }
    w.into_inner().unwrap()
}

/// Parses CSV output: header and records as strings.
pub fn parse_csv(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::ReaderBuilder::new().delimiter(delimiter).from_reader(bytes);
    let header = r.headers().expect("output header").iter().map(str::to_string).collect();
    let rows = r.records().map(|rec| rec.expect("output record parses").iter().map(str::to_string).collect()).collect();
    (header, rows)
}

/// Trains a model on every third row of the corpus (all ten topics, a few rows with none) in `dir`.
pub fn train_small(dir: &Path) -> PathBuf {
    let csv = dir.join("train-small.csv");
    write_labeled(&csv, &every_nth(3));
    let model = dir.join("small.bin");
    tagger(["train".as_ref(), csv.as_os_str(), "-o".as_ref(), model.as_os_str(), "-q".as_ref()]).run().ok();
    model
}

/// Topic names of the model at `model` (or the embedded one), from `inspect --format json`.
pub fn model_topics(model: Option<&Path>) -> Vec<String> {
    let mut args: Vec<std::ffi::OsString> = vec!["inspect".into(), "--format".into(), "json".into()];
    if let Some(m) = model {
        args.extend(["--model".into(), m.as_os_str().to_owned()]);
    }
    let info: serde_json::Value = serde_json::from_str(&tagger(args).run().ok()).expect("inspect json");
    info["topics"].as_array().unwrap().iter().map(|t| t["topic"].as_str().unwrap().to_string()).collect()
}

/// Each topic's threshold in a model (`inspect --format json`), by topic name.
pub fn model_thresholds(model: Option<&Path>) -> std::collections::BTreeMap<String, f64> {
    let mut args: Vec<std::ffi::OsString> = vec!["inspect".into(), "--format".into(), "json".into()];
    if let Some(m) = model {
        args.extend(["--model".into(), m.as_os_str().to_owned()]);
    }
    let info: serde_json::Value = serde_json::from_str(&tagger(args).run().ok()).expect("inspect json");
    info["topics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["topic"].as_str().unwrap().to_string(), t["threshold"].as_f64().unwrap()))
        .collect()
}

/// The topic names of one `predict` text line (`name<TAB>topic score, topic score`).
pub fn topics_of_line(line: &str) -> Vec<String> {
    let (_, given) = line.split_once('\t').expect("name<TAB>topics");
    if given.starts_with('(') {
        return Vec::new();
    }
    let mut topics: Vec<String> =
        given.split(", ").map(|p| p.split_once(' ').expect("topic score").0.to_string()).collect();
    topics.sort();
    topics
}

/// A temporary folder, removed when dropped.
pub fn tmp() -> TempDir {
    tempfile::tempdir().expect("temporary folder")
}

/// A path as a command-line argument.
pub fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 path")
}

/// Sorted names of the entries of a folder.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names
}

/// `id,text,labels` rows from the corpus, ids counted from 0.
pub fn id_rows(rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter().enumerate().map(|(i, r)| vec![i.to_string(), r.text.clone(), r.labels.clone()]).collect()
}

/// The header of [`id_rows`].
pub const ID_HEADER: [&str; 3] = ["id", "text", "labels"];

/// The topics a threshold gives from scores, most probable first (ties in topic order).
pub fn given(scores: &[(String, f64)], threshold: f64) -> Vec<String> {
    let mut order = scores.to_vec();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    order.into_iter().filter(|(_, v)| *v >= threshold).map(|(t, _)| t).collect()
}

/// The topics whose score reaches the topic's own threshold, most probable first.
pub fn given_each(scores: &[(String, f64)], thresholds: &std::collections::BTreeMap<String, f64>) -> Vec<String> {
    let mut order = scores.to_vec();
    order.sort_by(|a, b| b.1.total_cmp(&a.1));
    order.into_iter().filter(|(t, v)| *v >= thresholds[t]).map(|(t, _)| t).collect()
}

/// Good rows of the corpus, then `bad` (a raw CSV row), then more good rows. Returns the file
/// bytes and the 1-based line and byte offset where the bad row starts.
pub fn with_bad_row(good_before: usize, bad: &[u8], good_after: usize) -> (Vec<u8>, usize, usize) {
    let rows: Vec<Vec<String>> = corpus().iter().map(|r| vec![r.text.clone(), r.labels.clone()]).collect();
    let mut bytes = csv_bytes(b',', false, &["text", "labels"], &rows[..good_before]);
    let (line, byte) = (bytes.iter().filter(|&&b| b == b'\n').count() + 1, bytes.len());
    bytes.extend_from_slice(bad);
    let after = csv_bytes(b',', false, &["text", "labels"], &rows[good_before..good_before + good_after]);
    bytes.extend_from_slice(&after[after.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    (bytes, line, byte)
}

/// In `dir`: two CSV halves of every third row (`a.csv`, `b.csv`), their vocabulary shards
/// (`va.bin`, `vb.bin`), the merged vocabulary `v.bin` and the model shards (`ma.bin`, `mb.bin`).
pub fn shard_files(dir: &Path) {
    let rows = every_nth(3);
    let (a, b) = rows.split_at(rows.len() / 2);
    write_labeled(&dir.join("a.csv"), a);
    write_labeled(&dir.join("b.csv"), b);
    for args in [
        &["vocab", "--partial", "a.csv", "-o", "va.bin"][..],
        &["vocab", "--partial", "b.csv", "-o", "vb.bin"],
        &["vocab", "--merge", "va.bin", "vb.bin", "-o", "v.bin"],
        &["train", "--vocab", "v.bin", "--partial", "a.csv", "-o", "ma.bin"],
        &["train", "--vocab", "v.bin", "--partial", "b.csv", "-o", "mb.bin"],
    ] {
        tagger(args).dir(dir).run().ok();
    }
}

/// `data/labels.csv` read by the library (`csv_input::read_labeled`), as the library tests train on it.
pub fn labeled_corpus() -> &'static LabeledCorpus {
    static C: OnceLock<LabeledCorpus> = OnceLock::new();
    C.get_or_init(|| {
        let raw = std::fs::read(labels_csv()).unwrap();
        read_labeled(&raw[..], "labels.csv", &CsvOptions::default()).unwrap()
    })
}

/// What the library tests record as a model's training: `TrainingMeta::new("labels.csv")`.
pub fn meta() -> TrainingMeta {
    TrainingMeta::new("labels.csv")
}
