"""The offline search index: a step after the pages, from what each page's reading found in its <main>.

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
those endings — so 'mentored' finds a page that says only 'mentoring'. Each page's terms are
stemmed where the page is read (its SearchEntry keeps them). See docs/search.md.
"""

from __future__ import annotations

import functools
import json
import re
import sys
import unicodedata
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from mentorsite.deps import Recorder
from mentorsite.htmlread import PageText
from mentorsite.runner import Artifact, Made
from mentorsite.site.model import Page
from mentorsite.steps.chrome import translations_for

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


def fold(text: str) -> str:
    """Lowercase without accents: how terms are compared."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def terms(text: str) -> list[str]:
    """The index terms of a text (words of two or more characters, folded)."""
    return [w for w in _WORD.findall(fold(text)) if len(w) > 1 or w.isdigit()]


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


@dataclass(frozen=True, slots=True)
class SearchEntry:
    """What the index takes of one page: its title, its text's parts as JSON (for excerpts), and
    its terms with their weights (compact: the state holds one for every page of the site)."""

    title: str
    text: str
    terms: tuple[str, ...]
    weights: bytes
    stems: tuple[str, ...] = ()  # each term's stem (none in a language without a stemmer)


def search_entry(page: Page, text: PageText, language: str) -> SearchEntry:
    """A page's entry, made where the page was rendered and read (terms are interned: one string
    for all pages)."""
    weights = _weights(text.title or page.title, text, page.url)
    words = tuple(sys.intern(term) for term in weights)
    algorithm = STEMMERS.get(language.split("-")[0].lower())
    return SearchEntry(text.title, json.dumps(text.parts, ensure_ascii=False, separators=(",", ":")),
                       words, bytes(min(w, MAX_WEIGHT) for w in weights.values()),
                       tuple(_stem(algorithm, term) for term in words) if algorithm else ())


@functools.lru_cache(maxsize=1 << 16)
def _stem(algorithm: str, term: str) -> str:
    """A term's Snowball stem (remembered: a handbook's pages share most of their words)."""
    return sys.intern(_stemmer(algorithm).stemWord(term))


@functools.cache
def _stemmer(algorithm: str):
    import snowballstemmer  # (put off: only a build that indexes pages stems their words)

    return snowballstemmer.stemmer(algorithm)


def stem_groups(pairs, language: str) -> tuple[dict[str, list[str]], list[str]]:
    """The index's stems, from (term, stem) pairs: each stem that two or more terms share, or
    that differs from its only term (stem -> its terms, sorted), and the endings Snowball took
    off terms that start with their stem. Nothing for a language without a stemmer."""
    if STEMMERS.get(language.split("-")[0].lower()) is None:
        return {}, []
    groups: dict[str, set[str]] = {}
    endings = set()
    for term, stem in pairs:
        if term.isdigit():
            continue
        groups.setdefault(stem, set()).add(term)
        if term != stem and term.startswith(stem) and len(term) - len(stem) <= MAX_ENDING:
            endings.add(term[len(stem):])
    return ({stem: sorted(group) for stem, group in sorted(groups.items()) if group != {stem}}, sorted(endings))


def search_files(site, entries: dict, t) -> dict[str, bytes]:
    """The search index files of a site, from its pages' entries (page output -> SearchEntry)."""
    docs, texts = [], []
    postings: dict[str, list[int]] = {}  # term -> [doc, weight, doc, weight, ...], docs in order
    stemmed: set = set()  # (term, stem)
    for page in site.pages:
        entry = entries.get(page.output) if page.kind in INDEXED_KINDS else None
        if entry is None:
            continue
        n = len(docs)
        docs.append([page.url, entry.title or page.title, section_of(site, page, t)])
        texts.append(entry.text)
        stemmed.update(zip(entry.terms, entry.stems))
        for term, weight in zip(entry.terms, entry.weights):
            known = postings.get(term)
            if known is None:
                postings[term] = [n, weight]
            else:
                known += (n, weight)
    stems, endings = stem_groups(stemmed, site.config.language)
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


class SearchStep:
    """The offline search index, from the entries the pages' readings made (none with `search: false`)."""

    name, title = "search", "Search index"

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact("search/index.json")] if run.site.config.search and not run.dry else []

    def make(self, todo: list[Artifact], run) -> Iterator[Made]:
        site = run.site
        recorder = Recorder()
        recorder.start()
        for key in (("pages",), ("folders",), ("i18n",), ("config",)):
            recorder.add(key)
        entries = {}
        for page in site.pages:
            reading = run.state.readings.get(page.output) if page.kind in INDEXED_KINDS else None
            if reading is not None and reading.search is not None:
                recorder.add(("search", page.output))
                entries[page.output] = reading.search
        t = translations_for(site.config, run.env)
        yield Made(todo[0], search_files(site, entries, t), recorder.stop())
