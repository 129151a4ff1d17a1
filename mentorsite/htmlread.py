"""Reading a rendered page: its search text, its <main>, and its <main> rewritten (for the
print edition). Each page is read once, where it was rendered.

(An interim reader over regular expressions, with the interface of the HTML5 reader that
replaces it.)
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass, field
from html import unescape
from typing import NamedTuple

from mentorsite.parallel import fork_map


# What may stand between a tag's name and its '>': anything but quotes and '>', or quoted text.
ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
_ATTR = re.compile(r"""([^\s"'>/=][^\s"'>/=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s>]+))?""")


def attributes(text: str) -> list[tuple[str, str | None]]:
    """The attributes in the text after a start tag's name: (name, value or None), in order."""
    out = []
    for m in _ATTR.finditer(text):
        value = m.group(2)
        if value is not None:
            if value[:1] in "\"'" and len(value) > 1 and value[-1] == value[0]:
                value = value[1:-1]
            if "&" in value:
                value = unescape(value)
        out.append((m.group(1).lower(), value))
    return out


_SKIP_TAGS = {"script", "style", "template", "noscript", "svg", "select", "textarea", "button"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

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


def _start_tag(tag: str, attrs: list, self_closing: bool) -> str:
    parts = [tag]
    for name, value in attrs:
        parts.append(name if value is None else f'{name}="{htmllib.escape(value, quote=True)}"')
    return "<" + " ".join(parts) + (" />" if self_closing else ">")



# Which attributes of which elements hold a URL the browser loads or follows.
URL_ATTRS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
}
class Ref(NamedTuple):
    """One URL in an output file: the element and attribute, the value, where it stands (a
    tuple: the scans of a thousand pages come back from the workers as such)."""

    tag: str
    attr: str
    value: str
    line: int
    col: int
    rel: str = ""  # the link element's rel attribute
    nth: int = 0  # how many times the page used this value before


@dataclass(frozen=True, slots=True)
class Scan:
    """One HTML page: the ids a fragment can target, and the URLs it uses."""

    ids: frozenset[str]
    refs: tuple[Ref, ...]




# A document's tags (see htmlscan.py): comments and declarations are skipped, and so is the body
# of a <script> or <style> (its start tag is read: a script's src), as a browser reads them.
_SCAN = re.compile(r"(?:[^<]+|<(?!script|style)[a-zA-Z][a-zA-Z0-9]*>|</[a-zA-Z][^\s/>]*\s*>)+"  # text, and tags
                    # without attributes (no id, no URL): passed over in runs
                    r"|<!--.*?(?:-->|\Z)|<![^>]*>|<\?[^>]*>|<(script|style)(?=[\s/>])(" + ATTRS + r")>.*?(?:</\1\s*>|\Z)"
                    r"|</[a-zA-Z][^\s/>]*\s*>|<([a-zA-Z][^\s/>]*)(" + ATTRS + r")>", re.S | re.I)


_MAY_HAVE_ID = re.compile("id", re.I).search


def scan_html(html: str) -> Scan:
    """The ids and the URLs of an HTML document (or fragment), with 1-based lines and columns,
    as html.parser reads them (tests/test_links.py holds the two to the same scans)."""
    ids: set[str] = set()
    refs: list[Ref] = []
    line, counted = 1, 0  # the line at offset counted
    for m in _SCAN.finditer(html):
        last = m.lastindex
        if last is None:
            continue  # text and bare tags, a comment, a declaration, an end tag
        if last == 4:
            tag, text = m.group(3, 4)
        else:
            tag, text = m.group(1, 2)  # <script> or <style>
        tag = tag.lower()
        names = URL_ATTRS.get(tag)
        if names is None and not _MAY_HAVE_ID(text):
            continue  # (most tags: neither an id nor a URL)
        values = {k: v for k, v in attributes(text) if v is not None}
        if "id" in values:
            ids.add(values["id"])
        if tag == "a" and "name" in values:
            ids.add(values["name"])
        if not names:
            continue
        at = m.start()
        line += html.count("\n", counted, at)
        counted = at
        raw = m.group(0)
        for attr in names:
            value = values.get(attr)
            if value is None:
                continue
            vline, vcol = _value_pos(raw, attr, line, at - (html.rfind("\n", 0, at) + 1))
            urls = _srcset(value) if attr == "srcset" else [value.strip()]
            for url in urls:
                refs.append(Ref(tag, attr, url, vline, vcol, values.get("rel", "")))
    return Scan(frozenset(ids), tuple(refs))


def scan_all(contents: list, jobs: int = 1, minimum: int = 48, chunk: int | None = None) -> list[Scan]:
    """scan_html of each page (bytes, or a file), over jobs forked processes when worth it."""
    def task(i: int) -> tuple:  # (plain tuples: a tenth of the time to send back that objects take)
        scan = scan_html(_text(contents[i]))
        return scan.ids, [tuple(ref) for ref in scan.refs]

    return [Scan(ids, tuple(map(Ref._make, refs)))
            for ids, refs in fork_map(task, len(contents), jobs, minimum=minimum, chunk=chunk)]


_VALUE_AT: dict[str, re.Pattern] = {}  # an attribute's name -> where its value starts in a tag


def _value_pos(raw: str, attr: str, line: int, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of attr's value inside a start tag that begins at (line, offset)."""
    pattern = _VALUE_AT.get(attr)
    if pattern is None:
        pattern = _VALUE_AT[attr] = re.compile(rf"""(?i)[\s"']{re.escape(attr)}\s*=\s*["']?""")
    m = pattern.search(raw)
    at = m.end() if m else 0
    nl = raw.rfind("\n", 0, at)
    if nl < 0:
        return line, offset + at + 1
    return line + raw.count("\n", 0, at), at - nl


def _srcset(value: str) -> list[str]:
    out = []
    for part in value.split(","):
        url = part.strip().split()[0] if part.strip() else ""
        if url:
            out.append(url)
    return out



@dataclass(frozen=True, slots=True)
class Link:
    """A URL in a piece of HTML: the element and attribute it is in, and the URL."""

    tag: str
    attr: str
    value: str
    rel: str = ""


def fragment_links(html: str) -> list[Link]:
    """The URLs of a piece of raw HTML written in a Markdown guide, in order."""
    return [Link(ref.tag, ref.attr, ref.value, ref.rel) for ref in scan_html(html).refs]


def _text(content) -> str:
    data = content.read_bytes() if hasattr(content, "read_bytes") else content
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


class HtmlPage:
    """A rendered page, read once: its search text, its <main>, and that <main> rewritten."""

    def __init__(self, html: bytes | str):
        self.html = html.decode("utf-8") if isinstance(html, bytes) else html
        self._main: str | None = None

    def text(self) -> PageText:
        """The searchable text of the page's <main>, split at its headings."""
        return page_text(self.html)

    def main_html(self) -> str:
        """What is inside the page's <main> element."""
        if self._main is None:
            self._main = _main_of(self.html)
        return self._main

    def rewrite_main(self, edit) -> str:
        """The page's <main> with edit(tag, attributes) -> new attributes (or None: unchanged)
        applied to every element in it."""
        text = self.main_html()
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
            values: dict = {}
            for name, value in attributes(attrs):
                values.setdefault(name, value)
            new = edit(tag, values)
            if new is None:
                continue
            out.append(text[last:start])
            out.append(_start_tag(tag, list(new.items()), attrs.endswith("/")))
            last = end
        out.append(text[last:])
        return "".join(out)
