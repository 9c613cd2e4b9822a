//! The model file: magic bytes, format version, payload length, CRC-32, then the payload in
//! postcard (a compact, deterministic serde encoding; bincode is unmaintained, RUSTSEC-2025-0141).
//!
//! ```text
//! offset 0   8 bytes  magic  "TAGGERMD"
//! offset 8   u32 LE   format version (FORMAT_VERSION)
//! offset 12  u64 LE   payload length in bytes
//! offset 20  u32 LE   CRC-32 (IEEE) of the payload
//! offset 24  payload  postcard-encoded ModelFile
//! ```
//!
//! Everything in the payload is in a fixed order (sorted vocabulary, topics in sorted order, no
//! hash maps), so the same data and settings give the same bytes. Every size is checked against
//! the file before anything is built from it.

use super::{Model, TrainingMeta};
use crate::classify::{NaiveBayes, NbCounts};
use crate::error::{Error, Result};
use crate::features::{NgramRange, Tfidf, Vocabulary};
use crate::text::{Step, TextPipeline, TokenizerSettings};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

pub const MAGIC: &[u8; 8] = b"TAGGERMD";
/// The format this build writes and reads. Bump it when `ModelFile` changes, keep a fixture of
/// the old version in `tests/fixtures/`, and say in [`check_version`] what to do with old files.
/// Version 2 added per-topic thresholds, training-text fingerprints and `TrainingMeta::about`.
pub const FORMAT_VERSION: u32 = 2;
/// The oldest format this build still reads.
pub const OLDEST_SUPPORTED: u32 = 1;
const HEADER_LEN: usize = 24;

#[derive(Serialize, Deserialize)]
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
    /// Writes the model to `out`.
    pub fn write_to(&self, mut out: impl Write, name: &str) -> Result<()> {
        let file = ModelFile {
            topics: self.topics.clone(),
            steps: self.pipeline.normalizer.steps().to_vec(),
            tokenizer: self.pipeline.tokenizer.settings().clone(),
            ngrams: self.tfidf.vocab.ngrams(),
            terms: self.tfidf.vocab.terms().to_vec(),
            features: self.tfidf.vocab.feature_keys().to_vec(),
            idf: self.tfidf.idf.clone(),
            sublinear_tf: self.tfidf.sublinear_tf,
            counts: self.classifier.counts().clone(),
            threshold: self.threshold,
            thresholds: self.thresholds.clone(),
            fingerprints: self.fingerprints.clone(),
            meta: self.meta.clone(),
        };
        write_framed(&mut out, MAGIC, &file, name)
    }

    /// Writes the model to `path` atomically: a temporary file in the same folder, synced, then
    /// renamed over `path`. A failed or interrupted save leaves any earlier file untouched.
    pub fn save(&self, path: &Path) -> Result<()> {
        save_atomically(path, |out, name| self.write_to(out, name))
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = read_framed_file(path, &MODEL_FILE)?;
        Model::from_bytes(&bytes, &path.display().to_string())
    }

    /// Decodes a model from bytes; `name` is used in error messages.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Model> {
        let file: ModelFile = if framed_version(bytes) == Some(1) {
            decode_framed::<ModelFileV1>(bytes, &MODEL_FILE, name)?.into()
        } else {
            decode_framed(bytes, &MODEL_FILE, name)?
        };
        from_file(file).map_err(|e| Error::model(name, format!("inconsistent model file: {e}")))
    }
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
            || check_version(framed_version(&bytes).unwrap_or(0)).is_err()
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

/// Writes `value` with the common header: magic, format version, payload length, CRC-32.
/// Model files and the shard files of exact sharded training share this framing.
pub(crate) fn write_framed<T: Serialize>(out: &mut impl Write, magic: &[u8; 8], value: &T, name: &str) -> Result<()> {
    let payload = postcard::to_stdvec(value).map_err(|e| Error::model(name, format!("cannot encode: {e}")))?;
    let mut header = Vec::with_capacity(HEADER_LEN);
    header.extend_from_slice(magic);
    header.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    header.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    header.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.write_all(&header)
        .and_then(|_| out.write_all(&payload))
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
}

pub(crate) const MODEL_FILE: FileKind =
    FileKind { magic: MAGIC, noun: "model file", name: "tagger model", make: "train one with `tagger train`" };

/// Checks the header of a framed file and returns its payload.
pub(crate) fn read_framed<'a>(bytes: &'a [u8], kind: &FileKind, name: &str) -> Result<&'a [u8]> {
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
    check_version(version).map_err(bad)?;
    let len = u64::from_le_bytes(bytes[12..20].try_into().expect("8 bytes"));
    let crc = u32::from_le_bytes(bytes[20..24].try_into().expect("4 bytes"));
    let payload = &bytes[HEADER_LEN..];
    if payload.len() as u64 != len {
        return Err(bad(format!(
            "truncated or padded {noun}: header says {len} payload bytes, the file has {}",
            payload.len()
        )));
    }
    if crc32fast::hash(payload) != crc {
        return Err(bad(format!("damaged {noun}: checksum mismatch (copy it again or rebuild it)")));
    }
    Ok(payload)
}

/// The kinds of framed files tagger writes, by magic.
fn known_kind(bytes: &[u8]) -> Option<&'static str> {
    let kinds = [&MODEL_FILE, &crate::shard::VOCAB_SHARD, &crate::shard::VOCAB, &crate::shard::MODEL_SHARD];
    kinds.iter().find(|k| bytes.starts_with(&k.magic[..])).map(|k| k.name)
}

fn check_version(version: u32) -> std::result::Result<(), String> {
    if version > FORMAT_VERSION {
        return Err(format!(
            "model format version {version} is newer than this tagger reads ({FORMAT_VERSION}); upgrade tagger (this is {})",
            env!("CARGO_PKG_VERSION")
        ));
    }
    if version < OLDEST_SUPPORTED {
        return Err(format!(
            "model format version {version} is no longer supported (oldest: {OLDEST_SUPPORTED}); retrain with `tagger train`"
        ));
    }
    Ok(())
}

fn from_file(file: ModelFile) -> Result<Model> {
    let n_topics = file.topics.len();
    if n_topics < 2 || file.topics.windows(2).any(|w| w[0] >= w[1]) {
        return Err(Error::params("topics", "need two or more distinct topics in sorted order"));
    }
    if file.counts.class_count.len() != n_topics {
        return Err(Error::params("topics", format!("{n_topics} names for {} classes", file.counts.class_count.len())));
    }
    if file.features.len() != file.idf.len() || file.counts.feature_total.len() != file.idf.len() {
        return Err(Error::params("vocabulary", "feature, idf and count lengths differ"));
    }
    crate::model::check_threshold(file.threshold)?;
    if file.thresholds.len() != n_topics {
        return Err(Error::params("thresholds", format!("{} thresholds for {n_topics} topics", file.thresholds.len())));
    }
    file.thresholds.iter().try_for_each(|&t| crate::model::check_threshold(t))?;
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
        fingerprints: file.fingerprints,
        meta: file.meta,
    })
}
