#!/usr/bin/env bash
# Watershed benchmark: `watershed run` against the pandas and DuckDB baselines that do the
# bare consolidation of the same generated program (see bench/README.md).
#
#   bench/run.sh [--opportunities N] [--runs K] [--watershed-runs K] [--period FY2026-Q3]
#                [--seed S] [--skip-watershed] [--skip-baselines] [--no-build]
#                [--reuse-watershed OUT_DIR] [--workdir DIR] [--format table|json]
#
# 1. Builds `watershed` (cargo build --release -p watershed; CARGO_TARGET_DIR is honoured;
#    WATERSHED_BIN=path skips the build) and the baselines' Python environment
#    (bench/python-env.sh: ${WATERSHED_PY_ENV:-~/.cache/watershed-py}, pinned, idempotent,
#    shared with scripts/python-env.sh).
# 2. Generates the program once per (N, seed, watershed version) under the work folder
#    and reads its input files once so that every tool starts with a warm page cache.
# 3. Times K runs of each tool under /usr/bin/time -v (wall clock, CPU, peak RSS from the
#    OS): `watershed run` on a fresh store each time (with WATERSHED_STAGE_TIMINGS=1 for
#    per-stage timings), then once more over unchanged inputs, then `watershed kpis`,
#    then a rebuild of the stored dataset (the configuration changed: a comment appended
#    to watershed.toml for that run);
#    baseline_pandas.py and baseline_duckdb.py. Each writes the KPI table of the period.
#    --reuse-watershed bench/work/out-<time> takes Watershed's runs and KPI table from an
#    earlier invocation on the same program instead of running it again (at 1M it takes
#    minutes); its store must still be the program's watershed.db.
# 4. Compares the KPI tables (bench/harness.py compare) and prints medians, rows/s, the
#    ratios Watershed / pandas and Watershed / DuckDB and the agreement; the whole result
#    goes to bench/results/<time>-<N>.json (and bench/results/latest.json).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

N=1000000
RUNS=3
WS_RUNS=""
PERIOD="FY2026-Q3"
SEED=42
SKIP_WATERSHED=0
SKIP_BASELINES=0
BUILD=1
WORK="$HERE/work"
FORMAT="table"
REUSE=""

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }
log() { printf 'bench: %s\n' "$*" >&2; }

while (($# > 0)); do
  case "$1" in
    --opportunities) N="${2:?}"; shift 2 ;;
    --runs) RUNS="${2:?}"; shift 2 ;;
    --watershed-runs) WS_RUNS="${2:?}"; shift 2 ;;
    --period) PERIOD="${2:?}"; shift 2 ;;
    --seed) SEED="${2:?}"; shift 2 ;;
    --skip-watershed) SKIP_WATERSHED=1; shift ;;
    --skip-baselines) SKIP_BASELINES=1; shift ;;
    --no-build) BUILD=0; shift ;;
    --reuse-watershed) REUSE="${2:?}"; SKIP_WATERSHED=1; shift 2 ;;
    --workdir) WORK="${2:?}"; shift 2 ;;
    --format) FORMAT="${2:?}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument \`$1\` (see --help)" ;;
  esac
done
WS_RUNS="${WS_RUNS:-$RUNS}"
[[ "$N" =~ ^[0-9]+$ && "$RUNS" =~ ^[1-9][0-9]*$ && "$WS_RUNS" =~ ^[1-9][0-9]*$ ]] \
  || die "--opportunities, --runs and --watershed-runs take positive whole numbers"
[[ "$FORMAT" == table || "$FORMAT" == json ]] || die "--format is table or json"
[[ -x /usr/bin/time ]] || die "/usr/bin/time is needed for peak memory (Debian: apt-get install time)"

# --- the watershed binary
if [[ -n "${WATERSHED_BIN:-}" ]]; then
  WS="$WATERSHED_BIN"
else
  if ((BUILD)); then
    log "building watershed (cargo build --release -p watershed)"
    (cd "$ROOT" && cargo build --release -p watershed >&2)
  fi
  WS="${CARGO_TARGET_DIR:-$ROOT/target}/release/watershed"
fi
[[ -x "$WS" ]] || die "no watershed binary at $WS (build it, or set WATERSHED_BIN)"
WS_VERSION="$("$WS" --version | awk '{print $NF}')"

# --- the Python environment of the baselines
PY="$("$HERE/python-env.sh")"
H=("$PY" "$HERE/harness.py")

# --- the program
PROGRAM="$WORK/program-$N-seed$SEED"
MARK="$PROGRAM/.bench-generated"
WANT_MARK="watershed $WS_VERSION opportunities $N seed $SEED"
if [[ ! -f "$MARK" || "$(cat "$MARK")" != "$WANT_MARK" ]]; then
  log "generating $N opportunities into $PROGRAM"
  rm -rf "$PROGRAM"
  mkdir -p "$WORK"
  "$WS" generate --opportunities "$N" --seed "$SEED" "$PROGRAM" >&2
  printf '%s\n' "$WANT_MARK" > "$MARK"
fi
AS_OF="$("${H[@]}" as-of "$PROGRAM" "$PERIOD")"
SOURCE_ROWS="$("${H[@]}" source-rows "$PROGRAM")"
INPUT_BYTES="$(cat "$PROGRAM"/inbox/crm/* "$PROGRAM"/inbox/sheets/* "$PROGRAM"/inbox/partners/* | wc -c)"
# Warm the page cache for every tool alike.
find "$PROGRAM/inbox" "$PROGRAM/mappings" -type f -exec cat {} + > /dev/null

STAMP="$(date -u +%Y%m%dT%H%M%SZ)"
OUT="$WORK/out-$STAMP"
mkdir -p "$OUT/kpis" "$HERE/results"
RESULTS="$OUT/runs.jsonl"
: > "$RESULTS"

# measure TOOL RUN STDOUT_FILE -- COMMAND...: one timed run, recorded in $RESULTS.
measure() {
  local tool="$1" run="$2" stdout_file="$3"
  shift 4
  local tf="$OUT/$tool-$run.time" ef="$OUT/$tool-$run.stderr" status=0
  BENCH_LOAD="$(cut -d' ' -f1 /proc/loadavg)"
  /usr/bin/time -v -o "$tf" "$@" > "$stdout_file" 2> "$ef" || status=$?
  if ((status != 0)); then
    log "$tool run $run failed (exit $status); its stderr:"
    tail -n 20 "$ef" >&2
    return "$status"
  fi
  BENCH_LOAD="$BENCH_LOAD" "${H[@]}" record --tool "$tool" --run "$run" --time-file "$tf" --stderr-file "$ef" \
    --out "$RESULTS"
}

if ((!SKIP_WATERSHED)); then
  log "watershed: $WS_RUNS run(s) on a fresh store each"
  for ((i = 1; i <= WS_RUNS; i++)); do
    rm -f "$PROGRAM"/watershed.db "$PROGRAM"/watershed.db-*
    measure watershed "$i" "$OUT/watershed-run-$i.json" -- \
      env WATERSHED_STAGE_TIMINGS=1 "$WS" -C "$PROGRAM" run --quiet --format json
  done
  measure watershed-rerun 1 "$OUT/watershed-rerun.json" -- "$WS" -C "$PROGRAM" run --quiet --format json
  measure watershed-kpis 1 "$OUT/kpis/watershed.csv" -- \
    "$WS" -C "$PROGRAM" kpis --period "$PERIOD" --as-of "$AS_OF" --format csv
  # The everyday run of a store in use: the configuration changed (a comment is enough to
  # change its fingerprint), so the dataset is rebuilt from the raw layer in the store.
  cp "$PROGRAM/watershed.toml" "$OUT/watershed.toml.orig"
  printf '\n# bench: rebuild %s\n' "$STAMP" >> "$PROGRAM/watershed.toml"
  rebuild_status=0
  measure watershed-rebuild 1 "$OUT/watershed-rebuild.json" -- \
    env WATERSHED_STAGE_TIMINGS=1 "$WS" -C "$PROGRAM" run --quiet --format json || rebuild_status=$?
  cp "$OUT/watershed.toml.orig" "$PROGRAM/watershed.toml"
  ((rebuild_status == 0)) || exit "$rebuild_status"
fi

if [[ -n "$REUSE" ]]; then
  [[ -f "$REUSE/runs.jsonl" && -f "$REUSE/kpis/watershed.csv" && -f "$PROGRAM/watershed.db" ]] \
    || die "--reuse-watershed $REUSE: needs its runs.jsonl, kpis/watershed.csv and the program's watershed.db"
  grep -q "\"opportunities\": $N," "$REUSE/meta.json" || die "--reuse-watershed $REUSE is not a run of $N opportunities"
  log "reusing Watershed's runs and KPI table from $REUSE"
  grep '"tool": "watershed' "$REUSE/runs.jsonl" >> "$RESULTS"
  cp "$REUSE/kpis/watershed.csv" "$OUT/kpis/watershed.csv"
fi

if ((!SKIP_BASELINES)); then
  for tool in pandas duckdb; do
    log "$tool: $RUNS run(s)"
    for ((i = 1; i <= RUNS; i++)); do
      measure "$tool" "$i" /dev/null -- "$PY" "$HERE/baseline_$tool.py" "$PROGRAM" --period "$PERIOD" \
        --as-of "$AS_OF" --out "$OUT/kpis/$tool.csv"
    done
  done
fi

log "comparing KPI tables"
"${H[@]}" compare --period "$PERIOD" --as-of "$AS_OF" --program "$PROGRAM" --kpis "$OUT/kpis" --py "$PY" \
  --out "$OUT/compare.json"

"$PY" - "$OUT/meta.json" <<PYMETA
import json, os, platform, sys
import duckdb, pandas
json.dump({
    "opportunities": $N, "seed": $SEED, "period": "$PERIOD", "as_of": "$AS_OF",
    "source_rows": $SOURCE_ROWS, "input_mb": $INPUT_BYTES / 1e6,
    "watershed_version": "$WS_VERSION", "watershed_runs": $WS_RUNS, "baseline_runs": $RUNS,
    "duckdb": duckdb.__version__, "pandas": pandas.__version__, "python": platform.python_version(),
    "cpus": os.cpu_count(), "host": platform.platform(), "stamp": "$STAMP", "work": "$OUT",
    "watershed_reused_from": "$REUSE" or None,
}, open(sys.argv[1], "w"), indent=2)
PYMETA

JSON_OUT="$HERE/results/$STAMP-$N.json"
"${H[@]}" report --results "$RESULTS" --compare "$OUT/compare.json" --meta "$OUT/meta.json" \
  --format "$FORMAT" --json-out "$JSON_OUT"
cp "$JSON_OUT" "$HERE/results/latest.json"
log "results: $JSON_OUT (runs and KPI tables in $OUT)"
