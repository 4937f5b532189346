#!/usr/bin/env bash
# Vote throughput, latency and web-process memory: Ravebox and the original Raveberry 0.11.5, side by
# side in one run, both on loopback, both driven by wrk the same way (50 keep-alive connections, 2
# threads, 15 s, a pool of distinct voters, votes alternating so the song is never voted out).
#
#   Ravebox:   `ravebox run --host 127.0.0.1 --audio-device null --admin-password ...` on a fresh data
#              folder with the demo library; as admin (POST /api/session/login) the settings
#              RAVEBOX_BENCH_SETTINGS: upAndDown, and oneVotePerDevice off, since every connection comes
#              from 127.0.0.1 and would otherwise be one voter; one song playing (paused), one queued;
#              wrk sends PUT /api/queue/{entryId}/vote {"vote": 1 | -1 | 0} with Content-Type:
#              application/json, Origin: http://127.0.0.1:PORT and Cookie: rb_session=<token>, the next
#              voter of a pool of VOTE_VOTERS for every request (each voter may vote 10 times per 30 s;
#              429s are counted on their own). The box issues session tokens itself, so each pool voter
#              begins its session with a vote of 0 before the run (the token comes in its Set-Cookie),
#              and CONNECTIONS other voters vote +1 once, so that the net votes stay far above the kick
#              threshold whatever order the in-flight votes land in.
#   Raveberry: installed by bench/raveberry/setup.sh, started by bench/raveberry/common.sh
#              (`raveberry run --nomopidy`, Django debug server, SQLite, private redis); a queued song
#              made through its ORM (bench/raveberry/queue_song.py); wrk sends
#              POST /ajax/musiq/vote/ key=<id>&amount=1|-1 (form, CSRF-exempt) with
#              Cookie: sessionid=<one of VOTE_CONNECTIONS pre-made Django sessions>.
#
# Memory is VmRSS of the process that serves HTTP (Ravebox: the `ravebox web` child; Raveberry: the
# `manage.py runserver` child that listens), sampled every 0.2 s during the run: the maximum is reported.
# CPU is that process's user + system time during the run divided by its length (1.00 = one core busy).
#
# Prints a table and one key=value line; keeps wrk's output, the Lua scripts and the logs in
# bench/out/vote/ (result.txt is the table).
#
# With VOTE_URL (http://HOST:PORT of a running box, such as one booted in QEMU by bench/vote-sd.py), only the
# Ravebox half runs, against that box: VOTE_ADMIN_PASSWORD is its admin password, the library is its own, and
# the web process's RSS and CPU are not measured (it may be another machine's).
#
# Usage: bench/vote.sh [ravebox|raveberry]   (default: both)
# Environment: RAVEBOX_BIN, VOTE_DURATION (15), VOTE_CONNECTIONS (50), VOTE_THREADS (2),
#   VOTE_VOTERS (Ravebox voter pool, 20000), VOTE_START_TIMEOUT (60), RAVEBOX_RUN_ARGS (extra
#   `ravebox run` arguments), RAVEBOX_BENCH_SETTINGS (JSON for PATCH /api/settings as admin before the
#   run, default {"interactivity":"upAndDown","oneVotePerDevice":false}; empty skips it),
#   VOTE_SKIP_SETUP=1 (do not run bench/raveberry/setup.sh), RAVEBERRY_* (bench/raveberry/common.sh),
#   VOTE_BIAS (voters who vote +1 once before the run, default VOTE_CONNECTIONS),
#   VOTE_URL, VOTE_ADMIN_PASSWORD and VOTE_HOST (a running box, above; VOTE_HOST is the Host header to send,
#   by default the URL's).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
# shellcheck source=bench/raveberry/common.sh
source "$BENCH_ROOT/bench/raveberry/common.sh"

which_halves=${1:-both}
case $which_halves in
both | ravebox | raveberry) ;;
*)
    echo "usage: $0 [ravebox|raveberry]" >&2
    exit 2
    ;;
esac

duration=${VOTE_DURATION:-15}
connections=${VOTE_CONNECTIONS:-50}
threads=${VOTE_THREADS:-2}
voters=${VOTE_VOTERS:-20000}
start_timeout=${VOTE_START_TIMEOUT:-60}
vote_url=${VOTE_URL:-}
# Voters who vote +1 once before the run, so the net votes stay far from the kick threshold.
bias=${VOTE_BIAS:-$connections}
# The Host header of every request to the box (a booted image answers only to its own names, such as
# localhost, and sends any other host to its party page, as a captive portal does).
vote_host=${VOTE_HOST:-}
admin_password=${VOTE_ADMIN_PASSWORD:-ravebox-bench}
if [[ -n $vote_url ]]; then
    which_halves=ravebox
fi
bench_settings=${RAVEBOX_BENCH_SETTINGS-'{"interactivity": "upAndDown", "oneVotePerDevice": false}'}
out=$BENCH_ROOT/bench/out/vote
mkdir -p "$out"

if [[ $which_halves != raveberry && -z $vote_url ]]; then
    require_ravebox
fi
if [[ $which_halves != ravebox && ${VOTE_SKIP_SETUP:-0} != 1 ]]; then
    "$BENCH_ROOT/bench/raveberry/setup.sh"
fi
require_tools wrk curl python3 ffmpeg

work=$(mktemp -d)
ravebox_pid=""
ravebox_children=()
sampler_pid=""

stop_ravebox() {
    stop_supervisor "$ravebox_pid" "${ravebox_children[@]}"
    ravebox_pid=""
    ravebox_children=()
}

stop_sampler() {
    if [[ -n $sampler_pid ]]; then
        kill -TERM "$sampler_pid" 2>/dev/null || true
        wait "$sampler_pid" 2>/dev/null || true
        sampler_pid=""
    fi
}

# shellcheck disable=SC2317  # called by the EXIT trap
cleanup() {
    stop_sampler
    stop_ravebox
    raveberry_stop "$work/raveberry-run"
    [[ -f $work/ravebox.log ]] && cp "$work/ravebox.log" "$out/ravebox.log"
    [[ -f $work/raveberry-run/raveberry.log ]] && cp "$work/raveberry-run/raveberry.log" "$out/raveberry.log"
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# start_sampler PID FILE: VmRSS of PID every 0.2 s into FILE (MiB, one a line), for at most duration+30 s.
start_sampler() {
    python3 - "$1" "$2" "$((duration + 30))" <<'PY' &
import sys, time
pid, path, limit = sys.argv[1], sys.argv[2], float(sys.argv[3])
end = time.monotonic() + limit
with open(path, "w") as out:
    while time.monotonic() < end:
        try:
            with open(f"/proc/{pid}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        out.write(f"{int(line.split()[1]) / 1024:.1f}\n")
                        out.flush()
        except OSError:
            break
        time.sleep(0.2)
PY
    sampler_pid=$!
}

# CPU seconds (user + system) PID has used so far.
cpu_seconds() {
    python3 - "$1" <<'PY'
import os, sys
with open(f"/proc/{sys.argv[1]}/stat") as f:
    fields = f.read().rsplit(")", 1)[1].split()
print((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
PY
}

rss_now() {
    awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"
}

# run_wrk NAME URL LUA ARGS...: wrk with the bench parameters; output in $out/NAME-wrk.txt.
run_wrk() {
    local name=$1 url=$2 lua=$3
    shift 3
    echo "vote: $name: wrk -t$threads -c$connections -d${duration}s against $url" >&2
    timeout --signal=INT --kill-after=10 $((duration + 30)) \
        wrk -t"$threads" -c"$connections" -d"${duration}s" --timeout 30s --latency -s "$lua" "$url" -- "$@" \
        >"$out/$name-wrk.txt" 2>&1 || {
        echo "error: wrk failed for $name; its output:" >&2
        cat "$out/$name-wrk.txt" >&2
        return 1
    }
}

# Shared Lua: per-thread status counts gathered in done(), with exact percentiles (µs).
lua_common='
threads = {}
local thread_count = 0
function setup(thread)
    thread:set("id", thread_count)
    thread_count = thread_count + 1
    table.insert(threads, thread)
end
statuses = {}
function response(status, headers, body)
    statuses[status] = (statuses[status] or 0) + 1
end
function done(summary, latency, requests)
    local total = {}
    for _, t in ipairs(threads) do
        for code, n in pairs(t:get("statuses")) do total[code] = (total[code] or 0) + n end
    end
    for code, n in pairs(total) do io.write(string.format("STATUS %d %d\n", code, n)) end
    io.write(string.format("LATENCY_US p50=%d p90=%d p99=%d max=%d mean=%.1f\n",
        latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
    local e = summary.errors
    io.write(string.format("SUMMARY requests=%d duration_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
        summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout))
end
'

# Each request is voter i of this thread (round robin over VOTERS/threads uuids, distinct per thread and
# per run); voter i casts 1, -1, 0, 1, ... starting at phase i, so at any moment about a third of the
# voters stand at each value and the net votes stay near the bias, far from the kick threshold.
cat >"$out/ravebox-vote.lua" <<EOF
$lua_common
local values = { "1", "-1", "0" }
local visits = 0
local mine = {}
function init(args)
    entry, origin, host = args[1], args[2], args[5]
    path = "/api/queue/" .. entry .. "/vote"
    local n = 0
    for line in io.lines(args[3]) do
        if n % tonumber(args[4]) == id then table.insert(mine, line) end
        n = n + 1
    end
    if #mine == 0 then error("no voters for thread " .. id) end
end
function request()
    local i = visits % #mine
    local pass = math.floor(visits / #mine)
    visits = visits + 1
    return wrk.format("PUT", path, {
        ["Content-Type"] = "application/json",
        ["Origin"] = origin,
        ["Host"] = host,
        ["Cookie"] = "rb_session=" .. mine[i + 1],
    }, '{"vote": ' .. values[(pass + i) % 3 + 1] .. '}')
end
EOF

# Raveberry's votes are deltas (+1/-1), not values: each session alternates +1, -1 per pass over the
# pool, so the net stays within [start, start + sessions]; the song starts at 1000 votes (queue_song.py).
cat >"$out/raveberry-vote.lua" <<EOF
$lua_common
local mine = {}
local visits = 0
function init(args)
    key = args[1]
    local n = 0
    for line in io.lines(args[2]) do
        if n % tonumber(args[3]) == id then table.insert(mine, line) end
        n = n + 1
    end
    if #mine == 0 then error("no sessions for thread " .. id) end
end
function request()
    local i = visits % #mine
    local amount = (math.floor(visits / #mine) % 2 == 0) and "1" or "-1"
    visits = visits + 1
    return wrk.format("POST", "/ajax/musiq/vote/", {
        ["Content-Type"] = "application/x-www-form-urlencoded",
        ["Cookie"] = "sessionid=" .. mine[i + 1],
    }, "key=" .. key .. "&amount=" .. amount)
end
EOF

# parse_wrk NAME RSS_IDLE RSS_FILE CPU_SECONDS: one JSON line of figures from $out/NAME-wrk.txt.
parse_wrk() {
    python3 - "$out/$1-wrk.txt" "$2" "$3" "$4" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
statuses = {int(c): int(n) for c, n in re.findall(r"^STATUS (\d+) (\d+)$", text, re.M)}
lat = dict((k, float(v)) for k, v in re.findall(r"(\w+)=([\d.]+)", re.search(r"^LATENCY_US (.*)$", text, re.M).group(1)))
summary = dict((k, int(v)) for k, v in re.findall(r"(\w+)=(\d+)", re.search(r"^SUMMARY (.*)$", text, re.M).group(1)))
seconds = summary["duration_us"] / 1e6
ok = sum(n for c, n in statuses.items() if 200 <= c < 300)
samples = [float(x) for x in open(sys.argv[3]).read().split()] if sys.argv[3] else []
print(json.dumps({
    "requests_per_s": summary["requests"] / seconds,
    "votes_per_s": ok / seconds,
    "p50_ms": lat["p50"] / 1000, "p99_ms": lat["p99"] / 1000, "max_ms": lat["max"] / 1000,
    "ok": ok, "n429": statuses.get(429, 0),
    "other": sum(n for c, n in statuses.items() if not 200 <= c < 300 and c != 429),
    "statuses": {str(c): n for c, n in sorted(statuses.items())},
    "socket_errors": summary["connect"] + summary["read"] + summary["write"] + summary["timeout"],
    "rss_idle_mib": float(sys.argv[2]) if sys.argv[2] else None,
    "rss_max_mib": max(samples) if samples else None,
    "cpu_cores": float(sys.argv[4]) / seconds if sys.argv[4] else None,
}))
PY
}

# ---------------------------------------------------------------------------------------------------
# Ravebox
ravebox_result=""
ravebox_error=""

ravebox_half() {
    local port base origin songs filler target code body web_pid="" entry_state
    local deadline=$((SECONDS + start_timeout))
    if [[ -n $vote_url ]]; then
        base=${vote_url%/}
        port=${base##*:}
    else
        "$BENCH_ROOT/scripts/make-demo-library.sh" "$work/demo" >/dev/null
        port=$(raveberry_free_port)
        base=http://127.0.0.1:$port
        mkdir -p "$work/ravebox"
        # shellcheck disable=SC2086  # RAVEBOX_RUN_ARGS is a list of words
        (cd "$work/ravebox" && exec "$RAVEBOX_BIN" run --data "$work/ravebox/data" --host 127.0.0.1 --port "$port" \
            --library "$work/demo" --audio-device null --admin-password "$admin_password" ${RAVEBOX_RUN_ARGS:-}) \
            </dev/null >"$work/ravebox.log" 2>&1 &
        ravebox_pid=$!
    fi
    local host=${vote_host:-${base#http://}}
    origin=http://$host
    until curl -fsS -o /dev/null --max-time 2 -H "Host: $host" "$base/api/state" 2>/dev/null; do
        if { [[ -n $ravebox_pid ]] && ! kill -0 "$ravebox_pid" 2>/dev/null; } || ((SECONDS >= deadline)); then
            ravebox_error="ravebox did not answer $base/api/state (log: bench/out/vote/ravebox.log)"
            return 1
        fi
        sleep 0.2
    done
    # The library scan runs in the background: wait for two songs.
    until songs=$(curl -fsS --max-time 5 -H "Host: $host" "$base/api/search?limit=2" 2>/dev/null | python3 -c '
import json, sys
try:
    songs = json.load(sys.stdin)
except ValueError:
    sys.exit(1)
sys.exit(1) if len(songs) < 2 else print(songs[0]["id"], songs[1]["id"])'); do
        if ((SECONDS >= deadline)); then
            ravebox_error="the demo library did not show up in GET /api/search"
            return 1
        fi
        sleep 0.2
    done
    read -r filler target <<<"$songs"
    if [[ -n $ravebox_pid ]]; then
        mapfile -t ravebox_children < <(pgrep -P "$ravebox_pid" || true)
        web_pid=$(for child in "${ravebox_children[@]}"; do
            tr '\0' ' ' <"/proc/$child/cmdline" 2>/dev/null | awk -v p="$child" '$2 == "web" || $3 == "web" { print p }'
        done | head -n 1)
        if [[ -z $web_pid ]]; then
            ravebox_error="no 'ravebox web' child under the supervisor $ravebox_pid"
            return 1
        fi
    fi

    # request JAR METHOD PATH [JSON]: prints "STATUS BODY".
    request() {
        local jar=$1 method=$2 path=$3 data=${4:-}
        local args=(-sS --max-time 10 -o "$work/body" -w '%{http_code}' -X "$method" -H "Origin: $origin" -H "Host: $host"
            -b "$jar" -c "$jar")
        [[ -n $data ]] && args+=(-H 'Content-Type: application/json' --data "$data")
        local status
        status=$(curl "${args[@]}" "$base$path") || status=000
        printf '%s %s' "$status" "$(head -c 400 "$work/body" 2>/dev/null)"
    }

    # Log in as admin (the password given to `ravebox run`) for the settings and the pause.
    read -r code body <<<"$(request "$work/admin.jar" POST /api/session/login \
        "{\"role\": \"admin\", \"password\": \"$admin_password\"}")"
    [[ $code == 2* ]] || { ravebox_error="POST /api/session/login as admin answered $code: $body"; return 1; }
    if [[ -n $bench_settings ]]; then
        read -r code body <<<"$(request "$work/admin.jar" PATCH /api/settings "$bench_settings")"
        [[ $code == 2* ]] || { ravebox_error="PATCH /api/settings $bench_settings answered $code: $body"; return 1; }
        echo "vote: ravebox: settings $bench_settings" >&2
    fi

    # One song playing (then paused, so nothing moves during the run), one queued: the vote target.
    read -r code body <<<"$(request "$work/requester.jar" POST /api/queue "{\"songId\": $filler}")"
    [[ $code == 2* ]] || { ravebox_error="POST /api/queue answered $code: $body"; return 1; }
    until curl -fsS --max-time 2 -H "Host: $host" "$base/api/state" | python3 -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["currentSong"] else 1)'; do
        ((SECONDS < deadline)) || { ravebox_error="the first request did not start playing"; return 1; }
        sleep 0.1
    done
    read -r code body <<<"$(request "$work/admin.jar" POST /api/playback/pause)"
    [[ $code == 2* ]] || echo "warning: POST /api/playback/pause answered $code: $body" >&2
    read -r code body <<<"$(request "$work/requester.jar" POST /api/queue "{\"songId\": $target}")"
    [[ $code == 2* ]] || { ravebox_error="POST /api/queue answered $code: $body"; return 1; }
    entry=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["entry"]["id"])' "$body") ||
        { ravebox_error="POST /api/queue gave no entry: $body"; return 1; }

    # Does the route exist? One vote by hand first.
    read -r code body <<<"$(request "$work/probe.jar" PUT "/api/queue/$entry/vote" '{"vote": 1}')"
    case $code in
    200) ;;
    404 | 405)
        ravebox_error="PUT /api/queue/$entry/vote answered $code ($body): this ravebox ($RAVEBOX_BIN) has no vote route"
        return 1
        ;;
    *)
        ravebox_error="PUT /api/queue/$entry/vote answered $code, expected 200: $body"
        return 1
        ;;
    esac

    # Bias: VOTE_BIAS voters (CONNECTIONS by default) vote +1 once, so reordered in-flight -1s never reach the kick threshold.
    # Warm-up: every pool voter begins its session with a vote of 0 (which changes no count), as a guest's
    # first tap does; the box answers with the session's token, which the voter then sends.
    if ! python3 - "$port" "$entry" "$bias" "$voters" "$work/ravebox-voters.txt" "$host" <<'PY'
import http.client, sys
port, entry, bias, voters, tokens_file = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
host = sys.argv[6]
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
origin = f"http://{host}"

def vote(value):
    conn.request("PUT", f"/api/queue/{entry}/vote", body=b'{"vote": %d}' % value,
                 headers={"Content-Type": "application/json", "Origin": origin, "Host": host})
    response = conn.getresponse(); response.read()
    cookie = response.getheader("Set-Cookie") or ""
    return response.status, cookie.split(";", 1)[0].removeprefix("rb_session=")

for i in range(bias):
    status, _ = vote(1)
    if status != 200:
        print(f"warning: bias vote {i} answered {status}", file=sys.stderr)
        break
with open(tokens_file, "w") as tokens:
    for i in range(voters):
        status, token = vote(0)
        if status != 200 or not token:
            sys.exit(f"warm-up vote {i} answered {status} without a session")
        tokens.write(token + "\n")
PY
    then
        ravebox_error="the warm-up of the voters failed"
        return 1
    fi
    local rss_idle="" rss_file="" cpu_before="" cpu=""
    if [[ -n $web_pid ]]; then
        rss_idle=$(rss_now "$web_pid")
        rss_file=$work/ravebox-rss.txt
        start_sampler "$web_pid" "$rss_file"
        cpu_before=$(cpu_seconds "$web_pid")
    fi
    run_wrk ravebox "$base/" "$out/ravebox-vote.lua" "$entry" "$origin" "$work/ravebox-voters.txt" "$threads" \
        "$host" || {
        ravebox_error="wrk failed"
        return 1
    }
    if [[ -n $web_pid ]]; then
        cpu=$(python3 -c 'import sys; print(float(sys.argv[1]) - float(sys.argv[2]))' "$(cpu_seconds "$web_pid")" "$cpu_before")
        stop_sampler
    fi
    ravebox_result=$(parse_wrk ravebox "$rss_idle" "$rss_file" "$cpu")
    entry_state=$(curl -fsS --max-time 5 -H "Host: $host" "$base/api/state" | python3 -c '
import json, sys
state = json.load(sys.stdin)
entries = [e for e in state["queue"] if e["id"] == int(sys.argv[1])]
print("votes=%d" % entries[0]["votes"] if entries else "gone")' "$entry") || entry_state=unknown
    echo "vote: ravebox: entry $entry after the run: $entry_state" >&2
    if [[ $entry_state == gone ]]; then
        echo "warning: the voted entry left the queue during the run (kicked?): later votes failed" >&2
    fi
    stop_ravebox
}

# ---------------------------------------------------------------------------------------------------
# Raveberry
raveberry_result=""
raveberry_error=""

raveberry_half() {
    local run_dir=$work/raveberry-run server_pid key rss_idle port entry_state
    raveberry_start "$run_dir" || { raveberry_error="Raveberry did not start"; return 1; }
    BENCH_SESSIONS=$connections raveberry_queue "$run_dir" || { raveberry_error="no votable song"; return 1; }
    # shellcheck source=/dev/null
    source "$run_dir/state"
    port=$RAVEBERRY_HTTP_PORT
    key=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["key"])' "$run_dir/queue.json")
    python3 -c 'import json,sys; print("\n".join(json.load(open(sys.argv[1]))["sessions"]))' \
        "$run_dir/queue.json" >"$out/raveberry-sessions.txt"
    server_pid=$(raveberry_server_pid "$run_dir") || { raveberry_error="no process listens on $port"; return 1; }
    # One vote by hand first: 200 or stop here.
    local code
    code=$(curl -sS -o "$work/body" -w '%{http_code}' --max-time 10 \
        -b "sessionid=$(head -n 1 "$out/raveberry-sessions.txt")" -d "key=$key&amount=1" \
        "http://127.0.0.1:$port/ajax/musiq/vote/") || code=000
    [[ $code == 200 ]] || { raveberry_error="POST /ajax/musiq/vote/ answered $code: $(head -c 200 "$work/body")"; return 1; }
    rss_idle=$(rss_now "$server_pid")
    start_sampler "$server_pid" "$work/raveberry-rss.txt"
    local cpu_before cpu
    cpu_before=$(cpu_seconds "$server_pid")
    run_wrk raveberry "http://127.0.0.1:$port/" "$out/raveberry-vote.lua" "$key" "$out/raveberry-sessions.txt" \
        "$threads" || {
        raveberry_error="wrk failed"
        return 1
    }
    cpu=$(python3 -c 'import sys; print(float(sys.argv[1]) - float(sys.argv[2]))' "$(cpu_seconds "$server_pid")" "$cpu_before")
    stop_sampler
    raveberry_result=$(parse_wrk raveberry "$rss_idle" "$work/raveberry-rss.txt" "$cpu")
    entry_state=$(curl -fsS --max-time 10 "http://127.0.0.1:$port/ajax/musiq/state/" | python3 -c '
import json, sys
queue = json.load(sys.stdin)["musiq"]["songQueue"]
entries = [e for e in queue if e["id"] == int(sys.argv[1])]
print("votes=%d" % entries[0]["votes"] if entries else "gone")' "$key") || entry_state=unknown
    echo "vote: raveberry: song $key after the run: $entry_state (started at 1001)" >&2
    raveberry_stop "$run_dir"
}

status=0
if [[ $which_halves != raveberry ]]; then
    ravebox_half || { [[ -n $ravebox_error ]] || ravebox_error="failed"; }
    stop_sampler
    stop_ravebox
    if [[ -n $ravebox_error ]]; then
        echo "error: Ravebox half: $ravebox_error" >&2
        status=1
    fi
fi
if [[ $which_halves != ravebox ]]; then
    raveberry_half || { [[ -n $raveberry_error ]] || raveberry_error="failed"; }
    stop_sampler
    raveberry_stop "$work/raveberry-run"
    if [[ -n $raveberry_error ]]; then
        echo "error: Raveberry half: $raveberry_error (log: bench/out/vote/raveberry.log)" >&2
        status=1
    fi
fi

python3 - "$ravebox_result" "$raveberry_result" "$duration" "$connections" "$threads" <<'PY' | tee "$out/result.txt"
import json, sys
rows = [("ravebox", sys.argv[1]), ("raveberry", sys.argv[2])]
duration, connections, threads = sys.argv[3:6]
headers = ["system", "votes/s (2xx)", "requests/s", "p50 ms", "p99 ms", "max ms", "2xx", "429", "other non-2xx",
           "socket errors", "RSS before MiB", "RSS max MiB", "server CPU cores"]
table, figures = [headers], {}
def fmt(v, digits=1):
    return "-" if v is None else f"{v:,.{digits}f}"
for name, raw in rows:
    if not raw:
        table.append([name, "not measured"] + [""] * (len(headers) - 2))
        continue
    r = json.loads(raw)
    table.append([name, fmt(r["votes_per_s"]), fmt(r["requests_per_s"]), fmt(r["p50_ms"], 2), fmt(r["p99_ms"], 2),
                  fmt(r["max_ms"], 1), str(r["ok"]), str(r["n429"]), str(r["other"]), str(r["socket_errors"]),
                  fmt(r["rss_idle_mib"]), fmt(r["rss_max_mib"]), fmt(r["cpu_cores"], 2)])
    for key in ("votes_per_s", "requests_per_s", "p50_ms", "p99_ms"):
        figures[f"{name}_{key}"] = f"{r[key]:.2f}"
    figures[f"{name}_non2xx"] = str(r["n429"] + r["other"])
    figures[f"{name}_429"] = str(r["n429"])
    if r["rss_max_mib"] is not None:
        figures[f"{name}_rss_max_mib"] = f"{r['rss_max_mib']:.1f}"
    if r["cpu_cores"] is not None:
        figures[f"{name}_cpu_cores"] = f"{r['cpu_cores']:.2f}"
    if r["other"]:
        print(f"warning: {name}: non-2xx statuses {r['statuses']}", file=sys.stderr)
    if r["n429"] > 0.01 * (r["ok"] + r["n429"] + r["other"]):
        print(f"warning: {name}: {r['n429']} votes refused with 429 (rate limit per voter): raise VOTE_VOTERS, "
              "or the limit counts all of 127.0.0.1 as one voter", file=sys.stderr)
if sys.argv[1] and sys.argv[2]:
    a, b = json.loads(sys.argv[1])["votes_per_s"], json.loads(sys.argv[2])["votes_per_s"]
    figures["throughput_ratio_ravebox_over_raveberry"] = f"{a / b:.2f}" if b else "inf"
print(f"wrk: {threads} threads, {connections} keep-alive connections, {duration} s, loopback")
widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
for row in table:
    print("  ".join(c.ljust(widths[i]) if i == 0 else c.rjust(widths[i]) for i, c in enumerate(row)))
print(" ".join(f"{k}={v}" for k, v in figures.items()))
PY
exit "$status"
