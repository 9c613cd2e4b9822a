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

Needs pyspark, pyarrow and pandas (pyspark 4.3 checks for it in mapInArrow) where it runs
(driver and executors) and this package on the executors: ship an environment with
`spark-submit --archives env.tar.gz#env` and `spark.pyspark.python=./env/bin/python`
(scripts/spark/README.md).
"""

from __future__ import annotations

if __name__ == "__main__" and not __package__:
    # Run as a file (`spark-submit .../tagger/spark.py label ...`, which cannot take `-m`): the
    # package's folder is then first on sys.path, where its sklearn.py would shadow
    # scikit-learn; drop it and run the installed package's entry instead.
    import os as _os
    import sys as _sys

    _here = _os.path.dirname(_os.path.abspath(__file__))
    _sys.path = [p for p in _sys.path if _os.path.abspath(p or ".") != _here]
    from tagger.spark import main as _main

    _sys.exit(_main())

import argparse
import math
import os
import tempfile
import time
import shlex
import sys
import uuid
from typing import Callable, Optional

from . import DataError, Model, SettingsError
from . import _tagger

__all__ = ["label", "train", "ship_model", "read", "write_bytes", "main"]

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


# ---------------------------------------------------------------------------------------------
# Files at any Hadoop URI, and the command line.

FORMATS = ("csv", "parquet", "json")


def _format_of(path: str, given: Optional[str]) -> str:
    if given:
        return given
    name = path.rstrip("/").lower()
    for ext, fmt in ((".csv", "csv"), (".tsv", "csv"), (".jsonl", "json"), (".json", "json")):
        if name.endswith(ext):
            return fmt
    return "parquet"  # a .parquet file or a folder of part files, as Spark writes them


def read(spark, path: str, fmt: Optional[str] = None, delimiter: str = ","):
    """A DataFrame of the file or folder at `path` (a local path or any Hadoop URI).

    fmt: "csv", "parquet" or "json" (JSON Lines); default from the name (.csv, .tsv, .json,
    .jsonl; anything else is Parquet). CSV is read as `tagger label` reads it: a header row,
    RFC 4180 quotes (doubled quotes, line breaks inside quoted fields), UTF-8, and a malformed
    row fails the job instead of being dropped.
    """
    fmt = _format_of(path, fmt)
    if fmt == "csv":
        return (spark.read.option("header", True).option("multiLine", True).option("quote", '"')
                .option("escape", '"').option("encoding", "UTF-8").option("sep", delimiter)
                .option("mode", "FAILFAST").csv(path))
    if fmt == "json":
        return spark.read.option("mode", "FAILFAST").json(path)
    if fmt == "parquet":
        return spark.read.parquet(path)
    raise SettingsError(f"unknown format {fmt!r}: one of {', '.join(FORMATS)}")


def write_bytes(spark, dest: str, data: bytes, overwrite: bool = False) -> None:
    """Writes `data` to a local path or any Hadoop URI, from the driver, as one file.

    A local path is written atomically (a temporary file beside it, then a rename). A URI is
    written through the JVM's Hadoop FileSystem to a temporary name in the same folder and
    renamed, which is atomic on HDFS and local file systems (object stores copy instead). An
    existing file is an error unless overwrite=True.
    """
    if "://" not in dest and not dest.startswith("file:"):
        if os.path.exists(dest) and not overwrite:
            raise DataError(f"{dest}: already exists; choose another name or pass --overwrite")
        folder = os.path.dirname(os.path.abspath(dest))
        fd, tmp = tempfile.mkstemp(prefix=".tagger-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, dest)
        except BaseException:
            os.unlink(tmp)
            raise
        return
    jvm, conf = spark.sparkContext._jvm, spark.sparkContext._jsc.hadoopConfiguration()
    Path = jvm.org.apache.hadoop.fs.Path
    dst = Path(dest)
    fs = dst.getFileSystem(conf)
    if fs.exists(dst) and not overwrite:
        raise DataError(f"{dest}: already exists; choose another name or pass --overwrite")
    if dst.getParent() is not None:
        fs.mkdirs(dst.getParent())
    tmp = Path(dst.getParent(), f".tagger-{uuid.uuid4().hex}.tmp")
    out = fs.create(tmp, False)
    try:
        out.write(bytearray(data))
    finally:
        out.close()
    if overwrite and fs.exists(dst):
        fs.delete(dst, False)
    if not fs.rename(tmp, dst):
        fs.delete(tmp, False)
        raise DataError(f"{dest}: could not rename the written file into place")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m tagger.spark",
        description="Label files or train a model with tagger through Apache Spark.",
        epilog="Spark's own options: with `python -m tagger.spark`, put spark-submit options "
               "before the command (python -m tagger.spark --master yarn --archives env.tar.gz#env "
               "label ...); with spark-submit, give the file this module is in "
               "(python -c 'import tagger.spark as s; print(s.__file__)') and the command after it.")
    sub = p.add_subparsers(dest="command", required=True)

    lab = sub.add_parser("label", help="add topics and scores to every row of a file (CSV, Parquet, JSON Lines)")
    lab.add_argument("input", help="file or folder to label: a local path or any Hadoop URI")
    lab.add_argument("output", help="where to write the labeled rows (a folder of part files, as Spark writes)")
    lab.add_argument("--model", default=None, help="model file, a path or any Hadoop URI (default: the embedded model)")
    lab.add_argument("--shipped", action="store_true", help="--model names a file given to spark-submit --files")
    lab.add_argument("--text-col", default="text", help="column holding the text (default text)")
    lab.add_argument("--input-format", choices=FORMATS, default=None, help="default: from the input's name")
    lab.add_argument("--format", choices=FORMATS, default=None,
                     help="output format (default: from the output's name, else parquet); CSV gets "
                          "`tagger label`'s two text columns, Parquet and JSON typed ones")
    lab.add_argument("--delimiter", default=",", help="CSV delimiter, input and output (default ,)")
    lab.add_argument("--threshold", type=float, default=None)
    lab.add_argument("--top-k", type=int, default=None)
    lab.add_argument("--partitions", type=int, default=None, help="repartition the input first")
    lab.add_argument("--overwrite", action="store_true", help="replace an existing output")

    tr = sub.add_parser("train", help="train a model through Spark (tagger's exact sharded training)")
    tr.add_argument("input", help="labeled rows (text and labels columns): a local path or any Hadoop URI")
    tr.add_argument("-o", "--output", required=True, help="model file to write, a path or any Hadoop URI")
    tr.add_argument("--text-col", default="text")
    tr.add_argument("--labels-col", default=None, help="default: labels, else label")
    tr.add_argument("--input-format", choices=FORMATS, default=None)
    tr.add_argument("--delimiter", default=",")
    tr.add_argument("--partitions", type=int, default=None, help="training shards (default: the input's partitions)")
    tr.add_argument("--buckets", type=int, default=None, help="round 1 reduce tasks (default: --partitions)")
    tr.add_argument("--fan-in", type=int, default=2)
    tr.add_argument("--ngrams", default="1,2", help="MIN,MAX (default 1,2)")
    tr.add_argument("--no-stem", action="store_true")
    tr.add_argument("--keep-numbers", action="store_true")
    tr.add_argument("--min-df", default="2")
    tr.add_argument("--max-df", default="1.0")
    tr.add_argument("--max-features", type=int, default=None)
    tr.add_argument("--no-sublinear-tf", action="store_true")
    tr.add_argument("--alpha", type=float, default=0.1)
    tr.add_argument("--kind", choices=("complement", "multinomial", "balanced"), default="complement")
    tr.add_argument("--mode", choices=("auto", "single", "multi"), default="auto")
    tr.add_argument("--threshold", type=float, default=0.7)
    tr.add_argument("--about", default="")
    tr.add_argument("--overwrite", action="store_true", help="replace an existing model file")
    return p


def _session(submit_args: list):
    """The active SparkSession, or a new one; spark-submit options given to `python -m` become
    PYSPARK_SUBMIT_ARGS, which pyspark hands to the spark-submit it starts."""
    from pyspark import SparkContext
    from pyspark.sql import SparkSession

    if submit_args:
        if SparkContext._active_spark_context is not None or os.environ.get("SPARK_ENV_LOADED"):
            raise SettingsError("spark-submit options go to spark-submit itself when it runs this file: "
                                + " ".join(submit_args))
        os.environ["PYSPARK_SUBMIT_ARGS"] = " ".join(map(shlex.quote, submit_args + ["pyspark-shell"]))
    return SparkSession.builder.appName("tagger").getOrCreate()


def main(argv: Optional[list] = None) -> int:
    """`python -m tagger.spark [spark-submit options] {label,train} ...`; returns the exit code
    (0, 1 for bad data or a failed job, 2 for a usage error, as the tagger binary)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    commands = ("label", "train")
    at = next((i for i, a in enumerate(argv) if a in commands), None)
    if at is None or any(a in ("-h", "--help") for a in argv[:at]):
        _parser().parse_args(argv[at:] if at is not None else argv)  # prints help or the usage error
        return 2
    submit, argv = [a for a in argv[:at] if a != "--"], argv[at:]
    args = _parser().parse_args(argv)

    def say(name, secs, detail=""):
        print(f"tagger.spark: {name}: {secs:.1f} s" + (f"; {detail}" if detail else ""), file=sys.stderr, flush=True)

    try:
        spark = _session(submit)
        t0 = time.perf_counter()
        df = read(spark, args.input, args.input_format, args.delimiter)
        if args.partitions:
            df = df.repartition(args.partitions)
        if args.command == "label":
            fmt = _format_of(args.output, args.format)
            out = label(df, text_col=args.text_col, model=args.model, threshold=args.threshold,
                        top_k=args.top_k, shipped=args.shipped, as_strings=fmt == "csv")
            writer = out.write.mode("overwrite" if args.overwrite else "errorifexists")
            if fmt == "csv":
                writer.option("header", True).option("quote", '"').option("escape", '"') \
                    .option("sep", args.delimiter).csv(args.output)
            elif fmt == "json":
                writer.json(args.output)
            else:
                writer.parquet(args.output)
            say("label", time.perf_counter() - t0, f"{args.input} -> {args.output} ({fmt})")
        else:
            if not args.overwrite and "://" not in args.output and os.path.exists(args.output):
                raise DataError(f"{args.output}: already exists; choose another name or pass --overwrite")
            lo, _, hi = args.ngrams.partition(",")
            try:
                ngrams = (int(lo), int(hi or lo))
            except ValueError:
                raise SettingsError(f"--ngrams {args.ngrams!r}: expected MIN,MAX such as 1,2") from None
            model = train(df, text_col=args.text_col, labels_col=args.labels_col, buckets=args.buckets,
                          ngrams=ngrams, stem=not args.no_stem, keep_numbers=args.keep_numbers,
                          min_df=args.min_df, max_df=args.max_df, max_features=args.max_features,
                          sublinear_tf=not args.no_sublinear_tf, alpha=args.alpha, kind=args.kind,
                          mode=args.mode, threshold=args.threshold, fan_in=args.fan_in, about=args.about,
                          on_stage=say)
            write_bytes(spark, args.output, model.to_bytes(), overwrite=args.overwrite)
            say("train", time.perf_counter() - t0, f"model written to {args.output}")
    except (DataError, SettingsError) as e:
        print(f"tagger.spark: {e}", file=sys.stderr)
        return 2 if isinstance(e, SettingsError) else 1
    except Exception as e:  # Spark's own failures (AnalysisException, Py4JJavaError): one line
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        print(f"tagger.spark: {type(e).__name__}: {first}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
