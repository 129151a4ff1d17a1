"""The schedule page in Chromium: week labels never overlap, whatever the cohort's length and the
window's width; today's mark and the sentence under the line name the same week, counted as the
docs count them (week 0 is the first seven days), on a fixed day given through the browser's clock
or through ?today=."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from tests.browser.conftest import BASE_PATH, _PagesHandler

# (the label of each week on the axis, its box, and the box of its week)
LABELS = """() => Array.from(document.querySelectorAll('.tl-tick')).map(t => {
  const text = t.firstElementChild.getBoundingClientRect(), week = t.getBoundingClientRect();
  return {label: t.textContent, left: text.left, right: text.right, top: text.top, bottom: text.bottom,
          weekLeft: week.left, weekRight: week.right};
})"""
TIMELINE = "() => { const r = document.querySelector('.timeline').getBoundingClientRect(); return [r.left, r.right]; }"
TODAY = """() => { const m = document.querySelector('.tl-today');
  return m.hidden ? null : m.getBoundingClientRect().left + 1; }"""  # (the middle of its 2px line)
NOW = "() => { const n = document.querySelector('.tl-now'); return n.hidden ? null : n.textContent; }"


def _serve(folder: Path):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(_PagesHandler, directory=str(folder)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}"


# The line's length: the last phase's end (and a due date before the start, which widens it to the left)
LENGTHS = {
    "one-week": ("week 1", None),
    "three-weeks": ("week 3", None),
    "nine-weeks-and-a-day": ("day 64", None),
    "nine-weeks": ("week 9", None),
    "eight-and-a-half-weeks": ("day 60", None),
    "thirteen-weeks": ("week 13", None),
    "fifteen-weeks": ("week 15", None),
    "twenty-nine-weeks": ("week 29", None),
    "a-year": ("week 53", None),
    "two-and-a-half-years": ("month 30", None),
    "three-years": ("week 156", None),
    "before-the-start": ("week 12", "day -10"),
}


@pytest.fixture(scope="module")
def schedules(tmp_path_factory) -> dict[str, str]:
    """One small handbook per length, built and served: name -> the schedule page's URL."""
    from mentorsite.commands.cli import main

    root = tmp_path_factory.mktemp("schedules")
    for name, (end, early) in LENGTHS.items():
        project = root / name
        (project / "content/milestones").mkdir(parents=True)
        (project / "site.yml").write_text(
            "title: T\nurl: https://example.org/mentoring/\nhandbook_pdfs: false\nsearch: false\n"
            "cohort:\n  start: 2027-01-11\n", encoding="utf-8")
        (project / "content/program.yml").write_text(
            f"name: P\nphases:\n  - {{id: all, name: All of it, start: week 0, end: {end}}}\n", encoding="utf-8")
        if early:
            (project / "content/milestones/m.yml").write_text(
                f"title: M\ngoal: G\nmilestones:\n  - {{title: Read first, due: {early}}}\n", encoding="utf-8")
        out = root / "sites" / name
        assert main(["build", "--config", str(project / "site.yml"), "--output", str(out), "--jobs", "1"]) == 0
    servers, urls = [], {}
    for name in LENGTHS:
        server, url = _serve(root / "sites" / name)
        servers.append(server)
        urls[name] = url + "schedule/"
    yield urls
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("width", [375, 768, 1280, 1920])
def test_week_labels_never_overlap(browser, schedules, width: int):
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        for name, url in schedules.items():
            page.goto(url)
            labels = page.evaluate(LABELS)
            left, right = page.evaluate(TIMELINE)
            assert len(labels) >= 1, name
            assert len(labels) <= 14, name
            for a, b in zip(labels, labels[1:]):
                assert a["right"] <= b["left"], f"{name} at {width}px: week {a['label']} touches week {b['label']}"
            for a in labels:
                middle = (a["left"] + a["right"]) / 2
                assert a["weekLeft"] <= middle <= a["weekRight"], f"{name}: week {a['label']} is outside its week"
                assert left <= a["left"] and a["right"] <= right, f"{name} at {width}px: week {a['label']} is cut off"
            numbers = [int(a["label"]) for a in labels]
            assert numbers == sorted(numbers), name
            if name == "before-the-start":
                assert numbers[:2] == [-1, 0]  # (the three days before week -1 are too few for a label)
    finally:
        context.close()


# the example's cohort starts on Monday 2027-01-11; its last phase ends at week 26 (2027-07-12)
DAYS = [
    ("2027-01-11", 0, "Today is in week 0 of the cohort (Jan 11, 2027 – Jan 17, 2027). Phase: Matching."),
    ("2027-01-24", 1, "Today is in week 1 of the cohort (Jan 18, 2027 – Jan 24, 2027). Phase: Matching."),
    ("2027-01-25", 2, "Today is in week 2 of the cohort (Jan 25, 2027 – Jan 31, 2027). Phase: Matching."),
    ("2027-01-27", 2, "Today is in week 2 of the cohort (Jan 25, 2027 – Jan 31, 2027). Phase: Matching."),
    ("2027-01-31", 2, "Today is in week 2 of the cohort (Jan 25, 2027 – Jan 31, 2027). Phase: Matching."),
    ("2027-02-01", 3, "Today is in week 3 of the cohort (Feb 1, 2027 – Feb 7, 2027). Phase: Kick-off."),
    ("2027-07-11", 25, "Today is in week 25 of the cohort (Jul 5, 2027 – Jul 11, 2027). Phase: Closure and celebration."),
    ("2027-07-12", None, "The cohort has ended."),
    ("2027-01-08", None, "The cohort starts in 3 days."),
]


def _week_box(page, week: int) -> tuple[float, float]:
    """Where week `week` is on the axis: from the tick of a labelled week, counted in weeks."""
    labels = page.evaluate(LABELS)
    known = {int(a["label"]): (a["weekLeft"], a["weekRight"]) for a in labels}
    base = max(n for n in known if n <= week)
    width = known[base][1] - known[base][0]
    return known[base][0] + (week - base) * width, known[base][0] + (week - base + 1) * width


@pytest.mark.parametrize("day, week, text", DAYS, ids=[d for d, _, _ in DAYS])
def test_today_is_in_the_week_the_page_names(browser, served: str, day: str, week, text: str):
    """The browser's clock is set to the day (no ?today=): what a reader sees on that day."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        y, m, d = map(int, day.split("-"))
        page.clock.set_fixed_time(dt.datetime(y, m, d, 10, 30))
        page.goto(served + "schedule/")
        assert page.evaluate(NOW) == text
        marker = page.evaluate(TODAY)
        if week is None:
            assert day != "2027-07-12" or marker is None  # after the end: no mark on the line
            return
        first, after = _week_box(page, week)
        assert first < marker < after, f"today's mark at {marker} is not in week {week} ({first}..{after})"
    finally:
        context.close()


def test_the_day_can_be_given_in_the_address(open_page, served: str):
    page = open_page(served + "schedule/?today=2027-01-27")
    assert page.evaluate(NOW) == "Today is in week 2 of the cohort (Jan 25, 2027 – Jan 31, 2027). Phase: Matching."
    first, after = _week_box(page, 2)
    assert first < page.evaluate(TODAY) < after
    assert page.errors == []
