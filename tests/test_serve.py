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


@pytest.fixture
def preview(tmp_path):
    """A preview of a handbook with one long page (larger than a socket's buffers)."""
    from tests.browser.test_serve import stop

    info = _serve(tmp_path / "small", "title: Small\nurl: https://example.org/mentoring/\nhandbook_pdfs: false\n",
                  "Some words to read. " * 100_000)
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
    assert status == 200 and body.count(b"Some words to read.") == 100_000
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
        for i in range(2):  # (moved away whole, then deleted: while rm -rf runs, its pages go one by one)
            (root / "_site").rename(tmp_path / f"trash-{i}")
            shutil.rmtree(tmp_path / f"trash-{i}")
            seen = _poll(port, "/mentoring/guides/long/", 200)
            assert set(seen) <= {503, 200}, seen
            assert (root / "_site/handbook.pdf").is_file()
            assert _poll(port, "/mentoring/", 200) == [200]
    finally:
        stop(info)
    out = "".join(info["lines"]) + info["proc"].stdout.read()
    # (twice at least: a deletion that comes while the site is being made again makes it once more)
    assert out.count("site folder deleted, made again: 9 of 10 pages rendered, 21 files written") >= 2, out
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
