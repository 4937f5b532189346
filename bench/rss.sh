#!/usr/bin/env bash
# Resident memory of the three processes (supervisor, engine, web) of an idle box.
#
# Starts `ravebox run` on a fresh data folder with the demo library and the `null` audio device,
# waits for http://127.0.0.1:PORT/api/state to answer, lets it idle, then reads VmRSS (and VmHWM,
# and Pss where readable: shared pages of the common binary counted once) from /proc, and stops it
# with SIGTERM.
#
# Environment: RAVEBOX_BIN, RSS_IDLE_SECONDS (5), RSS_START_TIMEOUT (seconds, 60),
# RAVEBOX_RUN_ARGS (extra `ravebox run` arguments).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools curl python3 ffmpeg

idle=${RSS_IDLE_SECONDS:-5}
start_timeout=${RSS_START_TIMEOUT:-60}

work=$(mktemp -d)
pid=""
children=()
stop() {
    stop_supervisor "$pid" "${children[@]}"
    pid=""
    children=()
}
trap 'stop; rm -rf "$work"' EXIT

"$BENCH_ROOT/scripts/make-demo-library.sh" "$work/demo" >/dev/null
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# Run from the temporary folder so no ./ravebox.yaml of the developer is picked up.
cd "$work"
# shellcheck disable=SC2086  # RAVEBOX_RUN_ARGS is a list of words
"$RAVEBOX_BIN" run --data "$work/data" --port "$port" --library "$work/demo" --audio-device null \
    ${RAVEBOX_RUN_ARGS:-} </dev/null >"$work/ravebox.log" 2>&1 &
pid=$!

started=$(date +%s.%N)
deadline=$((SECONDS + start_timeout))
until curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$port/api/state" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
        wait "$pid" && status=0 || status=$?
        pid=""
        echo "error: ravebox run exited with status $status before answering; its log:" >&2
        tail -n 20 "$work/ravebox.log" >&2
        exit 1
    fi
    if ((SECONDS >= deadline)); then
        echo "error: http://127.0.0.1:$port/api/state did not answer within ${start_timeout}s; log:" >&2
        tail -n 20 "$work/ravebox.log" >&2
        exit 1
    fi
    sleep 0.2
done
ready=$(python3 -c "print(f'{$(date +%s.%N) - $started:.2f}')")
echo "rss: answering after ${ready}s on port $port; idling ${idle}s" >&2
sleep "$idle"

mapfile -t children < <(python3 - "$pid" <<'EOF'
import os
import sys

parent = sys.argv[1]
for entry in os.listdir("/proc"):
    if not entry.isdigit():
        continue
    try:
        with open(f"/proc/{entry}/stat") as f:
            stat = f.read()
    except OSError:
        continue
    # Field 4 (ppid) follows the parenthesised command name, which may itself contain spaces.
    if stat[stat.rindex(")") + 2:].split()[1] == parent:
        print(entry)
EOF
)

python3 - "$pid" "${children[@]}" <<'EOF'
import os
import sys


def status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) / 1024  # kB -> MiB
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    values["Pss"] = int(line.split()[1]) / 1024
    except OSError:
        pass
    return values


def role(pid, is_supervisor):
    if is_supervisor:
        return "supervisor"
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [a.decode(errors="replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return "?"
    for arg in argv[1:3]:  # `ravebox engine ...`, or `INTERPRETER ravebox engine ...` for a wrapper
        if arg in ("engine", "web"):
            return arg
    return os.path.basename(argv[0]) if argv else "?"


processes = [(role(sys.argv[1], True), sys.argv[1])] + [(role(p, False), p) for p in sys.argv[2:]]
rows, totals, results = [], {"VmRSS": 0.0, "Pss": 0.0}, {}
for name, pid in processes:
    try:
        values = status(pid)
    except OSError:
        print(f"warning: {name} ({pid}) vanished before it could be measured", file=sys.stderr)
        continue
    rows.append([name, pid] + [f"{values[k]:.1f}" if k in values else "-" for k in ("VmRSS", "VmHWM", "Pss")])
    for key in totals:
        totals[key] += values.get(key, 0.0)
    results[f"{name}_rss_mib"] = f"{values.get('VmRSS', 0):.1f}"
rows.append(["total", "", f"{totals['VmRSS']:.1f}", "", f"{totals['Pss']:.1f}" if totals["Pss"] else "-"])
results["total_rss_mib"] = f"{totals['VmRSS']:.1f}"
if totals["Pss"]:
    results["total_pss_mib"] = f"{totals['Pss']:.1f}"

names = [name for name, _ in processes]
for expected in ("engine", "web"):
    if expected not in names:
        print(f"warning: no '{expected}' child found under the supervisor", file=sys.stderr)

headers = ["process", "pid", "VmRSS MiB", "VmHWM MiB", "Pss MiB"]
table = [headers] + rows
widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
for row in table:
    print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
print(" ".join(f"{k}={v}" for k, v in results.items()))
EOF

stopping=$(date +%s.%N)
stop
stopped=$(python3 -c "print(f'{$(date +%s.%N) - $stopping:.2f}')")
echo "rss: stopped ${stopped}s after SIGTERM" >&2
