"""`mentorsite new`: a project that builds as it is, a GitHub Pages workflow that publishes it,
and no surprises in a folder that already holds something."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
import yaml

from mentorsite import __version__
from tests.conftest import REPO

SCAFFOLD = [
    ".github/workflows/pages.yml",
    ".gitignore",
    ".mentorsite/schemas/milestone-template.schema.json",
    ".mentorsite/schemas/program.schema.json",
    ".mentorsite/schemas/site.schema.json",
    ".mentorsite/schemas/type.schema.json",
    ".mentorsite/schemas/worksheet.schema.json",
    ".vscode/settings.json",
    "README.md",
    "content/guides/first-meeting.md",
    "content/guides/getting-started.md",
    "content/milestones/first-goal.yml",
    "content/program.yml",
    "content/types/one-to-one.yml",
    "content/types/peer.yml",
    "content/worksheets/mentoring-agreement.yml",
    "content/worksheets/session-log.yml",
    "site.yml",
]


def files_under(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_scaffold_builds_with_no_errors_and_no_warnings(workdir, run, monkeypatch):
    result = run("new", "handbook")
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "Created a new handbook in handbook/ (18 files)."
    root = workdir / "handbook"
    assert files_under(root) == SCAFFOLD
    monkeypatch.chdir(root)
    check = run("check", "--strict")
    assert check.code == 0, check.err
    assert check.err == ""
    assert re.fullmatch(r"Checked \d+ pages: no errors\n", check.out)
    build = run("build", "--strict")
    assert build.code == 0, build.err
    assert build.err == ""
    assert (root / "_site/guides/first-meeting/index.html").is_file()


def test_the_scaffold_yaml_is_commented(workdir, run):
    run("new", "handbook")
    text = (workdir / "handbook/site.yml").read_text()
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line.startswith((" ", "#"))]
    assert keys == ["title", "description", "url", "cname", "edit_url", "last_updated", "language", "paper", "cohort", "nav", "search", "strict"]
    lines = text.splitlines()
    for key in keys:  # every key has a comment line just above it
        i = next(i for i, line in enumerate(lines) if line.startswith(key + ":"))
        assert lines[i - 1].startswith("#"), key


def test_the_example_handbook(workdir, run, monkeypatch):
    result = run("new", "handbook", "--example")
    assert result.code == 0, result.err
    root = workdir / "handbook"
    content = files_under(REPO / "content")
    assert files_under(root / "content") == content
    for rel in ["site.yml", *(f"content/{r}" for r in content)]:
        text = (root / rel).read_bytes()
        if rel.endswith(".yml"):  # each YAML file opens with where its JSON Schema is (test_schemas.py)
            assert text.startswith(b"# yaml-language-server: $schema="), rel
            text = text.split(b"\n", 1)[1]
        assert text == (REPO / rel).read_bytes(), rel
    assert {".github/workflows/pages.yml", ".gitignore", "README.md"} <= set(files_under(root))
    monkeypatch.chdir(root)
    check = run("check", "--strict")
    assert check.code == 0, check.err
    assert check.err == ""


def test_refuses_a_folder_that_is_not_empty(workdir, run):
    folder = workdir / "handbook"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    result = run("new", "handbook")
    assert result.code == 1
    assert result.err == ("handbook/ is not empty (notes.txt) — choose a new folder, or pass --force to write into it "
                          "(files with the same names are replaced)\n")
    assert files_under(folder) == ["notes.txt"]
    assert run("new", "handbook", "--force").code == 0
    assert files_under(folder) == sorted(SCAFFOLD + ["notes.txt"])
    assert (folder / "notes.txt").read_text() == "mine"


def test_a_fresh_clone_counts_as_empty(workdir, run):
    (workdir / "handbook/.git").mkdir(parents=True)
    assert run("new", "handbook").code == 0


def test_refuses_a_file(workdir, run):
    (workdir / "handbook").write_text("")
    result = run("new", "handbook")
    assert result.code == 1
    assert result.err == "handbook is a file — choose a folder name for the new handbook\n"


def test_the_workflow_builds_strictly_and_publishes_to_pages(workdir, run):
    run("new", "handbook")
    text = (workdir / "handbook/.github/workflows/pages.yml").read_text()
    workflow = yaml.safe_load(text)
    triggers = workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers
    assert workflow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert workflow["concurrency"]["group"] == "pages"

    build = workflow["jobs"]["build"]
    steps = build["steps"]
    # the official actions at their current major versions (read from each one's releases)
    assert [s["uses"] for s in steps if "uses" in s] == [
        "actions/checkout@v7", "actions/setup-python@v7", "actions/cache@v6", "actions/configure-pages@v6",
        "actions/upload-pages-artifact@v5"]
    uses = [s.get("uses", "").split("@")[0] for s in steps]
    runs = [s.get("run", "") for s in steps]
    pip = next(r for r in runs if "pip install" in r)
    assert pip == f'python -m pip install "mentorsite=={__version__}"'  # exactly the version that wrote it
    build_run = next(r for r in runs if r.startswith("mentorsite build"))
    assert "--strict" in build_run.split()
    assert runs.index(pip) < uses.index("actions/cache") < runs.index(build_run) < uses.index("actions/upload-pages-artifact")
    cache = steps[uses.index("actions/cache")]["with"]
    assert cache["path"] == ".mentorsite-cache"
    assert cache["key"] == f"mentorsite-{__version__}-${{{{ hashFiles('site.yml', 'content/**', 'themes/**') }}}}"
    assert cache["restore-keys"] == f"mentorsite-{__version__}-\n"
    # the comment above the pin says how to install from the git tag while no release is published
    assert (f'#   run: python -m pip install "mentorsite @ git+https://github.com/mentorsite/mentorsite@v{__version__}"'
            in text.splitlines()[text.splitlines().index(f'        run: {pip}') - 2])
    upload = steps[uses.index("actions/upload-pages-artifact")]
    site = yaml.safe_load((workdir / "handbook/site.yml").read_text())
    assert upload["with"]["path"] == site.get("output", "_site")

    deploy = workflow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


# ---------------------------------------------------------------- from an installed wheel


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation", "-q",
                           "-w", str(out)], cwd=REPO, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        proc = subprocess.run([sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "-q", "-w", str(out)],
                              cwd=REPO, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    return next(out.glob("mentorsite-*.whl"))


def test_the_wheel_ships_the_scaffold_and_the_example(wheel):
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    assert "mentorsite/scaffold/dot-github/workflows/pages.yml" in names
    assert "mentorsite/scaffold/dot-gitignore" in names
    assert "mentorsite/example/site.yml" in names
    for rel in files_under(REPO / "content"):
        assert f"mentorsite/example/content/{rel}" in names, rel


@pytest.mark.slow
def test_new_example_from_an_installed_wheel(wheel, tmp_path):
    venv = tmp_path / "venv"
    # the dependencies come from this Python's environment (a .pth file adds its site-packages
    # after the new venv's own, whose .pth files, and so an editable mentorsite, are not read);
    # mentorsite itself only from the wheel
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    own = subprocess.run([str(venv / "bin/python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(own, "mentorsite-test-deps.pth").write_text("".join(f"{p}\n" for p in sorted(ours)))
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    pip = subprocess.run([str(venv / "bin/python"), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                          str(wheel)], env=env, capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    imported = subprocess.run([str(venv / "bin/python"), "-c", "import mentorsite; print(mentorsite.__file__)"],
                              cwd=tmp_path, env=env, capture_output=True, text=True).stdout.strip()
    assert Path(imported).is_relative_to(venv), imported
    where = tmp_path / "elsewhere"
    where.mkdir()
    new = subprocess.run([str(venv / "bin/mentorsite"), "new", "hb", "--example"], cwd=where, env=env,
                         capture_output=True, text=True)
    assert new.returncode == 0, new.stderr
    assert files_under(where / "hb/content") == files_under(REPO / "content")
    check = subprocess.run([str(venv / "bin/mentorsite"), "check", "--strict"], cwd=where / "hb", env=env,
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_the_workflow_s_url_option_sets_the_base_path(workdir, run, monkeypatch):
    run("new", "handbook")
    monkeypatch.chdir(workdir / "handbook")
    assert run("build", "--url", "https://org.github.io/repo").code == 0
    page = (workdir / "handbook/_site/index.html").read_text()
    assert 'href="/repo/static/site.css"' in page
    result = run("check", "--url", "org.github.io/repo")
    assert result.code == 1
    assert result.errors == ["--url 'org.github.io/repo' is not a full address — write it like "
                             "'https://org.github.io/handbook/'"]


def test_the_readme_says_how_to_preview_and_the_preview_is_there(workdir, run):
    run("new", "handbook")
    readme = (workdir / "handbook/README.md").read_text()
    assert ("```sh\nmentorsite serve      # builds, then serves the site at http://127.0.0.1:8000/\n```\n\n"
            "and open the address it prints. Every save rebuilds what changed and reloads the page in the\n"
            "browser; a mistake shows an error page naming the file and line until the next good save.\n"
            "Stop it with Ctrl+C.\n") in readme
    # what the README promises: the scaffold serves its home page at the root of the address printed
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "serve", "--port", "0"], cwd=workdir / "handbook",
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = [proc.stdout.readline()]
        while lines[-1] and not lines[-1].startswith("Serving"):  # after the first build's line
            lines.append(proc.stdout.readline())
        found = re.fullmatch(r"Serving Our Mentoring Handbook at (http://127\.0\.0\.1:\d+/) \(Ctrl\+C to stop\)\n",
                             lines[-1])
        assert found, "".join(lines)
        import urllib.request

        with urllib.request.urlopen(found.group(1), timeout=30) as answer:
            assert answer.status == 200
            assert "<title>Our Mentoring Handbook" in answer.read().decode()
    finally:
        proc.send_signal(2)
        proc.wait(timeout=30)


def test_the_readme_installs_the_workflow_s_version(workdir, run):
    run("new", "handbook")
    readme = (workdir / "handbook/README.md").read_text()
    assert "__MENTORSITE" not in readme
    assert f'pip install "mentorsite=={__version__}"\n' in readme
    assert f'pip install "mentorsite @ git+https://github.com/mentorsite/mentorsite@v{__version__}"\n' in readme
    assert f"It installs exactly mentorsite {__version__} (`mentorsite=={__version__}`)" in readme
