"""The build pipeline, top to bottom: config -> discover -> parse -> assemble -> render -> write."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from mentorsite.assemble import Site, assemble
from mentorsite.discover import discover
from mentorsite.errors import Problems, SiteError, SiteErrors
from mentorsite.model import SiteConfig
from mentorsite.parse import parse_all
from mentorsite.render import render
from mentorsite.theme import theme_env
from mentorsite.write import WriteReport, write

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build made, and the warnings it found."""

    pages: int
    files: int
    written: int
    seconds: float
    warnings: tuple[SiteError, ...] = field(default=())


def load_site(config: SiteConfig) -> tuple[Site, list[SiteError]]:
    """Discover, parse and assemble the site; all problems are raised together."""
    problems = Problems()
    sources = discover(config)
    parsed = parse_all(sources, problems)
    site = assemble(config, parsed, problems)
    problems.check()
    if config.strict and problems.warnings:
        raise SiteErrors([SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in problems.warnings])
    return site, problems.warnings


def build(config: SiteConfig) -> BuildReport:
    """Build the site into config.output; a failed build leaves the previous output untouched."""
    start = time.perf_counter()
    site, warnings = load_site(config)
    env = theme_env(config)
    outputs = render(site, env)
    report: WriteReport = write(outputs, config.root / config.output)
    return BuildReport(
        pages=len(site.pages),
        files=report.total,
        written=report.written,
        seconds=time.perf_counter() - start,
        warnings=tuple(warnings),
    )


def check(config: SiteConfig) -> tuple[Site, list[SiteError]]:
    """Validate everything a build would, render in memory, write nothing."""
    site, warnings = load_site(config)
    render(site, theme_env(config))
    return site, warnings
