#!/usr/bin/env bash
# The Python tools the Parquet export is tested against (DuckDB, pandas, pyarrow), at
# pinned versions, in a virtual environment under ${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py}.
# Arguments add further pinned packages to the same environment (bench/python-env.sh:
#   scripts/python-env.sh python-calamine==0.9.1 openpyxl==3.1.5).
# Idempotent: creates the environment and installs only when a package is missing or at
# another version. Prints the environment's python path as its only line of output (pip's
# messages go to stderr); exits non-zero when it cannot provide the tools.
set -euo pipefail

env_dir="${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py}"
base_python="${WATERSHED_PYTHON:-python3}"
requirements=(duckdb==1.5.6 pandas==3.1.1 pyarrow==26.0.1 "$@")

mkdir -p "$(dirname "$env_dir")"
# One installer at a time: tests running in parallel share the environment.
exec 9>"$env_dir.lock"
flock 9

python="$env_dir/bin/python"
if [ ! -x "$python" ]; then
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
