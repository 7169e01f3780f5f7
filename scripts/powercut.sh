#!/usr/bin/env bash
# Cuts the power of a station again and again and checks what the hub received: the packaged edgegw
# runs in a Debian guest (qemu, software emulation) whose process is killed with SIGKILL at random
# moments while the station writes, then booted again. See --help and docs/reliability.md.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() {
  cat <<'EOF'
usage: scripts/powercut.sh [--cuts N] [--keep DIR] [--seed N]
       scripts/powercut.sh --judge DIR

Boots the station (the .deb's edgegw) in a Debian bookworm guest under qemu-system-x86_64 (TCG, no
KVM), with its storage on the guest's ext4 disk, gauges served by `edgegw sim modbus` and the uplink
to a mosquitto on this machine's 127.0.0.1 (the guest reaches both as 10.0.2.2, qemu's user-mode
alias of the host's loopback). N times: once the station is online, wait a random 2-12 s (seeded,
the seed is printed), then SIGKILL qemu (a power cut: what the guest had not handed to its disk is
lost) and boot again. The last boot runs until the outbox is drained.

Every uplinked message is recorded across all boots (mosquitto_sub on P/S/#). Verdict:
  - the station came online (status "online") after every boot, and the last boot's outbox drained;
  - no seq was given twice (one seq, two message ids);
  - every gap in the seqs is announced by a seq-skipped event ({"from":N,"to":M}) or a
    telemetry-dropped event (data.seqs ranges); seqs above the highest telemetry seq received are
    not judged (telemetry goes out last, in seq order: above it a message may still be queued).
Prints figures per boot and ends with "powercut: PASS" (exit 0) or "powercut: FAIL" (exit 1).
Exit 2: bad usage; 3: the harness itself could not run (packages, image, build).

  --cuts N    power cuts (default 3); the guest boots N+1 times
  --keep DIR  keep the run's files in DIR: record.txt (every message received, with the host's
              receive time), run.json (boot times, seed), boot-K.log (the guest's console),
              app/ (the station and its station.yaml), the disks
  --seed N    seed of the cut moments (default: random, printed)
  --judge DIR judge a kept run again (DIR/record.txt and DIR/run.json) and print the verdict

Needs root the first time: the guest's root image is made with debootstrap (a few minutes) and
cached under ${XDG_CACHE_HOME:-~/.cache}/edgegw-powercut, keyed by a hash of what goes into it.
Installs its packages (qemu-system-x86, qemu-utils, debootstrap, linux-image-amd64, e2fsprogs,
mosquitto, mosquitto-clients, jq, dpkg-dev) when missing.
Environment:
  PUBLISH_DIR     a self-contained linux-x64 publish of src/EdgeGateway to package (else published)
  MIRROR          Debian mirror for debootstrap (default http://deb.debian.org/debian)
  BASE_TREE       an existing `debootstrap --variant=minbase --include=iproute2,libssl3 bookworm` tree
                  to use instead of bootstrapping
  POWERCUT_CACHE  the image cache directory
  BOOT_TIMEOUT    seconds a boot may take to come online (default 300)
  DRAIN_TIMEOUT   seconds the last boot may take to empty its outbox (default 240)
EOF
}

cuts=3
keep=
judge_dir=
seed=
while [ $# -gt 0 ]; do
  case "$1" in
    --cuts) cuts=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --keep) keep=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --seed) seed=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    --judge) judge_dir=${2:-}; shift 2 || { usage >&2; exit 2; } ;;
    -h|--help) usage; exit 0 ;;
    *) echo "powercut: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
[[ "$cuts" =~ ^[0-9]+$ ]] || { echo "powercut: --cuts wants a number" >&2; exit 2; }
[ -z "$seed" ] || [[ "$seed" =~ ^[0-9]+$ ]] || { echo "powercut: --seed wants a number" >&2; exit 2; }
seed=${seed:-$((SRANDOM % 1000000))}
boot_timeout=${BOOT_TIMEOUT:-300}
drain_timeout=${DRAIN_TIMEOUT:-240}

harness_fail() { echo "powercut: cannot run: $*" >&2; exit 3; }
say() { echo "powercut: $*"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
# jq over a record (scripts/powercut.jq): judge RECORD JQ-ARGS...
judge() { local record=$1; shift; jq -L "$PWD/scripts" -R -n "$@" "$record"; }
# Prints the verdict of the run in DIR; succeeds only if it passed.
verdict() {
  local out
  out=$(judge "$1/record.txt" -r --slurpfile run "$1/run.json" 'include "powercut"; verdict($run[0].boots; $run[0].cuts)') \
    || harness_fail "the record in $1 could not be judged"
  echo "$out"
  [ "$(tail -n 1 <<< "$out")" = "powercut: PASS" ]
}

if [ -n "$judge_dir" ]; then
  command -v jq > /dev/null || harness_fail "jq not found (apt-get install jq)"
  [ -f "$judge_dir/record.txt" ] && [ -f "$judge_dir/run.json" ] || harness_fail "no record.txt and run.json in $judge_dir"
  verdict "$judge_dir"
  exit
fi

# --- packages
bash scripts/apt-install.sh qemu-system-x86 qemu-utils debootstrap linux-image-amd64 e2fsprogs \
  mosquitto mosquitto-clients jq dpkg-dev >&2 || harness_fail "installing the packages failed"

# The cut moments come first from the seeded generator, so nothing else drawn changes them.
RANDOM=$seed
delays=()
for ((i = 0; i < cuts; i++)); do
  delays+=("$((2 + RANDOM % 11)).$((RANDOM % 10))")
done

work=$(mktemp -d /tmp/edgegw-powercut.XXXXXX)
pids=()      # the host peers, running until the end
qemu_pid=    # the guest now running
cleanup() {
  for pid in $qemu_pid "${pids[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  for pid in $qemu_pid "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$keep" ]; then
    mkdir -p "$keep" && cp -a "$work"/. "$keep"/ && rm -rf "$work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

# --- kernel and initrd: the host's linux-image-amd64, whose initrd must mount a virtio disk with ext4
kernel=$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1)
[ -n "$kernel" ] || harness_fail "no /boot/vmlinuz-* (apt-get install linux-image-amd64)"
kver=${kernel#/boot/vmlinuz-}
initrd=/boot/initrd.img-$kver
cache=${POWERCUT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/edgegw-powercut}
mkdir -p "$cache"
initrd_list=$(lsinitramfs "$initrd" 2>/dev/null || true)
has_module() { # module name: built into the kernel, or in the initrd
  grep -q "^CONFIG_$2=y" "/boot/config-$kver" 2>/dev/null || grep -q "/$1\.ko" <<< "$initrd_list"
}
if ! [ -f "$initrd" ] || ! { has_module virtio_pci VIRTIO_PCI && has_module virtio_blk VIRTIO_BLK \
     && has_module virtio_net VIRTIO_NET && has_module ext4 EXT4_FS; }; then
  # A host whose initramfs holds only its own drivers (MODULES=dep): make one that boots the guest.
  initrd=$cache/initrd.img-$kver
  if [ ! -f "$initrd" ]; then
    say "making an initrd with the virtio drivers for $kver"
    conf=$work/initramfs-tools
    cp -a /etc/initramfs-tools "$conf"
    sed -i 's/^MODULES=.*/MODULES=list/' "$conf/initramfs.conf"
    printf '%s\n' virtio_pci virtio_blk virtio_net ext4 >> "$conf/modules"
    mkinitramfs -d "$conf" -o "$initrd.tmp.$$" "$kver" >&2 || harness_fail "mkinitramfs failed"
    mv "$initrd.tmp.$$" "$initrd"
  fi
fi

# --- the guest's root: Debian bookworm minbase on ext4, made once per machine and cached
suite=bookworm
include=iproute2,libssl3   # iproute2: the guest's network; libssl3: the package's Depends (TLS)
# The guest's first process only mounts the run's disk and hands over to the init on it, so a
# changed station or init never invalidates the cached root.
stub='#!/bin/sh
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -o ro /dev/vdb /powercut
exec /powercut/init'
key=$(printf '%s\n' image-1 "$suite" "$include" "$stub" | sha256sum | cut -c 1-16)
base=$cache/root-$suite-$key.img
if [ ! -f "$base" ]; then
  [ "$(id -u)" -eq 0 ] || harness_fail "the guest image $base is not cached yet: run once as root"
  tree=$work/tree
  if [ -n "${BASE_TREE:-}" ]; then
    say "guest root from $BASE_TREE"
    cp -a "$BASE_TREE" "$tree"
  else
    say "debootstrap $suite (once per machine; cached in $cache)"
    debootstrap --variant=minbase --include="$include" "$suite" "$tree" "${MIRROR:-http://deb.debian.org/debian}" \
      > "$work/debootstrap.log" 2>&1 || { tail -n 20 "$work/debootstrap.log" >&2; harness_fail "debootstrap failed"; }
  fi
  rm -rf "$tree"/usr/share/doc/* "$tree"/usr/share/man/* "$tree"/usr/share/locale/* "$tree"/var/cache/apt/*.bin \
    "$tree"/var/cache/apt/archives/*.deb "$tree"/var/lib/apt/lists/*
  printf '%s\n' "$stub" > "$tree/sbin/powercut-init"
  chmod 0755 "$tree/sbin/powercut-init"
  mkdir -p "$tree/powercut" "$tree/var/lib/edge-gateway"
  mke2fs -q -F -t ext4 -L root -d "$tree" "$base.tmp.$$" 1G > /dev/null || harness_fail "mke2fs of the root image failed"
  mv "$base.tmp.$$" "$base"
  rm -rf "$tree"
fi

# --- the station: the .deb's files, built by scripts/build-deb.sh and unpacked
say "building the package (scripts/build-deb.sh amd64)"
deb=$(DEB_COMPRESSION=none scripts/build-deb.sh amd64 "$work/deb" 2> "$work/build-deb.log" | tail -n 1) \
  || { tail -n 30 "$work/build-deb.log" >&2; harness_fail "scripts/build-deb.sh failed"; }
app=$work/app
mkdir -p "$app"
dpkg-deb -x "$deb" "$app/root"
rm -f "$deb"
edgegw=$app/root/usr/lib/edge-gateway/edgegw

station=powercut-01
prefix=ews

# --- host peers, on 127.0.0.1 only
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + SRANDOM % 40000))
    ss -Hltn "sport = :$p" | grep -q . || { echo "$p"; return 0; }
  done
  return 1
}
wait_for() { # seconds, command...: polls the command until it succeeds
  local deadline=$(( $(date +%s) + $1 ))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || return 1
    sleep 0.2
  done
}

mqtt_port=$(free_port) || harness_fail "no free port"
printf 'listener %s 127.0.0.1\nallow_anonymous true\npersistence false\n' "$mqtt_port" > "$work/mosquitto.conf"
mosquitto -c "$work/mosquitto.conf" > "$work/mosquitto.log" 2>&1 &
pids+=($!)
wait_for 10 bash -c "ss -Hltn 'sport = :$mqtt_port' | grep -q ." || harness_fail "mosquitto did not listen on $mqtt_port"

# The gauge: a river level that crosses the watch threshold every 5 s, so alerts (written and fsynced
# at once) come between the telemetry batches (every second) and the disk is always busy.
{
  echo "time,slave,table,address,type,order,value"
  for ((t = 0; t < 7200; t += 5)); do
    level=$([ $(((t / 5) % 2)) -eq 0 ] && echo 1.5 || echo 2.5)
    echo "${t}s,1,holding,0,float32,ABCD,$level"
    echo "${t}s,1,holding,2,float32,ABCD,0.$((t % 10))"
  done
} > "$work/gauge.csv"
"$edgegw" sim modbus --tcp 127.0.0.1:0 --scenario "$work/gauge.csv" > "$work/sim.log" 2>&1 &
pids+=($!)
wait_for 30 grep -qs "over Modbus TCP on 127.0.0.1:" "$work/sim.log" || harness_fail "edgegw sim modbus did not start: $(cat "$work/sim.log")"
sim_port=$(sed -n 's/.*over Modbus TCP on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/sim.log" | head -n 1)

record=$work/record.txt
# One line per message: the host's receive time, then mosquitto_sub's JSON of it (scripts/powercut.jq).
mosquitto_sub -h 127.0.0.1 -p "$mqtt_port" -q 1 -i powercut-recorder -t "$prefix/$station/#" -F '%U %j' > "$record" 2> "$work/sub.log" &
pids+=($!)
probe_seen() { mosquitto_pub -h 127.0.0.1 -p "$mqtt_port" -q 1 -t "$prefix/$station/probe" -m probe && grep -q "\"topic\":\"$prefix/$station/probe\"" "$record"; }
wait_for 20 probe_seen || harness_fail "the recorder did not subscribe"

# --- the run's disk: the station, its configuration and the guest's init (a station's boot cut
# down to what the station needs: the network, then edgegw run with the packaged unit's environment)
cat > "$app/station.yaml" <<EOF
station: { id: $station, name: power-cut station }
hardware:
  gpio: { driver: simulated }
control: { socket: /run/edge-gateway/control.sock }
storage: { path: /var/lib/edge-gateway }
buses:
  - id: gauges
    modbus-tcp: { host: 10.0.2.2, port: $sim_port }
    timeout: 1s
    retries: 1
sensors:
  - id: river-level
    kind: water-level
    unit: m
    modbus: { bus: gauges, slave: 1, table: holding, address: 0, type: float32, order: ABCD }
    poll: 1s
  - id: river-speed
    kind: analog
    unit: m/s
    modbus: { bus: gauges, slave: 1, table: holding, address: 2, type: float32, order: ABCD }
    poll: 1s
alerting:
  clearAfter: 1s
  levels: [ { id: watch, severity: Moderate } ]
  rules:
    - { id: river, sensor: river-level, measure: value, above: { watch: 2.0 } }
uplink:
  mqtt: { host: 10.0.2.2, port: $mqtt_port, prefix: $prefix, keepAlive: 5s }
  telemetry: 1s
EOF
sed -e "s/10\.0\.2\.2/127.0.0.1/" "$app/station.yaml" > "$work/station-host.yaml"
"$edgegw" config validate "$work/station-host.yaml" >&2 || harness_fail "the guest's station.yaml does not validate"
unit_env=$(sed -n 's/^Environment=/export /p' "$app/root/lib/systemd/system/edge-gateway.service")
cat > "$app/init" <<EOF
#!/bin/sh
$unit_env
EOF
cat >> "$app/init" <<'EOF'
mount -t tmpfs -o mode=0755 tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t devpts devpts /dev/pts 2>/dev/null
ip link set lo up
ip addr add 10.0.2.15/24 dev eth0
ip link set eth0 up
echo "powercut-guest: starting edgegw at uptime $(cut -d ' ' -f 1 /proc/uptime)"
/powercut/root/usr/lib/edge-gateway/edgegw run --config /powercut/station.yaml
echo "powercut-guest: edgegw exited with $?"
exec sleep infinity
EOF
chmod 0755 "$app/init"
mke2fs -q -F -t ext4 -L powercut -d "$app" "$work/app.img" "$(( $(du -sm "$app" | cut -f 1) + 64 ))M" > /dev/null \
  || harness_fail "mke2fs of the station disk failed"
# The station's data lives on the root disk: a copy-on-write layer over the cached image, so the
# cache stays pristine and a write the guest never flushed can be lost with qemu's own caches.
qemu-img create -q -f qcow2 -F raw -b "$base" "$work/root.qcow2"

boot_guest() { # boot number
  qemu-system-x86_64 -accel tcg -machine q35 -cpu max -smp 2 -m 1024 \
    -kernel "$kernel" -initrd "$initrd" \
    -append "root=/dev/vda rw init=/sbin/powercut-init console=ttyS0 net.ifnames=0 quiet panic=-1" \
    -drive "file=$work/root.qcow2,if=virtio,format=qcow2" \
    -drive "file=$work/app.img,if=virtio,format=raw,readonly=on" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -display none -monitor none -serial "file:$work/boot-$1.log" -no-reboot \
    > "$work/qemu-$1.log" 2>&1 &
  qemu_pid=$!
}
power_cut() { kill -9 "$qemu_pid" 2>/dev/null || true; wait "$qemu_pid" 2>/dev/null || true; qemu_pid=; }
# Does the record hold a message received after host time $1 that meets the jq condition $2?
received() { judge "$record" -e --argjson after "$1" 'include "powercut"; messages | map(select(.t > $after)) | '"$2" > /dev/null; }
online_after() { received "$1" 'any(.topic == "status" and .m.state == "online")'; }
# Lanes keep seq order, so telemetry created after the last boot came online reaches the hub only
# after everything its outbox held from before.
drained_after() { received "$1" 'any(.topic == "telemetry" and (.m.time | epoch) > $after)'; }
first_online() {
  judge "$record" -r --argjson after "$1" 'include "powercut"; messages | map(select(.t > $after and .topic == "status" and .m.state == "online")) | .[0].t'
}

# Online, or the guest is gone (qemu failed: no point waiting).
online_or_dead() { online_after "$1" || ! kill -0 "$qemu_pid" 2>/dev/null; }
# run.json: the boots in host time, for the verdict (and --judge).
add_boot() { # start online cut drained (host times; null: did not happen)
  boots_json=$(jq -c --argjson s "$1" --argjson o "$2" --argjson c "$3" --argjson d "$4" \
    '. + [{start: $s, online: $o, cut: $c} + (if $d == null then {} else {drained: $d} end)]' <<< "$boots_json")
  jq -n -c --argjson cuts "$cuts" --argjson seed "$seed" --argjson boots "$boots_json" '{cuts: $cuts, seed: $seed, boots: $boots}' > "$work/run.json"; }

say "seed $seed, cuts $cuts; kernel $kver; mosquitto 127.0.0.1:$mqtt_port; gauges 127.0.0.1:$sim_port"
boots_json="[]"
for ((k = 1; k <= cuts + 1; k++)); do
  start=$(now)
  boot_guest "$k"
  if ! wait_for "$boot_timeout" online_or_dead "$start" || ! online_after "$start"; then
    say "boot $k: not online within ${boot_timeout}s (console: boot-$k.log)"
    tail -n 20 "$work/boot-$k.log" | sed 's/^/  guest: /' >&2
    power_cut
    add_boot "$start" null null null
    break
  fi
  online=$(first_online "$start")
  if ((k <= cuts)); then
    delay=${delays[k - 1]}
    sleep "$delay"  # the cut moment itself (seeded), not a wait for anything
    cut=$(now)
    power_cut
    say "boot $k: online after $(elapsed "$start" "$online") s; power cut $delay s later"
    add_boot "$start" "$online" "$cut" null
  else
    drained=true
    wait_for "$drain_timeout" drained_after "$online" || drained=false
    cut=$(now)
    power_cut
    say "boot $k: online after $(elapsed "$start" "$online") s; $([ $drained = true ] && echo drained || echo "NOT drained") after $(elapsed "$online" "$cut") s"
    add_boot "$start" "$online" "$cut" "$drained"
  fi
done
# The recorder has every message the broker accepted before the last kill: give it the broker's last word.
probe_seen || true

# --- verdict
verdict "$work"
