#!/usr/bin/env bash
# Shared-memory command ring between two processes: throughput at full speed, latency when paced.
#
# Runs `ravebox ipc-probe consume` in the background and `ravebox ipc-probe produce` in the
# foreground on a fresh segment, once flat out and once at a fixed rate. Each probe prints one JSON
# line (commandsPerSecond, p50Micros, p99Micros, lost, reordered, ...); every numeric field found is
# reported.
#
# Environment: RAVEBOX_BIN, IPC_FULL_COUNT (1000000), IPC_PACED_COUNT (100000), IPC_PACED_RATE
# (10000 commands/s), IPC_TIMEOUT (seconds per probe, 120).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools python3 timeout

full_count=${IPC_FULL_COUNT:-1000000}
paced_count=${IPC_PACED_COUNT:-100000}
paced_rate=${IPC_PACED_RATE:-10000}
limit=${IPC_TIMEOUT:-120}

out=$(mktemp -d)
segment=""
consumer=""
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    if [[ -n $consumer ]] && kill -0 "$consumer" 2>/dev/null; then
        kill "$consumer" 2>/dev/null || true
        wait "$consumer" 2>/dev/null || true
    fi
    if [[ -n $segment ]]; then
        "$RAVEBOX_BIN" ipc-probe unlink --segment "$segment" >/dev/null 2>&1 || true
    fi
    rm -rf "$out"
}
trap cleanup EXIT

failed=0

# run NAME COUNT [extra produce arguments...]
run() {
    local name=$1 count=$2
    shift 2
    segment=/ravebox-bench-$$-$name
    echo "ipc: $name run, $count commands${*:+ ($*)}" >&2
    "$RAVEBOX_BIN" ipc-probe create --segment "$segment" >"$out/$name.create.out" 2>"$out/$name.create.err" || {
        echo "error: ipc-probe create failed:" >&2
        cat "$out/$name.create.err" >&2
        failed=1
        return 0
    }
    timeout "$limit" "$RAVEBOX_BIN" ipc-probe consume --segment "$segment" --count "$count" \
        >"$out/$name.consume.json" 2>"$out/$name.consume.err" &
    consumer=$!
    # Let the consumer attach first so paced latencies do not include its start-up.
    sleep 0.3
    if ! timeout "$limit" "$RAVEBOX_BIN" ipc-probe produce --segment "$segment" --count "$count" "$@" \
        >"$out/$name.produce.json" 2>"$out/$name.produce.err"; then
        echo "error: ipc-probe produce ($name) failed or timed out after ${limit}s:" >&2
        tail -n 5 "$out/$name.produce.err" >&2
        failed=1
    fi
    if ! wait "$consumer"; then
        echo "error: ipc-probe consume ($name) failed or timed out after ${limit}s:" >&2
        tail -n 5 "$out/$name.consume.err" >&2
        failed=1
    fi
    consumer=""
    "$RAVEBOX_BIN" ipc-probe unlink --segment "$segment" >/dev/null 2>&1 || {
        echo "warning: ipc-probe unlink --segment $segment failed" >&2
    }
    segment=""
}

run full "$full_count"
run paced "$paced_count" --rate "$paced_rate"

python3 - "$out" <<'EOF' || failed=1
import json
import sys

out = sys.argv[1]
columns = [(run, role) for run in ("full", "paced") for role in ("produce", "consume")]


def last_json_object(path):
    """The last line of the file that parses as a JSON object (probes may log other lines)."""
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    for line in reversed(lines):
        line = line.strip()
        if line.startswith("{"):
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                return value
    return None


def numeric_fields(obj, prefix=""):
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, bool):
            continue
        if isinstance(value, (int, float)):
            yield name, value
        elif isinstance(value, dict):
            yield from numeric_fields(value, name + ".")


results = {}
for run, role in columns:
    obj = last_json_object(f"{out}/{run}.{role}.json")
    if obj is None:
        print(f"warning: no JSON result from ipc-probe {role} ({run} run)", file=sys.stderr)
        continue
    results[(run, role)] = dict(numeric_fields(obj))

if not results:
    sys.exit(1)

fields = []
for values in results.values():
    for name in values:
        if name not in fields:
            fields.append(name)


def show(value):
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value)}"
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.0f}"


headers = ["field"] + [f"{run}/{role}" for run, role in columns]
rows = [[name] + [show(results.get(column, {}).get(name)) for column in columns] for name in fields]
widths = [max(len(str(row[i])) for row in [headers] + rows) for i in range(len(headers))]
for row in [headers] + rows:
    print("  ".join(cell.ljust(widths[0]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))

problems = [
    f"{run}/{role} {name}={show(value)}"
    for (run, role), values in results.items()
    for name, value in values.items()
    if name in ("lost", "reordered") and value
]
for problem in problems:
    print(f"warning: {problem}", file=sys.stderr)

print(" ".join(f"{run}.{role}.{name}={show(value)}" for (run, role), values in results.items()
               for name, value in values.items()))
sys.exit(1 if problems else 0)
EOF

exit "$failed"
