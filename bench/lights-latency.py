#!/usr/bin/env python3
"""End-to-end latency of the lights: from a sample entering the analysis ring to the LED bytes that show it
being written, on a running box.

The box (the browser tests' harness, Tests/Browser/harness.py: `ravebox run`, RAVEBOX_BIN, default
.build/release/ravebox, demo library, silent real-time playback on ALSA's `null` device) has one WLED
output of 8 LEDs at 30 frames/s aimed at a UDP socket of this script. The output is set to the `rave`
program, songs play, and every second the engine's own measurement is read from GET /api/status: the
median and 99th percentile over that second of (LED bytes written - the newest analysed sample entering
the analysis ring), and the median of (written - that sample heard). The frames are also received and
counted, and the time between them measured, to check the output's frame rate.

Reported: median of the per-second medians, the largest per-second p99, the lag, frames per second
received and the spread of the time between frames. The latency includes the wait until the sample is
heard (the device's buffer: lights match the sound, not the decoder); on `null` that delay is what the
player reports for its pacing.

    .build-browser/venv/bin/python bench/lights-latency.py [--seconds N]
"""

import argparse
import os
import socket
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "Tests", "Browser"))
import harness  # noqa: E402  (the browser tests' box)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LIGHTS_LATENCY_SECONDS", "30")))
    args = parser.parse_args()
    binary = os.environ.get("RAVEBOX_BIN", os.path.join(ROOT, ".build", "release", "ravebox"))
    box = harness.Box(binary=binary)
    try:
        box.write(box.admin, "PATCH", "/api/lights/tv", {"program": "rave"})
        titles = list(box.songs)[:3]
        for title in titles:
            box.request(title)
        box.wait_state(lambda s: s.get("playback") == "playing", "music playing")
        mod = box.admin
        p50s, p99s, lags = [], [], []
        arrivals = []
        deadline = time.monotonic() + args.seconds
        next_poll = time.monotonic() + 1
        box.leds.settimeout(0.1)
        while time.monotonic() < deadline:
            try:
                box.leds.recv(2048)
                arrivals.append(time.monotonic())
            except socket.timeout:
                pass
            if time.monotonic() >= next_poll:
                next_poll += 1
                status = box.get("/api/status", s=mod)
                if status.get("ledLatencyP50Milliseconds") is not None:
                    p50s.append(status["ledLatencyP50Milliseconds"])
                    p99s.append(status["ledLatencyP99Milliseconds"])
                    lags.append(status["ledLagP50Milliseconds"])
        if not p50s:
            print("error: the engine reported no LED latency (no frames?)", file=sys.stderr)
            return 1
        gaps = [(b - a) * 1000 for a, b in zip(arrivals, arrivals[1:])]
        print(f"lights latency over {len(p50s)} one-second windows, WLED output of 8 LEDs at 30 frames/s, rave")
        print(f"  sample enters analysis -> LED bytes written: p50 {statistics.median(p50s):.1f} ms, "
              f"p99 (worst window) {max(p99s):.1f} ms")
        print(f"  LED bytes written - sample heard (median): {statistics.median(lags):+.1f} ms")
        if gaps:
            span = arrivals[-1] - arrivals[0]
            quantiles = statistics.quantiles(gaps, n=100)
            print(f"  frames received: {len(arrivals)} = {(len(arrivals) - 1) / span:.1f}/s; time between frames "
                  f"p50 {statistics.median(gaps):.1f} ms, p99 {quantiles[98]:.1f} ms")
        return 0
    finally:
        box.stop()


if __name__ == "__main__":
    sys.exit(main())
