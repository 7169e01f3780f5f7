#!/usr/bin/env bash
# Measures the station and writes docs/performance.md: our figures beside the peers' in one run.
#   scripts/bench.sh [--quick] [--no-aot] [--no-peers]
# Builds the framework-dependent, self-contained trimmed and Native AOT (what the .deb ships) variants of
# edgegw (each where it builds), checks that each one works (smoke: `config validate` of the example
# station.yaml, `modbus read` against the Modbus simulator, the bench station reaching READY, and an alarm
# raised through the composed station), runs the other bench scripts (scripts/bench-*.sh) that are present,
# and measures, per working variant: startup to READY (NOTIFY_SOCKET datagram), steady RSS and CPU with 10
# Modbus sensors polled every second, and alarm latency (a reading crossing a threshold -> amplifier relay on).
# Everything runs on 127.0.0.1; nothing is left running.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
quick=0; aot=1; peers_run=1
for a in "$@"; do
  case $a in
    --quick) quick=1 ;;
    --no-aot) aot=0 ;;
    --no-peers) peers_run=0 ;;
    *) echo "usage: scripts/bench.sh [--quick] [--no-aot] [--no-peers]" >&2; exit 2 ;;
  esac
done
# shellcheck source=scripts/bench/station.sh
. scripts/bench/station.sh
bench_workdir edgegw-bench
runs=5; settle=20; sample=30
((quick)) && { runs=3; settle=5; sample=10; }
rid=linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')
report=$work/report.md
: >"$report"
say() { printf '%s\n' "$*" | tee -a "$report"; }

# ---- builds -------------------------------------------------------------------------------------
declare -A cmd note
# The builds run side by side, each from its own copy of the sources (its own obj/ and bin/): on a machine
# shared with other work they finish in about the time of the longest one instead of the sum.
build_start() { # name, publish args...
  local name=$1; shift
  mkdir -p "$work/src-$name"
  tar -C "$root" --exclude=bin --exclude=obj -cf - src eng Directory.Build.props Directory.Packages.props global.json .editorconfig \
    | tar -C "$work/src-$name" -xf -
  ( cd "$work/src-$name" && if dotnet publish src/EdgeGateway -c Release -o "$work/pub-$name" "$@" >"$work/build-$name.log" 2>&1
    then echo 0 >"$work/build-$name.rc"; else echo 1 >"$work/build-$name.rc"; fi ) &
  builds+=($!)
}
build_finish() { # name
  local name=$1 out=$work/pub-$1
  if [ "$(cat "$work/build-$name.rc" 2>/dev/null)" = 0 ]; then
    if [ -x "$out/edgegw" ]; then cmd[$name]="$out/edgegw"; else cmd[$name]="dotnet $out/edgegw.dll"; fi
    note[$name]="$(du -sh "$out" | cut -f1) published"
  else
    note[$name]="did not build: $(grep -E 'error|warning IL' "$work/build-$name.log" | head -3 | sed 's/^.*: //' | tr '\n' ' ' | cut -c1-300)"
  fi
}
echo "building variants (this takes a few minutes)..." >&2
builds=()
variants=(framework-dependent self-contained-trimmed)
build_start framework-dependent
build_start self-contained-trimmed -r "$rid" --self-contained -p:PublishTrimmed=true
# The .deb's build: published with the same command as scripts/build-deb.sh.
((aot)) && { variants+=(native-aot); build_start native-aot -r "$rid" -p:PublishAot=true; }
# Every station's build, Native AOT for linux-arm64, cross-built on an x64 machine and run under qemu-aarch64
# with Debian's arm64 libraries (as the tests run it). Emulated: its sizes are the real ones; its startup and
# RSS are the emulator's (qemu's own memory and translated code included) and say nothing about a Pi.
qemu_root=/usr/aarch64-linux-gnu
arm64=0
if ((aot)) && [ "$rid" = linux-x64 ] && command -v qemu-aarch64 >/dev/null && [ -e "$qemu_root/lib/ld-linux-aarch64.so.1" ]; then
  arm64=1
  variants+=(native-aot-arm64)
  build_start native-aot-arm64 -r linux-arm64 -p:PublishAot=true
fi
wait "${builds[@]}" || true
for name in "${variants[@]}"; do build_finish "$name"; done
((aot)) || note[native-aot]="skipped (--no-aot)"
[ -z "${cmd[native-aot]:-}" ] || note[native-aot]+=" (the .deb's build; executable $(du -h "$work/pub-native-aot/edgegw" | cut -f1))"
if [ -n "${cmd[native-aot-arm64]:-}" ]; then
  cmd[native-aot-arm64]="qemu-aarch64 -L $qemu_root $work/pub-native-aot-arm64/edgegw"
  note[native-aot-arm64]+=" (executable $(du -h "$work/pub-native-aot-arm64/edgegw" | cut -f1))"
fi

# ---- peers the station talks to --------------------------------------------------------------------
modbus_port=$(free_port); mqtt_port=$(free_port)
fd=${cmd[framework-dependent]:-}
sim=${fd:-${cmd[self-contained-trimmed]:-${cmd[native-aot]:-}}}
peer_note="none"
if [ -n "$sim" ] && $sim sim modbus --help >/dev/null 2>&1; then
  # shellcheck disable=SC2086
  bench_peers_start "$work" "$modbus_port" "$mqtt_port" $sim
  peer_note="edgegw sim modbus on 127.0.0.1:$modbus_port (ten float32 registers)"
else
  peer_note="no Modbus simulator in this build: every poll is refused by the closed port"
fi

# ---- smoke: does each build work? -----------------------------------------------------------------------
# A build counts only when its binary validates the example configuration, reads the simulator's registers
# over Modbus TCP and (below) brings the bench station to READY and raises an alarm.
declare -A smoke
expected="1 1.1 1.2 1.3 1.4 1.5 1.6 1.7 1.8 1.9"
for name in framework-dependent self-contained-trimmed native-aot native-aot-arm64; do
  [ -n "${cmd[$name]:-}" ] || continue
  # shellcheck disable=SC2086
  if ! out=$(${cmd[$name]} config validate firmware-config/examples/station.yaml 2>&1); then
    smoke[$name]="config validate failed: $(echo "$out" | tail -1 | cut -c1-200)"
  # shellcheck disable=SC2086
  elif ! out=$(${cmd[$name]} modbus read --tcp "127.0.0.1:$modbus_port" --slave 1 --table holding --address 0 --count 10 --type float32 --timeout 2s 2>&1) \
      || [ "$(echo $out)" != "$expected" ]; then
    smoke[$name]="modbus read failed: $(echo $out | cut -c1-200)"
  else
    smoke[$name]=ok
  fi
done

# ---- the bench station: 10 sensors polled every second ---------------------------------------------
config=$work/station.yaml
bench_station_config "$config" "$work" "$modbus_port" "$mqtt_port"
# The station runs as the unit runs it, as a user that neither owns nor may write the executable: that decides
# how much of the executable the start-up trim can hand back. Run as root, the bench uses nobody.
probe_user=(); station_user=$(id -un)
if [ "$(id -u)" -eq 0 ] && id nobody >/dev/null 2>&1; then
  probe_user=(--user nobody); station_user=nobody
  chmod 755 "$work"
  chown nobody "$work" "$work/data"
fi

declare -A ready rss cpu err
for name in framework-dependent self-contained-trimmed native-aot native-aot-arm64; do
  [ -n "${cmd[$name]:-}" ] && [ "${smoke[$name]:-}" = ok ] || continue
  echo "measuring $name..." >&2
  # shellcheck disable=SC2086
  json=$(python3 scripts/bench/station_probe.py --config "$config" --runs "$runs" --settle "$settle" --sample "$sample" "${probe_user[@]}" \
    -- env $(bench_unit_env) ${cmd[$name]})
  ready[$name]=$(python3 -c 'import json,sys,statistics as s; r=json.loads(sys.argv[1])["ready_ms"]; print(f"{s.median(r):.0f} ms (median of {len(r)}, max {max(r):.0f})" if r else "—")' "$json")
  rss[$name]=$(python3 -c 'import json,sys; v=json.loads(sys.argv[1])["rss_mb"]; print("—" if v is None else f"{v} MB")' "$json")
  cpu[$name]=$(python3 -c 'import json,sys; v=json.loads(sys.argv[1])["cpu_pct"]; print("—" if v is None else f"{v} %")' "$json")
  err[$name]=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["error"] or "")' "$json")
done

# ---- alarm latency ---------------------------------------------------------------------------------
# In-process (`edgegw bench alarm-latency`): the station as `run` composes it, simulated GPIO, the Modbus
# slave simulator on loopback, one rule with hold 0; the register crosses the threshold at a random phase
# of the 1 s poll grid and the amplifier relay line is timed.
latency_samples=100; ((quick)) && latency_samples=30
declare -A latency
for name in framework-dependent self-contained-trimmed native-aot; do
  [ -n "${cmd[$name]:-}" ] && [ "${smoke[$name]:-}" = ok ] || continue
  if [ -n "${err[$name]:-}" ]; then smoke[$name]="station: ${err[$name]}"; continue; fi
  echo "measuring alarm latency with $name ($latency_samples crossings)..." >&2
  # shellcheck disable=SC2086
  if line=$(${cmd[$name]} bench alarm-latency --samples "$latency_samples" --poll 1s 2>"$work/latency-$name.log" | tail -1) && [ -n "$line" ]; then
    latency[$name]=$line
  else
    smoke[$name]="no alarm raised: $(tail -1 "$work/latency-$name.log" | cut -c1-200) $line"
  fi
done
works=""
for name in framework-dependent self-contained-trimmed native-aot; do
  [ "${smoke[$name]:-}" = ok ] && works="$works $name"
done
echo "builds that work:${works:- none}" >&2

# ---- peers' bench scripts ----------------------------------------------------------------------------
peers=$work/peers.md
: >"$peers"
# The footprint bench measures the build the package ships (Native AOT) when there is one, without publishing it again.
footprint_build=${cmd[native-aot]:-${cmd[self-contained-trimmed]:-}}
footprint_sample=150; ((quick)) && footprint_sample=30
for s in bench-footprint bench-modbus bench-replay bench-outbox bench-broadcast bench-history; do
  args=()
  # Over 150 s: the managed heap is a saw-tooth between collections, and a 30 s window can miss its top.
  [ "$s" = bench-footprint ] && [ -n "$footprint_build" ] && args=(--sample "$footprint_sample" "${probe_user[@]}" "$footprint_build")
  if ((!peers_run)); then
    { echo "#### $s"; echo; echo "not run (--no-peers)."; echo; } >>"$peers"
  elif [ -x "scripts/$s.sh" ]; then
    echo "running scripts/$s.sh..." >&2
    # Figures only (stdout); build chatter and progress (stderr) stay in the work directory's log.
    # bench-modbus times `edgegw modbus read` of the builds made above rather than building its own.
    { echo "#### $s"; echo; echo '```'; { EDGEGW_JIT="${cmd[framework-dependent]:-}" EDGEGW_AOT="${cmd[native-aot]:-none}" \
        "scripts/$s.sh" "${args[@]}" 2>>"$work/$s.log" || echo "(exited $?; see its stderr)"; } | tail -40; echo '```'; echo; } >>"$peers"
  else
    { echo "#### $s"; echo; echo "not present in this tree."; echo; } >>"$peers"
  fi
done

# ---- the report --------------------------------------------------------------------------------------
# The generated part goes between two markers in docs/performance.md; the sections others wrote by hand
# (outside the markers) are kept as they are.
out=docs/performance.md
mkdir -p docs
generated=$work/generated.md
{
  echo "<!-- generated by scripts/bench.sh: begin -->"
  echo "## Station benchmarks"
  echo
  echo "Generated by \`scripts/bench.sh$([ $quick = 1 ] && echo ' --quick')$([ $aot = 0 ] && echo ' --no-aot')$([ $peers_run = 0 ] && echo ' --no-peers')\` on $(date -u +%Y-%m-%d): $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB, .NET $(dotnet --version)."
  echo "Every figure comes from one run of the script; rerun it to check them on your hardware."
  echo
  echo "### Targets"
  echo
  echo "| what | target |"
  echo "| --- | --- |"
  echo "| alarm latency (reading crosses a threshold -> amplifier relay on), p99 | within 100 ms beyond the poll period |"
  echo "| startup to READY (systemd notify), native-aot (what the package ships) | under 200 ms |"
  echo "| steady RSS, 10 sensors polled every 1 s, native-aot | at most 25 MB |"
  echo "| CPU, 10 sensors polled every 1 s, native-aot | at most 0.5 % of a core |"
  echo
  echo "### The station, per build"
  echo
  echo "Bench station: 10 float32 water-level sensors on one Modbus TCP bus, polled every second; Modbus peer: $peer_note; uplink to a local mosquitto."
  echo "Startup is from process start to the READY=1 datagram on NOTIFY_SOCKET; RSS is the highest VmRSS and CPU the user+system time over ${sample} s after ${settle} s of settling. Each build runs with the environment the systemd unit gives the station (its \`Environment=\` lines), as user \`$station_user\` (the unit runs it as edge-gateway: neither owns nor may write the executable)."
  echo
  echo "Smoke: \`config validate\` of firmware-config/examples/station.yaml, \`modbus read\` of the ten registers, READY, and an alarm raised (the latency run below)."
  echo "Load average when the measurements ended: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| build | status | smoke | startup to READY | steady RSS | CPU (% of one core) | notes |"
  echo "| --- | --- | --- | --- | --- | --- | --- |"
  for name in framework-dependent self-contained-trimmed native-aot; do
    echo "| $name | ${note[$name]:-} | ${smoke[$name]:-—} | ${ready[$name]:-—} | ${rss[$name]:-—} | ${cpu[$name]:-—} | ${err[$name]:-} |"
  done
  echo
  if ((arm64)); then
    echo "### The arm64 build under qemu-aarch64 (emulated)"
    echo
    echo "Every station runs the linux-arm64 Native AOT build. Here it is cross-built on this x64 machine and run under"
    echo "\`qemu-aarch64 -L $qemu_root\` with the same bench station and peers: the sizes are the real ones; startup and RSS"
    echo "are the emulator's (its own memory and translated code included), emulated on a shared x64 machine: no timing or"
    echo "memory claim for a Pi is made from them. Smoke as above (no alarm-latency run under emulation)."
    echo
    echo "| build | status | smoke | startup to READY (emulated) | steady RSS of the qemu process (emulated) | notes |"
    echo "| --- | --- | --- | --- | --- | --- |"
    echo "| native-aot-arm64 | ${note[native-aot-arm64]:-} | ${smoke[native-aot-arm64]:-—} | ${ready[native-aot-arm64]:-—} | ${rss[native-aot-arm64]:-—} | ${err[native-aot-arm64]:-} |"
    echo
  fi
  echo "### Alarm latency"
  echo
  echo "\`edgegw bench alarm-latency --samples $latency_samples --poll 1s\`: the station as \`run\` composes it (simulated GPIO, file audio sink), one"
  echo "water-level sensor polled every second over Modbus TCP from the slave simulator on 127.0.0.1, one rule with hold 0."
  echo "Each crossing sets the register above the threshold at a random phase of the poll grid and times the amplifier"
  echo "relay line going high; \"station read -> relay\" starts when the first poll after the change reaches the slave."
  echo "Target: p99 of register change -> relay within the poll period + 100 ms."
  echo
  for name in framework-dependent self-contained-trimmed native-aot; do
    if [ -n "${latency[$name]:-}" ]; then echo "- $name: ${latency[$name]}"; fi
  done
  echo
  echo "### Beside the peers"
  echo
  echo "Each subsystem's own bench script, run in the same bench run, prints our figure beside the reference tool's."
  echo
  cat "$peers"
  echo "<!-- generated by scripts/bench.sh: end -->"
} >"$generated"
python3 - "$out" "$generated" <<'PY'
import os, sys
out, generated = sys.argv[1], open(sys.argv[2]).read()
begin, end = "<!-- generated by scripts/bench.sh: begin -->", "<!-- generated by scripts/bench.sh: end -->"
text = open(out).read() if os.path.exists(out) else "# Performance\n"
if begin in text and end in text:
    text = text[:text.index(begin)] + generated.rstrip("\n") + text[text.index(end) + len(end):]
else:
    # First run: after the title, before the hand-written sections.
    lines = text.split("\n")
    at = 1 if lines and lines[0].startswith("# ") else 0
    text = "\n".join(lines[:at] + ["", generated.rstrip("\n"), ""] + lines[at:])
open(out, "w").write(text)
PY
echo "wrote $out" >&2
cat "$generated"
