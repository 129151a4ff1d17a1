"""The cohort schedule: phases, meetings and every milestone template's due dates on one time line,
as the `schedule/` page and as an iCalendar file (`schedule.ics`, RFC 5545, with `icalendar`).

Days are counted from the cohort start (day 0). With `cohort.start` every point has a calendar
date; without it, months are placed at their average length (30.4 days) and shown as 'Month 2',
and no .ics is written: a calendar needs dates (the page says how to get one).

Event UIDs are made from ids, never from dates, so that importing the file again after a due
date moved updates the event instead of adding a second one: `phase-<id>` and
`milestone-<template id>-<n>` (n counts from 1 in the template's order), then the program's
slug, '@' and the site's host and base path. DTSTAMP is SOURCE_DATE_EPOCH when set, else the
cohort's first day at midnight UTC: the file's bytes depend only on the handbook.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from mentorsite.dates import Due, offset_days, resolve
from mentorsite.markdown import slugify
from mentorsite.model import Page

SCHEDULE_URL = "schedule/"
ICS_OUTPUT = "schedule.ics"
_MONTH_DAYS = 365.25 / 12
_FORMAT = 2  # how the calendar is written: a change makes the one kept in the build cache stale


@dataclass(frozen=True, slots=True)
class Band:
    """A phase on the time line: days from the cohort start, and dates when known."""

    id: str
    name: str
    start_day: float
    end_day: float
    start: dt.date | None
    end: dt.date | None
    start_due: Due
    end_due: Due


@dataclass(frozen=True, slots=True)
class Mark:
    """A point on the time line: a meeting or a milestone's due date."""

    day: float | None  # None: an absolute date that cannot be placed without a cohort start
    date: dt.date | None
    title: str
    due: Due | None = None
    owner: str = ""  # a role id
    uid: str = ""


@dataclass(frozen=True, slots=True)
class Track:
    """One milestone template's due dates."""

    id: str
    title: str
    marks: tuple[Mark, ...]


@dataclass(frozen=True, slots=True)
class Schedule:
    """Everything the schedule page and the calendar show."""

    start: dt.date | None
    first_day: float  # the left edge of the time line (0 unless something comes before the start)
    last_day: float  # the right edge
    phases: tuple[Band, ...]
    meetings: tuple[Mark, ...]
    tracks: tuple[Track, ...]
    every_weeks: int

    @property
    def days(self) -> float:
        """The length of the time line in days (at least one)."""
        return max(self.last_day - self.first_day, 1.0)

    def percent(self, day: float) -> float:
        """Where a day sits on the time line, from 0 to 100 (a day after the end: 100)."""
        return round(100 * (min(day, self.last_day) - self.first_day) / self.days, 3)

    def later(self, day: float) -> bool:
        """Whether a day is after the end of the time line (drawn at its right edge)."""
        return day > self.last_day

    def ticks(self) -> list[tuple[float, str]]:
        """Axis labels: every week number, thinned out so that at most about 14 are shown."""
        weeks = int(self.last_day // 7) + 1
        step = next(s for s in (1, 2, 4, 8, 13, 26, 52, 104) if weeks / s <= 14)
        first = int(-(-self.first_day // 7))
        return [(w * 7, str(w)) for w in range(first, weeks + 1) if w % step == 0 and w * 7 >= self.first_day]


def schedule_page() -> Page:
    """The schedule page of the site (in the top menu as 'Schedule')."""
    return Page(url=SCHEDULE_URL, title="Schedule", kind="schedule", group="", template="schedule.html")


def day_of(due: Due, start: dt.date | None, phase_starts: dict[str, Due]) -> float | None:
    """Days from the cohort start to a due date; months count 30.4 days without a start."""
    if start is not None:
        when = resolve(due, start, phase_starts)
        return None if when is None else float((when - start).days)
    if due.unit == "month":
        return round(due.amount * _MONTH_DAYS, 1)
    if due.unit == "phase":
        base = phase_starts.get(due.phase)
        if base is None or base.unit == "phase":
            return None
        day = day_of(base, None, phase_starts)
        return None if day is None else day + due.amount
    days = offset_days(due, phase_starts)
    return None if days is None else float(days)


def make_schedule(program, milestones: dict, start: dt.date | None, uid_suffix: str = "",
                  only: tuple[str, ...] | None = None) -> Schedule:
    """The time line of a program for a cohort starting on start (None: relative weeks).

    only: the milestone template ids to show (None: every template, in the site's order)."""
    phase_starts = {p.id: p.start for p in program.phases}

    def when(due: Due) -> tuple[float | None, dt.date | None]:
        return day_of(due, start, phase_starts), resolve(due, start, phase_starts)

    bands = []
    for p in program.phases:
        (s, sd), (e, ed) = when(p.start), when(p.end)
        if s is None or e is None:
            continue
        bands.append(Band(p.id, p.name, s, max(e, s), sd, ed, p.start, p.end))
    tracks = []
    for ident in (only if only is not None else tuple(milestones)):
        template = milestones[ident]
        marks = []
        for n, m in enumerate(template.milestones, 1):
            day, date = when(m.due)
            marks.append(Mark(day, date, m.title, m.due, m.owner or "", f"milestone-{ident}-{n}{uid_suffix}"))
        tracks.append(Track(ident, template.title, tuple(marks)))
    # The line spans the program (its phases); due dates after it sit at its right edge, marked
    # as later (a two-year plan must not squeeze six months of phases into a corner).
    dues = [m.day for t in tracks for m in t.marks if m.day is not None]
    ends = [b.end_day for b in bands] or dues
    first = min([0.0, *(b.start_day for b in bands), *dues])
    last = max([7.0, *ends])
    every = program.meetings.every_weeks
    meetings = []
    week = 0
    while week * 7 < last:
        date = start + dt.timedelta(weeks=week) if start else None
        meetings.append(Mark(float(week * 7), date, ""))
        week += every
    return Schedule(start, first, last, tuple(bands), tuple(meetings), tuple(tracks), every)


def site_schedule(site) -> Schedule:
    """The schedule of a site's cohort."""
    return make_schedule(site.program, site.milestones, site.config.cohort.start, uid_suffix=uid_domain(site.config, site.program))


def uid_domain(config, program) -> str:
    """'.<program slug>.<base path>@<host>': the end of every UID of this handbook's events."""
    parts = urlsplit(config.url) if config.url else None
    host = parts.netloc if parts and parts.netloc else "mentorsite.invalid"
    path = ".".join(slugify(p) for p in config.base_path.strip("/").split("/") if p)
    return f".{slugify(program.name) or 'program'}{'.' + path if path else ''}@{host}"


def dtstamp(start: dt.date | None) -> dt.datetime:
    """The DTSTAMP of every event: SOURCE_DATE_EPOCH when set, else the cohort start (midnight UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    day = start or dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def calendar_bytes(schedule: Schedule, *, name: str, description: str = "", roles: dict[str, str] | None = None,
                   phase_uid_suffix: str = "", language: str = "en", url: str = "",
                   words: tuple[str, str] = ("Phase", "Milestone")) -> bytes | None:
    """The schedule as an iCalendar file: phases and due dates as all-day events (None without dates)."""
    if schedule.start is None:
        return None
    import icalendar

    from mentorsite import __version__

    roles = roles or {}
    stamp = dtstamp(schedule.start)
    cal = icalendar.Calendar()
    cal.add("prodid", f"-//mentorsite//mentorsite {__version__}//{language.upper()}")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    # (X- properties have no type of their own in icalendar: as text, they are escaped like the others)
    cal.add("x-wr-calname", icalendar.vText(one_line(name)))
    if description:
        cal.add("x-wr-caldesc", icalendar.vText(_printable(description)))

    def event(uid: str, summary: str, first: dt.date, last: dt.date, text: str = "", category: str = "") -> None:
        ev = icalendar.Event()
        ev.add("uid", uid)
        ev.add("dtstamp", stamp)
        ev.add("summary", one_line(summary))
        ev.add("dtstart", first)
        ev.add("dtend", max(last, first + dt.timedelta(days=1)))  # all day: DTEND is the day after
        ev.add("transp", "TRANSPARENT")  # a due date does not make anyone busy
        if text:
            ev.add("description", _printable(text))
        if category:
            ev.add("categories", [category])
        if url:
            ev.add("url", url)
        cal.add_component(ev)

    for band in schedule.phases:
        if band.start is None or band.end is None:
            continue
        event(f"phase-{band.id}{phase_uid_suffix}", band.name, band.start, band.end, category=words[0])
    for track in schedule.tracks:
        for m in track.marks:
            if m.date is None:
                continue
            owner = roles.get(m.owner, "")
            text = track.title + (f" · {owner}" if owner else "")
            event(m.uid, m.title, m.date, m.date + dt.timedelta(days=1), text, words[1])
    return cal.to_ical()


def one_line(text: str) -> str:
    """A name as a calendar shows it: on one line (a line break, or a lone carriage return, in a
    name becomes a space), without control characters."""
    return " ".join(_printable(text).split())


def _printable(text: str) -> str:
    """Text without the control characters RFC 5545 leaves out of TEXT values (line breaks stay:
    icalendar escapes them)."""
    return _CONTROL.sub("", str(text))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def calendar_files(site, env, memo: dict | None = None) -> dict[str, bytes]:
    """schedule.ics for a site with a cohort start ({} without one). memo (the build cache's)
    keeps the last calendar and a digest of everything it was made from."""
    from mentorsite import __version__
    from mentorsite.chrome import translations_for
    from mentorsite.deps import digest

    t = translations_for(site.config, env)
    schedule = site_schedule(site)
    args = dict(
        name=f"{site.program.name}" + (f" · {site.config.cohort.name}" if site.config.cohort.name else ""),
        description=site.program.tagline,
        roles={r.id: r.title for r in site.program.roles},
        phase_uid_suffix=uid_domain(site.config, site.program),
        language=site.config.language,
        url=(site.config.url.rstrip("/") + "/" + SCHEDULE_URL) if site.config.url else "",
        words=(t("schedule.phase"), t("milestone.milestone")),
    )
    key = digest(__version__, _FORMAT, schedule, sorted(args.items()), dtstamp(schedule.start)) if memo is not None else None
    if memo is not None and memo.get("key") == key:
        data = memo["data"]
    else:
        data = calendar_bytes(schedule, **args)
        if memo is not None:
            memo.update(key=key, data=data)
    return {ICS_OUTPUT: data} if data is not None else {}


def schedule_context(renderer, page: Page) -> dict:
    """What templates/schedule.html sees: the schedule, the calendar's link, the page's title in the site's language."""
    import dataclasses

    site = renderer.site
    renderer.rec.add(("all", "milestones"))  # every template's due dates; program and config are recorded already
    schedule = site_schedule(site)
    start = schedule.start
    return {
        "page": dataclasses.replace(page, title=renderer.t("schedule.title")),
        "schedule": schedule,
        "end_date": start + dt.timedelta(days=int(schedule.last_day)) if start else None,
        "ics_url": renderer.url(ICS_OUTPUT) if start else "",
    }
