"""The offline search index: a separate step after render, from the rendered pages' <main>.

The index is small, deterministic JSON served beside the pages (no request leaves the site):

    search/index.json      {"v": 2, "lang": "en", "docs": [[url, title, section], ...],
                            "terms": {"term": [doc, weight, doc, weight, ...], ...},
                            "stems": {"stem": ["term", ...], ...}, "suffixes": ["ed", "ing", ...]}
    search/text/<n>.json   the text of docs n*16 .. n*16+15, for excerpts: per doc a list of
                            [anchor, heading, text] parts, loaded only for the results shown

Terms are lowercased and stripped of accents ('reunión' -> 'reunion'); the browser matches a
query word against every term it starts ('mentor' finds 'mentors' and 'mentoring'). A word's
weight in a page counts its title, headings and URL above the body (see TITLE below).

Stems: in a language the theme speaks, the terms are grouped by their Snowball stem
(snowballstemmer, as Sphinx uses), and the index lists each group of two or more terms, and the
endings Snowball took off them. The browser takes a query word to its group — the group of the
term itself, or for a word no page has, of the longest stem it starts with followed by one of
those endings — so 'mentored' finds a page that says only 'mentoring'. See docs/search.md.
"""

from __future__ import annotations

import json
import os
import pickle
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path

from mentorsite.htmlscan import ATTRS, attributes
from mentorsite.model import Page
from mentorsite.write import Spooled

CHUNK = 16  # docs per text file
FORMAT = 2  # search/index.json's "v": 2 added the stems and their endings
# The Snowball stemmer of each language the default theme speaks (themes/default/i18n/).
STEMMERS = {"en": "english", "es": "spanish"}
MAX_ENDING = 7  # longer endings are left out of the index's list (they do not make a word guessable)
# A term's weight in a page: TITLE added when it is in the title, plus its count in the body, with
# a heading counting HEADING and a word of the page's URL SLUG (capped below TITLE).
TITLE, HEADING, SLUG = 100, 3, 2
MAX_WEIGHT = 2 * TITLE - 1
_WORD = re.compile(r"\w+", re.UNICODE)
INDEXED_KINDS = ("home", "guide", "folder", "type", "milestone", "worksheet")
_SKIP_TAGS = {"script", "style", "template", "noscript", "svg", "select", "textarea", "button"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


def fold(text: str) -> str:
    """Lowercase without accents: how terms are compared."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """The index terms of a text (words of two or more characters, folded)."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 or w.isdigit()]


@dataclass(slots=True)
class PageText:
    """The searchable text of one page: its title, and its parts under each heading."""

    title: str = ""
    parts: list[list[str]] = field(default_factory=list)  # [anchor, heading, text]
    headings: list[str] = field(default_factory=list)


# The tags and text of a page (see htmlscan.py): comments are dropped, a script's or style's
# body is text, and character references are decoded as a browser does.
_TOKEN = re.compile(r"<!--.*?(?:-->|\Z)|<![^>]*>|<\?[^>]*>|<(script|style)(?=[\s/>])(" + ATTRS + r")>(.*?)(?:</\1\s*>|\Z)"
                    r"|</([a-zA-Z][^\s/>]*)\s*>|<([a-zA-Z][^\s/>]*)(" + ATTRS + r")>", re.S | re.I)


_HEADINGS = frozenset(("h1", "h2", "h3"))
_SPACED = frozenset(("p", "li", "td", "th", "dt", "dd", "div", "br", "section", "article", "label", "legend", "figcaption"))
# the text after a tag's name that may mark it skipped (data-search-ignore, class visually-hidden,
# or an attribute with a character reference): its attributes are then read in full
_MAY_SKIP = re.compile(r"search-ignore|visually-hidden|&", re.I).search


class _MainText:
    """Collect the text of <main>, split at headings; skip navigation, forms' controls, scripts and
    anything marked data-search-ignore."""

    def __init__(self) -> None:
        self.out = PageText()
        self.depth = 0  # inside <main> when > 0
        self.skip: list[str] = []  # open tags whose content is skipped
        self.heading: str | None = None  # the tag of the heading being read
        self.heading_id = ""
        self.heading_text: list[str] = []
        self.buffer: list[str] = []
        self.anchor, self.section = "", ""

    def handle_starttag(self, tag, values: dict | str):
        """A start tag, with its attributes (a dict, or the text after the tag's name, read only
        when they matter: a heading's id, or what may mark the element as skipped)."""
        if tag == "main":
            self.depth += 1
            return
        if not self.depth:
            return
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if isinstance(values, str):
            if not (tag in _HEADINGS or tag in _SKIP_TAGS or tag == "nav" or _MAY_SKIP(values)):
                if tag in _SPACED:
                    self.buffer.append(" ")
                return
            values = dict(attributes(values)) if "=" in values or values.strip() else {}
        classes = (values.get("class") or "").split()
        if tag in _SKIP_TAGS or tag == "nav" or "data-search-ignore" in values or "visually-hidden" in classes:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        if tag in _HEADINGS:
            self.heading, self.heading_id, self.heading_text = tag, values.get("id") or "", []
        elif tag in _SPACED:
            self.buffer.append(" ")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth -= 1
            return
        if not self.depth:
            return
        if self.skip:
            if self.skip[-1] == tag:
                self.skip.pop()
            return
        if tag == self.heading:
            text = _clean("".join(self.heading_text))
            if tag == "h1" and not self.out.title:
                self.out.title = text
                self.buffer = []  # what stands before the title is a kicker ("Worksheet · for mentees")
            else:
                self._flush()
                self.out.headings.append(text)
                if self.heading_id:
                    self.anchor, self.section = self.heading_id, text
            self.heading = None

    def handle_data(self, data):
        if not self.depth or self.skip:
            return
        if self.heading:
            self.heading_text.append(data)
        else:
            self.buffer.append(data)

    def _flush(self):
        text = _clean("".join(self.buffer))
        if text:
            self.out.parts.append([self.anchor, self.section, text])
        self.buffer = []

    def feed(self, text: str) -> None:
        last = 0
        for m in _TOKEN.finditer(text):
            at = m.start()
            if at > last:
                self._data(text[last:at])
            last = m.end()
            raw, raw_attrs, raw_body, end, start, attrs = m.groups()
            if end:
                self.handle_endtag(end.lower())
            elif raw is not None:  # <script> or <style>, and its body
                tag = raw.lower()
                self.handle_starttag(tag, raw_attrs)
                self._data(raw_body)
                self.handle_endtag(tag)
            elif start:
                tag = start.lower()
                self.handle_starttag(tag, attrs)
                if attrs.endswith("/"):  # <br/>: a start and an end, as html.parser gives it
                    self.handle_endtag(tag)
        if last < len(text):
            self._data(text[last:])

    def _data(self, data: str) -> None:
        if self.depth and not self.skip:
            self.handle_data(unescape(data) if "&" in data else data)

    def close(self):
        self._flush()


def _clean(text: str) -> str:
    """Runs of white space made one space, and none at the ends (as re's \\s and str.split both
    take white space: str.isspace)."""
    return " ".join(text.split())


def page_text(html: bytes | str) -> PageText:
    """The searchable text of a rendered page (only its <main> is read)."""
    text = html.decode("utf-8") if isinstance(html, bytes) else html
    start, end = text.find("<main"), text.rfind("</main>")
    if start >= 0 and end > start:
        text = text[start:end + len("</main>")]
    parser = _MainText()
    parser.feed(text)
    parser.close()
    return parser.out


def _weights(title: str, text: PageText, url: str = "") -> dict[str, int]:
    weights: dict[str, int] = {}
    for heading in text.headings:
        for term in terms(heading):
            weights[term] = weights.get(term, 0) + HEADING
    counts = Counter(terms(" ".join(part[2] for part in text.parts)))
    for term, count in counts.items():  # (in the order the terms first appear, as a loop would add them)
        weights[term] = weights.get(term, 0) + count
    slug = url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".html")
    for term in terms(slug.replace("-", " ")):
        weights[term] = weights.get(term, 0) + SLUG
    weights = {term: min(w, TITLE - 1) for term, w in weights.items()}
    for term in set(terms(title)):
        weights[term] = weights.get(term, 0) + TITLE
    return weights


_STEMS: dict[tuple[str, str], str] = {}  # (algorithm, term) -> stem, for the builds of this process


def stem_groups(terms_: list[str], language: str) -> tuple[dict[str, list[str]], list[str]]:
    """The index's stems: each Snowball stem that two or more terms share, or that differs from
    its only term (stem -> its terms, sorted), and the endings Snowball took off terms that start
    with their stem. Nothing for a language without a stemmer."""
    algorithm = STEMMERS.get(language.split("-")[0].lower())
    if algorithm is None:
        return {}, []
    todo = [t for t in terms_ if (algorithm, t) not in _STEMS]
    if todo:
        import snowballstemmer

        _STEMS.update(zip(((algorithm, t) for t in todo), snowballstemmer.stemmer(algorithm).stemWords(todo)))
    groups: dict[str, list[str]] = {}
    endings = set()
    for term in terms_:
        if term.isdigit():
            continue
        stem = _STEMS[algorithm, term]
        groups.setdefault(stem, []).append(term)
        if term != stem and term.startswith(stem) and len(term) - len(stem) <= MAX_ENDING:
            endings.add(term[len(stem):])
    return {stem: sorted(group) for stem, group in sorted(groups.items()) if group != [stem]}, sorted(endings)


def section_of(site, page: Page, t) -> str:
    """Where a page sits, shown under a result: 'Guides › Getting started', 'Worksheets'."""
    if not page.group:
        return ""
    label = t(f"group.{page.group}")
    if page.kind == "guide":
        folder = next((f for f in site.folders if f.id == page.obj.folder and f.id), None)
        if folder:
            label += " › " + folder.title
    return label


def search_files(site, pages: dict, t, memo: dict | None = None, sections: dict | None = None) -> dict[str, bytes]:
    """The search index files of a site, from its rendered pages (output path -> HTML, or a
    function returning it). memo keeps each page's text and term weights by a digest of its
    HTML, so that an incremental build reads only the pages it rendered."""
    import hashlib

    memo = {} if memo is None else memo
    docs, texts = [], []
    postings: dict[str, list[int]] = {}  # term -> [doc, weight, doc, weight, ...], docs in order
    for page in site.pages:
        if page.kind not in INDEXED_KINDS or page.output not in pages:
            continue
        html = pages[page.output]
        known = memo.get(page.output)
        if isinstance(html, tuple):  # a page kept from the last build: (digest known or None, reader)
            key, reader = html
            if key is None or known is None or known[0] != key:
                html = reader()
                key = hashlib.blake2b(html, digest_size=16).digest()
        else:
            key = hashlib.blake2b(html, digest_size=16).digest()
        if known is None or known[0] != key:
            known = memo[page.output] = _entry(key, page, html)
        _, title, text, words, weights = known
        n = len(docs)
        docs.append([page.url, title or page.title, sections[page.output] if sections else section_of(site, page, t)])
        texts.append(text)
        for term, weight in zip(words, weights):
            known = postings.get(term)
            if known is None:
                postings[term] = [n, weight]
            else:
                known += (n, weight)
    stems, endings = stem_groups(sorted(postings), site.config.language)
    index = {
        "v": FORMAT,
        "lang": site.config.language,
        "chunk": CHUNK,
        "docs": docs,
        "terms": dict(sorted(postings.items())),
        "stems": stems,
        "suffixes": endings,
    }
    out = {"search/index.json": _json(index)}
    for start in range(0, len(texts), CHUNK):  # the same bytes as _json of the parts' lists
        out[f"search/text/{start // CHUNK}.json"] = ("[" + ",".join(texts[start:start + CHUNK]) + "]").encode("utf-8")
    return out


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=False).encode("utf-8")


def _read_bytes(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def page_bytes(files: dict, output: Path, keep, memo: dict | None = None) -> dict:
    """Every page's HTML: bytes from this render; for a page kept from the previous build, the
    digest its text was indexed under (when the memo knows it) or a function that reads it."""
    pages = {}
    memo = memo or {}
    folder = f"{output}{os.sep}"
    for path, content in files.items():
        if not path.endswith(".html"):
            continue
        if content is keep:
            known = memo.get(path)  # unchanged bytes: the memo's digest still holds
            pages[path] = (known[0] if known else None, lambda p=folder + path: _read_bytes(p))
        elif isinstance(content, Spooled):  # rendered now, into a file: its memo entry was made from it
            known = memo.get(path)
            pages[path] = (known[0] if known else None, content.read_bytes)
        elif isinstance(content, bytes):
            pages[path] = content
    return pages


class _Logged(dict):
    """A dict that remembers which keys were set or removed since it was read (cache.append_log)."""

    def __init__(self, data=()):
        super().__init__(data)
        self.changes: dict = {}

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        self.changes[key] = value

    def __delitem__(self, key) -> None:
        super().__delitem__(key)
        self.changes[key] = None

    def update(self, other=(), **more) -> None:
        for key, value in dict(other, **more).items():
            self[key] = value


class SearchMemo:
    """What the last build indexed, kept beside the build cache: a small summary (the list of
    indexed pages and the index files, a file of its own), and each page's text and weights (a
    log: cache.append_log), read only when a page changed. Entries are keyed by a digest of the
    page's HTML, so a stale memo costs time, never correctness."""

    _HEADER = ("mentorsite-search-memo", 3)

    def __init__(self, path: Path | None):
        self.path = path
        self.summary: tuple | None = None
        self._pages: _Logged | None = None
        self._sizes: tuple[int, int] | None = None
        if path is not None:
            try:
                with open(self._summary_path, "rb") as f:
                    if pickle.load(f) == self._HEADER:
                        self.summary = pickle.load(f)
            except Exception:  # missing, truncated, from another version: start afresh
                self.summary = None

    @property
    def _summary_path(self) -> Path:
        return self.path.with_name(self.path.stem + "-summary.pickle")

    @property
    def pages(self) -> dict:
        """Each indexed page's (HTML digest, text, weights), loaded on first use."""
        if self._pages is None:
            found = None
            if self.path is not None and self.summary is not None:
                from mentorsite.cache import read_log

                found = read_log(self.path, self._HEADER)
            self._pages, self._sizes = (_Logged(found[0]), found[1:]) if found is not None else (_Logged(), None)
        return self._pages

    def save(self) -> None:
        """Write the memo: the summary anew, the pages' entries that changed added to their log."""
        if self.path is None or self.summary is None:
            return
        from mentorsite.cache import append_log, write_pickles

        pages = self._pages  # (None: not read, so not changed)
        if pages is not None and (pages.changes or self._sizes is None):
            self._sizes = append_log(self.path, self._HEADER, dict(pages), pages.changes, self._sizes)
            pages.changes = {}
        write_pickles(self._summary_path, self._HEADER, self.summary)


def index_step(site, files: dict, output: Path, env, keep, memo: SearchMemo | None = None) -> dict:
    """The build's search step: the index files for a rendered site (none with `search: false`).
    When no indexed page changed, the previous index files are kept as they are."""
    if not site.config.search:
        return {}
    from mentorsite.chrome import translations_for

    t = translations_for(site.config, env)
    memo = memo or SearchMemo(None)
    indexed = [p for p in site.pages if p.kind in INDEXED_KINDS and p.output in files]
    sections = {p.output: section_of(site, p, t) for p in indexed}
    summary_key = tuple((p.output, p.url, p.title, sections[p.output]) for p in indexed)
    if (memo.summary is not None and memo.summary[0] == summary_key and site.config.language == memo.summary[2]
            and all(files[p.output] is keep for p in indexed)
            and all((output / f).is_file() for f in memo.summary[1])):
        return {f: keep for f in memo.summary[1]}
    pages = page_bytes(files, output, keep, memo.pages)
    result = search_files(site, pages, t, memo.pages, sections)
    for gone in set(memo.pages) - set(pages):
        del memo.pages[gone]
    memo.summary = (summary_key, tuple(sorted(result)), site.config.language)
    return result


def page_entry(page: Page, html: bytes):
    """A page's memo entry, made where the page was rendered so that the index step need not
    parse it again; None for pages that are not indexed."""
    import hashlib

    if page.kind not in INDEXED_KINDS:
        return None
    return _entry(hashlib.blake2b(html, digest_size=16).digest(), page, html)


def _entry(key: bytes, page: Page, html: bytes) -> tuple:
    """(HTML digest, title, text parts as JSON, terms, their weights as bytes): compact, as the
    memo holds one for every page of the site (terms are interned: one string for all pages)."""
    import sys

    text = page_text(html)
    weights = _weights(text.title or page.title, text, page.url)
    return (key, text.title, json.dumps(text.parts, ensure_ascii=False, separators=(",", ":")),
            tuple(sys.intern(term) for term in weights), bytes(min(w, MAX_WEIGHT) for w in weights.values()))
