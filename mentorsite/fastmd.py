"""A fast path for plain Markdown: pulldown-cmark (compiled, through pyromark) making exactly
the HTML our markdown-it pipeline makes (mentorsite.markdown).

markdown-it-py is pure Python, and parsing with it was about a third of a cold build. Most
guides use only CommonMark and tables: for those, pulldown-cmark's HTML is brought to
markdown-it's layout (heading anchors, table lines, quotes in text, link hrefs as markdown-it
normalises them), and one walk over its events gives the headings and the links with their
lines. Anything else (admonitions, directives, footnotes, task lists, definition lists,
strikethrough, raw HTML, autolinks, numeric character references, tabs, deep nesting, a link
markdown-it would refuse, and the corners where the two parsers were seen to differ) makes `render` answer None,
and the guide goes through markdown-it. tests/test_fastmd.py holds the two to the same output,
byte for byte, on the example handbook, generated handbooks, hand-picked cases, random documents
and whole builds."""

from __future__ import annotations

import re
from bisect import bisect_right

try:
    import pyromark
except ImportError:  # pragma: no cover - a dependency; without it every guide goes through markdown-it
    pyromark = None

from markdown_it.common.utils import escapeHtml

from mentorsite.markdown import is_relative, make_markdown, unique_anchor

# What only markdown-it (with our plugins) reads, or where the two parsers may part ways: directives
# and admonitions ('::'), footnotes ('[^'), task list items, strikethrough ('~~'; a lone '~', as in
# '~30 minutes', is text to both), raw HTML and autolinks ('<'), a backslash before a space. Each
# is looked for by its rarest character first (a search for one character is many times faster
# than for two that start with a common one).
_DECLINE_CHARS = ("<",)
_DECLINE_PAIRS = (("~", "~~"), (":", "::"), ("\\", "\\ "))
_DECLINE_BRACKET = re.compile(r"\[[\^ xX]")  # '[^', '[ ]', '[x]', '[X]'
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")  # tabs, carriage returns, NUL, form feeds, ...
# white space other than the space: markdown-it trims what Python's str.strip trims (a paragraph's,
# a heading's or a cell's no-break spaces, for one; pulldown-cmark keeps them)
_SPACES = "\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_UNICODE_SPACE = re.compile(f"[\x85\u2028\u2029\ufeff]"  # line separators and the byte order mark: anywhere
                            # other spaces at the edge of a line, a heading, a table cell or an item (within
                            # a line, such as a French '« mot »' or Japanese text, the two read them alike)
                            f"|(?:^|\n)[ >*+\\-\\d.)#|:]*[{_SPACES}]|[{_SPACES}][ #|]*(?:\n|$)|\\|[ ]*[{_SPACES}]|[{_SPACES}][ ]*\\|")
_ANY_SPACE = re.compile(f"[{_SPACES}]")
_DEFINITION = re.compile(r"^[ >*+\-\d.)]*[:~]", re.MULTILINE)  # definition lists (': definition', '~ definition')
_REFUSED = re.compile(r"(?:javascript|vbscript|file|data):", re.IGNORECASE)  # links markdown-it refuses
# a link reference definition in a list item or quote, with its destination on the next line, or
# with a line other than a definition or a blank line right after it
_DEFINITION_EDGE = re.compile(r"^ *(?:[>*+\-]|\d+[.)])[ >*+\-\d.)]*\[[^\]\n]*\]:|\]: *$"
                              r"|\]:[^\n]*\n(?! {0,3}\[[^\]\n]*\]:| *(?:\n|$))", re.MULTILINE)


def _declined(body: str) -> bool:
    for char in _DECLINE_CHARS:
        if char in body:
            return True
    for char, text in _DECLINE_PAIRS:
        if char in body and text in body:
            return True
    if "[" in body and _DECLINE_BRACKET.search(body):
        return True
    if _CONTROL.search(body) or (not body.isascii() and _UNICODE_SPACE.search(body)):
        return True
    if "\\\n" in body and ("](" in body or "]:" in body):
        return True  # a backslash at a line's end may be in a link's destination: markdown-it
        # takes the line break into it (a document with both is rare: it goes to markdown-it)
    if "&#" in body:
        return True  # a numeric character reference: one that is not a character (&#0;) differs in a
        # link's destination or title; named ones (&nbsp;, &copy;, &amp;) are read alike
    if (":" in body or "~" in body) and _definition(body):
        return True
    return ":" in body and (_refused(body) or ("]:" in body and _DEFINITION_EDGE.search(body) is not None))


_LINE_START = " >*+-0123456789.)"  # what may stand before a definition's ':' on its line (_DEFINITION)


def _definition(body: str) -> bool:
    """_DEFINITION.search(body), found faster in ASCII text by looking back from each ':' and '~'."""
    if not body.isascii():
        return _DEFINITION.search(body) is not None  # (its \d is any digit)
    for mark in ":~":
        at = body.find(mark)
        while at >= 0:
            if not body[body.rfind("\n", 0, at) + 1:at].strip(_LINE_START):
                return True
            at = body.find(mark, at + 1)
    return False


def _refused(body: str) -> bool:
    """_REFUSED.search(body), after a look for its words in ASCII text (a search that ignores case
    tries the expression at every character)."""
    if body.isascii():
        low = body.lower()
        if "script:" not in low and "file:" not in low and "data:" not in low:
            return False
    return _REFUSED.search(body) is not None


_MAX_DEPTH = 16  # markdown-it stops nesting at 20 (blocks, and inline marks): stay inside it
_ITEM = re.compile(rb"([-+*]|\d{1,9}[.)])( *)")


class _Decline(Exception):
    """The document holds something only markdown-it renders as we need."""


def render(body: str, link=None):
    """(HTML, [(href, line)], [(level, text, anchor)]) for a Markdown body, as markdown-it with
    our plugins would make them, or None when the body needs markdown-it. link(href) gives what
    stands in the HTML for a relative link (prerender's placeholders); lines are 0-based."""
    if pyromark is None or _declined(body):
        return None
    try:
        return _render(body, link)
    except _Decline:
        return None


_PARSER = pyromark.Markdown(options=pyromark.Options.ENABLE_TABLES) if pyromark is not None else None
_OPTIONS = pyromark.Options.ENABLE_TABLES if pyromark is not None else None
_BLOCK_STARTS = frozenset(("Paragraph", "Item", "TableHead", "TableRow", "TableCell"))
_HEADING_TAG = re.compile(r"<h([1-6])>")
_HREF = re.compile(r'<a href="[^"]*"|<img src="[^"]*" alt="[^"]*"')
_TABLE_LF = re.compile(r"(<table>|<thead>|<tbody>|<tr>|</th>|</td>|</tr>|</thead>|</tbody>)(?!\n)")
# a line that may be a table's delimiter row (under a line with a pipe, or with one itself)
_DELIMITER_ROW = re.compile(r"^[ >*+\-\d.)]*(?=[^\n]*\|)(?=[^\n]*-)[|: -]+$"
                            r"|(?<=\|)[^|\n]*\n[ >*+\-\d.)]*[: ]*-[|: -]*$", re.MULTILINE)
_ROW_CHARS = " >*+-0123456789.)|:"  # what a line _DELIMITER_ROW ends on is made of (and a '-')


def _delimiter_rows(body: str) -> int:
    """len(_DELIMITER_ROW.findall(body)), found faster: each of its matches ends with a whole line
    of _ROW_CHARS holding a '-', so the expression runs only on the runs of such lines, each run
    with the line before it (a match starts no earlier; the scan comes to that line afresh)."""
    lines = body.split("\n")
    count, run = 0, None  # run: the first line of the window being gathered
    for i, line in enumerate(lines + [""]):
        # (a line with more than ASCII is taken as it comes: the expression's \d is any digit)
        if "-" in line and (not line.isascii() or not line.strip(_ROW_CHARS)):
            if run is None:
                run = max(i - 1, 0)
        elif run is not None:
            count += len(_DELIMITER_ROW.findall("\n".join(lines[run:i])))
            run = None
    return count


_CLOSING_FENCE = re.compile(rb"[ >]*(?:`{3,}|~{3,}) *")
_TEXT_QUOTE = re.compile(r'"(?![^<>]*>)')


def _render(body: str, link):
    """pulldown-cmark's HTML, brought to markdown-it's layout, and one walk over its events for
    what the HTML does not say (headings' text, links and their lines) and for what would make
    the two parsers differ."""
    md = make_markdown()  # markdown-it's own normalizeLink and validateLink
    data = body.encode("utf-8")
    starts = [0]
    at = data.find(b"\n")
    while at >= 0:
        starts.append(at + 1)
        at = data.find(b"\n", at + 1)

    def line_of(offset: int) -> int:
        return bisect_right(starts, offset) - 1

    def lines(rng) -> list[bytes]:
        first, last = line_of(rng["start"]), line_of(max(rng["end"] - 1, rng["start"]))
        end = starts[last + 1] - 1 if last + 1 < len(starts) else len(data)
        return data[starts[first]:end].split(b"\n")

    links: list[tuple[str, int]] = []
    written: list[str] = []
    headings: list[tuple[int, str, str]] = []
    slugs: dict[str, int] = {}
    heading = None        # the text of the heading being read
    level = 0
    inline = None         # where the inline content being read starts (None between blocks)
    breaks = 0            # line breaks since then, outside images (as markdown-it counts lines)
    in_link = 0
    image = 0             # inside an image's text (1), whose text is its alt (an image in it is declined)
    alt: list[str] = []
    code = False          # inside a code block
    depth = 0             # elements open
    last_code = ""        # a code block's last text
    tables = 0
    lists = 0             # lists open
    for ev, rng in pyromark.events_with_range(body, options=_OPTIONS):
        if type(ev) is str:
            if ev == "Rule":
                inline = None
            elif image:
                alt.append("\n")
            else:
                breaks += 1
            continue
        text = ev.get("Text")
        if text is not None:
            if code:
                last_code = text
                continue
            if inline is None:
                inline, breaks = rng["start"], 0
            if image:
                alt.append(text)
            else:
                if heading is not None:
                    heading.append(text)
                if in_link and ("*" in text or "_" in text or "\\" in text):
                    raise _Decline  # a '*', '_' or '\\' left in a link's text: markdown-it may differ
            continue
        start = ev.get("Start")
        if start is not None:
            depth += 1
            if depth > _MAX_DEPTH:
                raise _Decline
            if type(start) is str:
                if start == "Emphasis" or start == "Strong":
                    if inline is None:
                        inline, breaks = rng["start"], 0
                    continue
                if start not in _BLOCK_STARTS:
                    raise _Decline
                inline = None
                if start == "Item":
                    _check_item(lines(rng), rng["start"] - starts[line_of(rng["start"])])
                elif start == "TableRow":
                    row = lines(rng)[0]
                    if b"|" not in row or row.startswith(b"    "):
                        raise _Decline  # markdown-it ends a table at a line without a pipe
                continue
            tag, value = next(iter(start.items()))
            if tag == "Link" or tag == "Image":
                if inline is None:
                    inline, breaks = rng["start"], 0
                if image or value["link_type"] not in ("Inline", "Reference", "Collapsed", "Shortcut"):
                    raise _Decline  # a link in an image's text, an autolink
                if value["link_type"] != "Inline" and data[rng["end"]:rng["end"] + 1] == b"(":
                    raise _Decline  # '[ref](': markdown-it tries an inline link and gives up
                href = md.normalizeLink(value["dest_url"])
                if not md.validateLink(href):
                    raise _Decline
                links.append((href, line_of(inline) + breaks))  # (its line, found only for links)
                href = escapeHtml(link(href) if link is not None and is_relative(href) else href)
                if tag == "Link":
                    written.append(f'<a href="{href}"')
                    in_link += 1
                else:
                    written.append(href)
                    image, alt = 1, []
            elif tag == "Heading":
                if value["id"] is not None or value["classes"] or value["attrs"]:
                    raise _Decline
                source = lines(rng)
                if len(source) > 1 and any(b"|" in text for text in source[:-1]):
                    raise _Decline  # a setext heading or a table: the two parsers differ
                heading, level, inline = [], int(value["level"][1]), None
            elif tag == "CodeBlock":
                if value != "Indented":
                    info = value["Fenced"]
                    if "\\" in info or "&" in info or (not info.isascii() and _ANY_SPACE.search(info)):
                        raise _Decline  # (markdown-it splits the language from the rest at any space)
                    block = data[rng["start"]:rng["end"]].rsplit(b"\n", 1)
                    if len(block) < 2 or not _CLOSING_FENCE.fullmatch(block[1]):
                        raise _Decline  # a fence left open: the two parsers part ways in lists
                if inline is not None:
                    raise _Decline  # right after a tight item's text: markdown-it adds no newline
                code, inline, last_code = True, None, ""
            elif tag == "BlockQuote":
                if value is not None:
                    raise _Decline
                _check_quote(lines(rng), rng["start"] - starts[line_of(rng["start"])])
                inline = None
            elif tag == "List":
                lists += 1
                inline = None
            elif tag == "Table":
                if lists:
                    raise _Decline  # markdown-it reads a table's first line before a list item's
                tables += 1
                inline = None
            else:
                raise _Decline
            continue
        end = ev.get("End")
        if end is not None:
            depth -= 1
            tag = end if type(end) is str else next(iter(end))
            if tag == "Emphasis" or tag == "Strong":
                continue
            if tag == "Link":
                in_link -= 1
                continue
            if tag == "Image":
                alt_text = "".join(alt)
                if "*" in alt_text or "_" in alt_text or "\\" in alt_text:
                    raise _Decline  # emphasis or a backslash in an image's text: the two parsers differ
                written[-1] = f'<img src="{written[-1]}" alt="{escapeHtml(alt_text)}"'
                image = 0
                continue
            if tag == "Heading":
                text = "".join(heading)
                if not text:
                    raise _Decline  # markdown-it would take the anchor from the raw source
                headings.append((level, text, unique_anchor(text, slugs)))
                heading = None
            elif tag == "List":
                lists -= 1
            elif tag == "CodeBlock":
                code = False
                if last_code and not last_code.endswith("\n"):
                    raise _Decline  # a code block at the very end, without a line end: the two differ
            inline = None
            continue
        value = ev.get("Code")
        if value is not None:
            if inline is None:
                inline, breaks = rng["start"], 0
            if line_of(rng["start"]) != line_of(rng["end"] - 1):
                raise _Decline  # pulldown-cmark keeps a code span's indentation on its next lines
            if image:
                alt.append(value)
            elif heading is not None:
                heading.append(value)
            continue
        raise _Decline
    if "|" in body and _delimiter_rows(body) != tables:
        raise _Decline  # a table only one of the two parsers sees
    html = _PARSER.html(body)
    if headings:
        numbered = iter(headings)
        html = _HEADING_TAG.sub(lambda m: f'<h{m.group(1)} id="{escapeHtml(next(numbered)[2])}">', html)
    if written:
        hrefs = iter(written)
        html = _HREF.sub(lambda m: next(hrefs), html)
    if "<table>" in html:
        html = (_TABLE_LF.sub("\\1\n", html).replace('style="text-align: ', 'style="text-align:')
                .replace("<tbody>\n</tbody>\n", ""))
    if "&#39;" in html:  # pulldown-cmark's escape of an apostrophe in an attribute; markdown-it
        html = html.replace("&#39;", "'")  # keeps it (a text's own '&#39;' was declined: an entity)
    if "<blockquote>\n</blockquote>" in html:
        html = html.replace("<blockquote>\n</blockquote>", "<blockquote></blockquote>")
    if '"' in html:
        html = _TEXT_QUOTE.sub("&quot;", html)
    return html, links, headings


def _check_item(lines: list[bytes], col: int) -> None:
    """Decline a list item with a lazy line (one that continues a paragraph without the item's
    indent): the two parsers part ways on some."""
    head = lines[0]
    if b">" in head[:col]:
        return  # the item starts inside a block quote's line: the quote's own check covers it
    m = _ITEM.match(head, col)
    if m is None:
        raise _Decline
    gap = len(m.group(2))
    indent = m.end(1) + (gap if 1 <= gap <= 4 and m.end() < len(head) else 1)
    for line in lines[1:]:
        if line.strip(b" ") and len(line) - len(line.lstrip(b" ")) < indent:
            raise _Decline


def _check_quote(lines: list[bytes], col: int) -> None:
    """Decline a block quote with a lazy line (without its '>')."""
    if lines[0][:col].strip(b" "):
        return
    for line in lines[1:]:
        if line.strip(b" ") and not line.lstrip(b" ").startswith(b">"):
            raise _Decline
