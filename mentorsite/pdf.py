"""Worksheets as fillable PDFs: the theme's pdf/worksheet.html rendered by WeasyPrint with pdf_forms.

Two steps, called by the build after render:

- `pdf_jobs(site, env)` renders each worksheet's PDF HTML with the same Jinja environment as the
  pages (no disk access but templates) and names it by a digest of everything the PDF depends on;
- `make_pdfs(jobs, store)` turns the HTML into PDFs: a digest found in the store (a folder of PDFs
  named by digest, .mentorsite-cache/pdf/) is reused as it is, the rest are rendered in parallel in
  a process pool over the machine's cores and stored.

Form field names are the worksheet's field ids (see templates/pdf/worksheet.html for tables and
check lists). There is one PDF per worksheet, `worksheets/<id>.pdf`, made to print as well as to
fill: rules, boxes and option labels are page content, and pre-filled milestone rows are text.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from mentorsite import __version__
from mentorsite.assemble import Site
from mentorsite.cache import CACHE_DIR
from mentorsite.errors import Loc, SiteError
from mentorsite.model import Worksheet
from mentorsite.render import Renderer, template_error

log = logging.getLogger(__name__)
# WeasyPrint logs each layout step at INFO; its warnings (CSS it ignores) still show.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

TEMPLATE = "pdf/worksheet.html"
# How PDFs are made (options, finisher, the tighter second layout) is this module: its own digest
# is part of every PDF's key, so a new mentorsite never serves a PDF an older one made.
_CODE = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()


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


def _digest(*parts: str) -> str:
    """SHA-256 of the parts, each length-prefixed so that ('ab', 'c') and ('a', 'bc') differ."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def weasyprint_version() -> str:
    """WeasyPrint's version without importing it (importing takes a third of a second)."""
    return _version("weasyprint")


def _version(package: str) -> str:
    import importlib.metadata  # on demand, as the pools below: a build that makes no PDF need not import them

    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "none"


def pdf_jobs(site: Site, env: jinja2.Environment) -> list[PdfJob]:
    """Render the PDF HTML of every worksheet, keyed by a digest of what the PDF depends on."""
    if not site.worksheets:
        return []
    Renderer(site, env)  # sets the globals and filters the templates use
    try:
        template = env.get_template(TEMPLATE)
    except jinja2.TemplateError as e:
        raise template_error(e, site.config.root) from None
    versions = (__version__, _CODE, weasyprint_version(), _version("pydyf"))
    jobs = []
    for ws in site.worksheets.values():
        try:
            html = template.render(item=ws, page=None)
        except jinja2.TemplateError as e:
            raise template_error(e, site.config.root) from None
        key = _digest(
            *versions,
            site.config.paper,
            site.program.name,
            _worksheet_data(ws),
            html,  # includes the inlined stylesheet (templates/pdf/worksheet.css) and the table rows
        )
        jobs.append(PdfJob(output=f"worksheets/{ws.id}.pdf", html=html, source=ws.source, key=key))
    return jobs


class PdfStore:
    """PDFs kept between builds, named by the digest of their inputs (.mentorsite-cache/pdf/).

    Content-addressed, so it serves any output folder, survives `rm -rf _site` and cannot go
    stale (unlike the page cache, `build --no-cache` does not bypass it; delete the folder to
    render every PDF again). Files are written atomically, each with its size and digest: one
    that does not match them is never used. Entries no build used for a day go.
    """

    KEEP_SECONDS = 24 * 3600

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_project(cls, root: Path) -> "PdfStore":
        """The store of a project: .mentorsite-cache/pdf/ at its root, or $MENTORSITE_PDF_CACHE
        (a folder several projects, or a CI cache, can share: entries are named by content)."""
        shared = os.environ.get("MENTORSITE_PDF_CACHE")
        return cls(Path(shared) if shared else Path(root) / CACHE_DIR / "pdf")

    def path(self, key: str) -> Path:
        """Where the PDF of a digest is kept."""
        return self.folder / f"{key}.pdf"

    def get(self, key: str) -> Path | None:
        """The stored PDF of a digest, or None; a hit is touched so that pruning keeps it. It is
        used only if its size and digest are those recorded when it was stored (a truncated or
        altered file is made again)."""
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                data = f.read()
            if self._seal(path).read_text(encoding="ascii") != self._sum(data):
                return None
            os.utime(path)
            os.utime(self._seal(path))
        except (OSError, UnicodeDecodeError):
            return None
        return path

    @staticmethod
    def _seal(path: Path) -> Path:
        """Where the size and digest of a stored PDF are kept: beside it, as <key>.sum."""
        return path.with_suffix(".sum")

    @staticmethod
    def _sum(data: bytes) -> str:
        """A PDF's size and digest, as its .sum file holds them."""
        return f"{len(data)} {hashlib.blake2b(data, digest_size=16).hexdigest()}\n"

    def put(self, key: str, data: bytes) -> None:
        """Keep a PDF (a store that cannot be written is skipped: it is only a cache)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.folder.parent.name == CACHE_DIR:
                tag = self.folder.parent / ".gitignore"
                if not tag.exists():
                    tag.write_text("*\n")
            for path, content in ((self._seal(self.path(key)), self._sum(data).encode("ascii")), (self.path(key), data)):
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
                with os.fdopen(fd, "wb") as f:
                    f.write(content)
                os.replace(tmp, path)
        except OSError as e:
            log.debug("PDF cache %s not written: %s", self.folder, e)

    def prune(self, used: set[str]) -> None:
        """Remove PDFs not used by this build and not used by any for a day."""
        now = time.time()
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if path.suffix in (".pdf", ".sum") and path.stem not in used:
                try:
                    if now - path.stat().st_mtime > self.KEEP_SECONDS:
                        path.unlink()
                except OSError:
                    pass


def make_pdfs(jobs: list[PdfJob], store: PdfStore | None = None, workers: int | None = None) -> PdfReport:
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
        return [_render(job.html, job.forms) for job in jobs]
    # The biggest first, so that no core is left with a long one at the end.
    order = sorted(range(len(jobs)), key=lambda i: -len(jobs[i].html))
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
        results = list(pool.map(_render, [jobs[i].html for i in order], [jobs[i].forms for i in order]))
    out: list = [None] * len(jobs)
    for i, result in zip(order, results):
        out[i] = result
    return out


def _context():
    """fork where it is safe (no other threads, so no lock can be held), else a forkserver."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")  # workers inherit the imported WeasyPrint
    if "forkserver" in methods:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload(["mentorsite.pdf", "weasyprint"])
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


def _render(html: str, forms: bool = True) -> tuple[bytes, float, str]:
    """One PDF from its HTML: (bytes, seconds, '') or (b'', seconds, error message). Runs in a worker."""
    global _FONTS
    start = time.perf_counter()
    try:
        import weasyprint
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
    from weasyprint.formatting_structure import boxes

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
    import pydyf

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


def _worksheet_data(ws: Worksheet) -> str:
    """The worksheet's data as text, without where it was read from (moving lines changes nothing)."""
    parts = [ws.id, ws.title, ws.purpose, repr(ws.audience), str(ws.instructions)]
    for s in ws.sections:
        parts += [s.title, s.intro]
        for f in s.fields:
            parts.append(repr((f.id, f.kind, f.label, f.hint, f.options, f.min, f.max, f.min_label, f.max_label,
                               f.lines, f.columns, f.rows)))
    return "\n".join(parts)
