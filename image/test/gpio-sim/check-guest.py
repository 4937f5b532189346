#!/usr/bin/env python3
"""Boots the image with test-tools.img attached and checks gpio-sim in the guest:
chip creation, pull -> value, a consumer's bias, and edge events seen by gpiomon.

    image/test/gpio-sim/check-guest.py IMAGE TOOLS_IMG [WORKDIR]

Prints each step and what the guest answered; exits non-zero on the first failure.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path[:0] = [str(here.parent), str(here)]

from qemu import Machine  # noqa: E402
import guest as gs  # noqa: E402


def main() -> int:
    image, tools_img = sys.argv[1], sys.argv[2]
    workdir = sys.argv[3] if len(sys.argv) > 3 else "/tmp/gpio-sim-check"
    t0 = time.monotonic()
    with Machine(image, workdir, extra_args=gs.qemu_args(str(Path(tools_img).resolve()))) as m:
        m.start()
        print(f"shell after {m.wait_for_shell():.1f} s (kvm={m.kvm})", flush=True)

        def sh(cmd: str) -> str:
            out = m.check(cmd)
            print(f"$ {cmd}\n{out.rstrip()}", flush=True)
            return out

        sh("uname -r; cat /proc/cmdline")
        sh("ls /dev/gpiochip* 2>&1 || true")
        chip = gs.create_chip(m, lines=32)
        print(f"create_chip -> {chip}", flush=True)
        sh(f"cat {gs.TOOLS_MOUNT}/kernel-version; lsmod | grep -E 'gpio_sim|configfs'; "
           "dmesg | grep -iE 'gpio.sim|taint' | tail -n 5")
        sh(f"ls -l /dev/gpiochip*; ls -d /sys/devices/platform/gpio-sim.*/gpiochip*")
        sh(gs.tool("gpiodetect"))
        sh(gs.tool("gpioinfo") + f" -c {chip} | head -n 4")
        get = gs.tool("gpioget") + f" -c {chip} --numeric"

        # 1. pull -> value, read by the sysfs value attribute and by gpioget.
        initial = (gs.get_line(m, chip, 27), sh(f"{get} 27").strip(),
                   m.check(f"cat /sys/devices/platform/gpio-sim.*/{chip[5:]}/sim_gpio27/pull").strip())
        print("new line 27 (value, gpioget, pull):", initial, flush=True)
        assert initial == (False, "0", "pull-down"), initial
        results = {}
        for high in (True, False, True):
            gs.set_line(m, chip, 27, high)
            results[high] = (gs.get_line(m, chip, 27), sh(f"{get} 27").strip())
            assert results[high] == (high, "1" if high else "0"), results
        gs.set_line(m, chip, 27, False)

        # 2. A consumer holding line 27 as an input with bias pull-up (gpiomon) watches
        #    both edges, while the simulated pull goes down, up and down.
        sh(f"rm -f /run/mon.log; ({gs.tool('gpiomon')} -c {chip} -b pull-up -e both -n 3 "
           f"--format '%o %E %l' 27 >/run/mon.log 2>&1 & echo $! >/run/mon.pid); sleep 1; "
           f"cat /sys/devices/platform/gpio-sim.*/gpiochip*/sim_gpio27/value; "
           + gs.tool("gpioinfo") + f" -c {chip} 27")
        print("value with the consumer's pull-up, before the simulated pull:",
              gs.get_line(m, chip, 27), flush=True)
        for high in (False, True, False):
            gs.set_line(m, chip, 27, high)
            time.sleep(0.3)
            print(f"pull -> {'up' if high else 'down'}: value {int(gs.get_line(m, chip, 27))}", flush=True)
        mon = sh("for i in $(seq 50); do kill -0 $(cat /run/mon.pid) 2>/dev/null || break; sleep 0.1; done; "
                 "kill $(cat /run/mon.pid) 2>/dev/null; cat /run/mon.log")
        events = [line.split() for line in mon.splitlines() if line.strip()]
        print("gpiomon events:", events, flush=True)
        assert [e[1] for e in events][-2:] == ["rising", "falling"], events

        # 3. A consumer requesting the line with bias pull-up (gpioget -b pull-up) reads it
        #    high even when the simulated pull was down: the request's bias is applied
        #    to the simulated line.
        gs.set_line(m, chip, 5, False)
        sh(f"{get} -b pull-up 5; cat /sys/devices/platform/gpio-sim.*/gpiochip*/sim_gpio5/pull "
           f"/sys/devices/platform/gpio-sim.*/gpiochip*/sim_gpio5/value")
        # The bundled irq_sim (generic_handle_irq from irq_work) must not warn.
        dmesg = sh("dmesg | grep -E 'WARNING:|BUG:|Oops|Call Trace|irq_sim' || echo 'dmesg: no warnings'")
        assert "no warnings" in dmesg, dmesg
        gs.remove_chip(m)
        sh("ls /dev/gpiochip* 2>&1 || true")
        # Again (module already loaded, disk already mounted): same number, fresh lines.
        chip2 = gs.create_chip(m, lines=8)
        print(f"create_chip again -> {chip2}", flush=True)
        assert not gs.get_line(m, chip2, 5)
        gs.remove_chip(m)
    print(f"OK in {time.monotonic() - t0:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
