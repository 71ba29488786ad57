#!/usr/bin/env bash
# Convenience for people: the whole local stack (Redis, a 3-master Redis Cluster, Kafka) in one command.
#
#   infra/dev/services.sh up     start all three (idempotent), print export lines
#   infra/dev/services.sh down   stop all three
#   infra/dev/services.sh env    print export lines for what is running
#
# Typical use:  eval "$(bash infra/dev/services.sh up)"  then  npx vitest run test/infra
# (npm test also reuses services started here and leaves them running.)
set -euo pipefail
RISKGATE_LOG_TAG=services
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
DEV="$RISKGATE_REPO/infra/dev"

# Human messages go to stderr; only `export X=...` lines go to stdout, so eval works.
exports() {
  local out
  out=$(bash "$DEV/$1.sh" "$2") || return 1
  grep -E '^[A-Z_]+=' <<<"$out" | sed 's/^/export /'
}

case "${1:-}" in
up)
  exports redis start
  exports redis-cluster up
  exports kafka start
  ;;
down)
  bash "$DEV/kafka.sh" stop
  bash "$DEV/redis-cluster.sh" down
  bash "$DEV/redis.sh" stop
  ;;
env)
  rc=0
  exports redis status || {
    log "Redis is not running (infra/dev/services.sh up)"
    rc=1
  }
  exports redis-cluster env || {
    log "the Redis Cluster is not running (infra/dev/services.sh up)"
    rc=1
  }
  exports kafka status || {
    log "Kafka is not running (infra/dev/services.sh up)"
    rc=1
  }
  exit "$rc"
  ;;
*)
  echo "usage: $0 up|down|env" >&2
  exit 2
  ;;
esac
