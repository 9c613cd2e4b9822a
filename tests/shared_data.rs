//! Accuracy on real Arabic news that none of us wrote: the corpora in `../shared/data` beside
//! the checkout (see its README). They are not part of the repository, so on a clone without
//! them each test says so and passes without checking anything.

use std::path::PathBuf;
use tagger::corpus::LabeledCorpus;
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::eval::evaluate;
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
    TrainSettings::default()
}

fn meta() -> TrainingMeta {
    TrainingMeta::new("shared")
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

/// Micro-F1 floors on the held-back sets; measured (2026-12-03, this machine, the sets grown to
/// 419 and 271 labeled articles): SANAD politics held back 0.733, ASND politics test posts 0.576,
/// Mowjaz 0.764, ASND test posts 0.695 (the first model, of data/labels.csv alone: 0.649, 0.478,
/// 0.725, 0.527).
const HELD_BACK_LEVELS: [(&str, f64); 4] =
    [("sanad-politics-heldback", 0.71), ("asnd-politics-test", 0.55), ("mowjaz", 0.74), ("asnd-test", 0.66)];

/// Runs `python3 scripts/default-model/build.py ARGS` with this build's binary.
fn build_script(args: &[&str]) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let status = std::process::Command::new("python3")
        .arg(root.join("scripts/default-model/build.py"))
        .args(["--tagger", env!("CARGO_BIN_EXE_tagger")])
        .args(args)
        .stderr(std::process::Stdio::null())
        .status()
        .expect("python3 runs");
    assert!(status.success(), "build.py {args:?} failed");
}

/// models/default.bin is what its build script gives from data/ and ../shared/data, byte for
/// byte.
#[test]
fn default_model_is_reproducible_from_its_build_script() {
    if shared("sanad-khaleej-train.csv").is_none() || shared("asnd.csv").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("default.bin");
    build_script(&["-o", out.to_str().unwrap()]);
    let rebuilt = std::fs::read(&out).unwrap();
    assert!(
        rebuilt == tagger::default_model::BYTES,
        "models/default.bin is not what `python3 scripts/default-model/build.py` gives; rebuild it"
    );
}

/// The default model on real articles it never trained on (the held-back sets of
/// scripts/default-model/corpus.py; README, "Accuracy", has the per-topic figures). The levels
/// are a little under the measured ones, so that a change that loses ground fails here.
#[test]
fn default_model_on_held_back_real_articles() {
    if shared("sanad-khaleej-train.csv").is_none() || shared("mowjaz-test.csv").is_none() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    build_script(&["--holdout-dir", dir.path().to_str().unwrap()]);
    let model = tagger::default_model::load().unwrap();
    let micro = |name: &str| {
        let corpus = read(&dir.path().join(format!("{name}.csv")));
        assert_eq!(model.trained_on_count(corpus.texts.iter()), 0, "{name}: the model trained on some of these");
        evaluate(&model, &corpus, model.default_decision()).micro.f1
    };
    for (name, level) in HELD_BACK_LEVELS {
        let f1 = micro(name);
        assert!(f1 >= level, "{name}: micro-F1 {f1:.4} under {level}");
    }
}
