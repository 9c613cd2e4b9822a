#!/usr/bin/env bash
# tagger through Apache Spark in local mode, in one command:
#   scripts/spark/run.sh [spark-submit options] [-- job.py options]
# e.g. scripts/spark/run.sh --master 'local[2]' --driver-memory 2g -- --partitions 4
# Makes scripts/spark/.venv (pyspark from PyPI), builds tagger and its wheel (setup.sh), and
# runs job.py with spark-submit, passing every option before `--` to spark-submit and every
# option after it to job.py. Exits non-zero if a check fails. For a standalone cluster, see
# cluster.sh; for YARN or Kubernetes, README.md ("On a cluster").
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"

submit=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do submit+=("$1"); shift; done
[ "${1:-}" = "--" ] && shift
case " ${submit[*]-} " in
    *" --master "*|*" --master="*) ;;
    *) submit=(--master "local[2]" "${submit[@]}") ;;
esac
# The Python that runs the driver and, in local mode, the executors' workers: the venv's unless
# the caller chose one (PYSPARK_PYTHON, or --conf spark.pyspark.python, which Spark prefers).
export PYSPARK_PYTHON="${PYSPARK_PYTHON:-$VENV/bin/python}"
export PYSPARK_DRIVER_PYTHON="${PYSPARK_DRIVER_PYTHON:-$VENV/bin/python}"
export CARGO_TARGET_DIR="$TARGET"
cd "$HERE"
exec "$VENV/bin/spark-submit" \
    --conf "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:$HERE/log4j2.properties" \
    --conf spark.ui.enabled=false \
    --conf spark.ui.showConsoleProgress=false \
    "${submit[@]}" \
    "$HERE/job.py" "$@"
