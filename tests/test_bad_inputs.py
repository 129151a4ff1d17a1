"""The corpus of bad input in tests/fixtures/bad/: each case is a few files laid over a minimal
handbook, and expected.txt holds the exact messages (or OK for input that must build)."""

import shutil
from pathlib import Path

import pytest

from tests.conftest import MINIMAL, write_files

BAD = Path(__file__).parent / "fixtures" / "bad"
CASES = sorted(p.name for p in BAD.iterdir() if (p / "expected.txt").is_file())


@pytest.mark.parametrize("case", CASES)
def test_bad_input(case, tmp_path, monkeypatch, run):
    root = tmp_path / "project"
    write_files(root, MINIMAL)
    shutil.copytree(BAD / case, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    monkeypatch.chdir(root)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run("build")
    assert "Traceback" not in result.err
    if expected == ["OK"]:
        assert result.code == 0, result.err
    else:
        assert result.code == 1
        assert result.errors == expected


def test_accepted_odd_input_builds_right(tmp_path, monkeypatch, run):
    """Accents and non-Latin names give working URLs; a slug cannot climb out of the site."""
    root = tmp_path / "project"
    write_files(root, MINIMAL)
    for case in ("names-with-accents", "slug-traversal"):
        shutil.copytree(BAD / case, root, dirs_exist_ok=True, ignore=shutil.ignore_patterns("expected.txt"))
    monkeypatch.chdir(root)
    assert run("build").code == 0
    out = root / "_site"
    assert (out / "guides/réunion-d-équipe/index.html").is_file()
    page = (out / "guides/réunion-d-équipe/index.html").read_text(encoding="utf-8")
    assert 'href="/guides/%D0%B4%D1%80%D1%83%D0%B3%D0%BE%D0%B9-%D0%B3%D0%B8%D0%B4/"' in page
    assert (out / "guides/другой-гид/index.html").is_file()
    assert (out / "guides/etc-passwd/index.html").is_file()
    assert not (tmp_path / "etc").exists() and not (root / "etc").exists()


def test_a_symlink_out_of_the_project_is_refused(tmp_path, monkeypatch, run):
    root = tmp_path / "project"
    write_files(root, MINIMAL)
    (tmp_path / "secret.md").write_text("---\ntitle: Secret\n---\nsecret\n")
    (root / "content/guides").mkdir(parents=True)
    (root / "content/guides/linked.md").symlink_to(tmp_path / "secret.md")
    monkeypatch.chdir(root)
    result = run("build")
    assert result.code == 1
    assert result.errors == [f"content/guides/linked.md:1:1: this is a link to a file outside the project "
                             f"({tmp_path / 'secret.md'}) — copy the file into the project instead"]


def test_a_folder_symlinked_out_of_the_project_is_refused(tmp_path, monkeypatch, run):
    root = tmp_path / "project"
    write_files(root, MINIMAL)
    (tmp_path / "elsewhere").mkdir()
    (root / "content/guides").mkdir(parents=True)
    (root / "content/guides/more").symlink_to(tmp_path / "elsewhere")
    monkeypatch.chdir(root)
    result = run("build")
    assert result.errors == [f"content/guides/more:1:1: this folder is a link to {tmp_path / 'elsewhere'}, outside the "
                             "project — copy the files into the project instead"]


def test_a_huge_guide_fails_clearly(tmp_path, monkeypatch, run):
    root = tmp_path / "project"
    write_files(root, MINIMAL)
    (root / "content/guides").mkdir(parents=True)
    with open(root / "content/guides/huge.md", "w") as f:
        f.write("---\ntitle: Huge\n---\n")
        line = "A line of a very long guide that somebody pasted in by mistake.\n"
        f.write(line * (50_000_000 // len(line)))
    monkeypatch.chdir(root)
    result = run("build")
    assert result.code == 1
    assert result.errors == ["content/guides/huge.md:1:1: the file is 50.0 MB, more than the 1 MB a guide may be — "
                             "split it into several files"]


@pytest.mark.parametrize("command", ["check", "build"])
def test_html_nested_too_deep_for_the_pdfs_is_an_error_at_its_guide(make_site, run, command):
    """10,000 nested <div>s: before, `check` passed and `build` failed in the PDF maker, blamed on
    site.yml:1:1. Both now name the guide; 200 levels still build, PDFs included."""
    root = make_site({"content/guides/deep.md": "---\ntitle: Deep\n---\n\n" + "<div>" * 10_000 + "x" + "</div>" * 10_000})
    result = run(command)
    assert result.code == 1
    assert result.errors == ["content/guides/deep.md:1:1: this page nests HTML elements more than 250 deep, more than "
                             "the print edition and its PDFs can lay out — close the <div>s (or lists, quotes) it "
                             "opens, or nest them less"]
    assert not (root / "_site").exists()
    if command == "build":
        (root / "content/guides/deep.md").write_text("---\ntitle: Deep\n---\n\n" + "<div>" * 200 + "x" + "</div>" * 200)
        result = run("build")
        assert result.code == 0, result.err
        assert (root / "_site/handbook.pdf").is_file()
