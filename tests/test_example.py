"""The example handbook at the repository root builds, and the docs match the schema."""

import shutil

from bs4 import BeautifulSoup

from mentorsite.commands.reference import full_reference
from tests.conftest import REPO


def test_reference_doc_is_generated_from_the_schema():
    assert (REPO / "docs/reference.md").read_text(encoding="utf-8") == full_reference(), (
        "docs/reference.md is out of date: run python -m mentorsite.commands.reference > docs/reference.md"
    )


def test_example_handbook_builds_strict(tmp_path, monkeypatch, run):
    project = tmp_path / "example"
    project.mkdir()
    shutil.copy(REPO / "site.yml", project)
    shutil.copytree(REPO / "content", project / "content")
    monkeypatch.chdir(project)
    result = run("build", "--strict")
    assert result.code == 0, result.err
    assert result.err == ""
    out = project / "_site"
    guides = sorted(p for p in out.glob("guides/*/*/index.html"))
    assert len(guides) == 12
    assert len(list(out.glob("types/*/index.html"))) == 5
    assert len(list(out.glob("worksheets/*/index.html"))) == 16
    assert len(list(out.glob("milestones/*/index.html"))) >= 5
    home = BeautifulSoup((out / "index.html").read_text(), "html.parser")
    assert home.select_one("h1").get_text() == "Northwind Mentoring Program"
    assert home.select_one("link[rel=stylesheet]")["href"] == "/mentoring/static/site.css"
    # every guide embeds some data rather than repeating it
    embedded = [p for p in guides if BeautifulSoup(p.read_text(), "html.parser").select(
        ".type-card, .milestone-table, .worksheet-card, .worksheet, .phases, .roles")]
    assert len(embedded) >= 8
