//! `tagger label`: tag every row of a CSV export, keeping all its columns.

use super::files::{check_output, Input};
use super::{
    load_model, open_input, parse_columns, parse_delimiter, parse_positive, parse_probability, progress, Columns,
};
use clap::{Args, ValueEnum};
use std::path::{Path, PathBuf};
use std::time::Instant;
use tagger::batch::{label_csv, LabelOptions, Observer, OutputFormat, SkippedRow};
use tagger::{Decision, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Csv,
    Jsonl,
}

/// Tag every row of a CSV: all input columns, then `topics` and `scores`.
#[derive(Debug, Args)]
#[command(
    after_help = "Examples:\n  tagger label export.csv -o tagged.csv\n  tagger label export.csv --text-column title,body --wide > tagged.csv\n  cat export.csv | tagger label - --format jsonl"
)]
pub struct LabelArgs {
    /// CSV file with a header row, or - for stdin.
    input: PathBuf,
    /// Output file (written to a temporary file, renamed when complete); default stdout.
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// Model file; default: the model embedded in tagger.
    #[arg(short, long)]
    model: Option<PathBuf>,
    /// Text column(s), by name or 0-based index; several are joined (title,body).
    #[arg(long, default_value = "text", value_parser = parse_columns)]
    text_column: Columns,
    /// CSV delimiter: , ; | or tab (also used for the output).
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
    /// Input as CSV (with a header) or JSON Lines (one object per line; the text in the
    /// --text-column field; needs --format jsonl).
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    input_format: Format,
    /// One probability column per topic (p_<topic>) instead of `scores`.
    #[arg(long)]
    wide: bool,
    /// Decimals of every score, 1 to 17; 17 writes each at full precision (the shortest
    /// decimal that reads back as the same number).
    #[arg(long, default_value_t = tagger::batch::DEFAULT_DIGITS, value_parser = clap::value_parser!(u8).range(1..=17))]
    digits: u8,
    /// Give topics from this probability on, the same for every topic (default: each topic's
    /// own threshold, stored in the model; `tagger inspect` lists them).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
    /// At most this many topics per row (0: no limit).
    #[arg(long, default_value_t = 0)]
    top_k: usize,
    /// Skip malformed rows (wrong field count, invalid UTF-8), report each on stderr.
    #[arg(long)]
    skip_bad: bool,
    /// Rows per parallel batch.
    #[arg(long, default_value_t = 1024, value_parser = parse_positive)]
    batch_size: usize,
    #[command(flatten)]
    limit: super::RecordLimit,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

struct Report {
    bar: indicatif::ProgressBar,
}

impl Observer for Report {
    fn progress(&mut self, rows: u64, bytes: u64) {
        self.bar.set_position(bytes);
        self.bar.set_message(rows.to_string());
    }
    fn skipped(&mut self, row: &SkippedRow) {
        self.bar.suspend(|| eprintln!("tagger: skipped {row}"));
    }
    fn warning(&mut self, message: &str) {
        self.bar.suspend(|| eprintln!("tagger: warning: {message}"));
    }
    fn cancelled(&self) -> bool {
        super::interrupted()
    }
}

pub fn run(args: LabelArgs) -> Result<()> {
    if let Some(out) = &args.output {
        let mut inputs = vec![Input::new("the input", &args.input)];
        inputs.extend(args.model.as_deref().map(|m| Input::new("--model", m)));
        check_output(out, &inputs, "tagged.csv");
    }
    // SIGINT, SIGTERM or SIGHUP stops at the next batch, so the temporary output file is removed.
    super::stop_cleanly_on_signals(true);
    if args.input_format == Format::Jsonl && args.format != Format::Jsonl {
        super::usage_error("label", "JSON Lines input is written back as JSON Lines: add --format jsonl");
    }
    // `--wide` only shapes CSV columns; silently writing `scores` objects instead would give the
    // user a format they did not ask for.
    if args.wide && args.format == Format::Jsonl {
        super::usage_error(
            "label",
            "--wide makes p_<topic> CSV columns; JSON Lines output always has a scores object: leave out --wide or --format jsonl",
        );
    }
    let (model, _) = load_model(args.model.as_deref())?;
    let decision = Decision { threshold: args.threshold, top_k: args.top_k };
    let opts = LabelOptions {
        delimiter: args.delimiter,
        text_columns: args.text_column.0.clone(),
        format: match args.format {
            Format::Csv => OutputFormat::Csv,
            Format::Jsonl => OutputFormat::Jsonl,
        },
        wide: args.wide,
        skip_bad: args.skip_bad,
        batch_size: args.batch_size,
        max_record_bytes: args.limit.max_record_size,
        digits: args.digits,
        ..LabelOptions::new(decision)
    };
    let (input, name, size) = open_input(&args.input)?;
    let mut report = Report { bar: progress::bar(progress::enabled(args.quiet), size, "rows") };
    let start = Instant::now();
    let summary = match &args.output {
        None => label(args.input_format, &model, input, &name, std::io::stdout(), &opts, &mut report)?,
        Some(path) => {
            // Written beside the target and renamed only when complete: a failed or interrupted
            // run never leaves a truncated file under the final name (a device or FIFO is
            // written directly).
            let mut tmp = tagger::output::create(path)?;
            let summary = label(
                args.input_format,
                &model,
                input,
                &name,
                std::io::BufWriter::with_capacity(1 << 16, tmp.as_file_mut()),
                &opts,
                &mut report,
            )
            .map_err(|e| rename_output_error(e, path))?;
            tagger::output::commit(tmp, path)?;
            summary
        }
    };
    report.bar.finish_and_clear();
    if !args.quiet {
        let secs = start.elapsed().as_secs_f64();
        let per_topic: Vec<String> = model
            .topics()
            .iter()
            .zip(&summary.per_topic)
            .filter(|(_, &n)| n > 0)
            .map(|(t, n)| format!("{t} {n}"))
            .collect();
        // Rows read and physical lines side by side: a quote that swallowed rows shows as far
        // more lines than rows.
        let input = match args.input_format {
            Format::Csv => format!("1 header and {} rows on {} lines", summary.rows_read, summary.lines),
            Format::Jsonl => format!("{} objects on {} lines", summary.rows_read, summary.lines),
        };
        eprintln!(
            "tagger: {} rows labeled{} in {:.2} s ({:.0} rows/s); {}; read {input}",
            summary.rows_written,
            if summary.rows_skipped > 0 { format!(", {} skipped", summary.rows_skipped) } else { String::new() },
            secs,
            summary.rows_written as f64 / secs.max(1e-9),
            if per_topic.is_empty() { "no topics given".to_string() } else { per_topic.join(", ") }
        );
    }
    Ok(())
}

fn label<R: std::io::Read + Send, W: std::io::Write + Send>(
    input_format: Format,
    model: &tagger::Model,
    input: R,
    name: &str,
    output: W,
    opts: &LabelOptions,
    observer: &mut Report,
) -> Result<tagger::batch::LabelSummary> {
    match input_format {
        Format::Csv => label_csv(model, input, name, output, opts, observer),
        Format::Jsonl => tagger::batch::label_jsonl(model, input, name, output, opts, observer),
    }
}

/// Errors writing to the temporary file are reported under the name the user gave.
fn rename_output_error(err: Error, path: &Path) -> Error {
    match err {
        Error::Io { path: p, source } if p == "<output>" => Error::io(path, source),
        other => other,
    }
}
