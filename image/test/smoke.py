#!/usr/bin/env python3
"""Smoke test of the Ravebox amd64 image in QEMU: what must work with or without the
ravebox binary. Boots a qcow2 overlay of the image (the image stays untouched), checks
the system over the debug shell on ttyS1, powers off cleanly and then verifies from the
host that not one byte of the root partition was written.

    image/test/smoke.py IMAGE [--tcg] [--workdir DIR] [--reboot] [--keep]

Prints boot-to-shell, boot-to-"system running" (and boot-to-HTTP when the image has the
binary) times. Exit status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemu import Machine, _partitions  # noqa: E402

TMPFS = ["/tmp", "/var/tmp", "/var/log", "/var/lib/systemd", "/var/lib/misc", "/var/lib/dhcp",
         "/var/cache", "/var/spool", "/var/lib/alsa"]
UNITS_ACTIVE = ["systemd-networkd.service", "systemd-resolved.service", "avahi-daemon.service",
                "systemd-journald.service", "ravebox-poweroff.path", "ravebox-grow-data.service"]


class Smoke:
    def __init__(self, machine: Machine):
        self.m = machine
        self.failures: list[str] = []

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        print(f"  [{'ok' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail and not ok else ""), flush=True)
        if not ok:
            self.failures.append(f"{name}: {detail}")
        return ok

    def out(self, cmd: str, timeout: float = 60) -> str:
        return self.m.run(cmd, timeout)[1].strip()


def root_written(disk: Path, image: Path) -> list[tuple[int, int]]:
    """Byte ranges of the root partition (p2) that the overlay holds, i.e. that the guest wrote."""
    _, start, size = _partitions(image)[1]
    end = start + size
    out = subprocess.run(["qemu-img", "map", "--output=json", str(disk)], check=True,
                         capture_output=True, text=True).stdout
    written = []
    for ext in json.loads(out):
        if ext.get("depth") != 0 or not ext.get("data", False) and not ext.get("zero", False):
            continue
        if ext.get("depth") == 0 and ext["start"] < end and ext["start"] + ext["length"] > start:
            written.append((max(ext["start"], start) - start, min(ext["start"] + ext["length"], end) - start))
    return written


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("image")
    ap.add_argument("--tcg", action="store_true", help="do not use KVM")
    ap.add_argument("--workdir", help="where the overlay and logs go (default: a temporary directory)")
    ap.add_argument("--reboot", action="store_true", help="boot a second time (grown data, no re-grow)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    ap.add_argument("--timeout", type=float, default=600, help="seconds allowed for each boot")
    args = ap.parse_args()

    image = Path(args.image).resolve()
    workdir = Path(args.workdir or tempfile.mkdtemp(prefix="ravebox-smoke-"))
    m = Machine(image, workdir, tcg=args.tcg or None, disk_size="4G")
    s = Smoke(m)
    print(f"image {image}\nworkdir {workdir}", flush=True)
    try:
        boots = 2 if args.reboot else 1
        for boot in range(1, boots + 1):
            m.start()
            accel = "KVM" if m.kvm else ("TCG (KVM unusable here)" if m.kvm_fallback else "TCG")
            print(f"boot {boot} ({accel}):", flush=True)
            t_shell = m.wait_for_shell(args.timeout)
            print(f"  boot-to-shell {t_shell:.1f} s", flush=True)
            state = s.out("systemctl is-system-running --wait", timeout=args.timeout)
            t_running = time.monotonic() - m.started_at
            print(f"  boot-to-{state} {t_running:.1f} s", flush=True)
            print("  " + s.out("systemd-analyze | head -n 1"), flush=True)
            failed = s.out("systemctl --failed --no-legend --plain | awk '{print $1}'")
            s.check("system running, no failed units", state == "running" and not failed,
                    f"state {state}, failed: {failed.split()}")
            for unit in failed.split():
                print(f"    --- {unit} ---\n" + s.out(f"journalctl -b -u {unit} --no-pager | tail -n 15"))

            opts = s.out("findmnt -n -o OPTIONS /").split(",")
            s.check("root mounted read-only", "ro" in opts, ",".join(opts))
            for d in TMPFS:
                fstype = s.out(f"findmnt -n -o FSTYPE --mountpoint {d}")
                s.check(f"tmpfs on {d}", fstype == "tmpfs", fstype or "not mounted")
            boot_opts = s.out("findmnt -n -o OPTIONS /boot/firmware")
            s.check("boot FAT mounted rw", boot_opts.startswith("rw") and "flush" in boot_opts, boot_opts)
            rc, o = m.run("touch /boot/firmware/.rbtest && rm /boot/firmware/.rbtest")
            s.check("boot FAT writable", rc == 0, o)
            dev = s.out("basename $(findmnt -n -o SOURCE /var/lib/ravebox)")
            disk = s.out(f"basename $(readlink -f /sys/class/block/{dev}/..)")
            p_start, p_size, d_size = (int(s.out(f"cat /sys/class/block/{f}") or 0) for f in
                                       (f"{dev}/start", f"{dev}/size", f"{disk}/size"))
            fs_bytes = int(s.out("findmnt -n -b -o SIZE /var/lib/ravebox") or 0)
            s.check("data partition grown to the end of the disk",
                    d_size - (p_start + p_size) < 2048 and fs_bytes > 0.9 * p_size * 512,
                    f"{dev}: start {p_start} size {p_size} of {d_size} sectors, file system {fs_bytes} bytes")
            print(f"  data partition {p_size * 512 / 2**30:.2f} GiB, file system {fs_bytes / 2**30:.2f} GiB")
            s.check("grow marker", m.run("test -e /var/lib/ravebox/.ravebox-grown")[0] == 0)
            s.check("data owned by ravebox", s.out("stat -c %U /var/lib/ravebox") == "ravebox")
            s.check("journald volatile", m.run("test -d /run/log/journal && test ! -e /var/log/journal")[0] == 0
                    and "volatile" in s.out("systemd-analyze cat-config systemd/journald.conf | grep -i '^Storage'"))
            s.check("hostname ravebox", s.out("hostname") == "ravebox")
            mid = s.out("findmnt -n -o FSTYPE /etc/machine-id")
            s.check("machine-id transient", mid == "tmpfs", mid)
            mods = s.out("lsmod | awk '{print $1}'").split()
            for mod in ("snd_aloop", "mac80211_hwsim"):
                s.check(f"module {mod}", mod in mods)
            s.check("snd-aloop card", "Loopback" in s.out("cat /proc/asound/cards"))
            s.check("hwsim radios", len(s.out("ls /sys/class/ieee80211").split()) >= 2)
            for unit in UNITS_ACTIVE:
                st = s.out(f"systemctl is-active {unit}")
                if unit == "ravebox-grow-data.service" and boot > 1:
                    cond = s.out(f"systemctl show -p ConditionResult --value {unit}")
                    s.check(f"{unit} skipped after the first boot", cond == "no" and st == "inactive", f"{st} {cond}")
                    continue
                s.check(f"{unit} active", st == "active", st)
            wd = s.out("systemctl show -p RuntimeWatchdogUSec --value")
            s.check("hardware watchdog armed (RuntimeWatchdogSec=15)", wd == "15s", wd)
            s.check("watchdog device", m.run("test -e /dev/watchdog0")[0] == 0)
            s.check("ravebox user", "ravebox" in s.out("id ravebox"))
            s.check("image marker /etc/ravebox/image", m.run("test -s /etc/ravebox/image")[0] == 0)
            s.check("resolv.conf in /run", s.out("readlink -f /etc/resolv.conf").startswith("/run/"))
            addr = s.out("ip -4 -o addr show dev eth0 | awk '{print $4}'")
            s.check("eth0 DHCP address", addr.startswith("10.0.2."), addr)
            s.check("no SSH server", m.run("command -v sshd")[0] != 0)
            erofs = s.out("journalctl -b --no-pager | grep -i 'read-only file system' | head -n 20")
            if erofs:
                print("  writes refused by the read-only root:\n    " + erofs.replace("\n", "\n    "))
            has_binary = m.run("test -x /usr/bin/ravebox")[0] == 0
            box_state = s.out("systemctl is-active ravebox.service") if has_binary else ""
            if has_binary and box_state not in ("active", "activating", "reloading"):
                s.check("ravebox.service running", False, box_state)
                print("    " + s.out("journalctl -b -u ravebox-setup.service -u ravebox.service --no-pager "
                                    "| tail -n 8").replace("\n", "\n    "))
            elif has_binary:
                t_http = m.wait_for_http("/api/state", args.timeout)
                print(f"  boot-to-HTTP {t_http:.1f} s", flush=True)
                status, _ = m.http("GET", "/api/state")
                s.check("/api/state answers 200", status == 200, str(status))
                user = s.out("ps -o user= -C ravebox | sort -u")
                s.check("box runs as ravebox", user == "ravebox", user)
            else:
                print("  (no /usr/bin/ravebox in this image: HTTP checks skipped)")
            t0 = time.monotonic()
            clean = m.shutdown(timeout=args.timeout / 2)
            s.check("clean power-off", clean)
            print(f"  power-off {time.monotonic() - t0:.1f} s", flush=True)
        written = root_written(m.disk, image)
        s.check("root partition untouched (no blocks in the overlay)", not written, f"written ranges {written[:10]}")
    except Exception as e:  # report and fail
        s.failures.append(f"exception: {e!r}")
        print(f"  [FAIL] {e!r}\n--- console tail ---\n{m.console()[-3000:]}", flush=True)
    finally:
        m.kill()
        if not args.keep and not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    print("PASS" if not s.failures else f"FAIL ({len(s.failures)}):\n  " + "\n  ".join(s.failures))
    return 0 if not s.failures else 1


if __name__ == "__main__":
    sys.exit(main())
