#!/usr/bin/env python3
"""Soak test: the real box under a crowd of guests and faults, for minutes, with goals that fail the run.

`make soak` (30 minutes) and `make soak-ci` (about 3) run this against the debug binary. What it does:

The box
  `ravebox run --mode desktop` (RAVEBOX_BIN) on a fresh data folder that lives on a small ext4 file system of
  its own (a loop-mounted image), with a library of the demo tracks plus 40 generated tones of 20 to 40 s, with
  autoplay on so music always plays. The audio device (SOAK_AUDIO, see `Sound`): snd-aloop, a sound card with a
  real clock, where the kernel has it; else ALSA's `null`, which the engine paces itself, so an xrun cannot
  happen there but an underrun (the engine falling behind, a silent period) can, and is counted the same.

The guests
  GUESTS simulated phones, each from its own loopback address (127.77.x.y), which is how the box tells devices
  apart (votes are per device, connection limits per address): each holds a live WebSocket (`/api/live`,
  reconnected when it drops), keeps its session cookie as a browser would, and now and then votes (up, down or
  back to none on a queued or playing song), requests a library song, or uploads a small MP3. Unsafe requests
  carry the page's Origin. One more client (127.77.255.1) follows the live state to know the queue.

The faults (SOAK_MINUTES decides how many; every kind happens at least once)
  - `kill -9` of the engine and of the web process (the supervisor's children; it restarts them);
  - a full data disk: the rest of the file system is taken by a filler file for SOAK_FULL_SECONDS, then freed;
  - a slow disk: the loop device's writes throttled to SOAK_SLOW_IOPS operations a second (the block layer's
    throttling, cgroup v1 `blkio.throttle.*` on the root group) for SOAK_SLOW_SECONDS. An fsync then costs
    one to two hundred ms, like a worn SD card; dm-delay would be the classic tool but this kernel has no
    device mapper.

The goals (any one missed fails the run, exit 1)
  1. No acknowledged write lost. After the box is stopped cleanly, its SQLite file is read: every request that
     got a 2xx is in `request_log` under its guest, every upload that got a 2xx is a song whose file has the
     uploaded size, and every vote that got a 2xx is the guest's vote in `vote` while its queue entry is still
     there (a played or kicked entry takes its votes with it: the entry must then be in the play log or its
     kick must have been answered, or an unanswered vote may have kicked it).
  2. Web RSS flat: for each life of the web process long enough to judge, the median RSS of the last
     SOAK_RSS_WINDOW seconds is within 5 % of the median of the SOAK_RSS_WINDOW seconds after warm-up
     (SOAK_WARMUP seconds into that life). A restart starts a new life with its own warm-up.
  3. No xrun outside the kill windows: the engine's xrun and underrun counters (`GET /api/status`, sampled
     every second, per engine process) may only grow within SOAK_KILL_WINDOW seconds after an engine kill.
  4. The box answers `GET /api/state` with 200 within 1 s of every kill; no child restarts that no kill
     explains (a crash); writes are acknowledged again within SOAK_RECOVER seconds after the full disk is freed.

Needs root (loop device, mount, the block throttle) and ffmpeg (`make soak` installs it; SOAK_AUDIO=pulse also
needs pulseaudio and libasound2-plugins). Only the Python standard library. Prints a table and one key=value line; the box's
log and a JSON report stay in the work folder (SOAK_WORK, default a new folder under /tmp, kept on failure).

Environment: RAVEBOX_BIN, SOAK_MINUTES (30), GUESTS (200), SOAK_AUDIO (auto), SOAK_SEED, SOAK_WORK, SOAK_KEEP (keep
the work folder), and the SOAK_* durations below.
"""

import asyncio
import base64
import collections
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "bench"))
import http1  # noqa: E402
ADMIN_PASSWORD = "soak-admin-password"
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def env_number(name, default):
    value = os.environ.get(name)
    return type(default)(value) if value not in (None, "") else default


MINUTES = env_number("SOAK_MINUTES", 30.0)
GUESTS = env_number("GUESTS", 200)
SEED = env_number("SOAK_SEED", int(time.time()))
BIN = os.path.abspath(os.environ.get("RAVEBOX_BIN") or os.path.join(ROOT, ".build/debug/ravebox"))
# Seconds of a web process's life before its RSS counts, and the window each end of a life is judged by.
WARMUP = env_number("SOAK_WARMUP", 60.0 if MINUTES >= 10 else 30.0)
RSS_WINDOW = env_number("SOAK_RSS_WINDOW", 60.0 if MINUTES >= 10 else 20.0)
RSS_TOLERANCE = 0.05
KILL_WINDOW = env_number("SOAK_KILL_WINDOW", 15.0)
FULL_SECONDS = env_number("SOAK_FULL_SECONDS", 30.0)
SLOW_SECONDS = env_number("SOAK_SLOW_SECONDS", 120.0 if MINUTES >= 10 else 30.0)
SLOW_IOPS = env_number("SOAK_SLOW_IOPS", 40)
RECOVER = env_number("SOAK_RECOVER", 15.0)
ANSWER_DEADLINE = 1.0
# A guest acts every this many seconds on average (exponential gaps): 200 guests make about 50 actions a second,
# under the vote limit of 10 per 30 s per device.
ACTION_INTERVAL = env_number("SOAK_ACTION_INTERVAL", 4.0)
REQUEST_TIMEOUT = 30.0
DISK_MB = env_number("SOAK_DISK_MB", 256)


def log(message):
    print(f"soak {time.strftime('%H:%M:%S')}: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# HTTP/1.1 and WebSocket clients bound to a guest's own loopback address (asyncio streams).


class Guest:
    """One phone: its address, its session cookie, its votes and what the box acknowledged."""

    def __init__(self, index, address):
        self.index = index
        self.address = address
        self.voter = "device:" + address
        self.cookie = None
        self.reader = self.writer = None
        self.uploads = 0
        self.live_connected = False

    async def request(self, soak, method, path, body=b"", content_type=None, timeout=REQUEST_TIMEOUT):
        return await asyncio.wait_for(self._request(soak, method, path, body, content_type), timeout)

    async def _request(self, soak, method, path, body, content_type):
        for attempt in (1, 2):
            # A kept-alive connection the server has closed meanwhile (a killed web process) is opened anew
            # and the request sent again, as browsers do; a request on a new connection is sent once.
            fresh = self.writer is None
            if fresh:
                self.reader, self.writer = await asyncio.open_connection(
                    "127.0.0.1", soak.port, local_addr=(self.address, 0))
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{soak.port}", "Accept: application/json",
                    f"Content-Length: {len(body)}"]
            if method not in ("GET", "HEAD"):
                head.append(f"Origin: http://127.0.0.1:{soak.port}")
            if content_type:
                head.append(f"Content-Type: {content_type}")
            if self.cookie:
                head.append(f"Cookie: rb_session={self.cookie}")
            try:
                self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed before an answer")
            except (ConnectionError, OSError):
                self.close()
                if fresh or attempt == 2:
                    raise
                continue
            status, headers, payload = await http1.read_response(self.reader, status_line)
            if headers.get("connection", "").lower() == "close":
                self.close()
            cookie = headers.get("set-cookie", "")
            if cookie.startswith("rb_session="):
                self.cookie = cookie.split(";", 1)[0].split("=", 1)[1]
            return status, payload
        raise ConnectionResetError("unreachable")

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def websocket(address, port):
    """Opens /api/live from `address`; returns the streams after a checked handshake."""
    reader, writer = await asyncio.wait_for(
        asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0)), 5)
    key = base64.b64encode(os.urandom(16)).decode()
    writer.write((f"GET /api/live HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                  f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                  f"Origin: http://127.0.0.1:{port}\r\n\r\n").encode())
    await writer.drain()
    head = (await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)).decode("latin-1")
    if " 101 " not in head.split("\r\n", 1)[0] + " ":
        writer.close()
        raise ConnectionError(f"WebSocket refused: {head.splitlines()[0]!r}")
    accept = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
    if f"sec-websocket-accept: {accept.lower()}" not in head.lower():
        writer.close()
        raise ConnectionError("wrong Sec-WebSocket-Accept")
    return reader, writer


def masked_frame(opcode, payload=b""):
    mask = os.urandom(4)
    return bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + bytes(
        b ^ mask[i % 4] for i, b in enumerate(payload))


async def read_frames(reader, writer, on_text=None):
    """Reads server frames until the connection ends; answers pings; hands text messages to `on_text`."""
    parts = []
    while True:
        first, second = await reader.readexactly(2)
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(await reader.readexactly(2), "big")
        elif length == 127:
            length = int.from_bytes(await reader.readexactly(8), "big")
        payload = await reader.readexactly(length)
        opcode = first & 0x0F
        if opcode == 0x9:
            writer.write(masked_frame(0xA, payload))
            await writer.drain()
        elif opcode == 0x8:
            return
        elif on_text is not None and opcode in (0x1, 0x0):
            parts.append(payload)
            if first & 0x80:
                on_text(b"".join(parts))
                parts = []


# --------------------------------------------------------------------------------------------------
# The box and its surroundings.


def run(*command, check=True, **kwargs):
    return subprocess.run(command, check=check, capture_output=True, text=True, **kwargs)


class DataDisk:
    """The data folder on an ext4 file system of its own (a loop device over an image file), which the soak
    can fill and slow down."""

    def __init__(self, work):
        self.image = os.path.join(work, "data.img")
        self.mount = os.path.join(work, "data")
        self.device = None
        self.filler = os.path.join(self.mount, "soak-filler")
        self.throttle_files = []

    def create(self):
        with open(self.image, "wb") as f:
            f.truncate(DISK_MB << 20)
        # No blocks reserved for root: the box runs as root here, and a full disk must be full for it too.
        run("mkfs.ext4", "-q", "-F", "-m", "0", self.image)
        self.device = run("losetup", "--find", "--show", self.image).stdout.strip()
        os.makedirs(self.mount, exist_ok=True)
        run("mount", self.device, self.mount)
        self.devnum = "%d:%d" % divmod(os.stat(self.device).st_rdev, 256)

    def fill(self):
        """Takes every free block; returns the bytes taken."""
        free = os.statvfs(self.mount)
        size = free.f_bavail * free.f_frsize
        descriptor = os.open(self.filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            # fallocate takes nearly everything at once (the file's own extent tree needs a few blocks) ...
            if size > (8 << 20):
                os.posix_fallocate(descriptor, 0, size - (4 << 20))
            # ... and writes take the rest, a block at a time, until the file system says it is full.
            chunk = b"\0" * 4096
            while True:
                try:
                    os.write(descriptor, chunk)
                except OSError:
                    break
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        return os.path.getsize(self.filler)

    def free(self):
        if os.path.exists(self.filler):
            os.unlink(self.filler)

    def slow(self, iops):
        """Throttles every write and read of the loop device to `iops` operations a second."""
        base = "/sys/fs/cgroup/blkio"
        if not os.path.exists(f"{base}/blkio.throttle.write_iops_device"):
            raise RuntimeError("no cgroup v1 blkio controller at /sys/fs/cgroup/blkio: cannot slow the disk")
        for name, value in (("write_iops_device", iops), ("read_iops_device", iops * 4),
                            ("write_bps_device", 4 << 20)):
            path = f"{base}/blkio.throttle.{name}"
            with open(path, "w") as f:
                f.write(f"{self.devnum} {value}\n")
            self.throttle_files.append(path)

    def unslow(self):
        for path in self.throttle_files:
            try:
                with open(path, "w") as f:
                    f.write(f"{self.devnum} 0\n")
            except OSError:
                pass
        self.throttle_files = []

    def remove(self):
        self.unslow()
        self.free()
        if self.device:
            for _ in range(20):
                if run("umount", self.mount, check=False).returncode == 0:
                    break
                time.sleep(0.5)
            run("losetup", "-d", self.device, check=False)
            self.device = None


class Sound:
    """The ALSA device the engine plays on (SOAK_AUDIO):

    - `aloop`: snd-aloop's first playback device (`plughw:Loopback,0,0`), a kernel sound card with a real
      clock, as the image test uses; chosen by `auto` when `modprobe snd-aloop` works.
    - `null`: ALSA's `null` PCM, which has no clock: the engine paces its writes to real time itself, so ALSA
      xruns cannot happen (0 by construction) but underruns can (the ring ran empty because the decoder or the
      control loop fell behind), and those are what a listener hears. `auto` falls back to it.
    - `pulse`: a private PulseAudio's null sink through ALSA's pulse plugin, a device with a real clock in user
      space. Not the fallback: at the engine's 20 ms buffer it xruns on its own on a loaded 2-core machine
      (aplay alone: 7 to 30 xruns in 20 s at 20 ms, none at 100 ms), so it measures PulseAudio, not the engine.
    """

    def __init__(self, work):
        self.dir = os.path.join(work, "pulse")
        self.process = None
        self.kind = os.environ.get("SOAK_AUDIO", "auto")
        self.env = {}
        self.device = "null"

    def start(self):
        if self.kind == "auto":
            loaded = subprocess.run(["modprobe", "snd-aloop"], capture_output=True).returncode == 0
            cards = open("/proc/asound/cards").read() if os.path.exists("/proc/asound/cards") else ""
            self.kind = "aloop" if loaded and "Loopback" in cards else "null"
        if self.kind == "aloop":
            self.device = "plughw:Loopback,0,0"
        elif self.kind == "pulse":
            self.start_pulse()
        elif self.kind != "null":
            raise RuntimeError(f"SOAK_AUDIO={self.kind}: say auto, aloop, null or pulse")

    def start_pulse(self):
        os.makedirs(self.dir, exist_ok=True)
        asoundrc = os.path.join(self.dir, "asoundrc")
        with open(asoundrc, "w") as f:
            # handle_underrun: the plugin reports the stream running dry as an xrun (-EPIPE), as a card would.
            f.write("pcm.soak {\n    type pulse\n    handle_underrun true\n}\n")
        with open(os.path.join(self.dir, "default.pa"), "w") as f:
            f.write("load-module module-null-sink sink_name=soak rate=48000 channels=2\n"
                    f"load-module module-native-protocol-unix auth-anonymous=1 socket={self.dir}/native\n"
                    "set-default-sink soak\n")
        self.env = {"PULSE_SERVER": f"unix:{self.dir}/native",
                    "ALSA_CONFIG_PATH": f"/usr/share/alsa/alsa.conf:{asoundrc}"}
        self.device = "soak"
        env = dict(os.environ, HOME=self.dir, XDG_RUNTIME_DIR=self.dir, PULSE_RUNTIME_PATH=self.dir)
        self.process = subprocess.Popen(
            ["pulseaudio", "-n", "--daemonize=no", "--exit-idle-time=-1", "--system=false",
             "-F", os.path.join(self.dir, "default.pa"), "--log-target=file:" + os.path.join(self.dir, "pulse.log"),
             "--realtime=yes", "--high-priority=yes"],
            env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(100):
            if os.path.exists(os.path.join(self.dir, "native")):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"pulseaudio did not start; see {self.dir}/pulse.log")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()


def make_library(work):
    """The demo tracks and 40 tones of 20 to 40 s (one MP3 encoded once, copied under new tags), and the small
    MP3 guests upload."""
    library = os.path.join(work, "library")
    run(os.path.join(ROOT, "scripts/make-demo-library.sh"), os.path.join(library, "demo"))
    tones = os.path.join(library, "tones")
    os.makedirs(tones, exist_ok=True)
    for length in (20, 30, 40):
        run("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
            f"sine=frequency={200 + length * 5}:sample_rate=44100:duration={length}", "-ac", "2",
            "-c:a", "libmp3lame", "-b:a", "96k", os.path.join(work, f"tone{length}.mp3"))
    for number in range(40):
        length = (20, 30, 40)[number % 3]
        run("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", os.path.join(work, f"tone{length}.mp3"),
            "-c", "copy", "-metadata", f"title=Soak Tone {number:02d}", "-metadata", "artist=Soak Orchestra",
            os.path.join(tones, f"tone{number:02d}.mp3"))
    upload = os.path.join(work, "upload.mp3")
    run("ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        "sine=frequency=660:sample_rate=44100:duration=3", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "64k",
        "-metadata", "title=Guest Upload", upload)
    with open(upload, "rb") as f:
        return library, f.read()


def children(pid):
    """The supervisor's children by role ('engine', 'web') → pid."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            if int(stat[stat.rindex(")") + 2:].split()[1]) != pid:
                continue
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                argv = f.read().split(b"\0")
        except (OSError, ValueError):
            continue
        for arg in argv[1:3]:
            if arg in (b"engine", b"web"):
                found[arg.decode()] = int(entry)
    return found


def rss_mib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


# --------------------------------------------------------------------------------------------------
# The run.


class Soak:
    def __init__(self, work):
        self.work = work
        self.rng = random.Random(SEED)
        self.port = None
        self.box = None
        self.start = None
        self.stopping = False
        self.phase = "start"
        self.songs = []
        self.upload_bytes = b""
        # State followed on /api/live by the observer: entry id → song id, the queue, the current entry.
        self.queue = []
        self.current = None
        self.entry_song = {}
        # What the box acknowledged, and what it did not answer (a timeout or a dropped connection).
        self.acked_votes = []          # (time, voter, entry, value, kicked)
        self.unanswered_votes = []     # (time, voter, entry, value)
        self.acked_requests = []       # (time, voter, song, entry or None)
        self.unanswered_requests = []
        self.acked_uploads = []        # (time, voter, song, size, name)
        self.kicked_entries = set()
        self.outcomes = collections.Counter()   # (kind, phase, status) → count
        self.faults = []               # dicts: kind, start, end, details
        self.recoveries = []           # dicts: kind, seconds, engine_back
        self.rss = []                  # (time, web pid, MiB)
        self.glitches = []             # (time, engine pid, xruns, underruns)
        self.pids = []                 # (time, role, pid) as they change
        self.live_counts = []
        self.status_cookie = None
        self.failures = []

    def now(self):
        return time.monotonic() - self.start

    # -- start and stop -------------------------------------------------------------------------------

    def start_box(self, library, sound, data):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.box_log = open(os.path.join(self.work, "ravebox.log"), "w")
        env = dict(os.environ, **sound.env)
        env.pop("RAVEBOX_CONFIG", None)
        self.box = subprocess.Popen(
            [BIN, "run", "--mode", "desktop", "--data", data, "--host", "127.0.0.1", "--port", str(self.port),
             "--library", library, "--audio-device", sound.device, "--admin-password", ADMIN_PASSWORD],
            cwd=self.work, env=env, stdin=subprocess.DEVNULL, stdout=self.box_log, stderr=subprocess.STDOUT)

    async def wait_answer(self, deadline, address="127.77.255.2"):
        """Seconds until GET /api/state answers 200 on a new connection, polling every 50 ms; None past deadline."""
        began = time.monotonic()
        while time.monotonic() - began < deadline:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", self.port, local_addr=(address, 0)), 0.5)
                try:
                    writer.write(f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
                                 "Connection: close\r\n\r\n".encode())
                    await writer.drain()
                    line = await asyncio.wait_for(reader.readline(), 0.5)
                finally:
                    writer.close()
                if line.startswith(b"HTTP/1.1 200"):
                    return time.monotonic() - began
            except (OSError, asyncio.TimeoutError, ConnectionError):
                pass
            await asyncio.sleep(0.05)
        return None

    async def admin(self, method, path, body=None, timeout=REQUEST_TIMEOUT):
        guest = self.admin_guest
        data = json.dumps(body).encode() if body is not None else b""
        kind = "application/json" if data else None
        status, payload = await guest.request(self, method, path, data, kind, timeout)
        if status in (401, 403):  # an admin session the box no longer knows: log in again once
            await self.login()
            status, payload = await guest.request(self, method, path, data, kind, timeout)
        if status >= 300:
            raise RuntimeError(f"{method} {path}: {status} {payload[:200]!r}")
        return json.loads(payload or b"null")

    async def login(self):
        status, payload = await self.admin_guest.request(
            self, "POST", "/api/session/login",
            json.dumps({"role": "admin", "password": ADMIN_PASSWORD}).encode(), "application/json")
        if status != 200:
            raise RuntimeError(f"admin login: {status} {payload[:200]!r}")

    async def prepare_party(self):
        self.admin_guest = Guest(-1, "127.77.255.3")
        await self.login()
        await self.admin("PATCH", "/api/settings", {
            "uploads": "everybody", "uploadsPerGuest": 100, "uploadQuota": 100, "uploadMaxSize": 5})
        await self.admin("PUT", "/api/playback/modes", {"autoplay": True})
        found = await self.admin("GET", "/api/search?q=&limit=100")
        self.songs = [song["id"] for song in found]
        if len(self.songs) < 20:
            raise RuntimeError(f"the library has only {len(self.songs)} songs")

    # -- the observer and the guests -----------------------------------------------------------------------

    def on_state(self, payload):
        message = json.loads(payload)
        state = message.get("state") or message.get("changes") or {}
        if "queue" in state:
            self.queue = [entry["id"] for entry in state["queue"]]
            for entry in state["queue"]:
                self.entry_song[entry["id"]] = entry["songId"]
        if "currentSong" in state:
            current = state["currentSong"]
            self.current = current["entryId"] if current else None
            if current:
                self.entry_song[current["entryId"]] = current["songId"]

    async def observer(self):
        while not self.stopping:
            try:
                reader, writer = await websocket("127.77.255.1", self.port)
                try:
                    await read_frames(reader, writer, self.on_state)
                finally:
                    writer.close()
            except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                pass
            await asyncio.sleep(0.2)

    async def live(self, guest):
        """Holds the guest's WebSocket, reconnecting after a drop (a killed web process) within 0.5–2 s."""
        while not self.stopping:
            try:
                reader, writer = await websocket(guest.address, self.port)
                guest.live_connected = True
                try:
                    await read_frames(reader, writer)
                finally:
                    guest.live_connected = False
                    writer.close()
            except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError):
                guest.live_connected = False
            await asyncio.sleep(self.rng.uniform(0.5, 2.0))

    async def act(self, guest):
        while not self.stopping:
            await asyncio.sleep(self.rng.expovariate(1 / ACTION_INTERVAL))
            if self.stopping:
                return
            roll = self.rng.random()
            kind = "upload" if roll < 0.02 and guest.uploads < 10 else "request" if roll < 0.25 else "vote"
            try:
                await {"upload": self.upload, "request": self.request_song, "vote": self.vote}[kind](guest)
            except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError) as error:
                guest.close()
                self.count(kind, type(error).__name__)

    def count(self, kind, status):
        self.outcomes[(kind, self.phase, status)] += 1

    async def vote(self, guest):
        choices = list(self.queue) + ([self.current] if self.current else [])
        if not choices:
            return
        entry = self.rng.choice(choices)
        value = self.rng.choices((1, -1, 0), (0.65, 0.2, 0.15))[0]
        sent = self.now()
        try:
            status, payload = await guest.request(
                self, "PUT", f"/api/queue/{entry}/vote", json.dumps({"vote": value}).encode(), "application/json")
        except ConnectionRefusedError:
            raise  # never sent
        except BaseException:
            self.unanswered_votes.append((sent, guest.voter, entry, value))
            raise
        self.count("vote", status)
        if 200 <= status < 300:
            answer = json.loads(payload)
            self.acked_votes.append((sent, guest.voter, entry, value, answer.get("kicked", False)))
            if answer.get("kicked"):
                self.kicked_entries.add(entry)

    async def request_song(self, guest):
        song = self.rng.choice(self.songs)
        sent = self.now()
        try:
            status, payload = await guest.request(
                self, "POST", "/api/queue", json.dumps({"songId": song}).encode(), "application/json")
        except ConnectionRefusedError:
            raise  # never sent
        except BaseException:
            self.unanswered_requests.append((sent, guest.voter, song))
            raise
        self.count("request", status)
        if 200 <= status < 300:
            entry = (json.loads(payload).get("entry") or {}).get("id")
            if entry:
                self.entry_song[entry] = song
            self.acked_requests.append((sent, guest.voter, song, entry))

    async def upload(self, guest):
        name = f"guest{guest.index:03d}-{guest.uploads:02d}.mp3"
        sent = self.now()
        status, payload = await guest.request(
            self, "POST", f"/api/uploads?name={name}", self.upload_bytes, "audio/mpeg")
        self.count("upload", status)
        if 200 <= status < 300:
            guest.uploads += 1
            entry = json.loads(payload).get("entry") or {}
            self.acked_uploads.append((sent, guest.voter, entry.get("songId"), len(self.upload_bytes), name))
            if entry.get("id"):
                self.entry_song[entry["id"]] = entry.get("songId")
                # An upload is requested for its guest: its request is acknowledged with it.
                self.acked_requests.append((sent, guest.voter, entry.get("songId"), entry["id"]))

    # -- sampling ---------------------------------------------------------------------------------------

    async def sampler(self):
        """Every second: the children's pids, the web process's RSS, the engine's glitch counters."""
        known = {}
        while not self.stopping:
            t = self.now()
            found = children(self.box.pid)
            for role, pid in found.items():
                if known.get(role) != pid:
                    known[role] = pid
                    self.pids.append((t, role, pid))
            if "web" in found:
                value = rss_mib(found["web"])
                if value is not None:
                    self.rss.append((t, found["web"], value))
            try:
                status = await self.admin("GET", "/api/status", timeout=2.0)
                if status.get("telemetryAgeSeconds") is not None and status["telemetryAgeSeconds"] < 2:
                    self.glitches.append((t, found.get("engine"), status["xruns"], status["underruns"]))
            except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError, RuntimeError,
                    ValueError):
                self.admin_guest.close()
            self.live_counts.append((t, sum(1 for g in self.guests if g.live_connected)))
            if self.box.poll() is not None:
                self.failures.append(f"the supervisor exited with {self.box.returncode} during the run")
                self.stopping = True
            await asyncio.sleep(max(0.0, 1.0 - (self.now() - t)))

    # -- faults -----------------------------------------------------------------------------------------

    def schedule(self, total):
        """Fault times (seconds after the guests start): kills alternate engine and web at random gaps of
        1–2 minutes (in a run under 10 minutes: one of each); one full disk and one slow disk, apart from the
        kills."""
        plan = []
        if total < 600:
            # The web first, so that its next life is long enough to judge its RSS.
            plan += [(0.15 * total, "kill-web"), (0.3 * total, "kill-engine"), (0.4 * total, "full"),
                     (0.4 * total + FULL_SECONDS + 10, "slow")]
            return plan
        plan.append((total / 3, "full"))
        plan.append((2 * total / 3, "slow"))
        windows = [(total / 3 - 20, total / 3 + FULL_SECONDS + RECOVER + 20),
                   (2 * total / 3 - 20, 2 * total / 3 + SLOW_SECONDS + 20)]
        t, kinds, kills = 0.0, ["kill-engine", "kill-web"], 0
        self.rng.shuffle(kinds)
        while True:
            t += self.rng.uniform(60, 120)
            # Kills stay out of the disk windows, so each recovery and each window is measured on its own.
            for start, end in windows:
                if start < t < end:
                    t = end
            if t >= total - 60:
                break
            kind = kinds[kills % 2]
            # The web process's last life is the last third of the run at least: long enough to show a trend
            # in its RSS.
            if kind == "kill-web" and t > 2 * total / 3 and kills >= 2:
                kind = "kill-engine"
            plan.append((t, kind))
            kills += 1
        return sorted(plan)

    async def kill(self, role):
        pid = children(self.box.pid).get(role)
        if pid is None:
            self.failures.append(f"no {role} process to kill at {self.now():.0f} s")
            return
        t = self.now()
        os.kill(pid, signal.SIGKILL)
        self.faults.append({"kind": f"kill -9 {role}", "start": t, "end": t + KILL_WINDOW, "pid": pid})
        answered = await self.wait_answer(10.0)
        engine_back = None
        if role == "engine":
            began = time.monotonic()
            while time.monotonic() - began < 20:
                if any(ts > t and r == "engine" for ts, r, _ in self.pids) and self.glitches and \
                        self.glitches[-1][0] > t and self.glitches[-1][1] != pid:
                    engine_back = self.now() - t
                    break
                await asyncio.sleep(0.1)
        sockets_back = None
        if role == "web":
            while self.now() - t < 30:
                if sum(1 for g in self.guests if g.live_connected) == len(self.guests):
                    sockets_back = self.now() - t
                    break
                await asyncio.sleep(0.1)
        self.recoveries.append(
            {"kind": role, "at": t, "answer": answered, "back": engine_back, "sockets": sockets_back})
        log(f"kill -9 {role} ({pid}) at {t:.0f} s: /api/state answered after "
            f"{'never' if answered is None else f'{answered * 1000:.0f} ms'}"
            + (f", engine publishing again after {engine_back:.1f} s" if engine_back else ""))

    async def full_disk(self, disk):
        t = self.now()
        self.phase = "full"
        taken = disk.fill()
        log(f"data disk full at {t:.0f} s ({taken >> 20} MiB filler)")
        await asyncio.sleep(FULL_SECONDS)
        disk.free()
        end = self.now()
        self.phase = "after-full"
        self.faults.append({"kind": "full disk", "start": t, "end": end, "filler_mib": taken >> 20})
        # The box must take writes again: a fresh request from the probe guest within RECOVER seconds.
        probe = Guest(-2, "127.77.255.4")
        recovered = None
        while self.now() - end < RECOVER:
            try:
                status, _ = await probe.request(
                    self, "POST", "/api/queue", json.dumps({"songId": self.rng.choice(self.songs)}).encode(),
                    "application/json", timeout=5)
                if 200 <= status < 300:
                    recovered = self.now() - end
                    break
            except (OSError, ConnectionError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                probe.close()
            await asyncio.sleep(0.5)
        probe.close()
        self.recoveries.append({"kind": "full disk freed", "at": end, "answer": recovered, "back": None})
        log(f"disk freed at {end:.0f} s; writes acknowledged again after "
            f"{'never' if recovered is None else f'{recovered:.1f} s'}")
        self.phase = "steady"

    async def slow_disk(self, disk):
        t = self.now()
        self.phase = "slow"
        disk.slow(SLOW_IOPS)
        log(f"data disk slowed to {SLOW_IOPS} write operations/s at {t:.0f} s")
        await asyncio.sleep(SLOW_SECONDS)
        disk.unslow()
        self.faults.append({"kind": f"slow disk ({SLOW_IOPS} IOPS)", "start": t, "end": self.now()})
        self.phase = "steady"
        log(f"data disk back to full speed at {self.now():.0f} s")

    async def faults_loop(self, disk, total):
        for at, kind in self.schedule(total):
            while self.now() < at and not self.stopping:
                await asyncio.sleep(min(1.0, at - self.now()))
            if self.stopping:
                return
            if kind == "kill-engine":
                await self.kill("engine")
            elif kind == "kill-web":
                await self.kill("web")
            elif kind == "full":
                await self.full_disk(disk)
            elif kind == "slow":
                await self.slow_disk(disk)

    # -- the whole run ----------------------------------------------------------------------------------

    async def main(self, disk, total):
        answered = await self.wait_answer(120.0, "127.77.255.2")
        if answered is None:
            raise RuntimeError("the box did not answer /api/state within 120 s")
        log(f"box answering on port {self.port} after {answered:.1f} s")
        await self.prepare_party()
        self.guests = [Guest(i, f"127.77.{i // 250}.{i % 250 + 1}") for i in range(GUESTS)]
        self.start = time.monotonic()
        self.phase = "steady"
        tasks = [asyncio.create_task(self.observer()), asyncio.create_task(self.sampler())]
        for guest in self.guests:
            tasks.append(asyncio.create_task(self.live(guest)))
        await asyncio.sleep(2)  # the WebSockets first, as a page opens them before anyone taps
        for guest in self.guests:
            tasks.append(asyncio.create_task(self.act(guest)))
        faults = asyncio.create_task(self.faults_loop(disk, total))
        while self.now() < total and not self.stopping:
            await asyncio.sleep(1)
        self.stopping = True
        try:
            await asyncio.wait_for(faults, 60)
        except asyncio.TimeoutError:
            faults.cancel()
        # Let what is in flight finish (or time out): an answer still counts.
        await asyncio.sleep(1)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        for guest in self.guests:
            guest.close()
        self.admin_guest.close()


def stop_box(soak):
    """SIGTERM to the supervisor, as systemd stops it; returns its exit status and the seconds it took."""
    began = time.monotonic()
    soak.box.send_signal(signal.SIGTERM)
    try:
        status = soak.box.wait(30)
    except subprocess.TimeoutExpired:
        soak.box.kill()
        status = "killed after 30 s"
    for pid in children(soak.box.pid).values():
        os.kill(pid, signal.SIGKILL)
    return status, time.monotonic() - began


# --------------------------------------------------------------------------------------------------
# The goals.


def check_writes(soak, data):
    """Goal 1: every acknowledged write is in the database."""
    db = sqlite3.connect(f"file:{data}/ravebox.sqlite?mode=ro", uri=True)
    problems = []
    requests = collections.Counter((voter, song) for voter, song in db.execute(
        "SELECT voter, songId FROM request_log"))
    wanted = collections.Counter((voter, song) for _, voter, song, _ in soak.acked_requests)
    for key, count in wanted.items():
        if requests[key] < count:
            problems.append(f"request of song {key[1]} by {key[0]}: {count} acknowledged, {requests[key]} logged")

    songs = {row[0]: row[1:] for row in db.execute("SELECT id, path, available FROM song")}
    for _, voter, song, size, name in soak.acked_uploads:
        if song not in songs:
            problems.append(f"upload {name} by {voter}: song {song} is not in the library")
            continue
        path = songs[song][0]
        if not os.path.exists(path) or os.path.getsize(path) != size:
            problems.append(f"upload {name} by {voter}: {path} missing or not {size} bytes")

    queued = {row[0] for row in db.execute("SELECT id FROM queue_entry")}
    current = {row[0] for row in db.execute("SELECT entryId FROM current_song")}
    stored = {(entry, voter): value for entry, voter, value in db.execute("SELECT entryId, voter, value FROM vote")}
    played = collections.Counter(row[0] for row in db.execute("SELECT songId FROM play_log"))
    last = {}
    for t, voter, entry, value, _ in soak.acked_votes:
        if (entry, voter) not in last or last[(entry, voter)][0] <= t:
            last[(entry, voter)] = (t, value)
    # A vote sent after the last acknowledged one and never answered may or may not have been applied.
    pending = collections.defaultdict(set)
    for t, voter, entry, value in soak.unanswered_votes:
        if t >= last.get((entry, voter), (-1,))[0]:
            pending[(entry, voter)].add(value)
    # A request of a queued or playing song counts as its requester's upvote there.
    upvoting = {(voter, song) for _, voter, song, entry in soak.acked_requests if entry is None}
    upvoting |= {(voter, song) for _, voter, song in soak.unanswered_requests}
    maybe_kicked = {entry for _, _, entry, value in soak.unanswered_votes if value < 0}
    verified = ambiguous = gone_played = gone_kicked = 0
    for (entry, voter), (_, value) in last.items():
        if entry in queued or entry in current:
            have = stored.get((entry, voter), 0)
            allowed = {value} | pending.get((entry, voter), set())
            if (voter, soak.entry_song.get(entry)) in upvoting:
                allowed.add(1)
            if have in allowed:
                if len(allowed) == 1:
                    verified += 1
                else:
                    ambiguous += 1
            else:
                problems.append(f"vote {value:+d} by {voter} on entry {entry}: the database has {have:+d}")
        elif played[soak.entry_song.get(entry)] > 0:
            gone_played += 1
        elif entry in soak.kicked_entries or entry in maybe_kicked or any(
                entry == e and v < 0 for _, _, e, v, _ in soak.acked_votes):
            gone_kicked += 1
        else:
            problems.append(f"vote {value:+d} by {voter} on entry {entry}: the entry vanished (never played, "
                            "never kicked)")
    db.close()
    return problems, {"votes_verified": verified, "votes_ambiguous": ambiguous, "votes_on_played": gone_played,
                      "votes_on_kicked": gone_kicked}


def check_rss(soak):
    """Goal 2: per web-process life, the end's median RSS within 5 % of the median just after warm-up."""
    lives = collections.OrderedDict()
    for t, pid, value in soak.rss:
        lives.setdefault(pid, []).append((t, value))
    rows, problems = [], []
    for pid, samples in lives.items():
        born = samples[0][0]
        end = samples[-1][0]
        if end - born < WARMUP + 2 * RSS_WINDOW:
            rows.append((pid, born, end, None, None, samples[-1][1], "too short to judge"))
            continue
        start_values = [v for t, v in samples if born + WARMUP <= t < born + WARMUP + RSS_WINDOW]
        end_values = [v for t, v in samples if t > end - RSS_WINDOW]
        baseline, final = statistics.median(start_values), statistics.median(end_values)
        growth = final / baseline - 1
        verdict = "flat" if abs(growth) <= RSS_TOLERANCE else "NOT FLAT"
        if verdict != "flat":
            problems.append(f"web {pid}: RSS {baseline:.1f} → {final:.1f} MiB ({growth * 100:+.1f} %)")
        rows.append((pid, born, end, baseline, final, max(v for _, v in samples), verdict))
    if not any(row[3] is not None for row in rows):
        problems.append("no web process lived long enough to judge its RSS")
    return problems, rows


def check_glitches(soak):
    """Goal 3: xruns and underruns grow only within the kill windows of an engine kill."""
    windows = [(f["start"], f["end"]) for f in soak.faults if f["kind"] == "kill -9 engine"]
    problems, inside, outside = [], [0, 0], [0, 0]
    previous = None
    for t, pid, xruns, underruns in soak.glitches:
        if previous is None or previous[1] != pid:
            grown = (xruns, underruns)  # a new engine counts from 0
            since = previous[0] if previous else 0.0
        else:
            grown = (xruns - previous[2], underruns - previous[3])
            since = previous[0]
        if grown != (0, 0):
            if any(start <= t and since <= end for start, end in windows):
                inside[0] += grown[0]
                inside[1] += grown[1]
            else:
                outside[0] += grown[0]
                outside[1] += grown[1]
                problems.append(f"{grown[0]} xruns, {grown[1]} underruns between {since:.0f} s and {t:.0f} s "
                                f"(engine {pid}), outside any kill window")
        previous = (t, pid, xruns, underruns)
    if not soak.glitches:
        problems.append("no engine telemetry was read: xruns unknown")
    return problems, inside, outside


def check_recoveries(soak):
    """Goal 4: answers within 1 s of every kill, writes again after the full disk, no unexplained restarts."""
    problems = []
    for r in soak.recoveries:
        if r["kind"] in ("engine", "web"):
            if r["answer"] is None or r["answer"] > ANSWER_DEADLINE:
                answer = "never" if r["answer"] is None else f"after {r['answer']:.2f} s"
                problems.append(f"after kill -9 {r['kind']} at {r['at']:.0f} s /api/state answered {answer}")
            if r["kind"] == "engine" and r["back"] is None:
                problems.append(f"after kill -9 engine at {r['at']:.0f} s the engine did not publish again")
        elif r["answer"] is None:
            problems.append(f"no write acknowledged within {RECOVER:.0f} s after the full disk was freed")
    kills = collections.Counter(f["kind"].split()[-1] for f in soak.faults if f["kind"].startswith("kill"))
    starts = collections.Counter(role for _, role, _ in soak.pids)
    for role in ("engine", "web"):
        restarts = starts[role] - 1
        if restarts > kills[role]:
            problems.append(f"{role} started {restarts} times after the first but was killed {kills[role]} "
                            "times: it crashed")
    return problems, kills, starts


# --------------------------------------------------------------------------------------------------


def report(soak, total, write_result, rss_result, glitch_result, recovery_result, stop):
    problems, write_figures = write_result
    rss_problems, rss_rows = rss_result
    glitch_problems, inside, outside = glitch_result
    recovery_problems, kills, starts = recovery_result
    acked = collections.Counter(kind for (kind, _, status), n in soak.outcomes.items()
                                for _ in range(n) if isinstance(status, int) and 200 <= status < 300)
    steady_votes = sum(n for (kind, phase, status), n in soak.outcomes.items()
                       if kind == "vote" and isinstance(status, int) and 200 <= status < 300)
    print(f"Soak: {total / 60:.1f} min, {GUESTS} guests, seed {SEED}, {BIN}, audio device {soak.audio}")
    print()
    print("Actions by phase (HTTP status or error):")
    phases = sorted({phase for _, phase, _ in soak.outcomes})
    for kind in ("vote", "request", "upload"):
        for phase in phases:
            cells = {status: n for (k, p, status), n in soak.outcomes.items() if k == kind and p == phase}
            if cells:
                text = ", ".join(f"{status}: {n}" for status, n in sorted(cells.items(), key=lambda i: str(i[0])))
                print(f"  {kind:8} {phase:11} {text}")
    print(f"  acknowledged: {acked['vote']} votes ({steady_votes / total:.1f}/s over the run), "
          f"{acked['request']} requests, {acked['upload']} uploads")
    print(f"  not answered (timeout or dropped connection): {len(soak.unanswered_votes)} votes, "
          f"{len(soak.unanswered_requests)} requests")
    live = [n for t, n in soak.live_counts]
    print(f"  live WebSockets held: median {statistics.median(live) if live else 0:.0f}, "
          f"min {min(live) if live else 0} of {GUESTS}")
    print()
    print("Faults and recoveries:")
    for f in soak.faults:
        print(f"  {f['kind']:24} at {f['start']:6.0f} s" + (f" (pid {f['pid']})" if "pid" in f else "")
              + (f" until {f['end']:.0f} s" if "pid" not in f else ""))
    for r in soak.recoveries:
        answer = "never" if r["answer"] is None else f"{r['answer'] * 1000:.0f} ms"
        if r["kind"] in ("engine", "web"):
            back = f", engine publishing again after {r['back']:.2f} s" if r["back"] else ""
            if r["kind"] == "web":
                back = ", every guest's WebSocket back " + (
                    f"after {r['sockets']:.1f} s" if r.get("sockets") is not None else "not within 30 s")
            print(f"  kill -9 {r['kind']:6} at {r['at']:6.0f} s: /api/state 200 after {answer}{back}")
        else:
            answer = "never" if r["answer"] is None else f"{r['answer']:.1f} s"
            print(f"  {r['kind']} at {r['at']:.0f} s: a write acknowledged again after {answer}")
    print(f"  process starts: engine {starts['engine']}, web {starts['web']} (kills: engine {kills['engine']}, "
          f"web {kills['web']})")
    print()
    print("Web RSS per process life (MiB):")
    for pid, born, end, baseline, final, peak, verdict in rss_rows:
        if baseline is None:
            print(f"  web {pid}: {born:.0f}–{end:.0f} s, last {peak:.1f}: {verdict}")
        else:
            print(f"  web {pid}: {born:.0f}–{end:.0f} s, after warm-up {baseline:.1f} → end {final:.1f} "
                  f"({(final / baseline - 1) * 100:+.1f} %), peak {peak:.1f}: {verdict}")
    print()
    print(f"Audio: xruns / underruns inside kill windows {inside[0]} / {inside[1]}, outside {outside[0]} / "
          f"{outside[1]}")
    print(f"Writes: {write_figures['votes_verified']} last votes per guest and entry found as acknowledged, "
          f"{write_figures['votes_ambiguous']} where an unanswered vote or a request of the same song (an upvote) may "
          "have changed it (either value accepted), "
          f"{write_figures['votes_on_played']} on entries since played, {write_figures['votes_on_kicked']} on "
          "entries since kicked")
    print(f"Stop: exit status {stop[0]} after {stop[1]:.1f} s")
    every = problems + rss_problems + glitch_problems + recovery_problems + soak.failures
    if stop[0] != 0:
        every.append(f"the supervisor's exit status after SIGTERM was {stop[0]}")
    print()
    if every:
        print(f"FAILED: {len(every)} problem(s)")
        for problem in every[:50]:
            print(f"  - {problem}")
    else:
        print("All goals met.")
    answers = [r["answer"] for r in soak.recoveries if r["kind"] in ("engine", "web") and r["answer"] is not None]
    judged = [row for row in rss_rows if row[3] is not None]
    figures = {
        "minutes": f"{total / 60:.1f}", "guests": GUESTS, "votes_per_s": f"{steady_votes / total:.1f}",
        "acked_votes": acked["vote"], "acked_requests": acked["request"], "acked_uploads": acked["upload"],
        "lost": len(problems), "kills": sum(kills.values()),
        "max_answer_ms": f"{max(answers) * 1000:.0f}" if answers else "-",
        "rss_growth_pct": ",".join(f"{(row[4] / row[3] - 1) * 100:+.1f}" for row in judged) or "-",
        "xruns_outside": outside[0], "underruns_outside": outside[1], "problems": len(every),
    }
    print(" ".join(f"{key}={value}" for key, value in figures.items()))
    with open(os.path.join(soak.work, "report.json"), "w") as f:
        json.dump({"figures": figures, "faults": soak.faults, "recoveries": soak.recoveries,
                   "problems": every, "rss": soak.rss, "glitches": soak.glitches, "pids": soak.pids,
                   "outcomes": [[*key, n] for key, n in soak.outcomes.items()]}, f, indent=1, default=str)
    return not every


def main():
    if os.geteuid() != 0:
        print("error: the soak needs root for its data disk (loop device, mount) and its slow disk (block-layer "
              "throttling); run it as root (CI does)", file=sys.stderr)
        return 2
    for tool in ("ffmpeg", "mkfs.ext4", "losetup", "mount") + (
            ("pulseaudio",) if os.environ.get("SOAK_AUDIO") == "pulse" else ()):
        if shutil.which(tool) is None:
            print(f"error: {tool} not found (make soak installs what it needs)", file=sys.stderr)
            return 2
    if not os.access(BIN, os.X_OK):
        print(f"error: {BIN} not found; build it with 'swift build' (or set RAVEBOX_BIN)", file=sys.stderr)
        return 2
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, 65536), hard))
    total = MINUTES * 60
    work = os.environ.get("SOAK_WORK") or tempfile.mkdtemp(prefix="ravebox-soak-")
    os.makedirs(work, exist_ok=True)
    log(f"work folder {work}; {MINUTES:g} min, {GUESTS} guests, seed {SEED}")
    disk, sound, soak, ok = DataDisk(work), Sound(work), Soak(work), False
    try:
        library, soak.upload_bytes = make_library(work)
        disk.create()
        sound.start()
        soak.audio = f"{sound.device} ({sound.kind})"
        soak.start_box(library, sound, disk.mount)
        asyncio.run(soak.main(disk, total))
        stop = stop_box(soak)
        log(f"box stopped (status {stop[0]}) after {stop[1]:.1f} s; checking")
        ok = report(soak, total, check_writes(soak, disk.mount), check_rss(soak), check_glitches(soak),
                    check_recoveries(soak), stop)
    finally:
        if soak.box is not None and soak.box.poll() is None:
            soak.box.kill()
            soak.box.wait()
        sound.stop()
        disk.remove()
        if ok and not os.environ.get("SOAK_KEEP"):
            shutil.rmtree(work, ignore_errors=True)
        else:
            log(f"kept {work} (ravebox.log, report.json)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
