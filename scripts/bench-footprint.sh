#!/usr/bin/env bash
# The running station's footprint: startup to READY, steady RSS and CPU of the bench station (ten float32
# Modbus sensors polled every second from `edgegw sim modbus`, one rule, uplink to a local mosquitto), where
# the resident memory goes (scripts/bench/footprint.py), and beside it the floor: libmodbus polling the same
# registers from C (bench/station_floor.c).
#   scripts/bench-footprint.sh [--runs N] [--settle S] [--sample S] [--no-floor] [--user USER] [EDGEGW]
# EDGEGW is a built edgegw binary; without it the Native AOT build (what the .deb ships) is published first.
# --user USER (run as root) runs the station as USER, as the unit runs it as edge-gateway: a user that neither
# owns nor may write the executable. Run as the executable's owner (or root), the kernel lets the station page
# out more of it than an installed station can (see docs/performance.md, "Where the memory goes").
# The station runs with the environment the systemd unit gives it (its Environment= lines); settings to try on top
# can be given as EDGEGW_ENV="K=V K=V".
# Everything runs on 127.0.0.1; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=5; settle=20; sample=30; edgegw=""; floor_run=1; user=""
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift 2 ;;
    --settle) settle=$2; shift 2 ;;
    --sample) sample=$2; shift 2 ;;
    --no-floor) floor_run=0; shift ;;
    --user) user=$2; shift 2 ;;
    -*) echo "usage: scripts/bench-footprint.sh [--runs N] [--settle S] [--sample S] [--no-floor] [--user USER] [EDGEGW]" >&2; exit 2 ;;
    *) edgegw=$1; shift ;;
  esac
done
# shellcheck source=scripts/bench/station.sh
. scripts/bench/station.sh
bench_workdir edgegw-footprint
station_env="$(bench_unit_env)${EDGEGW_ENV:-}"

if [ -z "$edgegw" ]; then
  rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
  echo "publishing Native AOT $rid (a few minutes)..." >&2
  dotnet publish src/EdgeGateway -c Release -r "$rid" -p:PublishAot=true -o "$work/aot" >"$work/publish.log" 2>&1 \
    || { tail -20 "$work/publish.log" >&2; exit 1; }
  edgegw=$work/aot/edgegw
fi
gcc -O2 -o "$work/station_floor" bench/station_floor.c $(pkg-config --cflags --libs libmodbus)

modbus_port=$(free_port); mqtt_port=$(free_port)
# The simulator runs from a copy: on a station nothing else maps the executable, and pages shared with another
# process neither count alone nor can be handed back by the station.
mkdir -p "$work/sim"
cp "$edgegw" "$(dirname "$edgegw")"/*.so "$work/sim/" 2>/dev/null || cp "$edgegw" "$work/sim/"
bench_peers_start "$work" "$modbus_port" "$mqtt_port" "$work/sim/$(basename "$edgegw")"
bench_station_config "$work/station.yaml" "$work" "$modbus_port" "$mqtt_port"
as_user=()
if [ -n "$user" ]; then
  # The station writes its control socket beside station.yaml and its storage under data/.
  chown "$user" "$work" "$work/data"
  as_user=(--user "$user")
fi

# shellcheck disable=SC2086
station=$(python3 scripts/bench/station_probe.py --config "$work/station.yaml" --runs "$runs" --settle "$settle" --sample "$sample" --breakdown "${as_user[@]}" \
  -- env $station_env "$edgegw")
floor='{"error": "not run (--no-floor)"}'
((floor_run)) && floor=$(python3 scripts/bench/station_probe.py --config "$work/station.yaml" --runs "$runs" --settle "$settle" --sample "$sample" --breakdown \
  -- "$work/station_floor" "$modbus_port")

BENCH_USER=$user python3 - "$station" "$floor" "$settle" "$sample" "$station_env" <<'PY'
import json, os, statistics, sys
station, floor = json.loads(sys.argv[1]), json.loads(sys.argv[2])
settle, sample, env = sys.argv[3], sys.argv[4], sys.argv[5]
print(f"machine: {os.cpu_count()} cores (shared), load average {' '.join(open('/proc/loadavg').read().split()[:3])}")
print(f"bench station: 10 float32 sensors polled every 1 s, one rule, MQTT uplink; RSS = highest VmRSS, CPU = user+system, over {sample} s after {settle} s")
if env:
    print(f"station environment: {env}")
if os.environ.get("BENCH_USER"):
    print(f"station user: {os.environ['BENCH_USER']}")
def line(name, r):
    if r["error"]:
        return f"{name:<34} error: {r['error']}"
    ready = f"{statistics.median(r['ready_ms']):6.0f} ms (max {max(r['ready_ms']):.0f})"
    threads = r.get("breakdown", {}).get("threads", "?")
    return f"{name:<34} READY {ready}  RSS {r['rss_mb']:5.1f} MB  CPU {r['cpu_pct']:5.2f} %  threads {threads}"
print(line("edgegw run (target 200 ms/25 MB/0.5 %)", station))
print(line("floor: libmodbus poller in C", floor))
if not station["error"] and not floor["error"] and floor["rss_mb"]:
    print(f"ratio: RSS {station['rss_mb'] / floor['rss_mb']:.1f}x the floor, CPU {station['cpu_pct'] / max(floor['cpu_pct'], 0.01):.1f}x")
if "breakdown" in station:
    print()
    print("where the station's memory is (end of the sample, /proc/PID/smaps):")
    for name, kb in station["breakdown"]["groups"].items():
        if kb >= 64:
            print(f"  {name:<48} {kb / 1024:6.1f} MB")
    small = sum(kb for kb in station["breakdown"]["groups"].values() if kb < 64)
    print(f"  {'(parts under 64 kB)':<48} {small / 1024:6.1f} MB")
PY
