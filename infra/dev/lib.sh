# shellcheck shell=bash
# Shared helpers for the infra/dev scripts. Sourced, never executed.

# Repo root = two levels above this file, so the scripts work from any cwd.
RISKGATE_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export RISKGATE_REPO

log() { printf '[%s] %s\n' "${RISKGATE_LOG_TAG:-dev}" "$*" >&2; }
die() {
  printf '[%s] ERROR: %s\n' "${RISKGATE_LOG_TAG:-dev}" "$*" >&2
  exit 1
}

# pid_alive PIDFILE -> 0 if the pidfile names a live process.
pid_alive() {
  local pidfile=$1 pid
  [[ -s $pidfile ]] || return 1
  pid=$(<"$pidfile")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

# port_open PORT -> 0 if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# start_detached PIDFILE LOGFILE CMD...: CMD in the background, in a session of its own, its pid in
# PIDFILE. A Ctrl-C in the terminal signals the whole foreground process group; in it, a service
# would start its shutdown on that SIGINT and take the calling script's SIGTERM (stop_pid) a moment
# later as a second signal, which ends it at once (services/common shutdown.ts): feature-ingest then
# never left its consumer group. Outside the group only stop_pid signals it, once. No nohup: Node.js
# resets the SIGHUP it ignores, and a session of its own has no terminal to hang up anyway.
start_detached() {
  local pidfile=$1 logfile=$2
  shift 2
  # A script's background job is not a process group leader, so setsid does not fork: $! is CMD.
  setsid "$@" >>"$logfile" 2>&1 </dev/null &
  echo "$!" >"$pidfile"
}

# start_detached_at NICE PIDFILE LOGFILE CMD...: start_detached, with the session's CPU weight (its
# autogroup, sched(7): the kernel shares the CPU between sessions first) at NICE, as nice(1) counts,
# from CMD's first instruction. Where the kernel has no autogroups, CMD runs at the default weight.
start_detached_at() {
  local nice=$1
  shift
  start_detached "$1" "$2" bash -c '{ echo "$0" >/proc/self/autogroup; } 2>/dev/null; exec "$@"' "$nice" "${@:3}"
}

# cpu_weight PID NICE: sets the CPU weight of PID's session (see start_detached_at). Fails when it
# cannot: no autogroups, no such process, or a raise back towards 0 without root (RLIMIT_NICE).
cpu_weight() {
  { echo "$2" >"/proc/$1/autogroup"; } 2>/dev/null
}

# stop_pid PIDFILE NAME TIMEOUT_S: SIGTERM, wait, then SIGKILL as a last resort.
stop_pid() {
  local pidfile=$1 name=$2 timeout=${3:-30} pid i
  if ! pid_alive "$pidfile"; then
    log "$name is not running"
    rm -f "$pidfile"
    return 0
  fi
  pid=$(<"$pidfile")
  log "stopping $name (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < timeout * 10; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name did not stop within ${timeout}s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  log "$name stopped"
}
