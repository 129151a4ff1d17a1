"""Multilingual handbooks: one site per language under /<code>/, content/<code>/ over content/."""

import json
import re
import shutil
from pathlib import Path

from bs4 import BeautifulSoup

from tests.conftest import REPO
from tests.test_build import FULL

SITE = """\
title: Handbook
url: https://org.github.io/hb/
languages:
  - en
  - code: es
    title: Manual
"""
ES = {
    "content/es/program.yml": "name: Programa de prueba\nroles:\n  - id: mentor\n    title: Mentor\n  - id: mentee\n    title: Persona mentorada\n"
                              "phases:\n  - {id: start, name: Inicio, start: week 0, end: week 2}\n"
                              "  - {id: closure, name: Cierre, start: week 10, end: week 12}\n",
    "content/es/guides/start/first.md": "---\ntitle: Primeros pasos\nslug: primeros-pasos\n---\n\n## Antes de empezar\n\nVer [la segunda](second.md).\n",
}


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_one_site_per_language_with_a_chooser_at_the_root(make_site, run):
    root = make_site({**FULL, **ES, "site.yml": SITE})
    result = run("build")
    assert result.code == 0, result.err
    out = root / "_site"
    assert (out / "en/guides/start/first/index.html").is_file()
    assert (out / "es/guides/start/primeros-pasos/index.html").is_file()  # a translation may have its own slug
    assert (out / "es/guides/start/second/index.html").is_file()  # untranslated: shown as it is
    assert (out / ".nojekyll").is_file() and (out / "404.html").is_file()
    assert (out / "en/search/index.json").is_file() and (out / "es/search/index.json").is_file()
    chooser = soup(out / "index.html")
    assert [(a["href"], a.get_text()) for a in chooser.select("main a")] == [("/hb/en/", "English"), ("/hb/es/", "Español")]
    locs = (out / "sitemap.xml").read_text()
    assert "https://org.github.io/hb/en/guides/start/first/" in locs
    assert "https://org.github.io/hb/es/guides/start/primeros-pasos/" in locs


def test_pages_speak_their_language_and_link_to_their_translation(make_site, run):
    root = make_site({**FULL, **ES, "site.yml": SITE})
    assert run("build").code == 0
    out = root / "_site"
    es = soup(out / "es/guides/start/primeros-pasos/index.html")
    assert es.html["lang"] == "es"
    assert es.select_one("h1").get_text() == "Primeros pasos"
    assert es.select_one(".brand-text").get_text() == "Manual"
    assert es.select_one(".skip-link").get_text() == "Saltar al contenido"
    assert es.select_one("link[rel=stylesheet]")["href"] == "/hb/es/static/site.css"
    switch = [(a["hreflang"], a["href"], a.get("aria-current")) for a in es.select(".language-switcher a")]
    assert switch == [("en", "/hb/en/guides/start/first/", None), ("es", "/hb/es/guides/start/primeros-pasos/", "true")]
    assert es.select_one('link[rel=alternate][hreflang=en]')["href"] == "/hb/en/guides/start/first/"
    # a link in the Spanish guide leads to the Spanish site
    assert es.select_one(".prose a")["href"] == "/hb/es/guides/start/second/"
    en = soup(out / "en/guides/start/first/index.html")
    assert en.html["lang"] == "en" and en.select_one(".skip-link").get_text() == "Skip to content"
    assert [a["href"] for a in en.select(".language-switcher a")] == ["/hb/en/guides/start/first/", "/hb/es/guides/start/primeros-pasos/"]
    index = json.loads((out / "es/search/index.json").read_text(encoding="utf-8"))
    assert index["lang"] == "es" and ["guides/start/primeros-pasos/", "Primeros pasos", "Guías › Getting started"] in index["docs"]


def test_untranslated_pages_are_reported(make_site, run):
    make_site({**FULL, **ES, "site.yml": SITE})
    result = run("build")
    warnings = [line for line in result.err.splitlines() if "not translated" in line]
    assert "content/guides/start/second.md:1:1: warning: not translated into Spanish: the Spanish site shows it as it is — " \
           "add content/es/guides/start/second.md" in warnings
    assert not any("first.md" in w or "program.yml" in w for w in warnings)
    assert len(warnings) == 7  # 3 more guides, the type, the milestone template, the worksheet
    assert run("build", "--strict").code == 1


def test_a_translation_of_nothing_is_an_error(make_site, run):
    make_site({**FULL, **ES, "site.yml": SITE, "content/es/guides/start/extra.md": "# Extra\n"})
    result = run("build")
    assert result.code == 1
    assert "content/es/guides/start/extra.md:1:1: translates 'content/guides/start/extra.md', which does not exist — " \
           "translations mirror content/: add the original or move this file" in result.errors


def test_a_single_language_site_ignores_translations(make_site, run):
    root = make_site({**FULL, **ES})
    assert run("build").code == 0
    out = root / "_site"
    assert (out / "guides/start/first/index.html").is_file() and not (out / "es").exists()
    assert soup(out / "index.html").select_one(".language-switcher") is None


def test_the_example_handbook_builds_in_two_languages(tmp_path, monkeypatch, run):
    project = tmp_path / "example"
    project.mkdir()
    shutil.copy(REPO / "site.multilingual.yml", project)
    shutil.copytree(REPO / "content", project / "content")
    monkeypatch.chdir(project)
    result = run("build", "--config", "site.multilingual.yml")
    assert result.code == 0, result.err
    out = project / "_site"
    home = soup(out / "es/index.html")
    assert home.select_one("h1").get_text() == "Programa de Mentoría Northwind"
    assert home.select_one(".hero time").get_text() == "11 ene 2027"
    assert "Primavera 2027" in home.select_one(".hero .eyebrow").get_text()  # languages: cohort_name
    assert "Spring 2027" in soup(out / "en/index.html").select_one(".hero .eyebrow").get_text()
    ws = soup(out / "es/worksheets/goals/index.html")
    assert ws.select_one("h1").get_text() == "Objetivos"
    assert soup(out / "en/worksheets/goals/index.html").select_one("h1").get_text() == "Goals"
    guide = soup(out / "es/guides/getting-started/finding-a-mentor/index.html")
    assert guide.select_one("h1").get_text() == "Encontrar a tu mentor"
    assert guide.select_one(".pager-label").get_text() in ("Anterior", "Siguiente")


def test_check_follows_links_between_languages(make_site, run):
    make_site({**FULL, **ES, "site.yml": SITE})
    result = run("check")
    assert result.code == 0, result.err
    assert not [line for line in result.err.splitlines() if "outside the site's base path" in line]
    assert "not translated into Spanish" in result.err
    # the count is every language's pages, as build's
    checked = re.fullmatch(r"Checked (\d+) pages in 2 languages: no errors, \d+ warnings?\n", result.out)
    assert checked, result.out
    built = re.match(r"Built (\d+) pages", run("build").out)
    assert built and checked.group(1) == built.group(1)
    assert int(checked.group(1)) > len(list((Path.cwd() / "_site/en").rglob("*.html")))
