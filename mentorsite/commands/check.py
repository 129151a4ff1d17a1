"""`mentorsite check`: everything a build would do, in memory, then every link of the rendered
site checked (commands/links.py); nothing written, no PDF made."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from mentorsite.build import STEPS, digests_for, load
from mentorsite.commands.links import check_links
from mentorsite.errors import Loc, SiteError
from mentorsite.htmlread import scan_all
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
    outputs, print_problems = _for_link_check(outputs, config, jobs)  # the print pages repeat the others
    links = check_links(site, outputs, env, jobs)
    seen = {w.loc for w in warnings}  # a guide's anchor that assemble already warned about
    link_warnings = [w for w in links.warnings if w.loc not in seen]
    errors = list(links.errors) + print_problems
    if config.strict:
        errors += [SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in link_warnings]
        link_warnings = []
    return CheckReport(site, tuple(errors), tuple(warnings) + tuple(link_warnings), links.external, len(site.pages))


def _for_link_check(outputs: dict, config, jobs: int = 1) -> tuple[dict, list]:
    """The outputs as the link check should see them, and the problems of the print pages.

    Everything in a print page comes from the other pages, where each link is checked and its
    problem reported at its source: the check sees the print pages as pages without links (so
    that links to them resolve and they count as reached), and only what the print edition
    adds is checked here: that every link inside a print page finds its target on the page."""
    seen, problems = dict(outputs), []
    books = [rel for rel, content in outputs.items()
             if rel.startswith(PRINT_URL) and rel.endswith("index.html") and isinstance(content, bytes)]
    for rel, scan in zip(books, scan_all([outputs[rel] for rel in books], jobs, minimum=2, chunk=1)):  # (big pages)
        for ref in scan.refs:
            target = unquote(ref.value[1:])
            # a heading missing in a part is the part's own problem, reported where it is written
            if ref.tag == "a" and ref.value.startswith("#") and target and target.split("--")[0] not in scan.ids:
                problems.append(SiteError(Loc(Path(config.output) / rel, ref.line, ref.col),
                                          f"link '{ref.value}' of the print edition has no target on the page — "
                                          "a part is missing (please report it)"))
        seen[rel] = b"<!DOCTYPE html><title>print</title>" + "".join(f'<a id="{i}"></a>' for i in sorted(scan.ids)).encode()
    return seen, problems
