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
import math
from dataclasses import dataclass
from urllib.parse import urlsplit

from mentorsite.site.dates import Due, LastDay, last_day, offset_days, resolve
from mentorsite.sources.markdown import slugify
from mentorsite.site.model import Page

SCHEDULE_URL = "schedule/"
_MONTH_DAYS = 365.25 / 12


@dataclass(frozen=True, slots=True)
class Band:
    """A phase on the time line: days from the cohort start, and dates when known. Its end
    (end_day, end, end_due) is the first day after it, as program.yml's `end` is."""

    id: str
    name: str
    start_day: float
    end_day: float
    start: dt.date | None
    end: dt.date | None
    start_due: Due
    end_due: Due

    @property
    def last_due(self) -> LastDay:
        """The phase's last day (the day before its end), for display."""
        return last_day(self.end_due)


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
    last_day: float  # the right edge: the day after the last phase (or the last due date)
    phases: tuple[Band, ...]
    meetings: tuple[Mark, ...]
    tracks: tuple[Track, ...]
    every_weeks: int

    @property
    def last_date(self) -> dt.date | None:
        """The cohort's last day: the day before the end of its line (the last phase's `end`);
        None without a cohort start."""
        return self.start + dt.timedelta(days=int(self.last_day) - 1) if self.start else None

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

    def weeks(self) -> list[tuple[int, float, float]]:
        """Every week the line shows, as (its number, its first day, the day after it), cut to the
        line. Week 0 is the cohort's first seven days, as `week 0` is in due dates and phases."""
        out = []
        week = math.floor(self.first_day / 7)
        while week * 7 < self.last_day:
            out.append((week, max(week * 7.0, self.first_day), min(week * 7.0 + 7, self.last_day)))
            week += 1
        return out

    def ticks(self) -> list[tuple[float, float, str]]:
        """Axis labels, (first day, day after, number): a week's number names its seven days, so
        it is drawn in the middle of them (today's mark sits inside the week the page names).
        Thinned to every 2nd, 4th, ... week so that at most 14 show: at the line's narrowest
        (schedule.css), 14 labels of three digits still leave space between them; a week less than
        half on the line gets none."""
        weeks = [w for w in self.weeks() if w[2] - w[1] >= 3.5]
        step = next((s for s in (1, 2, 4, 8, 13, 26, 52, 104, 208) if len(weeks) / s <= 14), 416)
        return [(first, after, str(n)) for n, first, after in weeks if n % step == 0]


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
    ends = [b.end_day for b in bands] or [d + 1 for d in dues]  # (the day after the last)
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


def check_phases(program, start: dt.date | None, problems) -> None:
    """A phase that ends before it starts (or on the day it starts) is an error at its 'end'; a
    gap or an overlap between a phase and the next one is a warning at the next one's 'start'.
    Without a cohort start, points are compared when their order is known without a calendar
    (days and weeks together; months with months; dates with dates)."""
    previous = None
    for p in program.phases:
        first, end = _point(p.start, start), _point(p.end, start)
        if first and end and first[0] == end[0] and end[1] <= first[1]:
            how = "the day it starts, so it has no days" if end[1] == first[1] else f"before it starts at {_written(p.start)}"
            problems.error(p.end.loc or p.loc, f"phase '{p.id}' ends at {_written(p.end)}, {how} — make 'end' later "
                                               "than 'start' ('end' is the first day after the phase)")
        if previous is not None:
            before = _point(previous.end, start)
            if first and before and first[0] == before[0] and first[1] != before[1]:
                apart = _amount(abs(first[1] - before[1]), first[0])
                if first[1] > before[1]:
                    problems.warn(p.start.loc or p.loc,
                                  f"phase '{p.id}' starts at {_written(p.start)}, {apart} after '{previous.id}' ends "
                                  f"({_written(previous.end)}): no phase covers the days between — start it at "
                                  f"{_written(previous.end)} if there should be no gap")
                else:
                    problems.warn(p.start.loc or p.loc,
                                  f"phase '{p.id}' starts at {_written(p.start)}, {apart} before '{previous.id}' ends "
                                  f"({_written(previous.end)}): the two overlap — start it at {_written(previous.end)} "
                                  "('end' is the first day after a phase, where the next one starts)")
        previous = p


def _point(due: Due, start: dt.date | None) -> tuple[str, int] | None:
    """Where a phase boundary stands, comparable with others of the same kind: ('days', n) from
    the cohort start (always, with a start), ('months', n) or ('date', ordinal)."""
    if start is not None:
        try:
            when = resolve(due, start, {})
        except (OverflowError, ValueError):  # off the calendar: reported at the cohort start (dates.far_dates)
            return None
        return ("days", (when - start).days) if when else None
    if due.unit == "date":
        return ("date", due.date.toordinal())
    if due.unit == "month":
        return ("months", due.amount)
    days = offset_days(due, {})
    return ("days", days) if days is not None else None


def _amount(n: int, kind: str) -> str:
    unit = "month" if kind == "months" else "day"
    return f"{n} {unit}{'s' if n != 1 else ''}"


def _written(due: Due) -> str:
    """A due date as it is written in YAML: 'week 3', '2027-03-01'."""
    if due.unit == "date":
        return due.date.isoformat()
    if due.unit == "phase":
        return f"phase:{due.phase}"
    return f"{due.unit} {due.amount}"


def site_schedule(site) -> Schedule:
    """The schedule of a site's cohort."""
    return make_schedule(site.program, site.milestones, site.config.cohort.start, uid_suffix=uid_domain(site.config, site.program))


def uid_domain(config, program) -> str:
    """'.<program slug>.<base path>@<host>': the end of every UID of this handbook's events."""
    parts = urlsplit(config.url) if config.url else None
    host = parts.netloc if parts and parts.netloc else "mentorsite.invalid"
    path = ".".join(slugify(p) for p in config.base_path.strip("/").split("/") if p)
    return f".{slugify(program.name) or 'program'}{'.' + path if path else ''}@{host}"
