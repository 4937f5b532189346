"""What the bench scripts share about their figures: percentiles of a run's samples, and the one line of
key=value figures every bench script ends its output with, read back (bench/compare.py, `make bench`'s regression
check, and bench/vote-sd.py, of the scripts it runs)."""

import re

PAIR = re.compile(r"(?<![\w.])([A-Za-z_]\w*)=(\S+)")


def last_figures(text: str) -> dict[str, str]:
    """The key=value pairs of the last line of `text` that has any, values as printed (`nan` for a figure
    the run could not measure)."""
    lines = [line for line in text.splitlines() if PAIR.search(line)]
    return dict(PAIR.findall(lines[-1])) if lines else {}


def percentile(values, p: float) -> float:
    """The p-th percentile of `values`, interpolated between the two nearest samples; nan without any."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)
