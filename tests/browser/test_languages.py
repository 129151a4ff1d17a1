"""The example handbook in English and Spanish (site.multilingual.yml) in Chromium: the root picks
the reader's language, Spanish pages speak Spanish, the switcher leads to the same page."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from tests.browser.conftest import REPO, _PagesHandler, missing


@pytest.fixture(scope="module")
def multilingual(tmp_path_factory) -> str:
    """The multilingual example built and served under /mentoring/; yields the base URL."""
    from mentorsite.commands.cli import main

    out = tmp_path_factory.mktemp("multilingual") / "_site"
    assert main(["build", "--config", str(REPO / "site.multilingual.yml"), "--output", str(out)]) == 0
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_PagesHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mentoring/"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("locale, lang", [("es-ES", "es"), ("en-GB", "en"), ("fr-FR", "en")])
def test_the_root_opens_the_readers_language(browser, multilingual: str, locale: str, lang: str):
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        page.goto(multilingual)
        page.wait_for_url(f"{multilingual}{lang}/")
        assert page.evaluate("document.documentElement.lang") == lang
    finally:
        context.close()


def test_spanish_pages_and_the_switcher(open_page, multilingual: str):
    page = open_page(multilingual + "es/guides/getting-started/finding-a-mentor/")
    assert page.locator("h1").inner_text() == "Encontrar a tu mentor"
    assert page.locator(".toc-title").inner_text().lower() == "en esta página"
    assert page.locator(".pager-label").first.inner_text().lower() in ("anterior", "siguiente")
    assert page.locator("#search-q").get_attribute("placeholder") == "Buscar en el manual"
    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(multilingual + "en/guides/getting-started/finding-a-mentor/")
    assert page.locator("h1").inner_text() == "Finding a mentor"
    # the choice is remembered for the root page
    page.goto(multilingual)
    page.wait_for_url(multilingual + "en/")


def test_spanish_search_finds_spanish_pages(open_page, multilingual: str):
    page = open_page(multilingual + "es/")
    page.fill("#search-q", "reunion")  # without the accent
    page.keyboard.press("Enter")
    page.wait_for_selector(".search-result")
    assert "resultado" in page.locator(".search-status").inner_text()
    assert page.locator(".search-result-excerpt mark").first.inner_text().lower().startswith("reuni")


@pytest.mark.parametrize("path", ["", "es/", "es/guides/getting-started/what-is-mentorship/", "es/worksheets/goals/"])
def test_no_axe_violations_in_spanish(browser, multilingual: str, path: str):
    from tests.browser.test_accessibility import AXE, describe, run_axe

    if not AXE.is_file():
        missing("axe-core not installed (npm ci)")
    context = browser.new_context(locale="es-ES")
    try:
        page = context.new_page()
        page.goto(multilingual + path)
        if not path:
            page.wait_for_url(multilingual + "es/")
        violations = run_axe(page, AXE.read_text(encoding="utf-8"))
        assert not violations, describe(violations)
    finally:
        context.close()
