"""GPIO simulator (gpio-sim) in a Ravebox QEMU guest, through qemu.py's Machine.

Debian's amd64 kernel has no CONFIG_GPIO_SIM; build-module.sh (beside this file) builds
gpio-sim.ko for the image's kernel and packs it, with Debian's libgpiod v2 tools, into
test-tools.img (ext4, label rb-tools). Attach that disk and use these helpers:

    import sys; sys.path[:0] = ["image/test", "image/test/gpio-sim"]
    from qemu import Machine
    import guest as gpiosim
    with Machine(img, workdir, extra_args=gpiosim.qemu_args("…/test-tools.img")) as m:
        m.start(); m.wait_for_shell()
        chip = gpiosim.create_chip(m)            # "/dev/gpiochip0"
        gpiosim.set_line(m, chip, 27, high=False) # simulated pull-down: line 27 reads 0
        m.check(gpiosim.tool("gpioget") + f" -c {chip} --numeric 27")
"""

from __future__ import annotations

import shlex

__all__ = ["qemu_args", "mount_tools", "tool", "create_chip", "set_line", "get_line",
           "remove_chip", "TOOLS_MOUNT", "TOOLS_LABEL"]

TOOLS_LABEL = "rb-tools"
TOOLS_MOUNT = "/run/rb-tools"   # the guest's root is read-only; /run is a tmpfs
CONFIGFS = "/sys/kernel/config"


def qemu_args(tools_img: str) -> list[str]:
    """QEMU arguments that attach test-tools.img as a read-only virtio disk."""
    return ["-drive", f"file={tools_img},format=raw,if=virtio,readonly=on"]


def mount_tools(machine) -> str:
    """Mounts the tools disk (read-only) once; returns its mount point."""
    machine.check(
        f"mountpoint -q {TOOLS_MOUNT} || {{ mkdir -p {TOOLS_MOUNT} && "
        f"udevadm settle -t 30; dev=$(blkid -L {TOOLS_LABEL}) && "
        f"mount -t ext4 -o ro,noload \"$dev\" {TOOLS_MOUNT}; }}", timeout=60)
    return TOOLS_MOUNT


def tool(name: str) -> str:
    """Shell words that run one of the tools disk's libgpiod v2 tools (gpioget, gpiomon, ...)."""
    return f"LD_LIBRARY_PATH={TOOLS_MOUNT}/lib {TOOLS_MOUNT}/bin/{shlex.quote(name)}"


def _load_module(machine) -> None:
    mount_tools(machine)
    machine.check(
        # configfs is a module in Debian's kernel; systemd mounts it when it is loaded
        # early enough, so mount it here if nobody has.
        f"modprobe configfs; mountpoint -q {CONFIGFS} || mount -t configfs configfs {CONFIGFS}; "
        f"[ -d /sys/module/gpio_sim ] || insmod {TOOLS_MOUNT}/gpio-sim.ko; "
        f"test -d {CONFIGFS}/gpio-sim")


def create_chip(machine, lines: int = 32, name: str = "rb") -> str:
    """Loads gpio-sim, creates (live) a simulated chip with one bank of `lines` lines;
    returns its character device, e.g. "/dev/gpiochip0". Lines start pulled down (0)."""
    _load_module(machine)
    d = f"{CONFIGFS}/gpio-sim/{shlex.quote(name)}"
    machine.check(
        f"[ ! -e {d}/live ] || [ \"$(cat {d}/live)\" = 0 ] || {{ echo 'gpio-sim chip {name} exists' >&2; exit 1; }}; "
        f"mkdir -p {d}/bank0 && echo {int(lines)} > {d}/bank0/num_lines && echo 1 > {d}/live")
    chip = machine.check(f"cat {d}/bank0/chip_name").strip()
    if not chip.startswith("gpiochip"):
        raise RuntimeError(f"gpio-sim: unexpected chip_name {chip!r}")
    # udev makes the node; wait for it.
    machine.check(f"udevadm settle -t 30; for i in $(seq 50); do [ -c /dev/{chip} ] && exit 0; "
                  f"sleep 0.1; done; echo 'no /dev/{chip}' >&2; exit 1", timeout=60)
    return f"/dev/{chip}"


def _sim_dir(chip_path: str, offset: int) -> str:
    chip = chip_path.rsplit("/", 1)[-1]
    return f"/sys/devices/platform/gpio-sim.*/{chip}/sim_gpio{int(offset)}"


def set_line(machine, chip_path: str, offset: int, high: bool) -> None:
    """Sets the simulated pull of a line: pull-up (high=True) or pull-down. A consumer
    holding the line as an input sees the new value (and an edge if it watches them)."""
    d = _sim_dir(chip_path, offset)
    machine.check(f"set -- {d}/pull; [ -e \"$1\" ] || {{ echo \"no $1\" >&2; exit 1; }}; "
                  f"echo {'pull-up' if high else 'pull-down'} > \"$1\"")


def get_line(machine, chip_path: str, offset: int) -> bool:
    """The line's value as gpio-sim has it (its sysfs `value`: what a consumer reads for an
    input, what a consumer drives for an output)."""
    d = _sim_dir(chip_path, offset)
    return machine.check(f"cat {d}/value").strip() == "1"


def remove_chip(machine, name: str = "rb") -> None:
    d = f"{CONFIGFS}/gpio-sim/{shlex.quote(name)}"
    machine.check(f"[ ! -d {d} ] || {{ echo 0 > {d}/live && rmdir {d}/bank0 {d}; }}")
