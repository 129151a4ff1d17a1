"""The output folder can never destroy the project: a build, a preview, a check or a deploy
refuses, before touching anything, an output folder that is or holds the project or a source
folder, lies inside a source folder, or holds files mentorsite did not write."""

from __future__ import annotations

import dataclasses
import os
import subprocess
from pathlib import Path

import pytest

from mentorsite.build import build
from mentorsite.sources.config import load_config
from mentorsite.errors import SiteError
from mentorsite.outdir import MARKER
from tests.conftest import MINIMAL, write_files

SITE = "title: Test Handbook\nhandbook_pdfs: false\n"
FIX = "a build replaces its output folder whole — choose a folder of its own, such as '_site'"
USER_FILES = "choose an empty folder or delete it yourself"


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file (its bytes), folder and link under folder."""
    out: dict[str, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink():
                out[rel] = b"-> " + os.fsencode(os.readlink(path))
            elif path.is_file():
                out[rel] = path.read_bytes()
            else:
                out[rel] = None
    return out


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A committed handbook at tmp_path/outer/mid/project, with a guide and an asset."""
    root = tmp_path / "outer" / "mid" / "project"
    write_files(root, {**MINIMAL, "site.yml": SITE, "content/guides/a.md": "---\ntitle: A\n---\nHello.\n",
                       "content/assets/logo.svg": "<svg/>", "themes/mine/templates/.keep": "",
                       "notes.txt": "my notes\n"})
    (tmp_path / "outer" / "sibling.txt").write_text("a sibling of the project\n")
    env = {"GIT_AUTHOR_NAME": "A", "GIT_AUTHOR_EMAIL": "a@example.org", "GIT_COMMITTER_NAME": "A",
           "GIT_COMMITTER_EMAIL": "a@example.org", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"),
           "GIT_CONFIG_NOSYSTEM": "1"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in (["init", "-q", "-b", "main"], ["add", "."], ["commit", "-q", "-m", "The handbook"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    monkeypatch.chdir(root)
    return root


@pytest.mark.parametrize(("setup", "args", "message"), [
    ({}, ["--output", "."], f"--output '.' is the project's own folder: {FIX}"),
    ({}, ["--output", "content"], f"--output 'content' is the content folder 'content/': {FIX}"),
    ({}, ["--output", "content/guides"],
     "--output 'content/guides' is inside the content folder 'content/', which a build reads — choose a folder of "
     "its own, such as '_site'"),
    ({}, ["--output", "content/_site"],
     "--output 'content/_site' is inside the content folder 'content/', which a build reads — choose a folder of "
     "its own, such as '_site'"),
    ({}, ["--output", "themes"], f"--output 'themes' is the themes folder 'themes/': {FIX}"),
    ({}, ["--output", "themes/mine/site"],
     "--output 'themes/mine/site' is inside the themes folder 'themes/', which a build reads — choose a folder of "
     "its own, such as '_site'"),
    ({}, ["--output", ".git"], f"--output '.git' is the git repository '.git/': {FIX}"),
    ({}, ["--output", ".mentorsite-cache/site"],
     "--output '.mentorsite-cache/site' is inside the build cache '.mentorsite-cache/', which a build reads — "
     "choose a folder of its own, such as '_site'"),
    ({"docs/n.md": "# My notes\n"}, ["--output", "docs"],
     f"--output 'docs' is a folder of other files (docs/n.md), not a site mentorsite built, and a build replaces "
     f"its output folder whole — {USER_FILES}"),
    ({"docs/a.md": "a\n", "docs/b/c.md": "c\n"}, ["--output", "docs"],
     f"--output 'docs' is a folder of other files (docs/a.md, ...), not a site mentorsite built, and a build "
     f"replaces its output folder whole — {USER_FILES}"),
    ({"site.html": "<p>mine</p>\n"}, ["--output", "site.html"],
     "--output 'site.html' is a file, not a folder — choose a folder of its own, such as '_site'"),
    ({"site.yml": SITE + "output: .\n"}, [], f"site.yml:3:9: output '.' is the project's own folder: {FIX}"),
    ({"site.yml": SITE + "output: /\n"}, [],
     "site.yml:3:9: output '/' is the root of the file system — choose a folder of its own, such as '_site'"),
    ({"site.yml": SITE + "output: content\n"}, [], f"site.yml:3:9: output 'content' is the content folder 'content/': {FIX}"),
    ({"_site/index.md": "mine\n"}, [],
     f"site.yml:1:1: output '_site' is a folder of other files (_site/index.md), not a site mentorsite built, and a "
     f"build replaces its output folder whole — {USER_FILES}"),
], ids=["dot", "content", "content-guides", "content-_site", "themes", "in-a-theme", "git", "cache", "docs-with-a-file",
        "docs-with-files", "a-file", "site.yml-dot", "site.yml-root", "site.yml-content", "default-with-a-file"])
def test_an_output_that_would_replace_the_project_or_a_users_files_is_refused(project, run, tmp_path, setup, args,
                                                                              message):
    write_files(project, setup)
    before = snapshot(tmp_path)
    result = run("build", *args)
    assert result.code == 1
    assert result.errors == [message]
    assert "Traceback" not in result.err
    assert snapshot(tmp_path) == before  # nothing written, moved or removed, anywhere


def test_an_output_holding_the_project_is_refused(project, run, tmp_path):
    before = snapshot(tmp_path)
    result = run("build", "--output", "../..")
    assert result.code == 1
    assert result.errors == [f"--output '../..' holds the project ({project}): {FIX}"]
    assert snapshot(tmp_path) == before


def test_the_home_folder_is_refused(project, run, tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    result = run("build", "--output", str(home))
    assert result.code == 1
    assert result.errors == [f"--output '{home}' is your home folder — choose a folder of its own, such as '_site'"]
    assert list(home.iterdir()) == []


def test_a_link_to_the_project_is_the_project(project, run, tmp_path):
    (tmp_path / "out").symlink_to(project)
    before = snapshot(tmp_path)
    result = run("build", "--output", str(tmp_path / "out"))
    assert result.errors == [f"--output '{tmp_path / 'out'}' is the project's own folder: {FIX}"]
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("command", ["check", "serve", "deploy"])
def test_every_command_refuses_it(project, run, tmp_path, command):
    write_files(project, {"site.yml": SITE + "output: content\n"})
    before = snapshot(tmp_path)
    result = run(command)
    assert result.code == 1
    assert result.errors == [f"site.yml:3:9: output 'content' is the content folder 'content/': {FIX}"]
    assert snapshot(tmp_path) == before


def test_a_multilingual_build_refuses_it(project, run, tmp_path):
    write_files(project, {"site.yml": SITE + "languages: [en, es]\noutput: docs\n", "docs/n.md": "mine\n"})
    before = snapshot(tmp_path)
    result = run("build")
    assert result.errors == [f"site.yml:4:9: output 'docs' is a folder of other files (docs/n.md), not a site "
                             f"mentorsite built, and a build replaces its output folder whole — {USER_FILES}"]
    assert snapshot(tmp_path) == before


def test_build_itself_refuses_it(project, tmp_path):
    """build() checks the folder too (a preview reads site.yml again at every save)."""
    config = dataclasses.replace(load_config(project / "site.yml"), output="content")
    before = snapshot(tmp_path)
    with pytest.raises(SiteError) as e:
        build(config)
    assert str(e.value) == f"site.yml:1:1: output 'content' is the content folder 'content/': {FIX}"
    assert snapshot(tmp_path) == before


def test_an_empty_or_absent_folder_and_a_built_site_are_replaced(project, run):
    (project / "docs").mkdir()
    assert run("build", "--output", "docs").code == 0
    assert (project / "docs" / MARKER).read_text().startswith("This folder is a website built by mentorsite.")
    assert (project / "docs/index.html").is_file()
    write_files(project, {"content/guides/b.md": "---\ntitle: B\n---\nMore.\n"})
    result = run("build", "--output", "docs")  # the folder holds a site mentorsite wrote
    assert result.code == 0, result.err
    assert (project / "docs/guides/b/index.html").is_file()
    assert run("build", "--output", "elsewhere/new").code == 0  # absent, in a folder that is absent too
    assert (project / "elsewhere/new" / MARKER).is_file()


@pytest.mark.parametrize("languages", [False, True])
def test_a_site_built_before_the_marker_is_recognised(project, run, languages):
    """Sites built by earlier versions have no marker: .nojekyll, index.html and static/site.css
    (a language's, for a multilingual site) tell it is one; the next build adds the marker."""
    if languages:
        write_files(project, {"site.yml": SITE + "languages: [en, es]\n"})
    assert run("build").code == 0
    for marker in (project / "_site").rglob(MARKER):
        marker.unlink()
    (project / "_site/stray.txt").write_text("left by hand\n")  # the whole folder is the site's, as before
    result = run("build")
    assert result.code == 0, result.err
    assert (project / "_site" / MARKER).is_file()
    assert not (project / "_site/stray.txt").exists()
    for path in [*(project / "_site").rglob(MARKER), *(project / "_site").rglob("static/site.css")]:
        path.unlink()
    result = run("build")  # without its style sheet, the folder is not recognised as a site
    assert result.code == 1
    assert result.errors[0].startswith("site.yml:1:1: output '_site' is a folder of other files (_site/.nojekyll, ...)")


def test_an_output_folder_named_like_an_option(project, run):
    """argparse (before Python 3.12) reads '--output=--' as an empty list: it is the folder '--'."""
    result = run("build", "--output=--")
    assert result.code == 0, result.err
    assert (project / "--" / MARKER).is_file()


def test_an_output_path_is_taken_as_written_out(project, run, tmp_path):
    """'_x/../out' is out: checked as such, and no folder '_x' is made on the way."""
    result = run("build", "--output", "_x/../out")
    assert result.code == 0, result.err
    assert (project / "out" / MARKER).is_file() and not (project / "_x").exists()
    before = snapshot(tmp_path)
    result = run("build", "--output", "_x/../content")
    assert result.errors == [f"--output 'content' is the content folder 'content/': {FIX}"]
    assert snapshot(tmp_path) == before
