#!/usr/bin/env bash
# `npm run pipeline`: simulate → backfill → train → evaluate → backtest on the default sizes, each
# step timed (wall clock and CPU seconds), with a summary table at the end.
#
#   npm run pipeline -- [--out data/pipeline] [--seed 1] [--backtest-seeds 2,3] [--days N] [--checkouts-per-day N]
#
# The backtest reuses this run's world and table as its first world and adds one simulated world
# per --backtest-seeds (cached in data/backtest, keyed by the simulator and feature-store code).
# That second world is simulated and backfilled while this run's world is backfilled: both are
# single-threaded Node processes, so a 2-core machine runs them side by side. The model is written
# under --out, never into models/artifacts (shipping a champion is a separate, reviewed step).
# CPU seconds are what a dedicated machine spends; on a shared one, wall time also counts waiting.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="data/pipeline" seed=1 bt_seeds=2,3 size=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --backtest-seeds) bt_seeds="$2"; shift 2 ;;
    --days | --checkouts-per-day) size+=("$1" "$2"); shift 2 ;;
    -h | --help) sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pipeline: unknown option $1 (--help)" >&2; exit 2 ;;
  esac
done

cd "$repo"
node="$repo/node_modules/.bin/node"
run_py="$repo/models/training/run.sh"
logs="$out/logs"
rm -rf "$out/world" "$out/table" "$out/artifacts"
mkdir -p "$logs"
bash infra/dev/python-venv.sh >&2
export RISKGATE_SKIP_VENV_SETUP=1
started=$(date +%s.%N)

# step NAME CMD...: runs CMD with its output in $logs/NAME.log; /usr/bin/time writes
# "wall user sys" to $logs/NAME.time. Exits the pipeline when the step fails.
step() {
  local name="$1"
  shift
  echo "pipeline: $name ..." >&2
  if ! /usr/bin/time -f "%e %U %S" -o "$logs/$name.time" "$@" >"$logs/$name.log" 2>&1; then
    echo "pipeline: $name failed; last lines of $logs/$name.log:" >&2
    tail -n 20 "$logs/$name.log" >&2
    exit 1
  fi
}

step simulate "$node" models/simulator/src/cli.ts --out "$out/world" --seed "$seed" --quiet "${size[@]}"
step backtest-worlds "$run_py" backtest --prepare-only --seeds "$bt_seeds" "${size[@]}" &
prepare=$!
step backfill "$node" feature-store/src/backfill/cli.ts --in "$out/world" --out "$out/table"
step train "$run_py" train --in "$out/table" --out "$out/artifacts" --version pipeline
model="$out/artifacts/riskgate-fraud/pipeline"
# Exit 3 is the leak audit's verdict, printed in the log: the pipeline goes on to the backtest.
step evaluate bash -c '"$@"; rc=$?; [[ $rc -eq 0 || $rc -eq 3 ]]' _ \
  "$run_py" evaluate --model "$model" --in "$out/table" --json "$out/evaluate.json"
wait "$prepare" || { echo "pipeline: backtest-worlds failed (see $logs/backtest-worlds.log)" >&2; exit 1; }
step backtest "$run_py" backtest --world "$out/world:$out/table" --seeds "$bt_seeds" "${size[@]}" \
  --model "$model" --report-only
total=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')

printf '\npipeline timing (%s, %s cores, load average %s)\n' "$(hostname)" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %9s %9s\n' step "wall s" "CPU s"
for name in simulate backtest-worlds backfill train evaluate backtest; do
  read -r wall user sys <"$logs/$name.time"
  printf '%-16s %9.1f %9.1f\n' "$name" "$wall" "$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')"
done
printf '%-16s %9.1f   (backtest-worlds ran beside backfill, train and evaluate)\n' total "$total"
echo
tail -n +1 "$logs/backtest.log" | grep -v '^\[venv\]' || true
