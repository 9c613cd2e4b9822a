"""tagger on Apache Spark: label DataFrames and train models through Spark.

    from tagger import spark as tspark
    df = spark.read.parquet("hdfs:///news/2026-12/")
    labeled = tspark.label(df, text_col="text", model="hdfs:///models/model.bin")
    labeled.write.parquet("hdfs:///news/2026-12-labeled/")     # topics array<string>, scores map<string,double>

    model = tspark.train(spark.read.csv("s3a://bucket/train.csv", header=True, multiLine=True, escape='"'))
    model.save("model.bin")

Nothing here collects rows to the driver. Labeling runs `mapInArrow` over Arrow batches on the
executors, one model per executor Python worker (loaded once, kept in a module global, so a
reused worker does not load it again). Training is tagger's exact sharded training
(`tagger::shard`) with every shard moving through Spark as the bytes of its file: round 1 counts
n-grams per partition and reduces them by key (a stable hash bucket of the n-gram), so no process
holds every distinct n-gram; round 2 counts sparse per-topic sums per partition and merges them
in a tree of reduce stages on the executors, so the driver receives one model.

Needs pyspark and pyarrow where it runs (driver and executors) and this package on the
executors: ship an environment with `spark-submit --archives env.tar.gz#env` and
`spark.pyspark.python=./env/bin/python` (scripts/spark/README.md).
"""

from __future__ import annotations

import math
import os
import tempfile
import time
import uuid
from typing import Callable, Optional

from . import DataError, Model, SettingsError
from . import _tagger

__all__ = ["label", "train", "ship_model"]

# Models loaded in this Python worker, by where they came from: a worker that Spark reuses for
# the next task (spark.python.worker.reuse, the default) labels with the model it has.
_MODELS: dict = {}


def _worker_model(ref) -> Model:
    model = _MODELS.get(ref)
    if model is None:
        kind, value = ref
        if kind == "default":
            model = Model.default()
        elif kind == "sparkfile":
            from pyspark import SparkFiles

            model = Model.load(SparkFiles.get(value))
        else:
            model = Model.load(value)
        _MODELS[ref] = model
    return model


def ship_model(spark, model=None, shipped: bool = False):
    """Where executors find `model`, as a small picklable reference.

    None: the embedded default model. A tagger.Model: saved to a temporary file and shipped
    with SparkContext.addFile. A str: a path or any Hadoop URI (file:, hdfs:, s3a:, ...),
    shipped with SparkContext.addFile, which fetches it on each executor once; with
    shipped=True, the name of a file already shipped with spark-submit --files (found with
    SparkFiles.get).
    """
    if model is None:
        return ("default", "")
    if shipped:
        if not isinstance(model, str):
            raise SettingsError("shipped=True needs the file name given to spark-submit --files")
        return ("sparkfile", os.path.basename(model))
    if isinstance(model, Model):
        folder = tempfile.mkdtemp(prefix="tagger-model-")
        path = os.path.join(folder, f"model-{uuid.uuid4().hex}.bin")
        model.save(path)
        model = path
    if not isinstance(model, (str, os.PathLike)):
        raise SettingsError(f"model must be None, a tagger.Model, a path or a URI, not {type(model).__name__}")
    model = os.fspath(model)
    if "://" not in model and not model.startswith("file:"):
        if not os.path.isfile(model):
            raise DataError(f"{model}: no such model file")
        model = os.path.abspath(model)
    spark.sparkContext.addFile(model)
    return ("sparkfile", os.path.basename(model.rstrip("/")))


def label(df, text_col: str = "text", model=None, threshold: Optional[float] = None,
          top_k: Optional[int] = None, shipped: bool = False, as_strings: bool = False,
          topics_col: str = "topics", scores_col: str = "scores"):
    """`df` with two columns added, computed on the executors, in the same partitions and order.

    topics: array<string>, the topics given (most probable first); scores: map<string,double>,
    every topic's probability at full precision. Both empty when the text has no word the model
    knows (a null text is read as an empty one, as `tagger label` reads an empty field).
    as_strings=True gives `tagger label`'s CSV columns instead (topics joined by '|', scores as
    'topic:0.1234' pairs, most probable first), formatted by the same library function.

    model: see ship_model. threshold, top_k: as `tagger label --threshold/--top-k`.
    """
    from pyspark.sql.types import ArrayType, DoubleType, MapType, StringType, StructField, StructType

    if text_col not in df.columns:
        raise DataError(f"no column {text_col!r} in the DataFrame (columns: {', '.join(df.columns)})")
    if not isinstance(df.schema[text_col].dataType, StringType):
        raise DataError(f"column {text_col!r} is {df.schema[text_col].dataType.simpleString()}, not string")
    for c in (topics_col, scores_col):
        if c in df.columns:
            raise DataError(f"the DataFrame already has a {c!r} column (labeled before?); "
                            "drop it or choose other names with topics_col/scores_col")
    if top_k is not None and top_k < 0:
        raise SettingsError(f"top_k must be 0 or more, not {top_k}")
    if threshold is not None and not 0.0 <= threshold <= 1.0:
        raise SettingsError(f"threshold {threshold} is outside [0, 1]")
    ref = ship_model(df.sparkSession, model, shipped)
    if as_strings:
        added = [StructField(topics_col, StringType(), False), StructField(scores_col, StringType(), False)]
    else:
        added = [StructField(topics_col, ArrayType(StringType(), False), False),
                 StructField(scores_col, MapType(StringType(), DoubleType(), False), False)]
    schema = StructType(df.schema.fields + added)
    names_out = [f.name for f in schema.fields]

    def run(batches):
        import pyarrow as pa

        inner = _worker_model(ref)._inner
        topics = inner.topics
        for batch in batches:
            texts = ["" if t is None else t for t in batch.column(text_col).to_pylist()]
            if as_strings:
                given, scores = inner._label_columns(texts, threshold, top_k)
                added_cols = [pa.array(given, pa.string()), pa.array(scores, pa.string())]
            else:
                t_off, t_val, s_off, s_key, s_val = [0], [], [0], [], []
                for idx, scores in inner._predict(texts, threshold, top_k):
                    t_val.extend(topics[i] for i in idx)
                    t_off.append(len(t_val))
                    if scores:
                        s_key.extend(topics)
                        s_val.extend(scores)
                    s_off.append(len(s_val))
                added_cols = [
                    pa.ListArray.from_arrays(pa.array(t_off, pa.int32()), pa.array(t_val, pa.string())),
                    pa.MapArray.from_arrays(pa.array(s_off, pa.int32()), pa.array(s_key, pa.string()),
                                            pa.array(s_val, pa.float64())),
                ]
            yield pa.RecordBatch.from_arrays(list(batch.columns) + added_cols, names=names_out)

    return df.mapInArrow(run, schema)


def _labels_column(df, labels_col):
    if labels_col is not None:
        if labels_col not in df.columns:
            raise DataError(f"no column {labels_col!r} in the DataFrame (columns: {', '.join(df.columns)})")
        return labels_col
    for c in ("labels", "label"):
        if c in df.columns:
            return c
    raise DataError(f"no 'labels' or 'label' column (columns: {', '.join(df.columns)}); choose one with labels_col")


def train(df, text_col: str = "text", labels_col: Optional[str] = None, *, buckets: Optional[int] = None,
          ngrams=(1, 2), stem: bool = True, keep_numbers: bool = False, min_df="2", max_df="1.0",
          max_features: Optional[int] = None, sublinear_tf: bool = True, alpha: float = 0.1,
          kind: str = "complement", mode: str = "auto", threshold: float = 0.7, fan_in: int = 2,
          trained_at: Optional[int] = None, about: str = "",
          on_stage: Optional[Callable[[str, float, str], None]] = None) -> Model:
    """A model trained on `df` through Spark, equal to `tagger train` on the same rows.

    Equal means: the same vocabulary, idf and document counts, and feature sums within 1e-12
    relative (sums taken in another order differ in the last bits); Model.differences checks it.
    The settings are `tagger train`'s options, with its defaults. `df` needs a string text column
    and a labels column (topics joined by '|'; `labels`, else `label`, unless labels_col says).
    Its partitions are the shards: repartition it first to choose how many.

    buckets: reduce tasks of round 1 (default: the number of partitions). fan_in: shards merged
    per task in each level of round 2's tree. trained_at: seconds since the epoch recorded in the
    model (default: SOURCE_DATE_EPOCH, else now). on_stage(name, seconds, detail) is called after
    each stage, for logs and timings.
    """
    labels_col = _labels_column(df, labels_col)
    if text_col not in df.columns:
        raise DataError(f"no column {text_col!r} in the DataFrame (columns: {', '.join(df.columns)})")
    if fan_in < 2:
        raise SettingsError(f"fan_in must be 2 or more, not {fan_in}")
    sc = df.sparkSession.sparkContext
    rows = df.select(text_col, labels_col).rdd.map(tuple).persist()
    parts = rows.getNumPartitions()
    buckets = buckets or parts
    if trained_at is None:
        trained_at = int(os.environ.get("SOURCE_DATE_EPOCH") or time.time())
    ngrams = tuple(ngrams)
    bounds = dict(min_df=str(min_df), max_df=str(max_df), max_features=max_features, sublinear_tf=sublinear_tf)
    report = on_stage or (lambda name, secs, detail: None)

    try:
        # Round 1: per-partition n-gram counts, cut into buckets, summed per bucket on the
        # executors, bounded per bucket, and joined into the vocabulary by one executor task.
        t0 = time.perf_counter()

        def count_vocab(it):
            texts = ["" if t is None else t for t, _ in it]
            shard = _tagger.vocab_shard_count(texts, ngrams, stem, keep_numbers)
            return enumerate(_tagger.vocab_shard_split(shard, buckets))

        selected = (
            rows.mapPartitions(count_vocab)
            .reduceByKey(lambda a, b: _tagger.vocab_shard_sum([a, b]), numPartitions=buckets)
            .map(lambda kv: _tagger.vocab_shard_select(kv[1], **bounds))
        )
        vocab = selected.coalesce(1).mapPartitions(
            lambda it: [_tagger.vocab_merge(list(it), buckets=True, **bounds)]
        ).collect()[0]
        report("round 1: vocabulary (count per partition, reduce by bucket, merge)", time.perf_counter() - t0,
               f"{parts} partitions, {buckets} buckets, vocabulary file {len(vocab):,} bytes")

        # Round 2: sparse model shards per partition, merged level by level on the executors.
        t0 = time.perf_counter()
        vocab_b = sc.broadcast(vocab)

        def count_model(index, it):
            texts, labels = [], []
            for text, topics in it:
                texts.append("" if text is None else text)
                labels.append("" if topics is None else topics)
            if texts:
                yield index, _tagger.model_shard_count(texts, labels, vocab_b.value)

        level = rows.mapPartitionsWithIndex(count_model)
        n, levels = parts, 0
        while n > 1:
            n = math.ceil(n / fan_in)
            levels += 1
            level = level.map(lambda kv, n=n: (kv[0] % n, kv[1])).reduceByKey(
                lambda a, b: _tagger.model_shard_merge([a, b]), numPartitions=n)
        source = f"{parts} merged shards"

        def to_model(kv):
            model = _tagger.model_from_shard(kv[1], source, trained_at, alpha, kind, mode, threshold, about)
            return model.to_bytes()

        models = level.map(to_model).collect()
        if len(models) != 1:
            raise DataError(f"round 2 gave {len(models)} models: no partition had a row" if not models
                            else f"round 2 gave {len(models)} models")
        model = Model(_tagger.Model.from_bytes(models[0]))
        vocab_b.unpersist()
        report("round 2: model (sparse shards per partition, tree merge on executors)", time.perf_counter() - t0,
               f"{levels} merge levels of fan-in {fan_in}, model file {len(models[0]):,} bytes")
        return model
    finally:
        rows.unpersist()
