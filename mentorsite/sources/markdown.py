"""The Markdown pipeline: markdown-it-py with our plugins (directives, admonitions, anchors, links)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING

from mentorsite.htmlread import url_scheme

if TYPE_CHECKING:  # (imported by make_markdown, when a guide is parsed)
    from markdown_it import MarkdownIt

ADMONITIONS = ("note", "tip", "warning", "important")
DIRECTIVES = {
    "type": "a mentoring type card: '::type <type id>'",
    "milestones": "a milestone table: '::milestones <template id>'",
    "worksheet": "a worksheet form in the page: '::worksheet <worksheet id>'",
    "worksheet-card": "a link card to a worksheet: '::worksheet-card <worksheet id>'",
    "phases": "the program's phases: '::phases'",
    "roles": "the program's roles: '::roles'",
}
DIRECTIVE_TARGETS = {"type": "types", "milestones": "milestones", "worksheet": "worksheets", "worksheet-card": "worksheets"}
_DIRECTIVE = re.compile(r"^::([A-Za-z][\w-]*)(?:[ \t]+(.*?))?[ \t]*$")
_SPACE = "".join(map(chr, range(0x21)))  # what the URL parser strips from a URL's ends


_PLAIN_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
_ASCII_GAP = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    """A URL- and id-safe slug that keeps letters of every script: 'Trust & respect' -> 'trust-respect'."""
    if _PLAIN_SLUG.fullmatch(text):  # already a slug (most file names): as the loop below would leave it
        return text
    if text.isascii():  # (most headings) as the loop below: control characters but the tab dropped,
        # every other run of characters that are not letters or digits made one '-'
        return _ASCII_GAP.sub("-", _ASCII_CONTROL.sub("", text.lower())).strip("-")
    return _slug_by_category(text)


def _slug_by_category(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).lower()
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if cat[0] in "LN":
            out.append(ch)
        elif ch in " -_\t" or cat[0] in "PZS":
            out.append("-")
    return re.sub(r"-{2,}", "-", "".join(out)).strip("-")


def _directive_rule(state, start_line, end_line, silent):
    pos = state.bMarks[start_line] + state.tShift[start_line]
    maximum = state.eMarks[start_line]
    if state.sCount[start_line] - state.blkIndent >= 4:
        return False
    line = state.src[pos:maximum]
    if not line.startswith("::") or line.startswith(":::"):
        return False
    m = _DIRECTIVE.match(line)
    if not m:
        return False
    if silent:
        return True
    token = state.push("directive", "", 0)
    token.info = m.group(1)
    token.meta = {"arg": (m.group(2) or "").strip()}
    token.map = [start_line, start_line + 1]
    token.block = True
    state.line = start_line + 1
    return True


def _render_directive(self, tokens, idx, options, env):
    token = tokens[idx]
    callback = env.get("directive") if isinstance(env, dict) else None
    if callback is None:
        return ""
    return callback(token.info, token.meta["arg"], token.map[0] if token.map else 0)


def _admonition_plugin(md: MarkdownIt, name: str) -> None:
    from markdown_it.common.utils import escapeHtml  # (put off: see make_markdown)
    from mdit_py_plugins.container import container_plugin  # (put off: see make_markdown)

    def render(self, tokens, idx, options, env):
        token = tokens[idx]
        if token.nesting == 1:
            title = token.info.strip()[len(name):].strip() or name.capitalize()
            return (
                f'<aside class="admonition admonition-{name}" aria-label="{escapeHtml(title)}">\n'
                f'<p class="admonition-title">{escapeHtml(title)}</p>\n'
            )
        return "</aside>\n"

    container_plugin(md, name, render=render)


def unique_anchor(text: str, seen: dict[str, int]) -> str:
    """A heading's id: the slug of its text, numbered when a heading before it had the same one
    (seen, by the document, counts them)."""
    base = slugify(text) or "section"
    slug = base
    if slug in seen:
        seen[base] += 1
        slug = f"{base}-{seen[base]}"
    seen[slug] = seen.get(slug, 0)
    return slug


def _anchor_rule(state):
    """Give each heading a unique id from its text, and collect headings in env['headings']."""
    seen: dict[str, int] = state.env.setdefault("_slugs", {})
    headings = state.env.setdefault("headings", [])
    tokens = state.tokens
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[i + 1]
        text = "".join(c.content for c in (inline.children or []) if c.type in ("text", "code_inline")) or inline.content
        slug = unique_anchor(text, seen)
        token.attrSet("id", slug)
        headings.append((int(token.tag[1]), text, slug))


def _rewrite_links(self, tokens, idx, options, env):
    token = tokens[idx]
    resolve = env.get("resolve_link") if isinstance(env, dict) else None
    attr = "src" if token.type == "image" else "href"
    href = token.attrGet(attr)
    if resolve and href is not None and is_relative(href):
        token.attrSet(attr, resolve(href))
    if token.type == "image":
        return self.image(tokens, idx, options, env)
    return self.renderToken(tokens, idx, options, env)


def is_relative(href: str) -> bool:
    """A link to a file of the project (not a URL with a scheme, not '/...', not '#...')."""
    return bool(href) and not href.lstrip(_SPACE).startswith(("#", "/")) and url_scheme(href) is None


def _task_label_rule(state) -> None:
    """Wrap a task list item's checkbox and text in a <label>, so the checkbox has an accessible
    name (WCAG 4.1.2) without ids (the tasklists plugin's label option makes random ones)."""
    from markdown_it.token import Token  # (put off: see make_markdown)

    for token in state.tokens:
        children = token.children if token.type == "inline" else None
        if children and children[0].type == "html_inline" and "task-list-item-checkbox" in children[0].content:
            open_, close = Token("html_inline", "", 0), Token("html_inline", "", 0)
            open_.content, close.content = '<label class="task-list-item-label">', "</label>"
            token.children = [open_, *children, close]


@lru_cache(maxsize=4)
def make_markdown(html: bool = True) -> MarkdownIt:
    """The shared MarkdownIt instance: CommonMark, tables, footnotes, task lists, definition lists,
    admonitions, heading anchors, data directives and link rewriting."""
    # (put off: markdown-it and its plugins are a tenth of a build's imports, and a build with no
    # guide to parse, as after a save of a template or nothing at all, needs none of them)
    from markdown_it import MarkdownIt
    from mdit_py_plugins.deflist import deflist_plugin  # (put off: as markdown-it)
    from mdit_py_plugins.footnote import footnote_plugin  # (put off: as markdown-it)
    from mdit_py_plugins.tasklists import tasklists_plugin  # (put off: as markdown-it)

    md = MarkdownIt("commonmark", {"html": html, "typographer": False})
    # the options markdown-it's rules look up with .get(): set to their defaults, since a missing
    # key costs a KeyError caught in Mapping.get at every list, strikethrough and image
    for option in ("tasklists", "tasklists_editable", "strikethrough_single_tilde", "store_labels",
                   "inline_definitions", "alerts"):
        md.options.setdefault(option, False)
    md.enable(["table", "strikethrough"])
    md.use(footnote_plugin).use(tasklists_plugin).use(deflist_plugin)
    md.core.ruler.push("task_labels", _task_label_rule)
    for name in ADMONITIONS:
        _admonition_plugin(md, name)
    md.block.ruler.before("paragraph", "directive", _directive_rule, {"alt": ["paragraph"]})
    md.add_render_rule("directive", _render_directive)
    md.core.ruler.push("anchors", _anchor_rule)
    md.add_render_rule("link_open", _rewrite_links)
    md.add_render_rule("image", _rewrite_links)
    return md


def links_in(tokens):
    """(href, line index) of every Markdown link and image in the tokens, lines 0-based in the
    source (raw HTML's are parse._html_links's)."""
    out = []
    for token in tokens:
        if token.type != "inline" or not token.children:
            continue
        line = token.map[0] if token.map else 0
        for child in token.children:
            if child.type == "softbreak" or child.type == "hardbreak":
                line += 1
            elif child.type in ("link_open", "image"):
                href = child.attrGet("src" if child.type == "image" else "href")
                if href is not None:
                    out.append((href, line))
    return out

