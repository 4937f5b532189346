#!/usr/bin/env bash
# Spectrum analysis CPU cost: Ravebox's `AudioAnalyzer` (as `analyze-pcm`) against cava, same audio, same run.
#
# Generates 60 s of music-like audio (kick, bass, chords, hi-hats, a pink-noise bed; stereo, the recipe of
# engine-cpu.sh) as raw s16le 48 kHz PCM, then, for each bar count N and frame rate F, feeds it to each program
# through a FIFO written in real time (10 ms chunks at 48 kHz, as a player or a monitor source delivers it):
#   analyze-pcm --bars N --framerate F --output OUT FIFO     (Benchmarks/ package, release build; window 2048,
#                                                           hop 512, N bands; exits at the end of the input)
#   cava -p CONFIG                                          (reference, Debian's cava 0.7.4: `[input] method =
#                                                           fifo`, raw 8-bit mono output of N bars at F fps to a
#                                                           file, autosens on, Raveberry's smoothing; stopped with
#                                                           SIGTERM 0.5 s after the last chunk)
# Both write N bytes per frame, F frames per second, to a regular file in the work folder. The configurations are
# N=256 F=30 (Raveberry's cava settings) and N=64 F=94 (one frame per analysis hop). A run counts only when the
# writer kept real time (the reader drained the FIFO) and the program wrote about F·duration frames with some bars
# lit; analyze-pcm must also report every input frame read. A program that stops reading its FIFO for 5 s is killed
# and that run repeated (up to 3 times); the stalls are reported. cava 0.7.4 has a start-up race: its FIFO thread
# reads the sample format before the main thread sets it, and when it wins it reads 0 bytes at a time forever.
# CPU = user + sys seconds of the child over the audio seconds, median of the runs, alternating the programs:
# "total" from getrusage RUSAGE_CHILDREN deltas (start-up included: cava plans its FFTs with FFTW_MEASURE, about
# 0.5 s of CPU here), "steady" from /proc/PID/stat between ANALYSIS_CAVA_WARMUP seconds of audio and the last
# chunk (10 ms clock ticks), which is what a box that runs for hours pays.
#
# Environment: ANALYZE_PCM_BIN (default: built with `swift build -c release` in Benchmarks/),
# ANALYSIS_CAVA_SECONDS (audio length, 60), ANALYSIS_CAVA_REPEAT (1), ANALYSIS_CAVA_CONFIGS ("256x30 64x94"),
# ANALYSIS_CAVA_WARMUP (seconds of audio before the steady-state window, 2).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_tools ffmpeg python3 cava

seconds=${ANALYSIS_CAVA_SECONDS:-60}
repeat=${ANALYSIS_CAVA_REPEAT:-1}
configs=${ANALYSIS_CAVA_CONFIGS:-256x30 64x94}
warmup=${ANALYSIS_CAVA_WARMUP:-2}

if [[ -z ${ANALYZE_PCM_BIN:-} ]]; then
    echo "Building analyze-pcm (swift build -c release --package-path Benchmarks)" >&2
    swift build -c release --package-path "$BENCH_ROOT/Benchmarks" --product analyze-pcm >&2
    ANALYZE_PCM_BIN=$BENCH_ROOT/Benchmarks/.build/release/analyze-pcm
fi
if [[ $ANALYZE_PCM_BIN != /* ]]; then
    ANALYZE_PCM_BIN=$PWD/$ANALYZE_PCM_BIN
fi
if [[ ! -x $ANALYZE_PCM_BIN ]]; then
    echo "error: $ANALYZE_PCM_BIN not found (set ANALYZE_PCM_BIN or build Benchmarks/)" >&2
    exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

ffmpeg -nostdin -hide_banner -loglevel error -y -filter_complex "$(music_filter "$seconds" 48000);[music]anull[a]" \
    -map '[a]' -f s16le -acodec pcm_s16le -ar 48000 -ac 2 "$work/music.pcm"

python3 - "$ANALYZE_PCM_BIN" "$work" "$repeat" "$configs" "$warmup" <<'EOF'
import os
import resource
import select
import signal
import statistics
import subprocess
import sys
import threading
import time

analyze_pcm, work, repeat, configs, warmup = (sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4].split(),
                                              float(sys.argv[5]))
RATE = 48000
FRAME_BYTES = 4  # s16le stereo
CHUNK = RATE // 100 * FRAME_BYTES  # 10 ms
with open(f"{work}/music.pcm", "rb") as f:
    pcm = f.read()
audio = len(pcm) / FRAME_BYTES / RATE
if not 0 <= warmup < audio - 1:
    sys.exit(f"error: ANALYSIS_CAVA_WARMUP={warmup} must leave at least 1 s of the {audio:.0f} s of audio")
TICK = os.sysconf("SC_CLK_TCK")


def process_cpu(pid):
    """User + system seconds of a running process (all threads), from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK  # utime and stime: fields 14 and 15 of stat(5)


def cava_config(path, fifo, output, bars, framerate):
    with open(path, "w") as f:
        f.write(f"""[general]
framerate = {framerate}
bars = {bars}
autosens = 1
sleep_timer = 0

[input]
method = fifo
source = {fifo}
sample_rate = {RATE}
sample_bits = 16

[output]
method = raw
raw_target = {output}
data_format = binary
bit_format = 8bit
channels = mono

[smoothing]
integral = 50
monstercat = 0
""")


class Stalled(Exception):
    """The reader stopped draining the FIFO."""


STALL_SECONDS = 5


class Writer(threading.Thread):
    """Writes the PCM into the FIFO in 10 ms chunks on an absolute real-time schedule.

    The FIFO stays non-blocking: a reader that stops reading for STALL_SECONDS fails the run instead of hanging it
    (cava 0.7.4's start-up race, see the top of this script)."""

    def __init__(self, fifo, process):
        super().__init__(daemon=True)
        self.fifo, self.process = fifo, process
        self.error, self.written, self.late = None, 0, 0.0
        self.steady_cpu, self.stalled = None, False

    def run(self):
        try:
            fd = self.open()
            start = time.monotonic()
            warmup_offset = int(warmup * RATE) * FRAME_BYTES
            cpu_at_warmup = None
            for offset in range(0, len(pcm), CHUNK):
                if cpu_at_warmup is None and offset >= warmup_offset:
                    cpu_at_warmup = process_cpu(self.process.pid)
                delay = start + offset / FRAME_BYTES / RATE - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                view = memoryview(pcm)[offset:offset + CHUNK]
                while view:
                    try:
                        view = view[os.write(fd, view):]
                    except BlockingIOError:
                        if not select.select([], [fd], [], STALL_SECONDS)[1]:
                            raise Stalled(f"stopped reading at {offset / FRAME_BYTES / RATE:.1f} s of audio")
            # How far behind real time the last chunk went in: large when the reader stopped draining the FIFO.
            self.late = time.monotonic() - (start + audio)
            # Before closing, so analyze-pcm is still running: it exits at the end of the input.
            self.steady_cpu = process_cpu(self.process.pid) - cpu_at_warmup
            self.written = len(pcm)
            os.close(fd)
        except Stalled as error:
            self.error, self.stalled = error, True
        except OSError as error:
            self.error = error

    def open(self):
        # Non-blocking open fails (ENXIO) until the reader has opened its end; give up if the reader died.
        deadline = time.monotonic() + 10
        while True:
            try:
                return os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as error:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise OSError(f"no reader opened {self.fifo}: {error}") from None
                time.sleep(0.01)


def bar_frames(path, bars):
    """Frames in a raw 8-bit output file and how many of them have a bar above 0."""
    with open(path, "rb") as f:
        data = f.read()
    frames = len(data) // bars
    lit = sum(1 for i in range(frames) if any(data[i * bars:(i + 1) * bars]))
    return frames, lit


def measure(program, bars, framerate):
    """CPU seconds (user + sys) of one run of `program` on the paced FIFO, total and steady, and what it wrote."""
    fifo, output, config = f"{work}/in.fifo", f"{work}/{program}.out", f"{work}/cava.conf"
    for path in (fifo, output):
        if os.path.exists(path):
            os.remove(path)
    os.mkfifo(fifo)
    open(output, "wb").close()  # cava creates a FIFO when raw_target does not exist
    if program == "ravebox":
        command = [analyze_pcm, "--bars", str(bars), "--framerate", str(framerate), "--output", output, fifo]
    else:
        cava_config(config, fifo, output, bars, framerate)
        command = ["cava", "-p", config]
    env = {k: v for k, v in os.environ.items() if k != "TERM"}  # raw output needs no terminal
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, env=env)
    writer = Writer(fifo, process)
    writer.start()
    writer.join()
    if writer.stalled and process.poll() is None:
        process.kill()
    if writer.error is None and program == "cava":
        time.sleep(0.5)  # cava reads and draws on its own clock: let it take the last chunks in
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    try:
        _, stderr = process.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        raise RuntimeError(f"{program} did not stop")
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stderr = stderr.decode(errors="replace").strip()
    if writer.stalled:
        raise Stalled(f"{program} {writer.error}")
    if writer.error is not None:
        raise RuntimeError(f"{program}: {writer.error}; exit {process.returncode}: {stderr[-300:]}")
    if program == "ravebox" and process.returncode != 0:
        raise RuntimeError(f"analyze-pcm exited with {process.returncode}: {stderr[-300:]}")
    if program == "cava" and process.returncode not in (0, -signal.SIGTERM):
        raise RuntimeError(f"cava exited with {process.returncode}: {stderr[-300:]}")
    if writer.late > 1.0:
        raise RuntimeError(f"{program} did not keep up: the writer finished {writer.late:.1f} s late")
    frames, lit = bar_frames(output, bars)
    expected = framerate * audio
    if not 0.9 * expected <= frames <= 1.1 * expected + framerate or lit < 0.5 * frames:
        raise RuntimeError(f"{program} wrote {frames} frames ({lit} lit), expected about {expected:.0f}")
    if program == "ravebox":
        report = dict(item.split("=") for item in stderr.split()[-3:])
        if int(report["frames_read"]) != len(pcm) // FRAME_BYTES:
            raise RuntimeError(f"analyze-pcm read {report['frames_read']} of {len(pcm) // FRAME_BYTES} frames")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, writer.steady_cpu, frames, lit


rows = []
results = {}
sentences = []
failed = False
steady_audio = audio - warmup
stalls = {"ravebox": 0, "cava": 0}
RETRIES = 3


def measure_retrying(program, bars, framerate):
    """measure(), run again (up to RETRIES times) when the program stalled; stalls are counted and reported."""
    for attempt in range(RETRIES + 1):
        try:
            return measure(program, bars, framerate)
        except Stalled as error:
            stalls[program] += 1
            print(f"warning: {bars}x{framerate}: {error}; run again", file=sys.stderr)
            if attempt == RETRIES:
                raise RuntimeError(f"{program} stalled {RETRIES + 1} times in a row") from None


for config in configs:
    bars, framerate = (int(value) for value in config.split("x"))
    samples = {"ravebox": [], "cava": []}
    try:
        for _ in range(repeat):
            for program in samples:
                samples[program].append(measure_retrying(program, bars, framerate))
    except (RuntimeError, OSError) as error:
        print(f"error: {config}: {error}", file=sys.stderr)
        failed = True
        continue
    total, steady = {}, {}
    for program, runs in samples.items():
        cpu = statistics.median(run[0] for run in runs)
        steady_cpu = statistics.median(run[1] for run in runs)
        total[program] = cpu / audio
        steady[program] = steady_cpu / steady_audio
        frames, lit = runs[-1][2], runs[-1][3]
        rows.append([f"{bars}", f"{framerate}", program, f"{audio:.1f}", f"{cpu:.3f}", f"{cpu / audio * 1000:.3f}",
                     f"{steady[program] * 1000:.3f}", f"{frames}", f"{lit}"])
        results[f"{config}.{program}_cpu_per_audio_s"] = f"{total[program]:.6f}"
        results[f"{config}.{program}_steady_cpu_per_audio_s"] = f"{steady[program]:.6f}"

    def ratio(values):
        return values["ravebox"] / values["cava"] if values["cava"] > 0 else float("nan")

    results[f"{config}.ratio"] = f"{ratio(total):.2f}"
    results[f"{config}.steady_ratio"] = f"{ratio(steady):.2f}"
    sentences.append(f"{bars} bars at {framerate} fps: ravebox uses {ratio(total):.2f}x the CPU of cava "
                     f"({ratio(steady):.2f}x after start-up)")

headers = ["bars", "fps", "program", "audio s", "CPU s (median)", "CPU ms per audio s", "steady ms per audio s",
           "frames", "lit"]
table = [headers] + rows
widths = [max(len(row[i]) for row in table) for i in range(len(headers))]
for row in table:
    print("  ".join(cell.ljust(widths[i]) if i == 2 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
for sentence in sentences:
    print(sentence)
for program, count in stalls.items():
    if count:
        print(f"{program} stopped reading its FIFO in {count} run(s); those runs were repeated")
        results[f"{program}_stalls"] = str(count)
print(" ".join(f"{key}={value}" for key, value in results.items()))
sys.exit(1 if failed else 0)
EOF
