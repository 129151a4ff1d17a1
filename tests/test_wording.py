"""What a reader reads: every sentence comes from the handbook's own files or is the theme's
neutral wording. Roles are named in the plural the handbook gives them (or in wording that needs
none), a type's two sides by the names it gives them, each part of the handbook by the program's
own summary; and a second handbook, unlike the example, shows none of the example's words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pypdf import PdfReader

from tests.conftest import REPO

PROGRAM = """\
name: Circles
roles:
  - id: maintainer
    title: Maintainer (group mentor)
  - id: buddy
    title: Review buddy
    plural: review buddies
phases:
  - {id: start, name: Start, start: week 0, end: week 4}
"""
WORKSHEET = """\
title: Review log
purpose: Log reviews.
audience: [maintainer, buddy]
sections:
  - title: Reviews
    fields:
      - {id: pr, kind: line, label: Pull request}
"""
ONLY_BUDDIES = WORKSHEET.replace("audience: [maintainer, buddy]", "audience: [buddy]").replace("Review log", "Buddy log")
GUIDE = "---\ntitle: Reviewing\naudience: [maintainer, buddy]\n---\n\n## Read first\n\nText.\n"


def text(path: Path) -> str:
    """The words of a page as a reader sees them (tags and spacing removed)."""
    return " ".join(BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser").get_text(" ").split())


def pdf_text(path: Path) -> str:
    """The words of a PDF, as pypdf reads them."""
    return " ".join(" ".join(page.extract_text() or "" for page in PdfReader(path).pages).split())


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def circles(make_site, run):
    """A small handbook whose roles are a title with brackets (no plural) and one with an irregular plural."""

    def build(language: str = "en") -> Path:
        root = make_site({
            "site.yml": f"title: Circles\nlanguage: {language}\n",
            "content/program.yml": PROGRAM,
            "content/worksheets/review-log.yml": WORKSHEET,
            "content/worksheets/buddy-log.yml": ONLY_BUDDIES,
            "content/guides/reviewing.md": GUIDE,
        })
        result = run("build")
        assert result.code == 0, result.err
        return root / "_site"

    return build


def test_roles_are_named_by_their_plural_or_in_words_that_need_none(circles):
    out = circles()
    guide = soup(out / "guides/reviewing/index.html")
    assert [li.get_text() for li in guide.select(".tag-audience")] == ["For: Maintainer (group mentor)", "For review buddies"]
    assert soup(out / "worksheets/buddy-log/index.html").select_one(".eyebrow").get_text() == "Worksheet · for review buddies"
    # one role without a plural: the titles, listed
    assert soup(out / "worksheets/review-log/index.html").select_one(".eyebrow").get_text() == (
        "Worksheet · for: Maintainer (group mentor), Review buddy")
    downloads = [li.select_one("strong").get_text() for li in soup(out / "index.html").select(".download-list li")]
    assert downloads == ["The whole handbook", "Maintainer (group mentor) pack", "For review buddies", "Schedule"]
    assert soup(out / "print/buddy/index.html").select_one(".book-kicker").get_text() == "Handbook for review buddies"
    assert soup(out / "print/maintainer/index.html").select_one(".book-kicker").get_text() == "Handbook · Maintainer (group mentor)"
    assert "handbook for review buddies" in pdf_text(out / "handbook-buddy.pdf").lower()  # (in capitals there)
    assert "worksheet · for review buddies" in pdf_text(out / "worksheets/buddy-log.pdf").lower()
    for page in [*out.rglob("*.html"), *out.rglob("*.pdf")]:
        words = text(page) if page.suffix == ".html" else pdf_text(page)
        assert not re.search(r"\)s\b|buddys|buddy s\b", words, re.IGNORECASE), page


def test_spanish_roles_too(circles):
    out = circles("es")
    guide = soup(out / "guides/reviewing/index.html")
    assert [li.get_text() for li in guide.select(".tag-audience")] == ["Para: Maintainer (group mentor)", "Para review buddies"]
    assert soup(out / "worksheets/buddy-log/index.html").select_one(".eyebrow").get_text() == "Ficha de trabajo · para review buddies"
    assert soup(out / "print/maintainer/index.html").select_one(".book-kicker").get_text() == "Manual · Maintainer (group mentor)"
    assert soup(out / "print/maintainer/index.html").title.get_text() == "Paquete: Maintainer (group mentor) · Circles"


TYPES = {
    "content/types/pairs.yml": "name: Review pairs\nsummary: Two newcomers.\nratio: peer\nmentor_title: The reviewer\n"
                               "mentee_title: The author\nmentor_does: [Reads the diff]\nmentee_does: [Explains the change]\n",
    "content/types/study.yml": "name: Study pairs\nsummary: Two peers.\nratio: peer\nmentor_does: [Shares]\nmentee_does: [Asks]\n",
    "content/types/circle.yml": "name: Circle\nsummary: A group.\nratio: '1:many'\nmentor_does: [Leads]\nmentee_does: [Brings a question]\n",
    "content/types/classic.yml": "name: Classic\nsummary: One to one.\nmentor_does: [Listens]\nmentee_does: [Leads]\n",
}


@pytest.mark.parametrize("type_id, sides, eyebrow", [
    ("pairs", ["The reviewer", "The author"], "Peers"),
    ("study", ["When leading", "When learning"], "Peers"),
    ("circle", ["The mentor", "Each mentee"], "In a group"),
    ("classic", ["The mentor", "The mentee"], "One to one"),
])
def test_a_type_names_its_sides_or_gets_words_that_fit_its_ratio(make_site, run, type_id, sides, eyebrow):
    root = make_site(TYPES)
    assert run("build").code == 0
    page = soup(root / "_site" / "types" / type_id / "index.html")
    assert [page.select_one(f"#{side}").get_text() for side in ("mentor-does", "mentee-does")] == sides
    assert page.select_one(".eyebrow").get_text() == eyebrow


def test_the_program_says_what_each_part_of_the_handbook_is(make_site, run):
    root = make_site({
        "content/program.yml": PROGRAM + "summaries:\n  guides: From a first clone to a first merge.\n"
                                         "  worksheets: Logs to keep next to your pull requests.\n",
        "content/worksheets/review-log.yml": WORKSHEET,
        "content/guides/reviewing.md": GUIDE,
    })
    assert run("build").code == 0
    out = root / "_site"
    cards = [card.get_text() for card in soup(out / "index.html").select(".quick-links .card-text")]
    assert cards == ["From a first clone to a first merge.", "Logs to keep next to your pull requests."]
    assert soup(out / "guides/index.html").select_one(".lede").get_text() == "From a first clone to a first merge."
    assert soup(out / "worksheets/index.html").select_one(".lede").get_text() == "Logs to keep next to your pull requests."


def test_without_summaries_the_theme_counts_in_neutral_words(make_site, run):
    root = make_site({"content/program.yml": PROGRAM, "content/worksheets/review-log.yml": WORKSHEET, "content/guides/reviewing.md": GUIDE})
    assert run("build").code == 0
    out = root / "_site"
    cards = [card.get_text() for card in soup(out / "index.html").select(".quick-links .card-text")]
    assert cards == ["One guide to read on screen or print.", "One worksheet to fill in on screen or print."]
    assert soup(out / "guides/index.html").select_one(".lede").get_text() == "Every guide in the handbook, in reading order."


# -- the second handbook ------------------------------------------------------------------


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def example_phrases() -> set[str]:
    """The example handbook's own words: every phrase of five words or more of its content/, and
    its names (the organisation, the program, the site, the people to contact)."""
    content = REPO / "content"
    texts = []
    for path in sorted(content.rglob("*")):
        if path.suffix in (".yml", ".yaml"):
            texts += _strings(yaml.safe_load(path.read_text(encoding="utf-8")))
        elif path.suffix == ".md":
            body = path.read_text(encoding="utf-8").split("---", 2)
            texts += _strings(yaml.safe_load(body[1])) + [body[2]] if len(body) == 3 else [body[0]]
    phrases = set()
    for t in texts:
        t = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", t)  # a link's text
        t = re.sub(r"[*_`>#|]|:::\w*|::[\w-]+ [\w-]+|\[\^\w+\]|^\s*(?:[-+] (?:\[[ x]\] )?|\d+\. )", " ", t, flags=re.MULTILINE)
        for phrase in re.split(r"[.!?;:()\n—–\"“”]|, | - ", t):
            words = phrase.split()
            if len(words) >= 5:
                phrases.add(" ".join(words).lower())
    program = yaml.safe_load((content / "program.yml").read_text(encoding="utf-8"))
    site = yaml.safe_load((REPO / "site.yml").read_text(encoding="utf-8"))
    names = {"northwind", program["name"].lower(), site["title"].lower()}
    names |= {c["name"].lower() for c in program["contacts"]}
    return phrases | names


def test_the_example_phrases_are_found_where_they_are():
    """The collector finds the example's words in the example's own pages (or the test below proves nothing)."""
    phrases = example_phrases()
    assert len(phrases) > 300
    assert "from finding a mentor to closing well" in phrases  # (the home page's card said so in every handbook)
    assert "priya raman" in phrases and "northwind" in phrases


def test_a_second_handbook_shows_none_of_the_example_words(second_site: Path):
    phrases = example_phrases()
    files = sorted([*second_site.rglob("*.html"), *second_site.rglob("*.pdf")])
    assert len([f for f in files if f.suffix == ".pdf"]) >= 8  # the worksheets, the handbook and its role packs
    found = []
    for path in files:
        words = (text(path) if path.suffix == ".html" else pdf_text(path)).lower()
        found += [f"{path.relative_to(second_site)}: {p!r}" for p in phrases if p in words]
        if path.suffix == ".pdf":  # an unanswered list prints blank, to fill in by pen
            assert "not chosen" not in words, path
        assert not re.search(r"\)s\b|buddys", words), path  # no "maintainer (group mentor)s"
    assert not found, "the example's words in another handbook:\n" + "\n".join(found)


@pytest.mark.parametrize("program, cohort, eyebrow", [
    ("duration: ten weeks\n", "cohort: {start: 2027-01-11, name: Autumn}\n", "Ten weeks · Autumn · starts Jan 11, 2027"),
    ("", "cohort: {start: 2027-01-11}\n", "starts Jan 11, 2027"),
    ("duration: GSoC summer\n", "", "GSoC summer"),
    ("", "", None),
])
def test_the_home_pages_eyebrow_has_no_stray_separator(make_site, run, program, cohort, eyebrow):
    root = make_site({"site.yml": "title: T\n" + cohort, "content/program.yml": PROGRAM + program})
    assert run("build").code == 0
    found = soup(root / "_site" / "index.html").select_one(".hero .eyebrow")
    assert (found.get_text() if found else None) == eyebrow


def test_a_themes_own_words_from_before_plurals_still_work(make_site, run):
    """A site's theme that changed these words when they read 'For {role_lower}s' still builds."""
    root = make_site({
        "site.yml": "title: Circles\ntheme: ours\n",
        "content/program.yml": PROGRAM,
        "content/worksheets/review-log.yml": WORKSHEET,
        "content/guides/reviewing.md": GUIDE,
        "themes/ours/i18n/en.yml": 'guide.for_role: "Pour les {role_lower}s"\nhome.role_pack: "Pour les {role_lower}s"\n'
                                   'print.role_kicker: "Manuel des {role_lower}s"\n',
    })
    result = run("build")
    assert result.code == 0, result.err
    tags = [li.get_text() for li in soup(root / "_site/guides/reviewing/index.html").select(".tag-audience")]
    assert tags == ["Pour les maintainer (group mentor)s", "For review buddies"]
