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

# The benchmarks' music-like audio as an ffmpeg filter graph: SECONDS of stereo at RATE Hz ending in the
# label [music]. One beat = 0.5 s (120 BPM) with a kick; chords Am F C G change every 2 s over a bass
# line; off-beat hi-hats; a pink-noise bed. The right channel is slightly detuned and the noise beds
# differ, so the channels are not identical. Append more filters after `[music]` as needed:
#   ffmpeg -filter_complex "$(music_filter 60 48000);[music]anull[a]" -map '[a]' ...
music_filter() { # SECONDS RATE
    local seconds=$1 rate=$2
    local kick='0.5*sin(2*PI*(45*mod(t,0.5)+4*(1-exp(-25*mod(t,0.5)))))*exp(-7*mod(t,0.5))'
    local c='mod(floor(t/2),4)'
    local root="if(eq($c,0),110,if(eq($c,1),87.31,if(eq($c,2),130.81,98)))"
    local third="if(eq($c,0),1.1892,1.2599)"
    local bass="0.25*sin(2*PI*$root/2*t)*(0.6+0.4*exp(-6*mod(t,0.5)))"
    local hats='0.25*(2*random(0)-1)*exp(-40*mod(t+0.25,0.5))'
    local chord_l="0.07*(sin(2*PI*$root*2*t)+sin(2*PI*$root*2*$third*t)+sin(2*PI*$root*3*t))"
    local chord_r="0.07*(sin(2*PI*$root*2*1.002*t)+sin(2*PI*$root*2*$third*1.002*t)+sin(2*PI*$root*3*1.002*t))"
    printf '%s' "aevalsrc=exprs='$kick+$bass+$chord_l|$kick+$bass+$chord_r':s=$rate:d=$seconds[tone];\
aevalsrc=exprs='$hats|$hats':s=$rate:d=$seconds,highpass=f=5000[hats];\
anoisesrc=color=pink:seed=7:amplitude=0.02:r=$rate:d=$seconds[nl];\
anoisesrc=color=pink:seed=8:amplitude=0.02:r=$rate:d=$seconds[nr];\
[nl][nr]amerge=inputs=2[noise];\
[tone][hats][noise]amix=inputs=3:normalize=0,alimiter=limit=0.9:level=0[music]"
}
