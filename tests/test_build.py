"""Building small sites end to end: pages, URLs, navigation, dates, themes, safety."""

import os

from bs4 import BeautifulSoup

TYPE = "name: Peer mentoring\nsummary: Two colleagues learn together.\nmilestones: [speaking]\nworksheets: [goals]\n"
TEMPLATE = """\
title: Public speaking
goal: Give three talks.
types: [peer]
milestones:
  - title: First talk
    due: week 4
    owner: mentee
  - title: A webinar
    due: month 2
  - title: Wrap up
    due: phase:closure
"""
WS = """\
title: Goals
purpose: Set goals.
audience: [mentee]
sections:
  - title: Goals
    fields:
      - id: goal
        kind: text
        label: Your goal
      - id: tracker
        kind: table
        label: Tracker
        columns: [Title, Due, {label: Status, kind: choice, options: [To do, Done]}]
        rows: from milestones/speaking
"""
GUIDES = {
    "content/guides/start/index.md": "---\ntitle: Getting started\nweight: 1\n---\nIntro to the folder.\n",
    "content/guides/start/first.md": "---\ntitle: First steps\nweight: 1\n---\n\n## Before you begin\n\nSee [the second](second.md#details) and [peer](../../types/peer.yml).\n\n::type peer\n\n::milestones speaking\n",
    "content/guides/start/second.md": "---\ntitle: Second steps\nweight: 2\n---\n\n## Details\n\n:::tip Remember\nBe kind.\n:::\n\n::worksheet-card goals\n",
    "content/guides/later/index.md": "---\ntitle: Later on\nweight: 2\n---\n",
    "content/guides/later/third.md": "---\ntitle: Third steps\n---\n\nBack to [first](../start/first.md).\n",
}
FULL = {"content/types/peer.yml": TYPE, "content/milestones/speaking.yml": TEMPLATE, "content/worksheets/goals.yml": WS, **GUIDES}


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_pages_and_pretty_urls(make_site, run):
    root = make_site(FULL)
    result = run("build")
    assert result.code == 0, result.err
    out = root / "_site"
    for page in [
        "index.html", "404.html", "guides/index.html", "guides/start/index.html", "guides/start/first/index.html",
        "guides/later/third/index.html", "types/index.html", "types/peer/index.html", "milestones/index.html",
        "milestones/speaking/index.html", "worksheets/index.html", "worksheets/goals/index.html",
    ]:
        assert (out / page).is_file(), page
    assert (out / ".nojekyll").exists()
    assert not (out / "CNAME").exists()
    assert (out / "static/site.css").is_file()
    assert "Built 19 pages" in result.out  # with the search, schedule and print pages (the book, a pack per role)


def test_links_between_guides_become_urls(make_site, run):
    root = make_site(FULL)
    run("build")
    page = soup(root / "_site/guides/start/first/index.html")
    hrefs = [a["href"] for a in page.select("main .prose a")]
    assert "/guides/start/second/#details" in hrefs
    assert "/types/peer/" in hrefs
    third = soup(root / "_site/guides/later/third/index.html")
    assert [a["href"] for a in third.select("main .prose a")] == ["/guides/start/first/"]


def test_navigation(make_site, run):
    root = make_site(FULL)
    run("build")
    page = soup(root / "_site/guides/start/second/index.html")
    assert [a.get_text() for a in page.select(".breadcrumbs a")] == ["Home", "Guides", "Getting started"]
    assert page.select_one(".pager-prev")["href"] == "/guides/start/first/"
    assert page.select_one(".pager-next")["href"] == "/guides/later/"
    # the sidebar lists every folder, and only the current folder's guides
    assert [a.get_text() for a in page.select(".sidebar a")] == ["Getting started", "First steps", "Second steps", "Later on"]
    assert page.select_one(".sidebar a[aria-current=page]").get_text() == "Second steps"
    assert [a.get_text() for a in page.select(".top-nav a")] == ["Guides", "Mentoring types", "Milestones", "Worksheets", "Schedule"]
    assert page.select_one(".top-nav a[aria-current]").get_text() == "Guides"
    first = soup(root / "_site/guides/start/first/index.html")
    assert [a["href"] for a in first.select(".toc a")] == [] or first.select(".toc a")[0]["href"] == "#before-you-begin"


def test_directives_embed_data(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\ncohort:\n  start: 2027-01-11\n"})
    run("build")
    first = soup(root / "_site/guides/start/first/index.html")
    card = first.select_one(".type-card")
    assert card.select_one(".card-title a")["href"] == "/types/peer/"
    rows = first.select(".milestone-table tbody tr")
    assert [r.select_one("th").get_text(strip=True) for r in rows] == ["First talk", "A webinar", "Wrap up"]
    assert [r.select_one("time")["datetime"] for r in rows] == ["2027-02-08", "2027-03-11", "2027-03-22"]
    second = soup(root / "_site/guides/start/second/index.html")
    assert second.select_one(".admonition-tip .admonition-title").get_text() == "Remember"
    assert second.select_one(".worksheet-card a")["href"] == "/worksheets/goals/"


def test_relative_due_dates_without_a_cohort_start(make_site, run):
    root = make_site(FULL)
    run("build")
    page = soup(root / "_site/milestones/speaking/index.html")
    assert [d.get_text() for d in page.select(".milestone-due")] == ["Week 4", "Month 2", "Start of phase 'closure'"]


def test_worksheet_page_lists_fields_and_prefills_rows(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\ncohort:\n  start: 2027-01-11\n"})
    run("build")
    page = soup(root / "_site/worksheets/goals/index.html")
    assert page.select_one("label[for=f-goals-goal]").get_text() == "Your goal"
    assert page.select_one("textarea#f-goals-goal") is not None
    cells = page.select(".ws-table tbody tr")[0].select("input, select, textarea")
    # a due date in a text column is written as the site writes dates (a date column holds YYYY-MM-DD)
    assert [c.get("value") or c.get_text() for c in cells[:2]] == ["First talk", "Feb 8, 2027"]
    assert [o.get_text() for o in cells[2].select("option")] == ["", "To do", "Done"]
    assert len(page.select(".ws-table tbody tr")) == 3


def test_base_path_from_url_and_cname(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\nurl: https://org.github.io/handbook/\ncname: mentoring.example.org\n"})
    run("build")
    out = root / "_site"
    page = soup(out / "guides/start/first/index.html")
    links = [a["href"] for a in page.select("a[href]") if not a["href"].startswith(("#", "http", "mailto:"))]
    assert links and all(h.startswith("/handbook/") for h in links)
    assert page.select_one("link[rel=stylesheet]")["href"] == "/handbook/static/site.css"
    assert (out / "CNAME").read_text() == "mentoring.example.org\n"
    sitemap = (out / "sitemap.xml").read_text()
    assert "<loc>https://org.github.io/handbook/guides/start/first/</loc>" in sitemap


def test_builds_are_deterministic(make_site, run, tmp_path):
    root = make_site(FULL)
    run("build", "--output", str(tmp_path / "a"))
    run("build", "--output", str(tmp_path / "b"))
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*") if p.is_file())
    assert files_a == files_b and len(files_a) > 10
    for rel in files_a:
        assert (tmp_path / "a" / rel).read_bytes() == (tmp_path / "b" / rel).read_bytes(), rel


def test_a_failed_build_keeps_the_previous_site(make_site, run):
    root = make_site(FULL)
    assert run("build").code == 0
    out = root / "_site"
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (root / "content/types/peer.yml").write_text(TYPE + "cadense: x\n")
    assert run("build").code == 1
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in root.iterdir() if p.name.startswith(".")] == [".mentorsite-cache"]  # no temporary folders left


def test_the_command_line_gives_the_garbage_collector_back_as_it_was(make_site, run):
    """build turns the collector off while it loads, then freezes what it loaded (cli._keep_loaded):
    a caller in the same process gets it back on, with nothing frozen, after a build or a failure."""
    import gc

    root = make_site(FULL)
    assert run("build").code == 0
    assert gc.isenabled() and gc.get_freeze_count() == 0
    (root / "content/types/peer.yml").write_text(TYPE + "cadense: x\n")
    assert run("build").code == 1
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_unchanged_files_keep_their_inode(make_site, run):
    root = make_site(FULL)
    run("build")
    css = root / "_site/static/site.css"
    page = root / "_site/guides/later/third/index.html"
    inode_css, inode_page = css.stat().st_ino, page.stat().st_ino
    (root / "content/guides/later/third.md").write_text("---\ntitle: Third steps\n---\n\nChanged.\n")
    result = run("build")
    assert "files changed" in result.out
    assert css.stat().st_ino == inode_css
    assert page.stat().st_ino != inode_page


def test_check_writes_nothing(make_site, run):
    root = make_site(FULL)
    result = run("check")
    assert result.code == 0
    assert result.out.strip() == "Checked 19 pages: no errors"  # with the search, schedule and print pages
    assert not (root / "_site").exists()


def test_missing_anchor_is_a_warning_and_strict_fails(make_site, run):
    root = make_site({**FULL, "content/guides/later/third.md": "---\ntitle: Third\n---\n\n[x](../start/first.md#nope)\n"})
    result = run("build")
    assert result.code == 0
    assert "content/guides/later/third.md:5:5: warning: link anchor '#nope' not found in '../start/first.md' — expected one of: before-you-begin" in result.err
    result = run("build", "--strict")
    assert result.code == 1
    assert result.errors == [
        "content/guides/later/third.md:5:5: link anchor '#nope' not found in '../start/first.md' — expected one of: before-you-begin (warning, an error with --strict)"
    ]


def test_theme_overrides_and_extends_a_template(make_site, run):
    root = make_site({
        **FULL,
        "site.yml": "title: T\ntheme: mine\n",
        "themes/mine/templates/guide.html": "{% extends 'default/guide.html' %}\n{% block main %}<p class=\"mine\">Mine</p>{{ super() }}{% endblock %}\n",
        "themes/mine/static/extra.css": "body{}",
    })
    assert run("build").code == 0
    page = soup(root / "_site/guides/start/first/index.html")
    assert page.select_one("main p.mine").get_text() == "Mine"
    assert page.select_one("main h1").get_text() == "First steps"
    assert (root / "_site/static/extra.css").is_file()
    assert (root / "_site/static/site.css").is_file()


def test_assets_are_copied_and_linked(make_site, run):
    root = make_site({
        "content/assets/pic one.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/guides/a.md": "---\ntitle: A\n---\n\n![Pic](../assets/pic%20one.svg)\n",
    })
    assert run("build").code == 0
    page = soup(root / "_site/guides/a/index.html")
    assert page.select_one("main img")["src"] == "/assets/pic%20one.svg"
    assert (root / "_site/assets/pic one.svg").is_file()


def test_home_page_shows_the_program(make_site, run):
    root = make_site({"content/index.md": "---\ntitle: Welcome\n---\nHello **all**.\n"})
    assert run("build").code == 0
    page = soup(root / "_site/index.html")
    assert page.select_one("h1").get_text() == "Test Program"
    assert page.select_one(".home-intro strong").get_text() == "all"
    assert [h.get_text() for h in page.select(".phase-name")] == ["Start", "Closure"]
    assert page.select_one("html")["lang"] == "en"


def test_template_runtime_error_names_the_template_line(make_site, run):
    make_site({
        **FULL, "site.yml": "title: T\ntheme: mine\n",
        "themes/mine/templates/type.html": "{% extends 'default/type.html' %}\n{% block main %}\n{{ item.nonexistent }}\n{% endblock %}\n",
    })
    result = run("build")
    assert result.code == 1
    assert result.errors == ["themes/mine/templates/type.html:3:9: template error: 'mentorsite.site.model.MentoringType object' has "
                             "no attribute 'nonexistent' — check the spelling (docs/reference.md lists the keys of each file's objects)"]


def test_output_option_and_python_m(make_site, tmp_path):
    import subprocess
    import sys

    root = make_site(FULL)
    proc = subprocess.run([sys.executable, "-m", "mentorsite", "build", "--output", "public"], cwd=root,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": os.getcwd() + os.pathsep + str(__import__("pathlib").Path(__file__).parent.parent)})
    assert proc.returncode == 0, proc.stderr
    assert (root / "public/index.html").is_file()


def test_a_big_folder_keeps_pages_small(make_site, run):
    """The sidebar shows a window of a big folder's guides and a link to the folder page, so a
    page's size does not grow with its folder."""
    files = {f"content/guides/big/g{i:03d}.md": f"---\ntitle: Guide {i:03d}\nweight: {i}\n---\nText.\n" for i in range(60)}
    root = make_site({**files, "content/guides/big/index.md": "---\ntitle: Big folder\n---\n"})
    assert run("build").code == 0
    page = soup(root / "_site/guides/big/g030/index.html")
    links = [a.get_text() for a in page.select(".sidebar li li a")]
    assert links[0] == "Guide 010" and links[-2] == "Guide 050" and len(links) == 42
    assert links[-1] == "All 60 guides in this folder"
    first = soup(root / "_site/guides/big/g000/index.html")
    assert [a.get_text() for a in first.select(".sidebar li li a")][:2] == ["Guide 000", "Guide 001"]


def test_handbook_pdfs_can_be_left_out(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\nhandbook_pdfs: false\n"})
    assert run("build").code == 0
    out = root / "_site"
    assert (out / "print/index.html").is_file()
    assert list(out.glob("handbook*.pdf")) == []
    home = soup(out / "index.html")
    assert not [a for a in home.select("a[href]") if a["href"].endswith(".pdf") and "handbook" in a["href"]]
    assert run("check").code == 0


def test_caches_of_other_output_folders_go_after_a_month_unused(make_site, run):
    """The cache folder keeps, per output folder, a build state, a lock and the previous site.
    Those of another output (an old --output, a project that was moved) go once unused for a
    month; this output's stay whatever their age, as do the shared templates. An older
    mentorsite's cache files go at once."""
    import os
    import time

    from mentorsite.state import BuildState

    root = make_site({"content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nHello.\n"})
    assert run("build").code == 0
    cache = root / ".mentorsite-cache"
    mine = sorted(p.name for p in cache.iterdir())
    gone = ["state-old_place__site.pickle", "lock-old_place__site", "site-old_place__site", ".state-x.pickle.12345"]
    older = ["build-recent__site.pickle", "parts-build-recent__site.pickle", "search-build-recent__site-summary.pickle"]
    kept = ["state-recent__site.pickle", "site-recent__site", ".state-y.pickle.23456"]
    month = time.time() - 31 * 24 * 3600
    for name in gone + older + kept:
        path = cache / name
        if name.startswith("site-"):
            path.mkdir()
            (path / "index.html").write_text("old")
        else:
            path.write_bytes(b"old")
    for name in gone:
        os.utime(cache / name, (month, month))
    for name in mine:
        os.utime(cache / name, (month, month))  # this output's own: kept however old
    (root / "content/guides/alpha.md").write_text("---\ntitle: Alpha\n---\n\nHello again.\n")
    assert run("build").code == 0
    left = {p.name for p in cache.iterdir()}
    assert not left & set(gone + older)
    assert set(kept) <= left and set(mine) <= left and "templates" in left
    assert BuildState.open(root, root / "_site").records  # still this output's state


def test_pages_written_in_a_file_link_to_where_it_can_be_edited(make_site, run):
    """site.yml's edit_url, with {path} for a page's file in the project, gives each page written
    in a file an 'Edit this page' link; pages made by mentorsite (indexes, the schedule, the
    print edition) have none, and the link is not in the search text."""
    import json
    import re

    make_site({
        "site.yml": "title: T\nedit_url: https://github.com/org/handbook/edit/main/{path}\n",
        "content/index.md": "---\ntitle: Welcome\n---\n\nHello.\n",
        "content/guides/start/first steps.md": "---\ntitle: First steps\n---\n\nBegin.\n",
        "content/types/peer.yml": "name: Peer mentoring\nsummary: Two colleagues learn together.\n",
    })
    assert run("build").code == 0

    def edit_link(path):
        found = re.findall(r'<a class="edit-link" href="([^"]+)">Edit this page</a>',
                           open(f"_site/{path}", encoding="utf-8").read())
        return found[0] if found else None

    base = "https://github.com/org/handbook/edit/main/content/"
    assert edit_link("guides/start/first-steps/index.html") == base + "guides/start/first%20steps.md"
    assert edit_link("types/peer/index.html") == base + "types/peer.yml"
    assert edit_link("index.html") == base + "index.md"
    for made in ("guides/index.html", "types/index.html", "search/index.html", "schedule/index.html"):
        assert edit_link(made) is None, made
    # (the print edition's parts keep their pages' links, hidden on paper as the pager is)
    assert ".book .page-meta" in open("_site/static/book.css").read() and ".page-meta" in open("_site/static/print.css").read()
    external = run("check", "--external")
    assert external.code == 0 and "External links (listed, not fetched): 0" in external.out  # (not content's)
    texts = "".join(open(p, encoding="utf-8").read() for p in __import__("glob").glob("_site/search/text/*.json"))
    assert "Edit this page" not in texts and json.loads(open("_site/search/index.json").read())["docs"]


def test_a_top_index_md_is_the_guides_pages_text(make_site, run):
    """content/guides/index.md does for the Guides page what a folder's index.md does for its
    folder: its title, summary and text head the page; it is not a stray first section."""
    root = make_site({
        **FULL,
        "content/guides/index.md": "---\ntitle: Guides for our cohort\nsummary: Read them in order.\n---\n\n"
                                   "Start with [the first one](start/first.md).\n",
        "content/guides/top.md": "---\ntitle: A top guide\n---\nSee [all guides](index.md).\n",
    })
    result = run("build")
    assert result.code == 0, result.err
    page = soup(root / "_site/guides/index.html")
    assert page.select_one("main h1").get_text() == "Guides for our cohort"
    assert page.title.get_text() == "Guides for our cohort · Test Handbook"
    assert page.select_one("main .lede").get_text() == "Read them in order."
    assert page.select_one("main .prose a")["href"] == "/guides/start/first/"
    sections = [h.get_text(strip=True) for h in page.select("main .guide-group h2")]
    assert sections == ["Guides", "Getting started", "Later on"]  # the top-level guides, then the folders
    first = page.select_one("main .guide-group")
    assert [a.get_text() for a in first.select("li > a")] == ["A top guide"]
    assert "Read them in order." not in first.get_text()
    assert soup(root / "_site/guides/top/index.html").select_one("main .prose a")["href"] == "/guides/"
