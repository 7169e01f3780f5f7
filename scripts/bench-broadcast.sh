#!/usr/bin/env bash
# Broadcast latency: from a station level change (as the rule loop reports it) to the amplifier relay
# line switching on, in-process, through the real GpioController on the simulated chip (Release build).
# Beside it, the floor of that path: a thread-pool wake and one GPIO write. Target: under 10 ms.
# Usage: scripts/bench-broadcast.sh [ITERATIONS]   (default 1000)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "building bench/BroadcastLatency (Release)..." >&2
dotnet build bench/BroadcastLatency -c Release -o "$out" --nologo -v quiet >&2
dotnet "$out/BroadcastLatency.dll" "${1:-1000}"
