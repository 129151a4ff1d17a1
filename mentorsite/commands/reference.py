"""Generate, from the schema itself, docs/reference.md (the reference of every key) and the JSON
Schemas of the YAML files that editors read (mentorsite/schemas/, shipped in the package).

Run `python -m mentorsite.commands.reference > docs/reference.md` and
`python -m mentorsite.commands.reference --schemas mentorsite/schemas` after changing a schema;
tests check that both are up to date.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path

from mentorsite.site import model
from mentorsite.site.schema import json_schema, reference

_INTRO = """\
# File reference

Every key of every file of a handbook project, generated from mentorsite's schema
(`python -m mentorsite.commands.reference > docs/reference.md`). Unknown keys are errors; a key left
out takes its default. Markdown keys accept the same Markdown as guides.

Ids (of roles, phases, fields) are short names: lowercase letters, digits and dashes.
A type's, milestone template's or worksheet's id is its file name without `.yml`.

Due dates are written `day 10`, `week 4`, `month 2` (counted from the cohort start),
`phase:<id>` (the start of that phase, optionally `phase:<id> + 2 weeks`) or as a date
`2027-03-01`. With `cohort.start` set in site.yml, every due date is shown as a calendar
date; without it, in its relative form. A due date is at most 100 years from what it counts
from, and every date must fall between 0001-01-08 and 9999-12-24.

Editors can check these files as you type: see [Editing with completion and
checks](handbook.md#editing-with-completion-and-checks) for the JSON Schemas generated from
the same schema.
"""


@dataclass(frozen=True, slots=True)
class SchemaFile:
    """A kind of YAML file with a JSON Schema: its schema file's name and the files it describes."""

    name: str  # e.g. 'type.schema.json'
    title: str  # how the reference names the file
    cls: type
    globs: tuple[str, ...]  # the files it applies to, relative to the project (content/ as it is by default)


SCHEMA_FILES = (
    SchemaFile("site.schema.json", "site.yml", model.SiteConfig, ("site.yml", "site.*.yml")),
    SchemaFile("program.schema.json", "content/program.yml", model.Program,
               ("content/program.yml", "content/*/program.yml")),
    SchemaFile("type.schema.json", "content/types/<id>.yml", model.MentoringType,
               ("content/types/*.yml", "content/*/types/*.yml")),
    SchemaFile("milestone-template.schema.json", "content/milestones/<id>.yml", model.MilestoneTemplate,
               ("content/milestones/*.yml", "content/*/milestones/*.yml")),
    SchemaFile("worksheet.schema.json", "content/worksheets/<id>.yml", model.Worksheet,
               ("content/worksheets/*.yml", "content/*/worksheets/*.yml")),
)


def full_reference() -> str:
    """The whole reference as Markdown."""
    parts = [_INTRO]
    for title, cls in [*((f.title, f.cls) for f in SCHEMA_FILES), ("Guide front matter", model.FrontMatter)]:
        parts.append(f"## {title}\n\n" + reference(cls, 3))
    return "\n".join(parts)


def schema_texts() -> dict[str, str]:
    """Each JSON Schema file's name -> its text."""
    return {f.name: json.dumps(json_schema(f.cls, f.title), indent=2, ensure_ascii=False) + "\n"
            for f in SCHEMA_FILES}


def shipped_schemas() -> Path:
    """The folder of the JSON Schemas inside the package."""
    return Path(__file__).resolve().parent.parent / "schemas"


def schema_for(rel: str) -> SchemaFile | None:
    """The schema of a project file (a posix path relative to the project), if it has one."""
    return next((f for f in SCHEMA_FILES if any(fnmatchcase(rel, g) and rel.count("/") == g.count("/")
                                                for g in f.globs)), None)


def _write_schemas(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in schema_texts().items():
        (folder / name).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--schemas"] and len(sys.argv) == 3:
        _write_schemas(Path(sys.argv[2]))
    elif len(sys.argv) == 1:
        print(full_reference(), end="")
    else:
        sys.exit("usage: python -m mentorsite.commands.reference [--schemas DIR]")
