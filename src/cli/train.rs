//! `tagger train`: learn a model from labeled CSV (or cross-validate with `--cv`).

use super::files::{check_output, refuse_duplicate_shards, Input};
use super::{default_model_path, open_input, parse_columns, parse_delimiter, parse_probability, progress, Columns};
use clap::{Args, ValueEnum};
use linfa::ParamGuard;
use std::path::PathBuf;
use std::time::Instant;
use tagger::classify::{LabelMode, NbKind, NbParams, NbValidParams};
use tagger::corpus::Lint;
use tagger::csv_input::{read_labeled, ColumnSpec, CsvOptions};
use tagger::eval::{cross_validate, mean_std};
use tagger::features::{DocFreq, TfidfParams, TfidfValidParams};
use tagger::shard::{ModelShard, TextSettings, Vocab};
use tagger::text::{stopwords, Step, TokenizerSettings};
use tagger::{Error, Result, TrainSettings, TrainingMeta};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ModeArg {
    /// Multi-label when any row has other than exactly one topic.
    Auto,
    Single,
    Multi,
}

/// CSV input options shared by `train` and `vocab`.
#[derive(Debug, Args)]
pub(super) struct CsvArgs {
    /// Text column(s), by name or 0-based index; several are joined (title,body).
    #[arg(long, default_value = "text", value_parser = parse_columns)]
    text_column: Columns,
    /// Topics column; default `labels`, else `label`.
    #[arg(long)]
    labels_column: Option<String>,
    /// CSV delimiter: , ; | or tab.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    delimiter: u8,
    #[command(flatten)]
    limit: super::RecordLimit,
}

impl CsvArgs {
    pub(super) fn read(&self, input: &std::path::Path) -> Result<(tagger::corpus::LabeledCorpus, String)> {
        let (reader, name, _) = open_input(input)?;
        let opts = CsvOptions {
            delimiter: self.delimiter,
            text_columns: self.text_column.0.clone(),
            labels_column: self.labels_column.as_deref().map(ColumnSpec::parse),
            max_record_bytes: self.limit.max_record_size,
        };
        let corpus = read_labeled(reader, &name, &opts)?;
        // Quotes that may close too late: train, eval and vocab warn alike.
        for warning in corpus.warnings.iter().take(WARNINGS_SHOWN) {
            eprintln!("tagger: warning: {warning}");
        }
        if corpus.warnings.len() > WARNINGS_SHOWN {
            eprintln!("tagger: warning: and {} more such quoted fields", corpus.warnings.len() - WARNINGS_SHOWN);
        }
        Ok((corpus, name))
    }
}

/// How text becomes tokens and n-grams; stored in the model.
#[derive(Debug, Args)]
pub(super) struct TextArgs {
    /// Word n-gram lengths, MIN..MAX (1..1, 1..2, 1..3).
    #[arg(long, default_value = "1..2", value_parser = parse_ngrams)]
    ngrams: (u8, u8),
    /// Do not stem.
    #[arg(long)]
    no_stem: bool,
    /// Keep tokens made only of digits.
    #[arg(long)]
    keep_numbers: bool,
    /// Replace the stopword list with this file (one word per line).
    #[arg(long)]
    stopwords: Option<PathBuf>,
}

/// The largest `--stopwords` file read: lists in use are a few kilobytes, and the bound keeps a
/// device or a wrong file (`/dev/zero`, a corpus) from being read without end.
const STOPWORDS_MAX_BYTES: u64 = 4 << 20;

fn read_stopwords(path: &std::path::Path) -> Result<String> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::new();
    file.take(STOPWORDS_MAX_BYTES + 1).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    if bytes.len() as u64 > STOPWORDS_MAX_BYTES {
        return Err(Error::input(
            tagger::error::Location::file(path.display().to_string()),
            format!(
                "a stopword list is at most {} MiB (one word per line); is this the right file?",
                STOPWORDS_MAX_BYTES >> 20
            ),
        ));
    }
    String::from_utf8(bytes).map_err(|e| Error::io(path, std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

impl TextArgs {
    /// The `--stopwords` file, among the files a command reads.
    pub(super) fn stopwords_input(&self) -> Option<Input<'_>> {
        self.stopwords.as_deref().map(|p| Input::new("--stopwords", p))
    }

    fn tokenizer(&self) -> Result<TokenizerSettings> {
        let stopwords = match &self.stopwords {
            Some(path) => stopwords::parse_list(&read_stopwords(path)?),
            None => stopwords::default_words(),
        };
        Ok(TokenizerSettings {
            stem: !self.no_stem,
            drop_numbers: !self.keep_numbers,
            stopwords,
            ..TokenizerSettings::default()
        })
    }

    pub(super) fn settings(&self) -> Result<TextSettings> {
        Ok(TextSettings {
            steps: Step::ARABIC_DEFAULT.to_vec(),
            tokenizer: self.tokenizer()?,
            ngrams: tagger::features::NgramRange::new(self.ngrams.0, self.ngrams.1)?,
        })
    }
}

/// Vocabulary bounds and weighting.
#[derive(Debug, Args)]
pub(super) struct TfidfArgs {
    /// Keep n-grams in at least this many documents (integer) or this share of them (0.0-1.0).
    #[arg(long, default_value = "2", value_parser = DocFreq::parse)]
    min_df: DocFreq,
    /// Drop n-grams in more than this share (0.0-1.0) or number of documents.
    #[arg(long, default_value = "1.0", value_parser = parse_max_df)]
    max_df: DocFreq,
    /// Keep only the most frequent n-grams.
    #[arg(long, value_parser = super::parse_positive)]
    max_features: Option<usize>,
    /// Raw term counts instead of 1 + ln(count).
    #[arg(long)]
    no_sublinear_tf: bool,
}

/// `--max-df`: as `--min-df`, but 0 (or 0.0) would keep no n-gram at all, whatever the data.
fn parse_max_df(text: &str) -> std::result::Result<DocFreq, String> {
    match DocFreq::parse(text)? {
        DocFreq::Count(0) | DocFreq::Fraction(0.0) => Err(format!(
            "'{text}' keeps no n-gram (at most 0 documents); use a count of at least 1 or a fraction above 0"
        )),
        df => Ok(df),
    }
}

/// `--alpha`: additive smoothing, a finite number above 0 (0 gives unseen n-grams probability 0).
fn parse_alpha(text: &str) -> std::result::Result<f64, String> {
    match text.parse::<f64>() {
        Ok(a) if a.is_finite() && a > 0.0 => Ok(a),
        _ => Err(format!("'{text}' is not a smoothing value: use a finite number above 0, such as 0.1")),
    }
}

/// `--cv K` and `--tune-thresholds K`: at least 2 folds (one fold leaves nothing to train on).
fn parse_folds(text: &str) -> std::result::Result<usize, String> {
    match text.parse::<usize>() {
        Ok(k) if k >= 2 => Ok(k),
        _ => Err(format!("'{text}' is not a number of folds: use 2 or more, such as 5")),
    }
}

impl TfidfArgs {
    /// Refuses, as a usage error before any file is read, settings that no data can satisfy
    /// (`--max-df 3 --min-df 5`).
    pub(super) fn check(&self, ngrams: (u8, u8), subcommand: &str) {
        if let Err(e) = self.params(ngrams) {
            super::usage_error(subcommand, e);
        }
    }

    pub(super) fn params(&self, ngrams: (u8, u8)) -> Result<TfidfValidParams> {
        TfidfParams::new()
            .ngrams(ngrams.0, ngrams.1)
            .min_df(self.min_df)
            .max_df(self.max_df)
            .max_features(self.max_features)
            .sublinear_tf(!self.no_sublinear_tf)
            .check()
    }
}

/// Learn a model from labeled CSV (columns `text` and `labels`, topics joined by `|`).
///
/// For corpora split across machines, training is two rounds of shards that merge exactly:
/// `tagger vocab --partial` / `--merge`, then `tagger train --vocab V --partial` on each shard
/// and `tagger train --merge` of the model shards.
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tagger train data/labels.csv -o models/model.bin
  tagger train ../shared/data/sanad-khaleej-train.csv --cv 5 --alpha 0.03
  tagger train --vocab vocab.bin --partial shard-3.csv -o model-shard-3.bin
  tagger train --merge model-shard-*.bin -o model.bin")]
pub struct TrainArgs {
    /// Labeled CSV file (or - for stdin); with --merge, the model shards to add.
    #[arg(required = true, num_args = 1..)]
    inputs: Vec<PathBuf>,
    /// Where to write the model (or the model shard with --partial) [default: models/model.bin].
    #[arg(short, long)]
    output: Option<PathBuf>,
    #[command(flatten)]
    csv: CsvArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    tfidf: TfidfArgs,
    /// Additive smoothing of naive Bayes (a finite number above 0).
    #[arg(long, default_value = "0.1", value_parser = parse_alpha)]
    alpha: f64,
    /// Complement naive Bayes (the default: better in 5-fold cross-validation on both
    /// data/labels.csv and SANAD).
    #[arg(long, conflicts_with = "multinomial")]
    complement: bool,
    /// Multinomial naive Bayes instead of complement.
    #[arg(long, conflicts_with = "balanced")]
    multinomial: bool,
    /// Multi-label only: each topic against the average of the other topics, each weighing the
    /// same, instead of against the pooled rest of the corpus (for corpora where a few large
    /// topics would otherwise be "the rest"; the default model is trained so).
    #[arg(long, conflicts_with = "complement")]
    balanced: bool,
    /// Single- or multi-label model.
    #[arg(long, value_enum, default_value_t = ModeArg::Auto)]
    mode: ModeArg,
    /// Default probability from which a topic is given; stored in the model. 0.7 was chosen by
    /// 5-fold cross-validation on data/labels.csv; `--cv` prints the best value for your data.
    #[arg(long, default_value = "0.7", value_parser = parse_probability)]
    threshold: f64,
    /// Cross-validate with K stratified folds and print micro/macro F1 instead of writing a model.
    #[arg(long, value_name = "K", value_parser = parse_folds)]
    cv: Option<usize>,
    /// Choose each topic's threshold by K-fold cross-validation on this data (the threshold
    /// with the best out-of-fold F1 for the topic) and store them in the model; multi-label
    /// only. `--threshold` at prediction time still overrides them all.
    #[arg(long, value_name = "K", value_parser = parse_folds, conflicts_with_all = ["cv", "merge", "partial"])]
    tune_thresholds: Option<usize>,
    /// What the training data is, where it comes from and its licenses; stored in the model
    /// and shown by `tagger inspect`.
    #[arg(long, value_name = "TEXT", default_value = "")]
    about: String,
    /// Seed of the cross-validation shuffle.
    #[arg(long, default_value_t = tagger::eval::DEFAULT_SEED)]
    seed: u64,
    /// Sharded round 2: count this CSV shard with the merged vocabulary of `--vocab` and write a
    /// model shard.
    #[arg(long, requires = "vocab", conflicts_with_all = ["merge", "cv"])]
    partial: bool,
    /// The merged vocabulary (`tagger vocab --merge`) for --partial.
    #[arg(long, value_name = "VOCAB")]
    vocab: Option<PathBuf>,
    /// Add model shards (the inputs) into a model. A model shard of old articles merged with
    /// one of new articles updates a model without recounting the old ones.
    #[arg(long, conflicts_with = "cv")]
    merge: bool,
    /// No progress and no notes on stderr (warnings still show).
    #[arg(short, long)]
    quiet: bool,
}

impl TrainArgs {
    /// `-o`, or `models/model.bin` without it.
    fn output(&self) -> PathBuf {
        self.output.clone().unwrap_or_else(default_model_path)
    }
}

fn parse_ngrams(text: &str) -> std::result::Result<(u8, u8), String> {
    let parts: Vec<&str> = text.split(['.', ',', '-']).filter(|s| !s.is_empty()).collect();
    let nums: Vec<u8> = parts
        .iter()
        .map(|p| p.parse::<u8>())
        .collect::<std::result::Result<_, _>>()
        .map_err(|_| format!("'{text}': expected MIN..MAX such as 1..2"))?;
    let (min, max) = match nums.as_slice() {
        [n] => (*n, *n),
        [a, b] => (*a, *b),
        _ => return Err(format!("'{text}': expected MIN..MAX such as 1..2")),
    };
    tagger::features::NgramRange::new(min, max).map_err(|e| e.to_string())?;
    Ok((min, max))
}

fn nb_params(args: &TrainArgs) -> Result<NbValidParams> {
    NbParams::new()
        .alpha(args.alpha)
        .kind(if args.multinomial {
            NbKind::Multinomial
        } else if args.balanced {
            NbKind::Balanced
        } else {
            NbKind::Complement
        })
        .mode(match args.mode {
            ModeArg::Auto => None,
            ModeArg::Single => Some(LabelMode::Single),
            ModeArg::Multi => Some(LabelMode::Multi),
        })
        .check()
}

fn settings(args: &TrainArgs) -> Result<TrainSettings> {
    let text = args.text.settings()?;
    Ok(TrainSettings {
        steps: text.steps,
        tokenizer: text.tokenizer,
        tfidf: args.tfidf.params(args.text.ngrams)?,
        nb: nb_params(args)?,
        threshold: args.threshold,
    })
}

/// Seconds since the epoch, or `SOURCE_DATE_EPOCH` for reproducible builds.
fn now() -> u64 {
    std::env::var("SOURCE_DATE_EPOCH").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
    })
}

/// `println!` that reports a closed stdout as an error (quiet exit) instead of panicking.
macro_rules! out {
    ($($arg:tt)*) => {
        {
            use std::io::Write as _;
            writeln!(std::io::stdout(), $($arg)*).map_err(|e| Error::io("<stdout>", e))?
        }
    };
}

/// Refuses, before any work, options that would be ignored, a shard given twice, and an output
/// that is one of the files read (`--cv` writes nothing).
fn check_files(args: &TrainArgs) {
    if args.vocab.is_some() && !args.partial {
        super::refuse(
            "--vocab is only used with --partial (round 2 of sharded training): add --partial, or leave out --vocab",
        );
    }
    if args.merge {
        refuse_duplicate_shards(&args.inputs);
    }
    if let (Some(k), Some(out)) = (args.cv, &args.output) {
        super::refuse(format_args!(
            "--cv {k} only cross-validates and writes no model: leave out -o {}, or leave out --cv to train and write it",
            out.display()
        ));
    }
    if args.cv.is_some() {
        return;
    }
    let role = if args.merge { "the shard" } else { "the input" };
    let mut inputs: Vec<Input> = args.inputs.iter().map(|p| Input::new(role, p)).collect();
    inputs.extend(args.vocab.as_deref().map(|v| Input::new("--vocab", v)));
    inputs.extend(args.text.stopwords_input());
    check_output(&args.output(), &inputs, if args.partial { "model-shard.bin" } else { "model.bin" });
}

pub fn run(args: TrainArgs) -> Result<()> {
    // Settings that no data can satisfy are usage errors, found before anything is read.
    if let Err(e) = nb_params(&args) {
        super::usage_error("train", e);
    }
    if !args.merge {
        args.tfidf.check(args.text.ngrams, "train");
    }
    check_files(&args);
    // Counting and saving cannot stop midway: a signal removes the temporary output file and exits.
    super::stop_cleanly_on_signals(false);
    if args.merge {
        return merge(&args);
    }
    if args.inputs.len() != 1 {
        super::usage_error(
            "train",
            format!("{} files given: train reads one CSV (use --merge to add model shards)", args.inputs.len()),
        );
    }
    let input = &args.inputs[0];
    if args.partial {
        return partial(&args, input);
    }
    let settings = settings(&args)?;
    let start = Instant::now();
    let spinner = progress::bar(progress::enabled(args.quiet), None, "");
    spinner.set_message("reading");
    let (corpus, name) = args.csv.read(input)?;
    let (documents, n_topics) = (corpus.texts.len(), corpus.topics.len());
    for warning in warnings(&corpus.lint()) {
        spinner.suspend(|| eprintln!("tagger: warning: {name}: {warning}"));
    }
    if !corpus.unlabeled_lines.is_empty() && !args.quiet {
        let lines = &corpus.unlabeled_lines;
        spinner.suspend(|| {
            eprintln!(
                "tagger: note: {} rows of {name} have no topic and train as texts about none of the topics (lines {}{})",
                lines.len(),
                lines.iter().take(10).map(|l| l.to_string()).collect::<Vec<_>>().join(", "),
                if lines.len() > 10 { ", ..." } else { "" }
            )
        });
    }

    if let Some(k) = args.cv {
        spinner.set_message(format!("cross-validating ({k} folds)"));
        let report = cross_validate(&corpus, &settings, k, args.seed)?;
        spinner.finish_and_clear();
        let (mi, mi_sd) = mean_std(&report.micro_f1);
        let (ma, ma_sd) = mean_std(&report.macro_f1);
        let (acc, acc_sd) = mean_std(&report.accuracy);
        out!("{k}-fold cross-validation on {name}: {documents} documents, {n_topics} topics");
        out!("micro-F1 {mi:.4} ± {mi_sd:.4}");
        out!("macro-F1 {ma:.4} ± {ma_sd:.4}");
        out!("{} {acc:.4} ± {acc_sd:.4}", if report.best_threshold.is_none() { "accuracy" } else { "exact match" });
        out!("per fold micro-F1: {}", report.micro_f1.iter().map(|f| format!("{f:.4}")).collect::<Vec<_>>().join(" "));
        if let (Some(t), Some(f)) = (report.best_threshold, report.best_threshold_micro_f1) {
            out!("best threshold on out-of-fold scores: {t:.2} (micro-F1 {f:.4}); train with --threshold {t:.2}");
        }
        if let (Some(ts), Some(f)) = (&report.topic_thresholds, report.topic_thresholds_micro_f1) {
            let each: Vec<String> = corpus.topics.iter().zip(ts).map(|(n, t)| format!("{n} {t:.2}")).collect();
            out!(
                "best threshold per topic: {} (micro-F1 {f:.4}); train with --tune-thresholds {k} to store them",
                each.join(", ")
            );
        }
        out!("{:.1} s", start.elapsed().as_secs_f64());
        return Ok(());
    }

    let source = input.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| name.clone());
    let meta = TrainingMeta { trained_at: now(), about: args.about.clone(), ..TrainingMeta::new(source) };
    if args.tune_thresholds.is_some()
        && corpus.labels.iter().all(|l| l.len() == 1)
        && !matches!(args.mode, ModeArg::Multi)
    {
        super::usage_error(
            "train",
            "--tune-thresholds is for multi-label models (a single-label model gives its top topic); add --mode multi",
        );
    }
    spinner.set_message(match args.tune_thresholds {
        Some(k) => format!("tuning thresholds ({k} folds) and training on {documents} documents"),
        None => format!("training on {documents} documents"),
    });
    let model = tagger::eval::train_tuned(corpus, &settings, meta, args.tune_thresholds, args.seed)?;
    model.save(&args.output())?;
    spinner.finish_and_clear();
    super::summary(
        &args.output(),
        format_args!(
            "wrote {}: {} documents, {} topics, {} features, {}-label {} naive Bayes, {:.2} s",
            args.output().display(),
            documents,
            n_topics,
            model.tfidf().n_features(),
            match model.mode() {
                LabelMode::Single => "single",
                LabelMode::Multi => "multi",
            },
            match model.classifier().kind() {
                NbKind::Multinomial => "multinomial",
                NbKind::Complement => "complement",
                NbKind::Balanced => "balanced",
            },
            start.elapsed().as_secs_f64()
        ),
    )?;
    Ok(())
}

/// Warnings given one by one before the rest of their kind is counted in one line.
const WARNINGS_SHOWN: usize = 10;

/// The corpus warnings to print: the first [`WARNINGS_SHOWN`] of each kind, then one line that
/// counts the rest (524 one-document topics once gave 20 warnings and stopped without a word).
fn warnings(lints: &[Lint]) -> Vec<String> {
    let (rare, dups): (Vec<&Lint>, Vec<&Lint>) = lints.iter().partition(|l| matches!(l, Lint::RareTopic { .. }));
    let mut out = Vec::new();
    for (kind, what) in [(rare, "topics have only 1 document"), (dups, "texts appear on more than one line")] {
        out.extend(kind.iter().take(WARNINGS_SHOWN).map(|l| l.to_string()));
        if kind.len() > WARNINGS_SHOWN {
            out.push(format!("and {} more {what} ({} in all)", kind.len() - WARNINGS_SHOWN, kind.len()));
        }
    }
    out
}

/// Round 2 of sharded training on one shard.
fn partial(args: &TrainArgs, input: &std::path::Path) -> Result<()> {
    let vocab_path = args.vocab.as_deref().expect("clap requires --vocab with --partial");
    let vocab = Vocab::load(vocab_path)?;
    let (corpus, name) = args.csv.read(input)?;
    let shard = ModelShard::count(&corpus, &vocab)?;
    shard.save(&args.output())?;
    super::summary(
        &args.output(),
        format_args!(
            "wrote model shard {}: {} documents of {name}, {} topics",
            args.output().display(),
            shard.documents,
            shard.topics.len()
        ),
    )?;
    Ok(())
}

/// Adds model shards into a model.
fn merge(args: &TrainArgs) -> Result<()> {
    let shards = args.inputs.iter().map(|p| ModelShard::load(p)).collect::<Result<Vec<_>>>()?;
    let merged = ModelShard::merge(&shards)?;
    let documents = merged.documents;
    let meta = TrainingMeta {
        documents,
        trained_at: now(),
        about: args.about.clone(),
        ..TrainingMeta::new(format!("{} merged shards", args.inputs.len()))
    };
    let model = merged.into_model(&nb_params(args)?, args.threshold, meta)?;
    model.save(&args.output())?;
    super::summary(
        &args.output(),
        format_args!(
            "wrote {}: merged {} shards, {} documents, {} topics, {} features",
            args.output().display(),
            args.inputs.len(),
            documents,
            model.topics().len(),
            model.tfidf().n_features()
        ),
    )?;
    Ok(())
}
