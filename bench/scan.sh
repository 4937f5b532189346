#!/usr/bin/env bash
# Library scan speed: `ravebox scan` over a generated library of tagged files, first scan and rescan.
#
# Generates SCAN_DISTINCT (20) short tagged songs with ffmpeg (1 s sines; MP3, FLAC, Ogg Vorbis and M4A in
# turn; title, artist, album, track, date and genre tags, unicode included), then copies them under new
# names to SCAN_FILES (5000) files laid out as <artist>/<album>/<nn> - <title>.<ext> (50 files per album),
# plus one M3U8 playlist per artist. The copies keep the tags of their original: the scan reads every file
# alike whatever its tags say, and writing 5000 files with ffmpeg would take longer than the benchmark.
# Then, against a fresh data folder:
#   ravebox scan --mode desktop --data DATA --library LIBRARY     first scan: every file probed and stored
#   ravebox scan --mode desktop --data DATA --library LIBRARY     rescan of the unchanged library (median of
#                                                                 SCAN_REPEAT runs): size + time checks only
# Wall-clock seconds of the whole command (process start, database open, walk, probe, store, playlists),
# with the files in the page cache (generated just before). Files per second = SCAN_FILES / seconds.
#
# Environment: RAVEBOX_BIN, SCAN_FILES (5000), SCAN_DISTINCT (20), SCAN_REPEAT (3), SCAN_TIMEOUT (seconds
# per run, 600).
set -euo pipefail
# shellcheck source=bench/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
require_ravebox
require_tools ffmpeg python3

files=${SCAN_FILES:-5000}
distinct=${SCAN_DISTINCT:-20}
repeat=${SCAN_REPEAT:-3}
limit=${SCAN_TIMEOUT:-600}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/originals" "$work/library" "$work/data"

formats=(mp3 flac ogg m4a)
genres=(House Techno "Drum & Bass" Disco Pop "J-Pop" Schlager "Música Latina")
for ((i = 0; i < distinct; i++)); do
    ext=${formats[i % ${#formats[@]}]}
    ffmpeg -nostdin -hide_banner -loglevel error -y -f lavfi -i "sine=f=$((220 + 20 * i)):d=1" \
        -metadata "title=Track $i – Ünïcödé 🎵" -metadata "artist=Artist $((i % 5))" \
        -metadata "album=Album $((i % 7))" -metadata "track=$((i + 1))/$distinct" \
        -metadata "date=$((1980 + i))" -metadata "genre=${genres[i % ${#genres[@]}]}" \
        "$work/originals/$(printf '%02d' "$i").$ext"
done

python3 - "$RAVEBOX_BIN" "$work" "$files" "$repeat" "$limit" <<'PYEOF'
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ravebox, work, files, repeat, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
originals = sorted(os.listdir(f"{work}/originals"))
library = f"{work}/library"

per_album = 50
playlists = {}
for index in range(files):
    original = originals[index % len(originals)]
    ext = original.rsplit(".", 1)[1]
    artist = f"Artist {index // (per_album * 4):03d}"
    album = f"Album {index // per_album:03d}"
    folder = f"{library}/{artist}/{album}"
    os.makedirs(folder, exist_ok=True)
    name = f"{index % per_album + 1:02d} - Song {index}.{ext}"
    shutil.copyfile(f"{work}/originals/{original}", f"{folder}/{name}")
    playlists.setdefault(artist, []).append(f"{album}/{name}")
for artist, entries in playlists.items():
    with open(f"{library}/{artist}/best of.m3u8", "w", encoding="utf-8") as playlist:
        playlist.write("#EXTM3U\n" + "".join(f"{entry}\n" for entry in entries[::3]))


def scan():
    """Wall seconds of one `ravebox scan` and the summary it printed."""
    start = time.monotonic()
    result = subprocess.run(
        [ravebox, "scan", "--mode", "desktop", "--data", f"{work}/data", "--library", library],
        cwd=work, capture_output=True, text=True, timeout=limit,
    )
    wall = time.monotonic() - start
    if result.returncode != 0:
        sys.exit(f"error: ravebox scan exited with {result.returncode}: {result.stderr.strip()[-500:]}")
    return wall, json.loads(result.stdout)


first, summary = scan()
if summary["added"] != files or summary["failures"]:
    sys.exit(f"error: first scan added {summary['added']} of {files} files, failures {summary['failures']}")
rescans = []
for _ in range(repeat):
    wall, summary = scan()
    if summary["unchanged"] != files or summary["added"] or summary["updated"]:
        sys.exit(f"error: rescan of the unchanged library was not all unchanged: {summary}")
    rescans.append(wall)
rescan = statistics.median(rescans)

rows = [
    ["scan", "files", "wall s", "files/s"],
    ["first", str(files), f"{first:.2f}", f"{files / first:.0f}"],
    [f"rescan (median of {repeat})", str(files), f"{rescan:.2f}", f"{files / rescan:.0f}"],
]
widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
for row in rows:
    print("  ".join(cell.ljust(widths[i]) if i == 0 else cell.rjust(widths[i]) for i, cell in enumerate(row)))
print(f"playlists={summary['playlists']} first_files_per_s={files / first:.0f} rescan_files_per_s={files / rescan:.0f}")
PYEOF
