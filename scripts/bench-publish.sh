#!/usr/bin/env bash
# How long the publish the .deb ships (Native AOT) takes beside the trimmed ReadyToRun publish it replaced,
# for one runtime, from the same clean copy of the committed tree: what the package build and the test run
# pay per architecture.
# Usage: scripts/bench-publish.sh [linux-arm64|linux-x64]      (default: linux-arm64)
# The copy is built once for the runtime first (not timed), so each timed publish starts from the same
# compiled assemblies and does only its own work: trimming and crossgen, or ILC and the native link.
# Prints the two wall-clock times, their ratio and the load average (the machine may be shared).
set -euo pipefail
cd "$(dirname "$0")/.."
rid=${1:-linux-arm64}
case "$rid" in linux-arm64|linux-x64) ;; *) echo "usage: scripts/bench-publish.sh [linux-arm64|linux-x64]" >&2; exit 2 ;; esac
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
work=$(mktemp -d -t edgegw-bench-publish-XXXXXX)
trap 'rm -rf "$work"' EXIT
git archive HEAD | tar -x -C "$work"
cd "$work"
dotnet build src/EdgeGateway -c Release -r "$rid" >"$work/build.log" 2>&1 || { tail -20 "$work/build.log" >&2; exit 1; }

timed() { # name, publish args...: prints the wall-clock seconds
  local name=$1; shift
  local start end
  start=$(date +%s.%N)
  dotnet publish src/EdgeGateway -c Release -r "$rid" -o "$work/out-$name" "$@" >"$work/$name.log" 2>&1 \
    || { tail -20 "$work/$name.log" >&2; exit 1; }
  end=$(date +%s.%N)
  echo "$start $end" | awk '{printf "%.0f", $2 - $1}'
}
r2r=$(timed trimmed-r2r --self-contained -p:PublishTrimmed=true)
aot=$(timed native-aot -p:PublishAot=true)
echo "machine: $(nproc) cores, dotnet $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %6s s   %s\n' "trimmed ReadyToRun publish ($rid)" "$r2r" "$(du -sh "$work/out-trimmed-r2r" | cut -f1) published"
printf '%-34s %6s s   %s\n' "Native AOT publish ($rid)" "$aot" "$(du -sh "$work/out-native-aot" | cut -f1) published"
awk -v a="$aot" -v r="$r2r" 'BEGIN { printf "ratio: Native AOT takes %.2fx the trimmed ReadyToRun publish (%+d s)\n", a / r, a - r }'
