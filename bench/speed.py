"""How fast this machine runs Python right now: on a shared VM the host's load changes the
figures of every benchmark by tens of percent, so each table says how fast the machine was."""

from __future__ import annotations

import subprocess
import sys

_LOOP = "import time\nt = time.perf_counter()\ns = 0\nfor i in range(10_000_000):\n    s += i\nprint(time.perf_counter() - t)"


def loop_seconds(runs: int = 3) -> float:
    """The best of a few runs of a pure-Python loop of 10 million additions, in a new process."""
    return min(float(subprocess.run([sys.executable, "-c", _LOOP], capture_output=True, text=True, check=True).stdout)
               for _ in range(runs))


def describe(before: float, after: float) -> str:
    return (f"speed check (a Python loop of 10 million additions, best of 3): {before:.2f} s before the runs, "
            f"{after:.2f} s after (0.47 to 0.77 s seen on this VM; higher means a slower or busier host)")
