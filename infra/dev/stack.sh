#!/usr/bin/env bash
# The whole local stack without Docker (`npm run stack`): Redis, Kafka and Prometheus from the other
# infra/dev scripts, then feature-ingest and the scoring API from this checkout, wired together.
#
#   infra/dev/stack.sh [up]   start everything, print where each part listens and the API keys,
#                             then stay in the foreground: Ctrl-C stops it all
#   infra/dev/stack.sh down   stop everything (from another terminal: npm run stack -- down)
#   infra/dev/stack.sh status what runs, and the lines `npm run replay` reads (.cache/dev/stack/stack.env)
#
# Env: PORT (scoring API, default 8080), INGEST_METRICS_PORT (default 9464), and the ports of
# redis.sh, kafka.sh and prometheus.sh (RISKGATE_DEV_REDIS_PORT, RISKGATE_DEV_KAFKA_PORT,
# RISKGATE_DEV_PROMETHEUS_PORT). Logs: .cache/dev/stack/*.log. API keys are generated once per
# checkout into .cache/dev/stack/api-keys.env (mode 600) and reused; delete the file for new ones.
set -euo pipefail
RISKGATE_LOG_TAG=stack
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RISKGATE_REPO"
DEV="$RISKGATE_REPO/infra/dev"
RUN_DIR="$RISKGATE_REPO/.cache/dev/stack"
KEYS_FILE="$RUN_DIR/api-keys.env"
STACK_ENV="$RUN_DIR/stack.env"
export PORT=${PORT:-8080}
export INGEST_METRICS_PORT=${INGEST_METRICS_PORT:-9464}
API_URL="http://127.0.0.1:$PORT"
# npm scripts put the project's pinned Node.js 24 first on PATH; run directly, use it too.
NODE="$RISKGATE_REPO/node_modules/.bin/node"
[[ -x $NODE ]] || NODE=node

# export_from SCRIPT: start it and export the NAME=value lines it prints.
export_from() {
  local out line
  out=$(bash "$DEV/$1.sh" start) || die "$1.sh start failed"
  while IFS= read -r line; do
    [[ $line =~ ^[A-Z_]+= ]] && export "${line?}"
  done <<<"$out"
}

api_keys() {
  if [[ ! -s $KEYS_FILE ]]; then
    mkdir -p "$RUN_DIR"
    local score review admin
    score=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    review=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    admin=$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')
    (
      umask 077
      printf 'RISKGATE_SCORE_KEY=%s\nRISKGATE_REVIEW_KEY=%s\nRISKGATE_ADMIN_KEY=%s\n' "$score" "$review" "$admin" >"$KEYS_FILE"
    )
  fi
  # shellcheck disable=SC1090
  source "$KEYS_FILE"
  export RISKGATE_API_KEYS="score:$RISKGATE_SCORE_KEY,review:$RISKGATE_REVIEW_KEY,admin+review:$RISKGATE_ADMIN_KEY"
}

# start_service NAME READY_URL ARGS...: run a service in the background, wait until READY_URL answers 200.
start_service() {
  local name=$1 ready=$2 pidfile="$RUN_DIR/$1.pid" logfile="$RUN_DIR/$1.log"
  shift 2
  if pid_alive "$pidfile"; then
    log "$name already running (pid $(<"$pidfile"))"
    return 0
  fi
  : >"$logfile"
  start_detached "$pidfile" "$logfile" "$NODE" "$@"
  local deadline=$((SECONDS + 90)) started=$SECONDS waiting=no
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$ready" 2>/dev/null) == 200 ]]; do
    if ! pid_alive "$pidfile" || ((SECONDS >= deadline)); then
      tail -n 20 "$logfile" >&2 || true
      die "$name did not become ready on $ready (log: ${logfile#"$RISKGATE_REPO"/})"
    fi
    if ((SECONDS - started == 5)) && [[ $waiting == no ]]; then
      waiting=yes
      log "$name: still starting (feature-ingest joins its Kafka consumer group; after an unclean stop that waits for the old member's session, 30 s)"
    fi
    sleep 0.2
  done
  log "$name ready (pid $(<"$pidfile"), log ${logfile#"$RISKGATE_REPO"/})"
}

up() {
  local t0=$SECONDS
  # Redis, the Kafka broker (JDK + Maven) and Prometheus come from Debian: install what is missing.
  bash "$DEV/system-packages.sh"
  mkdir -p "$RUN_DIR"
  export_from redis
  export_from kafka
  api_keys
  export KAFKAJS_NO_PARTITIONER_WARNING=1
  # Ready once it consumes (joined its consumer group): an event replayed before that would wait.
  start_service feature-ingest "http://127.0.0.1:$INGEST_METRICS_PORT/readyz" services/feature-ingest/src/main.ts
  start_service scoring-api "$API_URL/readyz" --max-semi-space-size=32 --heap-growing-percent=400 \
    services/scoring-api/src/main.ts
  export_from prometheus
  cat >"$STACK_ENV" <<ENV
RISKGATE_API_URL=$API_URL
RISKGATE_INGEST_METRICS_URL=http://127.0.0.1:$INGEST_METRICS_PORT/metrics
REDIS_URL=$REDIS_URL
KAFKA_BROKERS=$KAFKA_BROKERS
PROMETHEUS_URL=$PROMETHEUS_URL
ENV
  cat <<SUMMARY

riskgate stack is up in $((SECONDS - t0))s:
  scoring API      $API_URL            (OpenAPI: $API_URL/docs)
  console          $API_URL/console
  metrics          $API_URL/metrics   feature-ingest: http://127.0.0.1:$INGEST_METRICS_PORT/metrics
  Prometheus UI    $PROMETHEUS_URL
  Redis            $REDIS_URL
  Kafka            $KAFKA_BROKERS (topics riskgate.*)
API keys (also in ${KEYS_FILE#"$RISKGATE_REPO"/}):
  score            $RISKGATE_SCORE_KEY
  review           $RISKGATE_REVIEW_KEY
  admin+review     $RISKGATE_ADMIN_KEY
Logs: ${RUN_DIR#"$RISKGATE_REPO"/}/*.log. Feed it: npm run replay -- --in <world> --score
Ctrl-C (or npm run stack -- down) stops everything.

SUMMARY
}

down() {
  # `npm run stack -- down` from another terminal ends the foreground `npm run stack`, whose trap stops
  # everything: wait for it (its worst case is the sum of the timeouts below) instead of stopping the
  # same services alongside it, which would send each a second SIGTERM and end its shutdown early.
  local fg="$RUN_DIR/stack.pid"
  if pid_alive "$fg" && [[ $(<"$fg") != "$$" ]]; then stop_pid "$fg" "the foreground stack" 120; fi
  rm -f "$fg"
  stop_pid "$RUN_DIR/scoring-api.pid" "scoring-api" 15
  stop_pid "$RUN_DIR/feature-ingest.pid" "feature-ingest" 15
  bash "$DEV/prometheus.sh" stop || true
  bash "$DEV/kafka.sh" stop || true
  bash "$DEV/redis.sh" stop || true
  rm -f "$STACK_ENV"
}

status() {
  local rc=0 name
  for name in scoring-api feature-ingest; do
    if pid_alive "$RUN_DIR/$name.pid"; then log "$name running (pid $(<"$RUN_DIR/$name.pid"))"; else
      log "$name not running"
      rc=1
    fi
  done
  bash "$DEV/redis.sh" status >/dev/null || rc=1
  bash "$DEV/kafka.sh" status >/dev/null || rc=1
  bash "$DEV/prometheus.sh" status >/dev/null || rc=1
  [[ -f $STACK_ENV ]] && cat "$STACK_ENV"
  return "$rc"
}

case "${1:-up}" in
up)
  trap 'echo; log "stopping the stack"; down; exit 130' INT TERM
  up
  echo "$$" >"$RUN_DIR/stack.pid"
  # In the foreground until Ctrl-C; a service that dies is reported, the rest keeps running.
  while sleep 2; do
    for name in scoring-api feature-ingest; do
      if [[ -s $RUN_DIR/$name.pid ]] && ! pid_alive "$RUN_DIR/$name.pid"; then
        log "$name exited (log: ${RUN_DIR#"$RISKGATE_REPO"/}/$name.log)"
        rm -f "$RUN_DIR/$name.pid"
      fi
    done
  done
  ;;
down) down ;;
status) status ;;
*)
  echo "usage: $0 [up]|down|status" >&2
  exit 2
  ;;
esac
