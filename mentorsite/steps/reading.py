"""What the build keeps of a rendered page: one reading of its HTML (htmlread.py), where the page
was rendered, gives its search entry and its part of the print edition. The search and print
steps gather them from the build state; the page is never read again."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from mentorsite.errors import Loc, SiteError
from mentorsite.htmlread import HtmlPage
from mentorsite.site.model import Page
from mentorsite.sources.theme import static_files
from mentorsite.steps.book import BookMap, BookPart, make_part
from mentorsite.steps.search import INDEXED_KINDS, SearchEntry, search_entry


# The PDFs lay out nested elements recursively (WeasyPrint): pages nest far less in practice, and
# browsers stop nesting at 512 (Chromium). steps/pdf.py gives its workers the stack this needs.
MAX_DEPTH = 250


@dataclass(frozen=True, slots=True)
class Reading:
    """What a page's reading found: its search entry (indexed pages), its part (book pages), and
    the digest of each, which the keys ("search", output) and ("part", output) stand for; for
    `check`, the ids and links of every page."""

    search: SearchEntry | None = None
    part: BookPart | None = None
    search_digest: str = ""
    part_digest: str = ""
    ids: frozenset = frozenset()
    links: tuple = ()


@dataclass(frozen=True, slots=True)
class PageReader:
    """What to take from each page of a site (made once per build, before the pages render)."""

    search: bool
    book: BookMap | None
    language: str = "en"  # (the site's: how its words are stemmed)
    check: bool = False  # `check`'s: the ids and links of every page too

    @classmethod
    def of(cls, site, env, *, search: bool, check: bool = False) -> "PageReader":
        files = {**static_files(env.globals["theme_dirs"]), **{"assets/" + rel: path for rel, path in site.assets}}
        book = BookMap.of(site, files)
        return cls(search=search, book=book if book.pages else None, language=site.config.language, check=check)

    def read(self, page: Page, html: bytes) -> Reading | None:
        """A page's reading (None when nothing is taken from it)."""
        indexed = self.search and page.kind in INDEXED_KINDS
        in_book = self.book is not None and page.output in self.book.pages
        if not (indexed or in_book or self.check):
            return None
        doc = HtmlPage(html)
        if in_book and doc.deeper_than(MAX_DEPTH):
            source = getattr(page.obj, "source", None)
            raise SiteError(Loc(source, 1, 1) if source else None,
                            f"this page nests HTML elements more than {MAX_DEPTH} deep, more than the print edition "
                            "and its PDFs can lay out — close the <div>s (or lists, quotes) it opens, or nest them less")
        entry = search_entry(page, doc.text(), self.language) if indexed else None
        part = make_part(doc, page, self.book) if in_book else None
        return Reading(entry, part,
                       _digest(entry.title, entry.text, *entry.terms, entry.weights, *entry.stems) if entry else "",
                       _digest(part.html, *sorted(part.roles.items()), part.pdf, *sorted(part.links)) if part else "",
                       doc.ids() if self.check else frozenset(), doc.links() if self.check else ())


def _digest(*values) -> str:
    h = hashlib.blake2b(digest_size=16)
    for value in values:
        h.update(value if isinstance(value, bytes) else repr(value).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()
