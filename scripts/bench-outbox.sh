#!/usr/bin/env bash
# Uplink benchmark: (1) bytes written to storage per day by the outbox at 1 Hz telemetry, from one
# simulated hour; (2) a 10,000-message backlog drained at QoS 1 by the uplink, beside mosquitto_pub
# sending the same payloads to the same local broker in the same run, alternating rounds (5; BENCH_ROUNDS), median ratio;
# beside them MQTTnet alone (the general-purpose .NET client, one write and one awaited task per PUBLISH, no outbox)
# publishing the same payloads with the same window, for scale.
# The drain runs with the runtime settings edgegw ships with, after a warm-up drain (see the bench's Program.cs).
# Usage: scripts/bench-outbox.sh [COUNT] [HOURS]
set -euo pipefail
cd "$(dirname "$0")/.."
count="${1:-10000}"
# Five alternating rounds: on a shared 2-core machine one round in three lands beside something else.
rounds="${BENCH_ROUNDS:-5}"
hours="${2:-1}"
work="$(mktemp -d)"
broker_pid=""
cleanup() { [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

dotnet build bench/EdgeGateway.Uplink.Bench -c Release -v q -nologo >/dev/null
bench=(dotnet bench/EdgeGateway.Uplink.Bench/bin/Release/net10.0/EdgeGateway.Uplink.Bench.dll)

echo "== outbox storage writes, 1 Hz telemetry ($hours simulated hour(s), extrapolated to a day; target <= 150 MB/day)"
"${bench[@]}" bytes "$work/bytes" "$hours"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
cat > "$work/mosquitto.conf" <<CONF
listener $port 127.0.0.1
allow_anonymous true
persistence false
CONF
mosquitto -c "$work/mosquitto.conf" >"$work/mosquitto.log" 2>&1 &
broker_pid=$!
for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done

echo "== backlog drain, $count messages, QoS 1, broker on 127.0.0.1:$port (target >= 0.8x mosquitto_pub)"
echo "   $rounds rounds, each edgegw, then mosquitto_pub, then MQTTnet alone on the same payloads; load average before: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc) cores"
ratios=(); bare_ratios=()
# The uplink's window (uplink.mqtt.maxInflight's default); both clients take the broker's Receive Maximum if lower.
window=32
for round in $(seq "$rounds"); do
  ours="$("${bench[@]}" drain "$port" "$work/drain$round" "$count")"
  start=$(date +%s.%N)
  mosquitto_pub -h 127.0.0.1 -p "$port" -q 1 -V mqttv5 -t ews/bench/telemetry -l < "$work/drain$round/payloads.txt"
  end=$(date +%s.%N)
  peer=$(python3 -c "print(f'{$count/($end-$start):.0f}')")
  ourrate=$(echo "$ours" | sed -E 's/.*= ([0-9]+) msg\/s/\1/')
  ratio=$(python3 -c "print(f'{$ourrate/$peer:.2f}')")
  ratios+=("$ratio")
  # A general-purpose client library on the same payloads: what a PUBLISH costs without writing a window at a time.
  bare="$("${bench[@]}" bare "$port" "$work/drain$round/payloads.txt" "$window")"
  barerate=$(echo "$bare" | sed -E 's/.*= ([0-9]+) msg\/s/\1/')
  bare_ratio=$(python3 -c "print(f'{$barerate/$peer:.2f}')")
  bare_ratios+=("$bare_ratio")
  echo "round $round: $ours; mosquitto_pub -q 1 -l: $count messages in $(python3 -c "print(f'{$end-$start:.2f}')") s = $peer msg/s; ratio ${ratio}x; $bare: ${bare_ratio}x"
done
echo "median ratio: $(printf '%s\n' "${ratios[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")x mosquitto_pub; MQTTnet alone (no outbox): $(printf '%s\n' "${bare_ratios[@]}" | sort -n | sed -n "$(( (rounds + 1) / 2 ))p")x (load average after: $(cut -d' ' -f1-3 /proc/loadavg))"
