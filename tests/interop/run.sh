#!/usr/bin/env bash
# Interoperability test: builds msgscreen, starts it on a free port, and runs
# the Python grpcio client (stubs generated from our proto by grpcio-tools)
# against it. Installs its Python packages into .venv at the repository root.
set -euo pipefail
cd "$(dirname "$0")/../.."

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/pip install --quiet --disable-pip-version-check -r tests/interop/requirements.txt

cargo build --quiet --bin msgscreen
bin="${CARGO_TARGET_DIR:-target}/debug/msgscreen"
log=$(mktemp)
"$bin" serve --listen 127.0.0.1:0 --metrics-listen 127.0.0.1:0 --log-format json 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; rm -f "$log"' EXIT

addr=""
for _ in $(seq 1 100); do
  addr=$(grep -o '"listen":"[^"]*"' "$log" | head -1 | cut -d'"' -f4 || true)
  [ -n "$addr" ] && break
  kill -0 "$pid" 2>/dev/null || { cat "$log"; echo "server exited early" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { cat "$log"; echo "server did not report its address" >&2; exit 1; }

.venv/bin/python tests/interop/client.py "$addr"

kill -TERM "$pid"
wait "$pid"
echo "server exited 0 after SIGTERM"
trap - EXIT
rm -f "$log"
