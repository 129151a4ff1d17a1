"""One reading of a rendered page, the way a browser reads it: the ids a #fragment can target,
the URLs the page loads or follows, the searchable text of its <main>, and its <main> itself for
the print edition — all from one parse by an HTML5-conformant parser, so that what the build
finds in a page is what a browser finds there (tests/browser/test_html_oracle.py holds the two
together, with Chromium as the judge).

The parser is lexbor, through selectolax's LexborHTMLParser (selectolax 1.0.0 to 1.0.2 tried,
lexbor 3.1; 0.4 names an SVG link's xlink:href 'href' and cannot parse a fragment in a context).
Measured with bench/htmlread.py on the synthetic handbook of 1,000 guides (15 kB pages; a print
page of 7.6 MB), in CPU time on this shared machine while it was busy (search.py's page_text
took 0.49 ms a page there, 0.37 ms on a quiet day); and on the oracle's 18 tricky pages
(tests/browser/test_html_oracle.py), how many give the ids and links that Chromium finds:

    parser              parse a page  + ids, links, text,    print page  as Chromium
                                      one rewritten <main>   parse
    lexbor (selectolax) 0.13 ms       0.8 ms                 0.09 s      18 of 18
    lxml 6.2            0.28 ms       (0.7 ms: a walk and    0.13 s      14 of 18
                                      <main> serialized)
    html5lib 1.1        20 ms                                6.1 s       17 of 18
    (what this replaces: page_text 0.49 ms, the print part 0.29 ms, the link scan 1.07 ms)

lxml's libxml2 (2.14) now tokenizes as HTML5 does, but builds the tree as HTML 4 did: a
<template>'s content is live, SVG and MathML have no namespaces, and past a depth of 256 the
rest of the page is dropped. html5lib (and lxml.html5parser, which is html5lib) is conformant
but a hundred and fifty times slower, and from 2020: it keeps <template> content in the tree
and drops a link inside an <option> (the 2025 <select>). lexbor follows the current standard,
walks and serializes without recursion, and selectolax ships it as a wheel. Its own limit: a
page nesting block elements very deep costs the square of the depth (each start tag looks
through the open elements, as the standard says): 10,000 <div>s parse in 0.2 s, 100,000 in a
minute; nested <span>s cost nothing.

Where Chromium differs (in the oracle's corpus, each): it stops nesting at a depth of 512
(deeper elements become siblings), so a page nesting deeper has other text and HTML there (not
other ids or links); it attaches a <template shadowrootmode> as a shadow root, which innerHTML
leaves out (main_html keeps the template, as the print edition needs). Links and text inside a
declarative shadow root are read by neither (a reader sees them).

Pages are read as a browser without scripting reads them (as the link check wants: the content
of <noscript> is markup, whose links are links).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # (imported where a page is read: a build that renders no page needs no parser)
    from selectolax.lexbor import LexborHTMLParser, LexborNode


# The attributes that hold a URL a browser loads or follows, by element, for the elements of
# HTML and those of SVG. <base href> is listed: it changes what every relative URL of the page
# means. (Not listed: <a ping>, <meta http-equiv=refresh>, <iframe srcdoc>, CSS's url().)
HTML_URLS = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "base": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "script": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "input": ("src", "formaction"),
    "object": ("data",),
    "form": ("action",),
    "button": ("formaction",),
}
SVG_URLS = {
    "a": ("href", "xlink:href"),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
_RELS = ("a", "area", "link")  # the HTML elements whose rel a Link carries
_URL_TAGS = frozenset(HTML_URLS) | frozenset(SVG_URLS)

# The searchable text (search.py's index): what is skipped, where a part starts, where a space goes.
_SKIPPED = frozenset(("script", "style", "template", "noscript", "svg", "select", "textarea", "button", "nav"))
_HIDDEN = "[data-search-ignore], [class~=visually-hidden]"
_HEADINGS = frozenset(("h1", "h2", "h3"))
_SPACED = frozenset(("p", "li", "td", "th", "dt", "dd", "div", "br", "section", "article", "label", "legend",
                     "figcaption"))

_TEXT = "-text"  # selectolax's name for a text node (and '-comment' for a comment)
_C0_AND_SPACE = "".join(map(chr, range(0x21)))
_TAB_AND_NEWLINES = {0x09: None, 0x0A: None, 0x0D: None}
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_ASCII_WHITESPACE = " \t\n\f\r"


class Link(NamedTuple):
    """A URL a browser loads or follows: the element and the attribute that hold it, the value
    as the DOM has it (character references decoded, nothing stripped; for srcset, one
    candidate's URL), and the rel of an <a>, <area> or <link>. (A tuple: a hundred are made for
    each page, and sent back from the render workers.)"""

    tag: str
    attr: str
    value: str
    rel: str = ""


@dataclass(slots=True)
class PageText:
    """The searchable text of one page: its title, and its parts under each heading."""

    title: str = ""
    parts: list[list[str]] = field(default_factory=list)  # [anchor, heading, text]
    headings: list[str] = field(default_factory=list)


class HtmlPage:
    """A page parsed once, as a browser without scripting parses it; each method reads the tree
    and leaves it as it was."""

    def __init__(self, html: bytes | str):
        from selectolax.lexbor import LexborHTMLParser  # (put off: a build that renders no page reads none)

        self._tree = LexborHTMLParser(html)  # (without scripting, selectolax's default)
        self._names: dict[int, str] = {}  # tag id -> lowercase name, as met in this document
        self._main = self._tree.css_first("main")  # (the first, as document.querySelector has it)
        self._namespaces: dict[int, str] | None = None

    def deeper_than(self, depth: int) -> bool:
        """Whether an element of the page has more than depth elements around it (<html> counts)."""
        return self._tree.css_first(" > ".join(["*"] * (depth + 1))) is not None

    def ids(self) -> frozenset[str]:
        """What a #fragment can target: every element's id, and the name of every <a name>."""
        found = {node.id for node in self._tree.css("[id]")}
        foreign = self._foreign()
        for node in self._tree.css("a[name]"):
            if foreign.get(node.mem_id, "html") == "html":
                found.add(node.attributes["name"])
        found.discard(None)  # (an empty id is no id)
        found.discard("")
        return frozenset(found)

    def links(self) -> tuple[Link, ...]:
        """Every URL the page loads or follows, in document order (see HTML_URLS, SVG_URLS)."""
        return _links(self._tree, self._names, self._foreign())

    def text(self) -> PageText:
        """The searchable text of the first <main>: the first <h1>'s text is the title (what
        stands before it is dropped), the rest is split at each <h2> and <h3>, under its id;
        navigation, forms' controls, scripts, SVG, and anything marked data-search-ignore or
        class visually-hidden are skipped; white space is folded."""
        out = PageText()
        main = self._main
        if main is None:
            return out
        marked = main.css(_HIDDEN)
        hidden = {node.mem_id for node in marked}
        hidden_tags = {node.tag_id for node in marked}  # (ints: cheaper to test first)
        buffer: list[str] = []
        heading_text: list[str] = []
        heading, heading_depth, heading_id = "", 0, ""  # the heading being read, and how deep it is
        anchor = section = ""

        def end_heading() -> None:
            nonlocal buffer, anchor, section
            text = _fold("".join(heading_text))
            if heading == "h1" and not out.title:
                out.title = text
                buffer = []  # what stands before the title is a kicker ("Worksheet · for mentees")
                return
            _flush(out, buffer, anchor, section)
            buffer = []
            out.headings.append(text)
            if heading_id:
                anchor, section = heading_id, text

        names = self._names
        node, depth = main.first_child, 1
        while node is not None:
            name = names.get(node.tag_id) or _name(node, names)
            if name == _TEXT:
                (heading_text if heading_depth else buffer).append(node.text_content)
            elif name[0] != "-" and name not in _SKIPPED and not (node.tag_id in hidden_tags and node.mem_id in hidden):
                if name in _HEADINGS:
                    heading, heading_depth, heading_id, heading_text = name, depth, node.id or "", []
                elif name in _SPACED:
                    buffer.append(" ")
                child = node.first_child
                if child is not None:
                    node, depth = child, depth + 1
                    continue
            while True:  # node ends here, and so does each ancestor whose last child it is
                if depth == heading_depth:
                    end_heading()
                    heading_depth = 0
                following = node.next
                if following is not None:
                    node = following
                    break
                depth -= 1
                node = node.parent if depth else None
                if node is None:
                    break
        _flush(out, buffer, anchor, section)
        return out

    def main_html(self) -> str:
        """What is inside the first <main>, serialized as a browser's innerHTML ('' without one)."""
        return self._main.inner_html if self._main is not None else ""

    def rewrite_main(self, edit: Callable[[str, dict[str, str]], dict[str, str] | None]) -> str:
        """main_html() after edit(tag, attributes) was called for every element inside <main>
        (tag in lowercase; a <template>'s content is not visited): None keeps the element as it
        is, a dict gives its new attributes, in order. The tree is restored afterwards."""
        main = self._main
        if main is None:
            return ""
        changed = []
        elements = main.traverse()
        next(elements)  # (main itself)
        names = self._names
        for node in elements:
            name = names.get(node.tag_id) or _name(node, names)
            if name[0] == "-":
                continue  # a comment
            new = edit(name, _attributes(node))
            if new is None:
                continue
            attrs = _attributes(node)  # (edit may have changed the dict it was given)
            if list(new.items()) != list(attrs.items()):
                _set_attributes(node, attrs, new)
                changed.append((node, attrs, new))
        try:
            html = main.inner_html
            return _contained(html) if main.css_first("plaintext") is not None else html
        finally:
            for node, attrs, new in reversed(changed):
                _set_attributes(node, new, attrs)

    def _foreign(self) -> dict[int, str]:
        """The namespace ('svg', 'math', 'html') of every element inside an <svg> or <math>."""
        if self._namespaces is None:
            self._namespaces = _namespaces(self._tree, self._names)
        return self._namespaces


def _contained(html: str) -> str:
    """A <main>'s inside that holds a <plaintext> (whose text runs to the end of whatever page
    holds it: it would swallow every part after it in the print edition), with that element
    written as a <pre> of the same text, as a browser shows it. (A second parse, for this case
    alone: a guide with such raw HTML is warned about.)"""
    from selectolax.lexbor import LexborHTMLParser  # (put off: see HtmlPage)

    tree = LexborHTMLParser(html, is_fragment=True, fragment_tag="main")
    plaintext = tree.css_first("plaintext")
    pre = LexborHTMLParser('<pre class="plaintext"></pre>', is_fragment=True, fragment_tag="body").css_first("pre")
    for name, value in plaintext.attributes.items():
        pre.attrs[name] = value or ""
    pre.insert_child(plaintext.text(deep=True))
    plaintext.replace_with(pre)
    return tree.html


def fragment_links(html: str) -> list[Link]:
    """The links of a piece of HTML (raw HTML written in a guide), parsed as the content of a
    <body>, in document order."""
    from selectolax.lexbor import LexborHTMLParser  # (put off: see HtmlPage)

    tree = LexborHTMLParser(html, is_fragment=True, fragment_tag="body")
    names: dict[int, str] = {}
    return list(_links(tree, names, _namespaces(tree, names)))


_AFTER = '<i id="mentorsite-after-this"></i>'


def swallows(html: str) -> bool:
    """Whether a piece of HTML (raw HTML in a guide) leaves whatever follows it out of the page:
    an unclosed comment, <textarea>, <script>, <title>, <template> or <plaintext> makes the rest
    of the page its text (or inert), as a browser reads it."""
    from selectolax.lexbor import LexborHTMLParser  # (put off: see HtmlPage)

    tree = LexborHTMLParser(html + _AFTER, is_fragment=True, fragment_tag="body")
    return tree.css_first("#mentorsite-after-this") is None


def url_of(value: str) -> str:
    """A URL attribute's value as the URL parser takes it: C0 controls and spaces at its ends,
    and tabs and line breaks anywhere, left out ('  #top ' is '#top')."""
    return value.strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINES)


def url_scheme(value: str) -> str | None:
    """The scheme of a URL, lowercase, as the WHATWG URL parser finds it ('javascript' in
    ' JAVA\\tscript:x'); None for a relative URL."""
    found = _SCHEME.match(value.strip(_C0_AND_SPACE).translate(_TAB_AND_NEWLINES))
    return found.group(1).lower() if found else None


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset's candidates, split as HTML's 'parse a srcset attribute' splits them
    (a URL may hold commas: 'data:image/png;base64,...'). Descriptors are not judged: a candidate
    a browser drops for a bad descriptor still has its URL here."""
    urls = []
    position, end = 0, len(value)
    while True:
        while position < end and (value[position] in _ASCII_WHITESPACE or value[position] == ","):
            position += 1
        if position >= end:
            return urls
        start = position
        while position < end and value[position] not in _ASCII_WHITESPACE:
            position += 1
        url = value[start:position]
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # descriptors follow: up to the comma that is not inside parentheses
            in_parens = False
            while position < end:
                c = value[position]
                position += 1
                if in_parens:
                    in_parens = c != ")"
                elif c == "(":
                    in_parens = True
                elif c == ",":
                    break
        if url:
            urls.append(url)


# ---------------------------------------------------------------- reading the tree


def _links(tree: LexborHTMLParser, names: dict[int, str], foreign: dict[int, str]) -> tuple[Link, ...]:
    root = tree.root
    if root is None:
        return ()
    out = []
    make = Link._make  # (a third faster than Link(...), which takes its arguments by name)
    for node in root.traverse():
        name = names.get(node.tag_id) or _name(node, names)
        if name not in _URL_TAGS:
            continue
        namespace = foreign.get(node.mem_id, "html") if foreign else "html"
        wanted = HTML_URLS.get(name) if namespace == "html" else SVG_URLS.get(name) if namespace == "svg" else None
        if not wanted:
            continue
        attrs = node.attributes
        rel = (attrs.get("rel") or "") if namespace == "html" and name in _RELS else ""
        for attr in wanted:
            if attr not in attrs:
                continue
            value = attrs[attr] or ""
            if attr == "srcset":
                out.extend(make((name, attr, url, rel)) for url in srcset_urls(value))
            else:
                out.append(make((name, attr, value, rel)))
    return tuple(out)


def _name(node: LexborNode, names: dict[int, str]) -> str:
    """A node's name, lowercase ('-text', '-comment' for those), remembered by its tag id (the
    'tag' property costs seven times more than the id: names.get(node.tag_id) first)."""
    name = names[node.tag_id] = (node.tag or "-").lower()
    return name


def _namespaces(tree: LexborHTMLParser, names: dict[int, str]) -> dict[int, str]:
    """The namespace of every element inside an <svg> or <math> (by mem_id; any other element
    is HTML), from the parser's rules: an element is in its parent's foreign namespace unless
    the parent is an integration point, where HTML resumes. (Exact for SVG; an element that the
    adoption agency moves out of a MathML <annotation-xml> is taken for HTML.)"""
    found: dict[int, str] = {}
    for top in tree.css("svg, math"):
        if top.mem_id in found:
            continue  # inside one met before
        elements = top.traverse()
        found[next(elements).mem_id] = "svg" if top.tag == "svg" else "math"
        for node in elements:
            name = (node.tag or "-").lower()
            if name[0] == "-":
                continue
            parent = node.parent
            found[node.mem_id] = _namespace(found[parent.mem_id], parent, name)
    return found


def _namespace(parent_ns: str, parent: LexborNode, name: str) -> str:
    """The namespace the HTML parser gives an element named name under parent."""
    if parent_ns == "svg":
        if (parent.tag or "").lower() not in ("foreignobject", "desc", "title"):  # (HTML integration points)
            return "svg"
    elif parent_ns == "math":
        parent_name = parent.tag
        if parent_name == "annotation-xml":
            if name == "svg":
                return "svg"
            if (parent.attributes.get("encoding") or "").lower() not in ("text/html", "application/xhtml+xml"):
                return "math"
        elif parent_name not in ("mi", "mo", "mn", "ms", "mtext") or name in ("mglyph", "malignmark"):
            return "math"
    return name if name in ("svg", "math") else "html"


def _attributes(node: LexborNode) -> dict[str, str]:
    """An element's attributes, a new dict ('' for an attribute without a value, as in the DOM)."""
    attrs = node.attributes
    if None in attrs.values():
        attrs = {name: value or "" for name, value in attrs.items()}
    return attrs


def _flush(out: PageText, buffer: list[str], anchor: str, section: str) -> None:
    text = _fold("".join(buffer))
    if text:
        out.parts.append([anchor, section, text])


def _fold(text: str) -> str:
    """Runs of white space made one space, and none at the ends (white space as str.isspace)."""
    return " ".join(text.split())


def _set_attributes(node: LexborNode, old: dict[str, str], new: dict[str, str]) -> None:
    """Give node the attributes new in place of old (its own, in order): values change in place
    while the names agree, and from the first name that differs on the attributes are made anew."""
    attrs = node.attrs
    old_names, new_names = list(old), list(new)
    same = 0
    while same < len(old_names) and same < len(new_names) and old_names[same] == new_names[same]:
        same += 1
    for name in old_names[same:]:
        del attrs[name]
    for name in new_names[:same]:
        if old[name] != new[name]:
            attrs[name] = new[name]
    for name in new_names[same:]:
        attrs[name] = new[name]
