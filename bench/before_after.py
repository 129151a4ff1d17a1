"""Before and after: this checkout against an earlier one, on the same synthetic handbooks, in one run.

    python bench/before_after.py --base DIR [--base-python PYTHON] [--sizes 1000] [--runs 3]
                                 [--memory 5000] [--write BENCHMARKS.md]

DIR is a checkout of the earlier commit (`git worktree add DIR <commit>`); PYTHON a Python with
that commit's dependencies (the default: this one). For each size N it generates a handbook
(bench/generate.py) and times, each as a new process and the two versions taking turns, the
median wall time, CPU time and peak memory of: a cold build (no cache, empty output), a build
with nothing changed, a build after one guide changed, and `check`. With --memory M it also
takes the peak memory of one cold build of M guides by each. The table is printed, and written
into the file given with --write between the markers of the section "Before and after".
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from run import run  # noqa: E402
import speed  # noqa: E402

START, END = "<!-- before-after:start -->", "<!-- before-after:end -->"
CASES = ("cold build", "nothing changed", "one guide changed", "check")


def version_env(source: Path) -> dict:
    return {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": str(source)}


def commit_of(source: Path) -> str:
    return subprocess.run(["git", "-C", str(source), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip() or "?"


def measure(n: int, versions: dict[str, tuple[str, Path]], runs: int, work: Path) -> dict:
    """{(version, case): (wall, cpu, peak)} for a handbook of n guides."""
    projects = {}
    for name in versions:
        projects[name] = work / f"{name}-{n}"
        generate(projects[name], n)
    guide = sorted((projects["after"] / "content/guides").rglob("guide-*.md"))[n // 2].relative_to(projects["after"])
    samples: dict = {}

    def one(name: str, case: str, args: list[str], before=None) -> None:
        python, source = versions[name]
        if before:
            before()
        samples.setdefault((name, case), []).append(
            run([python, "-m", "mentorsite", *args], projects[name], version_env(source)))

    def clean(name):
        return lambda: [shutil.rmtree(projects[name] / d, ignore_errors=True) for d in ("_site", ".mentorsite-cache")]

    def touch(name, i):
        def edit():
            path = projects[name] / guide
            path.write_text(path.read_text() + f"\nAn edit, number {i}.\n")
        return edit

    for i in range(runs + 1):  # the first round warms the disk cache and Python's bytecode: not counted
        for name in versions:
            one(name, "cold build", ["build"], clean(name))
            one(name, "nothing changed", ["build"])
            one(name, "one guide changed", ["build"], touch(name, i))
            one(name, "check", ["check"])
        if i == 0:
            samples.clear()
    return {key: (statistics.median(s[0] for s in values), statistics.median(s[1] for s in values),
                  max(s[2] for s in values)) for key, values in samples.items()}


def peak(n: int, versions: dict[str, tuple[str, Path]], work: Path) -> dict[str, int]:
    out = {}
    for name, (python, source) in versions.items():
        project = work / f"{name}-mem-{n}"
        generate(project, n)
        out[name] = run([python, "-m", "mentorsite", "build"], project, version_env(source))[2]
        shutil.rmtree(project)
    return out


def table(results: dict, memory: dict | None, versions: dict, runs: int, machine: str) -> list[str]:
    lines = [START, "", machine, "",
             f"before: {commit_of(versions['before'][1])}; after: {commit_of(versions['after'][1])}; "
             f"median of {runs} runs, the two taking turns, after a round not counted.", "",
             "| guides | case | before (s) | after (s) | after / before | CPU before (s) | CPU after (s) | peak MB before | peak MB after |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, rows in results.items():
        for case in CASES:
            b, a = rows[("before", case)], rows[("after", case)]
            lines.append(f"| {n:,} | {case} | {b[0]:.2f} | {a[0]:.2f} | {a[0] / b[0]:.2f} | {b[1]:.2f} | {a[1]:.2f} "
                         f"| {b[2]} | {a[2]} |")
    if memory:
        for n, peaks in memory.items():
            lines.append(f"| {n:,} | cold build, peak memory | | | | | | {peaks['before']} | {peaks['after']} |")
    return lines + ["", END]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=Path, required=True)
    parser.add_argument("--base-python", default=sys.executable)
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--memory", type=int, default=0)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    versions = {"before": (args.base_python, args.base.resolve()), "after": (sys.executable, REPO)}
    loop = speed.loop_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        results = {n: measure(n, versions, args.runs, Path(tmp)) for n in map(int, args.sizes.split(","))}
        memory = {args.memory: peak(args.memory, versions, Path(tmp))} if args.memory else None
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    machine = (f"Machine: {os.cpu_count()} cores, {cpu}, Python {platform.python_version()}, "
               f"date {dt.date.today().isoformat()}, load {os.getloadavg()[0]:.1f}; "
               + speed.describe(loop, speed.loop_seconds()) + ".")
    lines = table(results, memory, versions, args.runs, machine)
    print("\n".join(lines))
    if args.write:
        text = args.write.read_text()
        block = "\n".join(lines)
        if START in text:
            text = text[:text.index(START)] + block + text[text.index(END) + len(END):]
        else:
            text = text.rstrip("\n") + "\n\n" + block + "\n"
        args.write.write_text(text)


if __name__ == "__main__":
    main()
