"""`last_updated: true`: each page written in a file shows when its file last changed, from a
real git repository's history; a project outside git, or a shallow clone, is a warning."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

SITE = "title: T\nlast_updated: true\nlanguage: en\n"


def git(root: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Coordinator", "GIT_AUTHOR_EMAIL": "c@example.org",
           "GIT_COMMITTER_NAME": "Coordinator", "GIT_COMMITTER_EMAIL": "c@example.org"}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = f"{date}T12:00:00+00:00"
    return subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True).stdout


def updated(path: str) -> str | None:
    found = re.findall(r'<time class="page-updated" datetime="([\d-]+)">Last updated ([^<]+)</time>',
                       Path("_site", path).read_text(encoding="utf-8"))
    return " = ".join(found[0]) if found else None


@pytest.fixture
def repo(make_site):
    root = make_site({
        "site.yml": SITE,
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nFirst.\n",
        "content/guides/beta.md": "---\ntitle: Beta\n---\n\nSecond.\n",
        "content/types/peer.yml": "name: Peer mentoring\nsummary: Two colleagues learn together.\n",
    })
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("_site/\n.mentorsite-cache/\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "The handbook", date="2027-01-05")
    (root / "content/guides/beta.md").write_text("---\ntitle: Beta\n---\n\nSecond, revised.\n")
    git(root, "commit", "-q", "-am", "Beta revised", date="2027-02-10")
    return root


def test_each_page_shows_when_its_file_last_changed(repo, run):
    (repo / "content/guides/gamma.md").write_text("---\ntitle: Gamma\n---\n\nNot committed yet.\n")
    result = run("build")
    assert result.code == 0, result.err
    assert updated("guides/alpha/index.html") == "2027-01-05 = Jan 5, 2027"
    assert updated("guides/beta/index.html") == "2027-02-10 = Feb 10, 2027"
    assert updated("types/peer/index.html") == "2027-01-05 = Jan 5, 2027"
    assert updated("guides/gamma/index.html") is None  # git does not know it yet
    assert updated("guides/index.html") is None and updated("schedule/index.html") is None
    # a commit changes a date: the next build renders that page again, and only what shows it
    (repo / "content/guides/alpha.md").write_text("---\ntitle: Alpha\n---\n\nFirst, revised.\n")
    run("build")
    git(repo, "commit", "-q", "-am", "Alpha revised", date="2027-03-01")
    result = run("build")
    assert updated("guides/alpha/index.html") == "2027-03-01 = Mar 1, 2027"
    assert re.match(r"Built \d+ pages \(\d rendered", result.out), result.out  # not every page


def test_a_project_in_a_folder_of_a_repository(make_site, run, tmp_path):
    """Paths are the project's own when its folder is inside a bigger repository."""
    root = make_site({"site.yml": SITE, "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nFirst.\n"})
    top = root.parent
    git(top, "init", "-q")
    git(top, "add", "project/site.yml", "project/content")
    git(top, "commit", "-q", "-m", "x", date="2027-04-02")
    assert run("build").code == 0
    assert updated("guides/alpha/index.html") == "2027-04-02 = Apr 2, 2027"


def test_outside_git_or_in_a_shallow_clone_is_a_warning(make_site, repo, run, tmp_path, monkeypatch):
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow)], check=True)
    monkeypatch.chdir(shallow)
    result = run("build")
    assert result.code == 0
    assert result.errors == [
        "site.yml:1:1: warning: last_updated is on, but this is a shallow clone of the repository: its pages "
        "would show the date of its latest commit — fetch the whole history (in GitHub Actions: "
        "'fetch-depth: 0' in actions/checkout)"]
    assert updated("guides/alpha/index.html") is None
    assert run("build", "--strict").code == 1
    outside = tmp_path / "outside"
    outside.mkdir()
    for rel in ("site.yml", "content/program.yml", "content/guides/alpha.md"):
        (outside / rel).parent.mkdir(parents=True, exist_ok=True)
        (outside / rel).write_bytes((repo / rel).read_bytes())
    monkeypatch.chdir(outside)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))  # (the tests' own folder may be in a repository)
    result = run("build")
    assert result.code == 0
    assert result.errors == [
        "site.yml:1:1: warning: last_updated is on, but the project is not in a git repository (or git is not "
        "installed): no page shows a date — commit it to git, or set 'last_updated: false'"]


def test_the_sitemap_gives_each_pages_last_change(repo, run):
    """lastmod is the date of the page's file's last commit (no build time: the same on every
    build), and is left out for a page made from no single file or one git does not know."""
    import xml.etree.ElementTree as ET

    (repo / "site.yml").write_text(SITE + "url: https://mentoring.example.org/\n")
    (repo / "content/guides/gamma.md").write_text("---\ntitle: Gamma\n---\n\nNot committed yet.\n")
    assert run("build").code == 0
    first = Path("_site/sitemap.xml").read_bytes()
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    entries = {u.findtext("s:loc", namespaces=ns): u.findtext("s:lastmod", namespaces=ns)
               for u in ET.fromstring(first).findall("s:url", ns)}
    root = "https://mentoring.example.org/"
    assert entries[root + "guides/alpha/"] == "2027-01-05"
    assert entries[root + "guides/beta/"] == "2027-02-10"
    assert entries[root + "types/peer/"] == "2027-01-05"
    assert entries[root + "guides/gamma/"] is None and entries[root + "guides/"] is None
    assert run("build", "--no-cache").code == 0
    assert Path("_site/sitemap.xml").read_bytes() == first
    assert Path("_site/robots.txt").read_text() == (
        "User-agent: *\nAllow: /\n\nSitemap: https://mentoring.example.org/sitemap.xml\n")


def test_without_last_updated_the_sitemap_has_no_dates(repo, run):
    (repo / "site.yml").write_text("title: T\nurl: https://org.github.io/handbook/\n")
    assert run("build").code == 0
    sitemap = Path("_site/sitemap.xml").read_text()
    assert "<loc>https://org.github.io/handbook/guides/alpha/</loc></url>" in sitemap and "lastmod" not in sitemap
    # under a path, crawlers would never read a robots.txt: the host's root is not the site's
    assert not Path("_site/robots.txt").exists()
