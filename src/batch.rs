//! Streaming CSV labeling (`tagger label`): read a bounded batch of records into reused
//! buffers, classify the batch in parallel, write it in input order, repeat. Memory is bounded by
//! the batch, not the file.

use crate::corpus::TextStore;
use crate::csv_input::{check_encoding, csv_error, read_headers, resolve_columns, ColumnSpec};
use crate::error::{Error, Location, Result};
use crate::features::Scratch;
use crate::model::Prediction;
use crate::model::{Decision, Model};
use crate::quotes::{check_record, csv_reader, too_long, too_long_message, Finding, Tail, DEFAULT_MAX_RECORD_BYTES};
use rayon::prelude::*;
use std::collections::HashMap;
use std::io::{BufReader, Read, Write};
use std::sync::mpsc::{channel, sync_channel, Receiver, Sender, SyncSender};

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
    /// A batch also ends once its fields pass this many bytes, so a file of very long rows
    /// cannot make batches large. 8 MiB holds about 2,000 typical news articles.
    pub batch_bytes: usize,
    /// The longest row (CSV) or line (JSON Lines) read, in bytes; a longer one stops the run,
    /// also under `skip_bad` (see [`crate::quotes::Tail`]).
    pub max_record_bytes: u64,
    /// Decimals of every written score, 1 to [`FULL_DIGITS`] (which writes each at full
    /// precision); [`DEFAULT_DIGITS`] by default.
    pub digits: u8,
}

/// Decimals of the scores `label` and `predict` write unless told otherwise: enough to rank and
/// threshold, short enough to read.
pub const DEFAULT_DIGITS: u8 = 4;
/// The `digits` that writes every score at full precision: the shortest decimal that reads back
/// as the same `f64` (what a comparison to 1e-9 with another program needs).
pub const FULL_DIGITS: u8 = 17;

impl LabelOptions {
    pub fn new(decision: Decision) -> Self {
        LabelOptions {
            delimiter: b',',
            text_columns: vec![ColumnSpec::Name("text".into())],
            format: OutputFormat::Csv,
            wide: false,
            decision,
            skip_bad: false,
            batch_size: 1024,
            batch_bytes: 8 << 20,
            max_record_bytes: DEFAULT_MAX_RECORD_BYTES,
            digits: DEFAULT_DIGITS,
        }
    }
}

impl LabelOptions {
    fn check(&self) -> Result<()> {
        if self.batch_size == 0 {
            return Err(Error::params("batch_size", "0: need at least 1 row per batch"));
        }
        if self.batch_bytes == 0 {
            return Err(Error::params("batch_bytes", "0: need at least 1 byte per batch"));
        }
        if self.max_record_bytes == 0 {
            return Err(Error::params("max_record_bytes", "0: a row needs at least 1 byte"));
        }
        check_digits(self.digits)?;
        self.decision.threshold.map_or(Ok(()), crate::model::check_threshold)
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
    /// Something legal but suspicious (a quote that may close too late), as `file: line N: ...`.
    fn warning(&mut self, _message: &str) {}
    /// Checked between batches: true stops the run with [`Error::Interrupted`].
    fn cancelled(&self) -> bool {
        false
    }
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
    /// Physical lines read (header included): a quote that swallows rows shows as many more
    /// lines than rows.
    pub lines: u64,
}

impl LabelSummary {
    /// Counts a written row's topics.
    fn tally(&mut self, p: &Prediction) {
        for &t in &p.topics {
            self.per_topic[t] += 1;
        }
    }
}

/// Rows read but not yet written: the unit that moves between the reader, the classifier and
/// the writer. Its buffers are recycled, so after the first batches nothing is allocated per row
/// but the predictions.
///
/// All rows' fields share one buffer, and all their texts another. An earlier layout kept one
/// `ByteRecord` and one `String` per row slot: each slot kept the capacity of the longest row it
/// had ever held, so peak memory crept up with the length of the file (labeling 100k SANAD
/// rows peaked 116 MB above 10k rows). Shared buffers only grow to the largest batch.
#[derive(Default)]
struct Batch {
    /// Every field of every row, back to back.
    fields: Vec<u8>,
    /// End of each field in `fields`.
    field_ends: Vec<usize>,
    /// End of each row in `field_ends`.
    row_ends: Vec<usize>,
    /// Every row's text (its text columns joined).
    texts: TextStore,
    /// Rows skipped under `--skip-bad` while this batch was read, reported before it is written.
    skipped: Vec<SkippedRow>,
    /// Warnings from reading this batch.
    warnings: Vec<String>,
    /// Physical lines read up to the end of this batch.
    lines: u64,
    /// Rows read (written or skipped) up to the end of this batch, and input bytes consumed.
    rows_read: u64,
    bytes: u64,
    /// A fatal input error after the batch's rows: they are written, then the run stops.
    error: Option<Error>,
    /// The rows' predictions (the first `len()`; kept with their vectors from batch to batch).
    predictions: Vec<Prediction>,
}

impl Batch {
    fn clear(&mut self) {
        self.fields.clear();
        self.field_ends.clear();
        self.row_ends.clear();
        self.texts.clear();
        self.skipped.clear();
        self.warnings.clear();
        self.error = None;
    }

    fn len(&self) -> usize {
        self.row_ends.len()
    }

    /// Adds a row's fields; its text is already the last of `texts`.
    fn push(&mut self, record: &csv::ByteRecord) {
        for field in record.iter() {
            self.fields.extend_from_slice(field);
            self.field_ends.push(self.fields.len());
        }
        self.row_ends.push(self.field_ends.len());
    }

    fn text(&self, row: usize) -> &str {
        self.texts.get(row)
    }

    fn fields(&self, row: usize) -> impl Iterator<Item = &[u8]> {
        let first = if row == 0 { 0 } else { self.row_ends[row - 1] };
        (first..self.row_ends[row]).map(move |f| {
            let start = if f == 0 { 0 } else { self.field_ends[f - 1] };
            &self.fields[start..self.field_ends[f]]
        })
    }
}

/// Labels every row of a CSV, writing the input columns plus topics and scores.
///
/// Three stages overlap: a reader thread parses batches, the calling thread classifies each
/// batch in parallel (rayon), a writer thread formats and writes them, in input order. At most
/// a few batches are in flight, so memory does not grow with the input.
pub fn label_csv<R: Read + Send, W: Write + Send>(
    model: &Model,
    input: R,
    source: &str,
    output: W,
    opts: &LabelOptions,
    observer: &mut dyn Observer,
) -> Result<LabelSummary> {
    opts.check()?;
    let mut loc = Location::file(source);
    let mut input = BufReader::with_capacity(1 << 16, input);
    check_encoding(&mut input, &mut loc)?;
    let mut csv = csv_reader(input, opts.delimiter, opts.max_record_bytes);
    let headers = read_headers(&mut csv, &loc)?;
    let text_cols = resolve_columns(&headers, &opts.text_columns, &loc, "--text-column")?;
    let topics = model.topics();
    refuse_labeled_header(&headers, opts, topics, &loc)?;
    let sink = Sink::new(output, opts, &headers, topics).map_err(|e| csv_out_error(e, OUTPUT))?;
    let mut summary = LabelSummary { per_topic: vec![0; topics.len()], ..LabelSummary::default() };

    // Up to three parsed batches wait for the classifier, so it does not stall when the reader
    // thread loses its core for a while (2 cores, 4 threads); measured on 100k SANAD rows on 2
    // cores: 5.4 s with one waiting batch, 5.2 s with three.
    let (read_tx, read_rx) = sync_channel::<Batch>(3);
    let (write_tx, write_rx) = sync_channel::<Batch>(1);
    let (recycle_tx, recycle_rx) = channel::<Batch>();
    let outcome: Result<()> = std::thread::scope(|scope| {
        let reader = scope.spawn(|| read_batches(csv, &headers, &text_cols, &loc, opts, read_tx, recycle_rx));
        let writer = scope.spawn(|| write_batches(sink, topics, write_rx, recycle_tx));
        let mut failure = None;
        for batch in read_rx.iter() {
            if observer.cancelled() {
                failure = Some(Error::Interrupted);
                break;
            }
            for row in &batch.skipped {
                observer.skipped(row);
            }
            for warning in &batch.warnings {
                observer.warning(warning);
            }
            let mut batch = batch;
            let mut predictions = std::mem::take(&mut batch.predictions);
            if predictions.len() < batch.len() {
                predictions.resize_with(batch.len(), Prediction::default);
            }
            // Each worker's scratch buffers live as long as its thread, and every prediction
            // keeps its vectors: after the first batches, labeling allocates nothing per row.
            predictions[..batch.len()].par_iter_mut().enumerate().with_min_len(32).for_each(|(row, p)| {
                SCRATCH.with(|s| model.predict_into(batch.text(row), opts.decision, &mut s.borrow_mut(), p))
            });
            for p in &predictions[..batch.len()] {
                summary.tally(p);
            }
            batch.predictions = predictions;
            summary.rows_written += batch.len() as u64;
            summary.rows_skipped += batch.skipped.len() as u64;
            summary.rows_read = batch.rows_read;
            summary.bytes = batch.bytes;
            summary.lines = batch.lines;
            let (rows, bytes, error) = (summary.rows_written, batch.bytes, batch.error.is_some());
            failure = batch.error.take();
            if write_tx.send(batch).is_err() {
                break; // the writer stopped on an error, which it returns below
            }
            observer.progress(rows, bytes);
            if error {
                break;
            }
        }
        drop(write_tx);
        drop(read_rx);
        let written = writer.join().expect("writer thread does not panic");
        reader.join().expect("reader thread does not panic");
        written?;
        failure.map_or(Ok(()), Err)
    });
    outcome?;
    Ok(summary)
}

const OUTPUT: &str = "<output>";

thread_local! {
    /// One worker's vectorizing buffers, kept across rows and batches.
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Parses the input into batches until its end or a fatal error (sent with the last batch).
fn read_batches<R: Read>(
    mut csv: csv::Reader<Tail<R>>,
    headers: &[String],
    text_cols: &[usize],
    loc: &Location,
    opts: &LabelOptions,
    tx: SyncSender<Batch>,
    recycled: Receiver<Batch>,
) {
    let mut rows_read = 0u64;
    let mut record = csv::ByteRecord::new();
    loop {
        let mut batch = recycled.try_recv().unwrap_or_default();
        batch.clear();
        let mut done = false;
        while batch.len() < opts.batch_size && batch.fields.len() < opts.batch_bytes {
            let start = csv.position().clone();
            csv.get_mut().start_record();
            let read = csv.read_byte_record(&mut record);
            if let Some(err) = too_long(&csv, &start, loc) {
                rows_read += 1;
                batch.error = Some(err);
                done = true;
                break;
            }
            match read {
                Ok(true) => {}
                Ok(false) => {
                    done = true;
                    break;
                }
                Err(e) => {
                    rows_read += 1;
                    let err = csv_error(e, loc, headers);
                    if opts.skip_bad && matches!(err, Error::Input { .. }) {
                        batch.skipped.push(skipped_from(err));
                        continue;
                    }
                    batch.error = Some(err);
                    done = true;
                    break;
                }
            }
            rows_read += 1;
            // As `loc.clone().at_record(p).line`, without cloning the file name for every row.
            let line = record.position().map_or(0, |p| p.line() + u64::from(loc.crlf));
            match check_record(&record, line, headers, opts.delimiter, csv.get_ref()) {
                Some(f @ Finding::Unclosed { .. }) => {
                    let err = f.error(loc);
                    if opts.skip_bad {
                        batch.skipped.push(skipped_from(err));
                        continue;
                    }
                    batch.error = Some(err);
                    done = true;
                    break;
                }
                Some(f) => batch.warnings.push(f.warning(&loc.source)),
                None => {}
            }
            match batch.texts.push_with(|text| row_text(&record, text_cols, headers, loc, text)) {
                Ok(()) => batch.push(&record),
                Err(err) if opts.skip_bad => batch.skipped.push(skipped_from(err)),
                Err(err) => {
                    batch.error = Some(err);
                    done = true;
                    break;
                }
            }
        }
        batch.rows_read = rows_read;
        batch.bytes = csv.position().byte();
        batch.lines = csv.get_ref().lines(csv.position().line().saturating_sub(1));
        if tx.send(batch).is_err() || done {
            return;
        }
    }
}

/// Writes classified batches in the order received, handing their buffers back to the reader.
fn write_batches<W: Write>(
    mut sink: Sink<W>,
    topics: &[String],
    rx: Receiver<Batch>,
    recycle: Sender<Batch>,
) -> Result<()> {
    for batch in rx.iter() {
        for (row, prediction) in batch.predictions[..batch.len()].iter().enumerate() {
            sink.write(batch.fields(row), prediction, topics).map_err(|e| csv_out_error(e, OUTPUT))?;
        }
        let _ = recycle.send(batch);
    }
    sink.finish().map_err(|e| Error::io(OUTPUT, e))
}

/// A JSON Lines record (its line, trimmed, and whether the object is empty) and its prediction.
type JsonRow<'a> = (&'a str, bool, Prediction);

/// Labels JSON Lines: one object per line, the text in `opts.text_columns` (field names, joined
/// by a line break when several), written back as the same object with `topics` and `scores`
/// added, in input order. For engines that stream records through a process (Spark's
/// `RDD.pipe`, Hadoop streaming). Blank lines are passed over.
pub fn label_jsonl<R: Read, W: Write>(
    model: &Model,
    input: R,
    source: &str,
    output: W,
    opts: &LabelOptions,
    observer: &mut dyn Observer,
) -> Result<LabelSummary> {
    use std::io::BufRead;
    opts.check()?;
    let fields: Vec<&str> = opts
        .text_columns
        .iter()
        .map(|c| match c {
            ColumnSpec::Name(n) => Ok(n.as_str()),
            ColumnSpec::Index(i) => Err(Error::params("--text-column", format!("{i}: JSON fields are chosen by name"))),
        })
        .collect::<Result<_>>()?;
    let loc = Location::file(source);
    let mut input = BufReader::with_capacity(1 << 16, input);
    let mut out = std::io::BufWriter::with_capacity(1 << 16, output);
    let topics = model.topics();
    let mut summary = LabelSummary { per_topic: vec![0; topics.len()], ..LabelSummary::default() };
    let mut lines: Vec<String> = Vec::new();
    let (mut line_no, mut bytes) = (0u64, 0u64);
    let mut buf = Vec::new();
    loop {
        if observer.cancelled() {
            return Err(Error::Interrupted);
        }
        lines.clear();
        let mut first_line = line_no + 1;
        let mut batch_bytes = 0;
        while lines.len() < opts.batch_size && batch_bytes < opts.batch_bytes {
            buf.clear();
            // Never past the bound: a line without end (`/dev/zero`) stops there. The bound
            // counts the line end, as it does for a CSV row.
            let n = (&mut input)
                .take(opts.max_record_bytes)
                .read_until(b'\n', &mut buf)
                .map_err(|e| Error::io(source, e))?;
            if n == 0 {
                break;
            }
            if n as u64 == opts.max_record_bytes
                && buf.last() != Some(&b'\n')
                && !input.fill_buf().map_err(|e| Error::io(source, e))?.is_empty()
            {
                return Err(Error::input(
                    loc.clone().at_line(line_no + 1).at_byte(bytes),
                    too_long_message("the line", opts.max_record_bytes),
                ));
            }
            bytes += n as u64;
            batch_bytes += n;
            line_no += 1;
            match String::from_utf8(std::mem::take(&mut buf)) {
                Ok(text) if text.trim().is_empty() => {
                    if lines.is_empty() {
                        first_line = line_no + 1;
                    } else {
                        lines.push(text);
                    }
                }
                Ok(text) => lines.push(text),
                Err(e) => {
                    let err = Error::input(
                        loc.clone().at_line(line_no),
                        format!("invalid UTF-8 at byte {} of the line", e.utf8_error().valid_up_to()),
                    );
                    summary.rows_read += 1;
                    if !opts.skip_bad {
                        return Err(err);
                    }
                    summary.rows_skipped += 1;
                    observer.skipped(&skipped_from(err));
                }
            }
        }
        if lines.is_empty() {
            break;
        }
        let results: Vec<Option<Result<JsonRow>>> = lines
            .par_iter()
            .enumerate()
            .map_init(Scratch::default, |scratch, (k, line)| {
                if line.trim().is_empty() {
                    return None;
                }
                let at = loc.clone().at_line(first_line + k as u64);
                // The object is written back as its own bytes, so that no value is re-encoded:
                // numbers such as 123456789012345678901234567890, 1e5 or 1e400 would come back
                // as f64 (or be refused), and escapes and spacing would change. Only the text
                // fields are decoded.
                let line = line.trim_end_matches([' ', '\t', '\r', '\n']);
                // A UTF-8 byte-order mark, as Windows tools write, begins the first line; it is
                // not part of the object (CSV headers are read the same way).
                let line =
                    if first_line + k as u64 == 1 { line.strip_prefix('\u{FEFF}').unwrap_or(line) } else { line };
                // One parse per line; only a line that is not an object is parsed again, to say
                // whether it is valid JSON of another kind or not JSON at all.
                let object = match serde_json::from_str::<HashMap<String, &serde_json::value::RawValue>>(line) {
                    Ok(map) => map,
                    Err(e) => {
                        let message = match serde_json::from_str::<&serde_json::value::RawValue>(line) {
                            Ok(raw) if !raw.get().starts_with('{') => "not a JSON object".to_string(),
                            _ => format!("invalid JSON: {e}"),
                        };
                        return Some(Err(Error::input(at, message)));
                    }
                };
                // Overwriting them would silently replace an earlier labeling with this one.
                if let Some(key) = ["topics", "scores"].into_iter().find(|k| object.contains_key(*k)) {
                    return Some(Err(Error::input(at, already_labeled(key))));
                }
                let mut text = String::new();
                for (i, field) in fields.iter().enumerate() {
                    let Some(raw) = object.get(*field) else {
                        return Some(Err(Error::input(
                            at,
                            format!("no field '{field}' (choose the text field with --text-column)"),
                        )));
                    };
                    match serde_json::from_str::<Option<String>>(raw.get()) {
                        Ok(Some(s)) => {
                            if i > 0 {
                                text.push('\n');
                            }
                            text.push_str(&s);
                        }
                        Ok(None) => {}
                        // A string whose escapes do not decode (a lone surrogate such as \ud800).
                        Err(e) if raw.get().starts_with('"') => {
                            return Some(Err(Error::input(at.in_column(*field), format!("invalid JSON: {e}"))))
                        }
                        Err(_) => {
                            return Some(Err(Error::input(at.in_column(*field), "the text field is not a string")))
                        }
                    }
                }
                Some(Ok((line, object.is_empty(), model.predict_with(&text, opts.decision, scratch))))
            })
            .collect();
        for result in results.into_iter().flatten() {
            summary.rows_read += 1;
            let (line, empty, p) = match result {
                Ok(ok) => ok,
                Err(err) if opts.skip_bad => {
                    summary.rows_skipped += 1;
                    observer.skipped(&skipped_from(err));
                    continue;
                }
                Err(err) => return Err(err),
            };
            summary.tally(&p);
            // `line` parsed as an object with nothing after it, so it ends in its closing brace.
            let body = &line[..line.len() - 1];
            let (topics_json, scores_json) = prediction_json(&p, topics, opts.digits);
            let sep = if empty { "" } else { "," };
            writeln!(out, "{body}{sep}\"topics\":{topics_json},\"scores\":{scores_json}}}")
                .map_err(|e| Error::io(OUTPUT, e))?;
            summary.rows_written += 1;
        }
        summary.bytes = bytes;
        summary.lines = line_no;
        observer.progress(summary.rows_written, bytes);
    }
    out.flush().map_err(|e| Error::io(OUTPUT, e))?;
    Ok(summary)
}

/// Why an input that already has a column `label` adds is refused, and what to do.
fn already_labeled(column: &str) -> String {
    format!(
        "the input already has a '{column}' column (was it labeled before?): remove the topics and scores \
         columns, or label the original export"
    )
}

/// A header that already holds a column `label` would add (`topics`, `scores`, or with `--wide`
/// a `p_<topic>`) would give the output two columns of the same name, one of them stale.
fn refuse_labeled_header(headers: &[String], opts: &LabelOptions, topics: &[String], loc: &Location) -> Result<()> {
    let mut added: Vec<String> = vec!["topics".into()];
    match opts.format {
        OutputFormat::Csv if opts.wide => added.extend(topics.iter().map(|t| format!("p_{t}"))),
        _ => added.push("scores".into()),
    }
    match headers.iter().find(|h| added.contains(h)) {
        Some(h) => Err(Error::input(loc.clone().at_line(1), already_labeled(h))),
        None => Ok(()),
    }
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

/// Appends the text to classify to `text`: the chosen columns joined by line breaks. Every
/// field must be UTF-8, not only the text, since the row is written back out.
fn row_text(
    record: &csv::ByteRecord,
    text_cols: &[usize],
    headers: &[String],
    loc: &Location,
    text: &mut String,
) -> Result<()> {
    for i in 0..record.len() {
        if !text_cols.contains(&i) {
            crate::csv_input::field_str(record, i, headers, loc)?;
        }
    }
    for (k, &c) in text_cols.iter().enumerate() {
        if k > 0 {
            text.push('\n');
        }
        text.push_str(crate::csv_input::field_str(record, c, headers, loc)?);
    }
    Ok(())
}

/// Refuses a number of decimals outside 1 to [`FULL_DIGITS`].
pub fn check_digits(digits: u8) -> Result<()> {
    if !(1..=FULL_DIGITS).contains(&digits) {
        return Err(Error::params(
            "digits",
            format!("{digits}: scores take 1 to {FULL_DIGITS} decimals ({FULL_DIGITS}: full precision)"),
        ));
    }
    Ok(())
}

/// `x` rounded to `digits` decimals (unchanged at [`FULL_DIGITS`]), as JSON output writes it.
pub fn round_score(x: f64, digits: u8) -> f64 {
    if digits >= FULL_DIGITS {
        return x;
    }
    // 10^d is exact in f64 for d <= 22, so 4 decimals round exactly as before (x * 1e4).
    let m = 10f64.powi(digits as i32);
    (x * m).round() / m
}

/// Writes `x` with `digits` decimals, or at full precision (the shortest decimal that reads
/// back as the same `f64`) at [`FULL_DIGITS`].
pub fn write_score(out: &mut String, x: f64, digits: u8) {
    use std::fmt::Write as _;
    let _ = if digits >= FULL_DIGITS { write!(out, "{x}") } else { write!(out, "{x:.*}", digits as usize) };
}

/// Adds `topics` (given, most probable first) and `scores` (every topic, `digits` decimals) to a
/// JSON object: the one shape of every JSON output (`label --format jsonl`, `predict --format json`).
pub fn insert_prediction(
    obj: &mut serde_json::Map<String, serde_json::Value>,
    p: &Prediction,
    topics: &[String],
    digits: u8,
) {
    let (t, s) = prediction_json(p, topics, digits);
    obj.insert("topics".into(), t);
    obj.insert("scores".into(), s);
}

/// The `topics` and `scores` values of [`insert_prediction`], for output that splices them into
/// an object's own bytes.
fn prediction_json(p: &Prediction, topics: &[String], digits: u8) -> (serde_json::Value, serde_json::Value) {
    let t = p.topics.iter().map(|&t| topics[t].clone()).collect::<Vec<_>>().into();
    let scores: serde_json::Map<_, _> =
        topics.iter().cloned().zip(p.scores.iter().map(|&s| round_score(s, digits).into())).collect();
    (t, scores.into())
}

/// Formats `topic:probability` pairs, most probable first, with [`DEFAULT_DIGITS`] decimals.
pub fn format_scores(scores: &[f64], topics: &[String]) -> String {
    format_scores_with(scores, topics, DEFAULT_DIGITS)
}

/// [`format_scores`] with `digits` decimals (see [`write_score`]).
pub fn format_scores_with(scores: &[f64], topics: &[String], digits: u8) -> String {
    let mut out = String::new();
    format_scores_into(scores, topics, digits, &mut Vec::new(), &mut out);
    out
}

/// [`format_scores_with`] appended to `out`, with `order` as the sorting buffer: no allocation
/// once both have grown.
pub fn format_scores_into(scores: &[f64], topics: &[String], digits: u8, order: &mut Vec<usize>, out: &mut String) {
    order.clear();
    order.extend(0..scores.len());
    order.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    for (i, &t) in order.iter().enumerate() {
        if i > 0 {
            out.push('|');
        }
        out.push_str(&topics[t]);
        out.push(':');
        write_score(out, scores[t], digits);
    }
}

enum Sink<W: Write> {
    Csv { out: Box<csv::Writer<W>>, wide: bool, digits: u8, row: csv::ByteRecord, text: String, order: Vec<usize> },
    Jsonl { out: std::io::BufWriter<W>, keys: Vec<String>, digits: u8, line: Vec<u8> },
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
                Sink::Csv {
                    out: Box::new(out),
                    wide: opts.wide,
                    digits: opts.digits,
                    row: csv::ByteRecord::new(),
                    text: String::new(),
                    order: Vec::new(),
                }
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
                Sink::Jsonl {
                    out: std::io::BufWriter::with_capacity(1 << 16, output),
                    keys,
                    digits: opts.digits,
                    line: Vec::new(),
                }
            }
        })
    }

    fn write<'a>(
        &mut self,
        fields: impl Iterator<Item = &'a [u8]>,
        p: &Prediction,
        topics: &[String],
    ) -> csv::Result<()> {
        let scored = !p.scores.is_empty();
        match self {
            Sink::Csv { out, wide, digits, row, text, order } => {
                row.clear();
                for field in fields {
                    row.push_field(field);
                }
                text.clear();
                for (i, &t) in p.topics.iter().enumerate() {
                    if i > 0 {
                        text.push('|');
                    }
                    text.push_str(&topics[t]);
                }
                row.push_field(text.as_bytes());
                if *wide {
                    for t in 0..topics.len() {
                        text.clear();
                        if let Some(s) = p.scores.get(t) {
                            write_score(text, *s, *digits);
                        }
                        row.push_field(text.as_bytes());
                    }
                } else {
                    text.clear();
                    if scored {
                        format_scores_into(&p.scores, topics, *digits, order, text);
                    }
                    row.push_field(text.as_bytes());
                }
                out.write_byte_record(row)
            }
            Sink::Jsonl { out, keys, digits, line } => {
                let mut obj = serde_json::Map::new();
                for (key, field) in keys.iter().zip(fields) {
                    // Fields were checked to be UTF-8 before classification.
                    obj.insert(key.clone(), String::from_utf8_lossy(field).into_owned().into());
                }
                insert_prediction(&mut obj, p, topics, *digits);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn label(input: &str, opts: &LabelOptions) -> (Vec<u8>, LabelSummary) {
        let model = crate::default_model::load().unwrap();
        let mut out = Vec::new();
        let summary = label_csv(&model, input.as_bytes(), "t.csv", &mut out, opts, &mut Silent).unwrap();
        (out, summary)
    }

    #[test]
    fn batches_bounded_by_rows_or_bytes_write_the_same_output() {
        let model = crate::default_model::load().unwrap();
        let input = "id,title,text\n\
            1,كييف,\"قصف روسي على خاركيف ليلا، وزيلينسكي يطالب بمزيد من الدفاعات الجوية\"\n\
            2,,\n\
            3,الدوري,\"فاز الهلال على النصر بهدفين في مباراة الدوري\"\n\
            4,bad\n\
            5,جنيف,\"المبعوث الأممي يدعو إلى جولة جديدة من محادثات جنيف بشأن سوريا\"\n";
        let mut opts = LabelOptions::new(model.default_decision());
        opts.skip_bad = true;
        opts.text_columns = vec![ColumnSpec::Name("title".into()), ColumnSpec::Name("text".into())];
        let (reference, summary) = label(input, &opts);
        assert_eq!((summary.rows_read, summary.rows_written, summary.rows_skipped), (5, 4, 1));
        for (rows, bytes) in [(1, 1 << 20), (2, 1 << 20), (1024, 1), (1024, 40), (3, 100)] {
            opts.batch_size = rows;
            opts.batch_bytes = bytes;
            let (out, again) = label(input, &opts);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                String::from_utf8(reference.clone()).unwrap(),
                "{rows} rows, {bytes} bytes"
            );
            assert_eq!(again, summary);
        }
        let text = String::from_utf8(reference).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "id,title,text,topics,scores");
        assert!(lines[1].starts_with("1,كييف,") && lines[1].contains(",ukraine-war,"), "{}", lines[1]);
        assert_eq!(lines[2], "2,,,,", "an empty text gets no topic");
        assert!(lines[4].starts_with("5,جنيف,") && lines[4].contains("syria"), "{}", lines[4]);
    }
}
