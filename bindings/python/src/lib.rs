//! Python bindings: a thin layer over the tagger library's public API. No logic lives here;
//! every prediction goes through `Model::predict_batch` / `Model::scores_into`, so Python sees
//! exactly what the CLI prints.

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString};
use tagger::classify::{LabelMode, NbKind, NbParams};
use tagger::corpus::{parse_labels, LabeledCorpus, TextStore};
use tagger::features::{DocFreq, NgramRange, TfidfParams, TfidfValidParams};
use tagger::shard::{ModelShard, TextSettings, Vocab, VocabShard};
use tagger::text::{Step, TokenizerSettings};
use tagger::{Decision, Error, Model, ParamGuard, TrainSettings, TrainingMeta};

create_exception!(_tagger, TaggerError, PyException, "An error from tagger, with the library's message.");
create_exception!(_tagger, DataError, TaggerError, "Bad input data (a row, a file, a text).");
create_exception!(_tagger, ModelFileError, TaggerError, "A model file that cannot be read or written.");
create_exception!(_tagger, SettingsError, TaggerError, "A setting out of its allowed range.");

/// Maps the library's error kinds onto the exception hierarchy, keeping its message verbatim.
fn to_py(err: Error) -> PyErr {
    let message = err.to_string();
    match err {
        Error::Input { .. } | Error::Training { .. } => DataError::new_err(message),
        Error::Model { .. } | Error::Io { .. } => ModelFileError::new_err(message),
        Error::Params { .. } => SettingsError::new_err(message),
        _ => TaggerError::new_err(message),
    }
}

fn decision(threshold: Option<f64>, top_k: Option<usize>) -> PyResult<Decision> {
    Decision::new(threshold, top_k.unwrap_or(0)).map_err(to_py)
}

/// A trained tagger model: normalizer, tokenizer, TF-IDF weights, naive Bayes and thresholds.
#[pyclass(module = "tagger._tagger", name = "Model", frozen)]
struct PyModel {
    inner: Model,
}

#[pymethods]
impl PyModel {
    /// The model embedded in tagger, trained on SANAD-Khaleej, ASND and the project's texts.
    #[staticmethod]
    fn default(py: Python<'_>) -> PyResult<PyModel> {
        let inner = py.allow_threads(tagger::default_model::load).map_err(to_py)?;
        Ok(PyModel { inner })
    }

    /// Loads a model file written by `tagger train` or `Model.save`.
    #[staticmethod]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PyModel> {
        let inner = py.allow_threads(|| Model::load(&path)).map_err(to_py)?;
        Ok(PyModel { inner })
    }

    /// Writes the model atomically (a temporary file beside `path`, then a rename).
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.allow_threads(|| self.inner.save(&path)).map_err(to_py)
    }

    /// Topic names, in the order of score columns.
    #[getter]
    fn topics(&self) -> Vec<String> {
        self.inner.topics().to_vec()
    }

    /// Per-topic thresholds stored in the model.
    #[getter]
    fn thresholds(&self) -> Vec<f64> {
        self.inner.topic_thresholds().to_vec()
    }

    /// For each text: (indices of topics given, most probable first; scores of every topic,
    /// empty when the text has no word the model knows). Runs in parallel without the GIL.
    #[pyo3(signature = (texts, threshold=None, top_k=None))]
    fn _predict(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        threshold: Option<f64>,
        top_k: Option<usize>,
    ) -> PyResult<Vec<(Vec<usize>, Vec<f64>)>> {
        let decision = decision(threshold, top_k)?;
        let predictions = py.allow_threads(|| self.inner.predict_batch(&texts, decision));
        Ok(predictions.into_iter().map(|p| (p.topics, p.scores)).collect())
    }

    /// Scores of every text as little-endian f64 bytes, row-major (texts x topics); a text
    /// with no known word is a row of NaN, so that it is not mistaken for a confident "no".
    fn _scores(&self, py: Python<'_>, texts: Vec<String>) -> PyResult<Py<PyBytes>> {
        let n = self.inner.topics().len();
        let bytes = py.allow_threads(|| {
            let decision = self.inner.default_decision();
            let predictions = self.inner.predict_batch(&texts, decision);
            let mut out = Vec::with_capacity(texts.len() * n * 8);
            for p in predictions {
                if p.scores.is_empty() {
                    out.extend(std::iter::repeat_n(f64::NAN.to_le_bytes(), n).flatten());
                } else {
                    out.extend(p.scores.iter().flat_map(|s| s.to_le_bytes()));
                }
            }
            out
        });
        Ok(PyBytes::new(py, &bytes).unbind())
    }

    /// The `topics` and `scores` columns of `tagger label` for each text, formatted by the
    /// library (`batch::format_scores`) so that a frame and the CLI's CSV hold the same strings.
    #[pyo3(signature = (texts, threshold=None, top_k=None))]
    fn _label_columns(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        threshold: Option<f64>,
        top_k: Option<usize>,
    ) -> PyResult<(Vec<String>, Vec<String>)> {
        let decision = decision(threshold, top_k)?;
        Ok(py.allow_threads(|| {
            let names = self.inner.topics();
            let predictions = self.inner.predict_batch(&texts, decision);
            predictions
                .iter()
                .map(|p| {
                    let given = p.topics.iter().map(|&t| names[t].as_str()).collect::<Vec<_>>().join("|");
                    (given, tagger::batch::format_scores(&p.scores, names))
                })
                .unzip()
        }))
    }

    /// The model file's bytes (what `save` writes), for moving a model without a file.
    fn to_bytes(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let mut out = Vec::new();
        py.allow_threads(|| self.inner.write_to(&mut out, "model")).map_err(to_py)?;
        Ok(PyBytes::new(py, &out).unbind())
    }

    /// A model from the bytes of a model file, checked as `load` checks a file.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyModel> {
        let inner = py.allow_threads(|| Model::from_bytes(data, "model bytes")).map_err(to_py)?;
        Ok(PyModel { inner })
    }

    /// How this model differs from `other`, field by field (`tagger::shard::model_differences`):
    /// vocabulary, idf, document counts and settings exactly, feature sums within `rel_tol`.
    /// Empty when they agree.
    #[pyo3(signature = (other, rel_tol=1e-12))]
    fn differences(&self, other: &PyModel, rel_tol: f64) -> Vec<String> {
        tagger::shard::model_differences(&self.inner, &other.inner, rel_tol)
    }

    /// Scores of one text (no thread pool; for loops over single texts).
    fn _scores_one(&self, text: &str) -> Vec<f64> {
        self.inner.predict(text, self.inner.default_decision()).scores
    }

    /// What `tagger inspect --format json` shows (without "model"), as JSON text:
    /// `tagger::info::ModelInfo` with `top` indicative n-grams per topic.
    #[pyo3(signature = (top=10))]
    fn _info(&self, top: usize) -> PyResult<String> {
        serde_json::to_string(&tagger::info::ModelInfo::of(&self.inner, top))
            .map_err(|e| TaggerError::new_err(e.to_string()))
    }

    fn __repr__(&self) -> String {
        format!("tagger.Model(topics={})", self.inner.topics().len())
    }
}

/// Training settings from keyword arguments. A setting left as None keeps `tagger train`'s
/// default (`TrainSettings::default()`), so that Python and the CLI share one set of defaults.
struct Settings {
    kind: Option<String>,
    mode: Option<String>,
    alpha: Option<f64>,
    ngrams: Option<(u8, u8)>,
    min_df: Option<DocFreq>,
    max_df: Option<DocFreq>,
    max_features: Option<usize>,
    sublinear_tf: Option<bool>,
    stem: Option<bool>,
    keep_numbers: Option<bool>,
    stopwords: Option<Vec<String>>,
    threshold: Option<f64>,
}

/// A document-frequency bound as scikit-learn writes it: an int is a count of documents, a
/// float a fraction of them (even 1.0; 2.0 is then refused).
fn doc_freq(value: &Bound<'_, PyAny>, name: &str) -> PyResult<DocFreq> {
    let text = if value.is_instance_of::<pyo3::types::PyBool>() {
        None
    } else if let Ok(n) = value.extract::<i64>() {
        Some(n.to_string())
    } else if let Ok(f) = value.extract::<f64>() {
        Some(if f.fract() == 0.0 { format!("{f:.1}") } else { f.to_string() })
    } else {
        None
    };
    let text = text
        .ok_or_else(|| SettingsError::new_err(format!("{name} must be an int (documents) or a float (a fraction)")))?;
    doc_freq_text(&text, name)
}

/// A document-frequency bound written as the CLI's `--min-df`/`--max-df` take it.
fn doc_freq_text(value: &str, option: &str) -> PyResult<DocFreq> {
    DocFreq::parse(value).map_err(|why| SettingsError::new_err(format!("invalid {option}: {why}")))
}

/// `kind` as Python writes it: the naive Bayes variant.
fn nb_kind(kind: &str) -> PyResult<NbKind> {
    match kind {
        "complement" => Ok(NbKind::Complement),
        "multinomial" => Ok(NbKind::Multinomial),
        "balanced" => Ok(NbKind::Balanced),
        other => {
            Err(SettingsError::new_err(format!("kind {other:?}: expected 'complement', 'multinomial' or 'balanced'")))
        }
    }
}

/// `mode` as Python writes it; "auto" reads it from the data.
fn label_mode(mode: &str) -> PyResult<Option<LabelMode>> {
    match mode {
        "auto" => Ok(None),
        "single" => Ok(Some(LabelMode::Single)),
        "multi" => Ok(Some(LabelMode::Multi)),
        other => Err(SettingsError::new_err(format!("mode {other:?}: expected 'auto', 'single' or 'multi'"))),
    }
}

impl Settings {
    fn build(&self) -> PyResult<TrainSettings> {
        let d = TrainSettings::default();
        let kind = self.kind.as_deref().map(nb_kind).transpose()?.unwrap_or(d.nb.kind());
        let mode = match self.mode.as_deref() {
            Some(m) => label_mode(m)?,
            None => d.nb.mode(),
        };
        let nb =
            NbParams::new().alpha(self.alpha.unwrap_or(d.nb.alpha())).kind(kind).mode(mode).check().map_err(to_py)?;
        let (lo, hi) = self.ngrams.unwrap_or((d.tfidf.ngrams().min, d.tfidf.ngrams().max));
        let min_df = self.min_df.unwrap_or(d.tfidf.min_df());
        let max_df = self.max_df.unwrap_or(d.tfidf.max_df());
        let tfidf = TfidfParams::new()
            .ngrams(lo, hi)
            .min_df(min_df)
            .max_df(max_df)
            .max_features(self.max_features.or(d.tfidf.max_features()))
            .sublinear_tf(self.sublinear_tf.unwrap_or(d.tfidf.sublinear_tf()))
            .smooth_idf(d.tfidf.smooth_idf())
            .check()
            .map_err(to_py)?;
        let tokenizer = TokenizerSettings {
            stem: self.stem.unwrap_or(d.tokenizer.stem),
            drop_numbers: self.keep_numbers.map(|k| !k).unwrap_or(d.tokenizer.drop_numbers),
            stopwords: self.stopwords.clone().unwrap_or(d.tokenizer.stopwords),
            ..d.tokenizer
        };
        let threshold = self.threshold.unwrap_or(d.threshold);
        tagger::model::check_threshold(threshold).map_err(to_py)?;
        Ok(TrainSettings { steps: d.steps, tokenizer, tfidf, nb, threshold })
    }
}

/// Texts and their topics as a corpus: a label is a list of topic names or one `|`-joined
/// string (as in a CSV's `labels` column); an empty one means "about none of the topics".
fn corpus(texts: Vec<String>, labels: &Bound<'_, PyAny>) -> PyResult<LabeledCorpus> {
    let mut rows: Vec<Vec<String>> = Vec::with_capacity(texts.len());
    for (i, item) in labels.try_iter()?.enumerate() {
        let item = item?;
        let topics = if let Ok(s) = item.downcast::<PyString>() {
            parse_labels(&s.to_cow()?).map_err(|why| DataError::new_err(format!("row {i}: {why}")))?
        } else if let Ok(list) = item.extract::<Vec<String>>() {
            list
        } else {
            return Err(DataError::new_err(format!(
                "row {i}: labels must be a str ('a|b') or a list of str, not {}",
                item.get_type().name()?
            )));
        };
        rows.push(topics);
    }
    if rows.len() != texts.len() {
        return Err(DataError::new_err(format!(
            "{} texts but {} labels: give one label per text",
            texts.len(),
            rows.len()
        )));
    }
    LabeledCorpus::from_rows("python", texts.iter().zip(rows)).map_err(to_py)
}

/// Trains a model (`tagger train`), optionally with per-topic thresholds tuned by K-fold
/// cross-validation. Runs without the GIL.
// One argument per keyword of `tagger.train`, as Python passes them.
#[allow(clippy::too_many_arguments)]
#[pyfunction]
#[pyo3(signature = (texts, labels, settings, tune_thresholds=None, seed=None, about=None, source=None))]
fn _train(
    py: Python<'_>,
    texts: Vec<String>,
    labels: &Bound<'_, PyAny>,
    settings: &Bound<'_, PyDict>,
    tune_thresholds: Option<usize>,
    seed: Option<u64>,
    about: Option<String>,
    source: Option<String>,
) -> PyResult<PyModel> {
    let settings = settings_of(settings)?;
    let corpus = corpus(texts, labels)?;
    let trained_at =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let meta = TrainingMeta {
        trained_at,
        about: about.unwrap_or_default(),
        ..TrainingMeta::new(source.unwrap_or_else(|| "python".to_owned()))
    };
    let seed = seed.unwrap_or(tagger::eval::DEFAULT_SEED);
    let inner = py
        .allow_threads(|| tagger::eval::train_tuned(corpus, &settings, meta, tune_thresholds, seed))
        .map_err(to_py)?;
    Ok(PyModel { inner })
}

// Sharded training (tagger::shard): every shard crosses the boundary as the bytes of its file,
// so an engine (Spark) can move, reduce and store it as it moves any binary value.

/// The vocabulary bounds and weighting of `tagger vocab --merge` (its defaults when not given).
fn tfidf_params(
    ngrams: (u8, u8),
    min_df: &str,
    max_df: &str,
    max_features: Option<usize>,
    sublinear_tf: bool,
) -> PyResult<TfidfValidParams> {
    TfidfParams::new()
        .ngrams(ngrams.0, ngrams.1)
        .min_df(doc_freq_text(min_df, "min_df")?)
        .max_df(doc_freq_text(max_df, "max_df")?)
        .max_features(max_features)
        .sublinear_tf(sublinear_tf)
        .check()
        .map_err(to_py)
}

fn bytes_of(py: Python<'_>, write: impl FnOnce(&mut Vec<u8>) -> tagger::Result<()> + Send) -> PyResult<Py<PyBytes>> {
    let out = py
        .allow_threads(|| {
            let mut out = Vec::new();
            write(&mut out).map(|_| out)
        })
        .map_err(to_py)?;
    Ok(PyBytes::new(py, &out).unbind())
}

/// The buffers of a list of `bytes`, borrowed (not copied: a shard can be tens of MB).
fn slices<'a>(list: &'a [Bound<'_, PyBytes>]) -> Vec<&'a [u8]> {
    list.iter().map(|b| b.as_bytes()).collect()
}

fn vocab_shards(list: &[&[u8]]) -> tagger::Result<Vec<VocabShard>> {
    list.iter().enumerate().map(|(i, b)| VocabShard::from_bytes(b, &format!("vocabulary shard {}", i + 1))).collect()
}

/// Round 1 on one partition: the vocabulary shard (bytes) of `texts`, with the text settings of
/// `tagger vocab --partial` (n-grams 1..2, stemming, numbers dropped, the default stopwords).
#[pyfunction]
#[pyo3(signature = (texts, ngrams=(1, 2), stem=true, keep_numbers=false, stopwords=None))]
fn vocab_shard_count(
    py: Python<'_>,
    texts: Vec<String>,
    ngrams: (u8, u8),
    stem: bool,
    keep_numbers: bool,
    stopwords: Option<Vec<String>>,
) -> PyResult<Py<PyBytes>> {
    let text = TextSettings {
        steps: Step::ARABIC_DEFAULT.to_vec(),
        tokenizer: TokenizerSettings {
            stem,
            drop_numbers: !keep_numbers,
            stopwords: stopwords.unwrap_or_else(tagger::text::stopwords::default_words),
            ..TokenizerSettings::default()
        },
        ngrams: NgramRange::new(ngrams.0, ngrams.1).map_err(to_py)?,
    };
    let corpus = LabeledCorpus { texts: texts.iter().collect::<TextStore>(), ..LabeledCorpus::default() };
    bytes_of(py, |out| VocabShard::count(&corpus, text)?.write_to(out, "vocabulary shard"))
}

/// A vocabulary shard cut into `buckets` shards by a stable hash of each n-gram.
#[pyfunction]
fn vocab_shard_split(py: Python<'_>, shard: &[u8], buckets: usize) -> PyResult<Vec<Py<PyBytes>>> {
    let parts = py
        .allow_threads(|| {
            let parts = VocabShard::from_bytes(shard, "vocabulary shard")?.split(buckets)?;
            parts
                .iter()
                .map(|p| {
                    let mut out = Vec::new();
                    p.write_to(&mut out, "vocabulary shard").map(|_| out)
                })
                .collect::<tagger::Result<Vec<_>>>()
        })
        .map_err(to_py)?;
    Ok(parts.into_iter().map(|b| PyBytes::new(py, &b).unbind()).collect())
}

/// The sum of vocabulary shards (documents and per n-gram counts), no bound applied.
#[pyfunction]
fn vocab_shard_sum(py: Python<'_>, shards: Vec<Bound<'_, PyBytes>>) -> PyResult<Py<PyBytes>> {
    let shards = slices(&shards);
    bytes_of(py, |out| VocabShard::sum(&vocab_shards(&shards)?)?.write_to(out, "vocabulary shard"))
}

/// The n-grams of one bucket's sum that pass the bounds (`VocabShard::select`).
#[pyfunction]
#[pyo3(signature = (shard, min_df="2", max_df="1.0", max_features=None, sublinear_tf=true))]
fn vocab_shard_select(
    py: Python<'_>,
    shard: &[u8],
    min_df: &str,
    max_df: &str,
    max_features: Option<usize>,
    sublinear_tf: bool,
) -> PyResult<Py<PyBytes>> {
    bytes_of(py, |out| {
        let shard = VocabShard::from_bytes(shard, "vocabulary shard")?;
        let r = shard.text.ngrams;
        let params = tfidf_params((r.min, r.max), min_df, max_df, max_features, sublinear_tf)
            .map_err(|e| Error::params("settings", e.to_string()))?;
        shard.select(&params)?.write_to(out, "vocabulary shard")
    })
}

/// The merged vocabulary (bytes of a `tagger vocab --merge` file) of selected buckets, or of
/// whole vocabulary shards with `buckets=False` (as `tagger vocab --merge`).
#[pyfunction]
#[pyo3(signature = (shards, min_df="2", max_df="1.0", max_features=None, sublinear_tf=true, buckets=true))]
fn vocab_merge(
    py: Python<'_>,
    shards: Vec<Bound<'_, PyBytes>>,
    min_df: &str,
    max_df: &str,
    max_features: Option<usize>,
    sublinear_tf: bool,
    buckets: bool,
) -> PyResult<Py<PyBytes>> {
    let shards = slices(&shards);
    bytes_of(py, |out| {
        let shards = vocab_shards(&shards)?;
        let r = shards.first().map(|s| s.text.ngrams).unwrap_or(NgramRange { min: 1, max: 2 });
        let params = tfidf_params((r.min, r.max), min_df, max_df, max_features, sublinear_tf)
            .map_err(|e| Error::params("settings", e.to_string()))?;
        let vocab =
            if buckets { VocabShard::merge_buckets(&shards, &params)? } else { VocabShard::merge(&shards, &params)? };
        vocab.write_to(out, "vocabulary")
    })
}

/// Round 2 on one partition: the model shard (bytes) of labeled rows, counted with a merged
/// vocabulary's bytes. `labels` are `tagger train`'s topics fields: names joined by `|`; an
/// empty one trains as a text about none of the topics.
#[pyfunction]
fn model_shard_count(py: Python<'_>, texts: Vec<String>, labels: Vec<String>, vocab: &[u8]) -> PyResult<Py<PyBytes>> {
    if texts.len() != labels.len() {
        return Err(DataError::new_err(format!("{} texts and {} labels", texts.len(), labels.len())));
    }
    bytes_of(py, |out| {
        let vocab = Vocab::from_bytes(vocab, "vocabulary")?;
        // Built here rather than with `LabeledCorpus::from_rows`, which refuses rows that all
        // lack a topic: in a multi-label corpus, a partition of only such rows is legal.
        let names: Vec<Vec<String>> = labels
            .iter()
            .enumerate()
            .map(|(i, l)| parse_labels(l).map_err(|why| Error::training("partition", format!("row {i}: {why}"))))
            .collect::<tagger::Result<_>>()?;
        let topics: Vec<String> =
            names.iter().flatten().cloned().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let index = |n: &String| topics.binary_search(n).expect("collected above") as u32;
        let corpus = LabeledCorpus {
            source: "partition".into(),
            texts: texts.iter().collect::<TextStore>(),
            labels: names.iter().map(|doc| doc.iter().map(index).collect()).collect(),
            unlabeled_lines: (1..=names.len() as u64).filter(|&i| names[i as usize - 1].is_empty()).collect(),
            topics,
            ..LabeledCorpus::default()
        };
        ModelShard::count(&corpus, &vocab)?.write_to(out, "model shard")
    })
}

/// The sum of model shards counted with one vocabulary (`ModelShard::merge`), as bytes.
#[pyfunction]
fn model_shard_merge(py: Python<'_>, shards: Vec<Bound<'_, PyBytes>>) -> PyResult<Py<PyBytes>> {
    let shards = slices(&shards);
    bytes_of(py, |out| {
        let shards = shards
            .iter()
            .enumerate()
            .map(|(i, b)| ModelShard::from_bytes(b, &format!("model shard {}", i + 1)))
            .collect::<tagger::Result<Vec<_>>>()?;
        ModelShard::merge(&shards)?.write_to(out, "model shard")
    })
}

/// The model of a (merged) model shard, with the settings of `tagger train --merge`: its
/// defaults unless given. `trained_at` is seconds since the epoch (the CLI's `SOURCE_DATE_EPOCH`).
#[pyfunction]
#[pyo3(signature = (shard, source, trained_at, alpha=0.1, kind="complement", mode="auto", threshold=0.7, about=""))]
#[allow(clippy::too_many_arguments)]
fn model_from_shard(
    py: Python<'_>,
    shard: &[u8],
    source: String,
    trained_at: u64,
    alpha: f64,
    kind: &str,
    mode: &str,
    threshold: f64,
    about: &str,
) -> PyResult<PyModel> {
    let kind = nb_kind(kind)?;
    let mode = label_mode(mode)?;
    tagger::model::check_threshold(threshold).map_err(to_py)?;
    let nb = NbParams::new().alpha(alpha).kind(kind).mode(mode).check().map_err(to_py)?;
    let about = about.to_owned();
    let inner = py
        .allow_threads(|| {
            let shard = ModelShard::from_bytes(shard, "model shard")?;
            let meta = TrainingMeta { documents: shard.documents, trained_at, about, ..TrainingMeta::new(source) };
            shard.into_model(&nb, threshold, meta)
        })
        .map_err(to_py)?;
    Ok(PyModel { inner })
}

/// Stratified K-fold cross-validation (`tagger train --cv K`): per-fold micro/macro F1 and
/// accuracy (exact match for multi-label), and the thresholds the out-of-fold scores suggest.
#[pyfunction]
#[pyo3(signature = (texts, labels, settings, folds=5, seed=None))]
fn _cross_validate<'py>(
    py: Python<'py>,
    texts: Vec<String>,
    labels: &Bound<'py, PyAny>,
    settings: &Bound<'py, PyDict>,
    folds: usize,
    seed: Option<u64>,
) -> PyResult<Bound<'py, PyDict>> {
    let settings = settings_of(settings)?;
    let corpus = corpus(texts, labels)?;
    let seed = seed.unwrap_or(tagger::eval::DEFAULT_SEED);
    let report = py.allow_threads(|| tagger::eval::cross_validate(&corpus, &settings, folds, seed)).map_err(to_py)?;
    let out = PyDict::new(py);
    out.set_item("folds", report.folds)?;
    out.set_item("micro_f1", report.micro_f1)?;
    out.set_item("macro_f1", report.macro_f1)?;
    out.set_item("accuracy", report.accuracy)?;
    out.set_item("best_threshold", report.best_threshold)?;
    out.set_item("best_threshold_micro_f1", report.best_threshold_micro_f1)?;
    let per_topic = report
        .topic_thresholds
        .map(|t| corpus.topics.iter().cloned().zip(t).collect::<std::collections::BTreeMap<_, _>>());
    out.set_item("topic_thresholds", per_topic)?;
    out.set_item("topic_thresholds_micro_f1", report.topic_thresholds_micro_f1)?;
    Ok(out)
}

/// One setting; unset and None both mean the library's default.
fn get<'py, T: FromPyObject<'py>>(dict: &Bound<'py, PyDict>, key: &str) -> PyResult<Option<T>> {
    match dict.get_item(key)? {
        Some(v) if !v.is_none() => v.extract().map(Some).map_err(|e| SettingsError::new_err(format!("{key}: {e}"))),
        _ => Ok(None),
    }
}

/// The settings dict of the Python layer (keys as `tagger.train`'s keyword arguments).
fn settings_of(dict: &Bound<'_, PyDict>) -> PyResult<TrainSettings> {
    const KNOWN: [&str; 12] = [
        "kind",
        "mode",
        "alpha",
        "ngrams",
        "min_df",
        "max_df",
        "max_features",
        "sublinear_tf",
        "stem",
        "keep_numbers",
        "stopwords",
        "threshold",
    ];
    for key in dict.keys() {
        let key: String = key.extract()?;
        if !KNOWN.contains(&key.as_str()) {
            return Err(SettingsError::new_err(format!("unknown setting {key:?} (settings: {})", KNOWN.join(", "))));
        }
    }
    let settings = Settings {
        kind: get(dict, "kind")?,
        mode: get(dict, "mode")?,
        alpha: get(dict, "alpha")?,
        ngrams: get(dict, "ngrams")?,
        min_df: dict.get_item("min_df")?.filter(|v| !v.is_none()).map(|v| doc_freq(&v, "min_df")).transpose()?,
        max_df: dict.get_item("max_df")?.filter(|v| !v.is_none()).map(|v| doc_freq(&v, "max_df")).transpose()?,
        max_features: get(dict, "max_features")?,
        sublinear_tf: get(dict, "sublinear_tf")?,
        stem: get(dict, "stem")?,
        keep_numbers: get(dict, "keep_numbers")?,
        stopwords: get(dict, "stopwords")?,
        threshold: get(dict, "threshold")?,
    };
    settings.build()
}

#[pymodule]
fn _tagger(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()?;
    m.add_function(wrap_pyfunction!(_train, m)?)?;
    m.add_function(wrap_pyfunction!(_cross_validate, m)?)?;
    m.add_function(wrap_pyfunction!(vocab_shard_count, m)?)?;
    m.add_function(wrap_pyfunction!(vocab_shard_split, m)?)?;
    m.add_function(wrap_pyfunction!(vocab_shard_sum, m)?)?;
    m.add_function(wrap_pyfunction!(vocab_shard_select, m)?)?;
    m.add_function(wrap_pyfunction!(vocab_merge, m)?)?;
    m.add_function(wrap_pyfunction!(model_shard_count, m)?)?;
    m.add_function(wrap_pyfunction!(model_shard_merge, m)?)?;
    m.add_function(wrap_pyfunction!(model_from_shard, m)?)?;
    m.add("TaggerError", m.py().get_type::<TaggerError>())?;
    m.add("DataError", m.py().get_type::<DataError>())?;
    m.add("ModelFileError", m.py().get_type::<ModelFileError>())?;
    m.add("SettingsError", m.py().get_type::<SettingsError>())?;
    Ok(())
}
