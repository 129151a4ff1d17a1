"""Read site.yml into a SiteConfig."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

from mentorsite.errors import Loc, Problems, SiteError
from mentorsite.model import SiteConfig
from mentorsite.schema import read
from mentorsite.yamlload import decode, load_yaml

NAV_GROUPS = ("guides", "types", "milestones", "worksheets")


def load_config(path: Path, *, output: str | None = None, strict: bool | None = None,
                url: str | None = None) -> SiteConfig:
    """Read and validate the site configuration; command-line options override the file."""
    path = Path(path)
    root = path.parent.resolve()
    shown = Path(path.name) if path.parent.resolve() == Path.cwd().resolve() else path
    if not path.is_file():
        raise SiteError(
            Loc(shown, 1, 1),
            "no site configuration here — run mentorsite in a handbook folder, "
            "pass --config PATH, or create one with 'mentorsite new'",
        )
    data = load_yaml(decode(path.read_bytes(), shown), shown)
    problems = Problems()
    loc = getattr(data, "loc", Loc(shown, 1, 1))
    if data is None:
        raise SiteError(Loc(shown, 1, 1), "site.yml is empty — add at least 'title: Your handbook title'")
    config = read(SiteConfig, data, loc, problems, what="site.yml")
    problems.check()
    for i, group in enumerate(config.nav or ()):
        if group not in NAV_GROUPS:
            from mentorsite.errors import suggest

            loc_i = data["nav"].item_locs[i] if hasattr(data.get("nav"), "item_locs") else loc
            problems.error(loc_i, f"unknown menu group '{group}'{suggest(group, NAV_GROUPS)}")
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
    problems.check()
    changes = {"base_path": base, "root": root}
    if output is not None:
        changes["output"] = output
    if strict is not None:
        changes["strict"] = strict or config.strict
    return dataclasses.replace(config, **changes)
