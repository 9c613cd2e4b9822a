"""label_frame against `tagger label` on the same CSV, in one run.

    python bindings/python/benches/label_frame.py [CSV] [--tagger target/release/tagger] [--runs 2]
        [--sklearn TRAIN.csv]

Prints the wall time of `tagger label CSV -o out.csv` beside pandas' read_csv + Model.default()
+ label_frame + to_csv, and checks that both wrote the same topics and scores.

--sklearn TRAIN.csv also trains, on TRAIN.csv, tagger (tagger.train) and scikit-learn's
TfidfVectorizer + ComplementNB pipeline with the same settings (1-2-grams, min_df 2, sublinear
tf, alpha 0.1; as benches/compare), and times labeling CSV with each from Python: label_frame
against the pipeline's predict_proba (scikit-learn's fastest path; no formatting).
"""

import argparse
import os
import subprocess
import tempfile
import time

import pandas as pd

import tagger

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("csv", nargs="?", default=os.path.join(ROOT, "..", "shared", "data", "sanad-khaleej-test.csv"))
    ap.add_argument("--tagger", default=os.path.join(ROOT, "target", "release", "tagger"))
    ap.add_argument("--runs", type=int, default=2)
    ap.add_argument("--sklearn", metavar="TRAIN.csv", help="also compare with scikit-learn, both trained on TRAIN.csv")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cli_out, py_out = os.path.join(tmp, "cli.csv"), os.path.join(tmp, "py.csv")
        for run in range(1, a.runs + 1):
            t = time.perf_counter()
            subprocess.run([a.tagger, "label", a.csv, "-o", cli_out, "-q"], check=True)
            cli = time.perf_counter() - t
            t = time.perf_counter()
            frame = pd.read_csv(a.csv)
            model = tagger.Model.default()
            model.label_frame(frame, text_column="text").to_csv(py_out, index=False)
            py = time.perf_counter() - t
            t = time.perf_counter()
            model.label_frame(frame, text_column="text")
            alone = time.perf_counter() - t
            print(f"run {run}: tagger label {cli:.2f} s; python {py:.2f} s ({py / cli:.2f}x); label_frame alone {alone:.2f} s")
        x, y = pd.read_csv(cli_out), pd.read_csv(py_out)
        same = len(x) == len(y) and (x["topics"].fillna("") == y["topics"].fillna("")).all() and (x["scores"] == y["scores"]).all()
        print(f"{len(x)} rows; same topics and scores: {same}")
    if a.sklearn:
        compare_sklearn(a.sklearn, a.csv, a.runs)


def compare_sklearn(train_csv, test_csv, runs):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import make_pipeline

    train, test = pd.read_csv(train_csv), pd.read_csv(test_csv)
    label = "label" if "label" in train.columns else "labels"
    t = time.perf_counter()
    ours = tagger.train(train["text"].tolist(), train[label].tolist())
    ours_fit = time.perf_counter() - t
    t = time.perf_counter()
    pipe = make_pipeline(TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True), ComplementNB(alpha=0.1))
    pipe.fit(train["text"], train[label])
    theirs_fit = time.perf_counter() - t
    print(f"train on {len(train)} rows: tagger.train {ours_fit:.2f} s; scikit-learn {theirs_fit:.2f} s "
          f"({theirs_fit / ours_fit:.1f}x)")
    for run in range(1, runs + 1):
        t = time.perf_counter()
        ours.label_frame(test, text_column="text")
        mine = time.perf_counter() - t
        t = time.perf_counter()
        pipe.predict_proba(test["text"])
        sk = time.perf_counter() - t
        print(f"run {run}: label {len(test)} rows: label_frame {mine:.2f} s; scikit-learn predict_proba {sk:.2f} s "
              f"({sk / mine:.1f}x)")


if __name__ == "__main__":
    main()
