"""`mentorsite serve` as a writer uses it: a real server process, a real browser, real saves."""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from mentorsite.commands.serve import free_port

REPO = Path(__file__).resolve().parents[2]
GUIDE = "content/guides/working-together/communication.md"


def start(root: Path):
    """Start `mentorsite serve` in root on a free port; wait until it serves."""
    port = free_port()
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        # tests run in the background (nohup, `cmd &`) start with Ctrl+C ignored, and a child
        # keeps an ignored signal: the server would never see the tests' Ctrl+C
        signal.signal(signal.SIGINT, signal.default_int_handler)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--port", str(port)], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        lines.append(line)
        if line.startswith("Serving "):
            break
    else:
        proc.kill()
        pytest.fail("the server did not start:\n" + "".join(lines))
    assert proc.poll() is None, "".join(lines)
    return {"root": root, "port": port, "base": f"http://127.0.0.1:{port}/mentoring/", "proc": proc, "lines": lines}


def stop(info) -> None:
    proc = info["proc"]
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A copy of the example handbook served by `mentorsite serve` (shared by this module's tests)."""
    root = tmp_path_factory.mktemp("serve") / "handbook"
    root.mkdir()
    shutil.copy(REPO / "site.yml", root)
    shutil.copytree(REPO / "content", root / "content")
    info = start(root)
    yield info
    stop(info)


@pytest.fixture
def small_server(tmp_path):
    """A tiny handbook of its own, for tests that stop the server."""
    root = tmp_path / "small"
    (root / "content/guides").mkdir(parents=True)
    (root / "site.yml").write_text("title: Small\nurl: https://example.org/mentoring/\n")
    (root / "content/program.yml").write_text("name: Small program\n")
    (root / "content/guides/communication.md").write_text("---\ntitle: Communication\n---\n\n## Talk\n\nText.\n")
    info = start(root)
    yield info
    stop(info)


def raw_get(port: int, path: str) -> tuple[int, str, bytes]:
    """A GET with the path sent exactly as given (no client-side normalisation)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.putrequest("GET", path, skip_accept_encoding=True)
    conn.endheaders()
    resp = conn.getresponse()
    body = resp.read()
    conn.close()
    return resp.status, resp.getheader("Content-Type", ""), body


def test_edit_reloads_the_page_and_errors_show_then_clear(server, open_page):
    page = open_page(server["base"] + "guides/working-together/communication/")
    assert page.locator("h1").inner_text()
    guide = server["root"] / GUIDE
    text = guide.read_text(encoding="utf-8")
    guide.write_text(text.replace("\n## ", "\nA freshly saved sentence.\n\n## ", 1), encoding="utf-8")
    page.wait_for_selector("text=A freshly saved sentence.", timeout=15000)

    program = server["root"] / "content/program.yml"
    good = program.read_text(encoding="utf-8")
    program.write_text(good + "\nmeetings: [unclosed\n", encoding="utf-8")
    page.wait_for_selector(".build-errors", timeout=15000)
    errors = page.locator(".build-errors").inner_text()
    assert re.search(r"content/program\.yml:\d+:\d+: invalid YAML", errors), errors

    # the last good site is still on disk while the error shows
    built = server["root"] / "_site/guides/working-together/communication/index.html"
    assert "A freshly saved sentence." in built.read_text(encoding="utf-8")

    program.write_text(good, encoding="utf-8")
    page.wait_for_selector(".build-errors", state="detached", timeout=15000)
    page.wait_for_selector("main h1", timeout=15000)
    assert "A freshly saved sentence." in page.locator("main").inner_text()


def test_a_page_that_loaded_while_the_site_was_rebuilt_reloads_when_it_connects(server, browser):
    """A save while a page is still loading (its event stream not yet open) is not missed: the
    page knows the build it came from, and the server names its latest build on connecting."""
    path = "/mentoring/guides/working-together/trust-and-respect/"
    status, _, stale = raw_get(server["port"], path)
    assert status == 200
    served_from = re.search(rb"build (\d+)", stale).group(1)
    guide = server["root"] / "content/guides/working-together/trust-and-respect.md"
    guide.write_text(guide.read_text(encoding="utf-8") + "\nA sentence saved while the page loaded.\n", encoding="utf-8")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        body = raw_get(server["port"], path)[2]
        if b"A sentence saved while the page loaded." in body and re.search(rb"build (\d+)", body).group(1) != served_from:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the server did not rebuild the page")
    context = browser.new_context()
    try:
        page = context.new_page()
        first = []

        def _route(route):  # the page as it was served before the save, then the server's
            if not first and route.request.url.endswith(path):
                first.append(route.request.url)
                route.fulfill(status=200, content_type="text/html; charset=utf-8", body=stale)
            else:
                route.continue_()

        page.route("**/*", _route)
        page.goto(f"http://127.0.0.1:{server['port']}{path}")
        page.wait_for_selector("text=A sentence saved while the page loaded.", timeout=15000)
    finally:
        context.close()


def test_the_reload_script_is_only_in_served_pages(server):
    status, ctype, body = raw_get(server["port"], "/mentoring/")
    assert status == 200 and ctype == "text/html; charset=utf-8"
    assert b"/__mentorsite__/events" in body
    on_disk = (server["root"] / "_site/index.html").read_bytes()
    assert b"__mentorsite__" not in on_disk


@pytest.mark.parametrize(
    "path",
    [
        "/mentoring/../site.yml",
        "/mentoring/%2e%2e/site.yml",
        "/mentoring/%2E%2E/%2e%2e/etc/passwd",
        "/mentoring/..%2fsite.yml",
        "/mentoring/guides/..%2f..%2f..%2fsite.yml",
        "//etc/passwd",
        "/etc/passwd",
        "/mentoring//etc/passwd",
        "/mentoring/%00index.html",
        "/mentoring/..\\site.yml",
        "/site.yml",
        "/mentoring/link-out/passwd",
    ],
)
def test_traversal_gets_404(server, path):
    link = server["root"] / "_site/link-out"
    if not link.is_symlink():
        link.symlink_to("/etc")
    status, _, body = raw_get(server["port"], path)
    assert status == 404, path
    assert b"root:" not in body and b"title:" not in body


def test_content_types(server):
    assert raw_get(server["port"], "/mentoring/static/site.css")[1] == "text/css; charset=utf-8"
    assert raw_get(server["port"], "/mentoring/sitemap.xml")[1].startswith(("application/xml", "text/xml"))
    assert raw_get(server["port"], "/mentoring/assets/welcome.svg")[1] == "image/svg+xml; charset=utf-8"
    status, _, _ = raw_get(server["port"], "/mentoring/guides")
    assert status == 302


def test_ctrl_c_stops_cleanly(small_server):
    proc = small_server["proc"]
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 0
    rest = proc.stdout.read()
    assert "Traceback" not in rest
    assert "Stopped." in rest


def test_a_burst_of_saves_is_one_rebuild(small_server):
    server = small_server
    guide = server["root"] / "content/guides/communication.md"
    text = guide.read_text(encoding="utf-8")
    # a burst, as a git checkout or a formatter makes: the file written (to a temporary name,
    # then renamed, as editors save) five times within a few milliseconds. (Saves spaced by the
    # settle time or more are separate changes: each may get its own rebuild when the one before
    # ended first, which on a busy machine made this test fail now and then.)
    for i in range(5):
        tmp = guide.with_name(guide.name + f".tmp{i}")
        tmp.write_text(text + f"\nEdit {i}.\n", encoding="utf-8")
        os.replace(tmp, guide)
    time.sleep(2)
    proc = server["proc"]
    proc.send_signal(signal.SIGINT)
    out = proc.communicate(timeout=10)[0]
    rebuilds = [line for line in out.splitlines() if "communication.md" in line and "changed" in line]
    assert len(rebuilds) == 1, out
    # and nothing else: a build must not set off another (its spool, the output, the caches)
    assert [line for line in out.splitlines() if "changed:" in line] == rebuilds, out
    assert "Edit 4." in (server["root"] / "_site/guides/communication/index.html").read_text()


def test_a_pdf_not_made_yet_shows_a_page_that_reloads_itself_into_the_pdf(tmp_path, browser):
    """A fresh clone's preview serves its pages before its PDFs: a reader who opens a handbook PDF
    meanwhile sees that it is being made, and gets it when it is, in the same tab (issue 20)."""
    import io

    import pypdf

    root = tmp_path / "handbook"
    root.mkdir()
    shutil.copy(REPO / "site.yml", root)
    shutil.copytree(REPO / "content", root / "content")
    info = start(root)
    url = info["base"] + "handbook.pdf"
    context = browser.new_context()
    try:
        page = context.new_page()
        seen = []
        page.on("response", lambda r: r.url == url and seen.append(r.status))
        with page.expect_response(lambda r: r.url == url and r.status == 200, timeout=240_000) as pdf:
            page.goto(url)
            if seen[0] == 503:  # (on a quick machine the PDF may be made within the request's wait)
                assert page.locator("h1").inner_text() == "This PDF is being made"
                assert "handbook.pdf" in page.locator("main").inner_text()
        assert set(seen) <= {200, 503}  # never a 404, never an error
        assert pdf.value.headers["content-type"] == "application/pdf"
        assert page.url == url  # the tab that showed the page now shows the PDF (Chromium's viewer)
        book = pypdf.PdfReader(io.BytesIO(page.request.get(url).body()))  # (the viewer keeps the bytes it shows)
        assert [item.title for item in book.outline if not isinstance(item, list)][:2] == ["Contents", "The program"]
    finally:
        context.close()
        stop(info)
