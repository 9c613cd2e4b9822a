//! `tagger label`: columns, rows and bytes kept, CSV dialects, JSON Lines, `--wide`, the same output
//! for any `--jobs` and `--batch-size`, `--skip-bad`, and refusals that protect the input.

use crate::common::*;
use serde_json::Value;
use std::path::Path;

/// Parses a `scores` field of `label` (`topic:0.1234|topic:0.0123...`).
fn parse_scores(field: &str) -> Vec<(String, f64)> {
    field
        .split('|')
        .map(|p| {
            let (t, v) = p.split_once(':').expect("topic:score");
            let decimals = v.split_once('.').map(|(_, d)| d.len());
            assert_eq!(decimals, Some(4), "score {v} has 4 decimals");
            (t.to_string(), v.parse().expect("score is a number"))
        })
        .collect()
}

/// Writes `id,text,labels` rows of the corpus as `name` in `dir` and returns the rows.
fn write_id_csv(dir: &Path, name: &str, rows: &[Row]) -> Vec<Vec<String>> {
    let rows = id_rows(rows);
    std::fs::write(dir.join(name), csv_bytes(b',', false, &ID_HEADER, &rows)).unwrap();
    rows
}

#[test]
fn label_keeps_every_column_header_and_row_order_and_appends_topics_and_scores() {
    let dir = tmp();
    let input = write_id_csv(dir.path(), "in.csv", &every_nth(7));
    let run = tagger(["label", "in.csv"]).dir(dir.path()).run();
    let out = run.ok();
    let (header, records) = parse_csv(out.as_bytes(), b',');
    assert_eq!(header, ["id", "text", "labels", "topics", "scores"]);
    assert_eq!(records.len(), input.len());
    let topics = model_topics(None);
    let thresholds = model_thresholds(None);
    let mut tagged_right = 0;
    for (rec, inp) in records.iter().zip(&input) {
        assert_eq!(&rec[..3], &inp[..], "input columns kept, in order");
        let scores = parse_scores(&rec[4]);
        let mut named: Vec<&String> = scores.iter().map(|(t, _)| t).collect();
        assert!(scores.windows(2).all(|w| w[0].1 >= w[1].1), "most probable first: {}", rec[4]);
        named.sort();
        assert_eq!(named, topics.iter().collect::<Vec<_>>(), "every topic scored once");
        let given_topics: Vec<String> =
            if rec[3].is_empty() { vec![] } else { rec[3].split('|').map(str::to_string).collect() };
        assert_eq!(given_topics, given_each(&scores, &thresholds), "{rec:?}");
        let mut sorted = given_topics.clone();
        sorted.sort();
        tagged_right += usize::from(sorted.join("|") == inp[2]);
    }
    assert!(tagged_right * 10 > records.len() * 9, "the default model knows its own corpus: {tagged_right}");
    let summary = run.stderr.trim_end();
    assert!(summary.starts_with(&format!("tagger: {} rows labeled in ", input.len())), "{summary}");
    assert_eq!(summary.lines().count(), 1, "{summary}");
}

#[test]
fn label_wide_gives_one_probability_column_per_topic() {
    let dir = tmp();
    let input = write_id_csv(dir.path(), "in.csv", &every_nth(11));
    let narrow = parse_csv(&tagger(["label", "in.csv", "-q"]).dir(dir.path()).run().stdout, b',').1;
    let (header, wide) = parse_csv(&tagger(["label", "in.csv", "-q", "--wide"]).dir(dir.path()).run().stdout, b',');
    let topics = model_topics(None);
    let mut expected = vec!["id".to_string(), "text".into(), "labels".into(), "topics".into()];
    expected.extend(topics.iter().map(|t| format!("p_{t}")));
    assert_eq!(header, expected);
    assert_eq!(wide.len(), input.len());
    for (w, n) in wide.iter().zip(&narrow) {
        assert_eq!(w[..4], n[..4]);
        let mut scores: Vec<(String, String)> =
            n[4].split('|').map(|p| p.split_once(':').unwrap()).map(|(a, b)| (a.into(), b.into())).collect();
        scores.sort();
        let wide_scores: Vec<(String, String)> = topics.iter().cloned().zip(w[4..].iter().cloned()).collect();
        assert_eq!(wide_scores, scores);
    }
}

#[test]
fn label_digits_17_writes_full_precision_that_rounds_to_the_default_output() {
    let dir = tmp();
    write_id_csv(dir.path(), "in.csv", &every_nth(13));
    let (_, narrow) = parse_csv(&tagger(["label", "in.csv", "-q"]).dir(dir.path()).run().stdout, b',');
    let (_, full) = parse_csv(&tagger(["label", "in.csv", "-q", "--digits", "17"]).dir(dir.path()).run().stdout, b',');
    let (_, wide) =
        parse_csv(&tagger(["label", "in.csv", "-q", "--digits", "17", "--wide"]).dir(dir.path()).run().stdout, b',');
    let topics = model_topics(None);
    assert_eq!(full.len(), narrow.len());
    let mut longer = 0;
    for ((f, n), w) in full.iter().zip(&narrow).zip(&wide) {
        assert_eq!(f[..4], n[..4], "the same topics");
        let short = parse_scores(&n[4]);
        let exact: Vec<(String, f64)> = f[4]
            .split('|')
            .map(|p| p.split_once(':').unwrap())
            .map(|(t, v)| (t.to_string(), v.parse::<f64>().unwrap()))
            .collect();
        // Same order, and each full-precision score rounds to the 4-decimal one.
        assert_eq!(exact.iter().map(|(t, _)| t).collect::<Vec<_>>(), short.iter().map(|(t, _)| t).collect::<Vec<_>>());
        for ((_, e), (_, s)) in exact.iter().zip(&short) {
            assert_eq!(format!("{e:.4}").parse::<f64>().unwrap(), *s);
            longer += (format!("{e}").len() > 6) as usize;
        }
        // --wide writes the same full-precision numbers, in topic order.
        for (t, v) in topics.iter().zip(&w[4..]) {
            let (_, e) = exact.iter().find(|(name, _)| name == t).unwrap();
            assert_eq!(v.parse::<f64>().unwrap(), *e);
        }
    }
    assert!(longer > 0, "no score was written with more than 4 decimals");
    // JSON Lines: the very numbers of the CSV output.
    let out = tagger(["label", "in.csv", "-q", "--digits", "17", "--format", "jsonl"]).dir(dir.path()).run().ok();
    for (line, f) in out.lines().zip(&full) {
        let v: Value = serde_json::from_str(line).unwrap();
        for p in f[4].split('|') {
            let (t, s) = p.split_once(':').unwrap();
            assert_eq!(v["scores"][t].as_f64().unwrap(), s.parse::<f64>().unwrap());
        }
    }
    for bad in ["0", "18", "x"] {
        tagger(["label", "in.csv", "--digits", bad]).dir(dir.path()).run().usage_error("--digits");
    }
}

#[test]
fn label_jsonl_gives_one_object_per_row() {
    let dir = tmp();
    let input = write_id_csv(dir.path(), "in.csv", &every_nth(13));
    let out = tagger(["label", "in.csv", "-q", "--format", "jsonl"]).dir(dir.path()).run().ok();
    let csv_out = parse_csv(&tagger(["label", "in.csv", "-q"]).dir(dir.path()).run().stdout, b',').1;
    let topics = model_topics(None);
    assert_eq!(out.lines().count(), input.len());
    for ((line, inp), c) in out.lines().zip(&input).zip(&csv_out) {
        let v: Value = serde_json::from_str(line).expect("one JSON object per line");
        assert_eq!(v.as_object().unwrap().len(), 5, "{line}");
        assert_eq!(
            (&v["id"], &v["text"], &v["labels"]),
            (&Value::from(&*inp[0]), &Value::from(&*inp[1]), &Value::from(&*inp[2]))
        );
        let t: Vec<&str> = v["topics"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(t.join("|"), c[3]);
        let scores = v["scores"].as_object().unwrap();
        assert_eq!(scores.keys().cloned().collect::<Vec<_>>(), topics);
    }
}

#[test]
fn label_text_column_list_joins_title_and_body_with_a_line_break() {
    let dir = tmp();
    let rows: Vec<Row> = corpus().iter().filter(|r| r.text.contains('\n')).step_by(9).cloned().collect();
    assert!(rows.len() > 40);
    let split: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let (title, body) = r.text.split_once('\n').unwrap();
            vec![title.to_string(), body.to_string()]
        })
        .collect();
    std::fs::write(dir.path().join("split.csv"), csv_bytes(b',', false, &["title", "body"], &split)).unwrap();
    let whole: Vec<Vec<String>> = rows.iter().map(|r| vec![r.text.clone()]).collect();
    std::fs::write(dir.path().join("whole.csv"), csv_bytes(b',', false, &["text"], &whole)).unwrap();

    let joined = parse_csv(
        &tagger(["label", "split.csv", "-q", "--text-column", "title,body"]).dir(dir.path()).run().stdout,
        b',',
    );
    assert_eq!(joined.0, ["title", "body", "topics", "scores"]);
    let by_index =
        parse_csv(&tagger(["label", "split.csv", "-q", "--text-column", "0,1"]).dir(dir.path()).run().stdout, b',');
    assert_eq!(by_index, joined);
    let reference = parse_csv(&tagger(["label", "whole.csv", "-q"]).dir(dir.path()).run().stdout, b',').1;
    assert_eq!(joined.1.len(), rows.len());
    for ((j, r), sp) in joined.1.iter().zip(&reference).zip(&split) {
        assert_eq!(j[..2], sp[..]);
        assert_eq!(j[2..], r[1..], "title,body is classified as title + line break + body");
    }
}

#[test]
fn label_reads_a_utf8_bom_and_crlf_line_ends() {
    let dir = tmp();
    let rows = id_rows(&every_nth(17));
    assert!(rows.iter().any(|r| r[1].contains('\n')), "some quoted fields span lines");
    std::fs::write(dir.path().join("plain.csv"), csv_bytes(b',', false, &ID_HEADER, &rows)).unwrap();
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend(csv_bytes(b',', true, &ID_HEADER, &rows));
    std::fs::write(dir.path().join("bom-crlf.csv"), &bom).unwrap();
    let plain = tagger(["label", "plain.csv", "-q"]).dir(dir.path()).run().ok();
    let crlf = tagger(["label", "bom-crlf.csv", "-q"]).dir(dir.path()).run().ok();
    assert_eq!(crlf, plain, "BOM and CRLF change nothing in the output");
    let (header, records) = parse_csv(crlf.as_bytes(), b',');
    assert_eq!(header[0], "id", "the BOM is not part of the first column's name");
    assert_eq!(records.len(), rows.len());
    // Train and eval read the same file shape.
    let mut labeled = b"\xEF\xBB\xBF".to_vec();
    let train_rows = every_nth(3);
    let body: Vec<Vec<String>> = train_rows.iter().map(|r| vec![r.text.clone(), r.labels.clone()]).collect();
    labeled.extend(csv_bytes(b',', true, &["text", "labels"], &body));
    std::fs::write(dir.path().join("train-crlf.csv"), labeled).unwrap();
    let out = tagger(["train", "train-crlf.csv", "-o", "m.bin", "-q"]).dir(dir.path()).run().ok();
    assert!(out.starts_with(&format!("wrote m.bin: {} documents, 10 topics", train_rows.len())), "{out}");
    let out = tagger(["eval", "train-crlf.csv", "--model", "m.bin"]).dir(dir.path()).run().ok();
    assert!(out.starts_with(&format!("train-crlf.csv: {} documents", train_rows.len())), "{out}");
}

/// The lines (and bytes) that messages name are where the rows start, whatever the line ends.
#[test]
fn crlf_files_name_the_lines_where_rows_start() {
    let dir = tmp();
    let rows = every_nth(3);
    let body: Vec<Vec<String>> = rows.iter().map(|r| vec![r.text.clone(), r.labels.clone()]).collect();
    for (name, crlf) in [("lf.csv", false), ("crlf.csv", true)] {
        std::fs::write(dir.path().join(name), csv_bytes(b',', crlf, &["text", "labels"], &body)).unwrap();
        let run = tagger(["train", name, "-o", "m.bin"]).dir(dir.path()).run();
        run.ok();
        assert_eq!(run.stderr, unlabeled_note(name, &rows), "{name}");
    }
    let good = "text,labels\r\n\"مباراة كرة القدم\r\nفي الدوري\",sports\r\nقصف على خاركيف,ukraine-war\r\n";
    let (line, byte) = (5, good.len());
    std::fs::write(dir.path().join("wrong.csv"), format!("{good}خبر, فيه فاصلة,sports\r\n")).unwrap();
    let expected = format!(
        "tagger: wrong.csv: line {line} (byte {byte}): 3 fields where the header has 2 (text, labels); a field with a comma or line break must be in double quotes"
    );
    tagger(["train", "wrong.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(&expected);
    tagger(["label", "wrong.csv", "-q"]).dir(dir.path()).run().fails_with(&expected);
    let mut bad = good.as_bytes().to_vec();
    bad.extend_from_slice(b"x \xFF,sports\r\n");
    std::fs::write(dir.path().join("bad.csv"), bad).unwrap();
    tagger(["eval", "bad.csv"]).dir(dir.path()).run().fails_with(&format!(
        "tagger: bad.csv: line {line}, column text (byte {byte}): invalid UTF-8 at byte 2 of the field (is the file in another encoding?)"
    ));
}

#[test]
fn label_keeps_quoted_newlines_commas_and_doubled_quotes() {
    let dir = tmp();
    let tricky = "قال المتحدث: \"المحادثات في جنيف، بين موسكو وكييف، مستمرة\"\r\nوأضاف أن \"\"الهدنة\"\" صامدة,\n\nوفد أوكراني يصل إلى إسطنبول";
    let rows = vec![
        vec!["1".to_string(), tricky.to_string(), "x, \"y\"".to_string()],
        vec!["2".to_string(), sample_text("ukraine-talks.txt"), String::new()],
        vec!["3".to_string(), " مسافات في البداية والنهاية ".to_string(), "\"".to_string()],
    ];
    std::fs::write(dir.path().join("q.csv"), csv_bytes(b',', false, &ID_HEADER, &rows)).unwrap();
    let out = tagger(["label", "q.csv", "-q"]).dir(dir.path()).run().ok();
    let (_, records) = parse_csv(out.as_bytes(), b',');
    assert_eq!(records.len(), 3);
    for (rec, row) in records.iter().zip(&rows) {
        assert_eq!(rec[..3], row[..], "fields come back byte for byte");
    }
    // The quoted text is classified as the text itself, quotes and line breaks included.
    let predicted = tagger(["predict", "--format", "json", "-"]).stdin(tricky).run().ok();
    let p: Value = serde_json::from_str(&predicted).unwrap();
    let t: Vec<&str> = p["topics"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
    assert_eq!(records[0][3], t.join("|"));
    let jsonl = tagger(["label", "q.csv", "-q", "--format", "jsonl"]).dir(dir.path()).run().ok();
    let first: Value = serde_json::from_str(jsonl.lines().next().unwrap()).unwrap();
    assert_eq!(first["text"], tricky);
    assert_eq!(first["labels"], "x, \"y\"");
}

#[test]
fn label_semicolon_and_tab_delimiters_are_read_and_written() {
    let dir = tmp();
    let rows = id_rows(&every_nth(19));
    std::fs::write(dir.path().join("comma.csv"), csv_bytes(b',', false, &ID_HEADER, &rows)).unwrap();
    std::fs::write(dir.path().join("semi.csv"), csv_bytes(b';', false, &ID_HEADER, &rows)).unwrap();
    std::fs::write(dir.path().join("tab.tsv"), csv_bytes(b'\t', false, &ID_HEADER, &rows)).unwrap();
    let comma = parse_csv(&tagger(["label", "comma.csv", "-q"]).dir(dir.path()).run().stdout, b',');
    assert_eq!(comma.1.len(), rows.len());

    let semi = tagger(["label", "semi.csv", "-q", "--delimiter", ";"]).dir(dir.path()).run().ok();
    assert_eq!(semi.lines().next(), Some("id;text;labels;topics;scores"));
    assert_eq!(parse_csv(semi.as_bytes(), b';'), comma);

    for spelling in ["tab", "\\t", "\t"] {
        let tab = tagger(["label", "tab.tsv", "-q", "--delimiter", spelling]).dir(dir.path()).run().ok();
        assert!(tab.starts_with("id\ttext\tlabels\ttopics\tscores\n"), "{spelling:?}");
        assert_eq!(parse_csv(tab.as_bytes(), b'\t'), comma, "{spelling:?}");
    }
    // Read with the wrong delimiter, the header is one column and `text` is missing: the message
    // names the delimiter that splits it (it suggested --text-column).
    let run = tagger(["label", "semi.csv", "-q"]).dir(dir.path()).run();
    run.fails_with(
        "tagger: semi.csv: line 1: no column named 'text': the header 'id;text;labels' reads as one column, \
         but it splits on ';'; is the file ';'-delimited? (--delimiter ';')",
    );
}

#[test]
fn label_gives_no_topic_to_an_empty_text_without_failing() {
    let dir = tmp();
    let rows: Vec<Vec<String>> = [
        ("1", ""),
        ("2", sample_text("football.txt").as_str()),
        ("3", "   \n  "),
        ("4", "... ، ؛ !!"),
        ("5", "في من على إلى"),
    ]
    .iter()
    .map(|(a, b)| vec![a.to_string(), b.to_string()])
    .collect();
    std::fs::write(dir.path().join("e.csv"), csv_bytes(b',', false, &["id", "text"], &rows)).unwrap();
    let run = tagger(["label", "e.csv"]).dir(dir.path()).run();
    let (header, records) = parse_csv(run.ok().as_bytes(), b',');
    assert_eq!(header, ["id", "text", "topics", "scores"]);
    assert_eq!(records.len(), 5);
    for (i, rec) in records.iter().enumerate() {
        if i == 1 {
            assert_eq!(rec[2], "sports");
        } else {
            assert_eq!(rec[2..], ["", ""], "no known word, no topic and no scores: {rec:?}");
        }
    }
    assert!(run.stderr.starts_with("tagger: 5 rows labeled in "), "{}", run.stderr);
    assert!(run.stderr.trim_end().ends_with("; sports 1; read 1 header and 5 rows on 13 lines"), "{}", run.stderr);
    // predict says so in words.
    let out = tagger(["predict", "-"]).stdin("").run().ok();
    assert_eq!(out, "-\t(no topic: no word the model knows)\n");
}

#[test]
fn label_header_only_gives_the_header_only() {
    let dir = tmp();
    std::fs::write(dir.path().join("h.csv"), "id,text\n").unwrap();
    let out = tagger(["label", "h.csv", "-q"]).dir(dir.path()).run().ok();
    assert_eq!(out, "id,text,topics,scores\n");
}

#[test]
fn label_keeps_header_names_verbatim() {
    let dir = tmp();
    std::fs::write(dir.path().join("h.csv"), " id ,text,Title \n1,مباراة كرة القدم,x\n").unwrap();
    let out = tagger(["label", "h.csv", "-q"]).dir(dir.path()).run().ok();
    assert!(out.starts_with(" id ,text,Title ,topics,scores\n"), "{out}");
}

#[test]
fn label_output_is_identical_for_any_jobs_and_batch_size() {
    let dir = tmp();
    let rows: Vec<Row> = corpus()[..300].to_vec();
    write_id_csv(dir.path(), "in.csv", &rows);
    let reference = tagger(["label", "in.csv", "-q"]).dir(dir.path()).run().ok();
    assert_eq!(parse_csv(reference.as_bytes(), b',').1.len(), 300);
    // -j before the subcommand or --jobs after it: the option is global.
    for (jobs, batch) in [("1", "1"), ("1", "7"), ("1", "1000"), ("2", "1"), ("2", "7"), ("2", "1000")] {
        let run = if batch == "7" {
            tagger(["label", "in.csv", "-q", "--jobs", jobs, "--batch-size", batch])
        } else {
            tagger(["-j", jobs, "label", "in.csv", "-q", "--batch-size", batch])
        };
        assert!(run.dir(dir.path()).run().ok() == reference, "--jobs {jobs} --batch-size {batch} differs");
    }
    // From stdin, and into a file, the bytes are the same.
    let input = std::fs::read(dir.path().join("in.csv")).unwrap();
    let stdin = tagger(["label", "-", "-q", "--batch-size", "7"]).stdin(input).run().ok();
    assert!(stdin == reference, "label - differs");
    tagger(["label", "in.csv", "-q", "-o", "out.csv", "-j", "2", "--batch-size", "7"]).dir(dir.path()).run().ok();
    assert!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap() == reference, "-o differs");
    // The same holds for --wide and jsonl.
    for extra in [&["--wide"][..], &["--format", "jsonl"][..]] {
        let one = tagger(["-j", "1", "label", "in.csv", "-q", "--batch-size", "1"]).args(extra).dir(dir.path());
        let two = tagger(["-j", "2", "label", "in.csv", "-q", "--batch-size", "1000"]).args(extra).dir(dir.path());
        assert!(one.run().ok() == two.run().ok(), "{extra:?} differs");
    }
}

#[test]
fn label_refuses_to_write_over_its_input() {
    let dir = tmp();
    write_id_csv(dir.path(), "in.csv", &every_nth(20));
    let before = std::fs::read(dir.path().join("in.csv")).unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    for out in ["in.csv", "./in.csv", "d/../in.csv"] {
        tagger(["label", "in.csv", "-o", out])
            .dir(dir.path())
            .run()
            .refused(&format!("tagger: --output {out} is the same file as the input in.csv; write to another file"));
    }
    #[cfg(unix)]
    {
        std::os::unix::fs::symlink("in.csv", dir.path().join("link.csv")).unwrap();
        tagger(["label", "link.csv", "-o", "in.csv"])
            .dir(dir.path())
            .run()
            .refused("tagger: --output in.csv is the same file as the input link.csv; write to another file");
    }
    assert_eq!(std::fs::read(dir.path().join("in.csv")).unwrap(), before, "input unchanged");
    let mut names = listing(dir.path());
    names.retain(|n| n != "link.csv");
    assert_eq!(names, ["d", "in.csv"], "no temporary file left");
    assert_eq!(listing(&dir.path().join("d")), Vec::<String>::new());
}

/// 300 good rows, a row with a wrong field count, 20 good rows.
fn failing_csv(dir: &Path) -> String {
    let (bytes, line, byte) = with_bad_row(300, "خبر بلا علامات تنصيص, فيه فاصلة,sports\n".as_bytes(), 20);
    std::fs::write(dir.join("mid.csv"), bytes).unwrap();
    format!(
        "tagger: mid.csv: line {line} (byte {byte}): 3 fields where the header has 2 (text, labels); a field with a comma or line break must be in double quotes"
    )
}

#[test]
fn label_failing_mid_file_leaves_no_output_and_no_temporary_file() {
    let dir = tmp();
    let expected = failing_csv(dir.path());
    for batch in ["16", "1024"] {
        let run = tagger(["label", "mid.csv", "-o", "out.csv", "--batch-size", batch]).dir(dir.path()).run();
        run.fails_with(&expected);
        assert!(run.stdout.is_empty());
        assert_eq!(listing(dir.path()), ["mid.csv"], "--batch-size {batch}: no out.csv and no temporary file");
    }
    // Into a sub-folder, too.
    std::fs::create_dir(dir.path().join("out")).unwrap();
    tagger(["label", "mid.csv", "-o", "out/tagged.csv"]).dir(dir.path()).run().fails_with(&expected);
    assert_eq!(listing(&dir.path().join("out")), Vec::<String>::new());
}

#[test]
fn label_failing_mid_file_keeps_an_existing_output_untouched() {
    let dir = tmp();
    let expected = failing_csv(dir.path());
    let earlier = "id,text,topics,scores\n1,نتائج سابقة,sports,sports:0.9000\n";
    std::fs::write(dir.path().join("out.csv"), earlier).unwrap();
    tagger(["label", "mid.csv", "-o", "out.csv", "--batch-size", "16"]).dir(dir.path()).run().fails_with(&expected);
    assert_eq!(std::fs::read_to_string(dir.path().join("out.csv")).unwrap(), earlier);
    assert_eq!(listing(dir.path()), ["mid.csv", "out.csv"]);
    // A good run then replaces it.
    write_id_csv(dir.path(), "good.csv", &every_nth(30));
    tagger(["label", "good.csv", "-o", "out.csv", "-q"]).dir(dir.path()).run().ok();
    let (header, rows) = parse_csv(&std::fs::read(dir.path().join("out.csv")).unwrap(), b',');
    assert_eq!((header.len(), rows.len()), (5, every_nth(30).len()));
    assert_eq!(listing(dir.path()), ["good.csv", "mid.csv", "out.csv"]);
}

#[test]
fn label_skip_bad_skips_and_names_each_bad_row() {
    let dir = tmp();
    let rows = id_rows(&corpus()[..120]);
    let mut bytes = csv_bytes(b',', false, &ID_HEADER, &rows[..50]);
    let wrong_at = (bytes.iter().filter(|&&b| b == b'\n').count() + 1, bytes.len());
    bytes.extend_from_slice("x1,قصف على خاركيف\n".as_bytes());
    let more = csv_bytes(b',', false, &ID_HEADER, &rows[50..100]);
    bytes.extend_from_slice(&more[more.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    let utf8_at = (bytes.iter().filter(|&&b| b == b'\n').count() + 1, bytes.len());
    bytes.extend_from_slice(b"x2,\"caf\xE9 \xE0 Beyrouth\",culture\n");
    let rest = csv_bytes(b',', false, &ID_HEADER, &rows[100..]);
    bytes.extend_from_slice(&rest[rest.iter().position(|&b| b == b'\n').unwrap() + 1..]);
    std::fs::write(dir.path().join("mixed.csv"), &bytes).unwrap();

    let rows_in = csv::ReaderBuilder::new().flexible(true).from_reader(&bytes[..]).byte_records().count();
    assert_eq!(rows_in, 122);
    let run = tagger(["label", "mixed.csv", "--skip-bad", "-o", "out.csv", "--batch-size", "16"]).dir(dir.path()).run();
    run.ok();
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert_eq!(
        lines[0],
        format!(
            "tagger: skipped mixed.csv: line {} (byte {}): 2 fields where the header has 3 (id, text, labels); a field with a comma or line break must be in double quotes",
            wrong_at.0, wrong_at.1
        )
    );
    assert_eq!(
        lines[1],
        format!(
            "tagger: skipped mixed.csv: line {}, column text (byte {}): invalid UTF-8 at byte 3 of the field (is the file in another encoding?)",
            utf8_at.0, utf8_at.1
        )
    );
    assert!(lines[2].starts_with("tagger: 120 rows labeled, 2 skipped in "), "{}", lines[2]);
    let (_, out) = parse_csv(&std::fs::read(dir.path().join("out.csv")).unwrap(), b',');
    let skipped = lines.iter().filter(|l| l.starts_with("tagger: skipped ")).count();
    assert_eq!(rows_in, out.len() + skipped, "rows in = rows out + rows skipped");
    let ids: Vec<&str> = out.iter().map(|r| r[0].as_str()).collect();
    let expected: Vec<String> = (0..120).map(|i| i.to_string()).collect();
    assert_eq!(ids, expected, "good rows kept, in order");
    assert_eq!(listing(dir.path()), ["mixed.csv", "out.csv"]);
}

// Issue 12, item 16: options that were silently ignored, and help that could not be written.

#[test]
fn label_refuses_wide_with_jsonl_output() {
    // It used to write `scores` objects, as if --wide had not been given, with exit 0.
    let run = tagger(["label", "-", "--format", "jsonl", "--wide"]).stdin("text\nمباراة كرة القدم\n").run();
    run.usage_error("--wide makes p_<topic> CSV columns");
    let run = tagger(["label", "-", "--input-format", "jsonl", "--format", "jsonl", "--wide"])
        .stdin("{\"text\":\"مباراة كرة القدم\"}\n")
        .run();
    run.usage_error("leave out --wide or --format jsonl");
}

#[test]
fn labeling_labeled_input_is_refused() {
    // A second `label` gave the CSV header `topics,scores` twice, renamed the old ones to
    // `topics_2` in JSON Lines output, and overwrote them in JSON Lines input.
    let csv = "id,text\n1,مباراة كرة القدم\n";
    let tagged = tagger(["label", "-", "-q"]).stdin(csv).run().ok();
    assert!(tagged.starts_with("id,text,topics,scores\n"), "{tagged}");
    let why = "column (was it labeled before?): remove the topics and scores columns, or label the original export";
    for format in ["csv", "jsonl"] {
        tagger(["label", "-", "--format", format])
            .stdin(tagged.clone())
            .run()
            .fails_with(&format!("tagger: <stdin>: line 1: the input already has a 'topics' {why}"));
    }
    // --wide output also has `topics`; a file that kept only the p_<topic> columns is refused too.
    let wide = tagger(["label", "-", "-q", "--wide"]).stdin(csv).run().ok();
    let header: Vec<&str> = wide.lines().next().unwrap().split(',').collect();
    assert!(header.contains(&"topics"), "{header:?}");
    let p = header.iter().find(|c| c.starts_with("p_")).unwrap().to_string();
    let only_p = format!("id,text,{p}\n1,مباراة كرة القدم,0.5\n");
    tagger(["label", "-", "--wide"])
        .stdin(only_p)
        .run()
        .fails_with(&format!("tagger: <stdin>: line 1: the input already has a '{p}' {why}"));

    let jsonl = "{\"text\":\"مباراة كرة القدم\"}\n";
    let tagged = tagger(["label", "-", "-q", "--input-format", "jsonl", "--format", "jsonl"]).stdin(jsonl).run().ok();
    let again = format!("{jsonl}{{\"text\":\"x\",\"scores\":{{}}}}\n{tagged}");
    let run = tagger(["label", "-", "--input-format", "jsonl", "--format", "jsonl"]).stdin(again.clone()).run();
    run.fails_with(&format!("tagger: <stdin>: line 2: the input already has a 'scores' {why}"));
    // Under --skip-bad such objects are skipped and named, like any other bad row.
    let run =
        tagger(["label", "-", "-q", "--skip-bad", "--input-format", "jsonl", "--format", "jsonl"]).stdin(again).run();
    assert_eq!(run.ok().lines().count(), 1);
    assert!(run.stderr.contains("line 3: the input already has a 'topics' column"), "{}", run.stderr);
}

// Issue 12, item 4: JSON Lines objects come back as their own bytes.

#[test]
fn label_jsonl_writes_each_object_back_byte_for_byte() {
    // Objects were decoded into f64 and written again: 123456789012345678901234567890 came back
    // as 1.2345678901234568e+29, 2^64, 1e5 and 1.0000000000000000000001 changed, and 1e400 made
    // the row bad. Spacing, escapes and key spelling changed with them.
    let lines = [
        r#"{"id":123456789012345678901234567890,"text":"مباراة كرة القدم"}"#,
        r#"{"id":18446744073709551616,"n":1e5,"x":1.0000000000000000000001,"big":1e400,"z":-0.0,"text":"مباراة"}"#,
        r#"  { "text" : "\u0645\u0628\u0627\u0631\u0627\u0629 \ud83d\ude00\n\"" ,"a":[1e5,[-0.0,{}],{"b":{"c":null}}], "مفتاح\u00e9":true	}"#,
        "{\"text\":\"مباراة كرة القدم\",\"e\":1E+2}  \r",
    ];
    let input: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let out = tagger(["label", "-", "-q", "--input-format", "jsonl", "--format", "jsonl"]).stdin(input).run().ok();
    let got: Vec<&str> = out.lines().collect();
    assert_eq!(got.len(), lines.len(), "{out}");
    for (line, want) in got.iter().zip(lines) {
        let object = want.trim_end();
        let kept = &object[..object.len() - 1];
        let added = line.strip_prefix(kept).unwrap_or_else(|| panic!("{want:?} is not kept in {line:?}"));
        assert!(added.starts_with(",\"topics\":[") && added.ends_with("}}"), "{line}");
        // Still one JSON object: the input's keys and the two added.
        let keys: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        let before: std::collections::HashMap<String, Box<serde_json::value::RawValue>> =
            serde_json::from_str(object).unwrap();
        assert_eq!(keys.len(), before.len() + 2, "{line}");
        assert!(keys["scores"].get().starts_with("{\""), "{line}");
    }
    // The topics are those of the same text read from CSV.
    let csv = tagger(["label", "-", "-q"]).stdin("id,text\n1,مباراة كرة القدم\n").run().ok();
    let topics = parse_csv(csv.as_bytes(), b',').1[0][2].replace('|', "\",\"");
    assert!(got[0].contains(&format!("\"topics\":[\"{topics}\"]")), "{} vs {csv}", got[0]);
}

// Issue 12, item 13: messages that misled.

#[test]
fn jsonl_with_a_byte_order_mark_is_read() {
    // It said "invalid JSON: expected value at line 1 column 1".
    let plain = "{\"id\":1,\"text\":\"مباراة كرة القدم\"}\n";
    let args = ["label", "-", "-q", "--input-format", "jsonl", "--format", "jsonl"];
    let expected = tagger(args).stdin(plain).run().ok();
    let got = tagger(args).stdin(format!("\u{FEFF}{plain}")).run().ok();
    assert_eq!(got, expected, "the mark is dropped, the object written back as without it");
}
