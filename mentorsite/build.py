"""The build pipeline, top to bottom: config -> discover -> parse -> assemble -> render -> write."""

from __future__ import annotations

import dataclasses
import logging
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite.assemble import Site, assemble
from mentorsite.cache import BuildCache, PageRecord, build_lock, file_stat, prune_other_outputs
from mentorsite.chrome import chrome_digests
from mentorsite.languages import build_languages, language_configs, merge_reports, report_translations
from mentorsite.parallel import default_jobs
from mentorsite.search import SearchMemo, index_step, page_entry
from mentorsite.deps import Digests
from mentorsite.discover import discover
from mentorsite.errors import Problems, SiteError, SiteErrors
from mentorsite.i18n import remember_dates
from mentorsite.model import SiteConfig
from mentorsite.outdir import check_output
from mentorsite.parse import parse_all
from mentorsite.pdf import PdfStore, make_pdfs, pdf_jobs
from mentorsite.render import render
from mentorsite.printed import PART_DIR, PartsMemo, book_jobs, for_link_check
from mentorsite.schedule import calendar_files
from mentorsite.theme import theme_env
from mentorsite.write import KEEP, clean_leftovers, spooled, write

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What a build made, and the warnings it found."""

    pages: int  # pages in the site
    rendered: int  # pages rendered in this build (the others were unchanged)
    files: int
    written: int
    removed: int
    seconds: float
    warnings: tuple[SiteError, ...] = field(default=())
    pdfs: int = 0  # worksheet PDFs rendered in this build
    pdfs_cached: int = 0  # worksheet PDFs whose inputs were unchanged (taken from the cache)
    pdf_seconds: float = 0.0  # time spent on PDFs
    pdf_timings: tuple[tuple[str, float], ...] = ()  # (output, seconds) of each PDF rendered
    books: int = 0  # handbook PDFs (the print edition's) rendered in this build; not counted in pdfs
    books_cached: int = 0
    deferred: tuple[str, ...] = ()  # outputs left as they were, to be brought up to date by the next build


def load_site(config: SiteConfig, cache: BuildCache | None = None, jobs: int = 1) -> tuple[Site, list[SiteError]]:
    """Discover, parse and assemble the site; all problems are raised together."""
    problems = Problems()
    live = cache.live if cache is not None and cache.files is not None else None  # a preview's memories
    # a build from the command line knows unchanged guides by their files' stat (discover)
    known = cache.extra.setdefault("sources", {}) if cache is not None and cache.files is None and cache.path else None
    sources = discover(config, cache.files if cache else None, known=known)
    report_translations(sources, config, problems)  # a language's view of a multilingual project
    parsed = parse_all(sources, problems, html=config.markdown.html, cached=cache.guides if cache else None,
                       token_memo=cache.tokens if cache else None, jobs=jobs, memo=live)
    site = assemble(config, parsed, problems, live)
    if site is not None and config.last_updated:
        from mentorsite.history import page_dates

        site = dataclasses.replace(site, updated=page_dates(config, problems))
    problems.check()
    if config.strict and problems.warnings:
        raise SiteErrors([SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in problems.warnings])
    return site, problems.warnings


def output_dir(config: SiteConfig) -> Path:
    """The output folder (site.yml's output, relative to the project root)."""
    return config.root / config.output


def build(config: SiteConfig, *, use_cache: bool = True, cache: BuildCache | None = None,
          atomic: bool = True, env=None, save: bool = True, jobs: int | None = None,
          handbooks: bool = True, defer: bool = False, superseded=None, loaded=None) -> BuildReport:
    """Build the site into its output folder; a failed build leaves the previous output untouched.

    A page is rendered again only if something it read changed since the last build (the
    cache, on disk beside the output, or given by a long-running caller such as `serve`).

    defer (a live preview's first step): the print pages and the search index, which hold every
    page, are left as they were when they exist; the report names them, and the next build
    (which `serve` runs at once) brings them up to date.

    superseded() (a live preview's): true when newer changes came in while building; then the
    build stops before it writes anything, raising Superseded, and the caller builds again.

    loaded() (the command line's): called once the site is loaded, before its pages render."""
    check_output(config)  # never the project, a source folder or a folder of someone's files (outdir.py)
    if config.languages and not config.overlay:  # one site per language, through this same function
        return build_languages(config, build, load_site, use_cache=use_cache, atomic=atomic, loaded=loaded)
    out = output_dir(config)
    with build_lock(config.root, out):
        clean_leftovers(out)
        return _build(config, out, use_cache=use_cache, cache=cache, atomic=atomic, env=env, save=save,
                      jobs=default_jobs() if jobs is None else jobs, handbooks=handbooks, defer=defer,
                      superseded=superseded, loaded=loaded)


def _build(config: SiteConfig, out: Path, *, use_cache: bool, cache: BuildCache | None, atomic: bool, env,
           save: bool, jobs: int, handbooks: bool = True, defer: bool = False, superseded=None,
           loaded=None) -> BuildReport:
    start = time.perf_counter()
    step = _Steps(start)
    if cache is None:
        path = BuildCache.for_output(config.root, out)
        cache = BuildCache.load(path) if use_cache else BuildCache(path=path)
    remember_dates(cache.extra.setdefault("dates", {}))
    site, warnings = load_site(config, cache, jobs=jobs)
    if loaded is not None:
        loaded()
    step("load (discover, parse, assemble)")
    env = env or theme_env(config, bytecode=cache.path.parent / "templates" if use_cache and cache.path else None)
    digests = Digests(site, env, extra=chrome_digests(site, env), previous=cache.live.get("key digests", {}) if not save else None)
    skip = _unchanged_pages(site, cache, digests, out)
    step("dependency check")
    deferred: set[str] = set()
    if defer and cache.pages:
        deferred = {p.output for p in site.pages if p.kind == "print" and p.output not in skip
                    and p.output in cache.pages and (out / p.output).is_file()}

    def kept(output: str) -> tuple:  # a page in skip, as the last build wrote it (for the print pages)
        try:
            return (out / output).read_text(encoding="utf-8"), tuple(cache.pages[output].deps)
        except (OSError, UnicodeDecodeError, KeyError):
            return None, ()

    if cache.parts is None:
        cache.parts = PartsMemo(cache.memo_path("parts") if use_cache else None)
    spare = BuildCache.spare_for(config.root, out) if use_cache else None
    # a new site is made when there is no previous one to bring up to date (write): the pages are
    # then spooled at their own paths, and the spool folder becomes the site
    tree = not (out.is_dir() and (not atomic or (spare is not None and spare.is_dir())))
    with spooled(out) as spool:  # the pages, written as they render (write.Spooled)
        rendered = render(site, env, skip=skip | deferred, jobs=jobs, after=page_entry if config.search else None, kept=kept,
                          kept_stat=lambda page: cache.pages[page.output].stat if page.output in skip else None,
                          parts_memo=cache.parts, spool=spool, spool_tree=tree, digest_of=digests,
                          last=lambda output: (f"{out}{os.sep}{output}", cache.pages[output].stat, cache.pages[output].deps)
                          if output in cache.pages else None)
        step("render")
        files = rendered.files
        for path in skip | deferred:
            files[path] = KEEP
        # Worksheets -> fillable PDFs (WeasyPrint, in parallel; a PDF whose inputs are unchanged comes
        # from the PDF store), before write: a PDF that fails leaves the previous site as it was.
        store = PdfStore.for_project(config.root)
        # the print edition's PDFs (printed.py): their parts render with the worksheets, then they are joined
        if handbooks and config.handbook_pdfs:
            books = book_jobs(site, env, memo=cache.extra.setdefault("books", {}), store=store, main_of=rendered.html_of,
                              page_deps=lambda out: (
                cache.pages[out].deps if out in skip else {k: digests(k) for k in rendered.deps.get(out, ())}))
        else:  # a live preview keeps the handbook PDFs of the last build rather than make them at every save
            books = _NoBooks()
            if config.handbook_pdfs:
                files.update({p.name: KEEP for p in sorted(out.glob("handbook*.pdf"))})
        pdfs = make_pdfs(pdf_jobs(site, env) + books.jobs, store)
        files.update(books.finish(pdfs.files, store, cache.extra.setdefault("books", {})))  # takes the parts out of pdfs.files
        files.update(pdfs.files)
        step("PDFs")
        files.update(calendar_files(site, env, cache.extra.setdefault("calendar", {})))  # schedule.ics (schedule.py)
        step("calendar")
        if cache.search is None:
            cache.search = SearchMemo(cache.memo_path("search") if use_cache else None)
        cache.search.pages.update(rendered.extras)
        if (defer and config.search and cache.search.summary is not None and rendered.pages
                and all((out / f).is_file() for f in cache.search.summary[1])):
            deferred.update(cache.search.summary[1])
            files.update(dict.fromkeys(cache.search.summary[1], KEEP))
            cache.search.summary = None  # the next build makes the index again
        else:
            files.update(index_step(site, files, out, env, KEEP, cache.search))  # the search index, from the pages' HTML
        step("search index")
        if superseded is not None and superseded():
            raise Superseded()
        report = write(dict(sorted(files.items())), out, atomic=atomic, spare=spare, tree=spool if tree else None)
        step("write")
    same_sources = {rel: g.digest for rel, g in cache.guides.items()} == {g.rel: g.digest for g in site.docs.values()}
    _remember(cache, site, rendered.deps, skip | deferred, digests, out)
    if not save:  # a preview: the next build compares its values with these
        cache.live["key digests"] = digests.values or {}
    cache.parts.settle({o: r.stat for o, r in cache.pages.items()}, {p.output for p in site.pages})
    if save:  # a new process will read the cache: the bodies kept in memory (for a preview) can go now
        cache.tokens = {}
    else:
        live = {(g.rel, g.digest) for g in site.docs.values()}
        cache.tokens = {k: v for k, v in cache.tokens.items() if k[:2] in live}
    if use_cache and save and (rendered.pages or report.written or report.removed or not same_sources
                               or not cache.path.is_file()):
        cache.save()
        cache.search.save()
        cache.parts.save()
    if use_cache and save:
        prune_other_outputs(config.root, out)  # other output folders' caches, unused for a month
    step("cache saved")
    return BuildReport(
        pages=len(site.pages),
        rendered=rendered.pages,
        files=report.total,
        written=report.written,
        removed=report.removed,
        seconds=time.perf_counter() - start,
        warnings=tuple(warnings),
        pdfs=pdfs.made - books.parts_made,
        pdfs_cached=pdfs.cached - books.parts_cached,
        books=books.made,
        books_cached=books.cached,
        pdf_seconds=pdfs.seconds,
        pdf_timings=tuple(t for t in pdfs.timings if not t[0].startswith(PART_DIR)),  # worksheets only
        deferred=tuple(sorted(deferred)),
    )


class Superseded(Exception):
    """A build stopped before writing: newer changes came in while it ran (see build)."""


class _Steps:
    """Logs (at debug level: --debug) the time each step of a build took."""

    def __init__(self, start: float):
        self.last = start
        self.cpu = (0.0, 0.0)

    def __call__(self, name: str) -> None:
        import resource

        now = time.perf_counter()
        own = resource.getrusage(resource.RUSAGE_SELF)
        user, system = own.ru_utime - self.cpu[0], own.ru_stime - self.cpu[1]
        self.cpu = (own.ru_utime, own.ru_stime)
        log.debug("  %-34s %7.3f s   (this process: user %.3f s, system %.3f s; peak memory so far %.0f MB)",
                  name, now - self.last, user, system, own.ru_maxrss / 1024)
        self.last = now


class _NoBooks:
    """The print edition's PDF step, skipped."""

    jobs: list = []
    made = cached = parts_made = parts_cached = 0

    def finish(self, files, store, memo) -> dict:
        return {}


def _unchanged_pages(site: Site, cache: BuildCache, digests: Digests, out: Path) -> set[str]:
    """Pages whose every input has the digest it had when their current file was written."""
    skip = set()
    folder = str(out) + os.sep
    records = [(page.output, cache.pages.get(page.output)) for page in site.pages]
    records = [(output, r) for output, r in records if r is not None and file_stat(folder + output) == r.stat]
    stale: dict = {}  # id of a table of pairs (PageRecord) -> the numbers of its pairs whose digest changed
    keys = set()
    for _, record in records:
        if record.pairs is None:
            keys.update(record.deps)
        elif id(record.table) not in stale:
            stale[id(record.table)] = {i for i, (key, value) in enumerate(record.table) if digests(key) != value}
    now = {key: digests(key) for key in keys}.items()  # each key once; then each page's check runs in C
    for output, record in records:
        if stale[id(record.table)].isdisjoint(record.pairs) if record.pairs is not None else record.deps.items() <= now:
            skip.add(output)
    return skip


def _remember(cache: BuildCache, site: Site, deps: dict, skip: set, digests: Digests, out: Path) -> None:
    pages = {}
    for page in site.pages:
        if page.output in skip:
            if page.output in cache.pages:  # (a deferred page keeps its old record: it is rendered next time)
                pages[page.output] = cache.pages[page.output]
        elif page.output in deps:
            values = {key: digests(key) for key in deps[page.output]}
            if None in values.values():
                continue  # read something that cannot be fingerprinted: render it every time
            pages[page.output] = PageRecord(deps=values, stat=file_stat(out / page.output))
    cache.pages = pages
    cache.guides = {g.rel: g for g in site.docs.values()}


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
    from mentorsite.links import check_links

    if config.languages and not config.overlay:
        return merge_reports([check(c) for c in language_configs(config)])
    jobs = default_jobs()
    site, warnings = load_site(config, jobs=jobs)
    env = theme_env(config)
    rendered = render(site, env, jobs=jobs)
    outputs = rendered.files
    # the worksheet PDFs' templates render (WeasyPrint does not run), and links to the PDFs resolve
    outputs.update(dict.fromkeys((job.output for job in pdf_jobs(site, env)), b"%PDF-"))
    if config.handbook_pdfs:
        outputs.update(dict.fromkeys(book_jobs(site, env, main_of=rendered.html_of).plans, b"%PDF-"))  # the print edition's
    outputs.update(calendar_files(site, env))
    outputs, print_problems = for_link_check(outputs, config, jobs)  # the print pages repeat the others (printed.py)
    links = check_links(site, outputs, env, jobs)
    seen = {w.loc for w in warnings}  # a guide's anchor that assemble already warned about
    link_warnings = [w for w in links.warnings if w.loc not in seen]
    errors = list(links.errors) + print_problems
    if config.strict:
        errors += [SiteError(w.loc, f"{w.message} (warning, an error with --strict)") for w in link_warnings]
        link_warnings = []
    return CheckReport(site, tuple(errors), tuple(warnings) + tuple(link_warnings), links.external, len(site.pages))
