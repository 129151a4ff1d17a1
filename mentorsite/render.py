"""Render the site model into output files (path -> bytes), with no disk access but templates."""

from __future__ import annotations

import datetime as dt
import os
import traceback
from pathlib import Path

import jinja2
from markupsafe import Markup

from mentorsite import __version__
from dataclasses import dataclass, field

from mentorsite.assemble import Site, column_source, item_value, program_items
from mentorsite.deps import Recorder, SiteView
from mentorsite.config import NAV_GROUPS
from mentorsite.dates import Due
from mentorsite.errors import Loc, SiteError
from mentorsite.markdown import DIRECTIVE_TARGETS, make_markdown
from mentorsite.parallel import fork_map
from mentorsite.parse import fill
from mentorsite.model import PAPER_SIZES, Page
from mentorsite.theme import static_files
from mentorsite.write import SpoolError, Spooled
from mentorsite import i18n
from mentorsite.chrome import chrome, relative_due

SIDEBAR_WINDOW = 20  # guides shown on each side of the current one in a folder's sidebar list
DIRECTIVE_TEMPLATES = {
    "type": "partials/type-card.html",
    "milestones": "partials/milestone-table.html",
    "worksheet": "partials/worksheet-form.html",
    "worksheet-card": "partials/worksheet-card.html",
    "phases": "partials/phases.html",
    "roles": "partials/roles.html",
}


def format_date(d: dt.date, language: str = "en") -> str:
    """A date as readers in the site's language expect it: 'Mar 1, 2027', '1 mar 2027'."""
    return i18n.format_date(d, language)


class Renderer:
    """Renders each page of a Site with the theme's templates."""

    def __init__(self, site: Site, env: jinja2.Environment, recorder: Recorder | None = None):
        self.site = site
        self.env = env
        self.rec = recorder or Recorder()
        env.recorder = self.rec
        self.base = site.config.base_path
        self.md = make_markdown(site.config.markdown.html)
        self.by_url = {p.url: p for p in site.pages}
        self.position = site.position
        env.globals.update(chrome(site, env, self.rec))  # words, dates, colours, languages, search box
        self.t = env.globals["t"]
        env.globals.update(
            site=SiteView(site, self.rec),
            config=site.config,
            program=site.program,
            url=self.url,
            page_url=self.page_url,
            nav=self.top_nav(),
            version=__version__,
            paper=PAPER_SIZES[site.config.paper],
            render_directive=self.directive,
            column_source=column_source,
            table_rows=self.table_rows,
        )
        env.filters.update(slug=_slug, markdown=self.markdown, due=self.due, date=env.globals["format_date"],
                           due_iso=self.due_iso)

    # -- helpers available to templates

    def url(self, path: str = "") -> str:
        """A site path ('guides/x/', 'static/site.css') as a link under the base path."""
        return self.base + path.lstrip("/")

    def page_url(self, obj) -> str:
        """The link to a type, template, worksheet or guide object."""
        self.rec.add(("site", "urls"))
        for group, items in (("types", self.site.types), ("milestones", self.site.milestones), ("worksheets", self.site.worksheets)):
            if getattr(obj, "id", None) in items and items.get(obj.id) is obj:
                return self.url(f"{group}/{obj.id}/")
        rel = getattr(obj, "rel", None)
        if rel and rel in self.site.urls:
            return self.url(self.site.urls[rel])
        raise ValueError(f"no page for {obj!r}")

    def top_nav(self) -> list[dict]:
        """The top menu: the groups (in site.yml's order) and extra links."""
        items = []
        for group in self.site.config.nav or NAV_GROUPS:
            if group == "schedule" and "schedule/" in self.by_url:  # a page, not a group (schedule.py)
                items.append({"title": self.t("schedule.title"), "url": self.url("schedule/"), "group": "schedule"})
            elif group in self.site.groups and self.site.groups[group]:
                items.append({"title": self.t(f"group.{group}"), "url": self.url(f"{group}/"), "group": group})
        for link in self.site.config.nav_links:
            href = link.url if "://" in link.url or link.url.startswith("mailto:") else self.url(link.url)
            items.append({"title": link.title, "url": href, "group": ""})
        return items

    def markdown(self, text) -> Markup:
        """Markdown from a YAML field, rendered (directives work here too). Its relative links
        lead from the YAML file, as a guide's do from its own file: '../guides/x.md' written in
        types/peer.yml becomes the guide's page under the base path."""
        if not text:
            return Markup("")
        env = {"directive": self.directive}
        rel = self._content_rel(getattr(text, "loc", None))
        if rel is not None:
            def resolve(href: str) -> str:
                self.rec.add(("site", "urls"))
                url, anchor = self.site.link_target(rel, href)
                if url is None:
                    return href  # left as written: `check` reports it where it was written
                return self.url(url) + (f"#{anchor}" if anchor else "")

            env["resolve_link"] = resolve
        return Markup(self.md.render(str(text), env))

    def _content_rel(self, loc) -> str | None:
        """The content-relative path of the file a YAML value was read from ('types/peer.yml'),
        as link_target takes it; a translation's file (content/<code>/...) stands for the one
        it translates. None for a value not read from a file of the project."""
        if loc is None:
            return None
        config = self.site.config
        path = Path(loc.path)
        if config.loc is not None and path == config.loc.path:
            return "site.yml"  # site.yml's footer: its links lead from content/, as program.yml's do
        try:
            rel = (path.relative_to(config.root) if path.is_absolute() else path).relative_to(config.content)
        except ValueError:
            return None
        if config.overlay and rel.parts[:1] == (config.overlay,):
            rel = rel.relative_to(config.overlay)
        return rel.as_posix()

    def due(self, due: Due) -> Markup:
        """A due date for display: the calendar date when known, else its relative form."""
        when = self.site.date_of(due)
        if when is None:
            return Markup('<span class="due due-relative">{}</span>').format(relative_due(due, self.t))
        return Markup('<time class="due" datetime="{}">{}</time>').format(
            when.isoformat(), format_date(when, self.site.config.language))

    def due_iso(self, due: Due) -> str:
        """A due date as YYYY-MM-DD when known, else its relative form (for form values)."""
        when = self.site.date_of(due)
        return when.isoformat() if when else relative_due(due, self.t)

    def table_rows(self, field, display: bool = False) -> list[dict]:
        """The pre-filled rows of a table field: one per milestone of its template, or per item
        of a list of program.yml, else blank. Dates are YYYY-MM-DD (form values), or with display
        as a reader sees them (a PDF's given cells)."""
        if field.rows_program:
            self.rec.add(("program",))
            rows = []
            for item in program_items(self.site.program, field.rows_program):
                row = {}
                for col in field.columns:
                    src = column_source(col, field)
                    if src:
                        value = item_value(item, src)
                        if isinstance(value, Due):
                            value = self.due(value) if display else self.due_iso(value)
                        row[col.id or _slug(col.label)] = value
                rows.append(row)
            return rows
        if field.rows_template:
            self.rec.add(("data", "milestones", field.rows_template))
        template = self.site.milestones.get(field.rows_template) if field.rows_template else None
        if template is None:
            return [{} for _ in range(field.rows if isinstance(field.rows, int) else 0)]
        rows = []
        for m in template.milestones:
            row = {}
            for col in field.columns:
                src = column_source(col)
                cid = col.id or _slug(col.label)
                if src == "due":
                    row[cid] = self.due(m.due) if display else self.due_iso(m.due)
                elif src == "owner":
                    row[cid] = self.role_title(m.owner)
                elif src:
                    row[cid] = getattr(m, src) or ""
            rows.append(row)
        return rows

    def role_title(self, role_id) -> str:
        """The title of a role id ('' for none)."""
        for r in self.site.program.roles:
            if r.id == role_id:
                return r.title
        return str(role_id or "")

    def directive(self, name: str, arg: str, line: int = 0) -> str:
        """A data directive (::type peer) rendered with the theme's partial template."""
        template = self.env.get_template(DIRECTIVE_TEMPLATES[name])
        target = DIRECTIVE_TARGETS.get(name)
        if target:
            self.rec.add(("data", target, arg))
        data = {
            "type": self.site.types.get(arg),
            "milestones": self.site.milestones.get(arg),
            "worksheet": self.site.worksheets.get(arg),
            "worksheet-card": self.site.worksheets.get(arg),
        }.get(name)
        return template.render(item=data, inline=True)

    # -- pages

    def context(self, page: Page) -> dict:
        """What a page template sees besides the globals."""
        rec = self.rec
        for key in (("program",), ("config",), ("topnav",)):
            rec.add(key)
        if page.url in self.position:
            rec.add(("pager", page.url))
        if page.group == "guides":
            rec.add(("folders",))
            rec.add(("folder", ""))
            if page.kind == "index":
                rec.add(("site", "folders"))
        elif page.group:
            rec.add(("group", page.group))
        if page.kind in ("type", "milestone", "worksheet"):
            rec.add(("data", page.group, page.url.split("/")[1]))
        elif page.kind == "folder":
            rec.add(("folder", page.obj.id))
        elif page.kind == "guide":
            rec.add(("folder", page.obj.folder))
        elif page.kind == "home":
            rec.add(("doc", "index.md"))
        group, index = self.position.get(page.url, (page.group, None))
        ordered = self.site.groups.get(group, ())
        prev_page = ordered[index - 1] if index else None
        next_page = ordered[index + 1] if index is not None and index + 1 < len(ordered) else None
        crumbs = [{"title": self.t("nav.home"), "url": self.url("")}]
        if page.group and page.kind != "index":
            crumbs.append({"title": self.t(f"group.{page.group}"), "url": self.url(f"{page.group}/")})
        folder = None
        if page.kind == "guide":
            folder = next((f for f in self.site.folders if f.id == page.obj.folder), None)
            if folder and folder.id:
                crumbs.append({"title": folder.title, "url": self.url(folder.url)})
        elif page.kind == "folder":
            folder = page.obj
        content = Markup("")
        toc = []
        doc = page.obj if page.kind in ("guide", "home") else getattr(page.obj, "index", None) if page.kind == "folder" else None
        if doc is not None:
            content = self.render_doc(doc)
            toc = [h for h in doc.headings if h.level in (2, 3)]
        context = {
            "page": page,
            "item": page.obj,
            "content": content,
            "toc": toc,
            "breadcrumbs": crumbs if page.kind != "home" else [],
            "prev_page": prev_page,
            "next_page": next_page,
            "folder": folder,
            "sidebar": self.sidebar(page, folder),
            "page_href": self.url(page.url),
            "edit_link": self.edit_link(page),
            "updated": self.updated(page),
        }
        context.update(_page_context(self, page))
        return context

    def edit_link(self, page: Page) -> str:
        """Where the page's source file can be edited (site.yml's edit_url), or '' for a page not
        written in a file of its own (the indexes, the schedule, the print pages)."""
        template = self.site.config.edit_url
        source = self._source(page) if template else None
        if source is None:
            return ""
        from urllib.parse import quote

        return template.replace("{path}", quote(source, errors="surrogateescape"))  # (a name's bytes that are not UTF-8)

    def updated(self, page: Page) -> dict | None:
        """When the page's source file last changed (site.yml's last_updated: git): {iso, text}."""
        source = self._source(page) if self.site.config.last_updated else None
        if source is None:
            return None
        self.rec.add(("updated", source))
        when = self.site.updated.get(source)
        if when is None:
            return None
        return {"iso": when.isoformat(), "text": format_date(when, self.site.config.language)}

    def _source(self, page: Page) -> str | None:
        """The path of the file a page is written in, from the project's root ('content/types/peer.yml'),
        or None for a page mentorsite makes (the indexes, the schedule, search, the print pages)."""
        if page.kind in ("print", "404", "search"):
            return None
        obj = page.obj.index if page.kind == "folder" else page.obj
        source = getattr(obj, "source", None)
        if not isinstance(source, Path) or source == Path("."):
            return None
        if source.is_absolute():
            try:
                source = source.relative_to(self.site.config.root)
            except ValueError:
                return None
        return source.as_posix()

    def sidebar(self, page: Page, folder) -> list[dict]:
        """The current group's pages: for guides, the folders with the current one open."""
        if page.group == "guides":
            out = []
            for f in self.site.folders:
                entry = {"title": f.title, "url": self.url(f.url) if f.id else None,
                         "current": page.obj is f, "children": []}
                if f is folder or not f.id:
                    entry["children"] = self._folder_window(f, page)
                entry["open"] = f is folder or not f.id
                out.append(entry)
            return out
        return [
            {"title": p.title, "url": self.url(p.url), "current": p is page, "children": [], "open": False}
            for p in self.site.groups.get(page.group, ())
        ]

    def _folder_window(self, f, page: Page) -> list[dict]:
        """The guides of the open folder around the current one: at most SIDEBAR_WINDOW on each
        side, then a link to the folder's page, so that a page's size does not grow with its
        folder's (a big folder would make the site grow with the square of its guides)."""
        guides = f.guides
        here = next((i for i, g in enumerate(guides) if g is page.obj), 0)
        start = max(0, min(here - SIDEBAR_WINDOW, len(guides) - 2 * SIDEBAR_WINDOW - 1))
        shown = guides[start:start + 2 * SIDEBAR_WINDOW + 1]
        items = [{"title": g.title, "url": self.url(self.site.urls[g.rel]), "current": g is page.obj} for g in shown]
        if len(shown) < len(guides) and f.id:
            items.append({"title": self.t("nav.all_in_folder", count=len(guides)), "url": self.url(f.url),
                          "current": False, "more": True})
        return items

    def render_doc(self, doc) -> Markup:
        """A guide's (or index.md's) Markdown body as HTML, links rewritten to page URLs."""
        self.rec.add(("doc", doc.rel))
        self.rec.add(("site", "urls"))

        def resolve(href: str) -> str:
            url, anchor = self.site.link_target(doc.rel, href)
            if url is None:
                return href
            return self.url(url) + (f"#{anchor}" if anchor else "")

        body = self.site.tokens.body(doc.rel, doc.digest) if hasattr(self.site.tokens, "body") else None
        if body is not None:  # prerendered by a parse worker: fill in its links and directives
            return Markup(fill(body, resolve, self.directive))
        env = {"directive": self.directive, "resolve_link": resolve}
        return Markup(self.md.renderer.render(self.site.tokens[doc.rel], self.md.options, env))

    def render_page(self, page: Page) -> bytes:
        """One page's HTML."""
        template = self.env.get_template(page.template)
        return template.render(self.context(page)).encode("utf-8")

    def render_page_to(self, page: Page, path: Path, *, memo=None, digest_of=None) -> None:
        """One page's HTML, streamed into a file (a print page holds the whole handbook). With
        memo (printed.PartsMemo) and digest_of (the build's digests of dependency keys), a print
        page is joined from its parts and the segments around them when these are unchanged
        (printed.book_pieces)."""
        template = self.env.get_template(page.template)
        context = self.context(page)
        pieces = None
        if page.kind == "print" and memo is not None and digest_of is not None:
            from mentorsite.printed import book_pieces

            pieces = book_pieces(self, page, template, context, memo, digest_of)
        if pieces is None:
            pieces = template.generate(context)
        with open(spool_file(path), "wb", buffering=0) as f:  # unbuffered: a full disk fails in _write_spooled
            batch: list[str] = []
            size = 0
            for piece in pieces:
                batch.append(piece)
                size += len(piece)
                if size > 1 << 20:
                    _write_spooled(f, "".join(batch).encode("utf-8"), path)
                    batch, size = [], 0
            _write_spooled(f, "".join(batch).encode("utf-8"), path)
            st = os.fstat(f.fileno())
        if page.kind == "print" and memo is not None:
            from mentorsite.printed import remember_offsets

            remember_offsets(memo, page, pieces, (st.st_size, st.st_mtime_ns))


def spool_file(path: Path, new_folder: bool = False) -> int:
    """A new file to spool a page into (its folder made if needed), open for writing. new_folder:
    the folder is likely not there yet (a page's own, in a new tree), so it is made first: one
    call, where a failed open, a look at the parent and the mkdir took three."""
    if new_folder:
        try:
            os.mkdir(path.parent)
        except OSError:
            pass  # there already, or its parent is not: the open below tells
    for attempt in (1, 2):
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError as e:
            if attempt == 2:
                raise SpoolError(e.errno, e.strerror, str(path)) from None
            try:
                os.makedirs(path.parent, exist_ok=True)
            except OSError as e2:
                raise SpoolError(e2.errno, e2.strerror, str(path.parent)) from None
        except OSError as e:
            raise SpoolError(e.errno, e.strerror, str(path)) from None


def _write_spooled(f, data: bytes, path: Path) -> None:
    try:
        data = memoryview(data)
        while data:
            data = data[f.write(data):]
    except OSError as e:
        raise SpoolError(e.errno, e.strerror, str(path)) from None


def _page_context(renderer: Renderer, page: Page) -> dict:
    """What the schedule and print pages see besides the usual context (their own modules)."""
    if page.kind == "schedule":
        from mentorsite.schedule import schedule_context

        return schedule_context(renderer, page)
    if page.kind == "print":
        from mentorsite.printed import print_context

        return print_context(renderer, page)
    return {}


@dataclass(slots=True)
class Rendered:
    """The outputs of a render: files by output path, and what each rendered page read."""

    files: dict[str, bytes | Path]
    deps: dict[str, frozenset]  # page output path -> dependency keys
    pages: int  # how many pages were rendered (not reused)
    extras: dict = field(default_factory=dict)  # page output path -> what render's `after` made of it
    html_of: object = None  # page -> its HTML as rendered or kept (None if neither): for the handbook PDFs


def render(site: Site, env: jinja2.Environment, *, skip: set[str] | frozenset = frozenset(), jobs: int = 1,
           after=None, kept=None, kept_stat=None, parts_memo=None, spool: Path | None = None,
           spool_tree: bool = False, digest_of=None, last=None) -> Rendered:
    """Every output file of the site (path relative to the output folder -> bytes or a file to
    copy), except the pages in skip, which the caller knows to be unchanged.

    With jobs > 1 many pages render in forked processes; after(page, html), if given, runs
    where the page was rendered and its result comes back in Rendered.extras.

    The print pages render last, from the other pages' <main> (printed.py): those rendered now,
    and for a page in skip, kept(output) -> (its HTML as written by the last build, the keys
    it read), or (None, ()) when unknown (the page is then rendered again for the book). A
    print page reads what each of its pages read. parts_memo (printed.PartsMemo) keeps the
    book's parts between builds; kept_stat(page) is the stat of a page in skip (printed.Parts).
    With spool (a folder), the pages are written there as they render, where they render, and
    their outputs are those files (write.Spooled): a big handbook's pages are never all in memory.
    With spool_tree, each page is spooled at its own path in the spool folder, which can then
    become the new site (write.write's tree): the folders of a new site are made by the workers.
    digest_of(key), the build's digest of a dependency key, lets a print page be joined again
    from its parts (Renderer.render_page_to). last(output), for a page that is not in skip,
    gives (its file, the stat and the key digests the last build recorded for it), or None: a
    print page whose pages' bodies alone changed is then patched in its file (printed.patch_book)."""
    from mentorsite.printed import Edition, Parts, book_pages, patch_book

    recorder = Recorder()
    renderer = Renderer(site, env, recorder)
    todo = [page for page in site.pages if page.output not in skip]
    late = [page for page in todo if page.kind == "print"]
    todo = [page for page in todo if page.kind != "print"]
    if jobs > 1 and len(todo) >= 64:
        for name in sorted({page.template for page in todo}):  # compile once, before forking
            try:
                env.get_template(name)
            except jinja2.TemplateError:
                pass  # reported, located, when the page renders

    outputs: dict[str, bytes | Path] = {}
    deps: dict[str, frozenset] = {}
    extras: dict[str, object] = {}
    previous: dict[str, tuple] = {}

    def html_of(page: Page) -> str | None:
        html = outputs.get(page.output)
        if isinstance(html, Spooled):
            return html.read_text(encoding="utf-8")
        if isinstance(html, bytes):
            return html.decode("utf-8")
        if kept is None:
            return None
        if page.output not in previous:
            previous[page.output] = kept(page.output)
        return previous[page.output][0]

    parts = Parts(renderer, html_of, parts_memo, kept_stat=kept_stat)
    renderer.parts = parts
    # a page's part is made where it renders (in a worker), also when the print pages are left for
    # a later step (a preview's): that step then patches them with it (printed.patch_book)
    in_books = ({page.output for _, page, _ in book_pages(site, Edition())}
                if late or any(page.kind == "print" for page in site.pages) else set())

    def render_one(page: Page, into: Path | None = None):
        recorder.start()
        try:
            if into is not None and page.kind == "print":
                renderer.render_page_to(page, into, memo=parts_memo, digest_of=digest_of)
                return Spooled(into), recorder.stop(), None, None
            html = renderer.render_page(page)
        except SiteError as e:
            recorder.stop()
            return e
        except SpoolError:  # a full disk, reported as such by the build, not as a template's error
            recorder.stop()
            raise
        except Exception as e:  # a template that calls something wrongly is a template error too
            recorder.stop()
            if isinstance(e, jinja2.TemplateError) or _template_frame(e):
                return template_error(e, site.config.root)
            raise
        result = (html, recorder.stop(), after(page, html) if after else None,
                  parts.made(page, html) if page.output in in_books else None)
        if into is not None:  # the page goes to a file now, where it was rendered, not through memory
            with open(spool_file(into, new_folder=spool_tree), "wb", buffering=0) as f:
                _write_spooled(f, html, into)
            result = (Spooled(into), *result[1:])
        return result

    def take(page: Page, result) -> None:
        if isinstance(result, SiteError):
            raise result
        outputs[page.output], deps[page.output], extra, part = result
        if extra is not None:
            extras[page.output] = extra
        if part is not None:
            parts.take(page, part)

    def spooled(name: str, page: Page) -> Path | None:
        if spool is None:
            return None
        return spool / page.output if spool_tree else spool / name

    for page, result in zip(todo, fork_map(lambda i: render_one(todo[i], spooled(f"{i}.html", todo[i])), len(todo), jobs,
                                           minimum=64)):
        take(page, result)

    def part_keys(part: Page):
        """What a page in a book read: as rendered now, or as its record says (a page kept)."""
        if part.output in deps:
            return deps[part.output]
        if part.output in previous:
            return previous[part.output][1]
        record = last(part.output) if last is not None else None
        return record[2] if record is not None else (("unknown", part.output),)  # (never the same: made again)

    book: dict | None = None  # part id -> (the keys its page read, its entry if rendered now), for patch_book

    def patched(page: Page, into: Path | None) -> bool:
        """Whether a print page was patched in its last file (printed.patch_book)."""
        nonlocal book
        old = last(page.output) if last is not None and into is not None and parts_memo is not None else None
        if old is None:
            return False
        if book is None:
            book = {parts.address(p)[1]: (part_keys(p), parts.ready.get(p.output) if p.output in deps else None, p)
                    for _, p, _ in book_pages(site, Edition())}
        if patch_book(renderer, page, into, parts_memo, digest_of, old, book, kept=parts.kept_entry) is None:
            return False
        outputs[page.output], deps[page.output] = Spooled(into), frozenset(old[2])
        return True

    for i, page in enumerate(late):
        into = spooled(f"print-{i}.html", page)
        if not patched(page, into):
            take(page, render_one(page, into))
        read = set(deps[page.output])
        for _, part, _ in book_pages(site, page.obj):
            read.update(part_keys(part))
        deps[page.output] = frozenset(read)
    parts.release()
    count = len(todo) + len(late)
    outputs.update(static_files(env.globals["theme_dirs"]))
    for rel, path in site.assets:
        outputs["assets/" + rel] = path
    outputs[".nojekyll"] = b""
    if site.config.cname:
        outputs["CNAME"] = site.config.cname.strip().encode() + b"\n"
    outputs["sitemap.xml"] = sitemap(site)
    return Rendered(files=outputs, deps=deps, pages=count, extras=extras, html_of=html_of)


def xml_escape(text: str) -> str:
    """&, < and > escaped for XML text (as xml.sax.saxutils does, without importing urllib)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap(site: Site) -> bytes:
    """sitemap.xml: every page's full URL (needs site.yml's url)."""
    root = site.config.url.rstrip("/") + "/" if site.config.url else "/"
    root = root[: -len(site.config.base_path)] + site.config.base_path if site.config.url else root
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in site.pages:
        if page.kind == "404":
            continue
        lines.append(f"  <url><loc>{xml_escape(root + page.url)}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def template_error(exc: jinja2.TemplateError, root: Path) -> SiteError:
    """A template problem as a SiteError naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = _shown(exc.filename or exc.name or "template", root)
        return SiteError(Loc(path, exc.lineno or 1, 1), f"template syntax error: {exc.message}")
    where = _template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(
            Loc(_shown(where[0], root), where[1], 1) if where else Loc(Path("site.yml"), 1, 1),
            f"template '{exc.name}' not found in the theme — add it to the theme's templates/ folder "
            "or remove what uses it",
        )
    if where:
        return SiteError(Loc(_shown(where[0], root), where[1], 1), f"template error: {exc}")
    return SiteError(None, f"template error: {exc}")


def _template_frame(exc: BaseException) -> tuple[str, int] | None:
    """The innermost template file and line in a Jinja traceback."""
    for frame, lineno in reversed(list(traceback.walk_tb(exc.__traceback__))):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt", ".css", ".js")):
            return filename, lineno
    return None


def _shown(filename: str, root: Path) -> Path:
    path = Path(filename)
    try:
        return path.resolve().relative_to(root)
    except ValueError:
        return path


def _slug(text: str) -> str:
    from mentorsite.markdown import slugify

    return slugify(text)
