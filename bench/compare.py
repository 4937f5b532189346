#!/usr/bin/env python3
"""Compares the figures of the last `make bench` with the ones docs/performance.md commits to.

Every bench script ends with one line of key=value pairs; `make bench` keeps each script's output in
bench/out/NAME.txt. bench/baseline.txt names, per line, `NAME.KEY BETTER VALUE` (BETTER is `higher` or
`lower`), the figures of docs/performance.md. A figure more than 20 % worse than its baseline is a
regression: this prints a table of every baseline figure and exits 1 when any regressed or was not
measured. Usage: bench/compare.py [--out bench/out] [--baseline bench/baseline.txt] [--tolerance 0.2]
                                  [--only NAME]... [--skip NAME]...
"""

import argparse
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from figures import last_figures  # noqa: E402


def measured(out: str, name: str) -> dict[str, float]:
    """The numeric key=value figures of the last line of bench/out/NAME.txt that has any (`nan`, a figure the
    run could not measure, counts as not measured)."""
    path = os.path.join(out, f"{name}.txt")
    if not os.path.exists(path):
        return {}
    with open(path, encoding="utf-8", errors="replace") as handle:
        pairs = last_figures(handle.read())
    figures = {}
    for key, value in pairs.items():
        try:
            number = float(value)
        except ValueError:
            continue
        if math.isfinite(number):
            figures[key] = number
    return figures


def baseline(path: str) -> list[tuple[str, str, str, float]]:
    """(name, key, better, value) for every line of the baseline file but comments and blank ones."""
    entries = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            line = line.split("#", 1)[0].strip()
            if not line:
                continue
            fields = line.split()
            if len(fields) != 3 or "." not in fields[0] or fields[1] not in ("higher", "lower"):
                sys.exit(f"{path}:{number}: expected NAME.KEY higher|lower VALUE, got {line!r}")
            name, key = fields[0].split(".", 1)
            entries.append((name, key, fields[1], float(fields[2])))
    return entries


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    root = os.path.dirname(os.path.abspath(__file__))
    parser.add_argument("--out", default=os.path.join(root, "out"))
    parser.add_argument("--baseline", default=os.path.join(root, "baseline.txt"))
    parser.add_argument("--tolerance", type=float, default=0.2)
    parser.add_argument("--only", action="append", default=[], help="compare only the figures of bench NAME")
    parser.add_argument("--skip", action="append", default=[],
                        help="leave out the figures of bench NAME (one with a make target of its own)")
    args = parser.parse_args()

    failures = 0
    print(f"{'figure':<48} {'baseline':>10} {'now':>10} {'change':>8}  verdict")
    for name, key, better, value in baseline(args.baseline):
        if name in args.skip or (args.only and name not in args.only):
            continue
        now = measured(args.out, name).get(key)
        figure = f"{name}.{key}"
        if now is None:
            print(f"{figure:<48} {value:>10g} {'-':>10} {'':>8}  not measured")
            failures += 1
            continue
        change = (now - value) / value if value else 0.0
        worse = -change if better == "higher" else change
        verdict = "REGRESSED" if worse > args.tolerance else "ok"
        failures += verdict != "ok"
        print(f"{figure:<48} {value:>10g} {now:>10g} {change:>+8.1%}  {verdict}")
    print(f"regressions={failures} tolerance={args.tolerance:g}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
