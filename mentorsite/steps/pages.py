"""The pages step: every page of the site rendered with the theme's templates (the print pages
are the print step's), and the files around them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import linecache
import re
import traceback
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from mentorsite import __version__
from mentorsite.deps import Recorder, SiteView
from mentorsite.errors import Loc, SiteError
from mentorsite.outdir import MARKER, MARKER_TEXT
from mentorsite.parallel import fork_map
from mentorsite.runner import Artifact, Made
from mentorsite.site import i18n
from mentorsite.site.assemble import Site, column_source, item_value, program_items
from mentorsite.site.dates import Due
from mentorsite.site.model import PAPER_SIZES, Page
from mentorsite.site.schedule import site_schedule
from mentorsite.sources.config import NAV_GROUPS
from mentorsite.sources.markdown import DIRECTIVE_TARGETS, make_markdown, slugify
from mentorsite.sources.parse import fill
from mentorsite.sources.theme import static_files
from mentorsite.steps.calendar import ICS_OUTPUT
from mentorsite.steps.chrome import chrome, relative_due
from mentorsite.steps.reading import PageReader
from mentorsite.write import SpoolError

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

    def due_value(self, due: Due, kind: str) -> str:
        """A due date as a form field of kind holds it: YYYY-MM-DD for a date picker (which shows it
        in the reader's own format), else as the site writes dates ('Mar 8, 2027', '8 mar 2027')."""
        if kind == "date":
            return self.due_iso(due)
        when = self.site.date_of(due)
        return format_date(when, self.site.config.language) if when else relative_due(due, self.t)

    def table_rows(self, field, display: bool = False) -> list[dict]:
        """The pre-filled rows of a table field: one per milestone of its template, or per item
        of a list of program.yml, else blank. Dates are form values (due_value: YYYY-MM-DD in a
        date column), or with display as a reader sees them (a PDF's given cells)."""
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
                            value = self.due(value) if display else self.due_value(value, col.kind)
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
                    row[cid] = self.due(m.due) if display else self.due_value(m.due, col.kind)
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
        if page.kind == "index" and page.group == "guides":
            doc = page.obj  # content/guides/index.md, if there is one
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

        return Markup(fill(self.site.bodies[doc.rel], resolve, self.directive))

    def render_page(self, page: Page) -> bytes:
        """One page's HTML."""
        template = self.env.get_template(page.template)
        return template.render(self.context(page)).encode("utf-8")


def _page_context(renderer: Renderer, page: Page) -> dict:
    """What the schedule page sees besides the usual context."""
    if page.kind == "schedule":
        return schedule_context(renderer, page)
    return {}


def schedule_context(renderer: Renderer, page: Page) -> dict:
    """What templates/schedule.html sees: the schedule, the calendar's link, the page's title in the site's language."""
    site = renderer.site
    renderer.rec.add(("all", "milestones"))  # every template's due dates; program and config are recorded already
    schedule = site_schedule(site)
    start = schedule.start
    fmt = renderer.env.globals["format_date"]
    weeks = [[n, fmt(start + dt.timedelta(days=7 * n)), fmt(start + dt.timedelta(days=7 * n + 6))]
             for n, _, _ in schedule.weeks()] if start else []
    return {
        "page": dataclasses.replace(page, title=renderer.t("schedule.title")),
        "schedule": schedule,
        "week_dates": weeks,  # [number, first day, last day] of every week, for 'Today is in week 2 (...)'
        "end_date": schedule.last_date,
        "ics_url": renderer.url(ICS_OUTPUT) if start else "",
    }


# Pages to render from which the work is shared with forked workers: fewer are rendered in this
# process (see sources/parse.py's PARALLEL_GUIDES: the same measurements).
PARALLEL_PAGES = 64


class PagesStep:
    """Every page of the site but the print pages: its HTML, written where it renders, and its
    reading (htmlread.py): its search entry and its part of the print edition."""

    name, title = "pages", "Pages"

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact(page.output, page) for page in run.site.pages if page.kind != "print"]

    def make(self, todo: list[Artifact], run) -> Iterator[Made]:
        site, env = run.site, run.env
        recorder = Recorder()
        renderer = Renderer(site, env, recorder)
        # (`check` makes no search index: the pages' search entries would go unread)
        reader = PageReader.of(site, env, search=bool(site.config.search) and not run.dry, check=run.dry)
        pages = [artifact.source for artifact in todo]
        if run.jobs > 1 and len(pages) >= PARALLEL_PAGES:
            for name in sorted({page.template for page in pages}):  # compile once, before forking
                try:
                    env.get_template(name)
                except jinja2.TemplateError:
                    pass  # reported, located, when the page renders
        spool = run.spool

        def one(i: int):
            page = pages[i]
            recorder.start()
            try:
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
            deps = recorder.stop()
            try:
                reading = reader.read(page, html)
            except SiteError as e:
                return e
            if reading is not None and reading.part is not None:
                deps = deps | {("part-links", page.output)}  # which of the pages it links to are in a book
            content = spool.put(page.output, html) if spool is not None else html
            return content, deps, reading

        for artifact, result in zip(todo, fork_map(one, len(pages), run.jobs, minimum=PARALLEL_PAGES)):
            if isinstance(result, SiteError):
                raise result
            content, deps, reading = result
            yield Made(artifact, {artifact.name: content}, deps, reading)


class SiteFilesStep:
    """The files around the pages: the theme's static files, the assets, sitemap.xml, .nojekyll
    and CNAME. Made every time (they cost nothing; write leaves unchanged files alone)."""

    name, title = "site files", "Site files"

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact("sitemap.xml")]

    def make(self, todo: list[Artifact], run) -> Iterator[Made]:
        site = run.site
        files: dict = dict(static_files(run.env.globals["theme_dirs"]))
        for rel, path in site.assets:
            files["assets/" + rel] = path
        files[".nojekyll"] = b""
        files[MARKER] = MARKER_TEXT  # what tells a later build that this folder is a site it may replace (outdir.py)
        if site.config.cname:
            files["CNAME"] = site.config.cname.strip().encode() + b"\n"
        files["sitemap.xml"] = sitemap(site)
        if site.config.url and site.config.base_path == "/":  # (crawlers read robots.txt only at a host's root)
            files["robots.txt"] = robots_txt(site.config.url)
        yield Made(todo[0], files, None)


def xml_escape(text: str) -> str:
    """&, < and > escaped for XML text (as xml.sax.saxutils does, without importing urllib)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def sitemap(site: Site) -> bytes:
    """sitemap.xml: every page's full URL (needs site.yml's url), and with last_updated the date
    the file it is written in last changed in git (site.updated; none for a page made from
    several files, such as an index): no build's time, so the file changes only with the site."""
    root = site.config.url.rstrip("/") + "/" if site.config.url else "/"
    root = root[: -len(site.config.base_path)] + site.config.base_path if site.config.url else root
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for page in site.pages:
        if page.kind == "404":
            continue
        source = getattr(page.obj.index if page.kind == "folder" else page.obj, "source", None) if site.updated else None
        if isinstance(source, Path) and source.is_absolute() and source.is_relative_to(site.config.root):
            source = source.relative_to(site.config.root)
        when = site.updated.get(source.as_posix()) if isinstance(source, Path) else None
        lastmod = f"<lastmod>{when.isoformat()}</lastmod>" if when else ""
        lines.append(f"  <url><loc>{xml_escape(root + page.url)}</loc>{lastmod}</url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode()


def robots_txt(url: str) -> bytes:
    """robots.txt for a site at the root of its host: everything may be crawled; the sitemap's address."""
    return f"User-agent: *\nAllow: /\n\nSitemap: {url.rstrip('/')}/sitemap.xml\n".encode()


def template_error(exc: jinja2.TemplateError, root: Path) -> SiteError:
    """A template problem as a SiteError naming the template file, line and (when the line shows
    where) column, and how to fix it: the nearest name for a misspelt variable, attribute, filter,
    test or tag, the end tag a block lacks."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        path = _shown(exc.filename or exc.name or "template", root)
        line = exc.lineno or 1
        text = (exc.source or "").split("\n")[line - 1] if exc.source and line <= exc.source.count("\n") + 1 else ""
        col, fix = _syntax_fix(exc, text)
        return SiteError(Loc(path, line, col), f"template syntax error: {_jinja_message(exc)}{fix}")
    where = _template_frame(exc)
    if isinstance(exc, jinja2.TemplateNotFound):
        return SiteError(
            Loc(_shown(where[0], root), where[1], 1) if where else Loc(Path("site.yml"), 1, 1),
            f"template '{exc.name}' not found in the theme — add it to the theme's templates/ folder "
            "or remove what uses it",
        )
    if where:
        col, fix = _runtime_fix(exc, linecache.getline(where[0], where[1]), _template_names(exc))
        return SiteError(Loc(_shown(where[0], root), where[1], col), f"template error: {_jinja_message(exc)}{fix}")
    return SiteError(None, f"template error: {exc}")


_JINJA_TAGS = ("block", "call", "extends", "filter", "for", "from", "if", "import", "include", "macro", "set", "with",
               "autoescape", "elif", "else", "endblock", "endcall", "endfilter", "endfor", "endif", "endmacro", "endset",
               "endwith", "endautoescape", "print", "do", "break", "continue", "trans", "endtrans")


def _jinja_message(exc: Exception) -> str:
    """Jinja's message, without the closing full stop (a fix follows it)."""
    return str(getattr(exc, "message", None) or exc).rstrip(".")


def _column(text: str, pattern: str) -> int:
    """The 1-based column of the first group of pattern in a template line (1 when not found)."""
    m = re.search(pattern, text)
    return m.start(m.lastindex) + 1 if m and m.lastindex else 1


def _nearest(word: str, names) -> str:
    close = difflib.get_close_matches(word, sorted({n for n in names if not n.startswith("_")}), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


def _syntax_fix(exc: jinja2.TemplateSyntaxError, text: str) -> tuple[int, str]:
    """(column, fix) for a syntax error, from its message and the template's line."""
    message = str(exc.message or "")
    env = next((v for f, _ in traceback.walk_tb(exc.__traceback__) for v in f.f_locals.values()
                if isinstance(v, jinja2.Environment)), None)
    m = re.match(r"No (filter|test) named '([^']+)'", message)
    if m:
        kind, name = m.groups()
        known = (env.filters if kind == "filter" else env.tests) if env is not None else ()
        where = rf"\|\s*({re.escape(name)})\b" if kind == "filter" else rf"\bis\s+(?:not\s+)?({re.escape(name)})\b"
        return _column(text, where), _nearest(name, known) or f" — see Jinja's list of built-in {kind}s"
    block = re.search(r"The innermost block that needs to be closed is '(\w+)'", message)
    m = re.match(r"Encountered unknown tag '([^']+)'", message)
    if m:
        name = m.group(1)
        col = _column(text, rf"{{%-?\s*({re.escape(name)})\b")
        if name in _JINJA_TAGS and block:  # a real tag, inside a block left open
            return col, f" — close the '{block.group(1)}' block before it with {{% end{block.group(1)} %}}"
        return col, (_nearest(name, [*re.findall(r"'(\w+)'", message.partition(".")[2]), *_JINJA_TAGS])
                     or " — use one of Jinja's tags (if, for, set, block, include, ...)")
    if block and message.startswith("Unexpected end of template"):
        return 1, f" — close the '{block.group(1)}' block with {{% end{block.group(1)} %}}"
    m = re.match(r"unexpected '(.)'(?:, expected '(.)')?", message)
    if m:
        char, wanted = m.groups()
        spots = [i for i, c in enumerate(text) if c == char and not (char == "}" and (text[i - 1:i] in ("}", "%", "#")
                                                                                      or text[i + 1:i + 2] == "}"))]
        if len(spots) == 1:
            col = spots[0] + 1
        else:  # where the parser met the end of a {{ ... }} or {% ... %} too soon
            col = _column(text, r"(\}\}|%\})") if char == "}" else 1
        if wanted:
            return col, f" — a '{wanted}' is missing before it"
        return col, " — check the brackets: a value is written {{ ... }}, a tag {% ... %}"
    return 1, ""


def _template_names(exc: BaseException) -> dict:
    """The variables the failing template could see (the innermost template frame's: Jinja puts
    the context and the loop variables there)."""
    for frame, _ in reversed(list(traceback.walk_tb(exc.__traceback__))):
        if frame.f_code.co_filename.endswith((".html", ".xml", ".txt", ".css", ".js")):
            return dict(frame.f_locals)
    return {}


def _runtime_fix(exc: Exception, text: str, names: dict) -> tuple[int, str]:
    """(column, fix) for an error while rendering: 'did you mean' for an undefined name or attribute."""
    if not isinstance(exc, jinja2.UndefinedError):
        return 1, ""
    message = str(exc.message or "")
    m = re.match(r"'([^']+)' is undefined", message)
    if m:
        name = m.group(1)
        return (_column(text, rf"(?<![\w.'\"])({re.escape(name)})\b"),
                _nearest(name, names) or " — check the spelling (docs/themes.md lists what each template sees)")
    m = re.search(r"has no attribute '([^']+)'", message)
    if m:
        name = m.group(1)
        col = _column(text, rf"\.({re.escape(name)})\b|\[['\"]({re.escape(name)})['\"]\]")
        owner = re.search(rf"([A-Za-z_][\w.]*)(?:\.{re.escape(name)}\b|\[['\"]{re.escape(name)}['\"]\])", text)
        value, known = names, ()
        if owner:
            for part in owner.group(1).split("."):
                value = value.get(part) if isinstance(value, Mapping) else getattr(value, part, None)
            known = value.keys() if isinstance(value, Mapping) else dir(value) if value is not None else ()
        return col, _nearest(name, [str(k) for k in known]) or " — check the spelling (docs/reference.md lists the keys of each file's objects)"
    return 1, ""


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
    return slugify(text)
