#!/usr/bin/env python3
"""Vote-to-screen latency: how long after a change's HTTP 2xx every connected phone has seen it.

Starts `ravebox run --host 127.0.0.1 --audio-device null --admin-password ...` on a fresh data folder
with the demo library (or uses --url), logs in as admin to apply --settings (default: upAndDown, and
oneVotePerDevice off because every client is 127.0.0.1) and to pause the song that plays, connects
CLIENTS WebSocket clients to GET /api/live (each reads the initial state), then makes CHANGES changes
one at a time and, for each, measures from the 2xx of the HTTP request to the moment every client has
received a state message that shows the change. Prints a table and one key=value line; a copy goes to
bench/out/ws-latency/.

Changes (--change):
  vote     (default) PUT /api/queue/{entryId}/vote {"vote": 1}, then {"vote": 0} from the same voter, a
           new voter (rb_session cookie) every two changes, on a queued song (one other song playing,
           paused). Shown when the entry's `votes` in `queue` (or `currentSong` with that `entryId`)
           differs from before; after the 2xx the value is checked against the response's `votes`.
           -1 is not used, so the song can never reach the kick threshold. A 429 is waited out
           (Retry-After) and retried.
  request  POST /api/queue {"songId": N} with a different library song each time (the demo library
           plus generated tones, so no request repeats a queued song). Shown when an entry id that
           no earlier state had appears in `queue` or as `currentSong.entryId`.

Only the Python 3 standard library: a minimal WebSocket client (RFC 6455: handshake with a random
Sec-WebSocket-Key checked against Sec-WebSocket-Accept, unmasked server frames, fragmented messages,
ping -> pong, masked close) and a minimal keep-alive HTTP/1.1 client, both on asyncio streams, so
that messages arriving while a request is outstanding are timestamped when they arrive.

Each client keeps the state as /api/live sends it: {"seq": n, "state": {...}} on connect, then
{"seq": n, "changes": {...}} with the top-level keys that changed (a plain state document, the first
protocol, is also understood).

All clients run in this one process: a message is timestamped when its frame has been read, after the
frames read before it, so the last client's figure includes this process's own scheduling (identical
payloads are parsed once to keep that small). Both sides share the machine's cores.

With --url and --phones (bench/vote-sd.py) the clients connect to a box elsewhere, each from a phone of its own
(bench/phones.py: its own address and MAC on the box's network), so the box sees each as a device.

Environment: RAVEBOX_BIN (default .build/release/ravebox), RAVEBOX_RUN_ARGS (extra `ravebox run`
arguments, split on spaces).
"""

import argparse
import asyncio
import base64
import hashlib
import json
import os
import random
import resource
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figures import percentile  # noqa: E402
import http1  # noqa: E402
import phones  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def log(message):
    print(f"ws-latency: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------------
# Minimal HTTP/1.1 client (keep-alive, Content-Length or chunked bodies).


class Jar:
    """One guest's session cookie: empty until the box issues one (a vote, a request or a login begins a
    session), then whatever its Set-Cookie says, as a browser keeps it."""

    def __init__(self):
        self.value = None

    def header(self):
        return f"rb_session={self.value}" if self.value else None

    def keep(self, set_cookie):
        name, _, rest = (set_cookie or "").partition("=")
        if name.strip() == "rb_session":
            self.value = rest.split(";", 1)[0]


class HTTPClient:
    def __init__(self, host, port, origin, authority, source=None, timeout=10.0):
        self.host, self.port, self.origin, self.authority = host, port, origin, authority
        self.source = source  # the phone (bench/phones.py) it connects from, or None
        self.timeout = timeout  # seconds for a request's answer
        self.reader = self.writer = None

    async def request(self, method, path, body=None, cookie=None):
        return await asyncio.wait_for(self._request(method, path, body, cookie), self.timeout)

    async def _request(self, method, path, body, cookie):
        for attempt in (1, 2):  # a kept-alive connection the server closed is reopened once
            if self.writer is None:
                self.reader, self.writer = await phones.connect(self.host, self.port, self.source)
            data = json.dumps(body).encode() if body is not None else b""
            headers = [
                f"{method} {path} HTTP/1.1",
                f"Host: {self.authority}",
                f"Origin: {self.origin}",
                "Accept: application/json",
                f"Content-Length: {len(data)}",
            ]
            if body is not None:
                headers.append("Content-Type: application/json")
            if cookie and cookie.header():
                headers.append(f"Cookie: {cookie.header()}")
            self.writer.write(("\r\n".join(headers) + "\r\n\r\n").encode() + data)
            try:
                await self.writer.drain()
                status_line = await self.reader.readline()
                if not status_line:
                    raise ConnectionResetError("closed")
            except (ConnectionError, OSError):
                self.close()
                if attempt == 2:
                    raise
                continue
            status, response_headers, payload = await http1.read_response(self.reader, status_line)
            if response_headers.get("connection", "").lower() == "close":
                self.close()
            if cookie:
                cookie.keep(response_headers.get("set-cookie"))
            return status, response_headers, payload
        raise RuntimeError("unreachable")

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


# --------------------------------------------------------------------------------------------------
# Minimal WebSocket client.


class WSClient:
    def __init__(self, index, bench):
        self.index, self.bench = index, bench
        self.reader = self.writer = None
        self.last_payload = None
        self.state = {}
        self.messages = 0
        self.first_message = asyncio.get_running_loop().create_future()
        self.task = None

    async def connect(self, host, port, path, timeout, authority, source=None):
        self.reader, self.writer = await phones.connect(host, port, source, timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        self.writer.write(
            (
                f"GET {path} HTTP/1.1\r\nHost: {authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                f"Origin: http://{authority}\r\n\r\n"
            ).encode()
        )
        await self.writer.drain()
        head = await asyncio.wait_for(self.reader.readuntil(b"\r\n\r\n"), timeout)
        lines = head.decode("latin-1").split("\r\n")
        if len(lines[0].split()) < 2 or lines[0].split()[1] != "101":
            raise RuntimeError(f"handshake refused: {lines[0]!r}")
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        expected = base64.b64encode(hashlib.sha1((key + WS_GUID).encode()).digest()).decode()
        if headers.get("sec-websocket-accept") != expected:
            raise RuntimeError("wrong Sec-WebSocket-Accept")
        self.task = asyncio.create_task(self.read_loop())

    def send_frame(self, opcode, payload=b""):
        mask = os.urandom(4)
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([0x80 | n])
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + n.to_bytes(2, "big")
        else:
            header += bytes([0x80 | 127]) + n.to_bytes(8, "big")
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.writer.write(header + mask + masked)

    async def read_loop(self):
        fragments, message_opcode = [], None
        try:
            while True:
                b0, b1 = await self.reader.readexactly(2)
                fin, opcode = b0 & 0x80, b0 & 0x0F
                if b1 & 0x80:
                    raise RuntimeError("server frame is masked")
                n = b1 & 0x7F
                if n == 126:
                    n = int.from_bytes(await self.reader.readexactly(2), "big")
                elif n == 127:
                    n = int.from_bytes(await self.reader.readexactly(8), "big")
                payload = await self.reader.readexactly(n) if n else b""
                if opcode == 0x8:  # close: answer it and stop
                    try:
                        self.send_frame(0x8, payload[:2])
                    except Exception:
                        pass
                    return
                if opcode == 0x9:
                    self.send_frame(0xA, payload)
                    continue
                if opcode == 0xA:
                    continue
                if opcode in (0x1, 0x2):
                    fragments, message_opcode = [payload], opcode
                elif opcode == 0x0:
                    fragments.append(payload)
                if not fin:
                    continue
                now = time.perf_counter()
                data = b"".join(fragments)
                fragments = []
                if message_opcode == 0x1:
                    self.messages += 1
                    self.last_payload = data
                    if not self.first_message.done():
                        self.first_message.set_result(now)
                    self.bench.on_message(self, data, now)
        except (asyncio.IncompleteReadError, ConnectionError, OSError):
            pass
        except asyncio.CancelledError:
            raise
        finally:
            if not self.first_message.done():
                self.first_message.set_exception(RuntimeError("closed before the first message"))

    async def close(self):
        if self.writer is None:
            return
        try:
            self.send_frame(0x8, (1000).to_bytes(2, "big"))
            await asyncio.wait_for(self.writer.drain(), 2)
            if self.task:
                await asyncio.wait_for(asyncio.shield(self.task), 2)
        except Exception:
            pass
        if self.task and not self.task.done():
            self.task.cancel()
        self.writer.close()


# --------------------------------------------------------------------------------------------------
# State predicates.


def entry_votes(state, entry_id):
    for entry in state.get("queue") or []:
        if entry.get("id") == entry_id:
            return entry.get("votes")
    current = state.get("currentSong") or {}
    if current.get("entryId") == entry_id:
        return current.get("votes")
    return None


def entry_ids(state):
    ids = {entry.get("id") for entry in state.get("queue") or []}
    current = state.get("currentSong") or {}
    if current.get("entryId"):
        ids.add(current["entryId"])
    return ids


class Bench:
    def __init__(self):
        self.clients = []
        self.pending = None  # (predicate, times dict, done event)
        self.parsed = {}  # payload -> parsed document

    def on_message(self, client, payload, now):
        # Every client gets the same payloads: parse each once.
        document = self.parsed.get(payload)
        if document is None:
            if len(self.parsed) > 256:
                self.parsed = {}
            try:
                document = json.loads(payload)
            except ValueError:
                document = {}
            self.parsed[payload] = document
        # {"seq": n, "state": {...}} first, then {"seq": n, "changes": {top-level keys that changed}};
        # a plain state document (the first protocol) replaces the state.
        if isinstance(document.get("state"), dict):
            client.state = dict(document["state"])
        elif isinstance(document.get("changes"), dict):
            client.state.update(document["changes"])
        elif "seq" not in document:
            client.state = document
        pending = self.pending
        if pending is None:
            return
        predicate, times, done = pending
        if client.index in times:
            return
        try:
            shown = bool(predicate(client.state))
        except (TypeError, AttributeError, KeyError):
            shown = False
        if shown:
            times[client.index] = now
            if len(times) == len(self.clients):
                done.set()

    def begin(self, predicate):
        times, done = {}, asyncio.Event()
        self.pending = (predicate, times, done)
        return times, done

    def end(self):
        self.pending = None


# --------------------------------------------------------------------------------------------------
# Starting the box.


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_library(directory, tones):
    demo = os.path.join(directory, "demo")
    subprocess.run([os.path.join(ROOT, "scripts", "make-demo-library.sh"), demo], check=True,
                   stdout=subprocess.DEVNULL)
    folders = [demo]
    if tones:
        folder = os.path.join(directory, "tones")
        os.makedirs(folder, exist_ok=True)
        for i in range(tones):
            subprocess.run(
                ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                 f"sine=frequency={220 + 10 * i}:duration=3", "-ac", "2", "-c:a", "libmp3lame", "-b:a", "64k",
                 "-metadata", f"title=Bench tone {i + 1:03d}", "-metadata", "artist=Ravebox bench",
                 os.path.join(folder, f"tone-{i + 1:03d}.mp3")],
                check=True)
        folders.append(folder)
    return folders


class Box:
    def __init__(self, binary, work, folders, start_timeout, admin_password):
        self.port = free_port()
        self.log_path = os.path.join(work, "ravebox.log")
        args = [binary, "run", "--data", os.path.join(work, "data"), "--host", "127.0.0.1", "--port",
                str(self.port), "--audio-device", "null", "--admin-password", admin_password]
        for folder in folders:
            args += ["--library", folder]
        args += shlex.split(os.environ.get("RAVEBOX_RUN_ARGS", ""))
        self.log = open(self.log_path, "w")
        # Run from the temporary folder so no ./ravebox.yaml of the developer is picked up.
        self.process = subprocess.Popen(args, cwd=work, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        self.children = []
        self.start_timeout = start_timeout

    def children_now(self):
        found = []
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat[stat.rindex(")") + 2:].split()[1] == str(self.process.pid):
                found.append(int(entry))
        return found

    def stop(self):
        if self.process.poll() is None:
            self.children = self.children_now()
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                log(f"warning: ravebox {self.process.pid} still running 10 s after SIGTERM; killing it")
                self.process.kill()
                self.process.wait(5)
        for child in self.children:
            try:
                os.kill(child, 0)
            except OSError:
                continue
            log(f"warning: ravebox child {child} outlived the supervisor; killing it")
            try:
                os.kill(child, signal.SIGKILL)
            except OSError:
                pass
        self.log.close()


# --------------------------------------------------------------------------------------------------


async def main_async(args, base_url):
    parts = urlsplit(base_url)
    host, port = parts.hostname, parts.port or 80
    authority = args.host_header or f"{host}:{port}"
    origin = f"http://{authority}"
    crowd = phones.read_phones(args.phones) if args.phones else []
    http = HTTPClient(host, port, origin, authority, crowd[0] if crowd else None, args.request_timeout)
    requester = Jar()

    async def call(method, path, body=None, cookie=requester, expect=(200, 201, 202)):
        status, headers, payload = await http.request(method, path, body, cookie)
        if status not in expect:
            raise RuntimeError(f"{method} {path} answered {status}: {payload[:300].decode(errors='replace')}")
        return json.loads(payload) if payload else None

    async def state():
        return await call("GET", "/api/state")

    async def wait_for(predicate, what, seconds=30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if predicate(await state()):
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"timed out waiting for {what}")

    # Admin: settings for the run, and the pause (guests may not pause while they vote).
    admin = Jar()
    if args.admin_password:
        await call("POST", "/api/session/login", {"role": "admin", "password": args.admin_password}, admin)
        if args.settings:
            await call("PATCH", "/api/settings", json.loads(args.settings), admin)
            log(f"settings {args.settings}")

    # Library (the scan runs in the background; a search returns at most 100 songs, so the generated
    # tones "Bench tone NNN" are also searched for by name).
    wanted = 2 if args.change == "vote" else args.changes + 1
    deadline = time.monotonic() + 60
    while True:
        songs = {song["id"]: song for song in await call("GET", "/api/search?limit=100")}
        if args.change == "request":
            songs.update((song["id"], song) for song in await call("GET", "/api/search?q=tone&limit=100"))
        songs = list(songs.values())
        if len(songs) >= wanted or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.2)
    if len(songs) < 2:
        raise RuntimeError(f"the library has {len(songs)} songs; need at least 2")
    if len(songs) < wanted:
        log(f"warning: {len(songs)} library songs for {args.changes} requests: some songs are requested twice")
    song_ids = [song["id"] for song in songs]

    # One song playing, then paused, so that the queue only moves because of the changes.
    current = (await state()).get("currentSong")
    if not current:
        await call("POST", "/api/queue", {"songId": song_ids[0]})
        await wait_for(lambda s: s.get("currentSong"), "the first request to start playing")
    await call("POST", "/api/playback/pause", cookie=admin, expect=(200, 202, 401, 403))
    try:
        await wait_for(lambda s: s.get("playback") == "paused", "playback to pause", 10)
    except RuntimeError:
        log("warning: playback did not pause; continuing")

    target = None
    if args.change == "vote":
        # A song nobody queued: with --url the box may be busy with other votes (bench/vote-sd.py runs
        # bench/vote.sh beside this), and they must not move this target.
        now = await state()
        taken = {entry.get("songId") for entry in now.get("queue") or []}
        taken.add((now.get("currentSong") or {}).get("songId"))
        free = [song for song in song_ids if song not in taken]
        if not free:
            raise RuntimeError("every library song is queued or playing: no song left to vote on")
        answer = await call("POST", "/api/queue", {"songId": free[0]})
        target = (answer.get("entry") or answer)["id"]
        status, _, payload = await http.request("PUT", f"/api/queue/{target}/vote", {"vote": 0},
                                                Jar())
        if status in (404, 405):
            raise RuntimeError(f"PUT /api/queue/{target}/vote answered {status} "
                               f"({payload[:200].decode(errors='replace')}): this ravebox has no vote route; "
                               "use --change request")
        if status != 200:
            raise RuntimeError(f"PUT /api/queue/{target}/vote answered {status}: "
                               f"{payload[:300].decode(errors='replace')}")

    # Clients.
    bench = Bench()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < args.clients + 100:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, args.clients + 1000), hard))
    bench.clients = [WSClient(i, bench) for i in range(args.clients)]
    limit = asyncio.Semaphore(50)

    async def connect(client):
        async with limit:
            await client.connect(host, port, "/api/live", 10, authority,
                                 crowd[1 + client.index] if crowd else None)

    started = time.perf_counter()
    results = await asyncio.gather(*(connect(c) for c in bench.clients), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    if failures:
        raise RuntimeError(f"{len(failures)} of {args.clients} WebSocket connections failed: {failures[0]!r}")
    try:
        await asyncio.wait_for(asyncio.gather(*(c.first_message for c in bench.clients)), 20)
    except asyncio.TimeoutError:
        missing = sum(1 for c in bench.clients if not c.first_message.done())
        raise RuntimeError(f"{missing} clients got no initial state within 20 s")
    connected = time.perf_counter() - started
    log(f"{args.clients} clients connected, each with the initial state, in {connected:.2f} s")
    if args.wait_for_go:
        log("ready; the changes begin at a line on stdin")
        await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)

    # Changes.
    rows, waits_429, skipped, mismatched = [], 0, 0, 0
    run_deadline = time.monotonic() + args.max_seconds
    voter = None
    known_ids = entry_ids(await state())
    for k in range(args.changes):
        if time.monotonic() > run_deadline:
            log(f"warning: time budget of {args.max_seconds} s used up after {k} changes")
            break
        before = await state()
        if args.change == "vote":
            if voter is None or (k % 2 == 0 and not args.one_voter):
                voter = Jar()
            value = 1 if k % 2 == 0 else 0
            previous = entry_votes(before, target)
            if previous is None:
                raise RuntimeError(f"entry {target} left the queue")
            method, path, body = "PUT", f"/api/queue/{target}/vote", {"vote": value}
            predicate = (lambda prev: lambda s: (v := entry_votes(s, target)) is not None and v != prev)(previous)
        else:
            known_ids |= entry_ids(before)
            song = song_ids[(k + 1) % len(song_ids)]
            method, path, body = "POST", "/api/queue", {"songId": song}
            snapshot = set(known_ids)
            predicate = lambda s, snapshot=snapshot: bool(entry_ids(s) - snapshot)
            voter = Jar()

        for attempt in range(4):
            times, done = bench.begin(predicate)
            sent = time.perf_counter()
            status, headers, payload = await http.request(method, path, body, voter)
            answered = time.perf_counter()
            if status == 429 and attempt < 3:
                bench.end()
                waits_429 += 1
                retry = min(float(headers.get("retry-after", "3") or 3), 35.0)
                log(f"change {k + 1}: 429, waiting {retry:.0f} s")
                await asyncio.sleep(retry)
                continue
            break
        if not 200 <= status < 300:
            bench.end()
            raise RuntimeError(f"{method} {path} answered {status}: {payload[:300].decode(errors='replace')}")
        response = json.loads(payload) if payload else {}
        if args.change == "vote" and response.get("votes") == previous:
            bench.end()  # the vote changed nothing (e.g. one vote per device): nothing to show
            skipped += 1
            await asyncio.sleep(args.gap)
            continue
        # Clients that already hold a matching state (message before the 2xx) were recorded on arrival.
        try:
            await asyncio.wait_for(done.wait(), args.change_timeout)
        except asyncio.TimeoutError:
            pass
        bench.end()
        if args.change == "vote" and "votes" in response:
            check = entry_votes(await state(), target)
            if check != response["votes"]:
                mismatched += 1
        if args.change == "request":
            known_ids.add((response.get("entry") or response).get("id"))
        delays = [max(0.0, t - answered) for t in times.values()]
        rows.append({
            "send_all_ms": (max(times.values()) - sent) * 1000 if len(times) == len(bench.clients) else None,
            "http_ms": (answered - sent) * 1000,
            "all_ms": max(delays) * 1000 if len(times) == len(bench.clients) else None,
            "first_ms": min(delays) * 1000 if delays else None,
            "median_client_ms": statistics.median(delays) * 1000 if delays else None,
            "before_2xx": sum(1 for t in times.values() if t < answered),
            "received": len(times),
            "per_client_ms": [d * 1000 for d in delays],
        })
        await asyncio.sleep(args.gap)

    await asyncio.gather(*(c.close() for c in bench.clients))
    http.close()
    return rows, connected, waits_429, skipped, mismatched


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=300)
    parser.add_argument("--changes", type=int, default=50)
    parser.add_argument("--change", choices=("vote", "request"), default="vote")
    parser.add_argument("--url", help="use a running box (http://127.0.0.1:PORT) instead of starting one")
    parser.add_argument("--phones", help="with --url: connect from these phones (a file of bench/phones.py, one "
                        "phone a line), each a device of its own to the box: the first makes the HTTP requests "
                        "(admin, probe votes), each WebSocket client the next; the URL may then be any address")
    parser.add_argument("--one-voter", action="store_true",
                        help="one voter makes every vote change (a session, where a new voter every two changes "
                        "would begin 25; needs a vote rate limit that allows it)")
    parser.add_argument("--host-header", help="the Host header to send (default: the URL's host and port); a "
                        "booted image answers only to its own names, such as localhost")
    parser.add_argument("--gap", type=float, default=0.05, help="seconds between changes (0.05)")
    parser.add_argument("--change-timeout", type=float, default=5.0,
                        help="seconds to wait for every client to show a change (5)")
    parser.add_argument("--max-seconds", type=float, default=600, help="time budget for the changes (600)")
    parser.add_argument("--start-timeout", type=float, default=60)
    parser.add_argument("--wait-for-go", action="store_true",
                        help="once the clients are connected, say 'ready' and begin the changes at a line on stdin "
                        "(bench/vote-sd.py: the changes then run while its other phones vote)")
    parser.add_argument("--request-timeout", type=float, default=10,
                        help="seconds for an HTTP answer (10; a box busy with other votes may need more)")
    parser.add_argument("--admin-password", help="with --url: log in as admin for --settings and the pause "
                        "(a started box gets its own)")
    parser.add_argument("--settings", default='{"interactivity": "upAndDown", "oneVotePerDevice": false}',
                        help="JSON for PATCH /api/settings as admin before the run ('' for none); "
                        "oneVotePerDevice is off because every client is 127.0.0.1")
    args = parser.parse_args()
    if not 1 <= args.clients <= 5000 or not 1 <= args.changes <= 1000:
        parser.error("--clients must be 1...5000 and --changes 1...1000")
    if args.phones and (not args.url or len(phones.read_phones(args.phones)) < args.clients + 1):
        parser.error(f"--phones needs --url and at least {args.clients + 1} phones (one for the HTTP requests)")

    out = os.path.join(ROOT, "bench", "out", "ws-latency")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="ravebox-ws-")
    box = None
    try:
        if args.url:
            base_url = args.url.rstrip("/")
            if urlsplit(base_url).hostname not in ("127.0.0.1", "localhost", "::1") and not args.phones:
                parser.error("--url must be a loopback address (or come with --phones)")
        else:
            binary = os.environ.get("RAVEBOX_BIN") or os.path.join(ROOT, ".build", "release", "ravebox")
            binary = os.path.abspath(binary)
            if not os.access(binary, os.X_OK):
                sys.exit(f"error: {binary} not found; build it with 'swift build -c release' (or set RAVEBOX_BIN)")
            if not shutil.which("ffmpeg"):
                sys.exit("error: ffmpeg not found (apt-get install ffmpeg)")
            tones = args.changes + 1 if args.change == "request" else 0
            folders = make_library(work, tones)
            args.admin_password = "ravebox-bench"
            box = Box(binary, work, folders, args.start_timeout, args.admin_password)
            base_url = f"http://127.0.0.1:{box.port}"
            deadline = time.monotonic() + args.start_timeout
            while True:
                try:
                    with socket.create_connection(("127.0.0.1", box.port), 1) as s:
                        s.sendall(b"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                        if s.recv(12).startswith(b"HTTP/1.1 200"):
                            break
                except OSError:
                    pass
                if box.process.poll() is not None or time.monotonic() > deadline:
                    sys.exit(f"error: ravebox did not answer /api/state; its log: {box.log_path}")
                time.sleep(0.2)
        rows, connected, waits_429, skipped, mismatched = asyncio.run(main_async(args, base_url))
    except RuntimeError as error:
        print(f"error: {error}", file=sys.stderr)
        if box:
            shutil.copy(box.log_path, os.path.join(out, "ravebox.log"))
        sys.exit(1)
    finally:
        if box:
            box.stop()
            shutil.copy(box.log_path, os.path.join(out, "ravebox.log"))
        shutil.rmtree(work, ignore_errors=True)

    complete = [r["all_ms"] for r in rows if r["all_ms"] is not None]
    incomplete = len(rows) - len(complete)
    every_client = [d for r in rows for d in r["per_client_ms"]]
    http_ms = [r["http_ms"] for r in rows]
    first = [r["first_ms"] for r in rows if r["first_ms"] is not None]
    before = sum(r["before_2xx"] for r in rows)
    lines = [
        f"{args.clients} WebSocket clients on /api/live, {len(rows)} changes ({args.change}), "
        f"{'each from a phone of its own' if args.phones else 'loopback'}",
        "",
        "| measure | p50 (ms) | p99 (ms) | max (ms) |",
        "| --- | --- | --- | --- |",
    ]
    def row(name, values):
        if values:
            lines.append(f"| {name} | {percentile(values, 50):.2f} | {percentile(values, 99):.2f} | {max(values):.2f} |")
        else:
            lines.append(f"| {name} | - | - | - |")
    row("2xx to every client has the change", complete)
    row("2xx to the first client has it", first)
    row("2xx to each client (all deliveries)", every_client)
    send_all = [r["send_all_ms"] for r in rows if r["send_all_ms"] is not None]
    row("request sent to every client has it", send_all)
    row("HTTP request to its 2xx", http_ms)
    lines.append("")
    lines.append(f"connect + initial state for all clients: {connected:.2f} s; deliveries before the 2xx: {before} "
                 f"(counted as 0); changes not seen by every client within {args.change_timeout:g} s: {incomplete}; "
                 f"429 waits: {waits_429}; votes that changed nothing: {skipped}; final state differing from the "
                 f"response: {mismatched}")
    figures = {
        "clients": args.clients, "changes": len(rows), "change": args.change,
        "all_clients_p50_ms": f"{percentile(complete, 50):.2f}", "all_clients_p99_ms": f"{percentile(complete, 99):.2f}",
        "per_client_p50_ms": f"{percentile(every_client, 50):.2f}",
        "per_client_p99_ms": f"{percentile(every_client, 99):.2f}",
        "send_all_p50_ms": f"{percentile(send_all, 50):.2f}", "send_all_p99_ms": f"{percentile(send_all, 99):.2f}",
        "http_p50_ms": f"{percentile(http_ms, 50):.2f}", "incomplete": incomplete, "waits_429": waits_429,
    }
    lines.append(" ".join(f"{k}={v}" for k, v in figures.items()))
    text = "\n".join(lines)
    print(text)
    with open(os.path.join(out, f"result-{args.change}.txt"), "w") as f:
        f.write(text + "\n")
    if incomplete or not rows:
        sys.exit(1)


if __name__ == "__main__":
    main()
