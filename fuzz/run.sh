#!/usr/bin/env bash
# Bounded fuzzing of Watershed's readers and detectors: every target for SECONDS
# (default 60), seeded from crates/ingest/tests/corpus. Installs cargo-fuzz if
# missing; runs on stable through RUSTC_BOOTSTRAP=1. Build output and the growing
# corpus go to target/fuzz; crash inputs to fuzz/artifacts/<target>/.
#   bash fuzz/run.sh [SECONDS] [TARGET...]
# CI runs it reproducibly: FUZZ_SEED and FUZZ_RUNS fix libFuzzer's seed and number of
# runs, FUZZ_WORK points the growing corpus at a fresh folder, FUZZ_TARGET_DIR keeps
# the sanitizer build between CI runs.
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(read_any delimited workbook json layout detect)
fi
command -v cargo-fuzz >/dev/null 2>&1 || cargo install cargo-fuzz --version 0.13.2 --locked
export RUSTC_BOOTSTRAP=1
seeds=../crates/ingest/tests/corpus
target_dir="${FUZZ_TARGET_DIR:-../target/fuzz}"
work="${FUZZ_WORK:-../target/fuzz/corpus}"
extra=()
[ -n "${FUZZ_SEED:-}" ] && extra+=(-seed="$FUZZ_SEED")
[ -n "${FUZZ_RUNS:-}" ] && extra+=(-runs="$FUZZ_RUNS")
# The seeds each target starts from (folders of the corpus).
seed_dirs() {
  case "$1" in
    delimited | layout | detect) echo text ;;
    json) echo json salesforce ;;
    workbook) echo calamine sheets ;;
    *) echo text json salesforce containers calamine sheets ;;
  esac
}
for target in "${targets[@]}"; do
  mkdir -p "$work/$target"
  # libFuzzer reads a flat folder: copy the seeds in once, named by their path.
  for dir in $(seed_dirs "$target"); do
    find "$seeds/$dir" -type f | while read -r f; do
      cp -n "$f" "$work/$target/seed_$(echo "${f#"$seeds"/}" | tr '/' '_')" 2>/dev/null || true
    done
  done
  cargo fuzz run --target-dir "$target_dir" "$target" "$work/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 "${extra[@]}"
done
