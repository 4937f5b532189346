#!/usr/bin/env bash
# Stops what start.sh started in RUN_DIR: SIGINT to raveberry, then SIGINT (TERM, KILL if ignored)
# to its process group, then redis-server. Safe to run twice.
#
# Usage: bench/raveberry/stop.sh [RUN_DIR]   (default bench/out/raveberry/run)
set -euo pipefail
# shellcheck source=bench/raveberry/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
raveberry_stop "${1:-$RAVEBERRY_DIR/run}"
