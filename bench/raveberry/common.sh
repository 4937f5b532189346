# shellcheck shell=bash
# Shared by the Raveberry bench scripts (sourced, not run): paths, and functions that start, prepare
# and stop the original Raveberry 0.11.5 next to a private redis-server, all on loopback.
#
#   raveberry_start RUN_DIR     redis on a free 127.0.0.1 port, then Raveberry; waits for /musiq/
#   raveberry_queue RUN_DIR     puts a votable song in the queue (Django ORM, no internet needed)
#   raveberry_stop RUN_DIR      SIGINT to raveberry, then its process group, then redis
#   raveberry_server_pid RUN_DIR   the process that serves HTTP (for RSS)
#
# RUN_DIR/state holds what was started (sourced by the later calls), RUN_DIR/*.log the output.
#
# Environment:
#   RAVEBERRY_DIR            install folder of setup.sh (default bench/out/raveberry)
#   RAVEBERRY_PORT           unset: `raveberry run --nomopidy`, which always serves on 0.0.0.0:8080
#                            (hard-coded `manage.py runserver 0:8080`; 8080 must be free).
#                            A number, or `free`: the same two commands `raveberry run` runs
#                            (`manage.py migrate`, `manage.py runserver`) with the same environment,
#                            but on 127.0.0.1:PORT (or a free port).
#   RAVEBERRY_START_TIMEOUT  seconds to wait for /musiq/ (default 180; the first start migrates)

RAVEBERRY_BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RAVEBERRY_REPO_ROOT=$(cd "$RAVEBERRY_BENCH_DIR/../.." && pwd)
RAVEBERRY_DIR=${RAVEBERRY_DIR:-$RAVEBERRY_REPO_ROOT/bench/out/raveberry}
RAVEBERRY_VERSION=${RAVEBERRY_VERSION:-0.11.5}
RAVEBERRY_VENV=$RAVEBERRY_DIR/venv
RAVEBERRY_STUB_BIN=$RAVEBERRY_DIR/stub-bin

# The installed package folder (holds manage.py, the SQLite database db.sqlite3 and the settings).
raveberry_package_dir() {
    "$RAVEBERRY_VENV/bin/python3" -c 'import os, raveberry; print(os.path.dirname(raveberry.__file__))'
}

raveberry_free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Whether PORT can be bound on all interfaces (what `runserver 0:8080` needs).
raveberry_port_is_free() {
    python3 - "$1" <<'PY'
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("0.0.0.0", int(sys.argv[1])))
except OSError:
    sys.exit(1)
PY
}

# Runs the environment Raveberry needs: stub ping and the venv's python3 first on PATH (it calls
# `python3 manage.py ...`), the private redis port, Django's debug settings as `raveberry run` uses.
raveberry_env() {
    env PATH="$RAVEBERRY_STUB_BIN:$RAVEBERRY_VENV/bin:$PATH" REDIS_HOST=127.0.0.1 REDIS_PORT="$REDIS_PORT" \
        DJANGO_DEBUG=1 PYTHONUNBUFFERED=1 "$@"
}

# `manage.py shell` in the package folder with stdin as the script (server may or may not run).
raveberry_shell() {
    local run_dir=$1
    # shellcheck source=/dev/null
    source "$run_dir/state"
    (cd "$(raveberry_package_dir)" && raveberry_env python3 manage.py shell)
}

raveberry_start() {
    local run_dir=$1 timeout=${RAVEBERRY_START_TIMEOUT:-180} package_dir deadline
    if [[ ! -x $RAVEBERRY_VENV/bin/raveberry || ! -x $RAVEBERRY_STUB_BIN/ping ]]; then
        echo "error: Raveberry is not installed in $RAVEBERRY_DIR; run bench/raveberry/setup.sh" >&2
        return 1
    fi
    for tool in redis-server redis-cli curl ffmpeg mopidy; do
        command -v "$tool" >/dev/null || { echo "error: $tool missing; run bench/raveberry/setup.sh" >&2; return 1; }
    done
    mkdir -p "$run_dir"
    if [[ -f $run_dir/state ]]; then
        echo "error: $run_dir/state exists: a Raveberry started there may still run (bench/raveberry/stop.sh $run_dir)" >&2
        return 1
    fi
    package_dir=$(raveberry_package_dir)

    REDIS_PORT=$(raveberry_free_port)
    setsid redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
        --dir "$run_dir" --protected-mode yes </dev/null >"$run_dir/redis.log" 2>&1 &
    REDIS_PID=$!
    {
        echo "REDIS_PORT=$REDIS_PORT"
        echo "REDIS_PID=$REDIS_PID"
    } >"$run_dir/state"
    deadline=$((SECONDS + 20))
    until [[ $(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null) == PONG ]]; do
        if ! kill -0 "$REDIS_PID" 2>/dev/null || ((SECONDS >= deadline)); then
            echo "error: redis-server did not answer on 127.0.0.1:$REDIS_PORT; its log:" >&2
            tail -n 20 "$run_dir/redis.log" >&2
            return 1
        fi
        sleep 0.1
    done

    # The first start creates the users admin (ADMIN_PASSWORD, else "admin") and mod ("mod"): use a
    # random admin password, kept in RAVEBERRY_DIR/admin-password, not Raveberry's default.
    if [[ ! -s $RAVEBERRY_DIR/admin-password ]]; then
        (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(12))' >"$RAVEBERRY_DIR/admin-password")
    fi
    # Left-overs of an earlier run (a recovered current song, queued bench songs, sessions) go first;
    # an admin password from an older install is replaced by the one in admin-password.
    if [[ -f $package_dir/db.sqlite3 ]]; then
        if ! (cd "$package_dir" && ADMIN_PASSWORD="$(cat "$RAVEBERRY_DIR/admin-password")" \
            raveberry_env python3 manage.py shell -c '
import os
from django.contrib.auth.models import User
from django.contrib.sessions.models import Session
from core import models
models.CurrentSong.objects.all().delete()
models.QueuedSong.objects.all().delete()
Session.objects.all().delete()
admin = User.objects.filter(username="admin").first()
if admin and not admin.check_password(os.environ["ADMIN_PASSWORD"]):
    admin.set_password(os.environ["ADMIN_PASSWORD"])
    admin.save()') >"$run_dir/reset.log" 2>&1; then
            echo "error: could not reset Raveberry's database; log:" >&2
            tail -n 20 "$run_dir/reset.log" >&2
            return 1
        fi
    fi

    local mode port
    # A script's background jobs start with SIGINT ignored, and Python then never turns SIGINT into the
    # KeyboardInterrupt that Raveberry's clean-up needs: restore the default before starting it.
    local sigint_default=(python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])')
    local environment=(env PATH="$RAVEBERRY_STUB_BIN:$RAVEBERRY_VENV/bin:$PATH" REDIS_HOST=127.0.0.1
        REDIS_PORT="$REDIS_PORT" DJANGO_DEBUG=1 PYTHONUNBUFFERED=1
        ADMIN_PASSWORD="$(cat "$RAVEBERRY_DIR/admin-password")")
    if [[ -z ${RAVEBERRY_PORT:-} ]]; then
        mode=run
        port=8080
        if ! raveberry_port_is_free "$port"; then
            echo "error: port 8080 is in use; \`raveberry run\` always serves on 0.0.0.0:8080." >&2
            echo "       Stop what uses it, or set RAVEBERRY_PORT=free to run its runserver on a free loopback port." >&2
            return 1
        fi
        # Own session and process group: stop.sh signals the whole group (raveberry, the runserver
        # autoreloader and the server process it forks).
        (cd "$package_dir" && exec setsid "${environment[@]}" "${sigint_default[@]}" \
            "$RAVEBERRY_VENV/bin/raveberry" run --nomopidy) </dev/null >"$run_dir/raveberry.log" 2>&1 &
    else
        mode=runserver
        port=$RAVEBERRY_PORT
        [[ $port == free ]] && port=$(raveberry_free_port)
        # shellcheck disable=SC2016  # expanded by the inner bash
        # Exactly what `raveberry run --nomopidy` does (raveberry/__main__ run_server), but bound to loopback:
        # first-run preparation, migrate, then the debug server without Celery.
        (cd "$package_dir" && exec setsid "${environment[@]}" "${sigint_default[@]}" bash -c '
            if [[ ! -f db.sqlite3 ]]; then bash setup/user_prepare.sh; fi
            python3 manage.py migrate
            exec env DJANGO_NO_CELERY=1 python3 manage.py runserver "127.0.0.1:$0"' "$port" \
            ) </dev/null >"$run_dir/raveberry.log" 2>&1 &
    fi
    RAVEBERRY_PID=$!
    {
        echo "RAVEBERRY_PID=$RAVEBERRY_PID"
        echo "RAVEBERRY_PGID=$RAVEBERRY_PID"
        echo "RAVEBERRY_HTTP_PORT=$port"
        echo "RAVEBERRY_MODE=$mode"
    } >>"$run_dir/state"

    deadline=$((SECONDS + timeout))
    until curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/musiq/" 2>/dev/null; do
        if ! kill -0 "$RAVEBERRY_PID" 2>/dev/null; then
            echo "error: raveberry exited before answering; its log:" >&2
            tail -n 30 "$run_dir/raveberry.log" >&2
            return 1
        fi
        if ((SECONDS >= deadline)); then
            echo "error: http://127.0.0.1:$port/musiq/ did not answer within ${timeout}s; log:" >&2
            tail -n 30 "$run_dir/raveberry.log" >&2
            return 1
        fi
        sleep 0.5
    done
}

# Every process in process group PGID, one PID a line.
raveberry_group_members() {
    ps -e -o pid=,pgid= | awk -v g="$1" '$2 == g { print $1 }'
}

# Waits up to SECONDS for group PGID to be empty; returns 1 if members remain.
raveberry_wait_group() {
    local pgid=$1 seconds=$2 i
    for ((i = 0; i < seconds * 10; i++)); do
        [[ -z $(raveberry_group_members "$pgid") ]] && return 0
        sleep 0.1
    done
    [[ -z $(raveberry_group_members "$pgid") ]]
}

raveberry_stop() {
    local run_dir=$1 i
    [[ -f $run_dir/state ]] || return 0
    local RAVEBERRY_PID="" RAVEBERRY_PGID="" REDIS_PID=""
    # shellcheck source=/dev/null
    source "$run_dir/state"
    if [[ -n ${RAVEBERRY_PID:-} ]]; then
        # SIGINT is what Raveberry's own cleanup expects (KeyboardInterrupt); SIGTERM orphans its children.
        kill -INT "$RAVEBERRY_PID" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$RAVEBERRY_PID" 2>/dev/null || break
            sleep 0.1
        done
        # Then whatever it left behind (the runserver processes), as Ctrl-C would: by process group.
        if [[ -n $(raveberry_group_members "$RAVEBERRY_PGID") ]]; then
            kill -INT -- "-$RAVEBERRY_PGID" 2>/dev/null || true
            if ! raveberry_wait_group "$RAVEBERRY_PGID" 10; then
                echo "warning: Raveberry processes $(raveberry_group_members "$RAVEBERRY_PGID" | xargs) ignored SIGINT; SIGTERM" >&2
                kill -TERM -- "-$RAVEBERRY_PGID" 2>/dev/null || true
                if ! raveberry_wait_group "$RAVEBERRY_PGID" 5; then
                    kill -KILL -- "-$RAVEBERRY_PGID" 2>/dev/null || true
                    raveberry_wait_group "$RAVEBERRY_PGID" 5 || true
                fi
            fi
        fi
        wait "$RAVEBERRY_PID" 2>/dev/null || true
    fi
    if [[ -n ${REDIS_PID:-} ]] && kill -0 "$REDIS_PID" 2>/dev/null; then
        kill -TERM "$REDIS_PID" 2>/dev/null || true
        for ((i = 0; i < 50; i++)); do
            kill -0 "$REDIS_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$REDIS_PID" 2>/dev/null || true
        wait "$REDIS_PID" 2>/dev/null || true
    fi
    rm -f "$run_dir/state"
}

# The process (in Raveberry's group) that listens on its HTTP port: the `manage.py runserver`
# child with RUN_MAIN=true (the autoreloader parent only restarts it).
raveberry_server_pid() {
    local run_dir=$1
    # shellcheck source=/dev/null
    source "$run_dir/state"
    python3 - "$RAVEBERRY_HTTP_PORT" "$RAVEBERRY_PGID" <<'PY'
import os, sys
port, pgid = int(sys.argv[1]), sys.argv[2]
inodes = set()
for table in ("/proc/net/tcp", "/proc/net/tcp6"):
    try:
        with open(table) as f:
            next(f)
            for line in f:
                fields = line.split()
                if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:  # LISTEN
                    inodes.add(fields[9])
    except OSError:
        pass
for pid in filter(str.isdigit, os.listdir("/proc")):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
        if stat[stat.rindex(")") + 2:].split()[2] != pgid:
            continue
        for fd in os.listdir(f"/proc/{pid}/fd"):
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
            if link.startswith("socket:[") and link[8:-1] in inodes:
                print(pid)
                sys.exit(0)
    except OSError:
        continue
sys.exit(1)
PY
}

# Puts a votable song in the queue of the running Raveberry (see queue_song.py) and waits until its
# state shows a current song and that song in the queue. Writes RUN_DIR/queue.json
# ({"key", "sessions", ...}). BENCH_SESSIONS voters (default 50).
raveberry_queue() {
    local run_dir=$1 deadline line
    # shellcheck source=/dev/null
    source "$run_dir/state"
    line=$(raveberry_shell "$run_dir" <"$RAVEBERRY_BENCH_DIR/queue_song.py" 2>"$run_dir/queue_song.log" | grep '^BENCH ' | tail -n 1) || true
    if [[ -z $line ]]; then
        echo "error: queue_song.py printed no result; its log:" >&2
        tail -n 20 "$run_dir/queue_song.log" >&2
        return 1
    fi
    printf '%s\n' "${line#BENCH }" >"$run_dir/queue.json"
    deadline=$((SECONDS + 30))
    until curl -fsS --max-time 5 "http://127.0.0.1:$RAVEBERRY_HTTP_PORT/ajax/musiq/state/" 2>/dev/null |
        python3 -c '
import json, sys
state = json.load(sys.stdin)["musiq"]
key = json.load(open(sys.argv[1]))["key"]
sys.exit(0 if state["currentSong"] and any(s["id"] == key for s in state["songQueue"]) else 1)' "$run_dir/queue.json"; do
        if ((SECONDS >= deadline)); then
            echo "error: Raveberry's state does not show the queued bench song after 30 s" >&2
            return 1
        fi
        sleep 0.5
    done
}
