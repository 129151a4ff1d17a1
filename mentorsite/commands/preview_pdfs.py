"""The preview's PDFs: made after the pages, in the background, in the order a reader most likely
wants them (what a reader asked for, then the worksheets, then the handbooks), each put into the
site as soon as it is made. A save stops the work; it goes on after the save's pages are built
(serve.py). A request for a PDF not made yet waits a moment for it, then gets a small page that
says it is being made and reloads itself: never a 404, and never an older PDF as if it were
current (a PDF whose sources have not changed is served at once)."""

from __future__ import annotations

import html
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

from mentorsite.pool import BOOK, PART, WORKSHEET, Pool
from mentorsite.write import put_file

STEPS = frozenset({"worksheet PDFs", "handbook PDFs"})  # the steps a preview makes in the background
WAIT = 3.0  # seconds a request waits for its PDF before it gets the page that says it is being made
RETRY = 2  # seconds before that page reloads itself
_ORDER = {WORKSHEET: 0, BOOK: 1, PART: 2}  # (after what a reader asked for: a handbook needs its parts first)


class PreviewPdfs:
    """The PDFs a preview's builds left for later, and the pool that makes them."""

    def __init__(self):
        self.pending: set[str] = set()  # PDFs not made yet (paths in the site)
        self.wanted: set[str] = set()  # of those, the ones a reader asked for: made first
        self.due = False  # whether a build of the PDFs is needed
        self.changed = threading.Condition()  # notified when a PDF is made, or no longer waited for
        self.pool: Pool | None = None

    def left(self, report) -> None:
        """What a build of the pages left for later: its PDF steps' outputs that are not current."""
        pending = {out for name in STEPS if name in report.steps for out in report.steps[name].deferred}
        with self.changed:
            self.pending = pending
            self.wanted &= pending
            self.due = bool(pending)
            self.changed.notify_all()

    def made(self, rel: str, content, output: Path) -> None:
        """A PDF made: into the site at once, for the reader who may be waiting for it."""
        if output.is_dir():
            put_file(output, rel, content)
        with self.changed:
            self.pending.discard(rel)
            self.wanted.discard(rel)
            self.changed.notify_all()

    def finished(self) -> None:
        """The PDFs' build ended (made, or failed: a request then gets the error page)."""
        with self.changed:
            self.pending.clear()
            self.wanted.clear()
            self.due = False
            self.changed.notify_all()

    def workers(self, count: int) -> Pool:
        """The preview's pool (kept from one build to the next; its workers yield to the saves)."""
        if self.pool is None:
            self.pool = Pool(count, background=True)
        return self.pool

    def rank(self, task) -> tuple:
        """The order of the work: what a reader asked for, the worksheets, a handbook whose parts
        are made, then the parts, the longest first."""
        asked = any(output in self.wanted for output in task.outputs)
        return (not asked, _ORDER.get(task.kind, 3), -task.size)

    def waits(self, rel: str | None) -> bool:
        """Whether a request for this path is for a PDF not made yet."""
        return rel is not None and rel in self.pending

    def wait(self, rel: str, timeout: float = WAIT) -> bool:
        """Wait for a PDF, made first meanwhile; whether it is made (or no longer pending) in time."""
        with self.changed:
            if rel in self.pending:
                self.wanted.add(rel)
            return self.changed.wait_for(lambda: rel not in self.pending, timeout)

    def close(self) -> None:
        """Stop the workers (the preview stops)."""
        if self.pool is not None:
            self.pool.close(wait=False)


def requested(path: str, base: str) -> str | None:
    """The site's path a request names (None: outside the base path)."""
    decoded = unquote(urlsplit(path).path)
    return decoded[len(base):] if decoded.startswith(base) else None


def being_made(rel: str) -> bytes:
    """The page a request for a PDF not made yet gets: it says so, and reloads itself."""
    name = html.escape(rel.rsplit("/", 1)[-1])
    return (
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<meta http-equiv=\"refresh\" content=\"{RETRY}\"><title>{name} is being made</title>"
        "<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d2a30}"
        "</style></head><body><main><h1>This PDF is being made</h1>"
        f"<p><code>{name}</code> is not ready yet: the preview makes the PDFs after the pages. "
        "This page reloads by itself and shows the PDF as soon as it is made.</p></main></body></html>"
    ).encode("utf-8")
