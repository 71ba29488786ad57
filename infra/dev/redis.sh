#!/usr/bin/env bash
# Local Redis for tests and people, from Debian's redis-server (no Docker here).
# Runs as a daemon on 127.0.0.1 with persistence off, so every start is empty
# and nothing is written outside .cache/dev/redis.
#
#   infra/dev/redis.sh start|stop|status
#
# Env: RISKGATE_DEV_REDIS_PORT (default 6399, away from a system Redis on 6379),
#      RISKGATE_DEV_REDIS_START_TIMEOUT (seconds, default 20).
set -euo pipefail
RISKGATE_LOG_TAG=redis
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=${RISKGATE_DEV_REDIS_PORT:-6399}
START_TIMEOUT=${RISKGATE_DEV_REDIS_START_TIMEOUT:-20}
RUN_DIR="$RISKGATE_REPO/.cache/dev/redis"
PIDFILE="$RUN_DIR/redis.pid"
LOGFILE="$RUN_DIR/redis.log"
URL="redis://127.0.0.1:$PORT"
REDIS_SERVER=${RISKGATE_REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${RISKGATE_REDIS_CLI:-/usr/bin/redis-cli}

require_binaries() {
  if [[ ! -x $REDIS_SERVER || ! -x $REDIS_CLI ]]; then
    die "$REDIS_SERVER or $REDIS_CLI not found. Install Debian's Redis with:
    apt-get update && apt-get install -y redis-server
(.ci/run does this; the package's own systemd service on 6379 is not used.)"
  fi
}

ping() {
  [[ $("$REDIS_CLI" -h 127.0.0.1 -p "$PORT" ping 2>/dev/null) == PONG ]]
}

running() {
  pid_alive "$PIDFILE" && grep -q 'redis-server' "/proc/$(<"$PIDFILE")/cmdline" 2>/dev/null
}

start() {
  require_binaries
  if running; then
    log "Redis already running (pid $(<"$PIDFILE")) on $URL"
    echo "REDIS_URL=$URL"
    return 0
  fi
  rm -f "$PIDFILE"
  if port_open "$PORT"; then
    die "127.0.0.1:$PORT is taken by another process (not ours). Set RISKGATE_DEV_REDIS_PORT to use another port."
  fi
  mkdir -p "$RUN_DIR"
  local started=$SECONDS
  # --save '' and --appendonly no: no RDB/AOF, a test store that starts empty.
  # --dir keeps any stray file (e.g. from a manual SAVE) inside the cache dir.
  "$REDIS_SERVER" \
    --daemonize yes \
    --bind 127.0.0.1 \
    --port "$PORT" \
    --save '' \
    --appendonly no \
    --dir "$RUN_DIR" \
    --pidfile "$PIDFILE" \
    --logfile "$LOGFILE" \
    --maxmemory 2gb \
    --maxmemory-policy noeviction ||
    die "redis-server failed to start (log: $LOGFILE)"
  local deadline=$((SECONDS + START_TIMEOUT))
  until ping; do
    if ((SECONDS >= deadline)); then
      tail -n 20 "$LOGFILE" >&2 || true
      die "Redis did not answer PING on $URL within ${START_TIMEOUT}s (log: $LOGFILE)"
    fi
    sleep 0.1
  done
  log "Redis $("$REDIS_SERVER" --version | sed -E 's/.*v=([^ ]+).*/\1/') ready on $URL in $((SECONDS - started))s (pid $(<"$PIDFILE"))"
  echo "REDIS_URL=$URL"
}

status() {
  if running && ping; then
    log "running (pid $(<"$PIDFILE"))"
    echo "REDIS_URL=$URL"
    return 0
  fi
  log "not running"
  return 1
}

stop() {
  if [[ -s $PIDFILE ]] && ! running; then
    rm -f "$PIDFILE"
  fi
  stop_pid "$PIDFILE" "Redis" 15
}

case "${1:-}" in
start) start ;;
stop) stop ;;
status) status ;;
*)
  echo "usage: $0 start|stop|status" >&2
  exit 2
  ;;
esac
