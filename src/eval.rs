//! Metrics (per-topic precision, recall, F1; micro and macro averages; accuracy and confusion
//! matrix for single-label data) and stratified K-fold cross-validation.

use crate::corpus::LabeledCorpus;
use crate::error::{Error, Result};
use crate::model::{Decision, Model, Prediction, TrainSettings, TrainingMeta};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicScore {
    pub topic: String,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// Documents that carry the topic.
    pub support: u64,
    /// Documents the model gave the topic.
    pub predicted: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Averages {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub documents: usize,
    /// True when every document has exactly one topic: predictions are then the top topic.
    pub single_label: bool,
    pub topics: Vec<TopicScore>,
    pub micro: Averages,
    pub macro_avg: Averages,
    /// Share of documents whose set of topics is exactly right (for single-label data, the
    /// accuracy).
    pub exact_match: f64,
    pub accuracy: Option<f64>,
    /// Single-label data only: rows are true topics, columns predicted topics, in `topics`
    /// order, plus a last column for documents that got no topic.
    pub confusion: Option<Vec<Vec<u64>>>,
    /// Topics of the data the model does not know (always missed).
    pub unknown_topics: Vec<String>,
    /// Documents of the data that the model was trained on, byte for byte: scores on them
    /// overstate accuracy on new text (cross-validation is the honest figure).
    pub trained_on: usize,
}

fn f1(p: f64, r: f64) -> f64 {
    if p + r > 0.0 {
        2.0 * p * r / (p + r)
    } else {
        0.0
    }
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Scores predicted topic sets against true ones. Topic indices refer to `topics`.
pub fn score_sets(topics: &[String], truth: &[Vec<usize>], predicted: &[Vec<usize>], single_label: bool) -> EvalReport {
    let k = topics.len();
    let (mut tp, mut support, mut given) = (vec![0u64; k], vec![0u64; k], vec![0u64; k]);
    let mut exact = 0u64;
    let mut confusion = single_label.then(|| vec![vec![0u64; k + 1]; k]);
    for (t, p) in truth.iter().zip(predicted) {
        for &x in t {
            support[x] += 1;
            if p.contains(&x) {
                tp[x] += 1;
            }
        }
        for &x in p {
            given[x] += 1;
        }
        let mut ts = t.clone();
        let mut ps = p.clone();
        ts.sort_unstable();
        ps.sort_unstable();
        if ts == ps {
            exact += 1;
        }
        if let Some(m) = confusion.as_mut() {
            if let Some(&truth) = t.first() {
                m[truth][p.first().copied().unwrap_or(k)] += 1;
            }
        }
    }
    let scores: Vec<TopicScore> = (0..k)
        .map(|i| {
            let (p, r) = (ratio(tp[i], given[i]), ratio(tp[i], support[i]));
            TopicScore {
                topic: topics[i].clone(),
                precision: p,
                recall: r,
                f1: f1(p, r),
                support: support[i],
                predicted: given[i],
            }
        })
        .collect();
    let (tps, sup, giv) = (tp.iter().sum(), support.iter().sum(), given.iter().sum());
    let (mp, mr) = (ratio(tps, giv), ratio(tps, sup));
    let present: Vec<&TopicScore> = scores.iter().filter(|s| s.support > 0 || s.predicted > 0).collect();
    let n = present.len().max(1) as f64;
    let macro_avg = Averages {
        precision: present.iter().map(|s| s.precision).sum::<f64>() / n,
        recall: present.iter().map(|s| s.recall).sum::<f64>() / n,
        f1: present.iter().map(|s| s.f1).sum::<f64>() / n,
    };
    let exact_match = ratio(exact, truth.len() as u64);
    EvalReport {
        documents: truth.len(),
        single_label,
        topics: scores,
        micro: Averages { precision: mp, recall: mr, f1: f1(mp, mr) },
        macro_avg,
        exact_match,
        accuracy: single_label.then_some(exact_match),
        confusion,
        unknown_topics: Vec::new(),
        trained_on: 0,
    }
}

/// The topics each prediction gives, or for single-label data the top topic only.
fn predicted_sets(predictions: &[Prediction], single_label: bool) -> Vec<Vec<usize>> {
    predictions
        .iter()
        .map(|p| {
            if single_label {
                // The most probable topic, whatever the threshold (none when there are no scores).
                (!p.scores.is_empty()).then(|| crate::classify::naive_bayes::argmax(&p.scores)).into_iter().collect()
            } else {
                p.topics.clone()
            }
        })
        .collect()
}

/// Maps the data's topics onto the model's; topics the model lacks are appended (and reported).
fn align_topics(model_topics: &[String], corpus: &LabeledCorpus) -> (Vec<String>, Vec<Vec<usize>>, Vec<String>) {
    let mut topics = model_topics.to_vec();
    let mut unknown = Vec::new();
    let map: Vec<usize> = corpus
        .topics
        .iter()
        .map(|t| match topics.iter().position(|m| m == t) {
            Some(i) => i,
            None => {
                unknown.push(t.clone());
                topics.push(t.clone());
                topics.len() - 1
            }
        })
        .collect();
    let truth = corpus.labels.iter().map(|doc| doc.iter().map(|&t| map[t as usize]).collect()).collect();
    (topics, truth, unknown)
}

/// Predicts every document of `corpus` and scores the result.
pub fn evaluate(model: &Model, corpus: &LabeledCorpus, decision: Decision) -> EvalReport {
    let predictions = model.predict_batch(&corpus.texts.views(), decision);
    let (topics, truth, unknown) = align_topics(model.topics(), corpus);
    let single = truth.iter().all(|t| t.len() == 1);
    let mut report = score_sets(&topics, &truth, &predicted_sets(&predictions, single), single);
    report.unknown_topics = unknown;
    report.trained_on = model.trained_on_count(corpus.texts.iter());
    report
}

#[derive(Debug, Clone, Serialize)]
pub struct CvReport {
    pub folds: usize,
    pub micro_f1: Vec<f64>,
    pub macro_f1: Vec<f64>,
    pub accuracy: Vec<f64>,
    /// The threshold that maximizes micro-F1 over all out-of-fold predictions (multi-label).
    pub best_threshold: Option<f64>,
    pub best_threshold_micro_f1: Option<f64>,
    /// Per topic (the corpus's topic order), the threshold [`tune_thresholds`] chooses on the
    /// out-of-fold predictions (multi-label), and the micro-F1 they give together.
    pub topic_thresholds: Option<Vec<f64>>,
    pub topic_thresholds_micro_f1: Option<f64>,
}

/// How much out-of-fold F1 a topic's threshold may give up to be lower: [`tune_thresholds`]
/// takes the lowest threshold within this of the best F1. Near its best, a topic's F1 is flat
/// over a wide range of thresholds, and articles from other outlets score lower than the
/// training outlets' (NB's probabilities are near 0 or 1 in-domain), so the lowest threshold on
/// the plateau keeps their recall. On the default model's corpus, 0.01 cost 0.009 of
/// cross-validated micro-F1 and raised it on each held-back real set (Mowjaz 0.736 -> 0.743,
/// ASND posts 0.642 -> 0.682, SANAD politics 0.700 -> 0.709); README, "Accuracy".
pub const THRESHOLD_F1_SLACK: f64 = 0.01;

/// Per topic, the lowest threshold in 0.01..=0.99 whose F1 on `scores` (documents x topics)
/// against `truth` is within [`THRESHOLD_F1_SLACK`] of the best.
pub fn tune_thresholds(scores: &[Vec<f64>], truth: &[Vec<usize>], n_topics: usize) -> Vec<f64> {
    let grid: Vec<f64> = (1..100).map(|i| i as f64 / 100.0).collect();
    (0..n_topics)
        .map(|t| {
            let f1s: Vec<f64> = grid
                .iter()
                .map(|&th| {
                    let (mut tp, mut fp, mut fn_) = (0u64, 0u64, 0u64);
                    for (s, l) in scores.iter().zip(truth) {
                        let given = s.get(t).is_some_and(|&p| p >= th);
                        let has = l.contains(&t);
                        tp += (given && has) as u64;
                        fp += (given && !has) as u64;
                        fn_ += (has && !given) as u64;
                    }
                    f1(ratio(tp, tp + fp), ratio(tp, tp + fn_))
                })
                .collect();
            let best = f1s.iter().copied().fold(f64::MIN, f64::max);
            let first = f1s.iter().position(|&f| f >= best - THRESHOLD_F1_SLACK).expect("the best is in the list");
            grid[first]
        })
        .collect()
}

/// Mean and sample standard deviation.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    let n = values.len() as f64;
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / n;
    let var = if values.len() > 1 { values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0) } else { 0.0 };
    (mean, var.sqrt())
}

/// Assigns each document to one of `k` folds, stratified by its exact set of topics, shuffled
/// deterministically by `seed`.
pub fn stratified_folds(labels: &[Vec<u32>], k: usize, seed: u64) -> Vec<usize> {
    let mut strata: BTreeMap<&[u32], Vec<usize>> = BTreeMap::new();
    for (i, l) in labels.iter().enumerate() {
        strata.entry(l.as_slice()).or_default().push(i);
    }
    let mut fold = vec![0; labels.len()];
    let mut rng = SplitMix64(seed);
    let mut offset = 0;
    for members in strata.values_mut() {
        for i in (1..members.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            members.swap(i, j);
        }
        for (n, &doc) in members.iter().enumerate() {
            fold[doc] = (offset + n) % k;
        }
        offset += members.len();
    }
    fold
}

struct SplitMix64(u64);
impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// The seed of [`cross_validate`]'s fold shuffle when none is given (`tagger train --seed`).
pub const DEFAULT_SEED: u64 = 20261123;

/// Trains a model on `corpus`; with `tune_folds`, first chooses each topic's threshold by
/// `tune_folds`-fold cross-validation on the same corpus ([`tune_thresholds`] on the out-of-fold
/// scores) and stores them in the model. What `tagger train --tune-thresholds K` does.
///
/// ```
/// use tagger::corpus::LabeledCorpus;
/// use tagger::{TrainSettings, TrainingMeta};
/// let rows = (0..12).map(|i| {
///     if i % 2 == 0 { (format!("مباراة كرة القدم والدوري {i}"), vec!["sports"]) }
///     else { (format!("أسعار النفط والأسهم في البورصة {i}"), vec!["economy", "markets"]) }
/// });
/// let corpus = LabeledCorpus::from_rows("notes", rows).unwrap();
/// let model = tagger::eval::train_tuned(corpus, &TrainSettings::default(), TrainingMeta::new("notes"), Some(3), 7).unwrap();
/// assert_eq!(model.topic_thresholds().len(), 3);
/// ```
pub fn train_tuned(
    corpus: LabeledCorpus,
    settings: &TrainSettings,
    meta: TrainingMeta,
    tune_folds: Option<usize>,
    seed: u64,
) -> Result<Model> {
    let thresholds = match tune_folds {
        Some(k) => match cross_validate(&corpus, settings, k, seed)?.topic_thresholds {
            Some(t) => Some(t),
            None => {
                return Err(Error::params(
                    "tune_thresholds",
                    "is for multi-label models (every text here has exactly one topic, and a single-label model gives its top topic)",
                ))
            }
        },
        None => None,
    };
    let mut model = Model::train(corpus, settings, meta)?;
    if let Some(t) = thresholds {
        model.set_topic_thresholds(t)?;
    }
    Ok(model)
}

/// Stratified K-fold cross-validation: each fold trains the whole pipeline (vocabulary and idf
/// included) on the other folds, so nothing leaks from the held-out documents.
pub fn cross_validate(corpus: &LabeledCorpus, settings: &TrainSettings, k: usize, seed: u64) -> Result<CvReport> {
    if k < 2 || k > corpus.texts.len() {
        return Err(Error::params(
            "cv",
            format!("{k} folds for {} documents: need 2 <= folds <= documents", corpus.texts.len()),
        ));
    }
    let fold_of = stratified_folds(&corpus.labels, k, seed);
    let single = corpus.labels.iter().all(|l| l.len() == 1);
    let decision = Decision { threshold: Some(settings.threshold), top_k: 0 };
    let mut report = CvReport {
        folds: k,
        micro_f1: vec![],
        macro_f1: vec![],
        accuracy: vec![],
        best_threshold: None,
        best_threshold_micro_f1: None,
        topic_thresholds: None,
        topic_thresholds_micro_f1: None,
    };
    // Out-of-fold scores, for choosing the threshold.
    let mut oof: Vec<Vec<f64>> = vec![Vec::new(); corpus.texts.len()];
    for f in 0..k {
        let (train_idx, test_idx): (Vec<usize>, Vec<usize>) = (0..corpus.texts.len()).partition(|&i| fold_of[i] != f);
        let train = corpus.subset(&train_idx);
        let test = corpus.subset(&test_idx);
        let meta = TrainingMeta::new(corpus.source.clone());
        let model = Model::train(train, settings, meta)?;
        let predictions = model.predict_batch(&test.texts.views(), decision);
        let (topics, truth, _) = align_topics(model.topics(), &test);
        let r = score_sets(&topics, &truth, &predicted_sets(&predictions, single), single);
        report.micro_f1.push(r.micro.f1);
        report.macro_f1.push(r.macro_avg.f1);
        report.accuracy.push(r.exact_match);
        // Scores in the corpus's topic order (a fold may lack a rare topic).
        for (p, &doc) in predictions.iter().zip(&test_idx) {
            oof[doc] = corpus
                .topics
                .iter()
                .map(|t| {
                    model.topics().iter().position(|m| m == t).and_then(|i| p.scores.get(i).copied()).unwrap_or(0.0)
                })
                .collect();
        }
    }
    if !single {
        let truth: Vec<Vec<usize>> = corpus.labels.iter().map(|l| l.iter().map(|&t| t as usize).collect()).collect();
        let mut best = (0.5, -1.0);
        for step in 1..20 {
            let threshold = step as f64 * 0.05;
            let predicted: Vec<Vec<usize>> =
                oof.iter().map(|s| (0..s.len()).filter(|&t| s[t] >= threshold).collect()).collect();
            let f = score_sets(&corpus.topics, &truth, &predicted, false).micro.f1;
            if f > best.1 + 1e-12 {
                best = (threshold, f);
            }
        }
        report.best_threshold = Some((best.0 * 100.0).round() / 100.0);
        report.best_threshold_micro_f1 = Some(best.1);
        let tuned = tune_thresholds(&oof, &truth, corpus.topics.len());
        let predicted: Vec<Vec<usize>> =
            oof.iter().map(|s| (0..s.len()).filter(|&t| s[t] >= tuned[t]).collect()).collect();
        report.topic_thresholds_micro_f1 = Some(score_sets(&corpus.topics, &truth, &predicted, false).micro.f1);
        report.topic_thresholds = Some(tuned);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_match_hand_counts() {
        let topics: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let truth = vec![vec![0], vec![0, 1], vec![2], vec![1]];
        let predicted = vec![vec![0], vec![0], vec![1], vec![1, 2]];
        let r = score_sets(&topics, &truth, &predicted, false);
        // a: tp 2, given 2, support 2; b: tp 1, given 2, support 2; c: tp 0, given 1, support 1.
        assert_eq!((r.topics[0].precision, r.topics[0].recall), (1.0, 1.0));
        assert_eq!((r.topics[1].precision, r.topics[1].recall), (0.5, 0.5));
        assert_eq!(r.topics[2].f1, 0.0);
        assert!((r.micro.precision - 3.0 / 5.0).abs() < 1e-12);
        assert!((r.micro.recall - 3.0 / 5.0).abs() < 1e-12);
        assert!((r.macro_avg.f1 - (1.0 + 0.5 + 0.0) / 3.0).abs() < 1e-12);
        assert_eq!(r.exact_match, 0.25);
        assert!(r.accuracy.is_none());
    }

    #[test]
    fn single_label_gives_accuracy_and_confusion() {
        let topics: Vec<String> = ["a", "b"].iter().map(|s| s.to_string()).collect();
        let r = score_sets(&topics, &[vec![0], vec![1], vec![1]], &[vec![0], vec![0], vec![]], true);
        assert_eq!(r.accuracy, Some(1.0 / 3.0));
        assert_eq!(r.confusion, Some(vec![vec![1, 0, 0], vec![1, 0, 1]]));
    }

    #[test]
    fn tuned_thresholds_take_the_low_end_of_the_best_f1() {
        // Topic 0: positives score 0.6-0.9, negatives 0.1-0.3: every threshold in (0.3, 0.6]
        // separates them, and the lowest (0.31) is taken. Topic 1: one negative at 0.95 above
        // every positive (0.5): F1 is best from 0.01 to 0.5 (no threshold removes it without
        // the positives), so 0.01.
        let scores = vec![vec![0.9, 0.5], vec![0.6, 0.5], vec![0.3, 0.95], vec![0.1, 0.0]];
        let truth = vec![vec![0, 1], vec![0, 1], vec![], vec![]];
        let t = tune_thresholds(&scores, &truth, 2);
        assert_eq!(t[0], 0.31);
        assert!(t[1] <= 0.5, "{t:?}");
    }

    #[test]
    fn folds_are_stratified_and_deterministic() {
        let labels: Vec<Vec<u32>> = (0..100).map(|i| vec![(i % 4) as u32]).collect();
        let folds = stratified_folds(&labels, 5, 42);
        assert_eq!(folds, stratified_folds(&labels, 5, 42));
        for f in 0..5 {
            for topic in 0..4 {
                let n = (0..100).filter(|&i| folds[i] == f && labels[i][0] == topic).count();
                assert_eq!(n, 5, "fold {f} topic {topic}");
            }
        }
    }

    #[test]
    fn mean_std_is_the_sample_spread() {
        let (m, s) = mean_std(&[1.0, 2.0, 3.0]);
        assert_eq!(m, 2.0);
        assert!((s - 1.0).abs() < 1e-12);
    }
}
