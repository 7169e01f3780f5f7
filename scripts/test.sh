#!/usr/bin/env bash
# Installs what the tests need (Debian/Ubuntu packages), restores, builds with warnings as errors,
# and runs every test. Usage: scripts/test.sh [extra dotnet test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

# Peers the tests talk to for real: mosquitto (MQTT broker), libmodbus (Modbus peer, compiled by the
# test fixture), socat (serial pty pairs), sox, espeak-ng and alsa-utils (audio: aplay), qemu-user and the arm64 C
# libraries (the Raspberry Pi build run under emulation), dpkg-dev (the .deb), systemd (unit checks).
packages=(mosquitto mosquitto-clients libmodbus-dev pkg-config gcc socat sox espeak-ng alsa-utils
          qemu-user libc6-arm64-cross libstdc++6-arm64-cross dpkg-dev systemd)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}" >&2
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# mosquitto is started by the tests on a free loopback port; the packaged service is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet mosquitto 2>/dev/null; then
  :
fi

command -v dotnet >/dev/null || { echo "the .NET SDK 10 is required (dotnet not on PATH)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet restore EdgeGateway.sln
dotnet build EdgeGateway.sln --no-restore -c Release -warnaserror
dotnet test EdgeGateway.sln --no-build -c Release --logger "console;verbosity=normal" "$@"
