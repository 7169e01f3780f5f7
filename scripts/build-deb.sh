#!/usr/bin/env bash
# Builds the edge-gateway Debian package for a station.
# Usage: scripts/build-deb.sh arm64|amd64 [OUTPUT_DIR]        (default OUTPUT_DIR: artifacts/deb)
#   arm64: 64-bit Raspberry Pi OS; amd64: PCs, VMs, CI.
# Environment:
#   PUBLISH_DIR  use this Native AOT publish output of src/EdgeGateway for that architecture
#                instead of publishing (tests publish once and reuse it)
#   DEB_COMPRESSION  dpkg-deb compressor: xz (default, smallest), gzip, zstd or none
#   DEB_COMPRESSION_LEVEL  its level (default: dpkg-deb's)
# Writes the binary's debug symbols beside the .deb (edge-gateway_VERSION_ARCH.dbg: for gdb and core dumps;
# the package leaves them out). Prints the path of the .deb on the last line of stdout.
# arm64 is cross-compiled on an x64 machine with clang, lld and Debian's arm64 C library: see eng/NativeAot.props.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { echo "usage: scripts/build-deb.sh arm64|amd64 [OUTPUT_DIR]" >&2; exit 2; }
[ $# -ge 1 ] || usage
arch=$1
case "$arch" in
  arm64) rid=linux-arm64 ;;
  amd64) rid=linux-x64 ;;
  *) usage ;;
esac
out=${2:-artifacts/deb}
for tool in dpkg-deb dotnet; do
  command -v "$tool" >/dev/null || { echo "build-deb: $tool not found" >&2; exit 1; }
done

version=$(sed -n 's:.*<Version>\(.*\)</Version>.*:\1:p' Directory.Build.props | head -n 1)
[ -n "$version" ] || { echo "build-deb: no <Version> in Directory.Build.props" >&2; exit 1; }
config=firmware-config/examples/station.yaml
[ -f "$config" ] || { echo "build-deb: $config is missing" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
umask 022

publish=${PUBLISH_DIR:-}
if [ -z "$publish" ]; then
  publish=$work/publish
  # Native AOT: one native executable, no .NET runtime on the station (docs/performance.md,
  # "Build and runtime settings").
  dotnet publish src/EdgeGateway -c Release -r "$rid" -p:PublishAot=true -o "$publish" >&2
fi
[ -x "$publish/edgegw" ] || { echo "build-deb: no edgegw executable in $publish" >&2; exit 1; }
# A runtime beside the executable means a JIT build: the package is the Native AOT one only.
if [ -e "$publish/libcoreclr.so" ] || [ -e "$publish/System.Private.CoreLib.dll" ]; then
  echo "build-deb: $publish is not a Native AOT publish (it has the .NET runtime)" >&2; exit 1
fi

root=$work/root
lib=$root/usr/lib/edge-gateway
share=$root/usr/share/edge-gateway
doc=$root/usr/share/doc/edge-gateway
install -d "$lib" "$root/usr/bin" "$root/lib/systemd/system" "$root/etc/edge-gateway" \
  "$root/lib/udev/rules.d" "$root/usr/lib/systemd/journald.conf.d" \
  "$share/firmware-config" "$doc" "$root/DEBIAN"

# The application: the executable and the native libraries it loads (SQLite's libe_sqlite3.so, the serial
# port's). Not the split-off debug symbols (edgegw.dbg, twice the executable: they go beside the package;
# stack traces in the journal name the methods without them), nor the libraries' .pdb and .xml files that
# publishing copies though the executable has the code compiled in.
cp -R "$publish"/. "$lib"/
rm -f "$lib"/*.dbg "$lib"/*.pdb "$lib"/*.xml
chmod -R u=rwX,go=rX "$lib"
find "$lib" -type f -name '*.so' -exec chmod 0644 {} +
chmod 0755 "$lib/edgegw"
ln -s ../lib/edge-gateway/edgegw "$root/usr/bin/edgegw"

install -m 0644 systemd/edge-gateway.service "$root/lib/systemd/system/edge-gateway.service"
install -m 0644 "$config" "$root/etc/edge-gateway/station.yaml"
install -m 0644 firmware-config/udev/99-edge-gateway.rules "$root/lib/udev/rules.d/99-edge-gateway.rules"
install -m 0644 firmware-config/journald/edge-gateway.conf "$root/usr/lib/systemd/journald.conf.d/edge-gateway.conf"
install -m 0644 firmware-config/raspberry-pi/config.txt "$share/firmware-config/config.txt"
install -m 0644 firmware-config/alsa/asound.conf "$share/firmware-config/asound.conf"
install -m 0644 firmware-config/README.md "$doc/README.md"
[ ! -f docs/operations.md ] || install -m 0644 docs/operations.md "$doc/operations.md"

# The broadcast messages, rendered by scripts/make-clips.sh where the repository has it.
if [ -f scripts/make-clips.sh ]; then
  install -d "$share/audio"
  bash scripts/make-clips.sh "$share/audio" >&2
  chmod 0644 "$share/audio"/*
fi

installed_kb=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$installed_kb/" \
  packaging/deb/control.in > "$root/DEBIAN/control"
install -m 0644 packaging/deb/conffiles "$root/DEBIAN/conffiles"
for script in postinst prerm postrm; do
  install -m 0755 "packaging/deb/$script" "$root/DEBIAN/$script"
done

mkdir -p "$out"
deb="$out/edge-gateway_${version}_${arch}.deb"
level=()
[ -z "${DEB_COMPRESSION_LEVEL:-}" ] || level=("-z${DEB_COMPRESSION_LEVEL}")
dpkg-deb --root-owner-group "-Z${DEB_COMPRESSION:-xz}" "${level[@]}" --build "$root" "$deb" >&2
[ ! -f "$publish/edgegw.dbg" ] || install -m 0644 "$publish/edgegw.dbg" "$out/edge-gateway_${version}_${arch}.dbg"
echo "$deb"
