"""Parse sources into model objects: YAML files through the schema, guides through Markdown."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from mentorsite.sources.discover import Source, Sources, source_digest

from mentorsite.deps import digest
from mentorsite.errors import Loc, Problems, SiteError, SiteErrors, suggest
from mentorsite.htmlread import fragment_links, swallows, url_scheme
from mentorsite.sources.markdown import ADMONITIONS, is_relative, links_in, make_markdown
from mentorsite.parallel import fork_map
from mentorsite.site.model import FrontMatter, Guide, Heading, MentoringType, MilestoneTemplate, Program, Worksheet
from mentorsite.site.schema import read
from mentorsite.sources.yamlload import decode, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(frozen=True, slots=True)
class Body:
    """A guide's body rendered to HTML without the site: its relative links and its data
    directives are placeholders ('\\x00L<n>\\x01', '\\x00D<n>\\x01') that the renderer fills in
    (fill), since where a link leads and what a directive shows depend on the rest of the site."""

    html: str
    links: tuple[str, ...]  # the hrefs of the placeholders, in order
    directives: tuple[tuple[str, str], ...]  # (name, argument) of each directive, in order


@dataclass(slots=True)
class Parsed:
    """The parsed project: model objects, and each Markdown file's body."""

    program: Program | None = None
    types: dict[str, MentoringType] = field(default_factory=dict)
    milestones: dict[str, MilestoneTemplate] = field(default_factory=dict)
    worksheets: dict[str, Worksheet] = field(default_factory=dict)
    guides: list[Guide] = field(default_factory=list)
    index: Guide | None = None
    bodies: dict[str, Body] = field(default_factory=dict)  # a Markdown file's content path -> its body
    assets: tuple = ()
    failed: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of files with errors


def parse_all(sources: Sources, problems: Problems, state, *, html: bool = True, jobs: int = 1) -> Parsed:
    """Parse every source, recording problems; never stops at the first one.

    The build state (state.py) is the parse cache: a guide whose file has the digest it had when
    it was parsed, with the same Markdown options, is taken from it (its model and its body), and
    is not parsed again. A preview's memory keeps what each YAML file gave, and each guide's
    digest, while discover gives the same bytes (the same object)."""
    memory = state.memory
    out = Parsed(assets=sources.assets)
    docs = [*sources.guides, *([sources.index] if sources.index else [])]
    if sources.program is None:
        problems.error(None, "content/program.yml is missing — create it with at least 'name: Your program'")
    else:
        out.program = _yaml(problems, memory, Program, sources.program)
    for kind, cls, target in (
        ("types", MentoringType, out.types),
        ("milestones", MilestoneTemplate, out.milestones),
        ("worksheets", Worksheet, out.worksheets),
    ):
        for src in getattr(sources, kind):
            ident = Path(src.rel).stem
            if not _ID.match(ident):
                problems.error(
                    Loc(src.path, 1, 1),
                    f"file name '{Path(src.rel).name}' is not a valid id — use lowercase letters, digits and dashes",
                )
                continue
            obj = _yaml(problems, memory, cls, src, id=ident, source=src.path)
            if obj is not None:
                target[ident] = obj
            else:
                out.failed.add((kind, ident))
    known = memory.digests if memory is not None else {}
    digests, fresh = {}, []
    for src in docs:
        if src.digest is not None:
            digests[src.rel] = (src.data, src.digest)
        else:
            seen = known.get(src.rel)
            digests[src.rel] = seen if seen is not None and seen[0] is src.data else (src.data, source_digest(src.data))
        old, body = state.guides.get(src.rel), state.bodies.get(src.rel)
        if (old is None or old.digest != digests[src.rel][1] or old.source != src.path
                or body is None or body[0] != (old.digest, html)):
            fresh.append(src.read())
    if memory is not None:
        memory.digests = digests
    parsed = dict(zip((src.rel for src in fresh), _parse_guides(fresh, html, jobs)))
    guides, bodies = {}, {}
    for src in docs:
        if src.rel in parsed:
            result = parsed[src.rel]
            if isinstance(result, (SiteError, SiteErrors)):
                problems.add(result)
                out.failed.add(("docs", src.rel))
                continue
            guide, body = result
            bodies[src.rel] = ((guide.digest, html), body)
        else:
            guide = state.guides[src.rel]
            bodies[src.rel] = state.bodies[src.rel]
        for loc, message in guide.warnings:
            problems.warn(loc, message)
        guides[src.rel] = guide
        out.bodies[src.rel] = bodies[src.rel][1]
        if src is sources.index:
            out.index = guide
        else:
            out.guides.append(guide)
    state.guides, state.bodies = guides, bodies
    return out


# Guides to parse from which the work is shared with forked workers: fewer are parsed in this
# process. Measured on 2 cores: at 50 guides the two ways take the same time, at 100 the
# workers save a tenth of the build (on a machine whose other core is busy, they save nothing).
PARALLEL_GUIDES = 48


def _parse_guides(sources: list[Source], html: bool, jobs: int) -> list:
    """Each guide's (Guide, Body), or its error; over several processes when there are many."""

    def task(i: int):
        try:
            return parse_guide(sources[i], html=html)
        except (SiteError, SiteErrors) as e:
            return e

    return fork_map(task, len(sources), jobs, minimum=PARALLEL_GUIDES)


# NUL never reaches markdown-it's output (it replaces NUL in its input), and keeps an ASCII body
# ASCII, so one byte a character in memory
_PLACEHOLDER = re.compile("\x00L(\\d+)\x01|\x00D(\\d+)\x01")


class _Placeholders:
    """What stands for each relative link in a body: '\\x00L<n>\\x01'."""

    __slots__ = ("links",)

    def __init__(self):
        self.links: list[str] = []

    def __call__(self, href: str) -> str:
        self.links.append(href)
        return f"\x00L{len(self.links) - 1}\x01"


def render_body(tokens: list, html: bool) -> Body:
    """A body rendered without the site, its links and directives left as placeholders."""
    link = _Placeholders()
    links = link.links
    directives: list[tuple[str, str]] = []

    def directive(name: str, arg: str, line: int = 0) -> str:
        directives.append((name, arg))
        return f"\x00D{len(directives) - 1}\x01"

    md = make_markdown(html)
    body = md.renderer.render(tokens, md.options, {"directive": directive, "resolve_link": link})
    # (markdown-it replaces every NUL of the text, so no placeholder can come from the text itself)
    return Body(body, tuple(links), tuple(directives))


def fill(body: Body, resolve, directive) -> str:
    """A body's HTML with its links resolved and its directives rendered."""
    from markdown_it.common.utils import escapeHtml  # (put off: see sources.markdown.make_markdown)

    links, directives = body.links, body.directives
    return _PLACEHOLDER.sub(
        lambda m: escapeHtml(resolve(links[int(m.group(1))])) if m.group(1) is not None
        else directive(*directives[int(m.group(2))]),
        body.html,
    )


def _guard(problems: Problems, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except SiteError as e:
        problems.add(e)
        return None


def link_targets(rel: str, links: tuple) -> tuple:
    """Where each link of a document leads: (href, loc, the scheme of a link that is not to a
    project file or None, the project path a relative one leads to ('' for none), its anchor)."""
    out = []
    for href, loc in links:
        if not is_relative(href):
            out.append((href, loc, url_scheme(href) or "", None, ""))
            continue
        path, _, anchor = href.partition("#")
        path = path.split("?", 1)[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(path))) if path else ""
        out.append((href, loc, None, target, anchor))
    return tuple(out)


def _yaml(problems: Problems, memory, cls, src: Source, **derived):
    """parse_yaml, guarded; a preview keeps (in its memory) what a file read without any
    problem gave, and gives it again while discover gives the same bytes (the same object)."""
    kept = memory.yaml if memory is not None else None
    known = kept.get(src.path) if kept is not None else None
    if known is not None and known[0] is src.data and known[1] == (cls, derived):
        return known[2]
    before = (len(problems.errors), len(problems.warnings))
    obj = _guard(problems, parse_yaml, cls, src, problems, **derived)
    if kept is not None and obj is not None and (len(problems.errors), len(problems.warnings)) == before:
        kept[src.path] = (src.data, (cls, derived), obj)
    return obj


def parse_yaml(cls, src: Source, problems: Problems, **derived):
    """A YAML file read into cls; problems recorded, None when unusable."""
    data = load_yaml(decode(src.data, src.path), src.path)
    if data is None:
        raise SiteError(Loc(src.path, 1, 1), "the file is empty — fill it in (see docs/reference.md)")
    before = len(problems.errors)
    obj = read(cls, data, Loc(src.path, 1, 1), problems, what="this file", **derived)
    return obj if len(problems.errors) == before else None


_FENCE = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)


def parse_guide(src: Source, *, html: bool = True) -> tuple[Guide, Body]:
    """A Markdown guide: front matter read through the schema, body parsed by markdown-it (the
    guide's model) and rendered without the site (its Body)."""
    text = decode(src.data, src.path)
    meta_data = None
    body, body_line = text, 1
    if text.startswith("---\n") or text == "---":
        end = _FENCE.search(text, 4)
        if end is None:
            raise SiteError(
                Loc(src.path, 1, 1),
                "front matter is not closed — add a line '---' after the title and other keys",
            )
        meta_text = text[4:end.start()]
        meta_data = load_yaml(meta_text, src.path, line_offset=1)
        body_line = text.count("\n", 0, end.end()) + 2
        body = text[end.end() + 1:] if end.end() < len(text) else ""
    md = make_markdown(html)
    env: dict = {}
    tokens = md.parse(body, env)
    heading_list = env.get("headings", ())
    link_lines = links_in(tokens)
    headings = tuple(Heading(level=l, text=t, anchor=a) for l, t, a in heading_list)
    if meta_data is None or (isinstance(meta_data, dict) and "title" not in meta_data):
        first = next((h for h in headings if h.level == 1), None)
        if first is None:
            raise SiteError(
                Loc(src.path, 1, 1),
                "the guide has no title — start it with front matter ('---', 'title: ...', '---')",
            )
        meta_data = dict(meta_data or {}) | {"title": first.text}
    if not isinstance(meta_data, dict):
        raise SiteError(Loc(src.path, 2, 1), "front matter must be keys and values, such as 'title: ...'")
    problems = Problems()
    meta = read(FrontMatter, meta_data, getattr(meta_data, "loc", Loc(src.path, 2, 1)), problems, what="the front matter")
    problems.check()
    rel = Path(src.rel)
    parts = rel.with_suffix("").parts  # ('guides', 'folder', 'name') or ('index',)
    folder = "/".join(parts[1:-1]) if parts[0] == "guides" else ""
    ident = "/".join(parts[1:]) if parts[0] == "guides" else parts[-1]
    _check_blocks(tokens, src.path, body_line)
    directives = []
    for token in tokens:
        if token.type == "directive":
            directives.append((token.info, token.meta["arg"], Loc(src.path, body_line + token.map[0], 1)))
    lines = text.split("\n")
    raw = _html_links(tokens, src.path, body_line)
    html_links = tuple((link.value, loc) for link, loc in raw)
    links = tuple((href, _link_loc(src.path, lines, body_line + line, href)) for href, line in link_lines)
    # raw HTML's links that are not relative (relative ones are the author's business): checked
    # for their scheme as a Markdown link is (a picture's or a sound's data: URL opens nothing)
    links += tuple((link.value, loc) for link, loc in raw if not is_relative(link.value)
                   and not (url_scheme(link.value) == "data" and link.tag in _MEDIA))
    warnings = _swallowing(tokens, src.path, body_line)
    directives = tuple(directives)
    guide = Guide(
        meta=meta,
        id=ident,
        folder=folder,
        source=src.path,
        rel=src.rel,
        digest=src.digest if src.digest is not None else source_digest(src.data),
        body_line=body_line,
        headings=headings,
        directives=directives,
        links=links,
        targets=link_targets(src.rel, links),
        html_links=html_links,
        warnings=warnings,
        outline=digest(meta, ident, folder, str(src.path), src.rel, body_line, headings, directives, links),
    )
    return guide, render_body(tokens, html)


_MEDIA = frozenset(("img", "source", "video", "audio", "track", "input"))  # elements whose URL is shown, not opened


def _html_links(tokens: list, path: Path, body_line: int) -> tuple:
    """(Link, where it is written) of every link of the raw HTML in a guide: a block's URLs, or
    those of a paragraph's inline pieces read together (an <svg> opened in one piece holds the
    <a> of the next), each found in the text after the one before (fragment_links)."""
    out = []
    for token in tokens:
        text = token.content
        if token.type == "html_block" and token.map:
            spans = [(0, len(text))]
        elif token.type == "inline" and token.children and token.map and any(c.type == "html_inline" for c in token.children):
            spans, end = [], 0  # where each inline piece is written in the paragraph's text
            for child in token.children:
                at = text.find(child.content, end) if child.type == "html_inline" else -1
                if at >= 0:
                    spans.append((at, end := at + len(child.content)))
        else:
            continue
        line, cursor = body_line + token.map[0], 0
        for link in fragment_links("".join(text[a:b] for a, b in spans)):
            at = next((found for a, b in spans if b > cursor and (found := text.find(link.value, max(a, cursor), b)) >= 0), -1)
            if at < 0:  # (written with entities or line breaks: at the start of its block)
                out.append((link, Loc(path, line, 1)))
                continue
            cursor = at + len(link.value)
            out.append((link, Loc(path, line + text.count("\n", 0, at), at - text.rfind("\n", 0, at))))
    return tuple(out)


def _swallowing(tokens: list, path: Path, body_line: int) -> tuple:
    """A warning at each piece of raw HTML that leaves the rest of the page out of it (an
    unclosed comment, <textarea>, <script> ...): what follows would vanish from the page, its
    search text and the print edition without a word."""
    out = []
    for token in tokens:
        if token.map and (token.type == "html_block" or (
                token.type == "inline" and any(c.type == "html_inline" for c in token.children or ()))):
            if swallows(token.content):
                out.append((Loc(path, body_line + token.map[0], 1),
                            "this raw HTML swallows everything after it: an unclosed comment, <textarea>, "
                            "<script>, <title> or <template> (or a <plaintext>) makes the rest of the page its "
                            "text, so it vanishes from the page, the search and the print edition — close it"))
    return tuple(out)


def _check_blocks(tokens: list, path: Path, body_line: int) -> None:
    """Admonitions must be closed and of a known kind."""
    problems = Problems()
    opened = []
    for i, token in enumerate(tokens):
        if token.type.startswith("container_") and token.type.endswith("_open"):
            opened.append(token)
        elif token.type.startswith("container_") and token.type.endswith("_close"):
            start = opened.pop()
            if not token.markup:
                kind = start.type[len("container_"):-len("_open")]
                problems.error(Loc(path, body_line + start.map[0], 1),
                               f"':::{kind}' is not closed — add a line ':::' after its text")
        elif token.type == "inline" and token.content.startswith(":::") and tokens[i - 1].type == "paragraph_open":
            word = token.content[3:].split(maxsplit=1)[0] if token.content[3:].strip() else ""
            if word and word.isalpha() and word not in ADMONITIONS:
                problems.error(Loc(path, body_line + token.map[0], 1),
                               f"unknown admonition ':::{word}'{suggest(word, ADMONITIONS)}")
    problems.check()


def _link_loc(path: Path, lines: list[str], line: int, href: str) -> Loc:
    """Where href stands on its line (its column), for messages about links."""
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    col = text.find(href)
    if col < 0 and line < len(lines):  # a link whose text wraps onto the next line
        nxt = lines[line].find(href)
        if nxt >= 0:
            return Loc(path, line + 1, nxt + 1)
    return Loc(path, line, col + 1 if col >= 0 else 1)
