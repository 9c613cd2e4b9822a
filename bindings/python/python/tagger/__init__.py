"""tagger: topics for Arabic news text, from Python.

A thin layer over the tagger Rust library: every score comes from the same code the CLI runs,
and batch calls release the GIL and run on the library's thread pool.

>>> import tagger
>>> model = tagger.Model.default()
>>> model.predict(["..."])[0].topics
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Iterable, Optional, Sequence

import numpy as np

from ._tagger import DataError, ModelFileError, SettingsError, TaggerError
from ._tagger import Model as _RustModel
from ._tagger import _cross_validate, _train

__all__ = [
    "Model", "Prediction", "train", "cross_validate",
    "TaggerError", "DataError", "ModelFileError", "SettingsError",
]

# The training settings tagger.train, tagger.cross_validate and sklearn.TaggerClassifier take.
# None means `tagger train`'s default, which the library supplies (`tagger train --help`
# lists them), so that Python and the CLI cannot drift apart.
SETTINGS = ("kind", "mode", "alpha", "ngrams", "min_df", "max_df", "max_features",
            "sublinear_tf", "stem", "keep_numbers", "stopwords", "threshold")


@dataclass(frozen=True)
class Prediction:
    """Topics given to one text (most probable first) and the probability of every topic.

    Both are empty when the text has no word the model knows: tagger does not guess.
    """

    topics: list
    scores: dict


def _texts(texts) -> list:
    """Texts as a list of str; a non-string names its index, like a bad CSV row names its line."""
    if isinstance(texts, str):
        raise TypeError("texts must be a sequence of str, not one str; wrap it in a list")
    out = list(texts)
    for i, t in enumerate(out):
        if not isinstance(t, str):
            raise DataError(f"row {i}: text is {type(t).__name__}, not str")
    return out


def _labels(labels) -> list:
    """Labels as a list: each a list of topic names or one '|'-joined str."""
    if isinstance(labels, str):
        raise TypeError("labels must be a sequence (one label per text), not one str")
    return list(labels)


def train(texts: Iterable[str], labels, *, tune_thresholds: Optional[int] = None,
          seed: Optional[int] = None, about: Optional[str] = None, **settings) -> "Model":
    """Trains a model, like `tagger train`.

    labels: one per text, each a list of topic names or a '|'-joined str ("syria|diplomacy");
    an empty one trains the text as about none of the topics. Settings (keyword arguments,
    each defaulting to `tagger train`'s): kind ("complement", "multinomial", "balanced"),
    mode ("auto", "single", "multi"), alpha, ngrams ((1, 2)), min_df and max_df (an int is a
    count of documents, a float a fraction), max_features, sublinear_tf, stem, keep_numbers,
    stopwords (a list of words), threshold. tune_thresholds=K chooses each topic's threshold
    by K-fold cross-validation and stores them, as `--tune-thresholds K`.
    """
    return Model(_train(_texts(texts), _labels(labels), _settings(settings), tune_thresholds, seed, about))


def cross_validate(texts: Iterable[str], labels, folds: int = 5, *, seed: Optional[int] = None,
                   **settings) -> dict:
    """Stratified K-fold cross-validation, like `tagger train --cv K`.

    Returns a dict: folds; micro_f1, macro_f1 and accuracy (exact match for multi-label), one
    value per fold; best_threshold and best_threshold_micro_f1 (multi-label); topic_thresholds
    ({topic: threshold}) and topic_thresholds_micro_f1 (multi-label). Settings as for train.
    """
    return _cross_validate(_texts(texts), _labels(labels), _settings(settings), folds, seed)


def _settings(settings: dict) -> dict:
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise SettingsError(f"unknown setting {unknown[0]!r} (settings: {', '.join(SETTINGS)})")
    return settings


class Model:
    """A trained tagger model. Get one with Model.default(), Model.load(path) or tagger.train."""

    __slots__ = ("_inner",)

    def __init__(self, inner: _RustModel):
        self._inner = inner

    @classmethod
    def default(cls) -> "Model":
        """The model embedded in tagger (SANAD-Khaleej, ASND and the project's texts)."""
        return cls(_RustModel.default())

    @classmethod
    def load(cls, path) -> "Model":
        """Loads a model file written by `tagger train` or Model.save."""
        return cls(_RustModel.load(str(path)))

    def save(self, path) -> None:
        """Writes the model atomically: a failed write never leaves a partial file at path."""
        self._inner.save(str(path))

    @classmethod
    def from_bytes(cls, data) -> "Model":
        """A model from the bytes of a model file, checked as load checks a file."""
        return cls(_RustModel.from_bytes(bytes(data)))

    def to_bytes(self) -> bytes:
        """The bytes save writes, for moving a model without a file (through Spark, a store)."""
        return self._inner.to_bytes()

    def differences(self, other: "Model", rel_tol: float = 1e-12) -> list:
        """How this model differs from other, field by field; empty when they agree.

        Topics, text settings, vocabulary, idf, document counts, naive Bayes settings,
        thresholds and training date must be equal; feature sums within rel_tol relative.
        The training source (a file name, or "N merged shards") is not compared.
        """
        return self._inner.differences(other._inner, rel_tol)

    @property
    def topics(self) -> list:
        """Topic names, in the order of predict_proba's columns."""
        return self._inner.topics

    def info(self, top: int = 10) -> dict:
        """What `tagger inspect --format json` shows: sources and licenses (about), training
        date, settings, sizes, and per topic its documents, threshold and `top` indicative n-grams."""
        if top < 0:
            raise SettingsError(f"top must be 0 or more, not {top}")
        return json.loads(self._inner._info(top))

    @property
    def thresholds(self) -> list:
        """Each topic's own threshold, as stored in the model."""
        return self._inner.thresholds

    def predict(self, texts: Iterable[str], threshold: Optional[float] = None,
                top_k: Optional[int] = None) -> list:
        """Topics and scores of each text, like `tagger predict`.

        threshold: one probability for every topic (default: each topic's own).
        top_k: at most this many topics (default: no limit).
        """
        if top_k is not None and top_k < 0:
            raise SettingsError(f"top_k must be 0 or more, not {top_k}")
        names = self._inner.topics
        out = []
        for idx, scores in self._inner._predict(_texts(texts), threshold, top_k):
            out.append(Prediction(
                topics=[names[i] for i in idx],
                scores={names[j]: s for j, s in enumerate(scores)},
            ))
        return out

    def predict_proba(self, texts: Iterable[str]) -> np.ndarray:
        """Probabilities, documents x topics (float64). A text with no known word is a row of NaN."""
        texts = _texts(texts)
        n = len(self._inner.topics)
        raw = self._inner._scores(texts)
        return np.frombuffer(raw, dtype="<f8").reshape(len(texts), n).copy()

    def label_frame(self, df, text_column="text", threshold: Optional[float] = None,
                    top_k: Optional[int] = None, wide: bool = False):
        """A copy of a pandas DataFrame with `topics` and `scores` columns added, in row order.

        Like `tagger label`: topics joined by '|', scores as 'topic:probability' pairs, most
        probable first, joined by '|'. wide=True adds one p_<topic> column per topic instead
        of `scores`. text_column may be a list of columns, joined with a line break.
        """
        cols = [text_column] if isinstance(text_column, (str, int)) else list(text_column)
        for c in cols:
            if c not in df.columns:
                raise DataError(f"no column {c!r} in the frame (columns: {', '.join(map(str, df.columns))})")
        if len(cols) == 1:
            series = df[cols[0]]
        else:
            series = df[cols[0]].astype(str)
            for c in cols[1:]:
                series = series + "\n" + df[c].astype(str)
        texts = series.tolist()
        for i, t in enumerate(texts):
            if not isinstance(t, str):
                raise DataError(f"row {i} (index {df.index[i]!r}): column {cols[0]!r} is "
                                f"{type(t).__name__}, not str")
        out = df.copy()
        topics, scores = self._inner._label_columns(texts, threshold, top_k)
        out["topics"] = topics
        if wide:
            proba = self.predict_proba(texts)
            for j, name in enumerate(self._inner.topics):
                out[f"p_{name}"] = proba[:, j]
        else:
            out["scores"] = scores
        return out

    def __repr__(self) -> str:
        return f"tagger.Model(topics={self.topics!r})"
