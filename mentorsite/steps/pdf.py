"""PDFs from HTML with WeasyPrint, for the worksheet and handbook PDF steps and for packs.

A job's key is a digest of everything its PDF depends on: a job whose key is in the store (a
folder of PDFs named by key, .mentorsite-cache/pdf/) is taken from it as it is; the others are
rendered by the build's pool of worker processes (pool.py, `pdf_task`) and stored.
`make_pdfs(jobs, store)` does it all for a list of jobs (packs).
"""

from __future__ import annotations

import contextlib
import ctypes.util
import functools
import hashlib
import logging
import os
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import Loc, SiteError
from mentorsite.pool import WORKSHEET, Pool, Task, done_task

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
    key: str  # digest of everything the PDF depends on (the stylesheets included)
    forms: bool = True  # fillable fields; False for the handbook PDFs, made to read and print
    stylesheets: tuple[str, ...] = ()  # CSS given beside the HTML: parsed once per process (render_pdf)


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


@functools.cache
def package_version(package: str) -> str:
    """An installed package's version ('none' when it is not installed), read once per process."""
    import importlib.metadata  # (put off: only a build that makes PDFs needs versions, and it costs 15 ms)

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


@dataclass(frozen=True, slots=True)
class PdfMade:
    """One job's PDF: bytes made now, or the stored file; and the seconds it took to make."""

    job: PdfJob
    content: bytes | Path
    seconds: float = 0.0
    stored: bool = False  # taken from the store


def pdf_task(pool: Pool, job: PdfJob, store, kind: str, progress=None) -> Task:
    """The task that makes a job's PDF: done already when the store has it, else queued in the
    pool (a worker renders it; it is stored when it comes back). Its result: (the PDF, bytes or
    the stored file; seconds; an error message or '')."""
    kept = store.get(job.key) if store else None
    if kept is not None:
        return done_task((kept, 0.0, ""), kind=kind, key=job.key)
    _say_if_slow(progress)
    _check_weasyprint(job)
    return pool.add(Task(render_pdf, (job.html, job.forms, job.stylesheets), kind=kind, size=len(job.html),
                         outputs=frozenset({job.output}), key=job.key,
                         then=functools.partial(_store, store) if store else None))


def _store(store, task: Task) -> None:
    data, _seconds, error = task.result
    if not error:
        store.put(task.key, data)


def pdf_made(job: PdfJob, task: Task) -> PdfMade:
    """A job's PDF from its task; one that could not be made is a SiteError naming the file it
    was made from."""
    content, seconds, error = task.result
    if error:
        raise SiteError(Loc(job.source, 1, 1), f"could not make {job.output}: {error} — check the theme's "
                                               "templates/pdf/ files (run with --verbose for details)")
    return PdfMade(job, content, seconds, stored=isinstance(content, Path))


def make_pdfs(jobs: list[PdfJob], store=None, workers: int | None = None, progress=None) -> Iterator[PdfMade]:
    """Every job's PDF, as each is ready: those the store has first, then the others as they are
    rendered, in parallel (jobs with the same key are rendered once). A PDF that cannot be made
    is a SiteError naming the file it was made from."""
    pool = Pool(workers or cpu_count())
    try:
        tasks = {pdf_task(pool, job, store, WORKSHEET, progress): job for job in jobs}
        for task in pool.done(tasks):
            yield pdf_made(tasks[task], task)
    finally:
        pool.close()
    if store:
        store.prune({job.key for job in jobs})


@functools.cache
def _subsets_slowly() -> bool:
    """Whether WeasyPrint has to subset fonts with fontTools (HarfBuzz's subsetter is missing)."""
    try:
        from weasyprint.text.ffi import harfbuzz, harfbuzz_subset  # (put off: see render_pdf)
    except Exception:  # (another WeasyPrint: ask the system)
        return ctypes.util.find_library("harfbuzz-subset") is None
    return not (harfbuzz_subset and harfbuzz.hb_version_atleast(4, 1, 0))


def _say_if_slow(progress) -> None:
    """PDFs will be slower, and which system package makes them faster (once a run)."""
    if _subsets_slowly():
        _say_slow(progress)


@functools.cache
def _say_slow(progress) -> None:
    """(cached: said once for each run's progress line; once a process without one)"""
    line = ("note: PDFs are made more slowly on this machine: WeasyPrint lacks HarfBuzz's subsetter — "
            "install it (Debian, Ubuntu: sudo apt-get install libharfbuzz-subset0; Fedora: harfbuzz; "
            "macOS: brew install harfbuzz)")
    if progress is not None:
        progress.say(line)
    else:
        log.warning(line)


def cpu_count() -> int:
    """The cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


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
_SHEETS: dict[str, object] = {}  # CSS text -> its weasyprint.CSS, parsed once per process
_SHEETS_KEPT = 8  # (a preview's workers live long: the stylesheets of themes edited since are let go)
# A last page filled less than this (times the pages before it) is worth a second, tighter layout
# (body.compact in the theme's pdf/worksheet.css), which saves the page when the content shrinks
# by about a sixth: nobody wants to print a sheet for one line. Fuller pages are not tried.
NEARLY_EMPTY = 0.2


def render_pdf(html: str, forms: bool = True, stylesheets: tuple[str, ...] = ()) -> tuple[bytes, float, str]:
    """One PDF from its HTML and stylesheets: (bytes, seconds, '') or (b'', seconds, error
    message). Runs in a worker."""
    global _FONTS
    start = time.perf_counter()
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 6000))  # (WeasyPrint lays out MAX_DEPTH nested elements: steps/reading.py)
    try:
        import weasyprint  # (put off: importing WeasyPrint takes a third of a second)
        from weasyprint.text.fonts import FontConfiguration

        if _FONTS is None:
            _FONTS = FontConfiguration()
        sheets = _parsed(stylesheets)
        with _quiet(not forms):  # the handbook's parts: CSS WeasyPrint skips is no news
            doc = weasyprint.HTML(string=html, base_url=None).render(font_config=_FONTS, pdf_forms=forms,
                                                                     stylesheets=sheets)
        pages = len(doc.pages)
        if forms and pages > 1 and _last_page_fill(doc) < NEARLY_EMPTY * (pages - 1) and '<body class="' in html:
            tight = weasyprint.HTML(string=html.replace('<body class="', '<body class="compact ', 1), base_url=None)
            tight_doc = tight.render(font_config=_FONTS, pdf_forms=True, stylesheets=sheets)
            if len(tight_doc.pages) < len(doc.pages):
                doc = tight_doc
        data = doc.write_pdf(pdf_forms=forms, finisher=_finish_forms if forms else None)
    except Exception as e:  # a worker's exception is reported as the worksheet's error
        return b"", time.perf_counter() - start, f"{type(e).__name__}: {e}"
    finally:
        sys.setrecursionlimit(limit)  # (as it was: a PDF made in the command's own process, --jobs 1)
    return data, time.perf_counter() - start, ""


def _parsed(stylesheets: tuple[str, ...]) -> list:
    """The weasyprint.CSS of each stylesheet, parsed the first time this process meets it."""
    import weasyprint  # (put off: see render_pdf)

    sheets = []
    for text in stylesheets:
        sheet = _SHEETS.get(text)
        if sheet is None:
            if len(_SHEETS) >= _SHEETS_KEPT:
                _SHEETS.clear()
            sheet = _SHEETS[text] = weasyprint.CSS(string=text, font_config=_FONTS)
        sheets.append(sheet)
    return sheets


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
