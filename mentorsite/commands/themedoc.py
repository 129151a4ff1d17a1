"""Generate docs/themes.md, the reference of the default theme: every template, the blocks it
defines and what it extends and includes (read with Jinja's parser), and every variable and
filter a template sees (declared here, each with its meaning).

Run `python -m mentorsite.commands.themedoc > docs/themes.md` after changing a template or what the
renderer gives templates; a test checks that the file is up to date, and that the names declared
here are the ones the renderer really gives.
"""

from __future__ import annotations

from pathlib import Path

import jinja2
from jinja2 import meta, nodes

from mentorsite.sources.theme import default_theme_dir

# What each template of the default theme makes. A page's template is chosen by its kind.
TEMPLATES = {
    "base.html": "The frame of every page: head, header with the menu and search box, breadcrumbs, sidebar, footer.",
    "home.html": "The home page: content/index.md's text, then the program from program.yml.",
    "guides.html": "The Guides page: content/guides/index.md's text if there is one, then every folder and its guides.",
    "folder.html": "A folder of guides: its index.md's text, then its guides.",
    "guide.html": "A guide.",
    "types.html": "The mentoring types' index.",
    "type.html": "A mentoring type.",
    "milestones.html": "The milestone templates' index.",
    "milestone.html": "A milestone template, with its due dates.",
    "worksheets.html": "The worksheets' index.",
    "worksheet.html": "A worksheet's page: the form to fill in, print or download.",
    "schedule.html": "The cohort schedule: the time line and its tables.",
    "search.html": "The search page.",
    "print.html": "The print edition (`print/`) and each role's pack (`print/<role>/`).",
    "404.html": "The page shown for an address that does not exist.",
    "partials/downloads.html": "The home page's 'Print and download' list.",
    "partials/field.html": "One field of a worksheet on a page (f: the Field, ws: the Worksheet).",
    "partials/language-switcher.html": "The header's language switcher (multilingual sites).",
    "partials/milestone-table.html": "`::milestones <id>`: a milestone template's table (item: the template).",
    "partials/phases.html": "`::phases`, and the home page's phases: the program's phases as a time line.",
    "partials/print-book.html": "The print edition's book: cover, contents, parts (book: mentorsite.steps.book.Book).",
    "partials/roles.html": "`::roles`, and the home page's roles: the table of roles.",
    "partials/search-box.html": "The header's search box.",
    "partials/sidebar.html": "The sidebar: the current group's pages.",
    "partials/type-card.html": "`::type <id>`: a mentoring type's card (item: the type).",
    "partials/worksheet-audience.html": "A worksheet's kicker: 'Worksheet · for mentors' (item: the worksheet).",
    "partials/worksheet-card.html": "`::worksheet-card <id>`: a link card to a worksheet (item: the worksheet).",
    "partials/worksheet-form.html": "`::worksheet <id>`, and the worksheet's page: the form (item: the worksheet).",
    "partials/worksheet-toolbar.html": "A worksheet's actions: PDF, print, export, import, clear.",
    "pdf/worksheet.html": "A worksheet's fillable PDF (item: the worksheet; page is none).",
    "pdf/worksheet.css": "The worksheet PDF's stylesheet, rendered through Jinja and inlined.",
    "pdf/field.html": "One field of a worksheet in its PDF.",
    "pdf/pack.html": "A worksheet of a personalised pack (`mentorsite packs`): the PDF with a pair block on top.",
    "pdf/pack-milestones.html": "A pack's table whose rows come from the pair's milestone template or a list of program.yml.",
    "pdf/handbook.html": "handbook.pdf and each role's PDF: the cover and contents, or one part of the book.",
    "pdf/handbook.css": "The handbook PDF's paged media (running heads, bookmarks, the contents' page numbers), rendered through Jinja.",
    "pdf/paper.css": "The handbook PDF's paper: the site's pages set for print, rendered through Jinja and given to WeasyPrint once for every part.",
    "packs/index.html": "`mentorsite packs`' index.html: every pair of the roster and its folder (a page of its own).",
}

# Every template (pages, partials, PDFs) sees these.
GLOBALS = {
    "t": "`t(\"id\", count=...)`: the theme's words in the site's language (i18n/<language>.yml).",
    "lang": "The site's language code, e.g. 'en'.",
    "config": "site.yml (SiteConfig: every key of site.yml in docs/reference.md).",
    "program": "program.yml (Program: its keys in docs/reference.md).",
    "site": "The site: `site.types`, `site.milestones`, `site.worksheets` (by id), `site.guides`, "
            "`site.folders`, `site.pages`, `site.urls` (a source file's path in content/ -> its page's URL).",
    "nav": "The top menu: a list of {title, url, group}.",
    "url": "`url('guides/x/')`: a path of the site as a link under the base path.",
    "page_url": "`page_url(obj)`: the link to a type, milestone template, worksheet or guide.",
    "format_date": "`format_date(date)`: a date as the site's language writes it ('Mar 1, 2027').",
    "paper": "The paper size as (width, height), e.g. ('8.5in', '11in').",
    "version": "mentorsite's version.",
    "render_directive": "`render_directive(name, id)`: a data directive (`::type peer`) as HTML.",
    "table_rows": "`table_rows(field, display=False)`: the pre-filled rows of a table field.",
    "column_source": "`column_source(column, field)`: which key of a milestone or item fills a table column ('' for none).",
    "theme_script": "The inline script that sets the colour scheme before the page is drawn.",
    "theme_css": "The colours made from theme_options.primary_color, as CSS ('' without one).",
    "paper_css": "The same colours for paper (the light scheme alone), as CSS for the PDFs' templates ('' without one).",
    "logo_url": "theme_options.logo as a link ('' without one).",
    "favicon_url": "theme_options.favicon as a link ('' without one).",
    "footer_links": "theme_options.links: a list of {title, href}.",
    "language_links": "`language_links(page)`: one {code, name, href, current} per language (multilingual sites).",
    "search_url": "The search page's address ('' with `search: false`).",
    "theme_dirs": "The theme's folders, in the order they are searched.",
}

FILTERS = {
    "due": "A due date as HTML: `<time>` with the calendar date when known, else its relative form ('Week 4').",
    "due_iso": "A due date as YYYY-MM-DD when known, else its relative form (a form field's value).",
    "date": "A date as the site's language writes it ('Mar 1, 2027').",
    "markdown": "Markdown text (from the YAML files) as HTML; its links lead from the file it is written in.",
    "slug": "Text made into an id: 'Introduced by' -> 'introduced-by'.",
}

# Every page's template sees these besides the globals.
PAGE = {
    "page": "The page (Page): `url` (from the site's base, '' for the home page), `title`, `kind` (home, guide, "
            "folder, index, type, milestone, worksheet, schedule, search, print, 404), `group` (guides, types, "
            "milestones, worksheets or ''), `obj` (what it shows), `summary`.",
    "item": "What the page shows: the MentoringType, MilestoneTemplate, Worksheet, Guide, Folder, content/index.md "
            "(home), content/guides/index.md (Guides page), or none.",
    "content": "The page's Markdown (a guide's, a folder's index.md, content/index.md) as HTML, or ''.",
    "toc": "The page's headings for 'On this page': a list of {level, text, anchor} (levels 2 and 3).",
    "breadcrumbs": "A list of {title, url}, from the home page.",
    "prev_page": "The previous page of its group in reading order (a Page), or none.",
    "next_page": "The next page of its group in reading order, or none.",
    "folder": "For a guide, its Folder; for a folder's page, the folder; else none.",
    "sidebar": "The sidebar: a list of {title, url, current, open, children}.",
    "page_href": "The page's own link.",
    "edit_link": "site.yml's edit_url for the page's file, or ''.",
    "updated": "With last_updated: {iso, text}, when the page's file last changed in git; else none.",
}

# What some templates see besides the globals (and, for a page, the page's variables).
EXTRA = {
    "schedule.html": {
        "schedule": "The time line (mentorsite.site.schedule.Schedule): `start`, `phases` (bands: `start_day`, "
                    "`end_day`, `start_due`, `last_due`, ...), `meetings`, `tracks`, `every_weeks`, `ticks()`, "
                    "`weeks()`, `percent(day)`.",
        "week_dates": "Every week of the line as [number, its first day, its last day], dates written as the site "
                      "writes them (for today's sentence).",
        "end_date": "The cohort's last day (with a cohort start), else none.",
        "ics_url": "The link to schedule.ics ('' without a cohort start).",
    },
    "print.html": {
        "book": "The book (mentorsite.steps.book.Book): its groups and parts.",
        "cover": "The cover: the program's name, tagline, cohort and dates.",
        "pdf_url": "The link to this edition's PDF.",
    },
    "partials/milestone-table.html": {"item": "The milestone template.", "inline": "True in a guide."},
    "partials/type-card.html": {"item": "The mentoring type.", "inline": "True in a guide."},
    "partials/worksheet-card.html": {"item": "The worksheet.", "inline": "True in a guide."},
    "partials/worksheet-form.html": {"item": "The worksheet.", "inline": "True in a guide (its headings are h4)."},
    "pdf/worksheet.html": {"item": "The worksheet.", "page": "None (a PDF is not a page of the site)."},
    "pdf/pack.html": {"item": "The worksheet.", "page": "None.",
                      "pack": "{template}: the milestone template of the pairs this PDF is for, or none."},
    "pdf/handbook.html": {
        "book": "The book.", "group": "The group of the part (none for the cover).", "part": "The part, or none.",
        "first": "Whether the part is its group's first.", "front": "For the cover and contents: part or group id "
        "-> the page it starts on; else none.", "cover": "The cover (with front).",
        "page": "The print page of this edition.", "item": "The edition.",
    },
    "packs/index.html": {
        "pairs": "The roster's pairs (mentorsite.commands.packs.Pair: mentor, mentee, type, template, start, folder, ...).",
        "extra_columns": "The roster's other columns.", "worksheets": "`worksheets(pair)`: the pair's worksheet ids.",
        "shard": "(K, N) with --shard K/N, else none.", "errors": "How many rows of the roster are bad.",
        "page": "None.", "item": "None.",
    },
}

_INTRO = """\
# Theme reference

The default theme's templates, the blocks each defines, and every variable and filter a template
sees — generated from the theme's files and mentorsite's code
(`python -m mentorsite.commands.themedoc > docs/themes.md`). [Writing a handbook](handbook.md#themes)
explains how a theme overrides a template: a file of the same name in `themes/<name>/templates/`,
which can extend the default one with `{% extends "default/<name>" %}` and change only its
blocks. Templates run with autoescaping and strict undefined variables: a misspelt name is an
error at its line and column, with the nearest name this page lists.
"""


def _table(rows: list[tuple[str, ...]], head: tuple[str, ...]) -> str:
    lines = ["| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def template_files(folder: Path | None = None) -> list[str]:
    """Every template of a theme's templates/ folder (default: the built-in theme's), as its name."""
    folder = folder or default_theme_dir() / "templates"
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def template_outline(source: str) -> tuple[str, list[str], list[str]]:
    """(the template it extends or '', the blocks it defines, the templates it includes), as Jinja parses it."""
    tree = jinja2.Environment().parse(source)
    extends = tree.find(nodes.Extends)
    parent = extends.template.value if extends is not None and isinstance(extends.template, nodes.Const) else ""
    blocks = [b.name for b in tree.find_all(nodes.Block)]
    used = [t for t in meta.find_referenced_templates(tree) if t and t != parent]
    return parent, blocks, sorted(set(used), key=used.index)


def themes_reference() -> str:
    """docs/themes.md as Markdown."""
    folder = default_theme_dir() / "templates"
    rows = []
    for name in template_files(folder):
        parent, blocks, used = template_outline((folder / name).read_text(encoding="utf-8"))
        code = lambda items: ", ".join(f"`{i}`" for i in items)  # noqa: E731
        rows.append((f"`{name}`", TEMPLATES.get(name, ""), code([parent] if parent else []), code(blocks), code(used)))
    parts = [_INTRO, "## Templates\n\n" + _table(rows, ("template", "what it makes", "extends", "blocks", "includes"))]
    parts.append("## What every template sees\n\n" + _table(sorted((f"`{k}`", v) for k, v in GLOBALS.items()),
                                                             ("name", "what it is")))
    parts.append("Filters, besides Jinja's own:\n\n" + _table(sorted((f"`{k}`", v) for k, v in FILTERS.items()),
                                                              ("filter", "what it does")))
    parts.append("## What a page's template sees\n\nThe template of every page of the site (those that extend "
                 "`base.html`, and `base.html` itself) sees these too. "
                 "The keys of each data object (a type's `name`, a worksheet's `sections`, ...) are those of its "
                 "file, listed in the [file reference](reference.md).\n\n"
                 + _table([(f"`{k}`", v) for k, v in PAGE.items()], ("name", "what it is")))
    extra = ["## What some templates see besides\n"]
    for name, names in EXTRA.items():
        extra.append(f"`{name}`:\n\n" + _table([(f"`{k}`", v) for k, v in names.items()], ("name", "what it is")))
    parts.append("\n".join(extra))
    return "\n".join(parts)


if __name__ == "__main__":
    print(themes_reference(), end="")
