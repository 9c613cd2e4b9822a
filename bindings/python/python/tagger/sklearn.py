"""tagger as a scikit-learn estimator: TaggerClassifier drops into Pipeline, cross_val_score and
GridSearchCV. X is a sequence of texts (one document per item); y is a 1-d array of labels
(single-label) or a 2-d 0/1 indicator matrix, as MultiLabelBinarizer makes (multi-label).

>>> from tagger.sklearn import TaggerClassifier
>>> clf = TaggerClassifier(alpha=0.03).fit(texts, y)
>>> clf.predict(["..."])
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import check_is_fitted

from . import DataError, _texts, train

__all__ = ["TaggerClassifier"]


class TaggerClassifier(ClassifierMixin, BaseEstimator):
    """tagger's pipeline (normalizer, tokenizer, TF-IDF, naive Bayes) as a classifier.

    Every parameter left as None takes `tagger train`'s default from the library (see
    tagger.train for their meaning). With a 2-d indicator y the model is multi-label: predict
    gives a 0/1 matrix from each topic's threshold, predict_proba each topic's probability
    (n_samples x n_classes, as OneVsRestClassifier). With a 1-d y, predict gives the most
    probable class and predict_proba sums to 1 over classes_.

    A text with no word the model knows has no topic: in multi-label predict it is a row of 0,
    in single-label predict the first class, and in predict_proba a row of NaN (tagger does not
    guess; mask it with np.isnan).
    """

    def __init__(self, kind=None, mode=None, alpha=None, ngrams=None, min_df=None, max_df=None,
                 max_features=None, sublinear_tf=None, stem=None, keep_numbers=None,
                 stopwords=None, threshold=None, tune_thresholds=None, seed=None):
        self.kind = kind
        self.mode = mode
        self.alpha = alpha
        self.ngrams = ngrams
        self.min_df = min_df
        self.max_df = max_df
        self.max_features = max_features
        self.sublinear_tf = sublinear_tf
        self.stem = stem
        self.keep_numbers = keep_numbers
        self.stopwords = stopwords
        self.threshold = threshold
        self.tune_thresholds = tune_thresholds
        self.seed = seed

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Texts, not a numeric matrix: scikit-learn's numeric input checks do not apply.
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.target_tags.required = True
        tags.classifier_tags.multi_label = True
        return tags

    def _settings(self) -> dict:
        names = ("kind", "mode", "alpha", "ngrams", "min_df", "max_df", "max_features",
                 "sublinear_tf", "stem", "keep_numbers", "stopwords", "threshold")
        return {n: getattr(self, n) for n in names if getattr(self, n) is not None}

    def fit(self, X, y):
        texts = _texts(X)
        y = np.asarray(y)
        if y.shape[0] != len(texts):
            raise DataError(f"{len(texts)} texts but {y.shape[0]} labels: give one label per text")
        kind = type_of_target(y)
        settings = self._settings()
        if kind == "multilabel-indicator":
            self.multilabel_ = True
            self.classes_ = np.arange(y.shape[1])
            labels = [[str(j) for j in np.flatnonzero(row)] for row in y]
            settings.setdefault("mode", "multi")
        elif kind in ("binary", "multiclass"):
            self.multilabel_ = False
            self.classes_ = np.unique(y)
            index = {c: str(i) for i, c in enumerate(self.classes_)}
            labels = [[index[c]] for c in y]
            settings.setdefault("mode", "single")
        else:
            raise ValueError(f"Unknown label type: {kind!r}; y must be a 1-d array of labels or a "
                             "2-d 0/1 indicator matrix")
        self.model_ = train(texts, labels, tune_thresholds=self.tune_thresholds, seed=self.seed, **settings)
        # The model names topics by class position; its columns follow those names.
        self._columns = [int(t) for t in self.model_.topics]
        return self

    def predict_proba(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        raw = self.model_.predict_proba(_texts(X))
        out = np.zeros((raw.shape[0], len(self.classes_)))
        out[:, self._columns] = raw
        out[np.isnan(raw).any(axis=1)] = np.nan
        return out

    def predict(self, X) -> np.ndarray:
        check_is_fitted(self, "model_")
        texts = _texts(X)
        if self.multilabel_:
            out = np.zeros((len(texts), len(self.classes_)), dtype=int)
            for i, p in enumerate(self.model_.predict(texts)):
                out[i, [int(t) for t in p.topics]] = 1
            return out
        proba = self.predict_proba(texts)
        best = np.where(np.isnan(proba).any(axis=1), 0, np.nanargmax(np.nan_to_num(proba, nan=-1.0), axis=1))
        return self.classes_[best]
