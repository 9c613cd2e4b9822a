//! `tagger inspect`: what a model knows (topics, sizes, settings, metadata, indicative n-grams).

use super::load_model;
use clap::{Args, ValueEnum};
use std::io::Write;
use std::path::PathBuf;
use tagger::classify::{LabelMode, NbKind};
use tagger::{Error, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Show a model's topics, document counts, vocabulary, settings, training metadata and the most
/// indicative n-grams of each topic.
#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Model file; default: the model embedded in tagger.
    #[arg(short, long)]
    model: Option<PathBuf>,
    /// Indicative n-grams to show per topic.
    #[arg(long, default_value_t = 10)]
    top: usize,
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

pub fn run(args: InspectArgs) -> Result<()> {
    let (model, name) = load_model(args.model.as_deref())?;
    let meta = model.meta();
    let nb = model.classifier().counts();
    let tok = model.pipeline().tokenizer.settings();
    let vocab = model.tfidf().vocabulary();
    let mode = match model.mode() {
        LabelMode::Single => "single-label",
        LabelMode::Multi => "multi-label",
    };
    let kind = match model.classifier().kind() {
        NbKind::Multinomial => "multinomial",
        NbKind::Complement => "complement",
        NbKind::Balanced => "balanced",
    };
    let topics: Vec<serde_json::Value> = model
        .topics()
        .iter()
        .enumerate()
        .map(|(i, t)| {
            serde_json::json!({
                "topic": t,
                "documents": nb.class_count[i] as u64,
                "threshold": model.topic_thresholds()[i],
                "top_ngrams": model.top_terms(i, args.top).into_iter().map(|(n, _)| n).collect::<Vec<_>>(),
            })
        })
        .collect();
    let info = serde_json::json!({
        "model": name,
        "trained_on": meta.source,
        "documents": meta.documents,
        "trained_at_unix": meta.trained_at,
        "trained_at": date(meta.trained_at),
        "about": meta.about,
        "tagger_version": meta.tagger_version,
        "format_version": tagger::model::format::FORMAT_VERSION,
        "classifier": format!("{mode} {kind} naive Bayes"),
        "alpha": nb.alpha,
        "threshold": model.threshold(),
        "features": vocab.len(),
        "words": vocab.terms().len(),
        "ngrams": vocab.ngrams().to_string(),
        "sublinear_tf": model.tfidf().sublinear_tf(),
        "stemming": tok.stem,
        "drop_numbers": tok.drop_numbers,
        "stopwords": tok.stopwords.len(),
        "normalizer": model.pipeline().normalizer.steps().iter().map(|s| format!("{s:?}")).collect::<Vec<_>>(),
        "topics": topics,
    });
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let res = match args.format {
        Format::Json => {
            serde_json::to_writer_pretty(&mut out, &info).map_err(std::io::Error::other).and_then(|_| writeln!(out))
        }
        Format::Text => (|| {
            writeln!(out, "model:        {name}")?;
            writeln!(
                out,
                "trained on:   {} ({} documents) on {}, tagger {}, format {}",
                meta.source,
                meta.documents,
                date(meta.trained_at),
                meta.tagger_version,
                tagger::model::format::FORMAT_VERSION
            )?;
            for line in meta.about.lines() {
                writeln!(out, "              {line}")?;
            }
            writeln!(
                out,
                "classifier:   {mode} {kind} naive Bayes, alpha {}, threshold {}",
                nb.alpha,
                model.threshold()
            )?;
            writeln!(
                out,
                "features:     {} n-grams ({}) over {} words, sublinear tf {}",
                vocab.len(),
                vocab.ngrams(),
                vocab.terms().len(),
                model.tfidf().sublinear_tf()
            )?;
            writeln!(
                out,
                "text:         stemming {}, numbers dropped {}, {} stopwords",
                tok.stem,
                tok.drop_numbers,
                tok.stopwords.len()
            )?;
            writeln!(out, "normalizer:   {}", joined(&info["normalizer"]))?;
            writeln!(out, "topics:")?;
            for t in info["topics"].as_array().into_iter().flatten() {
                writeln!(
                    out,
                    "  {} ({} documents, threshold {}): {}",
                    t["topic"].as_str().unwrap_or(""),
                    t["documents"],
                    t["threshold"],
                    joined(&t["top_ngrams"])
                )?;
            }
            Ok(())
        })(),
    };
    res.and_then(|_| out.flush()).map_err(|e| Error::io("<stdout>", e))
}

/// A Unix time as a UTC calendar date, YYYY-MM-DD (days to civil date, after Howard Hinnant's
/// `civil_from_days`).
fn date(unix: u64) -> String {
    let z = (unix / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!("{year:04}-{month:02}-{day:02}")
}

/// A JSON array of strings as one comma-separated line.
fn joined(list: &serde_json::Value) -> String {
    list.as_array().map(|a| a.iter().filter_map(|v| v.as_str()).collect::<Vec<_>>().join(", ")).unwrap_or_default()
}
