//! Multinomial and complement naive Bayes on sparse rows, behind linfa's `Fit` and
//! `PredictInplace`.
//!
//! Why not `linfa_bayes::MultinomialNb` (0.8.1), measured and read:
//! - it takes dense `Array2` only: SANAD's 29,106 training documents x ~1M n-gram columns would
//!   be 230 GB dense, where these sparse rows take ~150 MB;
//! - `fit_with` keeps a `dbg!` that prints every class histogram to stderr, release builds too;
//! - `predict_log_proba` normalizes with `ln(sum(exp(jll)))` without subtracting the maximum, so a
//!   long document's log-likelihoods (below -745) underflow to a probability sum of 0 and give
//!   NaN or infinite results; here the maximum is shifted out first;
//! - `predict` breaks ties in `HashMap` order, so labels can change between runs; here topics are
//!   columns in sorted order and ties go to the first.
//!
//! The test `tests/linfa_reference.rs` checks that this classifier's joint log-likelihoods equal
//! linfa-bayes's on small dense data.
//!
//! Two label modes:
//! - **single-label**: one softmax over topics (the classic multinomial NB);
//! - **multi-label**: one-vs-rest; each topic t is a binary NB of "t" against "not t", whose
//!   feature counts are the corpus total minus t's. Probabilities are independent per topic.

use crate::error::{Error, Result};
use crate::features::SparseRows;
use crate::section::Section;
use linfa::dataset::{DatasetBase, Records};
use linfa::traits::{Fit, Predict, PredictInplace};
use linfa::ParamGuard;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NbKind {
    /// Feature probabilities per topic from the topic's own documents.
    Multinomial,
    /// Feature weights from every other topic's documents (Rennie et al. 2003, as scikit-learn's
    /// `ComplementNB` with `norm=False`); steadier when topics are unbalanced. In multi-label
    /// mode, with two classes per topic, it is the multinomial log-odds without the prior.
    Complement,
    /// Multi-label only: each topic against the average of the other topics' feature
    /// distributions (and of the texts with no topic), each weighing the same, instead of
    /// against the pooled rest of the corpus. With a corpus of a few large sections and small
    /// political topics, the pooled rest is mostly sport and markets, so every political word
    /// counts for every political topic: the default model's corpus gave a Russia-Ukraine talks
    /// article `syria` 1.000 under `Complement` and 0.000 under `Balanced`. No prior, as
    /// `Complement`.
    Balanced,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum LabelMode {
    Single,
    Multi,
}

/// Checked naive Bayes hyperparameters.
#[derive(Debug, Clone, PartialEq)]
pub struct NbValidParams {
    alpha: f64,
    kind: NbKind,
    mode: Option<LabelMode>,
}

impl NbValidParams {
    pub fn alpha(&self) -> f64 {
        self.alpha
    }
    pub fn kind(&self) -> NbKind {
        self.kind
    }
    /// `None`: decided from the training targets (multi-label when any document has other than
    /// exactly one topic).
    pub fn mode(&self) -> Option<LabelMode> {
        self.mode
    }
}

/// `NbParams::new().alpha(0.1).kind(NbKind::Complement).check()?`
#[derive(Debug, Clone, PartialEq)]
pub struct NbParams(NbValidParams);

impl Default for NbParams {
    fn default() -> Self {
        NbParams(NbValidParams { alpha: 0.1, kind: NbKind::Multinomial, mode: None })
    }
}

impl NbParams {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn alpha(mut self, alpha: f64) -> Self {
        self.0.alpha = alpha;
        self
    }
    pub fn kind(mut self, kind: NbKind) -> Self {
        self.0.kind = kind;
        self
    }
    pub fn mode(mut self, mode: Option<LabelMode>) -> Self {
        self.0.mode = mode;
        self
    }
}

impl ParamGuard for NbParams {
    type Checked = NbValidParams;
    type Error = Error;

    fn check_ref(&self) -> Result<&NbValidParams> {
        let alpha = self.0.alpha;
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(Error::params("alpha", format!("{alpha}: smoothing must be a finite number above 0")));
        }
        Ok(&self.0)
    }

    fn check(self) -> Result<NbValidParams> {
        self.check_ref()?;
        Ok(self.0)
    }
}

/// The sufficient statistics of a fitted model: what the model file stores. Everything else is
/// derived from them, so shards of a corpus could be summed into one model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NbCounts {
    pub kind: NbKind,
    pub mode: LabelMode,
    pub alpha: f64,
    pub n_docs: f64,
    /// Documents per topic.
    pub class_count: Vec<f64>,
    /// Sum of feature values per topic, features x topics, row-major.
    pub feature_count: Section<f64>,
    /// Sum of feature values over all documents (a multi-label document counts once).
    pub feature_total: Section<f64>,
}

/// A fitted naive Bayes classifier over `n_features` columns and `n_topics` topics.
#[derive(Debug, Clone, PartialEq)]
pub struct NaiveBayes {
    counts: NbCounts,
    /// Per feature, per topic weight (features x topics, row-major): the log-likelihood
    /// contribution. Features outer, topics inner, so that scoring a row reads one contiguous
    /// block of k weights per nonzero.
    weights: Section<f64>,
    bias: Array1<f64>,
}

/// No weight derived from finite counts is larger: each is a difference of two logarithms of
/// positive finite f64 (each within [-745, 710]). Bounding stored weights keeps a crafted file
/// from overflowing a score to infinity and a softmax to NaN.
const MAX_WEIGHT: f64 = 1500.0;

impl NaiveBayes {
    /// Checks the counts as [`NaiveBayes::from_counts`] does and takes stored weights and bias
    /// (format 3 files store them, so loading computes no logarithm): the shapes must match and
    /// every weight must be within what finite counts give.
    pub fn from_stored(counts: NbCounts, weights: Section<f64>, bias: Vec<f64>) -> Result<Self> {
        check_counts(&counts)?;
        let k = counts.class_count.len();
        if weights.len() != counts.feature_count.len() || bias.len() != k {
            return Err(Error::params(
                "classifier",
                format!(
                    "{} weights and {} biases for {} counts",
                    weights.len(),
                    bias.len(),
                    counts.feature_count.len()
                ),
            ));
        }
        if weights.iter().any(|w| w.is_nan() || w.abs() > MAX_WEIGHT)
            || bias.iter().any(|b| b.is_nan() || *b > MAX_WEIGHT)
        {
            return Err(Error::params("classifier", format!("a weight is NaN or beyond +-{MAX_WEIGHT}")));
        }
        if counts.mode == LabelMode::Single && counts.kind == NbKind::Balanced {
            return Err(Error::params("kind", "balanced naive Bayes is multi-label only"));
        }
        Ok(NaiveBayes { counts, weights, bias: Array1::from(bias) })
    }

    /// Derives the scoring weights from counts (at fit time and when a model file of format 1
    /// or 2 is loaded).
    pub fn from_counts(counts: NbCounts) -> Result<Self> {
        check_counts(&counts)?;
        let n_topics = counts.class_count.len();
        let n_features = counts.feature_total.len();
        // Plain loops over the row-major counts: no copy of the (features x topics) matrix, which
        // is the largest thing in memory at the end of training.
        let fc = &*counts.feature_count;
        let total = &*counts.feature_total;
        let alpha = counts.alpha;
        let v = n_features as f64;
        let k = n_topics;
        let mut weights = vec![0.0; n_features * k];
        let mut bias = Array1::zeros(k);
        let class_total: f64 = counts.class_count.iter().sum();
        let mut topic_sum = vec![0.0; k];
        for row in fc.chunks_exact(k) {
            topic_sum.iter_mut().zip(row).for_each(|(s, c)| *s += c);
        }
        let corpus_sum: f64 = total.iter().sum();
        let class_sum_all: f64 = topic_sum.iter().sum();

        match (counts.mode, counts.kind) {
            (LabelMode::Single, NbKind::Multinomial) => {
                let denom: Vec<f64> = topic_sum.iter().map(|s| (s + alpha * v).ln()).collect();
                for (w, c) in weights.chunks_exact_mut(k).zip(fc.chunks_exact(k)) {
                    for t in 0..k {
                        w[t] = (c[t] + alpha).ln() - denom[t];
                    }
                }
                for t in 0..k {
                    bias[t] = (counts.class_count[t] / class_total).ln();
                }
            }
            (LabelMode::Single, NbKind::Complement) => {
                // Complement counts of topic t: every other topic's counts (scikit-learn sums
                // over classes, so a multi-topic document counts once per topic).
                let denom: Vec<f64> =
                    topic_sum.iter().map(|s| ((class_sum_all - s).max(0.0) + alpha * v).ln()).collect();
                for (w, c) in weights.chunks_exact_mut(k).zip(fc.chunks_exact(k)) {
                    let all: f64 = c.iter().sum();
                    for t in 0..k {
                        w[t] = -(((all - c[t]).max(0.0) + alpha).ln() - denom[t]);
                    }
                }
            }
            (LabelMode::Single, NbKind::Balanced) => {
                return Err(Error::params(
                    "kind",
                    "balanced naive Bayes is multi-label only (a single-label model's softmax already weighs topics against each other)",
                ));
            }
            (LabelMode::Multi, NbKind::Balanced) => {
                // Per topic u, ln P(f|u); the background of t is the mean over u != t (and the
                // texts with no topic, when there are any) of P(f|u).
                let denom: Vec<f64> = topic_sum.iter().map(|s| s + alpha * v).collect();
                let mut none = Vec::with_capacity(n_features);
                for (c, &all) in fc.chunks_exact(k).zip(total) {
                    none.push((all - c.iter().sum::<f64>()).max(0.0));
                }
                let none_sum: f64 = none.iter().sum();
                let with_none = none_sum > 0.0;
                let others = (k - 1 + usize::from(with_none)) as f64;
                let mut p = vec![0.0; k];
                for ((w, c), &n) in weights.chunks_exact_mut(k).zip(fc.chunks_exact(k)).zip(&none) {
                    let mut sum = 0.0;
                    for t in 0..k {
                        p[t] = (c[t] + alpha) / denom[t];
                        sum += p[t];
                    }
                    if with_none {
                        sum += (n + alpha) / (none_sum + alpha * v);
                    }
                    for t in 0..k {
                        let background = ((sum - p[t]) / others).max(f64::MIN_POSITIVE);
                        w[t] = p[t].ln() - background.ln();
                    }
                }
            }
            (LabelMode::Multi, kind) => {
                let n = counts.n_docs;
                let pos_denom: Vec<f64> = topic_sum.iter().map(|s| (s + alpha * v).ln()).collect();
                let neg_denom: Vec<f64> =
                    topic_sum.iter().map(|s| ((corpus_sum - s).max(0.0) + alpha * v).ln()).collect();
                for ((w, c), &all) in weights.chunks_exact_mut(k).zip(fc.chunks_exact(k)).zip(total) {
                    for t in 0..k {
                        let neg = (all - c[t]).max(0.0);
                        w[t] = ((c[t] + alpha).ln() - pos_denom[t]) - ((neg + alpha).ln() - neg_denom[t]);
                    }
                }
                if kind == NbKind::Multinomial {
                    for t in 0..k {
                        // Add-one smoothed prior odds, so a topic on every document stays finite.
                        let nt = counts.class_count[t];
                        bias[t] = ((nt + 1.0) / (n - nt + 1.0)).ln();
                    }
                }
            }
        }
        Ok(NaiveBayes { counts, weights: weights.into(), bias })
    }

    pub fn counts(&self) -> &NbCounts {
        &self.counts
    }

    pub fn mode(&self) -> LabelMode {
        self.counts.mode
    }

    pub fn kind(&self) -> NbKind {
        self.counts.kind
    }

    pub fn n_topics(&self) -> usize {
        self.bias.len()
    }

    pub fn n_features(&self) -> usize {
        self.counts.feature_total.len()
    }

    /// Features x topics.
    pub fn weights(&self) -> ArrayView2<'_, f64> {
        ArrayView2::from_shape((self.n_features(), self.n_topics()), &self.weights).expect("features x topics")
    }

    /// The weights as stored: features x topics, row-major.
    pub fn weights_raw(&self) -> &[f64] {
        &self.weights
    }

    pub fn bias(&self) -> &[f64] {
        self.bias.as_slice().expect("bias is contiguous")
    }

    /// Joint log-likelihood of one sparse row per topic (single-label), or log-odds of each
    /// topic (multi-label), written to `out`.
    #[inline]
    pub fn joint_log_likelihood_row(&self, indices: &[u32], values: &[f64], out: &mut [f64]) {
        out.copy_from_slice(self.bias.as_slice().expect("bias is contiguous"));
        let w = &*self.weights;
        let k = out.len();
        for (&j, &x) in indices.iter().zip(values) {
            let row = &w[j as usize * k..(j as usize + 1) * k];
            for (o, &wt) in out.iter_mut().zip(row) {
                *o += x * wt;
            }
        }
    }

    /// Turns `joint_log_likelihood_row` output into probabilities in place: a softmax with the
    /// maximum shifted out (single-label), or a logistic per topic (multi-label). Never NaN or
    /// infinite, whatever the document length.
    #[inline]
    pub fn to_probabilities(&self, scores: &mut [f64]) {
        match self.counts.mode {
            LabelMode::Single => softmax_in_place(scores),
            LabelMode::Multi => scores.iter_mut().for_each(|s| *s = sigmoid(*s)),
        }
    }

    pub fn joint_log_likelihood(&self, x: &SparseRows) -> Array2<f64> {
        let mut out = Array2::zeros((x.nrows(), self.n_topics()));
        for (i, mut row) in out.rows_mut().into_iter().enumerate() {
            let (idx, val) = x.row(i);
            self.joint_log_likelihood_row(idx, val, row.as_slice_mut().expect("row-major"));
        }
        out
    }

    pub fn predict_proba(&self, x: &SparseRows) -> Array2<f64> {
        let mut out = self.joint_log_likelihood(x);
        for mut row in out.rows_mut() {
            self.to_probabilities(row.as_slice_mut().expect("row-major"));
        }
        out
    }
}

/// The counts' shapes and values: finite, non-negative, within the number of documents.
fn check_counts(counts: &NbCounts) -> Result<()> {
    let n_topics = counts.class_count.len();
    let n_features = counts.feature_total.len();
    if n_topics < 2 || counts.feature_count.len() != n_features * n_topics {
        return Err(Error::params(
            "classifier",
            format!(
                "{} topics and {} feature counts for {} features",
                n_topics,
                counts.feature_count.len(),
                n_features
            ),
        ));
    }
    if !(counts.alpha.is_finite() && counts.alpha > 0.0) {
        return Err(Error::params("alpha", format!("{}: smoothing must be above 0", counts.alpha)));
    }
    // Counts come from files too: anything but finite, non-negative sums would turn into NaN
    // weights and NaN probabilities.
    let valid = |v: &f64| v.is_finite() && *v >= 0.0;
    let consistent = counts.n_docs.is_finite()
        && counts.n_docs >= 1.0
        && counts.class_count.iter().all(|c| valid(c) && *c <= counts.n_docs)
        && counts.feature_count.iter().all(valid)
        && counts.feature_total.iter().all(valid);
    if !consistent {
        return Err(Error::params(
            "classifier",
            "counts must be finite, non-negative and within the number of documents",
        ));
    }
    Ok(())
}

/// Softmax with the maximum subtracted first, so exp never overflows and the sum is >= 1.
pub fn softmax_in_place(scores: &mut [f64]) {
    let max = scores.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        let uniform = 1.0 / scores.len() as f64;
        scores.iter_mut().for_each(|s| *s = uniform);
        return;
    }
    let mut sum = 0.0;
    for s in scores.iter_mut() {
        *s = (*s - max).exp();
        sum += *s;
    }
    scores.iter_mut().for_each(|s| *s /= sum);
}

/// The logistic function without overflow for large |s|.
pub fn sigmoid(s: f64) -> f64 {
    if s >= 0.0 {
        1.0 / (1.0 + (-s).exp())
    } else {
        let e = s.exp();
        e / (1.0 + e)
    }
}

impl Fit<SparseRows, Array2<bool>, Error> for NbValidParams {
    type Object = NaiveBayes;

    /// `dataset.targets` has one row per document and one column per topic.
    fn fit(&self, dataset: &DatasetBase<SparseRows, Array2<bool>>) -> Result<NaiveBayes> {
        let x = &dataset.records;
        let y = &dataset.targets;
        if y.nrows() != x.nsamples() {
            return Err(Error::params("targets", format!("{} target rows for {} documents", y.nrows(), x.nsamples())));
        }
        let n_topics = y.ncols();
        if n_topics < 2 {
            return Err(Error::params("targets", format!("{n_topics} topic(s): naive Bayes needs at least 2")));
        }
        let mode = self.mode.unwrap_or_else(|| {
            if y.rows().into_iter().all(|r| r.iter().filter(|&&b| b).count() == 1) {
                LabelMode::Single
            } else {
                LabelMode::Multi
            }
        });
        let Sums { class_count, feature_count, feature_total } = Sums::of(x, y);
        if let Some(empty) = class_count.iter().position(|&c| c == 0.0) {
            return Err(Error::params("targets", format!("topic column {empty} has no documents")));
        }
        NaiveBayes::from_counts(NbCounts {
            kind: self.kind,
            mode,
            alpha: self.alpha,
            n_docs: x.nsamples() as f64,
            class_count,
            feature_count: feature_count.into(),
            feature_total: feature_total.into(),
        })
    }
}

/// Per-topic document counts and feature sums of a set of rows: everything naive Bayes learns,
/// and sums of sums are exact, so shards of a corpus can be counted apart and added.
#[derive(Debug, Clone, PartialEq)]
pub struct Sums {
    pub class_count: Vec<f64>,
    /// Features x topics, row-major.
    pub feature_count: Vec<f64>,
    pub feature_total: Vec<f64>,
}

impl Sums {
    /// `y` has one row per document of `x` and one column per topic.
    pub fn of(x: &SparseRows, y: &Array2<bool>) -> Sums {
        let (n_topics, n_features) = (y.ncols(), x.nfeatures());
        let mut class_count = vec![0.0; n_topics];
        let mut feature_count = vec![0.0; n_features * n_topics];
        let mut feature_total = vec![0.0; n_features];
        let mut topics = Vec::with_capacity(n_topics);
        for (i, labels) in y.rows().into_iter().enumerate() {
            topics.clear();
            topics.extend(labels.iter().enumerate().filter(|(_, &b)| b).map(|(t, _)| t));
            let (idx, val) = x.row(i);
            for &t in &topics {
                class_count[t] += 1.0;
                for (&j, &v) in idx.iter().zip(val) {
                    feature_count[j as usize * n_topics + t] += v;
                }
            }
            for (&j, &v) in idx.iter().zip(val) {
                feature_total[j as usize] += v;
            }
        }
        Sums { class_count, feature_count, feature_total }
    }
}

/// Topic probabilities, documents x topics.
impl PredictInplace<SparseRows, Array2<f64>> for NaiveBayes {
    fn predict_inplace(&self, x: &SparseRows, y: &mut Array2<f64>) {
        assert_eq!(y.dim(), (x.nrows(), self.n_topics()), "target shape must be documents x topics");
        y.assign(&self.predict_proba(x));
    }

    fn default_target(&self, x: &SparseRows) -> Array2<f64> {
        Array2::zeros((x.nrows(), self.n_topics()))
    }
}

/// The most probable topic of each document (ties to the lower topic index).
impl PredictInplace<SparseRows, Array1<usize>> for NaiveBayes {
    fn predict_inplace(&self, x: &SparseRows, y: &mut Array1<usize>) {
        assert_eq!(y.len(), x.nrows(), "one target per document");
        let jll = self.joint_log_likelihood(x);
        for (target, row) in y.iter_mut().zip(jll.rows()) {
            *target = argmax(row.as_slice().expect("row-major"));
        }
    }

    fn default_target(&self, x: &SparseRows) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

/// `model.predict(&rows)` for sparse rows (linfa's blanket `Predict` covers dense arrays and
/// datasets only).
impl<T> Predict<&SparseRows, T> for NaiveBayes
where
    NaiveBayes: PredictInplace<SparseRows, T>,
{
    fn predict(&self, x: &SparseRows) -> T {
        let mut y = self.default_target(x);
        self.predict_inplace(x, &mut y);
        y
    }
}

/// Index of the largest value, the first on ties.
pub fn argmax(values: &[f64]) -> usize {
    let mut best = 0;
    for (i, &v) in values.iter().enumerate() {
        if v > values[best] {
            best = i;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    fn toy() -> DatasetBase<SparseRows, Array2<bool>> {
        // Word counts of six short texts over [war, talks, goal, match].
        let x = array![
            [3.0, 0.0, 0.0, 0.0],
            [2.0, 1.0, 0.0, 0.0],
            [0.0, 3.0, 0.0, 0.0],
            [0.0, 2.0, 0.0, 1.0],
            [0.0, 0.0, 2.0, 2.0],
            [0.0, 0.0, 1.0, 3.0]
        ];
        let y = array![
            [true, false, false],
            [true, false, false],
            [false, true, false],
            [false, true, false],
            [false, false, true],
            [false, false, true]
        ];
        DatasetBase::new(SparseRows::from_dense(&x), y)
    }

    #[test]
    fn multinomial_matches_hand_computed_estimates() {
        let model = NbParams::new().alpha(1.0).check().unwrap().fit(&toy()).unwrap();
        assert_eq!(model.mode(), LabelMode::Single);
        // Topic 0 saw war 5 times, talks once: p(war) = (5 + 1) / (6 + 4).
        assert!((model.weights()[[0, 0]] - (6.0f64 / 10.0).ln()).abs() < 1e-12);
        let predicted: Array1<usize> = model.predict(&toy().records);
        assert_eq!(predicted, array![0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn probabilities_are_finite_for_huge_documents() {
        let model = NbParams::new().check().unwrap().fit(&toy()).unwrap();
        // A "document" with enormous counts: log-likelihoods around -1e7.
        let x = SparseRows::from_dense(&array![[1e6, 0.0, 0.0, 1e6]]);
        let jll = model.joint_log_likelihood(&x);
        assert!(jll.iter().all(|v| v.is_finite() && *v < -1e5));
        let p: Array2<f64> = model.predict(&x);
        assert!(p.iter().all(|v| v.is_finite() && (0.0..=1.0).contains(v)));
        assert!((p.sum() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn multi_label_gives_independent_probabilities() {
        let mut ds = toy();
        // The second document is about war and talks.
        ds.targets[[1, 1]] = true;
        let model = NbParams::new().alpha(0.5).check().unwrap().fit(&ds).unwrap();
        assert_eq!(model.mode(), LabelMode::Multi);
        let p: Array2<f64> = model.predict(&SparseRows::from_dense(&array![[2.0, 2.0, 0.0, 0.0]]));
        assert!(p[[0, 0]] > 0.5 && p[[0, 1]] > 0.5 && p[[0, 2]] < 0.5, "{p}");
    }

    #[test]
    fn complement_matches_scikit_learn_definition() {
        let model = NbParams::new().alpha(1.0).kind(NbKind::Complement).check().unwrap().fit(&toy()).unwrap();
        // Complement of topic 0 = topics 1 and 2: counts [0, 5, 3, 6] + 1 over 14 + 4.
        let expected = -((0.0f64 + 1.0) / 18.0).ln();
        assert!((model.weights()[[0, 0]] - expected).abs() < 1e-12);
        let predicted: Array1<usize> = model.predict(&toy().records);
        assert_eq!(predicted, array![0, 0, 1, 1, 2, 2]);
    }

    #[test]
    fn refuses_bad_alpha_and_single_topic() {
        assert!(NbParams::new().alpha(0.0).check().is_err());
        assert!(NbParams::new().alpha(f64::NAN).check().is_err());
        let x = SparseRows::from_dense(&array![[1.0], [2.0]]);
        let ds = DatasetBase::new(x, array![[true], [true]]);
        let err = NbParams::new().check().unwrap().fit(&ds).unwrap_err();
        assert!(err.to_string().contains("at least 2"), "{err}");
    }

    #[test]
    fn softmax_and_sigmoid_are_stable() {
        let mut s = [-1e308, -1e308 + 1e292, f64::NEG_INFINITY];
        softmax_in_place(&mut s);
        assert!(s.iter().all(|v| v.is_finite()));
        assert_eq!(sigmoid(1e4), 1.0);
        assert_eq!(sigmoid(-1e4), 0.0);
        assert!((sigmoid(0.0) - 0.5).abs() < 1e-15);
    }
}
