#!/usr/bin/env bash
# Installs the original Raveberry (0.11.5 from PyPI) for the side-by-side benchmarks. Idempotent: a
# second run changes nothing and takes about a second.
#
#   - Debian packages, only those missing: redis-server ffmpeg mopidy wrk python3-venv
#     (`raveberry run` refuses to start unless ffmpeg and mopidy are on PATH, even with --nomopidy)
#   - a virtualenv with 'raveberry[run]' (Django, Channels, Daphne, Celery, redis-py ...), all wheels
#   - a folder with a stub `ping` that always fails: Raveberry pings its connectivity host (1.1.1.1) at
#     start-up and crashes when `ping` is missing; the stub makes it record "no internet" without
#     sending anything off the machine (do not install iputils-ping for this).
#
# Everything goes to RAVEBERRY_DIR (default bench/out/raveberry, ignored by git): Raveberry's code
# and the virtualenv never belong in the repository.
#
# Environment: RAVEBERRY_DIR, RAVEBERRY_VERSION (0.11.5), RAVEBERRY_PYTHON (python for the venv,
# default /usr/bin/python3 when present, else python3).
set -euo pipefail
# shellcheck source=bench/raveberry/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

packages=(redis-server ffmpeg mopidy wrk python3-venv)
if command -v dpkg-query >/dev/null; then
    missing=()
    for pkg in "${packages[@]}"; do
        status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
        [[ $status == "install ok installed" ]] || missing+=("$pkg")
    done
    if ((${#missing[@]})); then
        sudo=()
        if (($(id -u) != 0)); then
            command -v sudo >/dev/null || { echo "error: missing ${missing[*]}; run as root or install sudo" >&2; exit 1; }
            sudo=(sudo)
        fi
        echo "raveberry-setup: installing ${missing[*]}" >&2
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
        # policy-rc.d-less containers may start the packaged redis/mopidy services; start.sh never relies
        # on them and uses its own redis on a free port.
        "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
            "${missing[@]}" >&2
    fi
else
    echo "warning: not a Debian system; make sure these are installed: ${packages[*]}" >&2
fi

mkdir -p "$RAVEBERRY_DIR" "$RAVEBERRY_STUB_BIN"

# Stub ping: always "host unreachable", never a packet.
cat >"$RAVEBERRY_STUB_BIN/ping.tmp" <<'STUB'
#!/bin/sh
# Stub for the Raveberry benchmark: the original pings 1.1.1.1 at start-up; pretend we are offline.
exit 1
STUB
chmod +x "$RAVEBERRY_STUB_BIN/ping.tmp"
mv -f "$RAVEBERRY_STUB_BIN/ping.tmp" "$RAVEBERRY_STUB_BIN/ping"

if [[ ! -x $RAVEBERRY_VENV/bin/python3 ]]; then
    python=${RAVEBERRY_PYTHON:-}
    if [[ -z $python ]]; then
        if [[ -x /usr/bin/python3 ]]; then python=/usr/bin/python3; else python=python3; fi
    fi
    echo "raveberry-setup: creating the virtualenv $RAVEBERRY_VENV with $python" >&2
    "$python" -m venv "$RAVEBERRY_VENV"
fi

installed=$("$RAVEBERRY_VENV/bin/python3" - <<'PY' 2>/dev/null || true
from importlib import metadata
try:
    print(metadata.version("raveberry"))
except metadata.PackageNotFoundError:
    pass
PY
)
# The [run] extra is complete when daphne and channels_redis import.
if [[ $installed == "$RAVEBERRY_VERSION" ]] \
    && "$RAVEBERRY_VENV/bin/python3" -c 'import daphne, channels_redis, django, celery' 2>/dev/null; then
    echo "raveberry-setup: raveberry $installed already installed in $RAVEBERRY_VENV" >&2
else
    echo "raveberry-setup: pip install 'raveberry[run]==$RAVEBERRY_VERSION' (a few minutes)" >&2
    "$RAVEBERRY_VENV/bin/pip" install -q --disable-pip-version-check "raveberry[run]==$RAVEBERRY_VERSION" >&2
fi

package_dir=$(raveberry_package_dir)
[[ -f $package_dir/manage.py ]] || { echo "error: no manage.py in $package_dir" >&2; exit 1; }
# Raveberry's song cache defaults to ~/Music/raveberry/ (created at start-up); keep it in RAVEBERRY_DIR.
mkdir -p "$RAVEBERRY_DIR/song-cache"
if [[ $(cat "$package_dir/config/cache_dir" 2>/dev/null) != "$RAVEBERRY_DIR/song-cache" ]]; then
    printf '%s' "$RAVEBERRY_DIR/song-cache" >"$package_dir/config/cache_dir"
fi
echo "raveberry-setup: ready: Raveberry $RAVEBERRY_VERSION in $package_dir" >&2
