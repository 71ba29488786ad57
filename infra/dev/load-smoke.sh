#!/usr/bin/env bash
# The load-test smoke of `npm test`: starts a scoring-api of its own on the Redis and Kafka in
# REDIS_URL / KAFKA_BROKERS (own key prefix and topic prefix), runs `npm run load -- steady` at 200/s
# for 15 s with loose thresholds, and stops the API. Fails when a threshold misses, so the scenarios,
# the runner and vegeta cannot rot. The real numbers come from `npm run bench`, not from here.
#
#   infra/dev/load-smoke.sh
#
# Env: REDIS_URL, KAFKA_BROKERS (required), RISKGATE_LOAD_SMOKE_PORT (default 18280).
set -euo pipefail
RISKGATE_LOG_TAG=load-smoke
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RISKGATE_REPO"
: "${REDIS_URL:?REDIS_URL is required (npm test sets it)}"
: "${KAFKA_BROKERS:?KAFKA_BROKERS is required (npm test sets it)}"

PORT=${RISKGATE_LOAD_SMOKE_PORT:-18280}
RUN="smoke$(date +%s)$$"
KEY="load-smoke-score-key-$RUN"
OUT=.cache/load/smoke
mkdir -p "$OUT"

bash infra/dev/vegeta.sh >/dev/null
if port_open "$PORT"; then die "127.0.0.1:$PORT is taken: set RISKGATE_LOAD_SMOKE_PORT"; fi

api_pid=""
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$?
  if [[ -n $api_pid ]]; then
    kill -TERM "$api_pid" 2>/dev/null || true
    wait "$api_pid" 2>/dev/null || true
  fi
  # What the run wrote, so a shared dev Redis and broker do not fill up run after run.
  node_modules/.bin/node load-tests/bench/cleanup.ts "$RUN" || true
  exit "$rc"
}
trap cleanup EXIT

# The same flags as `npm start`; node from node_modules (Node 24), not the machine's. The smoke checks
# that the scenario, the runner and vegeta still work, not the overload policy: a 100 ms stall of a
# shared CI box (the default shed lag) answered 503 to 56 of 3,000 requests and failed errors=0, so
# this API sheds only past a 1 s event-loop lag (it still degrades at the default 30 ms).
PORT=$PORT HOST=127.0.0.1 REDIS_KEY_PREFIX="$RUN:" KAFKA_TOPIC_PREFIX="$RUN." \
  RISKGATE_API_KEYS="score:$KEY" LOG_LEVEL=warn ADMISSION_SHED_LAG_MS=1000 \
  node_modules/.bin/node --max-semi-space-size=32 --heap-growing-percent=400 services/scoring-api/src/main.ts \
  >"$OUT/api.log" 2>&1 &
api_pid=$!
for ((i = 0; i < 300; i++)); do
  port_open "$PORT" && break
  kill -0 "$api_pid" 2>/dev/null || die "scoring-api exited at start (log: $OUT/api.log)"
  sleep 0.1
done
log "scoring-api ready on $PORT; steady at 200/s for 15 s"

node_modules/.bin/node load-tests/src/cli.ts steady \
  --base-url "http://127.0.0.1:$PORT" --api-key "$KEY" --scale 0.2 --time-scale 0.25 \
  --threshold 'p99<500ms' --threshold 'p99.9<1s' --threshold 'dropped<=10' --out "$OUT"
