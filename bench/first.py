"""What a new user waits for: the example handbook's first build, its first preview page, and a
build with nothing changed, for this tree and (optionally) an older commit, in the same run.

    python bench/first.py [--runs 3] [--base DIR [--base-python PYTHON]] [--write BENCHMARKS.md]

Each run copies the example (site.yml and content/) into a new folder, with no cache and no
_site, and measures, each as a new process:

- the first build: `mentorsite build` (every page and every PDF);
- the first preview page: `mentorsite serve` started in another fresh copy, and the home page
  asked for every 20 ms until it answers 200: the time from starting the process;
- a warm build: `mentorsite build` again in the first copy, nothing changed.

For the builds it gives their CPU time too (user and system time of the process and its workers):
a busy neighbour on a shared machine moves it far less than the wall time.

With --base, the same is measured for the checkout in DIR (run with PYTHONPATH=DIR and
--base-python, by default this Python), the two in turns (base first in odd runs, this tree
first in even ones), and the table gives the ratio. Every figure is the median of the runs
(with the fastest and slowest). The machine's load (os.getloadavg) is given before and after:
the VM is shared, and a busy neighbour slows both sides. Not a timed test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
START, END = "<!-- bench/first.py -->", "<!-- /bench/first.py -->"
ROWS = ("first build (every page and PDF, no cache)", "first preview page (`serve`, fresh copy)",
        "build with nothing changed")


class Side:
    """A tree of mentorsite to measure: its label, its Python, and its source folder."""

    def __init__(self, label: str, python: str, tree: Path):
        self.label, self.python, self.tree = label, python, tree
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "MENTORSITE_PDF_CACHE")}
        # as an installed program runs (compiled modules kept), but kept out of the trees themselves
        self.env = {**env, "PYTHONPATH": str(tree), "PYTHONPYCACHEPREFIX": str(Path(tempfile.gettempdir()) / "mentorsite-bench-pycache"),
                    "PYTHONUNBUFFERED": "1"}
        self.times: dict[str, list[float]] = {row: [] for row in ROWS}
        self.cpu: dict[str, list[float]] = {row: [] for row in ROWS}  # (the builds': a busy neighbour hardly moves it)

    def module(self) -> str:
        """Which mentorsite this side runs (mentorsite.__file__)."""
        return subprocess.run([self.python, "-c", "import mentorsite; print(mentorsite.__file__)"], env=self.env,
                              cwd=tempfile.gettempdir(), capture_output=True, text=True, check=True).stdout.strip()

    def project(self, folder: Path) -> Path:
        """A fresh copy of the example handbook of this side's tree."""
        folder.mkdir(parents=True)
        shutil.copy(self.tree / "site.yml", folder / "site.yml")
        shutil.copytree(self.tree / "content", folder / "content")
        return folder

    def build(self, folder: Path, cpu: list[float]) -> float:
        """A build's wall time; its CPU time (its processes' user and system time) goes to cpu."""
        start = time.perf_counter()
        proc = subprocess.Popen([self.python, "-m", "mentorsite", "build"], cwd=folder, env=self.env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        err = proc.stderr.read().decode(errors="replace")
        proc.stderr.close()
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"{self.label}: mentorsite build failed in {folder}:\n{err}")
        cpu.append(usage.ru_utime + usage.ru_stime)
        return seconds

    def first_page(self, folder: Path) -> float:
        port = _free_port()
        start = time.perf_counter()
        proc = subprocess.Popen([self.python, "-m", "mentorsite", "serve", "--port", str(port)], cwd=folder,
                                env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                if proc.poll() is not None:
                    raise SystemExit(f"{self.label}: mentorsite serve stopped in {folder}")
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/mentoring/")
                    if conn.getresponse().status == 200:
                        return time.perf_counter() - start
                except OSError:
                    pass
                finally:
                    conn.close()
                time.sleep(0.02)
        finally:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def run(self, scratch: Path) -> None:
        name = "".join(c if c.isalnum() else "-" for c in self.label)
        built = self.project(scratch / f"{name}-build")
        self.times[ROWS[0]].append(self.build(built, self.cpu[ROWS[0]]))
        self.times[ROWS[1]].append(self.first_page(self.project(scratch / f"{name}-serve")))
        self.times[ROWS[2]].append(self.build(built, self.cpu[ROWS[2]]))
        shutil.rmtree(built)
        shutil.rmtree(scratch / f"{name}-serve")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _load() -> str:
    return " / ".join(f"{x:.2f}" for x in os.getloadavg())


def _figure(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} s ({min(values):.2f}–{max(values):.2f})"


def table(sides: list[Side], runs: int, before: str, after: str) -> str:
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    lines = [f"Machine: {cores} cores ({_cpu()}), Python {platform.python_version()}; date {dt.date.today().isoformat()}; "
             f"median of {runs} runs (fastest–slowest), the sides in turns. Load average (1 / 5 / 15 min): "
             f"{before} before, {after} after.", ""]
    head = "| what | " + " | ".join(side.label for side in sides) + (" | ratio |" if len(sides) == 2 else " |")
    lines += [head, "| --- |" + " --- |" * (len(sides) + (len(sides) == 2))]
    for row in ROWS:
        for what, figures in (("", "times"), (", CPU time", "cpu")):
            values = [getattr(side, figures)[row] for side in sides]
            if not all(values):
                continue
            cells = [_figure(v) for v in values]
            if len(sides) == 2:
                cells.append(f"{statistics.median(values[1]) / statistics.median(values[0]):.2f}")
            lines.append(f"| {row}{what} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--base", type=Path, help="a checkout of the commit to compare with")
    parser.add_argument("--base-label", default="base")
    parser.add_argument("--base-python", default=sys.executable)
    parser.add_argument("--label", default="this tree")
    parser.add_argument("--write", type=Path, help="replace the marked section of this file with the table")
    args = parser.parse_args()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # run in the background: the servers must see Ctrl+C
        signal.signal(signal.SIGINT, signal.default_int_handler)
    sides = [Side(args.label, sys.executable, REPO)]
    if args.base:
        sides.insert(0, Side(args.base_label, args.base_python, args.base.resolve()))
    for side in sides:
        print(f"{side.label}: {side.module()}", flush=True)
    before = _load()
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(args.runs):
            for side in (sides if i % 2 == 0 else sides[::-1]):
                side.run(Path(tmp))
                print(f"run {i + 1}, {side.label}: " + ", ".join(f"{side.times[row][-1]:.2f} s" for row in ROWS)
                      + f" (load {_load()})", flush=True)
    result = table(sides, args.runs, before, _load())
    print("\n" + result)
    if args.write:
        text = args.write.read_text(encoding="utf-8")
        block = f"{START}\n{result}\n{END}"
        if START in text:
            text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
        else:
            text += "\n" + block + "\n"
        args.write.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
