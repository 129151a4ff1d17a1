"""The calendar step: the cohort schedule (site/schedule.py) as an iCalendar file,
`schedule.ics` (RFC 5545, with `icalendar`), for a site with a cohort start.

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
from collections.abc import Iterator

from mentorsite import __version__
from mentorsite.deps import Recorder
from mentorsite.runner import Artifact, Made
from mentorsite.site.schedule import SCHEDULE_URL, Schedule, site_schedule, uid_domain
from mentorsite.steps.chrome import translations_for

ICS_OUTPUT = "schedule.ics"


class CalendarStep:
    """schedule.ics, when the cohort has a start date."""

    name, title = "calendar", "Calendar"

    def artifacts(self, run) -> list[Artifact]:
        return [Artifact(ICS_OUTPUT)] if run.site.config.cohort.start else []

    def make(self, todo: list[Artifact], run) -> Iterator[Made]:
        recorder = Recorder()
        recorder.start()
        for key in (("program",), ("config",), ("all", "milestones"), ("i18n",), ("env", "SOURCE_DATE_EPOCH")):
            recorder.add(key)
        files = calendar_files(run.site, translations_for(run.site.config, run.env))
        yield Made(todo[0], files, recorder.stop())


def dtstamp(start: dt.date | None) -> dt.datetime:
    """The DTSTAMP of every event: SOURCE_DATE_EPOCH when set, else the cohort start (midnight UTC)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    day = start or dt.date(1970, 1, 1)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc)


def calendar_bytes(schedule: Schedule, *, name: str, description: str = "", roles: dict[str, str] | None = None,
                   phase_uid_suffix: str = "", language: str = "en", url: str = "",
                   words: tuple[str, str] = ("Phase", "Milestone"), meeting: str = "Meeting",
                   meeting_note: str = "") -> bytes | None:
    """The schedule as an iCalendar file: phases and due dates as all-day events, and the meetings'
    rhythm as one all-day event repeating every `every_weeks` weeks from the cohort start to its
    last day (RRULE), titled meeting and described by meeting_note (None without dates)."""
    if schedule.start is None:
        return None
    import icalendar  # (put off: only a site with a cohort start has a calendar)

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

    def event(uid: str, summary: str, first: dt.date, last: dt.date, text: str = "", category: str = "",
              rrule: dict | None = None) -> None:
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
        if rrule:
            ev.add("rrule", rrule)
        cal.add_component(ev)

    if schedule.meetings and schedule.meetings[0].date is not None:
        # the meeting weeks of the schedule page: every `every_weeks` weeks from the start, up to the
        # cohort's last day (the day before the last phase's end); a pair books the day itself
        first = schedule.meetings[0].date
        last = schedule.start + dt.timedelta(days=int(schedule.last_day) - 1)
        event(f"meetings{phase_uid_suffix}", meeting, first, first + dt.timedelta(days=1), meeting_note,
              rrule={"freq": "weekly", "interval": schedule.every_weeks, "until": last})

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


def meeting_words(program, t) -> dict[str, str]:
    """The meetings' event in the site's language: 'Meeting', 'Every 2 weeks, 60 minutes.'"""
    every = program.meetings.every_weeks
    rhythm = t("home.every_week") if every == 1 else t("home.every_weeks", count=every)
    return {"meeting": t("schedule.legend_meeting"),
            "meeting_note": f"{rhythm}, {t('home.minutes', count=program.meetings.length_minutes)}."}


def calendar_files(site, t) -> dict[str, bytes]:
    """schedule.ics for a site with a cohort start ({} without one)."""
    schedule = site_schedule(site)
    args = dict(
        name=f"{site.program.name}" + (f" · {site.config.cohort.name}" if site.config.cohort.name else ""),
        description=site.program.tagline,
        roles={r.id: r.title for r in site.program.roles},
        phase_uid_suffix=uid_domain(site.config, site.program),
        language=site.config.language,
        url=(site.config.url.rstrip("/") + "/" + SCHEDULE_URL) if site.config.url else "",
        words=(t("schedule.phase"), t("milestone.milestone")),
        **meeting_words(site.program, t),
    )
    data = calendar_bytes(schedule, **args)
    return {ICS_OUTPUT: data} if data is not None else {}


