"""axe-core in Chromium on every page type of the example handbook, light and dark: zero WCAG 2.1
A/AA violations. Keyboard: a skip link first, visible focus, reduced motion respected.

axe-core comes from npm (package.json at the repository root; `npm ci` installs it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.conftest import REPO, missing

AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# and axe's best practices: unique landmarks, heading order, table headers with text, ...
TAGS = WCAG + ["best-practice"]

# One page of each type: add a row when a new page type appears (schedule, print, ...).
PAGE_TYPES = {
    "home": "",
    "guide": "guides/getting-started/finding-a-mentor/",
    "guide with a worksheet": "guides/working-together/personalising-the-approach/",
    "folder": "guides/getting-started/",
    "guides index": "guides/",
    "type": "types/peer/",
    "types index": "types/",
    "milestone template": "milestones/public-speaking/",
    "milestones index": "milestones/",
    "worksheet": "worksheets/mentoring-agreement/",
    "worksheet with a table": "worksheets/milestone-tracker/",
    "worksheets index": "worksheets/",
    "search results": "search/?q=feedback",
    "schedule": "schedule/",
    "print edition": "print/",
    "print edition for a role": "print/mentor/",
    "404": "no/such/page/",
}


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE.is_file():
        missing(f"{AXE.relative_to(REPO)} not found (run npm ci)")
    return AXE.read_text(encoding="utf-8")


def run_axe(page, axe_source: str) -> list[dict]:
    """The WCAG 2.1 A/AA violations and the best practices axe finds broken in the page."""
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", TAGS)
    return result["violations"]


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary'].splitlines()[-1].strip()}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("kind", list(PAGE_TYPES))
def test_no_axe_violations(browser, served: str, axe_source: str, kind: str, scheme: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served + PAGE_TYPES[kind])
        if kind == "search results":
            page.wait_for_selector(".search-result")
        violations = run_axe(page, axe_source)
        assert not violations, f"{kind} ({scheme}):\n{describe(violations)}"
    finally:
        context.close()


def test_no_axe_violations_with_the_search_panel_open(browser, served: str, axe_source: str):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = context.new_page()
        page.goto(served)
        page.fill("#search-q", "mentor")
        page.wait_for_selector(".search-panel:not([hidden]) .search-result-link")
        violations = run_axe(page, axe_source)
        assert not violations, describe(violations)
    finally:
        context.close()


def test_keyboard_skip_link_comes_first_and_focus_is_visible(open_page, served: str):
    page = open_page(served + PAGE_TYPES["guide"])
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").bounding_box()["y"] >= 0, "the skip link stays off screen when focused"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # every later stop has a visible focus indicator
    for _ in range(12):
        page.keyboard.press("Tab")
        style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
            return [document.activeElement.tagName, s.outlineStyle, s.outlineWidth, s.boxShadow]; }""")
        assert style[1] != "none" and style[2] != "0px" or style[3] != "none", f"no visible focus on {style[0]}"


def test_keyboard_order_follows_the_page(open_page, served: str):
    page = open_page(served + PAGE_TYPES["guide"])
    order = []
    for _ in range(40):
        page.keyboard.press("Tab")
        order.append(page.evaluate("""() => { const e = document.activeElement;
            return e.closest('header') ? 'header' : e.closest('.sidebar') ? 'sidebar' : e.closest('main') ? 'main'
                 : e.closest('.toc') ? 'toc' : e.closest('footer') ? 'footer' : e.tagName; }"""))
    regions = [r for i, r in enumerate(order) if i == 0 or order[i - 1] != r]
    # the skip link, then the header (brand, search, toggle, menu), the section's pages, the page
    assert regions[:4] == ["A", "header", "sidebar", "main"], regions


def test_reduced_motion_is_respected(browser, served: str):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(served)
        assert page.evaluate("getComputedStyle(document.documentElement).scrollBehavior") == "auto"
        duration = page.evaluate("getComputedStyle(document.querySelector('.search-result-link') || document.body).transitionDuration")
        assert duration in ("0s", "1e-05s")
    finally:
        context.close()


def test_every_page_type_is_listed(example_site: Path):
    kinds = {"guide", "folder", "type", "milestone", "worksheet", "index", "home", "search", "404", "schedule", "print"}
    listed = " ".join(PAGE_TYPES)
    for kind in kinds - {"index"}:
        assert kind.replace("milestone", "milestone template") in listed or kind in listed, kind
