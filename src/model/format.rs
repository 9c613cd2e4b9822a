//! The model file: a fixed header, then a payload that is used in place.
//!
//! ```text
//! offset 0   8 bytes  magic  "TAGGERMD"
//! offset 8   u32 LE   format version (FORMAT_VERSION)
//! offset 12  u64 LE   payload length in bytes
//! offset 20  u32 LE   CRC-32 (IEEE) of the payload
//! offset 24  payload
//! ```
//!
//! Format 3's payload is a table of sections, then the sections, each at an 8-byte-aligned
//! offset (from the payload's start) with zero bytes between them:
//!
//! ```text
//! u32 LE  number of sections (11)      u32 LE  0
//! per section: u32 LE kind (1..=11, in this order), u32 LE 0, u64 LE offset, u64 LE length
//!  1 settings       postcard: topics, text settings, n-gram range, sublinear tf, classifier kind,
//!                   label mode, alpha, documents, per-topic documents and bias, thresholds, meta
//!  2 term bytes     u8: the words, sorted, concatenated UTF-8
//!  3 term ends      u32 per word: end of the word in the term bytes
//!  4 term table     u32 per slot: word id or u32::MAX; open addressing, linear probing,
//!                   features::vocab::term_hash, 2^k >= 2 x words slots
//!  5 features       u64 per column: packed n-gram key, in column order
//!  6 feature table  u32 per slot: column or u32::MAX, the same scheme over the keys
//!  7 idf            f64 per column
//!  8 feature counts f64 per column and topic (topics inner): the naive Bayes sums
//!  9 feature totals f64 per column
//! 10 weights        f64 per column and topic (topics inner): the log weights the scorer uses
//! 11 fingerprints   u64 per training text, sorted
//! ```
//!
//! Loading reads the file with one read into a buffer the allocator aligns (memmap2 would
//! share the page cache, but a file changed by another process underneath a mapping is
//! undefined behaviour in Rust, and reading 72 MB from the page cache takes about 15 ms here),
//! checks the header and the CRC at memory speed, then every section for range and
//! consistency in one linear pass, and points the model's arrays into the buffer: no hash map
//! is built and no logarithm taken. Format 1 and 2 files (postcard payloads) are still read,
//! and converted on load (slower: the tables and weights are rebuilt); saving writes format 3.
//!
//! Everything is in a fixed order (sorted words, topics in sorted order, tables filled in id
//! order), so the same data and settings give the same bytes. Every size is checked against
//! the file before anything is built from it.

use super::{Model, TrainingMeta};
use crate::classify::{LabelMode, NaiveBayes, NbCounts, NbKind};
use crate::error::{Error, Result};
use crate::features::vocab::VocabParts;
use crate::features::{NgramRange, Tfidf, Vocabulary};
use crate::section::{Backing, Section};
use crate::text::{Step, TextPipeline, TokenizerSettings};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"TAGGERMD";
/// The format this build writes and reads. Bump it when the layout changes, keep a fixture of
/// the old version in `tests/fixtures/`, and say in [`check_version`] what to do with old files.
/// Version 2 added per-topic thresholds, training-text fingerprints and `TrainingMeta::about`;
/// version 3 is the sectioned layout used in place.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format this build still reads.
pub const OLDEST_SUPPORTED: u32 = 1;
const HEADER_LEN: usize = 24;

/// Version 2 of the payload (postcard), read and converted on load.
#[derive(Deserialize)]
struct ModelFile {
    topics: Vec<String>,
    steps: Vec<Step>,
    tokenizer: TokenizerSettings,
    ngrams: NgramRange,
    terms: Vec<Box<str>>,
    features: Vec<u64>,
    idf: Vec<f64>,
    sublinear_tf: bool,
    counts: NbCounts,
    threshold: f64,
    thresholds: Vec<f64>,
    fingerprints: Vec<u64>,
    meta: TrainingMeta,
}

/// Version 1 of the payload: no per-topic thresholds, fingerprints or `about`.
#[derive(Deserialize)]
struct ModelFileV1 {
    topics: Vec<String>,
    steps: Vec<Step>,
    tokenizer: TokenizerSettings,
    ngrams: NgramRange,
    terms: Vec<Box<str>>,
    features: Vec<u64>,
    idf: Vec<f64>,
    sublinear_tf: bool,
    counts: NbCounts,
    threshold: f64,
    meta: TrainingMetaV1,
}

#[derive(Deserialize)]
struct TrainingMetaV1 {
    source: String,
    documents: u64,
    trained_at: u64,
    tagger_version: String,
}

impl From<ModelFileV1> for ModelFile {
    fn from(v1: ModelFileV1) -> ModelFile {
        let m = v1.meta;
        ModelFile {
            thresholds: vec![v1.threshold; v1.topics.len()],
            fingerprints: Vec::new(),
            meta: TrainingMeta {
                source: m.source,
                documents: m.documents,
                trained_at: m.trained_at,
                tagger_version: m.tagger_version,
                about: String::new(),
            },
            topics: v1.topics,
            steps: v1.steps,
            tokenizer: v1.tokenizer,
            ngrams: v1.ngrams,
            terms: v1.terms,
            features: v1.features,
            idf: v1.idf,
            sublinear_tf: v1.sublinear_tf,
            counts: v1.counts,
            threshold: v1.threshold,
        }
    }
}

impl Model {
    /// Writes the model to `out` (format 3).
    pub fn write_to(&self, mut out: impl Write, name: &str) -> Result<()> {
        let counts = self.classifier.counts();
        let settings = Settings {
            topics: self.topics.clone(),
            steps: self.pipeline.normalizer.steps().to_vec(),
            tokenizer: self.pipeline.tokenizer.settings().clone(),
            ngrams: self.tfidf.vocab.ngrams(),
            sublinear_tf: self.tfidf.sublinear_tf,
            kind: counts.kind,
            mode: counts.mode,
            alpha: counts.alpha,
            n_docs: counts.n_docs,
            class_count: counts.class_count.clone(),
            bias: self.classifier.bias().to_vec(),
            threshold: self.threshold,
            thresholds: self.thresholds.clone(),
            meta: self.meta.clone(),
        };
        let settings = postcard::to_stdvec(&settings).map_err(|e| Error::model(name, format!("cannot encode: {e}")))?;
        let vocab = self.tfidf.vocab.arrays();
        let sections: [(&[u8], usize); SECTIONS] = [
            (&settings, 1),
            (vocab.term_bytes, 1),
            (as_bytes(vocab.term_ends), 4),
            (as_bytes(vocab.term_table), 4),
            (as_bytes(vocab.features), 8),
            (as_bytes(vocab.feature_table), 4),
            (as_bytes(&self.tfidf.idf), 8),
            (as_bytes(&counts.feature_count), 8),
            (as_bytes(&counts.feature_total), 8),
            (as_bytes(self.classifier.weights_raw()), 8),
            (as_bytes(&self.fingerprints), 8),
        ];
        let table_len = 8 + 24 * SECTIONS;
        let total = sections.iter().fold(table_len, |at, (b, _)| align8(at) + b.len());
        let mut payload = Vec::with_capacity(total);
        payload.extend_from_slice(&(SECTIONS as u32).to_le_bytes());
        payload.extend_from_slice(&0u32.to_le_bytes());
        let mut at = table_len;
        for (kind, (bytes, _)) in sections.iter().enumerate() {
            at = align8(at);
            payload.extend_from_slice(&(kind as u32 + 1).to_le_bytes());
            payload.extend_from_slice(&0u32.to_le_bytes());
            payload.extend_from_slice(&(at as u64).to_le_bytes());
            payload.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
            at += bytes.len();
        }
        for (bytes, _) in &sections {
            payload.resize(align8(payload.len()), 0);
            payload.extend_from_slice(bytes);
        }
        debug_assert_eq!(payload.len(), total);
        write_payload(&mut out, &MODEL_FILE, &payload, name)
    }

    /// Writes the model to `path` atomically: a temporary file in the same folder, synced, then
    /// renamed over `path`. A failed or interrupted save leaves any earlier file untouched.
    pub fn save(&self, path: &Path) -> Result<()> {
        save_atomically(path, |out, name| self.write_to(out, name))
    }

    /// Reads a model file: one read, then the checks of [`Model::from_bytes`]; a format 3
    /// file's arrays are used in place in the buffer read.
    pub fn load(path: &Path) -> Result<Model> {
        let name = path.display().to_string();
        let bytes = read_framed_file(path, &MODEL_FILE)?;
        if framed_version(&bytes) == Some(FORMAT_VERSION) {
            return from_sections(&Backing::from_vec(bytes), &name);
        }
        Model::from_bytes(&bytes, &name)
    }

    /// Decodes a model from bytes; `name` is used in error messages. A format 3 file is copied
    /// once into an aligned buffer and used there.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Model> {
        let file: ModelFile = match framed_version(bytes) {
            Some(FORMAT_VERSION) => return from_sections(&Backing::copy_from(bytes), name),
            Some(1) => decode_framed::<ModelFileV1>(bytes, &MODEL_FILE, name)?.into(),
            _ => decode_framed(bytes, &MODEL_FILE, name)?,
        };
        from_file(file).map_err(|e| Error::model(name, format!("inconsistent model file: {e}")))
    }

    /// A model used in place in `bytes` (the embedded default model): nothing is copied when
    /// they start at an 8-byte boundary.
    pub fn from_static(bytes: &'static [u8], name: &str) -> Result<Model> {
        match framed_version(bytes) {
            Some(FORMAT_VERSION) => from_sections(&Backing::from_static(bytes), name),
            _ => Model::from_bytes(bytes, name),
        }
    }
}

const SECTIONS: usize = 11;

fn align8(at: usize) -> usize {
    at.div_ceil(8) * 8
}

fn as_bytes<T: crate::section::Plain>(values: &[T]) -> &[u8] {
    if cfg!(target_endian = "little") {
        // SAFETY: Plain types have no padding: `size_of_val` initialized bytes.
        unsafe { std::slice::from_raw_parts(values.as_ptr().cast::<u8>(), std::mem::size_of_val(values)) }
    } else {
        unimplemented!("writing model files on big-endian targets")
    }
}

/// The small part of a format 3 file, postcard-encoded in its first section.
#[derive(Serialize, Deserialize)]
struct Settings {
    topics: Vec<String>,
    steps: Vec<Step>,
    tokenizer: TokenizerSettings,
    ngrams: NgramRange,
    sublinear_tf: bool,
    kind: NbKind,
    mode: LabelMode,
    alpha: f64,
    n_docs: f64,
    class_count: Vec<f64>,
    bias: Vec<f64>,
    threshold: f64,
    thresholds: Vec<f64>,
    meta: TrainingMeta,
}

/// A format 3 model over `backing` (the whole file, header included): header and CRC, the
/// section table, then each section's range and contents; the arrays stay in `backing`.
fn from_sections(backing: &Backing, name: &str) -> Result<Model> {
    let bytes = backing.bytes();
    let payload = read_framed_unchecked(bytes, &MODEL_FILE, name)?;
    // The CRC on one core while the other checks the sections: the checks are written for
    // untrusted bytes anyway, and a checksum mismatch wins over whatever they found. In a
    // profile of loading the 134 MB SANAD model, the CRC was 7% of the time and the section
    // checks 21%; the rest is reading the file.
    let expected = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    let (crc, model) = rayon::join(|| crc32fast::hash(payload), || sections_to_model(backing, payload, name));
    if crc != expected {
        return Err(Error::model(name, "damaged model file: checksum mismatch (copy it again or rebuild it)"));
    }
    model
}

/// [`from_sections`] after the header: `payload` is `backing`'s bytes after it.
fn sections_to_model(backing: &Backing, payload: &[u8], name: &str) -> Result<Model> {
    let damaged = |what: String| Error::model(name, format!("damaged model file: {what}"));
    let word = |at: usize, n: usize| -> Option<u64> {
        let b = payload.get(at..at + n)?;
        Some(if n == 4 {
            u32::from_le_bytes(b.try_into().ok()?) as u64
        } else {
            u64::from_le_bytes(b.try_into().ok()?)
        })
    };
    let count = word(0, 4).ok_or_else(|| damaged("no section table".into()))?;
    if count != SECTIONS as u64 || word(4, 4) != Some(0) {
        return Err(damaged(format!("{count} sections, format 3 has {SECTIONS}")));
    }
    let mut ranges = [(0usize, 0usize); SECTIONS];
    let mut end = 8 + 24 * SECTIONS;
    for (i, range) in ranges.iter_mut().enumerate() {
        let at = 8 + 24 * i;
        let (kind, zero) = (word(at, 4), word(at + 4, 4));
        let (off, len) = (word(at + 8, 8), word(at + 16, 8));
        let (Some(kind), Some(0), Some(off), Some(len)) = (kind, zero, off, len) else {
            return Err(damaged("section table cut short".into()));
        };
        if kind != i as u64 + 1 {
            return Err(damaged(format!("section {i} is of kind {kind}, expected {}", i + 1)));
        }
        if off != align8(end) as u64 || off.checked_add(len).is_none_or(|e| e > payload.len() as u64) {
            return Err(damaged(format!("section {} at {off} of {len} bytes is out of place", i + 1)));
        }
        *range = (off as usize, len as usize);
        end = (off + len) as usize;
    }
    if end != payload.len() {
        return Err(damaged(format!("{} bytes after the last section", payload.len() - end)));
    }
    if ranges.windows(2).any(|w| payload[w[0].0 + w[0].1..w[1].0].iter().any(|&b| b != 0)) {
        return Err(damaged("nonzero padding between sections".into()));
    }
    fn view<T: crate::section::Plain>(
        backing: &Backing,
        (off, len): (usize, usize),
        kind: usize,
    ) -> std::result::Result<Section<T>, String> {
        let size = std::mem::size_of::<T>();
        if len % size != 0 {
            return Err(format!("section {kind} of {len} bytes is not a whole number of {size}-byte values"));
        }
        Section::view(backing, HEADER_LEN + off, len / size)
            .ok_or_else(|| format!("section {kind} is not aligned in memory"))
    }
    let (off, len) = ranges[0];
    let settings: Settings = match postcard::take_from_bytes(&payload[off..off + len]) {
        Ok((s, [])) => s,
        Ok(_) => return Err(damaged("bytes after the settings".into())),
        Err(e) => return Err(damaged(format!("the settings do not decode ({e})"))),
    };
    let build = || -> std::result::Result<Model, String> {
        let parts = VocabParts {
            term_bytes: view(backing, ranges[1], 2)?,
            term_ends: view(backing, ranges[2], 3)?,
            term_table: view(backing, ranges[3], 4)?,
            features: view(backing, ranges[4], 5)?,
            feature_table: view(backing, ranges[5], 6)?,
        };
        let idf: Section<f64> = view(backing, ranges[6], 7)?;
        let counts = NbCounts {
            kind: settings.kind,
            mode: settings.mode,
            alpha: settings.alpha,
            n_docs: settings.n_docs,
            class_count: settings.class_count,
            feature_count: view(backing, ranges[7], 8)?,
            feature_total: view(backing, ranges[8], 9)?,
        };
        let weights: Section<f64> = view(backing, ranges[9], 10)?;
        let fingerprints: Section<u64> = view(backing, ranges[10], 11)?;
        let n_topics = settings.topics.len();
        check_topics(&settings.topics, counts.class_count.len()).map_err(|e| e.to_string())?;
        if parts.features.len() != idf.len() || counts.feature_total.len() != idf.len() {
            return Err("feature, idf and count lengths differ".into());
        }
        check_thresholds(settings.threshold, &settings.thresholds, n_topics).map_err(|e| e.to_string())?;
        if fingerprints.windows(2).any(|w| w[0] >= w[1]) {
            return Err("fingerprints are not sorted".into());
        }
        NgramRange::new(settings.ngrams.min, settings.ngrams.max).map_err(|e| e.to_string())?;
        let vocab = Vocabulary::from_parts(settings.ngrams, parts).map_err(|e| e.to_string())?;
        let tfidf = Tfidf::new(vocab, idf, settings.sublinear_tf).map_err(|e| e.to_string())?;
        let classifier = NaiveBayes::from_stored(counts, weights, settings.bias).map_err(|e| e.to_string())?;
        Ok(Model {
            topics: settings.topics,
            pipeline: TextPipeline::new(settings.steps, settings.tokenizer),
            tfidf,
            classifier,
            threshold: settings.threshold,
            thresholds: settings.thresholds,
            fingerprints,
            meta: settings.meta,
        })
    };
    build().map_err(|e| Error::model(name, format!("inconsistent model file: {e}")))
}

fn check_topics(topics: &[String], classes: usize) -> Result<()> {
    let n_topics = topics.len();
    if n_topics < 2 || topics.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::params("topics", "need two or more distinct topics in sorted order"));
    }
    if classes != n_topics {
        return Err(Error::params("topics", format!("{n_topics} names for {classes} classes")));
    }
    Ok(())
}

fn check_thresholds(threshold: f64, thresholds: &[f64], n_topics: usize) -> Result<()> {
    crate::model::check_threshold(threshold)?;
    if thresholds.len() != n_topics {
        return Err(Error::params("thresholds", format!("{} thresholds for {n_topics} topics", thresholds.len())));
    }
    thresholds.iter().try_for_each(|&t| crate::model::check_threshold(t))
}

/// Writes a file with `write` (given a buffered writer and the name for messages) atomically:
/// the folder is created if needed, then a temporary file beside `path` is written, synced and
/// renamed over it (a device or FIFO is written directly; see [`crate::output`]). Model files
/// and shard files are saved this one way.
pub(crate) fn save_atomically(
    path: &Path,
    write: impl FnOnce(std::io::BufWriter<&mut std::fs::File>, &str) -> Result<()>,
) -> Result<()> {
    if let Some(dir) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
    }
    let mut tmp = crate::output::create(path)?;
    write(std::io::BufWriter::new(tmp.as_file_mut()), &path.display().to_string())?;
    crate::output::commit(tmp, path)
}

/// Reads a framed file of `kind` header first, so that a foreign or endless input (`/dev/zero`,
/// `/dev/urandom`, a huge sparse file) is refused after 24 bytes instead of being read whole:
/// a wrong magic or version stops at once, a regular file shorter than the header's stated
/// length is refused before its payload is read, and nothing past the stated length is read
/// (one byte more, to report padding). Returns header and payload for [`read_framed`].
pub(crate) fn read_framed_file(path: &Path, kind: &FileKind) -> Result<Vec<u8>> {
    use std::io::Read;
    let name = path.display().to_string();
    let mut file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut bytes = Vec::with_capacity(HEADER_LEN);
    (&mut file).take(HEADER_LEN as u64).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    // Checks the magic, the version and the header's length (the payload is not there yet, so
    // only a length or checksum complaint can remain, and those are judged below).
    if let Err(e) = read_framed(&bytes, kind, &name) {
        if bytes.len() < HEADER_LEN
            || bytes[..8] != kind.magic[..]
            || check_version(kind, framed_version(&bytes).unwrap_or(0)).is_err()
        {
            return Err(e);
        }
    }
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let meta = file.metadata().map_err(|e| Error::io(path, e))?;
    if meta.is_file() && HEADER_LEN as u64 + len > meta.len() {
        return Err(Error::model(
            name,
            format!(
                "truncated {}: header says {len} payload bytes, the file has {}",
                kind.noun,
                meta.len() - HEADER_LEN as u64
            ),
        ));
    }
    if meta.is_file() {
        bytes.reserve_exact(len as usize);
    }
    // One byte past the stated length, so that a padded file is reported as such by read_framed.
    file.take(len.saturating_add(1)).read_to_end(&mut bytes).map_err(|e| Error::io(path, e))?;
    Ok(bytes)
}

/// The format version in a framed file's header, if it has one.
fn framed_version(bytes: &[u8]) -> Option<u32> {
    bytes.get(8..12).map(|b| u32::from_le_bytes(b.try_into().expect("4 bytes")))
}

/// Checks the header of a framed file of `kind` and decodes its payload.
pub(crate) fn decode_framed<T: serde::de::DeserializeOwned>(bytes: &[u8], kind: &FileKind, name: &str) -> Result<T> {
    let payload = read_framed(bytes, kind, name)?;
    postcard::from_bytes(payload).map_err(|e| {
        Error::model(name, format!("damaged {}: the checksum matches but the contents do not decode ({e})", kind.noun))
    })
}

/// Writes `value` (postcard) with the common header: magic, format version, payload length,
/// CRC-32. The shard files of exact sharded training use this framing.
pub(crate) fn write_framed<T: Serialize>(out: &mut impl Write, kind: &FileKind, value: &T, name: &str) -> Result<()> {
    let payload = postcard::to_stdvec(value).map_err(|e| Error::model(name, format!("cannot encode: {e}")))?;
    write_payload(out, kind, &payload, name)
}

/// Writes `payload` after the common header of `kind`'s newest version.
fn write_payload(out: &mut impl Write, kind: &FileKind, payload: &[u8], name: &str) -> Result<()> {
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(kind.magic);
    header.extend_from_slice(&kind.newest.to_le_bytes());
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.write_all(&header)
        .and_then(|_| out.write_all(payload))
        .and_then(|_| out.flush())
        .map_err(|e| Error::io(name, e))
}

/// One kind of framed file: its magic and how messages name it.
pub(crate) struct FileKind {
    pub magic: &'static [u8; 8],
    /// "model file": in "truncated model file", "damaged model file".
    pub noun: &'static str,
    /// "tagger model": in "not a tagger model".
    pub name: &'static str,
    /// How to make one: "train one with `tagger train`".
    pub make: &'static str,
    /// The version this build writes (and the newest it reads).
    pub newest: u32,
    /// The oldest version this build reads.
    pub oldest: u32,
}

pub(crate) const MODEL_FILE: FileKind = FileKind {
    magic: MAGIC,
    noun: "model file",
    name: "tagger model",
    make: "train one with `tagger train`",
    newest: FORMAT_VERSION,
    oldest: OLDEST_SUPPORTED,
};

/// Checks the header of a framed file and returns its payload.
pub(crate) fn read_framed<'a>(bytes: &'a [u8], kind: &FileKind, name: &str) -> Result<&'a [u8]> {
    let payload = read_framed_unchecked(bytes, kind, name)?;
    let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    if crc32fast::hash(payload) != crc {
        return Err(Error::model(
            name,
            format!("damaged {}: checksum mismatch (copy it again or rebuild it)", kind.noun),
        ));
    }
    Ok(payload)
}

/// [`read_framed`] but the CRC, which the caller checks.
fn read_framed_unchecked<'a>(bytes: &'a [u8], kind: &FileKind, name: &str) -> Result<&'a [u8]> {
    let bad = |msg: String| Error::model(name, msg);
    let magic = kind.magic;
    if bytes.len() < magic.len() || &bytes[..magic.len()] != magic {
        let what = match known_kind(bytes) {
            Some(other) => format!("a {other}, not a {}", kind.name),
            None => format!("not a {}", kind.name),
        };
        let magic_text = String::from_utf8_lossy(magic);
        return Err(bad(format!("{what} (the file does not start with {magic_text}); {}", kind.make)));
    }
    let noun = kind.noun;
    if bytes.len() < HEADER_LEN {
        return Err(bad(format!("truncated {noun}: {} bytes, the header alone is {HEADER_LEN}", bytes.len())));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    check_version(kind, version).map_err(bad)?;
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != len {
        return Err(bad(format!(
            "truncated or padded {noun}: header says {len} payload bytes, the file has {}",
            payload.len()
        )));
    }
    Ok(payload)
}

/// The kinds of framed files tagger writes, by magic.
fn known_kind(bytes: &[u8]) -> Option<&'static str> {
    let kinds = [&MODEL_FILE, &crate::shard::VOCAB_SHARD, &crate::shard::VOCAB, &crate::shard::MODEL_SHARD];
    kinds.iter().find(|k| bytes.starts_with(&k.magic[..])).map(|k| k.name)
}

fn check_version(kind: &FileKind, version: u32) -> std::result::Result<(), String> {
    let (newest, oldest) = (kind.newest, kind.oldest);
    if version > newest {
        return Err(format!(
            "model format version {version} is newer than this tagger reads ({newest}); upgrade tagger (this is {})",
            env!("CARGO_PKG_VERSION")
        ));
    }
    if version < oldest {
        return Err(format!(
            "model format version {version} is no longer supported (oldest: {oldest}); retrain with `tagger train`"
        ));
    }
    Ok(())
}

fn from_file(file: ModelFile) -> Result<Model> {
    let n_topics = file.topics.len();
    check_topics(&file.topics, file.counts.class_count.len())?;
    if file.features.len() != file.idf.len() || file.counts.feature_total.len() != file.idf.len() {
        return Err(Error::params("vocabulary", "feature, idf and count lengths differ"));
    }
    check_thresholds(file.threshold, &file.thresholds, n_topics)?;
    if file.fingerprints.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::params("fingerprints", "not sorted"));
    }
    NgramRange::new(file.ngrams.min, file.ngrams.max)?;
    let vocab = Vocabulary::new(file.ngrams, file.terms, file.features)?;
    let tfidf = Tfidf::new(vocab, file.idf, file.sublinear_tf)?;
    let classifier = NaiveBayes::from_counts(file.counts)?;
    Ok(Model {
        topics: file.topics,
        pipeline: TextPipeline::new(file.steps, file.tokenizer),
        tfidf,
        classifier,
        threshold: file.threshold,
        thresholds: file.thresholds,
        fingerprints: file.fingerprints.into(),
        meta: file.meta,
    })
}
