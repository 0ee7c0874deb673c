#!/usr/bin/env bash
# Creates (or completes) the Python virtual environment the benchmark baselines run in,
# and prints its directory on stdout. Idempotent: a package already installed at its
# pinned version is not reinstalled, and nothing is installed when all pins are met.
#
#   WATERSHED_PY_ENV   where the environment lives (default ~/.cache/watershed-py)
#   PYTHON             the interpreter that creates it (default python3)
#
# The pins are shared with anything else that uses the same environment (another
# script may create it concurrently for duckdb/pandas/pyarrow): keep them identical.
set -euo pipefail

PY_ENV="${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py}"
PYTHON="${PYTHON:-python3}"

# name==version, one per line. python-calamine reads the XLSX partner file for pandas
# (pandas' engine="calamine"); openpyxl is pandas' default XLSX reader, kept for comparison.
PINS=(
  "duckdb==2.0.0"
  "pandas==3.1.1"
  "pyarrow==26.0.1"
  "openpyxl==3.1.5"
  "python-calamine==0.9.1"
)

log() { printf 'python-env: %s\n' "$*" >&2; }

if [[ ! -x "$PY_ENV/bin/python" ]]; then
  log "creating $PY_ENV"
  mkdir -p "$(dirname "$PY_ENV")"
  # A concurrent creator may win the race; venv on an existing env is harmless.
  "$PYTHON" -m venv "$PY_ENV"
fi

missing=()
for pin in "${PINS[@]}"; do
  name="${pin%%==*}"
  want="${pin##*==}"
  have="$("$PY_ENV/bin/python" - "$name" <<'PY' 2>/dev/null || true
import sys
from importlib.metadata import version, PackageNotFoundError
try:
    print(version(sys.argv[1]))
except PackageNotFoundError:
    pass
PY
)"
  if [[ "$have" != "$want" ]]; then
    missing+=("$pin")
  fi
done

if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  "$PY_ENV/bin/python" -m pip install --quiet --disable-pip-version-check "${missing[@]}" >&2
fi

printf '%s\n' "$PY_ENV"
