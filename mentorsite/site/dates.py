"""Relative due dates (`week 4`, `month 2`, `day 10`, `phase:closure`) and absolute dates."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, field

from mentorsite.errors import Loc, fast_pickle

_UNITS = {"day": "day", "days": "day", "week": "week", "weeks": "week", "month": "month", "months": "month"}
_RELATIVE = re.compile(r"^\s*(day|days|week|weeks|month|months)\s+(-?\d+)\s*$", re.IGNORECASE)
_PHASE = re.compile(r"^\s*phase\s*:\s*([A-Za-z0-9_-]+)\s*(?:\+\s*(\d+)\s*(days?|weeks?)\s*)?$", re.IGNORECASE)

# what a due date may be, for the JSON Schemas of the YAML files (each matched ignoring case)
DUE_PATTERNS = (_RELATIVE.pattern, _PHASE.pattern, r"^\s*\d{4}-\d{2}-\d{2}\s*$")
DUE_FORMS = "'week 4', 'month 2', 'day 10', 'phase:<id>' or a date such as 2027-03-01"
# A due date is at most 100 years from what it counts from; every date mentorsite works out lies
# between these two, a week inside the calendar's (a schedule reaches a week past its dates, and a
# calendar event ends the day after).
_MOST = {"day": 36_525, "week": 5_218, "month": 1_200}
FIRST_DAY, LAST_DAY = dt.date(1, 1, 8), dt.date(9999, 12, 24)


@fast_pickle
@dataclass(frozen=True, slots=True)
class Due:
    """A point in the cohort's time: an offset from the cohort start, a phase start, or a date."""

    unit: str  # "day" | "week" | "month" | "phase" | "date"
    amount: int = 0
    phase: str = ""
    date: dt.date | None = None
    loc: Loc | None = field(default=None, compare=False)

    def relative_label(self) -> str:
        """The due date as people say it, without a calendar: 'Week 4', 'Start of phase closure'."""
        if self.unit == "date":
            return self.date.isoformat()
        if self.unit == "phase":
            if not self.amount:
                extra = ""
            elif self.amount % 7 == 0:
                weeks = self.amount // 7
                extra = f" + {weeks} week{'s' if weeks != 1 else ''}"
            else:
                extra = f" + {self.amount} day{'s' if self.amount != 1 else ''}"
            return f"Start of phase '{self.phase}'{extra}"
        return f"{self.unit.capitalize()} {self.amount}"

    def sort_key(self) -> tuple:
        """An approximate order in days, for sorting relative dates without a calendar."""
        days = {"day": 1, "week": 7, "month": 30}.get(self.unit, 0) * self.amount
        return (self.unit == "date", self.date or dt.date.min, days)


@dataclass(frozen=True, slots=True)
class LastDay(Due):
    """The day before a point in time: the last day of a phase whose `end` is that point (a
    phase runs from its start up to its end, not including it: 'week 0' to 'week 3' is three
    weeks, and the next phase starts on 'week 3'). Resolves to the day before; without a
    calendar it names the unit before ('Week 2' for 'week 3': weeks are counted from week 0)."""

    def point(self) -> Due:
        """The point this is the day before (the phase's `end` as written)."""
        return Due(self.unit, self.amount, self.phase, self.date, self.loc)

    def unit_before(self) -> Due:
        """The day, week or month that ends on this day, as a due date: 'week 3' -> 'week 2'."""
        if self.unit == "date":
            return Due("date", date=self.date - dt.timedelta(days=1), loc=self.loc)
        if self.unit == "phase":
            return Due("phase", self.amount - 1, self.phase, loc=self.loc)
        return Due(self.unit, self.amount - 1, loc=self.loc)

    def relative_label(self) -> str:
        """As Due.relative_label, for the unit that ends on this day ('Week 2' for 'week 3')."""
        return self.unit_before().relative_label()


def last_day(end: Due) -> LastDay:
    """The last day of a phase that ends at end (the day before it)."""
    return LastDay(end.unit, end.amount, end.phase, end.date, end.loc)


def parse_due(value, loc: Loc | None = None) -> Due:
    """Parse a due value from YAML (a str or a date); raise ValueError with the accepted forms."""
    if isinstance(value, dt.date):
        return Due("date", date=value, loc=loc)
    if isinstance(value, str):
        m = _RELATIVE.match(value)
        if m:
            unit = _UNITS[m.group(1).lower()]
            if len(m.group(2)) > 9 or abs(int(m.group(2))) > _MOST[unit]:
                raise ValueError(f"'{_short(value)}' is more than 100 years from the cohort start — write a due date "
                                 f"within 100 years ({_MOST['day']} days, {_MOST['week']} weeks, {_MOST['month']} months)")
            return Due(unit, int(m.group(2)), loc=loc)
        m = _PHASE.match(value)
        if m:
            days = 0
            if m.group(2):
                unit = "week" if m.group(3).lower().startswith("week") else "day"
                if len(m.group(2)) > 9 or int(m.group(2)) > _MOST[unit]:
                    raise ValueError(f"'{_short(value)}' is more than 100 years after the phase's start — write at "
                                     f"most {_MOST['day']} days or {_MOST['week']} weeks")
                days = int(m.group(2)) * (7 if unit == "week" else 1)
            return Due("phase", days, phase=m.group(1), loc=loc)
        try:
            return Due("date", date=dt.date.fromisoformat(value.strip()), loc=loc)
        except ValueError:
            problem = missing_date(value)
            if problem:
                raise ValueError(problem) from None
    raise ValueError(f"'{value}' is not a due date — write {DUE_FORMS}")


_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # (the messages are English; not the locale's names)
_DATE_SHAPE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")


def missing_date(text: str) -> str | None:
    """Why text, written as a date (YYYY-MM-DD), is not a day of the calendar: "'2027-02-30' does
    not exist — February 2027 has 28 days"; None when it is a real date or not written as one."""
    m = _DATE_SHAPE.match(str(text))
    if m is None:
        return None
    year, month, day = (int(g) for g in m.groups())
    shown = m.group(0).strip()
    if not 1 <= month <= 12:
        return f"'{shown}' does not exist — a year has months 01 to 12: correct the month"
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        return f"'{shown}' does not exist — {_MONTHS[month - 1]} {year} has {days} days: correct the day"
    return None
def _short(value: str) -> str:
    value = value.strip()
    return value if len(value) <= 40 else value[:39] + "…"


def add_months(start: dt.date, months: int) -> dt.date:
    """start plus whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def resolve(due: Due, start: dt.date | None, phase_starts: dict[str, Due]) -> dt.date | None:
    """The calendar date of due for a cohort starting on start (None without a start)."""
    if isinstance(due, LastDay):
        when = resolve(due.point(), start, phase_starts)
        return when - dt.timedelta(days=1) if when else None
    if due.unit == "date":
        return due.date
    if start is None:
        return None
    if due.unit == "day":
        return start + dt.timedelta(days=due.amount)
    if due.unit == "week":
        return start + dt.timedelta(weeks=due.amount)
    if due.unit == "month":
        return add_months(start, due.amount)
    base = phase_starts.get(due.phase)
    if base is None or base.unit == "phase":
        return None
    when = resolve(base, start, phase_starts)
    return when + dt.timedelta(days=due.amount) if when else None


def offset_days(due: Due, phase_starts: dict[str, Due]) -> int | None:
    """Days from the cohort start, when it can be known without a calendar (not for months)."""
    if due.unit == "day":
        return due.amount
    if due.unit == "week":
        return 7 * due.amount
    if due.unit == "phase":
        base = phase_starts.get(due.phase)
        if base is None or base.unit == "phase":
            return None
        days = offset_days(base, phase_starts)
        return None if days is None else days + due.amount
    return None


def out_of_range(start: dt.date, dues, phase_starts: dict[str, Due]) -> Due | None:
    """The first of dues that, counted from start, falls outside FIRST_DAY..LAST_DAY (None: all fit)."""
    for due in dues:
        try:
            when = resolve(due, start, phase_starts)
        except (OverflowError, ValueError):  # (months: a year before 1 or after 9999)
            return due
        if when is not None and not FIRST_DAY <= when <= LAST_DAY:
            return due
    return None


def far_start(start: dt.date, dues, phase_starts: dict[str, Due], what: str) -> str | None:
    """Why a start date (the cohort's, or a pair's: what) leaves a due date off the calendar, or None."""
    if not FIRST_DAY <= start <= LAST_DAY:
        return f"{what} {start.isoformat()} is {_beyond(start)} — check the year"
    due = out_of_range(start, [d for d in dues if d.unit != "date"], phase_starts)
    if due is None:
        return None
    label = due.relative_label()
    label = label[0].lower() + label[1:]
    try:
        when = resolve(due, start, phase_starts)
    except (OverflowError, ValueError):  # (past the calendar's end, or before its beginning)
        when = dt.date.max if start.year > 5000 else dt.date.min
    where = f" ({due.loc})" if due.loc else ""
    return f"from {what} {start.isoformat()}, {label}{where} falls {_beyond(when)} — check the year"


def _beyond(when: dt.date) -> str:
    if when > LAST_DAY:
        return f"past the last date mentorsite can schedule ({LAST_DAY.isoformat()})"
    return f"before the first date mentorsite can schedule ({FIRST_DAY.isoformat()})"


def far_dates(cohort, program, milestones: dict, problems, default_loc=None) -> None:
    """Record every due date written as a date outside FIRST_DAY..LAST_DAY at its place, and a
    cohort start that puts a relative due date there at the start's place in site.yml."""
    dues = due_dates(program, milestones)
    for due in dues:
        if due.unit == "date" and not FIRST_DAY <= due.date <= LAST_DAY:
            problems.error(due.loc, f"the date {due.date.isoformat()} is {_beyond(due.date)} — check the year")
    if cohort.start is not None:
        why = far_start(cohort.start, dues, {p.id: p.start for p in program.phases}, "the cohort start")
        if why:
            problems.error(cohort.key_locs.get("start", default_loc), why)


def due_dates(program, milestones: dict) -> list[Due]:
    """Every due date of a handbook: its phases' starts and ends, then its milestones'."""
    return ([due for p in program.phases for due in (p.start, p.end)]
            + [m.due for template in milestones.values() for m in template.milestones])
