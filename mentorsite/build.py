"""The build, top to bottom:

    state = BuildState.open(...)          everything the last build of this output remembers
    site  = load(config, state)           discover -> parse -> assemble: the site model
    files = run_steps(run, STEPS)         the output steps, each one job (runner.py decides
                                          which outputs are current and makes the rest)
    write(files, output)                  the new site swapped in whole; the state saved

The steps (steps/): the worksheet PDFs (made by worker processes while the rest runs), the
pages, the print pages, the calendar, the search index, the files around them, then the
handbook PDFs. See ARCHITECTURE.md.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import gc
import logging
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite.deps import Digests, digest
from mentorsite.errors import Problems, SiteError, SiteErrors
from mentorsite.languages import build_languages, report_translations
from mentorsite.outdir import check_output
from mentorsite.parallel import default_jobs
from mentorsite.runner import Run, Session, StepReport, remember, run_steps
from mentorsite.site.assemble import Site, assemble
from mentorsite.site.model import SiteConfig
from mentorsite.sources.discover import discover
from mentorsite.sources.history import page_dates
from mentorsite.sources.parse import parse_all
from mentorsite.sources.theme import theme_env
from mentorsite.state import BuildState, build_lock, prune_other_outputs
from mentorsite.steps.book import BookMap
from mentorsite.steps.calendar import CalendarStep
from mentorsite.steps.chrome import chrome_digests
from mentorsite.steps.handbook_pdf import HandbookPdfStep
from mentorsite.steps.pages import PagesStep, SiteFilesStep
from mentorsite.steps.print_pages import PrintStep
from mentorsite.steps.search import SearchStep
from mentorsite.steps.worksheet_pdf import WorksheetPdfStep
from mentorsite.write import clean_leftovers, spooled, write

log = logging.getLogger(__name__)

STEPS = (WorksheetPdfStep(), PagesStep(), PrintStep(), CalendarStep(), SearchStep(), SiteFilesStep(), HandbookPdfStep())


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build made, and the warnings it found."""

    pages: int  # pages in the site
    files: int
    written: int
    removed: int
    seconds: float
    warnings: tuple[SiteError, ...] = ()
    steps: dict[str, StepReport] = field(default_factory=dict)

    @property
    def rendered(self) -> int:
        """Pages rendered in this build (the others were unchanged)."""
        return sum(self.steps[name].made for name in ("pages", "print") if name in self.steps)

    @property
    def pdfs(self) -> int:
        """Worksheet PDFs made by WeasyPrint in this build."""
        step = self.steps.get("worksheet PDFs")
        return step.made - step.stored if step else 0

    @property
    def pdfs_cached(self) -> int:
        """Worksheet PDFs unchanged, or taken from the PDF store."""
        step = self.steps.get("worksheet PDFs")
        return step.kept + step.stored if step else 0

    @property
    def books(self) -> int:
        """Handbook PDFs put together in this build."""
        step = self.steps.get("handbook PDFs")
        return step.made - step.stored if step else 0

    @property
    def books_cached(self) -> int:
        """Handbook PDFs unchanged, or taken from the PDF store."""
        step = self.steps.get("handbook PDFs")
        return step.kept + step.stored if step else 0

    @property
    def pdf_seconds(self) -> float:
        """The time the PDF steps took."""
        return sum(self.steps[name].seconds for name in ("worksheet PDFs", "handbook PDFs") if name in self.steps)

    @property
    def pdf_timings(self) -> tuple[tuple[str, float], ...]:
        """(output, seconds) of each worksheet PDF made by WeasyPrint."""
        step = self.steps.get("worksheet PDFs")
        return tuple(step.timings) if step else ()

    @property
    def deferred(self) -> tuple[str, ...]:
        """Outputs left as they were, for a later run to bring up to date (a preview's)."""
        return tuple(sorted(out for step in self.steps.values() for out in step.deferred))


def output_dir(config: SiteConfig) -> Path:
    """The output folder (site.yml's output, relative to the project root)."""
    return config.root / config.output


def build(config: SiteConfig, *, jobs: int | None = None, cache: bool = True,
          session: Session | None = None) -> BuildReport:
    """Build the site into its output folder; a failed build leaves the previous output untouched.

    cache: start from what the last build remembers (state.py), else make everything.
    session: the command's (runner.Session): its progress line, and for a preview (serve.py) its
    state and theme, kept from one build to the next, and its policies."""
    check_output(config)  # never the project, a source folder or a folder of someone's files (outdir.py)
    session = session if session is not None else Session()
    if config.languages and not config.overlay:  # one site per language, each through build_site
        return build_languages(config, functools.partial(build_site, jobs=jobs, cache=cache, session=session), load)
    return build_site(config, jobs=jobs, cache=cache, session=session)


def build_site(config: SiteConfig, *, jobs: int | None, cache: bool, session: Session, env=None) -> BuildReport:
    """build() of one site (one language's, with env: the theme with every language's URLs)."""
    jobs = default_jobs() if jobs is None else jobs
    out = output_dir(config)
    start = time.perf_counter()
    steps = _Timer(start)
    with build_lock(config.root, out), _collector_for_loading() as loaded:
        clean_leftovers(out)
        state = session.state if session.state is not None else BuildState.open(config.root, out, enabled=cache)
        site, warnings = load(config, state, jobs)
        loaded()
        steps("load (discover, parse, assemble)")
        if env is None:
            env = session.env if session.env is not None else theme_env(config, bytecode=state.templates)
        first = not (out.is_dir() and state.records)  # a new site: the spool becomes the site
        with spooled(out) as spool:
            run = Run(site, env, state, jobs=jobs, spool=spool, session=session)
            run.digests = digests_for(site, env, state)
            files = run_steps(run, STEPS)
            steps("steps (" + ", ".join(f"{r.name} {r.seconds:.3f} s" for r in run.reports.values()) + ")")
            atomic = not session.in_place or first
            report = write(dict(sorted(files.items())), out, atomic=atomic, spare=state.spare if atomic else None,
                           tree=spool.path if first and atomic else None)
            steps("write")
        remember(run, out)
        if session.state is None:  # (a preview saves its state when it stops; save() skips a state unchanged)
            state.save()
            if cache:
                prune_other_outputs(config.root, out)  # other output folders' states, unused for a month
        steps("state saved")
    return BuildReport(pages=len(site.pages), files=report.total, written=report.written, removed=report.removed,
                       seconds=time.perf_counter() - start, warnings=tuple(warnings), steps=run.reports)


def load(config: SiteConfig, state: BuildState | None = None, jobs: int = 1) -> tuple[Site, list[SiteError]]:
    """Discover, parse and assemble the site; all problems are raised together."""
    state = state if state is not None else BuildState()
    problems = Problems()
    sources = discover(config, state)
    report_translations(sources, config, problems)  # a language's view of a multilingual project
    parsed = parse_all(sources, problems, state, html=config.markdown.html, jobs=jobs)
    site = assemble(config, parsed, problems, state.memory)
    if site is not None and config.last_updated:
        site = dataclasses.replace(site, updated=page_dates(config, problems))
    problems.check()
    if config.strict and problems.warnings:
        raise SiteErrors([SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in problems.warnings])
    return site, problems.warnings


def digests_for(site: Site, env, state: BuildState) -> Digests:
    """The digests of every dependency key of a build, those of the pages' readings included."""
    book = BookMap.of(site, {})
    readings = state.readings

    def search(key) -> str:
        reading = readings.get(key[1])
        return reading.search_digest if reading is not None and reading.search is not None else "none"

    def part(key) -> str:
        reading = readings.get(key[1])
        return reading.part_digest if reading is not None and reading.part is not None else "none"

    # a part's links digested once for each set of links (many parts link to no other page), and
    # in a preview once for as long as the book's pages stay the same
    memory = state.memory
    known: dict = {}
    if memory is not None:
        if memory.book != (book.inside, book.roles):
            memory.book, memory.part_links = (book.inside, book.roles), {}
        known = memory.part_links

    def part_links(key) -> str:
        reading = readings.get(key[1])
        if reading is None or reading.part is None or (book.pdf and reading.part.pdf is None):
            return "none"  # never the digest recorded: the page is made again
        links = reading.part.links
        if links not in known:
            known[links] = digest(book.links_key(links))
        return known[links]

    extra = {**chrome_digests(site, env), "search": search, "part": part, "part-links": part_links}
    digests = Digests(site, env, extra=extra, previous=memory.values if memory is not None else None)
    if memory is not None:  # the values digested now, for the next build of the preview to compare with
        memory.values = digests.values
    return digests


@contextlib.contextmanager
def _collector_for_loading():
    """Python's cycle collector off while the site loads, then the loaded objects set aside from
    it (they live until the build ends: each full pass went through all of them again, 10-20 %
    of a one-guide build). Yields the function that marks the end of the loading. A caller that
    set the collector otherwise gets it as it was."""
    paused = gc.isenabled() and gc.get_freeze_count() == 0
    if paused:
        gc.disable()

    def loaded() -> None:
        if paused:
            gc.freeze()
            gc.enable()

    try:
        yield loaded
    finally:
        if paused:
            gc.unfreeze()
            gc.enable()


class _Timer:
    """Logs (at debug level: --verbose) the time each part of a build took."""

    def __init__(self, start: float):
        self.last = start
        self.cpu = (0.0, 0.0)

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        own = resource.getrusage(resource.RUSAGE_SELF)
        user, system = own.ru_utime - self.cpu[0], own.ru_stime - self.cpu[1]
        self.cpu = (own.ru_utime, own.ru_stime)
        log.debug("  %-34s %7.3f s   (this process: user %.3f s, system %.3f s; peak memory so far %.0f MB)",
                  name, now - self.last, user, system, own.ru_maxrss / 1024)
        self.last = now
