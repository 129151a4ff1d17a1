"""When a phase ends: program.yml's `end` is the first day after the phase, where the next one
starts ('week 0' to 'week 2' is two weeks). Every output shows the same last day — pages, the
schedule, worksheets (page, PDF, packs) — and the .ics ends its event there (DTEND, exclusive);
`check` reports a phase that ends before it starts, and gaps and overlaps between phases."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
import pypdf
from bs4 import BeautifulSoup

from tests.conftest import MINIMAL

# MINIMAL's phases: Start (week 0 to week 10), Closure (week 10 to week 12)
SITE = "title: T\nurl: https://example.org/handbook/\ncohort:\n  start: 2027-01-11\n"
SHEET = """\
title: Phases
purpose: How each phase went.
sections:
  - title: The phases
    fields:
      - id: phases
        kind: table
        label: Each phase
        rows: from program/phases
        columns:
          - {label: Phase, id: name}
          - {label: Starts, id: start}
          - {label: Ends, id: end}
          - {label: Ends (picker), id: end-day, source: end, kind: date}
"""
FILES = {
    "site.yml": SITE,
    "content/worksheets/phases.yml": SHEET,
    "content/types/peer.yml": "name: Peer\nsummary: Two peers.\nworksheets: [phases]\n",
}


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def phase_events(data: bytes) -> dict[str, tuple[dt.date, dt.date]]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["SUMMARY"]): (e.decoded("DTSTART"), e.decoded("DTEND"))
            for e in cal.walk("VEVENT") if str(e["UID"]).startswith("phase-")}


def test_every_output_shows_a_phases_last_day(make_site, run):
    root = make_site(FILES)
    result = run("build")
    assert result.code == 0, result.err
    site = root / "_site"
    # the home page (and the print edition, which shows the same part)
    for page in ("index.html", "print/index.html"):
        when = [p.get_text(" ", strip=True) for p in soup(site / page).select(".phase-when")]
        assert when == ["Jan 11, 2027 – Mar 21, 2027", "Mar 22, 2027 – Apr 4, 2027"], page
    assert "Jan 11, 2027 to Apr 4, 2027" in soup(site / "print/index.html").select_one(".book-cover").get_text()
    assert [t["datetime"] for t in soup(site / "index.html").select(".phase-when time")] == [
        "2027-01-11", "2027-03-21", "2027-03-22", "2027-04-04"]
    # the schedule: its lede, its table and the bands' titles
    schedule = soup(site / "schedule/index.html")
    assert schedule.select_one(".lede").get_text().startswith("The cohort runs from Jan 11, 2027 to Apr 4, 2027:")
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in schedule.select("#schedule-phases ~ .table-wrap tbody tr")]
    assert rows == [["Start", "Jan 11, 2027", "Mar 21, 2027"], ["Closure", "Mar 22, 2027", "Apr 4, 2027"]]
    assert [b["title"] for b in schedule.select(".tl-band")] == [
        "Start: Jan 11, 2027 – Mar 21, 2027", "Closure: Mar 22, 2027 – Apr 4, 2027"]
    # the worksheet's page: a text column as the site writes dates, a date picker as YYYY-MM-DD
    sheet = soup(site / "worksheets/phases/index.html")
    ends = [sheet.select_one(f'[name="f-phases-phases-{r}-end"]').get_text() for r in (1, 2)]
    assert ends == ["Mar 21, 2027", "Apr 4, 2027"]
    pickers = [sheet.select_one(f'[name="f-phases-phases-{r}-end-day"]') for r in (1, 2)]
    assert [(p["type"], p["value"]) for p in pickers] == [("date", "2027-03-21"), ("date", "2027-04-04")]
    # the worksheet's PDF: given text
    text = pypdf.PdfReader(site / "worksheets/phases.pdf").pages[0].extract_text()
    assert "Mar 21, 2027" in text and "Apr 4, 2027" in text
    assert "Apr 5, 2027" not in text
    # the handbook's PDF
    book = "\n".join(p.extract_text() for p in pypdf.PdfReader(site / "handbook.pdf").pages)
    assert "Jan 11, 2027 – Mar 21, 2027" in " ".join(book.split())
    # the calendar: all-day events whose DTEND is the day after the last (RFC 5545)
    assert phase_events((site / "schedule.ics").read_bytes()) == {
        "Start": (dt.date(2027, 1, 11), dt.date(2027, 3, 22)),
        "Closure": (dt.date(2027, 3, 22), dt.date(2027, 4, 5)),
    }


def test_a_pairs_pack_counts_the_last_day_from_its_start(make_site, run):
    make_site(FILES)
    Path("roster.csv").write_text("mentor,mentee,type,milestones,start\nAna,Ben,peer,,2027-02-01\n", encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.code == 0, result.err
    fields = {k: v.get("/V") for k, v in pypdf.PdfReader("out/Ana + Ben/phases.pdf").get_fields().items()}
    assert [fields["phases-1-start"], fields["phases-1-end"]] == ["Feb 1, 2027", "Apr 11, 2027"]
    assert [fields["phases-2-start"], fields["phases-2-end"]] == ["Apr 12, 2027", "Apr 25, 2027"]
    assert phase_events(Path("out/Ana + Ben/calendar.ics").read_bytes()) == {
        "Start": (dt.date(2027, 2, 1), dt.date(2027, 4, 12)),
        "Closure": (dt.date(2027, 4, 12), dt.date(2027, 4, 26)),
    }
    # the meetings repeat from the pair's start to the pair's last day
    cal = icalendar.Calendar.from_ical(Path("out/Ana + Ben/calendar.ics").read_bytes())
    meetings = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("meetings.")]
    assert [(m.decoded("DTSTART"), m["RRULE"].to_ical()) for m in meetings] == [
        (dt.date(2027, 2, 1), b"FREQ=WEEKLY;UNTIL=20270425;INTERVAL=2")]


def test_without_a_cohort_start_the_last_week_is_named(make_site, run):
    """'week 0' to 'week 10' is weeks 0 to 9: the relative form names the last week, as the
    schedule's week numbers do (week 0 is the first)."""
    root = make_site({**FILES, "site.yml": "title: T\n"})
    assert run("build").code == 0
    when = [p.get_text(" ", strip=True) for p in soup(root / "_site/index.html").select(".phase-when")]
    assert when == ["Week 0 – Week 9", "Week 10 – Week 11"]
    schedule = soup(root / "_site/schedule/index.html")
    rows = [[c.get_text(strip=True) for c in tr.select("th, td")] for tr in schedule.select("#schedule-phases ~ .table-wrap tbody tr")]
    assert rows == [["Start", "Week 0", "Week 9"], ["Closure", "Week 10", "Week 11"]]
    sheet = soup(root / "_site/worksheets/phases/index.html")
    assert sheet.select_one('[name="f-phases-phases-1-end"]').get_text() == "Week 9"
    picker = sheet.select_one('[name="f-phases-phases-1-end-day"]')  # a date picker cannot hold 'Week 1'
    assert (picker["type"], picker["value"]) == ("text", "Week 9")


def _program(phases: str) -> str:
    head = MINIMAL["content/program.yml"].split("phases:")[0]
    return head + "phases:\n" + phases


def test_a_phase_that_ends_before_it_starts_is_an_error(make_site, run):
    make_site({"content/program.yml": _program(
        "  - {id: one, name: One, start: week 3, end: week 2}\n"
        "  - {id: two, name: Two, start: week 3, end: week 3}\n"
        "  - {id: three, name: Three, start: 2027-05-01, end: 2027-04-30}\n")})
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/program.yml:8:46: phase 'one' ends at week 2, before it starts at week 3 — make 'end' later than "
        "'start' ('end' is the first day after the phase)",
        "content/program.yml:9:46: phase 'two' ends at week 3, the day it starts, so it has no days — make 'end' "
        "later than 'start' ('end' is the first day after the phase)",
        "content/program.yml:10:54: phase 'three' ends at 2027-04-30, before it starts at 2027-05-01 — make 'end' "
        "later than 'start' ('end' is the first day after the phase)",
    ]


def test_gaps_and_overlaps_between_phases_are_warnings(make_site, run):
    make_site({"content/program.yml": _program(
        "  - {id: one, name: One, start: week 0, end: week 3}\n"
        "  - {id: two, name: Two, start: week 3, end: week 6}\n"  # right after: no warning
        "  - {id: three, name: Three, start: week 5, end: week 9}\n"
        "  - {id: four, name: Four, start: day 65, end: month 4}\n"  # (months: known only with a start)
        "  - {id: five, name: Five, start: month 5, end: month 6}\n")})
    result = run("check")
    assert result.code == 0
    assert result.errors == [
        "content/program.yml:10:37: warning: phase 'three' starts at week 5, 7 days before 'two' ends (week 6): the two "
        "overlap — start it at week 6 ('end' is the first day after a phase, where the next one starts)",
        "content/program.yml:11:35: warning: phase 'four' starts at day 65, 2 days after 'three' ends (week 9): no phase "
        "covers the days between — start it at week 9 if there should be no gap",
        "content/program.yml:12:35: warning: phase 'five' starts at month 5, 1 month after 'four' ends (month 4): no "
        "phase covers the days between — start it at month 4 if there should be no gap",
    ]
    assert run("check", "--strict").code == 1
    # with a cohort start every boundary is a date: months and weeks compare exactly
    make_site({"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n", "content/program.yml": _program(
        "  - {id: one, name: One, start: week 0, end: month 1}\n"
        "  - {id: two, name: Two, start: week 4, end: week 8}\n")})
    result = run("check")
    assert result.errors == [
        "content/program.yml:9:33: warning: phase 'two' starts at week 4, 3 days before 'one' ends (month 1): the two "
        "overlap — start it at month 1 ('end' is the first day after a phase, where the next one starts)",
    ]


def test_the_example_handbooks_phases_follow_each_other(run, monkeypatch):
    from tests.conftest import REPO

    monkeypatch.chdir(REPO)
    result = run("check")
    assert result.code == 0
    assert not [e for e in result.errors if "phase" in e]
