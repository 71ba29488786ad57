#!/usr/bin/env bash
# Local Prometheus for people, from Debian's /usr/bin/prometheus (no Docker here): scrapes the
# scoring-api and feature-ingest you run on this machine (npm start, npm run start:ingest) and
# evaluates infra/prometheus/alerts.yml. The tests start their own Prometheus; this is not for them.
#
#   infra/dev/prometheus.sh start|stop|status
#
# Env: RISKGATE_DEV_PROMETHEUS_PORT (default 9099, away from a system Prometheus on 9090),
#      PORT or METRICS_PORT (scoring-api, default 8080), INGEST_METRICS_PORT (feature-ingest, default 9464),
#      RISKGATE_PROMETHEUS (binary, default /usr/bin/prometheus).
set -euo pipefail
RISKGATE_LOG_TAG=prometheus
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PROM_PORT=${RISKGATE_DEV_PROMETHEUS_PORT:-9099}
API_PORT=${METRICS_PORT:-${PORT:-8080}}
INGEST_PORT=${INGEST_METRICS_PORT:-9464}
PROMETHEUS=${RISKGATE_PROMETHEUS:-/usr/bin/prometheus}
RUN_DIR="$RISKGATE_REPO/.cache/dev/prometheus"
PIDFILE="$RUN_DIR/prometheus.pid"
LOGFILE="$RUN_DIR/prometheus.log"
CONFIG="$RUN_DIR/prometheus.yml"
URL="http://127.0.0.1:$PROM_PORT"

running() {
  pid_alive "$PIDFILE" && grep -q 'prometheus' "/proc/$(<"$PIDFILE")/cmdline" 2>/dev/null
}

write_config() {
  # Same jobs and rules as infra/prometheus/prometheus.yml (the compose one), aimed at localhost.
  cat >"$CONFIG" <<CONF
global:
  scrape_interval: 5s
  evaluation_interval: 5s
rule_files:
  - $RISKGATE_REPO/infra/prometheus/alerts.yml
scrape_configs:
  - job_name: scoring-api
    static_configs:
      - targets: ["127.0.0.1:$API_PORT"]
  - job_name: feature-ingest
    static_configs:
      - targets: ["127.0.0.1:$INGEST_PORT"]
CONF
}

start() {
  [[ -x $PROMETHEUS ]] || die "$PROMETHEUS not found. Install Debian's Prometheus: apt-get install -y prometheus"
  if running; then
    log "already running (pid $(<"$PIDFILE")) on $URL"
    echo "PROMETHEUS_URL=$URL"
    return 0
  fi
  rm -f "$PIDFILE"
  port_open "$PROM_PORT" && die "127.0.0.1:$PROM_PORT is taken by another process (not ours). Set RISKGATE_DEV_PROMETHEUS_PORT."
  mkdir -p "$RUN_DIR/data"
  write_config
  nohup "$PROMETHEUS" --config.file="$CONFIG" --storage.tsdb.path="$RUN_DIR/data" \
    --storage.tsdb.retention.time=2d --web.listen-address="127.0.0.1:$PROM_PORT" \
    >"$LOGFILE" 2>&1 </dev/null &
  echo "$!" >"$PIDFILE"
  local deadline=$((SECONDS + 30))
  until [[ $(curl -s -o /dev/null -w '%{http_code}' "$URL/-/ready" 2>/dev/null) == 200 ]]; do
    if ! running || ((SECONDS >= deadline)); then
      tail -n 20 "$LOGFILE" >&2 || true
      die "Prometheus did not become ready on $URL (log: $LOGFILE)"
    fi
    sleep 0.2
  done
  log "ready on $URL (targets: scoring-api 127.0.0.1:$API_PORT, feature-ingest 127.0.0.1:$INGEST_PORT)"
  echo "PROMETHEUS_URL=$URL"
}

status() {
  if running; then
    log "running (pid $(<"$PIDFILE")) on $URL"
    echo "PROMETHEUS_URL=$URL"
    return 0
  fi
  log "not running"
  return 1
}

stop() {
  if [[ -s $PIDFILE ]] && ! running; then rm -f "$PIDFILE"; fi
  stop_pid "$PIDFILE" "Prometheus" 15
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
