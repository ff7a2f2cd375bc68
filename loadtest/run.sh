#!/usr/bin/env bash
# Load-tests a release msgscreen server on this machine (issue 7).
#
# Builds release once, starts the server with the embedded ruleset, and
# plays tests/cases/dev.jsonl with examples/loadgen.rs against Screen,
# ScreenStream and the standard health Check (the baseline: a gRPC call
# that does no work), all at the same concurrency; then Screen at half its
# saturation rate for p99, and a soak run sampling the server's RSS.
#
#   loadtest/run.sh                       # defaults below
#   CONCURRENCY=64 DURATION=20s loadtest/run.sh
#
# Knobs (environment): PORT (50071), CONCURRENCY (32), DURATION (10s),
# SOAK (60s), SERVER_CPUS / CLIENT_CPUS (taskset lists; default: the
# server on CPU 0 and the load generator on CPU 1 when there are >= 2, so
# they do not steal each other's core; set both empty to disable).
# Traffic goes to 127.0.0.1 only, and every run is bounded in time.
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${PORT:-50071}
CONCURRENCY=${CONCURRENCY:-32}
DURATION=${DURATION:-10s}
SOAK=${SOAK:-60s}
if [ "$(nproc)" -ge 2 ]; then
  SERVER_CPUS=${SERVER_CPUS-0}
  CLIENT_CPUS=${CLIENT_CPUS-1}
else
  SERVER_CPUS=${SERVER_CPUS-}
  CLIENT_CPUS=${CLIENT_CPUS-}
fi
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(mktemp -d)

pin() { # pin CPUS CMD...: run CMD on the given CPUs, or anywhere if empty
  local cpus=$1
  shift
  if [ -n "$cpus" ]; then taskset -c "$cpus" "$@"; else "$@"; fi
}

cargo build --release --bin msgscreen --example loadgen
SERVER="$TARGET/release/msgscreen"
LOADGEN="$TARGET/release/examples/loadgen"
ADDR="http://127.0.0.1:$PORT"

# A simple command in the background, so $! is the server itself (taskset
# execs it), which the RSS readings and the final kill need.
if [ -n "$SERVER_CPUS" ]; then
  taskset -c "$SERVER_CPUS" "$SERVER" serve --listen "127.0.0.1:$PORT" --metrics-listen 127.0.0.1:0 2>"$OUT/server.log" &
else
  "$SERVER" serve --listen "127.0.0.1:$PORT" --metrics-listen 127.0.0.1:0 2>"$OUT/server.log" &
fi
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$SERVER_PID/status"; }
json_field() { # json_field FILE KEY: the first number after "KEY":
  sed -n "s/^ *\"$2\": \([0-9.e+-]*\).*/\1/p" "$1" | head -n 1
}

# Wait for the server to answer health checks (at most ~10 s).
for _ in $(seq 1 100); do
  if "$LOADGEN" --addr "$ADDR" --call health -c 1 --warmup 0s --duration 100ms >/dev/null 2>&1; then
    break
  fi
  sleep 0.1
done
sleep 1
IDLE_RSS=$(rss_kb)

load() { # load NAME ARGS...: run the generator, keep its JSON in $OUT/NAME.json
  local name=$1
  shift
  pin "$CLIENT_CPUS" "$LOADGEN" --addr "$ADDR" --json "$@" >"$OUT/$name.json" || {
    echo "load run $name failed:" >&2
    cat "$OUT/$name.json" >&2
    exit 1
  }
  printf '%-9s rps %10.1f   p50 %7.3f ms   p99 %7.3f ms\n' "$name" \
    "$(json_field "$OUT/$name.json" rps)" "$(json_field "$OUT/$name.json" p50)" \
    "$(json_field "$OUT/$name.json" p99)"
}

echo "server pid $SERVER_PID on CPUs '${SERVER_CPUS:-any}', load generator on CPUs '${CLIENT_CPUS:-any}'"
echo "concurrency $CONCURRENCY, $DURATION per run, corpus tests/cases/dev.jsonl"
load health --call health -c "$CONCURRENCY" --duration "$DURATION"
load screen --call screen -c "$CONCURRENCY" --duration "$DURATION"
load stream --call stream -c "$CONCURRENCY" --duration "$DURATION"

HEALTH_RPS=$(json_field "$OUT/health.json" rps)
SCREEN_RPS=$(json_field "$OUT/screen.json" rps)
STREAM_RPS=$(json_field "$OUT/stream.json" rps)
HALF=$(awk -v r="$SCREEN_RPS" 'BEGIN {printf "%.0f", r / 2}')
load half --call screen -c "$CONCURRENCY" --rate "$HALF" --duration "$DURATION"
HALF_P99=$(json_field "$OUT/half.json" p99)

# Soak: full load for $SOAK, sampling RSS every 5 s.
if [ -n "$CLIENT_CPUS" ]; then PIN=(taskset -c "$CLIENT_CPUS"); else PIN=(); fi
"${PIN[@]}" "$LOADGEN" --addr "$ADDR" --json --call screen -c "$CONCURRENCY" \
  --warmup 0s --duration "$SOAK" >"$OUT/soak.json" &
SOAK_PID=$!
SAMPLES=()
while kill -0 "$SOAK_PID" 2>/dev/null; do
  SAMPLES+=("$(rss_kb)")
  sleep 5
done
wait "$SOAK_PID" || { echo "soak run failed:" >&2; cat "$OUT/soak.json" >&2; exit 1; }
SOAK_RPS=$(json_field "$OUT/soak.json" rps)

echo
echo "== results (ratios are of runs at the same concurrency, same server) =="
awk -v h="$HEALTH_RPS" -v s="$SCREEN_RPS" -v t="$STREAM_RPS" -v p="$HALF_P99" -v half="$HALF" \
  -v idle="$IDLE_RSS" 'BEGIN {
  printf "Screen / health Check throughput: %.2f (target >= 0.85: %s)\n", s / h, (s / h >= 0.85 ? "met" : "NOT met")
  printf "ScreenStream / Screen throughput: %.2f (target >= 2: %s)\n", t / s, (t / s >= 2 ? "met" : "NOT met")
  printf "Screen p99 at half saturation (%d calls/s): %.3f ms (target <= 2 ms: %s)\n", half, p, (p <= 2 ? "met" : "NOT met")
  printf "idle RSS: %.1f MB (target <= 50 MB: %s)\n", idle / 1024, (idle / 1024 <= 50 ? "met" : "NOT met")
}'
printf 'soak (%s at %.0f calls/s) RSS samples, MB:' "$SOAK" "$SOAK_RPS"
for kb in "${SAMPLES[@]}"; do printf ' %.1f' "$(awk -v k="$kb" 'BEGIN {print k / 1024}')"; done
echo
# Flat: after the first sample, no sample exceeds it by more than 10 %.
printf '%s\n' "${SAMPLES[@]}" | awk 'NR == 2 {first = $1} NR > 2 && $1 > max {max = $1}
  END {
    if (first == 0) { print "RSS flatness: too few samples"; exit }
    if (max < first) max = first
    g = (max - first) / first
    printf "RSS growth after warm-up: %.1f%% (flat if <= 10%%: %s)\n", g * 100, (g <= 0.10 ? "met" : "NOT met")
  }'
