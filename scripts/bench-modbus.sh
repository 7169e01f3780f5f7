#!/usr/bin/env bash
# Modbus TCP throughput: our client beside libmodbus's own C client, against the same libmodbus server on
# 127.0.0.1, in one run. Sequential FC03 reads of 10 registers, one request in flight. The server is pinned to
# CPU 0 and every client to CPU 1 (taskset), so each side has a core of its own as on a station with a PLC.
# ROUNDS alternating rounds; in each, libmodbus's client runs first and last (its rate: the mean of the two)
# and ours in between:
#   bench     bench/EdgeGateway.Benchmarks modbus-tcp: ModbusClient in a loop, SECONDS, after a warm-up
#   cli-jit   `edgegw modbus read --repeat N` (the technician's path), framework-dependent JIT build
#   cli-aot   the same, Native AOT build (linux-x64)
# Ratio = ours / libmodbus of the same round; the summary gives each one's median ratio over the rounds.
# B/txn: managed bytes allocated per transaction (bench: in its measured loop; cli: one more read's cost,
# from runs of N and 2N reads in one process, which leaves out start-up).
# Usage: scripts/bench-modbus.sh [SECONDS] [ROUNDS] [REPEAT]
#   EDGEGW_JIT / EDGEGW_AOT: an edgegw command already built (scripts/bench.sh passes its own);
#   EDGEGW_AOT=none skips the Native AOT build.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-5}
rounds=${2:-3}
repeat=${3:-100000}
work=$(mktemp -d)
server_pid=""; rtu_pids=()
cleanup() {
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null || true
  for p in "${rtu_pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
if [ "$(nproc --all)" -lt 2 ]; then echo "needs 2 CPUs to pin server and client apart" >&2; exit 1; fi

gcc -O2 -o "$work/modbus_peer" tests/EdgeGateway.TestSupport/Modbus/modbus_peer.c $(pkg-config --cflags --libs libmodbus)
gcc -O2 -o "$work/modbus_bench_client" bench/modbus_bench_client.c $(pkg-config --cflags --libs libmodbus)
echo "building the bench harness and edgegw..." >&2
dotnet build bench/EdgeGateway.Benchmarks -c Release -o "$work/dotnet" -v quiet -nologo >&2
jit=${EDGEGW_JIT:-dotnet $work/dotnet/edgegw.dll}
aot=${EDGEGW_AOT:-}
if [ -z "$aot" ]; then
  if dotnet publish src/EdgeGateway -c Release -r linux-x64 -p:PublishAot=true -o "$work/aot" -v quiet -nologo >"$work/aot.log" 2>&1 && [ -x "$work/aot/edgegw" ]; then
    aot=$work/aot/edgegw
  else
    echo "Native AOT build failed (cli-aot not run): $(grep -m1 -E 'error' "$work/aot.log" | cut -c1-200)" >&2
    aot=none
  fi
fi

taskset -c 0 "$work/modbus_peer" tcp --port 0 >"$work/peer.out" &
server_pid=$!
for _ in $(seq 100); do grep -q '^PORT ' "$work/peer.out" 2>/dev/null && break; sleep 0.1; done
port=$(sed -n 's/^PORT //p' "$work/peer.out")

c_rate() { taskset -c 1 "$work/modbus_bench_client" 127.0.0.1 "$port" "$seconds" | awk '{print $3}'; }
bench_rate() { taskset -c 1 dotnet "$work/dotnet/EdgeGateway.Benchmarks.dll" modbus-tcp 127.0.0.1 "$port" "$seconds" | awk '{print $3, $4}'; }
cli_rate() { # command...
  taskset -c 1 "$@" modbus read --tcp "127.0.0.1:$port" --slave 1 --table holding --address 0 --count 10 --timeout 2s \
    --repeat "$repeat" >"$work/cli.out"
  tail -1 "$work/cli.out" | sed -n 's/.*errors=0 .*rate=\([0-9]*\).*/\1/p'
}

echo "libmodbus $(pkg-config --modversion libmodbus) server on 127.0.0.1:$port pinned to CPU 0, clients pinned to CPU 1"
echo "FC03 x 10 registers; libmodbus and bench ${seconds} s a run, cli --repeat $repeat; $(nproc) cores, shared machine"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %12s %10s %7s %10s %7s %10s %7s\n' round libmodbus/s bench/s ratio cli-jit/s ratio cli-aot/s ratio
ratios_bench=(); ratios_jit=(); ratios_aot=(); bench_bytes=()
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "-"; else printf "%.2f", a / b }'; }
for round in $(seq "$rounds"); do
  c1=$(c_rate)
  read -r b b_bytes < <(bench_rate)
  j=$(cli_rate $jit)
  a=-; [ "$aot" != none ] && a=$(cli_rate "$aot")
  c2=$(c_rate)
  c=$(( (c1 + c2) / 2 ))
  rb=$(ratio "$b" "$c"); rj=$(ratio "$j" "$c"); ra=$(ratio "$a" "$c")
  ratios_bench+=("$rb"); ratios_jit+=("$rj"); ratios_aot+=("$ra"); bench_bytes+=("$b_bytes")
  printf '%-6s %12s %10s %6sx %10s %6sx %10s %6sx\n' "$round" "$c" "$b" "$rb" "${j:--}" "$rj" "$a" "$ra"
done
median() { printf '%s\n' "$@" | grep -v '^-$' | sort -g | awk '{v[NR]=$1} END { if (NR == 0) print "-"; else if (NR % 2) print v[(NR+1)/2]; else printf "%.2f\n", (v[NR/2]+v[NR/2+1])/2 }'; }
cli_bytes=$(taskset -c 1 dotnet "$work/dotnet/EdgeGateway.Benchmarks.dll" cli-read 127.0.0.1 "$port" 20000 | awk '{print $1}')
echo "median ratio: bench $(median "${ratios_bench[@]}")x, cli-jit $(median "${ratios_jit[@]}")x, cli-aot $(median "${ratios_aot[@]}")x (target: at least 0.90x)"
echo "allocated per transaction: bench ${bench_bytes[*]} B (each round); cli ${cli_bytes:-?} B (JIT, in-process; target: at most 0.5 B)"

# RTU: the same read through a socat pty pair (a null-modem cable in software) to libmodbus's RTU slave. A pty
# moves bytes at once whatever the baud rate, so this shows whether the code keeps up with the wire: the rate
# must be at least what the wire allows (request 8 + answer 25 characters of 10 bits, plus t3.5 between frames).
if command -v socat >/dev/null; then
  for baud in 9600 115200; do
    socat -d -d pty,raw,echo=0 pty,raw,echo=0 2>"$work/socat.log" & rtu_pids+=($!)
    for _ in $(seq 50); do [ "$(grep -c 'PTY is' "$work/socat.log")" -ge 2 ] && break; sleep 0.1; done
    mapfile -t ptys < <(sed -n 's/.*PTY is \(.*\)$/\1/p' "$work/socat.log")
    taskset -c 0 "$work/modbus_peer" rtu "${ptys[0]}" "$baud" 1 >"$work/rtu-peer.out" & rtu_pids+=($!)
    for _ in $(seq 50); do grep -q READY "$work/rtu-peer.out" 2>/dev/null && break; sleep 0.1; done
    rtu=$(taskset -c 1 $jit modbus read --rtu "${ptys[1]}" --baud "$baud" --slave 1 --table holding --address 0 --count 10 \
      --timeout 1s --repeat 300 | tail -1 | sed -n 's/.*errors=0 .*rate=\([0-9.]*\).*/\1/p')
    wire=$(awk -v b="$baud" 'BEGIN { c = 10 / b; t35 = (b > 19200) ? 0.00175 : 3.5 * c; printf "%.1f", 1 / (33 * c + t35) }')
    echo "rtu ${baud} baud over a pty: cli-jit ${rtu:-failed}/s; the wire allows ${wire}/s"
    kill "${rtu_pids[@]}" 2>/dev/null || true; wait "${rtu_pids[@]}" 2>/dev/null || true; rtu_pids=()
  done
fi
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
