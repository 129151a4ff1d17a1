"""Parse sources into model objects: YAML files through the schema, guides through Markdown."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

from mentorsite.discover import Source, Sources, source_digest
from mentorsite.errors import Loc, Problems, SiteError, SiteErrors
from mentorsite.markdown import is_relative, links_in, make_markdown
from mentorsite.parallel import fork_map
from mentorsite.model import FrontMatter, Guide, Heading, MentoringType, MilestoneTemplate, Program, Worksheet
from mentorsite.schema import read
from mentorsite.yamlload import decode, load_yaml

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


@dataclass(slots=True)
class Parsed:
    """The parsed project: model objects and each guide's Markdown tokens."""

    program: Program | None = None
    types: dict[str, MentoringType] = field(default_factory=dict)
    milestones: dict[str, MilestoneTemplate] = field(default_factory=dict)
    worksheets: dict[str, Worksheet] = field(default_factory=dict)
    guides: list[Guide] = field(default_factory=list)
    index: Guide | None = None
    tokens: "LazyTokens" = None  # guide source rel -> tokens, parsed on first use
    assets: tuple = ()
    failed: set[tuple[str, str]] = field(default_factory=set)  # (kind, id) of files with errors


class LazyTokens:
    """Markdown tokens by source path: kept from parsing, or parsed again when first needed
    (a guide whose metadata came from the cache has not been tokenised in this build)."""

    def __init__(self, sources: dict[str, Source], html: bool, memo: dict | None = None):
        self.sources = sources
        self.html = html
        # (rel, digest, html) -> tokens, and (rel, digest, "body", html) -> a prerendered body (see
        # prerender and keep_body); kept by a long-running preview from one build to the next
        self.memo = {} if memo is None else memo

    def keep_body(self, rel: str, digest: str, body: tuple) -> None:
        """Keep a document's prerendered body (from a parse worker or the fast path)."""
        self.memo[(rel, digest, "body", self.html)] = body

    def body(self, rel: str, digest: str):
        """The prerendered body of a document (see prerender): made by a parse worker or by the
        fast path earlier, or now; None when only tokens will do (then self[rel] gives them)."""
        body = self.memo.get((rel, digest, "body", self.html))
        if body is not None or (rel, digest, self.html) in self.memo:
            return body
        src = self.sources[rel].read()
        if src.digest != digest:
            return None
        from mentorsite import parallel

        _guide, tokens, body = parse_guide(src, html=self.html, fast=True)
        if body is None:
            body = prerender(tokens, self.html)
        if body is not None and not parallel.in_worker:
            self.keep_body(rel, digest, body)
        return body

    def _key(self, rel: str) -> tuple:
        src = self.sources[rel]
        return (rel, src.digest if src.digest is not None else source_digest(src.data), self.html)

    def __getitem__(self, rel: str) -> list:
        from mentorsite import parallel

        key = self._key(rel)
        if key in self.memo:
            return self.memo[key]
        src = self.sources[rel].read()  # (discover may have known the guide by its file's stat)
        if src.digest != key[1]:  # the file changed since discover: tokens of what it holds now
            key = (rel, src.digest, self.html)
            if key in self.memo:
                return self.memo[key]
        _guide, tokens, _body = parse_guide(src, html=self.html)
        if not parallel.in_worker:  # a worker's memo dies with it: keeping every page's tokens only costs memory
            self.memo[key] = tokens
        return tokens

    def __setitem__(self, rel: str, tokens: list) -> None:
        self.memo[self._key(rel)] = tokens


def parse_all(sources: Sources, problems: Problems, *, html: bool = True, cached: dict | None = None,
              token_memo: dict | None = None, jobs: int = 1, memo: dict | None = None) -> Parsed:
    """Parse every source, recording problems; never stops at the first one.

    cached maps a guide's source path to a Guide from an earlier build; it is reused when the
    file's digest is the same (its tokens are then parsed only if a page needs them). memo (a
    preview's, between builds) keeps each file's digest with its bytes, for bytes that discover
    gives again as the same object when the file did not change."""
    cached = cached or {}
    out = Parsed(assets=sources.assets)
    docs = [*sources.guides, *([sources.index] if sources.index else [])]
    out.tokens = LazyTokens({src.rel: src for src in docs}, html, token_memo)
    if sources.program is None:
        problems.error(None, "content/program.yml is missing — create it with at least 'name: Your program'")
    else:
        out.program = _yaml(problems, memo, Program, sources.program)
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
            obj = _yaml(problems, memo, cls, src, id=ident, source=src.path)
            if obj is not None:
                target[ident] = obj
            else:
                out.failed.add((kind, ident))
    fresh = []
    known, digests = (memo or {}).get("digests", {}), {}
    for src in docs:
        old = cached.get(src.rel)
        seen = known.get(src.rel)
        if src.digest is not None:
            digests[src.rel] = (src.data, src.digest)
        else:
            digests[src.rel] = seen if seen is not None and seen[0] is src.data else (src.data, source_digest(src.data))
        if old is None or old.digest != digests[src.rel][1] or old.source != src.path:
            fresh.append(src.read())
    if memo is not None:
        memo["digests"] = digests
    parsed = dict(zip((src.rel for src in fresh), _parse_guides(fresh, html, jobs, out.tokens)))
    for src in docs:
        if src.rel in parsed:
            result = parsed[src.rel]
            if isinstance(result, (SiteError, SiteErrors)):
                problems.add(result)
                out.failed.add(("docs", src.rel))
                continue
            guide = result
        else:
            guide = cached[src.rel]
        if src is sources.index:
            out.index = guide
        else:
            out.guides.append(guide)
    return out


def _parse_guides(sources: list[Source], html: bool, jobs: int, tokens: "LazyTokens") -> list:
    """Parse guides, over several processes when there are many. In the process, the tokens are
    kept for rendering; from a worker comes the body already rendered, with its links and data
    directives left as placeholders for the renderer to fill (tokens are costly to send back)."""
    if jobs <= 1 or len(sources) < 48:
        out = []
        for src in sources:
            try:
                guide, toks, body = parse_guide(src, html=html, fast=True)
                if body is not None:
                    tokens.keep_body(src.rel, guide.digest, body)
                else:
                    tokens[src.rel] = toks
                out.append(guide)
            except (SiteError, SiteErrors) as e:
                out.append(e)
        return out

    def task(i: int):
        try:
            guide, toks, body = parse_guide(sources[i], html=html, fast=True)
        except (SiteError, SiteErrors) as e:
            return e
        return guide, body if body is not None else prerender(toks, html)

    results = fork_map(task, len(sources), jobs)
    out = []
    for src, result in zip(sources, results):
        if isinstance(result, tuple):
            guide, body = result
            if body is not None:
                tokens.keep_body(src.rel, guide.digest, body)
            out.append(guide)
        else:
            out.append(result)
    return out


# NUL never reaches markdown-it's output (it replaces NUL in its input), and keeps an ASCII body
# ASCII, so one byte a character in memory
_PLACEHOLDER = re.compile("\x00L(\\d+)\x01|\x00D(\\d+)\x01")


class _Placeholders:
    """What stands for each relative link in a prerendered body: '\\x00L<n>\\x01'."""

    __slots__ = ("links",)

    def __init__(self):
        self.links: list[str] = []

    def __call__(self, href: str) -> str:
        self.links.append(href)
        return f"\x00L{len(self.links) - 1}\x01"


def prerender(tokens: list, html: bool) -> tuple | None:
    """A body rendered without the site: (HTML with placeholders, link hrefs, directives)."""
    link = _Placeholders()
    links = link.links
    directives: list[tuple[str, str]] = []

    def directive(name: str, arg: str, line: int = 0) -> str:
        directives.append((name, arg))
        return f"\x00D{len(directives) - 1}\x01"

    md = make_markdown(html)
    body = md.renderer.render(tokens, md.options, {"directive": directive, "resolve_link": link})
    if body.count("\x00L") != len(links) or body.count("\x00D") != len(directives):
        return None  # the text itself holds such characters: render it the slow way
    return body, tuple(links), tuple(directives)


def fill(body: tuple, resolve, directive) -> str:
    """A prerendered body with its links resolved and its directives rendered."""
    from markdown_it.common.utils import escapeHtml

    html, links, directives = body
    return _PLACEHOLDER.sub(
        lambda m: escapeHtml(resolve(links[int(m.group(1))])) if m.group(1) is not None
        else directive(*directives[int(m.group(2))]),
        html,
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
            scheme = href.split(":", 1)[0].strip().lower() if ":" in href else ""
            out.append((href, loc, scheme, None, ""))
            continue
        path, _, anchor = href.partition("#")
        path = path.split("?", 1)[0]
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), unquote(path))) if path else ""
        out.append((href, loc, None, target, anchor))
    return tuple(out)


def _yaml(problems: Problems, memo: dict | None, cls, src: Source, **derived):
    """parse_yaml, guarded; a preview keeps (in memo) what a file read without any problem
    gave, and gives it again while discover gives the same bytes (the same object)."""
    kept = memo.setdefault("yaml", {}) if memo is not None else None
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


def parse_guide(src: Source, *, html: bool = True, fast: bool = False) -> tuple[Guide, list | None, tuple | None]:
    """A Markdown guide: front matter read through the schema, body parsed to tokens.

    Gives (guide, tokens, None); with fast, when the body is plain enough for the fast path
    (mentorsite.fastmd), (guide, None, the body prerendered) without markdown-it."""
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
    placeholders = _Placeholders()
    if fast:
        from mentorsite import fastmd  # (only a build that parses guides needs pyromark)

        rendered = fastmd.render(body, placeholders)
    else:
        rendered = None
    if rendered is not None:
        tokens = None
        html_body, link_lines, heading_list = rendered
        prebody = (html_body, tuple(placeholders.links), ())
    else:
        md = make_markdown(html)
        env: dict = {}
        tokens = md.parse(body, env)
        heading_list = env.get("headings", ())
        link_lines = links_in(tokens)
        prebody = None
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
    directives = []
    if tokens is not None:  # (the fast path takes no admonitions nor directives)
        _check_blocks(tokens, src.path, body_line)
        for token in tokens:
            if token.type == "directive":
                directives.append((token.info, token.meta["arg"], Loc(src.path, body_line + token.map[0], 1)))
    lines = text.split("\n")
    links = tuple((href, _link_loc(src.path, lines, body_line + line, href)) for href, line in link_lines)
    from mentorsite.deps import digest

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
        outline=digest(meta, ident, folder, str(src.path), src.rel, body_line, headings, directives, links),
    )
    return guide, tokens, prebody


def _check_blocks(tokens: list, path: Path, body_line: int) -> None:
    """Admonitions must be closed and of a known kind."""
    from mentorsite.errors import suggest
    from mentorsite.markdown import ADMONITIONS

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
