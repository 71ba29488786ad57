#!/usr/bin/env bash
# Local 3-master Redis Cluster for tests and people, from Debian's redis-server (the binary
# redis.sh uses). No replicas: a dead master leaves its slots unserved until it comes back, which
# is what the kill-a-master test stages. Persistence off, so data lives only as long as a node.
#
#   infra/dev/redis-cluster.sh up          start the 3 nodes, create the cluster if needed, wait
#                                          for cluster_state:ok, print REDIS_CLUSTER_URL=...
#   infra/dev/redis-cluster.sh down        stop the nodes started from this data dir, delete it
#   infra/dev/redis-cluster.sh env|status  exit 0 and print REDIS_CLUSTER_URL=... if it is up
#   infra/dev/redis-cluster.sh start-node PORT
#                                          restart one stopped member from its nodes.conf (it rejoins
#                                          with its id and slots) and wait for cluster_state:ok
#
# Env: RISKGATE_DEV_REDIS_CLUSTER_PORT (first port, default 7301; nodes on PORT..PORT+2; the
#        cluster bus on each port + 10000),
#      RISKGATE_DEV_REDIS_CLUSTER_DIR (default .cache/dev/redis-cluster; a second cluster needs its own),
#      RISKGATE_DEV_REDIS_CLUSTER_NODE_TIMEOUT (ms, default 2000: how soon a dead master is marked failed),
#      RISKGATE_DEV_REDIS_START_TIMEOUT (seconds, default 20).
# `up` reuses a healthy cluster already answering on these ports, also one started from another
# checkout (like the shared dev Redis); ports taken by anything else fail loudly.
set -euo pipefail
RISKGATE_LOG_TAG=redis-cluster
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FIRST_PORT=${RISKGATE_DEV_REDIS_CLUSTER_PORT:-7301}
PORTS=("$FIRST_PORT" "$((FIRST_PORT + 1))" "$((FIRST_PORT + 2))")
RUN_DIR=${RISKGATE_DEV_REDIS_CLUSTER_DIR:-$RISKGATE_REPO/.cache/dev/redis-cluster}
NODE_TIMEOUT=${RISKGATE_DEV_REDIS_CLUSTER_NODE_TIMEOUT:-2000}
START_TIMEOUT=${RISKGATE_DEV_REDIS_START_TIMEOUT:-20}
REDIS_SERVER=${RISKGATE_REDIS_SERVER:-/usr/bin/redis-server}
REDIS_CLI=${RISKGATE_REDIS_CLI:-/usr/bin/redis-cli}
URL="redis+cluster://$(printf '127.0.0.1:%s,' "${PORTS[@]}" | sed 's/,$//')"

require_binaries() {
  if [[ ! -x $REDIS_SERVER || ! -x $REDIS_CLI ]]; then
    die "$REDIS_SERVER or $REDIS_CLI not found. Install Debian's Redis with:
    apt-get update && apt-get install -y redis-server"
  fi
}

cli() { "$REDIS_CLI" -h 127.0.0.1 -p "$1" "${@:2}" 2>/dev/null; }
pidfile() { echo "$RUN_DIR/$1/redis.pid"; }
ours() { pid_alive "$(pidfile "$1")" && grep -q 'redis-server' "/proc/$(<"$(pidfile "$1")")/cmdline" 2>/dev/null; }
info_field() { cli "$1" cluster info | tr -d '\r' | sed -n "s/^$2://p"; }

# healthy: every node answers, agrees the cluster is ok, knows the others and all slots are served.
healthy() {
  local p
  for p in "${PORTS[@]}"; do
    [[ $(info_field "$p" cluster_state) == ok ]] || return 1
    (($(info_field "$p" cluster_known_nodes) >= ${#PORTS[@]})) || return 1
    [[ $(info_field "$p" cluster_slots_assigned) == 16384 ]] || return 1
  done
}

wait_healthy() {
  local deadline=$((SECONDS + START_TIMEOUT))
  until healthy; do
    if ((SECONDS >= deadline)); then
      for p in "${PORTS[@]}"; do log "node $p: $(cli "$p" cluster info | tr -d '\r' | grep -E 'state|known|assigned' | tr '\n' ' ')"; done
      die "the cluster did not reach cluster_state:ok within ${START_TIMEOUT}s (logs: $RUN_DIR/<port>/redis.log)"
    fi
    sleep 0.2
  done
}

start_node() {
  local port=$1 dir="$RUN_DIR/$1" deadline
  if ours "$port"; then return 0; fi
  rm -f "$(pidfile "$port")"
  port_open "$port" && die "127.0.0.1:$port is taken by a process that is not part of this cluster. Set RISKGATE_DEV_REDIS_CLUSTER_PORT to use other ports."
  mkdir -p "$dir"
  # full coverage off: the slots of the live masters keep answering while one master is down.
  # nodes.conf (in --dir) keeps the node's id, peers and slots across a restart.
  "$REDIS_SERVER" \
    --daemonize yes \
    --bind 127.0.0.1 \
    --port "$port" \
    --cluster-enabled yes \
    --cluster-config-file nodes.conf \
    --cluster-node-timeout "$NODE_TIMEOUT" \
    --cluster-require-full-coverage no \
    --save '' \
    --appendonly no \
    --dir "$dir" \
    --pidfile "$(pidfile "$port")" \
    --logfile "$dir/redis.log" \
    --maxmemory 512mb \
    --maxmemory-policy noeviction ||
    die "redis-server on $port failed to start (log: $dir/redis.log)"
  deadline=$((SECONDS + START_TIMEOUT))
  until [[ $(cli "$port" ping) == PONG ]]; do
    ((SECONDS < deadline)) || die "node $port did not answer PING within ${START_TIMEOUT}s (log: $dir/redis.log)"
    sleep 0.1
  done
}

up() {
  require_binaries
  if healthy; then
    local p any_ours=0
    for p in "${PORTS[@]}"; do ours "$p" && any_ours=1; done
    if ((any_ours)); then
      log "already running on ${PORTS[*]}"
    else
      log "a healthy cluster (not started from $RUN_DIR) already answers on ${PORTS[*]}: using it, left alone"
    fi
    echo "REDIS_CLUSTER_URL=$URL"
    return 0
  fi
  local started=$SECONDS p fresh=1
  for p in "${PORTS[@]}"; do
    [[ -f "$RUN_DIR/$p/nodes.conf" ]] && fresh=0
  done
  if ((!fresh)); then
    # Nodes from an earlier run rejoin from their nodes.conf; a half-broken leftover is rebuilt below.
    for p in "${PORTS[@]}"; do start_node "$p"; done
    local deadline=$((SECONDS + 5))
    until healthy || ((SECONDS >= deadline)); do sleep 0.2; done
    if ! healthy; then
      log "the cluster in $RUN_DIR did not come back whole: starting it from scratch"
      down
      fresh=1
    fi
  fi
  if ((fresh)); then
    for p in "${PORTS[@]}"; do start_node "$p"; done
    "$REDIS_CLI" --cluster create $(printf '127.0.0.1:%s ' "${PORTS[@]}") \
      --cluster-replicas 0 --cluster-yes >"$RUN_DIR/create.log" 2>&1 ||
      die "redis-cli --cluster create failed (log: $RUN_DIR/create.log)"
  fi
  wait_healthy
  log "3-master Redis Cluster $("$REDIS_SERVER" --version | sed -E 's/.*v=([^ ]+).*/\1/') ready on ${PORTS[*]} in $((SECONDS - started))s"
  echo "REDIS_CLUSTER_URL=$URL"
}

down() {
  local p
  for p in "${PORTS[@]}"; do
    if [[ -s $(pidfile "$p") ]] && ! ours "$p"; then rm -f "$(pidfile "$p")"; fi
    stop_pid "$(pidfile "$p")" "Redis Cluster node $p" 15
  done
  # Only our own data dir is deleted: the ids in nodes.conf would not match a fresh cluster.
  rm -rf "$RUN_DIR"
}

env_line() {
  if healthy; then
    echo "REDIS_CLUSTER_URL=$URL"
    return 0
  fi
  log "not running (or not cluster_state:ok on ${PORTS[*]})"
  return 1
}

case "${1:-}" in
up | start) up ;;
down | stop) down ;;
env | status) env_line ;;
start-node)
  [[ " ${PORTS[*]} " == *" ${2:-} "* ]] || die "start-node needs one of the ports ${PORTS[*]}"
  [[ -f "$RUN_DIR/$2/nodes.conf" ]] || die "no $RUN_DIR/$2/nodes.conf: run 'up' first"
  require_binaries
  start_node "$2"
  wait_healthy
  log "node $2 rejoined; cluster_state:ok"
  ;;
*)
  echo "usage: $0 up|down|env|status|start-node PORT" >&2
  exit 2
  ;;
esac
