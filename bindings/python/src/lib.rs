//! Python bindings: a thin layer over the tagger library's public API. No logic lives here;
//! every prediction goes through `Model::predict_batch` / `Model::scores_into`, so Python sees
//! exactly what the CLI prints.

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use tagger::{Decision, Error, Model};

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

    /// Scores of one text (no thread pool; for loops over single texts).
    fn _scores_one(&self, text: &str) -> Vec<f64> {
        self.inner.predict(text, self.inner.default_decision()).scores
    }

    fn __repr__(&self) -> String {
        format!("tagger.Model(topics={})", self.inner.topics().len())
    }
}

#[pymodule]
fn _tagger(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyModel>()?;
    m.add("TaggerError", m.py().get_type::<TaggerError>())?;
    m.add("DataError", m.py().get_type::<DataError>())?;
    m.add("ModelFileError", m.py().get_type::<ModelFileError>())?;
    m.add("SettingsError", m.py().get_type::<SettingsError>())?;
    Ok(())
}
