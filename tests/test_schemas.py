"""The JSON Schemas for editors (mentorsite/schemas/, generated from model.py as docs/reference.md
is): up to date, accepting every file of the example handbook and of the scaffold as the loader
does, flagging what the loader flags as unknown, and wired by `mentorsite new` for the YAML
language server."""

from __future__ import annotations

import datetime as dt
import json
import posixpath
from fnmatch import fnmatchcase
from pathlib import Path

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mentorsite.errors import Loc, Problems
from mentorsite.commands.new import SCHEMAS, scaffold_dir
from mentorsite.commands.reference import SCHEMA_FILES, schema_for, schema_texts, shipped_schemas
from mentorsite.site.schema import read
from mentorsite.sources.yamlload import decode, load_yaml
from tests.conftest import REPO

VALIDATORS = {f.name: jsonschema.Draft7Validator(json.loads((shipped_schemas() / f.name).read_text()))
              for f in SCHEMA_FILES}


def load(path: Path):
    """A YAML file as the loader reads it (YAML 1.2 scalars; dates as dates)."""
    return load_yaml(decode(path.read_bytes(), path), path)


def as_json(value):
    """What an editor's YAML language server sees: plain mappings and lists, a date as its text."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def problems(rel: str, value) -> list[str]:
    validator = VALIDATORS[schema_for(rel).name]
    found = []
    for error in validator.iter_errors(as_json(value)):
        while error.context:  # of the options of an anyOf, the one that came nearest
            error = jsonschema.exceptions.best_match(error.context)
        found.append(f"{'/'.join(map(str, error.absolute_path))}: {error.message}")
    return found


def all_messages(rel: str, value) -> list[str]:
    """Every message, with those of each option of an anyOf."""
    out, todo = [], list(VALIDATORS[schema_for(rel).name].iter_errors(as_json(value)))
    while todo:
        error = todo.pop()
        out.append(error.message)
        todo.extend(error.context or ())
    return out


def yaml_files(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*.yml")
                  if not {".github", "dot-github", "node_modules", ".venv", "tests"} & set(p.parts))


def test_the_shipped_schemas_are_generated_from_the_model():
    shipped = {p.name: p.read_text(encoding="utf-8") for p in shipped_schemas().glob("*.json")}
    assert shipped == schema_texts(), ("mentorsite/schemas/ is out of date: run "
                                       "python -m mentorsite.commands.reference --schemas mentorsite/schemas")


def test_every_yaml_file_has_a_schema():
    for root in (REPO, scaffold_dir()):
        for rel in yaml_files(root):
            if rel.startswith(("content/", "site.")):
                assert schema_for(rel), rel


@pytest.mark.parametrize("root", [REPO, scaffold_dir()], ids=["example", "scaffold"])
def test_every_file_of_the_example_and_the_scaffold_is_valid(root):
    rels = [r for r in yaml_files(root) if r.startswith("content/") or r.startswith("site.")]
    assert len(rels) >= (30 if root == REPO else 6)
    for rel in rels:
        assert problems(rel, load(root / rel)) == [], rel
    if root == REPO:
        assert {"site.yml", "site.multilingual.yml", "content/es/program.yml"} <= set(rels)


def test_a_misspelt_key_is_flagged(tmp_path):
    data = load(REPO / "content/types/peer.yml")
    data["cadense"] = data.pop("cadence")
    assert problems("content/types/peer.yml", data) == [
        ": Additional properties are not allowed ('cadense' was unexpected)"]
    program = as_json(load(REPO / "content/program.yml"))
    program["phases"][0]["strat"] = program["phases"][0].pop("start")
    assert sorted(problems("content/program.yml", program)) == [
        "phases/0: 'start' is a required property",
        "phases/0: Additional properties are not allowed ('strat' was unexpected)",
    ]


@pytest.mark.parametrize("rel, text, ok", [
    ("content/milestones/x.yml", "title: T\ngoal: G\nmilestones:\n  - {title: A, due: week 4}\n  - {title: B, due: Month 2}\n"
     "  - {title: C, due: 'phase:closure + 2 weeks'}\n  - {title: D, due: 2027-03-01}\n  - {title: E, due: day -3}\n", True),
    ("content/milestones/x.yml", "title: T\ngoal: G\nmilestones:\n  - {title: A, due: next week}\n", False),
    ("content/types/x.yml", "name: Peer\nsummary: S\nratio: 1:1\ncadence: 2\nbest_for:\nmilestones: [a, b]\n", True),
    ("content/types/x.yml", "name: Peer\nsummary: S\nratio: 1:2\n", False),
    ("content/worksheets/x.yml", "title: T\npurpose: P\nsections:\n  - title: S\n    fields:\n      - id: t\n        kind: table\n"
     "        label: L\n        columns: [Name, {label: Due, kind: date}]\n        rows: from milestones/x\n", True),
    ("content/worksheets/x.yml", "title: T\npurpose: P\nsections:\n  - title: S\n    fields:\n      - id: t\n        kind: line\n"
     "        label: L\n        lines: yes\n", False),  # YAML 1.2: 'yes' is text, not a number
    ("site.yml", "title: T\nlanguages: [en, {code: es, title: Manual}]\ncohort: {start: 2027-01-11}\nnav:\npaper: a4\n", True),
    ("site.yml", "title: T\nsearch: 'no'\n", False),
    ("site.yml", "description: no title\n", False),
])
def test_the_schemas_decide_as_the_loader_does(tmp_path, rel, text, ok):
    path = tmp_path / "file.yml"
    path.write_text(text)
    data = load(path)
    found = Problems()
    read(schema_for(rel).cls, data, Loc(path), found)
    assert (found.errors == []) == ok, found.errors
    assert (problems(rel, data) == []) == ok


# ------------------------------------------------ whatever the loader accepts, the schema accepts

SCALARS = st.one_of(
    st.sampled_from(["week 4", "WEEK 2", "month 2", "day 10", "phase:closure", "phase: start + 3 days", "2027-03-01",
                     "yes", "1:1", "peer", "a4", "line", "table", "from milestones/x", "mentor", ""]),
    st.integers(-3, 120), st.booleans(), st.none(), st.floats(0, 10, allow_nan=False),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
)


def _paths(value, at=()):
    yield at
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*at, i))


@st.composite
def mutated(draw):
    """An example file, changed in a few places: a value replaced, a key removed or added."""
    rel = draw(st.sampled_from([r for r in yaml_files(REPO) if r.startswith("content/") and "/es/" not in r] + ["site.yml"]))
    data = as_json(load(REPO / rel))  # dates stay text: the loader reads a quoted date too
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(data))[1:]))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "remove", "unknown"]))
        if action == "replace":
            parent[path[-1]] = draw(SCALARS)
        elif action == "remove" and isinstance(parent, dict):
            del parent[path[-1]]
        elif action == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["cadense", "titel", "colour", "rows_from"]))] = "x"
    return rel, data


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_what_the_loader_accepts_the_schema_accepts(case):
    rel, data = case
    found = Problems()
    read(schema_for(rel).cls, data, Loc(Path(rel)), found)
    flagged = problems(rel, data)
    if not found.errors:
        assert flagged == [], flagged
    if any("unknown key" in e.message for e in found.errors):
        assert any("Additional properties are not allowed" in m for m in all_messages(rel, data)), (found.errors, flagged)


# ------------------------------------------------ wired by `mentorsite new`


@pytest.mark.parametrize("example", [False, True], ids=["scaffold", "example"])
def test_new_wires_the_schemas_for_the_yaml_language_server(tmp_path, run, monkeypatch, example):
    monkeypatch.chdir(tmp_path)
    assert run("new", "handbook", *(["--example"] if example else [])).code == 0
    root = tmp_path / "handbook"
    for f in SCHEMA_FILES:  # the project holds the schemas of the version that wrote it
        assert (root / SCHEMAS / f.name).read_bytes() == (shipped_schemas() / f.name).read_bytes()
    mapping = json.loads((root / ".vscode/settings.json").read_text())["yaml.schemas"]
    rels = [r for r in yaml_files(root) if not r.startswith(".")]
    assert len(rels) >= (30 if example else 6)
    for rel in rels:
        first = (root / rel).read_text().splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema="), rel
        target = posixpath.normpath(posixpath.join(posixpath.dirname(rel), first.split("=", 1)[1]))
        assert target == f"{SCHEMAS}/{schema_for(rel).name}", rel  # resolved from the file's folder
        # VS Code's mapping (for files added later) names the same schema for it
        assert [s for s, globs in mapping.items() if any(fnmatchcase(rel, g) and rel.count("/") == g.count("/")
                                                         for g in globs)] == [target], rel
        assert problems(rel, load(root / rel)) == [], rel
    monkeypatch.chdir(root)
    check = run("check", "--strict")
    assert check.code == 0, check.err


def test_new_leaves_an_existing_vscode_settings_file(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "handbook/.vscode").mkdir(parents=True)
    (tmp_path / "handbook/.vscode/settings.json").write_text('{"editor.tabSize": 2}\n')
    assert run("new", "handbook", "--force").code == 0
    assert (tmp_path / "handbook/.vscode/settings.json").read_text() == '{"editor.tabSize": 2}\n'
