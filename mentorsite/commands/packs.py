"""Personalised packs: `mentorsite packs ROSTER.csv` writes, for each pair of a roster, a folder
with the worksheets as fillable PDFs pre-filled for the pair, and the pair's own calendar.

The roster is a CSV file whose first line names its columns: mentor, mentee, type, milestones,
start (any order, any case); other columns are kept and shown in index.html (and a theme's
pdf/pack.html can add fields named `extra-<column>` that are filled from them).

- type: a mentoring type's id or name. The pair gets the worksheets its type suggests, or every
  worksheet when the type suggests none.
- milestones: a milestone template's id or title; empty means the type's first suggested template.
- start: the pair's first day (YYYY-MM-DD); empty means site.yml's cohort start.

Made to scale: each worksheet's PDF is rendered once per milestone template (WeasyPrint, in the
process pool of the build, kept in the PDF store), and each pair's copy is that PDF with its form
fields filled (pypdf: values set, NeedAppearances on, so every viewer draws them in its own font,
whatever the script of the names). Pairs are filled in parallel, written as they are made, so
memory stays flat however long the roster. `--shard K/N` makes the K-th of N disjoint slices of
the pairs (by their order in the roster), for a CI matrix; every shard checks the whole roster
and writes the same index.html.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import datetime as dt
import hashlib
import io
import os
import re
import sys
import time
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from mentorsite.build import load
from mentorsite.errors import Loc, SiteError, suggest
from mentorsite.site.assemble import column_source, item_value, program_items
from mentorsite.site.dates import Due, due_dates, far_start, missing_date, resolve
from mentorsite.site.i18n import format_date
from mentorsite.site.schedule import make_schedule, uid_domain
from mentorsite.sources.markdown import slugify
from mentorsite.sources.theme import theme_env
from mentorsite.state import PdfStore
from mentorsite.steps.calendar import calendar_bytes, meeting_words
from mentorsite.steps.chrome import translations_for
from mentorsite.steps.pages import Renderer, template_error
from mentorsite.pool import context
from mentorsite.steps.pdf import PdfJob, cpu_count, key_of, make_pdfs, versions
from mentorsite.steps.worksheet_pdf import worksheet_data

COLUMNS = ("mentor", "mentee", "type", "milestones", "start")
PACK_TEMPLATE = "pdf/pack.html"
INDEX_TEMPLATE = "packs/index.html"
PACK_FORMAT = "pack-pdf-1"
# Worksheet fields filled with the pair's data when a worksheet has them (by field id).
NAME_FIELDS = {"mentor-name": "mentor", "mentor": "mentor", "mentee-name": "mentee", "mentee": "mentee",
               "mentoring-type": "type", "type": "type"}
_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass(frozen=True, slots=True)
class Pair:
    """One valid row of the roster."""

    line: int
    index: int  # the row's place among the roster's rows, from 0 (what shards split)
    mentor: str
    mentee: str
    type: str  # a type id
    template: str  # a milestone template id, or ''
    start: dt.date
    extra: tuple[tuple[str, str], ...] = ()
    folder: str = ""


@dataclass(frozen=True, slots=True)
class Roster:
    """A roster read and checked: its valid pairs, the problems of the others, its extra columns."""

    pairs: tuple[Pair, ...]
    errors: tuple[SiteError, ...]
    error_rows: tuple[int, ...]  # the row index of each error (what shards split)
    extra_columns: tuple[str, ...]
    rows: int


@dataclass(frozen=True, slots=True)
class PackReport:
    """What a packs run made."""

    pairs: int  # pairs written by this run (this shard's)
    files: int
    errors: tuple[SiteError, ...]
    seconds: float
    templates_made: int  # worksheet PDFs rendered (the others came from the PDF store)
    out: Path
    removed: int = 0  # files of an earlier run that this roster no longer has (see prune)
    kept_stale: int = 0  # such files, kept because the roster has bad rows


# ---------------------------------------------------------------- the roster


def read_roster(path: Path, site, shown: Path | None = None) -> Roster:
    """Read and check a roster; every bad row is an error, the good rows are pairs."""
    shown = shown or path
    records, header = _open_roster(path, shown)
    check = _RowCheck(site, shown, header)
    errors: list[SiteError] = []
    error_rows: list[int] = []
    pairs: list[Pair] = []
    index = -1
    for line, row in records:
        if isinstance(row, str):  # a row the CSV reader could not read: reported, and the next line read
            index += 1
            errors.append(SiteError(Loc(shown, line, 1), row))
            error_rows.append(index)
            continue
        if not any(cell.strip() for cell in row):
            continue  # blank lines are no pairs
        index += 1
        problems, pair = check.row(line, index, row)
        errors.extend(problems)
        error_rows.extend([index] * len(problems))
        if pair is not None:
            pairs.append(pair)
    return Roster(tuple(_with_folders(pairs)), tuple(errors), tuple(error_rows),
                  tuple(name for _, name in check.extra), index + 1)


def _open_roster(path: Path, shown: Path) -> tuple:
    """(the roster's records after its first line, the names of its columns), or the SiteError
    that says why the roster cannot be read at all."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise SiteError(Loc(shown, 1, 1), f"cannot read the roster ({e.strerror or e}) — check the path") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[: e.start].count(b"\n") + 1
        raise SiteError(Loc(shown, line, 1), "the roster is not UTF-8 text — save it as 'CSV UTF-8'") from None
    first = text.split("\n", 1)[0]
    delimiter = max(",;\t", key=first.count) if any(d in first for d in ",;\t") else ","
    records = _records(io.StringIO(text, newline="").readlines(), delimiter)
    try:
        _line, header = next(records)
    except StopIteration:
        raise SiteError(Loc(shown, 1, 1), f"the roster is empty — its first line names the columns: {', '.join(COLUMNS)}") from None
    if isinstance(header, str):
        raise SiteError(Loc(shown, 1, 1), f"the roster's first line cannot be read: {header}")
    names = [h.strip().lower() for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        raise SiteError(Loc(shown, 1, 1), f"the roster has no column{'s' if len(missing) > 1 else ''} "
                                          f"{', '.join(repr(m) for m in missing)} — its first line must name the columns "
                                          f"{', '.join(COLUMNS)} (other columns are kept)")
    return records, header


class _RowCheck:
    """Each row of a roster read against the handbook: a Pair, or the problems of the row, each
    at its cell."""

    def __init__(self, site, shown: Path, header: list[str]):
        names = [h.strip().lower() for h in header]
        self.site, self.shown, self.header = site, shown, header
        self.col = {c: names.index(c) for c in COLUMNS}
        self.extra = tuple((i, h.strip()) for i, h in enumerate(header) if names[i] not in COLUMNS and h.strip())
        self.types, self.templates = site.types, site.milestones
        self.by_type_name = {t.name.casefold(): ident for ident, t in self.types.items()}
        self.by_title = {t.title.casefold(): ident for ident, t in self.templates.items()}
        self.dues = due_dates(site.program, self.templates)  # (a pair's start must leave them all on the calendar)
        self.phase_starts = {p.id: p.start for p in site.program.phases}
        self.seen: dict[tuple[str, str], int] = {}

    def row(self, line: int, index: int, row: list[str]) -> tuple[list[SiteError], Pair | None]:
        long = [i for i, cell in enumerate(row) if len(cell) > MAX_CELL]
        if long:
            return [SiteError(Loc(self.shown, line, long[0] + 1),
                              f"a cell of {len(row[long[0]]):,} characters, more than the {MAX_CELL:,} a cell may "
                              "hold — shorten it")], None
        problems: list[SiteError] = []

        def cell(name: str) -> str:
            i = self.col[name]
            return _clean(row[i]) if i < len(row) else ""

        def bad(name: str, message: str) -> None:
            problems.append(SiteError(Loc(self.shown, line, self.col[name] + 1), message))

        mentor, mentee = cell("mentor"), cell("mentee")
        for who, name in (("mentor", mentor), ("mentee", mentee)):
            if not name:
                bad(who, f"missing {who} name — write the {who}'s name in the '{self.header[self.col[who]].strip()}' column")
        type_id, template = self._type_and_template(cell("type"), cell("milestones"), bad)
        start = self._start(cell("start"), bad)
        if mentor and mentee:
            key = (mentor.casefold(), mentee.casefold())
            if key in self.seen:
                bad("mentee", f"duplicate pair {mentor} and {mentee} (first on line {self.seen[key]}) — remove one of the two rows")
            else:
                self.seen[key] = line
        if problems:
            return problems, None
        values = tuple((name, _clean(row[i]) if i < len(row) else "") for i, name in self.extra)
        return [], Pair(line, index, mentor, mentee, type_id, template, start, values)

    def _type_and_template(self, type_value: str, plan_value: str, bad) -> tuple[str, str]:
        """The row's mentoring type's id and milestone template's ('' when unknown: reported)."""
        types, templates = self.types, self.templates
        type_id = type_value if type_value in types else self.by_type_name.get(type_value.casefold(), "")
        if not type_value:
            bad("type", f"missing mentoring type — write one of: {', '.join(types)}")
        elif not type_id:
            bad("type", f"unknown mentoring type '{type_value}'{suggest(type_value, types) or ' — add it to content/types/'}")
        template = ""
        if plan_value:
            template = plan_value if plan_value in templates else self.by_title.get(plan_value.casefold(), "")
            if not template:
                bad("milestones", f"unknown milestone template '{plan_value}'"
                                  f"{suggest(plan_value, templates) or ' — add it to content/milestones/'}")
        elif type_id and types[type_id].milestones:
            template = str(types[type_id].milestones[0])
        return type_id, template

    def _start(self, start_value: str, bad) -> dt.date | None:
        """The pair's start: its cell's, or the cohort's (None when missing or wrong: reported)."""
        start = self.site.config.cohort.start
        if start_value:
            try:
                start = dt.date.fromisoformat(start_value)
            except ValueError:
                bad("start", missing_date(start_value)
                    or f"'{start_value}' is not a date — write it as YYYY-MM-DD, e.g. 2027-01-11")
                return None
            why = far_start(start, self.dues, self.phase_starts, "the start")
            if why:
                bad("start", why)
        elif start is None:
            bad("start", "missing start date — write it as YYYY-MM-DD, or set cohort: start: in site.yml")
        return start


MAX_CELL = 131_072  # characters in a cell (Python's csv module's own limit)


def _records(lines: list[str], delimiter: str):
    """(line, cells) for each record of a CSV file's lines, or (line, message) for a record that
    cannot be read: a quote (") never closed, or text after a closing quote. Reading then goes on
    from the line after the one where that record began, so the rows after a stray quote are
    read as themselves rather than swallowed into one cell (a quoted cell over several lines,
    which a bad row may have, is read again from its second line; its lines are reported)."""
    start = 0
    limit = csv.field_size_limit()
    try:
        csv.field_size_limit(max(limit, sum(len(line) for line in lines) + 1))  # long cells are reported (MAX_CELL)
        while start < len(lines):
            reader = csv.reader(iter(lines[start:]), delimiter=delimiter, strict=True)
            done = 0  # lines of lines[start:] read so far
            try:
                for row in reader:
                    yield start + done + 1, row
                    done = reader.line_num
                break
            except csv.Error as e:
                yield start + done + 1, _unreadable(str(e), reader.line_num - done > 1)
                start += done + 1
    finally:
        csv.field_size_limit(limit)


def _unreadable(error: str, lines: bool) -> str:
    """The message for a record the CSV reader refused (its error's text; lines: whether it ran
    on past its first line, as a quote that is not closed makes it)."""
    if "end of data" in error or ("expected after" in error and lines):
        return 'a quote (") in this row is never closed — close it, or write "" for a quote inside a quoted cell'
    if "expected after" in error:
        return ('a cell of this row goes on after its closing quote (") — quote the whole cell, writing "" for each '
                "quote inside it")
    return f"unreadable row ({error}) — check its quotes"


def _clean(value: str) -> str:
    """A cell without surrounding space and control characters, in NFC."""
    value = "".join(ch for ch in value if unicodedata.category(ch) != "Cc" or ch in "\t")
    return unicodedata.normalize("NFC", " ".join(value.split()))


def safe_name(text: str, limit: int = 120, suffix: str = "") -> str:
    """A folder name anyone's file system takes: no slashes, NUL or control characters, none of
    the characters Windows refuses, no '.' or '..', no reserved device names, at most limit
    UTF-8 bytes; accents and other scripts are kept. A name cut to fit ends with '~' and a short
    digest of the whole text, so that two names cut to the same start stay two names; suffix
    (' (line 12)') is added after the name, within the limit."""
    name = _UNSAFE.sub("_", unicodedata.normalize("NFC", text))
    name = " ".join(name.split()).strip(" .")
    if len((name + suffix).encode("utf-8", "surrogatepass")) > limit:
        tag = "~" + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=4).hexdigest()
        room = limit - len((tag + suffix).encode("utf-8", "surrogatepass"))
        name = name.encode("utf-8", "surrogatepass")[:room].decode("utf-8", "ignore").rstrip(" .") + tag
    if not name or set(name) <= {"_", "."}:
        name = "pair"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    return name + suffix


def _with_folders(pairs: list[Pair]) -> list[Pair]:
    """Each pair with a folder name of its own (case-insensitively: macOS and Windows fold case);
    a name another pair has already gets the pair's line, then a number."""
    used: set[str] = set()
    out = []
    for pair in pairs:
        text = f"{pair.mentor} + {pair.mentee}"
        name = safe_name(text)
        n = 1
        while name.casefold() in used:
            name = safe_name(text, suffix=f" (line {pair.line})" if n == 1 else f" (line {pair.line}, {n})")
            n += 1
        used.add(name.casefold())
        out.append(dataclasses.replace(pair, folder=name))
    return out


def parse_shard(value: str) -> tuple[int, int]:
    """'2/4' -> (2, 4); raise ValueError with the accepted form."""
    m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", value or "")
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        raise ValueError(f"--shard '{value}' — write K/N with 1 <= K <= N, e.g. --shard 1/4")
    return int(m.group(1)), int(m.group(2))


def in_shard(index: int, shard: tuple[int, int] | None) -> bool:
    """Whether the row at index belongs to shard (K, N): every N-th row, from the K-th."""
    return shard is None or index % shard[1] == shard[0] - 1


# ---------------------------------------------------------------- one pair's data


def pair_worksheets(site, pair: Pair) -> list[str]:
    """The worksheet ids of a pair: those its type suggests, or all when it suggests none."""
    suggested = [str(w) for w in site.types[pair.type].worksheets if str(w) in site.worksheets]
    return suggested or list(site.worksheets)


def pair_values(site, pair: Pair, worksheet, t) -> dict[str, str]:
    """The form fields of a pack worksheet and their values for a pair."""

    language = site.config.language
    type_name = site.types[pair.type].name
    data = {"mentor": pair.mentor, "mentee": pair.mentee, "type": type_name}
    values = {
        "pair-mentor": pair.mentor,
        "pair-mentee": pair.mentee,
        "pair-type": type_name,
        "pair-start": format_date(pair.start, language),
    }
    template = site.milestones.get(pair.template) if pair.template else None
    if template is not None:
        values["pair-plan"] = template.title
    for name, value in pair.extra:
        values[f"extra-{slugify(name)}"] = value
    phase_starts = {p.id: p.start for p in site.program.phases}
    roles = {r.id: r.title for r in site.program.roles}

    for f in worksheet.all_fields():
        if f.kind == "line" and f.id in NAME_FIELDS:
            values[f.id] = data[NAME_FIELDS[f.id]]
        if f.kind == "choice" and NAME_FIELDS.get(f.id) == "type":  # tick the pair's type among the options
            names = {pair.type.casefold(), type_name.casefold(), type_name.split()[0].casefold()}
            chosen = [i for i, option in enumerate(f.options) if option.casefold() in names]
            if chosen:
                values[f.id] = RadioChoice(chosen[0])
        if f.kind == "table" and f.rows_template and template is not None:
            for r, m in enumerate(template.milestones, 1):
                for c in f.columns:
                    src = column_source(c)
                    if not src:
                        continue
                    cid = c.id or slugify(c.label)
                    if src == "due":
                        when = resolve(m.due, pair.start, phase_starts)
                        value = format_date(when, language) if when else m.due.relative_label()
                    elif src == "owner":
                        value = roles.get(m.owner or "", "")
                    else:
                        value = getattr(m, src) or ""
                    values[f"{f.id}-{r}-{cid}"] = value
        if f.kind == "table" and f.rows_program:  # one row per item; a phase's dates from the pair's start
            for r, item in enumerate(program_items(site.program, f.rows_program), 1):
                for c in f.columns:
                    src = column_source(c, f)
                    if not src:
                        continue
                    value = item_value(item, src)
                    if isinstance(value, Due):
                        when = resolve(value, pair.start, phase_starts)
                        value = format_date(when, language) if when else value.relative_label()
                    values[f"{f.id}-{r}-{c.id or slugify(c.label)}"] = str(value)
    return values


class RadioChoice(int):
    """The option to select in a radio group (its place among the options: WeasyPrint's export name)."""


def pair_calendar(site, pair: Pair, t) -> bytes | None:
    """The pair's .ics: the program's phases and the pair's milestone dates from its start."""
    tag = "." + (slugify(f"{pair.mentor}-{pair.mentee}") or f"pair-{pair.line}")
    domain = uid_domain(site.config, site.program)
    only = (pair.template,) if pair.template else ()
    schedule = make_schedule(site.program, site.milestones, pair.start, uid_suffix=tag + domain, only=only)
    return calendar_bytes(
        schedule,
        name=f"{site.program.name} · {pair.mentor} + {pair.mentee}",
        description=site.types[pair.type].name,
        roles={r.id: r.title for r in site.program.roles},
        phase_uid_suffix=tag + domain,
        language=site.config.language,
        words=(t("schedule.phase"), t("milestone.milestone")),
        **meeting_words(site.program, t),
    )


# ---------------------------------------------------------------- making the packs


def make_packs(config, roster_path: Path, out: Path, *, shard: tuple[int, int] | None = None,
               jobs: int | None = None, progress=None, shown: Path | None = None) -> PackReport:
    """Write the packs of a roster's pairs (this shard's) into out; bad rows are reported, not fatal."""
    start = time.perf_counter()
    site, _warnings = load(config)
    env = theme_env(config)
    Renderer(site, env)  # the templates' globals and filters
    t = translations_for(config, env)  # a plain object: workers that do not fork get a copy
    roster = read_roster(roster_path, site, shown)
    errors = tuple(e for e, row in zip(roster.errors, roster.error_rows) if in_shard(row, shard))
    mine = [p for p in roster.pairs if in_shard(p.index, shard)]
    # one template PDF per (worksheet, milestone template) that this shard's pairs need
    needed = sorted({(w, p.template if _uses_template(site.worksheets[w]) else "") for p in mine for w in pair_worksheets(site, p)})
    jobs_ = [_template_job(site, env, ws, tpl) for ws, tpl in needed]
    pdfs = list(make_pdfs(jobs_, PdfStore.for_project(config.root), workers=jobs, progress=progress))
    made = {pdf.job.output: pdf.content for pdf in pdfs}
    rendered = sum(not pdf.stored for pdf in pdfs)
    templates = {key: _bytes(made[job.output]) for key, job in zip(needed, jobs_)}
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(p, [(w, p.template if _uses_template(site.worksheets[w]) else "") for w in pair_worksheets(site, p)])
             for p in mine]
    job = _Job(site=site, templates=templates, out=out, t=t)
    _init(job)
    files = 0
    workers = max(1, min(jobs or cpu_count(), len(tasks)))
    if progress is not None:
        progress.start("Packs", len(tasks))
    try:
        if workers == 1:
            results = map(_write_pair, tasks)
            for n in results:
                files += n
                if progress is not None:
                    progress.advance()
        else:
            with ProcessPoolExecutor(max_workers=workers, mp_context=context(), initializer=_init,
                                     initargs=(job,)) as pool:
                for n in pool.map(_write_pair, tasks, chunksize=max(1, min(16, len(tasks) // (workers * 8) or 1))):
                    files += n
                    if progress is not None:
                        progress.advance()
    finally:
        _init(None)
        if progress is not None:
            progress.done(f"{len(tasks)} pair{'s' if len(tasks) != 1 else ''} made")
    index = env.get_template(INDEX_TEMPLATE).render(
        pairs=roster.pairs, extra_columns=roster.extra_columns, worksheets=lambda p: pair_worksheets(site, p),
        shard=shard, errors=len(roster.errors), page=None, item=None)
    _write(out / "index.html", index.encode("utf-8"))
    # what an earlier run wrote for pairs (or worksheets) this roster no longer has: removed, unless
    # the roster has bad rows (a typo must not cost a pair its pack)
    expected = {p.folder: pair_files(site, p) for p in roster.pairs}
    removed = prune(out, expected, remove=not roster.errors)
    return PackReport(len(mine), files + 1, errors, time.perf_counter() - start, rendered, out,
                      removed if not roster.errors else 0, removed if roster.errors else 0)


MANIFEST = ".mentorsite-packs.json"  # in the packs folder: what its runs wrote, so that only that is ever removed
_PACK_FILE = re.compile(r"[^/\\\x00]+\.(?:pdf|ics)")


def pair_files(site, pair: Pair) -> list[str]:
    """The files of a pair's folder (as _write_pair writes them)."""
    return sorted([f"{w}.pdf" for w in pair_worksheets(site, pair)] + ["calendar.ics"])


def prune(out: Path, expected: dict[str, list[str]], *, remove: bool = True) -> int:
    """Remove the files that the last run's manifest lists and expected (folder -> files, the
    whole roster's, whichever shard runs) does not, and the folders they leave empty; then
    record expected as the manifest. Only files a packs run wrote are ever removed: a folder or
    file of the user's, or one of a run from before the manifest, is left alone. With remove
    false, only count them (the manifest is kept)."""
    try:
        old = json.loads((out / MANIFEST).read_text(encoding="utf-8")).get("folders", {})
    except (OSError, ValueError, AttributeError):
        old = {}
    removed = 0
    for folder, names in old.items() if isinstance(old, dict) else ():
        if not isinstance(folder, str) or safe_name(folder) != folder or not isinstance(names, list):
            continue  # not a folder name a run makes: not ours to touch
        keep = set(expected.get(folder, ()))
        for name in names:
            if isinstance(name, str) and name not in keep and _PACK_FILE.fullmatch(name) and ".." not in name:
                try:
                    if remove:
                        (out / folder / name).unlink()
                    elif not (out / folder / name).is_file():
                        continue
                    removed += 1
                except FileNotFoundError:
                    pass
        if folder not in expected and remove:
            try:
                (out / folder).rmdir()  # only when empty: a file of the user's keeps it
            except OSError:
                pass
    if not remove:
        return removed
    _write(out / MANIFEST, json.dumps({"v": 1, "folders": expected}, ensure_ascii=False, indent=0,
                                      sort_keys=True).encode("utf-8"))
    return removed


def _uses_template(ws) -> bool:
    return any(f.kind == "table" and f.rows_template for f in ws.all_fields())


def _template_job(site, env, ws_id: str, template_id: str):
    """The PdfJob of a pack worksheet for one milestone template."""
    ws = site.worksheets[ws_id]
    template = site.milestones.get(template_id) if template_id else None
    try:
        html = env.get_template(PACK_TEMPLATE).render(item=ws, page=None, pack={"template": template})
    except jinja2.TemplateError as e:
        raise template_error(e, site.config.root) from None
    key = key_of(*versions(), PACK_FORMAT, worksheet_data(ws), html)
    return PdfJob(output=f"packs/{ws_id}--{template_id or 'none'}.pdf", html=html, source=ws.source, key=key)


def _bytes(content) -> bytes:
    return content.read_bytes() if isinstance(content, Path) else content


@dataclass
class _Job:
    """What the workers need, set before they fork (or used in this process)."""

    site: object
    templates: dict  # (worksheet id, template id) -> PDF bytes
    out: Path
    t: object  # the theme's words (mentorsite.site.i18n.Translations)
    writers: dict = dataclasses.field(default_factory=dict)  # per process: (ws, tpl) -> (PdfWriter, fields)


_JOB: _Job | None = None


def _init(job: _Job | None) -> None:
    """Give this process (or a worker) its job."""
    global _JOB
    _JOB = job


def _write_pair(task) -> int:
    """Write one pair's folder: its worksheets filled in, and its calendar. Runs in a worker."""
    pair, sheets = task
    job = _JOB
    folder = job.out / pair.folder
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for ws_id, tpl in sheets:
        ws = job.site.worksheets[ws_id]
        values = pair_values(job.site, pair, ws, job.t)
        try:
            data = _fill(job, (ws_id, tpl), values)
        except Exception as e:  # a template PDF that pypdf reads but whose form is not as WeasyPrint writes it
            raise SiteError(Loc(ws.source, 1, 1), f"could not fill {ws_id}.pdf for {pair.mentor} + {pair.mentee}: "
                                                  f"{type(e).__name__}: {e} — delete .mentorsite-cache/pdf/ to make "
                                                  "the worksheet PDFs again; if it stays, check the theme's "
                                                  "templates/pdf/ files") from None
        _write(folder / f"{ws_id}.pdf", data)
        count += 1
    ics = pair_calendar(job.site, pair, job.t)
    if ics is not None:
        _write(folder / "calendar.ics", ics)
        count += 1
    return count


def _fill(job: _Job, key: tuple[str, str], values: dict[str, str]) -> bytes:
    """The template PDF with its fields set to values (pypdf; one writer per template and process)."""
    from pypdf import PdfReader, PdfWriter  # (put off: only packs need pypdf, and it takes time to import)
    from pypdf.generic import BooleanObject, DictionaryObject, NameObject

    if key not in job.writers:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(job.templates[key])))
        form = writer._root_object.get("/AcroForm")
        fields: dict[str, list] = {}  # a radio group may be one field with a widget per option, or a field per option
        if isinstance(form, DictionaryObject):  # else a PDF without a form: nothing to fill
            # viewers draw the values themselves, in a font that has their characters
            form[NameObject("/NeedAppearances")] = BooleanObject(True)
            for ref in form.get("/Fields", []):
                obj = ref.get_object()
                if isinstance(obj, DictionaryObject) and "/T" in obj:
                    fields.setdefault(str(obj["/T"]), []).append(obj)
        job.writers[key] = (writer, fields)
    writer, fields = job.writers[key]
    for name, objs in fields.items():
        for obj in objs:
            _set(obj, values.get(name))
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _set(obj, value) -> None:
    """Set a form field of the template PDF to a pair's value (None: as the template has it)."""
    from pypdf.generic import NameObject, TextStringObject  # pypdf loads only when packs are made

    if isinstance(value, RadioChoice) or ("/Kids" in obj and obj.get("/FT") == "/Btn" and "/V" in obj):
        state = NameObject(f"/{int(value)}") if isinstance(value, RadioChoice) else NameObject("/Off")
        obj[NameObject("/V")] = state
        widgets = [kid.get_object() for kid in obj.get("/Kids", ())] or [obj]  # a field may be its own widget
        for widget in widgets:
            looks = widget.get("/AP", {}).get("/N", {})
            widget[NameObject("/AS")] = state if state in looks else NameObject("/Off")
    elif value is not None:
        obj[NameObject("/V")] = TextStringObject(value)
        obj.pop("/AP", None)
    elif "/V" in obj and obj.get("/FT") == "/Tx":
        del obj["/V"]  # left from the previous pair


def _write(path: Path, data: bytes) -> None:
    """Write a file atomically (a reader never sees half a PDF)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)

