"""Benchmark `mentorsite serve`: the time from saving a file to the browser's reload event.

    python bench/serve.py [--guides 1000] [--runs 7]

Generates a synthetic handbook (bench/generate.py), starts `mentorsite serve` on a free port,
listens to its reload events like a browser does, then saves one guide (and, separately, one
template) several times and reports the median and worst delay, next to the cold full build.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import queue
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402
import speed  # noqa: E402

from mentorsite.commands.serve import EVENTS, free_port  # noqa: E402


def listen(port: int, events: queue.Queue) -> None:
    """Read the server's event stream, putting (time, data) for each reload event."""
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", EVENTS)
    resp = conn.getresponse()
    for raw in resp:
        line = raw.decode().strip()
        if line.startswith("data:") and line[5:].strip() == "reload":  # (not the "build N" sent on connecting)
            events.put((time.perf_counter(), line[5:].strip()))


def measure(path: Path, edit, events: queue.Queue, runs: int) -> list[float]:
    delays = []
    for i in range(runs):
        time.sleep(0.5)
        while not events.empty():
            events.get()
        start = time.perf_counter()
        edit(path, i)
        when, _ = events.get(timeout=120)
        delays.append(when - start)
    return delays


def append_line(path: Path, i: int) -> None:
    with open(path, "a", encoding="utf-8") as f:
        f.write(f"\nAn edit numbered {i}.\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guides", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    before = speed.loop_seconds()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        generate(root, args.guides)
        theme = root / "themes/bench/templates"
        theme.mkdir(parents=True)
        (theme / "guide.html").write_text("{% extends 'default/guide.html' %}\n")
        with open(root / "site.yml", "a") as f:
            f.write("theme: bench\n")
        env = {**os.environ, "PYTHONPATH": str(HERE.parent), "PYTHONUNBUFFERED": "1"}
        cold = subprocess.run([sys.executable, "-m", "mentorsite", "build", "--no-cache", "--output", str(root / "_cold")],
                              cwd=root, env=env, capture_output=True, text=True)
        cold_seconds = float(cold.stdout.split(" in ")[-1].split(" s")[0])
        port = free_port()
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # run in the background: let the server see Ctrl+C
            signal.signal(signal.SIGINT, signal.default_int_handler)
        proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--port", str(port)], cwd=root, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in proc.stdout:
            if line.startswith("Serving"):
                break
        events: queue.Queue = queue.Queue()
        threading.Thread(target=listen, args=(port, events), daemon=True).start()
        time.sleep(1)
        guide = next((root / "content/guides").rglob("guide-00042.md"))
        guide_delays = measure(guide, append_line, events, args.runs)
        template_delays = measure(theme / "guide.html", lambda p, i: p.write_text(
            "{% extends 'default/guide.html' %}\n{# " + str(i) + " #}\n"), events, max(3, args.runs // 2))
        proc.send_signal(signal.SIGINT)
        log = proc.communicate(timeout=30)[0]
    # the server's own account of each guide save's first step (its log line ends "in 0.052 s")
    builds = [float(line.rsplit(" in ", 1)[1].split(" s")[0]) for line in log.splitlines()
              if "guide-00042.md changed" in line and " in " in line]
    rows = [
        ("save one guide → reload event", guide_delays),
        ("  of which the rebuild (server log)", builds),
        ("save a template → reload event", template_delays),
    ]
    print(f"mentorsite serve, {args.guides} guides — {platform.node()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {time.strftime('%Y-%m-%d')}; {speed.describe(before, speed.loop_seconds())}")
    print()
    print("| what | median | worst | runs |")
    print("| --- | --- | --- | --- |")
    for name, values in rows:
        print(f"| {name} | {statistics.median(values) * 1000:.0f} ms | {max(values) * 1000:.0f} ms | {len(values)} |")
    print(f"| cold full build (`build --no-cache`) | {cold_seconds * 1000:.0f} ms | | 1 |")
    print()
    print("Server log (last rebuilds):")
    for line in log.splitlines()[-4:]:
        print("    " + line)


if __name__ == "__main__":
    main()
