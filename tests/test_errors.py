"""The exact text of every message a user can cause, with its location and exit code."""

import pytest

from tests.conftest import MINIMAL

TYPE = "name: Peer\nsummary: Two colleagues learn together.\n"
WS = """\
title: Goals
purpose: Set goals.
sections:
  - title: A
    fields:
      - id: a
        kind: line
        label: A
"""

def _theme_type(line: str) -> dict:
    """A site whose theme's type.html has line in its main block (line 3), and a type to show."""
    return {"site.yml": "title: T\ntheme: mine\n", "content/types/peer.yml": TYPE,
            "themes/mine/templates/type.html": "{% extends 'default/type.html' %}\n{% block main %}\n" + line
                                               + "\n{% endblock %}\n"}


CASES = {
    "site_unknown_key": (
        {"site.yml": "title: T\ncohort:\n  stat: 2027-01-01\n"},
        ["site.yml:3:3: unknown key 'stat' — did you mean 'start'?"],
    ),
    "site_missing_title": (
        {"site.yml": "description: x\n"},
        ["site.yml:1:1: missing required key 'title' — add 'title: ...' (The site's title, shown in the header and the browser tab)"],
    ),
    "site_wrong_choice": (
        {"site.yml": "title: T\npaper: A4\n"},
        ["site.yml:2:8: 'paper' is 'A4' — did you mean 'a4'?"],
    ),
    "site_bad_date": (
        {"site.yml": "title: T\ncohort:\n  start: 2027-02-30\n"},
        ["site.yml:3:10: '2027-02-30' does not exist — February 2027 has 28 days: correct the day"],
    ),
    "site_bad_date_quoted": (
        {"site.yml": "title: T\ncohort:\n  start: '2027-02-30'\n"},
        ["site.yml:3:10: 'start': '2027-02-30' does not exist — February 2027 has 28 days: correct the day"],
    ),
    "site_not_a_date": (
        {"site.yml": "title: T\ncohort:\n  start: next monday\n"},
        ["site.yml:3:10: 'start' must be a date (YYYY-MM-DD), not 'next monday'"],
    ),
    "site_bad_url": (
        {"site.yml": "title: T\nurl: org.github.io/handbook\n"},
        ["site.yml:2:6: url 'org.github.io/handbook' is not a full address — write it like 'https://org.github.io/handbook/'"],
    ),
    "site_bad_edit_url": (
        {"site.yml": "title: T\nedit_url: https://github.com/org/handbook/edit/main/\n"},
        ["site.yml:2:11: edit_url 'https://github.com/org/handbook/edit/main/' is not an address with {path} in it — "
         "write it like 'https://github.com/org/handbook/edit/main/{path}'"],
    ),
    "malformed_yaml": (
        {"content/types/peer.yml": "name: Peer\nsummary: [unclosed\n"},
        ["content/types/peer.yml:3:1: invalid YAML: did not find expected ',' or ']' — check the indentation and quoting on this line"],
    ),
    "unknown_key_in_type": (
        {"content/types/peer.yml": TYPE + "cadense: weekly\n"},
        ["content/types/peer.yml:3:1: unknown key 'cadense' — did you mean 'cadence'?"],
    ),
    "wrong_type": (
        {"content/types/peer.yml": TYPE + "best_for: everyone\n"},
        ["content/types/peer.yml:3:11: 'best_for' must be a list of texts, not 'everyone' — write it as [a, b] or as lines starting with '- '"],
    ),
    "list_item_read_as_a_mapping": (
        {"content/types/peer.yml": TYPE + "best_for:\n  - Pairs who meet often\n  - Note: both sides learn\n"},
        ["content/types/peer.yml:5:5: item 2 of 'best_for' must be text, not a mapping — YAML reads text with ': ' as a "
         "key and a value: put it in quotes, - \"Note: both sides learn\""],
    ),
    "value_read_as_a_mapping": (
        {"content/types/peer.yml": TYPE + "cadence:\n  Weekly: an hour\n"},
        ["content/types/peer.yml:4:3: 'cadence' must be text, not a mapping — YAML reads text with ': ' as a key and a "
         "value: put it in quotes, \"Weekly: an hour\""],
    ),
    "wrong_number": (
        {"content/program.yml": MINIMAL["content/program.yml"] + "meetings:\n  every_weeks: two\n"},
        ["content/program.yml:17:16: 'every_weeks' must be a whole number, not 'two'"],
    ),
    "bad_due": (
        {"content/milestones/m.yml": "title: M\ngoal: G\nmilestones:\n  - title: A\n    due: next week\n"},
        ["content/milestones/m.yml:5:10: 'due': 'next week' is not a due date — write 'week 4', 'month 2', 'day 10', 'phase:<id>' or a date such as 2027-03-01"],
    ),
    "due_date_that_does_not_exist": (
        {"content/milestones/m.yml": "title: M\ngoal: G\nmilestones:\n  - title: A\n    due: '2027-06-31'\n"},
        ["content/milestones/m.yml:5:10: 'due': '2027-06-31' does not exist — June 2027 has 30 days: correct the day"],
    ),
    "misspelt_key_in_a_template_used_by_a_worksheet": (
        {"content/milestones/plan.yml": "title: Plan\ngoal: G\nmilestones:\n  - title: A\n    due: week 2\n    ownr: mentor\n",
         "content/worksheets/tracker.yml": "title: Tracker\npurpose: Track.\nsections:\n  - title: S\n    fields:\n"
                                           "      - id: plan\n        kind: table\n        label: Plan\n"
                                           "        rows: from milestones/plan\n        columns: [title, due]\n",
         "content/types/peer.yml": TYPE + "milestones: [plan]\n"},
        ["content/milestones/plan.yml:6:5: unknown key 'ownr' — did you mean 'owner'?"],
    ),
    "unknown_phase": (
        {"content/milestones/m.yml": "title: M\ngoal: G\nmilestones:\n  - title: A\n    due: phase:clousre\n"},
        ["content/milestones/m.yml:5:10: unknown phase 'clousre' — did you mean 'closure'?"],
    ),
    "unknown_role": (
        {"content/milestones/m.yml": "title: M\ngoal: G\nmilestones:\n  - title: A\n    due: week 2\n    owner: mentr\n"},
        ["content/milestones/m.yml:6:12: unknown role 'mentr' — did you mean 'mentor'?"],
    ),
    "unknown_template_in_type": (
        {"content/types/peer.yml": TYPE + "milestones: [speaking]\n"},
        ["content/types/peer.yml:3:14: unknown milestone 'speaking' — there are no milestones yet: add content/milestones/speaking.yml"],
    ),
    "unknown_type_in_template": (
        {"content/types/peer.yml": TYPE, "content/milestones/m.yml": "title: M\ngoal: G\ntypes: [per]\nmilestones:\n  - title: A\n    due: week 1\n"},
        ["content/milestones/m.yml:3:9: unknown type 'per' — did you mean 'peer'?"],
    ),
    "unknown_worksheet_in_phase": (
        {"content/worksheets/goals.yml": WS, "content/program.yml": MINIMAL["content/program.yml"].replace("end: week 10", "end: week 10\n    worksheets: [goal]")},
        ["content/program.yml:12:18: unknown worksheet 'goal' — did you mean 'goals'?"],
    ),
    "missing_required": (
        {"content/worksheets/goals.yml": "title: Goals\nsections: []\n"},
        ["content/worksheets/goals.yml:1:1: missing required key 'purpose' — add 'purpose: ...' (One sentence: what it is for)"],
    ),
    "duplicate_field": (
        {"content/worksheets/goals.yml": WS + "      - id: a\n        kind: text\n        label: B\n"},
        ["content/worksheets/goals.yml:9:9: duplicate field id 'a' (first at line 6) — give each field its own id"],
    ),
    "unknown_field_kind": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: paragraph")},
        ["content/worksheets/goals.yml:7:15: 'kind' is 'paragraph' — expected one of: checklist, choice, date, line, scale, signature, table, text"],
    ),
    "scale_min_max": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: scale\n        min: 5\n        max: 1")},
        ["content/worksheets/goals.yml:8:14: field 'a': 'min' (5) must be below 'max' (1) — swap them"],
    ),
    "table_without_columns": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: table")},
        ["content/worksheets/goals.yml:7:15: table field 'a' has no columns — add 'columns: [First, Second]'"],
    ),
    "rows_from_unknown_template": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: table\n        columns: [A]\n        rows: from milestones/nope")},
        ["content/worksheets/goals.yml:9:15: rows from unknown milestone template 'nope' — add "
         "content/milestones/nope.yml or name an existing template"],
    ),
    "rows_from_unknown_program_list": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: table\n        columns: [A]\n        rows: from program/phasess")},
        ["content/worksheets/goals.yml:9:15: field 'a': rows from unknown list 'program/phasess' — did you mean 'phases'?"],
    ),
    "a_broken_worksheet_is_reported_once": (  # (not again where a guide embeds it)
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: table\n        columns: [A]\n        rows: from program/phasess"),
         "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\n::worksheet goals\n\n::worksheet-card goals\n"},
        ["content/worksheets/goals.yml:9:15: field 'a': rows from unknown list 'program/phasess' — did you mean 'phases'?"],
    ),
    "column_source_the_rows_do_not_have": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: table\n        rows: from program/roles\n"
                                                   "        columns:\n          - {label: When, source: due}")},
        ["content/worksheets/goals.yml:10:11: column 'When' of table 'a' shows 'due', which an item of program/roles does "
         "not have — use one of title, summary, responsibilities, time_commitment, or 'none'"],
    ),
    "choice_without_options": (
        {"content/worksheets/goals.yml": WS.replace("kind: line", "kind: choice")},
        ["content/worksheets/goals.yml:7:15: field 'a' of kind 'choice' needs 'options' — add a list of choices"],
    ),
    "guide_unknown_audience": (
        {"content/guides/a.md": "---\ntitle: A\naudience: [mentors]\n---\nText.\n"},
        ["content/guides/a.md:3:12: unknown role 'mentors' — did you mean 'mentor'?"],
    ),
    "guide_unknown_directive": (
        {"content/guides/a.md": "---\ntitle: A\n---\n\n::bogus x\n"},
        ["content/guides/a.md:5:1: unknown directive '::bogus' — expected one of: milestones, phases, roles, type, worksheet, worksheet-card"],
    ),
    "guide_unknown_directive_id": (
        {"content/types/peer.yml": TYPE, "content/guides/a.md": "---\ntitle: A\n---\n\nIntro.\n\n::type peeer\n"},
        ["content/guides/a.md:7:1: unknown type 'peeer' in '::type' — did you mean 'peer'?"],
    ),
    "guide_missing_link": (
        {"content/guides/a.md": "---\ntitle: A\n---\n\nSee [the other](other.md) guide.\n"},
        ["content/guides/a.md:5:17: link target 'other.md' does not exist — check the path, relative to a.md"],
    ),
    "guide_misspelt_link": (
        {"content/guides/start/finding-a-mentor.md": "---\ntitle: F\n---\n",
         "content/guides/start/a.md": "---\ntitle: A\n---\n\nSee [finding one](finding-a-mentr.md).\n"},
        ["content/guides/start/a.md:5:19: link target 'finding-a-mentr.md' does not exist — did you mean "
         "'finding-a-mentor.md'?"],
    ),
    "guide_link_to_another_folder": (
        {"content/guides/start/finding-a-mentor.md": "---\ntitle: F\n---\n",
         "content/guides/later/a.md": "---\ntitle: A\n---\n\nSee [finding one](finding-a-mentor.md).\n"},
        ["content/guides/later/a.md:5:19: link target 'finding-a-mentor.md' does not exist — did you mean "
         "'../start/finding-a-mentor.md'?"],
    ),
    "guide_link_to_a_type": (
        {"content/types/peer.yml": TYPE, "content/guides/a.md": "---\ntitle: A\n---\n\nSee [peers](../types/peers.yml).\n"},
        ["content/guides/a.md:5:13: link target '../types/peers.yml' does not exist — did you mean '../types/peer.yml'?"],
    ),
    "guide_front_matter_not_closed": (
        {"content/guides/a.md": "---\ntitle: A\n\nText.\n"},
        ["content/guides/a.md:1:1: front matter is not closed — add a line '---' after the title and other keys"],
    ),
    "guide_without_title": (
        {"content/guides/a.md": "Just text.\n"},
        ["content/guides/a.md:1:1: the guide has no title — start it with front matter ('---', 'title: ...', '---')"],
    ),
    "guide_front_matter_yaml": (
        {"content/guides/a.md": "---\ntitle: A: B\n---\nText.\n"},
        ["content/guides/a.md:2:9: invalid YAML: mapping values are not allowed in this context — put the text in quotes: title: \"A: B\""],
    ),
    "duplicate_url": (
        {"content/guides/a.md": "---\ntitle: A\n---\n", "content/guides/b.md": "---\ntitle: B\nslug: a\n---\n"},
        ["content/guides/b.md:1:1: 'B' would be written to 'guides/a/', like 'A' (content/guides/a.md) — give one of them another file name or 'slug'"],
    ),
    "missing_program": (
        {"content/program.yml": None, "content/types/peer.yml": TYPE},
        ["content/program.yml is missing — create it with at least 'name: Your program'"],
    ),
    "template_syntax_error": (
        {"site.yml": "title: T\ntheme: mine\n", "themes/mine/templates/guide.html": "{% extends 'default/guide.html' %}\n{% block main %}{{ page.title }\n{% endblock %}\n",
         "content/guides/a.md": "---\ntitle: A\n---\n"},
        ["themes/mine/templates/guide.html:2:31: template syntax error: unexpected '}' — check the brackets: a value is "
         "written {{ ... }}, a tag {% ... %}"],
    ),
    "template_undefined_variable": (
        _theme_type("<p>{{ pgae.title }}</p>"),
        ["themes/mine/templates/type.html:3:7: template error: 'pgae' is undefined — did you mean 'page'?"],
    ),
    "template_undefined_loop_variable": (
        _theme_type("{% for phase in program.phases %}{{ phse.name }}{% endfor %}"),
        ["themes/mine/templates/type.html:3:37: template error: 'phse' is undefined — did you mean 'phase'?"],
    ),
    "template_undefined_far_from_any": (
        _theme_type("<p>{{ zzz }}</p>"),
        ["themes/mine/templates/type.html:3:7: template error: 'zzz' is undefined — check the spelling (docs/themes.md "
         "lists what each template sees)"],
    ),
    "template_misspelt_attribute": (
        _theme_type("<p>{{ item.nmae }}</p>"),
        ["themes/mine/templates/type.html:3:12: template error: 'mentorsite.site.model.MentoringType object' has no "
         "attribute 'nmae' — did you mean 'name'?"],
    ),
    "template_misspelt_key": (
        _theme_type("{% for p in program.phases %}<p>{{ p.nmae }}</p>{% endfor %}"),
        ["themes/mine/templates/type.html:3:38: template error: 'mentorsite.site.model.Phase object' has no attribute 'nmae' "
         "— did you mean 'name'?"],
    ),
    "template_unknown_filter": (
        _theme_type("<p>{{ item.name | uppercas }}</p>"),
        ["themes/mine/templates/type.html:3:19: template syntax error: No filter named 'uppercas' — did you mean 'upper'?"],
    ),
    "template_misspelt_end_tag": (
        _theme_type("{% for p in program.phases %}{{ p.name }}{% endfro %}"),
        ["themes/mine/templates/type.html:3:45: template syntax error: Encountered unknown tag 'endfro'. Jinja was looking "
         "for the following tags: 'endfor' or 'else'. The innermost block that needs to be closed is 'for' — did you "
         "mean 'endfor'?"],
    ),
    "template_block_left_open": (
        _theme_type("{% if item.cadence %}<p>{{ item.cadence }}</p>"),
        ["themes/mine/templates/type.html:4:4: template syntax error: Encountered unknown tag 'endblock'. You probably "
         "made a nesting mistake. Jinja is expecting this tag, but currently looking for 'elif' or 'else' or 'endif'. "
         "The innermost block that needs to be closed is 'if' — close the 'if' block before it with {% endif %}"],
    ),
    "template_missing_bracket": (
        _theme_type("<p>{{ t('nav.home' }}</p>"),
        ["themes/mine/templates/type.html:3:20: template syntax error: unexpected '}', expected ')' — a ')' is missing "
         "before it"],
    ),
    "missing_template": (
        {"site.yml": "title: T\ntheme: mine\n", "themes/mine/templates/404.html": "{% extends 'base.html' %}\n{% block main %}\n{% include 'partials/nope.html' %}\n{% endblock %}\n"},
        ["themes/mine/templates/404.html:3:1: template 'partials/nope.html' not found in the theme — add it to the theme's templates/ folder or remove what uses it"],
    ),
    "theme_circle": (
        {"site.yml": "title: T\ntheme: a\n", "themes/a/theme.yml": "extends: b\n", "themes/b/theme.yml": "extends: a\n"},
        ["themes/b/theme.yml:1:1: themes extend each other in a circle (a -> b -> a) — make one of them extend 'default'"],
    ),
    "missing_theme": (
        {"site.yml": "title: T\ntheme: nope\n"},
        ["site.yml:1:1: theme 'nope' not found — create the folder themes/nope/ or set 'theme: default'"],
    ),
}


@pytest.mark.parametrize("files, expected", CASES.values(), ids=CASES.keys())
def test_error_messages(make_site, run, files, expected):
    root = make_site(files)
    result = run("build")
    assert result.code == 1
    assert result.errors == expected
    assert "Traceback" not in result.err
    assert not (root / "_site").exists()


def test_all_problems_are_listed_before_stopping(make_site, run):
    make_site({
        "content/types/peer.yml": TYPE + "cadense: weekly\n",
        "content/types/group.yml": "name: G\n",
        "content/guides/a.md": "---\ntitle: A\n---\nSee [x](x.md).\n",
    })
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/guides/a.md:4:9: link target 'x.md' does not exist — check the path, relative to a.md",
        "content/types/group.yml:1:1: missing required key 'summary' — add 'summary: ...' (One sentence: what it is)",
        "content/types/peer.yml:3:1: unknown key 'cadense' — did you mean 'cadence'?",
    ]
    assert result.err.splitlines()[-1] == "mentorsite: 3 problems found"


def test_debug_shows_the_traceback(make_site):
    from mentorsite.commands.cli import main
    from mentorsite.errors import SiteErrors

    make_site({"content/types/peer.yml": TYPE + "cadense: weekly\n"})
    with pytest.raises(SiteErrors):
        main(["--debug", "build"])


def test_no_config(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    result = run("build")
    assert result.code == 1
    assert result.errors == [
        "no site.yml in this folder — run mentorsite in a handbook folder, pass --config PATH, or create a handbook "
        "with 'mentorsite new DIR'"
    ]


@pytest.mark.parametrize("command", ["build", "check", "serve", "deploy", "packs"])
def test_a_missing_config_file_is_reported_as_missing(make_site, run, command):
    args = ["roster.csv"] if command == "packs" else []
    result = run(command, "--config", "handbook/site.yml", *args)
    assert result.code == 1
    assert result.errors == [
        "--config handbook/site.yml: the file does not exist — give the path of the handbook's site.yml, "
        "relative to this folder"
    ]
    result = run(command, "--config", "content", *args)
    assert result.errors == [
        "--config content: the file is a folder — give the path of the handbook's site.yml, relative to this folder"
    ]


def test_a_bad_option_prints_the_command_s_usage(make_site, run):
    result = run("build", "--bogus")
    assert result.code == 2
    assert result.err.splitlines()[0] == "usage: mentorsite build [-h] [--config FILE] [--strict] [--quiet | --verbose]"
    assert result.err.splitlines()[-1] == "mentorsite build: error: unrecognized arguments: --bogus"
    result = run("check", "--output", "x")
    assert result.code == 2
    assert result.err.splitlines()[0].startswith("usage: mentorsite check [-h]")
    assert result.err.splitlines()[-1] == "mentorsite check: error: unrecognized arguments: --output x"
    result = run("--bogus")
    assert result.code == 2
    assert result.err.splitlines()[-1] == "mentorsite: error: unrecognized arguments: --bogus"
    assert not (make_site() / "_site").exists()


def test_a_file_name_with_a_line_break_or_invisible_characters_gives_one_line(make_site, run):
    """Linux allows any byte but '/' and NUL in a name: a line break, a right-to-left override
    or a byte that is not UTF-8 is shown escaped, so the message stays one readable line."""
    root = make_site({"site.yml": "title: T\nhandbook_pdfs: false\n", "content/types/bad\nna\u202eme.yml": TYPE})
    (root / "content/guides").mkdir(parents=True)
    with open(bytes(root / "content/guides") + b"/g\xff\t.md", "wb") as f:
        f.write(b"---\ntitle: [x\n---\n")
    result = run("build")
    assert result.code == 1
    assert result.errors == [
        "content/guides/g\\udcff\\t.md:3:1: invalid YAML: did not find expected ',' or ']' — check the indentation and "
        "quoting on this line",
        "content/types/bad\\nna\\u202eme.yml:1:1: file name 'bad\\nna\\u202eme.yml' is not a valid id — use lowercase "
        "letters, digits and dashes",
    ]
