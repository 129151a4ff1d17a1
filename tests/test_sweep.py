"""What issue 21's sweep found: tracebacks, a hang and unlocated messages, each now a located
one-line error (or a repair, for the caches), with its exact text, through the command line."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO

GUIDE = "---\ntitle: A\n---\nHello.\n"


def cli(root, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """`mentorsite ARGS` in its own process (a hang fails the test instead of stopping it)."""
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "mentorsite", *args], cwd=root, env=env, capture_output=True,
                          text=True, timeout=timeout)


# ---------------------------------------------------------------- files that are not files


@pytest.mark.parametrize("command", ["check", "build"])
def test_a_link_to_nothing_is_named(make_site, run, command):
    root = make_site({"content/guides/a.md": GUIDE})
    (root / "content/guides/b.md").symlink_to("nowhere.md")
    result = run(command)
    assert result.code == 1
    assert result.errors == ["content/guides/b.md:1:1: this is a link to nowhere.md, which does not exist — "
                             "fix the link or remove it"]
    assert not (root / "_site").exists()


@pytest.mark.parametrize("command", ["check", "build"])
def test_two_links_in_a_loop_are_named(make_site, run, command):
    root = make_site({"content/guides/a.md": GUIDE})
    (root / "content/guides/b.md").symlink_to("c.md")
    (root / "content/guides/c.md").symlink_to("b.md")
    result = run(command)
    assert result.code == 1
    assert result.errors == ["content/guides/b.md:1:1: this is a link that leads round in a circle — "
                             "fix the link or remove it"]


@pytest.mark.parametrize("where", ["content/guides/f.md", "content/index.md", "content/types/peer.yml",
                                   "content/assets/photo.png"])
def test_a_named_pipe_is_refused_without_waiting(make_site, where):
    """A FIFO would block the read for ever: check and build name it instead, at once."""
    root = make_site({"content/guides/a.md": GUIDE})
    (root / where).parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(root / where)
    for command in ("check", "build"):
        result = cli(root, command, timeout=180)
        assert result.returncode == 1, result.stderr
        assert result.stderr.splitlines()[0] == (
            f"{where}:1:1: this is a named pipe (FIFO), not a file — only regular files are read: replace it with "
            "a file, or move it out of the content folder")
        assert "Traceback" not in result.stderr
    assert not (root / "_site").exists()


@pytest.mark.parametrize("kind", ["missing", "loop"])
def test_a_broken_link_among_the_assets_is_named(make_site, run, kind):
    root = make_site({"content/guides/a.md": GUIDE})
    (root / "content/assets").mkdir()
    if kind == "missing":
        (root / "content/assets/logo.png").symlink_to("gone.png")
        why = "a link to gone.png, which does not exist"
    else:
        (root / "content/assets/logo.png").symlink_to("other.png")
        (root / "content/assets/other.png").symlink_to("logo.png")
        why = "a link that leads round in a circle"
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"content/assets/logo.png:1:1: this is {why} — fix the link or remove it"]


# ---------------------------------------------------------------- file names


def test_a_file_name_that_is_not_utf8_gets_its_edit_link(make_site, run):
    """A name with the byte 0xFF: its 'Edit this page' link holds the name's own bytes, %FF."""
    from bs4 import BeautifulSoup

    root = make_site({"site.yml": "title: T\nedit_url: https://github.com/org/hb/edit/main/{path}\n"})
    (root / "content/guides").mkdir(parents=True, exist_ok=True)
    with open(os.path.join(os.fsencode(root / "content/guides"), b"caf\xff.md"), "w") as f:
        f.write(GUIDE)
    result = run("build")
    assert result.code == 0, result.err
    assert run("check").code == 0
    pages = [p for p in (root / "_site/guides").glob("*/index.html")]
    assert len(pages) == 1
    soup = BeautifulSoup(pages[0].read_text(encoding="utf-8"), "html.parser")
    edits = [a["href"] for a in soup.find_all("a", href=True) if "/edit/" in a["href"]]
    assert edits == ["https://github.com/org/hb/edit/main/content/guides/caf%FF.md"]


# ---------------------------------------------------------------- names in the calendar


def _one_calendar(data: bytes):
    """The .ics read back: exactly one calendar, each of its lines ended by CRLF, no lone CR or LF.
    X-WR-CALNAME is read as the text it is (icalendar leaves an X- property as it was written)."""
    import icalendar

    # (icalendar 6 and later: the class's; 5, the floor: the module's)
    factory = getattr(icalendar.Calendar, "types_factory", None) or icalendar.cal.types_factory
    known = factory.types_map.get("x-wr-calname")
    factory.types_map["x-wr-calname"] = "text"
    try:
        cals = icalendar.Calendar.from_ical(data, multiple=True)
    finally:
        if known is None:
            del factory.types_map["x-wr-calname"]
        else:
            factory.types_map["x-wr-calname"] = known
    assert len(cals) == 1
    lines = data.split(b"\r\n")
    assert lines[-1] == b"" and not any(b"\r" in line or b"\n" in line for line in lines)
    return cals[0]


@pytest.mark.parametrize("name, shown", [
    ('"Northwind\\nMentoring"', "Northwind Mentoring"),  # a newline: an AssertionError from icalendar
    ('"Northwind\\rX-WR-TIMEZONE:Mars/Olympus"', "Northwind X-WR-TIMEZONE:Mars/Olympus"),  # a lone CR, written raw
    ('"A; B, C\\r\\n\\r\\nD"', "A; B, C D"),
])
def test_a_line_break_in_the_programs_name_stays_in_the_calendars_name(make_site, run, name, shown):
    from tests.conftest import MINIMAL

    root = make_site({"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n",
                      "content/program.yml": MINIMAL["content/program.yml"].replace("name: Test Program", f"name: {name}")
                      .replace("name: Start", f"name: {name}"),
                      "content/milestones/plan.yml": f"title: Plan\ngoal: G\nmilestones:\n  - title: {name}\n    due: week 3\n"})
    result = run("build")
    assert result.code == 0, result.err
    cal = _one_calendar((root / "_site/schedule.ics").read_bytes())
    assert set(cal) == {"PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME"}
    assert str(cal["X-WR-CALNAME"]) == shown
    events = cal.walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == sorted([shown, shown, "Closure", "Meeting"])
    assert all(set(e) <= {"UID", "DTSTAMP", "SUMMARY", "DTSTART", "DTEND", "TRANSP", "DESCRIPTION", "CATEGORIES",
                          "RRULE"} for e in events)


def test_a_line_break_in_a_roster_name_leaves_one_pair_calendar(make_site, run):
    root = make_site({"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n",
                      "content/types/peer.yml": "name: Peer\nsummary: Peers.\n"})
    (root / "roster.csv").write_text('mentor,mentee,type,milestones,start\n"Ana\rX-INJ:1","Ben\nOkoro",peer,,2027-02-01\n',
                                     encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 0, result.err
    calendars = list((root / "out").rglob("*.ics"))
    assert len(calendars) == 1
    cal = _one_calendar(calendars[0].read_bytes())
    assert str(cal["X-WR-CALNAME"]) == "Test Program · AnaX-INJ:1 + BenOkoro"  # (packs drops control characters)
    assert "X-INJ" not in cal


# ---------------------------------------------------------------- the project's caches


def test_a_file_named_like_the_cache_folder_is_kept_and_named(make_site, run):
    root = make_site({"content/guides/a.md": GUIDE, ".mentorsite-cache": "my notes\n"})
    result = run("build")
    assert result.code == 1
    assert result.errors == [".mentorsite-cache:1:1: this is a file, and mentorsite keeps its build cache in a folder "
                             "of this name — rename or move the file, then build again"]
    assert (root / ".mentorsite-cache").read_text() == "my notes\n"
    assert not (root / "_site").exists()
    assert run("check").code == 0  # check keeps no cache


@pytest.mark.parametrize("damage", ["flipped", "truncated", "emptied"])
def test_damaged_compiled_templates_are_compiled_again(make_site, run, damage):
    """Jinja checks a compiled template against its source only: flipped bytes in the middle of
    one ran as code, and failed every build (blamed on the theme) until the folder was deleted."""
    root = make_site({"content/guides/a.md": GUIDE})
    assert run("build").code == 0
    compiled = sorted((root / ".mentorsite-cache/templates").iterdir())
    assert compiled
    for path in compiled:
        data = bytearray(path.read_bytes())
        if damage == "flipped":
            middle = len(data) // 2
            data[middle:middle + 20] = bytes(b ^ 0xFF for b in data[middle:middle + 20])
        elif damage == "truncated":
            data = data[: len(data) * 2 // 3]
        else:
            data = b""
        path.write_bytes(bytes(data))
    first = (root / "_site/guides/a/index.html").read_text(encoding="utf-8")
    (root / "content/guides/a.md").write_text(GUIDE + "\nMore.\n", encoding="utf-8")
    for _ in range(2):  # repaired at once, and for good
        result = run("build")
        assert result.code == 0, result.err
        assert result.err == ""
    page = (root / "_site/guides/a/index.html").read_text(encoding="utf-8")
    assert page.replace("<p>More.</p>\n", "") == first


# ---------------------------------------------------------------- far dates

PLAN = "title: Plan\ngoal: G\nmilestones:\n  - title: A\n    due: {due}\n"
FAR = {
    "cohort_start_puts_a_phase_past_the_end": (
        {"site.yml": "title: T\ncohort:\n  start: 9999-12-01\n"},  # (MINIMAL's start phase: weeks 0 to 10)
        "site.yml:3:10: from the cohort start 9999-12-01, week 10 (content/program.yml:11:10) falls past the "
        "last date mentorsite can schedule (9999-12-24) — check the year"),
    "cohort_start_puts_a_milestone_past_the_end": (
        {"site.yml": "title: T\ncohort:\n  start: 9999-12-01\n", "content/program.yml": "name: P\n",
         "content/milestones/plan.yml": PLAN.format(due="week 4")},
        "site.yml:3:10: from the cohort start 9999-12-01, week 4 (content/milestones/plan.yml:5:10) falls past the "
        "last date mentorsite can schedule (9999-12-24) — check the year"),
    "cohort_start_at_the_end": (
        {"site.yml": "title: T\ncohort:\n  start: 9999-12-28\n"},
        "site.yml:3:10: the cohort start 9999-12-28 is past the last date mentorsite can schedule (9999-12-24) — check the year"),
    "negative_due_before_the_beginning": (
        {"site.yml": "title: T\ncohort:\n  start: 0001-02-01\n", "content/milestones/plan.yml": PLAN.format(due="day -30")},
        "site.yml:3:10: from the cohort start 0001-02-01, day -30 (content/milestones/plan.yml:5:10) falls before the "
        "first date mentorsite can schedule (0001-01-08) — check the year"),
    "months_before_the_first_year": (  # (found by tests/test_fuzz.py: a ValueError, not an OverflowError)
        {"site.yml": "title: T\ncohort:\n  start: 0001-01-08\n", "content/program.yml": "name: P\n",
         "content/milestones/plan.yml": PLAN.format(due="month -1")},
        "site.yml:3:10: from the cohort start 0001-01-08, month -1 (content/milestones/plan.yml:5:10) falls before the "
        "first date mentorsite can schedule (0001-01-08) — check the year"),
    "huge_day": (
        {"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n", "content/milestones/plan.yml": PLAN.format(due="day 999999999999")},
        "content/milestones/plan.yml:5:10: 'due': 'day 999999999999' is more than 100 years from the cohort start — "
        "write a due date within 100 years (36525 days, 5218 weeks, 1200 months)"),
    "huge_week_without_a_start": (
        {"content/milestones/plan.yml": PLAN.format(due="week 99999999")},
        "content/milestones/plan.yml:5:10: 'due': 'week 99999999' is more than 100 years from the cohort start — "
        "write a due date within 100 years (36525 days, 5218 weeks, 1200 months)"),
    "huge_negative_month": (
        {"content/milestones/plan.yml": PLAN.format(due="month -1201")},
        "content/milestones/plan.yml:5:10: 'due': 'month -1201' is more than 100 years from the cohort start — "
        "write a due date within 100 years (36525 days, 5218 weeks, 1200 months)"),
    "more_digits_than_python_reads": (
        {"content/milestones/plan.yml": PLAN.format(due="day " + "9" * 5000)},
        "content/milestones/plan.yml:5:10: 'due': 'day 99999999999999999999999999999999999…' is more than 100 years "
        "from the cohort start — write a due date within 100 years (36525 days, 5218 weeks, 1200 months)"),
    "huge_phase_offset": (
        {"content/milestones/plan.yml": PLAN.format(due="phase:closure + 99999999 weeks")},
        "content/milestones/plan.yml:5:10: 'due': 'phase:closure + 99999999 weeks' is more than 100 years after the "
        "phase's start — write at most 36525 days or 5218 weeks"),
    "a_date_at_the_calendars_end": (
        {"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n", "content/milestones/plan.yml": PLAN.format(due="9999-12-31")},
        "content/milestones/plan.yml:5:10: the date 9999-12-31 is past the last date mentorsite can schedule "
        "(9999-12-24) — check the year"),
}


@pytest.mark.parametrize("files, expected", FAR.values(), ids=FAR.keys())
@pytest.mark.parametrize("command", ["check", "build"])
def test_far_dates_are_located_errors(make_site, run, files, expected, command):
    root = make_site(files)
    result = run(command)
    assert result.code == 1, result.err
    assert result.errors == [expected]
    assert not (root / "_site").exists()


def test_far_dates_that_fit_are_built(make_site, run):
    """Dates near the edges that fit: a milestone on the last schedulable week, another 100 years back."""
    import datetime as dt

    import icalendar

    root = make_site({"site.yml": "title: T\ncohort:\n  start: 9999-11-01\n", "content/program.yml": "name: P\n",
                      "content/milestones/plan.yml": PLAN.format(due="week 7") + "  - title: B\n    due: day -36525\n"})
    result = run("build")
    assert result.code == 0, result.err
    cal = icalendar.Calendar.from_ical((root / "_site/schedule.ics").read_bytes())
    start = dt.date(9999, 11, 1)
    assert sorted(e.decoded("DTSTART") for e in cal.walk("VEVENT")) == [start - dt.timedelta(days=36525),
                                                                         start,  # (the meetings, from the start)
                                                                         start + dt.timedelta(weeks=7)]


def test_a_far_roster_start_is_reported_on_its_row_and_the_other_rows_are_made(make_site, run):
    root = make_site({"site.yml": "title: T\ncohort:\n  start: 2027-01-11\n",
                      "content/types/peer.yml": "name: Peer\nsummary: Peers.\nmilestones: [plan]\n",
                      "content/milestones/plan.yml": PLAN.format(due="week 2")})
    (root / "roster.csv").write_text("mentor,mentee,type,milestones,start\nAna,Ben,peer,,9999-12-20\n"
                                     "Cara,Dan,peer,,2027-03-01\nEve,Fay,peer,,0001-01-01\nGus,Hal,peer,,\n",
                                     encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 1
    assert result.errors == [
        "roster.csv:2:5: from the start 9999-12-20, week 10 (content/program.yml:11:10) falls past the last date "
        "mentorsite can schedule (9999-12-24) — check the year",
        "roster.csv:4:5: the start 0001-01-01 is before the first date mentorsite can schedule (0001-01-08) — check the year",
    ]
    assert sorted(p.name for p in (root / "out").iterdir() if p.is_dir()) == ["Cara + Dan", "Gus + Hal"]


# ---------------------------------------------------------------- the output folder deleted between builds


def test_a_deleted_site_folder_is_built_again_after_an_edit(make_site, run):
    """build, edit, build, `rm -rf _site`, edit, build: the print page's last file is gone, so it is
    made in full (before: a FileNotFoundError at every build until --no-cache)."""
    import shutil

    root = make_site({"site.yml": "title: T\nhandbook_pdfs: false\n", "content/guides/a.md": GUIDE})
    assert run("build").code == 0
    (root / "content/guides/a.md").write_text(GUIDE + "\nSecond.\n", encoding="utf-8")
    assert run("build").code == 0
    shutil.rmtree(root / "_site")
    (root / "content/guides/a.md").write_text(GUIDE + "\nThird.\n", encoding="utf-8")
    result = run("build")
    assert result.code == 0, result.err
    assert "Third." in (root / "_site/print/index.html").read_text(encoding="utf-8")
    assert "Third." in (root / "_site/guides/a/index.html").read_text(encoding="utf-8")


# ---------------------------------------------------------------- messages that had no location

ROLES = "name: P\nroles:\n  - id: mentor\n    title: Mentor\n  - id: mentee\n    title: Mentee\n"
LOCATED = {
    "content_above_the_project": (
        {"site.yml": "title: T\ncontent: ..\n"},
        "site.yml:2:10: content folder '..' is outside the project — keep the content in a folder beside site.yml, "
        "such as 'content'"),
    "content_at_the_root_of_the_disk": (
        {"site.yml": "title: T\ncontent: /\n"},
        "site.yml:2:10: content folder '/' is outside the project — keep the content in a folder beside site.yml, "
        "such as 'content'"),
    "content_missing": (
        {"site.yml": "title: T\ncontent: handbook\n"},
        "site.yml:2:10: content folder 'handbook' not found — create it or set 'content:' in site.yml"),
    "duplicate_role": (  # (and no second, unlocated message about the two roles' print packs)
        {"content/program.yml": ROLES + "  - id: mentor\n    title: Second mentor\n"},
        "content/program.yml:7:9: duplicate role id 'mentor' (first at line 3) — give each role its own id"),
    "duplicate_role_id_not_first": (
        {"content/program.yml": ROLES + "  - {title: Second mentor, id: mentor}\n"},
        "content/program.yml:7:32: duplicate role id 'mentor' (first at line 3) — give each role its own id"),
    "duplicate_policy": (
        {"content/program.yml": "name: P\npolicies:\n  - {id: privacy, title: A, text: a}\n"
                                "  - {id: privacy, title: B, text: b}\n"},
        "content/program.yml:4:10: duplicate policy id 'privacy' (first at line 3) — give each policy its own id"),
}


@pytest.mark.parametrize("files, expected", LOCATED.values(), ids=LOCATED.keys())
def test_messages_name_their_place(make_site, run, files, expected):
    make_site(files)
    for command in ("check", "build"):
        result = run(command)
        assert result.code == 1, result.err
        assert result.errors == [expected]


def test_content_above_the_project_is_refused_before_anything_is_read(make_site, run, monkeypatch):
    """`content: /` is refused when site.yml is read: nothing is listed or read below it."""
    import mentorsite.build

    make_site({"site.yml": "title: T\ncontent: /\n"})
    monkeypatch.setattr(mentorsite.build, "discover", lambda *a, **k: pytest.fail("the content was read"))
    for command in ("check", "build"):
        assert run(command).code == 1
