#!/usr/bin/env bash
# Contract fuzzing of the scoring API: Schemathesis (PyPI, in models/training/.venv) generates
# requests from the published OpenAPI document (/docs/json) for every route, once per scope's key
# (score, review, admin), each against its own instance of the API on embedded defaults (so the
# admin run's kill-switch changes touch no other run). A run fails on any server error (5xx), any
# status or response the document does not describe, any 4xx that is not the error shape naming
# the field (test/system/fuzz/schemathesis_hooks.py), or an instance that is not healthy after.
#
# Two Schemathesis checks are off, on purpose:
# - positive_data_acceptance: the contract refuses some schema-valid bodies with a documented 400
#   naming the field (dates that do not exist, invalid IP addresses, card numbers in any string,
#   occurred_at in the future): rules JSON Schema cannot express.
# - unsupported_method: Fastify answers a method a path lacks with 404 `not_found`, not 405.
#
# Usage: bash infra/dev/fuzz-api.sh [max examples per operation and phase, default 100]
# Env: RISKGATE_FUZZ_SEED (Schemathesis seed; default random), RISKGATE_FUZZ_PHASES (default
#      examples,coverage,fuzzing,stateful; the test suite's short run: fuzzing), RISKGATE_FUZZ_KEEP=1 keeps the
#      work directory (API logs, Schemathesis output, the status log).
# Prints the requests sent, their statuses and the server errors seen per scope and in total, and
# writes the requests per route and status of each scope to routes-<scope>.txt in the work directory.
# Exit codes: 0 every check passed; 1 otherwise.
set -euo pipefail
RISKGATE_LOG_TAG=fuzz
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

MAX_EXAMPLES=${1:-100}
[[ $MAX_EXAMPLES =~ ^[1-9][0-9]*$ ]] || die "max examples must be a positive integer, got '$MAX_EXAMPLES'"
VENV="$RISKGATE_REPO/models/training/.venv"
NODE="$RISKGATE_REPO/node_modules/.bin/node"
[[ -x $VENV/bin/schemathesis ]] || die "no schemathesis in models/training/.venv: run bash infra/dev/python-venv.sh"
[[ -x $NODE ]] || die "no Node.js in node_modules: run npm ci"

WORK=$(mktemp -d)
API_PID=""
cleanup() {
  if [[ -n $API_PID ]] && kill -0 "$API_PID" 2>/dev/null; then
    kill "$API_PID" 2>/dev/null || true
    wait "$API_PID" 2>/dev/null || true
  fi
  if [[ ${RISKGATE_FUZZ_KEEP:-0} == 1 ]]; then log "work directory kept: $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

declare -A KEYS=(
  [score]="fuzz-score-key-0123456789abcdef"
  [review]="fuzz-review-key-0123456789abcdef"
  [admin]="fuzz-admin-key-0123456789abcdef"
)
API_KEYS="score:${KEYS[score]},review:${KEYS[review]},admin:${KEYS[admin]}"

free_port() {
  "$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

http_status() { curl -s -o /dev/null -w '%{http_code}' "$1" || true; }

status=0
total=0
total_5xx=0
for scope in score review admin; do
  port=$(free_port)
  # Embedded defaults: no Redis, no Kafka, whatever the caller's shell exports.
  (cd "$RISKGATE_REPO" && exec env -u REDIS_URL -u KAFKA_BROKERS PORT="$port" HOST=127.0.0.1 \
    RISKGATE_API_KEYS="$API_KEYS" LOG_LEVEL=warn "$NODE" services/scoring-api/src/main.ts) \
    >"$WORK/api-$scope.log" 2>&1 &
  API_PID=$!
  for _ in $(seq 1 120); do
    [[ $(http_status "http://127.0.0.1:$port/readyz") == 200 ]] && break
    kill -0 "$API_PID" 2>/dev/null || die "the API exited at start: $(tail -5 "$WORK/api-$scope.log")"
    sleep 0.5
  done
  [[ $(http_status "http://127.0.0.1:$port/readyz") == 200 ]] || die "the API did not become ready on :$port"

  statuses="$WORK/status-$scope.log"
  : >"$statuses"
  st_rc=0
  # From the work directory: Schemathesis' caches land there, not in the repository.
  (cd "$WORK" && PYTHONPATH="$RISKGATE_REPO/test/system/fuzz" SCHEMATHESIS_HOOKS=schemathesis_hooks \
    RISKGATE_FUZZ_STATUS_LOG="$statuses" \
    "$VENV/bin/schemathesis" run "http://127.0.0.1:$port/docs/json" \
    -H "Authorization: Bearer ${KEYS[$scope]}" \
    --max-examples "$MAX_EXAMPLES" --workers 1 --no-color --generation-database none \
    --phases "${RISKGATE_FUZZ_PHASES:-examples,coverage,fuzzing,stateful}" \
    --exclude-checks positive_data_acceptance,unsupported_method \
    ${RISKGATE_FUZZ_SEED:+--seed "$RISKGATE_FUZZ_SEED"} \
    >"$WORK/schemathesis-$scope.txt" 2>&1) || st_rc=$?

  healthz=$(http_status "http://127.0.0.1:$port/healthz")
  readyz=$(http_status "http://127.0.0.1:$port/readyz")
  requests=$(wc -l <"$statuses")
  server_errors=$(grep -c '^5' "$statuses" || true)
  total=$((total + requests))
  total_5xx=$((total_5xx + server_errors))
  summary=$(grep -E '^ +[0-9]+ generated' "$WORK/schemathesis-$scope.txt" | tr -s ' ' || true)
  by_status=$(cut -d' ' -f1 "$statuses" | sort | uniq -c | awk '{printf " %s×%s", $2, $1}')
  # Requests per route (method and path template) and status: "count status method path".
  awk '{print $1, $2, $3}' "$statuses" | sort -k2,3 -k1,1 | uniq -c >"$WORK/routes-$scope.txt"
  log "scope $scope: $requests requests (${by_status# }), $server_errors server errors, schemathesis exit $st_rc ($summary), healthz $healthz, readyz $readyz"
  if ((st_rc != 0)) || ((server_errors > 0)) || [[ $healthz != 200 || $readyz != 200 ]]; then
    status=1
    sed -n '/FAILURES/,$p' "$WORK/schemathesis-$scope.txt" | head -80 >&2
  fi
  kill "$API_PID" 2>/dev/null || true
  wait "$API_PID" 2>/dev/null || true
  API_PID=""
done

log "total: $total requests, $total_5xx server errors: $([[ $status == 0 ]] && echo PASSED || echo FAILED)"
exit "$status"
