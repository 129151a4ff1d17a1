"""Benchmark the worksheet PDFs of the example handbook: cold and warm builds.

    python bench/worksheets.py [--runs 3] [--paper letter|a4] [--markdown]

Builds the repository's example handbook (site.yml + content/) into a temporary folder:

- cold: a fresh output folder, page cache and PDF store, so every PDF is rendered (in parallel,
  one worker per core);
- warm: the same build again, nothing changed: no PDF may be rendered;
- serial: each worksheet's PDF rendered alone in this process (WeasyPrint already imported, fonts
  loaded once), the cost of one cold fillable PDF with no other work on the machine.

Reports the total build time, the time spent on PDFs and each worksheet's PDF time (median of
--runs), with the machine it ran on. Not a test: nothing is asserted but that a warm build renders
no PDF. --markdown prints the table for bench/WORKSHEETS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO))

from mentorsite.build import build, load  # noqa: E402
from mentorsite.sources.config import load_config  # noqa: E402
from mentorsite.sources.theme import theme_env  # noqa: E402
from mentorsite.steps.pdf import cpu_count, render_pdf, weasyprint_version  # noqa: E402
from mentorsite.steps.worksheet_pdf import worksheet_jobs  # noqa: E402


def project(tmp: Path, paper: str) -> Path:
    """A copy of the example handbook at the paper size asked for."""
    root = tmp / "handbook"
    shutil.copytree(REPO / "content", root / "content")
    text = (REPO / "site.yml").read_text(encoding="utf-8")
    (root / "site.yml").write_text(text.replace("paper: letter", f"paper: {paper}"), encoding="utf-8")
    return root


def one_run(root: Path, store: Path) -> dict:
    """A cold build and a warm one, into a fresh output folder and PDF store."""
    os.environ["MENTORSITE_PDF_CACHE"] = str(store)
    shutil.rmtree(root / "_site", ignore_errors=True)
    shutil.rmtree(root / ".mentorsite-cache", ignore_errors=True)
    shutil.rmtree(store, ignore_errors=True)
    config = load_config(root / "site.yml")
    cold = build(config)
    warm = build(load_config(root / "site.yml"))
    assert warm.pdfs == 0, f"a warm build rendered {warm.pdfs} PDFs"
    return {"cold": cold, "warm": warm}


def serial(root: Path) -> dict[str, float]:
    """Each worksheet's PDF rendered alone in this process: output -> seconds."""
    config = load_config(root / "site.yml")
    site, _ = load(config)
    jobs = [job for job, _deps in worksheet_jobs(site, theme_env(config), list(site.worksheets.values()))]
    render_pdf(jobs[0].html)  # import WeasyPrint and load the fonts once, as a worker does
    times = {}
    for job in jobs:
        data, seconds, error = render_pdf(job.html)
        assert not error, error
        times[job.output] = seconds
    return times


def pages(root: Path) -> dict[str, int]:
    import pypdf

    return {f"worksheets/{p.name}": len(pypdf.PdfReader(p).pages) for p in sorted((root / "_site/worksheets").glob("*.pdf"))}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    subset = "yes" if _has_hb_subset() else "no (3-4x slower: apt-get install libharfbuzz-subset0)"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {cpu_count()} cores available; {platform.system()} {platform.release()}; Python "
            f"{platform.python_version()}; WeasyPrint {weasyprint_version()}; HarfBuzz subsetter: {subset}; "
            f"load average before the run: {load:.2f}")


def _has_hb_subset() -> bool:
    import ctypes.util

    return bool(ctypes.util.find_library("harfbuzz-subset"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each measure; the median is shown")
    parser.add_argument("--paper", choices=["letter", "a4"], default="letter")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    args = parser.parse_args()

    about = machine()
    with tempfile.TemporaryDirectory(prefix="bench-worksheets-") as tmp:
        root = project(Path(tmp), args.paper)
        runs = [one_run(root, Path(tmp) / f"store-{i}") for i in range(args.runs)]
        counts = pages(root)
        serial_runs = [serial(root) for _ in range(args.runs)]

    med = statistics.median
    cold_total = med(r["cold"].seconds for r in runs)
    cold_pdf = med(r["cold"].pdf_seconds for r in runs)
    warm_total = med(r["warm"].seconds for r in runs)
    warm_pdf = med(r["warm"].pdf_seconds for r in runs)
    made = runs[0]["cold"].pdfs
    per = {out: med(dict(r["cold"].pdf_timings)[out] for r in runs) for out in dict(runs[0]["cold"].pdf_timings)}
    alone = {out: med(s[out] for s in serial_runs) for out in serial_runs[0]}

    lines = [
        f"Example handbook, {made} worksheets, paper {args.paper}, median of {args.runs} runs, "
        f"{dt.date.today().isoformat()}.",
        "",
        f"Machine: {about}.",
        "",
        "| build | total | PDFs | PDFs rendered |",
        "| --- | ---: | ---: | ---: |",
        f"| cold (empty output, cache and PDF store) | {cold_total:.2f} s | {cold_pdf:.2f} s | {made} |",
        f"| warm (nothing changed) | {warm_total:.2f} s | {warm_pdf:.3f} s | {runs[0]['warm'].pdfs} |",
        "",
        "| worksheet | pages | in the cold build (parallel) | alone (serial) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for out in sorted(per):
        lines.append(f"| {out} | {counts.get(out, '?')} | {per[out]:.3f} s | {alone[out]:.3f} s |")
    lines.append(f"| **sum** | {sum(counts.values())} | {sum(per.values()):.2f} s | {sum(alone.values()):.2f} s |")
    if args.markdown:
        print("\n".join(lines))
    else:
        print("\n".join(line.replace("**", "") for line in lines))


if __name__ == "__main__":
    main()
