#!/usr/bin/env bash
# Cross-builds the ravebox binary for Debian trixie with Debian's swiftlang in the amd64 sid build root.
#
# Usage: image/sdk/build-ravebox.sh --arch arm64|amd64 --out FILE
#   (OUT, the work folder, defaults to .build-image in the checkout top)
#
# Makes the build root and the SDK bundle first if needed (build-root.sh, make-sdk.sh; no-ops when up to date).
# Then, in a private mount namespace (so every mount is gone when this script exits, whatever happens), it binds
# the checkout read-only (as an overlay's lower layer), the Swift package mirror read-only, the SDK bundles read-only and the SwiftPM scratch
# folder $OUT/ARCH/swiftpm (kept between runs) into the root, runs
#   swift build -c release --static-swift-stdlib --swift-sdk debian-trixie-ARCH --product ravebox $RELEASE_FLAGS
# strips the binary into FILE and checks it: the ELF architecture, a glibc floor <= 2.41 (trixie), NEEDED libs.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
OUT=${OUT:-$TOP/.build-image}
PACKAGE_MIRROR=${PACKAGE_MIRROR:-/opt/swift-packages}
HOST=$OUT/host
MAX_GLIBC=2.41 # Debian trixie
# The release build's size settings (docs/performance.md, "Binary and image size"); RAVEBOX_RELEASE_FLAGS replaces
# them (words), e.g. with '' for the build without them. pack-relative-relocs: the static-PIE binary's 125,000
# relative relocations as a 20 KB RELR bitmap instead of a 3 MB table (glibc >= 2.36 applies them).
RELEASE_FLAGS=${RAVEBOX_RELEASE_FLAGS--Xlinker -z -Xlinker pack-relative-relocs}

die() { echo "build-ravebox: $*" >&2; exit 1; }
usage() { die "usage: build-ravebox.sh --arch arm64|amd64 --out FILE"; }

ARCH='' DEST=''
while [ $# -gt 0 ]; do
    case "$1" in
        --arch) [ $# -ge 2 ] || usage; ARCH=$2; shift 2 ;;
        --arch=*) ARCH=${1#*=}; shift ;;
        --out) [ $# -ge 2 ] || usage; DEST=$2; shift 2 ;;
        --out=*) DEST=${1#*=}; shift ;;
        *) usage ;;
    esac
done
case "$ARCH" in
    arm64) TRIPLE=aarch64-unknown-linux-gnu MULTIARCH=aarch64-linux-gnu FILE_ARCH='ARM aarch64' ;;
    amd64) TRIPLE=x86_64-pc-linux-gnu MULTIARCH=x86_64-linux-gnu FILE_ARCH='x86-64' ;;
    *) usage ;;
esac
[ -n "$DEST" ] || usage
case "$DEST" in /*) ;; *) DEST=$PWD/$DEST ;; esac
NAME=debian-trixie-$ARCH

if [ -z "${RAVEBOX_BUILD_NAMESPACE:-}" ]; then
    [ "$(id -u)" -eq 0 ] || die "must run as root (chroot, mounts)"
    [ -d "$PACKAGE_MIRROR" ] || die "no Swift package mirror at $PACKAGE_MIRROR"
    OUT=$OUT "$TOP/image/sdk/build-root.sh"
    OUT=$OUT "$TOP/image/sdk/make-sdk.sh" "$ARCH"
    mkdir -p "$OUT/$ARCH/swiftpm" "$(dirname "$DEST")"
    # Private mount namespace: the kernel drops all mounts below when the last process in it exits.
    exec unshare --mount --propagation private --fork \
        env RAVEBOX_BUILD_NAMESPACE=1 OUT="$OUT" PACKAGE_MIRROR="$PACKAGE_MIRROR" RAVEBOX_RELEASE_FLAGS="$RELEASE_FLAGS" \
        "${BASH_SOURCE[0]}" --arch "$ARCH" --out "$DEST"
fi

# --- inside the private mount namespace ---
bind() { # bind SOURCE TARGET [ro]
    mkdir -p "$2"
    mount --bind "$1" "$2"
    if [ "${3:-}" = ro ]; then mount -o remount,bind,ro "$2"; fi
}
mount -t proc proc "$HOST/proc"
mount --rbind /dev "$HOST/dev"
# The checkout is the read-only lower layer of an overlay, so SwiftPM can write Package.resolved (to a tmpfs upper
# layer) without touching the checkout. The resolved pins are kept in $OUT/ARCH between runs.
bind "$TOP" "$HOST/mnt/checkout" ro
mkdir -p "$HOST/mnt/upper"
mount -t tmpfs tmpfs "$HOST/mnt/upper"
mkdir -p "$HOST/mnt/upper/src" "$HOST/mnt/upper/work" "$HOST/src"
if [ ! -e "$TOP/Package.resolved" ] && [ -f "$OUT/$ARCH/Package.resolved" ]; then
    cp "$OUT/$ARCH/Package.resolved" "$HOST/mnt/upper/src/"
fi
mount -t overlay overlay \
    -o "lowerdir=$HOST/mnt/checkout,upperdir=$HOST/mnt/upper/src,workdir=$HOST/mnt/upper/work" "$HOST/src"
bind "$PACKAGE_MIRROR" "$HOST/opt/swift-packages" ro
bind "$OUT/sdks" "$HOST/sdks" ro
bind "$OUT/$ARCH/swiftpm" "$HOST/scratch"

SR=/sdks/$NAME.artifactbundle/$NAME/$TRIPLE/sysroot
PCPATH=$SR/usr/lib/$MULTIARCH/pkgconfig:$SR/usr/share/pkgconfig
run() {
    chroot "$HOST" /usr/bin/env -i HOME=/root TERM=dumb LANG=C.UTF-8 \
        PATH=/usr/libexec/swift/bin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
        PKG_CONFIG_SYSROOT_DIR="$SR" PKG_CONFIG_PATH="$PCPATH" PKG_CONFIG_LIBDIR="$PCPATH" \
        "$@"
}

read -r -a release_flags <<<"$RELEASE_FLAGS"
SWIFTPM=(--package-path /src --scratch-path /scratch --swift-sdks-path /sdks)
echo "build-ravebox: swift package resolve"
start=$(date +%s)
# Network errors cannot happen (local mirror); one more try covers SwiftPM's random graph error (see below).
if ! run swift package "${SWIFTPM[@]}" resolve; then
    echo "build-ravebox: swift package resolve failed; trying once more"
    run swift package "${SWIFTPM[@]}" resolve || die "swift package resolve failed twice (see above)"
fi
echo "build-ravebox: resolve took $(( $(date +%s) - start )) s"

echo "build-ravebox: swift build -c release --static-swift-stdlib --swift-sdk $NAME --product ravebox"
start=$(date +%s)
# SwiftPM 6.2.3 sometimes loads the package graph wrongly, at random (hash-seed order; hummingbird depends on
# swift-configuration with `traits: []` and on its product under a trait condition), and then stops at once with
# "product 'Configuration' required by package 'hummingbird' ... not found in package 'swift-configuration'".
# Retry that specific failure (it hit about half of the runs here); it costs a second or two per try. Known upstream:
# hummingbird-project/hummingbird#769, swiftlang/swift-package-manager#8398.
ERRLOG=$OUT/$ARCH/build.stderr
for attempt in $(seq 20); do
    status=0
    run swift build "${SWIFTPM[@]}" --swift-sdk "$NAME" \
        -c release --static-swift-stdlib --product ravebox "${release_flags[@]}" 2> "$ERRLOG" || status=$?
    cat "$ERRLOG" >&2
    if [ "$status" -eq 0 ] \
        || ! grep -q "^error: .*product '.*' required by package '.*' not found in package" "$ERRLOG"; then
        break
    fi
    echo "build-ravebox: SwiftPM's random package-graph error (try $attempt); trying again"
done
if [ -f "$HOST/mnt/upper/src/Package.resolved" ]; then cp "$HOST/mnt/upper/src/Package.resolved" "$OUT/$ARCH/"; fi
[ "${status:-0}" -eq 0 ] || die "swift build for $ARCH failed with status $status (see above)"
echo "build-ravebox: swift build took $(( $(date +%s) - start )) s"

run llvm-objcopy --strip-all "/scratch/$TRIPLE/release/ravebox" /scratch/ravebox.stripped \
    || die "stripping /scratch/$TRIPLE/release/ravebox failed"
install -m 0755 "$OUT/$ARCH/swiftpm/ravebox.stripped" "$DEST"
rm -f "$OUT/$ARCH/swiftpm/ravebox.stripped"

# --- checks ---
description=$(file -b "$DEST")
echo "build-ravebox: $DEST: $description"
case "$description" in
    *"$FILE_ARCH"*) ;;
    *) die "$DEST is not an $FILE_ARCH executable: $description" ;;
esac
versions=$(readelf -V --wide "$DEST")
glibc=$(grep -oE 'GLIBC_[0-9]+\.[0-9]+' <<<"$versions" | sort -uV | tail -n1)
[ -n "$glibc" ] || die "$DEST needs no GLIBC_ symbol versions: not a glibc executable?"
floor=$(printf '%s\n%s\n' "${glibc#GLIBC_}" "$MAX_GLIBC" | sort -V | tail -n1)
[ "$floor" = "$MAX_GLIBC" ] || die "$DEST needs $glibc, newer than trixie's GLIBC_$MAX_GLIBC"
others=$(grep -oE '(GLIBCXX|CXXABI)_[0-9.]+' <<<"$versions" | sort -uV | awk -F_ '{ last[$1] = $0 } END { for (k in last) printf "%s ", last[k] }')
needed=$(readelf -d --wide "$DEST" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
echo "build-ravebox: glibc floor $glibc (<= GLIBC_$MAX_GLIBC), also ${others:-nothing else}"
echo "build-ravebox: NEEDED: $needed"
echo "build-ravebox: $DEST: $(du -h "$DEST" | cut -f1) stripped"
