import pytest
from bs4 import BeautifulSoup

from mentorsite.sources.markdown import _slug_by_category, make_markdown, slugify


def render(text: str, env: dict | None = None) -> BeautifulSoup:
    env = {} if env is None else env
    md = make_markdown()
    return BeautifulSoup(md.render(text, env), "html.parser")


@pytest.mark.parametrize(
    "text, slug",
    [("Trust & respect", "trust-respect"), ("1. Define your objectives", "1-define-your-objectives"),
     ("Café crème", "café-crème"), ("Наставничество", "наставничество"), ("  --  ", "")],
)
def test_slugify_keeps_letters_of_every_script(text, slug):
    assert slugify(text) == slug


def test_headings_get_unique_anchors_and_are_collected():
    env = {}
    html = render("## Goals\n\n## Goals\n\n### Why `code`\n", env)
    assert [h["id"] for h in html.select("h2, h3")] == ["goals", "goals-1", "why-code"]
    assert env["headings"] == [(2, "Goals", "goals"), (2, "Goals", "goals-1"), (3, "Why code", "why-code")]


@pytest.mark.parametrize("kind", ["note", "tip", "warning", "important"])
def test_admonitions(kind):
    html = render(f":::{kind}\nBody *text*.\n:::\n")
    box = html.select_one(f"aside.admonition-{kind}")
    assert box.select_one(".admonition-title").get_text() == kind.capitalize()
    assert box.select_one("em").get_text() == "text"


def test_admonition_with_title():
    assert render(":::tip Before you start\nx\n:::\n").select_one(".admonition-title").get_text() == "Before you start"


def test_directives_call_back_with_name_and_id():
    calls = []

    def directive(name, arg, line):
        calls.append((name, arg, line))
        return f"<div class='d'>{name}</div>"

    html = render("Intro.\n\n::type peer\n\n::phases\n\n:::note\n::roles\n:::\n", {"directive": directive})
    assert calls == [("type", "peer", 2), ("phases", "", 4), ("roles", "", 7)]
    assert len(html.select("div.d")) == 3


def test_double_colon_inside_a_paragraph_is_text():
    html = render("Write it like this: ::type peer is a directive only alone on its line.\n")
    assert "::type peer" in html.get_text()


def test_tables_footnotes_tasks_definitions():
    html = render("| a | b |\n|---|---|\n| 1 | 2 |\n\nx[^1]\n\n[^1]: note\n\n- [ ] todo\n\nTerm\n: Def\n")
    assert html.select_one("table td").get_text() == "1"
    assert html.select_one(".footnotes li").get_text().startswith("note")
    assert html.select_one(".task-list-item input[type=checkbox]") is not None
    assert html.select_one("dl dt").get_text() == "Term"


def test_relative_links_are_resolved_and_others_kept():
    env = {"resolve_link": lambda href: "/x/" + href}
    html = render("[a](a.md) [b](https://example.org) [c](#top) [d](/abs) ![i](pic.png)\n", env)
    assert [a["href"] for a in html.select("a")] == ["/x/a.md", "https://example.org", "#top", "/abs"]
    assert html.select_one("img")["src"] == "/x/pic.png"


def test_slugify_of_ascii_text_is_the_slug_the_unicode_categories_give():
    import random

    r = random.Random(1)
    alphabet = [chr(c) for c in range(128)] + list("aeiouAZ09  --")
    texts = ["".join(r.choice(alphabet) for _ in range(r.randint(0, 30))) for _ in range(20000)]
    assert [t for t in texts if slugify(t) != _slug_by_category(t)] == []
