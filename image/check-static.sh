#!/usr/bin/env bash
# Static checks for the Ravebox image sources; stops with a clear message at the first problem.
#
# Usage: image/check-static.sh [--root DIR] [--dnsmasq FILE] [--hostapd FILE]...
#
#   --root DIR      an amd64 Debian trixie root (e.g. made with mmdebstrap --include=systemd,udev); used through
#                   chroot for the checks the local system is too old for (udevadm verify needs systemd >= 253)
#                   and for systemd-analyze verify. Needs root. Only a temporary directory under DIR/tmp is
#                   written, and removed again.
#   --dnsmasq FILE  also check a dnsmasq configuration (dnsmasq --test -C FILE)
#   --hostapd FILE  also check a hostapd configuration (see check_hostapd for the method); repeatable, one for
#                   each wifi_security mode
#
# Checks, in order:
#   1. every overlays/*.dts compiles with "dtc -@" without errors or warnings
#   2. shellcheck on every shell script under image/ udev/ overlays/ scripts/ .ci/ (found by shebang or .sh/.bash)
#   3. udev rules (udev/*.rules, image/rootfs/**/rules.d/*.rules): a key/operator/value syntax check of every
#      rule line, then the real udev parser: "udevadm verify" (local, or in --root), else "udevadm test" of the
#      local udev in a private mount namespace (as root), else a "skip:" line
#   4. systemd units (udev/*.service, image/rootfs/**): systemd-analyze verify (in --root when given)
#   5. the optional dnsmasq and hostapd configurations
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=''
dnsmasq_conf=''
hostapd_confs=()

usage() {
    sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
}

fail() {
    printf 'check-static: FAIL: %s\n' "$*" >&2
    exit 1
}
ok() { printf 'ok: %s\n' "$*"; }
skip() { printf 'skip: %s\n' "$*"; }
note() { printf 'note: %s\n' "$*"; }

while (($# > 0)); do
    case $1 in
        --root)
            (($# >= 2)) || fail "--root needs a directory"
            root=$2
            shift 2
            ;;
        --root=*)
            root=${1#--root=}
            shift
            ;;
        --dnsmasq)
            (($# >= 2)) || fail "--dnsmasq needs a file"
            dnsmasq_conf=$2
            shift 2
            ;;
        --dnsmasq=*)
            dnsmasq_conf=${1#--dnsmasq=}
            shift
            ;;
        --hostapd)
            (($# >= 2)) || fail "--hostapd needs a file"
            hostapd_confs+=("$2")
            shift 2
            ;;
        --hostapd=*)
            hostapd_confs+=("${1#--hostapd=}")
            shift
            ;;
        -h | --help)
            usage
            exit 0
            ;;
        *) fail "unknown argument '$1' (see --help)" ;;
    esac
done

if [[ -n $root ]]; then
    [[ -d $root ]] || fail "--root $root is not a directory"
    root=$(cd "$root" && pwd)
    ((EUID == 0)) || fail "--root needs root (it uses chroot)"
fi
[[ -z $dnsmasq_conf || -f $dnsmasq_conf ]] || fail "--dnsmasq $dnsmasq_conf: no such file"
for hostapd_conf in "${hostapd_confs[@]}"; do
    [[ -f $hostapd_conf ]] || fail "--hostapd $hostapd_conf: no such file"
done

work=$(mktemp -d "${TMPDIR:-/tmp}/ravebox-check.XXXXXX")
root_work=''
cleanup() {
    rm -rf -- "$work"
    if [[ -n $root_work ]]; then rm -rf -- "${root:?}${root_work:?}"; fi
}
trap cleanup EXIT

need() {
    command -v "$1" >/dev/null 2>&1 || fail "$1 is not installed ($2)"
}

# Sets root_work to a scratch directory inside the --root tree, as seen from inside the chroot
# (e.g. /tmp/ravebox-check.AbC); call it directly, not in $(...), so the EXIT trap sees the variable.
root_scratch() {
    if [[ -z $root_work ]]; then
        mkdir -p -- "$root/tmp"
        root_work=$(mktemp -d "$root/tmp/ravebox-check.XXXXXX")
        root_work=${root_work#"$root"}
    fi
}

# --- 1. device-tree overlays -------------------------------------------------------------------------------

check_overlays() {
    need dtc "apt-get install device-tree-compiler"
    local dts name count=0
    shopt -s nullglob
    for dts in "$repo"/overlays/*.dts; do
        name=$(basename "$dts" .dts)
        if ! dtc -@ -I dts -O dtb -o "$work/$name.dtbo" "$dts" 2>"$work/dtc.log"; then
            cat "$work/dtc.log" >&2
            fail "overlays/$name.dts does not compile (dtc -@ -I dts -O dtb)"
        fi
        if [[ -s $work/dtc.log ]]; then
            cat "$work/dtc.log" >&2
            fail "overlays/$name.dts compiles with dtc warnings"
        fi
        count=$((count + 1))
    done
    shopt -u nullglob
    ok "dtc: $count overlay(s) compile without warnings"
}

# --- 2. shell scripts --------------------------------------------------------------------------------------

is_shell_script() {
    local file=$1 first=''
    case $file in *.sh | *.bash) return 0 ;; esac
    IFS= read -r first <"$file" 2>/dev/null || true
    [[ $first =~ ^#![[:space:]]*(/usr)?/bin/(env[[:space:]]+(-S[[:space:]]+)?)?(ba|da|k|mk)?sh([[:space:]]|$) ]]
}

check_shell() {
    need shellcheck "apt-get install shellcheck"
    local -a scripts=()
    local dir file
    for dir in image udev overlays scripts .ci; do
        [[ -d $repo/$dir ]] || continue
        while IFS= read -r -d '' file; do
            if is_shell_script "$file"; then scripts+=("$file"); fi
        done < <(find "$repo/$dir" -type f -print0 | sort -z)
    done
    if ((${#scripts[@]} == 0)); then
        ok "shellcheck: no shell scripts found"
        return
    fi
    for file in "${scripts[@]}"; do
        if ! (cd "$(dirname "$file")" && shellcheck -x "$(basename "$file")") >"$work/shellcheck.log" 2>&1; then
            cat "$work/shellcheck.log" >&2
            fail "shellcheck: ${file#"$repo"/}"
        fi
    done
    ok "shellcheck: ${#scripts[@]} script(s) clean:$(printf ' %s' "${scripts[@]#"$repo"/}")"
}

# --- 3. udev rules -----------------------------------------------------------------------------------------

# Key/operator/value syntax of every rule line, as udev(7) describes it; catches misspelt keys, a missing comma
# or quote, "=" where "==" is needed (and the reverse), bad MODE values and GOTOs without a LABEL.
rules_syntax() {
    need python3 "apt-get install python3"
    python3 - "$@" <<'PY'
import re
import sys

MATCH = {"==", "!="}
ASSIGN = {"=", "+=", "-=", ":="}
# key: (allowed operators, attribute braces: "required" / "optional" / "none")
KEYS = {
    "ACTION": (MATCH, "none"), "DEVPATH": (MATCH, "none"), "KERNEL": (MATCH, "none"),
    "KERNELS": (MATCH, "none"), "SUBSYSTEM": (MATCH, "none"), "SUBSYSTEMS": (MATCH, "none"),
    "DRIVER": (MATCH, "none"), "DRIVERS": (MATCH, "none"), "ATTRS": (MATCH, "required"),
    "TAGS": (MATCH, "none"), "CONST": (MATCH, "required"), "RESULT": (MATCH, "none"),
    "TEST": (MATCH, "optional"), "PROGRAM": (MATCH | {"="}, "none"),
    "IMPORT": (MATCH | {"="}, "required"),
    "NAME": (MATCH | {"=", "+=", ":="}, "none"), "SYMLINK": (MATCH | ASSIGN, "none"),
    "ATTR": (MATCH | {"=", "+=", ":="}, "required"), "SYSCTL": (MATCH | {"=", "+=", ":="}, "required"),
    "ENV": (MATCH | ASSIGN, "required"), "TAG": (MATCH | ASSIGN, "none"),
    "OWNER": ({"=", ":="}, "none"), "GROUP": ({"=", ":="}, "none"), "MODE": ({"=", ":="}, "none"),
    "SECLABEL": ({"=", "+=", ":="}, "required"), "RUN": ({"=", "+=", ":="}, "optional"),
    "LABEL": ({"="}, "none"), "GOTO": ({"="}, "none"), "OPTIONS": ({"=", "+=", ":="}, "none"),
}
TOKEN = re.compile(r'\s*([A-Za-z_]+)(\{[^{}"]*\})?\s*(==|!=|\+=|-=|:=|=)\s*"((?:[^"\\]|\\.)*)"\s*')

bad = []
for path in sys.argv[1:]:
    with open(path, encoding="utf-8") as handle:
        physical = handle.read().split("\n")
    rules, labels, gotos = [], set(), []
    i = 0
    while i < len(physical):
        start, line = i + 1, physical[i]
        while line.endswith("\\") and i + 1 < len(physical):
            i += 1
            line = line[:-1] + " " + physical[i].lstrip()
        i += 1
        if line.strip() == "" or line.lstrip().startswith("#"):
            continue
        rules.append((start, line))
    for number, line in rules:
        where = f"{path}:{number}"
        position, tokens = 0, 0
        while position < len(line):
            found = TOKEN.match(line, position)
            if not found:
                bad.append(f"{where}: cannot parse at column {position + 1}: {line[position:position + 40]!r}")
                break
            key, attr, op, value = found.groups()
            tokens += 1
            if key not in KEYS:
                bad.append(f"{where}: unknown key {key!r}")
            else:
                ops, braces = KEYS[key]
                if op not in ops:
                    bad.append(f"{where}: operator {op!r} is not valid for {key}")
                if braces == "required" and not attr:
                    bad.append(f"{where}: {key} needs {{...}}")
                if braces == "none" and attr:
                    bad.append(f"{where}: {key} takes no {{...}}")
                if key == "MODE" and not re.fullmatch(r"[0-7]{3,4}|\$.*|%.*", value):
                    bad.append(f"{where}: MODE {value!r} is not an octal mode")
                if key == "LABEL":
                    labels.add(value)
                if key == "GOTO":
                    gotos.append((where, value))
            position = found.end()
            if position < len(line):
                if line[position] != ",":
                    bad.append(f"{where}: expected ',' at column {position + 1}")
                    break
                position += 1
                if line[position:].strip() == "":
                    bad.append(f"{where}: trailing ','")
                    break
        if tokens == 0:
            bad.append(f"{where}: empty rule")
    for where, label in gotos:
        if label not in labels:
            bad.append(f"{where}: GOTO {label!r} has no LABEL in the same file")

for problem in bad:
    print(problem, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
}

udevadm_has_verify() {
    "$@" verify --help >/dev/null 2>&1
}

check_udev_rules() {
    local -a rules=()
    local file
    shopt -s nullglob
    rules=("$repo"/udev/*.rules)
    shopt -u nullglob
    if [[ -d $repo/image/rootfs ]]; then
        while IFS= read -r -d '' file; do rules+=("$file"); done \
            < <(find "$repo/image/rootfs" -type f -path '*/rules.d/*.rules' -print0 | sort -z)
    fi
    if ((${#rules[@]} == 0)); then
        ok "udev: no rules files"
        return
    fi
    local names=''
    for file in "${rules[@]}"; do names+=" ${file#"$repo"/}"; done

    rules_syntax "${rules[@]}" || fail "udev rules syntax:$names"
    ok "udev: key/operator/value syntax of${names}"

    # The real parser. Names (GROUP="ravebox") are not resolved: the user exists only in the image.
    if command -v udevadm >/dev/null 2>&1 && udevadm_has_verify udevadm; then
        udevadm verify --resolve-names=never "${rules[@]}" >"$work/verify.log" 2>&1 \
            || { cat "$work/verify.log" >&2; fail "udevadm verify:$names"; }
        ok "udevadm verify (local udev $(udevadm --version))"
    elif [[ -n $root ]] && [[ -x $root/usr/bin/udevadm ]] && udevadm_has_verify chroot "$root" udevadm; then
        root_scratch
        local scratch=$root_work
        mkdir -p -- "$root$scratch/rules"
        local -a inside=()
        for file in "${rules[@]}"; do
            cp -- "$file" "$root$scratch/rules/"
            inside+=("$scratch/rules/$(basename "$file")")
        done
        chroot "$root" udevadm verify --resolve-names=never "${inside[@]}" >"$work/verify.log" 2>&1 || { cat "$work/verify.log" >&2; fail "udevadm verify in $root:$names"; }
        ok "udevadm verify in $root (udev $(chroot "$root" udevadm --version))"
    elif ((EUID == 0)) && command -v udevadm >/dev/null 2>&1 && command -v unshare >/dev/null 2>&1 \
        && [[ -d /etc/udev/rules.d && -e /sys/class/mem/null ]]; then
        # systemd < 253: let the local udev parse the rules. In a private mount namespace our rules replace
        # /etc/udev/rules.d, and "udevadm test" loads every rules file (it runs no RUN programs) and logs
        # "<file>:<line> <problem>" for each one it rejects.
        mkdir -p -- "$work/rules.d"
        cp -- "${rules[@]}" "$work/rules.d/"
        # shellcheck disable=SC2016 # $1 is expanded by the inner sh.
        unshare -m sh -c 'mount --bind "$1" /etc/udev/rules.d && udevadm test --action=add /sys/class/mem/null' \
            sh "$work/rules.d" >"$work/udevtest.log" 2>&1 || true
        grep -q '^Reading rules file: /etc/udev/rules.d/' "$work/udevtest.log" \
            || { cat "$work/udevtest.log" >&2; fail "udevadm test did not read the rules (see above)"; }
        if grep '^/etc/udev/rules.d/[^:]*:[0-9]' "$work/udevtest.log" \
            | grep -v -e "Unknown group '" -e "Unknown user '" >"$work/udevtest.err"; then
            cat "$work/udevtest.err" >&2
            fail "the local udev ($(udevadm --version)) rejects lines in:$names"
        fi
        skip "udevadm verify needs systemd >= 253 (local udev is $(udevadm --version); pass --root DIR with a" \
            "trixie root); checked with the local udev's parser through udevadm test instead"
    else
        skip "udevadm verify needs systemd >= 253 (local udev is $(udevadm --version 2>/dev/null || echo missing);" \
            "pass --root DIR with a trixie root, or run as root for the udevadm test fallback)"
    fi
}

# --- 4. systemd units --------------------------------------------------------------------------------------

# Runs systemd-analyze verify (locally or in the root) and fails on any message except commands missing from
# the checking system (the image installs them; the check system is not the image).
analyze_units() {
    local where=$1
    shift
    local status=0
    if [[ $where == local ]]; then
        SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$@" >"$work/analyze.log" 2>&1 || status=$?
    else
        chroot "$root" env SYSTEMD_LOG_COLOR=0 systemd-analyze verify "$@" >"$work/analyze.log" 2>&1 || status=$?
    fi
    grep -E 'Command .* is not executable: No such file or directory' "$work/analyze.log" \
        | sed -E 's/.*Command (.*) is not executable.*/\1/' | sort -u >"$work/missing.log" || true
    # Name the repository's files, not their copies.
    sed -i -f "$work/paths.sed" "$work/analyze.log"
    if grep -v -E -e 'Command .* is not executable: No such file or directory' -e '^[[:space:]]*$' \
        "$work/analyze.log" >"$work/analyze.err"; then
        cat "$work/analyze.err" >&2
        return 1
    fi
    if ((status != 0)) && [[ ! -s $work/missing.log ]]; then
        cat "$work/analyze.log" >&2
        return 1
    fi
    cat "$work/missing.log" >>"$work/missing.all"
}

check_units() {
    local -a units=()
    local file
    shopt -s nullglob
    for file in "$repo"/udev/*.service "$repo"/udev/*.socket "$repo"/udev/*.path "$repo"/udev/*.timer; do
        units+=("$file")
    done
    shopt -u nullglob
    if [[ -d $repo/image/rootfs ]]; then
        while IFS= read -r -d '' file; do units+=("$file"); done < <(find "$repo/image/rootfs" -type f \
            \( -name '*.service' -o -name '*.socket' -o -name '*.path' -o -name '*.timer' -o -name '*.mount' \
            -o -name '*.automount' -o -name '*.target' -o -name '*.slice' \) -path '*/systemd/*' -print0 | sort -z)
    fi
    if ((${#units[@]} == 0)); then
        ok "systemd: no unit files"
        return
    fi
    # All units in one directory, so units that refer to each other (ravebox-poweroff.path -> .service) resolve.
    local dir names='' where
    if [[ -n $root && -x $root/usr/bin/systemd-analyze ]]; then
        where=root
        root_scratch
        dir=$root_work/units
        mkdir -p -- "$root$dir"
        cp -- "${units[@]}" "$root$dir/"
    elif command -v systemd-analyze >/dev/null 2>&1; then
        where=local
        dir=$work/units
        mkdir -p -- "$dir"
        cp -- "${units[@]}" "$dir/"
    else
        skip "systemd-analyze not available: unit files not verified"
        return
    fi
    : >"$work/paths.sed"
    for file in "${units[@]}"; do
        printf 's|[^ :]*%s/%s|%s|g\n' "$dir" "$(basename "$file")" "${file#"$repo"/}" >>"$work/paths.sed"
    done
    for file in "${units[@]}"; do
        names+=" ${file#"$repo"/}"
        if ! analyze_units "$where" "$dir/$(basename "$file")"; then
            fail "systemd-analyze verify ${file#"$repo"/} (it loads the units it refers to): see the messages above"
        fi
    done
    if [[ -s $work/missing.all ]]; then
        note "commands the image installs but the checking system lacks (not checked as executables):" \
            "$(sort -u "$work/missing.all" | tr '\n' ' ')"
    fi
    if [[ $where == root ]]; then
        ok "systemd-analyze verify in $root:$names"
    else
        ok "systemd-analyze verify ($(systemd-analyze --version | head -n1)):$names"
    fi
}

# --- 5. dnsmasq and hostapd configurations -----------------------------------------------------------------

check_dnsmasq() {
    [[ -n $dnsmasq_conf ]] || return 0
    local dnsmasq
    dnsmasq=$(command -v dnsmasq || true)
    [[ -n $dnsmasq ]] || dnsmasq=/usr/sbin/dnsmasq
    [[ -x $dnsmasq ]] || fail "dnsmasq is not installed (apt-get install dnsmasq-base) to check $dnsmasq_conf"
    if ! "$dnsmasq" --test -C "$dnsmasq_conf" >"$work/dnsmasq.log" 2>&1; then
        cat "$work/dnsmasq.log" >&2
        fail "dnsmasq --test -C $dnsmasq_conf"
    fi
    ok "dnsmasq --test -C $dnsmasq_conf"
}

# hostapd has no "test the configuration" option, but it reads and checks the whole file (printing
# "Line N: ..." and "N errors found in configuration file") before it touches any interface. So run it on a
# made-up interface name (-i overrides interface=), inside an empty network namespace when we are root, with a
# timeout: a configuration that parses gets as far as setting up the interface, which fails with
# "<ifname>: interface state UNINITIALIZED->DISABLED"; a broken one stops at "Failed to set up interface with".
check_hostapd() {
    local hostapd_conf=$1 hostapd ifname=rbcheck0 status=0
    hostapd=$(command -v hostapd || true)
    [[ -n $hostapd ]] || hostapd=/usr/sbin/hostapd
    [[ -x $hostapd ]] || fail "hostapd is not installed (apt-get install hostapd) to check $hostapd_conf"
    local -a isolate=()
    if ((EUID == 0)) && command -v unshare >/dev/null 2>&1 && unshare -n true 2>/dev/null; then
        isolate=(unshare -n)
    fi
    timeout 20 "${isolate[@]}" "$hostapd" -i "$ifname" "$hostapd_conf" >"$work/hostapd.log" 2>&1 || status=$?
    if ((status == 124)); then
        cat "$work/hostapd.log" >&2
        fail "hostapd $hostapd_conf did not stop within 20 s on the made-up interface $ifname"
    fi
    if grep -q -e 'errors found in configuration file' -e 'Failed to set up interface with' \
        -e 'Could not open configuration file' "$work/hostapd.log"; then
        cat "$work/hostapd.log" >&2
        fail "hostapd rejects $hostapd_conf"
    fi
    if ! grep -q "^$ifname: interface state UNINITIALIZED->" "$work/hostapd.log"; then
        cat "$work/hostapd.log" >&2
        fail "hostapd $hostapd_conf: did not get past reading the configuration (see above)"
    fi
    if grep -q '^Line [0-9]*:' "$work/hostapd.log"; then
        note "hostapd warnings for $hostapd_conf: $(grep '^Line [0-9]*:' "$work/hostapd.log" | tr '\n' ' ')"
    fi
    ok "hostapd parses $hostapd_conf (hostapd -i $ifname${isolate[*]:+ in a new network namespace})"
}

check_overlays
check_shell
check_udev_rules
check_units
check_dnsmasq
for conf in "${hostapd_confs[@]}"; do
    check_hostapd "$conf"
done
printf 'check-static: all checks passed\n'
