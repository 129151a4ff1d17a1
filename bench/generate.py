"""A deterministic generator of synthetic handbooks for benchmarks.

    python bench/generate.py OUT_DIR --guides 1000

writes OUT_DIR/site.yml and OUT_DIR/content/ with N guides of 600-900 words (headings,
emphasis, lists, a table, 3-5 links to other guides, front matter) spread over about ten
folders, a program, 5 types and 10 milestone templates. The same N gives the same files.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

WORDS = (
    "mentor mentee goal listen feedback trust meeting plan skill growth network career agenda "
    "progress reflect practise question challenge support learn share review action habit "
    "confidence project team leader colleague session milestone evidence balance focus"
).split()
FOLDERS = [f"topic-{i:02d}" for i in range(10)]
TYPES = ["traditional", "peer", "reverse", "group", "informal"]


def _sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 16))]
    if rng.random() < 0.3:
        i = rng.randrange(len(words))
        words[i] = f"*{words[i]}*"
    if rng.random() < 0.2:
        i = rng.randrange(len(words))
        words[i] = f"**{words[i]}**"
    return " ".join(words).capitalize() + "."


def _paragraph(rng: random.Random, n: int) -> str:
    return " ".join(_sentence(rng) for _ in range(n))


def guide_path(i: int) -> str:
    return f"{FOLDERS[i % len(FOLDERS)]}/guide-{i:05d}.md"


def guide(i: int, n: int) -> str:
    rng = random.Random(i)
    here = FOLDERS[i % len(FOLDERS)]
    links = []
    for _ in range(rng.randint(3, 5)):
        j = rng.randrange(n)
        target = guide_path(j)
        folder, name = target.split("/")
        links.append(f"[guide {j}]({name})" if folder == here else f"[guide {j}](../{target})")
    parts = [
        "---",
        f"title: Guide number {i}",
        f"summary: \"{_sentence(rng)}\"",
        f"weight: {i}",
        f"types: [{TYPES[i % 5]}]",
        "---",
        "",
        _paragraph(rng, 5),
        "",
    ]
    for h in range(4):
        parts += [f"## Section {h + 1} of guide {i}", "", _paragraph(rng, 6), ""]
        if h == 1:
            parts += [f"- {_sentence(rng)}" for _ in range(4)] + [""]
        if h == 2:
            parts += ["| Step | Owner | When |", "| --- | --- | --- |"]
            parts += [f"| {rng.choice(WORDS)} | {rng.choice(['mentor', 'mentee'])} | week {k} |" for k in range(4)] + [""]
        parts += ["### Details", "", _paragraph(rng, 4) + " See " + ", ".join(links[h::4] or links[:1]) + ".", ""]
    return "\n".join(parts)


PROGRAM = """\
name: Synthetic Program
tagline: A generated program for benchmarks.
summary: Generated.
roles:
  - {id: coordinator, title: Coordinator}
  - {id: mentor, title: Mentor}
  - {id: mentee, title: Mentee}
phases:
  - {id: start, name: Start, start: week 0, end: week 4}
  - {id: middle, name: Middle, start: week 4, end: week 20}
  - {id: closure, name: Closure, start: week 20, end: week 26}
"""


def generate(out: Path, n: int) -> None:
    """Write a synthetic handbook with n guides into out (replacing its content/)."""
    out.mkdir(parents=True, exist_ok=True)
    shutil.rmtree(out / "content", ignore_errors=True)
    content = out / "content"
    # the comparison with MkDocs and Hugo is of the website: no print-edition PDFs
    (out / "site.yml").write_text("title: Synthetic Handbook\nurl: https://example.github.io/bench/\ncohort: {start: 2027-01-11}\n"
                                  "handbook_pdfs: false\n")
    (content / "types").mkdir(parents=True)
    (content / "milestones").mkdir()
    (content / "program.yml").write_text(PROGRAM)
    for t in TYPES:
        (content / "types" / f"{t}.yml").write_text(f"name: {t.capitalize()} mentoring\nsummary: The {t} way.\nmilestones: [template-0]\n")
    for k in range(10):
        rng = random.Random(1000 + k)
        lines = [f"title: Template {k}", f"goal: \"{_sentence(rng)}\"", f"types: [{TYPES[k % 5]}]", "milestones:"]
        for m in range(5):
            lines += [f"  - title: Milestone {m}", f"    due: week {2 * m + 1}", "    owner: mentee", f"    description: \"{_sentence(rng)}\""]
        (content / "milestones" / f"template-{k}.yml").write_text("\n".join(lines) + "\n")
    for folder in FOLDERS:
        (content / "guides" / folder).mkdir(parents=True)
        (content / "guides" / folder / "index.md").write_text(f"---\ntitle: {folder.replace('-', ' ').title()}\n---\n\nGuides about {folder}.\n")
    for i in range(n):
        (content / "guides" / guide_path(i)).write_text(guide(i, n))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--guides", type=int, default=1000)
    args = parser.parse_args()
    generate(args.out, args.guides)
