#!/usr/bin/env bash
# The Python environment the benchmark baselines run in: a virtual environment under
# ${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py} with pinned duckdb, pandas and pyarrow
# (the same pins and the same environment as scripts/python-env.sh of the Parquet export
# tests, so that neither reinstalls the other's packages) plus the two XLSX readers the
# pandas baseline may use (python-calamine, openpyxl).
# Idempotent: creates the environment and installs only what is missing or at another
# version; one installer at a time (flock on "$env_dir.lock", shared with
# scripts/python-env.sh). Prints the environment's python path as its only line of output.
#
#   WATERSHED_PY_ENV   where the environment lives (default ~/.cache/watershed-py)
#   WATERSHED_PYTHON   the interpreter that creates it (default python3)
set -euo pipefail

env_dir="${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py}"
base_python="${WATERSHED_PYTHON:-python3}"
# Keep the first three identical to scripts/python-env.sh.
requirements=(duckdb==1.5.6 pandas==3.1.1 pyarrow==26.0.1 python-calamine==0.9.1 openpyxl==3.1.5)

mkdir -p "$(dirname "$env_dir")"
exec 9>"$env_dir.lock"
flock 9

python="$env_dir/bin/python"
if [[ ! -x "$python" ]]; then
  if ! "$base_python" -m venv "$env_dir" >&2; then
    echo "python-env: cannot create a virtual environment with $base_python (on Debian: apt-get install python3-venv)" >&2
    exit 1
  fi
fi

satisfied() {
  "$python" - "${requirements[@]}" <<'PY'
import sys
from importlib.metadata import PackageNotFoundError, version
for requirement in sys.argv[1:]:
    name, wanted = requirement.split("==")
    try:
        if version(name) != wanted:
            sys.exit(1)
    except PackageNotFoundError:
        sys.exit(1)
PY
}

if ! satisfied; then
  echo "python-env: installing ${requirements[*]} into $env_dir" >&2
  "$python" -m pip install --disable-pip-version-check --quiet "${requirements[@]}" >&2
  satisfied || { echo "python-env: ${requirements[*]} still not importable after pip install" >&2; exit 1; }
fi
echo "$python"
