#!/usr/bin/env python3
"""Votes at an SD card's pace: the box booted from its own amd64 image in QEMU, its disk throttled to an SD
card's rate of write requests, 200 phones voting over HTTP while 300 phones listen to its live updates, each
phone a device of its own.

- The image (make image-qemu) is copied, its ravebox.yaml gets an admin password, and it boots in QEMU
  (image/test/qemu.py; TCG unless --kvm) with `throttling.iops-write=IOPS` on its disk (100 by default: a
  cheap card's sync writes). Before the run the guest measures its data partition's pace itself: 4 KiB
  writes with O_DSYNC (`dd oflag=dsync`), each one a write and a flush like a commit's.
- The guest's eth0 is a tap device in a network namespace on the host (bench/phones.py), where each phone is
  a macvlan with a MAC and an address of its own, and dnsmasq gives the box its address by DHCP. The box
  knows a guest by the MAC its ARP table has for the client's address, so it sees GUESTS + LISTENERS + 1
  devices, each with its own limits (32 connections, 30 new sessions in 10 minutes) and its own vote:
  oneVotePerDevice stays on, as on a box out of the box. This process moves into the namespace, and QEMU and
  the clients start there.
- This script, as the admin from the host's own address on that network, sets upAndDown, votesPerWindow 100
  per voteWindow 1 s (a phone votes a few times a second here) and downvotesToKick 100, queues a song and
  pauses it, and queues three more: the songs the phones vote on.
- bench/vote-crowd.py: GUESTS phones, each with its own session and keep-alive connection, vote up, down and
  back on those songs for DURATION seconds, from PROCESSES worker processes.
- Meanwhile bench/ws-latency.py --phones connects LISTENERS phones to /api/live and makes 40 probe votes, one
  at a time, by one more phone, on a song of its own: request sent -> every listener has the change.
- During the votes: the disk's write requests (the guest's /sys/block/vda/stat; with group commit one commit
  carries many votes), the guest's CPU (/proc/stat) and the `ravebox web` process's, and one `top` of the
  guest, kept in the log.

Prints a table and one key=value line; keeps the logs in bench/out/vote-sd/.
Usage (root: a network namespace, a tap device): bench/vote-sd.py --image IMAGE [--work DIR] [--iops 100]
    [--duration 60] [--guests 200] [--listeners 300] [--processes 2] [--kvm]
"""

import argparse
import http.cookies
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
import imagetest  # noqa: E402
from phones import LAN, write_phones  # noqa: E402

ADMIN_PASSWORD = "vote-sd-bench"
SETTINGS = {"interactivity": "upAndDown", "votesPerWindow": 100, "voteWindow": 1, "downvotesToKick": 100}
VOTED_SONGS = 3


class Admin:
    """The harness's own HTTP requests to the box, as the admin, from the host's address on the phones' network."""

    def __init__(self, machine: Machine):
        self.machine = machine
        self.cookie = ""

    def call(self, method: str, path: str, body: dict | None = None, expect=(200, 201, 202)):
        headers = {"Host": self.machine.http_address, "Origin": f"http://{self.machine.http_address}"}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if self.cookie:
            headers["Cookie"] = f"rb_session={self.cookie}"
        status, message, payload = self.machine.http_with_headers(
            method, path, json.dumps(body).encode() if body is not None else None, headers, timeout=60)
        for value in message.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(value)
            if "rb_session" in cookie:
                self.cookie = cookie["rb_session"].value
        if status not in expect:
            sys.exit(f"vote-sd: {method} {path} answered {status}: {payload[:300].decode(errors='replace')}")
        return json.loads(payload) if payload else None

    def until(self, what: str, probe, seconds: float = 300):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = probe()
            if value:
                return value
            time.sleep(0.5)
        sys.exit(f"vote-sd: timed out waiting for {what}")


def set_up_party(admin: Admin) -> list[int]:
    """Settings, no autoplay, one song playing (then paused, so nothing moves), VOTED_SONGS queued; their entry
    ids."""
    admin.call("POST", "/api/session/login", {"role": "admin", "password": ADMIN_PASSWORD})
    admin.call("PATCH", "/api/settings", SETTINGS)
    admin.call("PUT", "/api/playback/modes", {"autoplay": False})
    # The library scan runs in the background; ws-latency.py needs one song more for its probe votes.
    songs = admin.until("the demo library", lambda: (found := admin.call("GET", "/api/search?limit=100"))
                        and len(found) >= VOTED_SONGS + 2 and found)
    ids = [song["id"] for song in songs]
    if not admin.call("GET", "/api/state").get("currentSong"):
        admin.call("POST", "/api/queue", {"songId": ids[0]})
    current = admin.until("a song to play", lambda: admin.call("GET", "/api/state").get("currentSong"))
    admin.call("POST", "/api/playback/pause")
    queued = {entry["songId"] for entry in admin.call("GET", "/api/state").get("queue") or []}
    for song in [i for i in ids if i != current["songId"] and i not in queued][:VOTED_SONGS - len(queued)]:
        admin.call("POST", "/api/queue", {"songId": song})
    state = admin.call("GET", "/api/state")
    entries = [entry["id"] for entry in state.get("queue") or []]
    if len(entries) != VOTED_SONGS:
        sys.exit(f"vote-sd: the queue should hold {VOTED_SONGS} songs: {state}")
    return entries


class GuestSample:
    """What the guest says about itself at one moment: disk writes, CPU jiffies (all, idle) and the web
    process's CPU jiffies."""

    def __init__(self, machine: Machine, web_pid: str):
        text = machine.check(f"cat /sys/block/vda/stat; head -n 1 /proc/stat; cat /proc/{web_pid}/stat 2>/dev/null; "
                             "true")
        disk, cpu, *web = text.splitlines()
        self.at = time.monotonic()
        self.writes = int(disk.split()[4])
        jiffies = [int(x) for x in cpu.split()[1:]]
        self.cpu_all, self.cpu_idle = sum(jiffies[:8]), jiffies[3] + jiffies[4]
        # None when the process is gone (it was restarted: the journal, kept in the log, says why).
        fields = web[0].rsplit(")", 1)[1].split() if web else None
        self.web = int(fields[11]) + int(fields[12]) if fields else None


def web_process(machine: Machine) -> str:
    for line in machine.check("ps -u ravebox -o pid=,args=").splitlines():
        pid, _, arguments = line.strip().partition(" ")
        if "web" in arguments.split()[1:3]:
            return pid
    sys.exit("vote-sd: no `ravebox web` process in the guest")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--image", required=True, type=Path)
    parser.add_argument("--work", type=Path, default=ROOT / ".build-image" / "vote-sd")
    parser.add_argument("--iops", type=int, default=100, help="write requests per second the disk allows (100)")
    parser.add_argument("--duration", type=int, default=60, help="seconds of votes (60)")
    parser.add_argument("--guests", type=int, default=200, help="phones voting (200)")
    parser.add_argument("--listeners", type=int, default=300, help="phones listening to live updates (300)")
    parser.add_argument("--processes", type=int, default=2, help="processes of bench/vote-crowd.py (2)")
    parser.add_argument("--kvm", action="store_true", help="use KVM where /dev/kvm works (default: TCG)")
    args = parser.parse_args()
    if os.geteuid() != 0:
        sys.exit("vote-sd: needs root (a network namespace and a tap device for the phones)")

    out = ROOT / "bench" / "out" / "vote-sd"
    out.mkdir(parents=True, exist_ok=True)
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    helpers = imagetest.load()
    disk = work / "disk.raw"
    subprocess.run(["cp", "--sparse=always", str(args.image.resolve()), str(disk)], check=True)
    helpers.write_boot_file(
        disk, "ravebox.yaml",
        helpers.set_keys(helpers.read_boot_file(disk, "ravebox.yaml"), {"admin_password": ADMIN_PASSWORD}), work)

    lan = LAN(work / "lan", phones=args.guests + 1 + args.listeners)
    voters, listeners = work / "voters.txt", work / "listeners.txt"
    write_phones(voters, lan.phones[:args.guests])
    write_phones(listeners, lan.phones[args.guests:])
    machine = None
    try:
        lan.create()
        lan.enter()
        machine = Machine(disk, work / "vm", tcg=not args.kvm, drive_options=f"throttling.iops-write={args.iops}",
                          tap=lan.tap, http_address=lan.box)
        machine.start()
        machine.wait_for_shell()
        boot_seconds = machine.wait_for_http("/api/state", timeout=600)
        print(f"vote-sd: box answered at {lan.box} {boot_seconds:.1f} s after start "
              f"({'KVM' if machine.kvm else 'TCG'}, disk at {args.iops} write requests/s)", file=sys.stderr, flush=True)
        # The guest's own view of the disk: 50 synchronous 4 KiB writes on the data partition.
        dd = machine.check("dd if=/dev/zero of=/var/lib/ravebox/vote-sd-dd bs=4k count=50 oflag=dsync 2>&1; "
                           "rm -f /var/lib/ravebox/vote-sd-dd", timeout=300)
        syncs_per_s = 50 / float(re.search(r"([\d.]+) s,", dd).group(1))
        entries = set_up_party(Admin(machine))
        web_pid = web_process(machine)

        base = f"http://{lan.box}"
        # The listeners connect first, while the box is idle, and make their probe votes once the phones vote.
        live = subprocess.Popen(
            [sys.executable, str(ROOT / "bench" / "ws-latency.py"), "--url", base, "--phones", str(listeners),
             "--admin-password", ADMIN_PASSWORD, "--host-header", lan.box, "--one-voter", "--settings", "",
             "--clients", str(args.listeners), "--changes", "40", "--gap", "0.2", "--request-timeout", "60",
             "--max-seconds", str(max(10, args.duration - 15)), "--wait-for-go"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        live_log: list[str] = []
        listening = threading.Event()

        def follow_live():
            for line in live.stderr:
                live_log.append(line)
                if "ready;" in line:
                    listening.set()
            listening.set()

        live_follower = threading.Thread(target=follow_live)
        live_follower.start()
        listening.wait()
        with open(out / "vote-crowd.log", "w") as crowd_log:
            crowd = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "vote-crowd.py"), "--url", base, "--phones", str(voters),
                 "--entries", ",".join(map(str, entries)), "--duration", str(args.duration),
                 "--processes", str(args.processes)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            voting = threading.Event()
            crowd_output: list[str] = []

            def follow_crowd():
                for line in crowd.stderr:
                    crowd_log.write(line)
                    crowd_log.flush()
                    if "began a session" in line:
                        voting.set()
                voting.set()

            followers = [threading.Thread(target=follow_crowd),
                         threading.Thread(target=lambda: crowd_output.append(crowd.stdout.read()))]
            for thread in followers:
                thread.start()
            voting.wait()
            time.sleep(1)  # vote-crowd.py starts its phones 1 s after it says so
            before = GuestSample(machine, web_pid)
            if live.poll() is None:
                live.stdin.write("go\n")
                live.stdin.flush()
            # Halfway through: what the guest's CPUs do, over 5 s.
            time.sleep(max(0, args.duration / 2 - 5))
            top = machine.run("top -b -n 2 -d 5 -w 200 | awk '/^top -/ { n++ } n == 2' | head -n 25", timeout=60)[1]
            (out / "guest-top.txt").write_text(top)
            live_output = live.stdout.read()
            live.wait()
            live_follower.join()
            (out / "ws-latency.txt").write_text("".join(live_log) + live_output)
            crowd.wait()
            for thread in followers:
                thread.join()
            after = GuestSample(machine, web_pid)
        # Distinct MACs of the complete entries: the devices the box tells apart.
        devices = int(machine.check("tail -n +2 /proc/net/arp | awk '$3 == \"0x2\" { print $4 }' | sort -u | wc -l"))
        (out / "vote-crowd.txt").write_text(crowd_output[0])
        vote_figures = last_figures(crowd_output[0])
        live_figures = last_figures(live_output) if live.returncode == 0 else {}
        if crowd.returncode != 0 or not vote_figures:
            sys.exit(f"vote-crowd.py failed (bench/out/vote-sd/vote-crowd.log):\n"
                     f"{(out / 'vote-crowd.log').read_text()[-2000:]}{crowd_output[0][-2000:]}")
        if live.returncode != 0:
            print("warning: ws-latency.py failed (bench/out/vote-sd/ws-latency.txt): "
                  f"{''.join(live_log)[-600:]}", file=sys.stderr)
    finally:
        if machine and machine.running():
            try:
                # The box's own lines only: the serial shell is slow under TCG.
                (out / "journal.txt").write_text(machine.run(
                    "journalctl -b -u ravebox --no-pager -o short-monotonic | grep -E 'supervisor|warning|error' "
                    "| tail -n 60",
                    timeout=120)[1])
            except (OSError, TimeoutError, RuntimeError) as error:  # QemuError is a RuntimeError
                print(f"warning: no journal from the guest: {error}", file=sys.stderr)
            machine.kill()
        lan.remove()

    seconds = after.at - before.at
    ticks = os.sysconf("SC_CLK_TCK")
    writes_per_s = (after.writes - before.writes) / seconds
    guest_busy = 1 - (after.cpu_idle - before.cpu_idle) / max(1, after.cpu_all - before.cpu_all)
    web_cores = (after.web - before.web) / ticks / seconds if after.web is not None else float("nan")
    votes_per_s = float(vote_figures["votes_per_s"])
    rows = [
        ("disk: write requests/s allowed (QEMU)", f"{args.iops}"),
        ("disk: synchronous 4 KiB writes/s in the guest (dd oflag=dsync)", f"{syncs_per_s:.1f}"),
        ("disk: write requests/s during the votes", f"{writes_per_s:.1f}"),
        ("devices in the box's ARP table", f"{devices}"),
        ("acknowledged votes/s (2xx)", f"{votes_per_s:,.1f}"),
        ("votes per disk write request", f"{votes_per_s / writes_per_s:.1f}" if writes_per_s else "-"),
        ("vote request -> 2xx p50 / p99 (ms)", f"{vote_figures['p50_ms']} / {vote_figures['p99_ms']}"),
        ("non-2xx answers; connection errors", f"{vote_figures['non2xx']}; {vote_figures['errors']}"),
        (f"probe vote sent -> all {args.listeners} listeners p50 / p99 (ms)",
         f"{live_figures.get('send_all_p50_ms', '-')} / {live_figures.get('send_all_p99_ms', '-')}"),
        ("probe changes missed by a listener", live_figures.get("incomplete", "-")),
        (f"guest CPU busy ({machine.cpus} vCPUs) / `ravebox web` (cores)", f"{guest_busy:.0%} / {web_cores:.2f}"),
        ("`ravebox web` CPU per acknowledged vote (ms)",
         f"{web_cores / votes_per_s * 1000:.1f}" if votes_per_s else "-"),
        ("load generator CPU on the host (cores)", vote_figures["generator_cores"]),
    ]
    width = max(len(name) for name, _ in rows)
    table = "\n".join(f"{name:<{width}}  {value}" for name, value in rows)
    line = (f"iops={args.iops} guest_syncs_per_s={syncs_per_s:.1f} disk_writes_per_s={writes_per_s:.1f} "
            f"devices={devices} votes_per_s={votes_per_s:.1f} p50_ms={vote_figures['p50_ms']} "
            f"p99_ms={vote_figures['p99_ms']} non2xx={vote_figures['non2xx']} errors={vote_figures['errors']} "
            f"live_p50_ms={live_figures.get('send_all_p50_ms', 'nan')} "
            f"live_p99_ms={live_figures.get('send_all_p99_ms', 'nan')} "
            f"live_incomplete={live_figures.get('incomplete', 'nan')} guest_cpu_busy={guest_busy:.2f} "
            f"web_cores={web_cores:.2f} generator_cores={vote_figures['generator_cores']}")
    result = (f"{args.guests} phones voting, {args.listeners} listening, each a device of its own, {args.duration} s, "
              f"box in QEMU ({'KVM' if machine.kvm else 'TCG'}, {machine.cpus} vCPUs)\n{table}\n{line}\n")
    (out / "result.txt").write_text(result)
    print(result, end="")
    return 0 if live.returncode == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
