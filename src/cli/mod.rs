//! Command-line layer: clap structs (the "low" arguments), turned into library settings by one
//! function per subcommand, which also does all printing.

mod eval;
mod files;
mod inspect;
mod label;
mod predict;
mod progress;
mod train;
mod vocab;

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use tagger::{Error, Model, Result};

const EXAMPLES: &str = "\
Examples:
  tagger predict data/samples/ukraine-talks.txt      topics of one article (embedded default model)
  echo 'نص الخبر' | tagger predict -                   topics of text on stdin
  tagger label export.csv -o tagged.csv              tag every row of a CSV export
  tagger train data/labels.csv -o models/model.bin   train a model on labeled CSV
  tagger eval test.csv --model models/model.bin      per-topic precision, recall, F1
  tagger inspect                                     what the default model knows";

/// Tags Arabic news text with topics (Arabic normalizer, TF-IDF, naive Bayes).
#[derive(Debug, Parser)]
#[command(name = "tagger", version, about, after_help = EXAMPLES, propagate_version = true)]
pub struct Cli {
    /// Worker threads, 1 to 256 (default: one per core).
    #[arg(short = 'j', long, global = true, value_name = "N", value_parser = parse_jobs)]
    jobs: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Train(train::TrainArgs),
    Predict(predict::PredictArgs),
    Label(label::LabelArgs),
    Eval(eval::EvalArgs),
    Inspect(inspect::InspectArgs),
    Vocab(vocab::VocabArgs),
}

pub fn run(cli: Cli) -> Result<()> {
    if let Some(jobs) = cli.jobs {
        if jobs == 0 {
            return Err(Error::params("--jobs", "0: need at least 1 thread"));
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
            .map_err(|e| Error::params("--jobs", e.to_string()))?;
    }
    match cli.command {
        Command::Train(args) => train::run(args),
        Command::Predict(args) => predict::run(args),
        Command::Label(args) => label::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Vocab(args) => vocab::run(args),
    }
}

/// A usage error that clap cannot see while parsing (how many inputs go with which option):
/// reported as clap's own are ([`usage_line`]), with the subcommand's usage, and exit code 2.
/// Called before any work starts, so exiting here leaves nothing half done.
fn usage_error(subcommand: &str, message: impl std::fmt::Display) -> ! {
    use clap::CommandFactory;
    let mut cli = Cli::command();
    cli.build();
    let command = cli.find_subcommand_mut(subcommand).expect("a subcommand of tagger");
    let err = command.error(clap::error::ErrorKind::ArgumentConflict, message);
    eprintln!("tagger: {}", usage_line(&err));
    std::process::exit(2)
}

/// A clap error as the one line README promises (`tagger: ` is added by the caller): clap's
/// message, its tips, and the usage line, without the blank lines and the `--help` footer.
/// Clap prints several lines starting `error:`, which a script reading the first line of stderr
/// cannot tell from tagger's own errors.
pub fn usage_line(err: &clap::Error) -> String {
    let text = err.render().to_string();
    let mut message = String::new();
    let mut tips = Vec::new();
    let mut usage = None;
    for block in text.split("\n\n") {
        let flat = block.split_whitespace().collect::<Vec<_>>().join(" ");
        if let Some(m) = flat.strip_prefix("error: ") {
            message = m.to_string();
        } else if let Some(u) = flat.strip_prefix("Usage: ") {
            usage = Some(u.to_string());
        } else if !flat.is_empty() && !flat.starts_with("For more information") {
            // `tip: a similar argument exists: ...` and the like.
            tips.push(flat);
        }
    }
    if message.is_empty() {
        message = text.split_whitespace().collect::<Vec<_>>().join(" ");
    }
    let mut line = message;
    if !tips.is_empty() {
        line.push_str(&format!(" ({})", tips.join("; ")));
    }
    if let Some(u) = usage {
        line.push_str(&format!("; usage: {u} (more with --help)"));
    }
    line
}

/// A usage error found in what the options name (an output that is an input, a shard given
/// twice): one `tagger:` line and exit code 2, as README promises, before anything is read or
/// written.
fn refuse(message: impl std::fmt::Display) -> ! {
    eprintln!("tagger: {message}");
    std::process::exit(2)
}

/// Prints the one-line summary of a command that wrote `output`: on stdout, or on stderr when
/// the output itself went to stdout (`-o /dev/stdout`), so that the file stays whole.
fn summary(output: &Path, line: std::fmt::Arguments) -> Result<()> {
    use std::io::Write;
    if tagger::output::is_stdout(output) {
        eprintln!("{line}");
        return Ok(());
    }
    writeln!(std::io::stdout(), "{line}").map_err(|e| Error::io("<stdout>", e))
}

/// `--model PATH` or, without it, the model embedded in the binary. Returns the model and the
/// name to report it by.
fn load_model(path: Option<&Path>) -> Result<(Model, String)> {
    match path {
        Some(p) => Ok((Model::load(p)?, p.display().to_string())),
        None => Ok((tagger::default_model::load()?, tagger::default_model::NAME.to_string())),
    }
}

/// A whole number of at least 1 (threads, rows per batch).
fn parse_positive(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<usize>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{text}' is not a whole number of at least 1")),
    }
}

/// The most worker threads `--jobs` starts. Past the cores more threads only cost: on the 738
/// rows of data/labels.csv, `-j 256` labels in 0.26 s, `-j 5000` took 46 s and `-j 100000` did
/// not finish in 120 s.
const MAX_JOBS: usize = 256;

/// A thread count from 1 to [`MAX_JOBS`].
fn parse_jobs(text: &str) -> std::result::Result<usize, String> {
    match parse_positive(text)? {
        n if n > MAX_JOBS => {
            Err(format!("{n} threads is more than tagger starts (at most {MAX_JOBS}; the default is one per core)"))
        }
        n => Ok(n),
    }
}

/// `--max-record-size`: the longest row, JSON line or document read, such as `64MiB`, `1G` or
/// `4096` (bytes). K, M and G are powers of 1024, with or without `iB`.
fn parse_size(text: &str) -> std::result::Result<u64, String> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (number, unit) = t.split_at(digits);
    let shift = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kb" | "kib" => 10,
        "m" | "mb" | "mib" => 20,
        "g" | "gb" | "gib" => 30,
        _ => return Err(format!("'{text}' is not a size (such as 256MiB, 64K or 4096)")),
    };
    match number.parse::<u64>().ok().and_then(|n| n.checked_mul(1 << shift)) {
        Some(n) if n >= 1 => Ok(n),
        _ => Err(format!("'{text}' is not a size of at least 1 byte (such as 256MiB, 64K or 4096)")),
    }
}

/// `--max-record-size`, shared by every command that reads rows or documents.
#[derive(Debug, Clone, clap::Args)]
struct RecordLimit {
    /// Longest row, JSON line or document read (such as 64MiB or 1G); a longer one is refused
    /// with its line number instead of filling memory.
    #[arg(long, value_name = "SIZE", default_value = "256MiB", value_parser = parse_size)]
    max_record_size: u64,
}

/// Columns chosen by `--text-column`: names or 0-based indices, at least one.
#[derive(Debug, Clone)]
struct Columns(Vec<tagger::csv_input::ColumnSpec>);

/// A comma-separated list of columns by name or 0-based index; at least one.
fn parse_columns(text: &str) -> std::result::Result<Columns, String> {
    let columns = tagger::csv_input::ColumnSpec::parse_list(text);
    if columns.is_empty() {
        return Err(format!("'{text}' names no column"));
    }
    Ok(Columns(columns))
}

/// A CSV delimiter: one of `,` `;` `|` or tab (`tab`, `\t` or a literal tab), the ones README
/// lists. Anything else is refused rather than passed to the CSV reader: a quote or a newline
/// would make every row unreadable, a letter such as `x` splits words, and a multi-byte
/// character (`ع`) cannot be one CSV delimiter byte at all.
fn parse_delimiter(text: &str) -> std::result::Result<u8, String> {
    match text {
        "\\t" | "tab" | "\t" => Ok(b'\t'),
        "," | ";" | "|" => Ok(text.as_bytes()[0]),
        "\"" => Err("'\"' is the quote character and cannot be the delimiter (use ',', ';', '|' or 'tab')".into()),
        "\n" | "\r" | "\r\n" => {
            Err("a line break cannot be the delimiter: it ends rows (use ',', ';', '|' or 'tab')".into())
        }
        s if s.chars().count() == 1 => Err(format!("'{s}' is not a supported delimiter (use ',', ';', '|' or 'tab')")),
        s => Err(format!("'{s}' is not a single delimiter character (use ',', ';', '|' or 'tab')")),
    }
}

fn parse_probability(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("'{text}' is not a probability between 0 and 1")),
    }
}

/// Opens a file for reading, or stdin for `-`, with the name errors should use.
fn open_input(path: &Path) -> Result<(Box<dyn std::io::Read + Send>, String, Option<u64>)> {
    if path == Path::new("-") {
        return Ok((Box::new(std::io::stdin()), "<stdin>".into(), None));
    }
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_dir() {
        return Err(Error::io(path, std::io::Error::other("is a directory, expected a file")));
    }
    Ok((Box::new(file), path.display().to_string(), Some(meta.len())))
}

static INTERRUPTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Exit status after SIGINT, SIGTERM or SIGHUP, whichever it was (the handler is not told
/// which): 128 + SIGINT, what a shell shows for Ctrl-C.
const INTERRUPTED_EXIT: i32 = 130;

/// Handles SIGINT, SIGTERM and SIGHUP alike in a command that writes a file: the temporary output
/// file is removed, one `tagger: interrupted` line is printed, and the process exits 130.
/// With `graceful` (label, which checks [`interrupted`] between batches) the first signal only
/// sets the flag, so the run stops at the next batch and says how far it got; a second one, or
/// any signal in a command that cannot stop midway (train, vocab), exits at once. Once the
/// output has been renamed into place the signal is ignored: the work is done.
fn stop_cleanly_on_signals(graceful: bool) {
    // If a handler cannot be installed, the signals keep their default effect; nothing else changes.
    let _ = ctrlc::set_handler(move || {
        let again = INTERRUPTED.swap(true, std::sync::atomic::Ordering::SeqCst);
        if graceful && !again {
            return;
        }
        if tagger::output::abandon_pending() {
            eprintln!("tagger: interrupted; no output was written");
            std::process::exit(INTERRUPTED_EXIT);
        }
    });
}

fn interrupted() -> bool {
    INTERRUPTED.load(std::sync::atomic::Ordering::SeqCst)
}

fn default_model_path() -> PathBuf {
    PathBuf::from("models/model.bin")
}
