#!/usr/bin/env bash
# Publishing benchmark: a generated program of N opportunities into PostgreSQL.
#
#   bench/publish.sh [--opportunities N] [--to postgres://…] [--schema NAME] [--workdir DIR] [--no-build]
#
# Generates the program (default 1,000,000 opportunities), runs it once (SQLite store),
# then publishes the reporting schema with `watershed publish` under /usr/bin/time -v and
# prints what publish reports (tables, rows, seconds, rows/s: build of the reporting model,
# binary COPY into a staging schema, the swap) with the wall clock and peak memory the OS
# measured. The database defaults to WATERSHED_TEST_POSTGRES_URL, else the local test
# server (postgres://postgres@127.0.0.1:5432/test); the schema defaults to bench_publish
# and is replaced by the publish, as every publish replaces its schema atomically.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
N=1000000
URL="${WATERSHED_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
SCHEMA="bench_publish"
WORK="$HERE/work"
BUILD=1

usage() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "${BASH_SOURCE[0]}"; }
die() { printf 'bench: %s\n' "$*" >&2; exit 2; }

while (($# > 0)); do
  case "$1" in
    --opportunities) N="${2:?}"; shift 2 ;;
    --to) URL="${2:?}"; shift 2 ;;
    --schema) SCHEMA="${2:?}"; shift 2 ;;
    --workdir) WORK="${2:?}"; shift 2 ;;
    --no-build) BUILD=0; shift ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument \`$1\` (see --help)" ;;
  esac
done
[[ -x /usr/bin/time ]] || die "/usr/bin/time is missing (Debian package \`time\`)"

TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
if [[ -n "${WATERSHED_BIN:-}" ]]; then
  BIN="$WATERSHED_BIN"
else
  if ((BUILD)); then (cd "$ROOT" && cargo build --release -p watershed >&2); fi
  BIN="$TARGET/release/watershed"
fi
[[ -x "$BIN" ]] || die "no watershed binary at $BIN"

DIR="$WORK/publish-$N"
if [[ ! -f "$DIR/watershed.db" ]]; then
  rm -rf "$DIR"
  "$BIN" generate "$DIR" --opportunities "$N" >&2
  "$BIN" -C "$DIR" run --quiet >&2
fi
LOG="$(mktemp)"
trap 'rm -f "$LOG"' EXIT
/usr/bin/time -v -o "$LOG" "$BIN" -C "$DIR" publish --to "$URL" --schema "$SCHEMA"
wall="$(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$LOG")"
rss="$(awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$LOG")"
opportunities="$(psql "$URL" -Atc "SELECT count(*) FROM \"$SCHEMA\".opportunities")"
printf 'publish of %s generated opportunities (%s golden opportunities in %s.opportunities): wall %s, peak memory %s MB\n' \
  "$N" "$opportunities" "$SCHEMA" "$wall" "$rss"
