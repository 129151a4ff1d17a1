"""Themes: an ordered list of folders, the site's own first and the built-in default last."""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from pathlib import Path

import jinja2
import jinja2.bccache
import yaml

from mentorsite.errors import Loc, SiteError
from mentorsite.site.model import SiteConfig

_PACKAGE = Path(__file__).resolve().parent.parent


def default_theme_dir() -> Path:
    """The built-in default theme: inside the installed package, or in the source checkout."""
    installed = _PACKAGE / "themes" / "default"
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / "themes" / "default"


def theme_dirs(config: SiteConfig) -> list[Path]:
    """The theme folders to search, most specific first, ending with the built-in default."""
    default = default_theme_dir()
    dirs: list[Path] = []
    name = config.theme
    seen: list[str] = []
    while name and name != "default":
        if name in seen:
            raise SiteError(
                Loc(Path("themes") / seen[-1] / "theme.yml", 1, 1),
                f"themes extend each other in a circle ({' -> '.join(seen + [name])}) — "
                "make one of them extend 'default'",
            )
        seen.append(name)
        folder = config.root / "themes" / name
        if not folder.is_dir():
            raise SiteError(
                config.loc or Loc(Path("site.yml"), 1, 1),
                f"theme '{name}' not found — create the folder themes/{name}/ or set 'theme: default'",
            )
        dirs.append(folder)
        name = _parent(folder)
    dirs.append(default)
    return dirs


def _parent(folder: Path) -> str:
    meta = folder / "theme.yml"
    if not meta.is_file():
        return "default"
    try:
        data = yaml.safe_load(meta.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        raise SiteError(
            Loc(meta, mark.line + 1 if mark else 1, mark.column + 1 if mark else 1), f"invalid YAML: {e}"
        ) from None
    if not isinstance(data, dict) or set(data) - {"extends", "name", "description"}:
        raise SiteError(Loc(meta, 1, 1), "theme.yml takes only 'extends', 'name' and 'description'")
    return str(data.get("extends", "default"))


class TrackingEnvironment(jinja2.Environment):
    """A Jinja environment that records every template a render loads (for incremental builds)."""

    recorder = None

    def get_template(self, name, parent=None, globals=None):
        if self.recorder is not None and isinstance(name, str):
            self.recorder.add(("tpl", self.join_path(name, parent) if parent else name))
        return super().get_template(name, parent, globals)

    def select_template(self, names, parent=None, globals=None):
        if self.recorder is not None:
            for name in names:
                if isinstance(name, str):
                    self.recorder.add(("tpl", name))
        return super().select_template(names, parent, globals)


class _CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Compiled templates kept between builds, each file ending with a digest of the rest: a
    damaged file (a bad disk, a killed copy, an edit) is compiled again and rewritten, never run.
    (Jinja checks a file against its template's source only: damaged code would run, and fail
    every build until the folder was deleted.)"""

    _SIZE = 16

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                data = f.read()
        except OSError:
            return
        body, seal = data[: -self._SIZE], data[-self._SIZE:]
        if body and hashlib.blake2b(body, digest_size=self._SIZE).digest() == seal:
            bucket.bytecode_from_string(body)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        body = bucket.bytecode_to_string()
        name = self._get_cache_filename(bucket)
        try:  # only a cache: a file that cannot be written is left out (the template is compiled all the same)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(name), prefix=".tmp-")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(body + hashlib.blake2b(body, digest_size=self._SIZE).digest())
            os.replace(tmp, name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def theme_env(config: SiteConfig, bytecode: Path | None = None) -> jinja2.Environment:
    """The Jinja environment over the theme folders; `default/x.html` names the built-in x.html.

    bytecode: a folder where compiled templates are kept between processes (Jinja checks each
    against its source's digest), so a new build does not compile the theme again."""
    dirs = theme_dirs(config)
    cache = None
    if bytecode is not None:
        try:
            bytecode.mkdir(parents=True, exist_ok=True)
            cache = _CheckedBytecodeCache(str(bytecode))
        except OSError:  # a read-only project: templates are compiled in memory, as without a cache
            cache = None
    loader = jinja2.ChoiceLoader(
        [
            jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
            jinja2.PrefixLoader({"default": jinja2.FileSystemLoader(str(dirs[-1] / "templates"))}),
        ]
    )
    env = TrackingEnvironment(
        loader=loader,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
        bytecode_cache=cache,
    )
    env.globals["theme_dirs"] = dirs
    return env


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """Theme static files by output path; a more specific theme's file wins."""
    out: dict[str, Path] = {}
    for folder in reversed(dirs):
        static = folder / "static"
        if static.is_dir():
            for p in sorted(static.rglob("*")):
                rel = p.relative_to(static)
                if p.is_file() and not any(part.startswith(".") for part in rel.parts):  # nothing hidden
                    out["static/" + rel.as_posix()] = p
    return out
