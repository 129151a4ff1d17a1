"""When each source file last changed, from git (site.yml's `last_updated`).

One `git log` over the content folder gives every file's last commit date; a file git does not
know (new, not committed yet) has none. Read once per commit: a preview asks again at every save,
and gets the dates it has while HEAD is the same commit.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

from mentorsite.errors import Loc

_memo: dict[tuple, tuple] = {}  # (root, content folder) -> (HEAD, dates, shallow)


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-c", "core.quotepath=off", "-C", str(root), *args],
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def last_changes(root: Path, content: str) -> tuple[dict[str, dt.date], bool] | None:
    """{path under the project root ('content/guides/x.md'): the date of its last commit}, and
    whether the repository is a shallow clone (its oldest commit stands for all the history
    before it); None when the project is not in a git repository (or git is not installed)."""
    head = _git(root, "rev-parse", "HEAD")
    if head is None:
        return None
    key = (str(root), content)
    known = _memo.get(key)
    if known is not None and known[0] == head:
        return known[1], known[2]
    log = _git(root, "log", "--format=%x00%cs", "--name-only", "--relative", "--", content)
    if log is None:
        return None
    dates: dict[str, dt.date] = {}
    day = None
    for line in log.split("\n"):
        if line.startswith("\0"):
            try:
                day = dt.date.fromisoformat(line[1:].strip())
            except ValueError:
                day = None
        elif line and day is not None and line not in dates:
            dates[line] = day
    shallow = (_git(root, "rev-parse", "--is-shallow-repository") or "").strip() == "true"
    _memo[key] = (head, dates, shallow)
    return dates, shallow


def page_dates(config, problems) -> dict[str, dt.date]:
    """The last-change dates of the project's files for `last_updated: true`, else {}; a
    shallow clone is a warning (every file would show the date of its one commit)."""
    if not config.last_updated:
        return {}
    found = last_changes(config.root, config.content)
    shown = config.loc.path if config.loc else Path("site.yml")
    where = Loc(shown, 1, 1)
    if found is None:
        problems.warn(where, "last_updated is on, but the project is not in a git repository (or git is not "
                             "installed): no page shows a date — commit it to git, or set 'last_updated: false'")
        return {}
    dates, shallow = found
    if shallow:
        problems.warn(where, "last_updated is on, but this is a shallow clone of the repository: its pages "
                             "would show the date of its latest commit — fetch the whole history (in GitHub "
                             "Actions: 'fetch-depth: 0' in actions/checkout)")
        return {}
    return dates

