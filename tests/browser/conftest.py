"""Fixtures for browser tests: the example handbook, built once and served under its base path,
and Debian's Chromium driven by Playwright's plain sync API (no pytest-playwright fixtures)."""

from __future__ import annotations

import contextlib
import http.server
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The example site's url is https://northwind-people.github.io/mentoring/, so every link in the
# build is absolute under /mentoring/; the test server serves the build there, like GitHub Pages.
BASE_PATH = "/mentoring/"


def in_ci() -> bool:
    """True when the CI variable is set to anything but an explicit no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def missing(reason: str) -> None:
    """A missing browser is a skip on a laptop and a failure in CI (DESIGN.md section 6)."""
    if in_ci():
        pytest.fail(f"{reason} (CI is set, so this is a failure, not a skip)", pytrace=False)
    pytest.skip(reason)


# -- the example and the second handbook are built once by tests/conftest.py (example_site, second_site)


SECOND_BASE = "/contributor-circles/"


@pytest.fixture(scope="session")
def second_served(second_site: Path) -> Iterator[str]:
    """Serve the second handbook under /contributor-circles/; yields the base URL."""
    with serve(second_site, SECOND_BASE) as url:
        yield url


# -- a static server that behaves like GitHub Pages for a project site ----------------------


class _PagesHandler(http.server.SimpleHTTPRequestHandler):
    """Serve `directory` at `base` (BASE_PATH): directories give index.html, missing paths 404.html with 404."""

    base = BASE_PATH

    def send_head(self):
        path = unquote(urlsplit(self.path).path)
        if path == self.base.rstrip("/"):
            self.send_response(301)
            self.send_header("Location", self.base)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if not path.startswith(self.base):
            self.send_error(404)
            return None
        return super().send_head()

    def translate_path(self, path: str) -> str:
        parts = urlsplit(path)
        return super().translate_path("/" + parts.path[len(self.base):])

    def list_directory(self, path):
        # GitHub Pages never lists a folder without an index.html.
        self.send_error(404)
        return None

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
        pass


@contextlib.contextmanager
def serve(folder: Path, base: str = BASE_PATH) -> Iterator[str]:
    """Serve a built site on 127.0.0.1 under its base path, as GitHub Pages would; yields the base URL."""
    handler = partial(type("Handler", (_PagesHandler,), {"base": base}), directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{base}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def served(example_site: Path) -> Iterator[str]:
    """Serve the example build on 127.0.0.1 under /mentoring/; yields the base URL."""
    with serve(example_site) as url:
        yield url


# -- Chromium ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, launched once per session."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError:
        missing("playwright is not installed (pip install -e '.[test]')")
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing(f"{CHROMIUM} not found (apt-get install chromium)")
    pw = sync_playwright().start()
    try:
        try:
            browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        except Error as e:
            missing(f"Chromium at {CHROMIUM} did not start: {e.message.splitlines()[0]}")
        yield browser
        browser.close()
    finally:
        pw.stop()


def is_local(url: str) -> bool:
    """Whether a request stays on the test server (data: and blob: URLs never leave the page)."""
    parts = urlsplit(url)
    if parts.scheme in ("data", "blob", "about"):
        return True
    return parts.hostname == "127.0.0.1"


@pytest.fixture
def open_page(browser) -> Iterator[Callable[..., object]]:
    """A factory: open_page(url, width=1280, height=800) -> a loaded Page in a fresh context.

    Every page records what a test usually asserts on: `page.requests` (every URL requested),
    `page.failed` (responses >= 400 and failed requests), `page.errors` (uncaught exceptions).
    Requests that would leave 127.0.0.1 are recorded and aborted, so a test never waits on the
    network and never passes because the network happened to be there.
    """
    contexts = []

    def _open(url: str, width: int = 1280, height: int = 800, wait_until: str = "load"):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.requests, page.failed, page.errors = [], [], []

        def _route(route):
            if is_local(route.request.url):
                route.continue_()
            else:
                page.requests.append(route.request.url)
                route.abort()

        context.route("**/*", _route)
        page.on("request", lambda r: page.requests.append(r.url))
        page.on("response", lambda r: r.status >= 400 and page.failed.append(f"{r.status} {r.url}"))
        page.on("requestfailed", lambda r: is_local(r.url) and page.failed.append(f"{r.failure} {r.url}"))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(url, wait_until=wait_until)
        return page

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def save_shot(tmp_path: Path) -> Callable[[object, str], Path]:
    """save_shot(page, name) -> the full-page PNG in tmp_path; also under /tmp/mentorsite-shots/
    when MENTORSITE_SHOTS is set, for humans to look at."""

    def _save(page, name: str) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if os.environ.get("MENTORSITE_SHOTS"):
            keep = Path("/tmp/mentorsite-shots")
            keep.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, keep / path.name)
        return path

    return _save
