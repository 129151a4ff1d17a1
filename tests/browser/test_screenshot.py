"""The example handbook in Chromium: the home page and a guide render styled, at desktop and phone
widths, with nothing loaded from outside the site. Set MENTORSITE_SHOTS=1 to keep the screenshots
in /tmp/mentorsite-shots/."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
DESKTOP, PHONE = 1280, 375
MIN_PNG_BYTES = 20_000

TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "blob", "about") or parts.hostname == "127.0.0.1"


def _yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _assert_png(path: Path) -> None:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    assert len(data) > MIN_PNG_BYTES, f"{path.name} is only {len(data)} bytes: a blank or unstyled page?"


def _assert_stayed_local(page) -> None:
    outside = sorted({url for url in page.requests if not is_local(url)})
    assert not outside, "requests left the site:\n" + "\n".join(outside)
    assert not page.failed, "requests failed:\n" + "\n".join(page.failed)
    assert not page.errors, "uncaught script errors:\n" + "\n".join(page.errors)


def _assert_no_sideways_scroll(page, width: int) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth")
    assert overflow <= width, f"the page is {overflow} px wide in a {width} px viewport: it scrolls sideways"


@pytest.fixture(scope="module")
def guide_path(example_site: Path) -> str:
    """The URL path (under the base) of the first guide inside a section, e.g. guides/x/y/."""
    pages = sorted(example_site.glob("guides/*/*/index.html")) or sorted(example_site.glob("guides/*/index.html"))
    assert pages, "the example build has no guide pages"
    return pages[0].parent.relative_to(example_site).as_posix() + "/"


@pytest.mark.parametrize("width", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_home_page_renders_styled(open_page, save_shot, served: str, width: int):
    site_title = _yaml(REPO / "site.yml")["title"]
    program_name = _yaml(REPO / "content" / "program.yml")["name"]

    page = open_page(served, width=width)

    assert site_title in page.title()
    h1 = page.locator("h1").first
    assert h1.is_visible()
    assert program_name in h1.inner_text()
    header = page.locator(".site-header")
    assert header.is_visible()
    background = header.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background not in TRANSPARENT, "the site header has no background: site.css did not apply"
    assert page.evaluate("document.styleSheets.length") >= 1
    _assert_no_sideways_scroll(page, width)

    _assert_png(save_shot(page, f"home-{width}"))
    _assert_stayed_local(page)


def test_guide_page_shows_sidebar_and_breadcrumbs(open_page, save_shot, served: str, guide_path: str):
    page = open_page(served + guide_path, width=DESKTOP)

    assert page.locator("h1").first.is_visible()
    sidebar = page.locator(".sidebar")
    assert sidebar.is_visible(), "no visible sidebar on a guide page at 1280 px"
    current = sidebar.locator("[aria-current=page]")
    assert current.count() == 1, "the sidebar does not mark the current guide"
    assert urlsplit(current.get_attribute("href")).path.endswith(guide_path)
    crumbs = page.locator(".breadcrumbs")
    assert crumbs.is_visible(), "no visible breadcrumbs on a guide page at 1280 px"
    assert crumbs.locator("a").count() >= 2, "breadcrumbs should lead back to Home and Guides"
    # the sidebar sits beside the content, not above it
    side, main = sidebar.bounding_box(), page.locator("main").bounding_box()
    assert side["x"] + side["width"] <= main["x"] + 1, f"sidebar {side} overlaps main {main}"
    _assert_no_sideways_scroll(page, DESKTOP)

    _assert_png(save_shot(page, "guide-1280"))
    _assert_stayed_local(page)


def test_guide_page_fits_a_phone(open_page, save_shot, served: str, guide_path: str):
    page = open_page(served + guide_path, width=PHONE)

    assert page.locator("h1").first.is_visible()
    _assert_no_sideways_scroll(page, PHONE)

    _assert_png(save_shot(page, "guide-375"))
    _assert_stayed_local(page)
