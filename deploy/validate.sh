#!/usr/bin/env bash
# Validates deploy/: the Kubernetes manifests against the Kubernetes JSON
# schemas (strict: unknown fields fail), for the oldest and newest
# Kubernetes versions we support, plus the checks a schema cannot make:
# the wordlists ConfigMap holds exactly wordlists/, the grace period matches
# the server's drain, every flag the manifests and the Dockerfile pass
# exists, and the Dockerfile runs the README's build.
#
# Self-installing: kubernetes-validate (from PyPI, which ships the schemas,
# so no network is needed beyond the package registry) goes into a venv
# under the cargo target directory. Usage:
#
#   deploy/validate.sh
#
# Exit status: 0 valid, 1 invalid, 2 cannot run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
VENV="$TARGET/deploy-venv"
PINNED="kubernetes-validate==1.37.0"
# The oldest and newest Kubernetes versions the manifests must suit (native
# gRPC probes are GA since 1.27).
VERSIONS=(1.27.0 1.37.0)

if ! "$VENV/bin/python" -c 'import kubernetes_validate, yaml' 2>/dev/null; then
    echo "deploy/validate.sh: installing $PINNED into $VENV" >&2
    python3 -m venv "$VENV" || exit 2
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "$PINNED" || exit 2
fi

RENDERED="$TARGET/deploy-rendered"
rm -rf "$RENDERED"
mkdir -p "$RENDERED"
cp "$ROOT"/deploy/kubernetes/*.yaml "$RENDERED/"
# Validate what wordlists/ renders to now, so a stale committed copy never
# hides a broken one; say so if the committed copy is stale.
python3 "$ROOT/deploy/render-wordlists.py" --out "$RENDERED"
if ! python3 "$ROOT/deploy/render-wordlists.py" --check; then
    echo "deploy/validate.sh: warning: the committed ConfigMap is stale (validated a fresh render)" >&2
fi

status=0
for version in "${VERSIONS[@]}"; do
    if ! "$VENV/bin/kubernetes-validate" --strict --quiet -k "$version" "$RENDERED"/*.yaml; then
        echo "deploy/validate.sh: schema validation failed for Kubernetes $version" >&2
        status=1
    fi
done

"$VENV/bin/python" - "$ROOT" "$RENDERED" <<'PY' || status=1
"""Checks the schemas cannot make."""
import pathlib
import re
import sys

import yaml

root, rendered = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
problems = []


def load(name):
    return [d for d in yaml.safe_load_all((rendered / name).read_text()) if d]


def seconds(value):
    m = re.fullmatch(r"(\d+)(ms|s|m|h)", value)
    if not m:
        problems.append(f"cannot read duration {value!r}")
        return 0
    n, unit = int(m.group(1)), m.group(2)
    return {"ms": n / 1000, "s": n, "m": n * 60, "h": n * 3600}[unit]


(deployment,) = load("deployment.yaml")
pod = deployment["spec"]["template"]["spec"]
(container,) = pod["containers"]
args = {}
for arg in container["args"][1:]:
    flag, _, value = arg.partition("=")
    args[flag] = value

# Every flag exists in the server's ServeArgs (config.rs), as does every
# flag of the Dockerfile's CMD.
config = (root / "src" / "config.rs").read_text()
fields = set(re.findall(r"pub (\w+): Option<", config.split("pub struct ServeArgs")[1].split("\n}\n")[0]))
dockerfile = (root / "deploy" / "Dockerfile").read_text()
cmd = re.search(r"^CMD \[(.*)\]$", dockerfile, re.M)
docker_flags = re.findall(r'"(--[a-z-]+)"', cmd.group(1)) if cmd else []
for flag in list(args) + docker_flags:
    if flag.lstrip("-").replace("-", "_") not in fields:
        problems.append(f"flag {flag} is not a `msgscreen serve` flag")

# Graceful termination: the grace period covers NOT_SERVING time plus the
# drain, with at most 10 s to spare for the process to exit.
drain = seconds(args.get("--shutdown-delay", "0s")) + seconds(args.get("--drain-timeout", "20s"))
grace = pod.get("terminationGracePeriodSeconds", 30)
if not drain < grace <= drain + 10:
    problems.append(
        f"terminationGracePeriodSeconds {grace} should exceed --shutdown-delay + --drain-timeout ({drain:g} s) by at most 10 s"
    )

# Native gRPC probes on grpc.health.v1, on the gRPC port.
port = int(args["--listen"].rsplit(":", 1)[1])
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    grpc = container.get(probe, {}).get("grpc")
    if not grpc or grpc.get("port") != port:
        problems.append(f"{probe} must be a native gRPC probe on port {port}")
live = container["livenessProbe"]
if live["periodSeconds"] * live["failureThreshold"] <= drain:
    problems.append("the liveness probe would kill a draining pod")

# The wordlists ConfigMap is mounted, as a directory, where --wordlists points.
mounts = {m["name"]: m for m in container["volumeMounts"]}
volume = next(v for v in pod["volumes"] if "configMap" in v)
mount = mounts[volume["name"]]
if mount["mountPath"] != args["--wordlists"] or "subPath" in mount:
    problems.append("the wordlists ConfigMap must be mounted (no subPath) at --wordlists")
(configmap,) = load("wordlists-configmap.yaml")
if volume["configMap"]["name"] != configmap["metadata"]["name"]:
    problems.append("the volume does not name the wordlists ConfigMap")
files = {
    p.relative_to(root / "wordlists").as_posix(): p.read_text()
    for p in (root / "wordlists").rglob("*")
    if p.is_file()
}
mapped = {i["path"]: configmap["data"][i["key"]] for i in volume["configMap"]["items"]}
if mapped != files:
    problems.append("the rendered ConfigMap does not hold exactly wordlists/")

# A headless Service for client-side balancing.
services = load("service.yaml")
if not any(s["spec"].get("clusterIP") == "None" for s in services):
    problems.append("no headless Service")

# The Dockerfile builds the way the README says.
readme = (root / "README.md").read_text()
if "cargo build --release" not in dockerfile or "cargo build --release" not in readme:
    problems.append("the Dockerfile and README must both build with `cargo build --release`")

for p in problems:
    print(f"deploy/validate.sh: {p}", file=sys.stderr)
sys.exit(1 if problems else 0)
PY

if [ "$status" -eq 0 ]; then
    echo "deploy/validate.sh: $(ls "$RENDERED"/*.yaml | wc -l) manifests valid for Kubernetes ${VERSIONS[*]}"
fi
exit "$status"
