"""The preview server's request resolution: only files under the output folder are served."""

import pytest

from mentorsite.commands.serve import resolve_request


@pytest.fixture
def out(tmp_path):
    site = tmp_path / "_site"
    (site / "guides/a").mkdir(parents=True)
    (site / "index.html").write_text("home")
    (site / "guides/a/index.html").write_text("a")
    (site / "static").mkdir()
    (site / "static/site.css").write_text("css")
    (tmp_path / "secret.txt").write_text("secret")
    (site / "escape").symlink_to(tmp_path)
    (site / "escape.txt").symlink_to(tmp_path / "secret.txt")
    return site


@pytest.mark.parametrize(
    "path, expected",
    [
        ("/hb/", "index.html"),
        ("/hb/guides/a/", "guides/a/index.html"),
        ("/hb/guides/a/index.html", "guides/a/index.html"),
        ("/hb/static/site.css?v=1", "static/site.css"),
        ("/hb/guides/a", "guides/a"),  # a folder without its slash: the handler redirects
    ],
)
def test_files_under_the_base_path_are_served(out, path, expected):
    assert resolve_request(path, "/hb/", out) == (out / expected).resolve()


@pytest.mark.parametrize(
    "path",
    ["/index.html", "/hb/../secret.txt", "/hb/%2e%2e/secret.txt", "/hb/..%2Fsecret.txt", "/hb/guides/%2e%2e/%2e%2e/secret.txt",
     "/hb/escape/secret.txt", "/hb/escape.txt", "/hb/%00", "/hb/..\\secret.txt", "/hb/missing.html", "/hb//etc/passwd",
     "/hb/guides/"],
)
def test_everything_else_is_refused(out, path):
    assert resolve_request(path, "/hb/", out) is None


# ---------------------------------------------------------------- a real preview server (issue 21)

import shutil  # noqa: E402
import socket  # noqa: E402
import struct  # noqa: E402
import time  # noqa: E402


def _serve(root, site_yml: str, guide: str):
    """`mentorsite serve` started on a small handbook in root (see tests/browser/test_serve.py)."""
    from tests.browser.test_serve import start

    (root / "content/guides").mkdir(parents=True)
    (root / "site.yml").write_text(site_yml)
    (root / "content/program.yml").write_text("name: Small program\n")
    (root / "content/guides/long.md").write_text("---\ntitle: Long\n---\n\n" + guide + "\n")
    return start(root)


# -- the preview on a fresh clone: the pages at once, the PDFs after them (issue 20) -----------

import http.client  # noqa: E402
import io  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import signal  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import pypdf  # noqa: E402

from mentorsite.commands.serve import free_port  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
GUIDE = "content/guides/working-together/communication.md"


class Preview:
    """`mentorsite serve` in a fresh copy of the example (no cache, no _site), its log read as it comes."""

    def __init__(self, root: Path, *options: str, own_store: bool = False):
        shutil.copy(REPO / "site.yml", root)
        shutil.copytree(REPO / "content", root / "content")
        self.root, self.port, self.lines = root, free_port(), []
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # (tests run in the background)
            signal.signal(signal.SIGINT, signal.default_int_handler)
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        if own_store:  # the project's own PDF store, empty, as on a fresh clone: every PDF is made
            env.pop("MENTORSITE_PDF_CACHE", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--port", str(self.port), *options],
                                     cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=lambda: self.lines.extend(self.proc.stdout), daemon=True).start()

    def get(self, path: str) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("GET", "/mentoring/" + path)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def first_page(self, timeout: float = 60) -> bytes:
        """The home page, as soon as the server answers with it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, "".join(self.lines)
            try:
                status, _, body = self.get("")
            except OSError:
                time.sleep(0.02)
                continue
            assert status == 200, (status, body[:300])
            return body
        raise AssertionError("the preview did not answer:\n" + "".join(self.lines))

    def pdf(self, path: str, timeout: float = 300) -> tuple[list[int], pypdf.PdfReader]:
        """Ask for a PDF until it comes (as the being-made page does): the statuses seen, and the PDF."""
        statuses = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            status, headers, body = self.get(path)
            statuses.append(status)
            if status == 200:
                assert headers["Content-Type"] == "application/pdf"
                return statuses, pypdf.PdfReader(io.BytesIO(body))
            assert status == 503, (status, body[:300])
            assert headers["Retry-After"] == "2" and headers["Content-Type"] == "text/html; charset=utf-8"
            assert b"This PDF is being made" in body and b'http-equiv="refresh"' in body
            time.sleep(int(headers["Retry-After"]))
        raise AssertionError(f"{path} never came:\n" + "".join(self.lines))

    def stop(self) -> str:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        time.sleep(0.1)
        return "".join(self.lines)


@pytest.fixture
def preview(tmp_path):
    """A preview of a handbook with one long page (larger than a socket's buffers)."""
    from tests.browser.test_serve import stop

    info = _serve(tmp_path / "small", "title: Small\nurl: https://example.org/mentoring/\nhandbook_pdfs: false\n",
                  "Some words to read. " * 45_000)
    yield info
    stop(info)


def test_clients_that_hang_up_mid_response_print_nothing(preview):
    """150 clients ask for a long page and hang up before it is sent (a reset, or a plain close
    after reading a little): the console shows nothing for them, and the server goes on."""
    from tests.browser.test_serve import raw_get, stop

    for i in range(150):
        with socket.create_connection(("127.0.0.1", preview["port"]), timeout=10) as s:
            s.sendall(b"GET /mentoring/guides/long/ HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            if i % 3 == 0:
                s.recv(1000)
            if i % 3 != 2:  # a reset (RST) instead of a FIN
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    status, _, body = raw_get(preview["port"], "/mentoring/guides/long/")
    assert status == 200 and body.count(b"Some words to read.") == 45_000
    stop(preview)
    rest = preview["proc"].stdout.read()
    assert rest.strip() == "Stopped.", rest


def _poll(port: int, path: str, until: int, seconds: float = 60) -> list[int]:
    """GET path until it answers with status until; the statuses seen on the way."""
    from tests.browser.test_serve import raw_get

    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        seen.append(raw_get(port, path)[0])
        if seen[-1] == until:
            return seen
        time.sleep(0.05)
    pytest.fail(f"{path} never answered {until}: {seen[-10:]}")


def test_a_deleted_site_folder_is_made_again(tmp_path):
    """Deleting _site/ while the preview runs: the preview makes it again, handbook PDFs included;
    no page is ever an error (before: every page a 500, 'unexpected error', until a restart)."""
    from tests.browser.test_serve import stop

    info = _serve(tmp_path / "hb", "title: Small\nurl: https://example.org/mentoring/\n", "Text.")
    root, port = info["root"], info["port"]
    try:
        assert _poll(port, "/mentoring/guides/long/", 200) == [200]
        rounds = []  # (the page's statuses, the handbook PDF's last, the home page's), for each deletion
        for i in range(2):  # (moved away whole, then deleted: while rm -rf runs, its pages go one by one)
            (root / "_site").rename(tmp_path / f"trash-{i}")
            shutil.rmtree(tmp_path / f"trash-{i}")
            rounds.append((_poll(port, "/mentoring/guides/long/", 200),
                           _poll(port, "/mentoring/handbook.pdf", 200)[-1:],  # (made in the background)
                           _poll(port, "/mentoring/", 200)))
    finally:
        stop(info)
    out = "".join(info["lines"]) + info["proc"].stdout.read()  # (shown with a failure: what the preview said)
    for page, pdf, home in rounds:
        assert set(page) <= {503, 200} and pdf == [200], (rounds, out)
        assert home == [200], (rounds, out)
    # (twice at least: a deletion that comes while the site is being made again makes it once more)
    assert out.count("site folder deleted, made again: 9 of 10 pages rendered, 20 files written") >= 2, out
    assert "Traceback" not in out and "unexpected error" not in out and "failed" not in out


def test_a_deleted_site_folder_the_watcher_cannot_see_is_made_at_the_next_save(tmp_path):
    """An output folder elsewhere is not watched: until the next save, its pages say what happened."""
    from bs4 import BeautifulSoup

    from tests.browser.test_serve import raw_get, stop

    info = _serve(tmp_path / "hb", "title: Small\nurl: https://example.org/mentoring/\noutput: build/site\n"
                  "handbook_pdfs: false\n", "Text.")
    root, port = info["root"], info["port"]
    try:
        shutil.rmtree(root / "build/site")
        status, ctype, body = raw_get(port, "/mentoring/guides/long/")
        assert (status, ctype) == (503, "text/html; charset=utf-8")
        main = BeautifulSoup(body, "html.parser").main
        assert main.h1.get_text() == "The site folder was deleted"
        assert main.p.get_text() == (f"The folder {root / 'build/site'} is gone; save a file of the handbook to make it "
                                     "again. This page reloads by itself when it is back.")
        (root / "content/guides/long.md").write_text("---\ntitle: Long\n---\n\nSaved again.\n")
        _poll(port, "/mentoring/guides/long/", 200)
        assert b"Saved again." in raw_get(port, "/mentoring/guides/long/")[2]
    finally:
        stop(info)
    out = info["proc"].stdout.read()
    assert "Traceback" not in out and "unexpected error" not in out


def test_a_file_name_that_is_not_utf8_is_shown_not_a_failure(tmp_path, monkeypatch):
    """Where the console takes only UTF-8 (PYTHONIOENCODING=utf-8:strict, as in many desktop
    locales), saving a guide named with the byte 0xFF: the line that names the change shows it
    escaped, and the site is built (before: 'unexpected error', every page a 500)."""
    import os

    from tests.browser.test_serve import raw_get, stop

    monkeypatch.setenv("PYTHONIOENCODING", "utf-8:strict")  # (the server's environment is this one's)
    info = _serve(tmp_path / "hb", "title: Small\nurl: https://example.org/mentoring/\nhandbook_pdfs: false\n", "Text.")
    root, port = info["root"], info["port"]
    try:
        with open(os.path.join(os.fsencode(root / "content/guides"), b"caf\xff.md"), "w") as f:
            f.write("---\ntitle: Cafe\n---\n\nA guide.\n")
        _poll(port, "/mentoring/guides/caf/", 200)
        assert raw_get(port, "/mentoring/")[0] == 200
    finally:
        stop(info)
    out = info["proc"].stdout.read()
    assert "content/guides/caf\\udcff.md changed" in out, out
    assert "unexpected error" not in out and "Traceback" not in out


@pytest.fixture
def example_preview(tmp_path):
    running = Preview(tmp_path)
    yield running
    running.stop()


@pytest.fixture
def fresh_preview(tmp_path):
    running = Preview(tmp_path, own_store=True)
    yield running
    running.stop()


def test_the_first_page_is_served_before_any_pdf_exists_and_a_pdf_asked_for_comes_when_made(fresh_preview):
    # (its own PDF store: with the tests' shared one, the worksheet PDFs stored by other tests are
    # put into the site at once, whatever is asked for)
    home = fresh_preview.first_page()
    site = fresh_preview.root / "_site"
    assert b"Northwind" in home
    assert not (site / "handbook.pdf").exists()  # (the pages are there: the PDFs come after them)
    assert (site / "guides/working-together/communication/index.html").is_file()
    # a PDF not made yet: the being-made page (or, the machine being quick, the PDF), never a 404;
    # asked for, it is made first (its parts before the worksheets, which otherwise come first)
    asked = time.time_ns()
    statuses, book = fresh_preview.pdf("handbook-coordinator.pdf")
    assert set(statuses) <= {200, 503} and statuses[-1] == 200
    made = (site / "handbook-coordinator.pdf").stat().st_mtime_ns  # (each PDF is put into the site when made)
    meanwhile = [p.name for p in (site / "worksheets").glob("*.pdf") if asked < p.stat().st_mtime_ns < made]
    # (those the two workers had begun, or had made and not yet handed over, when the request came;
    # without the request first, every worksheet not yet made would come before it: 11 or more of 16)
    assert len(meanwhile) <= 8, meanwhile
    top = [item.title for item in book.outline if not isinstance(item, list)]
    assert top[:3] == ["Contents", "The program", "Guides"] and len(book.pages) > 50
    statuses, sheet = fresh_preview.pdf("worksheets/goals.pdf")
    assert statuses == [200]  # (made before the handbook's parts, or waited for)
    assert "goal1-type" in sheet.get_fields()
    deadline = time.monotonic() + 300
    while not any("and the PDFs: " in line for line in fresh_preview.lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = fresh_preview.stop()
    assert log.index("Serving ") < log.index("and the PDFs: 20 made in "), log


def test_a_save_while_the_pdfs_are_made_builds_the_pages_first(example_preview):
    example_preview.first_page()
    guide = example_preview.root / GUIDE
    guide.write_text(guide.read_text(encoding="utf-8").replace("\n## ", "\nA sentence saved during the PDFs.\n\n## ", 1),
                     encoding="utf-8")
    saved = time.monotonic()
    while b"A sentence saved during the PDFs." not in example_preview.get("guides/working-together/communication/")[2]:
        assert time.monotonic() - saved < 30, "".join(example_preview.lines)
        time.sleep(0.02)
    assert not (example_preview.root / "_site/handbook.pdf").exists()  # the page came first
    _, book = example_preview.pdf("handbook.pdf")  # then the PDFs went on, from the saved guide
    text = "".join(page.extract_text() for page in book.pages)
    assert "A sentence saved during the PDFs." in text
    log = example_preview.stop()
    assert "communication.md changed" in log and "Traceback" not in log, log


def test_quiet_says_nothing_but_errors(tmp_path):
    example_preview = Preview(tmp_path, "--quiet")
    try:
        example_preview.first_page()
        guide = example_preview.root / GUIDE
        saved_as = guide.with_name(guide.name + ".tmp")  # (saved whole, as editors do: never seen empty)
        saved_as.write_text(guide.read_text(encoding="utf-8") + "\nA quiet sentence.\n", encoding="utf-8")
        os.replace(saved_as, guide)
        saved = time.monotonic()
        while b"A quiet sentence." not in example_preview.get("guides/working-together/communication/")[2]:
            assert time.monotonic() - saved < 30
            time.sleep(0.02)
        broken = example_preview.root / "content/program.yml.tmp"
        broken.write_text("name: [unclosed\n", encoding="utf-8")
        os.replace(broken, example_preview.root / "content/program.yml")
        deadline = time.monotonic() + 30
        while not any("invalid YAML" in line for line in example_preview.lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        log = example_preview.stop()
    lines = log.splitlines()  # the error alone (once for each rebuild the save set off), and nothing else
    message = " build failed (the last good site is kept; its pages show these problems until the next good save):"
    assert lines and lines[0].endswith(message), log
    for failed, problem in zip(lines[::2], lines[1::2]):
        assert failed.endswith(message), log
        assert problem.startswith("  content/program.yml:2:1: invalid YAML: "), log
    assert len(lines) % 2 == 0, log
