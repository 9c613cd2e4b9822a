//! Bad input to any command: exit 1 and one line naming the file, and the line and column where
//! there is one (missing files, damaged CSV and model files, other encodings, endless records).

use crate::common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

#[test]
fn missing_files_are_named() {
    let dir = tmp();
    let football = sample("football.txt");
    for (args, name) in [
        (vec!["predict", "missing.txt"], "missing.txt"),
        (vec!["label", "missing.csv"], "missing.csv"),
        (vec!["train", "missing.csv", "-o", "m.bin"], "missing.csv"),
        (vec!["eval", "missing.csv"], "missing.csv"),
        (vec!["predict", "--model", "missing.bin", s(&football)], "missing.bin"),
        (vec!["inspect", "--model", "missing.bin"], "missing.bin"),
    ] {
        let line = tagger(&args).dir(dir.path()).run().fails_starting_with(&format!("tagger: {name}: "));
        assert!(line.contains("No such file or directory"), "{args:?}: {line}");
    }
    assert_eq!(listing(dir.path()), Vec::<String>::new(), "nothing written");
    std::fs::create_dir(dir.path().join("folder.csv")).unwrap();
    tagger(["label", "folder.csv"])
        .dir(dir.path())
        .run()
        .fails_with("tagger: folder.csv: is a directory, expected a file");
    tagger(["label", s(&labels_csv()), "-o", "no/such/folder/out.csv"])
        .dir(dir.path())
        .run()
        .fails_with("tagger: no/such/folder/out.csv: folder no/such/folder does not exist");
    assert_eq!(listing(dir.path()), ["folder.csv"], "nothing written");
}

#[test]
fn csv_without_the_text_column_lists_the_columns() {
    let dir = tmp();
    let rows: Vec<Vec<String>> = every_nth(50).into_iter().map(|r| vec![r.text, r.labels]).collect();
    std::fs::write(dir.path().join("body.csv"), csv_bytes(b',', false, &["body", "labels"], &rows)).unwrap();
    let expected =
        "tagger: body.csv: line 1: no column named 'text' (columns: body, labels); choose one with --text-column";
    for cmd in ["label", "eval"] {
        tagger([cmd, "body.csv"]).dir(dir.path()).run().fails_with(expected);
    }
    tagger(["train", "body.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(expected);
    assert!(!dir.path().join("m.bin").exists());
    tagger(["label", "body.csv", "--text-column", "title,body"]).dir(dir.path()).run().fails_with(
        "tagger: body.csv: line 1: no column named 'title' (columns: body, labels); choose one with --text-column",
    );
    tagger(["label", "body.csv", "--text-column", "5"]).dir(dir.path()).run().fails_with(
        "tagger: body.csv: line 1: column index 5 is out of range: the header has 2 columns (--text-column)",
    );
    // And without a topics column for train and eval.
    std::fs::write(dir.path().join("topic.csv"), csv_bytes(b',', false, &["text", "topic"], &rows)).unwrap();
    let expected =
        "tagger: topic.csv: line 1: no 'labels' or 'label' column (columns: text, topic); choose one with --labels-column";
    tagger(["train", "topic.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["eval", "topic.csv"]).dir(dir.path()).run().fails_with(expected);
    let out = tagger(["train", "topic.csv", "-o", "m.bin", "--labels-column", "topic"]).dir(dir.path()).run().ok();
    assert!(out.starts_with("wrote m.bin: "), "{out}");
}

#[test]
fn row_with_a_wrong_field_count_names_its_line() {
    let dir = tmp();
    let (bytes, line, byte) = with_bad_row(40, "قصف على خاركيف,ukraine-war,2025\n".as_bytes(), 5);
    assert!(line > 41, "quoted line breaks count as lines");
    std::fs::write(dir.path().join("wrong.csv"), bytes).unwrap();
    let expected = format!(
        "tagger: wrong.csv: line {line} (byte {byte}): 3 fields where the header has 2 (text, labels); a field with a comma or line break must be in double quotes"
    );
    tagger(["train", "wrong.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(&expected);
    tagger(["eval", "wrong.csv"]).dir(dir.path()).run().fails_with(&expected);
    let run = tagger(["label", "wrong.csv", "-q"]).dir(dir.path()).run();
    run.fails_with(&expected);
    assert_eq!(parse_csv(&run.stdout, b',').1.len(), 40, "rows before the bad one were written to stdout");
}

/// `id,labels,text` rows on one line each; row `open` (1-based) opens a quote it never closes.
/// The text is the last column, so the rows it swallows leave the field count right: silent.
fn with_unclosed_quote(rows: usize, open: usize) -> Vec<u8> {
    let mut out = String::from("id,labels,text\n");
    for i in 1..=rows {
        let quote = if i == open { "\"" } else { "" };
        let topic = if i % 2 == 0 { "sports" } else { "ukraine-war" };
        out.push_str(&format!("{i},{topic},{quote}قصف على خاركيف ومباراة الدوري رقم {i}\n"));
    }
    out.into_bytes()
}

#[test]
fn an_unclosed_quote_that_swallows_rows_is_refused_naming_its_line() {
    let dir = tmp();
    std::fs::write(dir.path().join("open.csv"), with_unclosed_quote(40, 10)).unwrap();
    let expected = "tagger: open.csv: line 11, column text: a quoted field opened on this line runs to the end of the file (31 lines): is its closing quote missing? Close it where the text ends";
    tagger(["label", "open.csv", "-q"]).dir(dir.path()).run().fails_with(expected);
    tagger(["train", "open.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["eval", "open.csv"]).dir(dir.path()).run().fails_with(expected);
    assert!(!dir.path().join("m.bin").exists());

    // Closed by a later row's quote: the rows between read as rows of the header's width.
    let mut bytes = with_unclosed_quote(40, 10);
    bytes.extend_from_slice("41,sports,\"نص\"\n42,sports,نص آخر\n".as_bytes());
    std::fs::write(dir.path().join("late.csv"), bytes).unwrap();
    let run = tagger(["label", "late.csv", "-q"]).dir(dir.path()).run();
    let line = run.fails_starting_with("tagger: late.csv: line 11, column text: a quoted field opened on this line holds 31 lines that read as rows of 3 fields (12, 13,");
    assert!(line.ends_with("is its closing quote missing? Close it where the text ends"), "{line}");

    // --skip-bad names the row it skips, and the summary shows rows and lines apart.
    let run = tagger(["label", "late.csv", "--skip-bad"]).dir(dir.path()).run();
    let out = run.ok();
    assert_eq!(parse_csv(out.as_bytes(), b',').1.len(), 10, "rows 1-9 and 42");
    assert!(
        run.stderr.contains("tagger: skipped late.csv: line 11, column text: a quoted field opened"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("; read 1 header and 11 rows on 43 lines"), "{}", run.stderr);
}

#[test]
fn a_quoted_field_with_one_line_that_reads_as_a_row_is_a_warning() {
    let dir = tmp();
    let csv = "id,text,labels\n1,\"قصف على خاركيف\n2,مباراة,sports\",ukraine-war\n3,مباراة الدوري,sports\n";
    std::fs::write(dir.path().join("odd.csv"), csv).unwrap();
    let run = tagger(["label", "odd.csv"]).dir(dir.path()).run();
    assert_eq!(parse_csv(run.ok().as_bytes(), b',').1.len(), 2);
    let first = run.stderr.lines().next().unwrap();
    assert_eq!(first, "tagger: warning: odd.csv: line 2, column text: a quoted field opened on this line holds a line that reads as a row of 3 fields (line 3); check that its closing quote is where you meant");
    assert!(run.stderr.contains("read 1 header and 2 rows on 4 lines"), "{}", run.stderr);
}

#[test]
fn invalid_utf8_in_a_csv_names_line_and_column() {
    let dir = tmp();
    let mut bad = "مقال عن ".as_bytes().to_vec();
    let at = bad.len();
    bad.extend_from_slice(b"\xFF\xFE latin-1 text,sports\n");
    let (bytes, line, byte) = with_bad_row(25, &bad, 5);
    std::fs::write(dir.path().join("bad.csv"), bytes).unwrap();
    let expected = format!(
        "tagger: bad.csv: line {line}, column text (byte {byte}): invalid UTF-8 at byte {at} of the field (is the file in another encoding?)"
    );
    tagger(["train", "bad.csv", "-o", "m.bin"]).dir(dir.path()).run().fails_with(&expected);
    tagger(["eval", "bad.csv"]).dir(dir.path()).run().fails_with(&expected);
    tagger(["label", "bad.csv", "-q"]).dir(dir.path()).run().fails_with(&expected);
    // In a column that is not the text, label names that column.
    let mut bad = "مباراة كرة القدم,sp".as_bytes().to_vec();
    bad.extend_from_slice(b"\xE9rts\n");
    let (bytes, line, byte) = with_bad_row(25, &bad, 5);
    std::fs::write(dir.path().join("bad-labels.csv"), bytes).unwrap();
    tagger(["label", "bad-labels.csv", "-q"]).dir(dir.path()).run().fails_with(&format!(
        "tagger: bad-labels.csv: line {line}, column labels (byte {byte}): invalid UTF-8 at byte 2 of the field (is the file in another encoding?)"
    ));
}

#[test]
fn invalid_utf8_in_a_text_file_names_its_line_and_column() {
    let dir = tmp();
    let text = sample_text("football.txt");
    let first_line = text.split_inclusive('\n').next().unwrap();
    let mut bytes = first_line.as_bytes().to_vec();
    bytes.extend_from_slice("نتيجة ".as_bytes());
    let at = bytes.len();
    bytes.extend_from_slice(b"\xE9quipe\n");
    std::fs::write(dir.path().join("bad.txt"), bytes).unwrap();
    tagger(["predict", "bad.txt"]).dir(dir.path()).run().fails_with(&format!(
        "tagger: bad.txt: line 2, column 7 (byte {at}): invalid UTF-8 (is the file in another encoding?)"
    ));
}

#[test]
fn a_file_that_is_not_a_model_is_refused() {
    let dir = tmp();
    std::fs::copy(sample("football.txt"), dir.path().join("football.bin")).unwrap();
    let expected =
        "tagger: football.bin: not a tagger model (the file does not start with TAGGERMD); train one with `tagger train`";
    let football = sample("football.txt");
    tagger(["predict", "--model", "football.bin", s(&football)]).dir(dir.path()).run().fails_with(expected);
    tagger(["inspect", "--model", "football.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["eval", s(&labels_csv()), "--model", "football.bin"]).dir(dir.path()).run().fails_with(expected);
    tagger(["label", s(&labels_csv()), "--model", "football.bin", "-o", "out.csv"])
        .dir(dir.path())
        .run()
        .fails_with(expected);
    assert_eq!(listing(dir.path()), ["football.bin"]);
    std::fs::write(dir.path().join("empty.bin"), "").unwrap();
    tagger(["inspect", "--model", "empty.bin"]).dir(dir.path()).run().fails_with(
        "tagger: empty.bin: not a tagger model (the file does not start with TAGGERMD); train one with `tagger train`",
    );
}

#[test]
fn a_truncated_or_damaged_model_is_refused() {
    let dir = tmp();
    let model = std::fs::read(root().join("models/default.bin")).unwrap();
    let payload = u64::from_le_bytes(model[12..20].try_into().unwrap());
    assert_eq!(payload as usize, model.len() - 24);
    let half = &model[..model.len() / 2];
    std::fs::write(dir.path().join("half.bin"), half).unwrap();
    let football = sample("football.txt");
    tagger(["predict", "--model", "half.bin", s(&football)]).dir(dir.path()).run().fails_with(&format!(
        "tagger: half.bin: truncated model file: header says {payload} payload bytes, the file has {}",
        half.len() - 24
    ));
    std::fs::write(dir.path().join("tiny.bin"), &model[..10]).unwrap();
    tagger(["inspect", "--model", "tiny.bin"])
        .dir(dir.path())
        .run()
        .fails_with("tagger: tiny.bin: truncated model file: 10 bytes, the header alone is 24");
    let mut flipped = model.clone();
    flipped[model.len() / 3] ^= 0x10;
    std::fs::write(dir.path().join("flipped.bin"), flipped).unwrap();
    tagger(["inspect", "--model", "flipped.bin"])
        .dir(dir.path())
        .run()
        .fails_with("tagger: flipped.bin: damaged model file: checksum mismatch (copy it again or rebuild it)");
    let info: Value = serde_json::from_str(&tagger(["inspect", "--format", "json"]).run().ok()).unwrap();
    let newer = info["format_version"].as_u64().unwrap() as u32 + 1;
    let mut future = model.clone();
    future[8..12].copy_from_slice(&newer.to_le_bytes());
    std::fs::write(dir.path().join("future.bin"), future).unwrap();
    tagger(["inspect", "--model", "future.bin"]).dir(dir.path()).run().fails_with(&format!(
        "tagger: future.bin: model format version {newer} is newer than this tagger reads ({}); upgrade tagger (this is {})",
        newer - 1,
        env!("CARGO_PKG_VERSION")
    ));
}

/// A `text,labels` CSV of one row, `data/samples/football.txt` as `sports`, to encode.
fn football_csv() -> String {
    String::from_utf8(csv_bytes(
        b',',
        false,
        &["text", "labels"],
        &[vec![sample_text("football.txt"), "sports".into()]],
    ))
    .unwrap()
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    let mut out = if big_endian { vec![0xFE, 0xFF] } else { vec![0xFF, 0xFE] };
    for unit in text.encode_utf16() {
        out.extend(if big_endian { unit.to_be_bytes() } else { unit.to_le_bytes() });
    }
    out
}

#[test]
fn utf16_input_is_refused_with_how_to_convert_it() {
    let dir = tmp();
    let csv = football_csv();
    for (name, be) in [("le.csv", false), ("be.csv", true)] {
        std::fs::write(dir.path().join(name), utf16(&csv, be)).unwrap();
        let expected = format!(
            "tagger: {name}: line 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); tagger reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`"
        );
        tagger(["label", name]).dir(dir.path()).run().fails_with(&expected);
        tagger(["train", name, "-o", "m.bin"]).dir(dir.path()).run().fails_with(&expected);
        tagger(["eval", name]).dir(dir.path()).run().fails_with(&expected);
    }
    std::fs::write(dir.path().join("article.txt"), utf16(&sample_text("football.txt"), false)).unwrap();
    tagger(["predict", "article.txt"]).dir(dir.path()).run().fails_with(
        "tagger: article.txt: line 1: the file is UTF-16 (it starts with a UTF-16 byte-order mark); tagger reads UTF-8: convert it with `iconv -f UTF-16 -t UTF-8`",
    );
}

/// `text` in a wide encoding, without a byte-order mark unless `bom` is given.
fn wide(text: &str, bom: &[u8], unit: fn(char) -> Vec<u8>) -> Vec<u8> {
    let mut out = bom.to_vec();
    for c in text.chars() {
        out.extend(unit(c));
    }
    out
}

#[test]
fn utf16_without_a_mark_and_utf32_are_named_with_the_right_iconv_advice() {
    // UTF-16LE without a mark said `no column named 'text' (columns: text)`; a UTF-32 mark was
    // called UTF-16, with advice that gives garbage.
    let dir = tmp();
    let csv = football_csv();
    let utf16le = |c: char| c.encode_utf16(&mut [0; 2]).iter().flat_map(|u| u.to_le_bytes()).collect();
    let utf16be = |c: char| c.encode_utf16(&mut [0; 2]).iter().flat_map(|u| u.to_be_bytes()).collect();
    let utf32le = |c: char| (c as u32).to_le_bytes().to_vec();
    let utf32be = |c: char| (c as u32).to_be_bytes().to_vec();
    let nul_beside = "no byte-order mark, but its first line has a NUL byte beside each character";
    let nul_three = "no byte-order mark, but its first line has three NUL bytes with each character";
    let mark = "it starts with a UTF-32 byte-order mark";
    type Encode = fn(char) -> Vec<u8>;
    let cases: [(&str, &[u8], Encode, &str, &str); 6] = [
        ("16le.csv", &[], utf16le, "UTF-16LE", nul_beside),
        ("16be.csv", &[], utf16be, "UTF-16BE", nul_beside),
        ("32le.csv", &[], utf32le, "UTF-32LE", nul_three),
        ("32be.csv", &[], utf32be, "UTF-32BE", nul_three),
        ("32le-bom.csv", &[0xFF, 0xFE, 0, 0], utf32le, "UTF-32", mark),
        ("32be-bom.csv", &[0, 0, 0xFE, 0xFF], utf32be, "UTF-32", mark),
    ];
    for (name, bom, unit, code, why) in cases {
        std::fs::write(dir.path().join(name), wide(&csv, bom, unit)).unwrap();
        let expected = format!(
            "tagger: {name}: line 1: the file is {code} ({why}); tagger reads UTF-8: convert it with `iconv -f {code} -t UTF-8`"
        );
        tagger(["label", name]).dir(dir.path()).run().fails_with(&expected);
        tagger(["train", name, "-o", "m.bin"]).dir(dir.path()).run().fails_with(&expected);
        tagger(["eval", name]).dir(dir.path()).run().fails_with(&expected);
        tagger(["predict", name, "-q"]).dir(dir.path()).run().fails_with(&expected);
    }
    // The advice is right: iconv turns each file back into the CSV.
    for (name, code) in [("16le.csv", "UTF-16LE"), ("32be.csv", "UTF-32BE"), ("32le-bom.csv", "UTF-32")] {
        let out = Command::new("iconv").args(["-f", code, "-t", "UTF-8", name]).current_dir(dir.path()).output();
        match out {
            Ok(out) if out.status.success() => assert_eq!(String::from_utf8(out.stdout).unwrap(), csv, "{name}"),
            _ => println!("iconv is not installed; the advice for {name} is not run"),
        }
    }
}

#[test]
fn delimiters_outside_the_documented_four_are_refused() {
    let labels = labels_csv();
    let l = s(&labels);
    // README lists `, ; | tab`; anything else was passed to the CSV reader (`x` split words, a
    // quote or a newline made every row unreadable, `ع` was called "not one-character").
    for (delimiter, says) in [
        ("x", "'x' is not a supported delimiter"),
        ("ع", "'ع' is not a supported delimiter"),
        ("\"", "is the quote character"),
        ("\n", "a line break cannot be the delimiter"),
    ] {
        tagger(["label", l, "--delimiter", delimiter]).run().usage_error(says);
        tagger(["train", l, "--delimiter", delimiter, "-o", "/nonexistent/m.bin"]).run().usage_error(says);
    }
}

// Issue 12, item 5: files read header first, never past the length the header states.

#[test]
fn endless_or_truncated_model_files_are_refused_at_once() {
    // `inspect --model /dev/zero` grew about 1 GB/s until killed: the whole input was read
    // before the magic was checked.
    for device in ["/dev/zero", "/dev/urandom"] {
        if !Path::new(device).exists() {
            println!("skipped {device}: this system has none");
            continue;
        }
        let line = tagger(["inspect", "--model", device]).run().error_line();
        assert!(line.contains("not a tagger model"), "{line}");
        let line = tagger(["vocab", "--merge", device, "-o", "v.bin"]).dir(&std::env::temp_dir()).run().error_line();
        assert!(line.contains("not a vocabulary shard"), "{line}");
    }
    let dir = tmp();
    let model = std::fs::read(root().join("models/default.bin")).unwrap();
    std::fs::write(dir.path().join("cut.bin"), &model[..40]).unwrap();
    let line = tagger(["inspect", "--model", "cut.bin"]).dir(dir.path()).run().error_line();
    assert!(line.contains("truncated model file") && line.contains("the file has 16"), "{line}");
}

// Issue 12, item 6: a row, line or document without end.

/// The message for a row, JSON line or document longer than `limit`.
fn too_long(at: &str, what: &str, limit: &str) -> String {
    let hint = if what == "the document" {
        "is it a text file? If it is meant to be that long"
    } else {
        "is a closing quote or a line end missing? If the text is meant to be that long"
    };
    format!("tagger: {at}{what} is longer than {limit} (--max-record-size): {hint}, raise --max-record-size")
}

#[test]
fn a_row_line_or_document_without_end_is_refused_at_the_limit() {
    // `tagger label /dev/zero` once grew until the allocator aborted (SIGABRT), leaving a
    // temporary file; train, eval and vocab --partial did the same.
    let dir = tmp();
    let d = dir.path();
    let zero_row = too_long("/dev/zero: line 1 (byte 0): ", "the row that starts here", "64 KiB");
    for args in [
        &["label", "/dev/zero", "-o", "out.csv"][..],
        &["train", "/dev/zero", "-o", "m.bin"],
        &["eval", "/dev/zero"],
        &["vocab", "--partial", "/dev/zero", "-o", "v.bin"],
    ] {
        tagger(args).args(["--max-record-size", "64K"]).dir(d).run().fails_with(&zero_row);
    }
    let zero_line = too_long("/dev/zero: line 1 (byte 0): ", "the line", "64 KiB");
    tagger(["label", "/dev/zero", "--input-format", "jsonl", "--format", "jsonl", "-o", "out.jsonl"])
        .args(["--max-record-size", "64K"])
        .dir(d)
        .run()
        .fails_with(&zero_line);
    tagger(["predict", "/dev/zero", "--max-record-size", "64K"]).dir(d).run().fails_with(&too_long(
        "/dev/zero: ",
        "the document",
        "64 KiB",
    ));
    // A generated stream on stdin: a quote opened in row 2 that never closes.
    let mut endless = b"text,labels\n\"a short text\",sports\n\"".to_vec();
    endless.resize(endless.len() + (3 << 20), b'a');
    let row_3 = too_long("<stdin>: line 3 (byte 34): ", "the row that starts here", "1 MiB");
    for args in [&["label", "-", "-o", "out.csv", "--skip-bad"][..], &["train", "-", "-o", "m.bin"], &["eval", "-"]] {
        tagger(args).args(["--max-record-size", "1M"]).stdin(endless.clone()).dir(d).run().fails_with(&row_3);
    }
    tagger(["predict", "-", "--max-record-size", "1M"]).stdin(endless.clone()).run().fails_with(&too_long(
        "-: ",
        "the document",
        "1 MiB",
    ));
    assert_eq!(listing(d), Vec::<String>::new(), "no output and no temporary file left");

    // The bound counts a row with its line end: a row of exactly the limit is read.
    std::fs::write(d.join("r.csv"), "text\nAAAAAAAAAA\nBB\n").unwrap();
    tagger(["label", "r.csv", "-q", "--max-record-size", "11"]).dir(d).run().ok();
    tagger(["label", "r.csv", "-q", "--max-record-size", "10"]).dir(d).run().fails_with(&too_long(
        "r.csv: line 2 (byte 5): ",
        "the row that starts here",
        "10 bytes",
    ));
    std::fs::write(d.join("j.jsonl"), "{\"text\":\"AAAAAA\"}\n").unwrap();
    let jsonl = ["label", "j.jsonl", "-q", "--input-format", "jsonl", "--format", "jsonl", "--max-record-size"];
    tagger(jsonl).args(["18"]).dir(d).run().ok();
    tagger(jsonl).args(["17"]).dir(d).run().fails_with(&too_long("j.jsonl: line 1 (byte 0): ", "the line", "17 bytes"));
    tagger(["label", "r.csv", "--max-record-size", "0"]).dir(d).run().usage_error("is not a size of at least 1 byte");
}
