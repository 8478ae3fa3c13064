#!/bin/sh
# Builds orgdesk-gateway_VERSION_ARCH.deb from an already-built gateway binary, with no Tauri
# and no cargo: dpkg-deb only. `make gateway-deb` runs it on the release build; the cli test
# suite of crates/gateway runs it on the debug build and installs the result into a scratch root.
#
#   tools/gateway-deb/build.sh --binary target/release/orgdesk-gateway --out target/gateway-deb
#       [--version 0.1.0] [--arch amd64] [--compression xz|gzip|none]
#
# The package: /usr/bin/orgdesk-gateway, /etc/orgdesk-gateway/gateway.toml (a conffile: the
# sample, which starts as is on loopback), the systemd unit in /lib/systemd/system, the docs in
# /usr/share/doc/orgdesk-gateway, and maintainer scripts that create only the pepper.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
binary= out= version= arch= compression=xz
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) binary=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --arch) arch=$2; shift 2 ;;
        --compression) compression=$2; shift 2 ;;
        *) echo "build.sh: unknown argument $1 (see the header of $0)" >&2; exit 2 ;;
    esac
done
if [ -z "$binary" ] || [ -z "$out" ]; then
    echo "build.sh: --binary PATH and --out DIR are required" >&2
    exit 2
fi
[ -x "$binary" ] || { echo "build.sh: $binary is not an executable" >&2; exit 1; }
command -v dpkg-deb >/dev/null || { echo "build.sh: dpkg-deb is missing (apt-get install dpkg)" >&2; exit 1; }
# The version the binary reports ("orgdesk-gateway 0.1.0"), unless given.
[ -n "$version" ] || version=$("$binary" --version | awk '{print $2}')
[ -n "$arch" ] || arch=$(dpkg --print-architecture)

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
root="$stage/orgdesk-gateway"
install -d -m 0755 "$root/DEBIAN" "$root/usr/bin" "$root/etc/orgdesk-gateway" \
    "$root/lib/systemd/system" "$root/usr/share/doc/orgdesk-gateway"
install -m 0755 "$binary" "$root/usr/bin/orgdesk-gateway"
install -m 0644 "$repo/docs/gateway.sample.toml" "$root/etc/orgdesk-gateway/gateway.toml"
install -m 0644 "$repo/docs/orgdesk-gateway.service" "$root/lib/systemd/system/orgdesk-gateway.service"
install -m 0644 "$repo/docs/gateway.md" "$repo/docs/gateway.sample.toml" \
    "$root/usr/share/doc/orgdesk-gateway/"
install -m 0644 "$here/copyright" "$root/usr/share/doc/orgdesk-gateway/copyright"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$root/DEBIAN/"
echo /etc/orgdesk-gateway/gateway.toml > "$root/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    "$here/control" > "$root/DEBIAN/control"

mkdir -p "$out"
deb="$out/orgdesk-gateway_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Z"$compression" --build "$root" "$deb" >/dev/null
echo "$deb"
