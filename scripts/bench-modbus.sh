#!/usr/bin/env bash
# Modbus TCP throughput: edgegw's client beside libmodbus's own C client, against the same libmodbus
# server on 127.0.0.1, in one run. Sequential FC03 reads of 10 registers, ROUNDS alternating rounds of
# SECONDS each. Usage: scripts/bench-modbus.sh [SECONDS] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
work=$(mktemp -d)
server_pid=""
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

gcc -O2 -o "$work/modbus_peer" tests/EdgeGateway.Modbus.Tests/Peers/modbus_peer.c $(pkg-config --cflags --libs libmodbus)
gcc -O2 -o "$work/modbus_bench_client" bench/modbus_bench_client.c $(pkg-config --cflags --libs libmodbus)
dotnet build bench/EdgeGateway.Benchmarks -c Release -o "$work/dotnet" -v quiet -nologo >/dev/null

"$work/modbus_peer" tcp --port 0 >"$work/peer.out" &
server_pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/peer.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT //p' "$work/peer.out")

echo "libmodbus $(pkg-config --modversion libmodbus) server on 127.0.0.1:$port; FC03 x 10 registers, ${seconds}s per run, $(nproc) cores"
printf '%-6s %14s %14s %8s %12s\n' round libmodbus/s edgegw/s ratio edgegw-B/txn
c_total=0; ours_total=0
for round in $(seq "$rounds"); do
  read -r _ _ c_rate < <("$work/modbus_bench_client" 127.0.0.1 "$port" "$seconds")
  read -r _ _ ours_rate ours_bytes < <(dotnet "$work/dotnet/EdgeGateway.Benchmarks.dll" modbus-tcp 127.0.0.1 "$port" "$seconds")
  printf '%-6s %14s %14s %8s %12s\n' "$round" "$c_rate" "$ours_rate" "$(awk "BEGIN{printf \"%.2fx\", $ours_rate/$c_rate}")" "$ours_bytes"
  c_total=$((c_total + c_rate)); ours_total=$((ours_total + ours_rate))
done
printf '%-6s %14s %14s %8s\n' mean $((c_total / rounds)) $((ours_total / rounds)) "$(awk "BEGIN{printf \"%.2fx\", $ours_total/$c_total}")"
