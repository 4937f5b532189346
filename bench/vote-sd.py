#!/usr/bin/env python3
"""Votes at an SD card's pace: the box booted from its own amd64 image in QEMU, its disk throttled to an SD
card's rate of write requests, 200 guests voting over HTTP while 300 live clients listen.

- The image (make image-qemu) is copied, its ravebox.yaml gets an admin password, and it boots in QEMU
  (image/test/qemu.py; TCG unless --kvm) with `throttling.iops-write=IOPS` on its disk (100 by default: a
  cheap card's sync writes). Before the run the guest measures its data partition's pace itself: 4 KiB
  writes with O_DSYNC (`dd oflag=dsync`), each one a write and a flush like a commit's.
- bench/vote.sh runs against the booted box (VOTE_URL): wrk with GUESTS connections voting for DURATION
  seconds as VOTERS sessions the box issued. QEMU's user network brings every connection from one address,
  so the box sees one device, which may begin only 30 sessions per 10 minutes: the 200 connections share 20
  sessions (a party's 200 phones would be 200 devices; each vote is a write either way). Settings:
  upAndDown, oneVotePerDevice off, votesPerWindow 100 per voteWindow 1 s (at most 2,000 votes/s from 20
  voters) and downvotesToKick 100, so the song voted on is never kicked (no bias voters needed).
- Meanwhile bench/ws-latency.py --url connects LISTENERS clients to /api/live and makes 40 probe votes, one
  at a time, by one voter, on a song of its own: request sent -> every client has the change.
- The disk's write requests during the run are read from the guest's /sys/block/vda/stat: with group commit
  one commit carries many votes, so acknowledged votes per second far exceed the disk's writes per second.

Prints a table and one key=value line; keeps the logs in bench/out/vote-sd/.
Usage: bench/vote-sd.py --image IMAGE [--work DIR] [--iops 100] [--duration 60] [--guests 200]
                        [--listeners 300] [--kvm]
"""

import argparse
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "image" / "test"))
from qemu import Machine  # noqa: E402

sys.path.insert(0, str(ROOT / "bench"))
from figures import last_figures  # noqa: E402

ADMIN_PASSWORD = "vote-sd-bench"


def image_test_helpers():
    """The image test's functions that edit ravebox.yaml on the image's boot partition."""
    spec = importlib.util.spec_from_file_location("image_test", ROOT / "image" / "test" / "image-test.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def disk_writes(machine: Machine) -> int:
    """Write requests the guest's disk completed since boot (/sys/block/vda/stat, field 5)."""
    return int(machine.check("cat /sys/block/vda/stat").split()[4])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, type=Path)
    parser.add_argument("--work", type=Path, default=ROOT / ".build-image" / "vote-sd")
    parser.add_argument("--iops", type=int, default=100, help="write requests per second the disk allows (100)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of votes (60)")
    parser.add_argument("--guests", type=int, default=200, help="HTTP connections voting (200)")
    parser.add_argument("--voters", type=int, default=20,
                        help="sessions they vote as (20; QEMU's user network makes them one device, which may begin "
                        "30 sessions per 10 minutes)")
    parser.add_argument("--listeners", type=int, default=300)
    parser.add_argument("--kvm", action="store_true", help="use KVM where /dev/kvm works (default: TCG)")
    args = parser.parse_args()

    out = ROOT / "bench" / "out" / "vote-sd"
    out.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    helpers = image_test_helpers()
    disk = work / "disk.raw"
    subprocess.run(["cp", "--sparse=always", str(args.image.resolve()), str(disk)], check=True)
    helpers.write_boot_file(
        disk, "ravebox.yaml",
        helpers.set_keys(helpers.read_boot_file(disk, "ravebox.yaml"), {"admin_password": ADMIN_PASSWORD}), work)

    machine = Machine(disk, work / "vm", tcg=not args.kvm, drive_options=f"throttling.iops-write={args.iops}")
    try:
        machine.start()
        machine.wait_for_shell()
        boot_seconds = machine.wait_for_http("/api/state", timeout=600)
        print(f"vote-sd: box answered {boot_seconds:.1f} s after start ({'KVM' if machine.kvm else 'TCG'}, "
              f"disk at {args.iops} write requests/s)", file=sys.stderr, flush=True)
        # The guest's own view of the disk: 50 synchronous 4 KiB writes on the data partition.
        dd = machine.check("dd if=/dev/zero of=/var/lib/ravebox/vote-sd-dd bs=4k count=50 oflag=dsync 2>&1; "
                           "rm -f /var/lib/ravebox/vote-sd-dd", timeout=300)
        dd_seconds = float(re.search(r"([\d.]+) s,", dd).group(1))
        syncs_per_s = 50 / dd_seconds

        base = f"http://127.0.0.1:{machine.http_port}"
        # The box answers only to its own names (any other Host goes to its party page): localhost is one.
        authority = f"localhost:{machine.http_port}"
        env = dict(os.environ, VOTE_URL=base, VOTE_HOST=authority, VOTE_ADMIN_PASSWORD=ADMIN_PASSWORD,
                   VOTE_VOTERS=str(args.voters), VOTE_BIAS="0", VOTE_CONNECTIONS=str(args.guests),
                   VOTE_DURATION=str(args.duration), VOTE_START_TIMEOUT="600",
                   RAVEBOX_BENCH_SETTINGS=json.dumps({"interactivity": "upAndDown", "oneVotePerDevice": False,
                                                      "votesPerWindow": 100, "voteWindow": 1,
                                                      "downvotesToKick": 100}))
        vote_log = open(out / "vote.txt", "w")
        votes = subprocess.Popen([str(ROOT / "bench" / "vote.sh"), "ravebox"], env=env, stdout=subprocess.PIPE,
                                 stderr=vote_log, text=True)
        vote_output: list[str] = []
        reader = threading.Thread(target=lambda: vote_output.append(votes.stdout.read()))
        reader.start()
        # The listeners start once wrk does (vote.sh first warms its 200 voters up).
        deadline = time.monotonic() + 900
        while subprocess.run(["pgrep", "-f", f"wrk .*127.0.0.1:{machine.http_port}"],
                             capture_output=True).returncode != 0:
            if votes.poll() is not None or time.monotonic() > deadline:
                reader.join()
                sys.exit(f"vote.sh ended before wrk started:\n{vote_output[0] if vote_output else ''}"
                         f"{(out / 'vote.txt').read_text()[-2000:]}")
            time.sleep(0.2)
        writes_before, started = disk_writes(machine), time.monotonic()
        live = subprocess.run(
            [sys.executable, str(ROOT / "bench" / "ws-latency.py"), "--url", base, "--admin-password", ADMIN_PASSWORD,
             "--host-header", authority, "--one-voter", "--settings", "", "--clients", str(args.listeners), "--changes", "40", "--gap", "0.2",
             "--max-seconds", str(max(10, args.duration - 25))],
            capture_output=True, text=True)
        (out / "ws-latency.txt").write_text(live.stdout + live.stderr)
        votes.wait()
        reader.join()
        vote_log.close()
        writes = disk_writes(machine) - writes_before
        writes_seconds = time.monotonic() - started
        (out / "vote-result.txt").write_text(vote_output[0])
        vote_figures = last_figures(vote_output[0])
        live_figures = last_figures(live.stdout) if live.returncode == 0 else {}
        if votes.returncode != 0 or not vote_figures:
            sys.exit(f"vote.sh failed (bench/out/vote-sd/vote.txt):\n{(out / 'vote.txt').read_text()[-2000:]}")
        if live.returncode != 0:
            print(f"warning: ws-latency.py failed (bench/out/vote-sd/ws-latency.txt): {live.stderr[-600:]}",
                  file=sys.stderr)
    finally:
        machine.kill()

    votes_per_s = float(vote_figures["ravebox_votes_per_s"])
    rows = [
        ("disk: write requests/s allowed (QEMU)", f"{args.iops}"),
        ("disk: synchronous 4 KiB writes/s in the guest (dd oflag=dsync)", f"{syncs_per_s:.1f}"),
        ("disk: write requests/s during the votes", f"{writes / writes_seconds:.1f}"),
        ("acknowledged votes/s (2xx)", f"{votes_per_s:,.1f}"),
        ("vote request -> 2xx p50 / p99 (ms)", f"{vote_figures['ravebox_p50_ms']} / {vote_figures['ravebox_p99_ms']}"),
        ("non-2xx answers", vote_figures["ravebox_non2xx"]),
        (f"probe vote sent -> all {args.listeners} listeners p50 / p99 (ms)",
         f"{live_figures.get('send_all_p50_ms', '-')} / {live_figures.get('send_all_p99_ms', '-')}"),
        ("probe changes missed by a listener", live_figures.get("incomplete", "-")),
    ]
    width = max(len(name) for name, _ in rows)
    table = "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
    line = (f"iops={args.iops} guest_syncs_per_s={syncs_per_s:.1f} disk_writes_per_s={writes / writes_seconds:.1f} "
            f"votes_per_s={votes_per_s:.1f} p50_ms={vote_figures['ravebox_p50_ms']} "
            f"p99_ms={vote_figures['ravebox_p99_ms']} non2xx={vote_figures['ravebox_non2xx']} "
            f"live_p50_ms={live_figures.get('send_all_p50_ms', 'nan')} "
            f"live_p99_ms={live_figures.get('send_all_p99_ms', 'nan')} "
            f"live_incomplete={live_figures.get('incomplete', 'nan')}")
    result = (f"{args.guests} connections voting as {args.voters} sessions, {args.listeners} listening, {args.duration} s, "
              f"box in QEMU ({'KVM' if machine.kvm else 'TCG'})\n{table}\n{line}\n")
    (out / "result.txt").write_text(result)
    print(result, end="")
    return 0 if live.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
