"""The cohort schedule: the schedule/ page and schedule.ics, read back with icalendar."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from bs4 import BeautifulSoup

from mentorsite.build import build
from mentorsite.sources.config import load_config

START = dt.date(2027, 1, 11)
TEMPLATE = """\
title: Public speaking
goal: Give three talks.
milestones:
  - title: First talk
    due: week 4
    owner: mentee
  - title: A webinar
    due: month 2
  - title: Wrap up
    due: phase:closure + 1 week
  - title: On a fixed day
    due: 2027-05-03
"""
SITE = "title: T\nurl: https://example.org/handbook/\ncohort:\n  start: 2027-01-11\n"


def _events(path):
    cal = icalendar.Calendar.from_ical(path.read_bytes())
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def _day(event, key):
    return event.decoded(key)


@pytest.fixture
def site(make_site):
    return make_site({"site.yml": SITE, "content/milestones/speaking.yml": TEMPLATE})


def test_ics_events_are_all_day_at_the_cohort_dates(site):
    build(load_config(site / "site.yml"))
    cal = icalendar.Calendar.from_ical((site / "_site/schedule.ics").read_bytes())
    assert str(cal["PRODID"]).startswith("-//mentorsite//")
    assert str(cal["VERSION"]) == "2.0"
    events = _events(site / "_site/schedule.ics")
    suffix = ".test-program.handbook@example.org"
    assert sorted(events) == sorted(
        [f"phase-start{suffix}", f"phase-closure{suffix}", f"meetings{suffix}"]
        + [f"milestone-speaking-{n}{suffix}" for n in (1, 2, 3, 4)]
    )
    # phases: week 0 to week 10, week 10 to week 12; DTEND is exclusive
    start = events[f"phase-start{suffix}"]
    assert (_day(start, "DTSTART"), _day(start, "DTEND")) == (START, START + dt.timedelta(weeks=10))
    closure = events[f"phase-closure{suffix}"]
    assert _day(closure, "DTSTART") == START + dt.timedelta(weeks=10)
    expected = {
        1: START + dt.timedelta(weeks=4),
        2: dt.date(2027, 3, 11),  # month 2
        3: START + dt.timedelta(weeks=10, days=7),  # phase:closure + 1 week
        4: dt.date(2027, 5, 3),
    }
    for n, day in expected.items():
        event = events[f"milestone-speaking-{n}{suffix}"]
        assert _day(event, "DTSTART") == day
        assert isinstance(_day(event, "DTSTART"), dt.date) and not isinstance(_day(event, "DTSTART"), dt.datetime)
        assert _day(event, "DTEND") == day + dt.timedelta(days=1)
    assert str(events[f"milestone-speaking-1{suffix}"]["SUMMARY"]) == "First talk"
    assert _day(events[f"milestone-speaking-1{suffix}"], "DTSTAMP") == dt.datetime(2027, 1, 11, tzinfo=dt.timezone.utc)


def test_uids_stay_when_dates_move_and_bytes_are_reproducible(site, monkeypatch):
    config = load_config(site / "site.yml")
    build(config)
    first = (site / "_site/schedule.ics").read_bytes()
    build(config, cache=False)
    assert (site / "_site/schedule.ics").read_bytes() == first
    (site / "content/milestones/speaking.yml").write_text(TEMPLATE.replace("week 4", "week 5"))
    build(config)
    moved = _events(site / "_site/schedule.ics")
    assert sorted(moved) == sorted(_events_from(first))
    uid = "milestone-speaking-1.test-program.handbook@example.org"
    assert _day(moved[uid], "DTSTART") == START + dt.timedelta(weeks=5)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    build(config)
    stamped = _events(site / "_site/schedule.ics")
    assert _day(stamped[uid], "DTSTAMP") == dt.datetime.fromtimestamp(1700000000, dt.timezone.utc)


def _events_from(data: bytes):
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(data).walk("VEVENT")}


def test_without_a_cohort_start_no_calendar_and_relative_weeks(make_site):
    root = make_site({"content/milestones/speaking.yml": TEMPLATE})
    build(load_config(root / "site.yml"))
    assert not (root / "_site/schedule.ics").exists()
    soup = BeautifulSoup((root / "_site/schedule/index.html").read_text(), "html.parser")
    assert soup.select_one(".timeline[data-start]") is None
    assert "cohort: start:" in soup.select_one("main .note").get_text()
    dues = [td.get_text(strip=True) for td in soup.select("#schedule-speaking + .table-wrap tbody td.nowrap")]
    assert dues == ["Week 4", "Month 2", "Start of phase 'closure' + 1 week", "May 3, 2027"]


def test_schedule_page_in_the_menu_with_phases_meetings_and_due_dates(site):
    build(load_config(site / "site.yml"))
    soup = BeautifulSoup((site / "_site/schedule/index.html").read_text(), "html.parser")
    menu = {a.get_text(strip=True): a["href"] for a in soup.select(".top-nav a")}
    assert menu["Schedule"] == "/handbook/schedule/"
    assert soup.select_one(".top-nav a[href='/handbook/schedule/']")["aria-current"] == "page"
    assert soup.title.get_text() == "Schedule · T"
    assert [b.get_text(strip=True) for b in soup.select(".tl-band")] == ["Start", "Closure"]
    # every two weeks (the default rhythm) over the twelve weeks of the program
    assert len(soup.select(".tl-dot.tl-meeting")) == 6
    assert len(soup.select(".tl-dot.tl-due")) == 4
    assert soup.select_one(".timeline")["data-start"] == "2027-01-11"
    assert soup.select_one("a[href='/handbook/schedule.ics']") is not None
    dues = [td.get_text(strip=True) for td in soup.select("#schedule-speaking + .table-wrap tbody td.nowrap")]
    assert dues == ["Feb 8, 2027", "Mar 11, 2027", "Mar 29, 2027", "May 3, 2027"]
    home = BeautifulSoup((site / "_site/index.html").read_text(), "html.parser")
    assert home.select_one(".top-nav a[href='/handbook/schedule/']") is not None


def test_schedule_can_leave_the_menu(make_site):
    root = make_site({"site.yml": SITE + "nav: [guides, worksheets]\n"})
    build(load_config(root / "site.yml"))
    soup = BeautifulSoup((root / "_site/schedule/index.html").read_text(), "html.parser")
    assert soup.select_one(".top-nav a[href='/handbook/schedule/']") is None


def test_the_meeting_rhythm_is_a_repeating_event_within_the_cohort(site):
    """One all-day event on the cohort's first day, repeating every `every_weeks` weeks up to the
    cohort's last day: a calendar app shows the meeting weeks the schedule page lists."""
    from dateutil.rrule import rrulestr

    (site / "content/program.yml").write_text(
        (site / "content/program.yml").read_text() + "meetings:\n  every_weeks: 3\n  length_minutes: 45\n")
    build(load_config(site / "site.yml"))
    events = _events(site / "_site/schedule.ics")
    meeting = events["meetings.test-program.handbook@example.org"]
    assert str(meeting["SUMMARY"]) == "Meeting"
    assert str(meeting["DESCRIPTION"]) == "Every 3 weeks, 45 minutes."
    assert (_day(meeting, "DTSTART"), _day(meeting, "DTEND")) == (START, START + dt.timedelta(days=1))
    assert meeting["RRULE"].to_ical() == b"FREQ=WEEKLY;UNTIL=20270404;INTERVAL=3"
    days = [d.date() for d in rrulestr(meeting["RRULE"].to_ical().decode(), dtstart=dt.datetime(2027, 1, 11))]
    assert days == [START + dt.timedelta(weeks=w) for w in (0, 3, 6, 9)]  # (week 12, Apr 5, is after the cohort)
    page = BeautifulSoup((site / "_site/schedule/index.html").read_text(), "html.parser")
    assert "4 meeting weeks, from Jan 11, 2027 to Mar 15, 2027." in page.select_one("#schedule-meetings + p").get_text()
