"""Themes: an ordered list of folders, the site's own first and the built-in default last."""

from __future__ import annotations

from pathlib import Path

import jinja2
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


def theme_env(config: SiteConfig, bytecode: Path | None = None) -> jinja2.Environment:
    """The Jinja environment over the theme folders; `default/x.html` names the built-in x.html.

    bytecode: a folder where compiled templates are kept between processes (Jinja checks each
    against its source's digest), so a new build does not compile the theme again."""
    dirs = theme_dirs(config)
    cache = None
    if bytecode is not None:
        try:
            bytecode.mkdir(parents=True, exist_ok=True)
            cache = jinja2.FileSystemBytecodeCache(str(bytecode))
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
