#!/usr/bin/env bash
# Builds the Ravebox SD-card image from Debian packages.
#
#   image/build-image.sh --arch amd64|arm64 --out DIR [--binary FILE] [--demo DIR]
#                        [--version V] [--xz] [--mirror URL] [--keep]
#
# arm64 -> DIR/ravebox-V-rpi-arm64.img   (Raspberry Pi 3/4/5/Zero 2 W, see image/README.md)
# amd64 -> DIR/ravebox-V-qemu-amd64.img  (the same recipe for QEMU tests)
#
# Steps: mmdebstrap (root mode; Debian trixie; arm64 through binfmt qemu-aarch64 on
# other hosts) with customize hooks (this script called with --customize ROOT), then
# the root is split into the boot, root and data file systems and genimage writes the
# raw disk image with mkdosfs/mcopy and mke2fs -d: no loop devices, no mounts.
# Work files go to .build-image/ at the top of the repository (git-ignored).
# Needs root and: mmdebstrap genimage dosfstools mtools e2fsprogs fdisk device-tree-compiler
# (+ qemu-user-static binfmt-support arch-test for arm64 on a non-arm64 host).
set -euo pipefail

readonly SUITE=trixie
readonly DISK_SIGNATURE=0x52425831          # "RBX1": PARTUUID=52425831-0N
readonly PARTUUID_PREFIX=52425831
readonly FAT_SERIAL=52425831
readonly ROOT_UUID=6d1b7c2e-52b1-4c5e-9a1f-726276626f78
readonly DATA_UUID=6d1b7c2e-52b1-4c5e-9a1f-726264617461
# Runtime libraries of /usr/bin/ravebox when image/sdk/runtime-packages.txt does not exist.
readonly DEFAULT_RUNTIME="libc6 libgcc-s1 libcurl4t64 libasound2t64 libgpiod3 libdrm2 libfftw3-single3 libqrencode4 libavformat61
libavcodec61 libavutil59 libswresample5 libsqlite3-0 libebur128-1 zlib1g libfreetype6 libstdc++6"

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

log() { printf '[build-image %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf 'build-image: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------
# Customize hook: runs inside mmdebstrap (chroot set up, /proc,/sys,/dev mounted), with
# the variables exported below in the environment. $1 is the root directory.
# ---------------------------------------------------------------------------------------
customize() {
    local root=$1
    local arch=$RB_ARCH
    in_root() { chroot "$root" "$@"; }

    log "customize: copying image/rootfs"
    cp -a --no-preserve=ownership "$here/rootfs/." "$root/"
    chmod 0755 "$root/usr/lib/ravebox/grow-data"

    # The box's user: system account, data partition as home, no login.
    in_root groupadd --system ravebox 2>/dev/null || true
    in_root useradd --system --gid ravebox --home-dir /var/lib/ravebox --no-create-home \
        --shell /usr/sbin/nologin --comment "Ravebox party box" ravebox 2>/dev/null || true
    local group
    for group in audio video render input plugdev; do
        if in_root getent group "$group" >/dev/null; then
            in_root usermod -a -G "$group" ravebox
        fi
    done

    # udev rules and the USB stick mounter from udev/ (owned by the udev helper).
    local f
    if [[ -d $repo/udev ]]; then
        for f in "$repo"/udev/*.rules; do
            [[ -e $f ]] && install -m 0644 "$f" "$root/etc/udev/rules.d/"
        done
        for f in "$repo"/udev/*.service; do
            [[ -e $f ]] && install -m 0644 "$f" "$root/etc/systemd/system/"
        done
        if [[ -e $repo/udev/ravebox-usb-mount ]]; then
            install -D -m 0755 "$repo/udev/ravebox-usb-mount" "$root/usr/lib/ravebox/ravebox-usb-mount"
        fi
    fi

    # The binary and the demo library.
    if [[ -n ${RB_BINARY:-} ]]; then
        install -D -m 0755 "$RB_BINARY" "$root/usr/bin/ravebox"
        # Debug info is not needed on the box (host strip handles x86-64; aarch64 needs
        # binutils-aarch64-linux-gnu, else the binary goes in as it is).
        local s
        for s in strip aarch64-linux-gnu-strip; do
            if command -v "$s" >/dev/null && "$s" --strip-debug "$root/usr/bin/ravebox" 2>/dev/null; then
                log "stripped debug info with $s: $(stat -c %s "$root/usr/bin/ravebox") bytes"
                break
            fi
        done
    fi
    install -d -m 0755 "$root/usr/share/ravebox/demo"
    if [[ -n ${RB_DEMO:-} ]]; then
        cp -a --no-preserve=ownership "$RB_DEMO/." "$root/usr/share/ravebox/demo/"
        rm -f "$root/usr/share/ravebox/demo/.ravebox-demo"
    fi
    mkdir -p "$root/etc/ravebox"
    printf 'image=ravebox\nversion=%s\narch=%s\nsuite=%s\n' "$RB_VERSION" "$arch" "$SUITE" \
        >"$root/etc/ravebox/image"

    # Host name (avahi publishes ravebox.local).
    echo ravebox >"$root/etc/hostname"
    cat >"$root/etc/hosts" <<'EOF'
127.0.0.1	localhost
127.0.1.1	ravebox ravebox.local
::1		localhost ip6-localhost ip6-loopback
ff02::1		ip6-allnodes
ff02::2		ip6-allrouters
EOF

    # File systems: read-only root, tmpfs for what writes, boot FAT and data ext4.
    cat >"$root/etc/fstab" <<EOF
# Ravebox: the root file system is read-only; what must be written at run time
# lives on tmpfs (lost at power-off) or on the data partition (/var/lib/ravebox).
PARTUUID=$PARTUUID_PREFIX-02  /                 ext4   ro,noatime                                  0 0
PARTUUID=$PARTUUID_PREFIX-01  /boot/firmware    vfat   rw,noatime,umask=0022,flush,errors=remount-ro  0 2
PARTUUID=$PARTUUID_PREFIX-03  /var/lib/ravebox  ext4   rw,noatime,commit=5,nodev,nosuid              0 2
tmpfs  /tmp              tmpfs  mode=1777,nosuid,nodev,size=25%       0 0
tmpfs  /var/tmp          tmpfs  mode=1777,nosuid,nodev,size=64M       0 0
tmpfs  /var/log          tmpfs  mode=0755,nosuid,nodev,noexec,size=32M 0 0
tmpfs  /var/lib/systemd  tmpfs  mode=0755,nosuid,nodev,size=16M       0 0
tmpfs  /var/lib/misc     tmpfs  mode=0755,nosuid,nodev,size=4M        0 0
tmpfs  /var/lib/dhcp     tmpfs  mode=0755,nosuid,nodev,size=4M        0 0
tmpfs  /var/cache        tmpfs  mode=0755,nosuid,nodev,size=32M       0 0
tmpfs  /var/spool        tmpfs  mode=0755,nosuid,nodev,size=4M        0 0
# alsactl store (alsa-restore.service at shutdown): mixer levels are not kept.
tmpfs  /var/lib/alsa     tmpfs  mode=0755,nosuid,nodev,size=1M        0 0
# USB sticks' mount points (udev/ravebox-usb-mount makes one per stick).
tmpfs  /media/ravebox    tmpfs  mode=0755,nosuid,nodev,noexec,size=1M 0 0
EOF
    mkdir -p "$root/boot/firmware" "$root/var/lib/ravebox"
    # Mount points must exist on the read-only root.
    awk '$1 == "tmpfs" { print $2 }' "$root/etc/fstab" | while read -r dir; do mkdir -p "$root$dir"; done

    # DNS: systemd-resolved's stub file in /run.
    ln -sfn ../run/systemd/resolve/stub-resolv.conf "$root/etc/resolv.conf.ravebox"

    # Services.
    local enable=(systemd-networkd.service systemd-resolved.service avahi-daemon.service
        ravebox-grow-data.service ravebox-setup.service ravebox.service
        ravebox-dnsmasq.service ravebox-nftables.service
        ravebox-poweroff.path)
    [[ -e $root/lib/systemd/system/systemd-timesyncd.service || -e $root/usr/lib/systemd/system/systemd-timesyncd.service ]] \
        && enable+=(systemd-timesyncd.service)
    for f in "$root"/etc/systemd/system/ravebox-usb*.service; do
        [[ -e $f ]] || continue
        # Template units are started by udev; only plain units with [Install] get enabled.
        case $(basename "$f") in *@.service) ;; *) grep -q '^\[Install\]' "$f" && enable+=("$(basename "$f")") ;; esac
    done
    systemctl --root="$root" enable "${enable[@]}"
    # Debian's own units for what we run ourselves, and what would write to the root.
    local mask=(hostapd.service dnsmasq.service wpa_supplicant.service
        systemd-networkd-wait-online.service apt-daily.timer apt-daily-upgrade.timer
        apt-daily.service apt-daily-upgrade.service dpkg-db-backup.timer dpkg-db-backup.service
        e2scrub_all.timer e2scrub_reap.service systemd-firstboot.service
        systemd-machine-id-commit.service)
    for f in "${mask[@]}"; do
        systemctl --root="$root" mask "$f" >/dev/null 2>&1 || true
    done
    systemctl --root="$root" set-default multi-user.target

    # Kernel, initramfs and boot partition.
    if [[ $arch == amd64 ]]; then
        install_boot_amd64 "$root"
    else
        install_boot_arm64 "$root"
    fi

    # The boot FAT has the kernel and initrd; the copies in /boot are dead weight on a
    # read-only root (no kernel upgrades happen on the box).
    rm -f "$root"/boot/vmlinuz-* "$root"/boot/initrd.img-* "$root"/boot/System.map-* \
        "$root"/vmlinuz* "$root"/initrd.img*

    # Slimming: nothing reads these on the box.
    rm -rf "$root"/var/cache/apt/*.bin "$root"/var/cache/apt/archives/*.deb \
        "$root"/var/lib/apt/lists/* "$root"/var/cache/debconf/*-old "$root"/var/log/* \
        "$root"/usr/share/doc/*/changelog* "$root"/usr/share/man "$root"/usr/share/info
}

compile_overlays() {
    local dest=$1 f n=0
    mkdir -p "$dest"
    for f in "$repo"/overlays/*.dts; do
        [[ -e $f ]] || continue
        local out
        out="$dest/$(basename "${f%.dts}").dtbo"
        if ! cpp -nostdinc -undef -x assembler-with-cpp -P "$f" 2>/dev/null | dtc -q -@ -I dts -O dtb -o "$out" -; then
            dtc -q -@ -I dts -O dtb -o "$out" "$f"
        fi
        n=$((n + 1))
    done
    log "compiled $n device-tree overlay(s) into $dest"
}

# The Pi firmware applies these overlays to the board's DTB at boot, using its __symbols__
# (Debian's DTBs have them). Every overlay must apply to every DTB of the boards the image
# covers (Pi 3/3+, Zero 2 W, 4, 400, CM3, CM4); the Pi 5's (bcm2712) is left out: Pi 5 is
# experimental, its Debian device tree lacks the RP1 nodes the overlays name.
check_overlays_apply() {
    local fw=$1 dtb dtbo n=0 tmp
    tmp=$(mktemp)
    for dtb in "$fw"/bcm2710-*.dtb "$fw"/bcm2711-*.dtb "$fw"/bcm2837-*.dtb; do
        [[ -e $dtb ]] || continue
        for dtbo in "$fw"/overlays/*.dtbo; do
            fdtoverlay -i "$dtb" -o "$tmp" "$dtbo" 2>/dev/null \
                || die "overlay ${dtbo##*/} does not apply to ${dtb##*/} (fdtoverlay)"
            n=$((n + 1))
        done
    done
    rm -f "$tmp"
    ((n > 0)) || die "no Raspberry Pi DTB in $fw to check the overlays against"
    log "fdtoverlay: $n overlay/DTB pairs apply (Pi 3, Zero 2 W, 4, 400, CM3, CM4)"
}

install_boot_amd64() {
    local root=$1 kver
    kver=$(find "$root/lib/modules" -mindepth 1 -maxdepth 1 -printf '%f\n' | sort -V | tail -n 1)
    local fw=$root/boot/firmware
    install -m 0644 "$root/boot/vmlinuz-$kver" "$fw/vmlinuz"
    install -m 0644 "$root/boot/initrd.img-$kver" "$fw/initrd.img"
    sed -e "s/@CONSOLE@/ttyS0,115200/" -e "s/@PARTUUID@/$PARTUUID_PREFIX-02/" \
        "$here/boot/cmdline.txt" >"$fw/cmdline.txt"
    install -m 0644 "$here/boot/ravebox.yaml" "$fw/ravebox.yaml"
    # Overlays only as a check on amd64 (nothing would load them).
    compile_overlays "$RB_WORK/overlays-check"
}

install_boot_arm64() {
    local root=$1
    local fw=$root/boot/firmware
    # raspi-firmware's hooks (run when the kernel and initramfs were installed:
    # /etc/kernel/postinst.d/z50-raspi-firmware) put start*.elf, fixup*.dat,
    # bootcode.bin, the kernel, initrd and the bcm27xx DTBs into /boot/firmware.
    # Our config.txt and cmdline.txt replace the generated ones.
    local kernel initrd
    kernel=$(find "$fw" -maxdepth 1 -name 'vmlinuz*' -printf '%f\n' | sort -V | tail -n 1)
    initrd=$(find "$fw" -maxdepth 1 -name 'initrd.img*' -printf '%f\n' | sort -V | tail -n 1)
    [[ -n $kernel && -n $initrd ]] || die "raspi-firmware did not put a kernel/initrd into /boot/firmware"
    sed -e "s/@KERNEL@/$kernel/" -e "s/@INITRD@/$initrd/" "$here/boot/config.txt" >"$fw/config.txt"
    # Upstream kernel: the Pi 3/4 mini UART (enable_uart=1) is ttyS1, as in Debian's
    # raspi-firmware defaults; "serial0" is a Raspberry Pi OS kernel alias. tty1 last = /dev/console.
    sed -e "s/@CONSOLE@/ttyS1,115200 console=tty1/" -e "s/@PARTUUID@/$PARTUUID_PREFIX-02/" \
        "$here/boot/cmdline.txt" >"$fw/cmdline.txt"
    install -m 0644 "$here/boot/ravebox.yaml" "$fw/ravebox.yaml"
    install -m 0644 "$here/boot/ravebox-overlays.txt" "$fw/ravebox-overlays.txt"
    compile_overlays "$fw/overlays"
    check_overlays_apply "$fw"
}

if [[ ${1:-} == --customize ]]; then
    customize "$2"
    exit 0
fi

# ---------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------
usage() {
    sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

arch='' binary='' demo='' out='' version=${RAVEBOX_VERSION:-dev} xz=0 keep=0
mirror=${RAVEBOX_MIRROR:-http://deb.debian.org/debian}
while [[ $# -gt 0 ]]; do
    case $1 in
        --arch) arch=$2; shift 2 ;;
        --binary) binary=$2; shift 2 ;;
        --demo) demo=$2; shift 2 ;;
        --out) out=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --mirror) mirror=$2; shift 2 ;;
        --xz) xz=1; shift ;;
        --keep) keep=1; shift ;;
        -h | --help) usage ;;
        *) echo "unknown argument: $1" >&2; usage ;;
    esac
done
[[ $arch == amd64 || $arch == arm64 ]] || usage
[[ -n $out ]] || usage
[[ $(id -u) -eq 0 ]] || die "run as root (mmdebstrap --mode=root, file ownership in the image)"
[[ -z $binary || -x $binary ]] || die "--binary $binary is not an executable file"
[[ -z $demo || -d $demo ]] || die "--demo $demo is not a directory (make one with scripts/make-demo-library.sh DIR)"
[[ $version =~ ^[A-Za-z0-9.+~_-]+$ ]] || die "bad --version '$version'"
for tool in mmdebstrap genimage mkdosfs mcopy mke2fs dtc fdtoverlay; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install mmdebstrap genimage dosfstools mtools e2fsprogs device-tree-compiler)"
done
if [[ -n $binary ]]; then
    case $(od -An -tx1 -j18 -N2 "$binary" | tr -d ' ') in
        3e00) binarch=amd64 ;; b700) binarch=arm64 ;; *) binarch=unknown ;;
    esac
    [[ $binarch == "$arch" ]] || die "--binary $binary is built for $binarch, not $arch"
fi

mkdir -p "$out"
out=$(cd "$out" && pwd)
[[ -n $binary ]] && binary=$(readlink -f "$binary")
[[ -n $demo ]] && demo=$(cd "$demo" && pwd)
case $arch in
    arm64) image_name=ravebox-$version-rpi-arm64.img ;;
    amd64) image_name=ravebox-$version-qemu-amd64.img ;;
esac

work=$repo/.build-image/work-$arch
start=$(date +%s)
log "building $image_name (Debian $SUITE $arch) in $work"
rm -rf "$work"
mkdir -p "$work"

# --- foreign architecture: binfmt_misc + qemu-aarch64, undone afterwards ------------------
binfmt_mounted=0 binfmt_enabled=0
cleanup() {
    if [[ $binfmt_enabled == 1 ]]; then update-binfmts --disable qemu-aarch64 || true; fi
    if [[ $binfmt_mounted == 1 ]]; then umount /proc/sys/fs/binfmt_misc || true; fi
    if [[ $keep == 0 && -d $work ]]; then rm -rf "$work/root"; fi
}
trap cleanup EXIT
if [[ $arch != "$(dpkg --print-architecture)" ]]; then
    if ! arch-test "$arch" >/dev/null 2>&1; then
        [[ $arch == arm64 ]] || die "cannot run $arch binaries here"
        command -v update-binfmts >/dev/null || die "install qemu-user-static binfmt-support arch-test"
        if ! mountpoint -q /proc/sys/fs/binfmt_misc; then
            mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc
            binfmt_mounted=1
        fi
        if [[ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]] \
            || ! head -n 1 /proc/sys/fs/binfmt_misc/qemu-aarch64 | grep -qx enabled; then
            update-binfmts --enable qemu-aarch64
            binfmt_enabled=1
        fi
        arch-test "$arch" >/dev/null || die "qemu-aarch64 binfmt does not work (arch-test arm64)"
        log "enabled binfmt qemu-aarch64 for this build"
    fi
fi

# --- package list ---------------------------------------------------------------------------
read_list() { sed -e 's/#.*//' -e 's/[[:space:]]\+/\n/g' "$@" | sed '/^$/d'; }
runtime_file=$here/sdk/runtime-packages.txt
if [[ -e $runtime_file ]]; then
    runtime=$(read_list "$runtime_file")
    log "runtime libraries from image/sdk/runtime-packages.txt"
else
    runtime=$DEFAULT_RUNTIME
    log "runtime libraries: built-in trixie list (image/sdk/runtime-packages.txt absent)"
fi
packages=$( { read_list "$here/packages-common.txt" "$here/packages-$arch.txt" | grep -vx '@runtime'
    tr ' ' '\n' <<<"$runtime"; } | sed '/^$/d' | sort -u | paste -sd, -)

# --- bootstrap ---------------------------------------------------------------------------------
export RB_ARCH=$arch RB_BINARY=$binary RB_DEMO=$demo RB_VERSION=$version RB_WORK=$work
export SUITE PARTUUID_PREFIX
root=$work/root
log "mmdebstrap: $(tr ',' ' ' <<<"$packages" | wc -w) packages"
mmdebstrap --mode=root --variant=apt --architectures="$arch" \
    --components=main,non-free-firmware \
    --aptopt='Acquire::Retries "3"' \
    --dpkgopt='path-exclude=/usr/share/man/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-include=/usr/share/locale/locale.alias' \
    --dpkgopt='path-exclude=/usr/share/doc/*' \
    --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/lintian/*' \
    --include="$packages" \
    --customize-hook="\"$here/build-image.sh\" --customize \"\$1\"" \
    "$SUITE" "$root" "$mirror" 2>&1 | grep -v '^I: \(running\|dpkg\)' >&2

# mmdebstrap unmounts what it mounted, but when an unmount fails ("target is busy") it only warns;
# detach what is left, so neither du nor mke2fs -d walks /proc or /sys into the image.
leftover=$(findmnt -rn -o TARGET | grep "^$root/" | sort -r || true)
if [[ -n $leftover ]]; then
    while read -r mnt; do umount -l "$mnt"; done <<<"$leftover"
    log "detached what mmdebstrap left mounted: $(tr '\n' ' ' <<<"$leftover")"
fi

# --- final touches outside the chroot (mmdebstrap resets resolv.conf, hostname, machine-id) ----
echo ravebox >"$root/etc/hostname"
: >"$root/etc/machine-id"             # empty: systemd makes a transient id; not "first boot"
rm -f "$root/var/lib/dbus/machine-id"
[[ -d $root/var/lib/dbus ]] && ln -s /etc/machine-id "$root/var/lib/dbus/machine-id"
mv -f "$root/etc/resolv.conf.ravebox" "$root/etc/resolv.conf"
rm -f "$root/etc/ssh/ssh_host_"* 2>/dev/null || true
# ConditionNeedsUpdate= (ldconfig, systemd-update-done) must not fire on a read-only root.
touch "$root/etc/.updated" "$root/var/.updated"

# --- split into the three file systems ---------------------------------------------------------
boot_dir=$work/bootfs data_dir=$work/datafs
rm -rf "$boot_dir" "$data_dir" "$work/genimage-tmp" "$work/images" "$work/empty"
mkdir -p "$boot_dir" "$data_dir" "$work/images" "$work/empty"
mv "$root/boot/firmware/"* "$boot_dir/"
find "$root/var/lib/ravebox" -mindepth 1 -delete

uid=$(chroot "$root" id -u ravebox 2>/dev/null || awk -F: '$1=="ravebox"{print $3}' "$root/etc/passwd")
gid=$(awk -F: '$1=="ravebox"{print $3}' "$root/etc/group")
content_kib=$(du -s --apparent-size -k "$root" | cut -f1)
inodes=$(find "$root" -xdev | wc -l)
# content + ~15 %, plus room for the ext4 metadata (inode tables: 256 bytes each).
root_mib=$(( (content_kib * 115 / 100 + inodes / 4 + 16 * 1024) / 1024 ))
root_mib=$(( (root_mib + 3) / 4 * 4 ))
boot_kib=$(du -s -k "$boot_dir" | cut -f1)
(( boot_kib < 240 * 1024 )) || die "boot partition content ($boot_kib KiB) does not fit 256 MiB"
log "root content $((content_kib / 1024)) MiB, $inodes inodes -> rbroot ${root_mib} MiB; boot ${boot_kib} KiB"

timestamp=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" '+%Y%m%d%H%M%S')
sed -e "s|@BOOT_DIR@|$boot_dir|" -e "s|@ROOT_DIR@|$root|" -e "s|@DATA_DIR@|$data_dir|" \
    -e "s|@ROOT_SIZE@|${root_mib}M|" -e "s|@DISK_SIGNATURE@|$DISK_SIGNATURE|g" \
    -e "s|@FAT_SERIAL@|$FAT_SERIAL|" -e "s|@ROOT_UUID@|$ROOT_UUID|g" -e "s|@DATA_UUID@|$DATA_UUID|g" \
    -e "s|@RAVEBOX_UID@|$uid|" -e "s|@RAVEBOX_GID@|$gid|" -e "s|@TIMESTAMP@|$timestamp|g" \
    -e "s|@IMAGE_NAME@|$image_name|" "$here/genimage/ravebox.cfg.in" >"$work/genimage.cfg"
log "genimage"
genimage --config "$work/genimage.cfg" --rootpath "$work/empty" --tmppath "$work/genimage-tmp" \
    --inputpath "$work/images" --outputpath "$work/images" >"$work/genimage.log" 2>&1 \
    || { tail -n 30 "$work/genimage.log" >&2; die "genimage failed (log: $work/genimage.log)"; }
mv -f "$work/images/$image_name" "$out/$image_name"
if [[ $xz == 1 ]]; then
    log "xz"
    xz -T0 -6 -k -f "$out/$image_name"
fi
end=$(date +%s)
{
    echo "image=$out/$image_name"
    echo "arch=$arch suite=$SUITE version=$version"
    echo "image_bytes=$(stat -c %s "$out/$image_name")"
    [[ $xz == 1 ]] && echo "xz_bytes=$(stat -c %s "$out/$image_name.xz")"
    echo "root_partition_mib=$root_mib root_content_kib=$content_kib boot_kib=$boot_kib"
    echo "build_seconds=$((end - start))"
} | tee "$out/$image_name.info" >&2
log "done in $((end - start)) s: $out/$image_name"
