"""Worksheet PDFs, read back with pypdf: paper size, fillable fields named by field id and of the
right type, pre-filled milestone rows with real dates, and a warm rebuild that renders nothing."""

from __future__ import annotations

import shutil

import pypdf
import pytest

from mentorsite.build import build
from mentorsite.sources.config import load_config

SITE = "title: Test Handbook\nurl: https://example.org/handbook/\npaper: {paper}\ncohort:\n  start: 2027-01-11\n"
TEMPLATE = """\
title: Public speaking
goal: Give three talks.
milestones:
  - title: First talk
    due: week 4
    owner: mentee
  - title: A webinar
    due: month 2
  - title: Wrap up
    due: phase:closure
"""
EVERY_KIND = """\
title: Every kind
purpose: One field of each kind.
audience: [mentee]
instructions: Fill it in *together*.
sections:
  - title: Fields
    fields:
      - {id: name, kind: line, label: Your name}
      - {id: story, kind: text, label: Your story, lines: 3}
      - {id: when, kind: date, label: Date}
      - {id: mode, kind: choice, label: How we meet, options: [In person, Video]}
      - {id: topics, kind: checklist, label: Topics, options: [Career, Skills, Network]}
      - {id: mood, kind: scale, label: Mood, min: 1, max: 5, min_label: Low, max_label: High}
      - {id: sign, kind: signature, label: Signature}
      - id: plan
        kind: table
        label: Plan
        rows: 2
        columns:
          - Action
          - {label: Done, kind: check}
          - {label: Owner, kind: choice, options: [Mentor, Mentee]}
          - {label: Notes, kind: text}
          - {label: By, kind: date}
  - title: Tracker
    fields:
      - id: tracker
        kind: table
        label: Milestones
        rows: from milestones/speaking
        columns:
          - {label: Milestone, id: title}
          - {label: Due, id: due, kind: date}
          - {label: Status, kind: choice, options: [To do, Done]}
"""
OTHER = "title: Other\npurpose: Another one.\nsections:\n  - title: A\n    fields:\n      - {id: a, kind: line, label: A}\n"

# field id -> what pypdf must find: (name, type) for every form field the worksheet makes
EXPECTED = {
    "name": [("name", "text")],
    "story": [("story", "multiline")],
    "when": [("when", "text")],
    "mode": [("mode", "radio")],
    "topics": [("topics-1", "check"), ("topics-2", "check"), ("topics-3", "check")],
    "mood": [("mood", "radio")],
    "sign": [("sign", "text")],
    "plan": [
        (f"plan-{r}-{c}", t) for r in (1, 2)
        for c, t in (("action", "text"), ("done", "check"), ("owner", "choice"), ("notes", "multiline"), ("by", "text"))
    ],
    # columns filled from the milestone template are printed text; only Status is left to fill
    "tracker": [(f"tracker-{r}-status", "choice") for r in (1, 2, 3)],
}


def kind_of(field) -> str:
    """A pypdf field's kind: text, multiline, check, radio or choice."""
    ft, flags = field.get("/FT"), int(field.get("/Ff", 0) or 0)
    if ft == "/Btn":
        return "radio" if flags & (1 << 15) else "check"
    if ft == "/Tx":
        return "multiline" if flags & (1 << 12) else "text"
    if ft == "/Ch":
        return "choice"
    return str(ft)


@pytest.fixture
def pdf_store(tmp_path, monkeypatch):
    """A cold PDF store of this test's own (the session's shared one may already hold the PDF)."""
    store = tmp_path / "pdf-store"
    monkeypatch.setenv("MENTORSITE_PDF_CACHE", str(store))
    return store


def site_files(paper: str = "letter") -> dict:
    return {
        "site.yml": SITE.format(paper=paper),
        "content/milestones/speaking.yml": TEMPLATE,
        "content/worksheets/every.yml": EVERY_KIND,
        "content/worksheets/other.yml": OTHER,
    }


@pytest.mark.parametrize("paper, size", [("letter", (612, 792)), ("a4", (595, 842))])
def test_page_size_matches_the_paper_setting(make_site, run, paper, size):
    root = make_site(site_files(paper))
    assert run("build").code == 0
    reader = pypdf.PdfReader(root / "_site/worksheets/every.pdf")
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == size


def test_every_field_id_is_a_form_field_of_the_right_type(make_site, run):
    root = make_site(site_files())
    assert run("build").code == 0
    fields = pypdf.PdfReader(root / "_site/worksheets/every.pdf").get_fields()
    expected = {name: kind for group in EXPECTED.values() for name, kind in group}
    assert {name: kind_of(fields[name]) for name in fields} == expected
    # radio groups export the option (choice) or the number (scale); each group is one field
    assert list(fields["mode"]["/Opt"]) == ["In person", "Video"]
    assert list(fields["mood"]["/Opt"]) == ["1", "2", "3", "4", "5"]
    assert [o[0] for o in fields["tracker-1-status"]["/Opt"]] == ["", "To do", "Done"]
    assert fields["mode"].get("/V") in (None, "/Off")  # nothing is chosen in a blank worksheet


def test_radio_and_check_box_values_are_as_the_docs_say(make_site, run):
    """docs/worksheets.md: a radio group's buttons are named by their place, /0 for the first
    option (or the scale's min); /Opt gives each one's export value; a check box is on when /on.
    Filled with pypdf by those names, the PDF reads back the same."""
    import io

    root = make_site(site_files())
    assert run("build").code == 0
    reader = pypdf.PdfReader(root / "_site/worksheets/every.pdf")
    fields = reader.get_fields()
    assert fields["mode"]["/_States_"] == ["/0", "/1"]
    assert fields["mood"]["/_States_"] == ["/0", "/1", "/2", "/3", "/4"]  # (1 to 5)
    assert fields["topics-2"]["/_States_"] == ["/on", "/Off"]
    writer = pypdf.PdfWriter(clone_from=reader)
    for page in writer.pages:
        writer.update_page_form_field_values(page, {"mode": "/1", "mood": "/3", "topics-2": "/on"}, auto_regenerate=False)
    out = io.BytesIO()
    writer.write(out)
    filled = pypdf.PdfReader(io.BytesIO(out.getvalue())).get_fields()
    assert [filled[n]["/V"] for n in ("mode", "mood", "topics-2")] == ["/1", "/3", "/on"]
    assert filled["mode"]["/Opt"][1] == "Video" and filled["mood"]["/Opt"][3] == "4"


def test_prefilled_tracker_rows_carry_the_real_due_dates(make_site, run):
    root = make_site(site_files())
    assert run("build").code == 0
    reader = pypdf.PdfReader(root / "_site/worksheets/every.pdf")
    text = " ".join(page.extract_text() for page in reader.pages)
    for title, date in [("First talk", "Feb 8, 2027"), ("A webinar", "Mar 11, 2027"), ("Wrap up", "Mar 22, 2027")]:
        assert title in text
        assert date in text
    assert "Test Program" in text  # the program's name on every page's header
    assert "Every kind" in text
    assert "Page 1 of" in text


def test_relative_dates_without_a_cohort_start(make_site, run):
    files = site_files()
    files["site.yml"] = "title: Test Handbook\n"
    root = make_site(files)
    assert run("build").code == 0
    text = pypdf.PdfReader(root / "_site/worksheets/every.pdf").pages[-1].extract_text()
    assert "Week 4" in text and "Month 2" in text


def test_pdf_metadata(make_site, run):
    root = make_site(site_files())
    assert run("build").code == 0
    meta = pypdf.PdfReader(root / "_site/worksheets/every.pdf").metadata
    assert meta.title == "Every kind · Test Program"
    assert meta.author == "Test Program"


def test_a_warm_rebuild_renders_no_pdf(make_site, run, pdf_store):
    root = make_site(site_files())
    first = run("build")
    assert "Worksheet PDFs: 2 made, 0 unchanged" in first.out
    pdf = root / "_site/worksheets/every.pdf"
    before = pdf.stat()
    again = run("build")
    assert again.code == 0
    assert "Worksheet PDFs: 0 made, 2 unchanged" in again.out
    after = pdf.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_only_changed_worksheets_are_rendered_again(make_site, pdf_store):
    root = make_site(site_files())
    config = load_config(root / "site.yml")
    assert build(config).pdfs == 2
    other = root / "_site/worksheets/other.pdf"
    inode = other.stat().st_ino
    (root / "content/worksheets/every.yml").write_text(EVERY_KIND.replace("One field of each kind.", "Each kind once."))
    report = build(load_config(root / "site.yml"))
    assert (report.pdfs, report.pdfs_cached) == (1, 1)
    assert [out for out, _ in report.pdf_timings] == ["worksheets/every.pdf"]
    assert other.stat().st_ino == inode
    # a milestone template feeds the tracker: changing it changes that PDF only
    (root / "content/milestones/speaking.yml").write_text(TEMPLATE.replace("First talk", "Opening talk"))
    report = build(load_config(root / "site.yml"))
    assert (report.pdfs, report.pdfs_cached) == (1, 1)
    assert "Opening talk" in pypdf.PdfReader(root / "_site/worksheets/every.pdf").pages[-1].extract_text()


@pytest.mark.parametrize("change", ["paper", "program", "theme"])
def test_site_wide_changes_render_every_pdf_again(make_site, pdf_store, change):
    root = make_site(site_files())
    assert build(load_config(root / "site.yml")).pdfs == 2
    if change == "paper":
        (root / "site.yml").write_text(SITE.format(paper="a4"))
    elif change == "program":
        program = root / "content/program.yml"
        program.write_text(program.read_text().replace("name: Test Program", "name: Renamed Program"))
    else:
        css = root / "themes/mine/templates/pdf/worksheet.css"
        css.parent.mkdir(parents=True)
        css.write_text("{% include 'default/pdf/worksheet.css' %}\n.ws-title { color: #000; }\n")
        (root / "site.yml").write_text("theme: mine\n" + SITE.format(paper="letter"))
    report = build(load_config(root / "site.yml"))
    assert (report.pdfs, report.pdfs_cached) == (2, 0)


def test_the_pdf_store_serves_a_fresh_output_folder(make_site, pdf_store):
    root = make_site(site_files())
    assert build(load_config(root / "site.yml")).pdfs == 2
    elsewhere = load_config(root / "site.yml", output=str(root / "elsewhere"))
    report = build(elsewhere)
    assert (report.pdfs, report.pdfs_cached) == (0, 2)
    assert (root / "elsewhere/worksheets/every.pdf").read_bytes() == (root / "_site/worksheets/every.pdf").read_bytes()
    # the worksheets', and the handbook's parts, each with its size and digest
    assert {p.suffix for p in pdf_store.iterdir()} == {".pdf", ".sum"}


def test_the_project_cache_folder_holds_the_store_by_default(make_site, run, monkeypatch):
    monkeypatch.delenv("MENTORSITE_PDF_CACHE")
    root = make_site(site_files())
    assert run("build").code == 0
    stored = {p.read_bytes() for p in (root / ".mentorsite-cache/pdf").glob("*.pdf")}
    assert {p.read_bytes() for p in (root / "_site/worksheets").glob("*.pdf")} <= stored  # and the handbook's
    assert (root / ".mentorsite-cache/.gitignore").read_text() == "*\n"


def test_pdfs_are_deterministic(make_site, pdf_store, tmp_path, monkeypatch):
    root = make_site(site_files())
    build(load_config(root / "site.yml"))
    monkeypatch.setenv("MENTORSITE_PDF_CACHE", str(tmp_path / "another-store"))
    build(load_config(root / "site.yml", output=str(root / "again")))
    assert (root / "again/worksheets/every.pdf").read_bytes() == (root / "_site/worksheets/every.pdf").read_bytes()


def test_a_broken_pdf_template_keeps_the_previous_site(make_site, run):
    root = make_site(site_files())
    assert run("build").code == 0
    before = (root / "_site/worksheets/every.pdf").read_bytes()
    template = root / "themes/mine/templates/pdf/worksheet.html"
    template.parent.mkdir(parents=True)
    template.write_text("<html>\n{{ item.no_such_key }}\n</html>\n")
    (root / "site.yml").write_text("theme: mine\n" + SITE.format(paper="letter"))
    result = run("build")
    assert result.code == 1
    assert result.errors == [
        "themes/mine/templates/pdf/worksheet.html:2:9: template error: 'mentorsite.site.model.Worksheet object' "
        "has no attribute 'no_such_key' — check the spelling (docs/reference.md lists the keys of each file's objects)"
    ]
    assert "Traceback" not in result.err
    assert (root / "_site/worksheets/every.pdf").read_bytes() == before
    assert (root / "_site/index.html").is_file()


def test_a_site_without_worksheets_makes_no_pdf(make_site, run):
    root = make_site()
    result = run("build")
    assert result.code == 0
    assert "Worksheet PDFs" not in result.out
    assert not list((root / "_site").rglob("worksheets/*.pdf"))  # (the print edition's handbook*.pdf are there)


def test_check_renders_the_pdf_templates_without_making_pdfs(make_site, run):
    root = make_site(site_files())
    template = root / "themes/mine/templates/pdf/worksheet.html"
    template.parent.mkdir(parents=True)
    template.write_text("{% for x in %}\n")
    (root / "site.yml").write_text("theme: mine\n" + SITE.format(paper="letter"))
    result = run("check")
    assert result.code == 1
    assert result.errors[0].startswith("themes/mine/templates/pdf/worksheet.html:1:1: template syntax error")
    assert not (root / "_site").exists()


def test_a_bad_worksheet_keeps_the_previous_site_and_its_pdfs(make_site, run):
    root = make_site(site_files())
    assert run("build").code == 0
    before = (root / "_site/worksheets/every.pdf").read_bytes()
    (root / "content/worksheets/every.yml").write_text(EVERY_KIND.replace("kind: line", "kind: paragraph"))
    result = run("build")
    assert result.code == 1
    assert result.errors == [
        "content/worksheets/every.yml:8:26: 'kind' is 'paragraph' — expected one of: checklist, choice, date, line, "
        "scale, signature, table, text"
    ]
    assert (root / "_site/worksheets/every.pdf").read_bytes() == before
    assert (root / "_site/worksheets/other.pdf").is_file()


@pytest.mark.parametrize("no_cache", [False, True], ids=["cache", "no-cache"])
@pytest.mark.parametrize("damage", ["truncated", "altered", "unsealed"])
def test_a_damaged_pdf_in_the_store_is_made_again(make_site, run, pdf_store, damage, no_cache):
    """A stored PDF is used only with the size and digest it was stored with: one cut to 200 bytes
    (it still starts with %PDF-), one with a byte changed, or one without its record, is made again."""
    root = make_site(site_files())
    assert run("build").code == 0
    good = (root / "_site/worksheets/every.pdf").read_bytes()
    [stored] = [p for p in pdf_store.glob("*.pdf") if p.read_bytes() == good]
    with open(stored, "r+b") as f:  # in place, as a failing disk or an editor would
        if damage == "truncated":
            f.truncate(200)
        elif damage == "altered":
            f.seek(len(good) // 2)
            f.write(bytes([good[len(good) // 2] ^ 0x01]))
    if damage == "unsealed":
        stored.with_suffix(".sum").unlink()
    shutil.rmtree(root / "_site")  # (else the site's own copy is current, and the store is not asked)
    result = run("build", *(["--no-cache"] if no_cache else []))
    assert result.code == 0, result.err
    assert "Worksheet PDFs: 1 made, 1 unchanged" in result.out
    assert (root / "_site/worksheets/every.pdf").read_bytes() == good
    assert stored.read_bytes() == good
    fields = pypdf.PdfReader(root / "_site/worksheets/every.pdf").get_fields()
    assert {"name", "story", "mood"} <= set(fields)
