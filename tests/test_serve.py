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

    def __init__(self, root: Path, *options: str):
        shutil.copy(REPO / "site.yml", root)
        shutil.copytree(REPO / "content", root / "content")
        self.root, self.port, self.lines = root, free_port(), []
        if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:  # (tests run in the background)
            signal.signal(signal.SIGINT, signal.default_int_handler)
        env = {**os.environ, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
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
    running = Preview(tmp_path)
    yield running
    running.stop()


def test_the_first_page_is_served_before_any_pdf_exists_and_a_pdf_asked_for_comes_when_made(preview):
    home = preview.first_page()
    site = preview.root / "_site"
    assert b"Northwind" in home
    assert not (site / "handbook.pdf").exists()  # (the pages are there: the PDFs come after them)
    assert (site / "guides/working-together/communication/index.html").is_file()
    # a PDF not made yet: the being-made page (or, the machine being quick, the PDF), never a 404;
    # asked for, it is made first (its parts before the worksheets, which otherwise come first)
    asked = time.time_ns()
    statuses, book = preview.pdf("handbook-coordinator.pdf")
    assert set(statuses) <= {200, 503} and statuses[-1] == 200
    made = (site / "handbook-coordinator.pdf").stat().st_mtime_ns  # (each PDF is put into the site when made)
    meanwhile = [p.name for p in (site / "worksheets").glob("*.pdf") if asked < p.stat().st_mtime_ns < made]
    assert len(meanwhile) <= 4, meanwhile  # (those the two workers had begun, then none till it was made)
    top = [item.title for item in book.outline if not isinstance(item, list)]
    assert top[:3] == ["Contents", "The program", "Guides"] and len(book.pages) > 50
    statuses, sheet = preview.pdf("worksheets/goals.pdf")
    assert statuses == [200]  # (made before the handbook's parts, or waited for)
    assert "goal1-type" in sheet.get_fields()
    deadline = time.monotonic() + 300
    while not any("and the PDFs: " in line for line in preview.lines) and time.monotonic() < deadline:
        time.sleep(0.1)
    log = preview.stop()
    assert log.index("Serving ") < log.index("and the PDFs: 20 made in "), log


def test_a_save_while_the_pdfs_are_made_builds_the_pages_first(preview):
    preview.first_page()
    guide = preview.root / GUIDE
    guide.write_text(guide.read_text(encoding="utf-8").replace("\n## ", "\nA sentence saved during the PDFs.\n\n## ", 1),
                     encoding="utf-8")
    saved = time.monotonic()
    while b"A sentence saved during the PDFs." not in preview.get("guides/working-together/communication/")[2]:
        assert time.monotonic() - saved < 30, "".join(preview.lines)
        time.sleep(0.02)
    assert not (preview.root / "_site/handbook.pdf").exists()  # the page came first
    _, book = preview.pdf("handbook.pdf")  # then the PDFs went on, from the saved guide
    text = "".join(page.extract_text() for page in book.pages)
    assert "A sentence saved during the PDFs." in text
    log = preview.stop()
    assert "communication.md changed" in log and "Traceback" not in log, log


def test_quiet_says_nothing_but_errors(tmp_path):
    preview = Preview(tmp_path, "--quiet")
    try:
        preview.first_page()
        guide = preview.root / GUIDE
        saved_as = guide.with_name(guide.name + ".tmp")  # (saved whole, as editors do: never seen empty)
        saved_as.write_text(guide.read_text(encoding="utf-8") + "\nA quiet sentence.\n", encoding="utf-8")
        os.replace(saved_as, guide)
        saved = time.monotonic()
        while b"A quiet sentence." not in preview.get("guides/working-together/communication/")[2]:
            assert time.monotonic() - saved < 30
            time.sleep(0.02)
        broken = preview.root / "content/program.yml.tmp"
        broken.write_text("name: [unclosed\n", encoding="utf-8")
        os.replace(broken, preview.root / "content/program.yml")
        deadline = time.monotonic() + 30
        while not any("invalid YAML" in line for line in preview.lines) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        log = preview.stop()
    lines = log.splitlines()  # the error alone (once for each rebuild the save set off), and nothing else
    assert lines and lines[0].endswith(" build failed, the last good site is still served:"), log
    for failed, problem in zip(lines[::2], lines[1::2]):
        assert failed.endswith(" build failed, the last good site is still served:"), log
        assert problem.startswith("  content/program.yml:2:1: invalid YAML: "), log
    assert len(lines) % 2 == 0, log
