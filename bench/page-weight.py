#!/usr/bin/env python3
"""Page weight and first contentful paint of the party page on a phone's first visit, with the original
Raveberry's /musiq/ page measured the same way in the same run when it can be started.

Each load is a cold one: a new headless Chromium (fresh profile) as a 390x844 phone (the browser tests'
harness, Tests/Browser/harness.py), the HTTP cache disabled (Network.setCacheDisabled) and the CPU
throttled 4x (Emulation.setCPUThrottlingRate), then the page is opened and followed until the network
is quiet (load event, no request in flight for 500 ms).

Reported:
  - every response of a first load (DevTools Network events; of the cold loads, the heaviest): bytes on
    the wire (headers and the body as sent, i.e. compressed when it was), the body as sent, the body
    decoded, the Content-Encoding; their sum is the page weight, checked against the budget (default
    60 KB = 61,440 bytes); for responses sent uncompressed, what gzip -6 would have made of them;
    WebSocket frames (the live state) are not responses and are shown apart;
  - first-contentful-paint (the paint timing entry), median of --loads cold loads (default 5), after
    one unmeasured warm-up load per site so neither server's first-request start-up is counted.

Ravebox: RAVEBOX_BIN (default .build/release/ravebox) with the demo library, one song playing (paused)
and three queued. Raveberry: bench/raveberry/start.sh on a free loopback port (RAVEBERRY_PORT=free), one
song playing and one queued (bench/raveberry/common.sh raveberry_queue); skipped, with the reason
printed, if it is not installed (bench/raveberry/setup.sh; --setup runs it first) or does not start.
Chromium cannot reach anything off this machine (see harness.chrome_options).

Exit status: 1 if Ravebox's first load is over the budget (or could not be measured), else 0.

    .build-browser/venv/bin/python bench/page-weight.py [--loads N] [--budget-kb KB] [--no-raveberry] [--setup]
"""

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from urllib.parse import urlsplit

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Browser"))
import harness  # noqa: E402  (the browser tests' box and Chromium set-up)

import requests  # noqa: E402

RAVEBERRY_SCRIPTS = os.path.join(ROOT, "bench", "raveberry")
CPU_SLOWDOWN = 4
RAVEBERRY_VERSION = os.environ.get("RAVEBERRY_VERSION", "0.11.5")


def log(message):
    print(f"page-weight: {message}", file=sys.stderr, flush=True)


def kb(n):
    return f"{n / 1024:.1f} KB"


# --------------------------------------------------------------------------------------------------
# One cold load.


def cold_load(url, timeout=60):
    """Opens `url` in a new browser; returns {"responses": [...], "fcp": ms, "ws_bytes": n, "load": ms}."""
    driver = harness.new_driver(performance_log=True, probe=False)
    try:
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        driver.execute_cdp_cmd("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        driver.get_log("performance")  # drop what the set-up logged
        driver.set_page_load_timeout(timeout)
        driver.get(url)
        requests_by_id, ws_bytes = {}, 0
        last_event = time.monotonic()
        deadline = time.monotonic() + timeout
        while True:
            for entry in driver.get_log("performance"):
                message = json.loads(entry["message"])["message"]
                method, params = message.get("method", ""), message.get("params", {})
                if method == "Network.webSocketFrameReceived":
                    ws_bytes += len(params["response"].get("payloadData", ""))
                    continue
                if not method.startswith("Network.") or "requestId" not in params:
                    continue
                record = requests_by_id.setdefault(params["requestId"], {"done": False})
                last_event = time.monotonic()
                if method == "Network.requestWillBeSent":
                    record.update(url=params["request"]["url"], type=params.get("type", "?"))
                elif method == "Network.responseReceived":
                    response = params["response"]
                    headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
                    record.update(status=response.get("status"), mime=response.get("mimeType", ""),
                                  encoding=headers.get("content-encoding", ""), type=params.get("type", "?"),
                                  url=response.get("url", record.get("url")))
                elif method == "Network.loadingFinished":
                    record.update(done=True, wire=int(params.get("encodedDataLength", 0)))
                elif method == "Network.loadingFailed":
                    record.update(done=True, wire=0, failed=params.get("errorText", "failed"),
                                  blocked=params.get("blockedReason", ""))
            pending = [r for r in requests_by_id.values() if "url" in r and not r["done"]]
            complete = driver.execute_script("return document.readyState") == "complete"
            if complete and not pending and time.monotonic() - last_event > 0.5:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url}: network not quiet after {timeout} s; pending: "
                                   f"{[r['url'] for r in pending]}")
            time.sleep(0.05)
        timing = driver.execute_script("""
            var paint = performance.getEntriesByName('first-contentful-paint')[0];
            var nav = performance.getEntriesByType('navigation')[0];
            var entries = [nav].concat(performance.getEntriesByType('resource')).map(function (e) {
              return { url: e.name, transfer: e.transferSize, body: e.encodedBodySize, decoded: e.decodedBodySize };
            });
            return { fcp: paint ? paint.startTime : null, load: nav ? nav.loadEventEnd : null, entries: entries };""")
        by_url = {e["url"]: e for e in timing["entries"]}
        responses = []
        for record in requests_by_id.values():
            if "url" not in record or record["url"].startswith("data:"):
                continue
            rt = by_url.get(record["url"], {})
            responses.append({
                "url": record["url"], "type": record.get("type", "?"), "status": record.get("status"),
                "wire": record.get("wire", 0), "body": rt.get("body"), "decoded": rt.get("decoded"),
                "encoding": record.get("encoding", ""), "failed": record.get("failed"),
            })
        return {"responses": responses, "fcp": timing["fcp"], "load": timing["load"], "ws_bytes": ws_bytes}
    finally:
        harness.quit_driver(driver)


def measure(name, url, loads):
    log(f"{name}: warm-up load of {url}")
    cold_load(url)
    runs = []
    for i in range(loads):
        run = cold_load(url)
        log(f"{name}: cold load {i + 1}/{loads}: {kb(sum(r['wire'] for r in run['responses']))}, "
            f"FCP {run['fcp']:.0f} ms" if run["fcp"] is not None else f"{name}: load {i + 1}: no FCP entry")
        runs.append(run)
    # What a compressing server would send: uncompressed bodies over 1 KB gzipped (level 6), headers as
    # they were. Fetched again now, while the server runs.
    first = heaviest(runs)
    plain = [r for r in first["responses"]
             if not r["failed"] and not r["encoding"] and r["status"] == 200 and (r["body"] or 0) > 1024]
    first["plain"], first["gzip_saving"] = len(plain), 0
    for r in plain:
        body = requests.get(r["url"], timeout=30).content
        first["gzip_saving"] += max(0, len(body) - len(gzip.compress(body, 6)))
    return runs


def total_bytes(run):
    return sum(r["wire"] for r in run["responses"])


def heaviest(runs):
    """The cold load shown resource by resource and checked against the budget: the one that transferred
    the most (a load in which the server dropped a request would otherwise look lighter)."""
    return max(runs, key=total_bytes)


# --------------------------------------------------------------------------------------------------
# Output.


def short(url, origin):
    return url[len(origin):] or "/" if url.startswith(origin) else url


def report(name, url, runs, budget=None):
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
    first = heaviest(runs)
    print(f"{name}: {url}")
    print(f"  {'resource':<44} {'type':<11} {'status':>6} {'on wire':>10} {'body sent':>10} {'decoded':>10}  encoding")
    for r in sorted(first["responses"], key=lambda r: -r["wire"]):
        status = r["status"] if r["status"] is not None else ("blocked" if r["failed"] else "-")
        print(f"  {short(r['url'], origin)[:44]:<44} {r['type'][:11]:<11} {status!s:>6} {kb(r['wire']):>10} "
              f"{kb(r['body']) if r['body'] is not None else '-':>10} "
              f"{kb(r['decoded']) if r['decoded'] is not None else '-':>10}  "
              f"{r['encoding'] or ('(' + r['failed'] + ')' if r['failed'] else '-')}")
    total = total_bytes(first)
    ok = [r for r in first["responses"] if not r["failed"]]
    failed = [r for r in first["responses"] if r["failed"]]
    line = f"  total: {len(ok)} responses, {kb(total)} ({total} bytes) on the wire"
    if budget is not None:
        line += f", {'under' if total <= budget else 'OVER'} the {budget // 1024} KB budget ({budget} bytes)"
    print(line)
    if failed:
        print(f"  {len(failed)} request(s) failed or were kept from leaving the machine (0 bytes counted): "
              + ", ".join(short(r["url"], origin) for r in failed))
    if first.get("plain"):
        estimate = total - first["gzip_saving"]
        print(f"  {first['plain']} response(s) over 1 KB came uncompressed; gzipped (level 6) the load would be "
              f"{kb(estimate)} ({estimate} bytes)")
        first["gzip_estimate"] = estimate
    totals = sorted({total_bytes(run) for run in runs})
    if len(totals) > 1:
        print(f"  (the {len(runs)} cold loads transferred between {totals[0]} and {totals[-1]} bytes; "
              "the table shows the heaviest)")
    print(f"  WebSocket frames received by that load (not counted above): {kb(first['ws_bytes'])}")
    fcps = [run["fcp"] for run in runs if run["fcp"] is not None]
    fcp = statistics.median(fcps) if fcps else None
    if fcp is not None:
        print(f"  first contentful paint: median {fcp:.0f} ms of {len(fcps)} cold loads "
              f"({', '.join(f'{v:.0f}' for v in fcps)} ms)")
    else:
        print("  first contentful paint: not reported by the browser")
    return total, fcp


# --------------------------------------------------------------------------------------------------
# Raveberry.


class Raveberry:
    """bench/raveberry/start.sh in a temporary run folder, stop.sh at the end."""

    def __init__(self, setup):
        self.run_dir = None
        self.url = None
        rb_dir = os.environ.get("RAVEBERRY_DIR", os.path.join(ROOT, "bench", "out", "raveberry"))
        if setup:
            log("running bench/raveberry/setup.sh")
            result = subprocess.run([os.path.join(RAVEBERRY_SCRIPTS, "setup.sh")], stdout=subprocess.DEVNULL)
            if result.returncode != 0:
                raise RuntimeError(f"bench/raveberry/setup.sh failed ({result.returncode})")
        if not os.access(os.path.join(rb_dir, "venv", "bin", "raveberry"), os.X_OK):
            raise RuntimeError(f"Raveberry is not installed in {os.path.relpath(rb_dir, ROOT)} "
                               "(bench/raveberry/setup.sh installs it in about 6 minutes; --setup runs it)")
        for tool in ("redis-server", "redis-cli", "curl", "ffmpeg", "mopidy"):
            if shutil.which(tool) is None:
                raise RuntimeError(f"{tool} is missing (bench/raveberry/setup.sh installs it)")
        self.run_dir = tempfile.mkdtemp(prefix="raveberry-page-weight-")
        env = dict(os.environ, RAVEBERRY_PORT="free")
        log("starting Raveberry (bench/raveberry/start.sh, loopback, free port)")
        result = subprocess.run([os.path.join(RAVEBERRY_SCRIPTS, "start.sh"), self.run_dir], env=env,
                                capture_output=True, text=True, timeout=300)
        state = dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
        if result.returncode != 0 or "RAVEBERRY_HTTP_PORT" not in state:
            self.stop()
            raise RuntimeError(f"bench/raveberry/start.sh failed ({result.returncode}): "
                               f"{result.stderr.strip().splitlines()[-1] if result.stderr.strip() else ''}")
        self.url = f"http://127.0.0.1:{state['RAVEBERRY_HTTP_PORT']}/musiq/"
        # One song playing and one waiting, as in bench/vote.sh (no internet needed).
        queued = subprocess.run(
            ["bash", "-c", f'source "{RAVEBERRY_SCRIPTS}/common.sh" && raveberry_queue "$1"', "queue", self.run_dir],
            env=dict(os.environ, BENCH_SESSIONS="1"), capture_output=True, text=True, timeout=120)
        if queued.returncode != 0:
            log(f"warning: could not queue a song in Raveberry, its page is measured with an empty queue: "
                f"{queued.stderr.strip()[-200:]}")

    def stop(self):
        if self.run_dir:
            subprocess.run([os.path.join(RAVEBERRY_SCRIPTS, "stop.sh"), self.run_dir], stdout=subprocess.DEVNULL)
            shutil.rmtree(self.run_dir, ignore_errors=True)
            self.run_dir = None


# --------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=5, help="cold loads per page for the FCP median (5)")
    parser.add_argument("--budget-kb", type=float, default=60, help="page weight budget in KB of 1024 bytes (60)")
    parser.add_argument("--no-raveberry", action="store_true", help="measure Ravebox only")
    parser.add_argument("--setup", action="store_true", help="run bench/raveberry/setup.sh first")
    args = parser.parse_args()
    budget = int(args.budget_kb * 1024)
    binary = os.path.abspath(os.environ.get("RAVEBOX_BIN") or os.path.join(ROOT, ".build", "release", "ravebox"))
    version = subprocess.run([harness.CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()

    box = harness.Box(binary=binary, settings={})
    try:
        box.setup_party("Arpeggio", ["Boom Bap", "Slow Pad", "Four on the Floor"], pause=True)
        ravebox_runs = measure("ravebox", box.url + "/", args.loads)
    finally:
        box.stop()

    raveberry_runs, raveberry_url, why_not = None, None, None
    if args.no_raveberry:
        why_not = "skipped (--no-raveberry)"
    else:
        raveberry = None
        try:
            raveberry = Raveberry(args.setup)
            raveberry_url = raveberry.url
            requests.get(raveberry_url, timeout=30)
            raveberry_runs = measure("raveberry", raveberry_url, args.loads)
        except Exception as error:  # reported in the output; Ravebox's figures stand on their own
            why_not = f"not measured: {error}"
        finally:
            if raveberry is not None:
                raveberry.stop()

    print(f"page-weight: the party page's first load on a phone: {version}, headless, 390x844, "
          f"cache disabled, CPU {CPU_SLOWDOWN}x slower; {args.loads} cold loads each after one warm-up")
    print()
    rb_total, rb_fcp = report(f"Ravebox ({os.path.relpath(binary, ROOT)})", box.url + "/", ravebox_runs, budget)
    print()
    rr_total = rr_fcp = None
    if raveberry_runs:
        rr_total, rr_fcp = report(f"Raveberry {RAVEBERRY_VERSION} (Django debug server, bench/raveberry)",
                                  raveberry_url, raveberry_runs)
        print()
        line = f"ratio: Raveberry's first load transfers {rr_total / rb_total:.1f}x Ravebox's bytes"
        if rb_fcp and rr_fcp:
            line += f"; its first contentful paint comes {rr_fcp / rb_fcp:.1f}x as late"
        print(line)
        if heaviest(raveberry_runs).get("gzip_estimate"):
            print(f"       with its responses gzipped it would still be "
                  f"{heaviest(raveberry_runs)['gzip_estimate'] / rb_total:.1f}x Ravebox's bytes")
    else:
        print(f"Raveberry: {why_not}")
    print()
    values = {"page_weight_ravebox_bytes": rb_total, "page_weight_budget_bytes": budget,
              "fcp_ravebox_ms": rb_fcp, "page_weight_raveberry_bytes": rr_total, "fcp_raveberry_ms": rr_fcp}
    print(" ".join(f"{k}={v:.0f}" for k, v in values.items() if v is not None))
    if rb_total > budget:
        print(f"page-weight: FAIL: Ravebox's first load is {rb_total} bytes, over the {budget}-byte budget",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
