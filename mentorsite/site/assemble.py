"""Assemble the site model: ids, URLs, navigation order, cross-references and dates."""

from __future__ import annotations

import datetime as dt
import difflib
import posixpath
import re
from dataclasses import dataclass, field
from urllib.parse import quote, unquote

from mentorsite.site.dates import Due, far_dates, last_day, resolve
from mentorsite.errors import Loc, Problems, suggest
from mentorsite.sources.markdown import DIRECTIVE_TARGETS, DIRECTIVES, slugify
from mentorsite.site.model import (
    MILESTONE_COLUMNS,
    PROGRAM_ROWS,
    Edition,
    Guide,
    MentoringType,
    MilestoneTemplate,
    Page,
    Program,
    SiteConfig,
    Worksheet,
)
from mentorsite.sources.parse import Parsed, link_targets
from mentorsite.site.schema import walk_refs
from mentorsite.site.schedule import check_phases, schedule_page

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
UNSAFE_SCHEMES = ("javascript", "data", "vbscript")
PRINT_URL = "print/"
GROUP_TITLES = {"guides": "Guides", "types": "Mentoring types", "milestones": "Milestones", "worksheets": "Worksheets"}


@dataclass(frozen=True, slots=True)
class Folder:
    """A folder of guides: its title and order come from its index.md."""

    id: str
    title: str
    url: str
    weight: int = 0
    summary: str = ""
    index: Guide | None = None
    guides: tuple[Guide, ...] = ()


@dataclass(frozen=True, slots=True)
class Site:
    """Everything the renderer needs, with every reference checked."""

    config: SiteConfig
    program: Program
    types: dict[str, MentoringType]
    milestones: dict[str, MilestoneTemplate]
    worksheets: dict[str, Worksheet]
    guides: tuple[Guide, ...]  # in reading order
    folders: tuple[Folder, ...]
    home: Guide | None
    pages: tuple[Page, ...]
    urls: dict[str, str]  # content-relative source path -> site URL
    groups: dict[str, tuple[Page, ...]]  # group -> its pages in order (not the index)
    bodies: dict = field(default_factory=dict, compare=False)  # a Markdown file's content path -> its Body (parse.py)
    assets: tuple = ()
    docs: dict[str, Guide] = field(default_factory=dict)  # every Markdown file by source path
    position: dict[str, tuple[str, int]] = field(default_factory=dict)  # url -> (group, index)
    updated: dict = field(default_factory=dict, compare=False)  # source path -> the date it last changed (history.py)

    def neighbours(self, url: str) -> tuple:
        """(previous page, next page) of a page in its group's reading order, as (url, title)."""
        group, i = self.position.get(url, ("", None))
        if i is None:
            return (None, None)
        pages = self.groups[group]
        prev_page = pages[i - 1] if i > 0 else None
        next_page = pages[i + 1] if i + 1 < len(pages) else None
        return tuple((p.url, p.title) if p else None for p in (prev_page, next_page))

    @property
    def phase_starts(self) -> dict[str, Due]:
        """Each phase's start, by phase id."""
        return {p.id: p.start for p in self.program.phases}

    def date_of(self, due: Due) -> dt.date | None:
        """The calendar date of a due date (None without a cohort start)."""
        return resolve(due, self.config.cohort.start, self.phase_starts)

    def link_target(self, source_rel: str, href: str) -> tuple[str | None, str]:
        """The site URL (without base) a relative link of a content file points to, and its anchor."""
        path, _, anchor = href.partition("#")
        path = path.split("?", 1)[0]
        if not path:
            return None, anchor
        target = posixpath.normpath(posixpath.join(posixpath.dirname(source_rel), unquote(path)))
        return self.urls.get(target), anchor


def assemble(config: SiteConfig, parsed: Parsed, problems: Problems, memory=None) -> Site | None:
    """Build the Site from parsed sources, recording every problem found.

    memory (a preview's, state.Memory): what is found in a guide alone (the ids it refers to,
    its URL) by its path and the digest of its bytes, kept from one build to the next."""
    program = parsed.program
    if program is None:
        return None
    _check_program(program, problems)
    check_phases(program, config.cohort.start, problems)  # (schedule.py: ends before starts, gaps, overlaps)
    _check_references(parsed, problems, memory)
    for ws in parsed.worksheets.values():
        _check_worksheet(ws, parsed, problems)
    far_dates(config.cohort, program, parsed.milestones, problems, config.loc)  # (dates.py)

    folders, guides = _order_guides(parsed, problems)
    urls: dict[str, str] = {"index.md": "", "program.yml": ""}
    home_title = parsed.index.meta.title if parsed.index else program.name
    top = next((f.index for f in folders if not f.id), None)  # content/guides/index.md: the Guides page's text
    pages = [Page(url="", title=home_title, kind="home", group="", obj=parsed.index, template="home.html"),
             Page(url="guides/", title=top.meta.title if top else "Guides", kind="index", group="guides", obj=top,
                  template="guides.html", summary=top.meta.summary if top else "")]
    if top is not None:
        urls["guides/index.md"] = "guides/"
    groups = {"guides": _guide_pages(folders, urls, memory)}
    pages.extend(groups["guides"])
    for group, items, template in (
        ("types", parsed.types, "type.html"),
        ("milestones", parsed.milestones, "milestone.html"),
        ("worksheets", parsed.worksheets, "worksheet.html"),
    ):
        pages.append(Page(url=f"{group}/", title=GROUP_TITLES[group], kind="index", group=group, template=f"{group}.html"))
        groups[group] = _data_pages(group, items, template, urls)
        pages.extend(groups[group])
    pages.append(Page(url="404.html", title="Page not found", kind="404", group="", template="404.html"))
    if config.search:
        pages.append(Page(url="search/", title="Search", kind="search", group="", template="search.html"))
    pages.append(schedule_page())  # the cohort schedule (schedule.py)
    pages.extend(print_pages(program))  # the print edition and a pack per role (steps/print_pages.py)
    for rel, _path in parsed.assets:
        urls[f"assets/{rel}"] = "assets/" + quote(rel)
    _check_unique_urls(pages, problems)
    site = Site(
        config=config,
        program=program,
        types=dict(parsed.types),
        milestones=dict(parsed.milestones),
        worksheets=dict(parsed.worksheets),
        guides=tuple(guides),
        folders=tuple(folders),
        home=parsed.index,
        pages=tuple(pages),
        urls=urls,
        groups=groups,
        bodies=parsed.bodies,
        assets=parsed.assets,
        docs={d.rel: d for d in [*parsed.guides, *([parsed.index] if parsed.index else [])]},
        position={p.url: (group, i) for group, items in groups.items() for i, p in enumerate(items)},
    )
    _check_guides(site, parsed, problems)
    return site


def _check_references(parsed: Parsed, problems: Problems, memory) -> None:
    """Every id a file refers to (roles, types, milestone templates, worksheets, phases) exists."""
    program = parsed.program
    phases = {p.id for p in program.phases}
    known = {
        "roles": {r.id for r in program.roles},
        "types": set(parsed.types),
        "milestones": set(parsed.milestones),
        "worksheets": set(parsed.worksheets),
    }
    refs = [walk_refs(obj) for obj in (program, *parsed.types.values(), *parsed.milestones.values(), *parsed.worksheets.values())]
    refs_memo, refs_now = (memory.refs if memory is not None else {}), {}  # (only the current guides' are kept)
    for doc in [*parsed.guides, *([parsed.index] if parsed.index is not None else [])]:
        key = (doc.rel, doc.digest, doc.source)
        found = refs_memo.get(key)
        if found is None:
            found = tuple(walk_refs(doc.meta))
        refs_now[key] = found
        refs.append(found)
    if memory is not None:
        memory.refs = refs_now
    for found in refs:
        for kind, ref in found:
            if ref not in known[kind] and (kind, ref) not in parsed.failed:
                problems.error(ref.loc, f"unknown {kind[:-1]} '{ref}'{_hint(kind, ref, known[kind])}")
    for template in parsed.milestones.values():
        for m in template.milestones:
            if m.due.unit == "phase" and m.due.phase not in phases:
                problems.error(m.due.loc, f"unknown phase '{m.due.phase}'{suggest(m.due.phase, phases)}")


def _guide_pages(folders: list[Folder], urls: dict[str, str], memory) -> tuple[Page, ...]:
    """The pages of the folders and guides, in reading order (urls gets each one's URL)."""
    pages = []
    urls_memo, kept_urls = (memory.urls if memory is not None else {}), {}
    for folder in folders:
        if folder.id:
            urls[f"guides/{folder.id}/index.md"] = folder.url
            pages.append(Page(url=folder.url, title=folder.title, kind="folder", group="guides", obj=folder,
                              template="folder.html", summary=folder.summary))
        for g in folder.guides:
            url = urls_memo.get((g.id, g.folder, g.meta.slug))
            if url is None:
                url = _guide_url(g)
            kept_urls[(g.id, g.folder, g.meta.slug)] = url
            urls[f"guides/{g.id}.md"] = url
            pages.append(Page(url=url, title=g.title, kind="guide", group="guides", obj=g, template="guide.html",
                              summary=g.meta.summary))
    if memory is not None:
        memory.urls = kept_urls
    return tuple(pages)


def _data_pages(group: str, items: dict, template: str, urls: dict[str, str]) -> tuple[Page, ...]:
    """The pages of the types, milestone templates or worksheets (urls gets each one's URL)."""
    pages = []
    for ident, obj in items.items():
        url = f"{group}/{ident}/"
        urls[f"{group}/{ident}.yml"] = url
        title = getattr(obj, "name", None) or obj.title
        summary = getattr(obj, "summary", "") or getattr(obj, "purpose", "") or getattr(obj, "goal", "")
        pages.append(Page(url=url, title=title, kind=group[:-1] if group != "milestones" else "milestone",
                          group=group, obj=obj, template=template, summary=str(summary)))
    return tuple(pages)


def _check_unique_urls(pages: list[Page], problems: Problems) -> None:
    seen: dict[str, Page] = {}
    for page in pages:
        if page.url in seen:
            a, b = seen[page.url], page
            if a.kind == b.kind == "print":
                continue  # the packs of two roles with the same id: the duplicate id is reported
            problems.error(
                getattr(b.obj, "source", None) and Loc(b.obj.source, 1, 1),
                f"'{b.title}' would be written to '{b.url}', like '{a.title}'"
                f"{' (' + str(a.obj.source) + ')' if hasattr(a.obj, 'source') else ''} — give one of them another file name or 'slug'",
            )
        seen[page.url] = page


def print_pages(program) -> list[Page]:
    """The print pages: the whole handbook, then one pack per role of the program."""
    pages = [Page(url=PRINT_URL, title="Print edition", kind="print", group="", template="print.html", obj=Edition())]
    for role in program.roles:
        pages.append(Page(url=f"{PRINT_URL}{role.id}/", title=f"{role.title} pack", kind="print", group="",
                          template="print.html", obj=Edition(role.id, role.title)))
    return pages


def _hint(kind: str, ref: str, known: set[str]) -> str:
    if known:
        return suggest(ref, known)
    if kind == "roles":
        return " — add it to 'roles' in program.yml"
    return f" — there are no {kind} yet: add content/{kind}/{ref}.yml"


def _guide_url(g: Guide) -> str:
    slug = slugify(g.meta.slug or g.id.rpartition("/")[2]) or "guide"
    return _folder_url(g.folder) + quote(slug) + "/"


def _folder_url(folder: str) -> str:
    if not folder:
        return "guides/"
    return "guides/" + "".join(quote(slugify(p) or "folder") + "/" for p in folder.split("/"))


def _order_guides(parsed: Parsed, problems: Problems) -> tuple[list[Folder], list[Guide]]:
    """Folders by (weight, title); guides in each by (weight, title); top-level guides first."""
    by_folder: dict[str, list[Guide]] = {}
    indexes: dict[str, Guide] = {}
    for g in parsed.guides:
        if g.id.rpartition("/")[2] == "index":
            indexes[g.folder] = g
        else:
            by_folder.setdefault(g.folder, []).append(g)
    for folder in indexes:
        by_folder.setdefault(folder, [])
    folders = []
    for ident, items in by_folder.items():
        index = indexes.get(ident)
        own = index if ident else None  # (the top index.md is the Guides page's, not its first section's)
        title = own.meta.title if own else (ident.split("/")[-1].replace("-", " ").replace("_", " ").capitalize() or "Guides")
        folders.append(
            Folder(
                id=ident,
                title=title,
                url=_folder_url(ident),
                weight=own.meta.weight if own else 0,
                summary=own.meta.summary if own else "",
                index=index,
                guides=tuple(sorted(items, key=lambda g: (g.meta.weight, g.title.lower(), g.id))),
            )
        )
    folders.sort(key=lambda f: (f.id != "", f.weight, f.title.lower(), f.id))
    return folders, [g for f in folders for g in f.guides]


def _check_program(program: Program, problems: Problems) -> None:
    for what, items in (("role", program.roles), ("phase", program.phases), ("policy", program.policies)):
        seen: dict[str, Loc | None] = {}
        for item in items:
            loc = item.key_locs.get("id") or item.loc or program.loc  # (the id itself: the second one's, for a duplicate)
            if not _ID.match(item.id):
                problems.error(loc, f"{what} id '{item.id}' — use lowercase letters, digits and dashes")
            if item.id in seen:
                first = f" (first at line {seen[item.id].line})" if seen[item.id] else ""
                problems.error(loc, f"duplicate {what} id '{item.id}'{first} — give each {what} its own id")
            seen.setdefault(item.id, loc)
    for phase in program.phases:
        for due in (phase.start, phase.end):
            if due.unit == "phase":
                problems.error(due.loc, "a phase starts and ends at a week, month, day or date, not at another phase")


def _check_worksheet(ws: Worksheet, parsed: Parsed, problems: Problems) -> None:
    seen: dict[str, object] = {}
    for f in ws.all_fields():
        if not _ID.match(f.id):
            problems.error(f.loc, f"field id '{f.id}' — use lowercase letters, digits, dashes and underscores")
        if f.id in seen:
            problems.error(f.loc, f"duplicate field id '{f.id}' (first at line {seen[f.id].loc.line}) — give each field its own id")
        else:
            seen[f.id] = f
        if f.kind == "table":
            tpl = f.rows_template
            if tpl and tpl not in parsed.milestones and ("milestones", tpl) not in parsed.failed:  # (errors of its own)
                problems.error(f.key_locs.get("rows", f.loc), f"rows from unknown milestone template '{tpl}'"
                               f"{suggest(tpl, parsed.milestones) or f' — add content/milestones/{tpl}.yml or name an existing template'}")
            ids = set()
            keys, what = (PROGRAM_ROWS[f.rows_program], f"an item of program/{f.rows_program}") if f.rows_program \
                else (MILESTONE_COLUMNS, "a milestone")
            for c in f.columns:
                cid = c.id or slugify(c.label)
                if cid in ids:
                    problems.error(f.loc, f"table '{f.id}' has two columns with id '{cid}' — give them different ids")
                ids.add(cid)
                if c.source and c.source != "none" and c.source not in keys and (f.rows_template or f.rows_program):
                    problems.error(f.key_locs.get("columns", f.loc),
                                   f"column '{c.label}' of table '{f.id}' shows '{c.source}', which {what} does not "
                                   f"have — use one of {', '.join(keys)}, or 'none'")


def column_source(column, field=None) -> str:
    """Which key of each row's milestone (or, for field's rows from a list of program.yml, of
    each item) fills a table column ('' for none)."""
    if column.source:
        return "" if column.source == "none" else column.source
    cid = column.id or slugify(column.label)
    keys = PROGRAM_ROWS.get(field.rows_program, ()) if field is not None and field.rows_program else MILESTONE_COLUMNS
    return cid if cid in keys else ""


def program_items(program, name: str) -> list:
    """The items of a list of program.yml, for `rows: from program/<name>`."""
    if name == "requirements":
        return list(program.closure.requirements)
    return list(getattr(program, name, ()))


def item_value(item, key: str):
    """What a table cell shows of a program list's item: a text, a Due, or items joined."""
    if isinstance(item, str):
        return item if key == "text" else ""
    value = getattr(item, key, "")
    if key == "end" and isinstance(value, Due):
        value = last_day(value)  # a phase's end column shows its last day, as its pages do
    if isinstance(value, tuple):
        return "; ".join(str(v) for v in value)
    return value if value is not None else ""


def _check_guides(site: Site, parsed: Parsed, problems: Problems) -> None:
    """Every guide's directives and links (where each leads was found by parse: Guide.targets)."""
    data = {"types": site.types, "milestones": site.milestones, "worksheets": site.worksheets}
    docs = list(site.guides) + [f.index for f in site.folders if f.index] + ([site.home] if site.home else [])
    anchors = {}
    for doc in docs:
        rel = _rel(doc)
        anchors[site.urls.get(rel)] = {h.anchor for h in doc.headings}
    for doc in docs:
        rel = _rel(doc)
        for name, arg, loc in doc.directives:
            if name not in DIRECTIVES:
                problems.error(loc, f"unknown directive '::{name}'{suggest(name, DIRECTIVES)}")
                continue
            target = DIRECTIVE_TARGETS.get(name)
            if target is None:
                if arg:
                    problems.error(loc, f"'::{name}' takes no id — write it alone on its line")
                continue
            if not arg:
                problems.error(loc, f"'::{name}' needs an id — {DIRECTIVES[name]}")
            elif arg not in data[target] and (target, arg) not in parsed.failed:  # (a file with errors of its own)
                problems.error(loc, f"unknown {target[:-1]} '{arg}' in '::{name}'{suggest(arg, data[target])}")
        for href, loc, scheme, target, anchor in doc.targets or link_targets(rel, doc.links):
            if scheme is not None:
                if scheme in UNSAFE_SCHEMES:
                    problems.warn(loc, f"unsafe '{scheme}:' link — link to a page or a web address instead")
                continue
            url = site.urls.get(target) if target else None
            if url is None:
                if not target or ("docs", target) in parsed.failed:
                    continue  # no link, or a link to a file that has errors of its own
                path = href.partition("#")[0].split("?", 1)[0]
                problems.error(loc, f"link target '{path}' does not exist"
                                    f"{_nearest_file(target, rel, site.urls) or f' — check the path, relative to {doc.source.name}'}")
            elif anchor and url in anchors and anchor not in anchors[url]:
                problems.warn(loc, f"link anchor '#{anchor}' not found in '{href.partition('#')[0]}'"
                                   f"{suggest(anchor, anchors[url])}")


def _nearest_file(target: str, source_rel: str, urls: dict) -> str:
    """' — did you mean '../x.md'?' for the file of the site whose name is nearest to a link's
    missing target (of the same kind: a guide for a guide), written relative to the linking file."""
    kind = posixpath.splitext(target)[1]
    files = sorted(f for f in urls if posixpath.splitext(f)[1] == kind and f != source_rel)
    by_name: dict[str, list[str]] = {}
    for f in files:
        by_name.setdefault(posixpath.basename(f), []).append(f)
    close = difflib.get_close_matches(posixpath.basename(target), list(by_name), n=1, cutoff=0.8)
    if not close:
        return ""
    # of the files of that name, the one whose folder is nearest the target's
    best = max(by_name[close[0]], key=lambda f: difflib.SequenceMatcher(None, posixpath.dirname(f),
                                                                          posixpath.dirname(target)).ratio())
    return f" — did you mean '{posixpath.relpath(best, posixpath.dirname(source_rel) or '.')}'?"


def _rel(doc: Guide) -> str:
    return doc.rel
