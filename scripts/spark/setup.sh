# Sourced by run.sh and cluster.sh: checks Java, makes scripts/spark/.venv (pyspark, pyarrow, pandas,
# numpy and maturin from PyPI, the first time), builds the tagger binary (used on the driver by
# the checks) and the Python package's wheel, and installs the wheel into the venv.
# Sets HERE, REPO, VENV, TARGET, WHEEL, JAVA_HOME and SPARK_HOME.

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
TARGET="${CARGO_TARGET_DIR:-$REPO/target}"
PYTHON="${PYTHON:-python3}"

# Java 17 or later (pyspark 4 needs it).
if [ -z "${JAVA_HOME:-}" ]; then
    if ! command -v java >/dev/null 2>&1; then
        echo "setup: no java on PATH; install Java 17 (apt-get install openjdk-17-jre-headless) or set JAVA_HOME" >&2
        exit 1
    fi
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
fi
export JAVA_HOME
java_major="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
if [ "${java_major:-0}" -lt 17 ]; then
    echo "setup: $JAVA_HOME/bin/java is Java ${java_major:-?}; pyspark needs Java 17 or later" >&2
    exit 1
fi
echo "== Java $java_major at $JAVA_HOME" >&2

if [ ! -x "$VENV/bin/spark-submit" ] || ! "$VENV/bin/python" -c 'import pyarrow, pandas, maturin' 2>/dev/null; then
    echo "== making $VENV: pyspark, pyarrow, pandas, numpy, maturin from PyPI" >&2
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    # pandas: pyspark 4.3 checks for it (>= 2.2) in mapInArrow too; it warns on pandas 3.
    "$VENV/bin/pip" install --quiet pyspark pyarrow "pandas>=2.2,<3" numpy maturin
fi
echo "== $("$VENV/bin/pip" show pyspark pyarrow 2>/dev/null | grep -E '^(Name|Version)' | tr '\n' ' ')" >&2

echo "== building tagger and its Python wheel (release)" >&2
(cd "$REPO" && cargo build --release --quiet)
WHEEL_DIR="$TARGET/wheels"
rm -f "$WHEEL_DIR"/tagger-*.whl
CARGO_TARGET_DIR="$TARGET/python" "$VENV/bin/maturin" build --quiet --release \
    -m "$REPO/bindings/python/Cargo.toml" -o "$WHEEL_DIR" >&2
WHEEL="$(ls "$WHEEL_DIR"/tagger-*.whl | head -1)"
"$VENV/bin/pip" install --quiet --force-reinstall --no-deps "$WHEEL"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# spark-submit looks for Spark with whatever python3 is on PATH; name the venv's pyspark.
SPARK_HOME="$("$VENV/bin/python" -c 'import os, pyspark; print(os.path.dirname(pyspark.__file__))')"
export SPARK_HOME
