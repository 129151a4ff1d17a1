"""Links in content/ at every level: a link out of the project, to a hidden file or folder (.git,
.github), to nothing, or round in a circle is a located error; a link inside the project is
followed, and nothing hidden is ever published, whatever path reaches it."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, write_files

SITE = "title: Test Handbook\nhandbook_pdfs: false\n"
OUT_FOLDER = "this folder is a link to {target}, outside the project — copy the files into the project instead"
OUT_FILE = "this is a link to a file outside the project ({target}) — copy the file into the project instead"
TYPE = "name: Peer\nsummary: Peers.\n"
PLAN = "title: Plan\ngoal: G\nmilestones: [{title: A, due: week 2}]\n"
SHEET = "title: Goals\npurpose: P\nsections: [{title: S, fields: [{id: g, kind: line, label: G}]}]\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A handbook at tmp_path/project with a git folder; tmp_path/outside holds a copy of each
    kind of source, and secret.txt."""
    root = tmp_path / "project"
    write_files(root, {**MINIMAL, "site.yml": SITE, "content/guides/a.md": "---\ntitle: A\n---\nHello.\n",
                       ".git/config": "[credential]\n\thelper = secret\n", ".github/workflows/pages.yml": "on: push\n"})
    write_files(tmp_path / "outside", {"guides/b.md": "---\ntitle: B\n---\nFrom outside.\n", "types/peer.yml": TYPE,
                                       "milestones/plan.yml": PLAN, "worksheets/goals.yml": SHEET,
                                       "assets/secret.txt": "secret\n", "program.yml": MINIMAL["content/program.yml"]})
    monkeypatch.chdir(root)
    return root


def link(path: Path, target: str | Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.symlink_to(target)


def built(root: Path) -> set[str]:
    return {p.relative_to(root / "_site").as_posix() for p in (root / "_site").rglob("*") if p.is_file()}


@pytest.mark.parametrize("folder", ["assets", "guides", "types", "milestones", "worksheets"])
def test_a_top_level_content_folder_linked_out_of_the_project(project, run, tmp_path, folder):
    shutil.rmtree(project / "content" / folder, ignore_errors=True)
    link(project / "content" / folder, tmp_path / "outside" / folder)
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"content/{folder}:1:1: " + OUT_FOLDER.format(target=tmp_path / "outside" / folder)]
    assert not (project / "_site").exists()


@pytest.mark.parametrize(("name", "target"), [
    ("content/assets/deep/more/x", "outside/assets"),
    ("content/guides/deep/more", "outside/guides"),
])
def test_a_folder_linked_out_of_the_project_at_any_depth(project, run, tmp_path, name, target):
    link(project / name, tmp_path / target)
    result = run("build")
    assert result.errors == [f"{name}:1:1: " + OUT_FOLDER.format(target=tmp_path / target)]


@pytest.mark.parametrize(("name", "target"), [
    ("content/assets/secret.txt", "outside/assets/secret.txt"),
    ("content/assets/deep/secret.txt", "outside/assets/secret.txt"),
    ("content/program.yml", "outside/program.yml"),
    ("content/types/peer.yml", "outside/types/peer.yml"),
    ("content/guides/b.md", "outside/guides/b.md"),
])
def test_a_file_linked_out_of_the_project(project, run, tmp_path, name, target):
    (project / name).unlink(missing_ok=True)
    link(project / name, tmp_path / target)
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"{name}:1:1: " + OUT_FILE.format(target=tmp_path / target)]


@pytest.mark.parametrize(("name", "target", "message"), [
    ("content/assets/repo", "../../.git", "this folder is a link to .git/, which is hidden"),
    ("content/guides/docs", "../../.git", "this folder is a link to .git/, which is hidden"),
    ("content/assets", "../.github", "this folder is a link to .github/, which is hidden"),
    ("content/assets/config", "../../.git/config", "this is a link to .git/config, which is hidden"),
    ("content/guides/notes.md", "../../.git/config", "this is a link to .git/config, which is hidden"),
    ("content/types/peer.yml", "../../.git/config", "this is a link to .git/config, which is hidden"),
    ("content/assets/workflows", "../../.github/workflows", "this folder is a link to .github/workflows/, which is hidden"),
])
def test_a_link_to_a_hidden_file_or_folder_of_the_project(project, run, name, target, message):
    link(project / name, target)
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"{name}:1:1: {message} — nothing hidden is published: remove the link"]
    assert not (project / "_site").exists()


def test_a_link_to_a_folder_holding_hidden_ones_publishes_only_what_is_not_hidden(project, run):
    write_files(project, {"vendor/logo.svg": "<svg/>", "vendor/.git/config": "secret\n", "vendor/.env": "KEY=1\n",
                          "vendor/sub/.github/x.yml": "secret\n", "vendor/sub/ok.txt": "ok\n"})
    link(project / "content/assets/vendor", "../../vendor")
    link(project / "content/assets/up", "..")  # a link back up the tree is not followed
    result = run("build")
    assert result.code == 0, result.err
    assert {f for f in built(project) if f.startswith("assets/")} == {"assets/vendor/logo.svg", "assets/vendor/sub/ok.txt"}


def test_links_inside_the_project_are_followed(project, run):
    write_files(project, {"shared/c.md": "---\ntitle: C\n---\nShared.\n", "content/assets/img/x.svg": "<svg/>"})
    link(project / "content/guides/shared", "../../shared")
    link(project / "content/guides/d.md", "a.md")
    link(project / "content/assets/pictures", "img")
    result = run("build")
    assert result.code == 0, result.err
    files = built(project)
    assert {"guides/shared/c/index.html", "guides/d/index.html", "assets/img/x.svg", "assets/pictures/x.svg"} <= files


@pytest.mark.parametrize(("links", "message"), [
    ({"content/guides/gone.md": "missing.md"},
     "content/guides/gone.md:1:1: this is a link to missing.md, which does not exist — fix the link or remove it"),
    ({"content/assets/gone": "../nowhere"},
     "content/assets/gone:1:1: this is a link to ../nowhere, which does not exist — fix the link or remove it"),
    ({"content/types": "nowhere"}, "content/types:1:1: this is a link to nowhere, which does not exist — fix the link "
                                   "or remove it"),
    ({"content/program.yml": "nowhere.yml"},
     "content/program.yml:1:1: this is a link to nowhere.yml, which does not exist — fix the link or remove it"),
    ({"content/guides/x.md": "y.md", "content/guides/y.md": "x.md"},
     "content/guides/x.md:1:1: this is a link that leads round in a circle — fix the link or remove it"),
    ({"content/assets/loop": "loop"},
     "content/assets/loop:1:1: this is a link that leads round in a circle — fix the link or remove it"),
])
def test_dangling_links_and_circles(project, run, links, message):
    for name, target in links.items():
        (project / name).unlink(missing_ok=True)
        link(project / name, target)
    result = run("build")
    assert result.code == 1
    assert result.errors == [message]
    assert not (project / "_site").exists()


def test_folders_linked_to_each_other_are_walked_once(project, run):
    """Ten folders each linking to all the others: each is walked once through a link, not
    along every one of the 10! paths between them."""
    for i in range(10):
        write_files(project, {f"content/assets/d{i}/f.txt": f"{i}\n"})
    for i in range(10):
        for j in range(10):
            if i != j:
                link(project / f"content/assets/d{i}/l{j}", f"../d{j}")
    start = time.perf_counter()
    result = run("build")
    assert result.code == 0, result.err
    assert time.perf_counter() - start < 30
    assets = {f for f in built(project) if f.startswith("assets/")}
    assert {f"assets/d{i}/f.txt" for i in range(10)} <= assets
    assert len(assets) == 10 + 10  # and each folder once more through the first link that reaches it


def test_hidden_files_are_no_sources(project, run):
    """Editors' lock files (emacs: '.#name', a broken link) and other hidden files are not read."""
    link(project / "content/types/.#peer.yml", "user@host.1234")
    link(project / "content/guides/.#a.md", "user@host.1234")
    write_files(project, {"content/types/.draft.yml": "name: [broken\n", "content/guides/.draft.md": "---\n[\n"})
    result = run("build")
    assert result.code == 0, result.err


def test_a_languages_folder_linked_out_of_the_project(project, run, tmp_path):
    write_files(project, {"site.yml": SITE + "languages: [en, es]\n"})
    link(project / "content/es", tmp_path / "outside")
    result = run("build")
    assert result.code == 1
    assert result.errors == ["content/es:1:1: " + OUT_FOLDER.format(target=tmp_path / "outside")]


def test_a_translation_through_a_linked_folder(project, run, tmp_path):
    write_files(project, {"site.yml": SITE + "languages: [en, es]\n"})
    link(project / "content/es/guides", tmp_path / "outside/guides")
    write_files(tmp_path / "outside", {"guides/a.md": "---\ntitle: A (es)\n---\nHola.\n"})
    result = run("build")
    assert result.code == 1
    assert result.errors == ["content/es/guides:1:1: " + OUT_FOLDER.format(target=tmp_path / "outside/guides")]


def test_nothing_hidden_in_a_themes_static_folder_is_published(project, run):
    write_files(project, {"site.yml": SITE + "theme: mine\n", "themes/mine/static/extra.css": "p{}\n",
                          "themes/mine/static/.git/config": "secret\n", "themes/mine/static/.env": "KEY=1\n",
                          "themes/mine/static/fonts/.DS_Store": "x"})
    result = run("build")
    assert result.code == 0, result.err
    static = {f for f in built(project) if f.startswith("static/")}
    assert "static/extra.css" in static
    assert not [f for f in static if "/." in f]


def test_an_asset_whose_name_is_not_utf8(project, run):
    """An asset's name is its web address: bytes that are not UTF-8 cannot be one."""
    (project / "content/assets").mkdir(parents=True)
    with open(bytes(project / "content/assets") + b"/logo\xff.svg", "wb") as f:
        f.write(b"<svg/>")
    result = run("build")
    assert result.code == 1
    assert result.errors == ["content/assets/logo\\udcff.svg:1:1: this file's name is not UTF-8 text — rename it: the "
                             "name of a file in assets/ is its web address"]


@pytest.mark.parametrize(("name", "target", "message"), [
    ("content/program.yml", "{tmp}/outside/dir", OUT_FOLDER.format(target="{tmp}/outside/dir")),
    ("content/program.yml", "guides", "this is a folder, not a file — make program.yml a file, or give the folder "
                                      "another name"),
    ("content/index.md", "guides", "this is a folder, not a file — make index.md a file, or give the folder another "
                                   "name"),
    ("content/types/peer.yml", "{tmp}/outside/dir", OUT_FOLDER.format(target="{tmp}/outside/dir")),
])
def test_a_source_file_that_is_a_folder_or_a_link_to_one(project, run, tmp_path, name, target, message):
    (tmp_path / "outside/dir").mkdir()
    (project / name).unlink(missing_ok=True)
    link(project / name, target.format(tmp=tmp_path))
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"{name}:1:1: " + message.format(tmp=tmp_path)]
