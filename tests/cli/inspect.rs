//! `tagger inspect`: what a model says about itself.

use crate::common::*;
use serde_json::Value;

#[test]
fn inspect_names_the_embedded_model() {
    let text = tagger(["inspect"]).run().ok();
    assert_eq!(text.lines().next(), Some("model:        <embedded default model>"));
    assert!(text.contains("trained on:   default-corpus.csv ("), "{text}");
    assert!(text.contains(&format!(", threshold {DEFAULT_THRESHOLD}\n")), "{text}");
    // What it was trained on, and under which licenses.
    for source in ["tagger-project: 1029 documents", "sanad-khaleej: ", "CC BY 4.0", "asnd: "] {
        assert!(text.contains(source), "inspect does not name {source:?}: {text}");
    }
    let embedded: Value = serde_json::from_str(&tagger(["inspect", "--format", "json"]).run().ok()).unwrap();
    assert_eq!(embedded["model"], "<embedded default model>");
    assert_eq!(embedded["trained_on"], "default-corpus.csv");
    assert_eq!(embedded["trained_at"], "2025-12-02");
    assert!(embedded["documents"].as_u64().unwrap() > 5000, "{}", embedded["documents"]);
    assert_eq!(embedded["threshold"], DEFAULT_THRESHOLD);
    let topics: Vec<&str> =
        embedded["topics"].as_array().unwrap().iter().map(|t| t["topic"].as_str().unwrap()).collect();
    assert_eq!(
        topics,
        [
            "culture",
            "diplomacy",
            "economy",
            "health",
            "iran",
            "palestine",
            "sports",
            "syria",
            "technology",
            "ukraine-war"
        ]
    );
    // The embedded model is models/default.bin.
    let mut file: Value =
        serde_json::from_str(&tagger(["inspect", "--format", "json", "--model", "models/default.bin"]).run().ok())
            .unwrap();
    assert_eq!(file["model"], "models/default.bin");
    file["model"] = embedded["model"].clone();
    assert_eq!(file, embedded);
}

// Issue 12, item 18: what a new user read in help and inspect.

#[test]
fn top_k_help_says_zero_means_no_limit_and_inspect_shows_the_date_and_whole_counts() {
    for cmd in ["predict", "label"] {
        let help = tagger([cmd, "--help"]).run().ok();
        let line = help.lines().find(|l| l.contains("--top-k")).expect("--top-k in help");
        assert!(line.contains("(0: no limit) [default: 0]"), "{cmd}: {line}");
    }
    let text = tagger(["inspect"]).run().ok();
    assert!(text.contains("(8404 documents) on 2025-12-02, tagger "), "the training date: {text}");
    let counts: Vec<&str> = text.lines().filter(|l| l.contains(" documents, threshold ")).collect();
    assert_eq!(counts.len(), 10, "{text}");
    for line in counts {
        let count = line.split_once('(').unwrap().1.split_once(' ').unwrap().0;
        assert!(count.parse::<u64>().is_ok(), "a whole number of documents, not {count:?}: {line}");
    }
}
