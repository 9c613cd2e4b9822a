//! `tagger inspect`: what a model knows (topics, sizes, settings, metadata, indicative n-grams).

use super::load_model;
use clap::{Args, ValueEnum};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;
use tagger::info::ModelInfo;
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

/// What `inspect --format json` prints: the model's name, then its description.
#[derive(Serialize)]
struct Shown<'a> {
    model: &'a str,
    #[serde(flatten)]
    info: &'a ModelInfo,
}

pub fn run(args: InspectArgs) -> Result<()> {
    let (model, name) = load_model(args.model.as_deref())?;
    let info = ModelInfo::of(&model, args.top);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let res = match args.format {
        Format::Json => serde_json::to_writer_pretty(&mut out, &Shown { model: &name, info: &info })
            .map_err(std::io::Error::other)
            .and_then(|_| writeln!(out)),
        Format::Text => (|| {
            writeln!(out, "model:        {name}")?;
            writeln!(
                out,
                "trained on:   {} ({} documents) on {}, tagger {}, format {}",
                info.trained_on, info.documents, info.trained_at, info.tagger_version, info.format_version
            )?;
            for line in info.about.lines() {
                writeln!(out, "              {line}")?;
            }
            writeln!(out, "classifier:   {}, alpha {}, threshold {}", info.classifier, info.alpha, info.threshold)?;
            writeln!(
                out,
                "features:     {} n-grams ({}) over {} words, sublinear tf {}",
                info.features, info.ngrams, info.words, info.sublinear_tf
            )?;
            writeln!(
                out,
                "text:         stemming {}, numbers dropped {}, {} stopwords",
                info.stemming, info.drop_numbers, info.stopwords
            )?;
            writeln!(out, "normalizer:   {}", info.normalizer.join(", "))?;
            writeln!(out, "topics:")?;
            for t in &info.topics {
                writeln!(
                    out,
                    "  {} ({} documents, threshold {}): {}",
                    t.topic,
                    t.documents,
                    t.threshold,
                    t.top_ngrams.join(", ")
                )?;
            }
            Ok(())
        })(),
    };
    res.and_then(|_| out.flush()).map_err(|e| Error::io("<stdout>", e))
}
