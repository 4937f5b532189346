#!/usr/bin/env bash
# Runs a cross-built ravebox binary with `--help` in a Debian trixie root that holds only the runtime packages of
# runtime-packages.txt (mmdebstrap --variant=apt), to prove that the binary's NEEDED libraries and symbol versions
# are all there. amd64 runs in a chroot; arm64 runs with qemu-aarch64-static -L <arm64 root> (no binfmt needed).
#
# Usage: image/sdk/check-runtime.sh arm64|amd64 BINARY      (OUT defaults to .build-image in the checkout top)
# Idempotent: the root $OUT/runtime-ARCH is kept and only remade when runtime-packages.txt changes.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$TOP/.build-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

die() { echo "check-runtime: $*" >&2; exit 1; }

ARCH=${1:-} BINARY=${2:-}
case "$ARCH" in arm64 | amd64) ;; *) die "usage: check-runtime.sh arm64|amd64 BINARY" ;; esac
[ -f "$BINARY" ] || die "no binary at $BINARY"
[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, chroot)"

mapfile -t packages < <(sed -e 's/#.*//' -e 's/[[:space:]]//g' -e '/^$/d' "$TOP/image/sdk/runtime-packages.txt")
ROOT=$OUT/runtime-$ARCH
STAMP=$OUT/runtime-$ARCH.stamp
inputs="trixie $ARCH ${packages[*]}"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$inputs" ]; then
    rm -rf "$ROOT" "$STAMP"
    start=$(date +%s)
    echo "check-runtime: mmdebstrap --variant=apt trixie $ARCH with ${#packages[@]} runtime packages -> $ROOT"
    IFS=,
    mmdebstrap --quiet --architectures="$ARCH" --variant=apt \
        --aptopt='Acquire::Check-Valid-Until "false"' \
        --include="${packages[*]}" trixie "$ROOT" "$MIRROR"
    unset IFS
    echo "$inputs" > "$STAMP"
    echo "check-runtime: root made in $(( $(date +%s) - start )) s, $(du -sh "$ROOT" | cut -f1)"
fi

install -m 0755 "$BINARY" "$ROOT/tmp/ravebox"
trap 'rm -f "$ROOT/tmp/ravebox"' EXIT
echo "check-runtime: ravebox --help on trixie $ARCH"
if [ "$ARCH" = amd64 ]; then
    # The Swift runtime needs /proc (without it ravebox dies with SIGILL before printing anything); the private
    # mount namespace drops that mount again when the command exits.
    # shellcheck disable=SC2016 # $1 is expanded by the inner sh
    unshare --mount --propagation private --fork sh -euc \
        'mount -t proc proc "$1/proc"; chroot "$1" /usr/bin/env -i PATH=/usr/bin:/bin /tmp/ravebox --help' sh "$ROOT"
else
    command -v qemu-aarch64-static >/dev/null || die "qemu-aarch64-static is not installed (qemu-user-static)"
    qemu-aarch64-static -L "$ROOT" "$ROOT/tmp/ravebox" --help
fi || die "ravebox --help failed on trixie $ARCH"
echo "check-runtime: ravebox --help ran on trixie $ARCH"
