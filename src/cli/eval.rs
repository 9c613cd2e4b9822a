//! `tagger eval`: per-topic precision, recall and F1 of a model on labeled CSV.

use super::{load_model, parse_probability};
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;
use tagger::eval::{evaluate, EvalReport};
use tagger::{Decision, Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Score a model on labeled CSV: per-topic precision, recall, F1 and support; micro and macro
/// averages; accuracy and confusion matrix for single-label data.
#[derive(Debug, Args)]
#[command(after_help = "Example:\n  tagger eval ../shared/data/sanad-khaleej-test.csv --model models/sanad.bin")]
pub struct EvalArgs {
    /// Labeled CSV file (columns `text` and `labels` or `label`), or - for stdin.
    input: PathBuf,
    /// Model file; default: the model embedded in tagger.
    #[arg(short, long)]
    model: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    #[command(flatten)]
    csv: super::train::CsvArgs,
    /// Give topics from this probability on (default: the model's).
    #[arg(long, value_parser = parse_probability)]
    threshold: Option<f64>,
}

pub fn run(args: EvalArgs) -> Result<()> {
    let (model, model_name) = load_model(args.model.as_deref())?;
    let (corpus, name) = args.csv.read(&args.input)?;
    let decision = Decision { threshold: args.threshold, top_k: 0 };
    let start = Instant::now();
    let report = evaluate(&model, &corpus, decision);
    let secs = start.elapsed().as_secs_f64();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let res = match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &report).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
        Format::Text => write_text(&mut out, &report, &name, &model_name, secs, threshold_text(&model, decision)),
    };
    res.and_then(|_| out.flush()).map_err(|e| Error::io("<stdout>", e))
}

/// "0.7", or "per topic: culture 0.42, ..." when the model's tuned thresholds apply.
fn threshold_text(model: &tagger::Model, decision: Decision) -> String {
    match decision.threshold {
        Some(t) => t.to_string(),
        None => {
            let ts = model.topic_thresholds();
            if ts.iter().all(|&t| t == model.threshold()) {
                model.threshold().to_string()
            } else {
                let each: Vec<String> = model.topics().iter().zip(ts).map(|(n, t)| format!("{n} {t}")).collect();
                format!("per topic: {}", each.join(", "))
            }
        }
    }
}

fn write_text(
    out: &mut impl Write,
    r: &EvalReport,
    data: &str,
    model: &str,
    secs: f64,
    threshold: String,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{data}: {} documents, model {model}, {}",
        r.documents,
        if r.single_label {
            "single-label (top topic)".to_string()
        } else {
            format!("multi-label (threshold {threshold})")
        }
    )?;
    let width = r.topics.iter().map(|t| t.topic.chars().count()).max().unwrap_or(5).max(12);
    writeln!(out, "{:<width$}  {:>9}  {:>6}  {:>6}  {:>7}", "topic", "precision", "recall", "f1", "support")?;
    for t in &r.topics {
        writeln!(out, "{:<width$}  {:>9.4}  {:>6.4}  {:>6.4}  {:>7}", t.topic, t.precision, t.recall, t.f1, t.support)?;
    }
    writeln!(out, "{:<width$}  {:>9.4}  {:>6.4}  {:>6.4}", "micro avg", r.micro.precision, r.micro.recall, r.micro.f1)?;
    writeln!(
        out,
        "{:<width$}  {:>9.4}  {:>6.4}  {:>6.4}",
        "macro avg", r.macro_avg.precision, r.macro_avg.recall, r.macro_avg.f1
    )?;
    match r.accuracy {
        Some(a) => writeln!(out, "accuracy {a:.4}")?,
        None => writeln!(out, "exact match {:.4}", r.exact_match)?,
    }
    if let Some(m) = &r.confusion {
        writeln!(out, "confusion matrix (rows: true topic, columns: predicted; last column: no topic)")?;
        write!(out, "{:<width$}", "")?;
        for t in &r.topics {
            write!(out, " {:>8}", t.topic.chars().take(8).collect::<String>())?;
        }
        writeln!(out, " {:>8}", "none")?;
        for (t, row) in r.topics.iter().zip(m) {
            write!(out, "{:<width$}", t.topic)?;
            for n in row {
                write!(out, " {n:>8}")?;
            }
            writeln!(out)?;
        }
    }
    if r.trained_on > 0 {
        writeln!(
            out,
            "note: the model was trained on {} of these {} documents, so these figures overstate its accuracy on new text; cross-validation (`tagger train --cv 5`) gives the honest figure",
            r.trained_on, r.documents
        )?;
    }
    if !r.unknown_topics.is_empty() {
        writeln!(out, "topics the model does not know (always missed): {}", r.unknown_topics.join(", "))?;
    }
    writeln!(out, "predicted in {secs:.2} s ({:.0} documents/s)", r.documents as f64 / secs.max(1e-9))
}
