#!/usr/bin/env bash
# Readings history benchmark: bytes written per day by the SQLite history at the example station's poll
# rates (river level every 5 s, rain counter every 10 s, battery every 60 s, two switches republished every
# 60 s, and on the storm day about 600 bucket tips), with the service's flush and prune policy, on a real file.
# Simulated days under a fake clock; the last of 9 days is measured, once retention (8 d) and hourly pruning
# are in steady state. Beside ours: 4 KiB pages, a 5-minute batch, and the naive one commit per reading.
# Takes several minutes (the naive variant forces 30,000 commits to the disk).
# Usage: scripts/bench-history.sh [WORKDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
work="${1:-}"
if [ -z "$work" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build bench/EdgeGateway.Acquisition.Bench -c Release -v q -nologo >/dev/null
df -h "$work" | awk 'NR==2 { print "filesystem under test: " $1 " (" $6 ")" }'
dotnet bench/EdgeGateway.Acquisition.Bench/bin/Release/net10.0/EdgeGateway.Acquisition.Bench.dll "$work"
