"""mentorsite packs: a folder per pair of a roster, its worksheets filled in (read back with pypdf),
its calendar (icalendar), index.html; bad rows located; shards that split the pairs."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import icalendar
import pypdf
import pytest

from mentorsite.commands.packs import parse_shard, safe_name
from mentorsite.state import PdfStore
from tests.test_worksheets import PROGRAM_ROWS_SHEET

FILES = {
    "site.yml": "title: Test Handbook\nurl: https://example.org/handbook/\ncohort:\n  start: 2027-01-11\n",
    "content/types/peer.yml": "name: Peer mentoring\nsummary: Two peers.\nmilestones: [speaking]\nworksheets: [agreement, tracker]\n",
    "content/types/open.yml": "name: Open mentoring\nsummary: Anything goes.\n",
    "content/milestones/speaking.yml": """\
        title: Public speaking
        goal: Give three talks.
        milestones:
          - {title: First talk, due: week 4, owner: mentee}
          - {title: A webinar, due: month 2}
          - {title: Wrap up, due: phase:closure}
        """,
    "content/milestones/network.yml": "title: Network\ngoal: Meet people.\nmilestones:\n  - {title: Ten people, due: week 6}\n",
    "content/worksheets/agreement.yml": """\
        title: Agreement
        purpose: Agree.
        sections:
          - title: The pair
            fields:
              - {id: mentor-name, kind: line, label: Mentor}
              - {id: mentee-name, kind: line, label: Mentee}
              - {id: mentoring-type, kind: choice, label: Type, options: [Peer, Open]}
              - {id: goals, kind: text, label: Goals}
        """,
    "content/worksheets/tracker.yml": """\
        title: Tracker
        purpose: Track.
        sections:
          - title: Plan
            fields:
              - id: plan
                kind: table
                label: Milestones
                rows: from milestones/speaking
                columns:
                  - {label: Milestone, id: title}
                  - {label: Due, id: due, kind: date}
                  - {label: Done, kind: check}
        """,
    "content/worksheets/other.yml": "title: Other\npurpose: Other.\nsections:\n  - title: A\n    fields:\n      - {id: a, kind: line, label: A}\n",
}
ROSTER = """\
mentor,mentee,type,milestones,start,team
Ana López,Ben Okoro,peer,speaking,2027-01-11,Finance
张伟,Chloé Durand,Peer mentoring,network,2027-02-01,Legal
Dana Reed,Eli Park,open,,,Ops
"""


@pytest.fixture
def project(make_site):
    return make_site(FILES)


def _fields(path):
    return {name: f.get("/V") for name, f in pypdf.PdfReader(path).get_fields().items()}


def test_each_pair_gets_its_worksheets_filled_with_names_and_dates(project, run):
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 0, result.err
    assert result.err == ""  # no progress bar when stderr is not a terminal
    out = project / "out"
    assert sorted(p.name for p in out.iterdir()) == [".mentorsite-packs.json", "Ana López + Ben Okoro", "Dana Reed + Eli Park",
                                                    "index.html", "张伟 + Chloé Durand"]
    ana = out / "Ana López + Ben Okoro"
    # the type's worksheets; a type that suggests none gets them all
    assert sorted(p.name for p in ana.iterdir()) == ["agreement.pdf", "calendar.ics", "tracker.pdf"]
    assert sorted(p.name for p in (out / "Dana Reed + Eli Park").iterdir()) == [
        "agreement.pdf", "calendar.ics", "other.pdf", "tracker.pdf"]
    agreement = _fields(ana / "agreement.pdf")
    assert agreement["mentor-name"] == "Ana López" and agreement["mentee-name"] == "Ben Okoro"
    assert agreement["pair-mentor"] == "Ana López" and agreement["pair-mentee"] == "Ben Okoro"
    assert agreement["pair-type"] == "Peer mentoring" and agreement["pair-start"] == "Jan 11, 2027"
    assert agreement["pair-plan"] == "Public speaking"
    assert agreement["mentoring-type"] == "/0"  # the pair's type ticked among the options
    assert agreement.get("goals") in (None, "")  # what the pair writes stays blank
    tracker = _fields(ana / "tracker.pdf")
    assert [tracker[f"plan-{r}-title"] for r in (1, 2, 3)] == ["First talk", "A webinar", "Wrap up"]
    assert [tracker[f"plan-{r}-due"] for r in (1, 2, 3)] == ["Feb 8, 2027", "Mar 11, 2027", "Mar 22, 2027"]
    # another start, another template: the pair's own rows and dates
    zhang = _fields(out / "张伟 + Chloé Durand" / "tracker.pdf")
    assert zhang["pair-mentor"] == "张伟" and zhang["pair-start"] == "Feb 1, 2027"
    assert zhang["plan-1-title"] == "Ten people" and zhang["plan-1-due"] == "Mar 15, 2027"
    assert "plan-2-title" not in zhang
    # an empty start is the cohort's; an empty template is the type's first (none for 'open')
    dana = _fields(out / "Dana Reed + Eli Park" / "agreement.pdf")
    assert dana["pair-start"] == "Jan 11, 2027" and dana.get("pair-plan") in (None, "")
    assert dana["mentoring-type"] == "/1"
    reader = pypdf.PdfReader(ana / "agreement.pdf")
    assert bool(reader.trailer["/Root"]["/AcroForm"]["/NeedAppearances"])
    assert reader.metadata.title == "Agreement · Test Program"
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Finance" in index and 'href="Ana%20L%C3%B3pez%20%2B%20Ben%20Okoro/tracker.pdf"' in index


def test_a_new_roster_removes_what_the_last_run_made_for_pairs_it_no_longer_has(project, run):
    """Packs of pairs that left the roster, and worksheets a pair no longer gets, are removed;
    a file or folder of the user's is not, nor is anything while the roster has bad rows."""
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run("packs", "roster.csv", "--out", "out").code == 0
    out = project / "out"
    (out / "张伟 + Chloé Durand" / "notes.txt").write_text("the pair's own notes")
    (out / "mine").mkdir()
    (out / "mine" / "agreement.pdf").write_bytes(b"%PDF-1.7 mine")
    # Zhang and Chloé leave; Dana and Eli change to peer mentoring (no more 'other' worksheet)
    lines = ROSTER.splitlines()
    smaller = "\n".join([lines[0], lines[1], lines[3].replace(",open,", ",peer,")]) + "\n"
    (project / "roster.csv").write_text(smaller + "Bad,,peer,,,\n", encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 1
    assert "Kept 4 files of pairs or worksheets no longer in the roster: they are removed once its bad rows are fixed" in result.err
    assert (out / "Dana Reed + Eli Park" / "other.pdf").is_file() and (out / "张伟 + Chloé Durand" / "tracker.pdf").is_file()
    (project / "roster.csv").write_text(smaller, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 0, result.err
    assert "Removed 4 files of pairs or worksheets no longer in the roster" in result.out
    assert sorted(p.name for p in (out / "Dana Reed + Eli Park").iterdir()) == ["agreement.pdf", "calendar.ics", "tracker.pdf"]
    assert [p.name for p in (out / "张伟 + Chloé Durand").iterdir()] == ["notes.txt"]  # the folder stays for it
    assert (out / "mine" / "agreement.pdf").read_bytes() == b"%PDF-1.7 mine"
    assert (out / "Ana López + Ben Okoro" / "tracker.pdf").is_file()
    assert "Removed" not in run("packs", "roster.csv", "--out", "out").out  # nothing left to remove


def test_a_pairs_calendar_has_its_own_dates_and_uids(project, run):
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run("packs", "roster.csv", "--out", "out").code == 0
    cal = icalendar.Calendar.from_ical((project / "out/张伟 + Chloé Durand/calendar.ics").read_bytes())
    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    start = dt.date(2027, 2, 1)
    milestone = [e for uid, e in events.items() if uid.startswith("milestone-network-1.")]
    assert len(milestone) == 1 and milestone[0].decoded("DTSTART") == start + dt.timedelta(weeks=6)
    phases = {uid.split(".")[0]: e.decoded("DTSTART") for uid, e in events.items() if uid.startswith("phase-")}
    assert phases == {"phase-start": start, "phase-closure": start + dt.timedelta(weeks=10)}
    other = icalendar.Calendar.from_ical((project / "out/Ana López + Ben Okoro/calendar.ics").read_bytes())
    assert not {str(e["UID"]) for e in other.walk("VEVENT")} & set(events)  # one pair's events never replace another's


def test_bad_rows_are_located_and_the_others_made(project, run):
    roster = ROSTER + (
        "Fay,Gil,peers,speaking,2027-01-11,\n"  # line 5
        "Hal,,peer,speaking,2027-01-11,\n"
        "Ida,Jon,peer,speakin,2027-13-01,\n"
        "Ana López,Ben Okoro,peer,speaking,2027-03-01,\n"
        ",Kim,peer,,,\n"
    )
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.code == 1
    assert result.errors == [
        "roster.csv:5:3: unknown mentoring type 'peers' — did you mean 'peer'?",
        "roster.csv:6:2: missing mentee name — write the mentee's name in the 'mentee' column",
        "roster.csv:7:4: unknown milestone template 'speakin' — did you mean 'speaking'?",
        "roster.csv:7:5: '2027-13-01' does not exist — a year has months 01 to 12: correct the month",
        "roster.csv:8:2: duplicate pair Ana López and Ben Okoro (first on line 2) — remove one of the two rows",
        "roster.csv:9:1: missing mentor name — write the mentor's name in the 'mentor' column",
    ]
    assert "mentorsite: 6 problems in the roster; those rows were not made" in result.err
    assert "Traceback" not in result.err
    assert len([p for p in (project / "out").iterdir() if p.is_dir()]) == 3


@pytest.mark.parametrize(("roster", "message"), [
    ("mentor,mentee,type\nA,B,peer\n",
     "roster.csv:1:1: the roster has no columns 'milestones', 'start' — its first line must name the columns "
     "mentor, mentee, type, milestones, start (other columns are kept)"),
    ("", "roster.csv:1:1: the roster is empty — its first line names the columns: mentor, mentee, type, milestones, start"),
    ("mentor,mentee,type,milestones,start\nJos\xe9,B,peer,,\n".encode("latin-1"),
     "roster.csv:2:1: the roster is not UTF-8 text — save it as 'CSV UTF-8'"),
])
def test_unreadable_rosters(project, run, roster, message):
    path = project / "roster.csv"
    path.write_bytes(roster) if isinstance(roster, bytes) else path.write_text(roster)
    result = run("packs", "roster.csv")
    assert result.code == 1
    assert result.errors == [message]


def test_a_semicolon_roster_with_a_bom_and_a_multiline_cell(project, run):
    roster = '\ufeffMentor;Mentee;Type;Milestones;Start;Notes\n"Ana";"Ben";peer;;2027-01-11;"two\nlines"\nCid;Dee;zzz;;;\n'
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out")
    assert result.errors == ["roster.csv:4:3: unknown mentoring type 'zzz' — expected one of: open, peer"]
    assert (project / "out/Ana + Ben/agreement.pdf").is_file()


def test_shards_split_the_pairs_without_overlap(project, run):
    rows = "".join(f"Mentor {i},Mentee {i},peer,speaking,2027-01-11,\n" for i in range(10))
    (project / "roster.csv").write_text("mentor,mentee,type,milestones,start,team\n" + rows + "Bad,,peer,,,\n")
    shards = []
    for k in (1, 2, 3):
        result = run("packs", "roster.csv", "--out", f"shard{k}", "--shard", f"{k}/3", "--jobs", "1")
        shards.append({p.name for p in (project / f"shard{k}").iterdir() if p.is_dir()})
        # row 11 (the bad one) is the 11th row: shard 2 of 3 owns it and reports it
        assert result.code == (1 if k == 2 else 0), result.err
        assert ("roster.csv:12:2:" in result.err) == (k == 2)
    assert [len(s) for s in shards] == [4, 3, 3]
    assert not (shards[0] & shards[1]) and not (shards[0] & shards[2]) and not (shards[1] & shards[2])
    assert set().union(*shards) == {f"Mentor {i} + Mentee {i}" for i in range(10)}
    # every shard writes the same index of all pairs
    assert len({(project / f"shard{k}/index.html").read_bytes() for k in (1, 2, 3)}) == 1


@pytest.mark.parametrize(("value", "expected"), [("1/1", (1, 1)), ("2/4", (2, 4)), (" 3 / 3 ", (3, 3))])
def test_parse_shard(value, expected):
    assert parse_shard(value) == expected


@pytest.mark.parametrize("value", ["0/3", "4/3", "1", "a/b", "1/0", ""])
def test_bad_shards(value):
    with pytest.raises(ValueError, match=r"write K/N with 1 <= K <= N"):
        parse_shard(value)


def test_bad_shard_is_bad_usage(project, run):
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    result = run("packs", "roster.csv", "--shard", "5/4")
    assert result.code == 2
    assert "--shard '5/4' — write K/N with 1 <= K <= N, e.g. --shard 1/4" in result.err


@pytest.mark.parametrize(("text", "expected"), [
    ("Ana López + Ben Okoro", "Ana López + Ben Okoro"),
    ("../../etc/passwd + x", "_.._etc_passwd + x"),
    ("a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"),
    ("nul\x00byte", "nul_byte"),
    ("..", "pair"),
    ("   ", "pair"),
    ("CON", "_CON"),
    ("com1.txt", "_com1.txt"),
    ("张伟 + Chloé", "张伟 + Chloé"),
    ("trailing dots...", "trailing dots"),
])
def test_safe_folder_names(text, expected):
    assert safe_name(text) == expected


def test_long_names_are_cut_in_bytes_and_keep_a_digest_of_the_whole():
    name = safe_name("é" * 200)
    assert len(name.encode("utf-8")) <= 120
    assert name == "é" * 55 + "~" + hashlib.blake2b(("é" * 200).encode(), digest_size=4).hexdigest()
    assert safe_name("é" * 200 + "x") != name and safe_name(name) == name  # (what the packs' manifest checks)
    assert safe_name("a" * 200, suffix=" (line 9)").endswith(" (line 9)")
    assert len(safe_name("a" * 200, suffix=" (line 9)")) == 120


def test_two_pairs_never_share_a_folder(project, run):
    """Names that agree in their first 120 bytes, or that become the same folder name, get
    folders of their own, the same at every run."""
    long = "Alexandra Maria " * 10
    roster = ("mentor,mentee,type,milestones,start\n"
              f"{long}Ana,Ben,peer,,2027-01-11\n{long}Ana,Bea,peer,,2027-01-11\n"
              "A/B,C,peer,,2027-01-11\nA_B,C,peer,,2027-01-11\nA:B,C (line 5),peer,,2027-01-11\n"
              "A?B,C (line 5),peer,,2027-01-11\n")
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.code == 0, result.err
    folders = sorted(p.name for p in (project / "out").iterdir() if p.is_dir())
    assert len(folders) == 6
    assert {"A_B + C", "A_B + C (line 5)", "A_B + C (line 5) (line 6)", "A_B + C (line 5) (line 7)"} <= set(folders)
    names = {_fields(project / "out" / f / "agreement.pdf")["mentee-name"] for f in folders}
    assert names == {"Ben", "Bea", "C", "C (line 5)"}
    assert sorted(_fields(project / "out" / f / "agreement.pdf")["mentee-name"] for f in folders
                  if f.startswith("Alexandra")) == ["Bea", "Ben"]
    assert run("packs", "roster.csv", "--out", "out", "--jobs", "1").code == 0
    assert sorted(p.name for p in (project / "out").iterdir() if p.is_dir()) == folders


def test_a_huge_cell_is_reported_at_its_line_and_the_rows_after_it_are_made(project, run):
    roster = ("mentor,mentee,type,milestones,start,notes\nAna,Ben,peer,,2027-01-11,\n"
              f"Cid,Dee,peer,,2027-01-11,{'x' * 200_000}\nEve,Fay,peer,,2027-01-11,\n"
              f'Gus,Hal,peer,,2027-01-11,"{"y" * 140_000}\nover two lines"\nIda,Jon,peer,,2027-01-11,\n')
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.code == 1
    assert result.errors == [
        "roster.csv:3:6: a cell of 200,000 characters, more than the 131,072 a cell may hold — shorten it",
        "roster.csv:5:6: a cell of 140,015 characters, more than the 131,072 a cell may hold — shorten it",
    ]
    made = {p.name for p in (project / "out").iterdir() if p.is_dir()}
    assert made == {"Ana + Ben", "Eve + Fay", "Ida + Jon"}


@pytest.mark.parametrize(("rows", "message"), [
    ('Cid,"Dee,peer,,2027-01-11\n',
     'roster.csv:3:1: a quote (") in this row is never closed — close it, or write "" for a quote inside a quoted cell'),
    ('Cid,Dee "the third",peer,,2027-01-11\n', None),  # a quote inside a cell that is not quoted is text
    ('Cid,"Dee" Junior,peer,,2027-01-11\n',
     'roster.csv:3:1: a cell of this row goes on after its closing quote (") — quote the whole cell, writing "" for '
     "each quote inside it"),
])
def test_a_stray_quote_costs_only_its_own_row(project, run, rows, message):
    """The rows after a quote that is never closed are read as themselves, even when a later
    quote would close it."""
    roster = ("mentor,mentee,type,milestones,start,notes\nAna,Ben,peer,,2027-01-11,\n" + rows
              + 'Eve,Fay,peer,,2027-01-11,\nGus,Hal,peer,,2027-01-11,"Notes, with a comma"\n'
              + 'Ida,Jon,peer,,2027-01-11,"two\nlines"\nKim,Lee,peer,,2027-01-11,\n')
    (project / "roster.csv").write_text(roster, encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.errors == ([message] if message else [])
    made = {p.name for p in (project / "out").iterdir() if p.is_dir()}
    assert {"Ana + Ben", "Eve + Fay", "Gus + Hal", "Ida + Jon", "Kim + Lee"} <= made
    assert len(made) == (5 if message else 6)


def test_a_quote_never_closed_at_the_end_and_in_the_header(project, run):
    (project / "roster.csv").write_text('mentor,mentee,type,milestones,start\nAna,Ben,peer,,2027-01-11\nCid,"Dee\n')
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.errors == ['roster.csv:3:1: a quote (") in this row is never closed — close it, or write "" for a '
                             'quote inside a quoted cell']
    assert (project / "out/Ana + Ben/agreement.pdf").is_file()
    (project / "roster.csv").write_text('mentor,"mentee,type,milestones,start\nAna,Ben,peer,,2027-01-11\n')
    result = run("packs", "roster.csv", "--out", "out2")
    assert result.errors == ['roster.csv:1:1: the roster\'s first line cannot be read: a quote (") in this row is never '
                             'closed — close it, or write "" for a quote inside a quoted cell']


def test_a_table_of_the_programs_phases_has_each_pairs_own_dates(make_site, run):
    """A worksheet table with `rows: from program/phases`: in a pair's pack, each phase's dates
    count from the pair's start (fields, filled per pair), as a milestone plan's do."""
    make_site({
        **FILES,
        "content/types/checkin.yml": "name: Check-in mentoring\nsummary: Phase by phase.\nworksheets: [phase-check]\n",
        "content/worksheets/phase-check.yml": PROGRAM_ROWS_SHEET,  # (phases: name, start, end, how it went)
    })
    (Path.cwd() / "roster.csv").write_text("mentor,mentee,type,milestones,start\nAna,Ben,checkin,,2027-02-01\n"
                                           "Cy,Di,checkin,,2027-01-11\n", encoding="utf-8")
    result = run("packs", "roster.csv", "--out", "out", "--jobs", "1")
    assert result.code == 0, result.err
    ana, cy = _fields("out/Ana + Ben/phase-check.pdf"), _fields("out/Cy + Di/phase-check.pdf")
    assert [ana["phases-1-name"], ana["phases-2-name"]] == ["Start", "Closure"]
    assert [ana["phases-1-start"], ana["phases-2-start"]] == ["Feb 1, 2027", "Apr 12, 2027"]
    assert [cy["phases-1-start"], cy["phases-2-start"]] == ["Jan 11, 2027", "Mar 22, 2027"]
    assert ana.get("phases-1-how-it-went") in (None, "")


def _reshape(path: Path, shape: str) -> None:
    """Rewrite a template PDF of the store as other PDF writers (or older WeasyPrints) shape a form."""
    from pypdf.generic import ArrayObject, NameObject

    writer = pypdf.PdfWriter(clone_from=pypdf.PdfReader(path))
    if shape == "no form":
        del writer._root_object["/AcroForm"]
    elif shape == "a radio group's options not a list":
        for ref in writer._root_object["/AcroForm"]["/Fields"]:
            if "/Kids" in ref.get_object():
                ref.get_object()[NameObject("/Kids")] = NameObject("/Nothing")
    else:  # each option of a radio group a field of its own, with the group's name, and no /Kids
        form = writer._root_object["/AcroForm"]
        fields = ArrayObject()
        for ref in form["/Fields"]:
            obj = ref.get_object()
            if "/Kids" in obj and obj.get("/FT") == "/Btn":
                for kid_ref in obj["/Kids"]:
                    kid = kid_ref.get_object()
                    for name in ("/T", "/FT", "/Ff"):
                        if name in obj:
                            kid[NameObject(name)] = obj[name]
                    del kid["/Parent"]
                    fields.append(kid_ref)
            else:
                fields.append(ref)
        form[NameObject("/Fields")] = fields
    with open(path, "wb") as f:
        writer.write(f)


@pytest.mark.parametrize("shape", ["radio options as fields of their own", "no form"])
def test_any_template_pypdf_reads_is_filled_without_a_traceback(project, run, tmp_path, monkeypatch, shape):
    store = tmp_path / "store"
    monkeypatch.setenv("MENTORSITE_PDF_CACHE", str(store))
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run("packs", "roster.csv", "--out", "out", "--jobs", "1").code == 0
    for template in store.glob("*.pdf"):  # the next run takes its templates from the store
        _reshape(template, shape)
        PdfStore(store).put(template.stem, template.read_bytes())  # (sealed again: as if stored so)
    result = run("packs", "roster.csv", "--out", "again", "--jobs", "1")
    assert result.code == 0, result.err
    for pair, option in [("Ana López + Ben Okoro", "/0"), ("Dana Reed + Eli Park", "/1")]:
        reader = pypdf.PdfReader(project / "again" / pair / "agreement.pdf")
        widgets = [a.get_object() for page in reader.pages for a in page.get("/Annots", ())]
        radios = [w for w in widgets if "mentoring-type" in (w.get("/T"), w["/Parent"].get_object().get("/T") if "/Parent" in w else None)]
        assert len(radios) == 2
        if shape == "no form":
            assert reader.get_fields() in (None, {})  # written as it was: nothing to fill
        else:
            assert {str(w["/AS"]) for w in radios} == {option, "/Off"}  # the pair's option ticked, the other not
            assert str(next(w for w in radios if option in w["/AP"]["/N"])["/AS"]) == option
            assert reader.get_fields()["pair-mentor"]["/V"] == pair.split(" + ")[0]


def test_a_template_whose_form_cannot_be_filled_is_a_located_error(project, run, tmp_path, monkeypatch):
    store = tmp_path / "store"
    monkeypatch.setenv("MENTORSITE_PDF_CACHE", str(store))
    (project / "roster.csv").write_text(ROSTER, encoding="utf-8")
    assert run("packs", "roster.csv", "--out", "out", "--jobs", "1").code == 0
    for template in store.glob("*.pdf"):
        _reshape(template, "a radio group's options not a list")
        PdfStore(store).put(template.stem, template.read_bytes())  # (sealed again: as if stored so)
    result = run("packs", "roster.csv", "--out", "again", "--jobs", "1")
    assert result.code == 1
    assert result.err == (
        "content/worksheets/agreement.yml:1:1: could not fill agreement.pdf for Ana López + Ben Okoro: AttributeError: "
        "'str' object has no attribute 'get_object' — delete .mentorsite-cache/pdf/ to make the worksheet PDFs again; if it "
        "stays, check the theme's templates/pdf/ files\n")
