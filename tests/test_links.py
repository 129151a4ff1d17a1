"""`mentorsite check` follows every link of the rendered site, in memory, and reports each
problem at the file and line that wrote the link."""

import re

import pytest

from tests.conftest import MINIMAL, REPO

TYPE = """\
name: Peer mentoring
summary: Two colleagues learn together.
strengths:
  - Both people learn
"""
GUIDE = """\
---
title: Alpha
---

## Start

A raw link to <a href="../missing/">a page that is not there</a>.

<p><img src="../../assets/nope.png" alt="Nope"></p>

See [peer's strengths](../types/peer.yml#strenghts) and [the start](#start).
"""
THEME = """\
{% extends "default/guide.html" %}
{% block main %}{{ super() }}
<p class="mine"><a href="{{ url('guides/old-page/') }}">Old page</a></p>
{% endblock %}
"""
BROKEN = {
    "site.yml": "title: T\ntheme: mine\n",
    "content/types/peer.yml": TYPE,
    "content/guides/alpha.md": GUIDE,
    "themes/mine/templates/guide.html": THEME,
}


def test_broken_link_anchor_and_image_each_at_their_source(make_site, run):
    make_site(BROKEN)
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/guides/alpha.md:11:24: warning: link anchor '#strenghts' not found in '/types/peer/' — "
        "did you mean '#strengths'?",
        "content/guides/alpha.md:7:24: link '../missing/' — nothing at '/guides/missing/' in the built site; "
        "link to the guide's .md file (or the .yml of a type, template or worksheet) instead",
        "content/guides/alpha.md:9:14: image '../../assets/nope.png' — nothing at '/assets/nope.png' in the built "
        "site; add the file to content/assets/ or fix the path",
        "themes/mine/templates/guide.html:3:34: link '/guides/old-page/' — nothing at '/guides/old-page/' in the "
        "built site; check the path given to url()",
    ]
    assert result.err.splitlines()[-1] == "mentorsite: 3 problems found"


def test_strict_makes_a_broken_anchor_an_error(make_site, run):
    make_site({"content/types/peer.yml": TYPE,
               "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nSee [peer](../types/peer.yml#strenghts).\n"})
    result = run("check")
    assert result.code == 0
    assert result.errors == [
        "content/guides/alpha.md:5:12: warning: link anchor '#strenghts' not found in '/types/peer/' — did you mean "
        "'#strengths'?",
    ]
    assert re.fullmatch(r"Checked \d+ pages: no errors, 1 warning\n", result.out)
    strict = run("check", "--strict")
    assert strict.code == 1
    assert strict.errors == [
        "content/guides/alpha.md:5:12: link anchor '#strenghts' not found in '/types/peer/' — did you mean "
        "'#strengths'? (warning, an error with --strict)",
    ]


def test_strict_in_site_yml(make_site, run):
    make_site({"site.yml": "title: T\nstrict: true\n", "content/types/peer.yml": TYPE,
               "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\n[x](../types/peer.yml#nope)\n"})
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/guides/alpha.md:5:5: link anchor '#nope' not found in '/types/peer/' — link to one of that "
        "page's headings (warning, an error with --strict)",
    ]


def test_links_outside_the_base_path(make_site, run):
    make_site({
        "site.yml": "title: T\nurl: https://org.github.io/handbook/\ntheme: mine\n",
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nSee <a href=\"/guides/beta/\">beta</a>.\n",
        "content/guides/beta.md": "---\ntitle: Beta\n---\n\nBeta.\n",
        "themes/mine/templates/404.html": '{% extends "default/404.html" %}\n{% block head %}'
                                          '<link rel="stylesheet" href="/static/site.css">{% endblock %}\n',
    })
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/guides/alpha.md:5:14: link '/guides/beta/' is outside the site's base path '/handbook/' and will "
        "break on the published site — link to the file itself (a .md or assets/ path), relative to this one",
        "themes/mine/templates/404.html:2:46: stylesheet '/static/site.css' is outside the site's base path "
        "'/handbook/' and will break on the published site — write {{ url('static/site.css') }}",
    ]


def test_a_page_nobody_links_to_is_an_orphan(make_site, run):
    make_site({
        "site.yml": "title: T\ntheme: mine\n",
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nHello.\n",
        "themes/mine/templates/guides.html": '{% extends "base.html" %}\n{% block main %}<h1>Guides</h1>{% endblock %}\n',
        "themes/mine/templates/partials/sidebar.html": "",
    })
    result = run("check")
    assert result.code == 0
    assert result.errors == [
        "content/guides/alpha.md:1:1: warning: page '/guides/alpha/' cannot be reached from the home page — "
        "link to it from a guide or from the navigation",
    ]
    assert run("check", "--strict").code == 1


def test_menu_links_and_stylesheet_urls(make_site, run):
    make_site({
        "site.yml": "title: T\ntheme: mine\nnav_links:\n  - title: Old\n    url: guides/old/\n",
        "themes/mine/static/extra.css": "body {\n  background: url(../img/paper.png);\n}\n",
    })
    result = run("check")
    first, *rest = result.errors
    assert re.fullmatch(re.escape(
        "site.yml:5:10: link '/guides/old/' — nothing at '/guides/old/' in the built site; check the path (a page "
        "of the site, such as 'guides/finding-a-mentor/') (on ") + r"\d+ pages\)", first)
    assert rest == [
        "themes/mine/static/extra.css:2:19: stylesheet file '../img/paper.png' — nothing at '/img/paper.png' in the "
        "built site; add it to the theme's static/ folder or fix the path",
    ]


def test_external_links_are_listed_not_fetched(make_site, run):
    make_site({
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nSee [the guide](https://example.org/mentoring)\n"
                                   "and <a href=\"https://example.org/mentoring\">again</a>.\n",
        "content/program.yml": MINIMAL["content/program.yml"] + "summary: Read [this](http://example.com/x).\n",
    })
    result = run("check", "--external")
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[:6] == [
        "External links (listed, not fetched): 2",
        "http://example.com/x",
        "    content/program.yml:16:22",  # where the URL is written in the value
        "https://example.org/mentoring",
        "    content/guides/alpha.md:5:17",
        "    content/guides/alpha.md:6:14",
    ]


def test_footer_links_from_site_yml_are_listed_once_at_their_line(make_site, run):
    """The footer (site.yml's theme_options) is on every page, but written once: it is listed
    where it is written, not once per page."""
    make_site({
        "site.yml": "title: T\ntheme_options:\n  footer_text: '© 2027 Team · [Privacy](https://example.org/privacy)'\n"
                    "  links:\n    - {title: Slack channel, url: 'https://slack.example.org/mentoring'}\n"
                    "nav_links:\n  - {title: Forum, url: 'https://forum.example.org/'}\n",
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nText.\n",
    })
    result = run("check", "--external")
    assert result.code == 0, result.err
    assert result.out.splitlines()[:7] == [
        "External links (listed, not fetched): 3",
        "https://example.org/privacy",
        "    site.yml:3:41",
        "https://forum.example.org/",
        "    site.yml:7:26",
        "https://slack.example.org/mentoring",
        "    site.yml:5:36",
    ]


def test_the_example_handbook_passes_strict_link_checking(run, monkeypatch):
    monkeypatch.chdir(REPO)
    result = run("check", "--strict")
    assert result.code == 0, result.err
    assert result.err == ""


def test_check_writes_nothing_even_with_links(make_site, run):
    root = make_site(BROKEN)
    run("check", "--external")
    assert sorted(p.name for p in root.iterdir()) == ["content", "site.yml", "themes"]


@pytest.mark.parametrize("value", ["mailto:a@example.org", "tel:+123", "data:image/png;base64,AA==", "javascript:void(0)"])
def test_other_schemes_are_ignored(make_site, run, value):
    make_site({"content/guides/alpha.md": f"---\ntitle: Alpha\n---\n\n<a href=\"{value}\">x</a>\n"})
    result = run("check", "--external")
    assert result.code == 0, result.err
    assert "External links (listed, not fetched): 0" in result.out


def test_markdown_links_in_yaml_lead_from_their_file(make_site, run):
    """A Markdown value of a YAML file links to guides and assets as a guide does: by their
    files, relative to the YAML file; the page gets their URLs under the base path."""
    make_site({
        "site.yml": "title: T\nurl: https://org.github.io/handbook/\n"
                    "theme_options:\n  footer_text: See [the start](guides/alpha.md).\n",
        "content/types/peer.yml": "name: Peer mentoring\nsummary: Two colleagues learn together.\nhow_it_works: |\n"
                                  "  Read [the start](../guides/alpha.md#start) first.\n"
                                  "  ![A logo](../assets/logo.svg)\n",
        "content/assets/logo.svg": '<svg xmlns="http://www.w3.org/2000/svg"/>\n',
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\n## Start\n\nSee [peer](../types/peer.yml).\n",
    })
    assert run("check").code == 0
    assert run("build").code == 0
    page = open("_site/types/peer/index.html", encoding="utf-8").read()
    assert '<a href="/handbook/guides/alpha/#start">the start</a>' in page
    assert '<img src="/handbook/assets/logo.svg" alt="A logo" />' in page
    assert '<a href="/handbook/guides/alpha/">the start</a>' in open("_site/guides/alpha/index.html", encoding="utf-8").read()


def test_broken_markdown_links_in_yaml_at_their_line(make_site, run):
    make_site({
        "content/types/peer.yml": "name: Peer mentoring\nsummary: Two colleagues learn together.\nhow_it_works: |\n"
                                  "  Pairs meet every two weeks.\n"
                                  "  Read [the start](../guides/alpah.md) and [the old page](/guides/old/).\n",
        "content/guides/alpha.md": "---\ntitle: Alpha\n---\n\nSee [peer](../types/peer.yml).\n",
    })
    result = run("check")
    assert result.code == 1
    assert result.errors == [
        "content/types/peer.yml:5:20: link target '../guides/alpah.md' does not exist — check the path, relative "
        "to peer.yml",
        "content/types/peer.yml:5:59: link '/guides/old/' — nothing at '/guides/old/' in the built site; link to "
        "the guide's .md file (or the .yml of a type, template or worksheet), relative to peer.yml",
    ]


def test_links_are_located_from_what_parsing_the_guide_once_found(make_site, run, monkeypatch):
    """Where a link was written, raw HTML's included, is found from the guide's own record of its
    links, made when it was parsed: `check` parses each guide once."""
    from mentorsite.sources import parse

    seen = []
    real = parse.parse_guide
    monkeypatch.setattr(parse, "parse_guide", lambda src, **kw: seen.append(src.rel) or real(src, **kw))
    make_site({
        "content/guides/plain.md": "---\ntitle: Plain\n---\n\nSee [the site](https://example.org/a) and [raw](raw.md).\n",
        "content/guides/raw.md": "---\ntitle: Raw\n---\n\nA <a href=\"https://example.org/b\">raw link</a>, [plain](plain.md).\n",
    })
    result = run("check", "--external")
    assert result.code == 0, result.err
    assert "    content/guides/plain.md:5:16" in result.out and "    content/guides/raw.md:5:12" in result.out
    assert sorted(seen) == ["guides/plain.md", "guides/raw.md"]


JAVASCRIPT_SPELLINGS = [
    '<a href="javascript:alert(1)">1</a>',
    '<a href=" javascript:alert(1)">2</a>',
    '<a href="JaVaScRiPt:alert(1)">3</a>',
    '<a href="java\tscript:alert(1)">4</a>',
    '<a href="&#106;avascript:alert(1)">5</a>',
    '<a href="jav&#x09;ascript:alert(1)">6</a>',
    '<form action="javascript:alert(1)"><button>7</button></form>',
    '<svg><a xlink:href="javascript:alert(1)"><text>8</text></a></svg>',
    '<object data="javascript:alert(1)"></object>',
]


def test_every_spelling_of_a_javascript_url_in_raw_html_is_reported(make_site, run):
    """Issue 21's sweep: 6 of these 9 passed even --strict. Each is read as a browser reads it."""
    body = "".join(f"{html}\n\n" for html in JAVASCRIPT_SPELLINGS)
    make_site({"site.yml": "title: T\nhandbook_pdfs: false\n", "content/guides/a.md": f"---\ntitle: A\n---\n\n{body}"})
    result = run("check", "--strict")
    assert result.code == 1
    assert result.errors == [f"content/guides/a.md:{5 + 2 * i}:{col}: unsafe 'javascript:' link — link to a page or a "
                             "web address instead (warning, an error with --strict)"
                             for i, col in enumerate([10, 10, 10, 10, 1, 1, 15, 21, 15])]
