#!/usr/bin/env bash
# The federation as a whole (three nodes, 16 clients of single puts at A, until B and C
# hold everything) beside a 3-member etcd cluster with mutual TLS taking the same load,
# rounds alternating, in one run. Installs Debian's etcd-server if etcd is missing.
# FEDX_REGIME_WHOLE_ROUNDS (default 3) and FEDX_REGIME_WHOLE_PUTS (default 20,000).
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v etcd >/dev/null; then
    sudo=$([ "$(id -u)" = 0 ] || echo sudo)
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq etcd-server
fi
FEDX_REGIME_NODES= FEDX_REGIME_WHOLE_ROUNDS="${FEDX_REGIME_WHOLE_ROUNDS:-3}" exec cargo bench --bench regime
