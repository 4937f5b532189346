#!/usr/bin/env python3
"""The appliance image test: boots the amd64 image in QEMU and checks the box as a guest, a user
and a power cut see it (issue 9's acceptance list). Python 3 standard library, plus the host tools
qemu-system-x86_64, qemu-img, mtools, e2fsprogs, zbarimg, ffmpeg, fdisk and dosfstools.

    image/test/image-test.py --image .build-image/out/ravebox-dev-qemu-amd64.img \
        [--tools .build-image/test-tools] [--work .build-image/image-test] [--kvm]

Four boots of one disk, each from a raw copy of the previous boot's disk (so the boot partition can
be edited between boots the way a user edits it on another computer):

1. first boot, after ravebox.yaml was edited on the boot partition: read-only root, the processes
   and their user, the data partition grown, the hotspot, a requested song playing into snd-aloop's
   capture, frames on the virtio-gpu screen (the join QR decoded from a screendump), a gpio-sim
   button press skipping the song; root's files out of the box's user's reach (/run/ravebox not
   writable, setup's secrets in a root-only folder, no admin password in the box's copy of
   ravebox.yaml nor any secret in the journal), then symlinks planted as that user in the data folder;
2. a power cut (QEMU killed) during a stream of votes, then a boot that finds a clean database with
   every acknowledged vote, and music again, and followed none of the planted symlinks;
   A phone on the hotspot (the fourth mac80211_hwsim radio in its own network namespace, see
   network.py) gets a DHCP lease with option 114, finds every name answered by the box, is sent to
   the party page by its connectivity probe, resolves ravebox.local over mDNS, and cannot reach the
   uplink (a web server on the host) because nftables drops forwarding;
3. ravebox.yaml edited again while the box is off: a new hotspot name and admin password, a home
   Wi-Fi to join (another radio running an access point in its own namespace) and uplink forwarding
   on, and a new hostname. The box joins the home network and is found there by address and by its
   new mDNS name (partybox.local, the host name ravebox setup gave the system) while its
   hotspot stays up; a phone on the hotspot now reaches the uplink; a USB stick plugged in through
   QMP is mounted read-only, its song found, then unmounted when it is pulled out;
4. at the end, the root partition is byte-for-byte the one that was flashed.

Prints the boot-to-first-HTTP-response time of every boot; for the first boot also boot-to-music (the
engine's journal line), systemd-analyze, the box's critical chain and blame, and one line
`boot_http_s=... boot_music_s=...` for a bench. Exit status 0 when every check held.
"""

from __future__ import annotations

import argparse
import hashlib
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from qemu import Machine, _partitions  # noqa: E402
import network  # noqa: E402
from network import HomeNetwork, Phone, option_114  # noqa: E402

MTOOLS_ENV = {**os.environ, "MTOOLS_SKIP_CHECK": "1"}
BOX_HOSTNAME = "ravebox.lan"  # ravebox.yaml's hostname: in boots 1 and 2 (main() renames the box for boot 3)
SECOND_HOSTNAME = "partybox.lan"


def mdns_name() -> str:
    """The box's mDNS name: hostname's first label (ravebox setup makes it the system's host name)."""
    return BOX_HOSTNAME.split(".")[0] + ".local"

FIRST_ADMIN = "first-admin-pw"
SECOND_ADMIN = "second-admin-pw"
# A " and a # in the home password: wpa_supplicant's quoted psk="…" could not carry them (finding 10).
HOME_NAME, HOME_PASSWORD = "Home Net", 'home "net" #secret'
FIRST_HOTSPOT, SECOND_HOTSPOT = "Ravebox Test", "Second Party"
STICK_TITLE = "Stick Anthem"


class Failed(Exception):
    pass


failures: list[str] = []


def check(condition: bool, what: str, detail: str = "") -> None:
    if condition:
        print(f"ok: {what}", flush=True)
    else:
        print(f"FAIL: {what}" + (f"\n  {detail}" if detail else ""), flush=True)
        failures.append(what)


def must(condition: bool, what: str, detail: str = "") -> None:
    """A check the rest of the test depends on."""
    check(condition, what, detail)
    if not condition:
        raise Failed(what)


# -- the disk, edited between boots ---------------------------------------------------------------

def partition(image: Path, number: int) -> tuple[int, int]:
    _, offset, size = _partitions(image)[number - 1]
    return offset, size


def read_boot_file(image: Path, name: str) -> str:
    offset, _ = partition(image, 1)
    out = subprocess.run(["mtype", "-i", f"{image}@@{offset}", f"::{name}"], env=MTOOLS_ENV,
                         capture_output=True, check=True)
    return out.stdout.decode()


def write_boot_file(image: Path, name: str, text: str, scratch: Path) -> None:
    offset, _ = partition(image, 1)
    local = scratch / name
    local.write_text(text)
    subprocess.run(["mcopy", "-o", "-i", f"{image}@@{offset}", str(local), f"::{name}"], env=MTOOLS_ENV,
                   check=True)


def set_keys(yaml: str, values: dict[str, str]) -> str:
    """ravebox.yaml with top-level keys set (an existing line replaced, else appended), as a user edits it."""
    for key, value in values.items():
        line = f"{key}: {value}"
        yaml, count = re.subn(rf"(?m)^{key}:.*$", lambda _, line=line: line, yaml)
        if count == 0:
            yaml = yaml.rstrip("\n") + "\n" + line + "\n"
    return yaml


def hash_partition(image: Path, number: int) -> str:
    offset, size = partition(image, number)
    digest = hashlib.sha256()
    with open(image, "rb") as f:
        f.seek(offset)
        left = size
        while left:
            block = f.read(min(left, 8 << 20))
            if not block:
                break
            digest.update(block)
            left -= len(block)
    return digest.hexdigest()


def disk_of(machine: Machine, target: Path) -> Path:
    """The machine's disk (its qcow2 overlay over the previous image) as a raw image."""
    subprocess.run(["qemu-img", "convert", "-O", "raw", str(machine.disk), str(target)], check=True)
    return target


def fsck_partition(image: Path, number: int, scratch: Path) -> tuple[int, str]:
    offset, size = partition(image, number)
    part = scratch / f"p{number}.img"
    subprocess.run(["dd", f"if={image}", f"of={part}", "bs=1M", f"skip={offset}", f"count={size}",
                    "iflag=skip_bytes,count_bytes", "conv=sparse", "status=none"], check=True)
    result = subprocess.run(["e2fsck", "-fn", str(part)], capture_output=True, text=True)
    part.unlink()
    return result.returncode, result.stdout + result.stderr


# -- talking to the box -----------------------------------------------------------------------------

class Client:
    """HTTP through QEMU's forwarded port, as one guest: it keeps the session cookie the box issues it."""

    def __init__(self, machine: Machine):
        self.machine = machine
        self.session: str | None = None  # the token of the box's rb_session cookie, once it issued one

    def call(self, method: str, path: str, body: object | None = None, timeout: float = 15) -> tuple[int, object]:
        data = None if body is None else json.dumps(body).encode()
        # As a phone on the hotspot asks: by the box's name (any other host is sent to the party page).
        headers = {"Host": BOX_HOSTNAME}
        if self.session:
            headers["Cookie"] = f"rb_session={self.session}"
        if data is not None:
            headers["Content-Type"] = "application/json"
        status, answer, raw = self.machine.http_with_headers(method, path, body=data, headers=headers, timeout=timeout)
        for cookie in answer.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            if name.strip() == "rb_session":
                self.session = rest.split(";", 1)[0]
        try:
            return status, json.loads(raw) if raw else None
        except ValueError:
            return status, raw

    def login(self, role: str, password: str) -> int:
        status, body = self.call("POST", "/api/session/login", {"role": role, "password": password})
        self.last_answer = body
        return status

    def state(self) -> dict:
        status, body = self.call("GET", "/api/state")
        if status != 200:
            raise Failed(f"/api/state answered {status}")
        return body


def eventually(seconds: float, condition, interval: float = 0.5):
    deadline = time.monotonic() + seconds
    last = None
    while time.monotonic() < deadline:
        try:
            last = condition()
            if last:
                return last
        except Exception as error:  # the box may be restarting a process
            last = error
        time.sleep(interval)
    return None


def song_ids(client: Client) -> list[int]:
    status, body = client.call("GET", "/api/search")
    return [song["id"] for song in body] if status == 200 else []


def current_song(client: Client) -> dict | None:
    return client.state().get("currentSong")


def position(client: Client) -> float:
    song = current_song(client)
    return float(song.get("position", 0)) if song else -1


def test_machine(disk: Path, workdir: Path, tools_img: Path | None, kvm: bool) -> Machine:
    """A machine as every boot of the test has it: a screen, a USB controller, the tools disk, four radios."""
    extra = ["-device", "virtio-gpu-pci", "-display", "none", "-device", "qemu-xhci,id=xhci"]
    if tools_img:
        extra += ["-drive", f"file={tools_img},format=raw,if=virtio,readonly=on"]
    return Machine(disk, workdir, tcg=not kvm, extra_args=extra, extra_cmdline=network.cmdline(), disk_size="4G")


def first_boot_disk(image: Path, work: Path) -> Path:
    """A raw copy of the image whose ravebox.yaml the user edited on the card before its first boot."""
    disk0 = work / "disk0.raw"
    subprocess.run(["cp", "--sparse=always", str(image), str(disk0)], check=True)
    yaml = set_keys(read_boot_file(disk0, "ravebox.yaml"),
                    {"wifi_name": FIRST_HOTSPOT, "admin_password": FIRST_ADMIN, "hostname": BOX_HOSTNAME})
    write_boot_file(disk0, "ravebox.yaml", yaml, work)
    return disk0


def boot(machine: Machine, label: str) -> float:
    """Starts the machine; returns the seconds from QEMU's start to the box's first HTTP answer."""
    machine.start()
    machine.wait_for_shell(timeout=600)
    seconds = machine.wait_for_http("/api/state", timeout=600)
    print(f"boot-to-first-HTTP ({label}, {'KVM' if machine.kvm else 'TCG'}): {seconds:.1f} s", flush=True)
    return seconds


def boot_to_music(machine: Machine, timeout: float = 0) -> float | None:
    """The engine's "boot to music" line of this boot (seconds since the kernel started), waiting up to timeout s."""
    deadline = time.monotonic() + timeout
    while True:
        line = machine.run("journalctl -b -u ravebox --no-pager -g 'boot to music' -o cat", timeout=60)[1]
        found = re.search(r"boot to music: ([0-9.]+) s", line)
        if found or time.monotonic() >= deadline:
            return float(found.group(1)) if found else None
        time.sleep(1)


def boot_analysis(machine: Machine) -> str:
    """systemd's account of this boot: its time, the box's critical chain and the slowest units."""
    machine.run("timeout 300 systemctl is-system-running --wait", timeout=320)
    return "\n".join(f"$ {command}\n" + machine.run(command, timeout=120)[1].rstrip()
                     for command in ("systemd-analyze", "systemd-analyze critical-chain ravebox.service",
                                     "systemd-analyze blame | head -n 25"))


def memory(machine: Machine) -> dict[str, float]:
    """Pss (MiB) of the box's three processes from /proc/PID/smaps_rollup, by role (the word after the binary's
    name: run is the supervisor), and their sum. Pss splits each shared page between the processes mapping it, so
    the sum counts the one binary's pages once. Prints a table; a figure, not a check (docs/performance.md)."""
    rows = machine.check("for p in $(pgrep -x ravebox); do "
                         "echo \"$(tr '\\0' ' ' </proc/$p/cmdline | cut -d' ' -f2)\" "
                         "$(awk '/^(Pss|Pss_Anon|Pss_File):/ {printf \"%s \", $2}' /proc/$p/smaps_rollup); done")
    roles = {"run": "supervisor", "engine": "engine", "web": "web"}
    figures: dict[str, float] = {}
    print("process      Pss MiB   anon   file", flush=True)
    for line in rows.splitlines():
        fields = line.split()
        if len(fields) != 4 or fields[0] not in roles:
            continue
        pss, anon, file = (int(value) / 1024 for value in fields[1:])
        figures[roles[fields[0]]] = pss
        print(f"{roles[fields[0]]:<12} {pss:7.1f} {anon:6.1f} {file:6.1f}", flush=True)
    figures["total"] = sum(figures.values())
    print(f"{'total':<12} {figures['total']:7.1f}", flush=True)
    return figures


def guest_log(machine: Machine, unit: str = "ravebox", lines: int = 60) -> str:
    return machine.run(f"journalctl -b -u {unit} --no-pager -n {lines}", timeout=60)[1]


# -- the checks ---------------------------------------------------------------------------------------

def wait_for_grow_data(machine: Machine) -> None:
    """ravebox-grow-data runs once the box is ready: waits until it is neither queued nor running."""
    def grown_or_given_up() -> bool:
        queued = machine.run("systemctl list-jobs --no-legend")[1]
        state = machine.run("systemctl is-active ravebox-grow-data.service")[1].strip()
        return "ravebox-grow-data" not in queued and state != "activating"
    eventually(300, grown_or_given_up, interval=2)


def check_system(machine: Machine) -> None:
    options = machine.check("findmnt -no OPTIONS /").strip()
    check(options.split(",")[0] == "ro", "the root is mounted read-only", options)
    for path in ("/tmp", "/var/tmp", "/var/log", "/media/ravebox"):
        fstype = machine.check(f"findmnt -no FSTYPE {path}").strip()
        check(fstype == "tmpfs", f"{path} is a tmpfs", fstype)
    storage = machine.run("ls /var/log/journal 2>&1; ls /run/log/journal >/dev/null && echo volatile")[1]
    check("volatile" in storage, "the journal is volatile", storage)
    wait_for_grow_data(machine)
    size = int(machine.check("findmnt -bno SIZE /var/lib/ravebox").strip())
    check(size > 2 << 30, "the data partition grew to fill the disk", f"{size} bytes")
    users = machine.check("ps -eo user:20,args | grep '[/]usr/bin/ravebox'")
    lines = [line.split(None, 1) for line in users.strip().splitlines()]
    roles = sorted((args.split()[1] if len(args.split()) > 1 else "") for _, args in lines)
    check(len(lines) == 3 and all(user == "ravebox" for user, _ in lines),
          "the supervisor and both children run as ravebox", users)
    check(roles == ["engine", "run", "web"], "the supervisor runs the engine and the web process", users)
    failed = machine.run("systemctl --failed --no-legend --plain")[1].strip()
    check(failed == "", "no systemd unit failed", failed)
    # The image's own udev and systemd (257; the build host's may be older) read our rules and units.
    rc, out = machine.run("udevadm verify --resolve-names=never /etc/udev/rules.d/60-ravebox.rules")
    check(rc == 0, "udevadm verify accepts the udev rules on the image", out)
    units = ("ravebox.service ravebox-setup.service ravebox-grow-data.service ravebox-dnsmasq.service "
             "ravebox-nftables.service ravebox-poweroff.path ravebox-poweroff.service "
             "ravebox-hostapd@wlan0.service ravebox-wpa-supplicant@wlan1.service ravebox-usb-mount@sda1.service")
    rc, out = machine.run(f"cd /etc/systemd/system && SYSTEMD_LOG_COLOR=0 systemd-analyze verify {units}")
    check(rc == 0 and out.strip() == "", "systemd-analyze verify accepts the units on the image", out)


# What the box's user plants on the first boot for the next one (docs/security.md, "What runs as root"):
# symlinks where root used to write in the data folder, which it owns. None may be followed.
PLANTED = {"secrets.json.new": "planted-secrets", "last-good.yaml.new": "planted-last-good",
           ".ravebox-grown": "planted-grown"}


def check_root_boundary(machine: Machine, secrets: list[str]) -> None:
    """Root's files are out of the box's user's reach, and no secret is left where that user reads."""
    as_box = "runuser -u ravebox -g ravebox -- sh -c"
    rc, out = machine.run(f"{as_box} ': >/run/ravebox/planted' 2>&1")
    check(rc != 0, "the box's user cannot create files in /run/ravebox", out)
    rc, out = machine.run(f"{as_box} ': >/run/ravebox/requests/probe && rm /run/ravebox/requests/probe' 2>&1")
    check(rc == 0, "the box's user may leave requests in /run/ravebox/requests", out)
    modes = machine.run("cd /var/lib/ravebox && stat -c '%U %a' .ravebox-setup .ravebox-setup/secrets.json")[1]
    check(modes.split() == ["root", "700", "root", "600"], "setup keeps its secrets in a root-only folder", modes)
    box_copy = machine.check("cat /run/ravebox/ravebox.yaml")
    check("admin_password_hash:" in box_copy and not any(secret in box_copy for secret in secrets),
          "the box's copy of ravebox.yaml has the admin password's hash, not the password", box_copy[-400:])
    # Searched in the guest: the whole journal is too long for the serial shell.
    patterns = " ".join(f"-e '{secret}'" for secret in secrets)
    leaked = machine.run(f"journalctl -b --no-pager -o cat | grep -F -c {patterns}")[1].strip()
    check(leaked == "0", "no secret from ravebox.yaml is in the journal", f"{leaked} lines")
    links = " && ".join(f"ln -s /boot/firmware/{target} {name}" for name, target in PLANTED.items())
    rc, out = machine.run(f"{as_box} 'cd /var/lib/ravebox && rm -f .ravebox-grown && {links}' 2>&1 && sync")
    check(rc == 0, "the box's user could plant symlinks in the data folder", out)


def check_planted_untouched(machine: Machine) -> None:
    """The boot after check_root_boundary planted its symlinks: setup and grow-data followed none."""
    created = machine.run(f"ls /boot/firmware | grep -F -e {' -e '.join(PLANTED.values())}")[1].strip()
    check(created == "", "no file was created through a symlink the box's user planted", created)
    wait_for_grow_data(machine)
    marker = machine.run("stat -c %F /var/lib/ravebox/.ravebox-grown")[1].strip()
    check(marker == "regular empty file", "grow-data replaced the planted symlink with its marker", marker)


def check_hotspot(machine: Machine, name: str) -> None:
    machine.run(f"ip link set {network.PHONE} up")
    seen = ""
    for _ in range(12):
        seen = machine.run(f"timeout 20 iw dev {network.PHONE} scan 2>&1 | grep 'SSID:'", timeout=60)[1]
        if f"SSID: {name}" in seen:
            break
        time.sleep(3)
    check(f"SSID: {name}" in seen, f"the hotspot '{name}' is on the air (mac80211_hwsim)",
          seen + machine.run("systemctl status ravebox-setup 'ravebox-hostapd@*' --no-pager -n 20")[1])


def check_playback(machine: Machine, client: Client) -> list[int]:
    ids = eventually(120, lambda: song_ids(client) or None)
    must(bool(ids) and len(ids) >= 3, "the demo library was scanned", str(ids))
    for song in ids[:4]:
        # 201: queued; 200: autoplay (on from the first boot) already has it, and the request counts as an upvote.
        status, body = client.call("POST", "/api/queue", {"songId": song})
        accepted = status == 201 or (status == 200 and isinstance(body, dict) and body.get("countedAsUpvote"))
        check(bool(accepted), f"song {song} requested over HTTP", f"{status} {body}")
    playing = eventually(30, lambda: position(client) > 1.0)
    must(bool(playing), "a requested song plays (its position advances)", guest_log(machine))
    # What it plays reaches snd-aloop's capture side.
    machine.run("arecord -q -D plughw:Loopback,1,0 -f S16_LE -r 48000 -c 2 -d 2 -t raw /tmp/capture.raw", timeout=60)
    raw = machine.run("tr -d '\\000' </tmp/capture.raw | wc -c; ls -l /tmp/capture.raw", timeout=60)[1]
    nonzero = int(raw.split()[0]) if raw.split() and raw.split()[0].isdigit() else 0
    check(nonzero > 10000, "the music arrives in snd-aloop's capture",
          f"{nonzero} non-zero bytes in 2 s; {raw}\n" + machine.run(
              "arecord -l; aplay -L | head -20; cat /proc/asound/cards; "
              "cat /proc/asound/Loopback/pcm0p/sub0/hw_params /proc/asound/Loopback/pcm1c/sub0/hw_params")[1]
          + guest_log(machine, lines=20))
    return ids


def screendump(machine: Machine, target: Path) -> bytes:
    target.unlink(missing_ok=True)
    answer = machine.qmp({"execute": "screendump", "arguments": {"filename": str(target), "format": "png"}})
    if "error" in answer:
        raise Failed(f"screendump: {answer['error']}")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not target.exists():
        time.sleep(0.1)
    time.sleep(0.3)
    return target.read_bytes()


def check_screen(machine: Machine, admin: Client, work: Path) -> None:
    first = screendump(machine, work / "screen-1.png")
    time.sleep(1)
    second = screendump(machine, work / "screen-2.png")
    check(first != second, "the screen (virtio-gpu, DRM/KMS) shows a moving picture")
    status, _ = admin.call("PUT", "/api/screen/program", {"program": "join"})
    check(status == 200, "the screen program is set to the join panel", str(status))
    join = work / "screen-join.png"

    def read_join_codes() -> str | None:
        screendump(machine, join)
        return subprocess.run(["zbarimg", "-q", "--raw", str(join)], capture_output=True, text=True).stdout or None

    decoded = eventually(20, read_join_codes, interval=1)
    check(bool(decoded) and "WIFI:" in decoded, "the join QR code is read back from the screen", str(decoded))
    admin.call("PUT", "/api/screen/program", {"program": "bars"})


def check_button(machine: Machine, client: Client, tools: Path | None) -> None:
    if tools is None:
        check(False, "a gpio-sim button press skips the song", "no test tools disk (gpio-sim.ko) given")
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent / "gpio-sim"))
    from guest import create_chip, set_line  # noqa: E402
    chip = create_chip(machine)
    print(f"gpio-sim chip: {chip}", flush=True)
    opened = eventually(30, lambda: "buttons on" in guest_log(machine, lines=200), interval=1)
    check(bool(opened), "the engine opens the buttons on the simulated chip", guest_log(machine))
    before = current_song(client)
    set_line(machine, chip, 27, high=False)  # skip pressed (to ground)
    time.sleep(0.2)
    set_line(machine, chip, 27, high=True)   # released
    changed = eventually(10, lambda: (current_song(client) or {}).get("playId") != (before or {}).get("playId"))
    check(bool(changed), "a gpio-sim press of the skip button skips the song", guest_log(machine))


class Uplink:
    """A web server on the host that stands for the internet: a guest reaches it as 10.0.2.2 through
    QEMU's user network, so a phone on the hotspot reaches it only if the box forwards its traffic."""

    def __init__(self):
        self.token = uuid.uuid4().hex
        token = self.token.encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                self.send_response(200)
                self.send_header("Content-Length", str(len(token)))
                self.end_headers()
                self.wfile.write(token)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://10.0.2.2:{self.server.server_address[1]}/internet"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def phone_on_hotspot(machine: Machine, phone: Phone, ssid: str, password: str | None, key_mgmt: str,
                     connected_to: str | None = None) -> Phone:
    """The phone joins the hotspot as a phone of one kind (key_mgmt) and takes a DHCP lease: the lease, its router,
    DNS and option 114."""
    def wifi_log() -> str:
        return (f"{phone.status()}\n" + phone.link()
                + machine.run(f"tail -n 30 {phone.dir}/wpa.log; journalctl -b -u 'ravebox-hostapd@*' --no-pager -n 30; "
                              "bridge link; iw dev | grep -E 'Interface|ssid'")[1])

    joined = phone.join(ssid, password, key_mgmt=key_mgmt, connected_to=connected_to)
    must(joined, f"a phone joins the hotspot '{ssid}' with {key_mgmt}", wifi_log())
    lease = phone.lease()
    address = lease.get("ip", "")
    last = int(address.rsplit(".", 1)[-1]) if re.fullmatch(r"10\.42\.0\.\d+", address) else 0
    must(20 <= last <= 250, "the phone gets a DHCP lease on the hotspot (10.42.0.20-250)",
         f"{lease}\n" + machine.run("journalctl -b -u ravebox-dnsmasq --no-pager -n 20")[1] + wifi_log())
    check(lease.get("router") == "10.42.0.1" and lease.get("dns", "").split()[:1] == ["10.42.0.1"],
          "the lease names the box as router and DNS server", str(lease))
    api = option_114(lease)
    check(api == f"http://{BOX_HOSTNAME}/api/captive-portal",
          "DHCP option 114 carries the box's RFC 8908 captive-portal API (RFC 8910)", str(lease))
    return phone


def hotspot_log(machine: Machine) -> str:
    return machine.run("journalctl -b -u 'ravebox-hostapd@*' --no-pager -n 40")[1]


def check_enhanced_open(machine: Machine, phone: Phone, ssid: str) -> None:
    """wifi_security: owe (the image's default) on a radio that can run it: an old phone joins the open network,
    a phone that knows OWE is led from it to the hidden OWE network and gets an encrypted link."""
    log = hotspot_log(machine)
    check("runs Enhanced Open (OWE)" in log,
          "ravebox hotspot finds that mac80211_hwsim runs OWE (iw phy of the image's own iw)", log)
    open_ok = phone.join(ssid, None, key_mgmt="NONE")
    status = phone.status()
    check(open_ok and status.get("key_mgmt") == "NONE", "a phone without OWE joins the open network",
          f"{status}\n" + phone.link() + machine.run(f"tail -n 20 {phone.dir}/wpa.log")[1] + log)
    phone.leave()


def check_wpa3(machine: Machine, phone: Phone, ssid: str, password: str) -> None:
    """wifi_security: wpa3 with the password the box made up: the image's hostapd runs SAE on mac80211_hwsim and a
    phone without WPA3 still joins with WPA2 and the same password."""
    log = hotspot_log(machine)
    check("runs WPA3 (SAE)" in log, "ravebox hotspot finds that mac80211_hwsim runs WPA3 (SAE)", log)
    joined = phone.join(ssid, password, key_mgmt="WPA-PSK")
    status = phone.status()
    check(joined and status.get("key_mgmt") == "WPA2-PSK",
          "a phone without WPA3 joins with WPA2 and the password from the join QR code",
          f"{status}\n" + machine.run(f"tail -n 20 {phone.dir}/wpa.log")[1] + log)
    phone.leave()


def join_code(machine: Machine, admin: Client, work: Path, name: str) -> dict[str, str]:
    """The Wi-Fi join QR code on the box's screen, read with zbarimg and unescaped: {T, S, P}."""
    status, _ = admin.call("PUT", "/api/screen/program", {"program": "join"})
    check(status == 200, "the screen program is set to the join panel", str(status))
    target = work / f"{name}.png"

    def read() -> str | None:
        screendump(machine, target)
        out = subprocess.run(["zbarimg", "-q", "--raw", str(target)], capture_output=True, text=True).stdout
        return next((line for line in out.splitlines() if line.startswith("WIFI:")), None)

    text = eventually(20, read, interval=1) or ""
    admin.call("PUT", "/api/screen/program", {"program": "bars"})
    fields, key, value, escaped = {}, "", "", False
    for char in text[len("WIFI:"):]:
        if escaped:
            value, escaped = value + char, False
        elif char == "\\":
            escaped = True
        elif char == ":" and not key:
            key = value
            value = ""
        elif char == ";":
            if key:
                fields[key] = value
            key, value = "", ""
        else:
            value += char
    return fields


def captive_api(phone: Phone) -> dict:
    out = phone.run(f"{phone.busybox('wget')} -q -T 10 -O - http://{BOX_HOSTNAME}/api/captive-portal")[1]
    try:
        return json.loads(out)
    except ValueError:
        return {"answer": out}


def check_captive_portal(machine: Machine, phone: Phone) -> None:
    """What a phone's operating system does after joining: look a name up, probe, open the portal."""
    lookup = phone.run(f"{phone.busybox('nslookup')} connectivitycheck.gstatic.com 10.42.0.1")[1]
    answers = re.findall(r"Address:\s*([0-9.]+)$", lookup.split("Name:", 1)[-1], re.M)
    check(answers == ["10.42.0.1"], "the box's DNS answers any name with its own address (captive DNS)", lookup)
    before = captive_api(phone)
    check(before.get("captive") is True and before.get("user-portal-url") == f"http://{BOX_HOSTNAME}/",
          "the captive-portal API says 'captive' to a phone that has not opened the party page", str(before))
    # The phone's probe, as Android sends it: a redirect to the party page, which the phone then opens.
    probe = phone.run(f"{phone.busybox('wget')} -S -T 10 -O {phone.dir}/portal.html "
                      "http://connectivitycheck.gstatic.com/generate_204 2>&1")[1]
    page = machine.run(f"head -c 4000 {phone.dir}/portal.html")[1]
    check(re.search(r"HTTP/1\.\d 302", probe) is not None
          and re.search(rf"(?im)^\s*location:\s*http://{re.escape(BOX_HOSTNAME)}/\s*$", probe) is not None,
          "the phone's connectivity probe is redirected to the party page", probe)
    check("<html" in page.lower() and "ravebox" in page.lower(), "the phone opens the party page by name", page[:300])
    after = captive_api(phone)
    check(after.get("captive") is False, "after the party page was opened, the API says 'not captive'", str(after))
    probe = phone.run(f"{phone.busybox('wget')} -S -T 10 -O /dev/null "
                      "http://connectivitycheck.gstatic.com/generate_204 2>&1")[1]
    check(re.search(r"HTTP/1\.\d 204", probe) is not None,
          "then the phone's probe reads 'online' (204), so its portal sheet closes", probe)


def check_mdns(space, name: str, address: str, what: str) -> None:
    # Asked again for up to 30 s: avahi announces a new address with a delay, and a loaded host (TCG) answers late.
    answers: list[str] = []

    def resolved():
        answers.append(space.run(f"perl {space.tools}/mdns-query.pl {name} 4", timeout=60)[1])
        return address in answers[-1].split()

    found = eventually(30, resolved, interval=1)
    check(bool(found), f"{name} resolves to {address} over mDNS (avahi) {what}", answers[-1] if answers else "")


def check_no_forwarding(machine: Machine, phone: Phone, uplink: Uplink) -> None:
    """uplink_forwarding off: the phone cannot reach the internet through the box, even with the kernel's
    IP forwarding switched on by hand (so it is nftables' forward policy that holds)."""
    fetch = f"{phone.busybox('wget')} -q -T 6 -O - {uplink.url}"
    first = phone.run(fetch, timeout=60)[1]
    machine.check("sysctl -qw net.ipv4.ip_forward=1")
    second = phone.run(fetch, timeout=60)[1]
    ruleset = machine.run("nft list ruleset")[1]
    check(uplink.token not in first and uplink.token not in second,
          "without uplink_forwarding the phone cannot reach the uplink (nftables drops, IP forwarding or not)",
          f"{first}\n{second}\n{ruleset}")
    check("policy drop" in ruleset, "the box's forward chain has policy drop", ruleset)
    machine.check("sysctl -qw net.ipv4.ip_forward=0")


def check_home_wifi(machine: Machine, tools: str) -> None:
    """ravebox.yaml names a home Wi-Fi: the box joins it on its second radio and is found there by
    address and by its mDNS name, while its hotspot stays up on the first."""
    home = HomeNetwork(machine, tools, HOME_NAME, HOME_PASSWORD)
    joined = eventually(120, lambda: f"SSID: {HOME_NAME}" in machine.run(f"iw dev {network.CLIENT} link")[1],
                        interval=3)
    check(bool(joined), f"the box joins the home Wi-Fi '{HOME_NAME}' on {network.CLIENT} (wifi_client_name)",
          machine.run(f"iw dev {network.CLIENT} link; ls /run/ravebox; "
                      "journalctl -b -u 'ravebox-wpa-supplicant@*' --no-pager -n 20")[1] + home.logs())
    found = eventually(60, lambda: re.search(rf"inet ({re.escape(network.HOME_NETWORK)}\.\d+)/",
                                             machine.run(f"ip -color=never -4 addr show dev {network.CLIENT}")[1]), interval=2)
    must(bool(found), "the box gets an address on the home network by DHCP",
         machine.run("networkctl status --no-pager wlan1 2>&1 | tail -20")[1] + home.logs())
    address = found.group(1)
    wget = home.busybox("wget")
    state = home.run(f"{wget} -q -T 10 -O - http://{address}/api/state")[1]
    check('"queue"' in state, "a laptop on the home network reaches the box at its address", state[:300])
    check_mdns(home, mdns_name(), address, "on the home network")
    named = home.run(f"{wget} -q -T 10 -O - --header 'Host: {mdns_name()}' http://{address}/api/state")[1]
    check('"queue"' in named, f"the box serves http://{mdns_name()}/ as itself on the home network", named[:300])


def check_forwarding(phone: Phone, uplink: Uplink) -> None:
    got = phone.run(f"{phone.busybox('wget')} -q -T 10 -O - {uplink.url}", timeout=60)[1]
    check(uplink.token in got, "with uplink_forwarding on, the phone reaches the uplink through the box", got)
    lookup = phone.run(f"{phone.busybox('nslookup')} {BOX_HOSTNAME} 10.42.0.1")[1]
    check("10.42.0.1" in lookup.split("Name:", 1)[-1], "the box's own name still resolves on the hotspot", lookup)


def make_stick(work: Path) -> Path:
    """A 64 MiB USB stick image: an MBR, one FAT partition labelled RBSTICK, one song."""
    song, stick = work / "stick-song.ogg", work / "stick.img"
    subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                    "sine=frequency=660:duration=12", "-metadata", f"title={STICK_TITLE}", "-metadata",
                    "artist=The USB Sticks", "-c:a", "libvorbis", str(song)], check=True)
    stick.unlink(missing_ok=True)
    subprocess.run(["truncate", "-s", "64M", str(stick)], check=True)
    subprocess.run(["sfdisk", "-q", str(stick)], input="label: dos\nstart=2048, type=c\n", text=True, check=True)
    subprocess.run(["mkfs.vfat", "--offset", "2048", "-n", "RBSTICK", str(stick), str(64512)], check=True,
                   capture_output=True)
    subprocess.run(["mcopy", "-i", f"{stick}@@1048576", str(song), f"::{STICK_TITLE}.ogg"], env=MTOOLS_ENV,
                   check=True)
    return stick


def stick_mount(machine: Machine) -> str:
    return machine.run("findmnt -rno TARGET,FSTYPE,OPTIONS | grep '^/media/ravebox/' || true")[1].strip()


def found_songs(client: Client, title: str) -> list:
    status, body = client.call("GET", "/api/search?q=" + urllib.parse.quote(title))
    return [song for song in body if song.get("title") == title] if status == 200 else []


def check_usb_stick(machine: Machine, client: Client, work: Path) -> None:
    """A stick plugged in (QMP device_add) is mounted read-only and its songs can be found and played;
    pulled out (device_del), it is unmounted and its songs are no longer offered. The stick is unchanged."""
    stick = make_stick(work)
    before = hashlib.sha256(stick.read_bytes()).hexdigest()
    answers = [machine.qmp({"execute": "blockdev-add", "arguments": {
                   "driver": "raw", "node-name": "stick", "file": {"driver": "file", "filename": str(stick)}}}),
               machine.qmp({"execute": "device_add", "arguments": {
                   "driver": "usb-storage", "bus": "xhci.0", "drive": "stick", "id": "stick0"}})]
    must(all("error" not in answer for answer in answers), "a USB stick is plugged in (QMP device_add)", str(answers))
    mounted = eventually(60, lambda: stick_mount(machine) or None, interval=1)
    fields = (mounted or "").split()
    check(len(fields) == 3 and fields[0] == "/media/ravebox/RBSTICK" and fields[1] == "vfat"
          and fields[2].split(",")[0] == "ro", "the stick is mounted read-only at /media/ravebox/RBSTICK",
          str(mounted) + machine.run("journalctl -b -u 'ravebox-usb-mount@*' --no-pager -n 20; lsblk")[1])
    songs = eventually(60, lambda: found_songs(client, STICK_TITLE) or None, interval=2)
    check(bool(songs), "the stick's song can be found within seconds", guest_log(machine, lines=30))
    if songs:
        status, body = client.call("POST", "/api/queue", {"songId": songs[0]["id"]})
        check(status in (200, 201), "the stick's song can be requested", f"{status} {body}")
    answer = machine.qmp({"execute": "device_del", "arguments": {"id": "stick0"}})
    check("error" not in answer, "the stick is pulled out (QMP device_del)", str(answer))
    gone = eventually(60, lambda: not stick_mount(machine)
                      and machine.run("test -e /media/ravebox/RBSTICK")[0] != 0, interval=1)
    check(bool(gone), "the stick is unmounted and its mount point removed",
          stick_mount(machine) + machine.run("journalctl -b -u 'ravebox-usb-mount@*' --no-pager -n 20")[1])
    hidden = eventually(30, lambda: not found_songs(client, STICK_TITLE), interval=2)
    check(bool(hidden), "the pulled stick's songs are no longer offered")
    machine.qmp({"execute": "blockdev-del", "arguments": {"node-name": "stick"}})
    check(hashlib.sha256(stick.read_bytes()).hexdigest() == before, "the box wrote nothing to the stick")


def vote_stream(machine: Machine, entry: int, stop: threading.Event, acknowledged: list[str]) -> None:
    while not stop.is_set():
        voter = Client(machine)
        try:
            status, _ = voter.call("PUT", f"/api/queue/{entry}/vote", {"vote": 1}, timeout=3)
        except Exception:
            continue
        if 200 <= status < 300:
            acknowledged.append(voter.session)


def main() -> int:
    global BOX_HOSTNAME
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--image", required=True, type=Path)
    parser.add_argument("--tools", type=Path, help="folder with test-tools.img (gpio-sim.ko)")
    parser.add_argument("--work", type=Path, default=Path(".build-image/image-test"))
    parser.add_argument("--kvm", action="store_true",
                        help="use KVM where /dev/kvm works (default: TCG, which every host runs the same way)")
    args = parser.parse_args()

    started = time.monotonic()
    work = args.work.resolve()
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    image = args.image.resolve()
    flashed_root = hash_partition(image, 2)

    tools_img = args.tools.resolve() / "test-tools.img" if args.tools else None
    disk0 = first_boot_disk(image, work)

    def machine(disk: Path, name: str) -> Machine:
        return test_machine(disk, work / name, tools_img, args.kvm)

    def tools_mounted(machine: Machine) -> str | None:
        if tools_img is None:
            check(False, "the network checks of a phone and a home network", "no test tools disk given")
            return None
        sys.path.insert(0, str(Path(__file__).resolve().parent / "gpio-sim"))
        from guest import mount_tools  # noqa: E402
        return mount_tools(machine)

    uplink = Uplink()

    try:
        # 1. First boot.
        m1 = machine(disk0, "boot1")
        boot_http = boot(m1, "first boot")
        check_system(m1)
        check_root_boundary(m1, [FIRST_ADMIN])
        masked = m1.check("cat /boot/firmware/ravebox.yaml")
        check(FIRST_ADMIN not in masked, "the secrets in ravebox.yaml are masked after the first boot", masked[-400:])
        check("wifi_security: owe" in masked, "the image's ravebox.yaml asks for Enhanced Open (OWE)", masked[:1500])
        check_hotspot(m1, FIRST_HOTSPOT)
        tools = tools_mounted(m1)
        if tools:
            phone = Phone(m1, tools)
            check_enhanced_open(m1, phone, FIRST_HOTSPOT)
            phone_on_hotspot(m1, phone, FIRST_HOTSPOT, None, "OWE", connected_to=FIRST_HOTSPOT + "-owe")
            status = phone.status()
            check(status.get("key_mgmt") == "OWE" and status.get("pairwise_cipher") == "CCMP",
                  "a phone that knows OWE is led to the hidden OWE network and its link is encrypted (CCMP)",
                  str(status))
            check_captive_portal(m1, phone)
            check_mdns(phone, mdns_name(), "10.42.0.1", "on the hotspot")
            check_no_forwarding(m1, phone, uplink)
        admin = Client(m1)
        must(admin.login("admin", FIRST_ADMIN) == 200, "the admin password from ravebox.yaml works",
             f"{admin.last_answer}\n" + m1.run("cat /run/ravebox/ravebox.yaml; ls -la /run/ravebox")[1] + guest_log(m1))
        admin.call("PATCH", "/api/settings", {"oneVotePerDevice": False})
        guest = Client(m1)
        check_playback(m1, guest)
        check_screen(m1, admin, work)
        code = join_code(m1, admin, work, "join-owe")
        check(code.get("T") == "nopass" and code.get("S") == FIRST_HOTSPOT and "P" not in code,
              "the join QR code of the OWE network asks for no password", str(code))
        check_button(m1, guest, args.tools)
        boot_music = boot_to_music(m1)
        print(f"boot-to-music (first boot): {boot_music if boot_music is not None else '?'} s", flush=True)
        print(f"--- the first boot as systemd saw it ---\n{boot_analysis(m1)}\n---", flush=True)
        # The box after its first boot's checks, playing, no phone connected.
        pss = memory(m1)
        check(set(pss) == {"supervisor", "engine", "web", "total"}, "the box runs its three processes", str(pss))
        print(f"boot_http_s={boot_http:.1f} boot_music_s={boot_music if boot_music is not None else 'nan'} "
              f"pss_total_mib={pss['total']:.1f}", flush=True)

        # 2. Power cut during a stream of votes.
        queue = guest.state().get("queue", [])
        if not queue:
            # On a slow host the songs requested above may all have played (or been skipped) by now.
            playing = (current_song(guest) or {}).get("songId")
            for song in [song for song in song_ids(guest) if song != playing][:2]:
                guest.call("POST", "/api/queue", {"songId": song})
            queue = guest.state().get("queue", [])
        must(bool(queue), "songs are queued for the vote stream")
        entry = queue[0]["id"]
        stop, acknowledged = threading.Event(), []
        threads = [threading.Thread(target=vote_stream, args=(m1, entry, stop, acknowledged)) for _ in range(4)]
        for thread in threads:
            thread.start()
        time.sleep(8)  # each voter begins a session (a commit) before its vote: twice the commits of a vote
        # Enough acknowledged votes for the count below to mean something, however slowly a busy host answers.
        eventually(60, lambda: len(acknowledged) > 20, interval=0.2)
        m1.kill()
        stop.set()
        for thread in threads:
            thread.join()
        print(f"votes acknowledged before the power cut: {len(acknowledged)}", flush=True)
        check(len(acknowledged) > 20, "votes were acknowledged before the power cut", str(len(acknowledged)))

        disk1 = disk_of(m1, work / "disk1.raw")
        m2 = machine(disk1, "boot2")
        boot(m2, "after the power cut")
        check_planted_untouched(m2)
        errors = m2.run("dmesg | grep -i 'EXT4-fs error\\|I/O error' || true")[1].strip()
        check(errors == "", "no file system errors after the power cut", errors)
        integrity = m2.check("sqlite3 -readonly /var/lib/ravebox/ravebox.sqlite 'PRAGMA integrity_check'").strip()
        check(integrity == "ok", "the database passes integrity_check after the power cut", integrity)
        stored = set(m2.check(f"sqlite3 -readonly /var/lib/ravebox/ravebox.sqlite "
                              f"\"SELECT voter FROM vote WHERE entryId = {entry}\"").split())
        # The box issued each voter's token; the vote is stored under the session's id, which stays on the box.
        voters = dict(line.split("|", 1) for line in m2.check(
            "sqlite3 -readonly /var/lib/ravebox/ravebox.sqlite 'SELECT token, id FROM guest_session'").split())
        lost = [index for index, s in enumerate(acknowledged) if f"session:{voters.get(s)}" not in stored]
        check(not lost, "every vote acknowledged before the power cut is stored",
              f"{len(lost)} of {len(acknowledged)} lost, positions {lost}; {len(stored)} stored\n"
              + m2.run("ls -la /var/lib/ravebox/; sqlite3 -readonly /var/lib/ravebox/ravebox.sqlite "
                       "'PRAGMA journal_mode; PRAGMA synchronous; SELECT count(*) FROM vote'")[1])
        client2 = Client(m2)
        check(bool(eventually(60, lambda: position(client2) > 1.0)), "music plays again after the power cut",
              guest_log(m2))
        must(m2.shutdown(), "the box shuts down cleanly")

        # 3. ravebox.yaml edited while the box is off.
        disk2 = disk_of(m2, work / "disk2.raw")
        rc, report = fsck_partition(disk2, 3, work)
        check(rc == 0, "the data file system is clean (e2fsck -fn)", report[-600:])
        yaml = set_keys(read_boot_file(disk2, "ravebox.yaml"),
                        {"wifi_name": SECOND_HOTSPOT, "wifi_security": "wpa3", "admin_password": SECOND_ADMIN,
                         "hostname": SECOND_HOSTNAME, "wifi_client_name": HOME_NAME,
                         "wifi_client_password": json.dumps(HOME_PASSWORD), "uplink_forwarding": "on"})
        write_boot_file(disk2, "ravebox.yaml", yaml, work)
        BOX_HOSTNAME = SECOND_HOSTNAME
        m3 = machine(disk2, "boot3")
        boot(m3, "after editing ravebox.yaml")
        check_hotspot(m3, SECOND_HOTSPOT)
        admin3 = Client(m3)
        must(admin3.login("admin", SECOND_ADMIN) == 200, "the new admin password works", str(admin3.last_answer))
        # WPA3 without a wifi_password: the box made one up, and its screen, join page and boot partition show it.
        code = join_code(m3, admin3, work, "join-wpa3")
        password = code.get("P", "")
        check(code.get("T") == "WPA" and code.get("S") == SECOND_HOTSPOT
              and re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password) is not None,
              "the join QR code on the screen carries the password the box made up", str(code))
        status, page = admin3.call("GET", "/join")
        check(status == 200 and bool(password) and password in str(page), "the join page shows the same password",
              f"{status} {str(page)[:300]}")
        note = m3.run("cat /boot/firmware/ravebox-wifi.txt")[1]
        check(bool(password) and f"Password: {password}" in note,
              "ravebox-wifi.txt on the boot partition tells a box without a screen its password", note)
        tools = tools_mounted(m3)
        if tools:
            check_home_wifi(m3, tools)
            # The hotspot stays up beside the home network, and now lets guests out.
            phone = Phone(m3, tools)
            check_wpa3(m3, phone, SECOND_HOTSPOT, password)
            phone_on_hotspot(m3, phone, SECOND_HOTSPOT, password, "SAE")
            status = phone.status()
            check(status.get("key_mgmt") == "SAE", "a phone that knows WPA3 joins with SAE and the same password",
                  str(status))
            check_forwarding(phone, uplink)
        check_usb_stick(m3, Client(m3), work)
        check(Client(m3).login("admin", FIRST_ADMIN) == 401, "the old admin password no longer works")
        must(m3.shutdown(), "the box shuts down cleanly again")

        # 4. Nothing wrote to the root.
        disk3 = disk_of(m3, work / "disk3.raw")
        check(hash_partition(disk3, 2) == flashed_root, "the root partition is unchanged after three boots")
    except Failed as error:
        print(f"stopped: {error}", flush=True)
    finally:
        for name in ("boot1", "boot2", "boot3"):
            console = work / name / "console.log"
            if failures and console.exists():
                print(f"--- {name} console (last lines) ---\n" + console.read_text(errors="replace")[-3000:])

    print(f"image test: {len(failures)} failed, {time.monotonic() - started:.0f} s", flush=True)
    for failure in failures:
        print(f"  FAIL: {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
