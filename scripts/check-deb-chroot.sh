#!/usr/bin/env bash
# Installs, upgrades, removes and purges an edge-gateway .deb in a throw-away Debian chroot and
# checks what a station would be left with at each step. Needs root, debootstrap and access to a
# Debian mirror (debootstrap's default, or MIRROR=...). Takes several minutes: not part of the
# unit tests.
# Usage: sudo scripts/check-deb-chroot.sh PATH/edge-gateway_VERSION_ARCH.deb [SUITE]   (SUITE: bookworm)
# Environment:
#   BASE_TREE  an existing `debootstrap --variant=minbase` tree to copy instead of bootstrapping
#   KEEP=1     keep the chroot afterwards (its path is printed)
set -euo pipefail
cd "$(dirname "$0")/.."

deb=${1:?usage: scripts/check-deb-chroot.sh PATH/edge-gateway_VERSION_ARCH.deb [SUITE]}
suite=${2:-bookworm}
[ "$(id -u)" -eq 0 ] || { echo "check-deb-chroot: run as root" >&2; exit 1; }
[ -f "$deb" ] || { echo "check-deb-chroot: no file $deb" >&2; exit 1; }
arch=$(dpkg-deb --field "$deb" Architecture)
[ "$arch" = "$(dpkg --print-architecture)" ] || { echo "check-deb-chroot: $arch package on a $(dpkg --print-architecture) machine" >&2; exit 1; }
version=$(dpkg-deb --field "$deb" Version)

work=$(mktemp -d)
root=$work/root
cleanup() {
  for m in proc dev/pts dev; do umount -l "$root/$m" 2>/dev/null || true; done
  if [ "${KEEP:-}" = 1 ]; then echo "chroot kept: $root"; else rm -rf "$work"; fi
}
trap cleanup EXIT

step() { printf '\n== %s\n' "$*"; }
fail() { echo "check-deb-chroot: FAILED: $*" >&2; exit 1; }
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive LANG=C "$@"; }

step "chroot ($suite)"
if [ -n "${BASE_TREE:-}" ]; then
  cp -a "$BASE_TREE" "$root"
else
  command -v debootstrap >/dev/null || fail "debootstrap not found (apt-get install debootstrap)"
  debootstrap --variant=minbase "$suite" "$root" ${MIRROR:+"$MIRROR"} >/dev/null
fi
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
# Plain Debian has no gpio or i2c group: the package must make them (the unit does not start without).
for group in gpio i2c; do
  ! in_root getent group "$group" >/dev/null || fail "the base system already has group $group: it would hide a package that does not make it"
done
in_root apt-get update -qq

step "install $(basename "$deb")"
cp "$deb" "$root/tmp/edge-gateway.deb"
in_root apt-get install -y -qq --no-install-recommends /tmp/edge-gateway.deb
in_root dpkg-query -W -f='${Status} ${Version}\n' edge-gateway | grep -qx "install ok installed $version" || fail "not installed"
in_root getent passwd edge-gateway | grep -q ':/var/lib/edge-gateway:/usr/sbin/nologin$' || fail "system user"
for group in gpio dialout i2c audio; do
  in_root getent group "$group" >/dev/null || fail "group $group does not exist after install"
  in_root id -nG edge-gateway | tr ' ' '\n' | grep -qx "$group" || fail "edge-gateway not in group $group"
done
[ "$(in_root stat -c '%U:%G %a' /var/lib/edge-gateway)" = "edge-gateway:edge-gateway 750" ] || fail "/var/lib/edge-gateway owner/mode"
[ -L "$root/etc/systemd/system/multi-user.target.wants/edge-gateway.service" ] || fail "service not enabled"
in_root edgegw --version | grep -q "^$version" || fail "edgegw --version"
in_root dpkg-query -W -f='${Status}\n' espeak-ng | grep -qx "install ok installed" || fail "espeak-ng not installed as a dependency"
unit_groups=$(sed -n 's/^SupplementaryGroups=//p' "$root/lib/systemd/system/edge-gateway.service")
for group in $unit_groups; do
  in_root getent group "$group" >/dev/null || fail "the unit's SupplementaryGroups= names $group, which does not exist (216/GROUP)"
done
if in_root edgegw --help | grep -q '^  config'; then
  in_root edgegw config validate /etc/edge-gateway/station.yaml || fail "the shipped station.yaml does not validate"
fi
for clip in prepare evacuate all-clear; do
  [ "$(readlink "$root/etc/edge-gateway/audio/$clip.wav")" = "/usr/share/edge-gateway/audio/$clip.wav" ] || fail "no audio link for $clip"
done
echo "installed: user, groups, /var/lib/edge-gateway, audio links, enabled, edgegw runs"

step "technician edits station.yaml; station data recorded; package reinstalled (upgrade path)"
echo "# edited on site" >> "$root/etc/edge-gateway/station.yaml"
echo "outbox" > "$root/var/lib/edge-gateway/outbox.db"
in_root dpkg -i /tmp/edge-gateway.deb >/dev/null
tail -n 1 "$root/etc/edge-gateway/station.yaml" | grep -qx "# edited on site" || fail "the technician's station.yaml was overwritten"
echo "station.yaml kept"

step "remove"
in_root dpkg -r edge-gateway >/dev/null
[ ! -e "$root/usr/lib/edge-gateway/edgegw" ] || fail "program still there after remove"
[ -f "$root/etc/edge-gateway/station.yaml" ] || fail "remove deleted the configuration"
[ -f "$root/var/lib/edge-gateway/outbox.db" ] || fail "remove deleted station data"
in_root getent passwd edge-gateway >/dev/null || fail "remove deleted the user"
echo "removed: configuration, data and user kept"

step "purge"
in_root dpkg -P edge-gateway >/dev/null
[ ! -e "$root/etc/edge-gateway/station.yaml" ] || fail "purge left the configuration"
[ -f "$root/var/lib/edge-gateway/outbox.db" ] || fail "purge deleted station data"
echo "purged: configuration gone, data and user kept (documented)"

echo
echo "check-deb-chroot: $(basename "$deb") OK"
