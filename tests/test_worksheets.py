"""Worksheet pages as forms: a labelled control for every field, the toolbar and its script, the
keys the saved answers use, cards with purpose, audience and PDF link, and paper-size printing."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.test_pdf import EVERY_KIND, OTHER, SITE, TEMPLATE

GUIDE = "---\ntitle: Using the worksheet\n---\n\n## Fill it in here\n\n::worksheet every\n\n## Or download it\n\n::worksheet-card other\n"
PLAIN_GUIDE = "---\ntitle: Plain\n---\n\nNo worksheet here.\n"


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture
def site(make_site, run):
    root = make_site({
        "site.yml": SITE.format(paper="a4"),
        "content/milestones/speaking.yml": TEMPLATE,
        "content/worksheets/every.yml": EVERY_KIND,
        "content/worksheets/other.yml": OTHER,
        "content/guides/using.md": GUIDE,
        "content/guides/plain.md": PLAIN_GUIDE,
    })
    result = run("build")
    assert result.code == 0, result.err
    return root / "_site"


def test_every_field_has_a_visible_label(site):
    page = soup(site / "worksheets/every/index.html")
    form = page.select_one("section.worksheet[data-worksheet=every]")
    fields = {div["data-field"]: div for div in form.select("[data-field]")}
    assert list(fields) == ["name", "story", "when", "mode", "topics", "mood", "sign", "plan", "tracker"]
    for fid in ("name", "story", "when", "sign"):
        control = fields[fid].select_one("input, textarea")
        label = fields[fid].select_one(f"label[for={control['id']}]")
        assert label is not None and label.get_text(strip=True), fid
    assert fields["story"].select_one("textarea")["rows"] == "3"
    assert fields["when"].select_one("input")["type"] == "date"
    for fid, legend, values in [("mode", "How we meet", ["In person", "Video"]),
                                ("topics", "Topics", ["Career", "Skills", "Network"]),
                                ("mood", "Mood", ["1", "2", "3", "4", "5"])]:
        fieldset = fields[fid].select_one("fieldset")
        assert fieldset.select_one("legend").get_text(strip=True) == legend
        inputs = fieldset.select("input")
        assert [i["value"] for i in inputs] == values
        assert all(i.find_parent("label").get_text(strip=True) == v for i, v in zip(inputs, values))
    assert [i["type"] for i in fields["topics"].select("input")] == ["checkbox"] * 3
    assert fields["mood"].select_one("#f-every-mood-min").get_text() == "Low"


def test_table_cells_are_named_by_column(site):
    page = soup(site / "worksheets/every/index.html")
    plan = page.select_one("[data-field=plan]")
    rows = plan.select("tbody tr")
    assert len(rows) == 2
    assert [td["data-col"] for td in rows[0].select("td")] == ["action", "done", "owner", "notes", "by"]
    for td in rows[1].select("td"):
        control = td.select_one("input, select, textarea")
        assert control["aria-label"].endswith(", row 2")
    tracker = page.select_one("[data-field=tracker]")
    first = tracker.select("tbody tr")[0]
    assert first.select_one("td[data-col=title] textarea").get_text() == "First talk"
    assert first.select_one("td[data-col=due] input")["value"] == "2027-02-08"
    # on paper a blank select shows nothing: the options are printed under the column heading
    assert tracker.select_one("th .col-options").get_text() == "To do · Done"


def test_the_toolbar_links_the_pdf_and_names_the_storage_key(site):
    page = soup(site / "worksheets/every/index.html")
    form = page.select_one("section.worksheet")
    assert form["data-storage-key"] == "mentorsite:/handbook/:worksheet:every"
    pdf = form.select_one(".ws-toolbar a.ws-pdf")
    assert pdf["href"] == "/handbook/worksheets/every.pdf"
    assert (site / "worksheets/every.pdf").is_file()
    actions = form.select_one(".ws-actions")
    assert actions.has_attr("hidden")  # shown by worksheet.js; without it only the PDF link shows
    assert [b["data-action"] for b in actions.select("button")] == ["print", "export", "import", "clear"]
    assert actions.select_one("input[type=file]")["accept"] == ".json,application/json"
    assert form.select_one(".ws-status")["role"] == "status"
    assert page.select_one("main form") is None  # Enter in a field never reloads the page


def test_the_script_loads_only_where_a_worksheet_is(site):
    def scripts(path):
        return [s["src"] for s in soup(site / path).select("script[src]") if "worksheet" in s["src"]]

    assert scripts("worksheets/every/index.html") == ["/handbook/static/worksheet.js"]
    assert scripts("guides/using/index.html") == ["/handbook/static/worksheet.js"]
    assert scripts("guides/plain/index.html") == []
    assert scripts("index.html") == []
    assert (site / "static/worksheet.js").is_file()


def test_an_inline_worksheet_is_the_same_form(site):
    page = soup(site / "guides/using/index.html")
    form = page.select_one(".prose section.worksheet.worksheet-inline")
    assert form["data-storage-key"] == "mentorsite:/handbook/:worksheet:every"
    assert form.select_one(".worksheet-title a")["href"] == "/handbook/worksheets/every/"
    assert form.select_one(".ws-pdf")["href"] == "/handbook/worksheets/every.pdf"
    # headings continue the guide's outline (h2 > h3 title > h4 sections)
    assert [h.name for h in form.select(".worksheet-title, .ws-section-title")] == ["h3", "h4", "h4"]
    card = page.select_one(".worksheet-card")
    assert card.select_one(".card-pdf")["href"] == "/handbook/worksheets/other.pdf"


def test_the_index_lists_purpose_audience_and_pdf(site):
    page = soup(site / "worksheets/index.html")
    cards = {c.select_one(".card-title").get_text(strip=True): c for c in page.select(".worksheet-card")}
    assert sorted(cards) == ["Every kind", "Other"]
    every = cards["Every kind"]
    assert every.select_one(".card-purpose").get_text() == "One field of each kind."
    assert every.select_one(".card-audience").get_text(" ", strip=True) == "For: Mentee"
    assert cards["Other"].select_one(".card-audience").get_text(" ", strip=True) == "For: everyone"
    assert every.select_one("a.card-pdf")["href"] == "/handbook/worksheets/every.pdf"


@pytest.mark.parametrize("paper", ["letter", "a4"])
def test_pages_print_at_the_paper_size(make_site, run, paper):
    root = make_site({"site.yml": SITE.format(paper=paper), "content/worksheets/other.yml": OTHER})
    assert run("build").code == 0
    page = soup(root / "_site/worksheets/other/index.html")
    styles = [s.get_text() for s in page.select("style[media=print]")]
    assert f"@page {{ size: {paper}; }}" in styles
    assert page.select_one("link[rel=stylesheet][media=print]")["href"] == "/handbook/static/print.css"


PROGRAM_ROWS_SHEET = """\
title: Phase check-in
purpose: Where you stand in each phase.
sections:
  - title: The phases
    fields:
      - id: phases
        kind: table
        label: Each phase
        rows: from program/phases
        columns:
          - {label: Phase, id: name}
          - {label: Starts, id: start, kind: date}
          - {label: Ends, source: end}
          - {label: How it went, kind: text}
      - id: agreed
        kind: table
        label: What we agreed
        rows: from program/expectations
        columns:
          - {label: Expectation, source: text}
          - {label: Kept, kind: check}
"""


def test_table_rows_from_a_list_of_program_yml(make_site, run):
    """`rows: from program/<list>`: one row per item (a phase, an expectation), the columns that
    name a key of the items filled in (a phase's dates real with a cohort start), the others blank;
    in the PDF as given text, dates as a reader writes them."""
    import pypdf

    from tests.conftest import MINIMAL

    root = make_site({
        "site.yml": SITE.format(paper="a4"),
        "content/program.yml": MINIMAL["content/program.yml"] + "expectations:\n  - Both come prepared\n  - Feedback goes both ways\n",
        "content/worksheets/check-in.yml": PROGRAM_ROWS_SHEET,
    })
    result = run("build")
    assert result.code == 0, result.err
    page = soup(root / "_site/worksheets/check-in/index.html")

    def value(name):
        control = page.select_one(f'[name="f-check-in-{name}"]')
        return control.get("value") if control.name == "input" else control.get_text()

    assert [value(f"phases-{r}-name") for r in (1, 2)] == ["Start", "Closure"]
    assert [value(f"phases-{r}-start") for r in (1, 2)] == ["2027-01-11", "2027-03-22"]
    assert value("phases-2-ends") == "Apr 4, 2027"  # (a phase's last day; a line column: as the site writes dates)
    assert value("phases-1-how-it-went") in ("", None) and page.select_one('[name="f-check-in-phases-3-name"]') is None
    assert [value(f"agreed-{r}-expectation") for r in (1, 2)] == ["Both come prepared", "Feedback goes both ways"]
    text = pypdf.PdfReader(root / "_site/worksheets/check-in.pdf").pages[0].extract_text()
    for given in ("Start", "Jan 11, 2027", "Mar 21, 2027", "Closure", "Mar 22, 2027", "Both come prepared"):
        assert given in text, given
    fields = pypdf.PdfReader(root / "_site/worksheets/check-in.pdf").get_fields()
    assert "phases-1-how-it-went" in fields and "phases-1-name" not in fields  # given cells are text, not fields
