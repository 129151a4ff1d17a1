"""Property-based: whatever files people write, a build ends in a site or in located errors,
never in a traceback. Counts are recorded in SECURITY.md."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mentorsite.build import check
from mentorsite.config import load_config
from mentorsite.errors import SiteError, SiteErrors
from mentorsite.model import FIELD_KINDS

EXAMPLES = int(os.environ.get("MENTORSITE_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

WORDS = ["mentor", "mentee", "goal", "week 4", "month 2", "phase:closure", "phase:nope", "2027-02-30", "2027-03-01",
         "*alias", "&anchor", "a: b", "\t", "", "peer", "goals", "x" * 300, "é日本", "..", "../../etc/passwd", "%2e%2e",
         "<script>alert(1)</script>", "javascript:alert(1)", "{{ config }}", "{% raw %}", "yes", "no", "2:1", "null"]
KEYS = ["name", "title", "summary", "goal", "purpose", "roles", "phases", "id", "start", "end", "due", "owner",
        "milestones", "worksheets", "types", "sections", "fields", "kind", "label", "options", "min", "max", "columns",
        "rows", "audience", "weight", "slug", "unknown_key", "cadense", "ratio", "meetings", "every_weeks"]

scalars = st.one_of(
    st.sampled_from(WORDS), st.text(max_size=40), st.integers(-5, 200), st.booleans(), st.none(),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.sampled_from(FIELD_KINDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


def dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


yaml_texts = st.one_of(documents.map(dump), values.map(dump), st.text(max_size=200),
                       st.sampled_from(["", "---\n", "a: &a [*a]\n", "- [\n", "a:\n\t- b\n", "\ufeffname: x\r\n"]))

md_lines = st.sampled_from([
    "## Heading", "### Sub", "Text with *emphasis*.", "[link](other.md)", "[bad](missing.md#x)", "::type peer",
    "::milestones plan", "::worksheet goals", "::worksheet-card goals", "::phases", "::roles", "::bogus", "::type",
    ":::tip", ":::warning Careful", ":::", ":::danger", "| a | b |", "|---|---|", "| 1 | 2 |", "- [ ] task", "Term",
    ": definition", "Foot[^1]", "[^1]: note", "<div>raw</div>", "```", "    code", "![img](../assets/none.png)", "",
])
bodies = st.lists(md_lines, max_size=25).map("\n".join)
guides = st.one_of(
    st.tuples(documents.map(dump), bodies).map(lambda t: f"---\n{t[0]}---\n{t[1]}\n"),
    st.tuples(st.sampled_from(["title: A guide\n", "title: [x\n", "", "title: A\naudience: [mentor]\n"]), bodies)
      .map(lambda t: f"---\n{t[0]}---\n{t[1]}\n"),
    bodies,
    st.text(max_size=300),
)

BASE = {
    "site.yml": "title: Fuzz\ncohort: {start: 2027-01-11}\n",
    "content/program.yml": "name: P\nroles: [{id: mentor, title: Mentor}, {id: mentee, title: Mentee}]\n"
                           "phases: [{id: closure, name: Closure, start: week 20, end: week 26}]\n",
    "content/types/peer.yml": "name: Peer\nsummary: Peers.\nmilestones: [plan]\nworksheets: [goals]\n",
    "content/milestones/plan.yml": "title: Plan\ngoal: G\nmilestones: [{title: A, due: week 2}]\n",
    "content/worksheets/goals.yml": "title: Goals\npurpose: P\nsections: [{title: S, fields: [{id: g, kind: line, label: G}]}]\n",
    "content/guides/other.md": "---\ntitle: Other\n---\n## Hello\n",
}


def run_check(files: dict[str, str]) -> None:
    """Build the site in memory: a success, or SiteError(s) that all carry a location."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in {**BASE, **files}.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            config = load_config(root / "site.yml")
            check(config)
        except SiteErrors as e:
            assert e.errors
            for err in e.errors:
                assert str(err).strip(), "an empty message"
                assert "\n" not in err.message, f"a message of several lines: {err.message!r}"
        except SiteError as e:
            assert e.message and "\n" not in e.message
        finally:
            shutil.rmtree(root, ignore_errors=True)


@SETTINGS
@given(text=yaml_texts)
def test_any_program_yml(text):
    run_check({"content/program.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_type_yml(text):
    run_check({"content/types/peer.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_milestone_template(text):
    run_check({"content/milestones/plan.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_worksheet(text):
    run_check({"content/worksheets/goals.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_site_yml(text):
    run_check({"site.yml": text})


@SETTINGS
@given(text=guides, name=st.sampled_from(["a.md", "folder/b.md", "index.md", "é x.md"]))
def test_any_guide(text, name):
    run_check({f"content/guides/{name}": text})


@settings(max_examples=max(20, EXAMPLES // 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=st.lists(st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "c", "A B", "../x"]),
                                              "kind": st.sampled_from([*FIELD_KINDS, "paragraph"]),
                                              "label": st.text(max_size=20)},
                                             optional={"options": st.lists(st.sampled_from(WORDS), max_size=3),
                                                       "min": st.integers(-2, 8), "max": st.integers(-2, 8),
                                                       "columns": st.lists(st.sampled_from(["A", "B", "A"]), max_size=3),
                                                       "rows": st.one_of(st.integers(-1, 200), st.sampled_from(
                                                           ["from milestones/plan", "from milestones/nope", "x"]))}),
                      max_size=6))
def test_any_worksheet_fields(fields):
    run_check({"content/worksheets/goals.yml": dump({"title": "G", "purpose": "P", "sections": [{"title": "S", "fields": fields}]})})


# ---------------------------------------------------------------- dates, through `build` and `packs` (issue 21)
# Kept apart from the functions above: the cohort start, due dates and a roster's start dates are
# mutated (huge, negative, impossible, at the calendar's edges, far future) and the command line
# runs `build` (or `packs`): it exits 0 or 1, never with a traceback, and every problem it prints
# on exit 1 is located (path:line:col). About a minute in all.

import contextlib  # noqa: E402
import io  # noqa: E402
import re  # noqa: E402

DATE_EXAMPLES = max(10, EXAMPLES // 3)
DATE_SETTINGS = settings(max_examples=DATE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
LOCATED = re.compile(r"^\S+:\d+:\d+: \S")

edge_dates = st.one_of(
    st.dates(),  # any day of years 1 to 9999
    st.sampled_from([dt.date.min, dt.date.max, dt.date(1, 1, 7), dt.date(1, 1, 8), dt.date(9999, 12, 24),
                     dt.date(9999, 12, 25), dt.date(9999, 12, 1), dt.date(9999, 12, 20), dt.date(2027, 2, 28)]),
)
date_texts = st.one_of(
    edge_dates.map(dt.date.isoformat),
    st.sampled_from(["2027-02-30", "2027-13-01", "9999-12-32", "0000-01-01", "10000-01-01", "-0001-01-01",
                     "2027-1-1", "20270101", "", "tomorrow", "9" * 5000]),
)
amounts = st.one_of(st.integers(-40_000, 40_000), st.integers(-10**15, 10**15),
                    st.sampled_from([0, 36_525, 36_526, -36_526, 5_218, 5_219, 1_200, 1_201]),
                    st.sampled_from(["-0", "007", "9" * 5000]))  # (more digits than Python turns into a number)
units = st.sampled_from(["day", "days", "week", "weeks", "month", "months", "Week"])
due_texts = st.one_of(  # most are due dates that exist (the far ones among them), some are not
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, amounts),
    st.builds("phase:{} + {} {}".format, st.sampled_from(["closure", "start"]), st.integers(0, 400),
              st.sampled_from(["day", "days", "week", "weeks"])),
    st.builds("phase:{} + {} {}".format, st.sampled_from(["closure", "start", "nope"]), st.integers(0, 10**12),
              st.sampled_from(["day", "days", "week", "weeks"])),
    st.sampled_from(["phase:closure", "phase:start", "week", "day -", "month 1.5", "week 4 days", "phase:"]),
    edge_dates.map(dt.date.isoformat),
    date_texts,
)
phase_dues = st.one_of(  # (a phase is never at another phase: that error is checked elsewhere)
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, amounts),
    edge_dates.map(dt.date.isoformat),
)
starts = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat), date_texts)


def run_cli(root: Path, *args: str) -> tuple[int, str]:
    """mentorsite ARGS in this process, in root: (exit code, stderr). An exception other than the
    user's errors, which the command line reports itself, fails the property."""
    from mentorsite.cli import main

    err = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(list(args))
    finally:
        os.chdir(cwd)
    return code, err.getvalue()


def assert_located(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err
    if code == 1:
        problems = [line for line in err.splitlines() if line and not line.startswith("mentorsite:")]
        assert problems, err
        for line in problems:
            assert LOCATED.match(line), f"a message without its place: {line!r}"


def dated_project(root: Path, start: str | None, phase: tuple[str, str], dues: list[str]) -> None:
    files = {
        "site.yml": "title: Dates\nhandbook_pdfs: false\nsearch: false\n"
                    + (f"cohort:\n  start: {yaml.safe_dump(start).splitlines()[0]}\n" if start is not None else ""),
        "content/program.yml": dump({"name": "P", "roles": [{"id": "mentor", "title": "Mentor"}],
                                     "phases": [{"id": "start", "name": "Start", "start": "week 0", "end": "week 2"},
                                                {"id": "closure", "name": "Closure", "start": phase[0], "end": phase[1]}]}),
        "content/types/peer.yml": "name: Peer\nsummary: Peers.\nmilestones: [plan]\n",
        "content/milestones/plan.yml": dump({"title": "Plan", "goal": "G",
                                             "milestones": [{"title": f"M{i}", "due": d} for i, d in enumerate(dues)]}),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@DATE_SETTINGS
@given(start=starts, phase=st.tuples(phase_dues, phase_dues),
       dues=st.lists(due_texts, min_size=1, max_size=4))
def test_any_dates_build(start, phase, dues):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dated_project(root, start, phase, dues)
        code, err = run_cli(root, "build", "--jobs", "1")
        event(f"build exit {code}")
        assert_located(code, err)
        if code == 0:
            assert (root / "_site/schedule/index.html").is_file()


@DATE_SETTINGS
@given(starts=st.lists(starts.map(lambda s: s or ""), min_size=1, max_size=5), cohort=st.one_of(st.none(), edge_dates.map(str)),
       due=due_texts)
def test_any_roster_dates_make_packs(starts, cohort, due):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dated_project(root, cohort, ("week 10", "week 12"), [due])
        rows = "".join(f"Mentor {i},Mentee {i},peer,,{s}\n" for i, s in enumerate(starts))
        (root / "roster.csv").write_text("mentor,mentee,type,milestones,start\n" + rows, encoding="utf-8")
        code, err = run_cli(root, "packs", "roster.csv", "--out", "out", "--jobs", "1")
        event(f"packs exit {code}" + (", some pairs made" if (root / "out/index.html").is_file() else ""))
        assert_located(code, err)
