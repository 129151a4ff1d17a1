"""Benchmark of `mentorsite packs`: N pairs x 5 worksheets over the example handbook.

    python bench/packs.py [--pairs 1000 100 3000] [--jobs N] [--table bench/PACKS.md]

For each size it writes a roster (pairs of the peer, traditional and group types, which suggest
five worksheets each; six milestone templates; starts spread over a year; names with accents and
other scripts), then times `mentorsite packs` in a fresh process: wall time, the peak memory of
the main process and of the biggest worker, and the files made. The first size runs with an
empty PDF store (the worksheet PDFs are rendered: "cold"), the others reuse it ("warm").
Prints a Markdown table, and writes it with the machine and date to --table when given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIRST = ["Ana", "Ben", "Chloé", "Dmitri", "Eun-ji", "Farah", "Gonzalo", "Hiroshi", "Ingrid", "José", "Kwame", "Łucja",
         "Mei", "Nadia", "Oğuz", "Priya", "Quentin", "Rosa", "Søren", "张伟"]
LAST = ["López", "Okoro", "Durand", "Ivanov", "Kim", "Haddad", "Pérez", "Tanaka", "Berg", "García", "Mensah", "Nowak"]
TYPES = [("peer", ["learn-a-skill", "build-a-network", "public-speaking"]),
         ("traditional", ["leadership-step", "research-goal", "public-speaking"]),
         ("group", ["build-a-network", "startup-goal"])]


def roster(n: int) -> str:
    """A roster of n distinct pairs (deterministic)."""
    lines = ["mentor,mentee,type,milestones,start,team"]
    for i in range(n):
        mentor = f"{FIRST[i % len(FIRST)]} {LAST[(i // len(FIRST)) % len(LAST)]} {i}"
        mentee = f"{FIRST[(i * 7 + 3) % len(FIRST)]} {LAST[(i * 5 + 1) % len(LAST)]}"
        kind, plans = TYPES[i % len(TYPES)]
        start = dt.date(2027, 1, 11) + dt.timedelta(weeks=(i % 52))
        lines.append(f"{mentor},{mentee},{kind},{plans[i % len(plans)]},{start.isoformat()},Team {i % 17}")
    return "\n".join(lines) + "\n"


def run(project: Path, n: int, store: Path, jobs: int | None) -> dict:
    """Time one packs run in a fresh process; peak memory from /usr/bin/time-like rusage."""
    (project / f"roster-{n}.csv").write_text(roster(n), encoding="utf-8")
    out = project / f"packs-{n}"
    shutil.rmtree(out, ignore_errors=True)
    code = (
        "import resource, sys, time\n"
        "from mentorsite.commands.cli import main\n"
        "t = time.perf_counter()\n"
        f"code = main(['packs', 'roster-{n}.csv', '--out', 'packs-{n}'" + (f", '--jobs', '{jobs}'" if jobs else "") + "])\n"
        "print('SECONDS', time.perf_counter() - t)\n"
        "print('SELF_KB', resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
        "print('CHILD_KB', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
        "sys.exit(code)\n"
    )
    env = {**os.environ, "MENTORSITE_PDF_CACHE": str(store), "PYTHONPATH": str(REPO)}
    result = subprocess.run([sys.executable, "-c", code], cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"packs failed:\n{result.stdout}\n{result.stderr}")
    values = dict(line.split(" ", 1) for line in result.stdout.splitlines() if line.split(" ", 1)[0] in ("SECONDS", "SELF_KB", "CHILD_KB"))
    files = sum(1 for p in out.rglob("*") if p.is_file())
    pdfs = sum(1 for p in out.rglob("*.pdf"))
    return {"pairs": n, "seconds": float(values["SECONDS"]), "self_mb": int(values["SELF_KB"]) / 1024,
            "child_mb": int(values["CHILD_KB"]) / 1024, "files": files, "pdfs": pdfs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, nargs="+", default=[1000, 100, 3000])
    parser.add_argument("--jobs", type=int, help="processes (default: mentorsite's, one per core)")
    parser.add_argument("--table", type=Path, help="write the table to this Markdown file")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="packs-bench-") as tmp:
        project = Path(tmp)
        shutil.copy(REPO / "site.yml", project)
        shutil.copytree(REPO / "content", project / "content")
        store = project / "store"
        rows = []
        for i, n in enumerate(args.pairs):
            row = run(project, n, store, args.jobs)
            row["store"] = "cold" if i == 0 else "warm"
            rows.append(row)
            print(f"{n} pairs: {row['seconds']:.1f} s, {row['pdfs']} PDFs, main {row['self_mb']:.0f} MB, "
                  f"worker {row['child_mb']:.0f} MB ({row['store']})", flush=True)
    table = ["| pairs | worksheet PDFs | files | PDF store | wall time | per pair | peak memory: main | peak memory: worker |",
             "| ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in rows:
        table.append(f"| {r['pairs']:,} | {r['pdfs']:,} | {r['files']:,} | {r['store']} | {r['seconds']:.1f} s | "
                     f"{1000 * r['seconds'] / r['pairs']:.1f} ms | {r['self_mb']:.0f} MB | {r['child_mb']:.0f} MB |")
    text = "\n".join(table)
    print(text)
    if args.table:
        cpu = _cpu()
        args.table.write_text(
            "# `mentorsite packs` benchmark\n\n"
            "Made by `python bench/packs.py --table bench/PACKS.md` (read its docstring). Each pair gets five "
            "worksheets (fillable PDFs, pre-filled) and a calendar; \"cold\" renders the template PDFs "
            "(one per worksheet and milestone template), \"warm\" takes them from the PDF store.\n\n"
            f"- machine: {cpu}, {os.cpu_count()} cores visible, {len(os.sched_getaffinity(0))} usable; "
            f"Python {platform.python_version()} on {platform.system()} {platform.release()}\n"
            f"- date: {dt.date.today().isoformat()}\n\n" + text + "\n\n"
            "Memory is flat in the number of pairs: each worker keeps one filled-in writer per template PDF "
            "and writes every pair's files as soon as they are made.\n",
            encoding="utf-8")


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


if __name__ == "__main__":
    main()
