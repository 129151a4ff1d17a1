"""The PDFs in the handbook's colours: worksheet PDFs, packs and the handbook PDFs are drawn in the
colours derived from theme_options.primary_color (read back from the pages' content streams with
pypdf), and the phase numbers of handbook.pdf sit in the middle of their dots (the page drawn by
poppler's pdftoppm and looked at with Pillow)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from mentorsite.site.palette import palette
from tests.test_build import FULL

GREEN = "#2e7d32"
TEAL = {"#0e5e63", "#0a4549", "#e3f0ef"}  # the theme's own colours, used without primary_color
SITE = f"title: Green\ncohort: {{start: 2027-01-11}}\ntheme_options: {{primary_color: '{GREEN}'}}\n"


def colours(pdf: Path) -> set[str]:
    """Every fill and stroke colour (rg, RG) set on the pages of a PDF, as #rrggbb."""
    found = set()
    for page in PdfReader(pdf).pages:
        stream = page.get_contents().get_data().decode("latin-1")
        for r, g, b in re.findall(r"([\d.]+) ([\d.]+) ([\d.]+) (?:rg|RG)\b", stream):
            found.add("#" + "".join(f"{round(float(c) * 255):02x}" for c in (r, g, b)))
    return found


@pytest.fixture(scope="module")
def green(tmp_path_factory) -> Path:
    """A small handbook in green, built once."""
    from mentorsite.commands.cli import main
    from tests.conftest import MINIMAL, write_files

    root = write_files(tmp_path_factory.mktemp("green"), {**MINIMAL, **FULL, "site.yml": SITE})
    assert main(["build", "--config", str(root / "site.yml"), "--output", str(root / "_site")]) == 0
    return root / "_site"


def test_worksheet_pdfs_take_the_sites_colour(green: Path):
    light = palette(GREEN)["light"]
    drawn = colours(green / "worksheets" / "goals.pdf")
    assert {light["--primary"], light["--primary-dark"], light["--primary-tint"]} <= drawn, drawn
    assert not drawn & TEAL


def test_handbook_pdfs_take_the_sites_colour(green: Path):
    light = palette(GREEN)["light"]
    for name in ("handbook.pdf", "handbook-mentee.pdf"):
        drawn = colours(green / name)
        assert {light["--header"], light["--primary-dark"]} <= drawn, (name, drawn)  # (links print black)
        assert not drawn & TEAL, name


def test_without_a_colour_the_pdfs_keep_the_themes(make_site, run):
    root = make_site(FULL)
    assert run("build").code == 0
    assert {"#0e5e63", "#0a4549", "#e3f0ef"} <= colours(root / "_site" / "worksheets" / "goals.pdf")


def test_phase_numbers_sit_in_the_middle_of_their_dots(green: Path, tmp_path: Path):
    if not shutil.which("pdftoppm"):
        pytest.fail("pdftoppm not found (apt-get install poppler-utils)")
    reader = PdfReader(green / "handbook.pdf")
    page = next(i for i, p in enumerate(reader.pages) if "Closure" in (p.extract_text() or "") and "Start" in p.extract_text())
    subprocess.run(["pdftoppm", "-png", "-r", "200", "-f", str(page + 1), "-l", str(page + 1), str(green / "handbook.pdf"),
                    str(tmp_path / "page")], check=True)
    image = Image.open(next(tmp_path.glob("page*.png"))).convert("RGB")
    dot = tuple(int(palette(GREEN)["light"]["--header"][i:i + 2], 16) for i in (1, 3, 5))
    width, height = image.size
    pixels = image.load()

    def near(a, b, slack=20):
        return all(abs(x - y) <= slack for x, y in zip(a, b))

    # the dots: runs of the header's colour in the left margin, found row by row
    rows = [y for y in range(height) if any(near(pixels[x, y], dot) for x in range(0, width // 5))]
    assert rows, "no phase dot drawn in the header's colour"
    dots, start = [], rows[0]
    for a, b in zip(rows, rows[1:] + [None]):
        if b != a + 1:
            dots.append((start, a))
            start = b
    dots = [(top, bottom) for top, bottom in dots if bottom - top > 20]  # (not a thin line or a letter)
    assert len(dots) == 2, dots  # Start and Closure
    for top, bottom in dots:
        xs = [x for y in range(top, bottom + 1) for x in range(0, width // 5) if near(pixels[x, y], dot)]
        left, right = min(xs), max(xs)
        # the number: the white pixels inside the dot's circle (not the page at its box's corners)
        mx, my, radius = (left + right) / 2, (top + bottom) / 2, (right - left) / 2
        ink = [(x, y) for y in range(top, bottom + 1) for x in range(left, right + 1)
               if min(pixels[x, y]) > 200 and (x - mx) ** 2 + (y - my) ** 2 < (radius * 0.9) ** 2]
        assert ink, (top, bottom)
        cx = (min(x for x, _ in ink) + max(x for x, _ in ink)) / 2
        cy = (min(y for _, y in ink) + max(y for _, y in ink)) / 2
        size = bottom - top
        assert abs(cx - (left + right) / 2) < size * 0.12, ("off centre sideways", cx, left, right)
        assert abs(cy - (top + bottom) / 2) < size * 0.12, ("off centre up or down", cy, top, bottom)
