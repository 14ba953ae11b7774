#!/usr/bin/env bash
# Runs the README's test command N times (default 10) from a clean turbo cache while a
# bounded CPU burner keeps one core busy, then prints "N runs, K green".
# Each run's output is kept in $FLAKE_LOGS (default: a new temporary folder).
set -uo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || { echo "usage: scripts/flake-check.sh [RUNS]" >&2; exit 2; }
logs=${FLAKE_LOGS:-$(mktemp -d -t filebatch-flake-XXXXXX)}
mkdir -p "$logs"
pnpm_version=$(node -p "require('./package.json').packageManager.split('@')[1]")
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1

# One busy core, bounded in time so that it can never outlive a forgotten run.
node -e 'const end = Date.now() + 3 * 3600e3; while (Date.now() < end) {}' &
burner=$!
trap 'kill "$burner" 2>/dev/null' EXIT

green=0
for ((i = 1; i <= runs; i++)); do
  rm -rf .turbo/cache node_modules/.cache/turbo
  log="$logs/run-$i.log"
  started=$(date +%s)
  if TURBO_FORCE=true npx -y "pnpm@${pnpm_version}" test >"$log" 2>&1; then
    green=$((green + 1))
    verdict=green
  else
    verdict=red
  fi
  echo "run $i: $verdict in $(($(date +%s) - started)) s ($log)"
  if [ "$verdict" = red ]; then node scripts/failed-tests.mjs "$log" | sed 's/^/  /'; fi
done
echo "$runs runs, $green green"
[ "$green" -eq "$runs" ]
