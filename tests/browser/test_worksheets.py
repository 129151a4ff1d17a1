"""Worksheets in Chromium: answers typed on a worksheet page survive a reload, export to a JSON
file, clear, import back, and print to paper (page.pdf) at the site's paper size with the answers
visible; an inline worksheet shares its page's answers; without JavaScript the form still works;
axe-core finds no accessibility violation."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pypdf
import pytest

from tests.browser.conftest import BASE_PATH, missing

REPO = Path(__file__).resolve().parents[2]
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"
AGREEMENT = "worksheets/mentoring-agreement/"
PREFIX = "#f-mentoring-agreement-"


def fill_agreement(page) -> None:
    page.fill(PREFIX + "mentor-name", "Ada Lovelace")
    page.fill(PREFIX + "mentee-name", "Grace Hopper")
    page.get_by_role("group", name="Type of mentoring").get_by_label("Peer").check()
    page.fill(PREFIX + "goals", "Give a talk at the spring meetup.\nLead a small project.")
    page.get_by_role("group", name="Where and how").get_by_label("Video call").check()
    page.get_by_role("group", name="Where and how").get_by_label("Walking meeting").check()
    page.fill(PREFIX + "review-date", "2027-03-01")
    page.fill(PREFIX + "mentor-signature", "A. Lovelace")


def assert_agreement_filled(page) -> None:
    assert page.input_value(PREFIX + "mentor-name") == "Ada Lovelace"
    assert page.input_value(PREFIX + "mentee-name") == "Grace Hopper"
    assert page.get_by_role("group", name="Type of mentoring").get_by_label("Peer").is_checked()
    assert page.input_value(PREFIX + "goals") == "Give a talk at the spring meetup.\nLead a small project."
    modes = page.get_by_role("group", name="Where and how")
    assert [modes.get_by_label(m).is_checked() for m in ("In person", "Video call", "Walking meeting")] == [False, True, True]
    assert page.input_value(PREFIX + "review-date") == "2027-03-01"
    assert page.input_value(PREFIX + "mentor-signature") == "A. Lovelace"


def assert_agreement_blank(page) -> None:
    assert page.input_value(PREFIX + "mentor-name") == ""
    assert page.input_value(PREFIX + "goals") == ""
    assert not page.get_by_role("group", name="Type of mentoring").get_by_label("Peer").is_checked()
    assert not page.get_by_role("group", name="Where and how").get_by_label("Video call").is_checked()
    assert page.input_value(PREFIX + "review-date") == ""


def test_answers_are_kept_exported_cleared_imported_and_printed(open_page, served: str, tmp_path: Path):
    page = open_page(served + AGREEMENT)
    toolbar = page.locator(".ws-toolbar")
    assert toolbar.get_by_role("button", name="Export").is_visible()
    assert "kept in this browser only" in toolbar.locator(".ws-status").inner_text()
    fill_agreement(page)

    page.reload()
    assert_agreement_filled(page)
    stored = page.evaluate("Object.keys(localStorage)")
    assert stored == [f"mentorsite:{BASE_PATH}:worksheet:mentoring-agreement"]

    with page.expect_download() as download:
        toolbar.get_by_role("button", name="Export").click()
    assert download.value.suggested_filename == "mentoring-agreement-answers.json"
    exported = tmp_path / "answers.json"
    download.value.save_as(exported)
    data = json.loads(exported.read_text(encoding="utf-8"))
    assert data["worksheet"] == "mentoring-agreement"
    assert data["site"] == BASE_PATH
    answers = data["answers"]
    assert answers["mentor-name"] == "Ada Lovelace"
    assert answers["mentoring-type"] == "Peer"
    assert answers["modes"] == ["Video call", "Walking meeting"]
    assert answers["review-date"] == "2027-03-01"
    assert answers["frequency"] == ""  # every field is in an export, answered or not

    page.once("dialog", lambda dialog: dialog.accept())
    toolbar.get_by_role("button", name="Clear").click()
    assert_agreement_blank(page)
    page.reload()
    assert_agreement_blank(page)
    assert page.evaluate("localStorage.length") == 0

    with page.expect_file_chooser() as chooser:
        toolbar.get_by_role("button", name="Import").click()
    chooser.value.set_files(str(exported))
    page.wait_for_function("document.querySelector('.ws-status').textContent.startsWith('Imported')")
    assert_agreement_filled(page)
    page.reload()
    assert_agreement_filled(page)  # an import is saved like typing

    pdf = pypdf.PdfReader(io.BytesIO(page.pdf(prefer_css_page_size=True)))
    assert [round(float(p.mediabox.width)) for p in pdf.pages] == [612] * len(pdf.pages)  # letter
    assert [round(float(p.mediabox.height)) for p in pdf.pages] == [792] * len(pdf.pages)
    text = " ".join(p.extract_text() for p in pdf.pages)
    for answer in ("Ada Lovelace", "Grace Hopper", "Give a talk at the spring meetup.", "Lead a small project.",
                   "A. Lovelace"):
        assert answer in text, f"{answer!r} is not on paper"
    for screen_only in ("Fillable PDF", "Export", "Made with mentorsite", "Skip to content"):
        assert screen_only not in text, f"{screen_only!r} is printed"
    assert not page.errors, page.errors


def test_clearing_asks_first(open_page, served: str):
    page = open_page(served + AGREEMENT)
    page.fill(PREFIX + "mentor-name", "Ada Lovelace")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.locator(".ws-toolbar").get_by_role("button", name="Clear").click()
    assert page.input_value(PREFIX + "mentor-name") == "Ada Lovelace"


def test_a_file_for_another_worksheet_is_refused(open_page, served: str, tmp_path: Path):
    page = open_page(served + AGREEMENT)
    page.fill(PREFIX + "mentor-name", "Ada Lovelace")
    other = tmp_path / "goals-answers.json"
    other.write_text(json.dumps({"worksheet": "goals", "answers": {"mentor-name": "Someone else"}}))
    with page.expect_file_chooser() as chooser:
        page.locator(".ws-toolbar").get_by_role("button", name="Import").click()
    chooser.value.set_files(str(other))
    page.wait_for_function("document.querySelector('.ws-status').textContent.startsWith('Could not import')")
    assert "for the worksheet 'goals'" in page.locator(".ws-status").inner_text()
    assert page.input_value(PREFIX + "mentor-name") == "Ada Lovelace"


def test_tables_keep_their_cells_and_prefilled_rows_follow_the_handbook(open_page, served: str):
    page = open_page(served + "worksheets/milestone-tracker/")
    first = page.locator("[data-field=milestones] tbody tr").first
    assert first.locator("td[data-col=due] input").input_value() == "2027-02-15"
    first.locator("td[data-col=status] select").select_option("In progress")
    first.locator("td[data-col=evidence] textarea").fill("Outline sent to my mentor.")
    page.reload()
    first = page.locator("[data-field=milestones] tbody tr").first
    assert first.locator("td[data-col=status] select").input_value() == "In progress"
    assert first.locator("td[data-col=evidence] textarea").input_value() == "Outline sent to my mentor."
    # only what was changed is saved: the handbook's dates and titles keep following the handbook
    saved = json.loads(page.evaluate("localStorage.getItem(Object.keys(localStorage)[0])"))
    assert saved["answers"]["milestones"][0] == {"status": "In progress", "evidence": "Outline sent to my mentor."}
    assert all(row == {} for row in saved["answers"]["milestones"][1:])


def test_a_scale_is_a_radio_group(open_page, served: str):
    page = open_page(served + "worksheets/program-feedback/")
    group = page.get_by_role("group", name="Taking part was rewarding.")
    group.get_by_label("4", exact=True).check()
    page.reload()
    assert page.get_by_role("group", name="Taking part was rewarding.").get_by_label("4", exact=True).is_checked()


def test_an_inline_worksheet_shares_the_answers_of_its_page(open_page, served: str):
    page = open_page(served + "guides/working-together/communication/")
    inline = page.locator("section.worksheet-inline[data-worksheet=feedback-sandwich]")
    assert inline.locator(".ws-toolbar").get_by_role("button", name="Print").is_visible()
    inline.locator("#f-feedback-sandwich-about").fill("Rehearsal of my team talk")
    page.goto(served + "worksheets/feedback-sandwich/")
    assert page.input_value("#f-feedback-sandwich-about") == "Rehearsal of my team talk"
    assert not page.errors, page.errors


def test_without_javascript_the_form_still_works(browser, served: str):
    context = browser.new_context(java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(served + AGREEMENT)
        toolbar = page.locator(".ws-toolbar")
        assert toolbar.get_by_role("link", name="Fillable PDF").is_visible()
        assert not toolbar.get_by_role("button", name="Export").is_visible()
        assert "without JavaScript answers are not kept" in toolbar.inner_text()
        page.fill(PREFIX + "mentor-name", "Ada Lovelace")
        page.press(PREFIX + "mentor-name", "Enter")  # no form: nothing is submitted, nothing reloads
        assert page.input_value(PREFIX + "mentor-name") == "Ada Lovelace"
        pdf = page.request.get(served + "worksheets/mentoring-agreement.pdf")
        assert pdf.ok and pdf.body().startswith(b"%PDF-")
    finally:
        context.close()


@pytest.mark.parametrize("path", [AGREEMENT, "worksheets/milestone-tracker/", "worksheets/", "guides/working-together/communication/"])
def test_axe_finds_no_violations(open_page, served: str, path: str):
    if not AXE.is_file():
        missing(f"{AXE.relative_to(REPO)} not found (npm ci installs axe-core)")
    page = open_page(served + path)
    page.add_script_tag(path=str(AXE))
    # every rule, best practices included, on the page's content (the header and its search box
    # are the whole-site accessibility test's, tests/browser/test_accessibility.py)
    result = page.evaluate("axe.run('main', {resultTypes: ['violations']})")
    problems = [f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:5]}"
                for v in result["violations"]]
    assert problems == [], "\n".join(problems)
