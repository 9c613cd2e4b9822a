#!/usr/bin/env bash
# Labels a 100,000-row CSV export of real Arabic news (SANAD-Khaleej articles from
# ../shared/data, cycled, with id/title/date columns around the text) on 1 and 2 threads, and a
# 10,000-row one, and prints rows/s, MB/s and peak RSS of each run. The 1-core run is pinned
# with taskset.
#
#   bash benches/label-100k.sh [DATA_DIR]
#
# The CSVs are written to $WORK (default /tmp/tagger-label-bench), never into the repository.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
data=${1:-$here/../shared/data}
work=${WORK:-/tmp/tagger-label-bench}
[ -f "$data/sanad-khaleej-train.csv" ] || { echo "needs $data/sanad-khaleej-train.csv (../shared/data beside the checkout)" >&2; exit 1; }
mkdir -p "$work"
cd "$here"
# The profiling profile: release code with line tables, so `perf record` on this same binary
# names functions and lines (Cargo.toml).
cargo build --profile profiling --quiet
tagger=${CARGO_TARGET_DIR:-$here/target}/profiling/tagger

python3 - "$data" "$work" <<'PY'
import csv, sys, itertools
data, work = sys.argv[1], sys.argv[2]
texts = []
for name in ("sanad-khaleej-train.csv", "sanad-khaleej-test.csv"):
    with open(f"{data}/{name}", encoding="utf-8", newline="") as f:
        texts += [row["text"] for row in csv.DictReader(f)]
for rows in (10_000, 100_000):
    with open(f"{work}/export-{rows}.csv", "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["id", "title", "published", "text"])
        for i, text in zip(range(rows), itertools.cycle(texts)):
            w.writerow([i, text[:60].replace("\n", " "), f"2025-{i % 12 + 1:02d}-{i % 28 + 1:02d}", text])
PY

[ -f "$work/sanad.bin" ] || "$tagger" train "$data/sanad-khaleej-train.csv" -o "$work/sanad.bin" --complement --quiet

run() { # rows threads: with 1, the whole process is pinned to one core (taskset), so the
        # reader and writer threads cannot borrow the second core.
    local rows=$1 jobs=$2 in="$work/export-$1.csv"
    local pin=""; [ "$jobs" = 1 ] && pin="taskset -c 0"
    local mb; mb=$(python3 -c "import os,sys; print(os.path.getsize(sys.argv[1]) / 1e6)" "$in")
    local out; out=$( { /usr/bin/time -f "%e %M" $pin "$tagger" -j "$jobs" label "$in" -o "$work/out.csv" --model "$work/sanad.bin" --quiet; } 2>&1 )
    local secs rss; read -r secs rss <<<"$(echo "$out" | tail -n 1)"
    local lines; lines=$(python3 -c "import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], encoding='utf-8'))) - 1)" "$work/out.csv")
    [ "$lines" = "$rows" ] || { echo "row count mismatch: $lines out for $rows in" >&2; exit 1; }
    python3 -c "import sys; r,j,s,mb,rss=sys.argv[1:]; r=int(r); s=float(s); print(f'| {r:,} | {j} | {s:.2f} | {r/s:,.0f} | {float(mb)/s:.1f} | {int(rss)/1024:.0f} |')" "$rows" "$jobs" "$secs" "$mb" "$rss"
}
echo "| rows | cores | seconds | rows/s | MB/s | peak RSS (MB) |"
echo "|---:|---:|---:|---:|---:|---:|"
run 100000 1
run 100000 2
run 10000 2
