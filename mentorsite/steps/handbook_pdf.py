"""The handbook PDFs step: each print edition as a PDF (`handbook.pdf`, `handbook-<role>.pdf`),
with bookmarks and page-numbered contents.

A handbook PDF is put together from its parts: each part (one page of the site, its <main> as
its page's reading made it for PDFs: steps/book.py) is its own small PDF, made from the theme's
pdf/handbook.html with the book's stylesheets (pdf/paper.css, the site's colours, pdf/handbook.css,
given to WeasyPrint beside the HTML, so that each worker parses them once), kept in the PDF store
by the digest of its HTML and stylesheets,
so an edit to one guide makes that guide's part again, not the whole book, and the role packs
reuse the whole book's parts. The parts are then joined with pypdf behind a cover and contents
rendered last, when the page where each part starts is known; the page numbers at the foot of
each page and the bookmarks (the groups, the parts, the headings each part's own PDF has from
CSS bookmark-level) are added in the same pass. Running headers are set by CSS string-set in
each part. A link from one part to another points at the site, and is made to point at the
part's first page in the book.
"""

from __future__ import annotations

import functools
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urldefrag

import jinja2

from mentorsite.deps import Recorder
from mentorsite.errors import Loc, SiteError
from mentorsite.pool import BOOK, PART, Task, as_finished, done_task
from mentorsite.runner import Artifact, Made
from mentorsite.site.model import Edition
from mentorsite.steps.book import book_pages, make_book, pdf_name
from mentorsite.steps.pages import Renderer, template_error
from mentorsite.steps.pdf import PdfJob, key_of, pdf_task, render_pdf, versions
from mentorsite.steps.print_pages import cover
from mentorsite.steps.worksheet_pdf import PLACEHOLDER

PDF_TEMPLATE = "pdf/handbook.html"
STYLESHEETS = ("pdf/paper.css", "pdf/handbook.css")  # (templates; the site's colours, paper_css, between them)
PART_DIR = ".handbook-parts/"  # (the parts' PDFs are never written to the site)


@dataclass(frozen=True, slots=True)
class Planned:
    """One part of a handbook PDF: where it sits, and the key of its PDF."""

    group: str
    group_title: str
    id: str
    title: str
    depth: int
    key: str
    url: str  # where the part is on the site: links to it in other parts are made to point at its page


@dataclass(slots=True)
class Plan:
    """How one handbook PDF is made: its parts, its key, and its cover and contents."""

    artifact: Artifact
    parts: list[Planned]
    key: str
    front: "Front"
    stylesheets: tuple[str, ...]
    deps: frozenset
    source: Loc  # (site.yml: where a PDF that cannot be made is reported)


@dataclass(frozen=True, slots=True)
class Front:
    """The cover and contents' HTML, with a slot for the page where each part or group starts
    (filled when the parts are made and their pages counted, in the worker that joins the book)."""

    html: str
    slots: tuple[tuple[str, str], ...]  # (part or group id, what the template gave as the default)

    def __call__(self, numbers: dict) -> str:
        """The HTML, with the page where each part starts (numbers: id -> page)."""
        def fill(match) -> str:
            ident, default = self.slots[int(match.group(1))]
            return str(numbers.get(ident, default))

        return _SLOT.sub(fill, self.html)


_SLOT = re.compile("\ue000(\\d+)\ue001")  # (private-use characters: never in a template's own text, never escaped)


class _Slots(dict):
    """What the template sees as `front` while the front is planned: for each id, its slot."""

    def __init__(self):
        super().__init__()
        self.slots: list[tuple[str, str]] = []

    def get(self, ident, default=""):
        self.slots.append((ident, default))
        return f"\ue000{len(self.slots) - 1}\ue001"

    def __getitem__(self, ident):
        return self.get(ident)


class HandbookPdfStep:
    """handbook.pdf and a handbook-<role>.pdf per role (site.yml's handbook_pdfs)."""

    name, title = "handbook PDFs", "Handbook PDFs"
    pooled = True  # (its parts and books are made by the build's pool: runner.py)

    def artifacts(self, run) -> list[Artifact]:
        if not run.site.config.handbook_pdfs:
            return []
        return [Artifact(pdf_name(page.obj), page) for page in run.site.pages if page.kind == "print"]

    def make(self, todo: list[Artifact], run) -> Iterable[Made]:
        plans, jobs = plan_books(run, todo)
        if run.dry:
            return [Made(plan.artifact, {plan.artifact.name: PLACEHOLDER}, plan.deps) for plan in plans]
        pool, store = run.pool(), run.state.pdfs
        parts = {key: pdf_task(pool, job, store, PART, run.progress) for key, job in jobs.items()}
        books = {}
        for plan in plans:
            kept = store.get(plan.key)
            if kept is not None:
                books[done_task(kept, kind=BOOK)] = plan
                continue
            needs = tuple({parts[p.key]: None for p in plan.parts})  # (each part once, in order)
            for part in needs:  # (a reader who asks for this book asks for its parts first)
                part.outputs |= {plan.artifact.name}
            books[pool.add(Task(book_pdf, functools.partial(_book_args, plan, parts, store), needs, kind=BOOK,
                                size=sum(task.size for task in needs), outputs=frozenset({plan.artifact.name}),
                                key=plan.key, then=functools.partial(_store, store)))] = plan
        return self._collect(parts, books, run)

    def _collect(self, parts: dict, books: dict, run) -> Iterator[Made | None]:
        """The books as each is joined, the parts' progress as they are made (None while nothing
        is: runner.py)."""
        report, progress = run.reports[self.name], run.progress
        waiting = [task for task in parts.values() if not task.finished]
        if progress is not None:
            progress.add(len(waiting))
        for task in as_finished([*waiting, *books]):
            if task is None:
                yield None
                continue
            plan = books.get(task)
            if plan is None:
                if progress is not None:
                    progress.advance("part")
                continue
            if task.error is not None:
                raise task.error if isinstance(task.error, SiteError) else \
                    SiteError(_source(run.site), f"could not make {plan.artifact.name}: {task.error}")
            if isinstance(task.result, Path):
                report.stored += 1
            yield Made(plan.artifact, {plan.artifact.name: task.result}, plan.deps)


def _book_args(plan: Plan, parts: dict, store) -> tuple:
    """book_pdf's arguments for a book, once its parts are made (a part that could not be made is
    the book's error)."""
    contents = {}
    for p in plan.parts:
        content, _seconds, error = parts[p.key].result
        if error:
            raise SiteError(plan.source, f"could not make {plan.artifact.name}: {error} — check the theme's "
                                         "templates/pdf/ files (run with --verbose for details)")
        contents[p.key] = content
    return plan.front, plan.parts, contents, store, plan.stylesheets


def _store(store, task) -> None:
    store.put(task.key, task.result)


def _source(site) -> Loc:
    return site.config.loc or Loc(Path("site.yml"), 1, 1)


def plan_books(run, todo: list[Artifact]) -> tuple[list[Plan], dict[str, PdfJob]]:
    """The plan of each handbook PDF, and the PDF jobs of their parts (by key: a part in several
    books is made once)."""
    site, env = run.site, run.env
    recorder = Recorder()
    renderer = Renderer(site, env, recorder)
    site_url = site.config.url.rstrip("/") + "/" if site.config.url else ""
    source = _source(site)
    plans, jobs = [], {}
    for artifact in todo:
        page = artifact.source
        edition: Edition = page.obj
        recorder.start()
        for key in (("book",), ("assets",)):
            recorder.add(key)
        parts = {}
        for place in book_pages(site, edition):
            recorder.add(("part", place.page.output))
            parts[place.page.output] = run.state.readings[place.page.output].part
        try:
            css = book_stylesheets(env)
            template = env.get_template(PDF_TEMPLATE)
            book = make_book(site, edition, parts, renderer.t, pdf=True)
            planned = []
            for group in book.groups:
                for i, part in enumerate(group.parts):
                    html = template.render(book=book, group=group, part=part, first=i == 0, front=None,
                                           page=page, item=edition)
                    key = key_of(*versions(), "part", html, *css)
                    planned.append(Planned(group.id, group.title, part.id, part.title, part.depth, key,
                                           site_url + part.url[len(site.config.base_path):] if site_url else ""))
                    jobs.setdefault(key, PdfJob(output=f"{PART_DIR}{key}.pdf", html=html, source=source.path, key=key,
                                                forms=False, stylesheets=css))
            slots = _Slots()
            front = Front(template.render(book=book, group=None, part=None, first=False, front=slots,
                                          cover=cover(site, edition, renderer.t), page=page, item=edition),
                          tuple(slots.slots))
            key = key_of(*versions(), "book", front.html, *css, *(p.key for p in planned), *(p.title for p in planned))
        except jinja2.TemplateError as e:
            recorder.stop()
            raise template_error(e, site.config.root) from None
        plans.append(Plan(artifact, planned, key, front, css, recorder.stop(), source))
    return plans, jobs


def book_stylesheets(env: jinja2.Environment) -> tuple[str, ...]:
    """The handbook PDF's stylesheets, for every part and the front: pdf/paper.css, the site's
    colours (paper_css) and pdf/handbook.css."""
    paper, paged = (env.get_template(name).render() for name in STYLESHEETS)
    colours = str(env.globals.get("paper_css") or "")
    return (paper, colours, paged) if colours else (paper, paged)


_READERS: dict = {}  # a worker's parts as read for the last book it joined (the next shares most of them)


def book_pdf(front: Front, planned: list[Planned], parts: dict, store, stylesheets: tuple[str, ...]) -> bytes:
    """join(), in a worker of the build's pool, with the parts it read for its last book."""
    readers = {p.key: _READERS[p.key] for p in planned if p.key in _READERS}
    data = join(front, planned, parts, readers, store, stylesheets)
    _READERS.clear()
    _READERS.update(readers)
    return data


def join(front: Front, planned: list[Planned], parts: dict, readers: dict, store=None,
         stylesheets: tuple[str, ...] = ()) -> bytes:
    """A handbook PDF: cover and contents, then every part, with page numbers and bookmarks
    (parts: key -> a part's PDF, bytes or a stored file; readers: key -> the part read, kept
    for the next book)."""
    from pypdf import PdfReader, PdfWriter  # (put off: pypdf is for the handbook PDFs alone)

    for p in planned:
        if p.key not in readers:
            readers[p.key] = PdfReader(io.BytesIO(_data(parts[p.key])))
    # the contents give the page where each part starts: render them, count their pages, and
    # render again in the rare case that the numbers change how many pages the contents take
    front_pages = 1 + -(-(len(planned) + len({p.group for p in planned}) + 2) // 34)  # the cover, and
    # about 34 lines of contents a page (a group's line and its space count as two)
    for _ in range(3):
        numbers, page = {}, front_pages + 1
        for p in planned:
            numbers.setdefault(p.group, page)
            numbers[p.id] = page
            page += len(readers[p.key].pages)
        data = _front_pdf(front(numbers), store, stylesheets)
        pages = len(PdfReader(io.BytesIO(data)).pages)
        if pages == front_pages:
            break
        front_pages = pages
    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(data)), import_outline=False)
    front_reader = PdfReader(io.BytesIO(data))
    contents_start = 1 if len(front_reader.pages) > 1 else 0
    writer.add_outline_item(title=_contents_title(front_reader), page_number=contents_start)
    group_items: dict[str, object] = {}
    parent_of_depth: dict[int, object] = {}
    starts: dict[str, int] = {}
    for p in planned:
        start = len(writer.pages)
        starts[p.key + p.id] = start
        reader = readers[p.key]
        writer.append(reader, import_outline=False)
        if p.group not in group_items:
            group_items[p.group] = writer.add_outline_item(title=p.group_title, page_number=start)
            parent_of_depth = {0: group_items[p.group]}
        parent = parent_of_depth.get(p.depth - 1, group_items[p.group])
        item = writer.add_outline_item(title=p.title, page_number=start, parent=parent, is_open=False)
        parent_of_depth[p.depth] = item
        _copy_outline(writer, reader, reader.outline, item, start)
    _number_pages(writer, first=len(front_reader.pages))
    _link_parts(writer, {p.url: starts[p.key + p.id] for p in planned if p.url})
    meta = front_reader.metadata or {}
    writer.add_metadata({k: v for k, v in meta.items() if k in ("/Title", "/Author", "/Subject", "/Creator", "/Producer", "/Keywords")})
    writer.page_mode = "/UseOutlines"
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _front_pdf(html: str, store, stylesheets: tuple[str, ...]) -> bytes:
    """The cover and contents as a PDF (kept in the store: an edit that moves no part's first page
    leaves them as they were)."""
    key = key_of(*versions(), "handbook-front", html, *stylesheets)
    kept = store.get(key) if store is not None else None
    if kept is not None:
        return kept.read_bytes()
    data, _seconds, error = render_pdf(html, False, stylesheets)
    if error:
        raise RuntimeError(error)
    if store is not None:
        store.put(key, data)
    return data


def _data(content) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else content


def _contents_title(reader) -> str:
    """The title of the contents, from the front's own bookmark (its words are the theme's)."""
    for item in reader.outline:
        if not isinstance(item, list):
            return item.title
    return "Contents"


def _copy_outline(writer, reader, items, parent, offset: int) -> None:
    """A part's own bookmarks (its headings), under the part's bookmark, at their pages in the book."""
    last = None
    for item in items:
        if isinstance(item, list):
            if last is not None:
                _copy_outline(writer, reader, item, last, offset)
            continue
        page = reader.get_destination_page_number(item)
        last = writer.add_outline_item(title=item.title, page_number=offset + (page or 0), parent=parent, is_open=False)


def _link_parts(writer, pages: dict[str, int]) -> None:
    """Links to a part's page on the site become links to where the part starts in the book."""
    from pypdf.generic import ArrayObject, NameObject  # (put off: see join)

    for page in writer.pages:
        for ref in page.get("/Annots") or []:
            annot = ref.get_object()
            action = annot.get("/A")
            uri = action.get_object().get("/URI") if action is not None else None
            if uri is None:
                continue
            target = pages.get(urldefrag(str(uri))[0])
            if target is None:
                continue
            del annot["/A"]
            annot[NameObject("/Dest")] = ArrayObject([writer.pages[target].indirect_reference, NameObject("/Fit")])


def _number_pages(writer, first: int) -> None:
    """The page number at the foot of every page from the first part on (the cover and contents have none)."""
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject  # (put off: see join)

    font = writer._add_object(DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    }))

    def stream(text: bytes):
        s = StreamObject()
        s.set_data(text)
        return writer._add_object(s)

    push, pop = stream(b"q\n"), stream(b"\nQ\n")
    for number, page in enumerate(writer.pages, 1):
        if number <= first:
            continue
        box = page.mediabox
        width = float(box.width)
        size = 8
        label = str(number)
        x = width - 17 * 72 / 25.4 - 0.556 * size * len(label)  # right-aligned on the right margin (17 mm)
        y = 11 * 72 / 25.4
        resources = page.setdefault(NameObject("/Resources"), DictionaryObject())
        resources = resources.get_object()
        fonts = resources.setdefault(NameObject("/Font"), DictionaryObject())
        fonts = fonts.get_object()
        fonts[NameObject("/MsPageNumber")] = font
        contents = page.get("/Contents")
        existing = list(contents.get_object()) if isinstance(contents.get_object(), list) else [contents] if contents is not None else []
        mark = stream(f"BT /MsPageNumber {size} Tf 0.2 g {x:.2f} {y:.2f} Td ({label}) Tj ET\n".encode("ascii"))
        page[NameObject("/Contents")] = ArrayObject([push, *existing, pop, mark])


