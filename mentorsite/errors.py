"""Locations in the user's files and the errors that point at them."""

from __future__ import annotations

import difflib
import operator
from dataclasses import dataclass, fields
from pathlib import Path


def fast_pickle(cls: type) -> type:
    """Give a slotted dataclass a quicker pickled state than dataclasses' own (which looks up the
    class's fields for every object): the build cache holds thousands of them."""
    names = tuple(f.name for f in fields(cls))
    get = operator.attrgetter(*names) if len(names) > 1 else (lambda obj: (getattr(obj, names[0]),))
    set_ = object.__setattr__

    def __getstate__(self):
        return get(self)

    # one line a field, as dataclasses write their __init__ (a loop costs twice as much)
    lines = "".join(f"    set_(self, {name!r}, state[{i}])\n" for i, name in enumerate(names))
    scope = {"set_": set_}
    exec(f"def __setstate__(self, state):\n{lines or '    pass'}\n", scope)
    __setstate__ = scope["__setstate__"]

    cls.__getstate__, cls.__setstate__ = __getstate__, __setstate__
    return cls


@fast_pickle
@dataclass(frozen=True, slots=True)
class Loc:
    """A place in a user's file: path (relative to the project), line and column, 1-based."""

    path: Path
    line: int = 1
    col: int = 1

    def __str__(self) -> str:
        path = str(self.path)
        if not path.isprintable():  # a file name with a line break, an invisible or a non-UTF-8 character
            path = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in path)  # shown escaped: one line
        return f"{path}:{self.line}:{self.col}"


class SiteError(Exception):
    """A problem in the user's project; printed as 'path:line:col: message' without traceback."""

    def __init__(self, loc: Loc | None, message: str):
        message = message.replace("\r", "").replace("\n", "\\n")  # always one line
        if not message.isprintable():  # nor a tab, an escape sequence or a right-to-left override from a name
            message = "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in message)
        super().__init__(message)
        self.loc = loc
        self.message = message

    def __str__(self) -> str:
        return f"{self.loc}: {self.message}" if self.loc else self.message

    def __reduce__(self):  # picklable, to come back from a worker process
        return (SiteError, (self.loc, self.message))


class SiteErrors(Exception):
    """Several problems found together; validation collects them all, then fails once."""

    def __init__(self, errors: list[SiteError]):
        super().__init__(f"{len(errors)} problem(s)")
        self.errors = sorted(errors, key=_order)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)

    def __reduce__(self):
        return (SiteErrors, (self.errors,))


def _order(e: SiteError) -> tuple:
    if e.loc is None:
        return ("", 0, 0, e.message)
    return (str(e.loc.path), e.loc.line, e.loc.col, e.message)


class Problems:
    """A collector of errors (and warnings) raised by one stage, raised together at the end."""

    def __init__(self) -> None:
        self.errors: list[SiteError] = []
        self.warnings: list[SiteError] = []

    def error(self, loc: Loc | None, message: str) -> None:
        """Record an error at loc."""
        self.errors.append(SiteError(loc, message))

    def warn(self, loc: Loc | None, message: str) -> None:
        """Record a warning at loc."""
        self.warnings.append(SiteError(loc, message))

    def add(self, exc: SiteError | SiteErrors) -> None:
        """Record an error raised by a helper."""
        if isinstance(exc, SiteErrors):
            self.errors.extend(exc.errors)
        else:
            self.errors.append(exc)

    def check(self) -> None:
        """Raise all recorded errors at once, if any."""
        if self.errors:
            raise SiteErrors(self.errors)


def suggest(word: str, choices) -> str:
    """' — did you mean 'x'?' for the nearest choice, or a list of the valid ones."""
    choices = sorted(str(c) for c in choices)
    same_case = [c for c in choices if c.lower() == str(word).lower()]
    if same_case:
        return f" — did you mean '{same_case[0]}'?"
    close = difflib.get_close_matches(str(word), choices, n=1, cutoff=0.6)
    if close:
        return f" — did you mean '{close[0]}'?"
    if not choices:
        return ""
    if len(choices) > 12:
        return f" — expected one of {', '.join(choices[:12])}, ..."
    return f" — expected one of: {', '.join(choices)}"
