//! Streaming CSV labeling (`tagger label`): read a bounded batch of records into reused
//! buffers, classify the batch in parallel, write it in input order, repeat. Memory is bounded by
//! the batch, not the file.

use crate::corpus::{check_encoding, csv_error, read_headers, resolve_columns, ColumnSpec};
use crate::error::{Error, Location, Result};
use crate::features::Scratch;
use crate::model::{Decision, Model};
use rayon::prelude::*;
use std::io::{BufReader, Read, Write};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Csv,
    Jsonl,
}

#[derive(Debug, Clone)]
pub struct LabelOptions {
    pub delimiter: u8,
    /// Joined with a line break when several (`title,body`).
    pub text_columns: Vec<ColumnSpec>,
    pub format: OutputFormat,
    /// One probability column per topic instead of `scores`.
    pub wide: bool,
    pub decision: Decision,
    /// Skip (and report) malformed rows instead of stopping.
    pub skip_bad: bool,
    /// Records per parallel batch.
    pub batch_size: usize,
}

impl LabelOptions {
    pub fn new(decision: Decision) -> Self {
        LabelOptions {
            delimiter: b',',
            text_columns: vec![ColumnSpec::Name("text".into())],
            format: OutputFormat::Csv,
            wide: false,
            decision,
            skip_bad: false,
            batch_size: 2048,
        }
    }
}

/// A row left out under `--skip-bad`.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedRow {
    pub location: Location,
    pub reason: String,
}

impl std::fmt::Display for SkippedRow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// What the caller hears while labeling runs.
pub trait Observer {
    /// After each batch: rows written so far and input bytes consumed.
    fn progress(&mut self, _rows: u64, _bytes: u64) {}
    /// A row skipped under `--skip-bad`.
    fn skipped(&mut self, _row: &SkippedRow) {}
}

/// An observer that ignores everything.
pub struct Silent;
impl Observer for Silent {}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct LabelSummary {
    pub rows_read: u64,
    pub rows_written: u64,
    pub rows_skipped: u64,
    /// Rows given each topic, in the model's topic order.
    pub per_topic: Vec<u64>,
    pub bytes: u64,
}

/// Labels every row of a CSV, writing the input columns plus topics and scores.
pub fn label_csv<R: Read, W: Write>(
    model: &Model,
    input: R,
    source: &str,
    output: W,
    opts: &LabelOptions,
    observer: &mut dyn Observer,
) -> Result<LabelSummary> {
    if opts.batch_size == 0 {
        return Err(Error::params("batch_size", "0: need at least 1 row per batch"));
    }
    let loc = Location::file(source);
    let mut input = BufReader::with_capacity(1 << 16, input);
    check_encoding(&mut input, &loc)?;
    let mut csv = csv::ReaderBuilder::new().delimiter(opts.delimiter).has_headers(true).from_reader(input);
    let headers = read_headers(&mut csv, &loc)?;
    let text_cols = resolve_columns(&headers, &opts.text_columns, &loc, "--text-column")?;
    let topics = model.topics();
    let out_name = "<output>";
    let io_err = |e: std::io::Error| Error::io(out_name, e);

    let mut sink = Sink::new(output, opts, &headers, topics).map_err(|e| csv_out_error(e, out_name))?;

    let mut batch: Vec<csv::ByteRecord> = Vec::with_capacity(opts.batch_size);
    let mut texts: Vec<String> = Vec::with_capacity(opts.batch_size);
    let mut summary = LabelSummary { per_topic: vec![0; topics.len()], ..LabelSummary::default() };
    let mut pool: Vec<csv::ByteRecord> = Vec::new();
    let mut done = false;
    while !done {
        batch.clear();
        texts.clear();
        while batch.len() < opts.batch_size {
            let mut record = pool.pop().unwrap_or_default();
            match csv.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    let err = csv_error(e, &loc, &headers);
                    if opts.skip_bad && matches!(err, Error::Input { .. }) {
                        summary.rows_read += 1;
                        summary.rows_skipped += 1;
                        observer.skipped(&skipped_from(err));
                        pool.push(record);
                        continue;
                    }
                    return Err(err);
                }
            }
            summary.rows_read += 1;
            match row_text(&record, &text_cols, &headers, &loc) {
                Ok(text) => {
                    texts.push(text);
                    batch.push(record);
                }
                Err(err) if opts.skip_bad => {
                    summary.rows_skipped += 1;
                    observer.skipped(&skipped_from(err));
                    pool.push(record);
                }
                Err(err) => return Err(err),
            }
        }
        let predictions: Vec<_> = texts
            .par_iter()
            .with_min_len(32)
            .map_init(Scratch::default, |scratch, text| model.predict_with(text, opts.decision, scratch))
            .collect();
        for (record, prediction) in batch.iter().zip(&predictions) {
            for &t in &prediction.topics {
                summary.per_topic[t] += 1;
            }
            sink.write(record, prediction, topics).map_err(|e| csv_out_error(e, out_name))?;
        }
        summary.rows_written += batch.len() as u64;
        summary.bytes = csv.position().byte();
        observer.progress(summary.rows_written, summary.bytes);
        pool.append(&mut batch);
    }
    sink.finish().map_err(io_err)?;
    Ok(summary)
}

fn skipped_from(err: Error) -> SkippedRow {
    match err {
        Error::Input { location, message } => SkippedRow { location, reason: message },
        other => SkippedRow { location: Location::default(), reason: other.to_string() },
    }
}

fn csv_out_error(e: csv::Error, name: &str) -> Error {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => Error::io(name, io),
        other => Error::io(name, std::io::Error::other(format!("{other:?}"))),
    }
}

/// The text to classify: the chosen columns joined by line breaks. Every field must be UTF-8,
/// not only the text, since the row is written back out.
fn row_text(record: &csv::ByteRecord, text_cols: &[usize], headers: &[String], loc: &Location) -> Result<String> {
    for i in 0..record.len() {
        crate::corpus::field_str(record, i, headers, loc)?;
    }
    let mut text = String::new();
    for (k, &c) in text_cols.iter().enumerate() {
        if k > 0 {
            text.push('\n');
        }
        text.push_str(crate::corpus::field_str(record, c, headers, loc)?);
    }
    Ok(text)
}

/// Formats `topic:probability` pairs, most probable first.
pub fn format_scores(scores: &[f64], topics: &[String]) -> String {
    let mut order: Vec<usize> = (0..scores.len()).collect();
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
    order.iter().map(|&t| format!("{}:{:.4}", topics[t], scores[t])).collect::<Vec<_>>().join("|")
}

enum Sink<W: Write> {
    Csv { out: csv::Writer<W>, wide: bool, row: csv::ByteRecord },
    Jsonl { out: std::io::BufWriter<W>, keys: Vec<String>, line: Vec<u8> },
}

impl<W: Write> Sink<W> {
    fn new(output: W, opts: &LabelOptions, headers: &[String], topics: &[String]) -> csv::Result<Self> {
        Ok(match opts.format {
            OutputFormat::Csv => {
                let mut out = csv::WriterBuilder::new().delimiter(opts.delimiter).from_writer(output);
                let mut header: Vec<String> = headers.to_vec();
                if opts.wide {
                    header.push("topics".into());
                    header.extend(topics.iter().map(|t| format!("p_{t}")));
                } else {
                    header.extend(["topics".into(), "scores".into()]);
                }
                out.write_record(&header)?;
                Sink::Csv { out, wide: opts.wide, row: csv::ByteRecord::new() }
            }
            OutputFormat::Jsonl => {
                // Duplicate column names get a suffix so no value is lost in the object.
                let mut keys: Vec<String> = Vec::with_capacity(headers.len());
                for h in headers {
                    let mut key = h.clone();
                    let mut n = 2;
                    while keys.contains(&key) || key == "topics" || key == "scores" {
                        key = format!("{h}_{n}");
                        n += 1;
                    }
                    keys.push(key);
                }
                Sink::Jsonl { out: std::io::BufWriter::with_capacity(1 << 16, output), keys, line: Vec::new() }
            }
        })
    }

    fn write(&mut self, record: &csv::ByteRecord, p: &crate::Prediction, topics: &[String]) -> csv::Result<()> {
        let given = p.topics.iter().map(|&t| topics[t].as_str()).collect::<Vec<_>>().join("|");
        let scored = !p.scores.is_empty();
        match self {
            Sink::Csv { out, wide, row } => {
                row.clear();
                for field in record.iter() {
                    row.push_field(field);
                }
                row.push_field(given.as_bytes());
                if *wide {
                    for t in 0..topics.len() {
                        match p.scores.get(t) {
                            Some(s) => row.push_field(format!("{s:.4}").as_bytes()),
                            None => row.push_field(b""),
                        }
                    }
                } else {
                    row.push_field(if scored { format_scores(&p.scores, topics) } else { String::new() }.as_bytes());
                }
                out.write_byte_record(row)
            }
            Sink::Jsonl { out, keys, line } => {
                let mut obj = serde_json::Map::new();
                for (key, field) in keys.iter().zip(record.iter()) {
                    // Fields were checked to be UTF-8 before classification.
                    obj.insert(key.clone(), String::from_utf8_lossy(field).into_owned().into());
                }
                obj.insert("topics".into(), p.topics.iter().map(|&t| topics[t].clone()).collect::<Vec<_>>().into());
                let scores: serde_json::Map<_, _> = topics.iter().cloned().zip(p.scores.iter().map(|&s| round4(s).into())).collect();
                obj.insert("scores".into(), scores.into());
                line.clear();
                serde_json::to_writer(&mut *line, &obj).map_err(std::io::Error::other)?;
                line.push(b'\n');
                out.write_all(line).map_err(csv::Error::from)
            }
        }
    }

    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Csv { mut out, .. } => out.flush(),
            Sink::Jsonl { mut out, .. } => out.flush(),
        }
    }
}

pub fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}
