"""Compare search engines for mentorsite: result quality, index size and build time.

    python bench/search.py                       # the example handbook (site.yml + content/)
    python bench/search.py bench/second          # a second handbook the engine was not tuned on
    python bench/search.py /tmp/b1000            # a generated one (python bench/generate.py /tmp/b1000 --guides 1000)

Engines (each over the same built site):
  mentorsite  the built-in index (mentorsite/search.py + static/site.js), queried in Chromium
  pagefind    Pagefind (PyPI `pagefind[bin]`) run on the built site, queried in Chromium
  lunr        lunr.py (PyPI `lunr`) over the same page text, serialized for lunr.js, queried with lunr.py

Every engine gets the same fields: the title, the headings and the body of each page's <main>
(ours weighs them in its index; lunr gets three fields, boosted 10, 3 and 1; Pagefind reads the
same <main> and weighs its headings itself).

Quality: for each query (QUERIES for the example handbook, or the project's queries.json,
written with the wanted pages before any engine ran on it), the rank of the page a reader
wants (1 = first). Size: bytes of the files a browser may download, and gzip -6 of them (what
GitHub Pages sends). Time: seconds to build the index, the site's render excluded.
"""

from __future__ import annotations

import gzip
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

QUERIES = [
    ("feedback sandwich", "worksheets/feedback-sandwich/"),
    ("reverse mentoring", "types/reverse/"),
    ("speak with confidence", "milestones/public-speaking/"),
    ("first message", "worksheets/first-message/"),
    ("learning styles", "guides/working-together/personalising-the-approach/"),
    ("no-fault exit", ""),
    ("mentors", "guides/getting-started/finding-a-mentor/"),
    ("confidential", ""),
    ("grant writing", "guides/growing/mentoring-in-different-settings/"),
    ("active listening", "guides/working-together/when-it-gets-hard/"),
]


def build_site(config: Path, out: Path) -> float:
    """Build with mentorsite (search on); returns the seconds of the search step alone (the
    index made from the pages' entries, as the build keeps them; each page's reading, which
    made them, is part of rendering it)."""
    from mentorsite.build import build, load
    from mentorsite.sources.config import load_config
    from mentorsite.sources.theme import theme_env
    from mentorsite.state import BuildState
    from mentorsite.steps.chrome import translations_for
    from mentorsite.steps.search import search_files

    cfg = load_config(config, output=str(out))
    build(cfg)
    site, _ = load(cfg)
    readings = BuildState.open(cfg.root, out).readings
    entries = {output: reading.search for output, reading in readings.items() if reading.search is not None}
    t = translations_for(cfg, theme_env(cfg))
    start = time.perf_counter()
    search_files(site, entries, t)
    return time.perf_counter() - start


def sizes(paths: list[Path]) -> tuple[int, int]:
    raw = sum(p.stat().st_size for p in paths)
    zipped = sum(len(gzip.compress(p.read_bytes(), 6)) for p in paths)
    return raw, zipped


def lunr_index(out: Path) -> tuple[float, int, int, object]:
    """lunr.py over the same title + text; returns seconds, raw size, gzip size, the index."""
    from lunr import lunr

    from mentorsite.htmlread import HtmlPage

    index = json.loads((out / "search/index.json").read_text(encoding="utf-8"))
    docs = []
    for url, title, _section in index["docs"]:
        path = out / (url + "index.html" if url.endswith("/") or not url else url)
        text = HtmlPage(path.read_bytes()).text()
        docs.append({"id": url, "title": title, "headings": " ".join(text.headings),
                     "body": " ".join(p[2] for p in text.parts)})
    start = time.perf_counter()
    idx = lunr(ref="id", fields=[{"field_name": "title", "boost": 10}, {"field_name": "headings", "boost": 3}, "body"],
               documents=docs)
    data = json.dumps(idx.serialize(), separators=(",", ":")).encode()
    seconds = time.perf_counter() - start
    # lunr.js needs the documents too, to show a title and an excerpt
    store = json.dumps({d["id"]: [d["title"], d["body"]] for d in docs}, separators=(",", ":"), ensure_ascii=False).encode()
    raw = len(data) + len(store)
    zipped = len(gzip.compress(data, 6)) + len(gzip.compress(store, 6))
    return seconds, raw, zipped, idx


def pagefind_index(out: Path) -> tuple[float, int, int, int]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(out), "--output-subdir", "pagefind", "--quiet",
                    "--root-selector", "main"], check=True)
    seconds = time.perf_counter() - start
    files = [p for p in (out / "pagefind").rglob("*") if p.is_file()]
    raw, zipped = sizes(files)
    return seconds, raw, zipped, len(files)


class _Handler(http.server.SimpleHTTPRequestHandler):
    base = "/"

    def translate_path(self, path):
        return super().translate_path("/" + path.split("?", 1)[0][len(self.base):])

    def log_message(self, *args):
        pass


def browser_ranks(out: Path, base: str, queries) -> tuple[dict, dict]:
    """Results of mentorsite's and Pagefind's searches in Chromium, per query: the first 10 URLs;
    and the milliseconds of the first query (index loaded) and of the next ones, per engine."""
    from playwright.sync_api import sync_playwright

    handler = type("H", (_Handler,), {"base": base})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    root = f"http://127.0.0.1:{server.server_address[1]}{base}"
    found: dict[str, dict[str, list[str]]] = {"mentorsite": {}, "pagefind": {}}
    times: dict[str, list[float]] = {"mentorsite": [], "pagefind": []}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(root + "search/")
        for query, _expected in queries:
            start = time.perf_counter()
            page.fill("#search-page-q", query)
            page.keyboard.press("Enter")
            page.wait_for_function("document.querySelector('.search-status').textContent.includes('" + query + "')")
            times["mentorsite"].append((time.perf_counter() - start) * 1000)
            found["mentorsite"][query] = [a.get_attribute("href").split("#")[0][len(base):]
                                          for a in page.locator(".search-results a").all()][:10]
            start = time.perf_counter()
            urls = page.evaluate("""async ([root, q]) => {
                const pf = window.__pf || (window.__pf = await import(root + 'pagefind/pagefind.js'));
                await pf.options({baseUrl: root}); await pf.init();
                const r = await pf.search(q);
                const data = await Promise.all(r.results.slice(0, 10).map(x => x.data()));
                return data.map(d => d.url); }""", [root, query])
            times["pagefind"].append((time.perf_counter() - start) * 1000)
            paths = [urlsplit(u).path for u in urls]
            found["pagefind"][query] = [p[len(base):] if p.startswith(base) else p.lstrip("/") for p in paths]
        browser.close()
    server.shutdown()
    return found, times


def cfg_url(config: Path) -> str:
    import yaml

    return yaml.safe_load(config.read_text(encoding="utf-8")).get("url", "")


def rank(urls: list[str], expected: str) -> str:
    return str(urls.index(expected) + 1) if expected in urls else "–"


def main(argv: list[str]) -> None:
    project = Path(argv[0]) if argv else REPO
    config = project / "site.yml"
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "_site"
        ours = build_site(config, out)
        our_files = [p for p in (out / "search").rglob("*.json")]
        ours_raw, ours_gz = sizes(our_files)
        pages = len(json.loads((out / "search/index.json").read_text())["docs"])
        lunr_s, lunr_raw, lunr_gz, idx = lunr_index(out)
        pf_s, pf_raw, pf_gz, pf_files = pagefind_index(out)
        print(f"{'example handbook' if project == REPO else project.name}: {pages} pages indexed")
        print("| engine | build (s) | files | size | gzip | loaded for one query |")
        print("| --- | --- | --- | --- | --- | --- |")
        first = (out / "search/index.json").stat().st_size
        first_gz = len(gzip.compress((out / "search/index.json").read_bytes(), 6))
        print(f"| mentorsite | {ours:.2f} | {len(our_files)} | {ours_raw / 1024:.0f} KiB | {ours_gz / 1024:.0f} KiB | "
              f"index.json ({first / 1024:.0f} KiB, {first_gz / 1024:.0f} KiB gzip) + the text chunks of the results shown |")
        print(f"| lunr.py + lunr.js | {lunr_s:.2f} | 2 | {lunr_raw / 1024:.0f} KiB | {lunr_gz / 1024:.0f} KiB | "
              f"everything, plus lunr.min.js (29 KiB, 8 KiB gzip) |")
        print(f"| Pagefind | {pf_s:.2f} | {pf_files} | {pf_raw / 1024:.0f} KiB | {pf_gz / 1024:.0f} KiB | "
              "its JS + WASM (~70 KiB gzip) + the index chunks and fragments it needs |")
        base = urlsplit(cfg_url(config)).path or "/"
        own = project / "queries.json"
        queries = (QUERIES if project == REPO else [tuple(q) for q in json.loads(own.read_text())["queries"]] if own.is_file()
                   else [(q, "") for q in ("mentor feedback", "milestone evidence", "trust", "career plan")])
        found, times = browser_ranks(out, base, queries)
        print()
        print("| engine | first query, index loaded (ms) | next queries (ms, median) |")
        print("| --- | --- | --- |")
        for engine in ("mentorsite", "pagefind"):
            rest = sorted(times[engine][1:])
            print(f"| {engine} | {times[engine][0]:.0f} | {rest[len(rest) // 2]:.0f} |")
        if project == REPO or own.is_file():
            print()
            print("| query | wanted | mentorsite | lunr | Pagefind |")
            print("| --- | --- | --- | --- | --- |")
            reciprocal = {"mentorsite": 0.0, "lunr": 0.0, "pagefind": 0.0}
            for query, expected in queries:
                words = " ".join(w for w in query.replace("-", " ").split())
                ranks = {"mentorsite": rank(found["mentorsite"][query], expected),
                         "lunr": rank([r["ref"] for r in idx.search(words)][:10], expected),
                         "pagefind": rank(found["pagefind"][query], expected)}
                for engine, r in ranks.items():
                    reciprocal[engine] += 1 / int(r) if r != "–" else 0
                print(f"| {query} | {expected or 'home'} | {ranks['mentorsite']} | {ranks['lunr']} | {ranks['pagefind']} |")
            print("| mean reciprocal rank | | " + " | ".join(f"{reciprocal[e] / len(queries):.2f}"
                                                         for e in ("mentorsite", "lunr", "pagefind")) + " |")


if __name__ == "__main__":
    main(sys.argv[1:])
