#!/usr/bin/env bash
# Checks the systemd unit: `systemd-analyze verify` must print nothing, and the offline
# `systemd-analyze security` exposure must not exceed the threshold (default 3.0).
# Works without systemd as PID 1 (a build machine or container).
# Usage: scripts/check-unit.sh [UNIT_FILE] [MAX_EXPOSURE]
# Prints `exposure=N.N` on success; exits 1 with the reason on stderr otherwise.
set -euo pipefail
cd "$(dirname "$0")/.."
unit=${1:-systemd/edge-gateway.service}
max=${2:-3.0}

command -v systemd-analyze >/dev/null || { echo "check-unit: systemd-analyze not found (apt-get install systemd)" >&2; exit 1; }
[ -f "$unit" ] || { echo "check-unit: no unit file $unit" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
name=$(basename "$unit")

# verify insists that ExecStart= names an executable that exists: point it at a stub.
printf '#!/bin/sh\nexit 0\n' > "$work/edgegw"
chmod +x "$work/edgegw"
sed "s|/usr/bin/edgegw|$work/edgegw|g" "$unit" > "$work/$name"

if ! out=$(systemd-analyze verify "$work/$name" 2>&1) || [ -n "$out" ]; then
  echo "check-unit: systemd-analyze verify $unit is not clean:" >&2
  printf '%s\n' "$out" | sed "s|$work/||g" >&2
  exit 1
fi

report=$(systemd-analyze security --offline=true "$work/$name" 2>&1) || {
  printf '%s\n' "$report" >&2
  echo "check-unit: systemd-analyze security failed" >&2
  exit 1
}
exposure=$(printf '%s\n' "$report" | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
[ -n "$exposure" ] || { printf '%s\n' "$report" >&2; echo "check-unit: no exposure figure in the report" >&2; exit 1; }
if ! awk -v e="$exposure" -v m="$max" 'BEGIN { exit !(e + 0 <= m + 0) }'; then
  printf '%s\n' "$report" | grep '✗' >&2 || true
  echo "check-unit: exposure $exposure is above $max" >&2
  exit 1
fi
echo "exposure=$exposure"
