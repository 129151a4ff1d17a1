"""Dependency tracking for honest incremental builds (as Lektor does).

While a page renders, everything it reads is recorded as a key: the templates it loads, the
data objects it shows, the guide bodies it renders, the navigation around it. Each key has a
digest computed from the site model. A page whose recorded keys all have the same digests in
the next build renders to the same bytes, so it need not be rendered again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping

from mentorsite import __version__

# what a print edition's book is made of (its groups, their order and titles): a print page reads
# them all, as one key ("book",)
BOOK_KEYS = (("site", "folders"), ("site", "groups"), ("all", "types"), ("all", "milestones"), ("all", "worksheets"))

Key = tuple  # ("tpl", name) | ("data", kind, id) | ("all", kind) | ("doc", rel) | ("site", attr) | ...


class Recorder:
    """The set of dependency keys of the page being rendered (None between pages)."""

    def __init__(self) -> None:
        self.keys: set | None = None

    def add(self, key: Key) -> None:
        """Record that the current page read key."""
        if self.keys is not None:
            self.keys.add(key)

    def start(self) -> None:
        """Begin recording a page."""
        self.keys = set()

    def stop(self) -> frozenset:
        """End recording; the keys the page read."""
        keys, self.keys = frozenset(self.keys or ()), None
        return keys


class TrackedMapping(Mapping):
    """A read-only view of one of the site's data mappings that records what is read."""

    def __init__(self, data: Mapping, kind: str, recorder: Recorder):
        self._data, self._kind, self._rec = data, kind, recorder

    def __getitem__(self, ident):
        self._rec.add(("data", self._kind, ident))
        return self._data[ident]

    def get(self, ident, default=None):
        self._rec.add(("data", self._kind, ident))
        return self._data.get(ident, default)

    def __contains__(self, ident) -> bool:
        self._rec.add(("ids", self._kind))
        return ident in self._data

    def __iter__(self):
        self._rec.add(("all", self._kind))
        return iter(self._data)

    def __len__(self) -> int:
        self._rec.add(("ids", self._kind))
        return len(self._data)

    def __bool__(self) -> bool:
        self._rec.add(("ids", self._kind))
        return bool(self._data)


class SiteView:
    """The `site` seen by templates: reading any part of it records a dependency."""

    _DATA = ("types", "milestones", "worksheets")

    def __init__(self, site, recorder: Recorder):
        self._site, self._rec = site, recorder

    def __getattr__(self, name: str):
        value = getattr(self._site, name)
        if name in self._DATA:
            return TrackedMapping(value, name, self._rec)
        if not callable(value):
            self._rec.add(("site", name))
        return value


def digest(*parts) -> str:
    """A short stable digest of values whose repr is deterministic (our frozen dataclasses)."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(fingerprint(part)).encode("utf-8", "surrogatepass"))
        h.update(b"\x00")
    return h.hexdigest()


_PLAIN = frozenset((str, int, float, bool, type(None), bytes))


def fingerprint(value):
    """A cheap stand-in for a value when digesting: a guide is known by its source path and its
    outline (the digest of its front matter, headings, links and directives, and where they are:
    everything a template can read in it; its body goes through Renderer.render_doc, which
    records the guide's own key, ("doc", rel)), pages and folders by what they are made of;
    other values are themselves."""
    kind = type(value)
    if kind in _PLAIN:  # most values: a dependency key's digest fingerprints thousands of them
        return value
    if kind is tuple:
        return tuple(fingerprint(v) for v in value)
    outline = getattr(value, "outline", None)
    if isinstance(outline, str) and hasattr(value, "rel"):  # a Guide: what a template sees of it
        return ("guide", value.rel, outline)
    if isinstance(value, (tuple, list)):
        return tuple(fingerprint(v) for v in value)
    if isinstance(value, dict):
        return tuple((k, fingerprint(v)) for k, v in value.items())
    cls = type(value).__name__
    if cls == "Page":
        return ("page", value.url, value.title, value.kind, value.group, value.template, value.summary, fingerprint(value.obj))
    if cls == "Folder":
        return ("folder", value.id, value.title, value.url, value.weight, value.summary,
                fingerprint(value.index), fingerprint(value.guides))
    return value


def _alike(a, b) -> bool:
    """Whether two values have the same digest, found without digesting them: containers item
    by item, a guide, page or folder by its fingerprint (an unchanged guide is the same object)."""
    if a is b:
        return True
    kind = type(a)
    if kind is not type(b):
        return False
    if kind in _PLAIN:
        return a == b
    if kind is tuple or kind is list:
        return len(a) == len(b) and all(_alike(x, y) for x, y in zip(a, b))
    if kind is dict:
        return list(a) == list(b) and all(_alike(v, b[k]) for k, v in a.items())
    return fingerprint(a) == fingerprint(b)


class Digests:
    """Digests of dependency keys for one site, computed on demand and remembered."""

    def __init__(self, site, env, extra: dict | None = None, previous: dict | None = None):
        self.site = site
        self.env = env
        self.memo: dict = {}
        self.extra = extra or {}
        # a preview's last build: key -> (the value digested, its digest); a value equal to the
        # one digested then has the same digest (the values are the site's own dataclasses,
        # strings and containers of them, made by the same code)
        self.previous = previous or {}
        self.values: dict | None = {} if previous is not None else None  # this build's, for the next one

    def _digest(self, key: Key, value) -> str:
        known = self.previous.get(key)
        if known is not None and _alike(known[0], value):
            self.values[key] = known
            return known[1]  # (known: previous was given, so values is kept)
        result = digest(value)
        if self.values is not None:
            self.values[key] = (value, result)
        return result

    def __call__(self, key: Key) -> str | None:
        if key not in self.memo:
            self.memo[key] = self._compute(key)
        return self.memo[key]

    def _compute(self, key: Key):
        site = self.site
        kind = key[0]
        if kind == "tpl":
            try:
                source, filename, _ = self.env.loader.get_source(self.env, key[1])
            except Exception:  # missing now: if it appears later, its digest changes
                return digest("missing template", key[1])
            return digest(filename, source)
        if kind == "data":
            return digest(getattr(site, key[1]).get(key[2]))
        if kind == "all":
            return digest(tuple(getattr(site, key[1]).items()))
        if kind == "ids":
            return digest(tuple(getattr(site, key[1])))
        if kind == "doc":  # the digest of the file's bytes: what a guide is made of
            doc = site.docs.get(key[1])
            return doc.digest if doc else "missing"
        if kind == "site":
            return self._digest(key, getattr(site, key[1]))
        if kind == "program":
            return digest(site.program)
        if kind == "config":
            return digest(__version__, site.config)
        if kind == "topnav":
            return digest(tuple((g, bool(site.groups.get(g))) for g in ("guides", "types", "milestones", "worksheets")))
        if kind == "folders":
            return digest(tuple((f.id, f.title, f.url) for f in site.folders))
        if kind == "folder":
            folder = next((f for f in site.folders if f.id == key[1]), None)
            if folder is None:
                return digest(None)
            return digest(folder.id, folder.title, folder.url, tuple((g.title, site.urls.get(g.rel)) for g in folder.guides))
        if kind == "group":
            return digest(tuple((p.url, p.title) for p in site.groups.get(key[1], ())))
        if kind == "pager":
            return self._digest(key, site.neighbours(key[1]))
        if kind == "updated":  # the date a page's file last changed (history.py)
            return digest(site.updated.get(key[1]))
        if kind == "book":
            return digest(*(self(k) for k in BOOK_KEYS))
        if kind == "pages":  # every page's place (the search index's list of pages)
            return digest(tuple((p.output, p.url, p.title, p.kind, p.group) for p in site.pages))
        if kind == "static":  # a theme's static file read as it is (a stylesheet inlined in PDFs)
            return self._file(key[1])
        if kind == "env":  # an environment variable a step reads (SOURCE_DATE_EPOCH)
            return digest(os.environ.get(key[1]))
        if kind == "assets":  # the assets' files (images inlined in PDFs)
            return digest(tuple((rel, _stat(path)) for rel, path in site.assets))
        if kind in self.extra:
            return self.extra[kind](key)
        return None

    def _file(self, name: str) -> str:
        for folder in self.env.globals["theme_dirs"]:
            path = folder / name
            if path.is_file():
                return digest(path.read_bytes())
        return digest("missing file", name)


def _stat(path) -> tuple | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
