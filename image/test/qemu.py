"""Boots a Ravebox amd64 image in QEMU for tests (Python 3 standard library only).

The image itself is never written: each Machine boots a qcow2 overlay on top of it
(the overlay can be larger than the image, so the first-boot growth of the data
partition is exercised). Like the Raspberry Pi firmware, the harness takes the kernel,
the initrd and the kernel command line from the image's FAT partition (vmlinuz,
initrd.img, cmdline.txt, read with mtools); the command line of test boots gets extra
arguments, among them systemd's debug shell on the second serial port, which the
harness uses as a root shell. Real boots of the image have no such shell.

    from qemu import Machine
    with Machine("ravebox-dev-qemu-amd64.img", workdir="/tmp/t") as m:
        m.start()
        m.wait_for_shell()
        rc, out = m.run("findmnt -no OPTIONS /")
        m.wait_for_http("/api/state", timeout=120)
        m.kill()          # power cut
        m.start()         # same disk, next boot

KVM is used when /dev/kvm is readable and writable (unless tcg=True or
RAVEBOX_QEMU_ACCEL=tcg), TCG otherwise; if KVM fails to run the guest kernel at all
(QEMU reports "KVM internal error" in the first seconds, as with kvm-pvm hosts), the
machine restarts with TCG and sets kvm_fallback.
"""

from __future__ import annotations

import atexit
import http.client
import json
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import time
import uuid
from pathlib import Path

__all__ = ["Machine", "QemuError", "kvm_usable", "boot_files"]

# Kernel modules the test boots load (what Debian trixie's amd64 kernel has of the
# test doubles: snd-aloop for audio loopback, mac80211_hwsim for Wi-Fi; gpio-sim and
# vkms are not built in that kernel, see image/README.md).
TEST_MODULES = ["snd-aloop", "mac80211_hwsim"]

DEBUG_SHELL_TTY = "ttyS1"


class QemuError(RuntimeError):
    pass


def kvm_usable() -> bool:
    return os.access("/dev/kvm", os.R_OK | os.W_OK)


def _partitions(image: Path) -> list[tuple[int, int, int]]:
    """(type, start byte, size bytes) of the MBR's primary partitions."""
    with open(image, "rb") as f:
        mbr = f.read(512)
    if mbr[510:512] != b"\x55\xaa":
        raise QemuError(f"{image}: no MBR")
    parts = []
    for i in range(4):
        entry = mbr[446 + 16 * i: 446 + 16 * (i + 1)]
        ptype = entry[4]
        start, count = struct.unpack("<II", entry[8:16])
        if ptype:
            parts.append((ptype, start * 512, count * 512))
    return parts


def boot_files(image: str | os.PathLike, dest: str | os.PathLike) -> dict[str, str]:
    """Copies vmlinuz, initrd.img and cmdline.txt out of the image's FAT partition
    (partition 1) with mtools; returns their paths and the command line."""
    image, dest = Path(image), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    ptype, offset, _ = _partitions(image)[0]
    if ptype not in (0x0B, 0x0C, 0x0E, 0x06):
        raise QemuError(f"{image}: partition 1 is not FAT (type {ptype:#x})")
    files = {}
    for name in ("vmlinuz", "initrd.img", "cmdline.txt"):
        target = dest / name
        subprocess.run(["mcopy", "-n", "-o", "-i", f"{image}@@{offset}", f"::{name}", str(target)],
                       check=True, env={**os.environ, "MTOOLS_SKIP_CHECK": "1"})
        files[name] = str(target)
    files["cmdline"] = Path(files["cmdline.txt"]).read_text().strip()
    return files


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Machine:
    """One QEMU virtual machine booting (a qcow2 overlay of) a Ravebox amd64 image."""

    def __init__(self, image: str | os.PathLike, workdir: str | os.PathLike, *,
                 tcg: bool | None = None, memory_mib: int = 1536, cpus: int = 2,
                 disk_size: str = "4G", http_port: int | None = None,
                 extra_args: list[str] | None = None, extra_cmdline: list[str] | None = None,
                 modules: list[str] | None = None, debug_shell: bool = True,
                 fresh: bool = True, drive_options: str = "", tap: str | None = None,
                 http_address: str = "127.0.0.1"):
        self.image = Path(image).resolve()
        self.workdir = Path(workdir).resolve()
        self.workdir.mkdir(parents=True, exist_ok=True)
        if tcg is None:
            tcg = os.environ.get("RAVEBOX_QEMU_ACCEL") == "tcg"
        self.kvm = not tcg and kvm_usable()
        self.kvm_fallback = False  # True when KVM was usable on paper but failed to run the guest
        self.memory_mib = memory_mib
        self.cpus = cpus
        # The NIC: QEMU's user network with the guest's port 80 forwarded to http_port on the host's loopback
        # (the default), or the host's tap device `tap` (opened by name in QEMU's network namespace; script=no),
        # where the harness reaches the guest itself, at http_address, port 80 unless http_port says otherwise.
        self.tap = tap
        self.http_address = http_address
        self.http_port = http_port or (80 if tap else _free_port())
        self.extra_args = list(extra_args or [])
        self.extra_cmdline = list(extra_cmdline or [])
        self.modules = TEST_MODULES if modules is None else modules
        self.debug_shell = debug_shell
        # Extra -drive options for the disk, e.g. "throttling.iops-write=100" (an SD card's pace).
        self.drive_options = drive_options
        self.disk = self.workdir / "disk.qcow2"
        self.console_log = self.workdir / "console.log"
        self.shell_sock = self.workdir / "shell.sock"
        self.qmp_sock = self.workdir / "qmp.sock"
        self.proc: subprocess.Popen | None = None
        self._atexit = False
        self.boots = 0
        self.started_at = 0.0
        self._shell: socket.socket | None = None
        self._buf = b""
        if fresh or not self.disk.exists():
            self.disk.unlink(missing_ok=True)
            subprocess.run(["qemu-img", "create", "-q", "-f", "qcow2", "-F", "raw",
                            "-b", str(self.image), str(self.disk), disk_size], check=True)
        self.files = boot_files(self.image, self.workdir / "boot")

    # -- life cycle ----------------------------------------------------------------------

    def cmdline(self) -> str:
        args = [self.files["cmdline"]]
        if self.debug_shell:
            # systemd-debug-generator: root shell on the named tty (systemd >= 254).
            args.append(f"systemd.debug_shell={DEBUG_SHELL_TTY}")
        if self.modules:
            args.append("modules-load=" + ",".join(self.modules))
        args += self.extra_cmdline
        return " ".join(args)

    def qemu_command(self) -> list[str]:
        # "-arch-capabilities": nested KVM hosts (cloud VMs) refuse that MSR and QEMU aborts.
        cpu = os.environ.get("RAVEBOX_QEMU_CPU") or ("host,-arch-capabilities" if self.kvm else "max")
        accel = ["-accel", "kvm" if self.kvm else "tcg,thread=multi", "-cpu", cpu]
        return [
            "qemu-system-x86_64", *accel, "-machine", "q35", "-smp", str(self.cpus), "-m", str(self.memory_mib),
            "-nodefaults", "-no-user-config", "-display", "none", "-vga", "none",
            "-kernel", self.files["vmlinuz"], "-initrd", self.files["initrd.img"], "-append", self.cmdline(),
            "-drive", f"file={self.disk},format=qcow2,if=none,id=disk0,cache=writeback,discard=unmap"
                      + (f",{self.drive_options}" if self.drive_options else ""),
            "-device", "virtio-blk-pci,drive=disk0",
            "-netdev", (f"tap,id=net0,ifname={self.tap},script=no,downscript=no" if self.tap
                        else f"user,id=net0,hostfwd=tcp:127.0.0.1:{self.http_port}-:80"),
            "-device", "virtio-net-pci,netdev=net0",
            "-device", "virtio-rng-pci",
            "-device", "i6300esb", "-action", "watchdog=reset",
            "-chardev", f"file,id=con0,path={self.console_log}",
            "-serial", "chardev:con0",
            "-chardev", f"socket,id=sh0,path={self.shell_sock},server=on,wait=off",
            "-serial", "chardev:sh0",
            "-qmp", f"unix:{self.qmp_sock},server=on,wait=off",
            *self.extra_args,
        ]

    def start(self) -> None:
        if self.proc and self.proc.poll() is None:
            raise QemuError("already running")
        for p in (self.shell_sock, self.qmp_sock):
            p.unlink(missing_ok=True)
        if self.boots and self.console_log.exists():
            # Keep each boot's console log.
            shutil.copy(self.console_log, self.workdir / f"console.{self.boots}.log")
        self._close_shell()
        self.boots += 1
        self.started_at = time.monotonic()
        qemu_log = self.workdir / "qemu.log"
        self._qemu_log_size = qemu_log.stat().st_size if qemu_log.exists() else 0
        if not self._atexit:
            # QEMU runs in its own session: make sure it never outlives the test.
            atexit.register(self.kill)
            self._atexit = True
        self.proc = subprocess.Popen(self.qemu_command(), stdin=subprocess.DEVNULL,
                                     stdout=open(self.workdir / "qemu.log", "ab"), stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 10
        if self.kvm and self._kvm_failed():
            print(f"qemu.py: KVM cannot run this guest here (KVM internal error), using TCG", flush=True)
            # Some hosts expose a /dev/kvm that cannot run an ordinary guest kernel
            # (e.g. kvm-pvm: "KVM internal error. Suberror: 1" in the decompressor).
            self.kill()
            self.kvm = False
            self.kvm_fallback = True
            self.boots -= 1
            return self.start()
        while not self.shell_sock.exists():
            if self.proc.poll() is not None:
                raise QemuError("QEMU exited: " + (self.workdir / "qemu.log").read_text()[-2000:])
            if time.monotonic() > deadline:
                raise QemuError("QEMU did not create its sockets")
            time.sleep(0.05)

    def _kvm_failed(self, grace: float = 10.0) -> bool:
        """True when QEMU reports a KVM internal error in its first seconds."""
        log = self.workdir / "qemu.log"
        size = self._qemu_log_size
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            with open(log, "rb") as f:
                f.seek(size)
                if b"KVM internal error" in f.read():
                    return True
            if self.proc.poll() is not None:
                return False
            time.sleep(0.1)
        return False

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """Power cut: SIGKILL QEMU. The disk uses cache=writeback, so what the guest flushed (fsync) is in the
        qcow2 file, as on a card that honours flushes; what it did not flush may be lost."""
        self._close_shell()
        if self.proc and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def shutdown(self, timeout: float = 90) -> bool:
        """Clean power-off (ACPI power button); SIGKILL after the timeout. True when clean."""
        if not self.running():
            return True
        try:
            self.qmp({"execute": "system_powerdown"})
        except (OSError, ValueError):  # the monitor went away: QEMU is exiting anyway
            pass
        try:
            self.proc.wait(timeout)
            self._close_shell()
            return True
        except subprocess.TimeoutExpired:
            self.kill()
            return False

    def wait_exit(self, timeout: float) -> int | None:
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def __enter__(self) -> "Machine":
        return self

    def __exit__(self, *exc) -> None:
        self.kill()

    def qmp(self, message: dict) -> dict:
        """One QMP command on the machine's monitor socket (e.g. {"execute": "device_del", "arguments": ...});
        returns its answer ({"return": ...} or {"error": ...}), skipping the events QEMU sends meanwhile."""
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(10)
            sock.connect(str(self.qmp_sock))
            stream = sock.makefile("rwb")
            stream.readline()  # greeting
            for request in ({"execute": "qmp_capabilities"}, message):
                stream.write(json.dumps(request).encode() + b"\n")
                stream.flush()
                while True:
                    answer = json.loads(stream.readline())
                    if "return" in answer or "error" in answer:
                        break
            return answer

    # -- the root shell on ttyS1 -----------------------------------------------------------

    def _close_shell(self) -> None:
        if self._shell:
            self._shell.close()
        self._shell = None
        self._buf = b""

    def _connect_shell(self) -> socket.socket:
        if self._shell is None:
            s = socket.socket(socket.AF_UNIX)
            s.connect(str(self.shell_sock))
            self._shell = s
        return self._shell

    def _read_until(self, pattern: re.Pattern, timeout: float) -> re.Match:
        s = self._connect_shell()
        deadline = time.monotonic() + timeout
        while True:
            m = pattern.search(self._buf)
            if m:
                self._buf = self._buf[m.end():]
                return m
            left = deadline - time.monotonic()
            if left <= 0 or not self.running():
                raise TimeoutError(f"no {pattern.pattern!r} on {DEBUG_SHELL_TTY} "
                                   f"(last output: {self._buf[-300:]!r})")
            s.settimeout(min(left, 1.0))
            try:
                data = s.recv(65536)
            except socket.timeout:
                continue
            if not data:
                raise QemuError("shell socket closed")
            self._buf += data

    def wait_for_shell(self, timeout: float = 300) -> float:
        """Waits until the debug shell answers; returns seconds since start()."""
        if not self.debug_shell:
            raise QemuError("started without debug shell")
        deadline = time.monotonic() + timeout
        token = uuid.uuid4().hex[:12]
        s = self._connect_shell()
        pattern = re.compile(rb"RBREADY-" + token.encode())
        while True:
            # The shell echoes what it reads; the printf output differs from its echo. Before the guest opens
            # the port nobody reads the socket, so a send may time out: try again.
            s.settimeout(5)
            try:
                s.sendall(f"\nstty -echo; printf 'RBREADY-%s\\n' {token}\n".encode())
            except socket.timeout:
                if time.monotonic() > deadline:
                    raise
                continue
            try:
                self._read_until(pattern, timeout=min(3.0, max(0.1, deadline - time.monotonic())))
                break
            except TimeoutError:
                if time.monotonic() > deadline:
                    raise
        # In the shell itself (run() uses a subshell): no prompt, no pager, no colours, and
        # a wide terminal (findmnt, systemctl and ps cut their lines to its width).
        s.sendall(b"stty -echo cols 1000 rows 0; export PS1= PS2= TERM=dumb COLUMNS=1000 PAGER=cat "
                  b"SYSTEMD_PAGER= SYSTEMD_COLORS=0 SYSTEMD_URLIFY=0\n")
        self.run("true", timeout=30)
        return time.monotonic() - self.started_at

    def run(self, cmd: str, timeout: float = 120) -> tuple[int, str]:
        """Runs a shell command as root in the guest; returns (exit status, stdout+stderr)."""
        token = uuid.uuid4().hex[:12]
        begin = f"RBB-{token}"
        s = self._connect_shell()
        # Markers are printed with printf so the shell's echo of this line never matches them.
        line = (f"printf '%s\\n' RBB-{token}; ( {cmd}\n) </dev/null 2>&1; "
                f"printf '\\nRBE-%s-%d\\n' {token} $?\n")
        s.sendall(line.encode())
        self._read_until(re.compile(re.escape(begin.encode()) + rb"\r?\n"), timeout)
        m = self._read_until(re.compile(rb"(?s)(.*?)\r?\nRBE-" + token.encode() + rb"-(\d+)\r?\n"), timeout)
        out = m.group(1).replace(b"\r\n", b"\n").decode(errors="replace")
        return int(m.group(2)), out

    def check(self, cmd: str, timeout: float = 120) -> str:
        rc, out = self.run(cmd, timeout)
        if rc != 0:
            raise QemuError(f"{cmd!r} failed with {rc}: {out}")
        return out

    # -- HTTP from the host through the forwarded port (or to the guest's address on the tap) --

    def http(self, method: str, path: str, body: bytes | None = None,
             headers: dict | None = None, timeout: float = 10) -> tuple[int, bytes]:
        status, _, raw = self.http_with_headers(method, path, body, headers, timeout)
        return status, raw

    def http_with_headers(self, method: str, path: str, body: bytes | None = None,
                          headers: dict | None = None, timeout: float = 10) -> tuple[int, http.client.HTTPMessage, bytes]:
        conn = http.client.HTTPConnection(self.http_address, self.http_port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            r = conn.getresponse()
            return r.status, r.msg, r.read()
        finally:
            conn.close()

    def wait_for_http(self, path: str = "/", timeout: float = 300) -> float:
        """Waits for any HTTP response on the guest's port 80; returns seconds since start()."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.running():
                raise QemuError("QEMU exited while waiting for HTTP")
            try:
                self.http("GET", path, timeout=5)
                return time.monotonic() - self.started_at
            except (OSError, http.client.HTTPException):
                time.sleep(0.5)
        raise TimeoutError(f"no HTTP answer on {path} within {timeout} s")

    def console(self) -> str:
        try:
            return self.console_log.read_text(errors="replace")
        except FileNotFoundError:
            return ""
