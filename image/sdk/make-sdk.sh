#!/usr/bin/env bash
# Makes the Swift SDK artifact bundle debian-trixie-ARCH for the Debian swiftlang compiler in the build root.
#
# Usage: image/sdk/make-sdk.sh arm64|amd64          (OUT defaults to .build-image in the checkout top)
# Result: $OUT/sdks/debian-trixie-ARCH.artifactbundle, used by build-ravebox.sh via --swift-sdks-path.
#
# The sysroot is Debian trixie (glibc 2.41, gcc 14): libc/libstdc++ dev files plus the -dev packages of every C
# library in Package.swift's systemLibrary targets. The Swift resource dirs (modules, static runtime, clang headers)
# come from sid's swiftlang:ARCH/libswiftlang:ARCH of exactly the build root's compiler version; this holds for amd64
# too, since the target runtime must match the compiler, and linking against trixie keeps the glibc floor <= 2.41.
# Idempotent: a stamp file records the inputs; the bundle is only rebuilt when they change.
set -euo pipefail

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE=$TOP/image/sdk
OUT=${OUT:-$TOP/.build-image}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
HOST=$OUT/host

die() { echo "make-sdk: $*" >&2; exit 1; }

ARCH=${1:-}
# The triples are the ones Debian's swiftlang names its modules by (x86_64-pc-, but aarch64-unknown-).
case "$ARCH" in
    arm64) TRIPLE=aarch64-unknown-linux-gnu ;;
    amd64) TRIPLE=x86_64-pc-linux-gnu ;;
    *) die "usage: make-sdk.sh arm64|amd64" ;;
esac
NAME=debian-trixie-$ARCH

# Toolchain and C runtime, then the -dev packages of Package.swift's systemLibrary targets (pkg-config name in
# brackets): CALSA (alsa), CGPIOD (libgpiod), CDRM (libdrm), CFFTW3F (fftw3f), CFFmpeg (libavformat + avcodec,
# avutil, swresample), CQRencode (libqrencode), CFreeType (freetype2), CZlib (zlib), CEBUR128 (libebur128),
# and GRDB's system SQLite (sqlite3). libcurl4-openssl-dev: Debian's static FoundationNetworking (URLSession, used by
# RaveboxIntake) links -lcurl; sid's libswiftlang is built against libcurl4t64 (the OpenSSL flavour).
PACKAGES=(
    libc6-dev libstdc++-14-dev libgcc-14-dev linux-libc-dev
    libasound2-dev libgpiod-dev libdrm-dev libfftw3-dev
    libavformat-dev libavcodec-dev libavutil-dev libswresample-dev
    libqrencode-dev libfreetype-dev zlib1g-dev libebur128-dev libsqlite3-dev libcurl4-openssl-dev
)

[ "$(id -u)" -eq 0 ] || die "must run as root (mmdebstrap, chroot)"
{ [ -f "$OUT/host.stamp" ] && [ -x "$HOST/usr/libexec/swift/bin/swift" ]; } || die "no build root at $HOST; run image/sdk/build-root.sh first"
for f in info.json swift-sdk.json toolset.json; do [ -f "$HERE/$f" ] || die "missing template $HERE/$f"; done

# The compiler's exact Debian version: the SDK's Swift modules and runtime must come from the same build.
# shellcheck disable=SC2016 # ${Version} is a dpkg-query field, not a shell variable
DEBVERSION=$(chroot "$HOST" dpkg-query -W -f='${Version}' swiftlang)
SWIFTVERSION=${DEBVERSION%%-*}

SDKS=$OUT/sdks
BUNDLE=$SDKS/$NAME.artifactbundle
STAMP=$SDKS/$NAME.stamp
inputs="$NAME swiftlang=$DEBVERSION packages=${PACKAGES[*]} templates=$(cat "$HERE"/info.json "$HERE"/swift-sdk.json "$HERE"/toolset.json "$HERE"/trim-icu-data.py "$0" | sha256sum | cut -c1-16)"
if [ -f "$STAMP" ] && [ -d "$BUNDLE" ] && [ "$(cat "$STAMP")" = "$inputs" ]; then
    echo "make-sdk: $BUNDLE is up to date"
    exit 0
fi

start=$(date +%s)
mkdir -p "$SDKS"
rm -f "$STAMP"
WORK=$SDKS/.$NAME.tmp
rm -rf "$WORK"
VARIANT=$WORK/$NAME.artifactbundle/$NAME/$TRIPLE
SYSROOT=$VARIANT/sysroot
mkdir -p "$VARIANT"

echo "make-sdk: trixie $ARCH sysroot (mmdebstrap --variant=extract)"
IFS=,
mmdebstrap --quiet --architectures="$ARCH" --variant=extract \
    --aptopt='Acquire::Check-Valid-Until "false"' \
    --include="${PACKAGES[*]}" \
    trixie "$SYSROOT" "$MIRROR"
unset IFS
# extract makes no merged-/usr links, but libc.so (a linker script) and the ELF interpreter name /lib/... and
# /lib64/...; and the device nodes mmdebstrap creates make `swift sdk install` and copies fail.
rm -rf "${SYSROOT:?}/dev"
for d in bin sbin lib lib64; do
    if [ -d "$SYSROOT/usr/$d" ] && [ ! -e "$SYSROOT/$d" ]; then ln -s "usr/$d" "$SYSROOT/$d"; fi
done

echo "make-sdk: swiftlang:$ARCH and libswiftlang:$ARCH $DEBVERSION from sid"
DEBS=/var/cache/ravebox-sdk-debs/$ARCH
if [ "$ARCH" != amd64 ] && ! chroot "$HOST" dpkg --print-foreign-architectures | grep -qx "$ARCH"; then
    chroot "$HOST" dpkg --add-architecture "$ARCH"
fi
chroot "$HOST" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin sh -euc "
    apt-get -qq -o Acquire::Check-Valid-Until=false update
    mkdir -p $DEBS && cd $DEBS
    for p in swiftlang libswiftlang; do
        [ -f \${p}_*_$ARCH.deb ] || apt-get -qq -o Acquire::Check-Valid-Until=false download \$p:$ARCH=$DEBVERSION
    done" 2> >(grep -v 'Download is performed unsandboxed' >&2)
for p in swiftlang libswiftlang; do
    deb=$(find "$HOST$DEBS" -name "${p}_*_$ARCH.deb" | head -n1)
    [ -n "$deb" ] || die "apt-get download $p:$ARCH=$DEBVERSION gave no .deb"
    # libswiftlang has no lib/clang: tar then reports "not found in archive" and exits 2, which is fine.
    dpkg-deb --fsys-tarfile "$deb" | tar -C "$SYSROOT" -x --wildcards \
        --exclude='./usr/libexec/swift/lib/swift/host' --exclude='./usr/libexec/swift/lib/swift/embedded' \
        --exclude='./usr/libexec/swift/lib/swift_static/embedded' \
        --exclude='./usr/libexec/swift/lib/swift/FrameworkABIBaseline' --exclude='./usr/libexec/swift/lib/swift/pm' \
        './usr/libexec/swift/lib/swift*' './usr/libexec/swift/lib/clang*' 2>/dev/null || true
done
[ -f "$SYSROOT/usr/libexec/swift/lib/swift_static/linux/static-stdlib-args.lnk" ] \
    || die "the Swift static resource dir is missing from $SYSROOT"
ln -sfn ../libexec/swift/lib/swift "$SYSROOT/usr/lib/swift"

# The static Foundation's ICU data, English only (trim-icu-data.py says what stays): 32.6 MB -> 4.4 MB of the binary.
# The data is one symbol, icudtNN_dat, alone in the archive member icu_packaged_data.cpp.o; the member is replaced by
# one that holds the trimmed package under the same symbol. The build root's LLVM tools work for either architecture.
echo "make-sdk: English-only ICU data in the static Foundation"
ICU_ARCHIVE=$SYSROOT/usr/libexec/swift/lib/swift_static/linux/lib_FoundationICU.a
ICU_WORK=/tmp/ravebox-icu-$ARCH
[ -f "$ICU_ARCHIVE" ] || die "no $ICU_ARCHIVE"
rm -rf "$HOST$ICU_WORK" && mkdir -p "$HOST$ICU_WORK"
cp "$ICU_ARCHIVE" "$HOST$ICU_WORK/lib_FoundationICU.a"
in_root() { chroot "$HOST" /usr/bin/env -i PATH=/usr/libexec/swift/bin:/usr/bin:/bin sh -euc "cd $ICU_WORK && $1"; }
in_root "llvm-ar x lib_FoundationICU.a icu_packaged_data.cpp.o"
# The member's .rodata must be exactly the one data symbol: "<address> g O .rodata <size> icudtNN_dat".
read -r icu_address icu_size icu_symbol < <(in_root "llvm-objdump -t icu_packaged_data.cpp.o" \
    | awk '$NF ~ /^icudt[0-9]+_dat$/ && $4 == ".rodata" { print $1, $5, $NF }')
if [ -z "${icu_symbol:-}" ] || [ $((16#$icu_address)) -ne 0 ]; then
    die "icu_packaged_data.cpp.o: no icudtNN_dat at the start of .rodata"
fi
in_root "llvm-objcopy -O binary --only-section=.rodata icu_packaged_data.cpp.o full.dat"
[ "$(stat -c %s "$HOST$ICU_WORK/full.dat")" -eq $((16#$icu_size)) ] || die "icu_packaged_data.cpp.o: .rodata holds more than $icu_symbol"
python3 "$HERE/trim-icu-data.py" "$HOST$ICU_WORK/full.dat" "$HOST$ICU_WORK/trimmed.dat"
cat > "$HOST$ICU_WORK/icu-data.S" <<ASM
    .section .rodata,"a"
    .globl $icu_symbol
    .type $icu_symbol, %object
    .p2align 4
$icu_symbol:
    .incbin "trimmed.dat"
    .size $icu_symbol, . - $icu_symbol
    .section .note.GNU-stack,"",%progbits
ASM
in_root "clang --target=$TRIPLE -c icu-data.S -o icu_packaged_data.cpp.o && llvm-ar r lib_FoundationICU.a icu_packaged_data.cpp.o"
cp "$HOST$ICU_WORK/lib_FoundationICU.a" "$ICU_ARCHIVE"
rm -rf "$HOST$ICU_WORK"
ln -sfn ../libexec/swift/lib/swift_static "$SYSROOT/usr/lib/swift_static"

fill() { sed -e "s|@NAME@|$NAME|g" -e "s|@TRIPLE@|$TRIPLE|g" -e "s|@VERSION@|$SWIFTVERSION|g" "$1"; }
fill "$HERE/info.json" > "$WORK/$NAME.artifactbundle/info.json"
fill "$HERE/swift-sdk.json" > "$VARIANT/swift-sdk.json"
fill "$HERE/toolset.json" > "$VARIANT/toolset.json"

rm -rf "$BUNDLE"
mv "$WORK/$NAME.artifactbundle" "$BUNDLE"
rmdir "$WORK"
echo "$inputs" > "$STAMP"
changelog=$(find "$BUNDLE" -path '*/usr/share/doc/libc6/changelog.Debian.gz' | head -n1)
glibc=$(awk 'NR == 1 { gsub(/[()]/, "", $2); print $2; exit }' < <(zcat "$changelog"))
echo "make-sdk: $BUNDLE done in $(( $(date +%s) - start )) s: Swift $SWIFTVERSION, trixie glibc ${glibc:-?}, $(du -sh "$BUNDLE" | cut -f1)"
