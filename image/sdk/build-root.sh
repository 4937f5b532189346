#!/usr/bin/env bash
# Creates the amd64 Debian sid build root ($OUT/host) holding Debian's swiftlang 6.2.3 toolchain.
# The Swift SDK bundles (make-sdk.sh) and the cross build (build-ravebox.sh) run inside it.
#
# Usage: image/sdk/build-root.sh            (OUT defaults to .build-image in the checkout top)
# Idempotent: a stamp file marks a finished root; delete $OUT/host (and the stamp) to rebuild.
#
# The root deliberately holds NO amd64 -dev packages of our C libraries (libasound2-dev, libgpiod-dev, ...):
# SwiftPM's pkg-config must only ever find the .pc files of the SDK sysroot, never the build root's.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$TOP/.build-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST=$OUT/host
STAMP=$OUT/host.stamp

die() { echo "build-root: $*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap creates device nodes and chowns files)"
command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (apt-get install mmdebstrap)"

if [ -f "$STAMP" ] && [ -x "$HOST/usr/libexec/swift/bin/swift" ]; then
    echo "build-root: $HOST is up to date ($(cat "$STAMP"))"
    exit 0
fi

mkdir -p "$OUT"
if [ -e "$HOST" ]; then
    echo "build-root: removing the unfinished root $HOST"
    # A leftover mount inside would make rm descend into the host's /dev or /proc: refuse instead.
    if findmnt -rn -o TARGET | grep -q "^$HOST/"; then
        die "something is still mounted under $HOST; unmount it first"
    fi
    rm -rf "$HOST"
fi

start=$(date +%s)
echo "build-root: mmdebstrap amd64 sid -> $HOST"
mmdebstrap --architectures=amd64 --variant=apt \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --include=swiftlang,g++,libc6-dev,pkg-config,git,file,ca-certificates \
    sid "$HOST" "$MIRROR"

# The Swift package mirror is bind-mounted here by build-ravebox.sh; git must use it instead of GitHub.
mkdir -p "$HOST/opt/swift-packages" "$HOST/root"
cat > "$HOST/root/.gitconfig" <<'GITCONFIG'
[url "/opt/swift-packages/"]
	insteadOf = https://github.com/
	insteadOf = git@github.com:
	insteadOf = ssh://git@github.com/
[safe]
	directory = *
GITCONFIG

# shellcheck disable=SC2016 # ${Version} is a dpkg-query field, not a shell variable
version=$(chroot "$HOST" dpkg-query -W -f='${Version}' swiftlang)
echo "swiftlang $version, built $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$STAMP"
echo "build-root: done in $(( $(date +%s) - start )) s: swiftlang $version, $(du -sh "$HOST" | cut -f1)"
