"""Incremental builds are honest: after each kind of change, reusing the cache gives the
same bytes as a clean full build, and a small change renders few pages."""

import re
import shutil
from pathlib import Path

import pytest

from mentorsite.build import build, output_dir
from mentorsite.commands.serve import LATER, PreviewSession
from mentorsite.sources.config import load_config
from mentorsite.sources.theme import theme_env
from mentorsite.state import BuildState
from tests.conftest import REPO

GUIDE = "content/guides/working-together/communication.md"


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def edit_guide_body(root):
    _edit(root / GUIDE, "\n## ", "\nA new sentence in the body.\n\n## ")


def edit_guide_title(root):
    text = (root / GUIDE).read_text(encoding="utf-8")
    (root / GUIDE).write_text(re.sub(r"(?m)^title: .*$", "title: Talking it through", text, count=1), encoding="utf-8")


def add_guide(root):
    (root / "content/guides/working-together/a-new-guide.md").write_text(
        "---\ntitle: A brand new guide\nweight: 0\n---\n\n## Hello\n\nSee [communication](communication.md).\n", encoding="utf-8")


def delete_guide(root):
    (root / "content/guides/growing/beyond-the-program.md").unlink()
    for md in (root / "content").rglob("*.md"):  # links to it must go too
        text = md.read_text(encoding="utf-8")
        new = re.sub(r"\[([^\]]*)\]\([^)]*beyond-the-program\.md[^)]*\)", r"\1", text)
        if new != text:
            md.write_text(new, encoding="utf-8")


def edit_type_yaml(root):
    _edit(root / "content/types/peer.yml", "name: ", "name: Side-by-side ")


def edit_worksheet_yaml(root):
    path = root / "content/worksheets/goals.yml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^title: .*$", "title: Goals and plans", text, count=1), encoding="utf-8")


def edit_program(root):
    _edit(root / "content/program.yml", "name: ", "name: The ")


def _use_theme(root) -> None:
    if "theme: mine" not in (root / "site.yml").read_text(encoding="utf-8"):
        _edit(root / "site.yml", "title:", "theme: mine\ntitle:")


def _own_template(root, name: str, text: str) -> None:
    """A template of the site's own theme, 'mine' (which site.yml then uses)."""
    target = root / "themes/mine/templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text)
    _use_theme(root)


def edit_template(root):
    _own_template(root, "guide.html",
                  "{% extends 'default/guide.html' %}\n{% block main %}<p>Local note</p>{{ super() }}{% endblock %}\n")


def edit_partial_template(root):
    _own_template(root, "partials/type-card.html", "<div class=\"type-card\">{{ item.name }}</div>\n")


def edit_config(root):
    _edit(root / "site.yml", "start: 2027-01-11", "start: 2027-02-01")


CHANGES = [edit_guide_body, edit_guide_title, add_guide, delete_guide, edit_type_yaml, edit_worksheet_yaml,
           edit_program, edit_template, edit_partial_template, edit_config]


class Preview:
    """Builds as `serve` makes them: one state kept in memory, the first step of a save leaving
    the print pages and the search index to the second (or not: all=True)."""

    def __init__(self, config):
        self.state = BuildState.for_preview(config.root, output_dir(config))

    def first(self, config):
        return build(config, session=PreviewSession(self.state, theme_env(config), LATER))

    def second(self, config):
        return build(config, session=PreviewSession(self.state, theme_env(config)))

    def both(self, config):
        self.first(config)
        return self.second(config)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path, monkeypatch):
    """The example handbook, copied. Its files count as settled at once (discover._SETTLED_NS),
    as a writer's files are but for the one just saved: the builds here then know unchanged
    guides by their stat, as builds from the command line do."""
    import mentorsite.sources.discover

    monkeypatch.setattr(mentorsite.sources.discover, "_SETTLED_NS", 0)
    root = tmp_path / "project"
    root.mkdir()
    shutil.copy(REPO / "site.yml", root)
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_incremental_build_equals_full_build(project, change):
    config = load_config(project / "site.yml")
    build(config)
    change(project)
    config = load_config(project / "site.yml")
    incremental = build(config)
    full_config = load_config(project / "site.yml", output=str(project / "_full"))
    full = build(full_config, cache=False)
    assert full.rendered == full.pages
    a, b = tree(project / "_site"), tree(project / "_full")
    assert sorted(a) == sorted(b)
    differing = [rel for rel in a if a[rel] != b[rel]]
    assert differing == []
    if change is edit_guide_body:
        # the guide, the few pages that list all guides, and the print editions that hold it
        printed = [p for p in (project / "_full/print").rglob("index.html")] if (project / "_full/print").is_dir() else []
        assert incremental.rendered <= 4 + len(printed)
    if change is edit_type_yaml:
        assert 1 < incremental.rendered < incremental.pages / 2


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_deferred_build_then_the_next_equal_a_full_build(project, change):
    """`serve` writes the pages first and the print pages and search index right after: the
    first step is exact for every page it does not defer, and the second completes the site."""
    config = load_config(project / "site.yml")
    preview = Preview(config)
    preview.both(config)
    change(project)
    config = load_config(project / "site.yml")
    first = preview.first(config)
    full_config = load_config(project / "site.yml", output=str(project / "_full"))
    build(full_config, cache=False)
    a, b = tree(project / "_site"), tree(project / "_full")
    assert sorted(a) == sorted(b)
    assert all(rel.startswith(("print/", "search/")) for rel in first.deferred), first.deferred
    assert [rel for rel in a if a[rel] != b[rel] and rel not in first.deferred] == []
    if change is edit_guide_body:
        assert "print/index.html" in first.deferred and "search/index.json" in first.deferred
        assert a["print/index.html"] != b["print/index.html"]  # left for the next build
    preview.second(config)
    a = tree(project / "_site")
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_unchanged_rebuild_renders_nothing(project):
    config = load_config(project / "site.yml")
    first = build(config)
    [state] = (project / ".mentorsite-cache").glob("state-*.pickle")
    saved = state.stat()
    again = build(config)
    assert first.rendered == first.pages
    assert again.rendered == 0 and again.written == 0
    assert (state.stat().st_ino, state.stat().st_mtime_ns) == (saved.st_ino, saved.st_mtime_ns)  # not written again
    guide = next((project / "content/guides").rglob("*.md"))
    guide.write_text(guide.read_text() + "\nOne more line.\n")
    assert build(config).rendered > 0
    assert state.stat().st_ino != saved.st_ino  # what changed is remembered


def test_a_build_that_changes_nothing_leaves_the_state_file_alone(project):
    config = load_config(project / "site.yml")
    build(config)
    state = next((project / ".mentorsite-cache").glob("state-*.pickle"))
    written = state.stat().st_mtime_ns
    assert build(config).rendered == 0
    assert state.stat().st_mtime_ns == written  # (nothing to remember: the file holds it all)
    delete_guide(project)  # its page, and its record, are gone: the state is written
    assert build(load_config(project / "site.yml")).rendered > 0
    assert state.stat().st_mtime_ns != written
    assert build(load_config(project / "site.yml")).rendered == 0


@pytest.mark.parametrize("damage", ["truncate", "garbage", "other-version"])
def test_a_damaged_state_is_not_trusted(project, damage):
    import pickle

    config = load_config(project / "site.yml")
    build(config)
    path = BuildState.open(config.root, project / "_site").path
    data = path.read_bytes()
    if damage == "truncate":
        path.write_bytes(data[: len(data) // 2])
    elif damage == "garbage":
        path.write_bytes(b"\x80\x04not a pickle at all")
    else:
        with open(path, "wb") as f:
            pickle.dump(("mentorsite-cache", 1, "0.0.0-old", (3, 11)), f)
            f.write(data)
    edit_guide_body(project)
    report = build(config)
    assert report.rendered == report.pages
    assert tree(project / "_site") == tree(project / "_site")  # readable and complete
    full = build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")
    assert full.pages == report.pages


def test_an_edited_output_file_is_rendered_again(project):
    config = load_config(project / "site.yml")
    build(config)
    page = project / "_site/types/peer/index.html"
    original = page.read_bytes()
    page.write_bytes(b"tampered")
    report = build(config)
    assert report.rendered == 1
    assert page.read_bytes() == original


def test_a_killed_builds_spool_is_removed(project):
    """Pages are spooled beside the output while they render; a build killed then leaves the
    folder, which the next build removes (as it does a half-made new tree)."""
    import subprocess

    dead = subprocess.Popen(["true"])
    dead.wait()  # a process id that no longer runs
    leftover = project / f"._site.spool-{dead.pid}"
    leftover.mkdir()
    (leftover / "0.html").write_text("half a page")
    build(load_config(project / "site.yml"))
    assert not leftover.exists()
    assert not list(project.glob("._site.*"))


def test_each_build_is_swapped_in_whole_and_the_previous_site_kept_for_the_next(project):
    """An atomic build swaps a new tree in for the site; the previous one is kept in the cache
    folder (hard links) and the next build brings that up to date with what changed."""
    config = load_config(project / "site.yml")
    build(config)
    first = tree(project / "_site")
    edit_guide_body(project)
    build(config)
    spare = BuildState.open(project, project / "_site").spare
    assert spare.parent.name == ".mentorsite-cache" and not list(project.glob("._site*"))
    assert tree(spare) == first  # the site before the last build
    page = "guides/working-together/communication/index.html"
    assert (spare / page).stat().st_ino != (project / "_site" / page).stat().st_ino
    unchanged = "worksheets/index.html"
    assert (spare / unchanged).stat().st_ino == (project / "_site" / unchanged).stat().st_ino  # shared, not copied
    second = tree(project / "_site")
    edit_type_yaml(project)
    build(config)
    assert tree(spare) == second
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")


def test_a_damaged_previous_site_is_not_trusted(project):
    """Whatever happened to the folder of the previous site (files gone, added, replaced, a
    file where a folder was), the next build gives the same site as a clean full build."""
    config = load_config(project / "site.yml")
    build(config)
    edit_guide_body(project)
    build(config)
    spare = BuildState.open(project, project / "_site").spare
    (spare / "worksheets/index.html").unlink()
    (spare / "search/index.json").unlink()
    (spare / "search/index.json").write_text("{}")  # another file of the same name
    (spare / "stray.html").write_text("not part of the site")
    shutil.rmtree(spare / "types")
    (spare / "types").write_text("a file where a folder was")
    (spare / "guides/working-together/communication/index.html").unlink()
    (spare / "guides/working-together/communication/index.html").mkdir()  # a folder where a file was
    for change in (edit_guide_title, add_guide):
        change(project)
        build(config)
        build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
        assert tree(project / "_site") == tree(project / "_full")
        assert tree(spare) != tree(project / "_site")  # the site before, again


@pytest.mark.parametrize("preview", [False, True], ids=["build", "preview"])
def test_the_print_pages_follow_edits_of_one_guide_then_of_another(project, preview):
    """A print page holds every guide: after a build in which it was made again for one guide's
    edit (the other guides' pages kept), an edit of another guide must reach it too. (Without
    handbook PDFs, as a preview builds: making them reads every page.)"""
    with open(project / "site.yml", "a", encoding="utf-8") as f:
        f.write("\nhandbook_pdfs: false\n")
    config = load_config(project / "site.yml")
    live = Preview(config) if preview else None

    def build_all():
        return live.both(config) if preview else build(config)

    build_all()
    _edit(project / GUIDE, "problems in disguise", "problems in costume")
    build_all()
    other = project / "content/guides/getting-started/starting-well.md"
    with open(other, "a", encoding="utf-8") as f:
        f.write("\nA sentence added at the end of another guide.\n")
    build_all()
    assert "A sentence added at the end of another guide." in (project / "_site/print/index.html").read_text(encoding="utf-8")
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")


def test_a_preview_makes_the_print_pages_from_a_page_changed_between_its_two_steps(project):
    """A preview writes a saved guide's page at once and the print pages in a second step, from
    the part the first step's reading made. When the page's file is changed by hand between the
    two steps, the second makes it again, and the print pages take its new part."""
    config = load_config(project / "site.yml")
    preview = Preview(config)
    preview.both(config)
    _edit(project / GUIDE, "problems in disguise", "problems in a mask")
    first = preview.first(config)
    assert "print/index.html" in first.deferred
    page = project / "_site/guides/working-together/communication/index.html"
    page.write_bytes(page.read_bytes().replace(b"problems in a mask", b"problems in a MASK"))
    late = preview.second(config)
    assert late.rendered == 1 + len(list((project / "_site/print").rglob("index.html")))
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")
    assert b"problems in a MASK" not in page.read_bytes()


def test_a_theme_that_lays_the_book_out_itself_has_its_print_pages_rendered(project):
    """A theme's own print-book.html may do more with a part than print it: its print pages are
    rendered through the templates every time, and stay the same as a full build's."""
    _own_template(project, "partials/print-book.html",
                  "{% for part in book.parts %}<section>{{ part.title }} ({{ part.html | length }} characters)"
                  "{{ part.html }}</section>{% endfor %}\n")
    config = load_config(project / "site.yml")
    build(config)
    edit_guide_body(project)
    build(config)
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")
    assert "characters)" in (project / "_site/print/index.html").read_text(encoding="utf-8")


def test_a_preview_checks_links_again_when_their_target_goes_and_comes_back(project):
    """A preview keeps where each guide's links lead between builds (by the guide's digest),
    never whether the target is there: that is checked at every build."""
    from mentorsite.errors import SiteErrors

    config = load_config(project / "site.yml")
    preview = Preview(config)
    preview.both(config)
    target = project / "content/guides/growing/measuring-success.md"
    moved = target.with_name("measuring-progress.md")
    target.rename(moved)
    with pytest.raises(SiteErrors) as caught:
        preview.first(config)
    assert any("communication.md:76:" in str(e) and "'../growing/measuring-success.md' does not exist" in str(e)
               for e in caught.value.errors), [str(e) for e in caught.value.errors]
    moved.rename(target)
    preview.both(config)
    # and an anchor that goes away is a warning again
    _edit(target, "## The feedback sandwich", "## The feedback burger")
    report = preview.second(config)
    assert any("#the-feedback-sandwich" in w.message for w in report.warnings), report.warnings


def test_pages_that_list_guides_are_rendered_again_only_when_what_they_can_show_changes(project):
    """A page that reads the guides through `site` (the home page's count, the guides index, a
    theme's own list) sees their front matter, headings, links and directives, never their
    bodies: a reworded sentence re-renders the guide's own page (and the print pages), a new
    heading also re-renders the pages that read the guides."""
    _own_template(project, "guides.html",
                  "{% extends 'default/guides.html' %}{% block main %}{{ super() }}<p id=\"sections\">"
                  "{% for g in site.guides %}{{ g.headings | length }} {% endfor %}</p>{% endblock %}\n")
    config = load_config(project / "site.yml")
    build(config)
    index = project / "_site/guides/index.html"
    before = index.stat().st_mtime_ns
    _edit(project / GUIDE, "are communication problems in disguise", "are communication problems in a costume")
    report = build(config)
    assert index.stat().st_mtime_ns == before
    printed = len(list((project / "_site/print").rglob("index.html")))
    assert report.rendered == 1 + printed, report  # the guide and the print pages
    _edit(project / GUIDE, "\n## Between meetings\n", "\n## A new section\n\nWords.\n\n## Between meetings\n")
    build(config)
    assert index.stat().st_mtime_ns != before
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")


@pytest.mark.parametrize("seed", [20271130])
def test_a_day_of_changes_in_a_preview_and_in_builds_equals_full_builds(project, seed):
    """Every kind of change, one after the other in a random order, with a guide's sentence
    reworded between them: after each, a preview's two steps (one cache kept in memory) and a
    build with the state on disk give the same files as a clean full build. The memories kept
    between builds (digests, parsed files, the pages' readings, the previous site) must carry
    no change into the next one wrongly."""
    import random

    order = list(CHANGES)
    random.Random(seed).shuffle(order)
    live = Preview(load_config(project / "site.yml"))
    live.both(load_config(project / "site.yml"))
    build(load_config(project / "site.yml", output=str(project / "_cli")))
    for step, change in enumerate(order):
        change(project)
        if step % 2:
            text = (project / GUIDE).read_text(encoding="utf-8")
            (project / GUIDE).write_text(re.sub(r"simple habits( \(step \d+\))?", f"simple habits (step {step})", text),
                                         encoding="utf-8")
        config = load_config(project / "site.yml")
        live.both(config)
        build(load_config(project / "site.yml", output=str(project / "_cli")))
        build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
        full = tree(project / "_full")
        for folder in ("_site", "_cli"):
            got = tree(project / folder)
            assert sorted(got) == sorted(full), (change.__name__, folder)
            assert [rel for rel in got if got[rel] != full[rel]] == [], (change.__name__, folder)
        shutil.rmtree(project / "_full")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_new_site_is_made_in_the_spool_its_pages_were_written_to(project, jobs):
    """When there is no previous site to bring up to date, pages are spooled at their own paths
    and the spool folder becomes the site (write's tree): the same bytes as a build over an
    existing site, no folder left beside the output, and a stray file of the old site gone."""
    config = load_config(project / "site.yml")
    build(config, cache=False, jobs=jobs)
    first = tree(project / "_site")
    assert not list(project.glob("._site.*"))
    (project / "_site/stray.html").write_text("from an older build")
    edit_guide_body(project)
    build(load_config(project / "site.yml"), cache=False, jobs=jobs)  # over a site, without a spare
    again = tree(project / "_site")
    assert "stray.html" not in again and sorted(again) == sorted(first)
    assert not list(project.glob("._site.*"))
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False, jobs=1)
    assert again == tree(project / "_full")


def test_write_makes_the_site_in_the_spool_tree_and_links_what_is_elsewhere(tmp_path):
    from mentorsite.write import Spooled, write

    spool = tmp_path / "._site.spool-1"
    (spool / "guides/a").mkdir(parents=True)
    (spool / "guides/a/index.html").write_text("in place")
    elsewhere = tmp_path / "other.html"
    elsewhere.write_text("spooled elsewhere")
    outputs = {"guides/a/index.html": Spooled(spool / "guides/a/index.html"), "b/index.html": Spooled(elsewhere),
               "search/index.json": b"{}"}
    report = write(outputs, tmp_path / "_site", tree=spool)
    assert tree(tmp_path / "_site") == {"b/index.html": b"spooled elsewhere", "guides/a/index.html": b"in place",
                                        "search/index.json": b"{}"}
    assert report.written == 3 and not spool.exists()


def _reads(monkeypatch) -> list[str]:
    """The source files discover reads from now on (their paths)."""
    import mentorsite.sources.discover

    seen, real = [], mentorsite.sources.discover._read
    monkeypatch.setattr(mentorsite.sources.discover, "_read", lambda path, *a, **k: seen.append(str(path)) or real(path, *a, **k))
    return seen


def test_unchanged_guides_are_known_by_their_stat_and_not_read(project, monkeypatch):
    config = load_config(project / "site.yml")
    build(config)
    edit_guide_body(project)
    build(config)
    reads = _reads(monkeypatch)
    _edit(project / GUIDE, " the ", " thy ")  # (within a line: no other page shows what changed)
    build(config)
    assert [Path(p).relative_to(project).as_posix() for p in reads if p.endswith(".md")] == [GUIDE]
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")


def test_a_guide_changed_with_its_size_and_time_kept_is_read_again(project):
    import os

    config = load_config(project / "site.yml")
    build(config)
    path = project / GUIDE
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert " the " in text
    path.write_text(text.replace(" the ", " thy ", 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # (its ctime changes all the same)
    assert path.stat().st_size == before.st_size and path.stat().st_mtime_ns == before.st_mtime_ns
    report = build(config)
    assert report.rendered >= 1
    build(load_config(project / "site.yml", output=str(project / "_full")), cache=False)
    assert tree(project / "_site") == tree(project / "_full")


def test_a_guide_saved_just_before_a_build_is_read_again_by_the_next(project, monkeypatch):
    """A file changed within the file system's time step of being read could change again with
    the same stat: discover trusts a stat only for a file that had settled when it was read."""
    import mentorsite.sources.discover

    monkeypatch.setattr(mentorsite.sources.discover, "_SETTLED_NS", 3_000_000_000)
    config = load_config(project / "site.yml")
    build(config)
    edit_guide_body(project)
    build(config)
    reads = _reads(monkeypatch)
    build(config)
    assert str(project / GUIDE) in reads
