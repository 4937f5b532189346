#!/usr/bin/env python3
"""Votes from a crowd of phones: each phone (bench/phones.py: an address and a MAC of its own) holds one
keep-alive connection to a running box and votes on queued songs in a loop, as fast as the box answers.

Each phone first begins its own session the way a phone's first tap does (a vote of 0, which changes no count;
the box answers with the session's cookie, which the phone then sends). Then, for DURATION seconds, phone i's
k-th vote goes to entry k mod E with value 1, 0, -1, 0, ... starting at phase i, so about a quarter of the
phones stand at +1 and a quarter at -1 on each song: the net votes stay near 0, far from the kick threshold.
Measured per vote: from the request written to its answer read; a vote counts when its answer is a 2xx.

The phones are split over PROCESSES worker processes (asyncio each), which all start voting at the same
moment; each reports its own CPU time, so the table says what the load cost this side.

Prints a table and one key=value line (votes_per_s p50_ms p99_ms max_ms non2xx errors sessions
generator_cores). Usage (from the phones' network namespace, as bench/vote-sd.py runs it):
    bench/vote-crowd.py --url http://10.66.0.2 --phones FILE --entries 3,4,5 [--duration 60] [--processes 2]
"""

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import resource
import sys
import time
from urllib.parse import urlsplit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figures import percentile  # noqa: E402
import http1  # noqa: E402
import phones  # noqa: E402

VALUES = (1, 0, -1, 0)


class Voter:
    """One phone's connection and session."""

    def __init__(self, index, phone, host, port, authority):
        self.index, self.phone, self.host, self.port, self.authority = index, phone, host, port, authority
        self.cookie = None
        self.reader = self.writer = None

    async def vote(self, entry, value):
        """(status, seconds from the request written to its answer read)."""
        if self.writer is None:
            self.reader, self.writer = await phones.connect(self.host, self.port, self.phone)
        body = json.dumps({"vote": value}).encode()
        head = [f"PUT /api/queue/{entry}/vote HTTP/1.1", f"Host: {self.authority}", f"Origin: http://{self.authority}",
                "Content-Type: application/json", f"Content-Length: {len(body)}"]
        if self.cookie:
            head.append(f"Cookie: rb_session={self.cookie}")
        started = time.perf_counter()
        self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + body)
        await self.writer.drain()
        status_line = await self.reader.readline()
        if not status_line:
            self.close()
            raise ConnectionResetError("the box closed the connection")
        status, headers, _ = await http1.read_response(self.reader, status_line)
        seconds = time.perf_counter() - started
        name, _, rest = headers.get("set-cookie", "").partition("=")
        if name.strip() == "rb_session":
            self.cookie = rest.split(";", 1)[0]
        if headers.get("connection", "").lower() == "close":
            self.close()
        return status, seconds

    def close(self):
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


async def run_worker(args, crowd, ready, start_at):
    """Votes from this worker's share of the crowd, (index, phone) pairs."""
    parts = urlsplit(args.url)
    host, port = parts.hostname, parts.port or 80
    authority = args.host_header or parts.netloc
    entries = [int(e) for e in args.entries.split(",")]
    voters = [Voter(index, phone, host, port, authority) for index, phone in crowd]
    limit = asyncio.Semaphore(20)

    async def begin(voter):
        async with limit:
            for _ in range(3):
                try:
                    status, _ = await asyncio.wait_for(voter.vote(entries[0], 0), 30)
                except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                    voter.close()
                    continue
                if status == 200 and voter.cookie:
                    return True
            return False

    began = await asyncio.gather(*(begin(v) for v in voters))
    ready.send(sum(began))
    start = start_at.recv()
    end = start + args.duration
    await asyncio.sleep(max(0.0, start - time.time()))
    latencies, statuses, errors = [], collections.Counter(), 0

    async def loop(voter):
        nonlocal errors
        k = 0
        while time.time() < end:
            entry = entries[k % len(entries)]
            value = VALUES[(k // len(entries) + voter.index) % len(VALUES)]
            k += 1
            try:
                status, seconds = await asyncio.wait_for(voter.vote(entry, value), 30)
            except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError):
                voter.close()
                errors += 1
                await asyncio.sleep(1)  # as a phone's page tries again, not at once
                continue
            if time.time() <= end:  # answers after the end are not counted
                statuses[status] += 1
                if 200 <= status < 300:
                    latencies.append(seconds * 1000)

    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    await asyncio.gather(*(loop(v) for v in voters))
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    for voter in voters:
        voter.close()
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {"latencies": latencies, "statuses": dict(statuses), "errors": errors, "cpu": cpu}


def worker(args, crowd, ready, start_at, results):
    results.send(asyncio.run(run_worker(args, crowd, ready, start_at)))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="the box, e.g. http://10.66.0.2")
    parser.add_argument("--host-header", help="the Host header (default: the URL's)")
    parser.add_argument("--phones", required=True, help="the voting phones, a file of bench/phones.py")
    parser.add_argument("--entries", required=True, help="queue entry ids to vote on, comma-separated")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    crowd = phones.read_phones(args.phones)
    if not crowd:
        parser.error(f"no phones in {args.phones}")
    processes = max(1, min(args.processes, len(crowd)))

    context = multiprocessing.get_context("fork")
    workers = []
    for n in range(processes):
        share = list(enumerate(crowd))[n::processes]
        ready_recv, ready_send = context.Pipe(False)
        start_recv, start_send = context.Pipe(False)
        result_recv, result_send = context.Pipe(False)
        process = context.Process(target=worker, args=(args, share, ready_send, start_recv, result_send))
        process.start()
        workers.append((process, ready_recv, start_send, result_recv))
    sessions = 0
    for _, ready, _, _ in workers:
        if not ready.poll(300):
            sys.exit("vote-crowd: a worker did not begin its sessions within 300 s")
        sessions += ready.recv()
    print(f"vote-crowd: {sessions} of {len(crowd)} phones began a session; voting for {args.duration:g} s from "
          f"{processes} processes", file=sys.stderr, flush=True)
    start = time.time() + 1
    for _, _, start_at, _ in workers:
        start_at.send(start)
    results = []
    for process, _, _, result in workers:
        if not result.poll(args.duration + 120):
            sys.exit("vote-crowd: a worker did not report")
        results.append(result.recv())
        process.join()

    latencies = [ms for r in results for ms in r["latencies"]]
    statuses = collections.Counter()
    for r in results:
        statuses.update({int(code): n for code, n in r["statuses"].items()})
    errors = sum(r["errors"] for r in results)
    non2xx = sum(n for code, n in statuses.items() if not 200 <= code < 300)
    cores = sum(r["cpu"] for r in results) / args.duration
    votes_per_s = len(latencies) / args.duration
    rows = [
        ("phones voting (each its own session and device)", f"{len(crowd)} ({sessions} sessions)"),
        ("acknowledged votes/s (2xx)", f"{votes_per_s:,.1f}"),
        ("vote request -> 2xx p50 / p99 / max (ms)",
         f"{percentile(latencies, 50):.1f} / {percentile(latencies, 99):.1f} / {max(latencies, default=0):.1f}"),
        ("answers that were not 2xx", f"{non2xx} {dict(sorted(statuses.items()))}"),
        ("connection errors and timeouts", f"{errors}"),
        (f"load generator CPU ({processes} processes, cores)", f"{cores:.2f}"),
    ]
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name:<{width}}  {value}" for name, value in rows))
    print(f"votes_per_s={votes_per_s:.1f} p50_ms={percentile(latencies, 50):.1f} "
          f"p99_ms={percentile(latencies, 99):.1f} max_ms={max(latencies, default=float('nan')):.1f} "
          f"non2xx={non2xx} errors={errors} sessions={sessions} generator_cores={cores:.2f}")
    return 0 if latencies else 1


if __name__ == "__main__":
    sys.exit(main())
