"""`mentorsite check`: everything a build would do, in memory, then every link of the rendered
site checked (commands/links.py); nothing written, no PDF made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from mentorsite.build import STEPS, digests_for, load
from mentorsite.commands.links import PageLinks, check_links
from mentorsite.htmlread import url_of
from mentorsite.errors import Loc, SiteError
from mentorsite.languages import language_configs, merge_reports
from mentorsite.parallel import default_jobs
from mentorsite.runner import Run, run_steps
from mentorsite.site.assemble import PRINT_URL, Site
from mentorsite.site.model import SiteConfig
from mentorsite.sources.theme import theme_env
from mentorsite.state import BuildState


@dataclass(frozen=True, slots=True)
class CheckReport:
    """What a check found: the site, its errors and warnings, and the external links (not fetched)."""

    site: Site
    errors: tuple[SiteError, ...]
    warnings: tuple[SiteError, ...]
    external: tuple = ()
    pages: int = 0  # pages checked (every language's, for a multilingual handbook)
    languages: int = 1


def check(config: SiteConfig) -> CheckReport:
    """Validate everything a build would, render in memory and check its links; write nothing."""
    if config.languages and not config.overlay:
        return merge_reports([check(c) for c in language_configs(config)])
    jobs = default_jobs()
    state = BuildState()  # in memory only
    site, warnings = load(config, state, jobs)
    env = theme_env(config)
    run = Run(site, env, state, jobs=jobs, dry=True)  # the PDFs' templates render; WeasyPrint does not run
    run.digests = digests_for(site, env, state)
    outputs = run_steps(run, list(STEPS))
    pages = {rel: PageLinks(reading.ids, reading.links) for rel, reading in state.readings.items()
             if rel.endswith(".html")}
    print_problems = _check_print_pages(pages, config)  # the print pages repeat the others
    links = check_links(site, outputs, pages, env)
    seen = {w.loc for w in warnings}  # a guide's anchor that assemble already warned about
    link_warnings = [w for w in links.warnings if w.loc not in seen]
    errors = list(links.errors) + print_problems
    if config.strict:
        errors += [SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in link_warnings]
        link_warnings = []
    return CheckReport(site, tuple(errors), tuple(warnings) + tuple(link_warnings), links.external, len(site.pages))


def _check_print_pages(pages: dict[str, PageLinks], config) -> list[SiteError]:
    """The problems of the print pages, which are then checked as pages without links.

    Everything in a print page comes from the other pages, where each link is checked and its
    problem reported at its source: the link check sees the print pages as pages without links
    (so that links to them resolve and they count as reached), and only what the print edition
    adds is checked here: that every link inside a print page finds its target on the page."""
    problems = []
    for rel in [rel for rel in pages if rel.startswith(PRINT_URL) and rel.endswith("index.html")]:
        page = pages[rel]
        for link in page.links:
            value = url_of(link.value)
            target = unquote(value[1:])
            # a heading missing in a part is the part's own problem, reported where it is written
            if link.tag == "a" and value.startswith("#") and target and target.split("--")[0] not in page.ids:
                problems.append(SiteError(Loc(Path(config.output) / rel, 1, 1),
                                          f"link '{value}' of the print edition has no target on the page — "
                                          "a part is missing (please report it)"))
        pages[rel] = PageLinks(page.ids, ())
    return problems
