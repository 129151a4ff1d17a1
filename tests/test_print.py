"""The print edition: print/ (one page, ids unique, links inside it), per-role packs, and
handbook.pdf read back with pypdf: bookmarks, page numbers in the contents, paper size."""

from __future__ import annotations

import re
from collections import Counter

import pypdf
import pytest
from bs4 import BeautifulSoup

PROGRAM = """\
name: Test Program
tagline: Grow together.
roles:
  - {id: mentor, title: Mentor}
  - {id: mentee, title: Mentee}
  - {id: coordinator, title: Coordinator}
phases:
  - {id: start, name: Start, start: week 0, end: week 10}
  - {id: closure, name: Closure, start: week 10, end: week 12}
"""
FILES = {
    "site.yml": "title: Test Handbook\nurl: https://example.org/handbook/\npaper: {paper}\ncohort:\n  start: 2027-01-11\n  name: Spring 2027\n",
    "content/program.yml": PROGRAM,
    "content/guides/a-everyone.md": """\
        ---
        title: For everyone
        weight: 1
        ---
        ## Part one

        Read [the mentor tips](b-mentors.md#tips), [part one](#part-one) and [the plan](../worksheets/plan.yml).

        ![A picture](../assets/dot.svg)
        """,
    "content/guides/b-mentors.md": "---\ntitle: Mentor tips\nweight: 2\naudience: [mentor]\n---\n## Tips\n\nListen.\n\n## Part one\n\nSame heading as the first guide.\n",
    "content/guides/c-mentees.md": "---\ntitle: Mentee tips\nweight: 3\naudience: [mentee]\n---\n## Tips\n\nAsk.\n",
    "content/types/peer.yml": "name: Peer mentoring\nsummary: Two peers.\nworksheets: [plan]\n",
    "content/milestones/speaking.yml": "title: Speaking\ngoal: Talk.\nmilestones:\n  - {title: First talk, due: week 4}\n",
    "content/worksheets/plan.yml": "title: Plan\npurpose: Plan it.\nsections:\n  - title: A\n    fields:\n      - {id: a, kind: line, label: A}\n",
    "content/worksheets/log.yml": "title: Log\npurpose: Log it.\naudience: [mentee]\nsections:\n  - title: A\n    fields:\n      - {id: a, kind: line, label: A}\n",
    "content/assets/dot.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle cx="5" cy="5" r="4"/></svg>\n',
}


@pytest.fixture
def book(make_site, run):
    """The example site, built with the paper size given (letter by default)."""

    def make(paper: str = "letter"):
        root = make_site({**FILES, "site.yml": FILES["site.yml"].replace("{paper}", paper)}, minimal=False)
        result = run("build")
        assert result.code == 0, result.err
        return root

    return make


def _soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def _parts(soup):
    return [a["id"] for a in soup.select("article.book-part")]


def test_print_page_holds_every_part_in_order_with_unique_ids_and_inner_links(book):
    root = book()
    soup = _soup(root / "_site/print/index.html")
    assert _parts(soup) == [
        "program", "guides-a-everyone", "guides-b-mentors", "guides-c-mentees", "types-peer", "milestones-speaking",
        "worksheets-log", "worksheets-plan",
    ]
    ids = Counter(tag["id"] for tag in soup.find_all(id=True))
    assert [i for i, n in ids.items() if n > 1] == []
    # the same heading in two guides, made unique by the part's prefix
    assert soup.find(id="guides-a-everyone--part-one") and soup.find(id="guides-b-mentors--part-one")
    guide = soup.find(id="guides-a-everyone")
    links = [a["href"] for a in guide.select(".prose a")]
    assert links == ["#guides-b-mentors--tips", "#guides-a-everyone--part-one", "#worksheets-plan"]
    # every in-page link of the book has its target on the page
    for a in soup.select(".book a[href^='#']"):
        assert soup.find(id=a["href"][1:]), a["href"]
    cover = soup.select_one(".book-cover")
    assert cover.select_one("h1").get_text() == "Test Program"
    assert "Grow together." in cover.get_text()
    assert "Cohort Spring 2027" in cover.get_text() and "Jan 11, 2027 to Apr 4, 2027" in cover.get_text()
    contents = [a["href"] for a in soup.select(".book-contents a")]
    assert contents[:3] == ["#book-program", "#program", "#book-guides"]
    assert soup.select_one("a[href='/handbook/handbook.pdf']") is not None
    assert soup.title.get_text() == "Print edition · Test Handbook"


def test_role_packs_hold_only_their_audience(book):
    root = book()
    mentee = _soup(root / "_site/print/mentee/index.html")
    assert _parts(mentee) == ["program", "guides-a-everyone", "guides-c-mentees", "types-peer", "milestones-speaking",
                              "worksheets-log", "worksheets-plan"]
    mentor = _soup(root / "_site/print/mentor/index.html")
    assert _parts(mentor) == ["program", "guides-a-everyone", "guides-b-mentors", "types-peer", "milestones-speaking",
                              "worksheets-plan"]
    coordinator = _soup(root / "_site/print/coordinator/index.html")
    assert [p for p in _parts(coordinator) if p.startswith(("guides", "worksheets"))] == ["guides-a-everyone", "worksheets-plan"]
    # a link to a guide that is not in the pack goes to the site
    assert mentee.select_one("#guides-a-everyone .prose a")["href"] == "/handbook/guides/b-mentors/#tips"
    assert mentee.title.get_text() == "Mentee pack · Test Handbook"
    home = _soup(root / "_site/index.html")
    hrefs = {a["href"] for a in home.select(".home-downloads a")}
    assert {"/handbook/print/", "/handbook/handbook.pdf", "/handbook/print/mentor/", "/handbook/handbook-mentor.pdf",
            "/handbook/print/mentee/", "/handbook/handbook-mentee.pdf", "/handbook/print/coordinator/",
            "/handbook/handbook-coordinator.pdf", "/handbook/schedule.ics"} <= hrefs


def _outline(reader):
    """(level, title, page number from 1) of every bookmark, in order."""
    out = []

    def walk(items, level):
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                out.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return out


def test_handbook_pdf_bookmarks_contents_and_paper(book):
    root = book()
    reader = pypdf.PdfReader(root / "_site/handbook.pdf")
    outline = _outline(reader)
    top = [title for level, title, _ in outline if level == 1]
    assert top == ["Contents", "The program", "Guides", "Mentoring types", "Milestones", "Worksheets"]
    parts = [(title, page) for level, title, page in outline if level == 2]
    titles = [t for t, _ in parts]
    assert titles == ["Test Program", "For everyone", "Mentor tips", "Mentee tips", "Peer mentoring", "Speaking", "Log", "Plan"]
    # the guides' headings are bookmarks too, under their guide
    under = [t for level, t, _ in outline[outline.index(next(o for o in outline if o[1] == "For everyone")):] if level == 3]
    assert under[:3] == ["Part one", "Tips", "Part one"]
    # each part starts on a new page
    pages = [p for _, p in parts]
    assert pages == sorted(pages) and len(set(pages)) == len(pages)
    # the contents give the page where each part starts
    contents_text = reader.pages[1].extract_text()
    for title, page in parts:
        m = re.search(re.escape(title) + r"[ .]*?(\d+)\s*$", contents_text, re.M)
        assert m, (title, contents_text)
        assert int(m.group(1)) == page, title
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)
    # the running header names the part
    page_of_plan = dict(parts)["Plan"]
    assert "Plan" in reader.pages[page_of_plan - 1].extract_text().splitlines()[0:3][-1] + reader.pages[page_of_plan - 1].extract_text()
    meta = reader.metadata
    assert meta.title == "Test Program"


def test_role_pdf_has_only_the_roles_guides_and_a4_paper(book):
    root = book("a4")
    reader = pypdf.PdfReader(root / "_site/handbook-mentee.pdf")
    titles = [title for level, title, _ in _outline(reader) if level == 2]
    assert titles == ["Test Program", "For everyone", "Mentee tips", "Peer mentoring", "Speaking", "Log", "Plan"]
    box = reader.pages[0].mediabox
    assert (round(float(box.width) * 25.4 / 72), round(float(box.height) * 25.4 / 72)) == (210, 297)
    assert not reader.get_fields()  # the handbook is for reading and printing: no form fields


def test_warm_build_makes_no_handbook_pdf(book, run):
    root = book()
    pdf = root / "_site/handbook.pdf"
    before = pdf.stat()
    again = run("build")
    assert "Handbook PDFs: 0 made, 4 unchanged" in again.out
    assert pdf.stat().st_mtime_ns == before.st_mtime_ns
    (root / "content/guides/c-mentees.md").write_text("---\ntitle: Mentee tips\nweight: 3\naudience: [mentee]\n---\n## Tips\n\nAsk more.\n")
    changed = run("build")
    # the whole book and the mentee pack hold that guide; the mentor's and coordinator's do not
    assert "Handbook PDFs: 2 made, 2 unchanged" in changed.out


def test_check_knows_the_print_pages_and_pdfs(book, run):
    book()
    result = run("check")
    assert result.code == 0, result.err
    assert "warning" not in result.err
