#!/usr/bin/env bash
# The Python environment the benchmark baselines run in: scripts/python-env.sh's
# environment (${WATERSHED_PY_ENV:-$HOME/.cache/watershed-py}: pinned duckdb, pandas and
# pyarrow, shared with the Parquet export tests so that neither reinstalls the other's
# packages) plus the two XLSX readers the pandas baseline may use (python-calamine,
# openpyxl). Idempotent; prints the environment's python path as its only line of output.
set -euo pipefail
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/scripts/python-env.sh" python-calamine==0.9.1 openpyxl==3.1.5
