"""Property-based: whatever files people write, a build ends in a site or in located errors,
never in a traceback. Counts are recorded in SECURITY.md."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorsite.commands.check import check
from mentorsite.sources.config import load_config
from mentorsite.errors import SiteError, SiteErrors
from mentorsite.site.model import FIELD_KINDS

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
