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
