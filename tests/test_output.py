"""Only mentorsite's own words on the terminal: a few lines by default, errors only with -q, each
step's time with -v, never a library's log lines (whatever the root logger says), and one line
when WeasyPrint has to subset fonts the slow way."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from tests.conftest import REPO

WORKSHEET = textwrap.dedent("""\
    title: Notes
    purpose: A page of notes.
    sections:
      - title: Notes
        fields:
          - id: notes
            label: Your notes
            kind: text
    """)

# The build, run as a user's program would be with every library's logger told to talk, and
# (slow) WeasyPrint without HarfBuzz's subsetter, as on a machine that lacks libharfbuzz-subset0.
# (WeasyPrint is imported to be changed so after the command line set its logging up, as the
# build imports it: it logs as it is imported.)
TALKATIVE = textwrap.dedent("""\
    import logging, sys
    logging.basicConfig(level=logging.DEBUG)
    for name in ("fontTools", "weasyprint", "PIL", "watchdog", "pydyf", "pypdf"):
        logging.getLogger(name).setLevel(logging.DEBUG)
    from mentorsite.commands import cli
    if {slow}:
        setup = cli.setup_logging

        def setup_then_unsubset(level):
            setup(level)
            import weasyprint.pdf.fonts, weasyprint.text.ffi
            weasyprint.pdf.fonts.harfbuzz_subset = weasyprint.text.ffi.harfbuzz_subset = None

        cli.setup_logging = setup_then_unsubset
    sys.exit(cli.main(sys.argv[1:]))
    """)


def _run(root, *args, slow=False, store=None):
    env = {**os.environ, "PYTHONPATH": str(REPO), "MENTORSITE_PDF_CACHE": str(store or root / "pdf-store")}
    return subprocess.run([sys.executable, "-c", TALKATIVE.format(slow=slow), *args], cwd=root, env=env,
                          capture_output=True, text=True, timeout=600)


def test_a_build_says_only_our_words_whatever_the_libraries_loggers_say(make_site):
    root = make_site({"content/worksheets/notes.yml": WORKSHEET})
    done = _run(root, "build", slow=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "note: PDFs are made more slowly on this machine: WeasyPrint lacks HarfBuzz's subsetter — install it "
        "(Debian, Ubuntu: sudo apt-get install libharfbuzz-subset0; Fedora: harfbuzz; macOS: brew install harfbuzz)"]
    lines = [line for line in done.stdout.splitlines() if " made in " not in line]  # (long steps' lines)
    assert len(lines) == 3 and lines[0].startswith("Built ") and lines[1].startswith("Worksheet PDFs: 1 made")


def test_quiet_says_nothing_but_errors(make_site):
    root = make_site({"content/worksheets/notes.yml": WORKSHEET,
                      "content/guides/a.md": "---\ntitle: A\n---\n\n[Broken anchor](#nowhere)\n"})
    done = _run(root, "build", "-q", slow=True)
    assert done.returncode == 0 and done.stdout == "" and done.stderr == ""
    (root / "content/guides/a.md").write_text("---\ntitle: A\n---\n\n[Gone](gone.md)\n")
    failed = _run(root, "build", "--quiet")
    assert failed.returncode == 1 and failed.stdout == ""
    assert failed.stderr.splitlines()[0].startswith("content/guides/a.md:5:8: link target 'gone.md' does not exist")


def test_verbose_says_each_step_and_its_time(make_site):
    root = make_site({"content/worksheets/notes.yml": WORKSHEET})
    done = _run(root, "build", "-v")
    assert done.returncode == 0, done.stderr
    assert "load (discover, parse, assemble)" in done.stderr and "state saved" in done.stderr
    for step in ("Pages: ", "Worksheet PDFs and handbook PDFs: 4 made in "):
        assert step in done.stdout, done.stdout
    again = _run(root, "build", "--verbose")
    assert "Pages: " not in again.stdout  # nothing made: no step's line


def test_output_read_by_a_reader_that_stops_early_ends_without_a_traceback(make_site):
    """`mentorsite check | head -0`: the pipe closes before the report is printed; the command
    ends with exit code 1 and says nothing more (before: a BrokenPipeError's traceback)."""
    root = make_site({})
    read, write = os.pipe()
    os.close(read)  # (the reader is gone before the command prints)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        done = subprocess.run([sys.executable, "-m", "mentorsite", "check"], cwd=root, env=env, stdout=write,
                              stderr=subprocess.PIPE, text=True, timeout=120)
    finally:
        os.close(write)
    assert done.returncode == 1 and done.stderr == "", done.stderr
