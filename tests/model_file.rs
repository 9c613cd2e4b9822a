//! Model files tagger did not write, or that were damaged on the way: each is refused with a
//! clear message before anything large is allocated. And committed files of format versions 1
//! and 2 keep loading (converted to format 3 on load).

use tagger::model::format::{FORMAT_VERSION, MAGIC};
use tagger::Model;

const FIXTURE_V1: &[u8] = include_bytes!("fixtures/model-v1.bin");
/// The version 1 fixture loaded and saved by tagger 0.1.0 of format 2.
const FIXTURE_V2: &[u8] = include_bytes!("fixtures/model-v2.bin");
/// The version 1 fixture loaded and saved by this tagger (format 3).
const FIXTURE_V3: &[u8] = include_bytes!("fixtures/model-v3.bin");

fn err(bytes: &[u8]) -> String {
    Model::from_bytes(bytes, "m.bin").expect_err("must be refused").to_string()
}

#[test]
fn format_v1_fixture_still_loads_and_predicts() {
    // Trained on 40 sports and health rows of data/labels.csv (SOURCE_DATE_EPOCH=1763856000).
    let model = Model::from_bytes(FIXTURE_V1, "model-v1.bin").unwrap();
    assert_eq!(model.topics(), ["health", "sports"]);
    assert_eq!(model.meta().documents, 40);
    let football = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/football.txt")).unwrap();
    let p = model.predict(&football, model.default_decision());
    assert_eq!(p.topics, vec![1], "{:?}", p.scores);
}

#[test]
fn save_and_load_round_trip_byte_for_byte() {
    let model = Model::from_bytes(FIXTURE_V3, "model-v3.bin").unwrap();
    let mut bytes = Vec::new();
    model.write_to(&mut bytes, "copy").unwrap();
    assert_eq!(bytes, FIXTURE_V3);
    assert_eq!(Model::from_bytes(&bytes, "copy").unwrap(), model);
}

/// A version 2 file is converted on load: the same model as the version 3 file, field by field,
/// and saved as version 3.
#[test]
fn a_version_2_file_is_read_into_the_current_format() {
    let v2 = Model::from_bytes(FIXTURE_V2, "model-v2.bin").unwrap();
    let v3 = Model::from_bytes(FIXTURE_V3, "model-v3.bin").unwrap();
    assert_eq!(v2, v3);
    let mut bytes = Vec::new();
    v2.write_to(&mut bytes, "copy").unwrap();
    assert_eq!(bytes, FIXTURE_V3);
    let football = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/football.txt")).unwrap();
    let (p2, p3) = (v2.predict(&football, v2.default_decision()), v3.predict(&football, v3.default_decision()));
    assert_eq!(p2, p3);
}

/// Format 3 is used in place: loading from a file, from bytes at any alignment, and from a
/// `'static` slice give the same model.
#[test]
fn a_version_3_file_loads_the_same_from_a_file_and_from_unaligned_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("m.bin");
    std::fs::write(&path, FIXTURE_V3).unwrap();
    let from_file = Model::load(&path).unwrap();
    let mut shifted = vec![0u8; FIXTURE_V3.len() + 1];
    shifted[1..].copy_from_slice(FIXTURE_V3);
    assert_eq!(Model::from_bytes(&shifted[1..], "shifted").unwrap(), from_file);
    let leaked: &'static [u8] = Box::leak(shifted.into_boxed_slice());
    assert_eq!(Model::from_static(&leaked[1..], "static").unwrap(), from_file);
}

/// Rewrites the CRC so that a change inside the payload reaches the section checks.
fn with_crc(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes[24..]);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    bytes
}

/// A payload with a valid checksum but damaged sections (a file written by another program, or
/// crafted): refused with a message, never a panic or an out-of-range read.
#[test]
fn damaged_sections_with_a_valid_checksum_are_refused() {
    let table = |i: usize| 24 + 8 + 24 * i;
    let mut cases: Vec<(&str, Vec<u8>)> = Vec::new();
    let mut b = FIXTURE_V3.to_vec();
    b[24] = 10;
    cases.push(("section count", b));
    let mut b = FIXTURE_V3.to_vec();
    b[table(3)] = 9;
    cases.push(("section kind", b));
    let mut b = FIXTURE_V3.to_vec();
    b[table(4) + 8] ^= 8;
    cases.push(("section offset", b));
    let mut b = FIXTURE_V3.to_vec();
    b[table(10) + 16] ^= 8;
    cases.push(("section length", b));
    let offset = |b: &[u8], i: usize| u64::from_le_bytes(b[table(i) + 8..table(i) + 16].try_into().unwrap()) as usize;
    // One byte in each array section, at its start: an unsorted word, a table entry out of
    // range, an unknown word in a key, a NaN idf, a negative count, a huge weight.
    for (i, value) in
        [(1, 0xffu8), (2, 0xff), (3, 0xff), (4, 0xff), (5, 0x00), (6, 0xff), (7, 0xff), (8, 0xff), (9, 0xff)]
    {
        let mut b = FIXTURE_V3.to_vec();
        let at = 24 + offset(&b, i) + 7;
        b[at] = if b[at] == value { value ^ 0x40 } else { value };
        cases.push(("section contents", b));
    }
    for (what, bytes) in cases {
        let e = err(&with_crc(bytes));
        assert!(e.contains("damaged model file") || e.contains("inconsistent model file"), "{what}: {e}");
    }
}

#[test]
fn every_truncation_of_a_version_3_file_is_refused() {
    for len in (0..FIXTURE_V3.len()).step_by(89).chain([8, 23, 24, FIXTURE_V3.len() - 1]) {
        let e = err(&FIXTURE_V3[..len]);
        assert!(e.contains("truncated") || e.contains("not a tagger model"), "length {len}: {e}");
    }
    for len in (24..FIXTURE_V3.len()).step_by(89) {
        let mut cut = FIXTURE_V3[..len].to_vec();
        cut[12..20].copy_from_slice(&((len - 24) as u64).to_le_bytes());
        let e = err(&with_crc(cut));
        assert!(e.contains("damaged model file"), "length {len}: {e}");
    }
}

/// A version 1 file takes its one threshold for every topic, and saves as the current format
/// with the same predictions.
#[test]
fn a_version_1_file_is_read_into_the_current_format() {
    let v1 = Model::from_bytes(FIXTURE_V1, "model-v1.bin").unwrap();
    assert_eq!(v1.topic_thresholds(), [v1.threshold(), v1.threshold()]);
    assert_eq!(v1.meta().about, "");
    let mut bytes = Vec::new();
    v1.write_to(&mut bytes, "copy").unwrap();
    assert_eq!(&bytes[8..12], &FORMAT_VERSION.to_le_bytes());
    assert_eq!(bytes, FIXTURE_V3, "tests/fixtures/model-v3.bin is model-v1.bin saved by this tagger");
    let v2 = Model::from_bytes(&bytes, "copy").unwrap();
    let football = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/samples/football.txt")).unwrap();
    assert_eq!(v1.predict(&football, v1.default_decision()), v2.predict(&football, v2.default_decision()));
}

#[test]
fn a_file_of_another_kind_is_not_a_model() {
    for other in [&b"text,labels\nnews,sports\n"[..], b"\x89PNG\r\n\x1a\n....", b"", b"TAGGER"] {
        let e = err(other);
        assert!(e.starts_with("m.bin: not a tagger model"), "{e}");
    }
}

#[test]
fn every_truncation_is_refused() {
    for len in (0..FIXTURE_V1.len()).step_by(97).chain([8, 23, 24, FIXTURE_V1.len() - 1]) {
        let e = err(&FIXTURE_V1[..len]);
        assert!(e.contains("truncated") || e.contains("not a tagger model"), "length {len}: {e}");
    }
}

#[test]
fn flipped_bits_are_caught() {
    // Any flip in the payload breaks the checksum; flips in the header break its fields.
    for (fixture, byte) in (8..FIXTURE_V1.len())
        .step_by(53)
        .map(|b| (FIXTURE_V1, b))
        .chain((8..FIXTURE_V3.len()).step_by(101).map(|b| (FIXTURE_V3, b)))
    {
        for bit in [0, 3, 7] {
            let mut bytes = fixture.to_vec();
            bytes[byte] ^= 1 << bit;
            let e = err(&bytes);
            assert!(
                e.contains("checksum") || e.contains("truncated or padded") || e.contains("format version"),
                "byte {byte} bit {bit}: {e}"
            );
        }
    }
}

#[test]
fn other_format_versions_say_what_to_do() {
    let mut newer = FIXTURE_V1.to_vec();
    newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let expected = format!("newer than this tagger reads ({FORMAT_VERSION}); upgrade tagger");
    assert!(err(&newer).contains(&expected), "{}", err(&newer));
    let mut older = FIXTURE_V1.to_vec();
    older[8..12].copy_from_slice(&0u32.to_le_bytes());
    assert!(err(&older).contains("no longer supported"), "{}", err(&older));
}

#[test]
fn claimed_sizes_larger_than_the_file_are_refused_before_allocating() {
    // The header claims an exabyte of payload.
    let mut bytes = FIXTURE_V1.to_vec();
    bytes[12..20].copy_from_slice(&(1u64 << 60).to_le_bytes());
    assert!(err(&bytes).contains("header says 1152921504606846976 payload bytes"));

    // A payload with a valid checksum whose first vector claims 2^40 entries: decoding stops at
    // the end of the data instead of reserving terabytes.
    let mut payload = vec![0x80, 0x80, 0x80, 0x80, 0x80, 0x20]; // varint 2^40
    payload.extend_from_slice(b"politics");
    let mut file = Vec::new();
    file.extend_from_slice(MAGIC);
    file.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    file.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    file.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    file.extend_from_slice(&payload);
    assert!(err(&file).contains("damaged model file"), "{}", err(&file));
}

#[test]
fn a_missing_model_file_names_the_path() {
    let e = Model::load(std::path::Path::new("/nonexistent/model.bin")).unwrap_err().to_string();
    assert!(e.starts_with("/nonexistent/model.bin: "), "{e}");
}
