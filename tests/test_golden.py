"""Golden sites: the <main> of each page compared with tests/fixtures/sites/<case>/expected/.

Run with UPDATE_GOLDEN=1 to rewrite the expected files after an intended change, then read
the diff before committing it.
"""

import os
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from mentorsite.commands.cli import main

SITES = Path(__file__).parent / "fixtures" / "sites"
CASES = sorted(p.name for p in SITES.iterdir() if (p / "site.yml").is_file())


def main_html(page: Path) -> str:
    """The page's <main> element, pretty-printed so that diffs read well."""
    main_el = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("main")
    return main_el.prettify() if main_el else ""


@pytest.mark.parametrize("case", CASES)
def test_golden_site(case, tmp_path, monkeypatch):
    project = tmp_path / case
    shutil.copytree(SITES / case, project, ignore=shutil.ignore_patterns("expected"))
    monkeypatch.chdir(project)
    assert main(["build"]) == 0
    out = project / "_site"
    expected_dir = SITES / case / "expected"
    got = {p.relative_to(out).as_posix(): main_html(p) for p in sorted(out.rglob("*.html"))}
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_dir, ignore_errors=True)
        for rel, html in got.items():
            target = expected_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(html, encoding="utf-8")
    expected = {p.relative_to(expected_dir).as_posix(): p.read_text(encoding="utf-8") for p in sorted(expected_dir.rglob("*.html"))}
    assert sorted(got) == sorted(expected)
    for rel in expected:
        assert got[rel] == expected[rel], f"{case}/{rel} differs from its golden file"
