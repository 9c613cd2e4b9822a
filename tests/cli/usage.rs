//! Usage errors (exit 2, one line, before any data is read), `--help` and `--version`.

use crate::common::*;
use std::path::Path;
use std::process::{Command, Stdio};

#[test]
fn usage_errors_exit_2() {
    let football = sample("football.txt");
    let f = s(&football);
    let labels = labels_csv();
    let l = s(&labels);
    tagger(["predict", "--bogus", f]).run().usage_error("unexpected argument '--bogus'");
    tagger(["label", l, "--bogus"]).run().usage_error("unexpected argument '--bogus'");
    tagger(["predict", "--threshold", "2", f]).run().usage_error("'2' is not a probability between 0 and 1");
    tagger(["label", l, "--threshold", "2"]).run().usage_error("'2' is not a probability between 0 and 1");
    tagger(["eval", l, "--threshold=-0.1"]).run().usage_error("is not a probability between 0 and 1");
    tagger(["train", l, "--threshold", "1.5", "-o", "/nonexistent/m.bin"])
        .run()
        .usage_error("'1.5' is not a probability");
    tagger(["label", l, "--delimiter", "ab"]).run().usage_error("'ab' is not a single delimiter character");
    tagger(["predict", "--format", "xml", f]).run().usage_error("invalid value 'xml' for '--format <FORMAT>'");
    tagger(["train", l, "--ngrams", "x"]).run().usage_error("expected MIN..MAX");
    tagger(["predict"]).run().usage_error("required arguments were not provided");
    tagger(["frobnicate"]).run().usage_error("unrecognized subcommand 'frobnicate'");
    // Without a subcommand clap prints the help, on stderr, as a usage error.
    let bare = tagger(Vec::<&str>::new()).run();
    assert_eq!(bare.code, Some(2));
    assert!(bare.stdout.is_empty() && bare.stderr.contains("Usage: tagger [OPTIONS] <COMMAND>"), "{}", bare.stderr);
    tagger(["-j", "two", "predict", f]).run().usage_error("invalid value 'two'");
    // Checked after parsing, reported the same way, before anything is read or written.
    let run = tagger(["train", l, l, "-o", "/nonexistent/m.bin"]).run();
    assert_eq!(
        run.usage_error("2 files given"),
        "tagger: 2 files given: train reads one CSV (use --merge to add model shards); usage: tagger train [OPTIONS] <INPUTS>... (more with --help)"
    );
    tagger(["vocab", "--partial", l, l, "-o", "/nonexistent/v.bin"])
        .run()
        .usage_error("2 files given: --partial counts one CSV shard");
    tagger(["label", "-", "--input-format", "jsonl"]).stdin("").run().usage_error("add --format jsonl");
}

#[test]
fn help_and_version_go_to_stdout_with_exit_0() {
    let out = tagger(["--help"]).run().ok();
    assert!(out.starts_with("Tags Arabic news text with topics"), "{out}");
    for cmd in ["train", "predict", "label", "eval", "inspect"] {
        let out = tagger([cmd, "--help"]).run().ok();
        assert!(out.contains(&format!("Usage: tagger {cmd} ")), "{out}");
        assert!(out.contains("-j, --jobs <N>"), "--jobs is global: {out}");
    }
    assert_eq!(tagger(["--version"]).run().ok(), format!("tagger {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn jobs_zero_is_a_usage_error() {
    let football = sample("football.txt");
    for args in [&["-j", "0", "predict", s(&football)][..], &["predict", s(&football), "--jobs", "0"][..]] {
        tagger(args).run().usage_error("invalid value '0' for '--jobs <N>': '0' is not a whole number of at least 1");
    }
    tagger(["predict", s(&football), "--jobs=-1"]).run().usage_error("invalid value '-1' for '--jobs <N>'");
}

#[test]
fn batch_size_zero_is_a_usage_error() {
    tagger(["label", s(&labels_csv()), "--batch-size", "0"])
        .run()
        .usage_error("invalid value '0' for '--batch-size <BATCH_SIZE>': '0' is not a whole number of at least 1");
}

#[test]
fn empty_text_column_option_is_refused() {
    let dir = tmp();
    let labels = labels_csv();
    let l = s(&labels);
    for spec in ["", ","] {
        let message = format!("invalid value '{spec}' for '--text-column <TEXT_COLUMN>': '{spec}' names no column");
        tagger(["label", l, "--text-column", spec, "-q"]).run().usage_error(&message);
        tagger(["eval", l, "--text-column", spec]).run().usage_error(&message);
        tagger(["train", l, "--text-column", spec, "-o", "m.bin"]).dir(dir.path()).run().usage_error(&message);
    }
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "no model written");
}

#[test]
fn jobs_above_256_is_a_usage_error() {
    let labels = labels_csv();
    for n in ["257", "5000", "100000"] {
        tagger(["-j", n, "label", s(&labels), "-q"]).run().usage_error(&format!(
            "invalid value '{n}' for '--jobs <N>': {n} threads is more than tagger starts (at most 256; the default is one per core)"
        ));
    }
    let one = tagger(["-j", "1", "label", s(&labels), "-q"]).run().ok();
    assert!(tagger(["-j", "256", "label", s(&labels), "-q"]).run().ok() == one, "-j 256 works and agrees with -j 1");
}

#[test]
fn help_to_a_full_device_is_a_failure() {
    if !Path::new("/dev/full").exists() {
        println!("skipped: this system has no /dev/full");
        return;
    }
    for args in [&["--help"][..], &["label", "--help"][..], &["--version"][..]] {
        let full = std::fs::OpenOptions::new().write(true).open("/dev/full").expect("/dev/full opens");
        let out = Command::new(BIN).args(args).stdout(full).stderr(Stdio::piped()).output().expect("tagger runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: exit 0 although nothing was written; stderr: {stderr}");
        assert!(stderr.starts_with("tagger: cannot write to standard output: No space left on device"), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

// Issue 12, item 12: usage errors exit 2, before reading data, as one line.

#[test]
fn settings_no_data_can_satisfy_are_usage_errors_before_reading() {
    // Each exited 1, some only after the data was read. The input does not exist: reaching it
    // would exit 1 with "No such file".
    let cases: [(&[&str], &str); 11] = [
        (&["--alpha", "0"], "'0' is not a smoothing value: use a finite number above 0"),
        (&["--alpha", "nan"], "'nan' is not a smoothing value"),
        (&["--alpha=-1"], "'-1' is not a smoothing value"),
        (&["--alpha", "inf"], "'inf' is not a smoothing value"),
        (&["--max-features", "0"], "invalid value '0' for '--max-features <MAX_FEATURES>'"),
        (&["--max-df", "0"], "'0' keeps no n-gram (at most 0 documents)"),
        (&["--max-df", "0.0"], "'0.0' keeps no n-gram"),
        (&["--min-df", "5", "--max-df", "3"], "invalid max_df: 3 is below min_df 5"),
        (&["--cv", "0"], "'0' is not a number of folds: use 2 or more"),
        (&["--cv", "1"], "'1' is not a number of folds"),
        (&["--tune-thresholds", "1"], "'1' is not a number of folds"),
    ];
    for (args, says) in cases {
        tagger(["train", "/nonexistent/x.csv"]).args(args).run().usage_error(says);
    }
    for args in [&["--max-features", "0"][..], &["--max-df", "0"], &["--min-df", "5", "--max-df", "3"]] {
        tagger(["vocab", "--merge", "/nonexistent/a.bin", "/nonexistent/b.bin", "-o", "/nonexistent/v.bin"])
            .args(args)
            .run()
            .usage_error(if args[0] == "--min-df" { "below min_df" } else { "'0'" });
    }
    tagger([
        "train",
        "--merge",
        "/nonexistent/a.bin",
        "/nonexistent/b.bin",
        "--alpha",
        "0",
        "-o",
        "/nonexistent/m.bin",
    ])
    .run()
    .usage_error("is not a smoothing value");
}

#[test]
fn clap_errors_are_one_tagger_line_with_the_usage() {
    // Clap printed several lines starting `error:`; README promises one `tagger:` line.
    let football = sample("football.txt");
    let f = s(&football);
    assert_eq!(
        tagger(["predict", f, "--bogus"]).run().usage_error("--bogus"),
        "tagger: unexpected argument '--bogus' found (tip: to pass '--bogus' as a value, use '-- --bogus'); usage: tagger predict <INPUTS>... (more with --help)"
    );
    assert_eq!(
        tagger(["predict"]).run().usage_error("required"),
        "tagger: the following required arguments were not provided: <INPUTS>...; usage: tagger predict <INPUTS>... (more with --help)"
    );
    assert_eq!(
        tagger(["predict", f, "--format", "xml"]).run().usage_error("xml"),
        "tagger: invalid value 'xml' for '--format <FORMAT>' [possible values: text, json]"
    );
}
