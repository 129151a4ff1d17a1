"""`mentorsite new`: a new handbook project from the scaffold shipped in the package, or from
the full example handbook."""

from __future__ import annotations

import json
import posixpath
import shutil
from dataclasses import dataclass
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import SiteError
from mentorsite.commands.reference import SCHEMA_FILES, schema_for, shipped_schemas

_PACKAGE = Path(__file__).resolve().parent.parent
_VERSION_MARK = "__MENTORSITE_VERSION__"
# Files of the scaffold that every new project gets, with or without --example.
_PROJECT_FILES = ("README.md", "dot-gitignore", "dot-github")
# Where a new project keeps the JSON Schemas of its YAML files, for editors.
SCHEMAS = ".mentorsite/schemas"
# Files of the scaffold that name this version of mentorsite (the workflow installs exactly it).
_PINNED = ("pages.yml", "README.md")


@dataclass(frozen=True, slots=True)
class NewReport:
    """What `new` wrote."""

    folder: Path
    files: tuple[str, ...]  # posix paths relative to the folder


def scaffold_dir() -> Path:
    """The scaffold: a small working project, inside the package."""
    return _PACKAGE / "scaffold"


def example_dir() -> Path:
    """The example handbook (site.yml and content/): inside the installed package, or the repository root."""
    installed = _PACKAGE / "example"
    if (installed / "site.yml").is_file():
        return installed
    return _PACKAGE.parent


def new_project(folder: Path, *, example: bool = False, force: bool = False) -> NewReport:
    """Write a new handbook project into folder, which must be empty unless force."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise SiteError(None, f"{folder} is a file — choose a folder name for the new handbook")
    if folder.is_dir() and not force:
        present = sorted(p.name for p in folder.iterdir() if p.name != ".git")
        if present:
            shown = ", ".join(present[:3]) + (", ..." if len(present) > 3 else "")
            raise SiteError(None, f"{folder}/ is not empty ({shown}) — choose a new folder, or pass --force "
                                  "to write into it (files with the same names are replaced)")
    files = _plan(example)
    for rel, source in files.items():
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.name in _PINNED and source.is_relative_to(scaffold_dir()):
            target.write_text(_pin(source.read_text(encoding="utf-8")), encoding="utf-8")
        elif schema_for(rel):
            target.write_bytes(_modeline(rel) + source.read_bytes())
        else:
            shutil.copyfile(source, target)
    written = [*files, *_editor_files(folder)]
    return NewReport(folder=folder, files=tuple(sorted(written)))


def _modeline(rel: str) -> bytes:
    """The first line of a YAML file: where the YAML language server finds its JSON Schema."""
    schema = posixpath.relpath(f"{SCHEMAS}/{schema_for(rel).name}", posixpath.dirname(rel) or ".")
    return f"# yaml-language-server: $schema={schema}\n".encode()


def _editor_files(folder: Path) -> list[str]:
    """The JSON Schemas of the YAML files, and VS Code's settings mapping them to the files
    (an existing .vscode/settings.json is the user's: it is left as it is)."""
    written = []
    (folder / SCHEMAS).mkdir(parents=True, exist_ok=True)
    for source in sorted(shipped_schemas().glob("*.schema.json")):
        shutil.copyfile(source, folder / SCHEMAS / source.name)
        written.append(f"{SCHEMAS}/{source.name}")
    settings = folder / ".vscode" / "settings.json"
    if not settings.exists():
        settings.parent.mkdir(exist_ok=True)
        mapping = {f"{SCHEMAS}/{f.name}": list(f.globs) for f in SCHEMA_FILES}
        settings.write_text(json.dumps({"yaml.schemas": mapping}, indent=2) + "\n", encoding="utf-8")
        written.append(".vscode/settings.json")
    return written


def _plan(example: bool) -> dict[str, Path]:
    """Every file to write: its path in the new project -> the file to copy."""
    scaffold = scaffold_dir()
    plan: dict[str, Path] = {}
    for path in _files(scaffold):
        rel = path.relative_to(scaffold).as_posix()
        if example and not rel.startswith(_PROJECT_FILES):
            continue
        plan[_undot(rel)] = path
    if example:
        source = example_dir()
        if not (source / "site.yml").is_file() or not (source / "content").is_dir():
            raise SiteError(None, f"the example handbook is missing from this installation ({source}) — "
                                  "reinstall mentorsite, or run 'mentorsite new' without --example")
        plan["site.yml"] = source / "site.yml"
        for path in _files(source / "content"):
            plan["content/" + path.relative_to(source / "content").as_posix()] = path
    return plan


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _undot(rel: str) -> str:
    """'dot-github/x' -> '.github/x': dot files are stored without their dot, so that neither git
    nor the packaging tools treat the scaffold's .gitignore as their own."""
    first, sep, rest = rel.partition("/")
    if first.startswith("dot-"):
        first = "." + first[len("dot-"):]
    return first + sep + rest


def _pin(text: str) -> str:
    """A scaffold file with mentorsite pinned to exactly this version."""
    return text.replace(_VERSION_MARK, __version__)
