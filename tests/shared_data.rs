//! Accuracy on real Arabic news that none of us wrote: the corpora in `../shared/data` beside
//! the checkout (see its README). They are not part of the repository, so on a clone without
//! them each test says so and passes without checking anything.

use linfa::ParamGuard;
use std::path::PathBuf;
use tagger::classify::NbParams;
use tagger::corpus::{read_labeled, CsvOptions, LabeledCorpus};
use tagger::eval::evaluate;
use tagger::features::TfidfParams;
use tagger::text::{Step, TokenizerSettings};
use tagger::{Model, TrainSettings, TrainingMeta};

fn shared(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/data").join(name);
    if path.exists() {
        Some(path)
    } else {
        // Written to the process's stderr, not through eprintln!, which the test harness
        // captures and shows only for failing tests: a skip must be visible in `cargo test`.
        use std::io::Write;
        let _ = writeln!(
            std::io::stderr(),
            "skipped: {} is absent (the evaluation corpora live beside the checkout, not in it)",
            path.display()
        );
        None
    }
}

fn read(path: &PathBuf) -> LabeledCorpus {
    read_labeled(std::fs::File::open(path).unwrap(), &path.display().to_string(), &CsvOptions::default()).unwrap()
}

/// The CLI's default training settings.
fn defaults() -> TrainSettings {
    TrainSettings {
        steps: Step::ARABIC_DEFAULT.to_vec(),
        tokenizer: TokenizerSettings::default(),
        tfidf: TfidfParams::new().check().unwrap(),
        nb: NbParams::new().kind(tagger::classify::NbKind::Complement).check().unwrap(),
        threshold: 0.7,
    }
}

fn meta() -> TrainingMeta {
    TrainingMeta { source: "shared".into(), documents: 0, trained_at: 0, tagger_version: String::new() }
}

#[test]
fn sanad_test_accuracy_is_within_half_a_point_of_fasttext() {
    let (Some(train), Some(test)) = (shared("sanad-khaleej-train.csv"), shared("sanad-khaleej-test.csv")) else {
        return;
    };
    let model = Model::train(read(&train), &defaults(), meta()).unwrap();
    let report = evaluate(&model, &read(&test), model.default_decision());
    let accuracy = report.accuracy.unwrap();
    // fastText with bigrams: 0.972 in the brief's measurement, 0.9757 in benches/compare on this
    // machine; tagger measures 0.9721 (README, "Against scikit-learn and fastText").
    assert!(accuracy >= 0.970, "accuracy {accuracy}");
    assert!(report.macro_avg.f1 >= 0.970, "macro-F1 {}", report.macro_avg.f1);
}

#[test]
fn mowjaz_multi_label_beats_the_scikit_learn_baseline() {
    let (Some(train), Some(test)) = (shared("mowjaz-train.csv"), shared("mowjaz-test.csv")) else { return };
    let model = Model::train(read(&train), &defaults(), meta()).unwrap();
    let report = evaluate(&model, &read(&test), model.default_decision());
    // The data's README: scikit-learn one-vs-rest MultinomialNB micro-F1 0.61, macro-F1 0.54.
    assert!(report.micro.f1 >= 0.75, "micro-F1 {}", report.micro.f1);
    assert!(report.macro_avg.f1 >= 0.70, "macro-F1 {}", report.macro_avg.f1);
}

/// SANAD test articles of one category that name any of `words` at least `min` times.
fn articles(test: &PathBuf, category: &str, words: &[&str], min: usize) -> Vec<String> {
    let corpus = read(test);
    let topic = corpus.topics.iter().position(|t| t == category).unwrap() as u32;
    corpus
        .texts
        .iter()
        .zip(&corpus.labels)
        .filter(|(text, labels)| {
            labels[0] == topic && words.iter().map(|w| text.matches(w).count()).sum::<usize>() >= min
        })
        .map(|(text, _)| text.to_owned())
        .collect()
}

#[test]
fn default_model_tags_real_syria_news_and_leaves_sport_alone() {
    let Some(test) = shared("sanad-khaleej-test.csv") else { return };
    let model = tagger::default_model::load().unwrap();
    let topic = |name: &str| model.topics().iter().position(|t| t == name).unwrap();
    let share = |texts: &[String], name: &str| {
        let given = model
            .predict_batch(texts, model.default_decision())
            .iter()
            .filter(|p| p.topics.contains(&topic(name)))
            .count();
        given as f64 / texts.len() as f64
    };

    let syria = articles(&test, "politics", &["سوريا", "السوري", "دمشق"], 5);
    assert!(syria.len() >= 50, "{} articles", syria.len());
    let tagged = share(&syria, "syria");
    assert!(tagged >= 0.70, "only {tagged:.2} of {} real Syria articles tagged syria", syria.len());

    // Sports reports that mention Syria or Ukraine (a team, a venue) are not about either.
    let sport = articles(&test, "sports", &["سوريا", "السوري", "أوكرانيا", "الأوكراني", "كييف"], 2);
    assert!(sport.len() >= 20, "{} articles", sport.len());
    assert!(share(&sport, "sports") >= 0.85, "sports share {:.2}", share(&sport, "sports"));
    assert!(share(&sport, "syria") <= 0.05 && share(&sport, "ukraine-war") <= 0.05);
}
