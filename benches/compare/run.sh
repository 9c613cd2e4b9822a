#!/usr/bin/env bash
# Compares tagger with scikit-learn and fastText on ../shared/data, from a fresh clone:
#
#   bash benches/compare/run.sh [--data DIR] [--corpus sanad|mowjaz|all] [--systems A,B]
#                               [--repeat N] [--out FILE] [--work DIR]
#
# 1. creates benches/compare/.venv (git-ignored) and installs scikit-learn, numpy and the
#    fastText bindings from PyPI (once; later runs reuse it),
# 2. builds tagger in release mode (into $CARGO_TARGET_DIR if set, else target/),
# 3. runs compare.py, passing every argument through. It writes benches/compare/results.md.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
venv=$here/.venv
py=$venv/bin/python

if ! [ -x "$py" ] || ! "$py" -c 'import sklearn, numpy, fasttext' 2>/dev/null; then
    echo "== creating $venv" >&2
    python3 -m venv "$venv"
    "$py" -m pip install --quiet --disable-pip-version-check scikit-learn numpy
    # fasttext-wheel ships prebuilt wheels; the `fasttext` package itself is a source
    # distribution that needs a C++ compiler, so it is only the fallback.
    "$py" -m pip install --quiet --disable-pip-version-check fasttext-wheel \
        || "$py" -m pip install --quiet --disable-pip-version-check fasttext
    "$py" -c 'import sklearn, numpy, fasttext' # fail here, not halfway through the benchmark
fi

echo "== building tagger (profiling profile: release code with line tables, for perf)" >&2
cd "$repo"
cargo build --profile profiling --quiet
# Ask cargo where the binary went: CARGO_TARGET_DIR may be relative or set in a cargo config.
target_dir=$(cargo metadata --format-version 1 --no-deps \
    | "$py" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')

exec "$py" "$here/compare.py" --tagger "$target_dir/profiling/tagger" "$@"
