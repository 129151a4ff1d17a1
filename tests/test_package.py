"""The wheel is complete: it ships the default theme, and once installed in a clean venv it builds
the example handbook from a folder that has nothing to do with this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
THEME_FILES = (
    "mentorsite/themes/default/templates/base.html",
    "mentorsite/themes/default/static/site.css",
)


def _run(cmd: list[str], cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _ok(result: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert result.returncode == 0, (
        f"{' '.join(map(str, result.args))} exited {result.returncode}\n"
        f"--- stdout ---\n{result.stdout[-4000:]}\n--- stderr ---\n{result.stderr[-4000:]}"
    )
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from the repository root, as a user or a release job would."""
    out = tmp_path_factory.mktemp("wheel")
    _ok(_run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)], cwd=REPO))
    wheels = list(out.glob("mentorsite-*.whl"))
    assert len(wheels) == 1, f"expected one mentorsite wheel, found {[w.name for w in out.iterdir()]}"
    return wheels[0]


def test_wheel_ships_the_default_theme(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    for name in THEME_FILES:
        assert name in names, f"{wheel.name} lacks {name}"
    assert "mentorsite/commands/cli.py" in names
    # the JSON Schemas of the YAML files, which `mentorsite new` copies into a project
    assert {n for n in names if n.startswith("mentorsite/schemas/")} == {
        f"mentorsite/schemas/{kind}.schema.json" for kind in ("site", "program", "type", "milestone-template", "worksheet")}
    assert not any(n.startswith(("tests/", "content/")) for n in names), "the wheel carries the repo's tests or content"


@pytest.mark.slow
def test_installed_wheel_builds_the_example_handbook(wheel: Path, tmp_path: Path):
    venv = tmp_path / "venv"
    _ok(_run([sys.executable, "-m", "venv", str(venv)], cwd=tmp_path))
    python = venv / "bin" / "python"
    _ok(_run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd=tmp_path))
    where = _ok(_run([str(python), "-c", "import mentorsite; print(mentorsite.__file__)"], cwd=tmp_path))
    assert Path(where.stdout.strip()).is_relative_to(venv), f"mentorsite imported from {where.stdout.strip()}"

    project = tmp_path / "handbook"
    project.mkdir()
    shutil.copy2(REPO / "site.yml", project / "site.yml")
    shutil.copytree(REPO / "content", project / "content")

    result = _ok(_run([str(venv / "bin" / "mentorsite"), "build"], cwd=project))

    site = project / "_site"
    assert (site / "index.html").is_file(), f"no _site/index.html after: {result.stdout}{result.stderr}"
    # the theme came from the installed package, not from a themes/ folder next to the project
    assert (site / "static" / "site.css").is_file()
    assert "/mentoring/static/site.css" in (site / "index.html").read_text(encoding="utf-8")


def test_wheel_metadata_names_the_licence_and_the_project(wheel: Path):
    with zipfile.ZipFile(wheel) as zf:
        info = next(n.split("/")[0] for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(f"{info}/METADATA").decode()
        licence = zf.read(f"{info}/licenses/LICENSE").decode()
    headers = [line for line in metadata.split("\n\n")[0].splitlines()]
    assert "License-Expression: MIT" in headers
    assert "License-File: LICENSE" in headers
    assert licence == (REPO / "LICENSE").read_text()
    assert licence.startswith("MIT License\n\nCopyright (c) 2026 The mentorsite authors\n")
    urls = {line.split(": ", 1)[1].split(", ")[0] for line in headers if line.startswith("Project-URL: ")}
    assert urls == {"Homepage", "Documentation", "Changelog", "Issues", "Source"}
    assert "Classifier: Programming Language :: Python :: 3 :: Only" in headers
