"""The print edition's book: which pages it holds, in which order, and how a page becomes a part.

A book is made of parts in the site's reading order: the program (the home page), every guide
(folders first, as in the menu), every mentoring type, every milestone template, and the
worksheets at the end; a role's pack holds only the guides and worksheets whose audience
includes the role (no audience means everyone). Each part is its page's <main>, taken where the
page was rendered (steps/pages.py), then rewritten as mdBook's print page does: every id gets the
part's prefix so ids stay unique, and a link to a page of the book, or to a heading in it, points
inside the book instead. The handbook PDF's version of a part (pdf=True) keeps one part per
document: its links to other pages lead to the site, and its images are files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markupsafe import Markup

from mentorsite.htmlread import url_of
from mentorsite.site.model import Edition, Page

# Attributes that hold one id, or a space-separated list of ids, of the same document.
_ID_REFS = {"for": False, "aria-labelledby": True, "aria-describedby": True, "aria-controls": True,
            "aria-owns": True, "headers": True, "list": False, "form": False}
GROUPS = ("program", "guides", "types", "milestones", "worksheets")


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


@dataclass(frozen=True, slots=True)
class Place:
    """A page's place in a book: its group, the page, its depth."""

    group: str
    page: Page
    depth: int


def pdf_name(edition: Edition) -> str:
    """The PDF of an edition: handbook.pdf, handbook-<role>.pdf."""
    return f"handbook-{edition.role}.pdf" if edition.role else "handbook.pdf"


def for_role(audience, role: str) -> bool:
    """Whether something with this audience goes into the role's pack (no audience: everyone's)."""
    return not role or not audience or role in audience


def book_pages(site, edition: Edition) -> list[Place]:
    """Every page of an edition, in reading order."""
    role = edition.role
    out: list[Place] = []
    home = next((p for p in site.pages if p.kind == "home"), None)
    if home is not None:
        out.append(Place("program", home, 1))
    page_of = {id(p.obj): p for p in site.groups.get("guides", ())}
    for folder in site.folders:
        guides = [g for g in folder.guides if for_role(g.meta.audience, role)]
        folder_page = page_of.get(id(folder))
        if folder_page is not None and folder_page.kind != "folder":
            folder_page = None
        if folder_page is not None and guides:
            out.append(Place("guides", folder_page, 1))
        for g in guides:
            out.append(Place("guides", page_of[id(g)], 2 if folder_page is not None else 1))
    for page in site.groups.get("types", ()):
        out.append(Place("types", page, 1))
    for page in site.groups.get("milestones", ()):
        out.append(Place("milestones", page, 1))
    for page in site.groups.get("worksheets", ()):
        if for_role(page.obj.audience, role):
            out.append(Place("worksheets", page, 1))
    return out


def part_id(page: Page) -> str:
    """The anchor of a page's part: its URL as one word ('guides-getting-started-finding-a-mentor')."""
    return unquote(page.url.strip("/")).replace("/", "-") or "program"


def editions(site) -> list[Edition]:
    """The editions of the site's print pages: the whole handbook, then a pack per role."""
    return [p.obj for p in site.pages if p.kind == "print"]


@dataclass(frozen=True, slots=True)
class BookPart:
    """A page's part, as its page's reading made it: its HTML for the whole book, for the role
    packs that need their own (it links to a page they leave out), and for the handbook PDF;
    and the paths of the site's pages it links to (whether they are in a book or not)."""

    html: str
    roles: dict  # role -> HTML, for the packs that need their own
    pdf: str | None
    links: frozenset  # URL paths of the site's pages it links to

    def for_edition(self, role: str) -> str:
        """The part's HTML in an edition."""
        return self.roles.get(role, self.html)


@dataclass(frozen=True, slots=True)
class BookMap:
    """Which page is which part, in the whole book and in each pack: what rewriting a part needs
    (made once per build, before the pages render)."""

    base: str  # the site's base path
    site_url: str  # the site's address ending in '/', or ''
    inside: dict  # a page's URL path (under the base) -> its part's id, for the whole book
    roles: dict  # role -> the part ids of its pack
    pages: frozenset  # the outputs of the pages that are parts
    files: dict  # an output path -> its source file (the theme's static files, assets): images in PDFs
    pdf: bool  # whether the handbook PDFs are made (a part's PDF version is then wanted)

    @classmethod
    def of(cls, site, files: dict) -> "BookMap":
        """The map of a site's books (files: output path -> source file, for images)."""
        config = site.config
        whole = book_pages(site, Edition())
        roles = {e.role: frozenset(part_id(place.page) for place in book_pages(site, e)) for e in editions(site) if e.role}
        return cls(
            base=config.base_path,
            site_url=config.url.rstrip("/") + "/" if config.url else "",
            inside={config.base_path + place.page.url: part_id(place.page) for place in whole},
            roles=roles,
            pages=frozenset(place.page.output for place in whole) if editions(site) else frozenset(),
            files=files,
            pdf=bool(config.handbook_pdfs and editions(site)),
        )

    def links_key(self, links: frozenset) -> tuple:
        """What a part's HTML depends on besides its page: which of the pages it links to are in
        each book (the ("part-links", output) key's value)."""
        ids = {self.inside[url] for url in links if url in self.inside}
        return tuple((role, tuple(sorted(ids & self.roles[role] if role else ids))) for role in ("", *sorted(self.roles)))


class Rewriter:
    """How a page's <main> becomes its part: ids prefixed, links into the book (the edit given to
    htmlread.HtmlPage.rewrite_main). inside: the URL paths of the book's pages -> part ids."""

    def __init__(self, book: BookMap, prefix: str, inside: dict, *, pdf: bool = False):
        self.book, self.prefix, self.inside, self.pdf = book, prefix, inside, pdf
        self.links: set[str] = set()  # the site's pages the part links to (URL paths)

    def __call__(self, tag: str, attrs: dict) -> dict | None:
        """The new attributes of an element, or None when they stay as they are."""
        changed = False
        new = {}
        for name, value in attrs.items():
            if value is not None:
                replaced = self._value(tag, name, value)
                if replaced is None:  # drop the attribute (a link that cannot work in a PDF)
                    changed = True
                    continue
                if replaced != value:
                    changed = True
                    value = replaced
            new[name] = value
        return new if changed else None

    def _value(self, tag: str, name: str, value: str) -> str | None:
        prefix = self.prefix
        if name == "id":
            return f"{prefix}--{value}"
        if name in _ID_REFS:
            ids = value.split() if _ID_REFS[name] else [value]
            return " ".join(f"{prefix}--{v}" for v in ids)
        if name == "href" and tag in ("a", "area"):
            return self._href(value)
        if name == "src" and self.pdf and tag in ("img", "source", "video", "audio"):
            return self._file(value)
        return value

    def _href(self, value: str) -> str | None:
        prefix = self.prefix
        value = url_of(value)
        if value.startswith("#"):
            return f"#{prefix}--{value[1:]}" if len(value) > 1 else f"#{prefix}"
        parts = urlsplit(value)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            return value  # another site, mailto:, or relative (the templates write absolute paths)
        if parts.path.startswith(self.book.base):
            self.links.add(parts.path)
        target = self.inside.get(parts.path)
        if target is not None and not (self.pdf and target != prefix):  # a PDF holds one part: others are on the site
            return f"#{target}--{parts.fragment}" if parts.fragment else f"#{target}"
        if not self.pdf:
            return value
        if not parts.path.startswith(self.book.base) or not self.book.site_url:
            return None  # a PDF cannot follow a path without the site's address
        return self.book.site_url + value[len(self.book.base):]

    def _file(self, value: str) -> str:
        """An image under the base path as the file it is made from, so the PDF needs no server."""
        parts = urlsplit(value)
        if parts.scheme or not parts.path.startswith(self.book.base):
            return value
        source = self.book.files.get(unquote(parts.path[len(self.book.base):]))
        return Path(source).resolve().as_uri() if source is not None else value


def make_part(html_page, page: Page, book: BookMap) -> BookPart:
    """A page's part of the books, from the page's one reading (htmlread.HtmlPage)."""
    prefix = part_id(page)
    whole = Rewriter(book, prefix, book.inside)
    html = html_page.rewrite_main(whole)
    linked = {book.inside[url] for url in whole.links if url in book.inside}
    roles = {}
    for role, ids in book.roles.items():
        if not linked <= ids:  # it links to a page this pack leaves out: those links lead to the site
            inside = {url: ident for url, ident in book.inside.items() if ident in ids}
            roles[role] = html_page.rewrite_main(Rewriter(book, prefix, inside))
    pdf = html_page.rewrite_main(Rewriter(book, prefix, book.inside, pdf=True)) if book.pdf else None
    return BookPart(html, roles, pdf, frozenset(whole.links))


def make_book(site, edition: Edition, parts: dict, t, *, pdf: bool = False) -> Book:
    """The book of an edition: each page's part (parts: page output -> BookPart), as the print
    page shows it, or (pdf) as the handbook PDF does."""
    titles = {"program": t("print.program"), "guides": t("group.guides"), "types": t("group.types"),
              "milestones": t("group.milestones"), "worksheets": t("print.worksheets")}
    groups: dict[str, list[Part]] = {}
    base = site.config.base_path
    for place in book_pages(site, edition):
        page = place.page
        title = site.program.name if page.kind == "home" else page.title
        part = parts[page.output]
        html = part.pdf if pdf else part.for_edition(edition.role)
        groups.setdefault(place.group, []).append(
            Part(part_id(page), title, page.kind, place.depth, Markup(html), base + page.url))
    return Book(edition, tuple(Group(f"book-{g}", titles[g], tuple(groups[g])) for g in GROUPS if g in groups))
