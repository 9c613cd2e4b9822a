"""tagger.spark in Spark's local mode against the CLI: the same model, the same labels.

Needs pyspark, pyarrow and Java 17; skipped without them. About a minute on this 2-core machine,
most of it starting the JVM.
"""

import csv
import json
import os
import subprocess
import sys

import pytest

import tagger
from test_model import ROOT, cli, sample_texts

pyspark = pytest.importorskip("pyspark")
pytest.importorskip("pyarrow")

from tagger import spark as tspark  # noqa: E402


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (SparkSession.builder.master("local[2]").appName("tagger-test")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "3").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def labeled_rows():
    csv.field_size_limit(sys.maxsize)
    with open(ROOT / "data" / "labels.csv", encoding="utf-8", newline="") as f:
        return [(r["text"], r["labels"]) for r in csv.DictReader(f)]


def test_train_through_spark_equals_tagger_train(spark, tmp_path):
    epoch = "1763856000"
    reference = tmp_path / "one.bin"
    subprocess.run([cli(), "train", str(ROOT / "data" / "labels.csv"), "-o", str(reference), "--quiet"],
                   check=True, env=dict(os.environ, SOURCE_DATE_EPOCH=epoch))
    df = spark.createDataFrame(labeled_rows(), "text string, labels string").repartition(4)
    stages = []
    model = tspark.train(df, buckets=3, trained_at=int(epoch), on_stage=lambda *s: stages.append(s))
    assert model.differences(tagger.Model.load(reference)) == []
    assert [s[0].split(":")[0] for s in stages] == ["round 1", "round 2"]
    # A model that differs is named as differing.
    assert "vocabularies differ" in model.differences(tagger.Model.default())


def test_label_gives_typed_columns_equal_to_the_cli(spark, tmp_path):
    files, texts = sample_texts()
    texts = texts + ["", None]
    df = spark.createDataFrame([(i, t) for i, t in enumerate(texts)], "id long, text string").repartition(2)
    out = tmp_path / "labels.parquet"
    tspark.label(df).write.parquet(out.as_uri())
    back = spark.read.parquet(out.as_uri())
    assert back.schema.simpleString() == "struct<id:bigint,text:string,topics:array<string>,scores:map<string,double>>"
    rows = {r["id"]: r for r in back.collect()}
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows((i, t or "") for i, t in enumerate(texts))
    res = subprocess.run([cli(), "label", str(src), "--format", "jsonl", "-q"], check=True, capture_output=True, text=True)
    expected = [json.loads(line) for line in res.stdout.splitlines()]
    model = tagger.Model.default()
    for i, e in enumerate(expected):
        got = rows[i]
        assert list(got["topics"]) == e["topics"]
        assert {k: float(f"{v:.4f}") for k, v in got["scores"].items()} == e["scores"]
        assert dict(got["scores"]) == model.predict([texts[i] or ""])[0].scores
    assert rows[len(texts) - 1]["topics"] == [] and rows[len(texts) - 1]["scores"] == {}
    strings = {r["id"]: r for r in tspark.label(df, as_strings=True).collect()}
    res = subprocess.run([cli(), "label", str(src), "-q"], check=True, capture_output=True, text=True)
    for r in csv.DictReader(res.stdout.splitlines(keepends=True)):
        assert (strings[int(r["id"])]["topics"], strings[int(r["id"])]["scores"]) == (r["topics"], r["scores"])


def test_label_refuses_what_it_cannot_label(spark):
    df = spark.createDataFrame([(1, "x")], "id long, body string")
    with pytest.raises(tagger.DataError, match="no column 'text'"):
        tspark.label(df)
    with pytest.raises(tagger.DataError, match="not string"):
        tspark.label(df, text_col="id")
    labeled = tspark.label(df, text_col="body")
    with pytest.raises(tagger.DataError, match="labeled before"):
        tspark.label(labeled, text_col="body")
    with pytest.raises(tagger.DataError, match="no such model file"):
        tspark.label(df, text_col="body", model="/nonexistent/model.bin")


def test_command_line_labels_and_trains(spark, tmp_path):
    """`python -m tagger.spark label|train`, run in this process (the session is reused)."""
    _, texts = sample_texts()
    src = tmp_path / "in.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "text"])
        w.writerows(enumerate(texts))
    out = tmp_path / "out.parquet"
    assert tspark.main(["label", str(src), out.as_uri()]) == 0
    back = {r["id"]: r for r in spark.read.parquet(out.as_uri()).collect()}
    model = tagger.Model.default()
    assert len(back) == len(texts)
    for i, t in enumerate(texts):
        p = model.predict([t])[0]
        assert (list(back[str(i)]["topics"]), dict(back[str(i)]["scores"])) == (p.topics, p.scores)
    # An existing output is never replaced without --overwrite; CSV output has the CLI's columns.
    assert tspark.main(["label", str(src), out.as_uri()]) == 1
    csv_out = tmp_path / "out.csv"
    assert tspark.main(["label", str(src), str(csv_out)]) == 0
    rows = [r for part in sorted(csv_out.glob("part-*.csv"))
            for r in csv.DictReader(open(part, encoding="utf-8", newline=""))]
    res = subprocess.run([cli(), "label", str(src), "-q"], check=True, capture_output=True, text=True)
    expected = {r["id"]: (r["topics"], r["scores"]) for r in csv.DictReader(res.stdout.splitlines(keepends=True))}
    assert {r["id"]: (r["topics"], r["scores"]) for r in rows} == expected

    model_path = tmp_path / "spark.bin"
    epoch = "1763856000"
    os.environ["SOURCE_DATE_EPOCH"] = epoch
    try:
        # A URI goes through Hadoop's FileSystem (a temporary name, then a rename).
        assert tspark.main(["train", str(ROOT / "data" / "labels.csv"), "-o", model_path.as_uri(),
                            "--partitions", "3"]) == 0
    finally:
        del os.environ["SOURCE_DATE_EPOCH"]
    reference = tmp_path / "one.bin"
    subprocess.run([cli(), "train", str(ROOT / "data" / "labels.csv"), "-o", str(reference), "--quiet"],
                   check=True, env=dict(os.environ, SOURCE_DATE_EPOCH=epoch))
    assert tagger.Model.load(model_path).differences(tagger.Model.load(reference)) == []
    assert [p.name for p in tmp_path.glob(".tagger-*")] == []
    for dest in (str(model_path), model_path.as_uri()):
        assert tspark.main(["train", str(ROOT / "data" / "labels.csv"), "-o", dest]) == 1
    assert tspark.main(["train", str(ROOT / "data" / "labels.csv"), "-o", str(tmp_path / "local.bin"),
                        "--max-features", "500", "--overwrite"]) == 0
    assert tagger.Model.load(tmp_path / "local.bin").info()["features"] <= 500
    assert tspark.main(["train", str(src), "-o", str(tmp_path / "x.bin")]) == 1  # no labels column


def test_command_line_runs_as_a_process(tmp_path):
    """The entry spark-submit runs: this module's file, options before the command."""
    src = tmp_path / "in.csv"
    src.write_text("id,text\n1,سجل اللاعب هدفا في المباراة النهائية للدوري\n", encoding="utf-8")
    out = tmp_path / "out.json"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable)
    res = subprocess.run([sys.executable, tspark.__file__, "--master", "local[1]", "--conf", "spark.ui.enabled=false",
                          "label", str(src), str(out)], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for part in out.glob("part-*.json") for line in part.read_text().splitlines()]
    assert [r["topics"] for r in rows] == [["sports"]]
    res = subprocess.run([sys.executable, "-m", "tagger.spark", "label", str(src)], capture_output=True, text=True)
    assert res.returncode == 2 and "required: output" in res.stderr
