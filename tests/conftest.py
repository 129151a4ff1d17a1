"""Shared fixtures: tiny handbook projects built from dicts, and a CLI runner."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mentorsite.commands.cli import main

REPO = Path(__file__).resolve().parent.parent

MINIMAL = {
    "site.yml": "title: Test Handbook\n",
    "content/program.yml": textwrap.dedent("""\
        name: Test Program
        roles:
          - id: mentor
            title: Mentor
          - id: mentee
            title: Mentee
        phases:
          - id: start
            name: Start
            start: week 0
            end: week 10
          - id: closure
            name: Closure
            start: week 10
            end: week 12
        """),
}


def write_files(root: Path, files: dict[str, str | bytes | None]) -> Path:
    """Write files (dedented text or bytes) under root; None deletes a file."""
    for rel, text in files.items():
        path = root / rel
        if text is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def make_site(tmp_path, monkeypatch):
    """make_site({path: text}) writes a project (MINIMAL plus the files given) and cds into it."""

    def make(files: dict[str, str | bytes | None] | None = None, *, minimal: bool = True) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write_files(root, {**(MINIMAL if minimal else {}), **(files or {})})
        monkeypatch.chdir(root)
        return root

    return make


class Result:
    """The outcome of one CLI run."""

    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def errors(self) -> list[str]:
        """The located problem lines printed on stderr (without the summary line)."""
        return [line for line in self.err.splitlines() if line and not line.startswith("mentorsite:")]


@pytest.fixture
def run(capsys):
    """run('build', ...) runs the CLI in this process and returns a Result."""

    def runner(*args: str) -> Result:
        try:
            code = main(list(args))
        except SystemExit as e:  # argparse exits for --help, --version and bad usage
            code = e.code if isinstance(e.code, int) else 0
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return runner


@pytest.fixture(autouse=True, scope="session")
def shared_pdf_store(tmp_path_factory):
    """One worksheet-PDF store for the session: PDFs are named by their inputs, so the tests that
    build the same handbook render each PDF once. A test that needs a cold store sets its own."""
    folder = tmp_path_factory.mktemp("pdf-store")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("MENTORSITE_PDF_CACHE", str(folder))
        yield folder


# -- whole handbooks, built once per session: the example, a second one unlike it, the scaffold


@pytest.fixture(scope="session")
def example_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the repository's example handbook (site.yml + content/) once; returns the output folder."""
    out = tmp_path_factory.mktemp("example-site") / "_site"
    code = main(["build", "--config", str(REPO / "site.yml"), "--output", str(out)])
    assert code == 0, f"building the example handbook failed with exit code {code} (see the captured stderr)"
    assert (out / "index.html").is_file(), f"the build wrote no index.html into {out}"
    return out


SECOND = REPO / "tests" / "fixtures" / "handbooks" / "contributor-circles"


@pytest.fixture(scope="session")
def second_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the second handbook (tests/fixtures/handbooks/contributor-circles: an open-source
    project's contributor mentoring, A4, green, under /contributor-circles/) once; returns the
    output folder."""
    import shutil

    project = tmp_path_factory.mktemp("second-site") / "contributor-circles"
    shutil.copytree(SECOND, project, ignore=shutil.ignore_patterns(".mentorsite-cache", "_site"))
    code = main(["build", "--config", str(project / "site.yml"), "--output", str(project / "_site")])
    assert code == 0, f"building the second handbook failed with exit code {code} (see the captured stderr)"
    return project / "_site"


@pytest.fixture(scope="session")
def scaffold_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`mentorsite new` then `mentorsite build`, once; returns the output folder."""
    project = tmp_path_factory.mktemp("scaffold") / "handbook"
    assert main(["new", str(project)]) == 0
    code = main(["build", "--config", str(project / "site.yml"), "--output", str(project / "_site")])
    assert code == 0, f"building the scaffold failed with exit code {code} (see the captured stderr)"
    return project / "_site"
