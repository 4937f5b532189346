# shellcheck shell=bash
# Shared by the bench scripts (sourced, not run).
# RAVEBOX_BIN overrides the binary under test (default: the release build).

BENCH_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RAVEBOX_BIN=${RAVEBOX_BIN:-$BENCH_ROOT/.build/release/ravebox}
# Absolute, so the scripts may change directory.
if [[ $RAVEBOX_BIN != /* ]]; then
    RAVEBOX_BIN=$PWD/$RAVEBOX_BIN
fi

require_ravebox() {
    if [[ ! -x $RAVEBOX_BIN ]]; then
        echo "error: $RAVEBOX_BIN not found; build it with 'swift build -c release' (or set RAVEBOX_BIN)" >&2
        exit 1
    fi
}

require_tools() {
    local tool
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "error: $tool not found (make bench installs what it needs)" >&2
            exit 1
        fi
    done
}

# stop_supervisor PID [CHILD...]: stops a `ravebox run` started by this shell (SIGTERM, up to 10 s,
# then SIGKILL), then kills any of its children that outlived it.
stop_supervisor() {
    local pid=$1 child
    shift
    if [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null; then
        kill -TERM "$pid" 2>/dev/null || true
        for _ in $(seq 100); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$pid" 2>/dev/null; then
            echo "warning: supervisor $pid still running 10 s after SIGTERM; killing it" >&2
            kill -KILL "$pid" 2>/dev/null || true
        fi
        wait "$pid" 2>/dev/null || true
    fi
    for child in "$@"; do
        if kill -0 "$child" 2>/dev/null; then
            echo "warning: child $child outlived the supervisor; killing it" >&2
            kill -KILL "$child" 2>/dev/null || true
        fi
    done
}
