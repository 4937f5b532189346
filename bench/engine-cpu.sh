#!/usr/bin/env bash
# Decode-and-play CPU cost: `ravebox play` against ffmpeg and each format's own player, same files, same run.
#
# Generates 60 s of music-like audio (kick, bass, chords, hi-hats, a pink-noise bed; stereo) as MP3
# (libmp3lame 192k) and FLAC, then plays each one to ALSA's `null` PCM without real-time pacing:
#   ravebox play FILE --audio-device null --no-pacing
#   ffmpeg -nostdin -loglevel error -i FILE -f alsa null        (reference, both formats)
#   mpg123 -q -o alsa -a null FILE                               (reference, MP3; when installed)
#   flac -d -c -s FILE | aplay -q -D null                        (reference, FLAC; when installed; the two
#                                                                 processes' CPU summed)
# CPU = user + sys seconds of the children (getrusage RUSAGE_CHILDREN deltas; both processes of the
# pipeline are children of this script), median of 3 runs, alternating the programs. Process start-up
# is included in all. The references play the files' native 44.1 kHz; ravebox resamples to 48 kHz.
#
# Environment: RAVEBOX_BIN, ENGINE_CPU_SECONDS (audio length, 60), ENGINE_CPU_REPEAT (3),
# ENGINE_CPU_TIMEOUT (seconds per run, 120).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools ffmpeg ffprobe python3

seconds=${ENGINE_CPU_SECONDS:-60}
repeat=${ENGINE_CPU_REPEAT:-3}
limit=${ENGINE_CPU_TIMEOUT:-120}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# asetnsamples: without it ffmpeg 5.1's FLAC encoder starts with a 1024-sample block in a fixed-blocksize
# (4608) stream, which libFLAC decodes to 3,595 extra samples and rejects ("MD5 signature mismatch").
ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "$(music_filter "$seconds" 44100);\
[music]asplit=2[a][b0];[b0]asetnsamples=n=4608:p=0[b]" \
    -map '[a]' -c:a libmp3lame -b:a 192k "$work/music.mp3" \
    -map '[b]' -c:a flac -sample_fmt s16 "$work/music.flac"

python3 - "$RAVEBOX_BIN" "$work" "$repeat" "$limit" <<'EOF'
import resource
import shutil
import statistics
import subprocess
import sys
import time

ravebox, work, repeat, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])


def duration(path):
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "default=nw=1:nk=1", path],
        check=True, capture_output=True, text=True,
    ).stdout
    return float(out.strip())


def measure(commands):
    """User+sys CPU seconds and wall seconds of one child process, or of a pipeline of them (all summed)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    processes = []
    stdin = subprocess.DEVNULL
    for index, command in enumerate(commands):
        last = index == len(commands) - 1
        process = subprocess.Popen(command, stdin=stdin, stdout=subprocess.DEVNULL if last else subprocess.PIPE,
                                   stderr=subprocess.PIPE)
        if processes:
            processes[-1].stdout.close()  # only the next process holds the pipe, so it sees the end
            processes[-1].stdout = None  # and communicate() below reads only stderr
        stdin = process.stdout
        processes.append(process)
    failures = []
    try:
        for process, command in zip(processes, commands):
            remaining = max(0.1, limit - (time.monotonic() - start))
            _, stderr = process.communicate(timeout=remaining)
            if process.returncode != 0:
                message = stderr.decode(errors="replace").strip().splitlines()[-3:]
                failures.append(f"{command[0]} exited with {process.returncode}: {' / '.join(message)}")
    except subprocess.TimeoutExpired:
        for process in processes:
            process.kill()
            process.wait()
        raise
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if failures:
        raise RuntimeError("; ".join(failures))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall


def installed(tool):
    if shutil.which(tool):
        return True
    print(f"note: {tool} not installed; its reference run is skipped (apt-get install {tool})", file=sys.stderr)
    return False


# Per format: program name -> FILE -> list of commands (more than one = a pipeline). ravebox first.
programs = {
    "mp3": {
        "ravebox": lambda f: [[ravebox, "play", f, "--audio-device", "null", "--no-pacing"]],
        "ffmpeg": lambda f: [["ffmpeg", "-nostdin", "-loglevel", "error", "-i", f, "-f", "alsa", "null"]],
    },
    "flac": {
        "ravebox": lambda f: [[ravebox, "play", f, "--audio-device", "null", "--no-pacing"]],
        "ffmpeg": lambda f: [["ffmpeg", "-nostdin", "-loglevel", "error", "-i", f, "-f", "alsa", "null"]],
    },
}
if installed("mpg123"):
    programs["mp3"]["mpg123"] = lambda f: [["mpg123", "-q", "-o", "alsa", "-a", "null", f]]
if installed("flac") and installed("aplay"):
    programs["flac"]["flac|aplay"] = lambda f: [["flac", "-d", "-c", "-s", f], ["aplay", "-q", "-D", "null"]]


def key(name):
    """Name of a program in the key=value line: flac|aplay -> flac_aplay."""
    return name.replace("|", "_")


rows = []
results = {}
sentences = []
failed = False
for fmt, players in programs.items():
    path = f"{work}/music.{fmt}"
    audio = duration(path)
    samples = {name: [] for name in players}
    try:
        for _ in range(repeat):
            for name, command in players.items():
                samples[name].append(measure(command(path)))
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(f"error: {fmt}: {error}", file=sys.stderr)
        failed = True
        continue
    per_second = {}
    for name, runs in samples.items():
        cpu = statistics.median(c for c, _ in runs)
        wall = statistics.median(w for _, w in runs)
        per_second[name] = cpu / audio
        rows.append([fmt, name, f"{audio:.1f}", f"{cpu:.3f}", f"{cpu / audio * 1000:.3f}", f"{wall:.3f}",
                     f"{audio / wall:.0f}x" if wall > 0 else "-"])
    for name in players:
        results[f"{fmt}.{key(name)}_cpu_per_audio_s"] = f"{per_second[name]:.6f}"
    for name in players:
        if name == "ravebox":
            continue
        ratio = per_second["ravebox"] / per_second[name] if per_second[name] > 0 else float("nan")
        # `fmt.ratio` (against ffmpeg) keeps its name from before the other references were added.
        results[f"{fmt}.ratio" if name == "ffmpeg" else f"{fmt}.ratio_{key(name)}"] = f"{ratio:.2f}"
        sentences.append(f"{fmt}: ravebox uses {ratio:.2f}x the CPU of {name}")

headers = ["format", "program", "audio s", "CPU s (median)", "CPU ms per audio s", "wall s", "speed"]
table = [headers] + rows
widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
for row in table:
    print("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
for sentence in sentences:
    print(sentence)
print(" ".join(f"{key}={value}" for key, value in results.items()))
sys.exit(1 if failed else 0)
EOF
