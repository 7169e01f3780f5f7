#!/usr/bin/env bash
# Replay benchmark: `edgegw replay` (Release build) over a year of 1-minute readings from the example
# station's four rule sensors (about 2.1 million rows), end to end: process start, CSV parsing, rules,
# output. Prints readings per second and peak RSS, then the same for two years to show that memory
# follows the longest rule window, not the file. Beside it, two reference points on the same file:
# `wc -l` (the floor: reading the bytes) and Python's csv module parsing the rows without judging them.
#
# Usage: scripts/bench-replay.sh [WORKDIR]   (default: a temporary directory, removed afterwards)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
config="$root/firmware-config/examples/station.yaml"

work=${1:-}
if [ -z "$work" ]; then
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "building edgegw (Release)..." >&2
dotnet publish src/EdgeGateway -c Release -o "$work/edgegw" --nologo -v quiet >&2
edgegw="$work/edgegw/edgegw"

# A synthetic climate: storms every 5 to 15 days (triangular hyetographs of 2 to 12 hours), a tipping bucket
# (0.5 mm), a logger's 0.1 mm counter, a river that answers through a linear reservoir, and its float switch.
generate() { # YEARS FILE
  python3 - "$1" "$2" <<'PY'
import math, sys
from datetime import datetime, timedelta, timezone
years, path = float(sys.argv[1]), sys.argv[2]
start = datetime(2025, 1, 1, tzinfo=timezone.utc)
minutes = int(525600 * years)
seed = 2463534242
def rnd():
    global seed
    seed ^= (seed << 13) & 0xFFFFFFFF; seed ^= seed >> 17; seed ^= (seed << 5) & 0xFFFFFFFF
    return seed / 2**32
storms, t = [], int(rnd() * 7200)
while t < minutes:
    length = int(120 + rnd() * 600); depth = 10 + rnd() * 110
    storms.append((t, length, depth)); t += length + int(7200 + rnd() * 14400)
rate = [0.0] * (minutes + 1)
for s, length, depth in storms:
    peak = s + 0.4 * length
    for m in range(s, min(s + length, minutes + 1)):
        shape = (m - s) / (peak - s) if m < peak else (s + length - m) / (s + length - peak)
        rate[m] = 2 * depth / length * max(shape, 0.0)
with open(path, "w", newline="\n") as f:
    f.write("time,sensor,value\n")
    cum = tipped = 0.0; tenths = 5000; store = 0.0; out = []
    for m in range(minutes + 1):
        stamp = (start + timedelta(minutes=m)).strftime("%Y-%m-%dT%H:%M:%SZ")
        cum += rate[m]
        tips = int(cum / 0.5) - int(tipped / 0.5); tipped = cum
        tenths = 5000 + int(cum * 0.93 * 10)
        store = store * 0.985 + rate[m] * 0.015 * 60
        stage = 1.3 + 0.05 * math.sin(m / 229.2) + 0.045 * store
        out.append(f"{stamp},rain-gauge,{tips * 0.5:.1f}\n{stamp},rain-counter,{tenths // 10}.{tenths % 10}\n"
                   f"{stamp},river-level,{stage:.3f}\n{stamp},flood-switch,{1 if stage >= 3.9 else 0}\n")
        if len(out) >= 10000:
            f.write("".join(out)); out = []
    f.write("".join(out))
PY
}

now_ns() { date +%s%N; }

run() { # LABEL FILE
  local label=$1 file=$2 rows transitions
  rows=$(($(wc -l < "$file") - 1))
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$edgegw" replay --config "$config" --readings "$file" > "$work/out.txt"
  transitions=$(wc -l < "$work/out.txt")
  # Wall-clock rate, and the rate per CPU second (user + sys), which a loaded machine does not distort.
  awk -v l="$label" -v r="$rows" -v tr="$transitions" '{
    printf "%-30s %9d rows  wall %6.2f s %9.0f readings/s  cpu %5.2f s %9.0f readings/s  peak RSS %5.1f MiB  %d transitions\n",
      l, r, $1, r / $1, $2 + $3, r / ($2 + $3), $4 / 1024, tr }' < <(tail -1 "$work/time")
}

reference() { # LABEL COMMAND...
  local label=$1 rows
  shift
  rows=$(($(wc -l < "$work/year1.csv") - 1))
  /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$@" > /dev/null
  awk -v l="$label" -v r="$rows" '{
    printf "%-30s %9d rows  wall %6.2f s %9.0f rows/s      cpu %5.2f s %9.0f rows/s      peak RSS %5.1f MiB\n",
      l, r, $1, r / $1, $2 + $3, r / ($2 + $3), $4 / 1024 }' < <(tail -1 "$work/time")
}

echo "generating one and two years of 1-minute readings (kept if WORKDIR has them)..." >&2
[ -s "$work/year1.csv" ] || generate 1 "$work/year1.csv"
[ -s "$work/year2.csv" ] || generate 2 "$work/year2.csv"

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), dotnet $(dotnet --version), load average $(cut -d' ' -f1-3 /proc/loadavg)"
run "edgegw replay, 1 year" "$work/year1.csv"
run "edgegw replay, 1 year (again)" "$work/year1.csv"
run "edgegw replay, 2 years" "$work/year2.csv"
reference "floor: wc -l" wc -l "$work/year1.csv"
reference "peer: python3 csv, parse only" python3 -c 'import csv, sys
from datetime import datetime
with open(sys.argv[1], newline="") as f:
    r = csv.reader(f); next(r)
    for t, s, v in r:
        datetime.fromisoformat(t); float(v or "nan")' "$work/year1.csv"
