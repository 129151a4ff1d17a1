"""The handbook's data model: one frozen dataclass per kind of thing, read from YAML and Markdown.

The dataclasses are also the schema: each YAML key is a field declared with `key(doc, ...)`,
and the reference documentation (docs/reference.md) is generated from them.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal
from urllib.parse import unquote

from mentorsite.errors import Loc, fast_pickle, suggest
from mentorsite.site.dates import Due, LastDay, last_day
from mentorsite.site.schema import Invalid, Markdown, Ref, derived, key

FIELD_KINDS = ("line", "text", "date", "choice", "checklist", "scale", "table", "signature")
COLUMN_KINDS = ("line", "text", "date", "check", "choice")
MILESTONE_COLUMNS = ("title", "description", "due", "owner", "evidence")
# rows: from program/<list> -> what a column of such a table can show of each item ('text': the item itself)
PROGRAM_ROWS = {
    "phases": ("name", "start", "end", "summary", "activities"),
    "roles": ("title", "summary", "responsibilities", "time_commitment"),
    "benefits": ("title", "description"),
    "policies": ("title", "text"),
    "contacts": ("name", "role", "email", "phone", "about"),
    "expectations": ("text",),
    "boundaries": ("text",),
    "requirements": ("text",),  # the closure's
}
PAPER_SIZES = {"letter": ("8.5in", "11in"), "a4": ("210mm", "297mm")}
_HEX_COLOR = re.compile(r"^#(?:[0-9a-fA-F]{3}){1,2}$")


# ---------------------------------------------------------------- site.yml


@dataclass(frozen=True, slots=True, kw_only=True)
class Cohort:
    """The cohort this edition of the handbook is for."""

    start: dt.date | None = key("The cohort's first day (YYYY-MM-DD). Turns every relative due date into a calendar date.", None)
    name: str = key("A name for the cohort, shown on the cover and home page, e.g. 'Spring 2027'.", "")
    key_locs: dict = derived(factory=dict)  # key -> its value's Loc (for messages)


@dataclass(frozen=True, slots=True, kw_only=True)
class MarkdownOptions:
    """How Markdown (guides, and the Markdown keys of the YAML files) is read."""

    html: bool = key(
        "Allow raw HTML in Markdown, as MkDocs does (authors are trusted). With false, HTML is shown as text.", True
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class NavLink:
    """An extra link in the top menu."""

    title: str = key("The link text.", required=True)
    url: str = key("Where it goes: a full URL, or a path inside the site such as 'guides/finding-a-mentor/'.", required=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class FooterLink:
    """A social or contact link in the footer."""

    title: str = key("The link text, e.g. 'Slack channel' or 'Email the coordinator'.", required=True)
    url: str = key("Where it goes: a full URL, 'mailto:someone@example.org', or a path inside the site.", required=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeOptions:
    """Options of the default theme: its colour, logo, icon and footer, without editing templates."""

    primary_color: str = key(
        "The main colour of the header, links and buttons, as '#rrggbb'. Too light a colour is darkened "
        "until white text on it is readable; the dark scheme uses a lighter shade of it.",
        "",
    )
    logo: str = key("An image shown before the title in the header: a path under content/assets/, e.g. 'assets/logo.svg'.", "")
    favicon: str = key("The icon of the browser tab: a path under content/assets/, e.g. 'assets/favicon.png'.", "")
    footer_text: Markdown = key("A line of Markdown for the footer, e.g. '© 2027 Northwind People Team'.", Markdown(""))
    links: tuple[FooterLink, ...] = key("Social and contact links shown in the footer.", factory=tuple)
    key_locs: dict = derived(factory=dict)

    def __post_init__(self):
        if self.primary_color and not _HEX_COLOR.match(self.primary_color):
            raise Invalid(
                f"primary_color '{self.primary_color}' is not a colour — write it as '#rrggbb', e.g. '#0e5e63'",
                key="primary_color",
            )
        for name in ("logo", "favicon"):
            value = getattr(self, name)
            if value and ("://" in value or value.startswith("//")):
                raise Invalid(
                    f"{name} '{value}' is outside the site — put the image in content/assets/ and write 'assets/<file>'",
                    key=name,
                )


@dataclass(frozen=True, slots=True, kw_only=True)
class Language:
    """A language of a multilingual handbook. Written as a mapping, or as text (its code)."""

    _shorthand = "code"
    code: str = key("The language code, e.g. 'en', 'es', 'pt-BR'. Its site is built under /<code>/.", required=True)
    name: str = key("Its name in the language switcher (default: the language's own name, e.g. 'Español').", "")
    title: str = key("The site's title in this language (default: site.yml's title).", "")
    description: str = key("The site's description in this language (default: site.yml's description).", "")
    cohort_name: str = key("The cohort's name in this language, e.g. 'Primavera 2027' (default: cohort.name).", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteConfig:
    """`site.yml`, at the project root: how the handbook is built and published."""

    title: str = key("The site's title, shown in the header and the browser tab.", required=True)
    description: str = key("One sentence about the handbook, used in search results and link previews.", "")
    url: str = key(
        "The full public address, e.g. 'https://org.github.io/handbook/'. Its path ('/handbook/') "
        "becomes the base of every link, so the site works on a GitHub Pages project site.",
        "",
    )
    language: str = key(
        "The language of the pages, as a code such as 'en' or 'es': sets `<html lang>`, the theme's own words "
        "(from the theme's i18n/<code>.yml) and how dates are written.",
        "en",
    )
    languages: tuple[Language, ...] = key(
        "Several languages, e.g. [en, es]: one site per language under /en/, /es/, ...; the first is the "
        "default. Translations live in content/<code>/, mirroring content/ (see docs/handbook.md).",
        factory=tuple,
    )
    theme: str = key("The theme: 'default', or the name of a folder in 'themes/' that overrides it.", "default")
    paper: Literal["letter", "a4"] = key("Paper size for printing and PDFs: 'letter' or 'a4'.", "letter")
    cohort: Cohort = key("The cohort: its start date makes due dates real.", factory=Cohort)
    content: str = key("The folder holding program.yml, types/, milestones/, worksheets/, guides/.", "content")
    output: str = key(
        "The folder the site is written to. A build replaces it whole, so it must be absent, empty or a site "
        "mentorsite built; never the project's folder, a source folder (content/, themes/) or a folder inside one.",
        "_site",
    )
    nav: tuple[str, ...] | None = key(
        "The top menu, in order: any of 'guides', 'types', 'milestones', 'worksheets', 'schedule'. Leave out a group to hide it from the menu.",
        None,
    )
    nav_links: tuple[NavLink, ...] = key("Extra links added after the groups in the top menu.", factory=tuple)
    last_updated: bool = key(
        "Show under each page written in a file the date its file last changed, from git (the project must be a "
        "git repository with its whole history: in GitHub Actions, 'fetch-depth: 0').",
        False,
    )
    edit_url: str = key(
        "Where a reader can edit a page's source, with {path} for the file's path in the project, e.g. "
        "'https://github.com/org/handbook/edit/main/{path}': each page written in a file gets an 'Edit this page' link.",
        "",
    )
    search: bool = key("Offline full-text search (true or false).", True)
    handbook_pdfs: bool = key(
        "Make the print edition's PDFs (handbook.pdf and one per role). On a big handbook they take most of the "
        "build time; false keeps the print/ pages and leaves the PDFs out.",
        True,
    )
    strict: bool = key("Treat warnings as errors, as `--strict` does.", False)
    cname: str = key("A custom domain for GitHub Pages (e.g. 'mentoring.example.org'); writes the CNAME file.", "")
    theme_options: ThemeOptions = key("Options of the theme: primary colour, logo, favicon, footer text and links.", factory=ThemeOptions)
    markdown: MarkdownOptions = key("How Markdown is read: whether raw HTML is allowed.", factory=lambda: MarkdownOptions())
    base_path: str = derived("/")
    home_path: str = derived("/")  # the base path of the whole site; base_path + '<code>/' per language
    overlay: str = derived("")  # in a multilingual build: the language whose content/<code>/ overlays content/
    root: Path = derived(Path("."))
    loc: Loc | None = derived()
    output_loc: Loc | None = derived()  # where the output was named: site.yml's (1:1 for the default); None: --output
    key_locs: dict = derived(factory=dict)  # key -> its value's Loc (for messages)


# ---------------------------------------------------------------- program.yml


@dataclass(frozen=True, slots=True, kw_only=True)
class Benefit:
    """One benefit of taking part."""

    _shorthand = "title"
    title: str = key("The benefit in a few words.", required=True)
    description: Markdown = key("A sentence or two about it.", Markdown(""))


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """A role people take in the program (coordinator, mentor, mentee, ...)."""

    id: str = key("A short id used elsewhere (e.g. 'mentor'): lowercase letters, digits and dashes.", required=True)
    title: str = key("The role's name as shown to readers.", required=True)
    plural: str = key(
        "The role's name for several people, as it reads inside a sentence: 'mentors', 'review buddies', "
        "'GSoC contributors'. With it the theme writes 'For mentors' on guides, worksheets and packs; "
        "without it, wording that needs no plural ('For: Mentor').",
        "",
    )
    summary: Markdown = key("What this role is, in a sentence.", Markdown(""))
    responsibilities: tuple[str, ...] = key("What people in this role do.", factory=tuple)
    time_commitment: str = key("How much time the role takes, e.g. '2 hours a month'.", "")
    loc: Loc | None = derived()
    key_locs: dict = derived(factory=dict)  # key -> its value's Loc (for messages)


@dataclass(frozen=True, slots=True, kw_only=True)
class Phase:
    """A stretch of the program (matching, kick-off, ..., closure)."""

    id: str = key("A short id, used by `phase:<id>` due dates and by the schedule.", required=True)
    name: str = key("The phase's name.", required=True)
    start: Due = key("When it starts: its first day, e.g. 'week 0', 'month 2', a date.", required=True)
    end: Due = key(
        "When it ends: the first day after it, where the next phase starts. 'week 0' to 'week 3' is three "
        "weeks (weeks 0, 1 and 2); pages show its last day, the day before 'end'.",
        required=True,
    )
    summary: Markdown = key("What happens in this phase.", Markdown(""))
    activities: tuple[str, ...] = key("The main activities.", factory=tuple)
    worksheets: tuple[Ref, ...] = key("Worksheets used in this phase.", factory=tuple, ref="worksheets")
    loc: Loc | None = derived()
    key_locs: dict = derived(factory=dict)  # key -> its value's Loc (for messages)

    @property
    def last(self) -> LastDay:
        """The phase's last day: the day before `end`."""
        return last_day(self.end)


@dataclass(frozen=True, slots=True, kw_only=True)
class Meetings:
    """How often pairs meet, and how."""

    every_weeks: int = key("Weeks between meetings (2 = every two weeks).", 2)
    length_minutes: int = key("Length of a meeting in minutes.", 60)
    modes: tuple[str, ...] = key("Ways to meet, e.g. 'in person', 'video call'.", factory=tuple)
    scheduled_by: Ref | None = key("The role that books the meetings.", None, ref="roles")
    notes: Markdown = key("Anything else about meetings.", Markdown(""))

    def __post_init__(self):
        if self.every_weeks < 1:
            raise Invalid("'every_weeks' must be 1 or more")
        if self.length_minutes < 1:
            raise Invalid("'length_minutes' must be 1 or more")


@dataclass(frozen=True, slots=True, kw_only=True)
class Policy:
    """A rule of the program (confidentiality, no-fault exit, ...)."""

    id: str = key("A short id, e.g. 'confidentiality'.", required=True)
    title: str = key("The policy's name.", required=True)
    text: Markdown = key("The policy itself.", required=True)
    loc: Loc | None = derived()
    key_locs: dict = derived(factory=dict)  # key -> its value's Loc (for messages)


@dataclass(frozen=True, slots=True, kw_only=True)
class Contact:
    """Someone to reach, and what for."""

    name: str = key("The person's or team's name.", required=True)
    role: str = key("Their role, e.g. 'Program coordinator'.", "")
    email: str = key("Email address.", "")
    phone: str = key("Phone number.", "")
    about: str = key("What to contact them about.", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Closure:
    """How a mentoring relationship ends."""

    summary: Markdown = key("How the program closes.", Markdown(""))
    requirements: tuple[str, ...] = key("What a pair must have done to graduate.", factory=tuple)
    celebration: Markdown = key("How the cohort celebrates.", Markdown(""))


@dataclass(frozen=True, slots=True, kw_only=True)
class Summaries:
    """A sentence about each part of the handbook, in the program's own words."""

    guides: str = key(
        "Under the heading of the guides page and on its card on the home page, e.g. 'Short guides, from "
        "finding a mentor to closing well.' Default: the theme's neutral sentence ('12 guides to read on "
        "screen or print.').",
        "",
    )
    types: str = key("The same for the mentoring types' page and card.", "")
    milestones: str = key("The same for the milestone templates' page and card.", "")
    worksheets: str = key("The same for the worksheets' page and card.", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class Program:
    """`content/program.yml`: the program itself."""

    name: str = key("The program's name.", required=True)
    tagline: str = key("A short line under the name.", "")
    summary: Markdown = key("What the program is and who it is for.", Markdown(""))
    context: Literal["corporate", "startup", "academia", "community", "informal"] = key(
        "Where it runs: corporate, startup, academia, community or informal.", "corporate"
    )
    duration: str = key("How long it lasts, e.g. 'six months'.", "")
    summaries: Summaries = key(
        "A sentence about each part of the handbook (guides, types, milestones, worksheets), shown on its "
        "index page and its card on the home page; a part left out gets the theme's neutral sentence.",
        factory=Summaries,
    )
    benefits: tuple[Benefit, ...] = key("What people gain by taking part.", factory=tuple)
    roles: tuple[Role, ...] = key("The roles people take (ids are used by `audience` and `owner`).", factory=tuple)
    phases: tuple[Phase, ...] = key("The program's phases, in order.", factory=tuple)
    meetings: Meetings = key("The meeting rhythm.", factory=Meetings)
    expectations: tuple[str, ...] = key("What everyone can expect of each other.", factory=tuple)
    boundaries: tuple[str, ...] = key("What mentoring in this program is not.", factory=tuple)
    policies: tuple[Policy, ...] = key("Rules such as confidentiality and no-fault exit.", factory=tuple)
    contacts: tuple[Contact, ...] = key("Who to contact.", factory=tuple)
    closure: Closure = key("How relationships end and the cohort graduates.", factory=Closure)
    loc: Loc | None = derived()


# ---------------------------------------------------------------- types/<id>.yml


@dataclass(frozen=True, slots=True, kw_only=True)
class MentoringType:
    """`content/types/<id>.yml`: a mentoring type. Its id is the file name."""

    name: str = key("The type's name, e.g. 'Peer mentoring'.", required=True)
    summary: str = key("One sentence: what it is.", required=True)
    how_it_works: Markdown = key("How it works, in Markdown.", Markdown(""))
    ratio: Literal["1:1", "1:many", "peer"] = key("'1:1', '1:many' (a group) or 'peer'.", "1:1")
    best_for: tuple[str, ...] = key("Who or what it suits.", factory=tuple)
    mentor_does: tuple[str, ...] = key("What the mentor does.", factory=tuple)
    mentee_does: tuple[str, ...] = key("What the mentee does.", factory=tuple)
    mentor_title: str = key(
        "What this type calls the side that mentors: the heading over mentor_does, e.g. 'The maintainer' or "
        "'The reviewer'. Default: the theme's words for the ratio ('The mentor'; for peers 'When leading').",
        "",
    )
    mentee_title: str = key(
        "What this type calls the other side: the heading over mentee_does, e.g. 'Each newcomer' or "
        "'The author'. Default: 'The mentee'; in a group 'Each mentee'; for peers 'When learning'.",
        "",
    )
    cadence: str = key("How often people meet, e.g. 'every two weeks for an hour'.", "")
    strengths: tuple[str, ...] = key("What it does well.", factory=tuple)
    watch_out_for: tuple[str, ...] = key("Pitfalls to watch for.", factory=tuple)
    milestones: tuple[Ref, ...] = key("Suggested milestone templates.", factory=tuple, ref="milestones")
    worksheets: tuple[Ref, ...] = key("Suggested worksheets.", factory=tuple, ref="worksheets")
    id: str = derived("")
    source: Path = derived(Path("."))
    loc: Loc | None = derived()


# ---------------------------------------------------------------- milestones/<id>.yml


@dataclass(frozen=True, slots=True, kw_only=True)
class Milestone:
    """One milestone of a template."""

    title: str = key("What is achieved.", required=True)
    due: Due = key("When: 'week 4', 'month 2', 'day 10', 'phase:<id>' or a date.", required=True)
    description: str = key("A sentence about it.", "")
    owner: Ref | None = key("The role responsible (a role id).", None, ref="roles")
    evidence: str = key("How you know it is done.", "")


@dataclass(frozen=True, slots=True, kw_only=True)
class MilestoneTemplate:
    """`content/milestones/<id>.yml`: a goal and the milestones towards it. Its id is the file name."""

    title: str = key("The template's title.", required=True)
    goal: str = key("The goal the milestones lead to.", required=True)
    goal_type: Literal["short-term", "long-term"] = key("'short-term' or 'long-term'.", "short-term")
    summary: Markdown = key("More about the goal, in Markdown.", Markdown(""))
    types: tuple[Ref, ...] = key("Mentoring types it suits.", factory=tuple, ref="types")
    milestones: tuple[Milestone, ...] = key("The milestones, in order.", required=True)
    id: str = derived("")
    source: Path = derived(Path("."))
    loc: Loc | None = derived()


# ---------------------------------------------------------------- worksheets/<id>.yml


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """A column of a table field. Written as a mapping, or as text (its label)."""

    _shorthand = "label"
    label: str = key("The column heading.", required=True)
    id: str = key("The column's id (default: from the label).", "")
    kind: Literal["line", "text", "date", "check", "choice"] = key("What a cell holds: line, text, date, check or choice.", "line")
    options: tuple[str, ...] = key("The choices, for kind 'choice'.", factory=tuple)
    source: Literal["", "none", "title", "description", "due", "owner", "evidence", "name", "start", "end", "summary",
                    "activities", "responsibilities", "time_commitment", "text", "role", "email", "phone", "about"] = key(
        "For rows from a milestone template or a list of program.yml: which key of each milestone (title, description, "
        "due, owner, evidence) or item (e.g. a phase's name, start, end; 'text' for a list of texts) fills this column. "
        "Default: the column id when it is one of those; 'none' leaves the column blank.",
        "",
        )
    width: int = key("Relative width (1-5).", 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Field:
    """A field of a worksheet."""

    id: str = key("A unique id in the worksheet; names the PDF form field and the saved answer.", required=True)
    kind: Literal["line", "text", "date", "choice", "checklist", "scale", "table", "signature"] = key(
        "line, text, date, choice, checklist, scale, table or signature.", required=True
    )
    label: str = key("The question or label, always visible.", required=True)
    hint: str = key("A short help text under the label.", "")
    options: tuple[str, ...] = key("The choices, for 'choice' and 'checklist'.", factory=tuple)
    min: int = key("Lowest value, for 'scale'.", 1)
    max: int = key("Highest value, for 'scale'.", 5)
    min_label: str = key("What the lowest value means, e.g. 'Not at all'.", "")
    max_label: str = key("What the highest value means, e.g. 'Completely'.", "")
    lines: int = key("How many lines to leave for 'text'.", 4)
    columns: tuple[Column, ...] = key("The columns, for 'table'.", factory=tuple)
    rows: int | str = key(
        "For 'table': a number of blank rows, 'from milestones/<id>' to fill the rows from a milestone template, or "
        "'from program/<list>' for one row per item of a list of program.yml (phases, roles, benefits, policies, "
        "contacts, expectations, boundaries, requirements).",
        5,
    )
    loc: Loc | None = derived()
    key_locs: dict = derived(factory=dict)

    def __post_init__(self):
        if self.kind in ("choice", "checklist") and not self.options:
            raise Invalid(f"field '{self.id}' of kind '{self.kind}' needs 'options' — add a list of choices", key="kind")
        if self.kind == "scale" and self.min >= self.max:
            raise Invalid(f"field '{self.id}': 'min' ({self.min}) must be below 'max' ({self.max}) — swap them", key="min")
        if self.kind == "table":
            if not self.columns:
                raise Invalid(f"table field '{self.id}' has no columns — add 'columns: [First, Second]'", key="kind")
            if isinstance(self.rows, str) and not self.rows.startswith(("from milestones/", "from program/")):
                raise Invalid(f"field '{self.id}': rows '{self.rows}' — write a number, 'from milestones/<id>' or "
                              "'from program/<list>'", key="rows")
            if self.rows_program and self.rows_program not in PROGRAM_ROWS:
                raise Invalid(f"field '{self.id}': rows from unknown list 'program/{self.rows_program}'"
                              f"{suggest(self.rows_program, PROGRAM_ROWS)}", key="rows")
            if isinstance(self.rows, int) and not 0 < self.rows <= 100:
                raise Invalid(f"field '{self.id}': rows must be between 1 and 100", key="rows")
        if self.kind == "text" and not 1 <= self.lines <= 40:
            raise Invalid(f"field '{self.id}': lines must be between 1 and 40", key="lines")

    @property
    def rows_template(self) -> str:
        """The milestone template id named by `rows: from milestones/<id>`, or ''."""
        if isinstance(self.rows, str) and self.rows.startswith("from milestones/"):
            return self.rows.removeprefix("from milestones/").strip()
        return ""

    @property
    def rows_program(self) -> str:
        """The program.yml list named by `rows: from program/<list>`, or ''."""
        if isinstance(self.rows, str) and self.rows.startswith("from program/"):
            return self.rows.removeprefix("from program/").strip()
        return ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """A section of a worksheet: a heading and its fields."""

    title: str = key("The section's heading.", required=True)
    intro: str = key("A sentence shown under the heading.", "")
    fields: tuple[Field, ...] = key("The fields, in order.", required=True)


@dataclass(frozen=True, slots=True, kw_only=True)
class Worksheet:
    """`content/worksheets/<id>.yml`: a worksheet to fill in. Its id is the file name."""

    title: str = key("The worksheet's title.", required=True)
    purpose: str = key("One sentence: what it is for.", required=True)
    audience: tuple[Ref, ...] = key("The roles who fill it in (role ids); empty means everyone.", factory=tuple, ref="roles")
    instructions: Markdown = key("How to use it, in Markdown.", Markdown(""))
    sections: tuple[Section, ...] = key("The sections, in order.", required=True)
    id: str = derived("")
    source: Path = derived(Path("."))
    loc: Loc | None = derived()

    def all_fields(self):
        """Every field of every section, in order."""
        return [f for s in self.sections for f in s.fields]


# ---------------------------------------------------------------- guides


@dataclass(frozen=True, slots=True, kw_only=True)
class FrontMatter:
    """The YAML front matter of a guide, between `---` lines at the top of the file."""

    title: str = key("The guide's title.", required=True)
    summary: str = key("One or two sentences, shown in lists and previews.", "")
    weight: int = key("Order among the guides of its folder: lower comes first; then by title.", 0)
    audience: tuple[Ref, ...] = key("The roles it is written for (role ids); empty means everyone.", factory=tuple, ref="roles")
    types: tuple[Ref, ...] = key("The mentoring types it concerns (type ids).", factory=tuple, ref="types")
    slug: str = key("The last part of its URL (default: the file name).", "")
    loc: Loc | None = derived()


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """A heading of a page, for the table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Guide:
    """A Markdown guide: its front matter, its place in the folder tree, its parsed body."""

    meta: FrontMatter
    id: str  # the path under guides/ without '.md', e.g. 'starting/first-meeting'
    folder: str  # '' or the folder under guides/
    source: Path
    rel: str  # posix path relative to the content folder
    digest: str  # of the source file's bytes: the body is not kept in the model
    body_line: int  # line of the file where the Markdown body starts (1-based)
    headings: tuple[Heading, ...] = ()
    directives: tuple = ()  # (name, arg, Loc)
    links: tuple = ()  # (href, Loc) of relative links to check
    targets: tuple = ()  # where each of links leads (parse.link_targets), for assemble to check
    html_links: tuple = ()  # (URL, Loc) of every link written in raw HTML, for check to say where it is
    warnings: tuple = ()  # (Loc, message) of what parsing found amiss but not wrong (reported at every build)
    # the digest of all of the above but the file's digest: what a template that reads this
    # object can see of it (its body is read only through the renderer, which records the file)
    outline: str = ""

    @property
    def title(self) -> str:
        """The guide's title."""
        return self.meta.title


@dataclass(frozen=True, slots=True)
class Edition:
    """Which book a print page shows: the whole handbook (role '') or one role's pack."""

    role: str = ""
    role_title: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """One output page: its URL, what it shows, and how it sits in the navigation."""

    url: str  # site-relative, e.g. 'guides/finding-a-mentor/' ('' is the home page)
    title: str
    kind: str  # home, guide, type, milestone, worksheet, index, folder, 404
    group: str  # guides, types, milestones, worksheets, or ''
    obj: object = None
    template: str = "page.html"
    summary: str = ""
    # the file the page is written to, relative to the output folder (the URL, decoded)
    output: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        path = unquote(self.url)
        object.__setattr__(self, "output", path if path.endswith(".html") else f"{path}index.html")


def _fast_pickling() -> None:
    for value in list(globals().values()):
        if isinstance(value, type) and dataclasses.is_dataclass(value) and "__slots__" in value.__dict__:
            fast_pickle(value)


_fast_pickling()
