"""Valid HTML: the W3C Nu HTML checker (vnu.jar, from npm's vnu-jar; it runs on Java) finds no
error on any page of the example handbook, of the scaffold (`mentorsite new`) and of the second
handbook. The three are built once (tests/conftest.py) and checked in one run of the checker."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import REPO

VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def _missing(reason: str) -> None:
    from tests.browser.conftest import missing

    missing(reason)  # a skip on a laptop, a failure in CI


def test_every_page_is_valid_html(example_site: Path, scaffold_site: Path, second_site: Path):
    if not VNU.is_file():
        _missing(f"{VNU.relative_to(REPO)} not found (run npm ci)")
    java = shutil.which("java")
    if java is None:
        _missing("java not found (apt-get install default-jre-headless)")
    sites = [example_site, scaffold_site, second_site]
    pages = sum(len(list(site.rglob("*.html"))) for site in sites)
    assert pages > 90  # (99 when this was written)
    done = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--skip-non-html", "--format", "json",
                           *map(str, sites)], capture_output=True, text=True, timeout=600)
    messages = json.loads(done.stderr)["messages"]
    errors = [f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
              for m in messages if m.get("type") in ("error", "non-document-error")]
    assert not errors, f"{len(errors)} errors:\n" + "\n".join(errors[:40])
    assert done.returncode == 0, done.stderr[-2000:]
