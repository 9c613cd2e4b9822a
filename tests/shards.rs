//! Exact sharded training: a model merged from any split of the data into any number of
//! shards, in any order, has the vocabulary, idf and counts of one-file training and predicts
//! the same.

#[path = "common/mod.rs"]
mod common;

use common::{labeled_corpus, meta};
use linfa::ParamGuard;
use proptest::prelude::*;
use std::sync::OnceLock;
use tagger::classify::NbParams;
use tagger::corpus::LabeledCorpus;
use tagger::features::{DocFreq, NgramRange, TfidfParams};
use tagger::shard::{ModelShard, TextSettings, Vocab, VocabShard};
use tagger::text::{Step, TokenizerSettings};
use tagger::{Model, TrainSettings, TrainingMeta};

fn settings(max_features: Option<usize>) -> TrainSettings {
    TrainSettings {
        tfidf: TfidfParams::new().max_features(max_features).check().unwrap(),
        nb: NbParams::new().check().unwrap(),
        threshold: 0.65,
        ..TrainSettings::default()
    }
}

/// The rows at `idx`, as their own corpus (topics renumbered to those present).
fn part(idx: &[usize]) -> LabeledCorpus {
    labeled_corpus().subset(idx)
}

fn sharded(parts: &[Vec<usize>], s: &TrainSettings) -> Model {
    let text = TextSettings { steps: s.steps.clone(), tokenizer: s.tokenizer.clone(), ngrams: s.tfidf.ngrams() };
    // Every shard file goes through its encoding, as between machines.
    let vocab_shards: Vec<VocabShard> = parts
        .iter()
        .map(|p| {
            let mut bytes = Vec::new();
            VocabShard::count(&part(p), text.clone()).unwrap().write_to(&mut bytes, "v").unwrap();
            VocabShard::from_bytes(&bytes, "v").unwrap()
        })
        .collect();
    let mut bytes = Vec::new();
    VocabShard::merge(&vocab_shards, &s.tfidf).unwrap().write_to(&mut bytes, "vocab").unwrap();
    let vocab = Vocab::from_bytes(&bytes, "vocab").unwrap();
    let model_shards: Vec<ModelShard> =
        parts.iter().rev().map(|p| ModelShard::count(&part(p), &vocab).unwrap()).collect();
    ModelShard::merge(&model_shards).unwrap().into_model(&s.nb, s.threshold, meta()).unwrap()
}

fn assert_same(one: &Model, merged: &Model) {
    assert_eq!(one.topics(), merged.topics());
    assert_eq!(one.tfidf(), merged.tfidf(), "vocabulary and idf");
    let (a, b) = (one.classifier().counts(), merged.classifier().counts());
    assert_eq!(a.class_count, b.class_count);
    assert_eq!(a.mode, b.mode);
    for (x, y) in a.feature_count.iter().zip(&b.feature_count).chain(a.feature_total.iter().zip(&b.feature_total)) {
        assert!((x - y).abs() <= 1e-12 * x.abs().max(1.0), "{x} vs {y}");
    }
    for text in labeled_corpus().texts.iter().take(60) {
        let (p, q) = (one.predict(text, one.default_decision()), merged.predict(text, merged.default_decision()));
        assert_eq!(p.topics, q.topics);
        for (x, y) in p.scores.iter().zip(&q.scores) {
            assert!((x - y).abs() < 1e-9);
        }
    }
}

fn one_file(s: &TrainSettings) -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::train(labeled_corpus().clone(), s, meta()).unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, ..ProptestConfig::default() })]

    #[test]
    fn any_split_in_any_order_merges_to_one_file_training(shard_of in prop::collection::vec(0usize..5, labeled_corpus().texts.len())) {
        let s = settings(None);
        let mut parts: Vec<Vec<usize>> = vec![Vec::new(); 5];
        for (i, &k) in shard_of.iter().enumerate() {
            parts[k].push(i);
        }
        parts.retain(|p| !p.is_empty());
        assert_same(one_file(&s), &sharded(&parts, &s));
    }
}

#[test]
fn max_features_is_applied_at_the_merge() {
    let s = settings(Some(500));
    let one = Model::train(labeled_corpus().clone(), &s, meta()).unwrap();
    let n = labeled_corpus().texts.len();
    let parts: Vec<Vec<usize>> = vec![(0..300).collect(), (300..n).collect()];
    assert_same(&one, &sharded(&parts, &s));
    assert_eq!(one.tfidf().n_features(), 500);
}

#[test]
fn a_single_shard_is_one_file_training() {
    let s = settings(None);
    assert_same(one_file(&s), &sharded(&[(0..labeled_corpus().texts.len()).collect()], &s));
}

#[test]
fn shards_counted_with_other_settings_are_refused() {
    let a = TextSettings {
        steps: Step::ARABIC_DEFAULT.to_vec(),
        tokenizer: TokenizerSettings::default(),
        ngrams: NgramRange::new(1, 2).unwrap(),
    };
    let b = TextSettings { ngrams: NgramRange::new(1, 1).unwrap(), ..a.clone() };
    let shards = [VocabShard::count(&part(&[0, 1]), a).unwrap(), VocabShard::count(&part(&[2, 3]), b).unwrap()];
    let err = VocabShard::merge(&shards, &TfidfParams::new().check().unwrap()).unwrap_err();
    assert!(err.to_string().contains("shard 2 was counted with other text settings"), "{err}");
}

#[test]
fn an_empty_merged_vocabulary_names_the_setting_as_one_file_training_does() {
    let text = TextSettings {
        steps: Step::ARABIC_DEFAULT.to_vec(),
        tokenizer: TokenizerSettings::default(),
        ngrams: NgramRange::new(1, 2).unwrap(),
    };
    let shards = [VocabShard::count(&part(&[0, 1]), text.clone()).unwrap()];
    // Two documents cannot reach min_df 3.
    let err = VocabShard::merge(&shards, &TfidfParams::new().min_df(DocFreq::Count(3)).check().unwrap()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "invalid min_df: no n-gram occurs in at least 3 and at most 2 of the 2 documents; lower --min-df or raise --max-df"
    );
    // Only stopwords and numbers: no word at all.
    let none = LabeledCorpus { texts: vec!["في من على ٢٠٢٤"].into_iter().collect(), ..part(&[0]) };
    let err = VocabShard::merge(
        &[VocabShard::count(&none, text).unwrap()],
        &TfidfParams::new().min_df(DocFreq::Count(1)).check().unwrap(),
    )
    .unwrap_err();
    assert!(err.to_string().starts_with("invalid training data: no document has a word left"), "{err}");
}

/// Round 1 as an engine runs it (split into buckets, each bucket summed over the shards in a
/// reduce, bounded, then joined): the same vocabulary as `VocabShard::merge`.
fn bucketed(parts: &[Vec<usize>], s: &TrainSettings, buckets: usize) -> Vocab {
    let text = TextSettings { steps: s.steps.clone(), tokenizer: s.tokenizer.clone(), ngrams: s.tfidf.ngrams() };
    let split: Vec<Vec<VocabShard>> =
        parts.iter().map(|p| VocabShard::count(&part(p), text.clone()).unwrap().split(buckets).unwrap()).collect();
    let selected: Vec<VocabShard> = (0..buckets)
        .map(|b| {
            // Pairwise, as a reduce by key adds partial sums.
            let mut sum = split[0][b].clone();
            for shard in &split[1..] {
                sum = VocabShard::sum(&[sum, shard[b].clone()]).unwrap();
            }
            sum.select(&s.tfidf).unwrap()
        })
        .collect();
    VocabShard::merge_buckets(&selected, &s.tfidf).unwrap()
}

#[test]
fn bucketed_round_one_gives_the_merged_vocabulary() {
    let n = labeled_corpus().texts.len();
    let parts: Vec<Vec<usize>> = vec![(0..200).collect(), (200..450).collect(), (450..n).collect()];
    for max_features in [None, Some(500), Some(7)] {
        let s = settings(max_features);
        let text = TextSettings { steps: s.steps.clone(), tokenizer: s.tokenizer.clone(), ngrams: s.tfidf.ngrams() };
        let shards: Vec<VocabShard> =
            parts.iter().map(|p| VocabShard::count(&part(p), text.clone()).unwrap()).collect();
        let merged = VocabShard::merge(&shards, &s.tfidf).unwrap();
        for buckets in [1, 4, 13] {
            assert!(bucketed(&parts, &s, buckets) == merged, "{buckets} buckets, max_features {max_features:?}");
        }
    }
}

#[test]
fn buckets_are_checked() {
    let s = settings(None);
    let text = TextSettings { steps: s.steps.clone(), tokenizer: s.tokenizer.clone(), ngrams: s.tfidf.ngrams() };
    let shard = VocabShard::count(&part(&[0, 1, 2]), text).unwrap();
    assert!(shard.split(0).is_err());
    let pieces = shard.split(2).unwrap();
    assert_eq!(pieces.iter().map(|p| p.ngrams.len()).sum::<usize>(), shard.ngrams.len());
    assert!(pieces.iter().all(|p| p.documents == 3));
    // The same bucket twice holds the same n-grams twice.
    let err = VocabShard::merge_buckets(&[pieces[0].clone(), pieces[0].clone()], &s.tfidf).unwrap_err();
    assert!(err.to_string().contains("two buckets"), "{err}");
    let mut other = pieces[1].clone();
    other.documents = 4;
    let err = VocabShard::merge_buckets(&[pieces[0].clone(), other], &s.tfidf).unwrap_err();
    assert!(err.to_string().contains("bucket 2 counts 4 documents"), "{err}");
}

#[test]
fn a_model_shard_holds_only_the_columns_of_its_rows() {
    let s = settings(None);
    let n = labeled_corpus().texts.len();
    let text = TextSettings { steps: s.steps.clone(), tokenizer: s.tokenizer.clone(), ngrams: s.tfidf.ngrams() };
    let whole = VocabShard::merge(&[VocabShard::count(labeled_corpus(), text).unwrap()], &s.tfidf).unwrap();
    let small = ModelShard::count(&part(&[0, 1]), &whole).unwrap();
    assert!(!small.columns.is_empty() && small.columns.len() < whole.features.len() / 10, "{}", small.columns.len());
    assert_eq!(small.feature_total.len(), small.columns.len());
    assert_eq!(small.feature_count.len(), small.columns.len() * small.topics.len());
    // Merged, the sparse shards give the one-file model (with the same vocabulary).
    let shards: Vec<ModelShard> = [(0..2).collect::<Vec<_>>(), (2..n).collect()]
        .iter()
        .map(|p| ModelShard::count(&part(p), &whole).unwrap())
        .collect();
    let merged = ModelShard::merge(&shards).unwrap().into_model(&s.nb, s.threshold, meta()).unwrap();
    assert_same(one_file(&s), &merged);
    let one_file_meta = TrainingMeta { documents: n as u64, ..meta() };
    let again = ModelShard::merge(&shards).unwrap().into_model(&s.nb, s.threshold, one_file_meta).unwrap();
    assert_eq!(tagger::shard::model_differences(one_file(&s), &again, 1e-12), Vec::<String>::new());
}

#[test]
fn model_differences_names_what_differs() {
    let s = settings(None);
    let one = one_file(&s);
    assert!(tagger::shard::model_differences(one, one, 0.0).is_empty());
    let other = Model::train(labeled_corpus().subset(&(0..400).collect::<Vec<_>>()), &s, meta()).unwrap();
    let diffs = tagger::shard::model_differences(one, &other, 1e-12);
    assert!(diffs.iter().any(|d| d == "vocabularies differ"), "{diffs:?}");
    assert!(diffs.iter().any(|d| d.starts_with("feature sums differ in length")), "{diffs:?}");
}
