"""The search index: text from the pages' <main>, folded terms, deterministic files, search: false."""

import json

import pytest
from bs4 import BeautifulSoup

from mentorsite.htmlread import HtmlPage
from mentorsite.steps.search import fold, terms
from tests.test_build import FULL


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_terms_are_folded_words():
    assert fold("Reunión ÉXITO") == "reunion exito"
    assert terms("Mentor's first-message, 3 talks; a B") == ["mentor", "first", "message", "3", "talks"]


def test_page_text_reads_main_split_at_headings_and_skips_navigation():
    html = """<html><body><header>Header words</header><main>
      <nav class="breadcrumbs">Home › Guides</nav>
      <h1>Finding a mentor</h1><p>Intro <em>text</em>.</p>
      <h2 id="research">Do your research</h2><p>Read what is public.</p>
      <span class="visually-hidden">hidden helper</span>
      <ul data-search-ignore><li>For mentees</li></ul>
      <select><option>Option words</option></select>
      <script>var code = 1;</script>
      <nav class="pager">Previous Next</nav></main><footer>Footer</footer></body></html>"""
    text = HtmlPage(html).text()
    assert text.title == "Finding a mentor"
    assert text.headings == ["Do your research"]
    assert text.parts == [["", "", "Intro text."], ["research", "Do your research", "Read what is public."]]


def test_index_lists_every_page_with_its_section_and_text(make_site, run):
    root = make_site(FULL)
    assert run("build").code == 0
    out = root / "_site"
    index = json.loads((out / "search/index.json").read_text(encoding="utf-8"))
    docs = {url: (title, section) for url, title, section in index["docs"]}
    assert docs["guides/start/first/"] == ("First steps", "Guides › Getting started")
    assert docs["types/peer/"] == ("Peer mentoring", "Mentoring types")
    assert docs["worksheets/goals/"] == ("Goals", "Worksheets")
    assert docs["milestones/speaking/"] == ("Public speaking", "Milestones")
    assert "search/" not in docs and "404.html" not in docs
    postings = index["terms"]["kind"]  # "Be kind." in the second guide
    n = [u for u, _t, _s in index["docs"]].index("guides/start/second/")
    assert postings[0::2] == [n]
    chunk = json.loads((out / "search/text/0.json").read_text(encoding="utf-8"))
    anchor, heading, text = chunk[n][0]
    assert (anchor, heading) == ("details", "Details") and text.startswith("Remember Be kind.")
    # the title counts more than the body
    first = [u for u, _t, _s in index["docs"]].index("guides/start/first/")
    weights = dict(zip(index["terms"]["first"][0::2], index["terms"]["first"][1::2]))
    assert weights[first] >= 100  # in the title


def test_index_is_byte_identical_across_builds(make_site, run, tmp_path):
    root = make_site(FULL)
    assert run("build").code == 0
    first = {p.relative_to(root / "_site"): p.read_bytes() for p in (root / "_site/search").rglob("*") if p.is_file()}
    assert run("build", "--output", str(tmp_path / "again")).code == 0
    again = {p.relative_to(tmp_path / "again"): p.read_bytes() for p in (tmp_path / "again/search").rglob("*") if p.is_file()}
    assert first == again and len(first) >= 3


def test_search_box_links_to_the_search_page_under_the_base_path(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\nurl: https://org.github.io/hb/\n"})
    assert run("build").code == 0
    page = soup(root / "_site/guides/start/first/index.html")
    assert page.select_one("a.search-link")["href"] == "/hb/search/"
    form = page.select_one("form.search-box")
    assert form["action"] == "/hb/search/" and form["data-index"] == "/hb/search/"
    assert page.select_one("form.search-box label[for=search-q]").get_text(strip=True) == "Search"
    search_page = soup(root / "_site/search/index.html")
    assert search_page.select_one("h1").get_text() == "Search"
    assert search_page.select_one("#search-results") is not None


@pytest.mark.parametrize("setting", ["false", "no"])
def test_search_false_removes_the_box_the_page_and_the_index(make_site, run, setting):
    if setting == "no":  # 'no' is text in YAML 1.2: an error, not a silent 'off'
        make_site({**FULL, "site.yml": "title: T\nsearch: no\n"})
        result = run("build")
        assert result.code == 1
        assert result.errors == ["site.yml:2:9: 'search' must be true or false, not 'no'"]
        return
    root = make_site({**FULL, "site.yml": "title: T\nsearch: false\n"})
    assert run("build").code == 0
    out = root / "_site"
    assert not (out / "search").exists()
    page = soup(out / "index.html")
    assert page.select_one(".search-box, .search-link") is None
    assert "search/" not in (out / "sitemap.xml").read_text()


def _stemmed(words, language):
    from mentorsite.steps.search import STEMMERS, _stem

    algorithm = STEMMERS.get(language.split("-")[0])
    return [(w, _stem(algorithm, w)) for w in words] if algorithm else [(w, w) for w in words]


def test_stem_groups_in_the_languages_the_theme_speaks():
    from mentorsite.steps.search import stem_groups

    words = ["mentor", "mentoring", "mentors", "listened", "listening", "room", "2027"]
    stems, endings = stem_groups(_stemmed(words, "en"), "en")
    assert stems == {"listen": ["listened", "listening"], "mentor": ["mentor", "mentoring", "mentors"]}
    assert endings == ["ed", "ing", "s"]
    stems, endings = stem_groups(_stemmed(["mentora", "mentoras", "mentoria", "reunion", "reuniones"], "es"), "es")
    assert stems["mentor"] == ["mentora", "mentoras"] and stems["reunion"] == ["reunion", "reuniones"]
    assert "es" in endings
    assert stem_groups(_stemmed(["mentor", "mentoring"], "fr"), "fr") == ({}, [])  # no stemmer for a language the theme does not speak
    assert stem_groups(_stemmed(["mentoring"], "en-GB"), "en-GB")[0] == {"mentor": ["mentoring"]}


def test_the_index_has_the_stems_of_its_terms(make_site, run):
    root = make_site({"content/guides/a.md": "---\ntitle: Growing\n---\n\nMentoring and listening; we listened.\n"})
    assert run("build").code == 0
    index = json.loads((root / "_site/search/index.json").read_text())
    assert index["v"] == 2
    assert index["stems"]["listen"] == ["listened", "listening"]
    assert all(t in index["terms"] for group in index["stems"].values() for t in group)
    assert {"ed", "ing"} <= set(index["suffixes"])
