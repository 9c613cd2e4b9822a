//! The fuzz targets' checks in a plain `cargo test`, without cargo-fuzz (see fuzz/README.md).
//!
//! Every file in `fuzz/regressions/<target>/` (crashes the fuzzer found, minimized, and small
//! inputs that reached new coverage) and a handful of fixed inputs written here go through the
//! very functions the fuzz targets call: `fuzz/src/lib.rs`, included below. A file whose bug is
//! still open in `src/` is listed in [`KNOWN_OPEN`]: it must still fail, so that the fix is
//! noticed and the entry removed, and every other input must pass.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// A regression input whose bug is not fixed in `src/` yet.
struct Open {
    target: &'static str,
    file: &'static str,
    bug: &'static str,
    /// The bug is an integer overflow: it panics only where overflow checks are on (`cargo test`,
    /// the fuzz build); a release build (`cargo test --release`) must refuse the input cleanly.
    overflow_only: bool,
}

impl Open {
    fn fails_here(&self) -> bool {
        !self.overflow_only || cfg!(debug_assertions)
    }
}

/// Empty: the four bugs fuzzing found are fixed (fuzz/README.md, "What was found").
const KNOWN_OPEN: &[Open] = &[];

/// A fuzz target's name (its folder in `fuzz/regressions/`) and its check.
type Target = (&'static str, fn(&[u8]));

const TARGETS: [Target; 5] = [
    ("normalize_tokenize", checks::normalize_tokenize),
    ("label_csv", checks::label_csv),
    ("train_csv", checks::train_csv),
    ("model_load", checks::model_load),
    ("shard_load", checks::shard_load),
];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries.map(|e| e.expect("readable entry").path()).filter(|p| p.is_file()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs `check` on `data`; `Err` with the panic message if it panicked.
fn outcome(check: fn(&[u8]), data: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| check(data))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into())
    })
}

#[test]
fn every_regression_file_replays() {
    let mut problems = Vec::new();
    let mut replayed = 0;
    for (target, check) in TARGETS {
        let files = files_in(&root().join("fuzz/regressions").join(target));
        assert!(!files.is_empty(), "fuzz/regressions/{target}/ holds no input");
        for path in files {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let data = std::fs::read(&path).unwrap();
            let open = KNOWN_OPEN.iter().find(|o| o.target == target && o.file == name && o.fails_here());
            match (outcome(check, &data), open) {
                (Ok(()), None) | (Err(_), Some(_)) => {}
                (Err(message), None) => problems.push(format!("{target}/{name}: {message}")),
                (Ok(()), Some(open)) => problems.push(format!(
                    "{target}/{name} passes now ({}): remove it from KNOWN_OPEN in tests/fuzz_regressions.rs",
                    open.bug
                )),
            }
            replayed += 1;
        }
    }
    assert!(problems.is_empty(), "{} of {replayed} inputs:\n{}", problems.len(), problems.join("\n"));
}

#[test]
fn known_open_entries_name_existing_files() {
    for open in KNOWN_OPEN {
        let path = root().join("fuzz/regressions").join(open.target).join(open.file);
        assert!(path.is_file(), "KNOWN_OPEN names {} but there is no such file", path.display());
    }
}

#[test]
fn text_cases() {
    let mut cases: Vec<String> = [
        "",
        " ",
        "\u{FEFF}",
        "؟؟ ... — «» 🙂 ـــ",
        "\u{FEFF}مُفاوَضـــاتُ إسطنبول ١٢٠٠ ۱۴۰۳ ﺍﻟﺴﻼﻡ ﻻ ＮＡＴＯ\u{00A0}کیف مؤتمر رئيس مستشفى",
        "\u{202B}غزة\u{202C}\u{200C} الرَّحِيمِ\u{06D6} هٰذا cafe\u{0301} Éric 𝐍𝐀𝐓𝐎 🇵🇸",
        "والمفاوضات بالحرب للسلام وال ال لل و ب",
        "ǄǅǆǇǈǉǊǋǌǱǲǳ ẞ ß ﬀ ﬁ ﷺ ﷻ ﴾ ﴿",
        "a\u{0654}\u{0655}\u{0670}\u{0640}\u{064B}",
        "2024 ٢٠٢٤ ۲۰۲۴ g20 G20",
    ]
    .map(str::to_owned)
    .to_vec();
    for path in files_in(&root().join("data/samples")) {
        cases.push(std::fs::read_to_string(path).unwrap());
    }
    for text in &cases {
        checks::normalize_tokenize(text.as_bytes());
    }
    // Not UTF-8: skipped, not a panic.
    checks::normalize_tokenize(b"\xff\xfe\xd8");
}

#[test]
fn label_csv_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"\n",
        b"text\n",
        b"id,text\n",
        b"id,title\n1,x\n",
        b"id,text\n1,\"unterminated\n",
        "id,text\n1,\"قال \"\"المتحدث\"\":\nالمفاوضات، مستمرة\"\n2,\n3,\"\r\n\"\n".as_bytes(),
        "\u{FEFF}id,title,text\r\n1,عنوان,نص عن المباراة والدوري\r\n".as_bytes(),
        "id,text\n1,كييف\n2\n3,x,y,z\n4,دمشق\n5\n6\n7,غزة\n".as_bytes(),
        b"id,text\n1,ok\n2,bad \xff\n3,\xc3\x28\n",
        b"id,text,text\n1,a,b\n",
        b"\xff\xfei\x00d\x00",
        b"\xfe\xff\x00i\x00d",
        b"text,topics,scores\n\"a\",b,c\n",
    ];
    for data in cases {
        checks::label_csv(data);
    }
}

#[test]
fn train_csv_cases() {
    let cases: &[&[u8]] = &[
        b"",
        b"text,labels\n",
        b"text,labels\nx,\n",
        "text,labels\nمباراة الدوري,sports\n".as_bytes(),
        "text,labels\nمباراة الدوري,sports\nدواء جديد للسكري,health\n".as_bytes(),
        "text,label\nمباراة الدوري,sports\nدواء جديد للسكري,health\nوصفة شوربة,\n".as_bytes(),
        "text,labels\nمباراة الدوري,sports|health\nدواء جديد للسكري,health\nوصفة شوربة,\n".as_bytes(),
        "\u{FEFF}text,labels\r\n\"قال \"\"المتحدث\"\"\r\nفي جنيف\",diplomacy|syria\r\nقصف على خاركيف,ukraine-war\r\n"
            .as_bytes(),
        b"text,labels\n\xd9\x85,a\n\xd9,b\n",
        b"text,labels\n1,a\n22,b\n",
        b"text,labels\n,a\n,b\n",
        "text,labels\nفي من على,a\nإلى عن,b\n".as_bytes(),
        b"text,labels\na\n",
        b"labels,text\n| |,x\n",
    ];
    for data in cases {
        checks::train_csv(data);
    }
}

#[test]
fn model_load_cases() {
    for (name, step) in [("model-v1.bin", 613), ("model-v3.bin", 211)] {
        let fixture = std::fs::read(root().join("tests/fixtures").join(name)).unwrap();
        checks::model_load(&fixture);
        for cut in [0, 7, 8, 23, 24, 25, 100, fixture.len() / 2, fixture.len() - 1] {
            checks::model_load(&fixture[..cut]);
        }
        // Flips with the header repaired reach the payload decoder (format 3: the section
        // table and every section's checks); a spread of positions and bits.
        for pos in (8..fixture.len()).step_by(step) {
            for bit in [0, 4, 7] {
                let mut bytes = fixture.clone();
                bytes[pos] ^= 1 << bit;
                checks::model_load(&bytes);
            }
        }
        let padded = [&fixture[..], b"\0"].concat();
        checks::model_load(&padded);
    }
}

#[test]
fn the_repaired_header_matches_what_tagger_writes() {
    let fixture = std::fs::read(root().join("tests/fixtures/model-v1.bin")).unwrap();
    assert_eq!(checks::with_fixed_header(&fixture).unwrap(), fixture);
    assert_eq!(checks::with_fixed_header(&fixture[..23]), None);
}

/// Shard files that are framed correctly but hold what no writer makes: the merges index by the
/// lengths inside, so each must be refused (or merged) without a panic.
#[test]
fn shard_load_cases() {
    use tagger::shard::{ModelShard, VocabShard};
    let dir = root().join("fuzz/regressions/shard_load");
    let read = |name: &str| std::fs::read(dir.join(name)).unwrap();
    let (vocab_shard, vocab, model_shard) = (read("vocab-shard-1-1"), read("vocab-1-1"), read("model-shard-1-1"));
    let good = ModelShard::from_bytes(&model_shard, "m").expect("the committed model shard loads");
    let bytes = |s: &ModelShard| {
        let mut out = Vec::new();
        s.write_to(&mut out, "m").unwrap();
        out
    };
    let mut damaged: Vec<Vec<u8>> = Vec::new();
    for edit in [
        |s: &mut ModelShard| s.feature_count.truncate(1),
        |s: &mut ModelShard| s.feature_count.iter_mut().for_each(|x| *x = f64::NAN),
        |s: &mut ModelShard| s.feature_count.iter_mut().for_each(|x| *x = -1.0),
        |s: &mut ModelShard| s.feature_total.clear(),
        |s: &mut ModelShard| s.class_count.push(1.0),
        |s: &mut ModelShard| s.topics.reverse(),
        |s: &mut ModelShard| s.vocab.features.iter_mut().for_each(|k| *k = u64::MAX),
        |s: &mut ModelShard| s.vocab.idf.iter_mut().for_each(|x| *x = f64::INFINITY),
        |s: &mut ModelShard| s.vocab.terms.clear(),
        |s: &mut ModelShard| s.documents = u64::MAX,
    ] {
        let mut bad = good.clone();
        edit(&mut bad);
        damaged.push(bytes(&bad));
    }
    let shard = VocabShard::from_bytes(&vocab_shard, "v").expect("the committed vocabulary shard loads");
    for edit in [
        |s: &mut VocabShard| s.ngrams.iter_mut().for_each(|g| g.1 = u32::MAX),
        |s: &mut VocabShard| s.ngrams.iter_mut().for_each(|g| g.2 = u64::MAX),
        |s: &mut VocabShard| s.ngrams.iter_mut().for_each(|g| g.0.clear()),
        |s: &mut VocabShard| s.documents = u64::MAX,
        |s: &mut VocabShard| s.text.ngrams.max = 9,
    ] {
        let mut bad = shard.clone();
        edit(&mut bad);
        let mut out = Vec::new();
        bad.write_to(&mut out, "v").unwrap();
        damaged.push(out);
    }
    for data in &damaged {
        checks::shard_load(data);
    }
    // Cuts, and flips with the header repaired, of each kind of shard file.
    for file in [&vocab_shard, &vocab, &model_shard] {
        for cut in [0, 8, 23, 24, 25, file.len() / 2, file.len() - 1] {
            checks::shard_load(&file[..cut]);
        }
        for pos in (24..file.len()).step_by(97) {
            let mut flipped = file.clone();
            flipped[pos] ^= 0x41;
            checks::shard_load(&flipped);
        }
    }
}
