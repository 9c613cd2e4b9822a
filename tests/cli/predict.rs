//! `tagger predict`: files, folders and stdin, text and JSON output, `--top-k`, and file names
//! that are not plain.

use crate::common::*;
use serde_json::Value;
use std::collections::BTreeSet;
use std::process::Command;

#[test]
fn predict_json_gives_file_topics_and_a_score_for_every_topic() {
    let dir = tmp();
    let model = train_small(dir.path());
    let topics = model_topics(Some(&model));
    assert_eq!(topics.len(), 10);
    let files = ["football.txt", "recipe.txt", "syria-withdrawal.txt", "ukraine-talks.txt"].map(sample);
    let mut args = vec!["predict", "--format", "json", "--model", s(&model)];
    args.extend(files.iter().map(|f| s(f)));
    let out = tagger(args).run().ok();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), files.len(), "{out}");
    for (line, file) in lines.iter().zip(&files) {
        let v: Value = serde_json::from_str(line).expect("each line is a JSON object");
        let obj = v.as_object().unwrap();
        assert_eq!(
            obj.keys().map(String::as_str).collect::<BTreeSet<_>>(),
            BTreeSet::from(["file", "scores", "topics"])
        );
        assert_eq!(v["file"], s(file));
        let scores = v["scores"].as_object().unwrap();
        assert_eq!(scores.keys().cloned().collect::<Vec<_>>(), topics, "a score for every topic");
        let scores: Vec<(String, f64)> = scores
            .iter()
            .map(|(t, x)| {
                let x = x.as_f64().unwrap();
                assert!((0.0..=1.0).contains(&x), "{t} {x}");
                (t.clone(), x)
            })
            .collect();
        let got: Vec<String> =
            v["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_string()).collect();
        assert_eq!(got, given(&scores, DEFAULT_THRESHOLD), "topics are the scores >= threshold, best first: {line}");
    }
    let ukraine: Value = serde_json::from_str(lines[3]).unwrap();
    assert!(ukraine["topics"].as_array().unwrap().contains(&Value::from("ukraine-war")), "{}", lines[3]);
    let football: Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(football["topics"], serde_json::json!(["sports"]));
}

#[test]
fn predict_folder_labels_every_txt_file_below_it_in_sorted_order() {
    let dir = tmp();
    let a = dir.path().join("articles");
    std::fs::create_dir_all(a.join("sub/deeper")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("b.txt")).unwrap();
    std::fs::copy(sample("ukraine-talks.txt"), a.join("a.txt")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("notes.md")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("b.txt.bak")).unwrap();
    std::fs::copy(sample("syria-withdrawal.txt"), a.join("sub/c.txt")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("sub/deeper/d.txt")).unwrap();
    let out = tagger(["predict", "articles"]).dir(dir.path()).run().ok();
    let names: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["articles/a.txt", "articles/b.txt", "articles/sub/c.txt", "articles/sub/deeper/d.txt"]);
    let lines: Vec<&str> = out.lines().collect();
    assert!(topics_of_line(lines[0]).contains(&"ukraine-war".into()), "{out}");
    assert_eq!(topics_of_line(lines[1]), ["sports"]);
    assert!(topics_of_line(lines[2]).contains(&"syria".into()), "{out}");
    assert_eq!(topics_of_line(lines[3]), ["sports"]);

    // Files are taken in the order given, folders expanded where they stand.
    let out = tagger(["predict", "articles/b.txt", "articles/sub", "articles/a.txt"]).dir(dir.path()).run().ok();
    let names: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["articles/b.txt", "articles/sub/c.txt", "articles/sub/deeper/d.txt", "articles/a.txt"]);
}

#[test]
fn predict_folder_takes_txt_in_any_case() {
    let dir = tmp();
    let a = dir.path().join("articles");
    std::fs::create_dir(&a).unwrap();
    std::fs::copy(sample("football.txt"), a.join("a.TXT")).unwrap();
    std::fs::copy(sample("ukraine-talks.txt"), a.join("b.Txt")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("c.txt")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("d.TXT.bak")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("TXT")).unwrap();
    let out = tagger(["predict", "articles"]).dir(dir.path()).run().ok();
    let names: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(names, ["articles/a.TXT", "articles/b.Txt", "articles/c.txt"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(topics_of_line(lines[0]), ["sports"]);
    assert!(topics_of_line(lines[1]).contains(&"ukraine-war".into()), "{out}");
}

#[test]
fn predict_folder_without_a_txt_file_is_an_error_naming_it() {
    let dir = tmp();
    let a = dir.path().join("articles");
    std::fs::create_dir_all(a.join("sub")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("notes.md")).unwrap();
    std::fs::copy(sample("football.txt"), a.join("sub/b.txt.bak")).unwrap();
    let run = tagger(["predict", "articles"]).dir(dir.path()).run();
    run.fails_with("tagger: articles: no .txt file in this folder");
    assert!(run.stdout.is_empty(), "{}", run.out());
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    // Among other inputs, too: nothing is predicted.
    let football = sample("football.txt");
    let run = tagger(["predict", s(&football), "empty"]).dir(dir.path()).run();
    run.fails_with("tagger: empty: no .txt file in this folder");
    assert!(run.stdout.is_empty(), "{}", run.out());
}

#[test]
fn predict_dash_reads_stdin() {
    let text = sample_text("ukraine-talks.txt");
    let out = tagger(["predict", "-"]).stdin(text.clone()).run().ok();
    assert!(out.starts_with("-\t"), "{out}");
    assert_eq!(topics_of_line(out.trim_end()), ["diplomacy", "ukraine-war"]);
    // The same text as a file gives the same scores.
    let from_file = tagger(["predict", "--format", "json", s(&sample("ukraine-talks.txt"))]).run().ok();
    let from_stdin = tagger(["predict", "--format", "json", "-"]).stdin(text).run().ok();
    let (f, i): (Value, Value) =
        (serde_json::from_str(&from_file).unwrap(), serde_json::from_str(&from_stdin).unwrap());
    assert_eq!(i["file"], "-");
    assert_eq!(f["scores"], i["scores"]);
    assert_eq!(f["topics"], i["topics"]);
}

#[test]
fn predict_top_k_limits_the_topics() {
    let out = tagger(["predict", "--top-k", "1", s(&sample("ukraine-talks.txt"))]).run().ok();
    assert_eq!(topics_of_line(out.trim_end()).len(), 1, "{out}");
}

#[test]
fn label_and_predict_give_the_same_topics_and_scores() {
    let dir = tmp();
    let names = ["football.txt", "recipe.txt", "syria-withdrawal.txt", "ukraine-talks.txt"];
    let rows: Vec<Vec<String>> = names.iter().map(|n| vec![n.to_string(), sample_text(n)]).collect();
    std::fs::write(dir.path().join("samples.csv"), csv_bytes(b',', false, &["name", "text"], &rows)).unwrap();
    let labeled = tagger(["label", "samples.csv", "--format", "jsonl", "-q"]).dir(dir.path()).run().ok();
    let mut args = vec!["predict".to_string(), "--format".into(), "json".into()];
    args.extend(names.iter().map(|n| s(&sample(n)).to_string()));
    let predicted = tagger(args).run().ok();
    assert_eq!(labeled.lines().count(), 4);
    for (l, p) in labeled.lines().zip(predicted.lines()) {
        let (l, p): (Value, Value) = (serde_json::from_str(l).unwrap(), serde_json::from_str(p).unwrap());
        assert_eq!(l["topics"], p["topics"], "{l} / {p}");
        assert_eq!(l["scores"], p["scores"], "{l} / {p}");
    }
}

/// Issue 12, items 16 and 17: `predict - -` would read stdin twice (the second empty); a CSV
/// export given to `predict` is one article, and the note says `label` is the command for it.
#[test]
fn predict_refuses_stdin_twice_and_points_csv_exports_to_label() {
    let run = tagger(["predict", "-", "-"]).stdin("نص").run();
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert_eq!(run.stderr, "tagger: '-' is given more than once: standard input can be read only once\n");
    assert!(run.stdout.is_empty());
    let dir = tmp();
    write_labeled(&dir.path().join("export.csv"), &every_nth(50));
    let run = tagger(["predict", "export.csv"]).dir(dir.path()).run();
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "tagger: note: export.csv is tagged as one article; to tag each row of an export, use `tagger label export.csv`\n"
    );
    let quiet = tagger(["predict", "-q", "export.csv"]).dir(dir.path()).run();
    assert_eq!(quiet.stderr, "");
}

// Issue 12, item 7: symlink loops, special files and long paths in `predict DIR`.

#[test]
fn predict_folder_reads_each_folder_once_and_names_what_it_passes_over() {
    let dir = tmp();
    let d = dir.path();
    let football = sample_text("football.txt");
    std::fs::create_dir_all(d.join("d/sub")).unwrap();
    std::fs::write(d.join("d/a.txt"), &football).unwrap();
    std::fs::write(d.join("d/sub/b.txt"), &football).unwrap();
    // A loop hung while memory grew; a single loop predicted the same file 41 times.
    std::os::unix::fs::symlink("..", d.join("d/sub/loop")).unwrap();
    // A second way into sub/: read once, under the name met first in the walk.
    std::os::unix::fs::symlink("sub", d.join("d/again")).unwrap();
    // A FIFO named like a document hung the run.
    assert!(Command::new("mkfifo").arg(d.join("d/c.txt")).status().expect("mkfifo runs").success());
    std::os::unix::fs::symlink("nowhere.txt", d.join("d/gone.txt")).unwrap();
    let run = tagger(["predict", "d"]).dir(d).run();
    let out = run.ok();
    let files: Vec<&str> = out.lines().map(|l| l.split('\t').next().unwrap()).collect();
    assert_eq!(files.len(), 2, "each file once: {out}");
    assert!(files[0] == "d/a.txt" && (files[1] == "d/sub/b.txt" || files[1] == "d/again/b.txt"), "{out}");
    let stderr: BTreeSet<&str> = run.stderr.lines().collect();
    let read_as = files[1].trim_end_matches("/b.txt");
    let other = if read_as == "d/sub" { "d/again" } else { "d/sub" };
    // Which of d/sub and d/again is met first depends on the order the folder is listed in.
    let expected: BTreeSet<String> = [
        format!("tagger: note: {read_as}/loop leads to d, which is already read; not read again"),
        format!("tagger: note: {other} leads to {read_as}, which is already read; not read again"),
        "tagger: warning: d/c.txt: a FIFO (named pipe), not a regular file; not read".to_string(),
        "tagger: warning: d/gone.txt: a symlink to nothing (dangling); not read".to_string(),
    ]
    .into();
    let expected: BTreeSet<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(stderr, expected);
    // -q keeps the warnings (a document not read) and drops the notes (nothing is lost).
    let quiet = tagger(["predict", "d", "-q"]).dir(d).run();
    assert_eq!(quiet.stderr.lines().filter(|l| l.starts_with("tagger: note:")).count(), 0, "{}", quiet.stderr);
    assert_eq!(quiet.stderr.lines().filter(|l| l.starts_with("tagger: warning:")).count(), 2, "{}", quiet.stderr);
}

#[test]
fn predict_folder_names_a_path_longer_than_the_system_allows() {
    // Such a folder was passed over without a word, with every file below it.
    let dir = tmp();
    let d = dir.path();
    let name = "x".repeat(250);
    let script = format!("mkdir long && cd long && for i in $(seq 18); do mkdir {name} && cd {name}; done && echo 'مباراة كرة القدم' > a.txt");
    assert!(Command::new("bash").arg("-c").arg(&script).current_dir(d).status().unwrap().success());
    let line = tagger(["predict", "long"]).dir(d).run().error_line();
    let deepest = format!("long{}", format!("/{name}").repeat(17));
    assert_eq!(
        line,
        format!(
            "tagger: {deepest}: its path is {} bytes, longer than the system allows (4096), so it cannot be read (File name too long (os error 36)); move the files to a shorter path and give that",
            deepest.len()
        )
    );
}

// Issue 12, item 11: file names that break lines or are not UTF-8.

#[test]
fn predict_escapes_file_names_in_text_and_keeps_their_bytes_in_json() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tmp();
    let d = dir.path();
    std::fs::create_dir(d.join("d")).unwrap();
    let football = sample_text("football.txt");
    let names: [&[u8]; 5] = [b"a\tb.txt", b"c\nd.txt", b"caf\xe9.txt", b"plain \xc3\xa9.txt", b"\"q.txt"];
    for name in names {
        std::fs::write(d.join("d").join(std::ffi::OsStr::from_bytes(name)), &football).unwrap();
    }
    // A tab or line break split `file<TAB>topics` lines; a byte that is not UTF-8 became U+FFFD.
    let out = tagger(["predict", "d"]).dir(d).run().ok();
    let files: Vec<&str> = out.lines().map(|l| l.rsplit_once('\t').expect("one tab per line").0).collect();
    // Sorted by bytes, so `"` (0x22) comes first.
    assert_eq!(files, ["d/\"q.txt", "\"d/a\\tb.txt\"", "\"d/c\\nd.txt\"", "\"d/caf\\351.txt\"", "d/plain é.txt"]);
    let out = tagger(["predict", "\"q.txt"]).dir(&d.join("d")).run().ok();
    assert!(out.starts_with("\"\\\"q.txt\"\t"), "a name that begins with a quote is quoted: {out}");
    // JSON: `file` as text, and `file_bytes`, exact, only for a name that is not UTF-8.
    let out = tagger(["predict", "d", "--format", "json"]).dir(d).run().ok();
    let docs: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let files: Vec<&str> = docs.iter().map(|v| v["file"].as_str().unwrap()).collect();
    assert_eq!(files, ["d/\"q.txt", "d/a\tb.txt", "d/c\nd.txt", "d/caf\u{FFFD}.txt", "d/plain é.txt"]);
    let bytes: Vec<Option<Vec<u8>>> =
        docs.iter().map(|v| v.get("file_bytes").map(|b| serde_json::from_value(b.clone()).unwrap())).collect();
    assert_eq!(bytes, [None, None, None, Some(b"d/caf\xe9.txt".to_vec()), None]);
}
