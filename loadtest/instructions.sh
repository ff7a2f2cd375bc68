#!/usr/bin/env bash
# Counts the server's own instructions per call (issue 7): a release
# server runs under `valgrind --tool=callgrind`, the load generator plays
# tests/cases/dev.jsonl against the health `Check`, `Screen` and
# `ScreenStream` in turn, and the counters are zeroed before and dumped
# after each run. Unlike requests per second, the counts hardly move when
# the machine is busy, so two builds can be compared on a shared machine.
#
#   loadtest/instructions.sh                # the release build of this tree
#   loadtest/instructions.sh path/to/msgscreen
#
# Prints, per RPC, the calls answered and the server's instructions per
# call, split for Screen and ScreenStream into the engine
# (`Screener::screen`), the handler around it (validation, metrics, logs,
# conversion: `service::Inner::screen` minus the engine) and the rest
# (tonic, h2, tokio, the socket calls' user side); then the ratios the
# issue's throughput targets are about, in instructions. Kernel time is
# not counted: see loadtest/run.sh for wall-clock throughput.
#
# Needs valgrind (Debian: `apt-get install valgrind`). Knobs
# (environment): PORT (50091), CONCURRENCY (32), DURATION (12s per RPC;
# the server runs about 50x slower under callgrind, so a run answers a few
# thousand calls). Traffic goes to 127.0.0.1 only; every run is bounded.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-50091}
CONCURRENCY=${CONCURRENCY:-32}
DURATION=${DURATION:-12s}
TARGET=${CARGO_TARGET_DIR:-target}

for tool in valgrind callgrind_control callgrind_annotate; do
  command -v "$tool" >/dev/null || {
    echo "instructions.sh: $tool not found; install valgrind (Debian: apt-get install valgrind)" >&2
    exit 2
  }
done

if [ $# -eq 0 ]; then
  cargo build --release --bin msgscreen --example loadgen
  SERVER="$TARGET/release/msgscreen"
else
  cargo build --release --example loadgen
  SERVER=$1
fi
LOADGEN="$TARGET/release/examples/loadgen"
ADDR="http://127.0.0.1:$PORT"
OUT=$(mktemp -d)

valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
  "$SERVER" serve --listen "127.0.0.1:$PORT" --metrics-listen 127.0.0.1:0 \
  >/dev/null 2>"$OUT/server.log" &
SERVER_PID=$!
cleanup() {
  kill -INT "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Under callgrind the ruleset build takes tens of seconds.
for _ in $(seq 1 240); do
  if "$LOADGEN" --addr "$ADDR" --call health -c 1 --warmup 0s --duration 200ms >/dev/null 2>&1; then
    break
  fi
  sleep 0.5
done
# Warm-up: the first messages build the lazy DFA states a long-running
# server already has.
"$LOADGEN" --addr "$ADDR" --call screen -c "$CONCURRENCY" --warmup 0s --duration 10s >/dev/null

inclusive() { # inclusive DUMP FUNCTION: the function's inclusive instructions
  # callgrind_annotate splits a function's lines by the source file of
  # inlined code; the whole function is its largest line.
  callgrind_annotate --inclusive=yes --auto=no --threshold=100 "$1" 2>/dev/null |
    awk -v f=":$2" '{
      name = $0; sub(/ \[[^]]*\]$/, "", name)
      if (substr(name, length(name) - length(f) + 1) == f) {
        n = $1; gsub(",", "", n); if (n + 0 > max) max = n + 0
      }
    } END { printf "%d\n", max }'
}

dump=0
declare -A PER_CALL
for call in health screen stream; do
  callgrind_control -z "$SERVER_PID" >/dev/null 2>&1
  "$LOADGEN" --addr "$ADDR" --call "$call" -c "$CONCURRENCY" --warmup 0s \
    --duration "$DURATION" --json >"$OUT/$call.json"
  callgrind_control -d "$SERVER_PID" >/dev/null 2>&1
  dump=$((dump + 1))
  file="$OUT/callgrind.out.$dump"
  # The dump is written after the command returns; wait until it is whole.
  for _ in $(seq 1 100); do
    grep -q '^totals:' "$file" 2>/dev/null && break
    sleep 0.2
  done
  sleep 0.5
  calls=$(sed -n 's/^ *"count": \([0-9]*\).*/\1/p' "$OUT/$call.json" | head -n 1)
  total=$(awk '/^totals:/ {print $2}' "$file")
  PER_CALL[$call]=$((total / calls))
  if [ "$call" = health ]; then
    printf '%-7s %7d calls  %8d instructions a call\n' "$call" "$calls" "${PER_CALL[$call]}"
  else
    engine=$(inclusive "$file" 'msgscreen::screen::Screener::screen')
    handler=$(inclusive "$file" 'msgscreen::service::Inner::screen')
    engine=$((${engine:-0} / calls))
    handler=$((${handler:-0} / calls - engine))
    printf '%-7s %7d calls  %8d instructions a call: engine %d, handler %d, the rest %d\n' \
      "$call" "$calls" "${PER_CALL[$call]}" "$engine" "$handler" \
      "$((PER_CALL[$call] - engine - handler))"
  fi
done

awk -v h="${PER_CALL[health]}" -v s="${PER_CALL[screen]}" -v t="${PER_CALL[stream]}" 'BEGIN {
  printf "health / Screen instructions: %.2f (the throughput target is Screen >= 0.85 x health)\n", h / s
  printf "Screen / ScreenStream instructions: %.2f (the throughput target is >= 2)\n", s / t
}'
