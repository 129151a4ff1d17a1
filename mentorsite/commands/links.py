"""Check the links of the rendered site, in memory: every internal link, image, stylesheet and
script resolves to an output file under the base path, every #anchor exists, every page can be
reached from the home page, and external links are listed (never fetched).

Each problem points at the source that wrote the link where it can be found — the guide's
Markdown line, the YAML value, the template line — and otherwise at the output page's line.
"""

from __future__ import annotations

import dataclasses
import difflib
import html
import re
from collections import deque
from dataclasses import dataclass
from typing import NamedTuple
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import jinja2
from jinja2 import meta

from mentorsite.site.assemble import Site
from mentorsite.errors import Loc, SiteError
from mentorsite.htmlread import Link, url_of
from mentorsite.sources.markdown import is_relative
from mentorsite.site.model import Page
from mentorsite.site.schema import Markdown

_FOLLOWED = ("a", "area")  # links a reader follows: they make pages reachable
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")\s]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_DUMMY_ORIGIN = "http://site.invalid"


class Ref(NamedTuple):
    """One URL of a page: the element and attribute it is in, the URL as the URL parser takes it
    (spaces and control characters at its ends, tabs and line breaks within, left out), the
    element's rel, and how many times the page used this URL before."""

    tag: str
    attr: str
    value: str
    rel: str = ""
    nth: int = 0


@dataclass(frozen=True, slots=True)
class PageLinks:
    """What the check needs of a page (from its one reading): the ids a #fragment can target,
    and the URLs it uses."""

    ids: frozenset[str]
    links: tuple[Link, ...]


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """A link that leaves the site, and every place it is used."""

    url: str
    used: tuple[Loc, ...]


@dataclass(frozen=True, slots=True)
class LinkReport:
    """What the link check found: errors, warnings, and the external links it did not fetch."""

    errors: tuple[SiteError, ...]
    warnings: tuple[SiteError, ...]
    external: tuple[ExternalLink, ...]
    checked: int  # internal URLs checked


def check_links(site: Site, outputs: dict[str, bytes | Path], pages: dict[str, PageLinks],
                env: jinja2.Environment) -> LinkReport:
    """Check every URL of the rendered pages (pages: output path -> what its reading found);
    problems point at their source where possible, else at the page in the output folder."""
    checker = _Checker(site, outputs, pages, env)
    checker.run()
    return checker.report()


# ---------------------------------------------------------------- the check


class _Checker:
    def __init__(self, site: Site, outputs: dict[str, bytes | Path], pages: dict[str, PageLinks],
                 env: jinja2.Environment):
        self.site = site
        self.config = site.config
        self.base = site.config.base_path
        # the other languages of a multilingual handbook: their own checks cover their pages
        self.siblings = tuple(site.config.home_path + lang.code + "/" for lang in site.config.languages
                              if lang.code != site.config.language)
        self.outputs = outputs
        self.pages_by_output = {p.output: p for p in site.pages}
        self.locator = _Locator(site, env, outputs)
        url = urlsplit(site.config.url) if site.config.url else None
        self.origin = f"{url.scheme}://{url.netloc}" if url and url.netloc else _DUMMY_ORIGIN
        self.pages = pages
        self.problems: dict[tuple[str, Loc, str], set[str]] = {}  # (level, loc, message) -> pages
        self.external: dict[str, set[Loc]] = {}
        self.edges: dict[str, set[str]] = {}
        self.seen_values: dict[tuple[str, str], int] = {}
        self.joined: dict = {}  # (page, URL) or a root-relative URL -> the URL it stands for, split
        self.checked = 0
        self._settings = site.config.loc.path if site.config.loc else Path("site.yml")
        self.edit_links = site.config.edit_url.partition("{path}")[0]  # every page's 'Edit this page'

    def run(self) -> None:
        """Scan every page, check every URL, then look for pages nobody links to."""
        for rel, page in self.pages.items():
            self.edges[rel] = set()
            for link in page.links:
                self._check(rel, Ref(link.tag, link.attr, url_of(link.value), link.rel))
        for rel, content in self.outputs.items():
            if rel.endswith(".css"):
                self._check_css(rel, content)
        self._orphans()

    def report(self) -> LinkReport:
        """The problems found, one per source location, most specific first."""
        errors, warnings = [], []
        for (level, loc, message), pages in self.problems.items():
            if len(pages) > 1:
                message += f" (on {len(pages)} pages)"
            (errors if level == "error" else warnings).append(SiteError(loc, message))
        order = lambda e: (str(e.loc.path), e.loc.line, e.loc.col, e.message)  # noqa: E731
        external = tuple(
            ExternalLink(url, tuple(sorted(locs, key=lambda l: (str(l.path), l.line, l.col))))
            for url, locs in sorted(self.external.items())
        )
        return LinkReport(tuple(sorted(errors, key=order)), tuple(sorted(warnings, key=order)), external, self.checked)

    # -- one URL

    def page_path(self, rel: str) -> str:
        """The URL path an output file is served at: 'guides/x/index.html' -> '/base/guides/x/'."""
        if rel == "index.html" or rel.endswith("/index.html"):
            return self.base + rel[: -len("index.html")]
        return self.base + rel

    def target(self, path: str) -> str | None:
        """The output file a URL path (under the base) is served from, as GitHub Pages does."""
        rel = path[len(self.base):]
        if rel == "" or rel.endswith("/"):
            rel += "index.html"
            return rel if rel in self.outputs else None
        if rel in self.outputs:
            return rel
        if rel + "/index.html" in self.outputs:  # Pages redirects 'x' to 'x/'
            return rel + "/index.html"
        if rel + ".html" in self.outputs:  # and serves 'x.html' for 'x'
            return rel + ".html"
        return None

    def _check(self, rel: str, ref: Ref) -> None:
        value = ref.value
        if not value:
            return
        key = (rel, value)
        nth = self.seen_values.get(key, 0)
        self.seen_values[key] = nth + 1
        if nth:
            ref = ref._replace(nth=nth)
        if value.startswith("#"):
            self.checked += 1
            self._anchor(rel, ref, rel, unquote(value[1:]), "")
            return
        if value[0] == "/" and value[:2] != "//":
            key = value  # a path from the site's root: the same URL from every page
        parts = self.joined.get(key)
        if parts is None:
            parts = self.joined[key] = urlsplit(urljoin(urljoin(self.origin, self.page_path(rel)), value))
        origin = f"{parts.scheme}://{parts.netloc}"
        if parts.scheme not in ("http", "https"):
            return  # mailto:, tel:, data:, javascript: ... are neither pages nor fetched
        if origin != self.origin:
            if not (self.edit_links and value.startswith(self.edit_links)):  # (site.yml's edit_url: not content)
                self.external.setdefault(value, set()).add(self.locator.locate(self.page(rel), rel, ref))
            return
        self.checked += 1
        path = unquote(parts.path)
        if self.siblings and path.startswith(self.siblings):
            return
        if not (path.startswith(self.base) or path + "/" == self.base):
            loc = self.locator.locate(self.page(rel), rel, ref)
            fix = (f"write {{{{ url('{path.lstrip('/')}') }}}}" if _is_template(loc)
                   else "link to the file itself (a .md or assets/ path), relative to this one")
            self._problem("error", loc, rel,
                          f"{_what(ref)} '{value}' is outside the site's base path '{self.base}' and will "
                          f"break on the published site — {fix}")
            return
        target = self.target(path if path.startswith(self.base) else self.base)
        if target is None:
            loc = self.locator.locate(self.page(rel), rel, ref)
            content_yaml = loc.path.suffix in (".yml", ".yaml") and loc.path != self._settings
            if content_yaml and is_relative(value):  # (a guide's are found by assemble)
                self._problem("error", loc, rel, f"{_what(ref)} target '{value.partition('#')[0].split('?', 1)[0]}' "
                                                 f"does not exist — check the path, relative to {loc.path.name}")
                return
            self._problem("error", loc, rel,
                          f"{_what(ref)} '{value}' — nothing at '{path}' in the built site; {_fix(ref, loc, content_yaml)}")
            return
        if ref.tag in _FOLLOWED and target.endswith(".html"):
            self.edges[rel].add(target)
        if parts.fragment and target.endswith(".html"):
            self._anchor(rel, ref, target, unquote(parts.fragment), value.partition("#")[0])

    def _anchor(self, rel: str, ref: Ref, target: str, fragment: str, written: str) -> None:
        page = self.pages.get(target)
        if not fragment or fragment == "top" or page is None or fragment in page.ids:
            return
        close = difflib.get_close_matches(fragment, sorted(page.ids), n=1, cutoff=0.6)
        hint = f" — did you mean '#{close[0]}'?" if close else " — link to one of that page's headings"
        where = f"in '{written}'" if written else "on this page"
        loc = self.locator.locate(self.page(rel), rel, ref)
        self._problem("warning", loc, rel, f"link anchor '#{fragment}' not found {where}{hint}")

    def _check_css(self, rel: str, content: bytes | Path) -> None:
        text = _text(content)
        css_path = self.page_path(rel)
        for m in _CSS_URL.finditer(text):
            value = m.group(2) or m.group(4)
            if not value or value.startswith(("data:", "#")) or "://" in value or value.startswith("//"):
                continue
            self.checked += 1
            path = unquote(urlsplit(urljoin(css_path, value)).path)
            if path.startswith(self.base) and self.target(path) is not None:
                continue
            start = m.start(2) if m.group(2) else m.start(4)
            line = text.count("\n", 0, start) + 1
            col = start - (text.rfind("\n", 0, start) + 1) + 1
            shown = self.locator.shown(content) if isinstance(content, Path) else Path(self.config.output) / rel
            self._problem("error", Loc(shown, line, col), rel,
                          f"stylesheet file '{value}' — nothing at '{path}' in the built site; "
                          "add it to the theme's static/ folder or fix the path")

    def _orphans(self) -> None:
        start = "index.html"
        if start not in self.pages:
            return
        seen = {start}
        queue = deque([start])
        while queue:
            for nxt in self.edges.get(queue.popleft(), ()):
                if nxt not in seen:
                    seen.add(nxt)
                    queue.append(nxt)
        for rel in self.pages:
            page = self.page(rel)
            if rel in seen or rel == "404.html" or (page and page.kind == "index" and not self.site.groups.get(page.group)):
                continue  # the 404 page, and the index of an empty group (not in the menu), need no links
            source = getattr(page.obj, "source", None) if page else None
            if page is not None and page.kind == "folder" and page.obj.index is not None:
                source = page.obj.index.source
            loc = Loc(source, 1, 1) if source else Loc(Path(self.config.output) / rel, 1, 1)
            self._problem("warning", loc, rel,
                          f"page '{self.page_path(rel)}' cannot be reached from the home page — "
                          "link to it from a guide or from the navigation")

    def page(self, rel: str) -> Page | None:
        return self.pages_by_output.get(rel)

    def _problem(self, level: str, loc: Loc, page: str, message: str) -> None:
        self.problems.setdefault((level, loc, message), set()).add(page)


def _what(ref: Ref) -> str:
    if ref.tag in ("img", "source") or ref.attr == "poster":
        return "image"
    if ref.tag == "link":
        rels = ref.rel.lower().split()
        return "stylesheet" if "stylesheet" in rels else "icon" if "icon" in rels else "link"
    if ref.tag == "script":
        return "script"
    if ref.tag in ("a", "area"):
        return "link"
    return f"<{ref.tag}> {ref.attr}"


def _fix(ref: Ref, loc: Loc, content_yaml: bool = False) -> str:
    if ref.tag in ("img", "source", "video", "audio", "track") or ref.attr == "poster":
        return "add the file to content/assets/ or fix the path"
    if ref.tag in ("link", "script"):
        return "add the file to the theme's static/ folder or fix the path"
    if _is_template(loc):
        return "check the path given to url()"
    if content_yaml:  # Markdown in a YAML file of content/: its links lead from that file
        return (f"link to the guide's .md file (or the .yml of a type, template or worksheet), relative to "
                f"{loc.path.name}")
    if loc.path.suffix in (".yml", ".yaml"):  # site.yml's menu links: paths of the site
        return "check the path (a page of the site, such as 'guides/finding-a-mentor/')"
    return "link to the guide's .md file (or the .yml of a type, template or worksheet) instead"


def _is_template(loc: Loc) -> bool:
    return loc.path.suffix in (".html", ".xml", ".txt") and "templates" in loc.path.parts


def _text(content: bytes | Path) -> str:
    data = content.read_bytes() if isinstance(content, Path) else content
    return data.decode("utf-8", errors="replace")


# ---------------------------------------------------------------- where a link was written


class _Locator:
    """Finds the source of a URL in a page: Markdown, YAML, template, or the page itself."""

    def __init__(self, site: Site, env: jinja2.Environment, outputs: dict):
        self.site = site
        self.env = env
        self.outputs = outputs
        self.root = site.config.root
        self.base = site.config.base_path
        self._docs: dict[str, list[tuple[str, Loc]]] = {}
        self._sources: dict[str, tuple[str, Path] | None] = {}
        self._chains: dict[str, list[str]] = {}
        self._cache: dict[tuple, Loc | None] = {}
        self._texts: dict[Path, str] = {}  # YAML files, read to find a link in a value

    def locate(self, page: Page | None, rel: str, ref: Ref) -> Loc:
        """Where ref was written: the best source location, else the output file's line."""
        key = (page.url if page else rel, ref.value, ref.nth)
        if key not in self._cache:
            self._cache[key] = self._find(page, ref.value, ref.nth)
        return self._cache[key] or self._in_output(rel, ref)

    def _in_output(self, rel: str, ref: Ref) -> Loc:
        """Where the page in the output folder has ref (its nth use of the URL, as written there)."""
        text = _text(self.outputs[rel]) if rel in self.outputs else ""
        shown = Path(self.site.config.output) / rel
        for written in dict.fromkeys((ref.value, html.escape(ref.value, quote=True), ref.value.replace("&", "&amp;"))):
            at = -1
            for _ in range(ref.nth + 1):
                found = text.find(written, at + 1)
                if found < 0:
                    break
                at = found
            if at >= 0:
                return Loc(shown, text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1)
        return Loc(shown, 1, 1)

    def shown(self, path: Path) -> Path:
        """A path as shown in messages: relative to the project when inside it."""
        try:
            return path.resolve().relative_to(self.root)
        except ValueError:
            return path

    def _find(self, page: Page | None, value: str, nth: int) -> Loc | None:
        if page is None:
            return None
        doc = _doc_of(page)
        written = [loc for href, loc in self._doc_links(doc) if href == value] if doc is not None else []
        if nth < len(written):  # the page's nth use of a URL its Markdown uses several times
            return written[nth]
        loc = self._in_yaml(page, value) or self._in_templates(page.template, value)
        return loc or (written[-1] if written else None)

    # Markdown: a guide's links, as rendered, with their source lines

    def _doc_links(self, doc) -> list[tuple[str, Loc]]:
        if doc.rel in self._docs:
            return self._docs[doc.rel]
        out: list[tuple[str, Loc]] = []
        for href, loc in doc.links:
            written = href
            if is_relative(href):
                url, anchor = self.site.link_target(doc.rel, href)
                if url is not None:
                    written = self.base + url + (f"#{anchor}" if anchor else "")
            out.append((written, loc))
        out.extend(link for link in doc.html_links if link not in out)  # raw HTML's, located by parse
        out.sort(key=lambda item: (item[1].line, item[1].col))
        self._docs[doc.rel] = out
        return out

    # YAML: Markdown values of the page's data and the program; site.yml's extra menu links

    def _in_yaml(self, page: Page, value: str) -> Loc | None:
        site = self.site
        objects = [page.obj] if hasattr(page.obj, "source") else []
        objects += [site.program, *site.types.values(), *site.milestones.values(), *site.worksheets.values()]
        for obj in objects:
            loc = _markdown_with(obj, value)
            if loc is not None:
                return self._within(loc, value)
        for link in (*site.config.nav_links, *site.config.theme_options.links):  # the menu's, the footer's
            if value in (link.url, self.base + link.url.lstrip("/")):
                return self._in_config(link.url)
        if value in site.config.theme_options.footer_text:  # a link in the footer's text
            return self._in_config(value)
        return None

    def _within(self, loc: Loc, value: str) -> Loc:
        """Where value is written in the YAML value starting at loc (a block of several lines
        starts at its '|'), or loc itself when it is not there as written (escaped in quotes)."""
        path = loc.path if loc.path.is_absolute() else self.root / loc.path
        if path not in self._texts:
            try:
                self._texts[path] = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                self._texts[path] = ""
        text = self._texts[path]
        at = 0
        for _ in range(loc.line - 1):
            at = text.find("\n", at) + 1
            if not at:
                return loc
        text = text[at + loc.col - 1:]
        for before in ("](", "]: ", "](<", '"', "'", ""):  # as a Markdown link's destination first
            found = text.find(before + value)
            if found >= 0:
                found += len(before)
                break
        else:
            return loc
        line = text.count("\n", 0, found)
        col = found - (text.rfind("\n", 0, found) + 1) + (loc.col if line == 0 else 1)
        return Loc(loc.path, loc.line + line, col)

    def _in_config(self, url: str) -> Loc:
        shown = self.site.config.loc.path if self.site.config.loc else Path("site.yml")
        try:
            text = (self.root / shown.name).read_text(encoding="utf-8")
        except OSError:
            return Loc(shown, 1, 1)
        return _find_in(text, (url,), shown) or Loc(shown, 1, 1)

    # templates: the page's template, what it extends and includes, then every other one

    def _in_templates(self, name: str, value: str) -> Loc | None:
        needles = [f'"{value}"', f"'{value}'"]
        if value.startswith(self.base):
            rel = value[len(self.base):]
            needles += [f"url('{rel}')", f'url("{rel}")']
        seen = set()
        for candidate in [*self._chain(name), *sorted(self.env.list_templates())]:
            if candidate in seen:
                continue
            seen.add(candidate)
            found = self._source(candidate)
            if found is None:
                continue
            text, path = found
            loc = _find_in(text, needles, path)
            if loc is not None:
                return loc
        return None

    def _chain(self, name: str) -> list[str]:
        if name not in self._chains:
            order: list[str] = []
            queue = deque([name])
            while queue:
                current = queue.popleft()
                if current in order:
                    continue
                order.append(current)
                found = self._source(current)
                if found is None:
                    continue
                try:
                    refs = meta.find_referenced_templates(self.env.parse(found[0]))
                except jinja2.TemplateSyntaxError:
                    continue
                queue.extend(r for r in refs if r)
            self._chains[name] = order
        return self._chains[name]

    def _source(self, name: str) -> tuple[str, Path] | None:
        if name not in self._sources:
            try:
                text, filename, _ = self.env.loader.get_source(self.env, name)
                self._sources[name] = (text, self.shown(Path(filename)) if filename else Path(name))
            except jinja2.TemplateNotFound:
                self._sources[name] = None
        return self._sources[name]


def _doc_of(page: Page):
    """The Markdown document shown on a page: a guide, a folder's index.md, or the home index.md."""
    if page.kind in ("guide", "home"):
        return page.obj
    if page.kind == "folder":
        return getattr(page.obj, "index", None)
    return None


def _find_in(text: str, needles, path: Path) -> Loc | None:
    """The location of the first needle found in text; the column is that of the URL in it."""
    for needle in needles:
        at = text.find(needle)
        if at < 0:
            continue
        if needle[0] in "\"'":
            at += 1
        elif needle.startswith("url("):
            at += 5
        line = text.count("\n", 0, at) + 1
        col = at - (text.rfind("\n", 0, at) + 1) + 1
        return Loc(path, line, col)
    return None


def _markdown_with(obj, value: str) -> Loc | None:
    """The location of the first Markdown value inside obj (a model dataclass) mentioning value."""
    stack = [obj]
    while stack:
        item = stack.pop()
        if isinstance(item, Markdown):
            if value in item and item.loc is not None:
                return item.loc
        elif isinstance(item, (tuple, list)):
            stack.extend(reversed(item))
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(reversed([getattr(item, f.name) for f in dataclasses.fields(item)
                                   if f.metadata.get("yaml", True)]))
    return None
