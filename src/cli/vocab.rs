//! `tagger vocab`: round 1 of exact sharded training (vocabulary and idf from shards).

use super::files::{check_output, refuse_duplicate_shards, Input};
use super::train::{CsvArgs, TextArgs, TfidfArgs};
use clap::Args;
use std::path::PathBuf;
use tagger::shard::VocabShard;
use tagger::Result;

/// Count a CSV shard's n-grams (--partial), or merge such counts into the vocabulary and idf
/// that round 2 (`tagger train --vocab V --partial`) needs (--merge).
#[derive(Debug, Args)]
#[command(after_help = "Examples:
  tagger vocab --partial shard-1.csv -o vocab-shard-1.bin
  tagger vocab --merge vocab-shard-*.bin -o vocab.bin --min-df 2")]
pub struct VocabArgs {
    /// With --partial, one labeled CSV shard (or -); with --merge, the vocabulary shards.
    #[arg(required = true, num_args = 1..)]
    inputs: Vec<PathBuf>,
    #[arg(short, long)]
    output: PathBuf,
    /// Count the n-grams of one CSV shard.
    #[arg(long, conflicts_with = "merge", required_unless_present = "merge")]
    partial: bool,
    /// Add vocabulary shards and apply --min-df, --max-df and --max-features to the totals.
    #[arg(long)]
    merge: bool,
    #[command(flatten)]
    csv: CsvArgs,
    #[command(flatten)]
    text: TextArgs,
    #[command(flatten)]
    tfidf: TfidfArgs,
}

pub fn run(args: VocabArgs) -> Result<()> {
    // With --merge the n-gram range comes from the shards; the bounds do not depend on it.
    args.tfidf.check((1, 1), "vocab");
    let role = if args.merge { "the shard" } else { "the input" };
    let mut inputs: Vec<Input> = args.inputs.iter().map(|p| Input::new(role, p)).collect();
    inputs.extend(args.text.stopwords_input());
    check_output(&args.output, &inputs, "vocab.bin");
    // Counting and saving cannot stop midway: a signal removes the temporary output file and exits.
    super::stop_cleanly_on_signals(false);
    if args.merge {
        refuse_duplicate_shards(&args.inputs);
    }
    if args.partial {
        let [input] = args.inputs.as_slice() else {
            super::usage_error(
                "vocab",
                format!("{} files given: --partial counts one CSV shard at a time", args.inputs.len()),
            );
        };
        let (corpus, name) = args.csv.read(input)?;
        let shard = VocabShard::count(&corpus, args.text.settings()?)?;
        shard.save(&args.output)?;
        super::summary(
            &args.output,
            format_args!(
                "wrote vocabulary shard {}: {} documents of {name}, {} n-grams",
                args.output.display(),
                shard.documents,
                shard.ngrams.len()
            ),
        )
    } else {
        let shards = args.inputs.iter().map(|p| VocabShard::load(p)).collect::<Result<Vec<_>>>()?;
        let ngrams = shards[0].text.ngrams;
        let vocab = VocabShard::merge(&shards, &args.tfidf.params((ngrams.min, ngrams.max))?)?;
        vocab.save(&args.output)?;
        super::summary(
            &args.output,
            format_args!(
                "wrote vocabulary {}: {} shards, {} documents, {} features",
                args.output.display(),
                shards.len(),
                vocab.documents,
                vocab.features.len()
            ),
        )
    }
}
