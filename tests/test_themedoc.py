"""docs/themes.md: generated from the default theme's templates and the declared names, which
must be the ones the renderer really gives templates."""

from __future__ import annotations

from pathlib import Path

import jinja2

from mentorsite.commands import themedoc
from mentorsite.commands.themedoc import template_outline, themes_reference
from tests.conftest import REPO


def test_docs_themes_md_is_current():
    assert (REPO / "docs/themes.md").read_text(encoding="utf-8") == themes_reference(), (
        "docs/themes.md is out of date: run python -m mentorsite.commands.themedoc > docs/themes.md"
    )


def test_every_template_is_described():
    assert set(themedoc.template_files()) == set(themedoc.TEMPLATES)


def test_blocks_are_read_with_jinjas_parser():
    source = '{% extends "base.html" %}{% block head %}{% include "partials/x.html" %}{% endblock %}' \
             '{# {% block not_a_block %} #}{% block main %}{% block inner %}{% endblock %}{% endblock %}'
    assert template_outline(source) == ("base.html", ["head", "main", "inner"], ["partials/x.html"])


def test_the_declared_names_are_the_ones_templates_get(monkeypatch):
    """Every global, filter and page variable the renderer gives is declared (with its meaning),
    and every declared one is given: a new variable cannot go undocumented."""
    from mentorsite.build import STEPS, digests_for, load
    from mentorsite.runner import Run, run_steps
    from mentorsite.sources.config import load_config
    from mentorsite.sources.theme import theme_env
    from mentorsite.state import BuildState
    from mentorsite.steps.pages import Renderer
    from mentorsite.steps.print_pages import print_context

    monkeypatch.chdir(REPO)
    config = load_config(Path("site.yml"))
    site, _ = load(config)
    env = theme_env(config)
    renderer = Renderer(site, env)
    plain = jinja2.Environment()
    given = {name for name in set(env.globals) - set(plain.globals) if not name.startswith("_")}
    assert given == set(themedoc.GLOBALS)
    assert set(env.filters) - set(plain.filters) == set(themedoc.FILTERS)
    for kind in ("home", "guide", "folder", "index", "type", "milestone", "worksheet", "search", "404", "schedule"):
        page = next(p for p in site.pages if p.kind == kind)
        names = set(renderer.context(page))
        extra = set(themedoc.EXTRA.get(page.template, {}))
        assert names == set(themedoc.PAGE) | extra, kind
    # the print pages, made by the print step from the pages' parts
    state = BuildState()
    site, _ = load(config, state)
    run = Run(site, env, state, dry=True)
    run.digests = digests_for(site, env, state)
    run_steps(run, [step for step in STEPS if step.name == "pages"])  # the pages, whose readings hold the parts
    renderer = Renderer(site, env)
    page = next(p for p in site.pages if p.kind == "print")
    parts = {out: reading.part for out, reading in state.readings.items() if reading.part is not None}
    names = set(renderer.context(page)) | set(print_context(renderer, page, parts))
    assert names == set(themedoc.PAGE) | set(themedoc.EXTRA.get(page.template, {})), "print"
