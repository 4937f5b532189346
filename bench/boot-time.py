#!/usr/bin/env python3
"""Boot to the first HTTP answer and boot to music, two amd64 images side by side in one run.

Each boot is a first boot, as the image test's first one: a raw copy of the image with ravebox.yaml edited on
its boot partition (hotspot name, admin password, host name), booted through a fresh qcow2 overlay on the
image test's machine (image/test/image-test.py: screen, USB controller, tools disk, four mac80211_hwsim
radios; TCG unless --kvm). The boots alternate, reference first, so both images share the host's load.

- boot to HTTP: from QEMU's start until the box first answers /api/state through the forwarded port;
- boot to music: the engine's "boot to music" journal line, seconds since the kernel started (the first song
  autoplay picks from the demo library).

Prints every boot, a table with the minimum and median of each image, and one key=value line (the image
under test plain, the reference with ref_); keeps each boot's console log and systemd-analyze in --work.
Usage: bench/boot-time.py --image IMAGE --ref REFERENCE_IMAGE [--boots 3] [--tools DIR] [--work DIR] [--kvm]
"""

import argparse
import shutil
import statistics
import sys
from pathlib import Path

import imagetest

ROOT = Path(__file__).resolve().parent.parent


def summary(values: list[float]) -> str:
    return f"{min(values):.1f} / {statistics.median(values):.1f}" if values else "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, type=Path, help="the image under test")
    parser.add_argument("--ref", required=True, type=Path, help="the image it is compared with")
    parser.add_argument("--boots", type=int, default=3, help="boots of each image (3)")
    parser.add_argument("--tools", type=Path, help="folder with test-tools.img, as the image test has it")
    parser.add_argument("--work", type=Path, default=ROOT / ".build-image" / "boot-time")
    parser.add_argument("--kvm", action="store_true", help="use KVM where /dev/kvm works (default: TCG)")
    args = parser.parse_args()

    test = imagetest.load()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    tools_img = args.tools.resolve() / "test-tools.img" if args.tools else None
    images = {"ref": args.ref.resolve(), "image": args.image.resolve()}
    disks = {}
    for name, image in images.items():
        (work / name).mkdir(parents=True)
        disks[name] = test.first_boot_disk(image, work / name)

    http: dict[str, list[float]] = {name: [] for name in images}
    music: dict[str, list[float]] = {name: [] for name in images}
    for boot in range(1, args.boots + 1):
        for name in images:
            machine = test.test_machine(disks[name], work / name / f"boot{boot}", tools_img, args.kvm)
            try:
                seconds = test.boot(machine, f"{name} {boot}")
                http[name].append(seconds)
                played = test.boot_to_music(machine, timeout=300)
                print(f"boot-to-music ({name} {boot}): {played} s", flush=True)
                if played is not None:
                    music[name].append(played)
                (work / name / f"boot{boot}" / "systemd-analyze.txt").write_text(test.boot_analysis(machine) + "\n")
            finally:
                machine.kill()

    print(f"\n{args.boots} first boots each, alternating; seconds, min / median")
    print("| image | boot to first HTTP | boot to music |\n| --- | --- | --- |")
    for name, image in images.items():
        print(f"| {name}: {image.name} | {summary(http[name])} | {summary(music[name])} |")
    figures = {}
    for name, prefix in (("image", ""), ("ref", "ref_")):
        for what, values in (("boot_http_s", http[name]), ("boot_music_s", music[name])):
            figures[prefix + what] = f"{statistics.median(values):.1f}" if values else "nan"
    print(" ".join(f"{key}={value}" for key, value in figures.items()), flush=True)
    complete = all(len(http[name]) == len(music[name]) == args.boots for name in images)
    return 0 if complete else 1


if __name__ == "__main__":
    sys.exit(main())
