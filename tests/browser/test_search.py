"""Offline search in Chromium: type, submit, read the results; keyboard; no request leaves the site;
it works under the example's /mentoring/ base path and at the root of a domain."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import is_local

# A query a reader would type, and the page that must come first (or within the first few).
QUERIES = [
    ("feedback sandwich", "worksheets/feedback-sandwich/", 1),
    ("reverse mentoring", "types/reverse/", 1),
    ("speak with confidence", "milestones/public-speaking/", 1),
    ("public speaking", "milestones/public-speaking/", 3),  # the words of its URL count too
    ("first message", "worksheets/first-message/", 3),
    ("learning styles", "guides/working-together/personalising-the-approach/", 3),
    ("no-fault exit", "", 3),  # the policy on the home page
    ("mentors", "guides/getting-started/finding-a-mentor/", 10),  # a plural finds the singular too
]


def results(page) -> list[str]:
    """The result links' paths under the base, in order."""
    base = urlsplit(page.url).path.split("search/")[0]
    return [urlsplit(a.get_attribute("href")).path[len(base):] for a in page.locator(".search-results .search-result-link").all()]


@pytest.mark.parametrize("query, expected, within", QUERIES, ids=[q for q, _e, _w in QUERIES])
def test_search_finds_the_expected_page(open_page, served: str, query: str, expected: str, within: int):
    page = open_page(served + "guides/")
    page.fill("#search-q", query)
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    page.wait_for_selector(".search-result")
    found = results(page)
    assert expected in found[:within], f"{query!r}: {expected!r} not in the first {within} of {found[:10]}"
    status = page.locator(".search-status").inner_text()
    assert query in status and "result" in status
    # every result shows its title, where it is, and an excerpt with the words marked
    first = page.locator(".search-result").first
    assert first.locator(".search-result-title").inner_text()
    assert first.locator(".search-result-section").count() == 1 or expected == ""
    assert page.locator(".search-result-excerpt mark").count() >= 1
    assert not [u for u in page.requests if not is_local(u)], "a request left the site"
    assert not page.errors


def test_results_as_you_type_and_keyboard_navigation(open_page, served: str):
    page = open_page(served)
    page.keyboard.press("/")  # focuses the search box
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.type("agreement")
    page.wait_for_selector(".search-panel:not([hidden]) .search-result-link")
    assert "result" in page.locator(".search-panel-status").inner_text()
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.href")
    page.keyboard.press("ArrowDown")
    second = page.evaluate("document.activeElement.href")
    assert first != second and "search-result-link" in page.evaluate("document.activeElement.className")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.href") == first
    page.keyboard.press("Enter")
    page.wait_for_url(first)


def test_escape_closes_the_panel(open_page, served: str):
    page = open_page(served)
    page.fill("#search-q", "trust")
    page.wait_for_selector(".search-panel:not([hidden])")
    page.keyboard.press("Escape")
    assert page.locator(".search-panel").is_hidden()


def _search_page(page, served: str, query: str) -> list[str]:
    from urllib.parse import quote

    page.goto(served + "search/?q=" + quote(query))
    page.wait_for_function("q => document.querySelector('.search-status').textContent.includes(q)", arg=query)
    return results(page)


def test_a_mistyped_word_finds_the_words_it_is_one_edit_from(open_page, served: str):
    """A word that no page has is taken for the words one edit away (two for long words): a
    letter dropped, added, changed, or two swapped; the excerpt marks the word found."""
    page = open_page(served + "search/")
    assert "guides/getting-started/finding-a-mentor/" in _search_page(page, served, "mentro")[:3]  # swapped
    assert page.locator(".search-result-excerpt mark").first.inner_text().lower().startswith("mentor")
    assert "No page has “mentro”: showing “mentor”." in page.locator(".search-status").inner_text()
    assert _search_page(page, served, "sandwhich")[:1] == ["worksheets/feedback-sandwich/"]  # a letter added
    assert _search_page(page, served, "confidentialty")  # long: two edits allowed
    assert _search_page(page, served, "zqxv") == []  # short and far from everything: nothing
    assert not page.errors


def test_a_quoted_phrase_must_stand_as_written(open_page, served: str):
    """Words in quotes match only where they stand together, in that order (each still matching
    the words it starts); unquoted, the same words match anywhere on a page."""
    page = open_page(served + "search/")
    loose = _search_page(page, served, "feedback sandwich")
    exact = _search_page(page, served, '"feedback sandwich"')
    assert exact[:1] == ["worksheets/feedback-sandwich/"] and set(exact) <= set(loose)
    assert _search_page(page, served, '"sandwich feedback"') == []
    assert "No results" in page.locator(".search-status").inner_text()
    assert _search_page(page, served, '"active listen"')  # a phrase's last word as typed so far
    assert not page.errors


def test_no_results_says_so(open_page, served: str):
    page = open_page(served + "search/?q=xylophone")
    page.wait_for_function("document.querySelector('.search-status').textContent.includes('xylophone')")
    assert "No results" in page.locator(".search-status").inner_text()
    assert page.locator(".search-result").count() == 0


def test_without_javascript_the_header_links_to_the_search_page(browser, served: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + "types/")
        link = page.locator("a.search-link")
        assert link.is_visible()
        assert page.locator("form.search-box").is_hidden()
        link.click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path.endswith("/mentoring/search/")
        assert "JavaScript" in page.locator("main").inner_text()
    finally:
        context.close()


@pytest.fixture
def root_site(make_site, run):
    """A small site without a url (so at the root of the domain), served on 127.0.0.1."""
    from tests.test_build import FULL

    root = make_site(FULL)
    assert run("build").code == 0
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "_site"))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def test_search_works_at_the_root_of_a_domain(open_page, root_site: str):
    page = open_page(root_site + "guides/start/first/")
    page.fill("#search-q", "kind")
    page.keyboard.press("Enter")
    page.wait_for_selector(".search-result")
    assert results(page)[0] == "guides/start/second/"
    assert urlsplit(page.locator(".search-result-link").first.get_attribute("href")).path == "/guides/start/second/"
    # (a fetch of the index started on focus may be cut short by the page change: not a failure)
    assert not [f for f in page.failed if "ERR_ABORTED" not in f]


STEMS_SITE = {
    "site.yml": "title: Circles\n",
    "content/program.yml": "name: Circles\nroles:\n  - {id: coach, title: Coach}\n  - {id: learner, title: Learner}\n",
    "content/guides/together.md": "---\ntitle: Growing together\n---\n\nMentoring is a conversation between equals. "
                                  "We listened, and we learned.\n",
    "content/guides/rooms.md": "---\ntitle: Rooms and times\n---\n\nBook a quiet room for an hour.\n",
}


@pytest.fixture
def stems_site(make_site, run):
    """A site whose only word of the family of 'mentor' is 'mentoring', served at the root."""
    import json

    root = make_site(STEMS_SITE, minimal=False)
    assert run("build").code == 0
    index = json.loads((root / "_site/search/index.json").read_text())
    assert "mentored" not in index["terms"] and "mentor" not in index["terms"]
    assert index["stems"]["mentor"] == ["mentoring"] and "ed" in index["suffixes"]
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(root / "_site"))
    handler.log_message = lambda *a: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("query, marked", [("mentored", "Mentoring"), ("mentor", "Mentoring"),
                                           ("listening", "listened"), ("learning", "learned")])
def test_a_word_finds_the_words_of_its_stem(open_page, stems_site: str, query: str, marked: str):
    page = open_page(stems_site + "search/?q=" + query)
    page.wait_for_selector(".search-result")
    assert results(page) == ["guides/together/"]
    assert page.locator(".search-result-excerpt mark").all_inner_texts() == [marked]
    assert not page.errors
