"""HTML tags found with regular expressions, where a build reads every page it renders (the
search text, the print edition's parts): html.parser took most of a build's time there.

The HTML is the theme's and the Markdown renderer's (raw HTML in guides too). Attribute values
may be quoted either way or not; names are lowercased and values unescaped, as html.parser
gives them. The callers skip comments and the bodies of <script> and <style>, as a browser does.
"""

from __future__ import annotations

import re
from html import unescape

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
