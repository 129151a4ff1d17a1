"""PDFs from HTML with WeasyPrint, for the worksheet and handbook PDF steps and for packs.

`make_pdfs(jobs, store)` turns each job's HTML into a PDF: a job whose key (a digest of
everything its PDF depends on) is in the store (a folder of PDFs named by key,
.mentorsite-cache/pdf/) is taken from it as it is; the rest are rendered in parallel in a process
pool over the machine's cores, and stored.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import Loc, SiteError

log = logging.getLogger(__name__)
# WeasyPrint logs each layout step at INFO; its warnings (CSS it ignores) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

# How PDFs are made (options, finisher, the tighter second layout) is this module: its own digest
# is part of every PDF's key, so a new mentorsite never serves a PDF an older one made.
CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


@dataclass(frozen=True, slots=True)
class PdfJob:
    """One PDF to make: where it goes, its HTML, the worksheet it shows, and its cache key."""

    output: str  # e.g. 'worksheets/goals.pdf'
    html: str
    source: Path  # the worksheet's file, relative to the project, for error messages
    key: str  # digest of everything the PDF depends on
    forms: bool = True  # fillable fields; False for the handbook PDFs (printed.py), made to read and print


@dataclass(frozen=True, slots=True)
class PdfReport:
    """What the PDF step did: files made, taken from the cache, and the time spent."""

    files: dict[str, bytes | Path] = field(default_factory=dict)  # bytes made now, or a stored PDF
    made: int = 0
    cached: int = 0
    seconds: float = 0.0
    timings: tuple[tuple[str, float], ...] = ()  # (output, seconds) of each PDF rendered


def key_of(*parts: str) -> str:
    """SHA-256 of the parts, each length-prefixed so that ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def versions() -> tuple[str, ...]:
    """What every PDF's key starts with: the versions of mentorsite, of this module, of
    WeasyPrint and of pydyf (found without importing them)."""
    return (__version__, CODE, weasyprint_version(), package_version("pydyf"))


def weasyprint_version() -> str:
    """WeasyPrint's version without importing it (importing takes a third of a second)."""
    return package_version("weasyprint")


def package_version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def make_pdfs(jobs: list[PdfJob], store=None, workers: int | None = None) -> PdfReport:
    """Every job's PDF: the stored file when its digest is in the store, else rendered in parallel."""
    start = time.perf_counter()
    files: dict[str, bytes | Path] = {}
    todo: list[PdfJob] = []
    for job in jobs:
        kept = store.get(job.key) if store else None
        if kept is not None:
            files[job.output] = kept
        else:
            todo.append(job)
    timings: list[tuple[str, float]] = []
    if todo:
        unique: dict[str, PdfJob] = {}
        for job in todo:  # jobs with the same inputs (a role's handbook that is the whole one) render once
            unique.setdefault(job.key, job)
        made: dict[str, bytes] = {}
        for job, (data, seconds, error) in zip(unique.values(), _render_all(list(unique.values()), workers)):
            if error:
                raise SiteError(
                    Loc(job.source, 1, 1),
                    f"could not make {job.output}: {error} — check the theme's templates/pdf/ files "
                    "(run with --debug for details)",
                )
            made[job.key] = data
            timings.append((job.output, seconds))
            if store:
                store.put(job.key, data)
        for job in todo:
            files[job.output] = made[job.key]
            if unique[job.key] is not job:
                timings.append((job.output, 0.0))
    if store:
        store.prune({job.key for job in jobs})
    log.debug("PDFs: %d made, %d from the cache", len(todo), len(jobs) - len(todo))
    return PdfReport(
        files=dict(sorted(files.items())),
        made=len(todo),
        cached=len(jobs) - len(todo),
        seconds=time.perf_counter() - start,
        timings=tuple(timings),
    )


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _render_all(jobs: list[PdfJob], workers: int | None) -> list[tuple[bytes, float, str]]:
    """Render jobs in this process (one job, or one core) or in a pool; results in job order."""
    workers = min(len(jobs), workers or cpu_count())
    _check_weasyprint(jobs[0])
    if workers <= 1:
        return [render_pdf(job.html, job.forms) for job in jobs]
    # The biggest first, so that no core is left with a long one at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))
    from concurrent.futures import ProcessPoolExecutor  # (put off: only a build that makes PDFs needs a pool)

    with ProcessPoolExecutor(max_workers=workers, mp_context=pool_context()) as pool:
        results = list(pool.map(render_pdf, [jobs[i].html for i in order], [jobs[i].forms for i in order]))
    out: list = [None] * len(jobs)
    for i, result in zip(order, results):
        out[i] = result
    return out


def pool_context():
    """fork where it is safe (no other threads, so no lock can be held), else a forkserver."""
    import multiprocessing  # (put off: see _render_all)

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # workers inherit the imported WeasyPrint
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["mentorsite.steps.pdf", "weasyprint"])
        return ctx
    return multiprocessing.get_context("spawn")


def _check_weasyprint(job: PdfJob) -> None:
    """Import WeasyPrint here, once: a missing library is the user's to fix, named without a traceback."""
    try:
        import weasyprint  # noqa: F401 - imported before forking, so that workers share it
    except (ImportError, OSError) as e:
        raise SiteError(
            Loc(job.source, 1, 1),
            f"cannot make {job.output}: WeasyPrint is not available ({str(e).splitlines()[0]}) — "
            "pip install 'weasyprint>=62' (it needs the Pango library: apt-get install libpango-1.0-0)",
        ) from None


_FONTS = None  # one FontConfiguration per process: building it is a good part of a small PDF's time
# A last page filled less than this (times the pages before it) is worth a second, tighter layout
# (body.compact in the theme's pdf/worksheet.css), which saves the page when the content shrinks
# by about a sixth: nobody wants to print a sheet for one line. Fuller pages are not tried.
NEARLY_EMPTY = 0.2


def render_pdf(html: str, forms: bool = True) -> tuple[bytes, float, str]:
    """One PDF from its HTML: (bytes, seconds, '') or (b'', seconds, error message). Runs in a worker."""
    global _FONTS
    start = time.perf_counter()
    try:
        import weasyprint  # (put off: importing WeasyPrint takes a third of a second)
        from weasyprint.text.fonts import FontConfiguration

        if _FONTS is None:
            _FONTS = FontConfiguration()
        with _quiet(not forms):  # the handbook inlines the site's stylesheets: screen CSS WeasyPrint skips is no news
            doc = weasyprint.HTML(string=html, base_url=None).render(font_config=_FONTS, pdf_forms=forms)
        pages = len(doc.pages)
        if forms and pages > 1 and _last_page_fill(doc) < NEARLY_EMPTY * (pages - 1) and '<body class="' in html:
            tight = weasyprint.HTML(string=html.replace('<body class="', '<body class="compact ', 1), base_url=None)
            tight_doc = tight.render(font_config=_FONTS, pdf_forms=True)
            if len(tight_doc.pages) < len(doc.pages):
                doc = tight_doc
        data = doc.write_pdf(pdf_forms=forms, finisher=_finish_forms if forms else None)
    except Exception as e:  # a worker's exception is reported as the worksheet's error
        return b"", time.perf_counter() - start, f"{type(e).__name__}: {e}"
    return data, time.perf_counter() - start, ""


@contextlib.contextmanager
def _quiet(yes: bool):
    """WeasyPrint's warnings silenced while yes."""
    logger = logging.getLogger("weasyprint")
    level = logger.level
    if yes:
        logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def _last_page_fill(doc) -> float:
    """How much of the last page's height the content uses (0 to 1)."""
    from weasyprint.formatting_structure import boxes  # (put off: see render_pdf)

    page = doc.pages[-1]._page_box
    roots = [c for c in page.children if not isinstance(c, boxes.MarginBox)]
    if not roots or not roots[0].children or not page.height:
        return 1.0
    body = roots[0].children[0]
    return (body.position_y + body.margin_height() - page.content_box_y()) / page.height


def _finish_forms(document, pdf) -> None:
    """Make radio groups plain AcroForm radio fields: the buttons are widgets of their group only.

    WeasyPrint names every radio button like its group and lists it among the form's top-level
    fields too, so readers see each button as a second field with the group's name ('freq.freq').
    """
    import pydyf  # (put off: see render_pdf)

    form = pdf.catalog.get("AcroForm")
    if form is None:
        return
    kids: set[bytes] = set()
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and obj.get("FT") == "/Btn" and "Kids" in obj:
            kids.update(_ref(k) for k in obj["Kids"])
    if not kids:
        return
    for obj in pdf.objects:
        if isinstance(obj, pydyf.Dictionary) and "Parent" in obj and obj.get("Subtype") == "/Widget":
            obj.pop("T", None)
            obj.pop("FT", None)
    form["Fields"] = pydyf.Array(r for r in form["Fields"] if _ref(r) not in kids)


def _ref(ref) -> bytes:
    return ref if isinstance(ref, bytes) else str(ref).encode()
