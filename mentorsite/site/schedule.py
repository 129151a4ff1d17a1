"""The cohort schedule: phases, meetings and every milestone template's due dates on one time line,
shown by the `schedule/` page and written as an iCalendar file by the calendar step
(steps/calendar.py).

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
from dataclasses import dataclass
from urllib.parse import urlsplit

from mentorsite.site.dates import Due, offset_days, resolve
from mentorsite.sources.markdown import slugify
from mentorsite.site.model import Page

SCHEDULE_URL = "schedule/"
_MONTH_DAYS = 365.25 / 12


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
