//! The saved pipeline: text settings, TF-IDF, classifier, topic names, threshold and training
//! metadata, with training and prediction over it. [`format`] owns the file encoding.

pub mod format;

use crate::classify::{LabelMode, NaiveBayes, NbValidParams};
use crate::corpus::LabeledCorpus;
use crate::error::{Error, Result};
use crate::features::{Scratch, SparseRows, Tfidf, TfidfValidParams, TokenizedCorpus};
use crate::section::Section;
use crate::text::{Step, TextPipeline, TokenizerSettings};
use linfa::traits::Fit;
use linfa::DatasetBase;
use ndarray::Array2;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

/// Where and when a model was trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingMeta {
    /// The training file's name (without its folder, so a model does not depend on where it was
    /// built).
    pub source: String,
    pub documents: u64,
    /// Seconds since the Unix epoch; the CLI takes `SOURCE_DATE_EPOCH` when set, for
    /// reproducible builds.
    pub trained_at: u64,
    pub tagger_version: String,
    /// What the training data was, where it came from and under which licenses (free text,
    /// `tagger train --about`); empty when nobody said.
    pub about: String,
}

impl TrainingMeta {
    /// Metadata for a model trained from `source` now by this tagger version; training fills
    /// in `documents`.
    pub fn new(source: impl Into<String>) -> TrainingMeta {
        TrainingMeta {
            source: source.into(),
            documents: 0,
            trained_at: 0,
            tagger_version: env!("CARGO_PKG_VERSION").into(),
            about: String::new(),
        }
    }
}

/// Everything `train` needs besides the data. [`TrainSettings::default`] is what `tagger train`
/// does without options.
#[derive(Debug, Clone)]
pub struct TrainSettings {
    pub steps: Vec<Step>,
    pub tokenizer: TokenizerSettings,
    pub tfidf: TfidfValidParams,
    pub nb: NbValidParams,
    /// Probability at or above which a topic is given (multi-label); see [`Model::threshold`].
    pub threshold: f64,
}

/// The CLI's default threshold: chosen by 5-fold cross-validation on `data/labels.csv`.
pub const DEFAULT_THRESHOLD: f64 = 0.7;

impl Default for TrainSettings {
    /// `tagger train`'s defaults: the Arabic normalizer, stemming, the built-in stopwords, 1-2
    /// word n-grams with min_df 2 and sublinear tf, complement naive Bayes with alpha 0.1 (the
    /// better kind in cross-validation on both data/labels.csv and SANAD), the label mode
    /// read from the data, threshold 0.7.
    fn default() -> Self {
        use linfa::ParamGuard;
        TrainSettings {
            steps: Step::ARABIC_DEFAULT.to_vec(),
            tokenizer: TokenizerSettings::default(),
            tfidf: crate::features::TfidfParams::new().check().expect("the default TF-IDF parameters are valid"),
            nb: crate::classify::NbParams::new()
                .kind(crate::classify::NbKind::Complement)
                .check()
                .expect("the default naive Bayes parameters are valid"),
            threshold: DEFAULT_THRESHOLD,
        }
    }
}

/// The model's decision for one document.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Prediction {
    /// Probability of every topic, in the model's topic order; empty when the text has no
    /// word the model knows.
    pub scores: Vec<f64>,
    /// Indices of the topics given, most probable first.
    pub topics: Vec<usize>,
}

/// How predictions turn scores into topics. [`Decision::default`]: each topic's own threshold,
/// no limit on the number of topics.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Decision {
    /// Give topics from this probability on; `None`: each topic's own threshold, stored in the
    /// model ([`Model::topic_thresholds`]).
    pub threshold: Option<f64>,
    /// At most this many topics (0: no limit).
    pub top_k: usize,
}

/// A trained pipeline: normalizer, tokenizer, TF-IDF vocabulary and weights, naive Bayes
/// classifier, topic names, thresholds and where it was trained. Train one with
/// [`Model::train`], load one with [`Model::load`] or [`crate::default_model::load`], and
/// predict with [`Model::predict`] or [`Model::predict_batch`]; the crate's front page has an
/// example.
#[derive(Debug, Clone)]
pub struct Model {
    pub(crate) topics: Vec<String>,
    pub(crate) pipeline: TextPipeline,
    pub(crate) tfidf: Tfidf,
    pub(crate) classifier: NaiveBayes,
    pub(crate) threshold: f64,
    /// Per topic, the probability from which it is given (all equal to `threshold` unless
    /// tuned by cross-validation at training time).
    pub(crate) thresholds: Vec<f64>,
    /// Sorted fingerprints ([`fingerprint`]) of the training texts, so that `eval` can say
    /// when it is scoring texts the model learned from.
    pub(crate) fingerprints: Section<u64>,
    pub(crate) meta: TrainingMeta,
}

impl Decision {
    /// A decision with one threshold for every topic (`None`: each topic's own) and at most
    /// `top_k` topics (0: no limit); the threshold must be a probability.
    pub fn new(threshold: Option<f64>, top_k: usize) -> Result<Decision> {
        threshold.map_or(Ok(()), check_threshold)?;
        Ok(Decision { threshold, top_k })
    }
}

impl PartialEq for Model {
    fn eq(&self, other: &Self) -> bool {
        self.topics == other.topics
            && self.pipeline.normalizer == other.pipeline.normalizer
            && self.pipeline.tokenizer.settings() == other.pipeline.tokenizer.settings()
            && self.tfidf == other.tfidf
            && self.classifier == other.classifier
            && self.threshold == other.threshold
            && self.thresholds == other.thresholds
            && self.fingerprints == other.fingerprints
            && self.meta == other.meta
    }
}

/// A training corpus after vectorizing: what cross-validation reuses fold after fold.
pub struct Vectorized {
    pub tfidf: Tfidf,
    pub rows: SparseRows,
}

impl Model {
    /// Learns a model from labeled documents. The text is dropped once tokenized, so memory is
    /// the token ids and the sparse rows, not the raw corpus.
    pub fn train(corpus: LabeledCorpus, settings: &TrainSettings, mut meta: TrainingMeta) -> Result<Model> {
        check_threshold(settings.threshold)?;
        let pipeline = TextPipeline::new(settings.steps.clone(), settings.tokenizer.clone());
        let LabeledCorpus { source, texts, labels, topics, unlabeled_lines, .. } = corpus;
        if settings.nb.mode() == Some(LabelMode::Single) && !unlabeled_lines.is_empty() {
            return Err(Error::training(
                source,
                format!("line {}: no topic; single-label training needs exactly one topic per row", unlabeled_lines[0]),
            ));
        }
        if texts.is_empty() {
            return Err(Error::training(source, "no documents to train on"));
        }
        if topics.len() < 2 {
            return Err(Error::training(
                source,
                format!("only one topic ({}); a classifier needs at least two", topics.join(", ")),
            ));
        }
        meta.documents = texts.len() as u64;
        let fingerprints = fingerprints(texts.iter());
        let views = texts.views();
        let tokenized = TokenizedCorpus::new(&pipeline, &views);
        drop(views);
        drop(texts);
        let (tfidf, rows) =
            settings.tfidf.fit_transform(&tokenized).map_err(|e| Error::training(&source, e.to_string()))?;
        drop(tokenized);
        let targets = topic_matrix(&labels, topics.len());
        let classifier = settings.nb.fit(&DatasetBase::new(rows, targets))?;
        let thresholds = vec![settings.threshold; topics.len()];
        Ok(Model {
            topics,
            pipeline,
            tfidf,
            classifier,
            threshold: settings.threshold,
            thresholds,
            fingerprints: fingerprints.into(),
            meta,
        })
    }

    /// Assembles a model from fitted parts (used by merged shard training).
    pub fn from_parts(
        topics: Vec<String>,
        pipeline: TextPipeline,
        tfidf: Tfidf,
        classifier: NaiveBayes,
        threshold: f64,
        meta: TrainingMeta,
    ) -> Result<Model> {
        check_threshold(threshold)?;
        if classifier.n_topics() != topics.len() || classifier.n_features() != tfidf.n_features() {
            return Err(Error::params("model", "classifier, topics and features do not match"));
        }
        let thresholds = vec![threshold; topics.len()];
        Ok(Model { topics, pipeline, tfidf, classifier, threshold, thresholds, fingerprints: Section::default(), meta })
    }

    pub fn topics(&self) -> &[String] {
        &self.topics
    }

    pub fn meta(&self) -> &TrainingMeta {
        &self.meta
    }

    /// The default threshold stored at training time (`tagger train --threshold`).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Per topic (in [`Model::topics`] order), the probability from which the topic is given
    /// when no threshold is asked for: the default threshold, or the one cross-validation chose
    /// for the topic (`tagger train --tune-thresholds`).
    pub fn topic_thresholds(&self) -> &[f64] {
        &self.thresholds
    }

    /// Sets each topic's threshold (in topic order); each must be a probability.
    pub fn set_topic_thresholds(&mut self, thresholds: Vec<f64>) -> Result<()> {
        if thresholds.len() != self.topics.len() {
            return Err(Error::params(
                "thresholds",
                format!("{} thresholds for {} topics", thresholds.len(), self.topics.len()),
            ));
        }
        thresholds.iter().try_for_each(|&t| check_threshold(t))?;
        self.thresholds = thresholds;
        Ok(())
    }

    /// How many of `texts` the model was trained on (same text, byte for byte).
    pub fn trained_on_count<'a>(&self, texts: impl Iterator<Item = &'a str>) -> usize {
        texts.filter(|t| self.fingerprints.binary_search(&fingerprint(t)).is_ok()).count()
    }

    pub fn mode(&self) -> LabelMode {
        self.classifier.mode()
    }

    pub fn classifier(&self) -> &NaiveBayes {
        &self.classifier
    }

    pub fn tfidf(&self) -> &Tfidf {
        &self.tfidf
    }

    pub fn pipeline(&self) -> &TextPipeline {
        &self.pipeline
    }

    pub fn default_decision(&self) -> Decision {
        Decision { threshold: None, top_k: 0 }
    }

    /// Topic probabilities of one text, using caller-owned buffers.
    pub fn scores_into(&self, text: &str, scratch: &mut Scratch, scores: &mut Vec<f64>) {
        self.tfidf.transform_into(&self.pipeline, text, scratch);
        scores.clear();
        scores.resize(self.topics.len(), 0.0);
        self.classifier.joint_log_likelihood_row(&scratch.indices, &scratch.values, scores);
        self.classifier.to_probabilities(scores);
    }

    /// Scores and topics of one text. A text with no word the model knows (empty, another
    /// language, only stopwords) gets neither scores nor topics: the model has no evidence.
    pub fn predict_with(&self, text: &str, decision: Decision, scratch: &mut Scratch) -> Prediction {
        let mut out = Prediction { scores: Vec::with_capacity(self.topics.len()), topics: Vec::new() };
        self.predict_into(text, decision, scratch, &mut out);
        out
    }

    /// [`Model::predict_with`] into `out`, reusing its vectors and `scratch`: once they have
    /// grown, predicting allocates nothing (`label` relies on it).
    pub fn predict_into(&self, text: &str, decision: Decision, scratch: &mut Scratch, out: &mut Prediction) {
        self.scores_into(text, scratch, &mut out.scores);
        out.topics.clear();
        if scratch.indices.is_empty() {
            out.scores.clear();
            return;
        }
        self.decide_into(&out.scores, decision, &mut out.topics);
    }

    /// Scores and topics of one text (see [`Model::predict_with`]); for many texts,
    /// [`Model::predict_batch`] reuses buffers and runs in parallel.
    pub fn predict(&self, text: &str, decision: Decision) -> Prediction {
        self.predict_with(text, decision, &mut Scratch::default())
    }

    /// Predicts many texts in parallel, results in input order.
    pub fn predict_batch<S: AsRef<str> + Sync>(&self, texts: &[S], decision: Decision) -> Vec<Prediction> {
        texts
            .par_iter()
            .with_min_len(16)
            .map_init(Scratch::default, |scratch, text| self.predict_with(text.as_ref(), decision, scratch))
            .collect()
    }

    /// Topics whose probability reaches the threshold, most probable first. A single-label
    /// model gives its best topic, unless `decision` has a threshold that it does not reach.
    pub fn decide(&self, scores: &[f64], decision: Decision) -> Vec<usize> {
        let mut given = Vec::with_capacity(scores.len());
        self.decide_into(scores, decision, &mut given);
        given
    }

    /// [`Model::decide`] into `given`, without allocating once it holds a topic per score.
    pub fn decide_into(&self, scores: &[f64], decision: Decision, given: &mut Vec<usize>) {
        given.clear();
        given.extend(0..scores.len());
        // Ties keep topic order (an unstable sort with the index as tie-break never allocates,
        // where a stable sort of more than 20 topics would).
        given.sort_unstable_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
        let reaches = |t: usize| scores[t] >= decision.threshold.unwrap_or(self.thresholds[t]);
        match self.mode() {
            // The best topic always, unless a threshold was asked for and it falls short: a
            // user who says `--threshold 0.9` means it for single-label models too.
            LabelMode::Single => {
                let Some(&best) = given.first() else { return };
                if decision.threshold.is_some_and(|t| scores[best] < t) {
                    given.clear();
                    return;
                }
                let mut first = true;
                given.retain(|&t| std::mem::take(&mut first) || reaches(t));
            }
            LabelMode::Multi => given.retain(|&t| reaches(t)),
        }
        if decision.top_k > 0 {
            given.truncate(decision.top_k);
        }
    }

    /// The n-grams that weighed most for `topic` in `text`: (n-gram, contribution to the
    /// topic's log-odds), largest first.
    pub fn explain(&self, text: &str, topic: usize, limit: usize) -> Vec<(String, f64)> {
        let mut scratch = Scratch::default();
        self.tfidf.transform_into(&self.pipeline, text, &mut scratch);
        let w = self.classifier.weights();
        let k = self.topics.len();
        let mut parts: Vec<(usize, f64)> = scratch
            .indices
            .iter()
            .zip(&scratch.values)
            .map(|(&j, &x)| {
                let row = w.row(j as usize);
                let centered = match self.mode() {
                    // Softmax is unchanged by a per-feature constant, so centering is exact.
                    LabelMode::Single => row[topic] - row.sum() / k as f64,
                    LabelMode::Multi => row[topic],
                };
                (j as usize, x * centered)
            })
            .filter(|&(_, c)| c > 0.0)
            .collect();
        parts.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        parts.truncate(limit);
        parts.into_iter().map(|(j, c)| (self.tfidf.vocabulary().feature_name(j), c)).collect()
    }

    /// The most indicative n-grams of each topic, by weight relative to the other topics.
    pub fn top_terms(&self, topic: usize, limit: usize) -> Vec<(String, f64)> {
        let w = self.classifier.weights();
        let k = self.topics.len() as f64;
        let mut scored: Vec<(usize, f64)> = w
            .rows()
            .into_iter()
            .enumerate()
            .map(|(j, row)| {
                let s = match self.mode() {
                    LabelMode::Single => row[topic] - row.sum() / k,
                    LabelMode::Multi => row[topic],
                };
                (j, s)
            })
            .collect();
        let limit = limit.min(scored.len());
        if limit == 0 {
            return Vec::new();
        }
        scored.select_nth_unstable_by(limit - 1, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.truncate(limit);
        scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        scored.into_iter().map(|(j, s)| (self.tfidf.vocabulary().feature_name(j), s)).collect()
    }
}

/// Documents x topics, true where a document carries the topic.
pub fn topic_matrix(labels: &[Vec<u32>], n_topics: usize) -> Array2<bool> {
    let mut y = Array2::from_elem((labels.len(), n_topics), false);
    for (i, doc) in labels.iter().enumerate() {
        for &t in doc {
            y[[i, t as usize]] = true;
        }
    }
    y
}

/// A text's fingerprint: 64-bit FNV-1a of its UTF-8 bytes. Stable across platforms and
/// versions, because it is stored in model files.
pub fn fingerprint(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| (h ^ b as u64).wrapping_mul(0x0100_0000_01b3))
}

/// Sorted, deduplicated fingerprints of `texts`.
pub fn fingerprints<'a>(texts: impl Iterator<Item = &'a str>) -> Vec<u64> {
    let mut out: Vec<u64> = texts.map(fingerprint).collect();
    out.sort_unstable();
    out.dedup();
    out
}

pub fn check_threshold(threshold: f64) -> Result<()> {
    if !(0.0..=1.0).contains(&threshold) {
        return Err(Error::params("threshold", format!("{threshold} is not a probability in [0, 1]")));
    }
    Ok(())
}
