"""Training from Python: tagger.train, tagger.cross_validate and the scikit-learn estimator, on
the project's own labeled texts (data/labels.csv), against the CLI on the same data."""

import csv
import subprocess
from pathlib import Path

import numpy as np
import pytest

import tagger
from test_model import ROOT, cli

LABELS = ROOT / "data" / "labels.csv"


def corpus():
    with open(LABELS, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return [r["text"] for r in rows], [r["labels"] for r in rows]


def test_train_in_python_predicts_as_the_cli_trained_model(tmp_path):
    texts, labels = corpus()
    model = tagger.train(texts, labels, alpha=0.03, min_df=3)
    cli_path = tmp_path / "cli.bin"
    subprocess.run([cli(), "train", str(LABELS), "-o", str(cli_path), "-q", "--alpha", "0.03", "--min-df", "3"],
                   check=True)
    again = tagger.Model.load(cli_path)
    assert model.topics == again.topics
    np.testing.assert_allclose(model.predict_proba(texts[:50]), again.predict_proba(texts[:50]), rtol=0, atol=1e-9)


def test_model_trained_in_python_is_read_by_the_cli(tmp_path):
    texts, labels = corpus()
    path = tmp_path / "py.bin"
    tagger.train(texts, [l.split("|") for l in labels]).save(path)
    out = subprocess.run([cli(), "eval", str(LABELS), "--model", str(path), "--format", "json"],
                         check=True, capture_output=True, text=True).stdout
    assert '"documents": 738' in out


def test_settings_defaults_and_errors():
    texts, labels = corpus()
    with pytest.raises(tagger.SettingsError, match="unknown setting 'alhpa'"):
        tagger.train(texts, labels, alhpa=0.1)
    with pytest.raises(tagger.SettingsError, match="kind"):
        tagger.train(texts, labels, kind="svm")
    with pytest.raises(tagger.SettingsError, match="alpha"):
        tagger.train(texts, labels, alpha=0.0)
    with pytest.raises(tagger.DataError, match="738 texts but 2 labels"):
        tagger.train(texts, labels[:2])
    with pytest.raises(tagger.DataError, match="row 1"):
        tagger.train(["نص", "نص آخر"], ["sports", 5])


def test_tuned_thresholds_and_cross_validate():
    texts, labels = corpus()
    tuned = tagger.train(texts, labels, tune_thresholds=3, alpha=0.03)
    plain = tagger.train(texts, labels, alpha=0.03)
    assert tuned.thresholds != plain.thresholds
    report = tagger.cross_validate(texts, labels, folds=3, alpha=0.03)
    assert report["folds"] == 3 and len(report["micro_f1"]) == 3
    assert min(report["micro_f1"]) > 0.7
    # The thresholds the report suggests are the ones tune_thresholds stores.
    assert [round(report["topic_thresholds"][t], 6) for t in tuned.topics] == [round(x, 6) for x in tuned.thresholds]


def test_estimator_in_cross_val_score_and_grid_search():
    sklearn = pytest.importorskip("sklearn")
    from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
    from sklearn.preprocessing import MultiLabelBinarizer
    from tagger.sklearn import TaggerClassifier

    texts, labels = corpus()
    y = MultiLabelBinarizer().fit_transform([l.split("|") if l else [] for l in labels])
    # data/labels.csv is grouped by topic: folds must be shuffled.
    folds = KFold(3, shuffle=True, random_state=0)
    scores = cross_val_score(TaggerClassifier(alpha=0.03), texts, y, cv=folds, scoring="f1_micro")
    assert scores.min() > 0.7
    grid = GridSearchCV(TaggerClassifier(), {"alpha": [0.03, 0.3]}, cv=folds, scoring="f1_micro").fit(texts, y)
    assert grid.best_params_["alpha"] in (0.03, 0.3)
    # Single-label: a 1-d y of section names.
    single = [l.split("|")[0] for l in labels if l]
    stexts = [t for t, l in zip(texts, labels) if l]
    clf = TaggerClassifier().fit(stexts, single)
    assert set(clf.predict(stexts[:20])) <= set(clf.classes_)
    proba = clf.predict_proba(stexts[:20])
    assert np.allclose(proba.sum(axis=1), 1.0)
    assert (clf.classes_[proba.argmax(axis=1)] == clf.predict(stexts[:20])).all()


def test_estimator_api_checks():
    pytest.importorskip("sklearn")
    from sklearn.base import clone
    from sklearn.utils import estimator_checks as ec
    from tagger.sklearn import TaggerClassifier

    # check_estimator feeds numeric matrices; a text classifier declares string input and is
    # skipped there, so the checks that do not need numeric X run one by one.
    for check in (ec.check_parameters_default_constructible, ec.check_no_attributes_set_in_init,
                  ec.check_get_params_invariance, ec.check_set_params, ec.check_estimator_repr,
                  ec.check_estimator_cloneable, ec.check_valid_tag_types):
        check("TaggerClassifier", TaggerClassifier(alpha=0.03))
    assert clone(TaggerClassifier(alpha=0.5)).get_params()["alpha"] == 0.5
