#!/usr/bin/env bash
# Runs the test suite: installs Python grpcio (for the interoperability test) into
# target/python once, then `cargo nextest run` with any arguments given.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=target/python
if ! "$venv/bin/python" -c "import grpc, grpc_health.v1, grpc_reflection.v1alpha" 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
        "grpcio>=1.60,<2" "grpcio-health-checking>=1.60,<2" "grpcio-reflection>=1.60,<2"
fi
export FEDX_PYTHON="$PWD/$venv/bin/python"
exec cargo nextest run "$@"
