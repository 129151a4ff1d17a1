"""Any primary_color gives readable pages: for a dozen colours (light, dark, saturated, greys,
yellows), a small handbook is built in that colour and axe-core checks the contrast of one page of
each type, in the light and the dark scheme, and of the header's hovered menu item (the current
one is on every index page). palette.pairs() checks the same colours' every state by computation
(tests/test_i18n.py); this checks that the theme draws with them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mentorsite.commands.cli import main
from tests.browser.conftest import serve
from tests.browser.test_accessibility import axe_source, describe  # noqa: F401 - axe_source is a fixture
from tests.conftest import write_files
from tests.test_build import FULL

COLOURS = ["#2e7d32", "#a5d6a7", "#7cc4ff", "#0d1b2a", "#000000", "#ff0000",
           "#0000ff", "#00ff00", "#777777", "#f0f0f0", "#ffd600", "#ffeb3b"]
PAGES = {
    "home": "", "guide": "guides/start/first/", "guide with a note": "guides/start/second/", "folder": "guides/start/",
    "guides index": "guides/", "type": "types/peer/", "types index": "types/", "milestone template": "milestones/speaking/",
    "milestones index": "milestones/", "worksheet": "worksheets/goals/", "worksheets index": "worksheets/",
    "search results": "search/?q=steps", "schedule": "schedule/", "print edition": "print/", "404": "no/such/page/",
}
RULES = ["color-contrast", "link-in-text-block"]


def build(folder: Path, colour: str) -> Path:
    """A small handbook (tests/test_build.py's FULL) in one colour, under /mentoring/."""
    write_files(folder, {
        **FULL,
        "site.yml": f"""\
            title: Colours
            url: https://example.github.io/mentoring/
            cohort: {{start: 2027-01-11}}
            handbook_pdfs: false
            theme_options: {{primary_color: '{colour}'}}
            """,
        "content/program.yml": """\
            name: Colours
            roles: [{id: mentor, title: Mentor}, {id: mentee, title: Mentee}]
            phases:
              - {id: start, name: Start, start: week 0, end: week 2}
              - {id: closure, name: Closure, start: week 10, end: week 12}
            """,
    })
    code = main(["build", "--config", str(folder / "site.yml"), "--output", str(folder / "_site")])
    assert code == 0, f"the handbook in {colour} did not build"
    return folder / "_site"


def contrast_violations(page, axe_source: str, context: str = "document") -> list[dict]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(f"rules => axe.run({context}, {{runOnly: {{type: 'rule', values: rules}}, resultTypes: ['violations']}})", RULES)
    return result["violations"]


@pytest.mark.parametrize("colour", COLOURS)
def test_every_page_type_is_readable_in_any_colour(browser, axe_source: str, tmp_path: Path, colour: str):
    site = build(tmp_path / "handbook", colour)
    problems = []
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")
    try:
        with serve(site) as root:
            page = context.new_page()
            for kind, path in PAGES.items():
                page.goto(root + path)
                if kind == "search results":
                    page.wait_for_selector(".search-result")
                # each page in both schemes: the dark one as the header's toggle sets it
                for scheme in ("light", "dark"):
                    page.evaluate("scheme => document.documentElement.setAttribute('data-theme', scheme)", scheme)
                    violations = contrast_violations(page, axe_source)
                    if violations:
                        problems.append(f"{kind} ({scheme}):\n{describe(violations)}")
            # the states axe cannot see by itself: a hovered menu item, sidebar link and search button
            page.goto(root + PAGES["guide"])
            for scheme in ("light", "dark"):
                page.evaluate("scheme => document.documentElement.setAttribute('data-theme', scheme)", scheme)
                for selector in (".top-nav a:not([aria-current])", ".sidebar a:not([aria-current])", ".search-button"):
                    page.hover(selector)
                    violations = contrast_violations(page, axe_source, "{include: [['.site-header'], ['.sidebar']]}")
                    if violations:
                        problems.append(f"hovered {selector} ({scheme}):\n{describe(violations)}")
    finally:
        context.close()
    assert not problems, f"primary_color {colour}:\n" + "\n".join(problems)
