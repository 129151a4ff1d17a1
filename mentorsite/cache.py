"""The on-disk memory of the last build, beside the output: parsed guides and page dependencies.

Nothing in it is trusted blindly: a cache from another mentorsite or Python version, for
another output folder, or that cannot be read whole is ignored and the build starts afresh;
a page is reused only if every input it read has the same digest and its output file is the
one the last build wrote.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
import pickle
from array import array
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite import __version__

log = logging.getLogger(__name__)

CACHE_DIR = ".mentorsite-cache"
_FORMAT = 5  # 4: a print page records what all of its pages read (3 lost what kept pages read); 5: a table of pairs


class PageRecord:
    """What the last build knows of one page: the digests of what it read, and its file.

    A record read from disk holds the numbers of its (key, digest) pairs in a table that every
    page shares (pairs): a thousand pages read the same templates and data with the same
    digests, and a dict for each page was most of what loading and checking them cost. Its
    deps (key -> digest) are made when asked for."""

    __slots__ = ("_deps", "stat", "pairs", "table")

    def __init__(self, deps: dict | None = None, stat: tuple | None = None, *, pairs=None, table: list | None = None):
        self._deps = deps
        self.stat = stat  # (size, mtime_ns) of the output file it wrote
        self.pairs = pairs  # numbers in table (None: deps was given)
        self.table = table

    @property
    def deps(self) -> dict:
        """key -> digest of everything the page read."""
        if self._deps is None:
            table = self.table
            self._deps = dict(table[i] for i in self.pairs)
        return self._deps


@dataclass(slots=True)
class BuildCache:
    """Parsed guides and page records of the last build of one output folder."""

    path: Path | None = None
    guides: dict = field(default_factory=dict)  # source rel -> Guide
    pages: dict = field(default_factory=dict)  # output path -> PageRecord
    extra: dict = field(default_factory=dict)  # other stages' memories (PDFs, search, ...)
    tokens: dict = field(default_factory=dict)  # in memory only: Markdown tokens by (rel, digest)
    files: dict | None = None  # in memory only, for a preview: source bytes by path and stat
    parts: object = None  # in memory only: the print edition's parts (printed.PartsMemo, a file of its own)
    search: object = None  # in memory only: the search step's memo (saved in a file of its own)
    blobs: dict = field(default_factory=dict)  # in memory only: rel -> (Guide, its pickle) as loaded
    live: dict = field(default_factory=dict)  # in memory only: what parse and assemble keep between a preview's builds

    @classmethod
    def for_output(cls, root: Path, output: Path) -> Path:
        """Where the cache of an output folder is kept."""
        return root / CACHE_DIR / f"build-{_output_name(output)}.pickle"

    @classmethod
    def spare_for(cls, root: Path, output: Path) -> Path:
        """Where the site before the last build of an output folder is kept (write.py)."""
        return root / CACHE_DIR / f"site-{_output_name(output)}"

    @classmethod
    def load(cls, path: Path) -> "BuildCache":
        """The cache at path, or an empty one when it is missing, stale or damaged."""
        try:
            with open(path, "rb") as f:
                header = pickle.load(f)
                if header != _header():
                    log.debug("cache %s is from another version: ignored", path)
                    return cls(path=path)
                data = pickle.load(f)
            blobs = {rel: (pickle.loads(blob), blob) for rel, blob in data["guides"].items()}
            guides = {rel: known[0] for rel, known in blobs.items()}
            table, size = data["pairs"], len(data["pairs"])
            pages = {}
            for output, (numbers, stat) in data["pages"].items():
                numbers = array("I", numbers)
                if numbers and max(numbers) >= size:
                    raise ValueError("bad page record")
                pages[output] = PageRecord(stat=stat, pairs=numbers, table=table)
            return cls(path=path, guides=guides, pages=pages, extra=data.get("extra", {}), blobs=blobs)
        except FileNotFoundError:
            return cls(path=path)
        except Exception as e:  # truncated, corrupted, unpicklable: never trusted
            log.debug("cache %s unreadable (%s): ignored", path, e)
            return cls(path=path)

    def save(self) -> None:
        """Write the cache atomically (a reader sees the old one or the new one)."""
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tag = self.path.parent / ".gitignore"
        if not tag.exists():
            tag.write_text("*\n")
        # each guide on its own: one pickle of them all remembers every object it wrote, which
        # took more memory than the guides themselves
        # guides. A guide read from the cache and unchanged keeps the bytes it was read from.
        guides = {}
        for rel, g in self.guides.items():
            known = self.blobs.get(rel)
            guides[rel] = known[1] if known is not None and known[0] is g else pickle.dumps(g, protocol=pickle.HIGHEST_PROTOCOL)
        write_pickles(self.path, _header(), {"guides": guides, **_pages_table(self.pages), "extra": self.extra})

    def memo_path(self, kind: str) -> Path | None:
        """The file of another stage's memo beside this cache ('search', 'parts'); None when
        this cache is not kept on disk."""
        return self.path.with_name(f"{kind}-{self.path.name}") if self.path is not None else None


def _pages_table(records: dict) -> dict:
    """Page records as saved: {"pairs": every (key, digest) pair once, "pages": output -> (the
    numbers of its pairs, as bytes of an array, its file's stat)} (PageRecord)."""
    pairs: dict = {}  # (key, digest) -> its number
    renumbered: dict = {}  # id of a table read from disk -> its pairs' new numbers
    pages = {}
    for output, record in records.items():
        if record.pairs is not None:
            new = renumbered.get(id(record.table))
            if new is None:
                new = renumbered[id(record.table)] = [pairs.setdefault(pair, len(pairs)) for pair in record.table]
            numbers = array("I", [new[i] for i in record.pairs])
        else:
            numbers = array("I", [pairs.setdefault(pair, len(pairs)) for pair in record.deps.items()])
        pages[output] = (numbers.tobytes(), record.stat)
    return {"pairs": list(pairs), "pages": pages}


def _output_name(output: Path) -> str:
    """An output folder as one word, for the names of its files in the cache folder."""
    return output.resolve().as_posix().strip("/").replace("/", "_") or "root"


STALE_SECONDS = 30 * 24 * 3600  # another output folder's cache not written for this long is removed
_PER_OUTPUT = ("build-", "parts-build-", "search-build-", "lock-", "site-")  # (then the output's name)


def prune_other_outputs(root: Path, output: Path, *, now: float | None = None, age: float = STALE_SECONDS) -> int:
    """Remove, from the cache folder, what belongs to other output folders (an old --output, a
    project that was moved, a preview's) and was not written for `age` seconds: its page cache,
    memos, lock and spare site; and files left half-written by a build that was stopped, after
    a day. This output's own files are kept whatever their age. Returns how many were removed."""
    import shutil

    folder = root / CACHE_DIR
    mine = _output_name(output)
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
            owner = name.split("-", 2)[-1] if name.startswith(("parts-build-", "search-build-")) else name.split("-", 1)[1]
            owner = owner.removesuffix(".pickle").removesuffix("-summary")
            if owner == mine:
                continue
            limit = age
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


def write_pickles(path: Path, *parts) -> None:
    """Pickle parts one after the other into path, atomically (a reader sees the old file or the new)."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    with open(tmp, "wb") as f:
        for part in parts:
            pickle.dump(part, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


def read_log(path: Path, header) -> tuple[dict, int, int] | None:
    """A dict kept as a log (see append_log): (the dict, the size of its whole copy, the size of
    the changes after it); None when the file is missing, from another version or damaged (a
    change cut short by a killed build included)."""
    try:
        with open(path, "rb") as f:
            if pickle.load(f) != header:
                return None
            data = pickle.load(f)
            base = f.tell()
            while f.peek(1):
                for key, value in pickle.load(f).items():
                    if value is None:
                        data.pop(key, None)
                    else:
                        data[key] = value
            return data, base, f.tell() - base
    except Exception:
        return None


def append_log(path: Path, header, data: dict, changes: dict, sizes: tuple[int, int] | None) -> tuple[int, int]:
    """Save a dict kept as a log: its changes since it was read (key -> new value, None for a
    key removed) appended to the file, or the whole dict written anew (atomically) when there
    is no file to add to or the changes would outgrow the whole copy. A memo of thousands of
    entries of which a build changes a few is then not written whole at every build. Returns
    the sizes to pass next time."""
    if sizes is not None and changes and len(changes) * 4 < len(data):  # (else: not a few; a template's change)
        record = pickle.dumps(changes, protocol=pickle.HIGHEST_PROTOCOL)
        base, added = sizes
        if added + len(record) < base:
            try:
                with open(path, "ab") as f:
                    if f.tell() == base + added:  # the file as it was read
                        f.write(record)
                        return base, added + len(record)
            except OSError:
                pass
    write_pickles(path, header, data)
    return path.stat().st_size, 0


@contextlib.contextmanager
def build_lock(root: Path, output: Path, *, wait: float = 600.0):
    """Hold the lock of an output folder for a build; a second build waits for the first."""
    folder = root / CACHE_DIR
    if os.path.lexists(folder) and not folder.is_dir():  # not ours: a user's file is never replaced
        from mentorsite.errors import Loc, SiteError

        raise SiteError(Loc(Path(CACHE_DIR), 1, 1), "this is a file, and mentorsite keeps its build cache in a folder "
                                                    "of this name — rename or move the file, then build again")
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"lock-{_output_name(output)}", "w") as f:
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
                        from mentorsite.errors import SiteError

                        raise SiteError(None, f"another build has been writing {output.name}/ for {wait:.0f} s — "
                                              "stop it, or build into another folder with --output") from None
                    time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _header() -> tuple:
    return ("mentorsite-cache", _FORMAT, __version__, sys.version_info[:2])


def file_stat(path: Path | str) -> tuple | None:
    """(size, mtime_ns) of a file, or None if it is missing."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_size, st.st_mtime_ns)
