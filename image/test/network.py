"""The box's networks as the devices around it see them, inside a QEMU guest (qemu.py's Machine).

The guest loads mac80211_hwsim with RADIOS radios, which all hear each other:

    wlan0  the box's hotspot (hostapd, dnsmasq)
    wlan1  the box's home-Wi-Fi client (wpa_supplicant), when ravebox.yaml names a home network
    wlan2  a home access point: moved into the network namespace "home" (hostapd and dnsmasq of the image)
    wlan3  a guest's phone: moved into the network namespace "phone" (wpa_supplicant of the image, and
           busybox udhcpc, nslookup and wget from the tools disk)

A radio moved into its own namespace talks to the box over the air only, the way another device does.
Needs the tools disk (test-tools.img: bin/busybox, udhcpc.sh, mdns-query.pl), mounted by gpio-sim/guest.py.
"""

from __future__ import annotations

import shlex
import time

RADIOS = 4
HOTSPOT, CLIENT, HOME_AP, PHONE = "wlan0", "wlan1", "wlan2", "wlan3"
HOME_NETWORK = "192.168.77"


def cmdline() -> list[str]:
    """Kernel command-line words for the radios (mac80211_hwsim is loaded by modules-load=)."""
    return [f"mac80211_hwsim.radios={RADIOS}"]


class Namespace:
    """A device of its own: one radio in a network namespace, with its own /etc/resolv.conf."""

    def __init__(self, machine, name: str, interface: str, tools: str):
        self.machine, self.name, self.interface, self.tools = machine, name, interface, tools
        self.dir = f"/tmp/{name}"
        machine.check(
            f"mkdir -p {self.dir} && ip netns add {name} && "
            f"iw phy \"$(cat /sys/class/net/{interface}/phy80211/name)\" set netns name {name} && "
            f"ip netns exec {name} ip link set lo up && ip netns exec {name} ip link set {interface} up")

    def run(self, command: str, timeout: float = 120) -> tuple[int, str]:
        """Runs a shell command in the namespace, with the namespace's resolv.conf as /etc/resolv.conf
        (`ip netns exec` gives every command a mount namespace of its own, so the bind mount stays there)."""
        inner = (f"[ ! -f {self.dir}/resolv.conf ] || mount --bind {self.dir}/resolv.conf /etc/resolv.conf; "
                 + command)
        return self.machine.run(f"ip netns exec {self.name} sh -c {shlex.quote(inner)}", timeout=timeout)

    def busybox(self, applet: str) -> str:
        return f"{self.tools}/bin/busybox {applet}"

    def link(self) -> str:
        return self.run(f"iw dev {self.interface} link")[1]


class Phone(Namespace):
    """A guest's phone on the hotspot."""

    def __init__(self, machine, tools: str):
        super().__init__(machine, "phone", PHONE, tools)

    def join(self, ssid: str, password: str | None, key_mgmt: str | None = None, seconds: float = 90,
             connected_to: str | None = None, retry: float = 20) -> bool:
        """Joins `ssid` the way a phone of one kind does: `key_mgmt` NONE (an open network), OWE, WPA-PSK
        (a phone without WPA3) or SAE; by default WPA-PSK with a password, else NONE. True once the link is up
        to `connected_to` (the network actually joined: an OWE phone ends up on the hidden OWE network) and
        wpa_supplicant has its keys (wpa_state COMPLETED), which is when a phone's system starts DHCP: `iw link`
        shows the network from the association on, and until the 4-way handshake is done no data flows.
        Like a phone's system, it gives up a link that stays without keys for `retry` seconds and associates
        again (see image/README.md, "The image test", for how an OWE join gets stuck under TCG)."""
        key_mgmt = key_mgmt or ("WPA-PSK" if password else "NONE")
        network = [f'    ssid="{ssid}"', f"    key_mgmt={key_mgmt}", "    scan_ssid=1"]
        if password:
            network.append(f'    psk="{password}"')
        if key_mgmt in ("OWE", "SAE"):
            network.append("    ieee80211w=2")
        if key_mgmt == "OWE":
            # Otherwise wpa_supplicant falls back to the open network when it misses the hidden OWE one.
            network.append("    owe_only=1")
        conf = f"ctrl_interface={self.dir}/wpa-ctrl\n" + "network={\n" + "\n".join(network) + "\n}\n"
        self.machine.check(f"printf '%s' {shlex.quote(conf)} > {self.dir}/wpa.conf")
        self.run(f"wpa_supplicant -B -D nl80211 -i {self.interface} -c {self.dir}/wpa.conf "
                 f"-P {self.dir}/wpa.pid -f {self.dir}/wpa.log")
        expected = f"SSID: {connected_to or ssid}"
        deadline = time.monotonic() + seconds
        associated = None  # since when the link is up without keys
        while time.monotonic() < deadline:
            if expected not in self.link():
                associated = None
            elif self.status().get("wpa_state") == "COMPLETED":
                return True
            elif associated is None:
                associated = time.monotonic()
            elif time.monotonic() - associated > retry:
                print(f"phone: up on {connected_to or ssid} for {retry:.0f} s without keys "
                      f"({self.status().get('wpa_state')}); associating again", flush=True)
                self.run(f"wpa_cli -p {self.dir}/wpa-ctrl -i {self.interface} reassociate")
                associated = None
            time.sleep(2)
        return False

    def status(self) -> dict[str, str]:
        """wpa_supplicant's view of the connection (key_mgmt, pairwise_cipher, ssid, ...)."""
        text = self.run(f"wpa_cli -p {self.dir}/wpa-ctrl -i {self.interface} status")[1]
        return dict(line.split("=", 1) for line in text.splitlines() if "=" in line)

    def leave(self) -> None:
        """Stops wpa_supplicant, so the next join starts afresh."""
        self.run(f"kill $(cat {self.dir}/wpa.pid) 2>/dev/null; sleep 2; rm -f {self.dir}/wpa.pid; "
                 f"ip addr flush dev {self.interface}")

    def lease(self) -> dict[str, str]:
        """Asks for a DHCP lease (with option 114, the captive-portal API); returns what udhcpc was
        handed (ip, router, dns, opt114 or captive...) and configures it. {} when no lease came."""
        self.run(f"rm -f /tmp/udhcpc-{self.interface}.env; "
                 f"{self.busybox('udhcpc')} -i {self.interface} -f -q -n -t 8 -T 3 -O 114 "
                 f"-s {self.tools}/udhcpc.sh", timeout=90)
        rc, text = self.machine.run(f"cat /tmp/udhcpc-{self.interface}.env")
        if rc != 0:
            return {}
        values = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
        if values.get("dns"):
            self.machine.check(f"printf 'nameserver %s\\n' {shlex.quote(values['dns'].split()[0])} "
                               f"> {self.dir}/resolv.conf")
        return values


def option_114(lease: dict[str, str]) -> str:
    """The captive-portal URL of a udhcpc lease: busybox passes option 114 as hex (opt114) or by name."""
    for key in ("captive", "opt114"):
        if key in lease:
            value = lease[key].strip()
            try:
                return bytes.fromhex(value).decode()
            except ValueError:
                return value
    return ""


class HomeNetwork(Namespace):
    """The home Wi-Fi the box joins as a client: an access point with DHCP, in its own namespace."""

    def __init__(self, machine, tools: str, ssid: str, password: str):
        super().__init__(machine, "home", HOME_AP, tools)
        conf = "\n".join([
            f"interface={self.interface}", "driver=nl80211", f"ssid={ssid}", "hw_mode=g", "channel=1",
            "wpa=2", "wpa_key_mgmt=WPA-PSK", "rsn_pairwise=CCMP", f"wpa_passphrase={password}", ""])
        machine.check(f"printf '%s' {shlex.quote(conf)} > {self.dir}/hostapd.conf")
        # The router's own uplink is not simulated: a multicast route instead of a default one (for mDNS).
        self.run(f"ip addr add {HOME_NETWORK}.1/24 dev {self.interface} && "
                 f"ip route add 224.0.0.0/4 dev {self.interface}")
        self.run(f"hostapd -B -P {self.dir}/hostapd.pid -f {self.dir}/hostapd.log {self.dir}/hostapd.conf")
        self.run(f"dnsmasq --conf-file=/dev/null --user=root --port=0 --interface={self.interface} "
                 f"--bind-interfaces --dhcp-range={HOME_NETWORK}.50,{HOME_NETWORK}.99,12h "
                 f"--dhcp-leasefile={self.dir}/leases --pid-file={self.dir}/dnsmasq.pid")

    def logs(self) -> str:
        return self.machine.run(f"tail -n 20 {self.dir}/hostapd.log; cat {self.dir}/leases")[1]
