#!/usr/bin/env python3
"""Idle connections: how a stranger's 1,000 idle connections from one address change /api/state for a phone.

For each binary (RAVEBOX_BIN, and BASELINE_BIN when set: run them side by side, for example the commit
before a change) and each file-descriptor limit the box starts with (the one this shell has, and a soft
limit of 1024, which is what systemd gives a service whose unit sets no LimitNOFILE), it starts the box
the browser tests start (Tests/Browser/harness.py: `ravebox run` on loopback, demo library, `--audio-device
null`), then:

  1. GET /api/state from 127.0.0.3, REQUESTS times, each on a new connection as a phone's first request
     is (connect, request, read the whole answer); the latency of each, a failure after 2 s;
  2. opens IDLE connections from 127.0.0.2 that send nothing, waits (at most 5 s) until the web process
     has a descriptor for each, and counts how many are still open and the web process's descriptors;
  3. step 1 again while they are held;
  4. waits until HOLD seconds after they were opened and counts how many the server has closed since.

Prints a table and one key=value line (p99 with the idle connections held, new binary, this shell's limit);
a copy goes to bench/out/idle-connections/. Loopback is held only to the box's total (2048), not to the
per-address limit (32), so the new binary keeps all 1,000 here: the figure is the server's answer time
with them open. The unit tests check the per-address limit (Tests/RaveboxWebTests/ConnectionLimitsTests).

Run with the browser tests' Python (it has `requests`): .build-browser/venv/bin/python bench/idle-connections.py
Environment: RAVEBOX_BIN (default .build/release/ravebox), BASELINE_BIN (optional), IDLE (1000), REQUESTS (200),
HOLD (12).
"""

import os
import resource
import socket
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Browser"))
import harness  # noqa: E402  (the browser tests' box)

IDLE = int(os.environ.get("IDLE", "1000"))
REQUESTS = int(os.environ.get("REQUESTS", "200"))
HOLD = float(os.environ.get("HOLD", "12"))


def log(message):
    print(f"idle-connections: {message}", file=sys.stderr, flush=True)


def percentile(values, p):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def state_latencies(port):
    """Milliseconds per GET /api/state from 127.0.0.3 on a new connection; and how many failed."""
    times, failures = [], 0
    request = f"GET /api/state HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
    for _ in range(REQUESTS):
        start = time.perf_counter()
        try:
            with socket.socket() as s:
                s.settimeout(2)
                s.bind(("127.0.0.3", 0))
                s.connect(("127.0.0.1", port))
                s.sendall(request)
                answer = b""
                while chunk := s.recv(65536):
                    answer += chunk
            if not answer.startswith(b"HTTP/1.1 200"):
                raise OSError(answer[:40])
            times.append((time.perf_counter() - start) * 1000)
        except OSError:
            failures += 1
    return times, failures


def open_idle(port):
    """IDLE connections from 127.0.0.2, one after the other, each connected before the next (at most 2 s)."""
    connections = []
    for _ in range(IDLE):
        s = socket.socket()
        s.bind(("127.0.0.2", 0))
        s.settimeout(2)
        try:
            s.connect(("127.0.0.1", port))
        except OSError:
            pass
        s.setblocking(False)
        connections.append(s)
    return connections


def wait_for_descriptors(pid, count, seconds=5):
    """Waits until the web process has `count` open descriptors or `seconds` pass; returns how many it has."""
    deadline = time.monotonic() + seconds
    while (descriptors(pid) or 0) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return descriptors(pid)


def closed_by_server(s):
    """Whether the server has closed `s` (what it sent before, such as a 408, is read and dropped)."""
    try:
        while s.recv(65536):
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def descriptors(pid):
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except (OSError, TypeError):
        return None


def run(name, binary, soft_limit):
    """One box started with `soft_limit` open files: the phone's latencies before and with the idle
    connections, and what became of them."""
    limits = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft_limit, limits[1]))
    try:
        box = harness.Box(binary=binary, settings={})
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, limits)
    try:
        web = box.web_child()
        before, failed_before = state_latencies(box.port)
        fds_before = descriptors(web) or 0
        idle = open_idle(box.port)
        opened = time.monotonic()
        # Until the server has accepted them all, or cannot (out of descriptors), or has closed the extra ones.
        fds = wait_for_descriptors(web, fds_before + IDLE)
        held = sum(not closed_by_server(s) for s in idle)
        during, failed_during = state_latencies(box.port)
        time.sleep(max(0.0, opened + HOLD - time.monotonic()))
        closed_later = sum(closed_by_server(s) for s in idle)
        for s in idle:
            s.close()
        return {
            "binary": name, "limit": soft_limit, "held": held, "fds": fds,
            "before": before, "failed_before": failed_before, "during": during, "failed_during": failed_during,
            "closed_later": closed_later,
        }
    finally:
        box.stop()


def main():
    binaries = [("new", os.environ.get("RAVEBOX_BIN") or os.path.join(ROOT, ".build", "release", "ravebox"))]
    if os.environ.get("BASELINE_BIN"):
        binaries.append(("baseline", os.environ["BASELINE_BIN"]))
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < IDLE + 200:
        sys.exit(f"error: the hard limit on open files ({hard}) is too low for {IDLE} connections")
    # This process holds the idle connections; each box starts with the limit being measured.
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rows = []
    for soft_limit in dict.fromkeys((soft, 1024)):
        for name, binary in binaries:
            log(f"{name} ({binary}), soft limit on open files {soft_limit}")
            rows.append(run(name, os.path.abspath(binary), soft_limit))

    def ms(values, p):
        return f"{percentile(values, p):7.1f}" if values else "      -"

    lines = [
        f"{IDLE} idle connections from 127.0.0.2; GET /api/state x{REQUESTS} from 127.0.0.3, a new connection each;"
        " latency in ms (p50 / p99 / max)",
        f"{'binary':9} {'fd limit':>8} | {'without idle':^23} {'fail':>4} | {'held':>5} {'web fds':>7} |"
        f" {'with idle held':^23} {'fail':>4} | closed after {HOLD:.0f} s",
    ]
    for row in rows:
        lines.append(
            f"{row['binary']:9} {row['limit']:>8} | {ms(row['before'], 50)} {ms(row['before'], 99)}"
            f" {ms(row['before'], 100)} {row['failed_before']:>4} | {row['held']:>5} {row['fds'] or '-':>7} |"
            f" {ms(row['during'], 50)} {ms(row['during'], 99)} {ms(row['during'], 100)} {row['failed_during']:>4} |"
            f" {row['closed_later']:>5}")
    new = rows[0]
    key = (f"idle_connections_state_p99_ms={percentile(new['during'], 99):.1f} "
           f"state_p50_ms={statistics.median(new['during']) if new['during'] else float('nan'):.1f} "
           f"held={new['held']} failures={new['failed_during']}")
    lines.append(key)
    out = os.path.join(ROOT, "bench", "out", "idle-connections")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "result.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
