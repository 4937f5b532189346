#!/usr/bin/env bash
# Dropouts under load: a long playback while `stress-ng --cpu 1` keeps a core busy.
#
#   stress-ng --cpu 1                                  (background, for the whole playback)
#   ravebox play FILE --audio-device null              (paced to real time; FILE: AUDIO_XRUN_SECONDS of MP3)
#   perf record --switch-events -e dummy -t TID        (TID: the rb-output thread; context switches only)
#
# There is no sound card on the machines this runs on, so the device is ALSA's `null` PCM, which has no clock:
# the engine paces its writes to real time itself, and a real xrun (the card starving) cannot happen. What is
# measured is
# - underruns: silent periods the output thread wrote because the ring (~0.7 s) ran empty, i.e. the decoder
#   fell behind (ravebox's report, PlayerStatus.underruns);
# - xruns: ALSA xruns recovered (ravebox's report); 0 by construction on `null`, shown for completeness;
# - how late the output thread ran: the gaps between its successive switch-ins (perf's PERF_RECORD_SWITCH
#   records; no tracepoints or ptrace needed, nothing stops the thread). The thread sleeps before each
#   period's write and wakes to write it, so the gap between wake-ups is the write-to-write gap, nominally one
#   period (5 ms), as an upper bound: a gap longer than the device buffer (20 ms) is a period a real card would
#   have missed. Recording starts once the thread runs (after the start-up pre-roll); the end-of-song drain
#   and the shutdown (the last two wake-ups) are left out. `ravebox play` does not report write gaps itself.
#
# Environment: RAVEBOX_BIN, AUDIO_XRUN_SECONDS (600), AUDIO_XRUN_STRESS (stress-ng's --cpu count, 1; 0 = no
# load). Needs stress-ng and perf (the `linux-perf` package); without perf the gaps are not measured.
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools ffmpeg python3 stress-ng

seconds=${AUDIO_XRUN_SECONDS:-600}
stressors=${AUDIO_XRUN_STRESS:-1}
perf_tool=$(command -v perf || true)

work=$(mktemp -d)
stress_pid=
perf_pid=
play_pid=
cleanup() {
    local pid
    for pid in $play_pid $perf_pid $stress_pid; do
        if kill -0 "$pid" 2>/dev/null; then
            kill -INT "$pid" 2>/dev/null || true
            wait "$pid" 2>/dev/null || true
        fi
    done
    rm -rf "$work"
}
trap cleanup EXIT

# Music-like enough for the decoder (a chord, a kick every 0.5 s, pink noise), 44.1 kHz stereo, MP3 192k.
ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "\
aevalsrc=exprs='0.1*(sin(2*PI*220*t)+sin(2*PI*277.18*t)+sin(2*PI*329.63*t))+0.4*sin(2*PI*50*t)*exp(-8*mod(t,0.5))':\
s=44100:c=stereo:d=${seconds}[tone];\
anoisesrc=color=pink:seed=7:amplitude=0.05:r=44100:d=$seconds,aformat=channel_layouts=stereo[noise];\
[tone][noise]amix=inputs=2:normalize=0,alimiter=limit=0.9:level=0" \
    -c:a libmp3lame -b:a 192k "$work/test.mp3"

read -r load_before _ </proc/loadavg
head -1 /proc/stat >"$work/stat-before"
if ((stressors > 0)); then
    stress-ng --cpu "$stressors" --timeout "$((seconds + 120))s" --metrics-brief >"$work/stress.txt" 2>&1 &
    stress_pid=$!
    sleep 1
fi

start=$(date +%s.%N)
"$RAVEBOX_BIN" play "$work/test.mp3" --audio-device null >"$work/report.json" 2>"$work/play.log" &
play_pid=$!

# Find the output thread (named by the engine) and record its context switches.
tid=
for _ in $(seq 100); do
    for task in /proc/"$play_pid"/task/*; do
        if [[ $(cat "$task/comm" 2>/dev/null) == rb-output ]]; then
            tid=${task##*/}
            break 2
        fi
    done
    sleep 0.05
done
policy=unknown
if [[ -n $tid ]]; then
    sleep 0.3  # the thread asks for SCHED_FIFO as it starts
    policy=$(chrt -p "$tid" 2>/dev/null | awk -F': ' '/policy/ {p=$2} /priority/ {q=$2} END {print p " " q}')
    if [[ -n $perf_tool ]]; then
        "$perf_tool" record -q --switch-events -e dummy -t "$tid" -o "$work/perf.data" >"$work/perf.log" 2>&1 &
        perf_pid=$!
    fi
else
    echo "warning: no rb-output thread found in ravebox play; write gaps not measured" >&2
fi

play_status=0
wait "$play_pid" || play_status=$?
play_pid=
end=$(date +%s.%N)
if [[ -n $perf_pid ]]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
    perf_pid=
    "$perf_tool" script -i "$work/perf.data" --show-switch-events -F tid,time 2>/dev/null >"$work/switches.txt" || true
fi
head -1 /proc/stat >"$work/stat-after"
read -r load_after _ </proc/loadavg
if [[ -n $stress_pid ]]; then
    kill -INT "$stress_pid" 2>/dev/null || true
    wait "$stress_pid" 2>/dev/null || true
    stress_pid=
fi
if ((play_status != 0)); then
    echo "error: ravebox play exited with $play_status:" >&2
    tail -5 "$work/play.log" >&2
    exit 1
fi

python3 - "$work" "$start" "$end" "$stressors" "$policy" "$load_before" "$load_after" "${perf_tool:+yes}" <<'EOF'
import json
import os
import re
import sys

work, start, end, stressors, policy, load_before, load_after, have_perf = sys.argv[1:9]
wall = float(end) - float(start)
report = json.loads(open(f"{work}/report.json").read().strip().splitlines()[-1])
log = open(f"{work}/play.log").read()
device = re.search(r"open: (\d+) Hz, (\d+) ch, \S+, period (\d+) frames \(([\d.]+) ms\), buffer (\d+) frames \(([\d.]+) ms\)",
                   log)
period_ms = float(device.group(4)) if device else 5.0
buffer_ms = float(device.group(6)) if device else 20.0
rt_refused = re.search(r"runs without ([^:]*):", log)


def busy(path):
    fields = [int(x) for x in open(path).read().split()[1:]]
    idle = fields[3] + fields[4]
    return sum(fields) - idle, sum(fields)


busy_before, total_before = busy(f"{work}/stat-before")
busy_after, total_after = busy(f"{work}/stat-after")
cores = os.cpu_count()
machine_busy = (busy_after - busy_before) / max(1, total_after - total_before) * cores

events = []
if os.path.exists(f"{work}/switches.txt"):
    for line in open(f"{work}/switches.txt"):
        match = re.match(r"\s*\d+\s+([\d.]+):\s+PERF_RECORD_SWITCH\s+(IN|OUT)(\s+preempt)?", line)
        if match:
            events.append((float(match.group(1)), match.group(2), bool(match.group(3))))
# The last two wake-ups are not the steady state: the end-of-song drain (the thread sleeps until the written
# frames are due, one buffer) and the shutdown.
ins = [index for index, (_, direction, _) in enumerate(events) if direction == "IN"]
if len(ins) > 2:
    events = events[:ins[-2]]
gaps = []
preempted_waits = []
wakeups = 0
last_in = None
preempted_at = None
for time, direction, preempt in events:
    if direction == "IN":
        wakeups += 1
        if last_in is not None:
            gaps.append((time - last_in) * 1000)
        if preempted_at is not None:
            preempted_waits.append((time - preempted_at) * 1000)
            preempted_at = None
        last_in = time
    elif preempt:
        preempted_at = time
gaps.sort()


def percentile(values, fraction):
    return values[min(len(values) - 1, int(fraction * len(values)))] if values else float("nan")


print("Device: ALSA 'null' (this machine has no sound card). It has no clock: the engine paces its writes to")
print("real time, so real xruns cannot happen here (xruns is 0 by construction). Measured: underruns (the ring")
print("ran empty: the decoder fell behind) and the output thread's write-to-write gaps (perf context switches).")
print()
rows = [
    ("audio played (s)", f"{report['audioSeconds']:.1f}"),
    ("wall (s)", f"{wall:.1f}"),
    ("outcome", report["outcome"]),
    ("load", f"stress-ng --cpu {stressors}" if int(stressors) > 0 else "none"),
    ("machine busy (cores of %d, whole run)" % cores, f"{machine_busy:.2f}"),
    ("load average before / after", f"{load_before} / {load_after}"),
    ("output thread scheduling", policy + (f" (refused: {rt_refused.group(1)})" if rt_refused else "")),
    ("ravebox CPU ms per audio s", f"{report['cpuSecondsPerAudioSecond'] * 1000:.3f}"),
    ("underruns (silent periods)", str(report["underruns"])),
    ("xruns (ALSA)", str(report["xruns"])),
]
if gaps:
    rows += [
        ("output thread wake-ups", str(wakeups)),
        (f"write gap p50 / p99 / p99.9 (ms; period {period_ms:g})",
         f"{percentile(gaps, 0.5):.2f} / {percentile(gaps, 0.99):.2f} / {percentile(gaps, 0.999):.2f}"),
        ("write gap max (ms)", f"{gaps[-1]:.2f}"),
        (f"gaps > buffer ({buffer_ms:g} ms)", str(sum(1 for g in gaps if g > buffer_ms))),
        ("preemptions / longest wait after one (ms)",
         f"{len(preempted_waits)} / {max(preempted_waits):.2f}" if preempted_waits else "0 / -"),
    ]
else:
    rows.append(("write gaps", "not measured (perf missing or failed)" if have_perf else "not measured (no perf)"))
width = max(len(name) for name, _ in rows)
for name, value in rows:
    print(f"{name.ljust(width)}  {value}")
results = {
    "seconds": f"{report['audioSeconds']:.1f}",
    "underruns": report["underruns"],
    "xruns": report["xruns"],
}
if gaps:
    results["max_gap_ms"] = f"{gaps[-1]:.2f}"
    results["p999_gap_ms"] = f"{percentile(gaps, 0.999):.2f}"
    results["gaps_over_buffer"] = sum(1 for g in gaps if g > buffer_ms)
print(" ".join(f"{key}={value}" for key, value in results.items()))
EOF
