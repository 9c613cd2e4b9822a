#!/usr/bin/env bash
# The fuzzers in CI's short mode: each target runs a fixed number of inputs from a fixed seed,
# starting from the seed corpora (fuzz/seed.sh) and the committed regressions. Measured once in a
# fresh checkout on this 2-core machine (2026-12-03), with other builds running beside it (load
# average 8): 40:52 in all, 11:23 seeding (it builds fuzz/examples/seed_models.rs), 12:25 for
# `cargo fuzz build`, 17:04 fuzzing; an idle machine is faster. Any crash fails the run and
# leaves the input in fuzz/artifacts/<target>/; see fuzz/README.md, "Triage".
#
#   bash fuzz/ci.sh            # from anywhere; installs cargo-fuzz from crates.io if missing
#
# Long runs, to look for new bugs rather than to guard old ones, are in fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."

# -s none builds on stable Rust (README, "Install and run"); 0.13.2 is the version used for
# every run reported there.
if ! cargo fuzz --version >/dev/null 2>&1; then
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
bash fuzz/seed.sh
cargo fuzz build -s none

# target, inputs to run, -max_len, dictionary. From a fresh seed corpus, in the run above, the
# targets ran at 5,305, 114, 74, 289 and 38 inputs per second and took 380, 221, 110, 208 and 105
# seconds. Each target prints its time.
while read -r target runs max_len dict; do
  args=(-seed=1 -runs="$runs" -max_len="$max_len" -timeout=20 -rss_limit_mb=4096 -print_final_stats=1)
  [ "$dict" != - ] && args+=(-dict="fuzz/dicts/$dict")
  echo "fuzz: $target, $runs inputs" >&2
  started=$SECONDS
  log="fuzz/artifacts/$target.log"
  mkdir -p fuzz/artifacts
  if ! cargo fuzz run -s none "$target" "fuzz/corpus/$target" "fuzz/regressions/$target" -- "${args[@]}" >"$log" 2>&1; then
    grep -E -A30 'panicked|ERROR: libFuzzer' "$log" | head -60 >&2 || tail -40 "$log" >&2
    echo "fuzz: $target failed; its log is $log and the input is in fuzz/artifacts/$target/" >&2
    exit 1
  fi
  grep -E '#[0-9]+[[:space:]]+DONE' "$log" >&2 || true
  echo "fuzz: $target took $((SECONDS - started)) s" >&2
done <<'TARGETS'
normalize_tokenize 2000000 4096 text.dict
label_csv 25000 4096 csv.dict
train_csv 8000 4096 csv.dict
model_load 60000 852563 -
shard_load 4000 32768 -
TARGETS
echo "fuzz: every target ran without a crash" >&2
