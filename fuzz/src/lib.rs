//! The checks behind tagger's fuzz targets: any input, any model file, no panic.
//!
//! Each `fuzz_targets/<name>.rs` calls the function of the same name here. `tests/fuzz_regressions.rs`
//! in the main crate includes this file with `#[path]` and replays `fuzz/regressions/<name>/*`
//! through the same functions, so `cargo test` runs every check without cargo-fuzz. This file may
//! therefore use only `tagger`, `linfa` and `std`.

use linfa::ParamGuard;
use std::sync::OnceLock;
use tagger::batch::{LabelOptions, LabelSummary, OutputFormat, Silent};
use tagger::classify::{LabelMode, NbKind, NbParams};
use tagger::csv_input::{read_labeled, CsvOptions};
use tagger::features::{DocFreq, TfidfParams};
use tagger::model::format::MAGIC;
use tagger::shard::{ModelShard, Vocab, VocabShard, MODEL_SHARD_MAGIC, VOCAB_MAGIC, VOCAB_SHARD_MAGIC};
use tagger::text::TextPipeline;
use tagger::{Model, Prediction, TrainSettings, TrainingMeta};

/// A short Arabic news sentence that every loaded model is asked to tag.
pub const SENTENCE: &str =
    "قالت وزارة الخارجية الروسية إن المفاوضات مع أوكرانيا ستُستأنف في إسطنبول، وإن الجيش السوري انسحب من حلب.";

/// Training inputs larger than this are read but not trained on, to keep each run short.
pub const MAX_TRAIN_ROWS: usize = 256;
pub const MAX_TRAIN_BYTES: usize = 16 * 1024;

/// Byte length of the model file header (magic, version, payload length, CRC-32).
pub const HEADER_LEN: usize = 24;

fn pipeline() -> &'static TextPipeline {
    static P: OnceLock<TextPipeline> = OnceLock::new();
    P.get_or_init(TextPipeline::default)
}

fn default_model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| tagger::default_model::load().expect("the embedded default model loads"))
}

/// `normalize_tokenize`: UTF-8 text through the default normalizer and tokenizer.
pub fn normalize_tokenize(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        check_text(text);
    }
}

/// Normalizing is idempotent, and no token is empty.
pub fn check_text(text: &str) {
    let p = pipeline();
    let once = p.normalizer.normalize(text);
    let twice = p.normalizer.normalize(&once);
    assert_eq!(twice, once, "normalization is not idempotent on {text:?}");
    let mut buf = String::new();
    p.for_each_token(text, &mut buf, |token| assert!(!token.is_empty(), "empty token from {text:?}"));
    assert_eq!(buf, once, "for_each_token normalizes as normalize does");
}

/// `label_csv`: bytes as a CSV export, labeled with the embedded default model, with and without
/// `skip_bad`. Errors are fine; panics are not. With `skip_bad`, every row is accounted for.
pub fn label_csv(data: &[u8]) {
    let model = default_model();
    let strict = run_label(model, data, false, OutputFormat::Csv, false, 1024);
    // Small batches, so a few rows already cross batch boundaries and buffers are recycled.
    let lenient_csv = run_label(model, data, true, OutputFormat::Csv, true, 3);
    let lenient_json = run_label(model, data, true, OutputFormat::Jsonl, false, 1024);
    for summary in [&lenient_csv, &lenient_json].into_iter().flatten() {
        assert_eq!(summary.rows_read, summary.rows_written + summary.rows_skipped, "skip_bad lost rows: {summary:?}");
    }
    if let (Ok(a), Ok(b)) = (&lenient_csv, &lenient_json) {
        assert_eq!(
            (a.rows_read, a.rows_written, a.per_topic.clone()),
            (b.rows_read, b.rows_written, b.per_topic.clone())
        );
    }
    if let Ok(strict) = &strict {
        // No bad row stopped the strict run, so skip_bad has nothing to skip.
        assert_eq!(strict.rows_read, strict.rows_written, "strict run: {strict:?}");
        if let Ok(lenient) = &lenient_csv {
            assert_eq!(lenient.rows_skipped, 0, "strict Ok but skip_bad skipped: {lenient:?}");
            assert_eq!(lenient.rows_written, strict.rows_written);
            assert_eq!(lenient.per_topic, strict.per_topic);
        }
    }
}

fn run_label(
    model: &Model,
    data: &[u8],
    skip_bad: bool,
    format: OutputFormat,
    wide: bool,
    batch_size: usize,
) -> tagger::Result<LabelSummary> {
    let mut opts = LabelOptions::new(model.default_decision());
    opts.skip_bad = skip_bad;
    opts.format = format;
    opts.wide = wide;
    opts.batch_size = batch_size;
    tagger::batch::label_csv(model, data, "fuzz.csv", std::io::sink(), &opts, &mut Silent)
}

/// The settings of `benches/pipeline.rs`, with `min_df` 1 so tiny corpora keep features.
pub fn train_settings() -> TrainSettings {
    // `tagger train`'s defaults otherwise: complement naive Bayes, the Arabic normalizer.
    TrainSettings {
        tfidf: TfidfParams::new().min_df(DocFreq::Count(1)).check().expect("valid tf-idf settings"),
        threshold: 0.5,
        ..TrainSettings::default()
    }
}

/// `train_csv`: bytes as a labeled CSV; if it reads and is small, train on it. A trained model
/// must predict well-formed probabilities and survive a save and load unchanged.
pub fn train_csv(data: &[u8]) {
    let Ok(corpus) = read_labeled(data, "fuzz.csv", &CsvOptions::default()) else { return };
    if corpus.texts.len() > MAX_TRAIN_ROWS || corpus.texts.bytes() > MAX_TRAIN_BYTES {
        return;
    }
    for labels in &corpus.labels {
        assert!(labels.iter().all(|&t| (t as usize) < corpus.topics.len()), "label index out of range");
    }
    let texts: Vec<String> = corpus.texts.iter().take(16).map(str::to_owned).collect();
    let meta = TrainingMeta { tagger_version: String::new(), ..TrainingMeta::new("fuzz.csv") };
    let Ok(model) = Model::train(corpus, &train_settings(), meta) else { return };
    for text in texts.iter().map(String::as_str).chain([SENTENCE]) {
        check_prediction(&model, text);
    }
    let mut bytes = Vec::new();
    model.write_to(&mut bytes, "fuzz.bin").expect("a trained model can be written");
    let loaded = Model::from_bytes(&bytes, "fuzz.bin").expect("a written model loads");
    assert!(loaded == model, "the loaded model differs from the one written: {}", differences(&model, &loaded));
}

/// `model_load`: bytes as a model file. Most mutations break the CRC, so the same bytes are also
/// tried with a repaired header (magic, payload length, CRC-32), which lets the fuzzer reach the
/// payload decoder and the consistency checks behind it.
pub fn model_load(data: &[u8]) {
    check_model_bytes(data);
    if let Some(fixed) = with_fixed_header(data) {
        check_model_bytes(&fixed);
    }
}

/// `data` with the magic, payload length and CRC-32 of its header rewritten to match its
/// payload (the version field is kept); `None` when shorter than a header.
pub fn with_fixed_header(data: &[u8]) -> Option<Vec<u8>> {
    with_header_for(data, MAGIC)
}

/// [`with_fixed_header`] with another file kind's magic (the shard files share the framing).
pub fn with_header_for(data: &[u8], magic: &[u8; 8]) -> Option<Vec<u8>> {
    if data.len() < HEADER_LEN {
        return None;
    }
    let mut fixed = data.to_vec();
    let payload_len = (fixed.len() - HEADER_LEN) as u64;
    let crc = crc32(&fixed[HEADER_LEN..]);
    fixed[..magic.len()].copy_from_slice(magic);
    fixed[12..20].copy_from_slice(&payload_len.to_le_bytes());
    fixed[20..24].copy_from_slice(&crc.to_le_bytes());
    Some(fixed)
}

/// CRC-32 (IEEE, reflected, as crc32fast computes it), bit by bit: no extra dependency.
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = !0u32;
    for &b in bytes {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

/// Loading never panics; a model that loads predicts well-formed probabilities and saves to
/// bytes that load as the same model.
pub fn check_model_bytes(bytes: &[u8]) {
    let Ok(model) = Model::from_bytes(bytes, "fuzz") else { return };
    check_prediction(&model, SENTENCE);
    // Text made of the model's own n-grams, so a model whose vocabulary shares nothing with the
    // sentence still goes through weighting and scoring.
    let vocab = model.tfidf().vocabulary();
    let own: Vec<String> = (0..vocab.len().min(16)).map(|j| vocab.feature_name(j)).collect();
    check_prediction(&model, &own.join(" "));
    // Saved again, it loads and saves to the same bytes. (Bytes, not `==`: a file may hold NaN
    // counts, and NaN is not equal to itself.)
    let mut again = Vec::new();
    model.write_to(&mut again, "fuzz").expect("a loaded model can be written");
    let reloaded = Model::from_bytes(&again, "fuzz").expect("a rewritten model loads");
    let mut third = Vec::new();
    reloaded.write_to(&mut third, "fuzz").expect("a reloaded model can be written");
    assert!(third == again, "a model changed when saved and loaded again: {}", differences(&model, &reloaded));
}

/// `shard_load`: bytes as a shard file of sharded training (vocabulary shard, merged vocabulary,
/// model shard). As for models, the bytes are also tried with the header repaired, once with each
/// shard magic, so that mutations reach the decoder and the range checks behind the checksum.
pub fn shard_load(data: &[u8]) {
    check_shard_bytes(data);
    for magic in [VOCAB_SHARD_MAGIC, VOCAB_MAGIC, MODEL_SHARD_MAGIC] {
        if let Some(fixed) = with_header_for(data, magic) {
            check_shard_bytes(&fixed);
        }
    }
}

/// A few labeled rows for counting a model shard with a fuzzed vocabulary: Arabic (the default
/// normalizer's script), Latin and digits (a shard with no normalizer or stemming), and a row
/// without a topic.
fn shard_corpus() -> &'static tagger::corpus::LabeledCorpus {
    static C: OnceLock<tagger::corpus::LabeledCorpus> = OnceLock::new();
    C.get_or_init(|| {
        let rows: [(&str, &[&str]); 4] = [
            (SENTENCE, &["diplomacy", "syria"]),
            ("مباراة الدوري الممتاز اليوم في الملعب a b 12", &["sports"]),
            ("دواء جديد للسكري في المستشفى x y", &["health"]),
            ("وصفة شوربة العدس", &[]),
        ];
        tagger::corpus::LabeledCorpus::from_rows("fuzz", rows).expect("fixed rows")
    })
}

/// Loading never panics. A shard that loads saves to bytes that load and save to the same bytes,
/// and merges with itself; whatever the merges give (a vocabulary, a model shard, a model) goes
/// on through the next step: round 2's counting, the model's making, and a prediction.
pub fn check_shard_bytes(bytes: &[u8]) {
    if let Ok(shard) = VocabShard::from_bytes(bytes, "fuzz") {
        let mut again = Vec::new();
        shard.write_to(&mut again, "fuzz").expect("a loaded vocabulary shard can be written");
        let reloaded = VocabShard::from_bytes(&again, "fuzz").expect("a rewritten vocabulary shard loads");
        assert!(reloaded == shard, "a vocabulary shard changed when saved and loaded");
        let pair = [shard.clone(), shard];
        for params in [shard_tfidf(None), shard_tfidf(Some(2))] {
            if let Ok(vocab) = VocabShard::merge(&pair, &params) {
                check_vocab(&vocab);
            }
        }
    }
    if let Ok(vocab) = Vocab::from_bytes(bytes, "fuzz") {
        check_vocab(&vocab);
    }
    if let Ok(shard) = ModelShard::from_bytes(bytes, "fuzz") {
        check_model_shard(&shard);
    }
}

fn shard_tfidf(max_features: Option<usize>) -> tagger::features::TfidfValidParams {
    TfidfParams::new().min_df(DocFreq::Count(1)).max_features(max_features).check().expect("valid tf-idf settings")
}

fn check_vocab(vocab: &Vocab) {
    let mut again = Vec::new();
    vocab.write_to(&mut again, "fuzz").expect("a vocabulary can be written");
    let reloaded = Vocab::from_bytes(&again, "fuzz").expect("a written vocabulary loads");
    let mut third = Vec::new();
    reloaded.write_to(&mut third, "fuzz").expect("a reloaded vocabulary can be written");
    assert!(third == again, "a vocabulary changed when saved and loaded");
    if let Ok(shard) = ModelShard::count(shard_corpus(), vocab) {
        check_model_shard(&shard);
    }
}

fn check_model_shard(shard: &ModelShard) {
    // Bytes, not `==`: a fuzzed shard may hold NaN sums.
    let mut again = Vec::new();
    shard.write_to(&mut again, "fuzz").expect("a model shard can be written");
    let reloaded = ModelShard::from_bytes(&again, "fuzz").expect("a written model shard loads");
    let mut third = Vec::new();
    reloaded.write_to(&mut third, "fuzz").expect("a reloaded model shard can be written");
    assert!(third == again, "a model shard changed when saved and loaded");
    let Ok(merged) = ModelShard::merge(&[shard.clone(), reloaded]) else { return };
    let nb = NbParams::new().kind(NbKind::Complement).check().expect("valid naive Bayes settings");
    let meta = TrainingMeta { tagger_version: String::new(), ..TrainingMeta::new("fuzz") };
    if let Ok(model) = merged.into_model(&nb, 0.5, meta) {
        check_prediction(&model, SENTENCE);
        let vocab = model.tfidf().vocabulary();
        let own: Vec<String> = (0..vocab.len().min(16)).map(|j| vocab.feature_name(j)).collect();
        check_prediction(&model, &own.join(" "));
    }
}

/// Which parts of two models differ, for assertion messages.
pub fn differences(a: &Model, b: &Model) -> String {
    let parts = [
        ("topics", a.topics() == b.topics()),
        ("normalizer", a.pipeline().normalizer == b.pipeline().normalizer),
        ("tokenizer", a.pipeline().tokenizer.settings() == b.pipeline().tokenizer.settings()),
        ("vocabulary", a.tfidf().vocabulary() == b.tfidf().vocabulary()),
        ("idf", a.tfidf().idf() == b.tfidf().idf()),
        ("sublinear_tf", a.tfidf().sublinear_tf() == b.tfidf().sublinear_tf()),
        ("classifier counts", a.classifier().counts() == b.classifier().counts()),
        ("classifier", a.classifier() == b.classifier()),
        ("threshold", a.threshold() == b.threshold() && a.topic_thresholds() == b.topic_thresholds()),
        ("meta", a.meta() == b.meta()),
    ];
    let differ: Vec<&str> = parts.iter().filter(|(_, same)| !same).map(|(name, _)| *name).collect();
    if differ.is_empty() {
        "no part differs".into()
    } else {
        differ.join(", ")
    }
}

/// Scores are empty (no known word) or one finite probability in [0, 1] per topic; topics given
/// are valid, distinct, most probable first; a single-label model's scores sum to 1 and it gives
/// at least its best topic.
pub fn check_prediction(model: &Model, text: &str) {
    let decision = model.default_decision();
    let Prediction { scores, topics } = model.predict(text, decision);
    let n = model.topics().len();
    if scores.is_empty() {
        assert!(topics.is_empty(), "topics {topics:?} without scores");
        return;
    }
    assert_eq!(scores.len(), n, "one score per topic");
    assert!(scores.iter().all(|s| s.is_finite() && (0.0..=1.0).contains(s)), "scores out of [0, 1]: {scores:?}");
    assert!(topics.iter().all(|&t| t < n), "topic index out of range: {topics:?}");
    assert!(topics.windows(2).all(|w| scores[w[0]] >= scores[w[1]] && w[0] != w[1]), "topics out of order: {topics:?}");
    match model.mode() {
        LabelMode::Single => {
            let sum: f64 = scores.iter().sum();
            assert!((sum - 1.0).abs() < 1e-9, "single-label scores sum to {sum}: {scores:?}");
            assert!(!topics.is_empty(), "a single-label model gives its best topic");
        }
        LabelMode::Multi => {
            assert!(topics.iter().all(|&t| scores[t] >= model.topic_thresholds()[t]), "topic under the threshold");
        }
    }
}
