#!/usr/bin/env bash
# Makes the demo music library: five short, tagged, synthesised tracks with clear beats and tones,
# so the spectrum and beat light programs have something obvious to react to.
#
# Usage: scripts/make-demo-library.sh DIR
#
# Needs only Debian's ffmpeg (lavfi `aevalsrc` sources, libmp3lame, flac, libvorbis). The output is
# deterministic (bit-exact muxing, no random seeds) and the script is idempotent: it writes
# DIR/.ravebox-demo when done and does nothing on a later run while that stamp matches.
set -euo pipefail

readonly DEMO_VERSION=1
readonly RATE=44100
readonly TOTAL=5

usage() {
    echo "usage: $0 DIR" >&2
    exit 2
}
[[ $# -eq 1 && -n $1 ]] || usage

dir=$1
stamp="$dir/.ravebox-demo"

if [[ -f $stamp ]] && head -n 1 "$stamp" | grep -qx "version=$DEMO_VERSION"; then
    echo "Demo library already present in $dir (delete $stamp to rebuild)."
    exit 0
fi

for tool in ffmpeg ffprobe; do
    if ! command -v "$tool" >/dev/null; then
        echo "error: $tool not found; install it with: apt-get install ffmpeg" >&2
        exit 1
    fi
done
encoders=$(ffmpeg -hide_banner -encoders 2>/dev/null)
for encoder in libmp3lame flac libvorbis; do
    if ! grep -qw "$encoder" <<<"$encoders"; then
        echo "error: this ffmpeg has no $encoder encoder (Debian's ffmpeg package has it)" >&2
        exit 1
    fi
done

mkdir -p "$dir"
work=$(mktemp -d "$dir/.demo-tmp.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Files from an older version of this script go away first, so the folder holds one consistent set.
if [[ -f $stamp ]]; then
    while IFS= read -r line; do
        name=${line#file=}
        [[ $line == file=* && $name != */* && -n $name ]] && rm -f "$dir/$name"
    done <"$stamp"
    rm -f "$stamp"
fi

# Building blocks for aevalsrc expressions (t = seconds; random() starts from a fixed state).
# kick X DECAY: a sine sweeping from ~145 Hz down to 45 Hz, X seconds after the hit (silent before it).
kick() { echo "gte($1,0)*sin(2*PI*(45*($1)+4*(1-exp(-25*($1)))))*exp(-$2*($1))"; }
# Click-free gate for a note that lasts LENGTH seconds, X seconds into it: 2.5 ms fade in, 10 ms fade out.
gate() { echo "gte($1,0)*min(1,($1)*400)*max(0,min(1,($2-($1))*100))"; }
noise='(2*random(0)-1)'

# render FILE TITLE TRACK BPM SECONDS GRAPH: GRAPH is a filter graph ending in [out].
render() {
    local file=$1 title=$2 track=$3 bpm=$4 seconds=$5 graph=$6
    local codec
    case $file in
        *.mp3) codec=(-c:a libmp3lame -b:a 192k -id3v2_version 3 -metadata "TBPM=$bpm") ;;
        *.flac) codec=(-c:a flac -sample_fmt s16 -compression_level 5 -metadata "BPM=$bpm") ;;
        *.ogg) codec=(-c:a libvorbis -q:a 5 -metadata "BPM=$bpm") ;;
        *) echo "error: unknown format for $file" >&2 && return 1 ;;
    esac
    ffmpeg -nostdin -hide_banner -loglevel error -y \
        -filter_complex "$graph;[out]atrim=duration=$seconds,pan=stereo|c0=c0|c1=c0[o]" \
        -map '[o]' -fflags +bitexact -flags:a +bitexact -map_metadata -1 \
        -metadata "title=$title" \
        -metadata "artist=Ravebox Demo" \
        -metadata "album=Ravebox Demo Tape" \
        -metadata "track=$track/$TOTAL" \
        -metadata "genre=Electronic" \
        -metadata "comment=$bpm BPM, synthesised by scripts/make-demo-library.sh" \
        "${codec[@]}" "$work/$file"
    echo "$file|$title|$track|$seconds" >>"$work/manifest"
}

src() { echo "aevalsrc=exprs='$1':s=$RATE:d=$2"; }

# 1. 120 BPM: a kick on every beat and an off-beat bass line (A1 F1 C2 G1, one note per bar).
b1_t='mod(t+0.25,0.5)'
b1_f='if(eq(mod(floor(t/2),4),0),55,if(eq(mod(floor(t/2),4),1),43.65,if(eq(mod(floor(t/2),4),2),65.41,49)))'
track1="$(src "0.9*$(kick 'mod(t,0.5)' 7)+($(gate "$b1_t" 0.5))*exp(-4*$b1_t)*(0.5*sin(2*PI*$b1_f*$b1_t)+0.15*sin(4*PI*$b1_f*$b1_t))" 32),alimiter=limit=0.9:level=0[out]"

# 2. 128 BPM four-on-the-floor: kick, rolling 16th bass, open and closed hi-hats (high-passed noise),
#    a clap on beats 2 and 4 (band-passed noise).
B2=0.46875
b2_q="mod(t,$B2/4)"
b2_f="if(lt(mod(t,$B2*16),$B2*8),55,65.41)"
track2="$(src "0.9*$(kick "mod(t,$B2)" 9)+0.35*gt(mod(floor(t/($B2/4)),4),0)*($(gate "$b2_q" "$B2/4"))*sin(2*PI*$b2_f*$b2_q)" 30)[kb];"
track2+="$(src "$noise*(0.5*exp(-25*mod(t+$B2/2,$B2))+0.15*exp(-90*mod(t,$B2/4)))" 30),highpass=f=6000,highpass=f=6000[hat];"
track2+="$(src "$noise*eq(mod(floor(t/$B2),2),1)*exp(-30*mod(t,$B2))" 30),bandpass=f=1500:width_type=q:w=1.2,volume=2.5[clap];"
track2+="[kb][hat][clap]amix=inputs=3:normalize=0,alimiter=limit=0.9:level=0[out]"

# 3. 80 BPM chord pad: Am F C G (one chord per bar), detuned sine pairs with a little echo,
#    a soft kick on every beat and a root note an octave below.
c3='mod(floor(t/3),4)'
f3a="if(eq($c3,0),220,if(eq($c3,1),174.61,if(eq($c3,2),261.63,196)))"
f3b="if(eq($c3,0),261.63,if(eq($c3,1),220,if(eq($c3,2),329.63,246.94)))"
f3c="if(eq($c3,0),329.63,if(eq($c3,1),261.63,if(eq($c3,2),392,293.66)))"
env3='min(1,mod(t,3)/0.5)*min(1,(3-mod(t,3))/0.5)'
pad3=""
for f in "$f3a" "$f3b" "$f3c"; do
    pad3+="+0.11*(sin(2*PI*$f*t)+sin(2*PI*$f*1.004*t))"
done
track3="$(src "$env3*(0${pad3}+0.2*sin(PI*$f3a*t))" 36),lowpass=f=2500,aecho=0.8:0.6:180:0.25[pad];"
track3+="$(src "0.75*$(kick 'mod(t,0.75)' 6)" 36)[kick];"
track3+="[pad][kick]amix=inputs=2:normalize=0,alimiter=limit=0.9:level=0[out]"

# 4. 120 BPM arpeggio: plucked 16th notes over Am F C G (0 3rd 5th 8ve ...), dotted-8th echo, kick and sub.
r4='mod(floor(t/2),4)'
root4="if(eq($r4,0),0,if(eq($r4,1),-4,if(eq($r4,2),3,-2)))"
third4="if(eq($r4,0),3,4)"
i4='mod(floor(t/0.125),8)'
semi4="if(eq($i4,0),0,if(eq($i4,1),$third4,if(eq($i4,2),7,if(eq($i4,3),12,if(eq($i4,4),12+$third4,if(eq($i4,5),12,if(eq($i4,6),7,$third4)))))))"
f4="220*pow(2,($root4+$semi4)/12)"
n4='mod(t,0.125)'
track4="$(src "0.28*($(gate "$n4" 0.125))*exp(-18*$n4)*(sin(2*PI*$f4*$n4)+0.5*sin(4*PI*$f4*$n4)+0.25*sin(6*PI*$f4*$n4))" 24),aecho=0.8:0.5:375:0.35[arp];"
track4+="$(src "0.8*$(kick 'mod(t,0.5)' 8)+0.25*($(gate 'mod(t,2)' 2))*sin(2*PI*55*pow(2,$root4/12)*t)" 24)[low];"
track4+="[arp][low]amix=inputs=2:normalize=0,alimiter=limit=0.9:level=0[out]"

# 5. 100 BPM boom-bap: kicks on 1, the "and" of 2 and 3, snare on 2 and 4, swung hats,
#    a decaying bass note per bar (D2 D2 F2 C2).
bar5='mod(t,2.4)'
track5="$(src "0.9*($(kick "$bar5" 6)+$(kick "$bar5-0.9" 6)+$(kick "$bar5-1.2" 6))+0.45*($(gate "$bar5" 2.4))*exp(-1.2*$bar5)*sin(2*PI*if(lt(mod(t,9.6),4.8),73.42,if(lt(mod(t,9.6),7.2),87.31,65.41))*$bar5)" 28.8)[kb];"
track5+="$(src "$noise*(exp(-18*mod(t-0.6,1.2))*gte(t,0.6))+0.4*sin(2*PI*185*mod(t-0.6,1.2))*exp(-25*mod(t-0.6,1.2))*gte(t,0.6)" 28.8),highpass=f=250,volume=0.7[snare];"
track5+="$(src "0.22*$noise*(exp(-60*mod(t,0.6))+gte(mod(t,0.6),0.4)*exp(-60*(mod(t,0.6)-0.4)))" 28.8),highpass=f=7000[hat];"
track5+="[kb][snare][hat]amix=inputs=3:normalize=0,alimiter=limit=0.9:level=0[out]"

render "01 Kick and Bass.mp3" "Kick and Bass" 1 120 32 "$track1" &
render "02 Four on the Floor.flac" "Four on the Floor" 2 128 30 "$track2" &
render "03 Slow Pad.ogg" "Slow Pad" 3 80 36 "$track3" &
render "04 Arpeggio.flac" "Arpeggio" 4 120 24 "$track4" &
render "05 Boom Bap.mp3" "Boom Bap" 5 100 28.8 "$track5" &
failed=0
for job in $(jobs -p); do
    wait "$job" || failed=1
done
if ((failed)); then
    echo "error: ffmpeg failed to render a demo track" >&2
    exit 1
fi

# Check every file before it goes into the library: readable, tagged, and as long as intended.
while IFS='|' read -r file title track seconds; do
    probe=$(ffprobe -v error -show_entries format=duration:format_tags=title,artist,album,track:stream_tags=title,artist,album,track \
        -of default=noprint_wrappers=1 "$work/$file")
    duration=$(sed -n 's/^duration=//p' <<<"$probe")
    grep -qix "TAG:title=$title" <<<"$probe" || { echo "error: $file: title tag missing" >&2 && exit 1; }
    grep -qix "TAG:album=Ravebox Demo Tape" <<<"$probe" || { echo "error: $file: album tag missing" >&2 && exit 1; }
    grep -qix "TAG:track=$track/$TOTAL" <<<"$probe" || { echo "error: $file: track tag missing" >&2 && exit 1; }
    if ! awk -v d="$duration" -v s="$seconds" 'BEGIN { exit !(d - s < 0.2 && s - d < 0.2) }'; then
        echo "error: $file lasts ${duration}s, expected ${seconds}s" >&2
        exit 1
    fi
done <"$work/manifest"

sort -o "$work/manifest" "$work/manifest"
{
    echo "version=$DEMO_VERSION"
    while IFS='|' read -r file _; do
        mv -f "$work/$file" "$dir/$file"
        echo "file=$file"
    done <"$work/manifest"
} >"$work/stamp"
mv -f "$work/stamp" "$stamp"
echo "Demo library: $TOTAL tracks in $dir"
