#!/usr/bin/env python3
"""Cross-validation of the default model's corpus and settings, and its scores on the held-back
real articles. Used to choose the build settings (README, "Accuracy"); prints a JSON report.

    python3 scripts/default-model/cv.py [--per-section N] [--religion topic|none|out]
        [--project-weight W] [--folds K] [--holdout] [--outlet-dev] [-- extra tagger train options]

--outlet-dev adds the development set that chose the build's per-section count and tf: a model
trained without ASND's section posts (Al Jazeera), scored on them, so a setting is judged on an
outlet its model never saw, with neither the folds nor the held-back sets.

Folds are grouped by text, so a project text repeated W times is never in training and test at
once. Needs the release binary (cargo build --release) and ../shared/data.
"""

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
import corpus  # noqa: E402

TAGGER = os.path.join(corpus.ROOT, "target", "release", "tagger")


def run(args):
    subprocess.run([TAGGER] + args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def train(rows, path, extra, tmp):
    data = os.path.join(tmp, "train.csv")
    corpus.write_csv(data, [(t, l) for t, l, *_ in rows], ["text", "labels"])
    run(["train", data, "-o", path, "-q", "--mode", "multi"] + extra)


def scores(model, texts, tmp):
    data = os.path.join(tmp, "texts.csv")
    out = os.path.join(tmp, "out.csv")
    corpus.write_csv(data, [(t,) for t in texts], ["text"])
    run(["label", data, "--model", model, "--wide", "-q", "-o", out])
    result = []
    with open(out, newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            result.append({k[2:]: float(v) if v else 0.0 for k, v in r.items() if k.startswith("p_")})
    return result


def run_thresholds(model):
    """Each topic's threshold as stored in the model (`inspect --format json`)."""
    out = subprocess.run([TAGGER, "inspect", "--model", model, "--format", "json"], check=True, capture_output=True, text=True)
    info = json.loads(out.stdout)
    return {t["topic"]: t["threshold"] for t in info["topics"]}


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def metrics(truth, probs, thresholds, topics):
    per = {}
    TP = FP = FN = 0
    for t in topics:
        th = thresholds[t] if isinstance(thresholds, dict) else thresholds
        tp = fp = fn = 0
        for labels, p in zip(truth, probs):
            given = p.get(t, 0.0) >= th
            has = t in labels
            tp += given and has
            fp += given and not has
            fn += has and not given
        TP, FP, FN = TP + tp, FP + fp, FN + fn
        per[t] = dict(zip(["p", "r", "f1"], [round(x, 4) for x in prf(tp, fp, fn)]), support=tp + fn)
    p, r, f = prf(TP, FP, FN)
    macro = sum(v["f1"] for v in per.values()) / len(per)
    return {"micro": {"p": round(p, 4), "r": round(r, 4), "f1": round(f, 4)}, "macro_f1": round(macro, 4), "topics": per}


def best_thresholds(truth, probs, topics, slack=0.0):
    """Per topic, the middle of the widest run of thresholds (0.01..0.99) with the best
    out-of-fold F1."""
    out = {}
    grid = [i / 100 for i in range(1, 100)]
    for t in topics:
        f1s = []
        for th in grid:
            tp = sum(1 for l, p in zip(truth, probs) if p.get(t, 0) >= th and t in l)
            fp = sum(1 for l, p in zip(truth, probs) if p.get(t, 0) >= th and t not in l)
            fn = sum(1 for l, p in zip(truth, probs) if p.get(t, 0) < th and t in l)
            f1s.append(prf(tp, fp, fn)[2])
        best = max(f1s)
        if slack > 0:
            out[t] = grid[min(i for i, f in enumerate(f1s) if f >= best - slack)]
            continue
        idx = [i for i, f in enumerate(f1s) if f >= best - 1e-9]
        out[t] = grid[idx[len(idx) // 2]]
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--per-section", type=int, default=1500)
    ap.add_argument("--religion", choices=["topic", "none", "out"], default="topic")
    ap.add_argument("--no-asnd", action="store_true")
    ap.add_argument("--project-weight", type=int, default=1)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--holdout", action="store_true", help="also score the held-back sets")
    ap.add_argument("--slack", type=float, default=0.0, help="lowest threshold within this F1 of the best")
    ap.add_argument("--outlet-dev", action="store_true", help="also train without ASND's section posts and score them")
    ap.add_argument("extra", nargs="*")
    a = ap.parse_args()
    rows = corpus.assemble(a.per_section, {"topic": True, "none": False, "out": None}[a.religion], a.project_weight, not a.no_asnd)
    topics = sorted({t for _, l, _ in rows for t in l.split("|") if t})
    ten = [t for t in topics if t != "religion"]
    groups = {}
    for i, (text, _, _) in enumerate(rows):
        groups.setdefault(text, []).append(i)
    fold_of = [0] * len(rows)
    for text, idx in groups.items():
        f = int(corpus.content_hash(text), 16) % a.folds
        for i in idx:
            fold_of[i] = f
    oof = [None] * len(rows)
    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.bin")
        for f in range(a.folds):
            tr = [r for r, fo in zip(rows, fold_of) if fo != f]
            te = [i for i, fo in enumerate(fold_of) if fo == f]
            train(tr, model, a.extra, tmp)
            for i, p in zip(te, scores(model, [rows[i][0] for i in te], tmp)):
                oof[i] = p
        truth = [set(l.split("|")) - {""} for _, l, _ in rows]
        th = best_thresholds(truth, oof, topics, a.slack)
        report = {
            "rows": len(rows),
            "settings": vars(a),
            "cv_at_0.7": metrics(truth, oof, 0.7, ten),
            "thresholds": th,
            "cv_tuned": metrics(truth, oof, th, ten),
        }
        proj = [i for i, r in enumerate(rows) if r[2] == "tagger-project"]
        report["cv_project_texts_tuned"] = metrics([truth[i] for i in proj], [oof[i] for i in proj], th, ten)
        if a.holdout:
            train(rows, model, a.extra, tmp)
            report["holdout"] = {}
            for name, items in corpus.holdout_sets().items():
                probs = scores(model, [x[0] for x in items], tmp)
                tr = [set(x[1].split("|")) & set(topics) for x in items]
                report["holdout"][name] = {"tuned": metrics(tr, probs, th, ten), "at_0.7": metrics(tr, probs, 0.7, ten)}
                # the hidden sets' measure: the section's topic among those given
                sec = [(t, p) for t, p in zip(tr, probs) if t]
                hit = sum(1 for t, p in sec if any(p.get(x, 0) >= th[x] for x in t))
                report["holdout"][name]["section_found"] = round(hit / len(sec), 4) if sec else None
        if a.outlet_dev:
            dev = set(corpus.asnd_section_texts())
            train([r for r in rows if r[0] not in dev], model, a.extra + ["--tune-thresholds", str(a.folds)], tmp)
            items = [(t, l) for t, l, s in rows if s == "asnd" and t in dev]
            probs = scores(model, [t for t, _ in items], tmp)
            given = run_thresholds(model)
            truth_dev = [set(l.split("|")) - {""} for _, l in items]
            report["outlet_dev"] = metrics(truth_dev, probs, given, ten)
    json.dump(report, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
