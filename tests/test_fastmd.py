"""The fast Markdown path (pyromark) gives what markdown-it with our plugins gives, byte for byte,
or declines the document: on the example handbook, generated handbooks, hand-picked cases and
random documents, and through whole builds."""

import random
import re
import sys

import pytest

from mentorsite import fastmd
from mentorsite.build import build
from mentorsite.config import load_config
from mentorsite.markdown import links_in, make_markdown
from mentorsite.parse import _Placeholders, prerender
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
                    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")
_FRONT = re.compile(r"^(---|\.\.\.)[ \t]*$", re.MULTILINE)


def body_of(text: str) -> str:
    if text.startswith("---\n"):
        return text[_FRONT.search(text, 4).end() + 1:]
    return text


def reference(body: str):
    """What the markdown-it path makes: (prerendered body, links with lines, headings)."""
    env: dict = {}
    tokens = make_markdown().parse(body, env)
    links = links_in(tokens)  # (before prerender, which puts placeholders in the tokens)
    return prerender(tokens, True), [tuple(x) for x in links], [tuple(h) for h in env.get("headings", ())]


def fast(body: str):
    placeholders = _Placeholders()
    out = fastmd.render(body, placeholders)
    if out is None:
        return None
    html, links, headings = out
    return (html, tuple(placeholders.links), ()), [tuple(x) for x in links], [tuple(h) for h in headings]


def agrees(body: str) -> bool | None:
    """None when the fast path declines; else whether it gives markdown-it's output."""
    got = fast(body)
    return None if got is None else got == reference(body)


PLAIN = [
    "# Title\n\nA paragraph with *emphasis*, **strong**, `code` and a [link](other.md#part \"Title\").\n",
    "## Goals\n\n## Goals\n\n### Why `code`\n",
    "- one\n- two\n  - nested\n  - nested *too*\n- three\n",
    "1. first\n\n2. second, loose\n\n   with a second paragraph\n",
    "3. starts at three\n4. four\n",
    "> A quote\n> on two lines\n>\n> - with a list\n",
    "| Week | Focus | Link |\n|:-----|:-----:|-----:|\n| 1 | Goals | [plan](plan.md) |\n| 2 | *Trust* | `x` |\n",
    "| a | b |\n|---|---|\n",
    "```python\nprint('hi') # \"quoted\"\n```\n\n    indented code\n",
    "Text with a hard break  \nand a soft\nbreak, and \"quotes\" & ampersands > arrows.\n",
    "![A photo](../../assets/photo.png \"Caption\") and ![](../../assets/empty%20one.png)\n",
    "See [the guide][guide] and [Guide] too.\n\n[guide]: ../other/guide.md \"The guide\"\n",
    "Heading\n=======\n\nSub\n---\n\n***\n\n___\n",
    "- tight item\n  > quote in item\n- [link item](a.md)\n",
    "Unicode: café, naïve, Наставничество, “curly” — dash…\n\n## Café *crème*\n",
    "[a](https://example.com/a?b=1&c=2) [b](/absolute) [c](#anchor) [d](mailto:x@example.com)\n",
    "- a\n\n  ```\n  code in a loose item\n  ```\n- b\n",
    "Escapes: \\*not emphasis\\*, \\[not a link\\], 2 \\* 3\n",
    "A [link\nthat wraps](wrap.md) and [another](b.md) on the next line.\n",
    "A [title with an apostrophe](a.md \"it's & fine\") and ```code's``` too.\n\n```it's\nx\n```\n",
    "Meet for ~30 minutes, every ~2 weeks; see [notes](https://example.com/~me/) and `a~b`.\n",
    "Un «\xa0mot\xa0» français, 10\u202f% et 日本語\u3000テキスト; a\xa0b *c\xa0d* `e\xa0f` [g\xa0h](a.md).\n",
    "&copy; 2027 Q&amp;A&nbsp;team, [caf&eacute;](https://example.com/caf&eacute; \"&quot;t&quot;\") `&amp;`\n\n## Caf&eacute;\n",
]


@pytest.mark.parametrize("body", PLAIN)
def test_plain_markdown_takes_the_fast_path_and_matches(body):
    assert agrees(body) is True


DECLINED = [
    ":::tip Careful\nText.\n:::\n", "::type peer\n", "Note[^1].\n\n[^1]: A footnote.\n", "- [ ] a task\n",
    "~~struck~~\n", "Term\n~ definition\n", "<b>raw</b> html\n", "<https://example.com>\n", "&#169; 2026\n", "[a](&#0;x.md)\n", "Term\n: definition\n",
    "a\ttab\n", "[x](javascript:alert(1))\n", "- a\nlazy\n", "> a\nlazy\n", "- k|\n  -|\n", "\\ \nx\n",
    "[f]:c\n3.\n", "[Ref]:f\n\n[ref](\n", "[*x](a.md)\n", "![a *b](i.png)\n", "0) |\n---\n",
    "\xa0x\n", "x\xa0\n", "## Title\u3000\n", "| a\xa0|\n|---|\n", "```py\xa0x\nc\n```\n", "a\u2028b\n", "\ufeffText\n", "a\x1cb\n", "[a](b\\\nc)\n",
    "[](\n\\\n2)\n", "```\n    ", "[](()\\\n2)\n", "1. ```\n\n1. x\n",
]


@pytest.mark.parametrize("body", DECLINED)
def test_what_only_markdown_it_renders_right_is_declined(body):
    assert fast(body) is None


def test_generated_and_example_guides_match(tmp_path):
    generate(tmp_path / "g", 120)
    taken = 0
    for path in sorted((tmp_path / "g/content").rglob("*.md")):
        assert agrees(body_of(path.read_text())) is True, path
        taken += 1
    assert taken > 120
    example = sorted((REPO / "content").rglob("*.md"))
    results = [agrees(body_of(p.read_text())) for p in example]
    assert False not in results
    assert results.count(True) >= 3  # the plainer guides take the fast path


# random documents: inline and block constructs mixed, with the characters that trip parsers
_WORDS = ["trust", "goal", "Plan", "é", "naïve", "mentor's", '"quoted"', "a*b", "_x_", "*", "**", "_", "__",
          "`", "\\*", "\\", "[", "]", "(", ")", "!", "#", "=", "-", "+", "1.", ">", "|", "\\|", "&", "'",
          "“q”", "—", "…", "x_y_z", "**bold**", "*em*", "_em_", "__strong__", "`code`", "``co`de``", "` `",
          "http://x.y/z", "$", "%", "ß", "Ω", "—*", "*—", "。", "!*", "*!", ".", ",", "~", "~30", "a~b", "~~"]
_LINKS = ["a.md", "~user/a.md", "../b/c.md#sec", "#top", "https://example.com/x?y=1&z=2", "/abs", "c d.md", "a%20b.md",
          "é.md", 'x.md "T"', "x.md 'T t'", "x.md (T)", "", "a(b).md", "a\\)b.md", "mailto:x@y.z",
          "javascript:alert(1)", "HTTP://Ex.COM", "a.md#é", "file.pdf", 'x.md "a\\"b"', 'x.md "it\'s"',
          "x.md 'a \"q\" & b'"]


def _word(r):
    return r.choice(_WORDS) if r.random() < 0.3 else r.choice(["learn", "meeting", "share", "Balance", "x", "ok"])


def _inline(r, depth=0):
    parts = []
    for _ in range(r.randint(1, 8)):
        k = r.random()
        if k < 0.5 or depth > 2:
            parts.append(_word(r))
        elif k < 0.6:
            parts.append(f"*{_inline(r, depth + 1)}*")
        elif k < 0.68:
            parts.append(f"**{_inline(r, depth + 1)}**")
        elif k < 0.72:
            parts.append(f"_{_inline(r, depth + 1)}_")
        elif k < 0.8:
            parts.append(f"[{_inline(r, depth + 1)}]({r.choice(_LINKS)})")
        elif k < 0.84:
            parts.append(f"![{_inline(r, depth + 1)}]({r.choice(_LINKS)})")
        elif k < 0.88:
            parts.append(f"[{_word(r)}][{r.choice(['ref', 'Ref', 'nope', ''])}]")
        elif k < 0.92:
            parts.append(f"`{_word(r)}`")
        elif k < 0.96:
            parts.append("[ref]")
        else:
            parts.append(r.choice(["  \n", "\\\n", "\n"]))
    return r.choice([" ", " ", "", "\n"]).join(parts)


def _block(r, depth=0):
    k = r.random()
    if k < 0.3 or depth > 3:
        return _inline(r)
    if k < 0.4:
        return "#" * r.randint(1, 7) + r.choice([" ", "", "  "]) + _inline(r).replace("\n", " ") + r.choice(["", " #"])
    if k < 0.45:
        return _inline(r).replace("\n", " ") + "\n" + r.choice(["===", "---", "-", "= ="])
    if k < 0.6:
        ordered = r.random() < 0.4
        start = r.choice([1, 1, 0, 3, 10])
        items = []
        for j in range(r.randint(1, 4)):
            marker = f"{start + j}{r.choice(['.', ')'])}" if ordered else r.choice(["-", "*", "+", "-"])
            inner = _block(r, depth + 1)
            if r.random() < 0.3:
                inner += r.choice(["\n", "\n\n"]) + _block(r, depth + 1)
            lines = inner.split("\n")
            pad = " " * (len(marker) + 1)
            items.append(marker + r.choice([" ", " ", "  "])
                         + "\n".join([lines[0]] + [(pad + line if line else "") for line in lines[1:]]))
        return r.choice(["\n", "\n", "\n\n"]).join(items)
    if k < 0.68:
        return "\n".join(r.choice(["> ", ">"]) + line for line in _block(r, depth + 1).split("\n"))
    if k < 0.75:
        fence = r.choice(["```", "````"])
        return f"{fence}{r.choice(['', 'py', 'python x=1', ' js', 'a`b'])}\n{_inline(r)}\nx & y > z\n{fence}"
    if k < 0.8:
        return "    " + _inline(r).replace("\n", "\n    ")
    if k < 0.83:
        return r.choice(["---", "***", "___", "- - -", "* * *"])
    if k < 0.93:
        cols = r.randint(1, 4)
        rows = ["| " + " | ".join(_word(r) for _ in range(cols)) + " |",
                "|" + "|".join(r.choice(["---", ":--", "--:", ":-:", "-"]) for _ in range(cols)) + "|"]
        for _ in range(r.randint(0, 3)):
            n = max(cols + r.choice([0, 0, 0, -1, 1]), 0)
            rows.append("| " + " | ".join(_inline(r).replace("\n", " ") for _ in range(n)) + " |")
        table = "\n".join(rows)
        return table.replace("| ", "").replace(" |", "") if r.random() < 0.2 else table
    if k < 0.97:
        return f"[{r.choice(['ref', 'Ref', 'other'])}]: {r.choice(_LINKS)}"
    return _inline(r)


def sort_out(texts):
    """(the texts where the fast path gives other output than markdown-it, how many it took)."""
    wrong, taken = [], 0
    for text in texts:
        result = agrees(text)
        taken += result is True
        if result is False:
            wrong.append(text)
    return wrong, taken


def random_document(seed: int) -> str:
    r = random.Random(seed)
    return r.choice(["\n\n", "\n\n", "\n"]).join(_block(r) for _ in range(r.randint(1, 8))) + r.choice(["", "\n"])


def test_random_documents_match_or_are_declined():
    wrong, taken = sort_out(random_document(seed) for seed in range(6000))
    assert wrong == []
    assert taken > 400  # the fast path still takes a good share of them


def test_random_characters_match_or_are_declined():
    """Short strings of the characters that matter to parsers, Unicode spaces and marks among them."""
    alphabet = [*"abc xyz*_`[]()!#>-+|:.\\\n\n\n  \"'&é😀ß1290=~<", "\u2028", "\xa0", "\ufeff", "\u0301",
                "𝔘", "\u200b", "\u3000", "\x1c", "\xad", "。", "¡", "—"]
    r = random.Random(7)
    wrong, taken = sort_out("".join(r.choice(alphabet) for _ in range(r.randint(0, 120))) for _ in range(8000))
    assert wrong == []
    assert taken > 300


def test_random_strings_of_markdown_pieces_match_or_are_declined():
    """Strings of Markdown's pieces (link brackets, quotes, fences, markers, breaks) in any order."""
    pieces = ["a", "b", "word", " ", " ", "  ", "\n", "\n", "\n\n", "*", "**", "_", "`", "```", "[", "]", "](",
              "(", ")", "![", '"', "'", "it's", '"t"', "'t'", "(t)", "#", "## ", "> ", "- ", "1. ", "2) ", "|",
              " | ", "---", ":--", "\\", "\\\n", "  \n", "x.md", "../a/b.md#c", "é", "—", "!", ".", ",", "?",
              "[ref]", "[ref]: u.md", "    ", "   ", "~", "~~", "&amp;", "&nbsp;", "&copy;", "&bogus;",
              "\xa0", "a\xa0b", "\u3000", "\u202f"]
    r = random.Random(11)
    wrong, taken = sort_out("".join(r.choice(pieces) for _ in range(r.randint(0, 60))) for _ in range(8000))
    assert wrong == []
    assert taken > 1800  # (of 8,000: the pieces include what must be declined)


def test_delimiter_rows_are_counted_as_the_expression_counts_them():
    """fastmd counts table delimiter rows by running its expression on stretches of the text only."""
    pieces = ["a", "b", " ", "\n", "\n", "\n\n", "|", " | ", "---", ":--", "-", ":", "> ", "- ", "1. ", "2) ",
              "    ", "\u0663", "*", "+", ".", ")", "\u00e9"]
    r = random.Random(5)
    texts = ["".join(r.choice(pieces) for _ in range(r.randint(0, 60))) for _ in range(20000)]
    texts += [random_document(seed) for seed in range(2000)]
    counts = [(fastmd._delimiter_rows(text), len(fastmd._DELIMITER_ROW.findall(text))) for text in texts]
    assert [c for c in counts if c[0] != c[1]] == []
    assert sum(1 for c in counts if c[1] > 1) > 500  # many texts with several rows


def test_the_quick_looks_for_a_definition_or_a_refused_link_agree_with_their_expressions():
    pieces = ["a", " ", "\n", "\n", ":", "::", "~", "> ", "- ", "1. ", "2) ", "  ", "\u0663", "*", "+", ".", ")", "java",
              "script", "Script:", "DATA:", "file", "vb", "\u00e9", "\u212a", "\u017f", "x:y", "data"]
    r = random.Random(3)
    texts = ["".join(r.choice(pieces) for _ in range(r.randint(0, 40))) for _ in range(30000)]
    found = [(fastmd._definition(t), fastmd._DEFINITION.search(t) is not None,
              fastmd._refused(t), fastmd._REFUSED.search(t) is not None) for t in texts]
    assert [f for f in found if f[0] != f[1] or f[2] != f[3]] == []
    assert 5000 < sum(f[1] for f in found) < 25000 and 5000 < sum(f[3] for f in found) < 25000


def test_a_build_is_the_same_with_and_without_the_fast_path(tmp_path, monkeypatch):
    """Whole sites, byte for byte: a generated handbook (serial and in workers) and the example."""
    root = tmp_path / "handbook"
    generate(root, 60)
    extra = root / "content/guides/topic-01/guide-00001.md"
    extra.write_text(extra.read_text() + "\n" + "\n".join(PLAIN))
    for name in ("other", "plan", "a", "wrap", "b", "../other/guide"):  # what PLAIN links to
        target = extra.parent / f"{name}.md"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(f"---\ntitle: {name.title()}\n---\n\n## Part\n\nText.\n")
    (root / "content/assets").mkdir(exist_ok=True)
    for name in ("photo.png", "empty one.png"):
        (root / "content/assets" / name).write_bytes(PNG)
    assert fastmd.render(body_of(extra.read_text())) is not None

    def tree(folder):
        return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}

    def site(config, out, jobs):
        build(load_config(config, output=str(out)), use_cache=False, jobs=jobs)
        return tree(out)

    fast_serial = site(root / "site.yml", tmp_path / "fast1", 1)
    fast_parallel = site(root / "site.yml", tmp_path / "fast2", 2)
    example_fast = site(REPO / "site.yml", tmp_path / "example-fast", 1)
    monkeypatch.setattr(fastmd, "render", lambda body, link=None: None)
    slow = site(root / "site.yml", tmp_path / "slow", 1)
    example_slow = site(REPO / "site.yml", tmp_path / "example-slow", 1)
    assert sorted(fast_serial) == sorted(slow) == sorted(fast_parallel)
    assert [rel for rel in slow if slow[rel] != fast_serial[rel]] == []
    assert [rel for rel in slow if slow[rel] != fast_parallel[rel]] == []
    assert sorted(example_fast) == sorted(example_slow)
    assert [rel for rel in example_slow if example_slow[rel] != example_fast[rel]] == []
