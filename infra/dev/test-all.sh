#!/usr/bin/env bash
# The project's one test command (`npm test`). First installs the missing Debian packages
# (system-packages.sh: as root; otherwise it says what to run and the run stops there), then
# runs every vitest test (all projects: unit, integration, and cluster, which runs the Redis-using
# integration tests again against the 3-master Redis Cluster: vitest.config.ts) and the Python
# tests of models/training against real services (Redis, the Redis Cluster, Kafka):
#   - REDIS_URL / KAFKA_BROKERS set: use those services, leave them alone.
#   - unset, but the dev service is already running (infra/dev/services.sh up): use it, leave it running.
#   - unset and not running: start it here (Kafka with an empty data dir) and stop it on exit,
#     also on failure and Ctrl-C.
# Arguments are passed to vitest (e.g. `npm test -- test/infra`).
# Then a 15-second load smoke (infra/dev/load-smoke.sh: a scoring-api of its own, `npm run load --
# steady` at 200/s with loose thresholds) so the load scenarios and vegeta cannot rot.
# Env: RISKGATE_TEST_PYTHON=0 skips the Python tests; RISKGATE_TEST_LOAD=0 skips the load smoke.
#      RISKGATE_TEST_SWEEP_HOURS (default 6; 0 = off): keys and topics of test runs older than that
#      are removed from the services before the run (runs younger than that, e.g. another
#      worktree's in progress, keep theirs). When vitest passes, the run removes its own.
#      RISKGATE_TEST_REDIS=cluster (`npm run test:cluster`): the whole Redis-using suite against the
#      3-master Redis Cluster instead: vitest's integration and timing projects only, every test that
#      uses the shared test Redis then talks to the cluster (vitest.config.ts names the few left out
#      and why); no unit tests, pytest or load smoke (none of them uses Redis).
set -euo pipefail
RISKGATE_LOG_TAG=test-all
# shellcheck source=infra/dev/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$RISKGATE_REPO"
DEV="$RISKGATE_REPO/infra/dev"

started=()
# shellcheck disable=SC2317 # invoked by the EXIT trap
cleanup() {
  local rc=$? i
  # Stop only what this script started, last started first; never fail the run because of cleanup.
  for ((i = ${#started[@]} - 1; i >= 0; i--)); do bash "$DEV/${started[i]}.sh" stop || true; done
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ensure_service NAME VAR: export VAR from an already running dev service or a new one.
ensure_service() {
  local name=$1 var=$2 line
  if [[ -n ${!var:-} ]]; then
    log "$var=${!var} (from the environment; not managed here)"
    return 0
  fi
  if line=$(bash "$DEV/$name.sh" status 2>/dev/null); then
    log "using the dev $name that is already running (left running)"
  else
    # Mark first: if start fails half way or is interrupted, cleanup still stops it.
    started+=("$name")
    line=$(RISKGATE_DEV_KAFKA_FRESH=1 bash "$DEV/$name.sh" start)
  fi
  line=$(grep "^$var=" <<<"$line" | tail -n 1)
  [[ -n $line ]] || die "$name.sh did not print $var=..."
  export "${line?}"
  log "$line"
}

bash "$DEV/system-packages.sh"
# The load generator, for the runner's test and the smoke (built once into .cache/bin).
bash "$DEV/vegeta.sh" >/dev/null
t0=$SECONDS
ensure_service redis REDIS_URL
ensure_service redis-cluster REDIS_CLUSTER_URL
ensure_service kafka KAFKA_BROKERS
# kafkajs prints a partitioner notice on every producer unless told not to.
export KAFKAJS_NO_PARTITIONER_WARNING=1
log "services ready in $((SECONDS - t0))s"
# What earlier runs left in the shared services goes first (test/support/sweep.ts): their Redis keys
# carry the feature store's 400-day TTL, so a dev Redis capped at 2 GB filled up run after run.
# A failed sweep does not fail the run.
node_modules/.bin/node test/support/sweep-cli.ts || log "the sweep of old test keys and topics failed (exit $?); continuing"
# This run's tag, in the name of every key prefix and topic the tests make (test/support/services.ts):
# a run that passes removes its own when it ends; a failed run's stay for a look, until a later sweep.
RISKGATE_TEST_RUN=$(od -An -tx1 -N2 /dev/urandom | tr -d ' \n')
export RISKGATE_TEST_RUN

status=0
projects=()
if [[ ${RISKGATE_TEST_REDIS:-} == cluster ]]; then
  log "RISKGATE_TEST_REDIS=cluster: the Redis-using tests against the Redis Cluster ($REDIS_CLUSTER_URL)"
  projects=(--project integration --project timing)
  export RISKGATE_TEST_PYTHON=0 RISKGATE_TEST_LOAD=0
fi

# --- vitest -------------------------------------------------------------------
# The Python venv serves vitest too: test/infra/k8s-manifests.test.ts validates infra/k8s with its
# kubernetes-validate (instant when the requirements are unchanged). Not for the cluster run, which
# leaves that test out. A venv that cannot be built fails that test, saying so.
if ((${#projects[@]} == 0)) && ! bash "$DEV/python-venv.sh"; then
  log "could not build models/training/.venv: test/infra/k8s-manifests.test.ts will fail"
fi
mkdir -p .cache/test
rm -f .cache/test/vitest.json
t1=$SECONDS
vitest_rc=0
npx vitest run --reporter=default --reporter=json --outputFile.json=.cache/test/vitest.json "${projects[@]}" "$@" ||
  vitest_rc=$?
log "vitest finished in $((SECONDS - t1))s with exit code $vitest_rc"
# vitest exits 130/143 on Ctrl-C/TERM by itself, so bash's INT trap does not fire: stop here.
if ((vitest_rc == 130 || vitest_rc == 143)); then
  log "interrupted"
  exit "$vitest_rc"
fi
if [[ -s .cache/test/vitest.json ]]; then
  # A plain 'N passed, N failed' line that any reader of the log understands.
  # shellcheck disable=SC2016 # JavaScript template literal, not shell
  node -e '
    const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`vitest: ${r.numPassedTests} passed, ${r.numFailedTests} failed` + (skipped ? `, ${skipped} skipped` : ""));
  ' .cache/test/vitest.json || true
fi
((vitest_rc == 0)) || status=1
if ((vitest_rc == 0)); then
  RISKGATE_TEST_SWEEP_RUN=$RISKGATE_TEST_RUN node_modules/.bin/node test/support/sweep-cli.ts ||
    log "the sweep of this run's keys and topics failed (exit $?); continuing"
fi

# --- pytest (models/training) ------------------------------------------------
if [[ ${RISKGATE_TEST_PYTHON:-1} == 0 ]]; then
  log "RISKGATE_TEST_PYTHON=0: skipping models/training tests"
elif [[ -d models/training/tests ]]; then
  t2=$SECONDS
  pytest_rc=0
  if [[ ! -f models/training/requirements.txt ]]; then
    log "models/training/tests exists but models/training/requirements.txt does not: cannot build the venv"
    pytest_rc=1
  elif ! bash "$DEV/python-venv.sh"; then
    log "could not build models/training/.venv"
    pytest_rc=1
  else
    models/training/.venv/bin/python -m pytest models/training/tests -q || pytest_rc=$?
    if ((pytest_rc == 5)); then
      log "pytest collected no tests in models/training/tests: counted as a failure"
    fi
  fi
  log "pytest finished in $((SECONDS - t2))s with exit code $pytest_rc"
  ((pytest_rc == 0)) || status=1
else
  log "no models/training/tests: no Python tests to run"
fi

# --- load smoke (load-tests) ----------------------------------------------------
if [[ ${RISKGATE_TEST_LOAD:-1} == 0 ]]; then
  log "RISKGATE_TEST_LOAD=0: skipping the load smoke"
else
  t3=$SECONDS
  load_rc=0
  bash "$DEV/load-smoke.sh" || load_rc=$?
  log "load smoke finished in $((SECONDS - t3))s with exit code $load_rc"
  ((load_rc == 0)) || status=1
fi

log "total $((SECONDS - t0))s: $([[ $status == 0 ]] && echo PASSED || echo FAILED)"
exit "$status"
