#!/usr/bin/env python3
"""Train and label with tagger through Apache Spark, and check the results exactly.

Run with spark-submit (scripts/spark/run.sh for local mode, scripts/spark/cluster.sh for a
standalone cluster); see scripts/spark/README.md.

1. Reads the training CSV at any Hadoop URI (--data, --train), repartitions it into N.
2. Trains with tagger.spark.train: round 1 reduces per-partition n-gram counts by key, round 2
   merges sparse model shards in a tree on the executors; shards move only as bytes through
   Spark. The driver receives the model and writes it to --work (any Hadoop URI).
3. Labels the test CSV with tagger.spark.label (mapInArrow, one model per executor Python
   worker, the model shipped from --work with SparkContext.addFile) and writes Parquet to --out.
4. Checks, unless --no-check: (a) the Spark model against `tagger train` on the same file, field
   by field (Model.differences: vocabulary, idf and document counts equal, feature sums within
   1e-12 relative); (b) the Parquet labels against `tagger label` of the same file with the
   same model, row by row (topics equal, scores within 1e-9 of the CLI's 4-decimal ones once
   rounded as it rounds), and against the Python package on the driver at full precision.
   The checks need the data and the tagger binary on the driver's file system.
Exits 1 if a check fails.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# Fixed training date, so that both models record the same one.
SOURCE_DATE_EPOCH = "1763856000"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=(REPO.parent / "shared" / "data").as_uri(),
                   help="folder of the corpora, any Hadoop URI or a local path (default ../shared/data)")
    p.add_argument("--train", default="sanad-khaleej-train.csv", help="training CSV, in --data")
    p.add_argument("--test", default="sanad-khaleej-test.csv", help="CSV to label, in --data")
    p.add_argument("--partitions", type=int, default=6, help="training shards and labeling partitions (default 6)")
    p.add_argument("--buckets", type=int, default=None, help="round 1 reduce tasks (default: --partitions)")
    p.add_argument("--expect-train-rows", type=int, default=29106, help="0 to skip the check")
    p.add_argument("--expect-test-rows", type=int, default=7278, help="0 to skip the check")
    p.add_argument("--work", default=(HERE / "work").as_uri(),
                   help="where the driver writes model.bin, any Hadoop URI (default scripts/spark/work)")
    p.add_argument("--out", default=None, help="labeled Parquet, any Hadoop URI (default WORK/labels.parquet)")
    p.add_argument("--tagger", default=None,
                   help="tagger binary for the checks (default: CARGO_TARGET_DIR or target, release build)")
    p.add_argument("--no-check", action="store_true", help="train and label only (data not on the driver)")
    p.add_argument("--min-df", default="2")
    p.add_argument("--max-features", type=int, default=None)
    return p.parse_args()


def uri(base, name):
    base = base if "://" in base or base.startswith("file:") else Path(base).resolve().as_uri()
    return base.rstrip("/") + "/" + name


def local_path(u):
    """The driver-local path of a file: URI (or a plain path); None for other schemes."""
    if u.startswith("file://"):
        return u[len("file://"):]
    if u.startswith("file:"):
        return u[len("file:"):]
    return None if "://" in u else u


def peak_memory_mib():
    """Peak resident memory of the driver: this Python process and its parent JVM (spark-submit)."""
    py = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    jvm = None
    try:
        with open(f"/proc/{os.getppid()}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    jvm = int(line.split()[1]) / 1024
    except OSError:
        pass
    return py, jvm


def cli_labels(tagger, test_csv, model_path):
    """`tagger label --format jsonl` of the test file: (topics, scores) per row, in file order."""
    res = subprocess.run([tagger, "label", test_csv, "--model", model_path, "--format", "jsonl", "--quiet"],
                         capture_output=True, text=True, check=True)
    return [(o["topics"], o["scores"]) for o in map(json.loads, res.stdout.splitlines())]


def main():
    args = parse_args()
    stages = []
    t_all = time.perf_counter()

    def stage(name, secs, detail=""):
        stages.append((name, secs))
        print(f"== {name}: {secs:.2f} s" + (f"; {detail}" if detail else ""), flush=True)

    from pyspark.sql import SparkSession
    from pyspark.sql import functions as F
    import tagger
    from tagger import spark as tspark

    t0 = time.perf_counter()
    spark = SparkSession.builder.appName("tagger").getOrCreate()
    sc = spark.sparkContext
    sc.setLogLevel("WARN")
    stage("start Spark", time.perf_counter() - t0,
          f"Spark {spark.version}, master {sc.master}, default parallelism {sc.defaultParallelism}")

    train_uri, test_uri = uri(args.data, args.train), uri(args.data, args.test)
    out = args.out or uri(args.work, "labels.parquet")
    n = args.partitions

    t0 = time.perf_counter()
    train_df = tspark.read(spark, train_uri, "csv").repartition(n)
    count = train_df.count()
    stage("read training CSV", time.perf_counter() - t0, f"{train_uri}: {count} rows, {n} partitions")
    if args.expect_train_rows and count != args.expect_train_rows:
        raise SystemExit(f"job.py: read {count} training rows, expected {args.expect_train_rows}")

    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    model = tspark.train(train_df, buckets=args.buckets, min_df=args.min_df, max_features=args.max_features,
                         on_stage=stage)

    t0 = time.perf_counter()
    scratch = tempfile.mkdtemp(prefix="tagger-job-")
    model_local = os.path.join(scratch, "model.bin")
    model.save(model_local)
    model_uri = uri(args.work, "model.bin")
    tspark.write_bytes(spark, model_uri, model.to_bytes(), overwrite=True)
    stage("write the model", time.perf_counter() - t0, model_uri)

    t0 = time.perf_counter()
    test_df = tspark.read(spark, test_uri, "csv")
    # The row's place in the file, to compare with tagger label's output, which keeps file order.
    with_row = test_df.rdd.zipWithIndex().map(lambda r: (r[1],) + tuple(r[0])).toDF(["row"] + test_df.columns)
    labeled = tspark.label(with_row.repartition(n), text_col="text", model=model_uri)
    labeled.write.mode("overwrite").parquet(out)
    rows = spark.read.parquet(out).count()
    secs = time.perf_counter() - t0
    stage("label the test CSV to Parquet", secs, f"{out}: {rows} rows, {rows / secs:.0f} rows/s")
    if args.expect_test_rows and rows != args.expect_test_rows:
        raise SystemExit(f"job.py: labeled {rows} test rows, expected {args.expect_test_rows}")
    print(f"   schema: {spark.read.parquet(out).schema.simpleString()}")

    ok = True
    if not args.no_check:
        tagger_bin = args.tagger or os.path.join(os.environ.get("CARGO_TARGET_DIR", str(REPO / "target")),
                                                 "release", "tagger")
        train_csv, test_csv = local_path(train_uri), local_path(test_uri)
        if not (train_csv and test_csv and os.path.isfile(tagger_bin)):
            raise SystemExit("job.py: the checks need file: data and the tagger binary on the driver "
                             f"(--tagger {tagger_bin}); use --no-check otherwise")

        t0 = time.perf_counter()
        reference = os.path.join(scratch, "model-onefile.bin")
        cmd = [tagger_bin, "train", train_csv, "-o", reference, "--quiet", "--min-df", args.min_df]
        if args.max_features:
            cmd += ["--max-features", str(args.max_features)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env=dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH))
        one = tagger.Model.load(reference)
        diffs = model.differences(one, rel_tol=1e-12)
        a_ok = not diffs
        stage("check (a): Spark model vs tagger train, field by field", time.perf_counter() - t0,
              "equal: vocabulary, idf, document counts, settings; feature sums within 1e-12" if a_ok
              else "; ".join(diffs))
        ok &= a_ok

        t0 = time.perf_counter()
        expected = cli_labels(tagger_bin, test_csv, model_local)
        cli_secs = time.perf_counter() - t0
        topic_diff = score_diff = full_diff = seen = 0
        max_full = 0.0
        # toLocalIterator: one partition at a time on the driver, never the whole output.
        for r in spark.read.parquet(out).select("row", "text", "topics", "scores").orderBy("row").toLocalIterator():
            seen += 1
            topics, scores = expected[r["row"]]
            if list(r["topics"]) != topics:
                topic_diff += 1
            got = dict(r["scores"])
            if got.keys() != scores.keys() or any(
                    abs(float(f"{got[k]:.4f}") - scores[k]) > 1e-9 for k in scores):
                score_diff += 1
            mine = model.predict([r["text"] or ""])[0].scores
            if mine.keys() != got.keys():
                full_diff += 1
            elif mine:
                delta = max(abs(mine[k] - got[k]) for k in mine)
                max_full = max(max_full, delta)
                full_diff += delta > 1e-9
        b_ok = seen == len(expected) and topic_diff == 0 and score_diff == 0 and full_diff == 0
        stage("check (b): Spark labels vs tagger label, row by row", time.perf_counter() - t0,
              f"{seen} vs {len(expected)} rows; topics differing {topic_diff}; scores beyond 1e-9 of the CLI's "
              f"{score_diff}; full-precision scores vs the package on the driver: {full_diff} beyond 1e-9 "
              f"(max |delta| {max_full:g}); tagger label alone took {cli_secs:.2f} s")
        ok &= b_ok
        print(f"\n(a) Spark model == tagger train model: {'PASS' if a_ok else 'FAIL'}")
        print(f"(b) Spark labels == tagger label:       {'PASS' if b_ok else 'FAIL'}")

    spark.stop()
    py, jvm = peak_memory_mib()
    print("\n== timings")
    for name, secs in stages:
        print(f"   {secs:8.2f} s  {name}")
    print(f"   {time.perf_counter() - t_all:8.2f} s  total")
    print(f"== driver peak memory: Python {py:.0f} MiB, JVM " + (f"{jvm:.0f} MiB" if jvm else "unknown"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
