"""Write outputs atomically: into a folder beside the output, then swapped in whole."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import filecmp
import os
import posixpath
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from mentorsite.errors import SiteError

_THREADS = 6  # threads that write files
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


class Keep:
    """An output known to be unchanged: the previous site's file is reused as it is."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP = Keep()


class Spooled(type(Path())):
    """An output already written into the spool (a page, written where it was rendered): it is
    linked into the new site rather than copied."""


class Spool:
    """A new, empty folder beside the output where pages are written as they render, each at its
    own path (in a worker, where it rendered): a big handbook's pages are never all in memory,
    and the folder can become the new site (write's tree)."""

    def __init__(self, path: Path):
        self.path = path

    def put(self, rel: str, data: bytes) -> Spooled:
        """Write one output into the spool; the file stands for it in the outputs."""
        target = self.path / rel
        with open(_spool_open(target), "wb", buffering=0) as f:  # unbuffered: a full disk fails in _write_all
            _write_all(f, data, target)
        return Spooled(target)

    def stream(self, rel: str, pieces) -> Spooled:
        """Write one output made of many strings (a print page) into the spool, a megabyte at a time."""
        target = self.path / rel
        with open(_spool_open(target), "wb", buffering=0) as f:
            batch: list[str] = []
            size = 0
            for piece in pieces:
                batch.append(piece)
                size += len(piece)
                if size > 1 << 20:
                    _write_all(f, "".join(batch).encode("utf-8"), target)
                    batch, size = [], 0
            _write_all(f, "".join(batch).encode("utf-8"), target)
        return Spooled(target)


def _spool_open(path: Path) -> int:
    """A new file in the spool, open for writing; its folder is made first (in a new tree it is
    most likely not there yet: one call, where a failed open, a look and a mkdir took three)."""
    try:
        os.mkdir(path.parent)
    except OSError:
        pass  # there already, or its parent is not: the open below tells
    for attempt in (1, 2):
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileNotFoundError as e:
            if attempt == 2:
                raise SpoolError(e.errno, e.strerror, str(path)) from None
            try:
                os.makedirs(path.parent, exist_ok=True)
            except OSError as e2:
                raise SpoolError(e2.errno, e2.strerror, str(path.parent)) from None
        except OSError as e:
            raise SpoolError(e.errno, e.strerror, str(path)) from None


def _write_all(f, data: bytes, path: Path) -> None:
    try:
        data = memoryview(data)
        while data:
            data = data[f.write(data):]
    except OSError as e:
        raise SpoolError(e.errno, e.strerror, str(path)) from None


@contextlib.contextmanager
def spooled(output: Path):
    """A Spool beside the output for a build, removed afterwards (unless it became the site); a
    failure to write there (a full disk) is the same error as a failure to write the site."""
    path = Path(output).parent / f".{Path(output).name}.spool-{os.getpid()}"
    try:
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        yield Spool(path)
    except SpoolError as e:
        raise write_error(e, output) from None
    except OSError as e:
        if e.filename is not None and Path(os.fsdecode(e.filename)) == path:
            raise write_error(e, output) from None
        raise
    finally:
        shutil.rmtree(path, ignore_errors=True)


class SpoolError(OSError):
    """A spooled output could not be written."""


class OutputVanished(SiteError):
    """A file the build kept as it was went away while the build ran (the output folder deleted
    meanwhile): nothing was written; a build now makes it again."""

    def __init__(self, output: Path, rel: str):
        super().__init__(None, f"{output / rel} was deleted while the site was being built — build again")


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What the write stage did."""

    written: int  # files whose bytes changed or are new
    unchanged: int  # files reused from the previous site
    removed: int  # files of the previous site that are gone
    total: int


def write(outputs: dict[str, bytes | Path | Keep], output: Path, *, atomic: bool = True,
          spare: Path | None = None, tree: Path | None = None) -> WriteReport:
    """Make the output folder hold exactly outputs (see _write); a failure to write (a full
    disk, a read-only folder) is reported as a SiteError and leaves the previous site."""
    try:
        return _write(outputs, output, atomic=atomic, spare=spare, tree=tree)
    except FileNotFoundError as e:  # a file of the site gone while it was written: the folder deleted
        gone = Path(os.fsdecode(e.filename)) if e.filename else None
        if gone is not None and gone.is_relative_to(output):
            raise OutputVanished(Path(output), gone.relative_to(output).as_posix()) from None
        raise write_error(e, output) from None
    except OSError as e:
        raise write_error(e, output) from None


def write_error(e: OSError, output: Path):
    """A failure to write the site as the one-line error users see."""
    where = e.filename or output
    return SiteError(None, f"cannot write the site to {output}: {e.strerror or e} ({where}) — "
                           "free some disk space or make the folder writable; the previous site was kept")


def clean_leftovers(output: Path) -> None:
    """Remove the temporary folders of builds that were killed before they finished."""
    parent = Path(output).parent
    if not parent.is_dir():
        return
    for p in parent.glob(f".{Path(output).name}.*-*"):
        name = p.name[len(Path(output).name) + 2:]
        kind, _, pid = name.partition("-")
        if kind in ("new", "old", "spool") and pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(p, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write(outputs: dict[str, bytes | Path | Keep], output: Path, *, atomic: bool = True,
           spare: Path | None = None, tree: Path | None = None) -> WriteReport:
    """Make the output folder hold exactly outputs.

    atomic: make the new site in a folder beside the output (unchanged files hard-linked from
    the old one) and swap it in whole, so a reader or a crash sees the old site or the new one,
    never a mix. With spare (a folder in the build cache, on the output's file system), the
    previous site is kept there after the swap (hard links: it costs only the files that
    changed), and the next build brings it up to date with a few links, rather than make a
    whole tree again, and swaps it in. When nothing changed, the folder is left untouched.
    Otherwise (a live preview) changed files are replaced one by one, each atomically.

    tree: the spool folder, when the pages were spooled each at its own path in it
    (render's spool_tree). A new site is then made in it (it already holds the pages and
    their folders), rather than in a folder of links to them."""
    output = Path(output)
    old = _inodes(output)
    gone = next((rel for rel, content in outputs.items() if content is KEEP and rel not in old), None)
    if gone is not None:
        raise OutputVanished(output, gone)
    changed = [rel for rel, content in outputs.items() if not (content is KEEP and rel in old) and not _same(output / rel, content)]
    removed = old.keys() - outputs.keys()
    report = WriteReport(written=len(changed), unchanged=len(outputs) - len(changed), removed=len(removed), total=len(outputs))
    if not changed and not removed and output.is_dir():
        return report
    if not atomic and output.is_dir():
        for rel in changed:
            _put(output / rel, outputs[rel], output)
        for rel in removed:
            (output / rel).unlink(missing_ok=True)
        _prune_parents(output, removed)
        return report
    changed_set = set(changed)
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    if spare is not None and not _same_device(spare.parent, parent):
        spare = None  # a link or a rename cannot cross file systems
    if spare is not None and output.is_dir() and spare.is_dir():
        try:
            _sync(spare, outputs, changed_set, output, old)
        except OSError:  # a damaged spare folder (a file where a folder should be, ...): made afresh below
            shutil.rmtree(spare, ignore_errors=True)
        else:
            _swap(spare, output, spare)
            return report
    if spare is not None:
        shutil.rmtree(spare, ignore_errors=True)
    if tree is not None and tree.is_dir() and _same_device(tree, parent):
        tmp = tree
    else:
        tmp = parent / f".{output.name}.new-{os.getpid()}"
        if tmp.exists():
            shutil.rmtree(tmp)
        tmp.mkdir()
    try:
        def put(rel: str) -> None:
            target = tmp / rel
            content = outputs[rel]
            if tmp is tree and isinstance(content, Spooled) and content == target:
                return  # spooled in place
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel not in changed_set:
                try:
                    os.link(output / rel, target)
                    return
                except OSError:
                    content = (output / rel).read_bytes()
            _copy_or_write(target, content)

        # the file system's calls wait on the disk, not on Python: a few threads overlap them
        with ThreadPoolExecutor(_THREADS) as pool:
            for _ in pool.map(put, outputs, chunksize=32):
                pass
        _swap(tmp, output, spare)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return report


def _same_device(a: Path, b: Path) -> bool:
    try:
        a.mkdir(parents=True, exist_ok=True)
        return os.stat(a).st_dev == os.stat(b).st_dev
    except OSError:
        return False


def _sync(spare: Path, outputs: dict, changed: set[str], output: Path, current: dict[str, int]) -> None:
    """Make spare (the site before the current one, or a damaged copy) hold exactly outputs,
    from the changed outputs and the current site's files; a file that is already the current
    one (the same inode) is left alone, so only what changed in the last two builds is touched."""
    have = _inodes(spare)
    work = []
    for rel, content in outputs.items():
        if rel in changed:
            work.append((rel, content))
        elif have.get(rel) is None or have[rel] != current.get(rel):
            work.append((rel, None))
    gone = have.keys() - outputs.keys()

    def put(item) -> None:
        rel, content = item
        target = spare / rel
        if rel in have:
            target.unlink()
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
        if content is None:
            os.link(output / rel, target)
        else:
            _copy_or_write(target, content)

    if len(work) > 64:
        with ThreadPoolExecutor(_THREADS) as pool:
            for _ in pool.map(put, work, chunksize=32):
                pass
    else:
        for item in work:
            put(item)
    for rel in gone:
        (spare / rel).unlink()
    if gone:
        _prune_dirs(spare)


def _inodes(folder: Path) -> dict[str, int]:
    """The files under folder, by path relative to it (with '/'), and their inode numbers
    (which the directory listing gives without a stat of each file)."""
    out: dict[str, int] = {}
    stack = [("", str(folder))]
    while stack:
        prefix, path = stack.pop()
        try:
            entries = os.scandir(path)
        except (FileNotFoundError, NotADirectoryError):
            continue
        with entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append((prefix + entry.name + "/", entry.path))
                else:
                    out[prefix + entry.name] = entry.inode()
    return out


def _copy_or_write(target: Path, content: bytes | Path) -> None:
    if isinstance(content, Spooled):
        try:
            os.link(content, target)
            return
        except OSError:
            pass
    if isinstance(content, Path):
        shutil.copyfile(content, target)
    else:
        target.write_bytes(content)


def put_file(output: Path, rel: str, content: bytes | Path) -> None:
    """Put one file into the site as it stands, atomically (a preview's PDF, as soon as it is
    made; the build's write finds it there)."""
    try:
        _put(Path(output) / rel, content, Path(output))
    except OSError as e:
        raise write_error(e, output) from None


def _put(target: Path, content: bytes | Path, root: Path) -> None:
    """Replace one file atomically (write beside it, then rename over it)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    _copy_or_write(tmp, content)
    os.replace(tmp, target)


def _prune_parents(root: Path, removed) -> None:
    """Remove the folders that removing these files left empty (not root)."""
    folders = {posixpath.dirname(rel) for rel in removed}
    for folder in sorted(folders, key=len, reverse=True):
        while folder:
            try:
                os.rmdir(root / folder)
            except OSError:  # not empty (or gone)
                break
            folder = posixpath.dirname(folder)


def _prune_dirs(root: Path) -> None:
    for dirpath, dirs, files in os.walk(root, topdown=False):
        if not dirs and not files and Path(dirpath) != root:
            try:
                os.rmdir(dirpath)
            except OSError:
                pass


def _same(old: Path, content: bytes | Path | Keep) -> bool:
    if content is KEEP:
        return old.is_file()
    try:
        st = old.stat()
    except OSError:
        return False
    if isinstance(content, Path):
        try:
            src = content.stat()
        except OSError:
            return False
        if st.st_size != src.st_size:
            return False
        return filecmp.cmp(old, content, shallow=False)  # a block at a time: a print page is big
    return st.st_size == len(content) and old.read_bytes() == content


def _swap(new: Path, output: Path, spare: Path | None) -> None:
    """Put new in output's place, and the previous site in spare's (or remove it): an atomic
    exchange where the system allows, else two renames."""
    if not output.exists():
        os.rename(new, output)
        return
    if _exchange(new, output):
        old = new  # new now holds the previous site
    else:
        old = output.parent / f".{output.name}.old-{os.getpid()}"
        os.rename(output, old)
        os.rename(new, output)
    if spare is None:
        shutil.rmtree(old)
    elif old != spare:
        os.rename(old, spare)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders in one step (Linux)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0
