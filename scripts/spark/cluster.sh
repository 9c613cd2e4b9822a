#!/usr/bin/env bash
# tagger on a real Spark standalone cluster started on this machine, then stopped:
#   scripts/spark/cluster.sh [job.py options]        (as root: unshare -m needs it)
#
# Starts a master and two one-core workers (spark-class ...deploy.master.Master / ...Worker).
# Each worker runs in its own mount namespace (unshare -m) where its work folder is a private
# tmpfs that no other process sees, and where the repository's venv is hidden under an empty
# tmpfs; its environment is emptied (env -i), so nothing of the venv is on its PATH. Executors
# get Python, pyarrow and tagger only from the archive shipped with --archives, and the model
# only through Spark. Then job.py trains and labels SANAD-Khaleej through the cluster and checks
# the results exactly; the driver runs in client mode here. A sampler records the peak memory of
# the driver and of each executor (JVM plus its Python workers). Everything started is stopped
# on exit, also on failure or Ctrl-C.
#
# Input CSVs are read from ../shared/data, which every worker sees, as it would see HDFS or S3;
# the labeled Parquet goes to a folder that all share for the same reason. Nothing else is shared.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/setup.sh"

if [ "$(id -u)" != 0 ]; then
    echo "cluster.sh: unshare -m and mount need root" >&2
    exit 1
fi
BASE="$(mktemp -d /tmp/tagger-cluster.XXXXXX)"
pids=()
cleanup() {
    local rc=$?
    for pid in "${pids[@]}"; do
        # Each was started with setsid: its process group holds the JVM and its children.
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    sleep 2
    for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
    rm -rf "$BASE"
    exit $rc
}
trap cleanup EXIT INT TERM

# The executors' Python: a fresh venv with the wheel, pyarrow, pandas and numpy (from pip's cache after
# the first run), packed as an archive. Its python is a link to this machine's python3, which
# workers have; everything else in it is relative to where Spark unpacks it.
echo "== packing the executors' Python environment" >&2
"$PYTHON" -m venv "$BASE/env"
"$BASE/env/bin/pip" install --quiet "$WHEEL" pyarrow "pandas>=2.2,<3" numpy
tar -czf "$BASE/tagger-env.tar.gz" -C "$BASE/env" .
rm -rf "$BASE/env"
echo "   $(du -h "$BASE/tagger-env.tar.gz" | cut -f1) archive" >&2

# Workers' SPARK_HOME: a copy of pyspark's jars and scripts outside the venv, which they cannot see.
SPARK_HOME_W="$BASE/spark"
cp -a "$SPARK_HOME" "$SPARK_HOME_W"
mkdir -p "$BASE/shared" "$BASE/driver-work" "$BASE/logs"

port="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
MASTER="spark://127.0.0.1:$port"
echo "== master at $MASTER" >&2
setsid env -i PATH=/usr/bin:/bin JAVA_HOME="$JAVA_HOME" SPARK_HOME="$SPARK_HOME_W" SPARK_LOCAL_IP=127.0.0.1 \
    "$SPARK_HOME_W/bin/spark-class" org.apache.spark.deploy.master.Master \
    --host 127.0.0.1 --port "$port" --webui-port 0 >"$BASE/logs/master.log" 2>&1 &
pids+=($!)

for i in 1 2; do
    dir="$BASE/worker$i"
    mkdir -p "$dir"
    # In the worker's own mount namespace: the work folder is a tmpfs only it sees, and the
    # repository's venv is an empty tmpfs.
    setsid unshare -m --propagation private bash -c '
        set -e
        mount -t tmpfs -o size=4g tmpfs "$1"
        mount -t tmpfs -o size=1m,ro tmpfs "$2"
        exec env -i PATH=/usr/bin:/bin HOME="$1" JAVA_HOME="$3" SPARK_HOME="$4" SPARK_LOCAL_IP=127.0.0.1 \
            SPARK_WORKER_DIR="$1" SPARK_LOCAL_DIRS="$1/local" \
            "$4/bin/spark-class" org.apache.spark.deploy.worker.Worker \
            --cores 1 --memory 4g --work-dir "$1" --webui-port 0 "$5"
    ' worker "$dir" "$VENV" "$JAVA_HOME" "$SPARK_HOME_W" "$MASTER" >"$BASE/logs/worker$i.log" 2>&1 &
    pids+=($!)
done
for _ in $(seq 60); do
    n="$(grep -c 'Registering worker' "$BASE/logs/master.log" || true)"
    [ "$n" -ge 2 ] && break
    sleep 1
done
if [ "${n:-0}" -lt 2 ]; then
    echo "cluster.sh: $n of 2 workers registered in 60 s; logs:" >&2
    tail -20 "$BASE"/logs/*.log >&2
    exit 1
fi
echo "== 2 workers registered" >&2
# Proof of the isolation, from inside worker 1's namespace: its view of the venv and of worker 2.
w1="$(pgrep -f 'deploy.worker.Worker.*' | head -1)"
echo "   worker 1 sees the venv as: $(nsenter -t "$w1" -m ls -A "$VENV" | wc -l) entries; worker 2's folder as: $(nsenter -t "$w1" -m ls -A "$BASE/worker2" | wc -l) entries" >&2

# Peak memory of the driver (spark-submit's JVM and its Python) and of each executor (its JVM
# and the Python workers it forks), sampled twice a second from /proc.
setsid "$PYTHON" - "$BASE/memory.json" <<'PY' &
import json, os, signal, sys, time
out, peaks, stop = sys.argv[1], {}, False
def on_term(*_):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
def procs():
    table = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/statm") as f:
                rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
            table[int(pid)] = (ppid, cmd, rss)
        except (OSError, IndexError, ValueError):
            pass
    return table
while not stop:
    table = procs()
    children = {}
    for pid, (ppid, _, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    def tree(pid):
        total, todo = 0, [pid]
        while todo:
            p = todo.pop()
            total += table.get(p, (0, "", 0))[2]
            todo += children.get(p, [])
        return total
    for pid, (_, cmd, _) in table.items():
        if "CoarseGrainedExecutorBackend" in cmd:
            key = "executor " + cmd.split("--executor-id ")[1].split()[0] if "--executor-id " in cmd else f"executor pid {pid}"
        elif "org.apache.spark.deploy.SparkSubmit" in cmd:
            key = "driver"
        else:
            continue
        peaks[key] = max(peaks.get(key, 0), tree(pid))
    time.sleep(0.5)
with open(out, "w") as f:
    json.dump({k: v / 2**20 for k, v in sorted(peaks.items())}, f)
PY
sampler=$!
pids+=($sampler)

# Executors on one host read each other's shuffle files from disk by default
# (spark.shuffle.readHostLocalDisk); here their folders are private, as on separate machines, so
# shuffle blocks are fetched over the network as between hosts.
echo "== job.py through $MASTER" >&2
export CARGO_TARGET_DIR="$TARGET"
cd "$HERE"
set +e
"$VENV/bin/spark-submit" \
    --master "$MASTER" \
    --deploy-mode client \
    --archives "$BASE/tagger-env.tar.gz#env" \
    --conf spark.pyspark.python=./env/bin/python \
    --conf "spark.pyspark.driver.python=$VENV/bin/python" \
    --conf spark.executor.cores=1 \
    --conf spark.executor.memory=2g \
    --conf spark.driver.host=127.0.0.1 \
    --conf spark.shuffle.readHostLocalDisk=false \
    --conf "spark.driver.extraJavaOptions=-Dlog4j2.configurationFile=file:$HERE/log4j2.properties" \
    --conf spark.ui.enabled=false \
    --conf spark.ui.showConsoleProgress=false \
    "$HERE/job.py" --work "file://$BASE/driver-work" --out "file://$BASE/shared/labels.parquet" "$@"
rc=$?
set -e
kill -TERM "$sampler" 2>/dev/null || true
for _ in $(seq 20); do [ -s "$BASE/memory.json" ] && break; sleep 0.5; done
echo "== peak memory (MiB, JVM + Python): $(cat "$BASE/memory.json" 2>/dev/null || echo unknown)"
exit $rc
