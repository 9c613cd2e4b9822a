#!/usr/bin/env python3
"""Compare tagger with scikit-learn and fastText on the corpora in ../shared/data.

Every system is trained on the train CSV and then labels the test CSV, each step in its own
process, so that wall time and peak RSS belong to that step alone. All metrics are computed
here, by one piece of code, from the label file each system writes.

    python compare.py --tagger target/release/tagger [--data DIR] [--corpus sanad|mowjaz|all]
                      [--systems NAME,...] [--out FILE] [--work DIR]

`bash benches/compare/run.sh` creates the virtual environment, builds tagger and calls this.

The same file is also the worker for the Python systems (`compare.py worker train|predict ...`):
the orchestrator starts it as a child process, one per step.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent

# A few SANAD articles are ~33k characters; raise the csv module's 128 KiB field limit anyway so
# that other exports with longer fields do not fail.
csv.field_size_limit(1 << 30)

CORPORA = {
    # name: (train file, test file, report title)
    "sanad": ("sanad-khaleej-train.csv", "sanad-khaleej-test.csv", "SANAD AlKhaleej (single-label, 7 topics)"),
    "mowjaz": ("mowjaz-train.csv", "mowjaz-test.csv", "Mowjaz (multi-label, 10 topics)"),
}

# Hyper-parameters shared by tagger's defaults and the scikit-learn pipelines.
NGRAMS = (1, 2)
MIN_DF = 2
ALPHA = 0.1
# fastText: word bigrams, the usual supervised settings of the fastText text-classification
# tutorial; everything else (dim 100, bucket 2M, minCount 1) is fastText's default.
FASTTEXT = dict(wordNgrams=2, epoch=25, lr=0.5)
# Probability from which a topic is given in multi-label mode (sklearn NB and fastText).
MULTI_THRESHOLD = 0.5

SYSTEMS = ["tagger-mnb", "tagger-cnb", "tagger-cnb-1core", "sklearn-mnb", "sklearn-cnb", "sklearn-svc", "fasttext"]
DISPLAY = {
    "tagger-mnb": "tagger multinomial NB",
    "tagger-cnb": "tagger complement NB",
    "tagger-cnb-1core": "tagger complement NB, 1 core",
    "sklearn-mnb": "sklearn TF-IDF + MultinomialNB",
    "sklearn-cnb": "sklearn TF-IDF + ComplementNB",
    "sklearn-svc": "sklearn TF-IDF + LinearSVC",
    "fasttext": "fastText supervised, bigrams",
}


# --------------------------------------------------------------------------------------------
# CSV helpers (used by both the orchestrator and the workers)
# --------------------------------------------------------------------------------------------


def read_labeled(path: Path) -> tuple[list[str], list[list[str]], bool]:
    """Texts, topic lists and whether the file is multi-label (`labels` column) or not."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        multi = "labels" in reader.fieldnames
        col = "labels" if multi else "label"
        texts, labels = [], []
        for row in reader:
            texts.append(row["text"])
            labels.append([t for t in row[col].split("|") if t])
    return texts, labels, multi


def read_texts(path: Path) -> list[str]:
    with open(path, encoding="utf-8", newline="") as f:
        return [row["text"] for row in csv.DictReader(f)]


def read_topics(path: Path) -> list[list[str]]:
    """The `topics` column of a label file (tagger's output or a worker's), most probable first."""
    with open(path, encoding="utf-8", newline="") as f:
        return [[t for t in row["topics"].split("|") if t] for row in csv.DictReader(f)]


def write_topics(path: Path, topics: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["topics"])
        w.writerows(["|".join(t)] for t in topics)


# --------------------------------------------------------------------------------------------
# Workers: one training or prediction step of a Python system, run as a child process
# --------------------------------------------------------------------------------------------


def sklearn_pipeline(system: str, multi: bool):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.naive_bayes import ComplementNB, MultinomialNB
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import LinearSVC

    clf = {
        "sklearn-mnb": lambda: MultinomialNB(alpha=ALPHA),
        "sklearn-cnb": lambda: ComplementNB(alpha=ALPHA),
        "sklearn-svc": lambda: LinearSVC(),
    }[system]()
    if multi:
        # One binary classifier per topic. OneVsRestClassifier.predict gives a topic when
        # predict_proba >= 0.5 for the NBs (they have no decision_function) and when
        # decision_function > 0 for LinearSVC.
        clf = OneVsRestClassifier(clf)
    vec = TfidfVectorizer(ngram_range=NGRAMS, min_df=MIN_DF, sublinear_tf=True)
    return make_pipeline(vec, clf)


def fasttext_line(text: str) -> str:
    # fastText reads one example per line and splits on whitespace only; the texts are given as
    # they are otherwise (no normalization, punctuation left attached, like the raw corpora).
    return " ".join(text.split())


def worker_train(system: str, train_csv: Path, model_path: Path) -> dict:
    t0 = time.perf_counter()
    texts, labels, multi = read_labeled(train_csv)
    if system == "fasttext":
        import fasttext

        # fastText trains from a file: the conversion is part of its training cost.
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", dir=model_path.parent, delete=False) as f:
            for text, topics in zip(texts, labels):
                f.write(" ".join("__label__" + t for t in topics) + " " + fasttext_line(text) + "\n")
            ft_input = f.name
        del texts
        try:
            model = fasttext.train_supervised(
                input=ft_input,
                loss="ova" if multi else "softmax",
                thread=len(os.sched_getaffinity(0)),
                verbose=0,
                **FASTTEXT,
            )
        finally:
            os.unlink(ft_input)
        model.save_model(str(model_path))
    else:
        import pickle

        from sklearn.preprocessing import MultiLabelBinarizer

        pipe = sklearn_pipeline(system, multi)
        if multi:
            mlb = MultiLabelBinarizer()
            y = mlb.fit_transform(labels)
            classes = list(mlb.classes_)
        else:
            y = [t[0] for t in labels]
            classes = None
        pipe.fit(texts, y)
        with open(model_path, "wb") as f:
            pickle.dump({"pipeline": pipe, "multi": multi, "classes": classes}, f, protocol=pickle.HIGHEST_PROTOCOL)
    return {"work_s": time.perf_counter() - t0}


def worker_predict(system: str, model_path: Path, test_csv: Path, out_csv: Path) -> dict:
    # Import the library before starting the clock: `work_s` is then the time without the
    # interpreter start-up and imports, reported beside the whole-process time.
    if system == "fasttext":
        import fasttext
    else:
        import pickle

        import numpy as np
        import sklearn  # noqa: F401  (unpickling imports it anyway)
    t0 = time.perf_counter()
    texts = read_texts(test_csv)
    if system == "fasttext":
        model = fasttext.load_model(str(model_path))
        multi = model.f.getArgs().loss == fasttext.FastText.loss_name.ova
        lines = [fasttext_line(t) for t in texts]
        # Lists only: with numpy 2 the single-string path of fasttext 0.9.x fails (np.array(copy=False)).
        if multi:
            got, _ = model.predict(lines, k=-1, threshold=MULTI_THRESHOLD)
        else:
            got, _ = model.predict(lines, k=1)
        topics = [[label.removeprefix("__label__") for label in row] for row in got]
    else:
        with open(model_path, "rb") as f:
            saved = pickle.load(f)
        pred = saved["pipeline"].predict(texts)
        if saved["multi"]:
            classes = saved["classes"]
            topics = [[classes[j] for j in np.flatnonzero(row)] for row in pred]
        else:
            topics = [[str(p)] for p in pred]
    write_topics(out_csv, topics)
    return {"work_s": time.perf_counter() - t0}


def worker_main(argv: list[str]) -> None:
    p = argparse.ArgumentParser(prog="compare.py worker")
    p.add_argument("step", choices=["train", "predict"])
    p.add_argument("system", choices=[s for s in SYSTEMS if not s.startswith("tagger")])
    p.add_argument("paths", nargs="+", type=Path)
    a = p.parse_args(argv)
    if a.step == "train":
        res = worker_train(a.system, *a.paths)
    else:
        res = worker_predict(a.system, *a.paths)
    print(json.dumps(res))


# --------------------------------------------------------------------------------------------
# Measuring a child process
# --------------------------------------------------------------------------------------------

TIME_V = shutil.which("time", path="/usr/bin:/bin")  # GNU time; the shell builtin has no -v


@dataclass
class Run:
    wall_s: float
    cpu_s: float  # user + system time of the child and its descendants
    rss_mb: float
    stdout: str


def measure(cmd: list[str], work: Path) -> Run:
    """Runs cmd to completion: wall-clock time and the child's peak RSS."""
    stats = work / "time-v.txt"
    full = [TIME_V, "-v", "-o", str(stats), *cmd] if TIME_V else cmd
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(full, stdout=out, stderr=err, text=True)
        # wait4 rather than getrusage(RUSAGE_CHILDREN): the latter is the maximum over all
        # children so far, wait4 gives this child's own figures.
        _, status, rusage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode != 0:
        sys.stderr.write(stderr)
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}")
    if TIME_V:
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", stats.read_text())
        rss_kb = int(m.group(1))
        stats.unlink()
    else:
        rss_kb = rusage.ru_maxrss  # KB on Linux
    cpu = rusage.ru_utime + rusage.ru_stime
    return Run(wall_s=wall, cpu_s=cpu, rss_mb=rss_kb / 1024, stdout=stdout)


def fastest(a: Run, b: Run) -> Run:
    """Of two runs of the same step, the faster one (the one least disturbed by anything else on
    the machine), with the higher peak RSS of the two."""
    best = min(a, b, key=lambda r: r.wall_s)
    return Run(wall_s=best.wall_s, cpu_s=best.cpu_s, rss_mb=max(a.rss_mb, b.rss_mb), stdout=best.stdout)


# --------------------------------------------------------------------------------------------
# Metrics: the same code for every system
# --------------------------------------------------------------------------------------------


@dataclass
class Scores:
    accuracy: float  # top-1 accuracy (single-label) or exact-match ratio (multi-label)
    macro_f1: float
    micro_f1: float


def f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(gold: list[list[str]], pred: list[list[str]], multi: bool) -> Scores:
    """Single-label: only the first (most probable) predicted topic counts, so micro-F1 equals
    accuracy. Multi-label: sets of topics. Macro-F1 averages the per-topic F1 over every topic
    that is in the gold labels or in the predictions (a topic never predicted scores 0)."""
    assert len(gold) == len(pred), f"{len(pred)} predictions for {len(gold)} documents"
    if not multi:
        pred = [p[:1] for p in pred]
    topics = sorted({t for g in gold for t in g} | {t for p in pred for t in p})
    tp = dict.fromkeys(topics, 0)
    fp = dict.fromkeys(topics, 0)
    fn = dict.fromkeys(topics, 0)
    exact = 0
    for g, p in zip(gold, pred):
        g, p = set(g), set(p)
        exact += g == p
        for t in g & p:
            tp[t] += 1
        for t in p - g:
            fp[t] += 1
        for t in g - p:
            fn[t] += 1
    macro = sum(f1(tp[t], fp[t], fn[t]) for t in topics) / len(topics)
    micro = f1(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    return Scores(accuracy=exact / len(gold), macro_f1=macro, micro_f1=micro)


# --------------------------------------------------------------------------------------------
# Orchestrator
# --------------------------------------------------------------------------------------------


@dataclass
class Result:
    system: str
    scores: Scores
    train: Run
    predict: Run
    model_mb: float
    notes: list[str] = field(default_factory=list)

    @property
    def predict_work_s(self) -> float | None:
        """Python systems: the predict time without interpreter start-up and imports, as the
        worker reported it on stdout. None for tagger."""
        if self.system.startswith("tagger"):
            return None
        return json.loads(self.predict.stdout)["work_s"]


def run_system(system: str, args, train_csv: Path, test_csv: Path, work: Path, gold, multi: bool) -> Result:
    model = work / f"{system}.{'bin' if system.startswith(('tagger', 'fasttext')) else 'pkl'}"
    out = work / f"{system}.labels.csv"
    notes = []
    if system.startswith("tagger"):
        # Pass the kind explicitly: the default has changed before (complement is the default now).
        kind = "--multinomial" if system == "tagger-mnb" else "--complement"
        tagger = [args.tagger]
        if system.endswith("-1core"):
            # -j 1 alone still leaves the CSV reader and writer threads free to use a second
            # core; pinning the process makes it a like-for-like match for single-threaded sklearn.
            tagger = (["taskset", "-c", str(min(os.sched_getaffinity(0)))] if shutil.which("taskset") else []) + [args.tagger, "-j", "1"]
        train = measure([*tagger, "train", str(train_csv), "-o", str(model), kind, "--quiet"], work)
        # label writes every input column back plus `topics` and `scores`: the Python workers
        # write only the topics, so this favours them slightly.
        predict = measure([*tagger, "label", str(test_csv), "-o", str(out), "--model", str(model), "--quiet"], work)
        notes.append(train.stdout.strip())
        # Cross-check: tagger's own evaluation must give the same numbers as ours.
        ev = json.loads(
            subprocess.run(
                [args.tagger, "eval", str(test_csv), "--model", str(model), "--format", "json"],
                check=True, capture_output=True, text=True,
            ).stdout
        )
        own = Scores(
            accuracy=ev["accuracy"] if ev.get("accuracy") is not None else ev["exact_match"],
            macro_f1=ev["macro_avg"]["f1"],
            micro_f1=ev["micro"]["f1"],
        )
    else:
        worker = [sys.executable, str(Path(__file__).resolve()), "worker"]
        train = measure([*worker, "train", system, str(train_csv), str(model)], work)
        predict = measure([*worker, "predict", system, str(model), str(test_csv), str(out)], work)
        own = None
    pred = read_topics(out)
    scores = score(gold, pred, multi)
    empty = sum(1 for p in pred if not p)
    if empty:
        notes.append(f"{empty:,} of {len(pred):,} test documents got no topic")
    if own is not None:
        diffs = {k: (getattr(scores, k), getattr(own, k)) for k in ("accuracy", "macro_f1", "micro_f1")}
        bad = {k: v for k, v in diffs.items() if abs(v[0] - v[1]) > 1e-9}
        notes.append("tagger eval agrees" if not bad else f"tagger eval DISAGREES: {bad}")
    return Result(system, scores, train, predict, model.stat().st_size / 1e6, notes)


def fmt_table(results: list[Result], n_test: int, multi: bool) -> str:
    acc = "exact match" if multi else "accuracy"
    head = (
        f"| system | cores used train/predict | {acc} | macro-F1 | micro-F1 | train (s) | predict (docs/s) "
        "| predict excl. start-up (docs/s) | train peak RSS (MB) | predict peak RSS (MB) | model (MB) |"
    )
    lines = [head, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        excl = f"{n_test / r.predict_work_s:,.0f}" if r.predict_work_s else "same"
        lines.append(
            f"| {DISPLAY[r.system]} | {r.train.cpu_s / r.train.wall_s:.1f}/{r.predict.cpu_s / r.predict.wall_s:.1f} | {r.scores.accuracy:.4f} | {r.scores.macro_f1:.4f} "
            f"| {r.scores.micro_f1:.4f} | {r.train.wall_s:.2f} | {n_test / r.predict.wall_s:,.0f} | {excl} "
            f"| {r.train.rss_mb:,.0f} | {r.predict.rss_mb:,.0f} | {r.model_mb:,.1f} |"
        )
    return "\n".join(lines)


def fmt_ratios(by: dict[str, Result], n_test: int) -> str:
    """The headline ratios on SANAD, for each tagger variant."""
    base, ft = by.get("sklearn-mnb"), by.get("fasttext")
    tags = [s for s in ("tagger-mnb", "tagger-cnb", "tagger-cnb-1core") if s in by]
    if not tags or not (base or ft):
        return ""

    def dps(r: Result) -> float:
        return n_test / r.predict.wall_s

    rows = []  # (label, function of a tagger result, needed comparator)
    if base:
        rows += [
            ("train time: tagger / sklearn MNB", lambda t: f"{t.train.wall_s / base.train.wall_s:.3f}x"),
            ("predict docs/s: tagger / sklearn MNB", lambda t: f"{dps(t) / dps(base):.1f}x"),
        ]
    if ft:
        rows += [
            ("predict docs/s: tagger / fastText", lambda t: f"{dps(t) / dps(ft):.1f}x"),
            ("macro-F1: tagger - fastText", lambda t: f"{t.scores.macro_f1 - ft.scores.macro_f1:+.4f}"),
        ]
    if base:
        rows += [
            ("train peak RSS: tagger / sklearn MNB", lambda t: f"{t.train.rss_mb / base.train.rss_mb:.3f}x"),
            ("predict peak RSS: tagger / sklearn MNB", lambda t: f"{t.predict.rss_mb / base.predict.rss_mb:.3f}x"),
        ]
    lines = ["| ratio | " + " | ".join(DISPLAY[s] for s in tags) + " |", "|---|" + "---:|" * len(tags)]
    for label, fn in rows:
        lines.append(f"| {label} | " + " | ".join(fn(by[s]) for s in tags) + " |")
    return "\n".join(lines)


def machine_info(tagger: str) -> list[str]:
    def cmd(*c: str) -> str:
        try:
            return subprocess.run(c, capture_output=True, text=True, check=True).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "?"

    cpu = "?"
    mem_gb = 0.0
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_gb = int(line.split()[1]) / 1024**2
    commit = cmd("git", "-C", str(REPO), "rev-parse", "--short", "HEAD")
    dirty = cmd("git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no", "--", "src", "Cargo.toml", "Cargo.lock")
    if dirty and dirty != "?":
        commit += " (with uncommitted changes in src/ or Cargo files)"
    versions = []
    for mod in ("sklearn", "numpy", "scipy"):
        try:
            versions.append(f"{mod} {__import__(mod).__version__}")
        except ImportError:
            pass
    try:
        from importlib.metadata import PackageNotFoundError, version

        for dist in ("fasttext-wheel", "fasttext"):
            try:
                versions.append(f"{dist} {version(dist)}")
                break
            except PackageNotFoundError:
                pass
    except ImportError:
        pass
    load = os.getloadavg()
    return [
        f"- date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}",
        f"- machine: {len(os.sched_getaffinity(0))} cores (nproc), {cpu}, {mem_gb:.1f} GB RAM, {platform.system()} {platform.release()}",
        f"- load average at start: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}",
        f"- tagger: {cmd(tagger, '--version')}, commit {commit}, {cmd('rustc', '--version')}",
        f"- Python {platform.python_version()}, {', '.join(versions)}",
        f"- peak RSS measured with {'GNU time -v' if TIME_V else 'wait4 rusage'}",
    ]


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "worker":
        worker_main(sys.argv[2:])
        return
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data", help="folder with the corpora (default: ../shared/data beside the repository)")
    p.add_argument("--corpus", choices=["sanad", "mowjaz", "all"], default="all")
    p.add_argument("--systems", default=",".join(SYSTEMS), help=f"comma-separated subset of {','.join(SYSTEMS)}")
    p.add_argument("--tagger", default=str(REPO / "target" / "release" / "tagger"), help="tagger binary (release build)")
    p.add_argument("--work", type=Path, default=HERE / "work", help="models and label files (default: benches/compare/work, git-ignored)")
    p.add_argument("--repeat", type=int, default=1, help="run all systems N times over and keep each step's fastest time (default 1)")
    p.add_argument("--out", type=Path, default=HERE / "results.md", help="markdown report")
    args = p.parse_args()

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        p.error(f"unknown systems: {', '.join(sorted(unknown))}")
    if not os.access(args.tagger, os.X_OK) and any(s.startswith("tagger") for s in systems):
        p.error(f"no tagger binary at {args.tagger}: cargo build --release, or --tagger PATH")
    corpora = list(CORPORA) if args.corpus == "all" else [args.corpus]
    for c in corpora:
        for name in CORPORA[c][:2]:
            if not (args.data / name).is_file():
                p.error(f"missing {args.data / name} (see --data)")
    args.tagger = str(Path(args.tagger).resolve())

    report = ["# tagger vs scikit-learn and fastText", "", *machine_info(args.tagger), ""]
    for c in corpora:
        train_name, test_name, title = CORPORA[c]
        train_csv, test_csv = (args.data / train_name).resolve(), (args.data / test_name).resolve()
        work = args.work / c
        work.mkdir(parents=True, exist_ok=True)
        _, gold, multi = read_labeled(test_csv)
        n_train = sum(1 for _ in read_texts(train_csv))
        best: dict[str, Result] = {}
        load_before = os.getloadavg()
        # With --repeat, whole rounds over all systems rather than each system N times in a row:
        # a burst of load elsewhere on the machine then hits every system alike.
        for rnd in range(args.repeat):
            for s in systems:
                print(f"[{c}] round {rnd + 1}/{args.repeat}: {s} ...", file=sys.stderr, flush=True)
                r = run_system(s, args, train_csv, test_csv, work, gold, multi)
                print(
                    f"[{c}] {s}: {r.scores}, train {r.train.wall_s:.1f}s, predict {r.predict.wall_s:.2f}s",
                    file=sys.stderr, flush=True,
                )
                if s in best:  # keep the latest scores and notes, the fastest times
                    r.train = fastest(best[s].train, r.train)
                    r.predict = fastest(best[s].predict, r.predict)
                best[s] = r
        results = [best[s] for s in systems]
        report += [
            f"## {title}",
            "",
            f"Train on `{train_name}` ({n_train:,} documents), label `{test_name}` ({len(gold):,} documents). "
            f"Load average before: {load_before[0]:.2f}, after: {os.getloadavg()[0]:.2f}."
            + (f" Fastest of {args.repeat} rounds." if args.repeat > 1 else ""),
            "",
        ]
        ncores = len(os.sched_getaffinity(0))
        if max(load_before[0], os.getloadavg()[0]) > ncores:
            report += [
                f"**Warning:** other work was running (load average above {ncores} cores), so the "
                "timings are slower and less even than on an idle machine; a `cores used` well "
                "below 1.0 for a single-threaded system shows it. Use `--repeat 3`.",
                "",
            ]
        report += [fmt_table(results, len(gold), multi), ""]
        for r in results:
            for n in r.notes:
                report.append(f"- {DISPLAY[r.system]}: {n}")
        report.append("")
        if c == "sanad":
            ratios = fmt_ratios({r.system: r for r in results}, len(gold))
            if ratios:
                report += ["Ratios on SANAD:", "", ratios, ""]
    load = os.getloadavg()
    report.append(f"Load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}. Settings and column meanings: see README.md.")
    text = "\n".join(report) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    print(f"wrote {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
