//! `tagger train`: the training report and notes, reproducible models, settings (thresholds per topic,
//! balanced naive Bayes, single-label data), topic names, and training sets that cannot train.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

#[test]
fn train_then_predict_with_the_trained_model_finds_the_topic() {
    let dir = tmp();
    let rows = every_nth(3);
    assert!(unlabeled_lines(&rows).len() > 10, "some rows without a topic, more than the note names");
    write_labeled(&dir.path().join("train.csv"), &rows);
    let run = tagger(["train", "train.csv", "-o", "models/small.bin"]).dir(dir.path()).run();
    let out = run.ok();
    assert!(
        out.starts_with(&format!("wrote models/small.bin: {} documents, 10 topics, ", rows.len()))
            && out.contains(" features, multi-label complement naive Bayes, ")
            && out.ends_with(" s\n")
            && out.lines().count() == 1,
        "{out}"
    );
    assert_eq!(
        run.stderr,
        unlabeled_note("train.csv", &rows),
        "no progress when stderr is not a terminal; only the note naming the rows without a topic"
    );
    // Without such rows, nothing on stderr.
    let labeled: Vec<Row> = rows.iter().filter(|r| !r.topics().is_empty()).cloned().collect();
    write_labeled(&dir.path().join("labeled.csv"), &labeled);
    let run = tagger(["train", "labeled.csv", "-o", "labeled.bin"]).dir(dir.path()).run();
    assert!(run.ok().starts_with(&format!("wrote labeled.bin: {} documents, 10 topics, ", labeled.len())));
    assert_eq!(run.stderr, "");
    // With ten rows or fewer without a topic, the note names them all.
    let few = every_nth(10);
    let lines = unlabeled_lines(&few);
    assert!((1..=10).contains(&lines.len()), "{lines:?}");
    write_labeled(&dir.path().join("few.csv"), &few);
    let run = tagger(["train", "few.csv", "-o", "few.bin"]).dir(dir.path()).run();
    run.ok();
    let named: Vec<String> = lines.iter().map(usize::to_string).collect();
    assert_eq!(
        run.stderr,
        format!(
            "tagger: note: {} rows of few.csv have no topic and train as texts about none of the topics (lines {})\n",
            lines.len(),
            named.join(", ")
        )
    );
    assert!(dir.path().join("models/small.bin").is_file());

    let path = sample("ukraine-talks.txt");
    let out = tagger(["predict", "--model", "models/small.bin", s(&path)]).dir(dir.path()).run().ok();
    assert_eq!(out.lines().count(), 1, "{out}");
    assert!(out.starts_with(&format!("{}\t", path.display())), "{out}");
    assert!(topics_of_line(out.trim_end()).contains(&"ukraine-war".to_string()), "{out}");
}

#[test]
fn empty_training_set_is_refused() {
    let dir = tmp();
    std::fs::write(dir.path().join("empty.csv"), "text,labels\n").unwrap();
    // One message for train and eval: "nothing to learn from" misled on eval (issue 12, item 13).
    let expected = "tagger: empty.csv: the file has a header and no rows";
    tagger(["train", "empty.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["eval", "empty.csv"]).dir(dir.path()).run().fails_with(expected);
    assert_eq!(listing(dir.path()), ["empty.csv"], "no model and no temporary file");
    std::fs::write(dir.path().join("zero.csv"), "").unwrap();
    let expected = "tagger: zero.csv: line 1: the file is empty: expected a header row";
    tagger(["train", "zero.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["eval", "zero.csv"]).dir(dir.path()).run().fails_with(expected);
    tagger(["label", "zero.csv"]).dir(dir.path()).run().fails_with(expected);
}

#[test]
fn training_set_without_a_word_names_the_cause_not_min_df() {
    let dir = tmp();
    // Only stopwords, numbers and punctuation: nothing survives tokenizing.
    std::fs::write(dir.path().join("none.csv"), "text,labels\n\"في من، على\",a\n\"٢٠٢٤ - 15\",b\n").unwrap();
    let run = tagger(["train", "none.csv", "-o", "m.bin"]).dir(dir.path()).run();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "tagger: none.csv: invalid training data: no document has a word left after tokenizing \
         (stopwords, numbers and punctuation are dropped)"
    );
    // One word per document cannot make bigrams, whatever min_df.
    std::fs::write(dir.path().join("one.csv"), "text,labels\nكييف,a\nدمشق,b\n").unwrap();
    let run = tagger(["train", "one.csv", "-o", "m.bin", "--ngrams", "2..2", "--min-df", "1"]).dir(dir.path()).run();
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stderr.lines().last().unwrap(),
        "tagger: one.csv: invalid ngrams: no document has 2 words in a row; lower the n-gram lengths"
    );
    assert_eq!(listing(dir.path()), ["none.csv", "one.csv"], "no model and no temporary file");
}

#[test]
fn single_label_training_and_its_cross_validation_refuse_rows_without_a_topic() {
    let dir = tmp();
    let rows = every_nth(3);
    let unlabeled = unlabeled_lines(&rows);
    assert!(!unlabeled.is_empty(), "the sample needs rows without a topic");
    write_labeled(&dir.path().join("s.csv"), &rows);
    for extra in [&["-o", "m.bin"][..], &["--cv", "3"][..]] {
        let run = tagger(["train", "s.csv", "--mode", "single"]).args(extra).dir(dir.path()).run();
        assert_eq!(run.code, Some(1), "{extra:?}: {}", run.stderr);
        let last = run.stderr.lines().last().unwrap();
        let line: usize = last
            .strip_prefix("tagger: s.csv: line ")
            .and_then(|rest| rest.split(':').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{extra:?}: {last}"));
        assert!(unlabeled.contains(&line), "{extra:?}: line {line} is not a row without a topic");
        assert!(last.ends_with(": no topic; single-label training needs exactly one topic per row"), "{last}");
    }
    assert_eq!(listing(dir.path()), ["s.csv"], "no model and no temporary file");
}

#[test]
fn training_set_with_a_single_topic_is_refused() {
    let dir = tmp();
    let sports: Vec<Row> = corpus().iter().filter(|r| r.labels == "sports").cloned().collect();
    write_labeled(&dir.path().join("sports.csv"), &sports);
    tagger(["train", "sports.csv", "-o", "m.bin"])
        .dir(dir.path())
        .run()
        .fails_with("tagger: sports.csv: only one topic (sports); a classifier needs at least two");
    assert!(!dir.path().join("m.bin").exists());
    // No topic at all is named with its line and column.
    let none: Vec<Row> = every_nth(100).into_iter().map(|r| Row { text: r.text, labels: String::new() }).collect();
    write_labeled(&dir.path().join("none.csv"), &none);
    tagger(["train", "none.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(
        "tagger: none.csv: line 2, column labels: no row has a topic (topics are joined by '|' in this column)",
    );
}

#[test]
fn training_twice_gives_byte_identical_models() {
    let dir = tmp();
    write_labeled(&dir.path().join("train.csv"), &every_nth(3));
    for (jobs, out) in [("1", "a.bin"), ("2", "b.bin"), ("2", "c.bin")] {
        tagger(["-j", jobs, "train", "train.csv", "-o", out, "-q"])
            .env("SOURCE_DATE_EPOCH", "1763856000")
            .dir(dir.path())
            .run()
            .ok();
    }
    let a = std::fs::read(dir.path().join("a.bin")).unwrap();
    assert!(a.starts_with(b"TAGGERMD"));
    assert!(a == std::fs::read(dir.path().join("b.bin")).unwrap(), "-j 1 and -j 2 differ");
    assert!(a == std::fs::read(dir.path().join("c.bin")).unwrap(), "two runs differ");
    let info: Value =
        serde_json::from_str(&tagger(["inspect", "--format", "json", "--model", "a.bin"]).dir(dir.path()).run().ok())
            .unwrap();
    assert_eq!(info["trained_at_unix"], 1763856000u64);
    assert_eq!(info["trained_on"], "train.csv");
    assert_eq!(info["documents"], every_nth(3).len());
}

#[test]
fn training_warnings_name_the_first_few_and_count_the_rest() {
    let dir = tmp();
    let mut rows = every_nth(3);
    let row = |text: String, labels: &str| Row { text, labels: labels.to_string() };
    // 25 topics with a single document, one text 15 times, and 11 texts twice: 12 duplicates.
    rows.extend((0..25).map(|i| row(format!("خبر فريد عن موضوع نادر رقم {i}"), &format!("rare-{i:02}"))));
    rows.extend((0..15).map(|_| row("مباراة مكررة في الدوري".into(), "sports")));
    for i in 0..11 {
        rows.extend((0..2).map(|_| row(format!("خبر مكرر مرتين رقم {i}"), "sports")));
    }
    write_labeled(&dir.path().join("t.csv"), &rows);
    let run = tagger(["train", "t.csv", "-o", "m.bin", "-q"]).dir(dir.path()).run();
    run.ok();
    let warnings: Vec<&str> = run.stderr.lines().filter(|l| l.starts_with("tagger: warning: t.csv: ")).collect();
    let rare: Vec<&&str> = warnings.iter().filter(|l| l.contains(": topic 'rare-")).collect();
    assert_eq!(rare.len(), 10, "{}", run.stderr);
    assert!(
        warnings.contains(&"tagger: warning: t.csv: and 15 more topics have only 1 document (25 in all)"),
        "{}",
        run.stderr
    );
    let dups: Vec<&&str> = warnings.iter().filter(|l| l.contains(": the same text appears on ")).collect();
    assert_eq!(dups.len(), 10, "{}", run.stderr);
    let many = dups.iter().find(|l| l.contains("appears on 15 lines: ")).expect("the text on 15 lines");
    assert!(many.ends_with(" and 5 more"), "{many}");
    assert!(
        warnings.contains(&"tagger: warning: t.csv: and 2 more texts appear on more than one line (12 in all)"),
        "{}",
        run.stderr
    );
    assert_eq!(warnings.len(), 22, "10 + 1 of each kind: {}", run.stderr);
}

#[test]
fn cross_validation_with_an_output_is_refused() {
    let dir = tmp();
    write_labeled(&dir.path().join("t.csv"), &every_nth(3));
    tagger(["train", "t.csv", "--cv", "3", "-o", "m.bin"]).dir(dir.path()).run().refused(
        "tagger: --cv 3 only cross-validates and writes no model: leave out -o m.bin, or leave out --cv to train and write it",
    );
    assert_eq!(listing(dir.path()), ["t.csv"]);
    let out = tagger(["train", "t.csv", "--cv", "3", "-q"]).dir(dir.path()).run().ok();
    assert!(out.starts_with("3-fold cross-validation on t.csv: "), "{out}");
    assert_eq!(listing(dir.path()), ["t.csv"], "--cv writes nothing");
}

#[test]
fn quiet_training_prints_no_note() {
    let dir = tmp();
    let rows = every_nth(3);
    assert!(!unlabeled_lines(&rows).is_empty());
    write_labeled(&dir.path().join("t.csv"), &rows);
    for args in [&["train", "t.csv", "-q", "-o", "m.bin"][..], &["train", "t.csv", "-q", "--cv", "3"]] {
        let run = tagger(args).dir(dir.path()).run();
        run.ok();
        assert_eq!(run.stderr, "", "{args:?}");
    }
}

#[test]
fn tune_thresholds_stores_one_per_topic_and_threshold_overrides_them() {
    let dir = tmp();
    write_labeled(&dir.path().join("train.csv"), &every_nth(2));
    tagger(["train", "train.csv", "-o", "tuned.bin", "-q", "--tune-thresholds", "3"]).dir(dir.path()).run().ok();
    let model = dir.path().join("tuned.bin");
    let thresholds = model_thresholds(Some(&model));
    assert_eq!(thresholds.len(), 10);
    assert!(thresholds.values().all(|t| (0.01..=0.99).contains(t)), "{thresholds:?}");
    assert!(thresholds.values().any(|&t| t != DEFAULT_THRESHOLD), "nothing tuned: {thresholds:?}");
    let inspect = tagger(["inspect", "--model", "tuned.bin"]).dir(dir.path()).run().ok();
    assert!(inspect.contains(&format!("threshold {}", thresholds["sports"])), "{inspect}");

    let files: Vec<PathBuf> = ["football.txt", "syria-withdrawal.txt", "ukraine-talks.txt"].map(sample).to_vec();
    let predict = |extra: &[&str]| -> Vec<Value> {
        let mut args = vec!["predict", "--format", "json", "--model", "tuned.bin"];
        args.extend(extra);
        args.extend(files.iter().map(|f| s(f)));
        tagger(args).dir(dir.path()).run().ok().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    };
    let scores_of = |v: &Value| -> Vec<(String, f64)> {
        v["scores"].as_object().unwrap().iter().map(|(t, x)| (t.clone(), x.as_f64().unwrap())).collect()
    };
    let names = |v: &Value| -> Vec<String> {
        v["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect()
    };
    for v in predict(&[]) {
        assert_eq!(names(&v), given_each(&scores_of(&v), &thresholds), "{v}");
    }
    for v in predict(&["--threshold", "0.5"]) {
        assert_eq!(names(&v), given(&scores_of(&v), 0.5), "--threshold overrides every topic's: {v}");
    }
}

#[test]
fn cv_reports_a_threshold_per_topic() {
    let dir = tmp();
    write_labeled(&dir.path().join("train.csv"), &every_nth(2));
    let out = tagger(["train", "train.csv", "--cv", "3"]).dir(dir.path()).run().ok();
    let line = out.lines().find(|l| l.starts_with("best threshold per topic: ")).unwrap_or_else(|| panic!("{out}"));
    assert!(line.contains("ukraine-war 0.") && line.contains("--tune-thresholds 3"), "{line}");
}

#[test]
fn tune_thresholds_needs_a_multi_label_model() {
    let dir = tmp();
    let rows: Vec<Row> = corpus().iter().filter(|r| r.topics().len() == 1).step_by(2).cloned().collect();
    write_labeled(&dir.path().join("single.csv"), &rows);
    let run = tagger(["train", "single.csv", "-o", "m.bin", "--tune-thresholds", "3"]).dir(dir.path()).run();
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("--tune-thresholds is for multi-label models"), "{}", run.stderr);
    assert!(!dir.path().join("m.bin").exists());
}

/// `--balanced`: each topic against the mean of the others. On the project's corpus the
/// samples keep their tags, and a single-label model refuses it.
#[test]
fn balanced_naive_bayes_trains_multi_label_models_only() {
    let dir = tmp();
    write_labeled(&dir.path().join("train.csv"), &every_nth(2));
    tagger(["train", "train.csv", "-o", "b.bin", "-q", "--balanced"]).dir(dir.path()).run().ok();
    let info: Value =
        serde_json::from_str(&tagger(["inspect", "--model", "b.bin", "--format", "json"]).dir(dir.path()).run().ok())
            .unwrap();
    assert_eq!(info["classifier"], "multi-label balanced naive Bayes");
    let out = tagger(["predict", "--model", "b.bin", s(&sample("ukraine-talks.txt"))]).dir(dir.path()).run().ok();
    assert_eq!(topics_of_line(out.trim_end()), ["diplomacy", "ukraine-war"]);
    let single: Vec<Row> = corpus().iter().filter(|r| r.topics().len() == 1).step_by(2).cloned().collect();
    write_labeled(&dir.path().join("single.csv"), &single);
    let run = tagger(["train", "single.csv", "-o", "s.bin", "--balanced", "--mode", "single"]).dir(dir.path()).run();
    assert!(run.code != Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("balanced naive Bayes is multi-label only"), "{}", run.stderr);
}

/// Issue 12, item 10: `--threshold` applies to single-label models too. Without it a
/// single-label model gives its best topic; with it, only when the best reaches it.
#[test]
fn threshold_applies_to_single_label_models() {
    let dir = tmp();
    let rows: Vec<Row> = corpus().iter().filter(|r| r.topics().len() == 1).step_by(2).cloned().collect();
    write_labeled(&dir.path().join("single.csv"), &rows);
    tagger(["train", "single.csv", "-o", "s.bin", "-q", "--mode", "single"]).dir(dir.path()).run().ok();
    let football = sample("football.txt");
    let plain = tagger(["predict", "--model", "s.bin", s(&football)]).dir(dir.path()).run().ok();
    assert_eq!(topics_of_line(plain.trim_end()), ["sports"], "{plain}");
    let strict = tagger(["predict", "--model", "s.bin", "--threshold", "1", s(&football)]).dir(dir.path()).run().ok();
    assert_eq!(strict, format!("{}\t(no topic)\n", football.display()));
    std::fs::write(dir.path().join("in.csv"), csv_bytes(b',', false, &["text"], &[vec![sample_text("football.txt")]]))
        .unwrap();
    let labeled = tagger(["label", "in.csv", "--model", "s.bin", "--threshold", "1", "-q"]).dir(dir.path()).run().ok();
    let (_, records) = parse_csv(labeled.as_bytes(), b',');
    assert_eq!(records[0][1], "", "no topic reaches 1: {labeled}");
}

#[test]
fn an_endless_stopword_file_is_refused() {
    if !Path::new("/dev/zero").exists() {
        println!("skipped: this system has no /dev/zero");
        return;
    }
    let dir = tmp();
    let run = tagger(["train", s(&root().join("data/labels.csv")), "-o", "m.bin", "--stopwords", "/dev/zero"])
        .dir(dir.path())
        .run();
    let line = run.error_line();
    assert!(line.contains("a stopword list is at most 4 MiB"), "{line}");
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "nothing is left behind");
}

// Issue 12, item 14: topic names.

#[test]
fn topic_names_are_lowercased_and_ambiguous_ones_refused() {
    let dir = tmp();
    let d = dir.path();
    // `Syria` and `syria` were two topics.
    let sample_rows = every_nth(5);
    let rows: Vec<Vec<String>> = sample_rows
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let labels = if i % 2 == 0 { r.labels.to_uppercase() } else { format!(" {} ", r.labels) };
            vec![r.text.clone(), labels.replace('|', " | ")]
        })
        .collect();
    std::fs::write(d.join("mixed.csv"), csv_bytes(b',', false, &["text", "labels"], &rows)).unwrap();
    tagger(["train", "mixed.csv", "-o", "m.bin", "-q"]).dir(d).run().ok();
    let out = tagger(["predict", "--model", "m.bin", "--format", "json", s(&sample("football.txt"))]).dir(d).run().ok();
    let doc: Value = serde_json::from_str(out.trim()).unwrap();
    let topics: Vec<&String> = doc["scores"].as_object().unwrap().keys().collect();
    let expected: BTreeSet<&str> = sample_rows.iter().flat_map(|r| r.topics()).collect();
    assert_eq!(topics, expected.into_iter().collect::<Vec<_>>(), "one lowercase topic per name");
    // A space, ':' or '|' inside a name (from the library) is refused, naming line and column.
    for (labels, says) in [
        ("ukraine war", "topic 'ukraine war' has a space or control character: topics are single names joined by '|'; join its words with '-', such as 'ukraine-war', or separate two topics with '|'"),
        ("Syria:War|diplomacy", "topic 'Syria:War' has ':', which would make label's scores column (topic:probability pairs joined by '|') ambiguous; rename it, such as 'syria-war'"),
    ] {
        let rows = vec![
            vec![corpus()[0].text.clone(), "sports".to_string()],
            vec![corpus()[1].text.clone(), labels.to_string()],
        ];
        std::fs::write(d.join("bad.csv"), csv_bytes(b',', false, &["text", "labels"], &rows)).unwrap();
        let expected = format!("tagger: bad.csv: line 3, column labels: {says}");
        tagger(["train", "bad.csv", "-o", "m2.bin"]).dir(d).run().fails_with(&expected);
        tagger(["eval", "bad.csv"]).dir(d).run().fails_with(&expected);
        tagger(["vocab", "--partial", "bad.csv", "-o", "v.bin"]).dir(d).run().fails_with(&expected);
    }
    assert!(!d.join("m2.bin").exists() && !d.join("v.bin").exists());
}
