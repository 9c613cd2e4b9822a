//! `tagger predict`: topics of text files, folders of `.txt` files, or stdin.

use super::files::{non_utf8_bytes, quoted};
use super::{load_model, parse_probability, progress};
use clap::{Args, ValueEnum};
use rayon::prelude::*;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use tagger::batch::round4;
use tagger::features::Scratch;
use tagger::{Decision, Error, Location, Model, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Print the topics of each document with their probabilities.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  tagger predict data/samples/ukraine-talks.txt\n  tagger predict articles/ --format json\n  cat article.txt | tagger predict - --explain"
)]
pub struct PredictArgs {
    /// Text files (one document each), folders (every .txt below them), or - for stdin.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    /// Model file; default: the model embedded in tagger.
    #[arg(short, long)]
    model: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Give topics from this probability on, the same for every topic (default: each topic's
    /// own threshold, stored in the model; `tagger inspect` lists them).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
    /// At most this many topics per document (0: no limit).
    #[arg(long, default_value_t = 0)]
    top_k: usize,
    /// Show, for each topic given, the n-grams that weighed most.
    #[arg(long)]
    explain: bool,
    /// Also show every topic's score and which model answered.
    #[arg(short, long)]
    verbose: bool,
    /// Decimals of every score, 1 to 17; 17 writes each at full precision (the shortest
    /// decimal that reads back as the same number). Default: 3 beside each topic given, 4 in
    /// --verbose's scores and in JSON.
    #[arg(long, value_parser = clap::value_parser!(u8).range(1..=17))]
    digits: Option<u8>,
    #[command(flatten)]
    limit: super::RecordLimit,
    /// No progress on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// Every document to read, in order: files as given, folders expanded to their .txt files.
/// What a walk passed over is said on stderr (notes not under `-q`; warnings always).
fn collect_inputs(inputs: &[PathBuf], quiet: bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        if input.as_os_str() != "-" && input.is_dir() {
            let found = super::files::txt_files_below(input)?;
            for note in found.notes.iter().filter(|_| !quiet) {
                eprintln!("tagger: note: {note}");
            }
            for warning in &found.warnings {
                eprintln!("tagger: warning: {warning}");
            }
            if found.files.is_empty() {
                return Err(Error::io(input, std::io::Error::other("no .txt file in this folder")));
            }
            out.extend(found.files);
        } else {
            out.push(input.clone());
        }
    }
    Ok(out)
}

/// Reads a document as UTF-8, naming line and byte of the first invalid sequence. A document
/// longer than `limit` bytes is refused: a regular file by its size, before it is read, and
/// stdin or a device (`/dev/zero`) once `limit` bytes have been read.
fn read_document(path: &Path, limit: u64) -> Result<(String, String)> {
    let mut bytes = Vec::new();
    let name = quoted(path);
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(std::io::stdin())
    } else {
        let file = std::fs::File::open(path).map_err(|e| Error::io(&name, e))?;
        let meta = file.metadata().map_err(|e| Error::io(&name, e))?;
        if meta.is_file() && meta.len() > limit {
            return Err(too_long(name, limit));
        }
        Box::new(file)
    };
    let io_name = if path.as_os_str() == "-" { "<stdin>".to_string() } else { name.clone() };
    reader.take(limit.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::io(&io_name, e))?;
    if bytes.len() as u64 > limit {
        return Err(too_long(name, limit));
    }
    if let Some(message) = tagger::csv_input::foreign_encoding(&bytes) {
        return Err(Error::input(Location::file(&name).at_line(1), message));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok((name, text)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let before = &e.as_bytes()[..at];
            let line = before.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
            let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
            // Characters, not bytes: what an editor shows. Everything before `at` is valid UTF-8.
            let column = std::str::from_utf8(&before[line_start..]).map_or(0, |s| s.chars().count()) + 1;
            Err(Error::input(
                Location::file(&name).at_line(line).in_column(column.to_string()).at_byte(at as u64),
                "invalid UTF-8 (is the file in another encoding?)",
            ))
        }
    }
}

fn too_long(name: String, limit: u64) -> Error {
    Error::input(
        Location::file(name),
        format!(
            "the document is longer than {} (--max-record-size): is it a text file? If it is meant to be that long, raise --max-record-size",
            tagger::quotes::size_text(limit)
        ),
    )
}

pub fn run(args: PredictArgs) -> Result<()> {
    if args.inputs.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
        super::refuse("'-' is given more than once: standard input can be read only once");
    }
    let (model, model_name) = load_model(args.model.as_deref())?;
    let decision = Decision { threshold: args.threshold, top_k: args.top_k };
    let files = collect_inputs(&args.inputs, args.quiet)?;
    // A CMS export given to `predict` is one document: almost never what was meant.
    for path in &args.inputs {
        let ext = path.extension().map(|e| e.to_ascii_lowercase());
        if !args.quiet && matches!(ext.as_ref().and_then(|e| e.to_str()), Some("csv" | "tsv" | "jsonl")) {
            eprintln!(
                "tagger: note: {} is tagged as one article; to tag each row of an export, use `tagger label {}`",
                quoted(path),
                quoted(path)
            );
        }
    }
    if args.verbose {
        eprintln!(
            "model: {model_name} ({} topics, trained on {} documents of {})",
            model.topics().len(),
            model.meta().documents,
            model.meta().source
        );
    }
    let bar = progress::bar(progress::enabled(args.quiet) && files.len() > 64, None, "documents");
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let write_err = |e: std::io::Error| Error::io("<stdout>", e);
    // Bounded batches: memory stays flat over a folder of any size.
    for chunk in files.chunks(256) {
        let results: Vec<Result<(String, String, tagger::Prediction)>> = chunk
            .par_iter()
            .map_init(Scratch::default, |scratch, path| {
                let (name, text) = read_document(path, args.limit.max_record_size)?;
                let p = model.predict_with(&text, decision, scratch);
                Ok((name, text, p))
            })
            .collect();
        for (path, result) in chunk.iter().zip(results) {
            let (name, text, p) = result?;
            match args.format {
                Format::Text => write_text(&mut out, &model, &name, &text, &p, &args).map_err(write_err)?,
                Format::Json => write_json(&mut out, &model, path, &text, &p, &args).map_err(write_err)?,
            }
        }
        bar.inc(chunk.len() as u64);
    }
    bar.finish_and_clear();
    out.flush().map_err(write_err)
}

fn write_text(
    out: &mut impl Write,
    model: &Model,
    name: &str,
    text: &str,
    p: &tagger::Prediction,
    args: &PredictArgs,
) -> std::io::Result<()> {
    let topics = model.topics();
    if p.scores.is_empty() {
        return writeln!(out, "{name}\t(no topic: no word the model knows)");
    }
    let given = if p.topics.is_empty() {
        "(no topic)".to_string()
    } else {
        let digits = args.digits.unwrap_or(3);
        let mut given = String::new();
        for (i, &t) in p.topics.iter().enumerate() {
            if i > 0 {
                given.push_str(", ");
            }
            given.push_str(&topics[t]);
            given.push(' ');
            tagger::batch::write_score(&mut given, p.scores[t], digits);
        }
        given
    };
    writeln!(out, "{name}\t{given}")?;
    if args.verbose {
        let digits = args.digits.unwrap_or(tagger::batch::DEFAULT_DIGITS);
        writeln!(out, "  all scores: {}", tagger::batch::format_scores_with(&p.scores, topics, digits))?;
    }
    if args.explain {
        for &t in &p.topics {
            let terms = model.explain(text, t, 8);
            writeln!(
                out,
                "  {}: {}",
                topics[t],
                terms.iter().map(|(n, w)| format!("{n} ({w:.2})")).collect::<Vec<_>>().join(", ")
            )?;
        }
    }
    Ok(())
}

fn write_json(
    out: &mut impl Write,
    model: &Model,
    path: &Path,
    text: &str,
    p: &tagger::Prediction,
    args: &PredictArgs,
) -> std::io::Result<()> {
    let topics = model.topics();
    let mut obj = serde_json::Map::new();
    // JSON strings are Unicode: a name that is not UTF-8 is given as text with U+FFFD for
    // what is not, and exactly, byte for byte, in `file_bytes`.
    obj.insert("file".into(), path.to_string_lossy().into());
    if let Some(bytes) = non_utf8_bytes(path) {
        obj.insert("file_bytes".into(), bytes.into());
    }
    tagger::batch::insert_prediction(&mut obj, p, topics, args.digits.unwrap_or(tagger::batch::DEFAULT_DIGITS));
    if args.explain {
        let explained: serde_json::Map<_, _> = p
            .topics
            .iter()
            .map(|&t| {
                let terms: Vec<_> = model
                    .explain(text, t, 8)
                    .into_iter()
                    .map(|(n, w)| serde_json::json!({"ngram": n, "weight": round4(w)}))
                    .collect();
                (topics[t].clone(), serde_json::Value::from(terms))
            })
            .collect();
        obj.insert("explain".into(), explained.into());
    }
    serde_json::to_writer(&mut *out, &obj)?;
    writeln!(out)
}
