"""label_frame against `tagger label` on the same CSV, in one run.

    python bindings/python/benches/label_frame.py [CSV] [--tagger target/release/tagger] [--runs 2]

Prints the wall time of `tagger label CSV -o out.csv` beside pandas' read_csv + Model.default()
+ label_frame + to_csv, and checks that both wrote the same topics and scores.
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


if __name__ == "__main__":
    main()
