//! What a model says about itself: its sources, settings, sizes and each topic's most indicative
//! n-grams, as one serializable value. `tagger inspect` prints it (text or JSON) and the Python
//! package returns it from `Model.info()`, so both show the same fields.

use crate::classify::{LabelMode, NbKind};
use crate::model::Model;
use serde::Serialize;

/// A model's description; the field names are `tagger inspect --format json`'s keys.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelInfo {
    /// The training file's name (or "N merged shards").
    pub trained_on: String,
    pub documents: u64,
    /// Seconds since the Unix epoch.
    pub trained_at_unix: u64,
    /// The same instant as a UTC date, YYYY-MM-DD.
    pub trained_at: String,
    /// What the training data is and its licenses (`tagger train --about`).
    pub about: String,
    pub tagger_version: String,
    pub format_version: u32,
    /// "multi-label balanced naive Bayes" and the like.
    pub classifier: String,
    pub alpha: f64,
    pub threshold: f64,
    pub features: usize,
    pub words: usize,
    /// "1..2" and the like.
    pub ngrams: String,
    pub sublinear_tf: bool,
    pub stemming: bool,
    pub drop_numbers: bool,
    pub stopwords: usize,
    /// The normalizer's steps, in order.
    pub normalizer: Vec<String>,
    pub topics: Vec<TopicInfo>,
}

/// One topic of a [`ModelInfo`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicInfo {
    pub topic: String,
    /// Training documents that carry the topic.
    pub documents: u64,
    /// The probability from which the topic is given.
    pub threshold: f64,
    /// The n-grams that most raise the topic's score, most indicative first.
    pub top_ngrams: Vec<String>,
}

impl ModelInfo {
    /// The description of `model`, with `top` indicative n-grams per topic.
    ///
    /// ```
    /// let model = tagger::default_model::load().unwrap();
    /// let info = tagger::info::ModelInfo::of(&model, 3);
    /// assert_eq!(info.topics.len(), model.topics().len());
    /// assert!(info.topics.iter().all(|t| t.top_ngrams.len() == 3));
    /// ```
    pub fn of(model: &Model, top: usize) -> ModelInfo {
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
        let topics = model
            .topics()
            .iter()
            .enumerate()
            .map(|(i, t)| TopicInfo {
                topic: t.clone(),
                documents: nb.class_count[i] as u64,
                threshold: model.topic_thresholds()[i],
                top_ngrams: model.top_terms(i, top).into_iter().map(|(n, _)| n).collect(),
            })
            .collect();
        ModelInfo {
            trained_on: meta.source.clone(),
            documents: meta.documents,
            trained_at_unix: meta.trained_at,
            trained_at: utc_date(meta.trained_at),
            about: meta.about.clone(),
            tagger_version: meta.tagger_version.clone(),
            format_version: crate::model::format::FORMAT_VERSION,
            classifier: format!("{mode} {kind} naive Bayes"),
            alpha: nb.alpha,
            threshold: model.threshold(),
            features: vocab.len(),
            words: vocab.n_terms(),
            ngrams: vocab.ngrams().to_string(),
            sublinear_tf: model.tfidf().sublinear_tf(),
            stemming: tok.stem,
            drop_numbers: tok.drop_numbers,
            stopwords: tok.stopwords.len(),
            normalizer: model.pipeline().normalizer.steps().iter().map(|s| format!("{s:?}")).collect(),
            topics,
        }
    }
}

/// A Unix time as a UTC calendar date, YYYY-MM-DD (days to civil date, after Howard Hinnant's
/// `civil_from_days`).
pub fn utc_date(unix: u64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_across_leap_years_and_centuries() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(1_764_633_600), "2025-12-02");
        assert_eq!(utc_date(4_107_542_399), "2100-02-28");
    }
}
