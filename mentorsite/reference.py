"""Generate docs/reference.md, the reference of every key, from the schema itself.

Run `python -m mentorsite.reference > docs/reference.md` after changing a schema; a test
checks that the file is up to date.
"""

from __future__ import annotations

from mentorsite import model
from mentorsite.schema import reference

_INTRO = """\
# File reference

Every key of every file of a handbook project, generated from mentorsite's schema
(`python -m mentorsite.reference > docs/reference.md`). Unknown keys are errors; a key left
out takes its default. Markdown keys accept the same Markdown as guides.

Ids (of roles, phases, fields) are short names: lowercase letters, digits and dashes.
A type's, milestone template's or worksheet's id is its file name without `.yml`.

Due dates are written `day 10`, `week 4`, `month 2` (counted from the cohort start),
`phase:<id>` (the start of that phase, optionally `phase:<id> + 2 weeks`) or as a date
`2027-03-01`. With `cohort.start` set in site.yml, every due date is shown as a calendar
date; without it, in its relative form. A due date is at most 100 years from what it counts
from, and every date must fall between 0001-01-08 and 9999-12-24.
"""


def full_reference() -> str:
    """The whole reference as Markdown."""
    parts = [_INTRO]
    for title, cls in [
        ("site.yml", model.SiteConfig),
        ("content/program.yml", model.Program),
        ("content/types/<id>.yml", model.MentoringType),
        ("content/milestones/<id>.yml", model.MilestoneTemplate),
        ("content/worksheets/<id>.yml", model.Worksheet),
        ("Guide front matter", model.FrontMatter),
    ]:
        parts.append(f"## {title}\n\n" + reference(cls, 3))
    return "\n".join(parts)


if __name__ == "__main__":
    print(full_reference(), end="")
