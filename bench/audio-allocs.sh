#!/usr/bin/env bash
# Heap allocations of the audio path, counted with Valgrind's DHAT: on the output thread (`rb-output`) in
# its steady-state loop, which must be 0, and on the decoder thread (`rb-decoder`) per decoded packet.
#
# Generates 15 s of stereo test audio (44.1 kHz, a chord, a kick and pink noise) as MP3 (libmp3lame 192k)
# and FLAC, and plays each one, paced to real time so the output loop runs period by period:
#   valgrind --tool=dhat --num-callers=64 ravebox play FILE --audio-device null
# DHAT records every malloc/calloc/realloc/memalign with its stack. Each allocation site is attributed by
# its stack, symbolised with inlined frames from the binary's DWARF (llvm-symbolizer) and demangled
# (swift-demangle):
#   output thread, steady state   OutputLoop.run() and none of enterRealtime/follow/playOut/pauseStream/
#                                 resumeStream/stopStream/deviceFailed/drop (thread start, song changes,
#                                 pause, end of song, device errors, shutdown)
#   output thread, other          OutputLoop.run() and one of those
#   decoder thread, per packet    DecodeLoop.pump() (AudioDecoder.read: av_read_frame, avcodec, swresample)
#   decoder thread, other         DecodeLoop.run() otherwise (opening the song, end of song)
#   audio thread start-up         AudioThread.start's closure outside both loops (naming the thread)
# Packets are the audio stream's packets (`ffprobe -count_packets`): MP3 frames of 1,152 samples, FLAC
# blocks of 4,608. Periods = frames played (audioSeconds × rate) / period frames, from ravebox's report
# and its "Audio device ... open" log line.
#
# Valgrind 3.19 (Debian 12) needs two work-arounds, both confined to the copy under test:
# - it cannot read the DWARF 5 that Swift 6 emits ("unhandled dwarf2 abbrev form code 0x25"), so it runs a
#   copy with the debug sections removed (objcopy --strip-debug; same addresses), and the stacks are
#   symbolised afterwards from the unstripped copy;
# - its rt_sigsuspend wrapper removes its own signals from the caller's mask in place, and libdispatch's
#   main thread (parked in dispatch_main, as the async `ravebox` entry point does) passes a mask in read-only
#   memory: Valgrind dies with SIGSEGV ("the 'impossible' happened") at start-up, even for `ravebox --help`. A 6-line LD_PRELOAD shim, built here with
#   cc, gives sigsuspend a writable copy of the mask.
# Exits 1 when the output thread allocates in its steady state (printing the stacks), 2 on other errors
# (including a playback that did not run paced, period by period).
#
# Environment: RAVEBOX_BIN (release build by default; a debug build works too), AUDIO_ALLOCS_SECONDS (15),
# AUDIO_ALLOCS_KEEP (a directory to keep the DHAT files, reports and logs in), AUDIO_ALLOCS_VERBOSE=1 (print
# the stacks of the output thread's allocations outside its steady state too).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools ffmpeg ffprobe python3 valgrind objcopy nm cc

seconds=${AUDIO_ALLOCS_SECONDS:-15}
keep=${AUDIO_ALLOCS_KEEP:-}

# The toolchain's symbolizer and demangler, next to `swift`; else whatever is on PATH.
swift_bin=$(dirname "$(readlink -f "$(command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)")")
symbolizer=$swift_bin/llvm-symbolizer
[[ -x $symbolizer ]] || symbolizer=$(command -v llvm-symbolizer || true)
demangler=$swift_bin/swift-demangle
[[ -x $demangler ]] || demangler=$(command -v swift-demangle || true)
if [[ -z $symbolizer || -z $demangler ]]; then
    echo "error: llvm-symbolizer and swift-demangle are needed (both ship with the Swift toolchain)" >&2
    exit 2
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cp "$(readlink -f "$RAVEBOX_BIN")" "$work/ravebox-full"
objcopy --strip-debug "$work/ravebox-full" "$work/ravebox"

cat >"$work/sigsuspend-copy.c" <<'EOF'
#define _GNU_SOURCE
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>
/* Valgrind 3.19 edits the mask passed to rt_sigsuspend in place; libdispatch's is a static const. */
int sigsuspend(const sigset_t *mask) {
    sigset_t copy = *mask;
    return (int)syscall(SYS_rt_sigsuspend, &copy, _NSIG / 8);
}
EOF
cc -O2 -shared -fPIC -o "$work/sigsuspend-copy.so" "$work/sigsuspend-copy.c"

ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "\
aevalsrc=exprs='0.1*(sin(2*PI*220*t)+sin(2*PI*277.18*t)+sin(2*PI*329.63*t))+0.4*sin(2*PI*50*t)*exp(-8*mod(t,0.5))':\
s=44100:c=stereo:d=${seconds}[tone];\
anoisesrc=color=pink:seed=7:amplitude=0.05:r=44100:d=$seconds,aformat=channel_layouts=stereo[noise];\
[tone][noise]amix=inputs=2:normalize=0,alimiter=limit=0.9:level=0,asplit=2[a][b0];\
[b0]asetnsamples=n=4608:p=0[b]" \
    -map '[a]' -c:a libmp3lame -b:a 192k "$work/test.mp3" \
    -map '[b]' -c:a flac -sample_fmt s16 "$work/test.flac"

status=0
for fmt in mp3 flac; do
    start=$(date +%s.%N)
    if ! LD_PRELOAD=$work/sigsuspend-copy.so valgrind --tool=dhat --num-callers=64 \
        --dhat-out-file="$work/dhat-$fmt.json" \
        "$work/ravebox" play "$work/test.$fmt" --audio-device null \
        >"$work/report-$fmt.json" 2>"$work/stderr-$fmt.txt"; then
        echo "error: $fmt: ravebox play under valgrind failed:" >&2
        grep -v -e 'WARNING: new redirection' -e 'client request code 1301' "$work/stderr-$fmt.txt" | tail -20 >&2
        exit 2
    fi
    echo "$fmt $start $(date +%s.%N)" >>"$work/runs.txt"
    ffprobe -v error -select_streams a:0 -count_packets -show_entries stream=nb_read_packets \
        -of default=nw=1:nk=1 "$work/test.$fmt" >"$work/packets-$fmt.txt"
done

python3 - "$work" "$symbolizer" "$demangler" "${AUDIO_ALLOCS_VERBOSE:-0}" <<'EOF' || status=$?
import json
import re
import subprocess
import sys

work, symbolizer, demangler = sys.argv[1:4]
verbose = sys.argv[4] not in ("", "0")
binary = f"{work}/ravebox"
full = f"{work}/ravebox-full"

FRAME = re.compile(r"^0x([0-9A-Fa-f]+): (.*?)(?: \((?:in )?([^()]*)\))?$")

# Symbols of the binary (name -> [value]), to find where Valgrind loaded it.
symbols = {}
for line in subprocess.run(["nm", "--defined-only", full], check=True, capture_output=True,
                           text=True).stdout.splitlines():
    parts = line.split(maxsplit=2)
    if len(parts) == 3 and parts[1] in "tTwW":
        symbols.setdefault(parts[2], []).append(int(parts[0], 16))


def load_bias(frames):
    """The PIE's load address: the page-aligned offset most named frames of the binary agree on.

    Local symbols share names (merged `...Tm` thunks), so it is a vote, not an intersection."""
    votes = {}
    for address, name in frames:
        for value in symbols.get(name, []):
            if address >= value:
                bias = (address - value) // 0x1000 * 0x1000
                votes[bias] = votes.get(bias, 0) + 1
    if not votes:
        print("error: cannot tell where Valgrind loaded the binary (no symbols in the stacks)", file=sys.stderr)
        sys.exit(2)
    return max(votes, key=votes.get)


def demangle(names):
    if not names:
        return {}
    out = subprocess.run([demangler, "--simplified"], input="\n".join(names) + "\n", check=True,
                         capture_output=True, text=True).stdout.splitlines()
    return dict(zip(names, out))


def analyse(fmt):
    dhat = json.load(open(f"{work}/dhat-{fmt}.json"))
    table = dhat["ftbl"]
    parsed = []
    for entry in table:
        match = FRAME.match(entry)
        if match:
            parsed.append((int(match.group(1), 16), match.group(2), match.group(3) or ""))
        else:
            parsed.append((None, entry, ""))
    ours = [(address, name) for address, name, where in parsed if address is not None and where == binary]
    bias = load_bias(ours)
    # Return addresses: symbolise address - 1, the call instruction, so inlined frames and lines are right.
    addresses = sorted({address for address, _ in ours})
    lines = subprocess.run(
        [symbolizer, f"--obj={full}", "--inlining", "--output-style=JSON", "--no-demangle"],
        input="".join(f"0x{address - bias - 1:x}\n" for address in addresses), check=True, capture_output=True,
        text=True).stdout.splitlines()
    inlined = {}
    for address, line in zip(addresses, lines):
        frames = json.loads(line).get("Symbol", [])
        inlined[address] = [(f["FunctionName"], f"{f['FileName'].rsplit('/', 1)[-1]}:{f['Line']}") for f in frames
                            if f.get("FunctionName")]
    names = {name for frames in inlined.values() for name, _ in frames}
    names |= {name for _, name, _ in parsed if name.startswith("$s")}
    readable = demangle(sorted(names))

    def frames_of(index):
        address, name, where = parsed[index]
        if address is not None and address in inlined and inlined[address]:
            return [f"{readable.get(n, n)}  ({place})" for n, place in inlined[address]]
        label = readable.get(name, name)
        return [f"{label}  ({where.rsplit('/', 1)[-1]})" if where else label]

    def entry(indexes):
        """The library function our code called to get here: the frame just inside the first frame of ours."""
        for position, index in enumerate(indexes):
            if parsed[index][2] == binary:
                if position == 0:
                    return "(our code)"
                label = readable.get(parsed[indexes[position - 1]][1], parsed[indexes[position - 1]][1])
                if label.startswith(("malloc", "calloc", "realloc", "memalign", "posix_memalign", "operator new")):
                    return "(our code)"
                return label.split("(")[0] if not label.startswith("swift_") else "Swift runtime"
        return "?"

    sites = []
    for site in dhat["pps"]:
        stack = [frame for index in site["fs"] for frame in frames_of(index)]
        sites.append((site["tbk"], site["tb"], stack, entry(site["fs"])))
    return dhat, sites


def has(stack, *needles):
    return any(needle in frame for frame in stack for needle in needles)


# The output thread's code outside its steady state: thread start, song changes, pause, end of song, device
# errors, and the drop() at shutdown. Everything else under OutputLoop.run() counts as steady state, so a frame
# lost to inlining errs towards failing.
NOT_STEADY = ("OutputLoop.enterRealtime(", "OutputLoop.follow(", "OutputLoop.playOut(", "OutputLoop.pauseStream(",
              "OutputLoop.resumeStream(", "OutputLoop.stopStream(", "OutputLoop.deviceFailed(", ".drop()")


def category(stack):
    if has(stack, "OutputLoop.run("):
        return "output.other" if has(stack, *NOT_STEADY) else "output.steady"
    if has(stack, "DecodeLoop.run("):
        return "decoder.packets" if has(stack, "DecodeLoop.pump(") else "decoder.other"
    if has(stack, "closure #1 in static AudioThread.start("):
        return "thread.start"
    return "elsewhere"


def show(sites, limit=None):
    for count, size, stack, _ in sorted(sites, key=lambda s: -s[0])[:limit]:
        print(f"  {count} allocations, {size} bytes:")
        for frame in stack:
            print(f"      {frame}")


runs = {}
for line in open(f"{work}/runs.txt"):
    fmt, start, end = line.split()
    runs[fmt] = float(end) - float(start)

rows = []
results = {}
failed = False  # allocations in the output thread's steady state
invalid = False  # the run does not show what it should
for fmt in ("mp3", "flac"):
    report = json.loads(open(f"{work}/report-{fmt}.json").read().strip().splitlines()[-1])
    log = open(f"{work}/stderr-{fmt}.txt").read()
    device = re.search(r"open: (\d+) Hz, (\d+) ch, \S+, period (\d+) frames", log)
    if not device:
        print(f"error: {fmt}: no 'Audio device ... open' line in ravebox's log", file=sys.stderr)
        sys.exit(2)
    rate, period = int(device.group(1)), int(device.group(3))
    periods = report["audioSeconds"] * rate / period
    packets = int(open(f"{work}/packets-{fmt}.txt").read().strip())
    dhat, sites = analyse(fmt)
    totals = {}
    for count, _, stack, _ in sites:
        key = category(stack)
        totals[key] = totals.get(key, 0) + count
    steady = [s for s in sites if category(s[2]) == "output.steady"]
    other_output = [s for s in sites if category(s[2]) == "output.other"]
    per_packet = totals.get("decoder.packets", 0) / packets
    rows.append([fmt, f"{report['audioSeconds']:.1f}", f"{report['wallSeconds']:.1f}", f"{periods:.0f}",
                 str(report["underruns"]), str(totals.get("output.steady", 0)),
                 str(totals.get("output.other", 0)), str(packets), str(totals.get("decoder.packets", 0)),
                 f"{per_packet:.2f}", str(totals.get("decoder.other", 0)), str(totals.get("thread.start", 0)),
                 str(totals.get("elsewhere", 0))])
    results[f"{fmt}.output_steady_allocs"] = str(totals.get("output.steady", 0))
    results[f"{fmt}.output_steady_allocs_per_period"] = f"{totals.get('output.steady', 0) / periods:.4f}"
    results[f"{fmt}.output_other_allocs"] = str(totals.get("output.other", 0))
    results[f"{fmt}.decoder_allocs_per_packet"] = f"{per_packet:.2f}"
    results[f"{fmt}.decoder_other_allocs"] = str(totals.get("decoder.other", 0))
    results[f"{fmt}.periods"] = f"{periods:.0f}"
    if report["outcome"] != "finished" or periods < 100 or report["wallSeconds"] < 0.9 * report["audioSeconds"]:
        print(f"error: {fmt}: the playback did not run paced, period by period: {report}", file=sys.stderr)
        invalid = True
    if steady:
        print(f"{fmt}: ALLOCATIONS ON THE OUTPUT THREAD'S STEADY-STATE LOOP:")
        show(steady)
        failed = True
    if other_output:
        where = {}
        for count, _, stack, _ in other_output:
            name = next((frame.split("  (")[0] for frame in stack for marker in NOT_STEADY if marker in frame), "?")
            where[name] = where.get(name, 0) + count
        print(f"{fmt}: output thread, outside the steady-state loop (allowed; stacks with AUDIO_ALLOCS_VERBOSE=1):")
        for name, count in sorted(where.items(), key=lambda item: -item[1]):
            print(f"  {count} allocations under {name}")
        if verbose:
            show(other_output)
    calls = {}
    for count, _, stack, called in sites:
        if category(stack) == "decoder.packets":
            calls[called] = calls.get(called, 0) + count
    print(f"{fmt}: decoder thread, allocations per packet by the call the decoder made:")
    for called, count in sorted(calls.items(), key=lambda item: -item[1]):
        print(f"  {count / packets:6.2f}  {called}  ({count} in all)")
    print()
    results[f"{fmt}.valgrind_wall_s"] = f"{runs[fmt]:.1f}"

headers = ["format", "audio s", "wall s", "periods", "underruns", "output steady allocs", "output other",
           "packets", "decoder allocs (pump)", "per packet", "decoder other", "thread start", "elsewhere"]
table = [headers] + rows
widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
for row in table:
    print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
for fmt in ("mp3", "flac"):
    if f"{fmt}.output_steady_allocs" in results:
        print(f"{fmt}: output thread steady state: {results[f'{fmt}.output_steady_allocs']} allocations in "
              f"{results[f'{fmt}.periods']} periods; decoder: {results[f'{fmt}.decoder_allocs_per_packet']} "
              f"allocations per packet")
print("(under valgrind; 'elsewhere' is the main thread, libraries' start-up and Swift's concurrency pool)")
print(" ".join(f"{key}={value}" for key, value in results.items()))
sys.exit(1 if failed else 2 if invalid else 0)
EOF

if [[ -n $keep ]]; then
    mkdir -p "$keep"
    cp "$work"/dhat-*.json "$work"/report-*.json "$work"/stderr-*.txt "$keep"/
fi
exit "$status"
