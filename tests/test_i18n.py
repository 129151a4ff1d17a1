"""The theme's words and dates in the site's language; theme_options; the colour palette."""

import datetime as dt
import re

import pytest
from bs4 import BeautifulSoup

from mentorsite.site.i18n import format_date, load_translations
from mentorsite.site.palette import contrast, pairs, palette
from mentorsite.sources.theme import default_theme_dir
from tests.test_build import FULL

DATED = {**FULL, "site.yml": "title: Manual\nlanguage: es\ncohort:\n  start: 2027-01-11\n"}


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_every_language_has_every_word_of_english():
    folder = default_theme_dir() / "i18n"
    english = load_translations([default_theme_dir()], "en")
    for path in sorted(folder.glob("*.yml")):
        words = load_translations([default_theme_dir()], path.stem)
        assert set(words.words) == set(english.words), f"{path.name} differs from en.yml"
        for key, text in words.words.items():  # the placeholders English uses ({role_lower} is {role} too)
            used = {w.replace("_lower", "") for w in re.findall(r"{(\w+)}", text)}
            assert used <= {w.replace("_lower", "") for w in re.findall(r"{(\w+)}", english.words[key])}, (path.name, key)


def test_dates_follow_the_locale():
    day = dt.date(2027, 3, 1)
    assert format_date(day, "en") == "Mar 1, 2027"
    assert format_date(day, "es") == "1 mar 2027"
    assert format_date(day, "pt-BR") == "1 de mar. de 2027"


def test_spanish_site_speaks_spanish(make_site, run):
    root = make_site(DATED)
    assert run("build").code == 0
    out = root / "_site"
    guide = soup(out / "guides/start/first/index.html")
    assert guide.html["lang"] == "es"
    assert guide.select_one(".skip-link").get_text() == "Saltar al contenido"
    assert guide.select_one(".pager-next .pager-label").get_text() == "Siguiente"
    assert [a.get_text() for a in guide.select(".breadcrumbs a")] == ["Inicio", "Guías", "Getting started"]
    assert guide.select_one(".top-nav a").get_text() == "Guías"
    table = guide.select_one(".milestone-table")
    assert [th.get_text() for th in table.select("thead th")] == ["Hito", "Fecha límite", "Responsable", "Evidencia"]
    assert table.select_one("time").get_text() == "8 feb 2027"
    assert guide.select_one("#search-q")["placeholder"] == "Buscar en el manual"
    assert soup(out / "milestones/index.html").select_one("h1").get_text() == "Hitos"
    assert soup(out / "404.html").select_one("h1").get_text() == "Página no encontrada"
    assert soup(out / "404.html").title.get_text() == "Página no encontrada · Manual"


def test_prefilled_due_dates_in_worksheets_are_written_the_spanish_way(make_site, run):
    """A due date in a text column of a worksheet is written as the site writes dates; a date
    picker holds YYYY-MM-DD (and the browser shows it in the reader's own format)."""
    sheet = FULL["content/worksheets/goals.yml"].replace(
        "columns: [Title, Due, {label: Status, kind: choice, options: [To do, Done]}]",
        "columns: [Title, Due, {label: Picker, source: due, kind: date}]")
    root = make_site({**DATED, "content/worksheets/goals.yml": sheet})
    assert run("build").code == 0
    page = soup(root / "_site/worksheets/goals/index.html")
    assert page.select_one('[name="f-goals-tracker-1-due"]').get_text() == "8 feb 2027"
    picker = page.select_one('[name="f-goals-tracker-1-picker"]')
    assert (picker["type"], picker["value"]) == ("date", "2027-02-08")


def test_relative_due_dates_are_translated(make_site, run):
    root = make_site({**FULL, "site.yml": "title: Manual\nlanguage: es\n"})
    assert run("build").code == 0
    dues = [s.get_text() for s in soup(root / "_site/milestones/speaking/index.html").select(".due")]
    assert dues == ["Semana 4", "Mes 2", "Inicio de la fase «closure»"]


def test_a_site_theme_can_change_words_and_add_a_language(make_site, run):
    root = make_site({
        **FULL,
        "site.yml": "title: Manuel\nlanguage: fr\ntheme: mine\n",
        "themes/mine/i18n/fr.yml": "pager.next: Suivant\nskip_link: Aller au contenu\n",
        "themes/mine/i18n/en.yml": "pager.previous: Back\n",
    })
    result = run("build")
    assert result.code == 0, result.err
    guide = soup(root / "_site/guides/start/second/index.html")
    assert guide.html["lang"] == "fr"
    assert guide.select_one(".pager-next .pager-label").get_text() == "Suivant"
    assert guide.select_one(".pager-prev .pager-label").get_text() == "Back"  # English behind French
    assert guide.select_one(".toc-title") is None or guide.select_one(".toc-title").get_text() == "On this page"


def test_a_translation_file_with_a_bad_value_names_its_line(make_site, run):
    make_site({**FULL, "site.yml": "title: T\ntheme: mine\n", "themes/mine/i18n/en.yml": "pager.next: Next\npager.previous: [a]\n"})
    result = run("build")
    assert result.code == 1
    assert result.errors == ["themes/mine/i18n/en.yml:2:17: 'pager.previous' must be text, not a list — quote it"]


@pytest.mark.parametrize("yml, message", [
    ("title: T\nlanguage: xx\n", "site.yml:2:11: unknown language 'xx' — use a code such as 'en', 'es', 'fr' or 'pt-BR'"),
    ("title: T\nlanguages: [en, zz]\n", "site.yml:2:17: unknown language 'zz' — use a code such as 'en', 'es', 'fr' or 'pt-BR'"),
    ("title: T\nlanguages: [en, en]\n", "site.yml:2:17: language 'en' is listed twice — list each language once"),
    ("title: T\ntheme_options:\n  primary_color: teal\n",
     "site.yml:3:18: primary_color 'teal' is not a colour — write it as '#rrggbb', e.g. '#0e5e63'"),
    ("title: T\ntheme_options:\n  logo: https://cdn.example.org/logo.png\n",
     "site.yml:3:9: logo 'https://cdn.example.org/logo.png' is outside the site — put the image in content/assets/ and write 'assets/<file>'"),
    ("title: T\ntheme_options:\n  logo: assets/nope.svg\n",
     "site.yml:3:9: logo 'assets/nope.svg' not found — put the image in content/assets/ and write 'assets/<file name>'"),
    ("title: T\ntheme_options:\n  colour: '#123456'\n",
     "site.yml:3:3: unknown key 'colour' — expected one of: favicon, footer_text, links, logo, primary_color"),
])
def test_language_and_theme_option_errors(make_site, run, yml, message):
    make_site({**FULL, "site.yml": yml})
    result = run("build")
    assert result.code == 1
    assert result.errors == [message]


def test_theme_options_colour_logo_favicon_footer(make_site, run):
    root = make_site({
        **FULL,
        "site.yml": """\
            title: T
            theme_options:
              primary_color: '#7cc4ff'
              logo: assets/logo.svg
              favicon: assets/icon.png
              footer_text: '© 2027 [Northwind](https://example.org)'
              links:
                - {title: Slack, url: 'https://example.slack.com'}
                - {title: Email us, url: 'mailto:team@example.org'}
                - {title: Guides, url: guides/}
            """,
        "content/assets/logo.svg": "<svg xmlns='http://www.w3.org/2000/svg'/>",
        "content/assets/icon.png": b"\x89PNG\r\n\x1a\n",
    })
    assert run("build").code == 0
    page = soup(root / "_site/index.html")
    assert page.select_one("img.brand-logo")["src"] == "/assets/logo.svg"
    assert page.select_one("img.brand-logo")["alt"] == ""  # the title beside it names the link
    assert page.select_one("link[rel=icon]")["href"] == "/assets/icon.png"
    assert page.select_one(".footer-text a")["href"] == "https://example.org"
    assert [(a.get_text(), a["href"]) for a in page.select(".footer-links a")] == [
        ("Slack", "https://example.slack.com"), ("Email us", "mailto:team@example.org"), ("Guides", "/guides/")]
    style = page.select_one("head style:not([media])").get_text()
    light = re.search(r":root \{ --primary: (#[0-9a-f]{6});", style).group(1)
    assert light != "#7cc4ff" and contrast(light, "#ffffff") >= 4.5  # darkened to be readable


COLOURS = ["#0e5e63", "#7cc4ff", "#ffff00", "#000000", "#c0392b", "#fff", "#2e7d32", "#a5d6a7", "#0d1b2a", "#ff0000",
           "#0000ff", "#00ff00", "#ff00ff", "#00ffff", "#777777", "#f0f0f0", "#333333", "#ffd600", "#ffeb3b", "#ff9800"]


@pytest.mark.parametrize("color", COLOURS)
def test_palette_is_readable_in_both_schemes(color):
    """Every text drawn in a derived colour, or on one, in every state (hovered, current, focused)."""
    p = palette(color)
    for scheme in ("light", "dark"):
        for what, ink, background, needed in pairs(p[scheme], dark=scheme == "dark"):
            assert contrast(ink, background) >= needed, (scheme, what, ink, background)


def test_the_default_colours_are_readable_too():
    """site.css's own colours (no primary_color) pass the same checks."""
    css = (default_theme_dir() / "static" / "site.css").read_text(encoding="utf-8")

    def values(block: str) -> dict:
        return dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-f]{6})", block))

    light = values(css[:css.index("*, *::before")]) | values(re.search(r":root \{ color-scheme: light;[^}]*\}", css).group())
    light["--header"] = light["--primary"]
    dark = values(re.search(r":root\[data-theme=dark\] \{[^}]*\}", css).group())
    for scheme, colours in (("light", light), ("dark", dark)):
        for what, ink, background, needed in pairs(colours, dark=scheme == "dark"):
            assert contrast(ink, background) >= needed, (scheme, what, ink, background)


def test_default_theme_has_no_inline_colours(make_site, run):
    root = make_site(FULL)
    assert run("build").code == 0
    page = soup(root / "_site/index.html")
    assert page.html["lang"] == "en"
    assert page.select_one("head style:not([media])") is None
    assert page.select_one("head script").get_text().startswith("(function(){var d=document.documentElement;")


def test_a_language_without_theme_words_is_a_warning(make_site, run):
    root = make_site({**FULL, "site.yml": "title: T\nlanguage: fr\n"})
    result = run("build")
    assert result.code == 0
    assert result.err.splitlines() == [
        "site.yml:1:1: warning: the theme has no words in French (no i18n/fr.yml): menus and buttons stay in English "
        "— add themes/<your theme>/i18n/fr.yml, translated from the default theme's en.yml"]
    page = soup(root / "_site/index.html")
    assert page.html["lang"] == "fr" and page.select_one(".skip-link").get_text() == "Skip to content"
    assert run("build", "--strict").code == 1
