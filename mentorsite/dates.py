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


def parse_due(value, loc: Loc | None = None) -> Due:
    """Parse a due value from YAML (a str or a date); raise ValueError with the accepted forms."""
    if isinstance(value, dt.date):
        return Due("date", date=value, loc=loc)
    if isinstance(value, str):
        m = _RELATIVE.match(value)
        if m:
            return Due(_UNITS[m.group(1).lower()], int(m.group(2)), loc=loc)
        m = _PHASE.match(value)
        if m:
            days = 0
            if m.group(2):
                days = int(m.group(2)) * (7 if m.group(3).lower().startswith("week") else 1)
            return Due("phase", days, phase=m.group(1), loc=loc)
        try:
            return Due("date", date=dt.date.fromisoformat(value.strip()), loc=loc)
        except ValueError:
            pass
    raise ValueError(f"'{value}' is not a due date — write {DUE_FORMS}")


def add_months(start: dt.date, months: int) -> dt.date:
    """start plus whole months, clamped to the month's last day (Jan 31 + 1 month = Feb 28)."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return dt.date(year, month, day)


def resolve(due: Due, start: dt.date | None, phase_starts: dict[str, Due]) -> dt.date | None:
    """The calendar date of due for a cohort starting on start (None without a start)."""
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
