//! `tagger eval`: multi-label and single-label reports, text and JSON.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// Trains on the even rows of the corpus and writes the odd rows as `heldout.csv`.
fn heldout_setup(dir: &Path) -> Vec<Row> {
    write_labeled(&dir.join("train.csv"), &every_nth(2));
    tagger(["train", "train.csv", "-o", "half.bin", "-q"]).dir(dir).run().ok();
    let heldout: Vec<Row> = corpus().iter().skip(1).step_by(2).cloned().collect();
    write_labeled(&dir.join("heldout.csv"), &heldout);
    heldout
}

fn support(rows: &[Row], topic: &str) -> usize {
    rows.iter().filter(|r| r.labels.split('|').any(|t| t == topic)).count()
}

#[test]
fn eval_text_has_a_row_per_topic_and_micro_and_macro_lines() {
    let dir = tmp();
    let heldout = heldout_setup(dir.path());
    let out = tagger(["eval", "heldout.csv", "--model", "half.bin"]).dir(dir.path()).run().ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!(
            "heldout.csv: {} documents, model half.bin, multi-label (threshold {DEFAULT_THRESHOLD})",
            heldout.len()
        )
    );
    assert_eq!(lines[1].split_whitespace().collect::<Vec<_>>(), ["topic", "precision", "recall", "f1", "support"]);
    let topics = model_topics(Some(&dir.path().join("half.bin")));
    for (line, topic) in lines[2..12].iter().zip(&topics) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f.len(), 5, "{line}");
        assert_eq!(f[0], topic);
        for x in &f[1..4] {
            let x: f64 = x.parse().unwrap();
            assert!((0.0..=1.0).contains(&x), "{line}");
        }
        assert_eq!(f[4].parse::<usize>().unwrap(), support(&heldout, topic), "{line}");
    }
    for (line, name) in lines[12..14].iter().zip(["micro avg", "macro avg"]) {
        assert!(line.starts_with(name), "{out}");
        let f: Vec<f64> = line[name.len()..].split_whitespace().map(|x| x.parse().unwrap()).collect();
        assert_eq!(f.len(), 3, "{line}");
        assert!(f[2] > 0.7, "held-out F1 of a model trained on half the corpus: {line}");
    }
    assert!(lines[14].starts_with("exact match 0."), "{out}");
    assert!(lines[15].starts_with("predicted in "), "{out}");
    assert_eq!(lines.len(), 16, "{out}");
}

#[test]
fn eval_json_parses_with_per_topic_scores_and_averages() {
    let dir = tmp();
    let heldout = heldout_setup(dir.path());
    let json = tagger(["eval", "heldout.csv", "--model", "half.bin", "--format", "json"]).dir(dir.path()).run().ok();
    let r: Value = serde_json::from_str(&json).expect("eval json");
    assert_eq!(r["documents"], heldout.len());
    assert_eq!(r["single_label"], false);
    assert_eq!(r["accuracy"], Value::Null);
    assert_eq!(r["confusion"], Value::Null);
    assert_eq!(r["unknown_topics"], serde_json::json!([]));
    let topics = r["topics"].as_array().unwrap();
    assert_eq!(topics.len(), 10);
    for t in topics {
        let name = t["topic"].as_str().unwrap();
        assert_eq!(t["support"], support(&heldout, name), "{t}");
        for k in ["precision", "recall", "f1"] {
            assert!((0.0..=1.0).contains(&t[k].as_f64().unwrap()), "{t}");
        }
    }
    for avg in ["micro", "macro_avg"] {
        for k in ["precision", "recall", "f1"] {
            assert!((0.0..=1.0).contains(&r[avg][k].as_f64().unwrap()), "{avg}: {}", r[avg]);
        }
    }
    // The text report prints the same figures.
    let text = tagger(["eval", "heldout.csv", "--model", "half.bin"]).dir(dir.path()).run().ok();
    let micro = text.lines().find(|l| l.starts_with("micro avg")).unwrap();
    assert!(micro.ends_with(&format!("{:.4}", r["micro"]["f1"].as_f64().unwrap())), "{micro}");
}

/// Rows of the corpus with exactly one topic (of every fourth row), as `text,label`.
fn single_label_csv(path: &Path) -> Vec<Row> {
    let rows: Vec<Row> = every_nth(4).into_iter().filter(|r| r.topics().len() == 1).collect();
    let body: Vec<Vec<String>> = rows.iter().map(|r| vec![r.text.clone(), r.labels.clone()]).collect();
    std::fs::write(path, csv_bytes(b',', false, &["text", "label"], &body)).unwrap();
    rows
}

#[test]
fn eval_single_label_csv_gives_accuracy_and_a_confusion_matrix() {
    let dir = tmp();
    let rows = single_label_csv(&dir.path().join("single.csv"));
    let out = tagger(["eval", "single.csv"]).dir(dir.path()).run().ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        format!("single.csv: {} documents, model <embedded default model>, single-label (top topic)", rows.len())
    );
    let acc = lines.iter().position(|l| l.starts_with("accuracy ")).expect("an accuracy line");
    let accuracy: f64 = lines[acc]["accuracy ".len()..].parse().unwrap();
    assert!(accuracy > 0.9, "{out}");
    assert_eq!(lines[acc + 1], "confusion matrix (rows: true topic, columns: predicted; last column: no topic)");
    assert!(lines[acc + 2].trim_end().ends_with("none"), "{out}");
    let topics = model_topics(None);
    for (line, topic) in lines[acc + 3..acc + 13].iter().zip(&topics) {
        let f: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(f[0], topic, "{line}");
        let counts: Vec<usize> = f[1..].iter().map(|x| x.parse().unwrap()).collect();
        assert_eq!(counts.len(), 11, "ten topics and none: {line}");
        assert_eq!(counts.iter().sum::<usize>(), support(&rows, topic), "a row sums to the topic's support: {line}");
    }

    let r: Value =
        serde_json::from_str(&tagger(["eval", "single.csv", "--format", "json"]).dir(dir.path()).run().ok()).unwrap();
    assert_eq!(r["single_label"], true);
    assert_eq!(r["accuracy"], r["exact_match"]);
    assert_eq!(format!("{:.4}", r["accuracy"].as_f64().unwrap()), format!("{accuracy:.4}"));
    let m = r["confusion"].as_array().unwrap();
    assert_eq!(m.len(), 10);
    assert!(m.iter().all(|row| row.as_array().unwrap().len() == 11));
    let diagonal: u64 = m.iter().enumerate().map(|(i, row)| row[i].as_u64().unwrap()).sum();
    assert_eq!(diagonal as f64 / rows.len() as f64, r["accuracy"].as_f64().unwrap());
}

/// README: "For single-label data ... the prediction is the top topic", and the report says
/// "single-label (top topic)"; so the threshold should not matter.
#[test]
fn eval_single_label_scores_the_top_topic_whatever_the_threshold() {
    let dir = tmp();
    single_label_csv(&dir.path().join("single.csv"));
    let report = |threshold: &str| -> Value {
        let json =
            tagger(["eval", "single.csv", "--format", "json", "--threshold", threshold]).dir(dir.path()).run().ok();
        serde_json::from_str::<Value>(&json).unwrap()
    };
    let default = report(&DEFAULT_THRESHOLD.to_string());
    assert!(default["accuracy"].as_f64().unwrap() > 0.9, "{}", default["accuracy"]);
    for threshold in ["1", "0.99", "0"] {
        let r = report(threshold);
        assert_eq!(r["single_label"], true);
        assert_eq!(r["accuracy"], default["accuracy"], "--threshold {threshold}");
        assert_eq!(r["confusion"], default["confusion"], "--threshold {threshold}");
    }
    let none: u64 = default["confusion"].as_array().unwrap().iter().map(|row| row[10].as_u64().unwrap()).sum();
    assert_eq!(none, 0, "every document has a top topic");
}

// Per-topic thresholds, training-text fingerprints, what a model was trained on

/// `eval` on the data a model learned from says so: the default model reports near-perfect
/// figures on data/labels.csv because it was trained on it.
#[test]
fn eval_says_when_the_model_was_trained_on_the_data() {
    let out = tagger(["eval", s(&labels_csv())]).run().ok();
    let n = corpus().len();
    assert!(
        out.contains(&format!("note: the model was trained on {n} of these {n} documents")),
        "no note that the default model was trained on data/labels.csv: {out}"
    );
    // A model trained on a third of the corpus, scored on the rest: no note.
    let dir = tmp();
    let model = train_small(dir.path());
    let rest: Vec<Row> = corpus().iter().enumerate().filter(|(i, _)| i % 3 != 0).map(|(_, r)| r.clone()).collect();
    write_labeled(&dir.path().join("rest.csv"), &rest);
    let out = tagger(["eval", "rest.csv", "--model", s(&model)]).dir(dir.path()).run().ok();
    assert!(!out.contains("note: the model was trained on"), "{out}");
    let json: Value = serde_json::from_str(
        &tagger(["eval", "rest.csv", "--model", s(&model), "--format", "json"]).dir(dir.path()).run().ok(),
    )
    .unwrap();
    assert_eq!(json["trained_on"], 0);
}
