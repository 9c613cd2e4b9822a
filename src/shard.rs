//! Exact sharded training, for corpora too large for one machine's time budget.
//!
//! TF-IDF with L2 normalization needs the global idf before per-topic sums can be taken, so
//! training is two rounds, each a sum that can be merged in any order:
//!
//! 1. **Vocabulary.** Each shard counts, per n-gram (as text), its document frequency and total
//!    count ([`VocabShard`]). Merging adds them and applies `min_df`, `max_df` and
//!    `max_features` to the totals, giving the same vocabulary and idf as training on the whole
//!    file ([`Vocab`]).
//! 2. **Counts.** Each shard vectorizes its rows with the merged vocabulary and sums them per
//!    topic ([`ModelShard`]). Merging adds the sums (topics aligned by name) and derives the
//!    model. Floating-point sums taken in another order differ from one-file training only in
//!    the last bits (within 1e-12 relative).
//!
//! A model shard can also be merged later with shards of new articles (vectorized with the same
//! vocabulary) to update a model without recounting the old ones.
//!
//! For engines that reduce by key (Spark, Hadoop), round 1 also runs without any process holding
//! every distinct n-gram: [`VocabShard::split`] cuts each shard into buckets by a stable hash of
//! the n-gram, [`VocabShard::sum`] adds the same bucket of every shard, [`VocabShard::select`]
//! applies the bounds to that bucket's totals, and [`VocabShard::merge_buckets`] joins the
//! selected buckets into the same [`Vocab`] as [`VocabShard::merge`]. Model shards are sparse:
//! they hold sums only for the columns their rows have, so a shard of a few rows is small.

use crate::classify::{LabelMode, NaiveBayes, NbCounts, NbValidParams, Sums};
use crate::corpus::LabeledCorpus;
use crate::error::{Error, Result};
use crate::features::tfidf::{count_ngrams, no_column_left};
use crate::features::vocab::{column_order, NgramRange, Vocabulary};
use crate::features::{Tfidf, TfidfValidParams, TokenizedCorpus};
use crate::model::format::{decode_framed, save_atomically, write_framed, FileKind};
use crate::model::{topic_matrix, Model, TrainingMeta};
use crate::text::{Step, TextPipeline, TokenizerSettings};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;

/// The first 8 bytes of a vocabulary shard (`tagger vocab --partial`).
pub const VOCAB_SHARD_MAGIC: &[u8; 8] = b"TAGGERVS";
/// The first 8 bytes of a merged vocabulary (`tagger vocab --merge`).
pub const VOCAB_MAGIC: &[u8; 8] = b"TAGGERVB";
/// The first 8 bytes of a model shard (`tagger train --vocab VOCAB --partial`).
pub const MODEL_SHARD_MAGIC: &[u8; 8] = b"TAGGERMS";

/// Shard files keep format 2's framing and postcard payload: they are read once, merged and
/// dropped, so a layout used in place would save nothing.
const SHARD_VERSION: u32 = 2;

pub(crate) const VOCAB_SHARD: FileKind = FileKind {
    magic: VOCAB_SHARD_MAGIC,
    noun: "vocabulary shard",
    name: "vocabulary shard",
    make: "make one with `tagger vocab --partial`",
    newest: SHARD_VERSION,
    oldest: 1,
};
pub(crate) const VOCAB: FileKind = FileKind {
    magic: VOCAB_MAGIC,
    noun: "vocabulary file",
    name: "merged vocabulary",
    make: "make one with `tagger vocab --merge`",
    newest: SHARD_VERSION,
    oldest: 1,
};
pub(crate) const MODEL_SHARD: FileKind = FileKind {
    magic: MODEL_SHARD_MAGIC,
    noun: "model shard",
    name: "model shard",
    make: "make one with `tagger train --vocab VOCAB --partial`",
    newest: SHARD_VERSION,
    oldest: 1,
};

/// What every shard of one training run must share: how text becomes n-grams.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TextSettings {
    pub steps: Vec<Step>,
    pub tokenizer: TokenizerSettings,
    pub ngrams: NgramRange,
}

/// Round 1 of one shard: per n-gram document frequency and total count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VocabShard {
    pub text: TextSettings,
    pub documents: u64,
    /// (words of the n-gram, df, total count), sorted by words.
    pub ngrams: Vec<(Vec<String>, u32, u64)>,
}

/// The merged vocabulary with its idf: round 2's input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vocab {
    pub text: TextSettings,
    pub documents: u64,
    pub sublinear_tf: bool,
    pub terms: Vec<Box<str>>,
    pub features: Vec<u64>,
    pub idf: Vec<f64>,
}

/// Round 2 of one shard: per-topic sums of its TF-IDF rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelShard {
    pub vocab: Vocab,
    pub documents: u64,
    /// Whether every document of the shard has exactly one topic.
    pub single_label: bool,
    /// Topic names, sorted, with their document counts.
    pub topics: Vec<String>,
    pub class_count: Vec<f64>,
    /// The vocabulary columns that some row of the shard has, ascending. The sums below are
    /// only for them: every other column's sums are 0, and a shard of a few rows stays small
    /// whatever the vocabulary's size.
    pub columns: Vec<u32>,
    /// Feature sums, `columns.len()` x topics, row-major: `feature_count[i * k + t]` is the sum
    /// of column `columns[i]` over the rows of topic `t`.
    pub feature_count: Vec<f64>,
    /// Per entry of `columns`, the sum over all rows (a multi-label row counts once).
    pub feature_total: Vec<f64>,
}

impl VocabShard {
    /// Counts the n-grams of a shard's texts.
    pub fn count(corpus: &LabeledCorpus, text: TextSettings) -> Result<VocabShard> {
        let pipeline = TextPipeline::new(text.steps.clone(), text.tokenizer.clone());
        let views = corpus.texts.views();
        let tokenized = TokenizedCorpus::new(&pipeline, &views);
        // The same counting as one-file training, in one counting shard.
        let mut ngrams: Vec<(Vec<String>, u32, u64)> = count_ngrams(&tokenized.docs, text.ngrams, 0, 1)
            .into_iter()
            .map(|(key, c)| {
                let words =
                    text.ngrams.unpack(key).iter().map(|&id| tokenized.terms[id as usize].to_string()).collect();
                (words, c.df, c.total)
            })
            .collect();
        ngrams.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(VocabShard { text, documents: corpus.texts.len() as u64, ngrams })
    }

    /// Adds shards and applies the document-frequency bounds to the totals.
    pub fn merge(shards: &[VocabShard], params: &TfidfValidParams) -> Result<Vocab> {
        let total = VocabShard::sum(shards)?;
        let any_ngram = !total.ngrams.is_empty();
        build_vocab(total.text, total.documents, total.ngrams, any_ngram, params)
    }

    /// Adds shards without applying any bound: documents and, per n-gram, document frequency and
    /// count. Adding is associative and commutative, so partial sums can be added again in any
    /// order (a reduce by key, a tree).
    pub fn sum(shards: &[VocabShard]) -> Result<VocabShard> {
        let first = same_text(shards)?;
        let documents = shards
            .iter()
            .try_fold(0u64, |sum, s| sum.checked_add(s.documents))
            .ok_or_else(|| Error::params("shards", "the document count exceeds 2^64"))?;
        let mut totals: BTreeMap<&[String], (u32, u64)> = BTreeMap::new();
        for shard in shards {
            for (words, df, total) in &shard.ngrams {
                let e = totals.entry(words.as_slice()).or_insert((0, 0));
                // Checked: shards are files from elsewhere, and a wrapped sum would be silent.
                e.0 =
                    e.0.checked_add(*df).ok_or_else(|| Error::params("shards", "a document frequency exceeds 2^32"))?;
                e.1 = e.1.checked_add(*total).ok_or_else(|| Error::params("shards", "an n-gram count exceeds 2^64"))?;
            }
        }
        let ngrams = totals.into_iter().map(|(w, (df, total))| (w.to_vec(), df, total)).collect();
        Ok(VocabShard { text: first.text.clone(), documents, ngrams })
    }

    /// Cuts the shard into `buckets` shards by a stable hash of each n-gram's words (the same
    /// bucket on every machine and in every run). Each bucket keeps the shard's document count,
    /// so the sum of one bucket over all shards has the corpus's document count and the
    /// corpus's totals for the n-grams of that bucket.
    pub fn split(&self, buckets: usize) -> Result<Vec<VocabShard>> {
        if buckets == 0 || buckets > MAX_BUCKETS {
            return Err(Error::params("buckets", format!("{buckets} is outside 1..={MAX_BUCKETS}")));
        }
        let mut out: Vec<VocabShard> = (0..buckets)
            .map(|_| VocabShard { text: self.text.clone(), documents: self.documents, ngrams: Vec::new() })
            .collect();
        for ngram in &self.ngrams {
            out[bucket_of(&ngram.0, buckets)].ngrams.push(ngram.clone());
        }
        Ok(out)
    }

    /// The n-grams of a bucket sum (see [`VocabShard::split`]) that pass `min_df` and `max_df`,
    /// taken against the bucket's document count (the corpus's), and, with `max_features`, at
    /// most that many: the most frequent, ties in column order, as [`VocabShard::merge`] chooses
    /// among all n-grams. A column kept by the whole corpus's `max_features` is therefore kept
    /// by its bucket, and [`VocabShard::merge_buckets`] makes the final choice.
    pub fn select(&self, params: &TfidfValidParams) -> Result<VocabShard> {
        self.check().map_err(|why| Error::params("shards", why))?;
        let n = self.documents as usize;
        let (min_df, max_df) = (params.min_df().resolve(n).max(1), params.max_df().resolve(n));
        let mut kept: Vec<(Vec<String>, u32, u64)> =
            self.ngrams.iter().filter(|&&(_, df, _)| df as usize >= min_df && df as usize <= max_df).cloned().collect();
        if let Some(limit) = params.max_features() {
            if kept.len() > limit {
                // Column order is by n, then by the words in sorted order (word ids are given in
                // sorted order), so it needs no global word list.
                kept.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.len().cmp(&b.0.len())).then(a.0.cmp(&b.0)));
                kept.truncate(limit);
                kept.sort_by(|a, b| a.0.cmp(&b.0));
            }
        }
        Ok(VocabShard { text: self.text.clone(), documents: self.documents, ngrams: kept })
    }

    /// Joins selected buckets (each a [`VocabShard::select`] of one bucket's sum over every
    /// shard) into the vocabulary [`VocabShard::merge`] gives for all the shards.
    pub fn merge_buckets(buckets: &[VocabShard], params: &TfidfValidParams) -> Result<Vocab> {
        let first = same_text(buckets)?;
        if let Some((i, b)) = buckets.iter().enumerate().find(|(_, b)| b.documents != first.documents) {
            return Err(Error::params(
                "buckets",
                format!(
                    "bucket {} counts {} documents and bucket 1 {}: buckets of one corpus all count all of its documents",
                    i + 1,
                    b.documents,
                    first.documents
                ),
            ));
        }
        let mut ngrams: Vec<(Vec<String>, u32, u64)> = buckets.iter().flat_map(|b| b.ngrams.iter().cloned()).collect();
        ngrams.sort_by(|a, b| a.0.cmp(&b.0));
        if ngrams.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(Error::params("buckets", "an n-gram is in two buckets: sum each bucket once, then select it"));
        }
        // Selected buckets no longer show whether the corpus had any n-gram at all, so an empty
        // result is reported as the bounds keeping none.
        let any_ngram = true;
        build_vocab(first.text.clone(), first.documents, ngrams, any_ngram, params)
    }
}

/// More buckets than this is a mistake (each is a task and a file), not a plan.
pub const MAX_BUCKETS: usize = 1 << 16;

/// The bucket of an n-gram: FNV-1a over its words, each followed by a 0x1f separator, so that
/// every machine and run puts it in the same bucket (std's hasher is seeded per process).
fn bucket_of(words: &[String], buckets: usize) -> usize {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for w in words {
        for &b in w.as_bytes().iter().chain([0x1fu8].iter()) {
            h ^= b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    (h % buckets as u64) as usize
}

/// The first shard, when every shard was counted with its text settings.
fn same_text(shards: &[VocabShard]) -> Result<&VocabShard> {
    let first = shards.first().ok_or_else(|| Error::params("shards", "nothing to merge"))?;
    if let Some((i, _)) = shards.iter().enumerate().find(|(_, s)| s.text != first.text) {
        return Err(Error::params(
            "shards",
            format!("shard {} was counted with other text settings than shard 1", i + 1),
        ));
    }
    Ok(first)
}

/// The vocabulary of n-gram totals (sorted by words): the bounds, then the columns in one-file
/// order with their idf.
fn build_vocab(
    text: TextSettings,
    documents: u64,
    totals: Vec<(Vec<String>, u32, u64)>,
    any_ngram: bool,
    params: &TfidfValidParams,
) -> Result<Vocab> {
    let n = documents as usize;
    let (min_df, max_df) = (params.min_df().resolve(n).max(1), params.max_df().resolve(n));
    let kept: Vec<(&[String], u32, u64)> = totals
        .iter()
        .filter(|&&(_, df, _)| df as usize >= min_df && df as usize <= max_df)
        .map(|(w, df, total)| (w.as_slice(), *df, *total))
        .collect();

    // Words get ids in sorted order; columns follow the one-file order (by n, then words).
    let mut words: Vec<&str> = kept.iter().flat_map(|(w, _, _)| w.iter().map(String::as_str)).collect();
    words.sort_unstable();
    words.dedup();
    let id = |w: &str| words.binary_search(&w).expect("word of a kept n-gram") as u32;
    let ngrams = text.ngrams;
    let mut columns: Vec<(u64, u32, u64)> = kept
        .iter()
        .map(|(w, df, total)| (ngrams.pack(&w.iter().map(|x| id(x)).collect::<Vec<_>>()), *df, *total))
        .collect();
    columns.sort_by_key(|&(key, _, _)| column_order(ngrams, key));
    if let Some(limit) = params.max_features() {
        if columns.len() > limit {
            columns.sort_by_key(|k| std::cmp::Reverse(k.2));
            columns.truncate(limit);
            columns.sort_by_key(|&(key, _, _)| column_order(ngrams, key));
            // Words no column uses any more are dropped, as one-file training does.
            let used: std::collections::BTreeSet<u32> =
                columns.iter().flat_map(|&(k, _, _)| ngrams.unpack(k)).collect();
            let old_words = words.clone();
            words = used.iter().map(|&i| old_words[i as usize]).collect();
            let remap: BTreeMap<u32, u32> = used.iter().enumerate().map(|(new, &old)| (old, new as u32)).collect();
            for c in &mut columns {
                c.0 = ngrams.pack(&ngrams.unpack(c.0).iter().map(|i| remap[i]).collect::<Vec<_>>());
            }
        }
    }
    if columns.is_empty() {
        // Shards keep n-grams, not words: with no n-gram at all and 1-grams counted, no
        // document had a word; with longer n-grams, none had enough words in a row.
        let any_word = any_ngram || ngrams.min > 1;
        return Err(no_column_left(any_word, ngrams, min_df, max_df, n));
    }
    let idf = columns.iter().map(|&(_, df, _)| params.idf(documents, df)).collect();
    Ok(Vocab {
        text,
        documents,
        sublinear_tf: params.sublinear_tf(),
        terms: words.into_iter().map(Box::from).collect(),
        features: columns.into_iter().map(|c| c.0).collect(),
        idf,
    })
}

impl VocabShard {
    /// Why the shard cannot be merged, if it cannot.
    fn check(&self) -> std::result::Result<(), String> {
        let r = self.text.ngrams;
        NgramRange::new(r.min, r.max).map_err(|e| e.to_string())?;
        for (i, (words, df, _)) in self.ngrams.iter().enumerate() {
            if words.len() < r.min as usize || words.len() > r.max as usize {
                return Err(format!("n-gram {} has {} words, outside {}..={}", i + 1, words.len(), r.min, r.max));
            }
            if *df as u64 > self.documents {
                return Err(format!("n-gram {} is in {df} documents of {}", i + 1, self.documents));
            }
        }
        Ok(())
    }
}

impl Vocab {
    fn check(&self) -> std::result::Result<(), String> {
        // Before anything that packs or unpacks keys: a range with max 0 divides by zero there.
        let r = self.text.ngrams;
        NgramRange::new(r.min, r.max).map_err(|e| e.to_string())?;
        if self.idf.len() != self.features.len() {
            return Err(format!("{} idf values for {} features", self.idf.len(), self.features.len()));
        }
        // Vocabulary::new checks that every feature's word ids are in range.
        self.tfidf().map(|_| ()).map_err(|e| e.to_string())
    }

    fn tfidf(&self) -> Result<Tfidf> {
        let vocab = Vocabulary::new(self.text.ngrams, self.terms.clone(), self.features.clone())?;
        Tfidf::new(vocab, self.idf.clone(), self.sublinear_tf)
    }
}

impl ModelShard {
    /// Vectorizes a shard's labeled rows with the merged vocabulary and sums them per topic,
    /// keeping the columns the rows have.
    pub fn count(corpus: &LabeledCorpus, vocab: &Vocab) -> Result<ModelShard> {
        let pipeline = TextPipeline::new(vocab.text.steps.clone(), vocab.text.tokenizer.clone());
        let rows = vocab.tfidf()?.transform(&pipeline, &corpus.texts.views());
        let k = corpus.topics.len();
        let Sums { class_count, feature_count, feature_total } = Sums::of(&rows, &topic_matrix(&corpus.labels, k));
        // A column some row has sums to more than 0: TF-IDF values are positive (tf > 0, idf
        // >= 1). A column whose sums are all 0 adds nothing, so leaving it out is exact.
        let columns: Vec<u32> =
            (0..feature_total.len()).filter(|&j| feature_total[j] != 0.0).map(|j| j as u32).collect();
        Ok(ModelShard {
            vocab: vocab.clone(),
            documents: corpus.texts.len() as u64,
            single_label: corpus.labels.iter().all(|l| l.len() == 1),
            topics: corpus.topics.clone(),
            class_count,
            feature_count: columns
                .iter()
                .flat_map(|&j| &feature_count[j as usize * k..(j as usize + 1) * k])
                .copied()
                .collect(),
            feature_total: columns.iter().map(|&j| feature_total[j as usize]).collect(),
            columns,
        })
    }

    /// Adds shards counted with the same vocabulary; topics are aligned by name. The result holds
    /// the union of the shards' columns. Each sum is taken in shard order, as a dense sum
    /// would be (a column a shard lacks would add 0.0, which changes nothing).
    pub fn merge(shards: &[ModelShard]) -> Result<ModelShard> {
        let first = shards.first().ok_or_else(|| Error::params("shards", "nothing to merge"))?;
        if let Some((i, _)) = shards.iter().enumerate().find(|(_, s)| s.vocab != first.vocab) {
            return Err(Error::params(
                "shards",
                format!("shard {} was counted with another vocabulary than shard 1", i + 1),
            ));
        }
        let topics: Vec<String> = shards
            .iter()
            .flat_map(|s| s.topics.iter().cloned())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut columns: Vec<u32> = shards.iter().flat_map(|s| s.columns.iter().copied()).collect();
        columns.sort_unstable();
        columns.dedup();
        let k = topics.len();
        let mut merged = ModelShard {
            vocab: first.vocab.clone(),
            documents: 0,
            single_label: true,
            topics: topics.clone(),
            class_count: vec![0.0; k],
            feature_count: vec![0.0; columns.len() * k],
            feature_total: vec![0.0; columns.len()],
            columns,
        };
        for shard in shards {
            let map: Vec<usize> = shard.topics.iter().map(|t| topics.binary_search(t).expect("union")).collect();
            let sk = shard.topics.len();
            merged.documents = merged
                .documents
                .checked_add(shard.documents)
                .ok_or_else(|| Error::params("shards", "the document count exceeds 2^64"))?;
            merged.single_label &= shard.single_label;
            for (t, &m) in map.iter().enumerate() {
                merged.class_count[m] += shard.class_count[t];
            }
            // Both column lists are ascending: one walk finds each of the shard's columns.
            let mut at = 0;
            for (i, &col) in shard.columns.iter().enumerate() {
                at += merged.columns[at..].binary_search(&col).expect("union of columns");
                merged.feature_total[at] += shard.feature_total[i];
                for (t, &m) in map.iter().enumerate() {
                    merged.feature_count[at * k + m] += shard.feature_count[i * sk + t];
                }
            }
        }
        Ok(merged)
    }

    fn check(&self) -> std::result::Result<(), String> {
        self.vocab.check()?;
        let (k, nf) = (self.topics.len(), self.vocab.features.len());
        if !self.topics.windows(2).all(|w| w[0] < w[1]) {
            return Err("its topics are not sorted and distinct".into());
        }
        if self.class_count.len() != k {
            return Err(format!("{} document counts for {k} topics", self.class_count.len()));
        }
        if !self.columns.windows(2).all(|w| w[0] < w[1]) {
            return Err("its columns are not ascending and distinct".into());
        }
        if let Some(&last) = self.columns.last() {
            if last as usize >= nf {
                return Err(format!("column {last} is past the vocabulary's {nf} features"));
            }
        }
        let nc = self.columns.len();
        if self.feature_total.len() != nc {
            return Err(format!("{} feature totals for {nc} columns", self.feature_total.len()));
        }
        if Some(self.feature_count.len()) != nc.checked_mul(k) {
            return Err(format!("{} feature sums for {nc} columns x {k} topics", self.feature_count.len()));
        }
        Ok(())
    }

    /// The model these counts give.
    pub fn into_model(self, nb: &NbValidParams, threshold: f64, meta: TrainingMeta) -> Result<Model> {
        if self.topics.len() < 2 {
            return Err(Error::training(
                &meta.source,
                format!("only one topic ({}); a classifier needs at least two", self.topics.join(", ")),
            ));
        }
        let mode = nb.mode().unwrap_or(if self.single_label { LabelMode::Single } else { LabelMode::Multi });
        let tfidf = self.vocab.tfidf()?;
        let (k, nf) = (self.topics.len(), self.vocab.features.len());
        let mut feature_count = vec![0.0; nf * k];
        let mut feature_total = vec![0.0; nf];
        for (i, &j) in self.columns.iter().enumerate() {
            let j = j as usize;
            feature_total[j] = self.feature_total[i];
            feature_count[j * k..(j + 1) * k].copy_from_slice(&self.feature_count[i * k..(i + 1) * k]);
        }
        let classifier = NaiveBayes::from_counts(NbCounts {
            kind: nb.kind(),
            mode,
            alpha: nb.alpha(),
            n_docs: self.documents as f64,
            class_count: self.class_count,
            feature_count: feature_count.into(),
            feature_total: feature_total.into(),
        })?;
        let pipeline = TextPipeline::new(self.vocab.text.steps, self.vocab.text.tokenizer);
        Model::from_parts(self.topics, pipeline, tfidf, classifier, threshold, meta)
    }
}

/// How two models differ, field by field: topics, text settings, vocabulary, idf, document
/// counts and naive Bayes settings exactly; feature sums within `rel_tol` relative (sums taken in
/// another order differ in the last bits); thresholds exactly. The training metadata's `source`
/// (a file name, or "N merged shards") is not compared. Empty when the models agree.
pub fn model_differences(a: &Model, b: &Model, rel_tol: f64) -> Vec<String> {
    let mut out = Vec::new();
    let mut exact = |name: &str, same: bool| {
        if !same {
            out.push(format!("{name} differ"));
        }
    };
    exact("topics", a.topics() == b.topics());
    exact("normalizers", a.pipeline().normalizer == b.pipeline().normalizer);
    exact("tokenizer settings", a.pipeline().tokenizer.settings() == b.pipeline().tokenizer.settings());
    exact("vocabularies", a.tfidf().vocabulary() == b.tfidf().vocabulary());
    exact("idf weights", a.tfidf().idf() == b.tfidf().idf());
    exact("sublinear tf settings", a.tfidf().sublinear_tf() == b.tfidf().sublinear_tf());
    exact("thresholds", a.threshold() == b.threshold() && a.topic_thresholds() == b.topic_thresholds());
    let (ma, mb) = (a.meta(), b.meta());
    exact("document counts (metadata)", ma.documents == mb.documents);
    exact("training dates", ma.trained_at == mb.trained_at);
    let (ca, cb) = (a.classifier().counts(), b.classifier().counts());
    exact("classifier kinds", ca.kind == cb.kind);
    exact("label modes", ca.mode == cb.mode);
    exact("alphas", ca.alpha == cb.alpha);
    exact("document counts", ca.n_docs == cb.n_docs);
    exact("per-topic document counts", ca.class_count == cb.class_count);
    for (name, x, y) in [
        ("feature sums", &*ca.feature_count, &*cb.feature_count),
        ("feature totals", &*ca.feature_total, &*cb.feature_total),
    ] {
        if x.len() != y.len() {
            out.push(format!("{name} differ in length: {} vs {}", x.len(), y.len()));
            continue;
        }
        let mut worst: Option<(usize, f64)> = None;
        let mut beyond = 0usize;
        for (i, (p, q)) in x.iter().zip(y).enumerate() {
            let rel = if p == q { 0.0 } else { (p - q).abs() / p.abs().max(q.abs()) };
            // A NaN (a NaN sum, or infinities of one sign against a finite value) is beyond any
            // tolerance.
            let rel = if rel.is_nan() { f64::INFINITY } else { rel };
            if rel > rel_tol {
                beyond += 1;
                if worst.is_none_or(|(_, w)| rel > w) {
                    worst = Some((i, rel));
                }
            }
        }
        if let Some((i, rel)) = worst {
            out.push(format!(
                "{name}: {beyond} of {} beyond {rel_tol:e} relative (the largest {rel:e} at index {i}: {} vs {})",
                x.len(),
                x[i],
                y[i]
            ));
        }
    }
    out
}

macro_rules! framed_file {
    ($ty:ty, $kind:expr) => {
        impl $ty {
            pub fn write_to(&self, mut out: impl Write, name: &str) -> Result<()> {
                write_framed(&mut out, &$kind, self, name)
            }

            /// Decodes and range-checks: a checksum only proves the bytes are the ones written,
            /// not that a writer (or a hand-edited file) kept the lengths consistent, and the
            /// merges index by those lengths.
            pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Self> {
                let value: Self = decode_framed(bytes, &$kind, name)?;
                value.check().map_err(|why| Error::model(name, format!("damaged {}: {why}", $kind.noun)))?;
                Ok(value)
            }

            pub fn save(&self, path: &std::path::Path) -> Result<()> {
                save_atomically(path, |out, name| self.write_to(out, name))
            }

            pub fn load(path: &std::path::Path) -> Result<Self> {
                let bytes = crate::model::format::read_framed_file(path, &$kind)?;
                Self::from_bytes(&bytes, &path.display().to_string())
            }
        }
    };
}

framed_file!(VocabShard, VOCAB_SHARD);
framed_file!(Vocab, VOCAB);
framed_file!(ModelShard, MODEL_SHARD);

#[cfg(test)]
mod tests {
    use super::*;

    fn shard() -> ModelShard {
        let text = TextSettings {
            steps: Vec::new(),
            tokenizer: TokenizerSettings::default(),
            ngrams: NgramRange::new(1, 1).unwrap(),
        };
        let vocab = Vocab {
            text,
            documents: 2,
            sublinear_tf: false,
            terms: vec!["a".into(), "b".into()],
            features: vec![1, 2],
            idf: vec![1.0, 1.0],
        };
        ModelShard {
            vocab,
            documents: 2,
            single_label: true,
            topics: vec!["x".into(), "y".into()],
            class_count: vec![1.0, 1.0],
            columns: vec![0, 1],
            feature_count: vec![1.0, 0.0, 0.0, 1.0],
            feature_total: vec![1.0, 1.0],
        }
    }

    fn bytes(s: &ModelShard) -> Vec<u8> {
        let mut out = Vec::new();
        s.write_to(&mut out, "s").unwrap();
        out
    }

    #[test]
    fn a_checksum_correct_truncated_model_shard_is_refused_not_merged() {
        let good = shard();
        assert_eq!(ModelShard::from_bytes(&bytes(&good), "s").unwrap(), good);
        let mut bad = shard();
        bad.feature_count.truncate(1);
        let data = bytes(&bad);
        // Past the 24-byte header: the frame is intact, only the contents disagree.
        assert!(data.len() > 24);
        let err = ModelShard::from_bytes(&data, "s.bin").unwrap_err().to_string();
        assert!(
            err.contains("s.bin")
                && err.contains("damaged model shard")
                && err.contains("1 feature sums for 2 columns"),
            "{err}"
        );
        for edit in [
            |s: &mut ModelShard| s.feature_total.pop().map(|_| ()).unwrap(),
            |s: &mut ModelShard| s.class_count.pop().map(|_| ()).unwrap(),
            |s: &mut ModelShard| s.vocab.idf.pop().map(|_| ()).unwrap(),
            |s: &mut ModelShard| s.topics.reverse(),
            |s: &mut ModelShard| s.columns.reverse(),
            |s: &mut ModelShard| s.columns[1] = 2,
        ] {
            let mut bad = shard();
            edit(&mut bad);
            assert!(ModelShard::from_bytes(&bytes(&bad), "s").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_vocabulary_with_an_impossible_ngram_range_is_refused() {
        // Found by the shard_load fuzzer: n-grams 1..0 loaded, and counting a model shard with
        // it divided by zero while packing keys.
        let mut vocab = shard().vocab;
        vocab.text.ngrams.max = 0;
        let mut out = Vec::new();
        vocab.write_to(&mut out, "v").unwrap();
        let err = Vocab::from_bytes(&out, "v.bin").unwrap_err().to_string();
        assert!(err.contains("v.bin") && err.contains("damaged vocabulary file") && err.contains("1..0"), "{err}");
    }

    #[test]
    fn a_vocab_shard_with_impossible_counts_is_refused() {
        let text = shard().vocab.text;
        let bad = VocabShard { text, documents: 1, ngrams: vec![(vec!["a".into()], 5, 5)] };
        let mut out = Vec::new();
        bad.write_to(&mut out, "v").unwrap();
        assert!(VocabShard::from_bytes(&out, "v").is_err());
        let mut text = shard().vocab.text;
        text.ngrams.max = 200;
        let bad = VocabShard { text, documents: 1, ngrams: vec![] };
        let mut out = Vec::new();
        bad.write_to(&mut out, "v").unwrap();
        assert!(VocabShard::from_bytes(&out, "v").is_err());
    }
}
