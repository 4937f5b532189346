#!/usr/bin/env bash
# Builds Linux's GPIO simulator (drivers/gpio/gpio-sim.c) as an out-of-tree module for
# one Debian trixie amd64 kernel, and packs it, with Debian's libgpiod v2 tools
# (gpiodetect, gpioinfo, gpioget, gpioset, gpiomon), Debian's static busybox and the
# image/test/tools scripts (a phone's DHCP lease script, an mDNS query), into a small ext4
# image that the QEMU image test attaches as an extra read-only virtio disk. Debian's
# kernel is built without CONFIG_GPIO_SIM; see README.md beside this file.
#
#   build-module.sh [--kernel-version KVER | --image IMG] [--out DIR] [--mirror URL]
#
#   --kernel-version KVER  e.g. 6.12.117+deb13-amd64 (uname -r of the guest)
#   --image IMG            take KVER from the kernel in IMG's boot (FAT) partition
#   (neither)              the newest linux-image-*-amd64 in trixie
#   --out DIR              default: .build-image/gpio-sim (of the repository)
#
# Writes DIR/gpio-sim.ko, DIR/test-tools.img (ext4, label rb-tools: gpio-sim.ko,
# bin/gpio*, bin/busybox, lib/libgpiod.so.*, udhcpc.sh, mdns-query.pl, kernel-version)
# and DIR/kernel-version.
# The build root is an amd64 trixie chroot made with mmdebstrap in
# .build-image/gpio-sim-root (kept; remade when its stamp does not match); the kernel
# headers and the kernel source package of KVER are installed into it on demand.
# Needs root, mmdebstrap, mtools and e2fsprogs (mke2fs -d), and the Debian mirror.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
suite=trixie
mirror=${RAVEBOX_MIRROR:-http://deb.debian.org/debian}
kver=
image=
out=$repo/.build-image/gpio-sim
root=$repo/.build-image/gpio-sim-root
base_packages=gcc,make,xz-utils,kmod,file,ca-certificates

die() { echo "build-module.sh: error: $*" >&2; exit 1; }
log() { echo "build-module.sh: $*" >&2; }

while (($#)); do
    case $1 in
        --kernel-version) [[ $# -ge 2 ]] || die "--kernel-version needs a value"; kver=$2; shift 2 ;;
        --image) [[ $# -ge 2 ]] || die "--image needs a value"; image=$2; shift 2 ;;
        --out) [[ $# -ge 2 ]] || die "--out needs a value"; out=$2; shift 2 ;;
        --mirror) [[ $# -ge 2 ]] || die "--mirror needs a value"; mirror=$2; shift 2 ;;
        -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
        *) die "unknown argument: $1 (see --help)" ;;
    esac
done
[[ -z $kver || -z $image ]] || die "give --kernel-version or --image, not both"
[[ $(id -u) -eq 0 ]] || die "run as root (mmdebstrap --mode=root, chroot)"
for tool in mmdebstrap mke2fs chroot; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install mmdebstrap e2fsprogs)"
done

# --- the kernel version ------------------------------------------------------------------
# From an image: the bzImage header carries "version 6.12.117+deb13-amd64 (...)", which
# `file` shows; the first word is uname -r, the name of /lib/modules/KVER and of
# linux-headers-KVER.
kver_of_image() {
    local img=$1 tmp offset
    [[ -r $img ]] || die "cannot read image $img"
    command -v mcopy >/dev/null || die "mcopy not found (apt-get install mtools)"
    # Partition 1 (FAT) start: MBR entry 0, LBA at byte 454 (little endian).
    offset=$(( $(od -An -tu4 -j454 -N4 "$img" | tr -d ' ') * 512 ))
    ((offset > 0)) || die "$img: no partition 1 in its MBR"
    tmp=$(mktemp)
    MTOOLS_SKIP_CHECK=1 mcopy -n -o -i "$img@@$offset" ::vmlinuz "$tmp" 2>/dev/null \
        || { rm -f "$tmp"; die "$img: no vmlinuz in its boot partition"; }
    local v
    v=$(file -b "$tmp" | sed -n 's/.*, version \([^ ]*\) .*/\1/p')
    rm -f "$tmp"
    [[ -n $v ]] || die "$img: cannot read the kernel version from its vmlinuz"
    echo "$v"
}
[[ -z $image ]] || kver=$(kver_of_image "$image")
[[ -z $kver || $kver =~ ^[0-9]+\.[0-9]+[^/[:space:]]*-amd64$ ]] \
    || die "kernel version '$kver' does not look like a Debian amd64 one (e.g. 6.12.117+deb13-amd64)"

# --- the build root ----------------------------------------------------------------------
stamp=$root.stamp
want_stamp="suite=$suite mirror=$mirror packages=$base_packages v=1"
if [[ ! -f $stamp || $(cat "$stamp") != "$want_stamp" || ! -x $root/usr/bin/make ]]; then
    log "mmdebstrap: amd64 $suite build root in $root"
    rm -rf "$root" "$stamp"
    mkdir -p "$(dirname "$root")"
    mmdebstrap --mode=root --variant=apt --architectures=amd64 --components=main \
        --aptopt='Acquire::Retries "3"' \
        --dpkgopt='path-exclude=/usr/share/man/*' \
        --dpkgopt='path-exclude=/usr/share/doc/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --include="$base_packages" \
        "$suite" "$root" "$mirror" 2>&1 | grep -v '^I: \(running\|dpkg\)' >&2 \
        || die "mmdebstrap failed (is $mirror reachable?)"
    [[ -x $root/usr/bin/make ]] || die "mmdebstrap did not make a build root in $root"
    echo "$want_stamp" >"$stamp"
fi

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LC_ALL=C.UTF-8 \
    DEBIAN_FRONTEND=noninteractive "$@"; }
apt_updated=
apt_update() {
    [[ -n $apt_updated ]] && return 0
    in_root apt-get -q update >/dev/null || die "apt-get update failed in $root"
    apt_updated=1
}

if [[ -z $kver ]]; then
    apt_update
    kver=$(in_root apt-cache depends linux-image-amd64 \
        | sed -n 's/^ *Depends: linux-image-\([^ ]*-amd64\)\( .*\)\{0,1\}$/\1/p' | grep -v unsigned | head -n 1 || true)
    [[ -n $kver ]] || die "cannot find the kernel of linux-image-amd64 in $suite"
    log "newest kernel in $suite: $kver"
fi
log "kernel version: $kver"

# Kernel headers of KVER (and gcc-14 etc. through their dependencies).
if [[ ! -f $root/lib/modules/$kver/build/Makefile ]]; then
    apt_update
    in_root apt-cache show "linux-headers-$kver" >/dev/null 2>&1 \
        || die "linux-headers-$kver is not in $suite on $mirror (the image's kernel is older than the archive's; rebuild the image or pass the archive's version)"
    log "installing linux-headers-$kver"
    # (They depend on linux-image-KVER: its initramfs is made once, then kept.)
    in_root apt-get -q -y --no-install-recommends install "linux-headers-$kver" >/dev/null 2>"$root.apt.log" \
        || { tail -n 20 "$root.apt.log" >&2; die "apt-get install linux-headers-$kver failed (log: $root.apt.log)"; }
fi
# The source package's version (e.g. 6.12.117-1): linux-source-6.12 of that version
# has gpio-sim.c exactly as built for this kernel.
# shellcheck disable=SC2016 # ${Version} is dpkg-query's, not the shell's
srcver=$(in_root dpkg-query -W -f='${Version}' "linux-headers-$kver") \
    || die "linux-headers-$kver is not installed in $root"
series=$(cut -d. -f1,2 <<<"$kver")
srcdir=$root/usr/src/gpio-sim-src/$srcver
if [[ ! -f $srcdir/drivers/gpio/gpio-sim.c || ! -f $srcdir/kernel/irq/irq_sim.c ]]; then
    apt_update
    log "fetching linux-source-$series=$srcver (for drivers/gpio and kernel/irq/irq_sim.c)"
    rm -rf "$root/tmp/gpio-sim-dl" && mkdir -p "$root/tmp/gpio-sim-dl" && chmod 777 "$root/tmp/gpio-sim-dl"
    in_root sh -c "cd /tmp/gpio-sim-dl && apt-get -q download linux-source-$series=$srcver" >/dev/null \
        || die "linux-source-$series=$srcver is not downloadable from $suite on $mirror"
    deb=$(ls "$root"/tmp/gpio-sim-dl/linux-source-"$series"_*.deb)
    rm -rf "$srcdir.tmp" && mkdir -p "$srcdir.tmp"
    # Only what is needed out of the ~150 MB tarball inside the package.
    in_root sh -c "dpkg-deb --fsys-tarfile /tmp/gpio-sim-dl/${deb##*/} \
        | tar -xO ./usr/src/linux-source-$series.tar.xz \
        | tar -xJ -C /usr/src/gpio-sim-src/$srcver.tmp --strip-components=1 \
            linux-source-$series/drivers/gpio linux-source-$series/kernel/irq/irq_sim.c" \
        || die "cannot extract drivers/gpio from ${deb##*/}"
    [[ -f $srcdir.tmp/drivers/gpio/gpio-sim.c ]] || die "${deb##*/} has no drivers/gpio/gpio-sim.c"
    rm -rf "$srcdir" && mv "$srcdir.tmp" "$srcdir"
    rm -rf "$root/tmp/gpio-sim-dl"
fi

# --- the module --------------------------------------------------------------------------
# gpio-sim.ko is built from gpio-sim.c and, when the kernel lacks CONFIG_IRQ_SIM (Debian's
# does: only GPIO_SIM and a few test drivers select it), from kernel/irq/irq_sim.c too,
# whose devm_irq_domain_create_sim_full() gpio-sim needs for its line interrupts. The
# module keeps the name gpio-sim (gpio-sim.c is compiled as gpio-sim-main.o).
build=$root/tmp/gpio-sim-build
config=$root/lib/modules/$kver/build/.config
rm -rf "$build" && mkdir -p "$build"
cp "$srcdir/drivers/gpio/gpio-sim.c" "$build/gpio-sim-main.c"
objs=gpio-sim-main.o
if ! grep -qx 'CONFIG_IRQ_SIM=y' "$config"; then
    # irq_to_desc() is not exported to modules: handle_simple_irq(irq_to_desc(n)) becomes
    # generic_handle_irq(n), which runs the same handler (set by irq_sim_domain_map).
    grep -q 'handle_simple_irq(irq_to_desc(irqnum));' "$srcdir/kernel/irq/irq_sim.c" \
        || die "irq_sim.c of $srcver differs from the expected one (no handle_simple_irq(irq_to_desc(irqnum)))"
    sed 's/handle_simple_irq(irq_to_desc(irqnum));/generic_handle_irq(irqnum);/' \
        "$srcdir/kernel/irq/irq_sim.c" >"$build/irq_sim.c"
    objs+=" irq_sim.o"
fi
# Private headers that gpio-sim.c includes with quotes ("gpiolib.h", ...), from the
# same source (they are not in linux-headers).
while read -r h; do
    [[ -f $srcdir/drivers/gpio/$h ]] || die "gpio-sim.c includes \"$h\", which is not in drivers/gpio"
    cp "$srcdir/drivers/gpio/$h" "$build/"
done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$srcdir/drivers/gpio/gpio-sim.c")
printf 'obj-m := gpio-sim.o\ngpio-sim-y := %s\n' "$objs" >"$build/Kbuild"
log "compiling gpio-sim.ko ($objs) against /lib/modules/$kver/build"
in_root make -s -C "/lib/modules/$kver/build" M=/tmp/gpio-sim-build modules >"$build.log" 2>&1 \
    || { tail -n 30 "$build.log" >&2; die "module build failed (log: $build.log)"; }
ko=$build/gpio-sim.ko
[[ -f $ko ]] || die "make did not produce gpio-sim.ko"
in_root strip --strip-debug /tmp/gpio-sim-build/gpio-sim.ko   # 870 KiB of DWARF otherwise
vermagic=$(in_root modinfo -F vermagic /tmp/gpio-sim-build/gpio-sim.ko)
[[ $vermagic == "$kver "* ]] || die "gpio-sim.ko has vermagic '$vermagic', not $kver"

# --- the tools disk ----------------------------------------------------------------------
# libgpiod v2 tools of trixie (the image has no gpiod): dynamically linked against
# trixie's libc, which the guest has; run with LD_LIBRARY_PATH=<mount>/lib. And busybox
# (static) for the network checks of a "phone" on the hotspot: udhcpc, nslookup, wget.
tools=$root/tmp/gpio-sim-tools
if [[ ! -x $tools/usr/bin/gpiomon || ! -x $tools/usr/bin/busybox ]]; then
    apt_update
    rm -rf "$tools" "$root/tmp/gpio-sim-debs" && mkdir -p "$tools" "$root/tmp/gpio-sim-debs"
    chmod 777 "$root/tmp/gpio-sim-debs"
    in_root sh -c 'cd /tmp/gpio-sim-debs && apt-get -q download gpiod libgpiod3 busybox-static' >/dev/null \
        || die "apt-get download gpiod libgpiod3 busybox-static failed"
    for d in "$root"/tmp/gpio-sim-debs/*.deb; do
        in_root dpkg-deb -x "/tmp/gpio-sim-debs/${d##*/}" /tmp/gpio-sim-tools
    done
    rm -rf "$root/tmp/gpio-sim-debs"
fi

mkdir -p "$out"
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/bin" "$stage/lib"
cp "$ko" "$stage/gpio-sim.ko"
cp "$tools"/usr/bin/gpio* "$tools"/usr/bin/busybox "$stage/bin/"
# The phone's DHCP lease script and the mDNS query (image/test/tools).
cp "$here/../tools/udhcpc.sh" "$here/../tools/mdns-query.pl" "$stage/"
cp -a "$tools"/usr/lib/x86_64-linux-gnu/libgpiod.so.* "$stage/lib/"
echo "$kver" >"$stage/kernel-version"
chmod -R u=rwX,go=rX "$stage"

cp "$ko" "$out/gpio-sim.ko.tmp" && mv "$out/gpio-sim.ko.tmp" "$out/gpio-sim.ko"
rm -f "$out/test-tools.img.tmp"
mke2fs -q -F -t ext4 -L rb-tools -E root_owner=0:0 -O ^has_journal -d "$stage" \
    "$out/test-tools.img.tmp" 8M >/dev/null || die "mke2fs -d failed"
mv "$out/test-tools.img.tmp" "$out/test-tools.img"
echo "$kver" >"$out/kernel-version"
log "wrote $out/gpio-sim.ko and $out/test-tools.img ($kver)"
