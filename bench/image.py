#!/usr/bin/env python3
"""The box as flashed: memory and size figures of the amd64 image (make image-qemu) booted in QEMU.

- Boots a copy of the image, its ravebox.yaml edited as the image test edits it (an admin password), on the image
  test's machine (image/test/image-test.py's test_machine: a screen on virtio-gpu, USB, the radios; TCG unless
  --kvm), so the engine draws its screen as on a box with one.
- Once the music plays and the box has idled IDLE seconds with no phone connected: the Pss of its three
  processes (the image test's memory(): /proc/PID/smaps_rollup, shared pages split between the processes that
  map them, so the sum counts the one binary once).
- The stripped binary (--binary) and the image file, and the xz image and arm64 binary when given.
Boot times have their own benchmark, side by side with another image (bench/boot-time.py, make bench-boot).

Prints a table and one key=value line. Usage:
  bench/image.py --image IMG --binary BIN [--arm64-binary BIN] [--xz IMG.xz] [--work DIR] [--idle 60] [--kvm]
"""

import argparse
import os
import sys
import time
from pathlib import Path

import imagetest

ROOT = Path(__file__).resolve().parent.parent


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

    test = imagetest.load()
    args.work.mkdir(parents=True, exist_ok=True)
    # The card as the image test has it before its first boot: ravebox.yaml with an admin password.
    disk = test.first_boot_disk(args.image, args.work)
    with test.test_machine(disk, args.work / "machine", None, args.kvm) as machine:
        machine.start()
        machine.wait_for_shell(timeout=600)
        machine.wait_for_http("/api/state", timeout=600)
        client = test.Client(machine)
        deadline = time.monotonic() + 300
        while test.position(client) <= 0 and time.monotonic() < deadline:
            time.sleep(1)
        if test.position(client) <= 0:
            sys.exit("bench/image.py: nothing played within 300 s of the first HTTP answer")
        time.sleep(args.idle)
        pss = test.memory(machine)

    sizes = {"binary_mib": mib(args.binary), "image_mib": mib(args.image), "arm64_binary_mib": mib(args.arm64_binary),
             "image_xz_mib": mib(args.xz)}
    rows = [
        ("Pss supervisor / engine / web (MiB)", f"{pss['supervisor']:.1f} / {pss['engine']:.1f} / {pss['web']:.1f}"),
        ("Pss of the three (MiB)", f"{pss['total']:.1f}"),
    ] + [(f"{name.removesuffix('_mib').replace('_', ' ')} (MiB)", f"{value:.1f}")
         for name, value in sizes.items() if value is not None]
    width = max(len(name) for name, _ in rows)
    print(f"image: {args.image.name}, {'KVM' if args.kvm else 'TCG'}")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    figures = {"pss_total_mib": pss["total"],
               "pss_supervisor_mib": pss["supervisor"], "pss_engine_mib": pss["engine"], "pss_web_mib": pss["web"]}
    figures.update({name: value for name, value in sizes.items() if value is not None})
    print(" ".join(f"{name}={value:.1f}" for name, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
