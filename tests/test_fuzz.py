"""Property-based: whatever files people write, whatever they name them or link, whatever
output folder and roster they give, a command ends in a site or in located errors, never in a
traceback, and no file of theirs is changed or lost. Counts are recorded in SECURITY.md."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import signal
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from mentorsite.commands.check import check
from mentorsite.commands.cli import main
from mentorsite.sources.config import load_config
from mentorsite.errors import SiteError, SiteErrors
from mentorsite.site.model import FIELD_KINDS

EXAMPLES = int(os.environ.get("MENTORSITE_FUZZ_EXAMPLES", "150"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

WORDS = ["mentor", "mentee", "goal", "week 4", "month 2", "phase:closure", "phase:nope", "2027-02-30", "2027-03-01",
         "*alias", "&anchor", "a: b", "\t", "", "peer", "goals", "x" * 300, "é日本", "..", "../../etc/passwd", "%2e%2e",
         "<script>alert(1)</script>", "javascript:alert(1)", "{{ config }}", "{% raw %}", "yes", "no", "2:1", "null"]
KEYS = ["name", "title", "summary", "goal", "purpose", "roles", "phases", "id", "start", "end", "due", "owner",
        "milestones", "worksheets", "types", "sections", "fields", "kind", "label", "options", "min", "max", "columns",
        "rows", "audience", "weight", "slug", "unknown_key", "cadense", "ratio", "meetings", "every_weeks"]

scalars = st.one_of(
    st.sampled_from(WORDS), st.text(max_size=40), st.integers(-5, 200), st.booleans(), st.none(),
    st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), st.sampled_from(FIELD_KINDS),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(KEYS), inner, max_size=5)),
    max_leaves=25,
)
documents = st.dictionaries(st.sampled_from(KEYS), values, max_size=8)


def dump(value) -> str:
    return yaml.safe_dump(value, allow_unicode=True, sort_keys=False)


yaml_texts = st.one_of(documents.map(dump), values.map(dump), st.text(max_size=200),
                       st.sampled_from(["", "---\n", "a: &a [*a]\n", "- [\n", "a:\n\t- b\n", "\ufeffname: x\r\n"]))

md_lines = st.sampled_from([
    "## Heading", "### Sub", "Text with *emphasis*.", "[link](other.md)", "[bad](missing.md#x)", "::type peer",
    "::milestones plan", "::worksheet goals", "::worksheet-card goals", "::phases", "::roles", "::bogus", "::type",
    ":::tip", ":::warning Careful", ":::", ":::danger", "| a | b |", "|---|---|", "| 1 | 2 |", "- [ ] task", "Term",
    ": definition", "Foot[^1]", "[^1]: note", "<div>raw</div>", "```", "    code", "![img](../assets/none.png)", "",
])
bodies = st.lists(md_lines, max_size=25).map("\n".join)
guides = st.one_of(
    st.tuples(documents.map(dump), bodies).map(lambda t: f"---\n{t[0]}---\n{t[1]}\n"),
    st.tuples(st.sampled_from(["title: A guide\n", "title: [x\n", "", "title: A\naudience: [mentor]\n"]), bodies)
      .map(lambda t: f"---\n{t[0]}---\n{t[1]}\n"),
    bodies,
    st.text(max_size=300),
)

BASE = {
    "site.yml": "title: Fuzz\ncohort: {start: 2027-01-11}\n",
    "content/program.yml": "name: P\nroles: [{id: mentor, title: Mentor}, {id: mentee, title: Mentee}]\n"
                           "phases: [{id: closure, name: Closure, start: week 20, end: week 26}]\n",
    "content/types/peer.yml": "name: Peer\nsummary: Peers.\nmilestones: [plan]\nworksheets: [goals]\n",
    "content/milestones/plan.yml": "title: Plan\ngoal: G\nmilestones: [{title: A, due: week 2}]\n",
    "content/worksheets/goals.yml": "title: Goals\npurpose: P\nsections: [{title: S, fields: [{id: g, kind: line, label: G}]}]\n",
    "content/guides/other.md": "---\ntitle: Other\n---\n## Hello\n",
}


def run_check(files: dict[str, str]) -> None:
    """Build the site in memory: a success, or SiteError(s) that all carry a location."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for rel, text in {**BASE, **files}.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            config = load_config(root / "site.yml")
            check(config)
        except SiteErrors as e:
            assert e.errors
            for err in e.errors:
                assert str(err).strip(), "an empty message"
                assert "\n" not in err.message, f"a message of several lines: {err.message!r}"
        except SiteError as e:
            assert e.message and "\n" not in e.message
        finally:
            shutil.rmtree(root, ignore_errors=True)


@SETTINGS
@given(text=yaml_texts)
def test_any_program_yml(text):
    run_check({"content/program.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_type_yml(text):
    run_check({"content/types/peer.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_milestone_template(text):
    run_check({"content/milestones/plan.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_worksheet(text):
    run_check({"content/worksheets/goals.yml": text})


@SETTINGS
@given(text=yaml_texts)
def test_any_site_yml(text):
    run_check({"site.yml": text})


@SETTINGS
@given(text=guides, name=st.sampled_from(["a.md", "folder/b.md", "index.md", "é x.md"]))
def test_any_guide(text, name):
    run_check({f"content/guides/{name}": text})


@settings(max_examples=max(20, EXAMPLES // 5), deadline=None, suppress_health_check=list(HealthCheck))
@given(fields=st.lists(st.fixed_dictionaries({"id": st.sampled_from(["a", "b", "c", "A B", "../x"]),
                                              "kind": st.sampled_from([*FIELD_KINDS, "paragraph"]),
                                              "label": st.text(max_size=20)},
                                             optional={"options": st.lists(st.sampled_from(WORDS), max_size=3),
                                                       "min": st.integers(-2, 8), "max": st.integers(-2, 8),
                                                       "columns": st.lists(st.sampled_from(["A", "B", "A"]), max_size=3),
                                                       "rows": st.one_of(st.integers(-1, 200), st.sampled_from(
                                                           ["from milestones/plan", "from milestones/nope", "x"]))}),
                      max_size=6))
def test_any_worksheet_fields(fields):
    run_check({"content/worksheets/goals.yml": dump({"title": "G", "purpose": "P", "sections": [{"title": "S", "fields": fields}]})})


# ---------------------------------------------------------------- the command line, on files, links and rosters
#
# The properties below run `build` and `packs` as a user does (main(), in this process) on a
# project in a fresh folder, beside a folder of someone else's files, and assert: exit code 0
# or 1 (never a traceback, never another code); no file of the project or beside it changed,
# moved or removed; on exit 1, every line is located (path:line:col: ...).
FUZZ_LAST_DATE = dt.date(9999, 12, 31)
CLI_EXAMPLES = max(10, EXAMPLES // 5)  # each example is a whole build: 30 in CI, about 2 s each
CLI_SETTINGS = settings(max_examples=CLI_EXAMPLES, deadline=dt.timedelta(seconds=60),
                        suppress_health_check=list(HealthCheck))
SECRET = b"SECRET-must-never-be-published"
LOCATED = re.compile(r"[^\n]+:\d+:\d+: \S|--[a-z-]+ '")  # a place in a file, or the option given
KEPT_OUT = {"_site", ".mentorsite-cache", "out"}  # what builds and packs write


def snapshot(folder: Path) -> dict[bytes, bytes | None]:
    """Every file (its bytes), folder and link under folder, but what the commands write."""
    out: dict[bytes, bytes | None] = {}
    for dirpath, dirnames, filenames in os.walk(os.fsencode(folder)):
        if dirpath == os.fsencode(folder / "project"):
            dirnames[:] = [d for d in dirnames if os.fsdecode(d) not in KEPT_OUT]
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            if os.path.islink(path):
                out[path] = b"-> " + os.readlink(path)
            elif os.path.isfile(path):
                with open(path, "rb") as f:
                    out[path] = f.read()
            else:
                out[path] = None
    return out


def cli(root: Path, *args: str) -> tuple[int, str]:
    """Run the command line in root; (exit code, stderr). stdout and stderr are text streams as
    a terminal's are (stdout strict UTF-8, stderr with backslashes for what is not)."""
    out = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="strict")
    err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8", errors="backslashreplace")
    here = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), _alarm(300):
            code = main(list(args))
        out.flush()
        err.flush()
    finally:
        os.chdir(here)
    return code, err.buffer.getvalue().decode("utf-8")


@contextlib.contextmanager
def _alarm(seconds: int):
    """A command that hangs (a FIFO read as a guide) fails the property instead of the run."""
    def hung(signum, frame):
        raise AssertionError(f"the command did not finish in {seconds} s")

    old = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def assert_outcome(code: int, err: str) -> None:
    assert code in (0, 1), f"exit code {code}: {err}"
    assert "Traceback" not in err, err
    if code == 1:
        lines = [line for line in err.splitlines() if line and not line.startswith("mentorsite: ")]
        assert lines, f"exit 1 without a message: {err!r}"
        for line in lines:
            assert LOCATED.match(line), f"a message without a location: {line!r}"


@contextlib.contextmanager
def fresh_project(files: dict[str, str] | None = None):
    """tmp/project (BASE, a .git holding a secret, and files) and tmp/outside (someone else's
    files, with the secret); yields tmp."""
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        root = tmp / "project"
        for rel, text in {**BASE, "site.yml": FUZZ_SITE, ".git/config": f"[credential]\n\thelper = {SECRET.decode()}\n",
                          "notes.txt": "my notes\n", **(files or {})}.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        for rel in ("outside/secret.md", "outside/dir/secret.md", "outside/dir/b.yml"):
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(b"---\ntitle: " + SECRET + b"\n---\n" + SECRET + b"\n")
        yield tmp


def assert_nothing_secret_published(out: Path) -> None:
    for dirpath, _dirs, files in os.walk(out):
        for name in files:
            with open(os.path.join(dirpath, name), "rb") as f:
                assert SECRET not in f.read(), f"published from outside or from .git: {dirpath}/{name}"


def assert_kept(before: dict, after: dict, output: Path | None = None) -> None:
    """Every file, folder and link of before is in after, the same; anything new is in the output
    folder (or a folder made to hold it), when the command wrote one."""
    changed = [path for path, value in before.items() if after.get(path, b"<gone>") != value]
    assert not changed, f"files of the user's changed, moved or went: {changed[:5]}"
    if output is not None:
        inside = os.fsencode(os.path.realpath(output))
        new = [p for p in after.keys() - before.keys()
               if not (p == inside or p.startswith(inside + b"/") or inside.startswith(p + b"/") and after[p] is None)]
        assert not new, f"files written outside the output folder: {new[:5]}"


def build_and_check(tmp: Path, *args: str, output: str = "_site") -> tuple[int, str]:
    root = tmp / "project"
    before = snapshot(tmp)
    code, err = cli(root, "build", "--jobs", "1", *args)
    assert_outcome(code, err)
    out = Path(os.path.realpath(root / output))
    assert_kept(before, snapshot(tmp), out if out.is_relative_to(os.path.realpath(tmp)) else None)
    if code == 0:
        assert_nothing_secret_published(out)
    return code, err


FUZZ_SITE = "title: Fuzz\ncohort: {start: 2027-01-11}\nhandbook_pdfs: false\n"
names = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\x00"), min_size=1, max_size=30),
    st.text(" .-_aé日\u200b\u202e'\"#%?&<>:*|\\\t\n\r", min_size=1, max_size=12),
    st.integers(100, 250).map(lambda n: "x" * n),
    st.sampled_from([".", "..", "...", " ", "a.", "a..b", "-", "index", "Index", "CON", "nul", "e\u0301", "%2e%2e",
                     "a%2fb", "?", "#", "_site", "assets", "print", "static"]),
).map(os.fsencode) | st.sampled_from([b"\xff", b"a\xff", b"\xff\xfe", b"\xc3", b"\xed\xa0\x80"])


@CLI_SETTINGS
@given(files=st.lists(st.tuples(st.sampled_from(["content/guides/", "content/guides/sub/", "content/assets/",
                                                  "content/types/", "content/worksheets/", "content/milestones/"]),
                                 names, st.sampled_from([b".md", b".yml", b"", b".svg"])), min_size=1, max_size=4),
       edit=st.booleans())
def test_any_file_names(files, edit):
    """Guides, assets, types... named with any bytes Linux allows (0xFF, newlines, 250 bytes)."""
    with fresh_project({"site.yml": FUZZ_SITE + ("edit_url: https://example.org/edit/{path}\n" if edit else "")}) as tmp:
        root = os.fsencode(tmp / "project")
        for folder, name, suffix in files:
            path = os.path.join(root, os.fsencode(folder), name + suffix)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            body = (b"name: Peer\nsummary: Peers.\n" if folder == "content/types/" else
                    b"---\ntitle: A guide\n---\nSee [the other](other.md).\n")
            try:
                with open(path, "wb") as f:
                    f.write(body)
            except OSError:  # a name too long for the file system, or "." and ".."
                continue
        build_and_check(tmp)


LINK_PLACES = ["content/guides/l.md", "content/guides/sub", "content/guides", "content/assets/l", "content/assets",
               "content/assets/deep/l", "content/types/l.yml", "content/types", "content/program.yml",
               "content/index.md", "content/worksheets/goals.yml", "content/milestones"]
LINK_TARGETS = ["{tmp}/outside/secret.md", "{tmp}/outside/dir", "missing", "{self}", "..", ".", "../..", "{root}",
                "{root}/.git", "{root}/.git/config", "{root}/content/guides/other.md", "{root}/content/guides",
                "{root}/content", "/", "l", "{root}/notes.txt", "{root}/content/guides/l.md", "{root}/content/assets"]


@CLI_SETTINGS
@given(links=st.lists(st.tuples(st.sampled_from(LINK_PLACES), st.sampled_from(LINK_TARGETS)), min_size=1, max_size=4))
def test_any_symlinks(links):
    """Links anywhere in content/: out of the project, dangling, in circles, to .git, up the tree."""
    with fresh_project() as tmp:
        root = tmp / "project"
        for place, target in links:
            path = root / place
            if path.is_symlink() or path.is_file():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError:  # an earlier link of this example made a parent a file (or a broken link)
                continue
            path.symlink_to(target.format(tmp=tmp, root=root, self=path))
        build_and_check(tmp)


OUTPUTS = [".", "..", "../..", "content", "content/guides", "content/_site", "themes", "themes/x/out", ".git",
           ".mentorsite-cache", ".mentorsite-cache/site", "docs", "_site", "out/deep", "site.yml", "notes.txt",
           "content/program.yml", "../outside", "../outside/dir", "../new", "{root}", "{tmp}", "{tmp}/outside"]


@CLI_SETTINGS
@given(output=st.one_of(st.sampled_from(OUTPUTS), st.text("._-a/é ", min_size=1, max_size=12)),
       how=st.sampled_from(["--output", "site.yml"]), docs=st.booleans())
def test_any_output_folder(output, how, docs):
    """Whatever the output folder, no file of the project or beside it is changed or lost."""
    output = output.replace("//", "/").lstrip("/") if not output.startswith("{") else output
    with fresh_project({"docs/n.md": "# My notes\n"} if docs else None) as tmp:
        value = output.format(root=tmp / "project", tmp=tmp)
        if how == "--output":
            build_and_check(tmp, f"--output={value}", output=value)
        else:
            with open(tmp / "project/site.yml", "a", encoding="utf-8") as f:
                f.write(f"output: {json.dumps(value)}\n")
            build_and_check(tmp, output=value)


ROSTER_HEADER = "mentor,mentee,type,milestones,start,notes"
cells = st.one_of(
    st.text(max_size=20),
    st.sampled_from(['"', '""', '"a', 'a"', 'a,b', 'a;b', "\n", "\r\n", "\r", " ", "Ana", "Ben", "Cid", "peer", "Peer",
                     "nope", "plan", "Plan", "", "2027-01-11", "2027-02-30", "2027-13-01", "week 2", "ANA", "Ana "]),
    st.dates(dt.date(1, 1, 1), FUZZ_LAST_DATE).map(dt.date.isoformat),
    st.integers(100, 300).map(lambda n: "é" * n),
    st.just("x" * 131_073),
)


good_rows = st.tuples(
    st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(["Ana", "Ben", "ana", "Ana López", "张伟"]),
              st.integers(100, 300).map(lambda n: "é" * n)),
    st.one_of(st.text(min_size=1, max_size=30), st.sampled_from(["Ben", "Bea", "BEN"])),
    st.sampled_from(["peer", "Peer", "PEER"]), st.sampled_from(["", "plan", "Plan"]),
    st.one_of(st.just(""), st.dates(dt.date(1, 1, 1), FUZZ_LAST_DATE).map(dt.date.isoformat)), cells,
).map(list)


@CLI_SETTINGS
@given(rows=st.lists(st.one_of(good_rows, good_rows, st.lists(cells, max_size=7)), max_size=8), quoted=st.sampled_from([True, True, False]),
       header=st.one_of(st.just(ROSTER_HEADER), st.just(ROSTER_HEADER), st.sampled_from(
           ["Mentor;Mentee;Type;Milestones;Start", "\ufeff" + ROSTER_HEADER, "mentor,mentee", ""]), st.text(max_size=30)))
def test_any_roster(rows, quoted, header):
    """Any roster: every good row is made, in a folder of its own; each bad one reported at its line."""
    delimiter = ";" if header.count(";") > header.count(",") else ","
    if quoted:  # a well-formed CSV file
        buffer = io.StringIO(newline="")
        csv.writer(buffer, delimiter=delimiter).writerows(rows)
        body = buffer.getvalue()
    else:  # cells joined as they are: stray quotes, line breaks
        body = "".join(delimiter.join(row) + "\n" for row in rows)
    with fresh_project() as tmp:
        root = tmp / "project"
        (root / "roster.csv").write_text(header + "\n" + body, encoding="utf-8")
        (root / "out").mkdir()
        (root / "out/mine.txt").write_text("mine\n")
        before = snapshot(tmp)
        code, err = cli(root, "packs", "roster.csv", "--out", "out", "--jobs", "1")
        assert_outcome(code, err)
        assert_kept(before, snapshot(tmp))
        assert (root / "out/mine.txt").read_text() == "mine\n"
        if quoted and header == ROSTER_HEADER:
            starts, line = [], 2
            for row in rows:
                buffer = io.StringIO(newline="")
                csv.writer(buffer).writerow(row)
                if any(cell.strip() for cell in row):
                    starts.append(line)
                line += len(io.StringIO(buffer.getvalue(), newline="").readlines())
            bad = {int(m.group(1)) for m in re.finditer(r"^roster\.csv:(\d+):\d+: ", err, re.M)}
            assert bad <= set(starts), f"an error at a line where no row begins: {err}"
            folders = [p for p in (root / "out").iterdir() if p.is_dir()]
            assert len(folders) == len(starts) - len(bad), f"good rows lost: {err}"
            event(f"pairs made: {min(len(folders), 3)}{'+' if len(folders) > 3 else ''}")
# ---------------------------------------------------------------- dates, through `build` and `packs` (issue 21)
# Kept apart from the functions above: the cohort start, due dates and a roster's start dates are
# mutated (huge, negative, impossible, at the calendar's edges, far future) and the command line
# runs `build` (or `packs`): it exits 0 or 1, never with a traceback, and every problem it prints
# on exit 1 is located (path:line:col). About a minute in all.

DATE_EXAMPLES = max(10, EXAMPLES // 3)
DATE_SETTINGS = settings(max_examples=DATE_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
DATE_LOCATED = re.compile(r"^\S+:\d+:\d+: \S")

edge_dates = st.one_of(
    st.dates(),  # any day of years 1 to 9999
    st.sampled_from([dt.date.min, dt.date.max, dt.date(1, 1, 7), dt.date(1, 1, 8), dt.date(9999, 12, 24),
                     dt.date(9999, 12, 25), dt.date(9999, 12, 1), dt.date(9999, 12, 20), dt.date(2027, 2, 28)]),
)
date_texts = st.one_of(
    edge_dates.map(dt.date.isoformat),
    st.sampled_from(["2027-02-30", "2027-13-01", "9999-12-32", "0000-01-01", "10000-01-01", "-0001-01-01",
                     "2027-1-1", "20270101", "", "tomorrow", "9" * 5000]),
)
amounts = st.one_of(st.integers(-40_000, 40_000), st.integers(-10**15, 10**15),
                    st.sampled_from([0, 36_525, 36_526, -36_526, 5_218, 5_219, 1_200, 1_201]),
                    st.sampled_from(["-0", "007", "9" * 5000]))  # (more digits than Python turns into a number)
units = st.sampled_from(["day", "days", "week", "weeks", "month", "months", "Week"])
due_texts = st.one_of(  # most are due dates that exist (the far ones among them), some are not
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, amounts),
    st.builds("phase:{} + {} {}".format, st.sampled_from(["closure", "start"]), st.integers(0, 400),
              st.sampled_from(["day", "days", "week", "weeks"])),
    st.builds("phase:{} + {} {}".format, st.sampled_from(["closure", "start", "nope"]), st.integers(0, 10**12),
              st.sampled_from(["day", "days", "week", "weeks"])),
    st.sampled_from(["phase:closure", "phase:start", "week", "day -", "month 1.5", "week 4 days", "phase:"]),
    edge_dates.map(dt.date.isoformat),
    date_texts,
)
phase_dues = st.one_of(  # (a phase is never at another phase: that error is checked elsewhere)
    st.builds("{} {}".format, units, st.integers(-300, 300)),
    st.builds("{} {}".format, units, amounts),
    edge_dates.map(dt.date.isoformat),
)
starts = st.one_of(st.none(), st.dates(dt.date(2020, 1, 1), dt.date(2035, 12, 31)).map(dt.date.isoformat), date_texts)


def run_cli(root: Path, *args: str) -> tuple[int, str]:
    """mentorsite ARGS in this process, in root: (exit code, stderr). An exception other than the
    user's errors, which the command line reports itself, fails the property."""
    err = io.StringIO()
    cwd = os.getcwd()
    os.chdir(root)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(list(args))
    finally:
        os.chdir(cwd)
    return code, err.getvalue()


def assert_located(code: int, err: str) -> None:
    assert code in (0, 1), err
    assert "Traceback" not in err
    if code == 1:
        problems = [line for line in err.splitlines() if line and not line.startswith("mentorsite:")]
        assert problems, err
        for line in problems:
            assert DATE_LOCATED.match(line), f"a message without its place: {line!r}"


def dated_project(root: Path, start: str | None, phase: tuple[str, str], dues: list[str]) -> None:
    files = {
        "site.yml": "title: Dates\nhandbook_pdfs: false\nsearch: false\n"
                    + (f"cohort:\n  start: {yaml.safe_dump(start).splitlines()[0]}\n" if start is not None else ""),
        "content/program.yml": dump({"name": "P", "roles": [{"id": "mentor", "title": "Mentor"}],
                                     "phases": [{"id": "start", "name": "Start", "start": "week 0", "end": "week 2"},
                                                {"id": "closure", "name": "Closure", "start": phase[0], "end": phase[1]}]}),
        "content/types/peer.yml": "name: Peer\nsummary: Peers.\nmilestones: [plan]\n",
        "content/milestones/plan.yml": dump({"title": "Plan", "goal": "G",
                                             "milestones": [{"title": f"M{i}", "due": d} for i, d in enumerate(dues)]}),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")


@DATE_SETTINGS
@given(start=starts, phase=st.tuples(phase_dues, phase_dues),
       dues=st.lists(due_texts, min_size=1, max_size=4))
def test_any_dates_build(start, phase, dues):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dated_project(root, start, phase, dues)
        code, err = run_cli(root, "build", "--jobs", "1")
        event(f"build exit {code}")
        assert_located(code, err)
        if code == 0:
            assert (root / "_site/schedule/index.html").is_file()


@DATE_SETTINGS
@given(starts=st.lists(starts.map(lambda s: s or ""), min_size=1, max_size=5), cohort=st.one_of(st.none(), edge_dates.map(str)),
       due=due_texts)
def test_any_roster_dates_make_packs(starts, cohort, due):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        dated_project(root, cohort, ("week 10", "week 12"), [due])
        rows = "".join(f"Mentor {i},Mentee {i},peer,,{s}\n" for i, s in enumerate(starts))
        (root / "roster.csv").write_text("mentor,mentee,type,milestones,start\n" + rows, encoding="utf-8")
        code, err = run_cli(root, "packs", "roster.csv", "--out", "out", "--jobs", "1")
        event(f"packs exit {code}" + (", some pairs made" if (root / "out/index.html").is_file() else ""))
        assert_located(code, err)
