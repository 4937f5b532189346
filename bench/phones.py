"""Phones on a network of their own, for benchmarks of the box booted in QEMU (bench/vote-sd.py).

A network namespace on the host holds QEMU's tap device (the guest's eth0) and one macvlan on it per phone,
each with a MAC address and an IPv4 address of its own. The box tells guests apart by the MAC its ARP table
has for a client's address (Sources/RaveboxWeb/ARPTable.swift), on any link; so each phone is a device of its
own to it, as each phone on its hotspot is, and the per-device limits (32 connections, 30 new sessions in 10
minutes, one vote per device) apply to each phone, not to the whole crowd. A DHCP server in the namespace
(dnsmasq, as a home router) gives the box its address; nothing in the image changes.

    lan = LAN(work, phones=500)
    lan.create()                  # needs root: ip netns, tuntap, macvlan, dnsmasq
    lan.enter()                   # this process, and QEMU started after it, now live in the namespace
    machine = Machine(image, work, tap=lan.tap, http_address=lan.box)
    reader, writer = await connect(lan.box, 80, lan.phones[7])
    lan.remove()

Within the namespace every phone's prefix route points at its own macvlan, after the tap's: a socket bound to a
phone's interface (SO_BINDTODEVICE, `connect`) leaves through it with the phone's MAC, any other socket leaves
through the tap from the host's own address, ROUTER. `arp_ignore=1` makes only the interface that holds an
address answer ARP for it (else every macvlan answers for every phone and the box learns a random MAC).
"""

from __future__ import annotations

import asyncio
import ctypes
import os
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUBNET_PREFIX = "10.66"
PREFIX_LENGTH = 16
ROUTER = f"{SUBNET_PREFIX}.0.1"
BOX = f"{SUBNET_PREFIX}.0.2"
CLONE_NEWNET = 0x40000000


@dataclass(frozen=True)
class Phone:
    """One simulated phone: its interface in the namespace, its MAC and its IPv4 address."""

    interface: str
    mac: str
    address: str

    def line(self) -> str:
        return f"{self.interface} {self.mac} {self.address}"


def phone(index: int) -> Phone:
    """The index-th phone (0-based): ph0 at 10.66.1.1 with MAC 02:66:00:00:00:01, 250 to each /24."""
    number = index + 1
    return Phone(f"ph{index}", f"02:66:00:00:{number >> 8:02x}:{number & 0xFF:02x}",
                 f"{SUBNET_PREFIX}.{1 + index // 250}.{1 + index % 250}")


def write_phones(path: Path, phones: list[Phone]) -> None:
    """A phones file for a client script: one phone a line, `INTERFACE MAC ADDRESS`."""
    path.write_text("".join(p.line() + "\n" for p in phones))


def read_phones(path: str | os.PathLike) -> list[Phone]:
    with open(path, encoding="utf-8") as handle:
        return [Phone(*line.split()) for line in handle if line.strip()]


async def connect(host: str, port: int, source: Phone | None, timeout: float = 10.0):
    """asyncio streams to host:port from `source`'s address, out of its own interface (so its frames carry its
    MAC); with None, from wherever the routes say."""
    if source is None:
        return await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, source.interface.encode())
        sock.bind((source.address, 0))
        sock.setblocking(False)
        await asyncio.wait_for(asyncio.get_running_loop().sock_connect(sock, (host, port)), timeout)
    except BaseException:
        sock.close()
        raise
    return await asyncio.open_connection(sock=sock)


class LAN:
    """The namespace, its tap, the phones and the DHCP server; `remove()` (or the namespace's deletion) takes all
    of it away."""

    def __init__(self, work: Path, phones: int, namespace: str | None = None, tap: str = "tap0"):
        self.work = Path(work)
        self.namespace = namespace or f"ravebox-bench-{os.getpid()}"
        self.tap = tap
        self.box = BOX
        self.router = ROUTER
        self.phones = [phone(i) for i in range(phones)]
        self.dnsmasq: subprocess.Popen | None = None

    def ip_batch(self, commands: list[str]) -> None:
        subprocess.run(["ip", "-n", self.namespace, "-batch", "-"], input="\n".join(commands) + "\n", text=True,
                       check=True)

    def create(self) -> None:
        self.work.mkdir(parents=True, exist_ok=True)
        subprocess.run(["ip", "netns", "add", self.namespace], check=True)
        subprocess.run(["ip", "netns", "exec", self.namespace, "sysctl", "-q", "-w",
                        "net.ipv4.conf.all.arp_ignore=1", "net.ipv4.conf.all.arp_announce=2",
                        "net.ipv4.conf.all.rp_filter=0", "net.ipv4.conf.default.rp_filter=0",
                        "net.ipv4.ip_local_port_range=10000 65000"], check=True)
        self.ip_batch([
            "link set lo up",
            f"tuntap add dev {self.tap} mode tap",
            f"addr add {self.router}/{PREFIX_LENGTH} dev {self.tap}",
            f"link set {self.tap} up",
        ])
        commands = []
        for p in self.phones:
            commands += [
                f"link add {p.interface} link {self.tap} address {p.mac} type macvlan mode private",
                f"addr add {p.address}/{PREFIX_LENGTH} dev {p.interface}",
                f"link set {p.interface} up",
            ]
        started = time.monotonic()
        self.ip_batch(commands)
        print(f"phones: {len(self.phones)} phones in namespace {self.namespace} in "
              f"{time.monotonic() - started:.1f} s", flush=True)
        # The home router's DHCP: the box's eth0 gets BOX (the only address in the range).
        self.dnsmasq = subprocess.Popen(
            ["ip", "netns", "exec", self.namespace, "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null",
             "--user=root", "--port=0", f"--interface={self.tap}", "--bind-interfaces",
             f"--dhcp-range={self.box},{self.box},255.255.0.0,12h", f"--dhcp-option=option:router,{self.router}",
             f"--dhcp-leasefile={self.work / 'dnsmasq.leases'}", f"--log-facility={self.work / 'dnsmasq.log'}",
             "--log-dhcp"],
            stdin=subprocess.DEVNULL)

    def enter(self) -> None:
        """Moves this process into the namespace (setns): sockets opened after it, and processes started after
        it (QEMU, the clients), are there. Call it before starting any thread."""
        libc = ctypes.CDLL(None, use_errno=True)
        with open(f"/run/netns/{self.namespace}") as handle:
            if libc.setns(handle.fileno(), CLONE_NEWNET) != 0:
                error = ctypes.get_errno()
                raise OSError(error, f"setns into {self.namespace}: {os.strerror(error)}")

    def remove(self) -> None:
        if self.dnsmasq and self.dnsmasq.poll() is None:
            self.dnsmasq.terminate()
            try:
                self.dnsmasq.wait(5)
            except subprocess.TimeoutExpired:
                self.dnsmasq.kill()
        subprocess.run(["ip", "netns", "delete", self.namespace], check=False)
