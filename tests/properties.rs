//! Properties that must hold for any input (proptest): normalization is idempotent, no token
//! is empty, probabilities are finite and well-formed, a saved model predicts as the original,
//! and labeling accounts for every row.

#[path = "common/mod.rs"]
mod common;

use common::{labeled_corpus, meta};
use linfa::ParamGuard;
use proptest::prelude::*;
use std::sync::OnceLock;
use tagger::batch::{label_csv, LabelOptions, Silent};
use tagger::classify::{LabelMode, NbParams};
use tagger::corpus::LabeledCorpus;
use tagger::features::{DocFreq, TfidfParams};
use tagger::text::TextPipeline;
use tagger::{Model, TrainSettings};

fn settings(mode: Option<LabelMode>) -> TrainSettings {
    TrainSettings {
        tfidf: TfidfParams::new().min_df(DocFreq::Count(1)).check().unwrap(),
        nb: NbParams::new().mode(mode).check().unwrap(),
        threshold: 0.5,
        ..TrainSettings::default()
    }
}

/// A single-label model: the first topic of each row of data/labels.csv.
fn single_label_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        // Rows with a topic, each keeping its first topic only.
        let all = labeled_corpus();
        let keep: Vec<usize> = (0..all.texts.len()).filter(|&i| !all.labels[i].is_empty()).collect();
        let c = LabeledCorpus {
            source: all.source.clone(),
            texts: keep.iter().map(|&i| all.texts.get(i)).collect(),
            labels: keep.iter().map(|&i| all.labels[i][..1].to_vec()).collect(),
            topics: all.topics.clone(),
            unlabeled_lines: Vec::new(),
            lines: Vec::new(),
            warnings: Vec::new(),
        };
        Model::train(c, &settings(Some(LabelMode::Single)), meta()).unwrap()
    })
}

/// Text made of pieces that exercise every normalizer rule: Arabic letters and their variant
/// forms, diacritics, tatweel, presentation forms, digits of three systems, Latin, punctuation,
/// zero-width and bidi controls, and characters outside the BMP.
fn messy_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[\u{0621}-\u{064A}]{1,8}",
        1 => "[\u{064B}-\u{065F}\u{0670}\u{0640}]",
        1 => "[\u{FB50}-\u{FDFF}\u{FE70}-\u{FEFC}]{1,3}",
        1 => "[\u{0660}-\u{0669}\u{06F0}-\u{06F9}0-9]{1,4}",
        1 => "[A-Za-zÀ-ÿ]{1,6}",
        1 => "[ ،؛؟«».,!\\-\n\t\u{00A0}]",
        1 => "[\u{200B}-\u{200F}\u{202A}-\u{202E}\u{2066}-\u{2069}\u{FEFF}]",
        1 => "\\PC",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|parts| parts.concat())
}

/// Arabic text built from the corpus's own words, so the model knows many of them.
fn newsy_text() -> impl Strategy<Value = String> {
    let words: Vec<String> =
        labeled_corpus().texts.iter().take(200).flat_map(|t| t.split_whitespace().map(str::to_owned)).collect();
    prop::collection::vec(prop::sample::select(words), 0..400).prop_map(|w| w.join(" "))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn normalization_is_idempotent(text in messy_text()) {
        let p = TextPipeline::default();
        let once = p.normalizer.normalize(&text);
        prop_assert_eq!(p.normalizer.normalize(&once), once);
    }

    #[test]
    fn tokens_are_never_empty_and_only_letters_or_digits(text in messy_text()) {
        let p = TextPipeline::default();
        let mut buf = String::new();
        let mut tokens = Vec::new();
        p.for_each_token(&text, &mut buf, |t| tokens.push(t.to_owned()));
        for t in tokens {
            prop_assert!(!t.is_empty());
            prop_assert!(t.chars().all(tagger::text::tokenize::is_word_char), "{:?}", t);
        }
    }

    #[test]
    fn single_label_probabilities_are_a_distribution(text in newsy_text()) {
        let model = single_label_model();
        let p = model.predict(&text, model.default_decision());
        if !p.scores.is_empty() {
            prop_assert!(p.scores.iter().all(|s| s.is_finite() && (0.0..=1.0).contains(s)), "{:?}", p.scores);
            prop_assert!((p.scores.iter().sum::<f64>() - 1.0).abs() < 1e-9);
            prop_assert_eq!(p.topics.len(), 1);
        }
    }

    #[test]
    fn multi_label_probabilities_are_in_range(text in prop_oneof![newsy_text(), messy_text()]) {
        let model = tagger::default_model::load().unwrap();
        let p = model.predict(&text, model.default_decision());
        prop_assert!(p.scores.iter().all(|s| s.is_finite() && (0.0..=1.0).contains(s)), "{:?}", p.scores);
        for &t in &p.topics {
            prop_assert!(p.scores[t] >= model.topic_thresholds()[t]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn saved_models_predict_like_the_original(seed in 0u64..1000, texts in prop::collection::vec(newsy_text(), 1..5)) {
        // Train on a pseudo-random two-thirds of the corpus.
        let mut c = labeled_corpus().clone();
        let keep: Vec<usize> = (0..c.texts.len()).filter(|i| !(i * 7 + seed as usize).is_multiple_of(3)).collect();
        c.texts = keep.iter().map(|&i| labeled_corpus().texts.get(i)).collect();
        c.labels = keep.iter().map(|&i| labeled_corpus().labels[i].clone()).collect();
        c.unlabeled_lines.clear();
        let model = Model::train(c.compact_topics(), &settings(None), meta()).unwrap();
        let mut bytes = Vec::new();
        model.write_to(&mut bytes, "mem").unwrap();
        let loaded = Model::from_bytes(&bytes, "mem").unwrap();
        for text in &texts {
            prop_assert_eq!(model.predict(text, model.default_decision()), loaded.predict(text, loaded.default_decision()));
        }
    }

    #[test]
    fn label_accounts_for_every_row(rows in prop::collection::vec((newsy_text(), 0u8..4), 0..60)) {
        // Rows with 0 or 3 extra fields are malformed; --skip-bad must report each of them.
        let mut csv = String::from("id,text\n");
        let mut bad = 0;
        for (i, (text, kind)) in rows.iter().enumerate() {
            let quoted = format!("\"{}\"", text.replace('"', "\"\""));
            match kind {
                0 => { csv.push_str(&format!("{i}\n")); bad += 1; }
                3 => { csv.push_str(&format!("{i},{quoted},x,y\n")); bad += 1; }
                _ => csv.push_str(&format!("{i},{quoted}\n")),
            }
        }
        let model = tagger::default_model::load().unwrap();
        let mut opts = LabelOptions::new(model.default_decision());
        opts.skip_bad = true;
        opts.batch_size = 7;
        opts.batch_bytes = 300;
        let mut out = Vec::new();
        let summary = label_csv(&model, csv.as_bytes(), "p.csv", &mut out, &opts, &mut Silent).unwrap();
        prop_assert_eq!(summary.rows_read, rows.len() as u64);
        prop_assert_eq!(summary.rows_skipped, bad);
        prop_assert_eq!(summary.rows_read, summary.rows_written + summary.rows_skipped);
        let written = csv::Reader::from_reader(&out[..]).records().count() as u64;
        prop_assert_eq!(written, summary.rows_written);
    }
}
