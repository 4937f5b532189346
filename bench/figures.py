"""The one line of key=value figures every bench script ends its output with, read back: what bench/compare.py
(`make bench`'s regression check) and bench/vote-sd.py (the outputs of the scripts it runs) share."""

import re

PAIR = re.compile(r"(?<![\w.])([A-Za-z_]\w*)=(\S+)")


def last_figures(text: str) -> dict[str, str]:
    """The key=value pairs of the last line of `text` that has any, values as printed (`nan` for a figure
    the run could not measure)."""
    lines = [line for line in text.splitlines() if PAIR.search(line)]
    return dict(PAIR.findall(lines[-1])) if lines else {}
