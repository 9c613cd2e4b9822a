#!/usr/bin/env python3
"""Exact sharded training and labeling with tagger on Apache Spark.

Run by `scripts/spark/run.sh` (spark-submit, local[4]); see scripts/spark/README.md.

1. Reads the training CSV with spark.read.csv (multiLine, RFC 4180 quotes), checks the row
   count, repartitions it into N partitions.
2. Round 1: each partition writes its rows to a CSV in the shared work folder and runs
   `tagger vocab --partial`; the driver runs `tagger vocab --merge`.
3. Round 2: the same with `tagger train --vocab vocab.bin --partial`; the driver runs
   `tagger train --merge`.
4. One-file reference: `tagger train TRAIN.csv`.
5. Labels the test split as JSON lines through `RDD.pipe(tagger label - --input-format jsonl
   ...)` and compares it row by row with `tagger label TEST.csv` run directly.
6. Checks (a) Spark-merged model == one-file model, (b) piped labels == direct labels.
   Exits 1 if either fails.
"""

import argparse
import csv
import json
import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# Fixed training date, so both models record the same one.
SOURCE_DATE_EPOCH = "1763856000"


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", default=str(REPO.parent / "shared" / "data"), help="folder of the corpora")
    p.add_argument("--train", default="sanad-khaleej-train.csv", help="training CSV (in --data)")
    p.add_argument("--test", default="sanad-khaleej-test.csv", help="CSV to label (in --data)")
    p.add_argument("--partitions", type=int, default=6, help="number of shards (default 6)")
    p.add_argument("--expect-train-rows", type=int, default=29106, help="0 to skip the check")
    p.add_argument("--expect-test-rows", type=int, default=7278, help="0 to skip the check")
    p.add_argument("--tagger", default=str(REPO / "target" / "release" / "tagger"), help="tagger binary")
    p.add_argument("--work", default=str(HERE / "work"), help="shared work folder (shards, models)")
    p.add_argument("--master", default=None, help="Spark master when not given by spark-submit (local[4])")
    p.add_argument("--task-jobs", type=int, default=1, help="tagger -j in each Spark task (one core per task)")
    p.add_argument(
        "--no-ship",
        action="store_true",
        help="use the binary, vocabulary and model by absolute path instead of shipping them with "
        "SparkContext.addFile (the cluster way)",
    )
    return p.parse_args()


class Timer:
    def __init__(self):
        self.stages = []

    def stage(self, name):
        timer = self

        class _Stage:
            def __enter__(self):
                self.t0 = time.perf_counter()
                print(f"\n== {name}", flush=True)
                return self

            def __exit__(self, *exc):
                secs = time.perf_counter() - self.t0
                if exc[0] is None:
                    timer.stages.append((name, secs))
                    print(f"   {name}: {secs:.2f} s", flush=True)
                return False

        return _Stage()


def run(cmd, env=None):
    """Runs a tagger command on the driver; returns stdout; raises with stderr on failure."""
    res = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if res.returncode != 0:
        raise RuntimeError(f"{shlex.join(map(str, cmd))} exited {res.returncode}: {res.stderr.strip()}")
    return res.stdout


def file_ref(ship, name, local_path):
    """Where a task finds a file: SparkFiles (shipped) or the absolute path (local mode)."""
    if ship:
        from pyspark import SparkFiles

        return SparkFiles.get(name)
    return local_path


def shard_task(kind, ship, tagger_path, vocab_path, work_dir, label_col, task_jobs):
    """A mapPartitions function: writes the partition's rows to CSV, runs tagger on it, yields
    the shard's path. `kind` is 'vocab' (round 1) or 'model' (round 2)."""

    def task(rows):
        from pyspark import TaskContext

        ctx = TaskContext.get()
        part, attempt = ctx.partitionId(), ctx.attemptNumber()
        t0 = time.perf_counter()
        out_dir = Path(work_dir) / f"{kind}-shards"
        out_dir.mkdir(parents=True, exist_ok=True)
        rows_csv = out_dir / f".rows-{part:05d}-{attempt}.csv"
        n = 0
        with open(rows_csv, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["text", label_col])
            for text, labels in rows:
                w.writerow([text or "", labels or ""])
                n += 1
        tagger = file_ref(ship, "tagger", tagger_path)
        final = out_dir / f"{kind}-shard-{part:05d}.bin"
        tmp = out_dir / f".{kind}-shard-{part:05d}-{attempt}.bin"
        if kind == "vocab":
            cmd = [tagger, "vocab", "--partial", str(rows_csv), "-o", str(tmp)]
        else:
            vocab = file_ref(ship, "vocab.bin", vocab_path)
            cmd = [tagger, "train", "--vocab", vocab, "--partial", str(rows_csv), "-o", str(tmp), "--quiet"]
        cmd += ["-j", str(task_jobs)]
        res = subprocess.run(cmd, capture_output=True, text=True)
        rows_csv.unlink()
        if res.returncode != 0:
            raise RuntimeError(f"partition {part}: {shlex.join(cmd)} exited {res.returncode}: {res.stderr.strip()}")
        os.replace(tmp, final)  # commit: a retried or speculative attempt writes the same shard
        yield {
            "partition": part,
            "rows": n,
            "shard": str(final),
            "seconds": time.perf_counter() - t0,
            "tagger": res.stdout.strip().replace(str(tmp), final.name).replace(str(rows_csv), "the partition"),
        }

    return task


def read_csv_df(spark, path):
    return (
        spark.read.option("header", True)
        .option("multiLine", True)
        .option("quote", '"')
        .option("escape", '"')
        .option("encoding", "UTF-8")
        .option("mode", "FAILFAST")
        .option("inferSchema", False)
        .csv(str(path))
    )


def labels_column(df):
    cols = df.columns
    if "text" not in cols:
        raise SystemExit(f"no 'text' column in {cols}")
    for c in ("labels", "label"):
        if c in cols:
            return c
    raise SystemExit(f"no 'labels' or 'label' column in {cols}")


def read_label_csv(path):
    """Rows of a `tagger label` CSV output: (text, topics list, scores dict)."""
    csv.field_size_limit(sys.maxsize)
    out = []
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            topics = row["topics"].split("|") if row["topics"] else []
            scores = {}
            if row["scores"]:
                for pair in row["scores"].split("|"):
                    t, p = pair.rsplit(":", 1)
                    scores[t] = float(p)
            out.append((row["text"], topics, scores))
    return out


def compare_labels(a, b, tol=1e-9):
    """Counts rows whose topics differ and whose scores differ (exactly / beyond tol)."""
    topic_diff = score_exact_diff = score_tol_diff = text_diff = 0
    max_delta = 0.0
    first = None
    for i, ((ta, pa, sa), (tb, pb, sb)) in enumerate(zip(a, b)):
        if ta != tb:
            text_diff += 1
        if pa != pb:
            topic_diff += 1
        if sa != sb:
            score_exact_diff += 1
            if sa.keys() != sb.keys():
                score_tol_diff += 1
                delta = float("inf")
            else:
                delta = max(abs(sa[k] - sb[k]) for k in sa)
                if delta > tol:
                    score_tol_diff += 1
            max_delta = max(max_delta, delta)
        if first is None and (ta != tb or pa != pb or sa != sb):
            first = (i, pa, pb, sa, sb)
    return {
        "rows": (len(a), len(b)),
        "text_diff": text_diff,
        "topic_diff": topic_diff,
        "score_exact_diff": score_exact_diff,
        "score_tol_diff": score_tol_diff,
        "max_score_delta": max_delta,
        "first": first,
    }


def labels_equal(cmp):
    return (
        cmp["rows"][0] == cmp["rows"][1]
        and cmp["text_diff"] == 0
        and cmp["topic_diff"] == 0
        and cmp["score_tol_diff"] == 0
    )


def print_cmp(name, cmp):
    print(
        f"   {name}: rows {cmp['rows'][0]} vs {cmp['rows'][1]}, texts differing {cmp['text_diff']}, "
        f"topics differing {cmp['topic_diff']}, scores differing {cmp['score_exact_diff']} "
        f"(beyond 1e-9: {cmp['score_tol_diff']}, max |delta| {cmp['max_score_delta']:g})"
    )
    if cmp["first"] is not None:
        print(f"   first difference: {cmp['first']}")


def main():
    args = parse_args()
    data = Path(args.data).resolve()
    train_csv, test_csv = data / args.train, data / args.test
    tagger = str(Path(args.tagger).resolve())
    work = Path(args.work).resolve()
    for p in (train_csv, test_csv, Path(tagger)):
        if not p.exists():
            raise SystemExit(f"job.py: {p} not found")
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    ship = not args.no_ship
    n = args.partitions
    env = dict(os.environ, SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH)
    timer = Timer()
    t_all = time.perf_counter()

    from pyspark.sql import SparkSession

    with timer.stage("start Spark"):
        builder = SparkSession.builder.appName("tagger-sharded")
        if args.master:
            builder = builder.master(args.master)
        spark = builder.getOrCreate()
        sc = spark.sparkContext
        sc.setLogLevel("WARN")
        print(f"   Spark {spark.version}, master {sc.master}, default parallelism {sc.defaultParallelism}")
        print(f"   tagger {tagger}; {'shipped with SparkContext.addFile' if ship else 'used by absolute path'}")
        if ship:
            sc.addFile(tagger)

    with timer.stage(f"read training CSV and repartition into {n}"):
        df = read_csv_df(spark, train_csv)
        label_col = labels_column(df)
        rows = df.select("text", label_col).rdd.map(tuple).repartition(n).cache()
        count = rows.count()
        sizes = rows.glom().map(len).collect()
        print(f"   {train_csv.name}: {count} rows (columns text, {label_col}); partition sizes {sizes}")
        if args.expect_train_rows and count != args.expect_train_rows:
            raise SystemExit(f"job.py: read {count} training rows, expected {args.expect_train_rows}")

    with timer.stage("round 1 on executors: tagger vocab --partial (mapPartitions)"):
        r1 = rows.mapPartitions(shard_task("vocab", ship, tagger, None, str(work), label_col, args.task_jobs)).collect()
        for r in sorted(r1, key=lambda r: r["partition"]):
            print(f"   partition {r['partition']}: {r['rows']} rows, {r['seconds']:.2f} s: {r['tagger']}")
        assert len(r1) == n and sum(r["rows"] for r in r1) == count

    vocab = work / "vocab.bin"
    with timer.stage("round 1 on driver: tagger vocab --merge"):
        print("   " + run([tagger, "vocab", "--merge", *sorted(r["shard"] for r in r1), "-o", vocab]).strip())
        if ship:
            sc.addFile(str(vocab))

    with timer.stage("round 2 on executors: tagger train --vocab vocab.bin --partial (mapPartitions)"):
        r2 = rows.mapPartitions(
            shard_task("model", ship, tagger, str(vocab), str(work), label_col, args.task_jobs)
        ).collect()
        for r in sorted(r2, key=lambda r: r["partition"]):
            print(f"   partition {r['partition']}: {r['rows']} rows, {r['seconds']:.2f} s: {r['tagger']}")
        assert len(r2) == n and sum(r["rows"] for r in r2) == count

    model = work / "model.bin"
    with timer.stage("round 2 on driver: tagger train --merge"):
        print("   " + run([tagger, "train", "--merge", *sorted(r["shard"] for r in r2), "-o", model], env).strip())
        if ship:
            sc.addFile(str(model))

    reference = work / "model-onefile.bin"
    with timer.stage("one-file reference: tagger train TRAIN.csv"):
        print("   " + run([tagger, "train", train_csv, "-o", reference, "--quiet"], env).strip())

    with timer.stage("label the test split through RDD.pipe"):
        test_df = read_csv_df(spark, test_csv)
        test_label_col = labels_column(test_df)

        def to_json(pair):
            (text, label), i = pair
            return json.dumps({"id": i, "text": text or "", test_label_col: label or ""}, ensure_ascii=False)

        lines = test_df.select("text", test_label_col).rdd.map(tuple).zipWithIndex().map(to_json).repartition(n)
        if ship and not sc.master.startswith("local"):
            # On a cluster, SparkContext.addFile (or spark-submit --files) puts the files in each
            # executor's working directory, where the pipe's command runs.
            pipe_tagger, pipe_model = "./tagger", "./model.bin"
        else:
            pipe_tagger = file_ref(ship, "tagger", tagger)
            pipe_model = file_ref(ship, "model.bin", str(model))
        command = shlex.join(
            [pipe_tagger, "label", "-", "--input-format", "jsonl", "--format", "jsonl", "--model", pipe_model,
             "--quiet", "--text-column", "text", "-j", str(args.task_jobs)]
        )
        print(f"   pipe: {command}")
        piped = lines.pipe(command, checkCode=True).map(json.loads).collect()
        piped.sort(key=lambda o: o["id"])
        print(f"   {test_csv.name}: {len(piped)} rows labeled in {lines.getNumPartitions()} partitions")
        if args.expect_test_rows and len(piped) != args.expect_test_rows:
            raise SystemExit(f"job.py: piped {len(piped)} test rows, expected {args.expect_test_rows}")
        assert [o["id"] for o in piped] == list(range(len(piped)))

    spark.stop()

    direct_csv = work / "labels-direct.csv"
    with timer.stage("direct: tagger label TEST.csv --model model.bin"):
        run([tagger, "label", test_csv, "--model", model, "--quiet", "-o", direct_csv])
        direct = read_label_csv(direct_csv)

    onefile_csv = work / "labels-onefile.csv"
    with timer.stage("direct: tagger label TEST.csv --model model-onefile.bin"):
        run([tagger, "label", test_csv, "--model", reference, "--quiet", "-o", onefile_csv])
        onefile = read_label_csv(onefile_csv)

    ok = True
    with timer.stage("check (a): Spark-merged model == one-file model"):
        a_ok = True
        ins = [json.loads(run([tagger, "inspect", "--model", m, "--format", "json"])) for m in (model, reference)]
        skipped = {"model", "trained_on"}  # the file path, and "N merged shards" vs the CSV's name
        for key in sorted(set(ins[0]) | set(ins[1])):
            if key in skipped:
                continue
            same = ins[0].get(key) == ins[1].get(key)
            a_ok &= same
            if key in ("topics", "features", "words", "documents") or not same:
                shown = (
                    ", ".join(f"{t['topic']} {t['documents']:g}" for t in ins[0]["topics"])
                    if key == "topics"
                    else ins[0].get(key)
                )
                print(f"   inspect {key}: {'equal' if same else 'DIFFERENT'} ({shown})")
        print(f"   inspect: all {len(set(ins[0]) - skipped)} other fields equal: {a_ok}"
              f" (not compared: {', '.join(sorted(skipped))})")
        cmp = compare_labels(direct, onefile)
        print_cmp("tagger label, merged vs one-file model", cmp)
        a_ok &= labels_equal(cmp)
        ev = [json.loads(run([tagger, "eval", test_csv, "--model", m, "--format", "json"])) for m in (model, reference)]
        same_eval = ev[0] == ev[1]
        a_ok &= same_eval
        print(
            f"   tagger eval on {test_csv.name}: {'identical' if same_eval else 'DIFFERENT'} JSON; micro-F1 "
            f"{ev[0]['micro']['f1']:.4f} vs {ev[1]['micro']['f1']:.4f}, macro-F1 "
            f"{ev[0]['macro_avg']['f1']:.4f} vs {ev[1]['macro_avg']['f1']:.4f}"
            + (f", accuracy {ev[0]['accuracy']:.4f} vs {ev[1]['accuracy']:.4f}" if ev[0].get("accuracy") is not None else "")
        )
        print(f"   (a) Spark-merged model == one-file model: {'PASS' if a_ok else 'FAIL'}")
        ok &= a_ok

    with timer.stage("check (b): RDD.pipe labels == tagger label"):
        piped_rows = [
            (o["text"], o["topics"], {k: float(v) for k, v in o["scores"].items()}) for o in piped
        ]
        cmp = compare_labels(piped_rows, direct)
        print_cmp("RDD.pipe vs tagger label TEST.csv", cmp)
        b_ok = labels_equal(cmp) and cmp["score_exact_diff"] == 0
        print(f"   (b) Spark piped labels == tagger label, row for row: {'PASS' if b_ok else 'FAIL'}")
        ok &= b_ok

    total = time.perf_counter() - t_all
    print("\n== timings")
    for name, secs in timer.stages:
        print(f"   {secs:8.2f} s  {name}")
    print(f"   {total:8.2f} s  total")
    print(f"\n(a) Spark-merged model == one-file model: {'PASS' if a_ok else 'FAIL'}")
    print(f"(b) RDD.pipe labels == tagger label:      {'PASS' if b_ok else 'FAIL'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
