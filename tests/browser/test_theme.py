"""The colour scheme in Chromium: it follows prefers-color-scheme, the toggle's choice is remembered
across pages with no flash of the other scheme, and print is always light."""

from __future__ import annotations

import pytest

PAPER = "getComputedStyle(document.body).backgroundColor"
LIGHT, DARK = "rgb(255, 255, 255)", "rgb(18, 27, 30)"


@pytest.mark.parametrize("scheme, expected", [("light", LIGHT), ("dark", DARK)])
def test_the_scheme_follows_the_system(browser, served: str, scheme: str, expected: str):
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(served)
        assert page.evaluate(PAPER) == expected
        assert page.locator(".theme-toggle").get_attribute("aria-pressed") == ("true" if scheme == "dark" else "false")
    finally:
        context.close()


def test_the_toggle_is_remembered_across_pages(browser, served: str):
    context = browser.new_context(color_scheme="light")
    try:
        page = context.new_page()
        page.goto(served)
        toggle = page.locator(".theme-toggle")
        assert toggle.is_visible() and toggle.get_attribute("aria-pressed") == "false"
        toggle.click()
        assert page.evaluate(PAPER) == DARK
        assert toggle.get_attribute("aria-pressed") == "true"
        # the next page is dark from its first paint: the attribute is set before <body> exists
        page.add_init_script("""document.addEventListener('readystatechange', () => {
            if (!window.__first) window.__first = document.documentElement.getAttribute('data-theme'); });""")
        page.goto(served + "guides/getting-started/starting-well/")
        assert page.evaluate("window.__first") == "dark"
        assert page.evaluate(PAPER) == DARK
        assert page.evaluate("localStorage.getItem('mentorsite-theme')") == "dark"
        page.locator(".theme-toggle").click()
        page.goto(served + "types/")
        assert page.evaluate(PAPER) == LIGHT
        assert page.locator(".theme-toggle").get_attribute("aria-pressed") == "false"
    finally:
        context.close()


def test_a_saved_choice_wins_over_the_system(browser, served: str):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(served)
        page.evaluate("localStorage.setItem('mentorsite-theme', 'light')")
        page.reload()
        assert page.evaluate(PAPER) == LIGHT
    finally:
        context.close()


def test_print_is_always_light(browser, served: str):
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(served + "worksheets/goals/")
        page.evaluate("localStorage.setItem('mentorsite-theme', 'dark')")
        page.reload()
        assert page.evaluate(PAPER) == DARK
        page.emulate_media(media="print")
        assert page.evaluate(PAPER) in (LIGHT, "rgba(0, 0, 0, 0)")
        ink = page.evaluate("getComputedStyle(document.querySelector('h1')).color")
        assert ink in ("rgb(0, 0, 0)", "rgb(29, 42, 48)"), ink
    finally:
        context.close()


def _lightness(rgb: str) -> float:
    """The relative luminance (WCAG) of a computed 'rgb(r, g, b)' colour."""
    r, g, b = (int(v) / 255 for v in rgb[rgb.index("(") + 1:rgb.index(")")].split(",")[:3])
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def test_schedule_bands_follow_the_scheme(browser, served: str):
    """The phases' bands are deep, with light text, in the dark scheme (pale ones glare on a dark
    page), pale in the light one, and pale again when printed from the dark one."""
    band = "getComputedStyle(document.querySelector('.tl-band-%d')).backgroundColor"
    ink = "getComputedStyle(document.querySelector('.tl-band-0 span')).color"
    context = browser.new_context(color_scheme="dark")
    try:
        page = context.new_page()
        page.goto(served + "schedule/")
        assert page.evaluate(PAPER) == DARK
        for i in range(6):
            assert _lightness(page.evaluate(band % i)) < 0.08, i
        assert _lightness(page.evaluate(ink)) > 0.7
        page.emulate_media(media="print")
        assert all(_lightness(page.evaluate(band % i)) > 0.6 for i in range(6))
        page.emulate_media(media="screen", color_scheme="light")
        assert all(_lightness(page.evaluate(band % i)) > 0.6 for i in range(6))
        assert _lightness(page.evaluate(ink)) < 0.05
    finally:
        context.close()


def test_an_unanswered_choice_prints_blank(browser, served: str):
    """An empty status select says "Not chosen" on screen (the HTML checker wants a name for the
    empty option: its label, which WeasyPrint does not draw in handbook.pdf) and prints as a blank
    box, to fill in by pen."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(served + "worksheets/milestone-tracker/")
        select = page.locator(".ws-table select").first
        assert select.evaluate("el => el.options[el.selectedIndex].label") == "Not chosen"
        page.emulate_media(media="print")
        assert select.evaluate("el => getComputedStyle(el).color") == "rgba(0, 0, 0, 0)"
        select.select_option("Done")
        assert select.evaluate("el => getComputedStyle(el).color") == "rgb(0, 0, 0)"
    finally:
        context.close()
