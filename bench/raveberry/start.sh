#!/usr/bin/env bash
# Starts the original Raveberry (installed by setup.sh) with a private redis-server on loopback and
# waits until /musiq/ answers. Prints KEY=VALUE lines (ports, PIDs); stop it with stop.sh RUN_DIR.
#
# Usage: bench/raveberry/start.sh [RUN_DIR]   (default bench/out/raveberry/run)
# Environment: see bench/raveberry/common.sh (RAVEBERRY_PORT, RAVEBERRY_START_TIMEOUT, RAVEBERRY_DIR).
set -euo pipefail
# shellcheck source=bench/raveberry/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
run_dir=${1:-$RAVEBERRY_DIR/run}
if ! raveberry_start "$run_dir"; then
    raveberry_stop "$run_dir"
    exit 1
fi
cat "$run_dir/state"
echo "RAVEBERRY_SERVER_PID=$(raveberry_server_pid "$run_dir" || echo unknown)"
echo "raveberry: answering on http://127.0.0.1:$(sed -n 's/^RAVEBERRY_HTTP_PORT=//p' "$run_dir/state")/musiq/" >&2
