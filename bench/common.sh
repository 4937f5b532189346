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
