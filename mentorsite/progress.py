"""What a command says while it works, and how much: one reporter for the build, packs and the
preview, and the logging of mentorsite's own messages (only ever ours: the libraries' loggers are
kept quiet).

On a terminal, long work shows one live line, redrawn in place, in the style of pip:

    Worksheet PDFs  [##########..........]  8/16  goals.pdf  about 6 s left

Off a terminal (CI, a pipe) there is no animation: one line on stdout, with the command's
report, when a long step ends (`Worksheet PDFs: 16 made in 9.8 s`). With --quiet nothing but errors; with --verbose
each step and its time, the libraries' warnings too.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time

QUIET, NORMAL, VERBOSE = 0, 1, 2
LONG = 1.0  # seconds: off a terminal, work that took this long gets its line
# the libraries whose loggers talk: kept at WARNING and away from the terminal (shown with --verbose)
LIBRARIES = ("weasyprint", "fontTools", "PIL", "watchdog", "pydyf", "pypdf", "markdown_it", "cssselect2",
             "tinycss2", "html5lib", "urllib3", "asyncio", "babel")
_WIDTH = 20


class Progress:
    """One line of progress for long work (see the module's docstring)."""

    def __init__(self, level: int = NORMAL, stream=None):
        self.stream = stream if stream is not None else sys.stderr
        self.level = level
        self.live = level >= NORMAL and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.what, self.total, self.count, self.label = "", 0, 0, ""
        self.started = self._drawn = 0.0

    def start(self, what: str, total: int = 0) -> None:
        """Begin a piece of work of `total` items (0: not counted yet; see add)."""
        self.what, self.total, self.count, self.label = what, total, 0, ""
        self.started = time.monotonic()
        self._draw(force=True)

    def add(self, items: int) -> None:
        """More items to the work begun (a step that learns, as it goes, how much it has to do)."""
        self.total += items
        self._draw()

    def advance(self, label: str = "") -> None:
        """One more item done (label: what it was, shown on a terminal)."""
        self.count += 1
        self.label = label.rsplit("/", 1)[-1]
        self._draw()

    def done(self, summary: str = "") -> None:
        """The work is over: its line cleared on a terminal; elsewhere, a line saying what was
        made (summary: how to say it, '16 made' by default)."""
        seconds = time.monotonic() - self.started
        if self.live:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
        if self.count and (self.level >= VERBOSE or (self.level >= NORMAL and not self.live and seconds >= LONG)):
            print(f"{self.what}: {summary or f'{self.count} made'} in {seconds:.1f} s", flush=True)
        self.what, self.total, self.count = "", 0, 0

    def say(self, line: str) -> None:
        """A line of ours, between the progress lines (never with --quiet)."""
        if self.level >= NORMAL:
            if self.live and self.what:
                self.stream.write("\r\x1b[2K")
            self.stream.write(line + "\n")
            self.stream.flush()
            self._draw(force=True)

    def _draw(self, force: bool = False) -> None:
        if not self.live or not self.what:
            return
        now = time.monotonic()
        if not force and now - self._drawn < 0.1 and self.count < self.total:
            return
        self._drawn = now
        line = f"{self.what}"
        if self.total:
            filled = min(_WIDTH, _WIDTH * self.count // self.total)
            line += f"  [{'#' * filled}{'.' * (_WIDTH - filled)}]  {self.count}/{self.total}"
        if self.label:
            line += f"  {self.label}"
        if self.count and self.total > self.count:
            left = (now - self.started) / self.count * (self.total - self.count)
            line += f"  about {left:.0f} s left"
        self.stream.write("\r" + line[:_columns(self.stream) - 1] + "\x1b[K")
        self.stream.flush()


def _columns(stream) -> int:
    try:
        return shutil.get_terminal_size().columns
    except (OSError, ValueError):
        return 80


def setup_logging(level: int) -> None:
    """mentorsite's own messages on stderr (each step's time with --verbose); the libraries'
    loggers kept at WARNING and off the terminal, whatever the root logger says (with --verbose
    their warnings are shown, marked)."""
    ours = logging.getLogger("mentorsite")
    ours.handlers[:] = [_handler("%(message)s")]
    ours.propagate = False
    ours.setLevel(logging.DEBUG if level >= VERBOSE else logging.INFO if level >= NORMAL else logging.ERROR)
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.setLevel(logging.WARNING)
        library.propagate = False
        library.handlers[:] = [_handler(f"{name}: %(message)s") if level >= VERBOSE else logging.NullHandler()]


class _Stderr(logging.StreamHandler):
    """A handler writing to whatever sys.stderr is when a message comes (a test replaces it)."""

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def _handler(fmt: str) -> logging.Handler:
    handler = _Stderr()
    handler.setFormatter(logging.Formatter(fmt))
    return handler
