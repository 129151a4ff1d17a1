"""Read site.yml into a SiteConfig."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from urllib.parse import urlsplit

from mentorsite.errors import Loc, Problems, SiteError, suggest
from mentorsite.outdir import check_output
from mentorsite.site.i18n import locale_of
from mentorsite.site.model import SiteConfig
from mentorsite.site.schema import read
from mentorsite.sources.yamlload import decode, load_yaml

NAV_GROUPS = ("guides", "types", "milestones", "worksheets", "schedule")


def load_config(path: Path, *, output: str | None = None, strict: bool | None = None,
                url: str | None = None) -> SiteConfig:
    """Read and validate the site configuration; command-line options override the file."""
    path = Path(path)
    root = path.parent.resolve()
    shown = Path(path.name) if path.parent.resolve() == Path.cwd().resolve() else path
    if not path.is_file():
        raise SiteError(None, f"{shown} does not exist — give the path of the handbook's site.yml, "
                              "or create a handbook with 'mentorsite new DIR'")
    data = load_yaml(decode(path.read_bytes(), shown), shown)
    problems = Problems()
    loc = getattr(data, "loc", Loc(shown, 1, 1))
    if data is None:
        raise SiteError(Loc(shown, 1, 1), "site.yml is empty — add at least 'title: Your handbook title'")
    config = read(SiteConfig, data, loc, problems, what="site.yml")
    problems.check()
    for i, group in enumerate(config.nav or ()):
        if group not in NAV_GROUPS:
            loc_i = data["nav"].item_locs[i] if hasattr(data.get("nav"), "item_locs") else loc
            problems.error(loc_i, f"unknown menu group '{group}'{suggest(group, NAV_GROUPS)}")
    _check_languages(config, data, loc, problems)
    _check_content(config, data, loc, problems, root)
    _check_theme_images(config, data, loc, problems, root)
    if url is not None:  # --url: the address given on the command line wins over site.yml's
        config = dataclasses.replace(config, url=url)
    base = "/"
    if config.url:
        parts = urlsplit(config.url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            problems.error(
                None if url is not None else data.value_locs.get("url", loc),
                f"{'--url' if url is not None else 'url'} '{config.url}' is not a full address — "
                "write it like 'https://org.github.io/handbook/'",
            )
        base = "/" + parts.path.strip("/") + "/" if parts.path.strip("/") else "/"
    if config.edit_url:
        edit = urlsplit(config.edit_url)
        if edit.scheme not in ("http", "https") or not edit.netloc or "{path}" not in config.edit_url:
            problems.error(data.value_locs.get("edit_url", loc),
                           f"edit_url '{config.edit_url}' is not an address with {{path}} in it — write it like "
                           "'https://github.com/org/handbook/edit/main/{path}'")
    problems.check()
    changes = {"base_path": base, "home_path": base, "root": root,
               "output_loc": data.value_locs.get("output", Loc(shown, 1, 1))}
    if output is not None:
        changes["output_loc"] = None
    # 'a/../b' is b: checked as such, and a build makes no folder 'a' on its way
    changes["output"] = os.path.normpath(output if output is not None else config.output)
    if strict is not None:
        changes["strict"] = strict or config.strict
    config = dataclasses.replace(config, **changes)
    check_output(config)  # never the project, a source folder or a folder of someone's files (outdir.py)
    return config


def _check_languages(config: SiteConfig, data, loc: Loc, problems: Problems) -> None:
    """Language codes must be ones Babel knows (they set <html lang> and date formats)."""

    hint = "use a code such as 'en', 'es', 'fr' or 'pt-BR'"
    if locale_of(config.language) is None:
        problems.error(data.value_locs.get("language", loc), f"unknown language '{config.language}' — {hint}")
    items = data.get("languages") if isinstance(data, dict) else None
    locs = getattr(items, "item_locs", [])
    seen: set[str] = set()
    for i, lang in enumerate(config.languages):
        where = locs[i] if i < len(locs) else data.value_locs.get("languages", loc)
        if locale_of(lang.code) is None or "/" in lang.code:
            problems.error(where, f"unknown language '{lang.code}' — {hint}")
        elif lang.code in seen:
            problems.error(where, f"language '{lang.code}' is listed twice — list each language once")
        seen.add(lang.code)
    if config.languages and "language" in data:
        problems.error(data.key_locs.get("language", loc),
                       "'language' and 'languages' together — with 'languages', the first one listed is the default: "
                       "remove 'language'")


def _check_content(config: SiteConfig, data, loc: Loc, problems: Problems, root: Path) -> None:
    """The content folder is a folder of the project: '..' or '/' would read (and walk) folders
    that are not the handbook's."""
    folder = os.path.normpath(os.path.join(root, config.content))
    if folder != str(root) and not folder.startswith(os.path.join(root, "")):
        problems.error(data.value_locs.get("content", loc), f"content folder '{config.content}' is outside the "
                                                            "project — keep the content in a folder beside site.yml, "
                                                            "such as 'content'")


def _check_theme_images(config: SiteConfig, data, loc: Loc, problems: Problems, root: Path) -> None:
    """theme_options' logo and favicon must be files of the project's content/assets/."""
    opts = data.get("theme_options") if isinstance(data, dict) else None
    locs = getattr(opts, "value_locs", {})
    for name in ("logo", "favicon"):
        value = getattr(config.theme_options, name)
        if not value:
            continue
        rel = value.lstrip("/")
        if not rel.startswith("assets/") or not (root / config.content / rel).is_file():
            problems.error(locs.get(name, loc), f"{name} '{value}' not found — put the image in "
                                                f"{config.content}/assets/ and write 'assets/<file name>'")
