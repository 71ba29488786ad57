#!/usr/bin/env bash
# Creates or updates models/training/.venv (Python 3.11) from
# models/training/requirements.txt. Re-installs only when the requirements file
# (or the interpreter) changed, so a second run is instant.
#
# Env: RISKGATE_PYTHON (interpreter to use; default: python3.11 from PATH/pyenv).
# Exit codes: 0 ok (also when requirements.txt does not exist yet: nothing to do),
#             1 on any failure.
set -euo pipefail
RISKGATE_LOG_TAG=venv
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TRAINING="$RISKGATE_REPO/models/training"
REQS="$TRAINING/requirements.txt"
VENV="$TRAINING/.venv"
STAMP="$VENV/.riskgate-requirements.sha256"

if [[ ! -f $REQS ]]; then
  log "models/training/requirements.txt does not exist (yet): no Python environment to build; skipping."
  log "(it is owned by models/training; add it and rerun: bash infra/dev/python-venv.sh)"
  exit 0
fi

find_python() {
  if [[ -n ${RISKGATE_PYTHON:-} ]]; then
    echo "$RISKGATE_PYTHON"
    return
  fi
  local candidate
  for candidate in python3.11 "${PYENV_ROOT:-$HOME/.pyenv}"/versions/3.11*/bin/python3.11 /usr/bin/python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)' 2>/dev/null; then
      command -v "$candidate"
      return
    fi
  done
  die "no Python 3.11 found. Install one (e.g. pyenv install 3.11, or a Debian python3.11) or set RISKGATE_PYTHON."
}

PYTHON=$(find_python)
py_version=$("$PYTHON" -c 'import sys; print(".".join(map(str, sys.version_info[:3])))')
# The stamp covers the requirements and the interpreter: a new Python means a new venv.
want="$(sha256sum "$REQS" | cut -d' ' -f1) python-$py_version"

if [[ -x "$VENV/bin/python" && -f $STAMP && $(<"$STAMP") == "$want" ]]; then
  log "models/training/.venv is up to date (Python $py_version, requirements unchanged)"
  exit 0
fi

started=$SECONDS
if [[ -x "$VENV/bin/python" ]] && "$VENV/bin/python" -c "import sys; sys.exit(0 if '.'.join(map(str, sys.version_info[:3])) == '$py_version' else 1)"; then
  log "requirements changed: updating models/training/.venv"
else
  log "creating models/training/.venv with $PYTHON (Python $py_version)"
  rm -rf "$VENV"
  "$PYTHON" -m venv "$VENV"
fi
rm -f "$STAMP" # an interrupted install must not look complete
# pip's own config (find-links=/opt/wheels, cert) applies; --disable-pip-version-check
# keeps CI output quiet.
"$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQS"
printf '%s\n' "$want" >"$STAMP"
log "models/training/.venv ready in $((SECONDS - started))s"
