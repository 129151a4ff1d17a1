"""The output folder: a build replaces it whole, so it is never the project, a folder holding
the project or a source folder, a folder inside a source folder, the root of the file system or
a home folder, and never a folder of someone's own files.

A folder a build may replace holds a site mentorsite wrote: every build writes MARKER into it (a
folder built before the marker existed is recognised by its .nojekyll, index.html and
static/site.css, and gets the marker with its next build). An empty or absent folder is fine too.
Everything is checked before anything is touched: `build`, `serve`, `check`, `deploy` and each
language of a multilingual build go through check_output.
"""

from __future__ import annotations

import os
from pathlib import Path

from mentorsite.errors import Loc, SiteError
from mentorsite.site.model import SiteConfig
from mentorsite.sources.theme import default_theme_dir
from mentorsite.state import CACHE_DIR

MARKER = ".built-by-mentorsite"
MARKER_TEXT = (b"This folder is a website built by mentorsite. Each build replaces the whole folder:\n"
               b"keep no files of your own in it.\n")
_FIX = "choose a folder of its own, such as '_site'"


def check_output(config: SiteConfig) -> Path:
    """The output folder, when a build may replace it; otherwise a SiteError at the place that
    named it (site.yml's output, or --output) saying why, and what to do."""
    root = Path(os.path.realpath(config.root))
    out = Path(os.path.realpath(root / config.output))
    reason = _where(out, root, config) or _contents(out, root / config.output, config.output)
    if reason:
        loc, name = _named(config)
        raise SiteError(loc, f"{name} '{config.output}' {reason}")
    return config.root / config.output


def _named(config: SiteConfig) -> tuple[Loc | None, str]:
    """Where the output was named, and how to call it in a message."""
    if config.output_loc is None:
        return None, "--output"
    return config.output_loc, "output"


def _where(out: Path, root: Path, config: SiteConfig) -> str:
    """Why out is a place no build may replace ('' when it is not)."""
    if out == Path(out.anchor):
        return f"is the root of the file system — {_FIX}"
    if out == _home():
        return f"is your home folder — {_FIX}"
    if out == root:
        return f"is the project's own folder: a build replaces its output folder whole — {_FIX}"
    if out in root.parents:
        return f"holds the project ({root}): a build replaces its output folder whole — {_FIX}"
    for folder, what in _sources(root, config):
        if out == folder:
            return f"is {what}: a build replaces its output folder whole — {_FIX}"
        if out in folder.parents:
            return f"holds {what}: a build replaces its output folder whole — {_FIX}"
        if folder in out.parents and folder not in root.parents and folder != root:
            return f"is inside {what}, which a build reads — {_FIX}"
    return ""


def _home() -> Path | None:
    try:
        return Path(os.path.realpath(Path.home()))
    except (RuntimeError, KeyError):  # no home folder known
        return None


def _sources(root: Path, config: SiteConfig) -> list[tuple[Path, str]]:
    """The folders a build reads or keeps, and how to name them in a message."""
    content = config.content.rstrip("/") or "."
    out = [
        (root / config.content, f"the content folder '{content}/'"),
        (root / "themes", "the themes folder 'themes/'"),
        (root / ".git", "the git repository '.git/'"),
        (root / CACHE_DIR, f"the build cache '{CACHE_DIR}/'"),
        (default_theme_dir(), f"the default theme ({default_theme_dir()})"),
    ]
    return [(Path(os.path.realpath(folder)), what) for folder, what in out]


def _contents(out: Path, given: Path, shown: str) -> str:
    """Why the folder at out (which may not exist) must not be replaced ('' when it may)."""
    try:
        entries = sorted(os.listdir(out))
    except FileNotFoundError:
        return ""
    except NotADirectoryError:
        return f"is a file, not a folder — {_FIX}"
    except OSError as e:
        return f"cannot be read ({e.strerror}) — {_FIX}"
    if not entries or MARKER in entries or _old_site(out, entries):
        return ""
    example = (Path(shown) / entries[0]).as_posix()
    return (f"is a folder of other files ({example}{', ...' if len(entries) > 1 else ''}), not a site mentorsite "
            "built, and a build replaces its output folder whole — choose an empty folder or delete it yourself")


def _old_site(out: Path, entries: list[str]) -> bool:
    """Whether the folder is a site built before MARKER existed: .nojekyll, index.html and the
    theme's static/site.css (in a language's folder, for a multilingual site)."""
    if ".nojekyll" not in entries or "index.html" not in entries:
        return False
    return any((out / sub / "static" / "site.css").is_file() for sub in ("", *entries) if not sub.startswith("."))
