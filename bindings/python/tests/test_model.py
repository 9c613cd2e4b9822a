"""The package against the CLI on the same model: same scores, same label columns, same errors."""

import csv
import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import tagger

ROOT = Path(__file__).resolve().parents[3]
SAMPLES = ROOT / "data" / "samples"


def cli():
    """The tagger binary: TAGGER_BIN, else the release build at the root, else PATH."""
    for candidate in (os.environ.get("TAGGER_BIN"),
                      os.path.join(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"), "release", "tagger"),
                      shutil.which("tagger")):
        if candidate and os.path.isfile(candidate):
            return str(candidate)
    pytest.skip("no tagger binary: set TAGGER_BIN or run cargo build --release at the root")


def sample_texts():
    files = sorted(SAMPLES.glob("*.txt"))
    assert files, f"no samples in {SAMPLES}"
    return files, [f.read_text(encoding="utf-8") for f in files]


def test_default_model_has_topics():
    model = tagger.Model.default()
    assert model.topics == sorted(model.topics)
    assert len(model.thresholds) == len(model.topics)


def test_predict_proba_equals_cli_json():
    files, texts = sample_texts()
    model = tagger.Model.default()
    out = subprocess.run([cli(), "predict", "--format", "json", "--digits", "17", *map(str, files)],
                         check=True, capture_output=True, text=True).stdout
    rows = [json.loads(line) for line in out.splitlines() if line.strip()]
    proba = model.predict_proba(texts)
    preds = model.predict(texts)
    assert proba.shape == (len(texts), len(model.topics))
    for i, row in enumerate(rows):
        if not row["scores"]:
            assert np.isnan(proba[i]).all() and preds[i].topics == []
            continue
        # --digits 17: the CLI writes every score at full precision.
        for j, name in enumerate(model.topics):
            assert abs(proba[i, j] - row["scores"][name]) <= 1e-9
        assert preds[i].topics == row["topics"]


def test_label_frame_equals_cli_label(tmp_path):
    pd = pytest.importorskip("pandas")
    _, texts = sample_texts()
    src = tmp_path / "in.csv"
    pd.DataFrame({"id": range(len(texts)), "text": texts}).to_csv(src, index=False)
    out = subprocess.run([cli(), "label", "-q", str(src)], check=True, capture_output=True, text=True).stdout
    expected = list(csv.DictReader(out.splitlines(keepends=True)))
    framed = tagger.Model.default().label_frame(pd.read_csv(src))
    assert list(framed.columns) == ["id", "text", "topics", "scores"]
    assert framed["topics"].fillna("").tolist() == [r["topics"] for r in expected]
    assert framed["scores"].fillna("").tolist() == [r["scores"] for r in expected]


def test_save_load_roundtrip(tmp_path):
    model = tagger.Model.default()
    path = tmp_path / "m.bin"
    model.save(path)
    again = tagger.Model.load(path)
    _, texts = sample_texts()
    np.testing.assert_array_equal(model.predict_proba(texts), again.predict_proba(texts))


def test_errors(tmp_path):
    bad = tmp_path / "bad.bin"
    bad.write_bytes(b"not a model")
    with pytest.raises(tagger.ModelFileError, match="bad.bin"):
        tagger.Model.load(bad)
    model = tagger.Model.default()
    with pytest.raises(tagger.SettingsError):
        model.predict(["x"], threshold=1.5)
    with pytest.raises(tagger.DataError, match="row 1"):
        model.predict(["نص", None])
    assert issubclass(tagger.DataError, tagger.TaggerError)


def test_info_is_what_inspect_shows():
    shown = json.loads(subprocess.run([cli(), "inspect", "--format", "json", "--top", "5"],
                                      check=True, capture_output=True, text=True).stdout)
    info = tagger.Model.default().info(top=5)
    assert shown.pop("model") == "<embedded default model>"
    assert info == shown
    assert "CC BY 4.0" in info["about"]
