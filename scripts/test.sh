#!/usr/bin/env bash
# Installs what the tests need (Debian/Ubuntu packages), restores, builds with warnings as errors,
# and runs every test. Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Peers the tests talk to for real: mosquitto (MQTT broker), libmodbus (Modbus peer, compiled by the
# test fixture), socat (serial pty pairs), sox, espeak-ng and alsa-utils (audio: aplay), qemu-user and the arm64 C
# libraries (the Raspberry Pi build run under emulation; OpenSSL for it below), dpkg-dev (the .deb), systemd (unit checks).
packages=(mosquitto mosquitto-clients libmodbus-dev pkg-config gcc socat sox espeak-ng alsa-utils
          qemu-user libc6-arm64-cross libstdc++6-arm64-cross dpkg-dev systemd)
# The Native AOT builds the .deb ships (eng/NativeAot.props): clang links both; the arm64 one is
# cross-linked with lld against Debian's arm64 C library and libgcc, and llvm-objcopy splits its symbols.
packages+=(clang lld llvm libc6-dev-arm64-cross libgcc-12-dev-arm64-cross)
# scripts/powercut.sh (the power-cut fault test): a Debian guest under qemu, judged with jq.
packages+=(qemu-system-x86 qemu-utils debootstrap linux-image-amd64 e2fsprogs jq)
# The fleet (scripts/fleet-cluster.sh, tests/EdgeGateway.Hub.Tests): RabbitMQ with its MQTT plugin, and
# PostgreSQL for the hub receiver. The tests start their own instances in temporary directories on
# 127.0.0.1; the Debian system services are never started. scripts/bench-fleet.sh also needs python3 (free ports, figures).
packages+=(rabbitmq-server postgresql-15 python3)
bash scripts/apt-install.sh "${packages[@]}"
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
# The emulated arm64 demo needs the arm64 OpenSSL (ES256 command keys, TLS) beside the arm64 C
# libraries above. Debian has no cross package for it, so the arm64 package's two libraries are copied
# into the cross root (never installed as a foreign-architecture package: an arm64 libc6 beside the
# cross one would be mixed with it by the emulated loader).
sysroot=/usr/aarch64-linux-gnu
if [ ! -e "$sysroot/lib/libssl.so.3" ]; then
  echo "adding the arm64 OpenSSL libraries to $sysroot" >&2
  dpkg --print-foreign-architectures | grep -qx arm64 || "${sudo_cmd[@]}" dpkg --add-architecture arm64
  "${sudo_cmd[@]}" apt-get update -qq
  ssl_tmp=$(mktemp -d) && chmod 755 "$ssl_tmp"  # apt downloads as _apt
  (cd "$ssl_tmp" && apt-get download -qq libssl3:arm64)
  dpkg-deb -x "$ssl_tmp"/libssl3_*_arm64.deb "$ssl_tmp/root"
  "${sudo_cmd[@]}" cp "$ssl_tmp/root/usr/lib/aarch64-linux-gnu/libssl.so.3" "$ssl_tmp/root/usr/lib/aarch64-linux-gnu/libcrypto.so.3" "$sysroot/lib/"
  rm -rf "$ssl_tmp"
fi

command -v dotnet >/dev/null || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet restore EdgeGateway.sln
dotnet build EdgeGateway.sln --no-restore -c Release -warnaserror
# The run's output is long: a failed test's name and message are repeated at the end, where a reader of the
# last lines (a CI log) finds them.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
dotnet test EdgeGateway.sln --no-build -c Release --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" -ne 0 ]; then
  echo "== tests that failed (repeated from above):"
  grep -E -A 15 '^[[:space:]]+Failed [A-Za-z]' "$log" | cut -c1-400 || echo "(no failed test named: see the output above)"
fi
exit "$status"
