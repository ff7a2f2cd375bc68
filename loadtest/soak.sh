#!/usr/bin/env bash
# Soak test (issue 8): a release server under steady load for a
# configurable time while its ruleset reloads, on this machine only.
#
# Plays tests/cases/dev.jsonl at a fixed rate with examples/loadgen.rs
# against a server watching a copy of wordlists/, changes a list file (a
# reload by file event) and sends SIGHUP (a reload by signal) in turn
# every RELOAD_EVERY seconds, samples the server's RSS every 5 s, and
# checks at the end:
#
#   - every call was answered: OK, or RESOURCE_EXHAUSTED (deliberate
#     shedding at --max-concurrency) and nothing else;
#   - the server counted as many answered messages as the client got OK;
#   - every reload succeeded, none failed, and the version changed;
#   - memory is flat: the RSS of the last quarter is within 20% (+16 MiB)
#     of the second quarter's (the first is warm-up).
#
#   loadtest/soak.sh                         # 5 minutes at 2000 req/s
#   DURATION=60s RATE=500 loadtest/soak.sh
#
# Knobs (environment): DURATION (300s), RATE (2000 req/s), CONCURRENCY
# (64), MAX_CONCURRENCY (the server's, 48: below CONCURRENCY, so bursts
# are shed on purpose), RELOAD_EVERY (10 s), PORT (50081), METRICS_PORT
# (9481). Bounded: it stops by itself after DURATION plus a few seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-300s}
RATE=${RATE:-2000}
CONCURRENCY=${CONCURRENCY:-64}
MAX_CONCURRENCY=${MAX_CONCURRENCY:-48}
RELOAD_EVERY=${RELOAD_EVERY:-10}
PORT=${PORT:-50081}
METRICS_PORT=${METRICS_PORT:-9481}
TARGET=${CARGO_TARGET_DIR:-target}
OUT=$(mktemp -d)
seconds=${DURATION%s}

cargo build --release --bin msgscreen --example loadgen
SERVER="$TARGET/release/msgscreen"
LOADGEN="$TARGET/release/examples/loadgen"

cp -r wordlists "$OUT/wordlists"
"$SERVER" serve --listen "127.0.0.1:$PORT" --metrics-listen "127.0.0.1:$METRICS_PORT" \
  --wordlists "$OUT/wordlists" --max-concurrency "$MAX_CONCURRENCY" --log-format json \
  2>"$OUT/server.log" &
SERVER_PID=$!
cleanup() {
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$OUT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

metrics() { curl -sf "http://127.0.0.1:$METRICS_PORT/metrics"; }
for _ in $(seq 100); do metrics >/dev/null 2>&1 && break; sleep 0.1; done
first_version=$(metrics | sed -n 's/^msgscreen_ruleset_info{version="\([^"]*\)".*/\1/p')

"$LOADGEN" --addr "http://127.0.0.1:$PORT" --call screen --rate "$RATE" \
  --concurrency "$CONCURRENCY" --duration "$DURATION" --json >"$OUT/load.json" &
LOAD_PID=$!

: >"$OUT/rss"
reloads=0
started=$(date +%s)
list=$(find "$OUT/wordlists" -path '*/en/*' -name '*.txt' -print -quit)
while kill -0 "$LOAD_PID" 2>/dev/null; do
  sleep 5
  awk '/VmRSS/ {print $2}' "/proc/$SERVER_PID/status" >>"$OUT/rss"
  elapsed=$(($(date +%s) - started))
  if [ $((elapsed / RELOAD_EVERY)) -gt "$reloads" ] && [ "$elapsed" -lt "$seconds" ]; then
    reloads=$((reloads + 1))
    # A comment changes the content hash, so each is a new version.
    echo "# soak reload $reloads" >>"$list"
    if [ $((reloads % 2)) -eq 0 ]; then kill -HUP "$SERVER_PID"; fi
  fi
done
wait "$LOAD_PID" || true
sleep 2
metrics >"$OUT/metrics.txt"

python3 - "$OUT" "$reloads" "$first_version" <<'PY'
import json, re, sys
out, reloads, first_version = sys.argv[1], int(sys.argv[2]), sys.argv[3]
load = json.load(open(f"{out}/load.json"))
metrics = open(f"{out}/metrics.txt").read()
rss = [int(x) for x in open(f"{out}/rss").read().split()]

def sample(pattern):
    return sum(float(m) for m in re.findall(r"^" + pattern + r"(?:\{[^}]*\})? (\S+)$", metrics, re.M))

problems = []
status = load["status"]
ok = status.get("OK", 0)
shed = status.get("ResourceExhausted", 0)
other = {k: v for k, v in status.items() if k not in ("OK", "ResourceExhausted")}
if other:
    problems.append(f"calls failed other than by shedding: {other}")
if ok == 0:
    problems.append("no call succeeded")
served = sample("msgscreen_requests_total")
if served < ok:
    problems.append(f"the client got {ok} answers but the server counted {served:.0f}")
success = float(re.search(r'msgscreen_reloads_total\{result="success"\} (\S+)', metrics).group(1))
failure = float(re.search(r'msgscreen_reloads_total\{result="failure"\} (\S+)', metrics).group(1))
version = re.search(r'msgscreen_ruleset_info\{version="([^"]*)"', metrics).group(1)
if failure:
    problems.append(f"{failure:.0f} reloads failed")
if reloads and (success < 1 or version == first_version):
    problems.append(f"{reloads} changes made, {success:.0f} reloads, version still {version}")
q = max(len(rss) // 4, 1)
second, last = rss[q:2 * q] or rss, rss[-q:]
base, end = sum(second) / len(second), sum(last) / len(last)
if end > base * 1.2 + 16 * 1024:
    problems.append(f"RSS grew from {base / 1024:.1f} MiB to {end / 1024:.1f} MiB")
print(
    f"soak: {load['count']} calls in {load['duration_s']:.0f}s ({load['rps']:.0f}/s): "
    f"{ok} OK, {shed} shed; p99 {load['latency_ms']['p99']:.2f} ms; "
    f"{reloads} changes, {success:.0f} reloads ok, {failure:.0f} failed; "
    f"RSS {min(rss) / 1024:.1f}-{max(rss) / 1024:.1f} MiB "
    f"(2nd quarter {base / 1024:.1f}, last {end / 1024:.1f})"
)
for p in problems:
    print(f"soak: FAIL: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY
