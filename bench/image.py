#!/usr/bin/env python3
"""The box as flashed: memory, boot and size figures of the amd64 image (make image-qemu) booted in QEMU.

- Boots a copy of the image (image/test/qemu.py; TCG unless --kvm) with the image test's devices (a screen on
  virtio-gpu, USB), so the engine draws its screen as on a box with one.
- Boot to the first HTTP answer (seconds from QEMU's start) and the engine's "boot to music" line.
- After the music plays and the box has idled IDLE seconds with no phone connected: the Pss of its three
  processes (the image test's memory(): /proc/PID/smaps_rollup, shared pages split between the processes that
  map them, so the sum counts the one binary once).
- The stripped binary (--binary) and the image file, and the xz image and arm64 binary when given.

Prints a table and one key=value line. Usage:
  bench/image.py --image IMG --binary BIN [--arm64-binary BIN] [--xz IMG.xz] [--work DIR] [--idle 60] [--kvm]
"""

import argparse
import importlib.util
import os
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "image" / "test"))
from qemu import Machine  # noqa: E402


def image_test():
    """The image test's module (its memory() and Client)."""
    spec = importlib.util.spec_from_file_location("image_test", ROOT / "image" / "test" / "image-test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def mib(path: Path | None) -> float | None:
    return os.path.getsize(path) / 2**20 if path else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, type=Path)
    parser.add_argument("--binary", required=True, type=Path, help="the image's stripped amd64 ravebox")
    parser.add_argument("--arm64-binary", type=Path, help="a stripped arm64 ravebox (make image builds one)")
    parser.add_argument("--xz", type=Path, help="an xz-compressed image (make image)")
    parser.add_argument("--work", type=Path, default=ROOT / ".build-image" / "bench-image")
    parser.add_argument("--idle", type=int, default=60, help="seconds the box idles before memory is read (60)")
    parser.add_argument("--kvm", action="store_true", help="use KVM where /dev/kvm works (default: TCG)")
    args = parser.parse_args()

    test = image_test()
    extra = ["-device", "virtio-gpu-pci", "-display", "none", "-device", "qemu-xhci,id=xhci"]
    with Machine(args.image, args.work, tcg=not args.kvm, extra_args=extra) as machine:
        machine.start()
        machine.wait_for_shell(timeout=600)
        boot_http = machine.wait_for_http("/api/state", timeout=600)
        client = test.Client(machine)
        deadline = time.monotonic() + 300
        while test.position(client) <= 0 and time.monotonic() < deadline:
            time.sleep(1)
        if test.position(client) <= 0:
            sys.exit("bench/image.py: nothing played within 300 s of the first HTTP answer")
        found = re.search(r"boot to music: ([0-9.]+) s", test.guest_log(machine, lines=400))
        boot_music = float(found.group(1)) if found else float("nan")
        time.sleep(args.idle)
        pss = test.memory(machine)

    sizes = {"binary_mib": mib(args.binary), "image_mib": mib(args.image), "arm64_binary_mib": mib(args.arm64_binary),
             "image_xz_mib": mib(args.xz)}
    rows = [
        ("boot to first HTTP answer (s, QEMU start)", f"{boot_http:.1f}"),
        ("boot to music (s, kernel start)", f"{boot_music:.1f}"),
        ("Pss supervisor / engine / web (MiB)", f"{pss['supervisor']:.1f} / {pss['engine']:.1f} / {pss['web']:.1f}"),
        ("Pss of the three (MiB)", f"{pss['total']:.1f}"),
    ] + [(f"{name.removesuffix('_mib').replace('_', ' ')} (MiB)", f"{value:.1f}")
         for name, value in sizes.items() if value is not None]
    width = max(len(name) for name, _ in rows)
    print(f"image: {args.image.name}, {'KVM' if args.kvm else 'TCG'}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    figures = {"boot_http_s": boot_http, "boot_music_s": boot_music, "pss_total_mib": pss["total"],
               "pss_supervisor_mib": pss["supervisor"], "pss_engine_mib": pss["engine"], "pss_web_mib": pss["web"]}
    figures.update({name: value for name, value in sizes.items() if value is not None})
    print(" ".join(f"{name}={value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
