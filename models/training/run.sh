#!/usr/bin/env bash
# Entry point for `npm run train` / `npm run evaluate`:
#   bash models/training/run.sh train --in <table dir> [flags]
#   bash models/training/run.sh evaluate --model <artifact dir> --in <table dir>
# Makes sure the virtualenv exists (infra/dev/python-venv.sh, if present), then runs the
# Python package with the venv's interpreter. Paths in the arguments stay relative to the
# caller's working directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
venv="$here/.venv"

if [[ -n "${RISKGATE_SKIP_VENV_SETUP:-}" ]]; then
  : # caller guarantees the venv (used by the tests, which already run inside it)
elif [[ -f "$repo/infra/dev/python-venv.sh" ]]; then
  bash "$repo/infra/dev/python-venv.sh" >&2
elif [[ ! -x "$venv/bin/python" ]]; then
  echo "run.sh: creating $venv from requirements.txt" >&2
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet -r "$here/requirements.txt"
fi

if [[ ! -x "$venv/bin/python" ]]; then
  echo "run.sh: no Python at $venv/bin/python (venv setup failed?)" >&2
  exit 1
fi

export PYTHONPATH="$here${PYTHONPATH:+:$PYTHONPATH}"
export MPLBACKEND=Agg
exec "$venv/bin/python" -m riskgate_training "$@"
