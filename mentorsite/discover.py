"""Find and read the project's source files: the only stage that reads the content tree."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite.errors import Loc, SiteError
from mentorsite.model import SiteConfig


@dataclass(frozen=True, slots=True)
class Source:
    """A source file: its path relative to the project root, and its bytes."""

    path: Path  # relative to the project root, shown in messages
    rel: str  # posix path relative to the content folder
    data: bytes


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything a build reads, grouped by kind."""

    program: Source | None
    types: tuple[Source, ...]
    milestones: tuple[Source, ...]
    worksheets: tuple[Source, ...]
    guides: tuple[Source, ...]
    index: Source | None
    assets: tuple[tuple[str, Path], ...] = field(default=())  # (rel under assets/, absolute path)
    # a language's view of a multilingual project (config.overlay): content/<code>/ over content/
    untranslated: tuple[Path, ...] = field(default=())  # sources with no translation, shown as they are
    orphans: tuple[Path, ...] = field(default=())  # translations of no source in content/


def discover(config: SiteConfig) -> Sources:
    """Read program.yml, types/, milestones/, worksheets/, guides/ and list assets/."""
    root = config.root
    content = root / config.content
    if not content.is_dir():
        raise SiteError(
            Loc(Path("site.yml"), 1, 1),
            f"content folder '{config.content}' not found — create it or set 'content:' in site.yml",
        )

    overlay = content / config.overlay if config.overlay else None
    untranslated: list[Path] = []

    def source(p: Path) -> Source:
        rel = p.relative_to(content).as_posix()
        if overlay is not None:
            translated = overlay / rel
            if translated.is_file():
                return Source(translated.relative_to(root), rel, translated.read_bytes())
            untranslated.append(p.relative_to(root))
        return Source(p.relative_to(root), rel, p.read_bytes())

    def yaml_files(sub: str) -> tuple[Source, ...]:
        folder = content / sub
        if not folder.is_dir():
            return ()
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
        return tuple(source(p) for p in files)

    program = content / "program.yml"
    guides_dir = content / "guides"
    guides = ()
    if guides_dir.is_dir():
        guides = tuple(source(p) for p in _walk(guides_dir) if p.suffix == ".md")
    index = content / "index.md"
    assets_dir = content / "assets"
    assets = ()
    if assets_dir.is_dir():
        assets = tuple((p.relative_to(assets_dir).as_posix(), p) for p in _walk(assets_dir))
    orphans: tuple[Path, ...] = ()
    if overlay is not None and overlay.is_dir():
        assets = tuple((rel, overlay / "assets" / rel if (overlay / "assets" / rel).is_file() else p) for rel, p in assets)
        orphans = tuple(
            p.relative_to(root) for p in _walk(overlay)
            if p.suffix in (".yml", ".yaml", ".md") and not (content / p.relative_to(overlay)).is_file()
        )
    return Sources(
        program=source(program) if program.is_file() else None,
        types=yaml_files("types"),
        milestones=yaml_files("milestones"),
        worksheets=yaml_files("worksheets"),
        guides=guides,
        index=source(index) if index.is_file() else None,
        assets=assets,
        untranslated=tuple(untranslated),
        orphans=orphans,
    )


def _walk(folder: Path) -> list[Path]:
    """Files below folder, sorted, skipping hidden files and folders."""
    out = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        out.extend(Path(dirpath) / f for f in sorted(filenames) if not f.startswith("."))
    return sorted(out)
