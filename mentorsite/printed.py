"""The print edition: the whole handbook on one page (`print/`), and as a PDF (`handbook.pdf`);
the same per role (`print/<role>/`, `handbook-<role>.pdf`) with only the guides and worksheets
whose audience includes the role (no audience means everyone).

A book is made of parts in the site's reading order: the program (the home page), every guide
(folders first, as in the menu), every mentoring type, every milestone template, and the
worksheets at the end. Each part is its page's <main>, rendered by the page's own template
through the Renderer (so the print page records everything it reads, as any page does), then
rewritten as mdBook's print page does: every id gets the part's prefix so ids stay unique, and a
link to a page of the book, or to a heading in it, points inside the book instead.

The PDF is the same book in the theme's pdf/handbook.html, with the site's stylesheets inlined,
links that leave the book made absolute and images inlined, so that WeasyPrint needs nothing
but the HTML; its PdfJob goes to the same process pool and store as the worksheet PDFs.
"""

from __future__ import annotations

import base64
import io
import dataclasses
import html as htmllib
import mimetypes
import os
import posixpath
import re
from array import array
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import jinja2
from markupsafe import Markup

from mentorsite.errors import Loc
from mentorsite.htmlscan import ATTRS, attributes
from mentorsite.model import Page

PRINT_URL = "print/"
PDF_TEMPLATE = "pdf/handbook.html"
# Attributes that hold one id, or a space-separated list of ids, of the same document.
_ID_REFS = {"for": False, "aria-labelledby": True, "aria-describedby": True, "aria-controls": True,
            "aria-owns": True, "headers": True, "list": False, "form": False}
_BOOK_KEYS = ("program", "guides", "types", "milestones", "worksheets")


@dataclass(frozen=True, slots=True)
class Edition:
    """Which book a print page shows: the whole handbook (role '') or one role's pack."""

    role: str = ""
    role_title: str = ""


@dataclass(frozen=True, slots=True)
class Part:
    """One page of the site inside the book."""

    id: str  # the anchor of the part
    title: str
    kind: str
    depth: int  # 1 for a part, 2 for a guide inside a folder
    html: Markup
    url: str = ""  # the page's URL path, under the base path


@dataclass(frozen=True, slots=True)
class Group:
    """A run of parts of one kind: the program, guides, types, milestone templates, worksheets."""

    id: str
    title: str
    parts: tuple[Part, ...]


@dataclass(frozen=True, slots=True)
class Book:
    """A print edition: its edition (role) and its groups of parts."""

    edition: Edition
    groups: tuple[Group, ...]

    @property
    def parts(self) -> list[Part]:
        """Every part, in order."""
        return [p for g in self.groups for p in g.parts]


def print_pages(program) -> list[Page]:
    """The print pages: the whole handbook, then one pack per role of the program."""
    pages = [Page(url=PRINT_URL, title="Print edition", kind="print", group="", template="print.html", obj=Edition())]
    for role in program.roles:
        pages.append(Page(url=f"{PRINT_URL}{role.id}/", title=f"{role.title} pack", kind="print", group="",
                          template="print.html", obj=Edition(role.id, role.title)))
    return pages


def pdf_name(edition: Edition) -> str:
    """The PDF of an edition: handbook.pdf, handbook-<role>.pdf."""
    return f"handbook-{edition.role}.pdf" if edition.role else "handbook.pdf"


def for_role(audience, role: str) -> bool:
    """Whether something with this audience goes into the role's pack (no audience: everyone's)."""
    return not role or not audience or role in audience


# ---------------------------------------------------------------- making the book


def book_pages(site, edition: Edition) -> list[tuple[str, Page, int]]:
    """(group, page, depth) of every page in an edition, in reading order."""
    role = edition.role
    out: list[tuple[str, Page, int]] = []
    home = next((p for p in site.pages if p.kind == "home"), None)
    if home is not None:
        out.append(("program", home, 1))
    page_of = {id(p.obj): p for p in site.groups.get("guides", ())}
    for folder in site.folders:
        guides = [g for g in folder.guides if for_role(g.meta.audience, role)]
        folder_page = page_of.get(id(folder))
        if folder_page is not None and folder_page.kind != "folder":
            folder_page = None
        if folder_page is not None and guides:
            out.append(("guides", folder_page, 1))
        for g in guides:
            page = page_of[id(g)]
            out.append(("guides", page, 2 if folder_page is not None else 1))
    for page in site.groups.get("types", ()):
        out.append(("types", page, 1))
    for page in site.groups.get("milestones", ()):
        out.append(("milestones", page, 1))
    for page in site.groups.get("worksheets", ()):
        if for_role(page.obj.audience, role):
            out.append(("worksheets", page, 1))
    return out


def part_id(page: Page) -> str:
    """The anchor of a page's part: its URL as one word ('guides-getting-started-finding-a-mentor')."""
    return unquote(page.url.strip("/")).replace("/", "-") or "program"


def make_book(renderer, edition: Edition, *, pdf: bool = False, files: dict | None = None,
              parts: "Parts | None" = None) -> Book:
    """The book of an edition: each page's <main>, rewritten to live inside one page.

    pdf: links that leave the book become full addresses (or plain text without site.yml's
    url) and images under the base path are inlined from files (output path -> bytes or Path).
    parts: where the pages' <main> come from (by default, each page is rendered here)."""
    site = renderer.site
    renderer.rec.add(("book",))  # deps.BOOK_KEYS
    parts = parts or Parts(renderer)
    pages = book_pages(site, edition)
    inside = dict(parts.address(page) for _, page, _ in pages)
    t = renderer.t
    titles = {"program": t("print.program"), "guides": t("group.guides"), "types": t("group.types"),
              "milestones": t("group.milestones"), "worksheets": t("print.worksheets")}
    groups: dict[str, list[Part]] = {}
    for group, page, depth in pages:
        title = site.program.name if page.kind == "home" else page.title
        if pdf:
            html = parts.pdf_html(page, files or {})
            url, ident = parts.address(page)
            part = Part(ident, title, page.kind, depth, html if isinstance(html, Markup) else Markup(html), url)
        else:
            part = parts.part(page, inside, title, depth)
        groups.setdefault(group, []).append(part)
    return Book(edition, tuple(Group(f"book-{g}", titles[g], tuple(groups[g])) for g in _BOOK_KEYS if g in groups))


class Parts:
    """The parts of the books of one build: each page's <main>, rewritten to live inside a book.

    A part is rewritten once for all the editions (a role's pack differs from the whole book only
    where a part links to a page that the pack leaves out; such a part is rewritten for the pack)
    and kept in memo (a PartsMemo, kept between builds). main_of(page) gives a page's HTML as
    rendered in this build, or as the last build wrote it, or None: the page is then rendered
    here, recording what it reads. kept_stat(page) is the (size, mtime) of the file of a page that
    this build keeps as it is: its part is then known without reading it."""

    def __init__(self, renderer, main_of=None, memo: "PartsMemo | None" = None, kept_stat=None):
        from mentorsite.deps import digest

        self.renderer = renderer
        self.config = renderer.site.config
        self._html_of = main_of
        self._kept_stat = kept_stat or (lambda page: None)
        self.memo = memo if memo is not None else PartsMemo(None)
        self.inside = {renderer.url(page.url): part_id(page) for _, page, _ in book_pages(renderer.site, Edition())}
        self.key = digest(self.config.base_path, self.config.url, sorted(self.inside.items()))
        self.mains: dict[str, str] = {}
        self._pdf: dict[str, str] = {}
        self.ready: dict[str, tuple] = {}  # entries made where their pages were rendered (see made)
        self._parts: dict[str, tuple] = {}  # page output -> (its entry, its Part, in every edition of this build)
        self._addresses: dict[str, tuple] = {}  # page output -> (URL, part id)

    def main(self, page: Page) -> str:
        """The page's <main>."""
        main = self.mains.get(page.url)
        if main is None:
            html = self._html_of(page) if self._html_of else None
            if html is None:
                html = self.renderer.render_page(page).decode("utf-8")
            main = self.mains[page.url] = _main_of(html)
        return main

    def address(self, page: Page) -> tuple[str, str]:
        """(the page's URL under the base path, its part's id)."""
        known = self._addresses.get(page.output)
        if known is None:
            known = self._addresses[page.output] = (self.renderer.url(page.url), part_id(page))
        return known

    def part(self, page: Page, inside: dict[str, str], title: str, depth: int) -> Part:
        """The page's Part in a book made of the pages in inside (path -> part id)."""
        entry = self._entry(page)
        url, ident = self.address(page)
        if len(inside) == len(self.inside) or entry[4].issubset(inside.values()):
            # the same Part for every edition of this build (its html a copy of the memo's string)
            known = self._parts.get(page.output)
            if known is None or known[0] is not entry or known[1].title != title or known[1].depth != depth:
                known = self._parts[page.output] = (entry, Part(ident, title, page.kind, depth, Markup(entry[3]), url))
            return known[1]
        html = _Rewriter(self.config, inside, pdf=False, files={}).rewrite(self.main(page), ident)
        return Part(ident, title, page.kind, depth, Markup(html), url)

    def release(self) -> None:
        """Let the Parts go (the print pages are made)."""
        self._parts.clear()

    def made(self, page: Page, html: bytes) -> tuple:
        """The entry of a page just rendered (in a worker: the rewriting is spread over the cores)."""
        main = _main_of(html.decode("utf-8"))
        rewriter = _Rewriter(self.config, self.inside, pdf=False, files={})
        return (self.key, None, _mark(main), rewriter.rewrite(main, part_id(page)), frozenset(rewriter.linked))

    def take(self, page: Page, entry: tuple) -> None:
        """An entry made by made(), in the parent process."""
        known = self.memo.get(page.output)
        if known is None or known[:1] + known[2:] != entry[:1] + entry[2:]:
            self.memo.put(page.output, entry)
        self.ready[page.output] = self.memo.get(page.output)
        self.memo.fresh.add(page.output)  # made from the page's file of this build

    def kept_entry(self, page: Page) -> tuple | None:
        """The entry of a page this build keeps as it is, when the memo's is known to be of its
        file (made where an earlier build rendered it: a preview's step before its print pages)."""
        entry = self.memo.get(page.output)
        if entry is not None and entry[0] == self.key and entry[1] is not None and entry[1] == self._kept_stat(page):
            return entry
        return None

    def _entry(self, page: Page) -> tuple:
        """(key, stat, digest of the <main>, the part, the parts it links to) of a page."""
        if page.output in self.ready:
            self.memo.fresh.add(page.output)
            return self.ready[page.output]
        entry = self.memo.get(page.output)
        if entry is not None and entry[0] == self.key:
            stat = self._kept_stat(page)
            if stat is not None and entry[1] == stat:
                return entry
        main = self.main(page)
        mark = _mark(main)
        if entry is None or entry[0] != self.key or entry[2] != mark:
            rewriter = _Rewriter(self.config, self.inside, pdf=False, files={})
            entry = (self.key, None, mark, rewriter.rewrite(main, part_id(page)), frozenset(rewriter.linked))
            self.memo.put(page.output, entry)
        self.memo.fresh.add(page.output)  # made from the page's file of this build
        return entry

    def pdf_html(self, page: Page, files: dict) -> str:
        """The page's part in a handbook PDF (the same in every edition: it links to the site)."""
        if page.url not in self._pdf:
            rewriter = _Rewriter(self.config, self.inside, pdf=True, files=files)
            self._pdf[page.url] = rewriter.rewrite(self.main(page), part_id(page))
        return self._pdf[page.url]


def _mark(main: str) -> bytes:
    import hashlib

    return hashlib.blake2b(main.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class PartsMemo:
    """The print edition's parts of the last build, beside the build cache (read only when a print
    page is rendered): output path -> (key, stat of the page's file, digest of its <main>, part,
    linked parts). An entry is used only if its page's file is the one the entry was made from,
    or its <main> has the same digest, so a stale memo costs time, never correctness."""

    _HEADER = ("mentorsite-parts-memo", 4)

    def __init__(self, path: Path | None):
        self.path = path
        self._entries: dict | None = None if path is not None else {}
        self.changes: dict = {}  # since the file was read: key -> entry, or None when removed
        self._sizes: tuple[int, int] | None = None  # of the file as read (cache.read_log)
        self.fresh: set[str] = set()  # entries made, or checked, from this build's pages

    @property
    def entries(self) -> dict:
        if self._entries is None:
            from mentorsite.cache import read_log

            found = read_log(self.path, self._HEADER)  # missing, truncated or damaged: start afresh
            self._entries, self._sizes = (found[0], found[1:]) if found is not None else ({}, None)
        return self._entries

    def get(self, output: str):
        return self.entries.get(output)

    def put(self, output: str, entry: tuple) -> None:
        self.entries[output] = self.changes[output] = entry

    def settle(self, stats: dict, live: set) -> None:
        """After a build: the pages' files (output -> stat), and the pages there are. An entry
        made or checked in this build is known by its file from now on."""
        fresh, self.fresh = self.fresh, set()
        if self._entries is None:
            return
        for key in set(self._entries):
            if (key[1] if isinstance(key, tuple) else key) not in live:  # (a print page's ("book", output))
                del self._entries[key]
                self.changes[key] = None
        for output in fresh:
            entry, stat = self._entries.get(output), stats.get(output)
            if entry is not None and stat is not None and entry[1] != stat:
                self.put(output, (entry[0], stat, *entry[2:]))

    def save(self) -> None:
        """Write the memo (only its changes, mostly: cache.append_log), if it changed."""
        from mentorsite.cache import append_log

        if self.path is None or not self.changes or self._entries is None:
            return
        self._sizes = append_log(self.path, self._HEADER, self._entries, self.changes, self._sizes)
        self.changes = {}


def print_context(renderer, page: Page) -> dict:
    """What templates/print.html sees: the book, the PDF's link and the page's title in the site's language."""
    edition: Edition = page.obj
    book = make_book(renderer, edition, parts=getattr(renderer, "parts", None))
    title = renderer.t("print.role_title", role=edition.role_title) if edition.role else renderer.t("print.title")
    return {
        "page": dataclasses.replace(page, title=title),
        "book": book,
        "cover": cover(renderer.site, edition, renderer.t),
        "pdf_url": renderer.url(pdf_name(edition)),
        # base.html loads worksheet.js when the content has a worksheet's form: only that is told
        # here (the book is in `book`; a copy of all of it would double a big handbook's memory)
        "content": Markup(" data-worksheet=") if any("data-worksheet=" in p.html for p in book.parts) else Markup(""),
    }


# ---------------------------------------------------------------- a print page, quickly
#
# A print page is the whole book inside the site's page: at 1,000 guides, 7 MB made of a
# thousand parts and, around them, a contents list, the parts' headings and the page's chrome.
# When one guide changes, only its part does: the page around the parts is kept (in the parts
# memo) as the segments between them, and the page is joined again from those and the parts,
# without running the templates. It is rendered once with a mark in place of each part; the
# segments are kept only when the built-in templates lay the book out (they print each part as
# it is, once, in order: a theme's own print.html or print-book.html could do more with one).

_PART_MARK = re.compile("\x00BOOK-PART-([0-9]+)\x01")
BOOK_TEMPLATES = ("print.html", "partials/print-book.html")


def book_pieces(renderer, page: Page, template, context: dict, memo: "PartsMemo", digest_of):
    """The strings a print page is made of, in order (the segments around the parts, and the
    parts), or None when the page is to be rendered as any other (a theme lays the book out).

    The segments are kept with what they were made from: the digests of the keys the page read
    (but the book's own, ("book",): every guide's change is one of its) and the shape of the book
    (its groups, parts' ids, titles, kinds, depths and addresses) and of the rest of the page's
    context. They are used again only if all of that is the same."""
    if not _builtin_book(renderer):
        return None
    book = context["book"]
    parts = book.parts
    shape = _shape(context)
    slot = ("book", page.output)
    stored = memo.get(slot)
    if stored is not None and stored[0] is not None and stored[0] == _segments_key(stored[1], shape, digest_of):
        for key in stored[1]:
            renderer.rec.add(key)
        return _Interleaved(_unpack(stored[2]), parts)
    count = iter(range(len(parts)))
    marked = Book(book.edition, tuple(
        Group(g.id, g.title, tuple(dataclasses.replace(p, html=Markup(f"\x00BOOK-PART-{next(count)}\x01")) for p in g.parts))
        for g in book.groups))
    pieces = _PART_MARK.split(template.render(dict(context, book=marked)))
    segments = pieces[0::2]
    if pieces[1::2] != [str(i) for i in range(len(parts))]:
        return None
    own = frozenset(renderer.rec.keys or ())
    if any("\x00" in segment for segment in segments):  # (a NUL from the data: they could not be packed)
        return _Interleaved(segments, parts)
    memo.put(slot, (_segments_key(own, shape, digest_of), own, _pack(segments)))
    return _Interleaved(segments, parts)


def _pack(segments: list[str]) -> bytes:
    """Segments, compressed (they are kept for every print page; most of them is markup that
    repeats), joined by NUL (book_pieces packs none that holds one)."""
    import zlib

    return zlib.compress("\x00".join(segments).encode("utf-8"), 1)


def _unpack(packed: bytes) -> list[str]:
    import zlib

    return zlib.decompress(packed).decode("utf-8").split("\x00")


def _builtin_book(renderer) -> bool:
    known = getattr(renderer, "builtin_book", None)
    if known is None:
        from mentorsite.theme import default_theme_dir

        env = renderer.env
        folder = str(default_theme_dir() / "templates")
        try:
            known = all(Path(env.loader.get_source(env, name)[1]).parent.is_relative_to(folder) for name in BOOK_TEMPLATES)
        except jinja2.TemplateNotFound:
            known = False
        renderer.builtin_book = known
    return known


def _shape(context: dict) -> tuple:
    book = context["book"]
    groups = tuple((g.id, g.title, tuple((p.id, p.title, p.kind, p.depth, p.url) for p in g.parts)) for g in book.groups)
    return (book.edition, groups, tuple((k, v) for k, v in sorted(context.items()) if k != "book"))


def _segments_key(keys, shape: tuple, digest_of) -> str | None:
    from mentorsite.deps import digest

    values = []
    for key in sorted(keys, key=repr):
        if key[0] != "book":
            value = digest_of(key)
            if value is None:
                return None
            values.append((key, value))
    return digest(shape, tuple(values))


class _Interleaved:
    """The strings of a print page: its segments and parts in turn. As they are written, where
    each part's bytes stand in the page is noted (ids, and the start and end of each part in
    positions), so that the next build can put a part in place in the page's file (patch_book)."""

    def __init__(self, segments, parts):
        self.segments, self.parts = segments, parts
        self.ids = tuple(part.id for part in parts)
        self.positions = array("q")

    def __iter__(self):
        segments, positions = self.segments, self.positions
        pos = _size(segments[0])
        yield segments[0]
        for part, segment in zip(self.parts, segments[1:]):
            size = _size(part.html)
            positions.append(pos)
            positions.append(pos + size)
            pos += size + _size(segment)
            yield part.html  # (a Markup: str() of it would copy it)
            yield segment


def _size(text: str) -> int:
    """The length of text in UTF-8."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def remember_offsets(memo: "PartsMemo", page: Page, pieces, stat: tuple | None) -> None:
    """After a print page is written from pieces: where its parts stand in its file (of that
    stat), for patch_book. (The parts' ids are kept apart: they change only with the book's
    shape, and the memo is a log to which each build adds what it changed.)"""
    if isinstance(pieces, _Interleaved) and stat is not None and len(set(pieces.ids)) == len(pieces.ids):
        memo.put(("offsets", page.output), (stat, pieces.positions.tobytes()))
        if memo.get(("offset-ids", page.output)) != pieces.ids:
            memo.put(("offset-ids", page.output), pieces.ids)
    elif memo.get(("offsets", page.output)) is not None:
        memo.put(("offsets", page.output), None)


def patch_book(renderer, page: Page, into: Path, memo: "PartsMemo", digest_of, old, book: dict, kept=None):
    """A print page made from its file of the last build, when what changed since is only the
    bodies of some of its pages (keys ("doc", ...) that the page around the book did not read):
    the parts of those pages, rendered in this build, are put in place of theirs; the rest of
    the file is copied as it is (in the kernel). old: (the file, the stat and the key digests the
    last build recorded for the page); book: part id -> (the keys its page read as last rendered,
    its entry (Parts) if it was rendered in this build, else None, the page), for the pages of the
    whole book. kept(page): the entry of a page not rendered in this build whose part changed
    since the print page was made (Parts.kept_entry), or None. Returns the stat of the new file,
    or None when the page is to be made in full (always correct)."""
    from mentorsite.render import _write_spooled, spool_file

    path, stat, deps = old
    stored = memo.get(("offsets", page.output))
    ids = memo.get(("offset-ids", page.output))
    segments = memo.get(("book", page.output))
    if stored is None or ids is None or stat is None or stored[0] != stat or segments is None or not _builtin_book(renderer):
        return None
    positions = array("q")
    positions.frombytes(stored[1])
    if len(positions) != 2 * len(ids):
        return None
    changed = {key for key, value in deps.items() if digest_of(key) != value}
    if not changed or any(key[0] != "doc" for key in changed) or changed & set(segments[1]):
        return None
    new, book_ids = {}, set(ids)
    for ident in ids:
        known = book.get(ident)
        if known is None:
            return None  # (the book's shape changed: then a key other than a body's did too)
        keys, entry, part = known
        if entry is None and any(key in keys for key in changed):
            # its part changed, but in an earlier build (a preview's deferred print page)
            entry = kept(part) if kept is not None else None
            if entry is None:
                return None
        if entry is None:
            continue  # unchanged: copied from the file as it is
        if not entry[4].issubset(book_ids):
            return None  # it links to a page this book leaves out: rewritten for the book
        new[ident] = entry[3].encode("utf-8", "surrogatepass")
    try:
        fd_in = os.open(path, os.O_RDONLY)
    except OSError:
        return None  # gone (the output folder was deleted): made in full
    try:
        st = os.fstat(fd_in)
        if (st.st_size, st.st_mtime_ns) != stored[0]:
            return None  # not the file the offsets are of
        with open(spool_file(into), "wb", buffering=0) as out:  # (a full disk: SpoolError, as for any page)
            pos, shift, moved = 0, 0, array("q")
            for i, ident in enumerate(ids):
                start, end = positions[2 * i], positions[2 * i + 1]
                data = new.get(ident)
                if data is None:
                    moved.append(start + shift)
                    moved.append(end + shift)
                    continue
                _copy_range(fd_in, out, pos, start - pos, into)
                _write_spooled(out, data, into)
                moved.append(start + shift)
                moved.append(start + shift + len(data))
                shift += len(data) - (end - start)
                pos = end
            _copy_range(fd_in, out, pos, stat[0] - pos, into)
            st = os.fstat(out.fileno())
    finally:
        os.close(fd_in)
    memo.put(("offsets", page.output), ((st.st_size, st.st_mtime_ns), moved.tobytes()))
    return st.st_size, st.st_mtime_ns


def _copy_range(fd_in: int, out, offset: int, count: int, path: Path) -> None:
    """count bytes of fd_in from offset, appended to the file out (copy_file_range where the
    system has it, else read and written as any spooled page)."""
    from mentorsite.render import _write_spooled

    while count > 0:
        try:
            done = os.copy_file_range(fd_in, out.fileno(), count, offset)
        except (AttributeError, OSError):
            done = 0
        if done <= 0:  # not supported here (or at the end): read and write
            data = os.pread(fd_in, min(count, 1 << 20), offset)
            if not data:
                raise OSError(f"{count} bytes missing at the end of a print page")
            _write_spooled(out, data, path)
            done = len(data)
        offset += done
        count -= done


def cover(site, edition: Edition, t) -> dict:
    """The cover's words: the kicker, the cohort and its dates."""
    from mentorsite.schedule import site_schedule
    import datetime as dt

    config = site.config
    start = config.cohort.start
    dates = ""
    if start:
        last = site_schedule(site).last_day
        end = start + dt.timedelta(days=int(last))
        dates = t("print.cohort_dates", start=_date(start, config.language), end=_date(end, config.language))
    role_lower = edition.role_title.lower()
    return {
        "kicker": t("print.role_kicker", role=edition.role_title, role_lower=role_lower) if edition.role else t("print.kicker"),
        "cohort": t("print.cohort", name=config.cohort.name) if config.cohort.name else "",
        "dates": dates,
    }


def _date(day, language: str) -> str:
    from mentorsite.i18n import format_date

    return format_date(day, language)


# ---------------------------------------------------------------- the PDF
#
# A handbook PDF is put together from its parts: each part (one page of the site) is its own
# small PDF, rendered in the process pool and kept in the PDF store by the digest of its HTML,
# so an edit to one guide renders that guide's pages again, not the whole book, and the role
# packs reuse the whole book's parts. The parts are then joined with pypdf behind a cover and
# contents rendered last, when the page where each part starts is known; the page numbers at
# the foot of each page and the bookmarks (the groups, the parts, the headings each part's
# own PDF has from CSS bookmark-level) are added in the same pass. Running headers are set by
# CSS string-set in each part. A link from one part to another points at the site.


@dataclass(frozen=True, slots=True)
class _Planned:
    """One part of a handbook PDF: where it sits, and the digest of its PDF."""

    group: str
    group_title: str
    id: str
    title: str
    depth: int
    key: str
    url: str  # where the part is on the site: links to it in other parts are made to point at its page


@dataclass
class Books:
    """The handbook PDFs of a build: the parts to render, then the books put together from them."""

    jobs: list  # PdfJobs of the parts to render (outputs under PART_DIR, not written to the site)
    plans: dict  # book output -> (final key, front HTML maker, [_Planned]) for the books to put together
    ready: dict  # book output -> a stored PDF (inputs unchanged)
    memo_updates: dict
    made: int = 0
    cached: int = 0
    parts_made: int = 0
    parts_cached: int = 0

    def finish(self, files: dict, store=None, memo: dict | None = None) -> dict:
        """Take the parts out of files (the PDF step's), put the books together; book output -> PDF."""
        parts = {}
        for name in [n for n in files if n.startswith(PART_DIR)]:
            parts[name[len(PART_DIR):-4]] = files.pop(name)
        out = dict(self.ready)
        readers: dict = {}  # a part's PDF, read once for every book it is in
        for output, (key, front, planned) in self.plans.items():
            kept = store.get(key) if store else None
            if kept is not None:
                out[output] = kept
                self.cached += 1
                continue
            data, front_pages = _join(front, planned, parts, readers, (memo or {}).get("front:" + output, 0), store)
            self.memo_updates["front:" + output] = front_pages
            if store:
                store.put(key, data)
            out[output] = data
            self.made += 1
        self.cached += len(self.ready)
        if memo is not None:
            memo.update(self.memo_updates)
        return out


PART_DIR = ".handbook-parts/"


def book_jobs(site, env, *, memo: dict | None = None, page_deps=None, store=None, main_of=None) -> Books:
    """The handbook PDFs of a site: the parts to render (PdfJobs) and how to join them.

    A warm build makes no HTML at all: page_deps(output) gives the print page's dependencies
    with their digests (what the book is made of); when memo (kept in the build cache) knows the
    PDF made from the same inputs (those, the stylesheets, the PDF templates, the assets) and
    the store still has it, that PDF is used as it is. main_of(page) gives a page's HTML as
    rendered in this build, if it has it."""
    from mentorsite import __version__
    from mentorsite.cache import file_stat
    from mentorsite.pdf import _CODE, PdfJob, _digest, _version, weasyprint_version
    from mentorsite.render import Renderer, template_error
    from mentorsite.theme import static_files

    books = Books(jobs=[], plans={}, ready={}, memo_updates={})
    site_url = site.config.url.rstrip("/") + "/" if site.config.url else ""
    editions = [p for p in site.pages if p.kind == "print"]
    if not editions:
        return books
    static = static_files(env.globals["theme_dirs"])
    css = "\n".join(_read(static[name]) for name in ("static/site.css", "static/print.css", "static/book.css") if name in static)
    versions = (__version__, _CODE, weasyprint_version(), _version("pydyf"), "handbook-pdf-2")
    source = site.config.loc.path if site.config.loc else Path("site.yml")
    renderer = template = None
    parts_seen: dict[str, object] = {}
    parts = None
    for page in editions:
        edition: Edition = page.obj
        output = pdf_name(edition)
        inputs = None
        deps = page_deps(page.output) if memo is not None and page_deps is not None else None
        if deps and None not in deps.values():
            inputs = _digest(*versions, repr(sorted(deps.items())), css, repr([(rel, file_stat(path)) for rel, path in site.assets]),
                             *(_template_source(env, name) for name in (PDF_TEMPLATE, "pdf/handbook.css")))
            known = memo.get(page.output)
            kept = store.get(known[1]) if known and known[0] == inputs and store is not None else None
            if kept is not None:
                books.ready[output] = kept
                continue
        if renderer is None:
            renderer = Renderer(site, env)
            parts = Parts(renderer, main_of)
            try:
                template = env.get_template(PDF_TEMPLATE)
            except jinja2.TemplateError as e:
                raise template_error(e, site.config.root) from None
        files = {**static, **{"assets/" + rel: path for rel, path in site.assets}}
        book = make_book(renderer, edition, pdf=True, files=files, parts=parts)
        planned = []
        for group in book.groups:
            for i, part in enumerate(group.parts):
                try:
                    html = template.render(book=book, group=group, part=part, first=i == 0, front=None,
                                           stylesheet=Markup(css), page=page, item=edition)
                except jinja2.TemplateError as e:
                    raise template_error(e, site.config.root) from None
                key = _digest(*versions, "part", html)
                planned.append(_Planned(group.id, group.title, part.id, part.title, part.depth, key,
                                        site_url + part.url[len(site.config.base_path):] if site_url else ""))
                if key not in parts_seen:
                    parts_seen[key] = PdfJob(output=f"{PART_DIR}{key}.pdf", html=html, source=source, key=key, forms=False)

        def front(numbers: dict, book=book, edition=edition, page=page) -> str:
            try:
                return template.render(book=book, group=None, part=None, first=False, front=numbers,
                                       cover=cover(site, edition, renderer.t), stylesheet=Markup(css), page=page, item=edition)
            except jinja2.TemplateError as e:
                raise template_error(e, site.config.root) from None

        key = _digest(*versions, "book", front({}), *(p.key for p in planned), *(p.title for p in planned))
        books.plans[output] = (key, front, planned)
        if inputs is not None:
            books.memo_updates[page.output] = (inputs, key)
    # parts whose PDF the store has are not rendered again: make_pdfs takes them from it
    books.jobs = list(parts_seen.values())
    if store is not None:
        books.parts_cached = sum(1 for job in books.jobs if store.get(job.key) is not None)
    books.parts_made = len(books.jobs) - books.parts_cached
    return books


def _join(front, planned: list[_Planned], parts: dict, readers: dict, front_pages: int = 0,
          store=None) -> tuple[bytes, int]:
    """A handbook PDF: cover and contents, then every part, with page numbers and bookmarks; and
    how many pages the cover and contents took (the next build's first guess)."""
    from pypdf import PdfReader, PdfWriter

    for p in planned:
        if p.key not in readers:
            readers[p.key] = PdfReader(io.BytesIO(_data(parts[p.key])))
    # the contents give the page where each part starts: render them, count their pages, and
    # render again in the rare case that the numbers change how many pages the contents take
    front_pages = front_pages or 2 + len(planned) // 45  # the cover, and about 45 lines of contents a page
    for _ in range(3):
        numbers, page = {}, front_pages + 1
        for p in planned:
            numbers.setdefault(p.group, page)
            numbers[p.id] = page
            page += len(readers[p.key].pages)
        data = _front_pdf(front(numbers), store)
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
    return buffer.getvalue(), front_pages


def _front_pdf(html: str, store) -> bytes:
    """The cover and contents as a PDF (kept in the store: an edit that moves no part's first page
    leaves them as they were)."""
    from mentorsite import __version__
    from mentorsite.pdf import _CODE, _digest, _render, weasyprint_version

    key = _digest(__version__, _CODE, weasyprint_version(), "handbook-front", html)
    kept = store.get(key) if store is not None else None
    if kept is not None:
        return kept.read_bytes()
    data, _seconds, error = _render(html, False)
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
    from urllib.parse import urldefrag

    from pypdf.generic import ArrayObject, NameObject

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
    from pypdf.generic import ArrayObject, DictionaryObject, NameObject, StreamObject

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


def _template_source(env, name: str) -> str:
    try:
        return env.loader.get_source(env, name)[0]
    except jinja2.TemplateNotFound:
        return ""


def _read(path) -> str:
    return Path(path).read_text(encoding="utf-8")


# ---------------------------------------------------------------- cutting and rewriting HTML


# In a part, the tags that can need rewriting: those with an attribute value. Comments and the
# bodies of <script> and <style> are skipped (a browser reads no tags there). See htmlscan.py.
_REWRITE = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)(?=[\s/>])(" + ATTRS + r")>.*?(?:</\1\s*>|\Z)"
                      r"|<([a-zA-Z][^\s/>]*)(\s[^>\"'=]*=" + ATTRS + r")>", re.S | re.I)
_MAIN = re.compile(r"<!--.*?(?:-->|\Z)|<(script|style)\b" + ATTRS + r">.*?(?:</\1\s*>|\Z)|<(/?)main\b" + ATTRS + ">",
                   re.S | re.I)


def _main_of(page_html: str) -> str:
    """What is inside the page's <main> element."""
    depth = 0
    start = None
    for m in _MAIN.finditer(page_html):
        closing = m.group(2)
        if closing is None:
            continue  # a comment, script or style
        if not closing:
            if depth == 0:
                start = m.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                return page_html[start:m.start()]
    return ""


class _Rewriter:
    """Prefixes ids and points links at parts of the book (mdBook's print page does the same)."""

    def __init__(self, config, inside: dict[str, str], *, pdf: bool, files: dict):
        self.base = config.base_path
        self.inside = inside  # page path under the base ('/mentoring/guides/x/') -> part id
        self.pdf = pdf
        self.files = files
        self.site_url = config.url.rstrip("/") + "/" if config.url else ""
        self._data: dict[str, str] = {}
        self.linked: set[str] = set()  # the parts the rewritten HTML links to

    def rewrite(self, text: str, prefix: str) -> str:
        """text (one part's HTML) with its ids prefixed and its links pointing inside the book."""
        out = []
        last = 0
        for m in _REWRITE.finditer(text):
            if m.group(3):
                tag, attrs = m.group(3), m.group(4)
                start, end = m.span()
            elif m.group(1) and "=" in m.group(2):  # a script or style: its start tag only
                tag, attrs = m.group(1), m.group(2)
                start = m.start()
                end = start + len(tag) + len(attrs) + 2
            else:
                continue
            tag = tag.lower()
            new = self._attrs(tag, attributes(attrs), prefix)
            if new is None:
                continue
            out.append(text[last:start])
            out.append(_start_tag(tag, new, attrs.endswith("/")))
            last = end
        out.append(text[last:])
        return "".join(out)

    def _attrs(self, tag: str, attrs: list, prefix: str) -> list | None:
        changed = False
        new = []
        for name, value in attrs:
            if value is not None:
                replaced = self._value(tag, name, value, prefix)
                if replaced is None:  # drop the attribute (a link that cannot work in a PDF)
                    changed = True
                    continue
                if replaced != value:
                    changed = True
                    value = replaced
            new.append((name, value))
        return new if changed else None

    def _value(self, tag: str, name: str, value: str, prefix: str) -> str | None:
        if name == "id":
            return f"{prefix}--{value}"
        if name in _ID_REFS:
            ids = value.split() if _ID_REFS[name] else [value]
            return " ".join(f"{prefix}--{v}" for v in ids)
        if name == "href" and tag in ("a", "area"):
            return self._href(value, prefix)
        if name == "src" and self.pdf and tag in ("img", "source", "video", "audio"):
            return self._inline(value)
        return value

    def _href(self, value: str, prefix: str) -> str | None:
        if value.startswith("#"):
            return f"#{prefix}--{value[1:]}" if len(value) > 1 else f"#{prefix}"
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return value  # another site, mailto:, or relative (the templates write absolute paths)
        target = self.inside.get(parts.path)
        if target is not None and not (self.pdf and target != prefix):  # a PDF holds one part: others are on the site
            self.linked.add(target)
            return f"#{target}--{parts.fragment}" if parts.fragment else f"#{target}"
        if not self.pdf:
            return value
        if not parts.path.startswith(self.base):
            return None
        if not self.site_url:
            return None  # a PDF cannot follow a path without the site's address
        rest = value[len(self.base):]
        return self.site_url + rest

    def _inline(self, value: str) -> str:
        """An image under the base path as a data: URI, so the PDF needs no server."""
        parts = urlsplit(value)
        if parts.scheme or not parts.path.startswith(self.base):
            return value
        rel = unquote(parts.path[len(self.base):])
        if rel in self._data:
            return self._data[rel]
        content = self.files.get(rel)
        if content is None or not isinstance(content, (bytes, Path)):
            return value
        data = content.read_bytes() if isinstance(content, Path) else content
        kind = mimetypes.guess_type(posixpath.basename(rel))[0] or "application/octet-stream"
        self._data[rel] = f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"
        return self._data[rel]


def _start_tag(tag: str, attrs: list, self_closing: bool) -> str:
    parts = [tag]
    for name, value in attrs:
        parts.append(name if value is None else f'{name}="{htmllib.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + (" />" if self_closing else ">")


def for_link_check(outputs: dict, config, jobs: int = 1) -> tuple[dict, list]:
    """The outputs as the link check should see them, and the problems of the print pages.

    Everything in a print page comes from the other pages, where each link is checked and its
    problem reported at its source: the check sees the print pages as pages without links (so
    that links to them resolve and they count as reached), and only what the print edition
    adds is checked here: that every link inside a print page finds its target on the page."""
    from mentorsite.errors import SiteError
    from mentorsite.links import scan_all

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
