#!/usr/bin/env bash
# Runs the local three-agency demo federation (DE-BAFA, FR-SBDU, NL-CDIU) on the shipped
# dev config, in the foreground. Ctrl-C stops all three nodes. Logs: data/logs/.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --bins
mkdir -p data/logs
pids=()
stop() {
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap stop EXIT INT TERM
for node in a b c; do
  # A new federation: its agencies hold nothing yet, so the first start says so (a node
  # whose store holds no record of ours otherwise waits for a peer's word on them).
  first_start=()
  [ -d "data/node-$node" ] || first_start=(--new-agency)
  ./target/release/fednode --config "config/node-$node.toml" "${first_start[@]}" \
    >"data/logs/node-$node.out" 2>"data/logs/node-$node.log" &
  pids+=($!)
done
sleep 1
for node in a b c; do
  echo "node-$node: $(head -n1 "data/logs/node-$node.out" 2>/dev/null || echo 'starting...')  (log: data/logs/node-$node.log)"
done
echo "Demo federation running. In another terminal: export PATH=\$PWD/target/release:\$PATH; source config/node-a.env; fedctl status"
echo "Ctrl-C stops it."
wait "${pids[@]}"
