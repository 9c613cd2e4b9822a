#!/usr/bin/env bash
# Exact sharded training and labeling with tagger on Apache Spark (local mode), in one command:
#   scripts/spark/run.sh [--data DIR] [--partitions N] [other job.py options]
# Creates scripts/spark/.venv with pyspark from PyPI, builds tagger (release), and runs
# scripts/spark/job.py with spark-submit --master local[4]. Exits non-zero if a check fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../.." && pwd)"
VENV="$HERE/.venv"
MASTER="${SPARK_MASTER:-local[4]}"
PYTHON="${PYTHON:-python3}"

# Java 17 or later (pyspark 4 needs it).
if [ -z "${JAVA_HOME:-}" ]; then
    if ! command -v java >/dev/null 2>&1; then
        echo "run.sh: no java on PATH; install Java 17 (apt-get install openjdk-17-jre-headless) or set JAVA_HOME" >&2
        exit 1
    fi
    JAVA_HOME="$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")"
    export JAVA_HOME
fi
java_major="$("$JAVA_HOME/bin/java" -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1)"
if [ "${java_major:-0}" -lt 17 ]; then
    echo "run.sh: $JAVA_HOME/bin/java is Java ${java_major:-?}; pyspark needs Java 17 or later" >&2
    exit 1
fi
echo "== Java $java_major at $JAVA_HOME"

if [ ! -x "$VENV/bin/spark-submit" ]; then
    echo "== creating $VENV and installing pyspark from PyPI"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --upgrade pip
    "$VENV/bin/pip" install --quiet pyspark
fi
echo "== $("$VENV/bin/pip" show pyspark 2>/dev/null | grep -E '^(Name|Version)' | tr '\n' ' ')"

echo "== building tagger (cargo build --release)"
(cd "$REPO" && cargo build --release --quiet)

export PYSPARK_PYTHON="$VENV/bin/python"
export PYSPARK_DRIVER_PYTHON="$VENV/bin/python"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
# Quiet Spark's own logging to warnings (the job prints its stages and timings).
cd "$HERE"
exec "$VENV/bin/spark-submit" \
    --master "$MASTER" \
    --driver-memory 4g \
    --conf "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:$HERE/log4j2.properties" \
    --conf spark.ui.enabled=false \
    --conf spark.ui.showConsoleProgress=false \
    "$HERE/job.py" "$@"
