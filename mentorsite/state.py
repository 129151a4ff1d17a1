"""What a build remembers between builds: one typed object, kept beside the output.

The state of an output folder lives in `.mentorsite-cache/state-<output>.pickle`, saved as one
file (written beside it, then renamed over it): a build killed at any moment leaves the old
state or the new one, whole. It holds

- `sources`: each guide's file as last read (its stat and digest), so an unchanged guide is not read;
- `guides` and `bodies`: the parse cache, each guide's model and its body rendered to HTML (with
  its links and data directives left as placeholders), kept while the file's digest is the same;
- `records`: for every output a step made, the digests of everything it read and its files'
  stats: the runner (runner.py) makes an output again only when one of those changed;
- `readings`: what the one reading of each rendered page found (htmlread.py): its search entry
  and its part of the print edition, for the steps that gather every page.

Nothing in it is trusted blindly: a state from another mentorsite or Python version, or one that
cannot be read whole, is dropped and the build starts afresh.

A preview keeps the same object in memory from one save to the next, with a few memories that are
never saved (`memory`): the bytes of the files it read, what each YAML file gave, and the values
behind the digests of the last build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
import pickle
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import Loc, SiteError

log = logging.getLogger(__name__)

CACHE_DIR = ".mentorsite-cache"
FORMAT = 7  # the on-disk form of the state; another number is a state to drop (5: the old build cache)


@dataclass(slots=True)
class Record:
    """What made one output of a step: the digest of every key it read, and the (size, mtime_ns)
    of each file it wrote, as written (a file edited since is made again)."""

    deps: dict
    stats: dict[str, tuple | None]


@dataclass(slots=True)
class Memory:
    """What a preview keeps between two builds, in memory only (each saves time, none is needed)."""

    files: dict = field(default_factory=dict)  # a source's path -> (its stat, its bytes)
    sources: dict = field(default_factory=dict)  # a source's path -> its Source, while its bytes are the same
    yaml: dict = field(default_factory=dict)  # a YAML file's path -> (its bytes, what it was read into, the object)
    digests: dict = field(default_factory=dict)  # a guide's path -> (its bytes, their digest)
    refs: dict = field(default_factory=dict)  # (guide path, digest, source) -> the ids its front matter refers to
    urls: dict = field(default_factory=dict)  # (guide id, folder, slug) -> its URL
    values: dict = field(default_factory=dict)  # a dependency key -> (the value digested, its digest)
    # the book's map of pages to parts when part_links were digested (build.digests_for), and the
    # digest of each set of links a part holds under that map
    book: tuple | None = None
    part_links: dict = field(default_factory=dict)


@dataclass(slots=True)
class BuildState:
    """Everything a build of one output folder remembers (see the module's docstring)."""

    path: Path | None = None  # the state's file; None: kept in memory only (`check`, `--no-cache`)
    folder: Path | None = None  # the cache folder (templates' bytecode, the spare site, PDFs)
    output: Path | None = None
    sources: dict = field(default_factory=dict)  # a guide's file -> ((size, mtime, ctime, inode), digest)
    guides: dict = field(default_factory=dict)  # a guide's content path -> Guide
    bodies: dict = field(default_factory=dict)  # a guide's content path -> (digest, Body)
    records: dict[str, Record] = field(default_factory=dict)  # an artifact's name -> Record
    readings: dict = field(default_factory=dict)  # a page's output path -> Reading
    memory: Memory | None = None  # a preview's (None for a build from the command line)
    saved: dict | None = field(default=None, repr=False)  # what the file holds (shallow copies): saved only if changed

    @classmethod
    def open(cls, root: Path, output: Path, *, enabled: bool = True) -> "BuildState":
        """The state of an output folder as the last build left it (empty when there is none,
        when it is from another version or damaged, or when not enabled: `--no-cache`)."""
        folder = root / CACHE_DIR
        state = cls(path=folder / f"state-{output_name(output)}.pickle" if enabled else None, folder=folder,
                    output=output)
        if state.path is None:
            return state
        try:
            with open(state.path, "rb") as f:
                if pickle.load(f) != _header():
                    log.debug("build state %s is from another version: dropped", state.path)
                    return state
                data = {name: {} for name in _SAVED}
                while (chunk := pickle.load(f)) is not None:
                    name, items = chunk
                    data[name].update(items)
            for name in _SAVED:
                value = data[name]
                if not isinstance(value, dict):
                    raise ValueError(f"{name} is not a mapping")
                setattr(state, name, value)
            state.saved = {name: dict(data[name]) for name in _SAVED}
        except FileNotFoundError:
            pass
        except Exception as e:  # truncated, damaged, unpicklable: never trusted
            log.debug("build state %s unreadable (%s): dropped", state.path, e)
            state = cls(path=state.path, folder=folder, output=output)
        return state

    @classmethod
    def for_preview(cls, root: Path, output: Path) -> "BuildState":
        """A preview's state: the last build's, kept in memory and saved when the preview stops."""
        state = cls.open(root, output)
        state.memory = Memory()
        return state

    @property
    def pdfs(self) -> "PdfStore":
        """The PDF store (content-addressed: shared by every output folder of the project)."""
        return PdfStore.for_project(self.folder.parent)

    @property
    def templates(self) -> Path | None:
        """Where compiled templates are kept between processes (None: compiled in memory)."""
        return self.folder / "templates" if self.path is not None else None

    @property
    def spare(self) -> Path | None:
        """Where the site before the last one is kept, for the next write to bring up to date."""
        return self.folder / f"site-{output_name(self.output)}" if self.path is not None else None

    def save(self) -> None:
        """Write the state as one file, atomically (a reader sees the old state or the new one);
        not at all when it holds what the file holds (a build that found nothing changed)."""
        if self.path is None:
            return
        if self.saved is not None and all(getattr(self, name) == self.saved[name] for name in _SAVED):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tag = self.path.parent / ".gitignore"
        if not tag.exists():
            tag.write_text("*\n")
        data = {name: getattr(self, name) for name in _SAVED}
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        with open(tmp, "wb") as f:
            pickler = pickle.Pickler(f, protocol=pickle.HIGHEST_PROTOCOL)
            pickler.dump(_header())
            # in chunks, each with a memo of its own: the memo of the whole state (an entry per
            # object pickled) was a fifth of a 5,000-guide build's peak memory
            for name, value in data.items():
                items = list(value.items())
                for start in range(0, len(items), _CHUNK):
                    pickler.clear_memo()
                    pickler.dump((name, items[start:start + _CHUNK]))
            pickler.dump(None)
        os.replace(tmp, self.path)
        self.saved = {name: dict(data[name]) for name in _SAVED}


class PdfStore:
    """PDFs kept between builds, named by the digest of their inputs (.mentorsite-cache/pdf/).

    Content-addressed, so it serves any output folder, survives `rm -rf _site` and cannot go
    stale (unlike the page cache, `build --no-cache` does not bypass it; delete the folder to
    render every PDF again). Files are written atomically, each with its size and digest: one
    that does not match them is never used. Entries no build used for a day go.
    """

    KEEP_SECONDS = 24 * 3600

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    @classmethod
    def for_project(cls, root: Path) -> "PdfStore":
        """The store of a project: .mentorsite-cache/pdf/ at its root, or $MENTORSITE_PDF_CACHE
        (a folder several projects, or a CI cache, can share: entries are named by content)."""
        shared = os.environ.get("MENTORSITE_PDF_CACHE")
        return cls(Path(shared) if shared else Path(root) / CACHE_DIR / "pdf")

    def path(self, key: str) -> Path:
        """Where the PDF of a digest is kept."""
        return self.folder / f"{key}.pdf"

    def get(self, key: str) -> Path | None:
        """The stored PDF of a digest, or None; a hit is touched so that pruning keeps it. It is
        used only if its size and digest are those recorded when it was stored (a truncated or
        altered file is made again)."""
        path = self.path(key)
        try:
            with open(path, "rb") as f:
                data = f.read()
            if self._seal(path).read_text(encoding="ascii") != self._sum(data):
                return None
            os.utime(path)
            os.utime(self._seal(path))
        except (OSError, UnicodeDecodeError):
            return None
        return path

    @staticmethod
    def _seal(path: Path) -> Path:
        """Where the size and digest of a stored PDF are kept: beside it, as <key>.sum."""
        return path.with_suffix(".sum")

    @staticmethod
    def _sum(data: bytes) -> str:
        """A PDF's size and digest, as its .sum file holds them."""
        return f"{len(data)} {hashlib.blake2b(data, digest_size=16).hexdigest()}\n"

    def put(self, key: str, data: bytes) -> None:
        """Keep a PDF (a store that cannot be written is skipped: it is only a cache)."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if self.folder.parent.name == CACHE_DIR:
                tag = self.folder.parent / ".gitignore"
                if not tag.exists():
                    tag.write_text("*\n")
            for path, content in ((self._seal(self.path(key)), self._sum(data).encode("ascii")), (self.path(key), data)):
                fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
                with os.fdopen(fd, "wb") as f:
                    f.write(content)
                os.replace(tmp, path)
        except OSError as e:
            log.debug("PDF cache %s not written: %s", self.folder, e)

    def prune(self, used: set[str]) -> None:
        """Remove PDFs not used by this build and not used by any for a day."""
        now = time.time()
        try:
            entries = list(self.folder.iterdir())
        except OSError:
            return
        for path in entries:
            if path.suffix in (".pdf", ".sum") and path.stem not in used:
                try:
                    if now - path.stat().st_mtime > self.KEEP_SECONDS:
                        path.unlink()
                except OSError:
                    pass


_SAVED = ("sources", "guides", "bodies", "records", "readings")  # what the state's file holds
_CHUNK = 200  # entries pickled with one memo


def _header() -> tuple:
    return ("mentorsite-state", FORMAT, __version__, sys.version_info[:2])


def output_name(output: Path) -> str:
    """An output folder as one word, for the names of its files in the cache folder."""
    return output.resolve().as_posix().strip("/").replace("/", "_") or "root"


def file_stat(path: Path | str) -> tuple | None:
    """(size, mtime_ns) of a file, or None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)


STALE_SECONDS = 30 * 24 * 3600  # another output folder's state not written for this long is removed
_PER_OUTPUT = ("state-", "lock-", "site-")  # (then the output's name)


def prune_other_outputs(root: Path, output: Path, *, now: float | None = None, age: float = STALE_SECONDS) -> int:
    """Remove, from the cache folder, what belongs to other output folders (an old --output, a
    project that was moved) and was not written for `age` seconds: its state, lock and spare
    site; files of an older mentorsite's cache; and files left half-written by a build that was
    stopped, after a day. This output's own files are kept whatever their age. Returns how many
    were removed."""
    folder = root / CACHE_DIR
    mine = output_name(output)
    now = time.time() if now is None else now
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        name = entry.name
        if name.startswith("."):  # .gitignore; a write's temporary file (".<name>.<pid>")
            if name == ".gitignore" or not name.rsplit(".", 1)[-1].isdigit():
                continue
            limit = 24 * 3600
        elif name.startswith(_PER_OUTPUT):
            if name.split("-", 1)[1].removesuffix(".pickle") == mine:
                continue
            limit = age
        elif name.startswith(("build-", "parts-build-", "search-build-")):  # an older mentorsite's cache
            limit = 0
        else:  # pdf/, templates/: shared by every output, and pruned by their own rules
            continue
        try:
            if now - entry.stat(follow_symlinks=False).st_mtime < limit:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            elif name.startswith("lock-"):
                with open(entry.path, "a") as f:  # only when no build of that output holds it
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    os.unlink(entry.path)
            else:
                os.unlink(entry.path)
            removed += 1
        except OSError:
            continue
    return removed


@contextlib.contextmanager
def build_lock(root: Path, output: Path, *, wait: float = 600.0):
    """Hold the lock of an output folder for a build; a second build waits for the first."""
    folder = root / CACHE_DIR
    if os.path.lexists(folder) and not folder.is_dir():  # not ours: a user's file is never replaced
        raise SiteError(Loc(Path(CACHE_DIR), 1, 1), "this is a file, and mentorsite keeps its build cache in a folder "
                                                    "of this name — rename or move the file, then build again")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"lock-{output_name(output)}", "w") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print(f"mentorsite: another build is writing {output.name}/; waiting for it to finish...",
                  file=sys.stderr, flush=True)
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise SiteError(None, f"another build has been writing {output.name}/ for {wait:.0f} s — "
                                              "stop it, or build into another folder with --output") from None
                    time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
