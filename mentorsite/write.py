"""Write outputs atomically: into a folder beside the output, then swapped in whole."""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True, slots=True)
class WriteReport:
    """What the write stage did."""

    written: int  # files whose bytes changed or are new
    unchanged: int  # files hard-linked from the previous site
    total: int


def write(outputs: dict[str, bytes | Path], output: Path) -> WriteReport:
    """Write every output into a new tree, reusing unchanged files, and swap it in atomically."""
    output = Path(output)
    parent = output.parent
    parent.mkdir(parents=True, exist_ok=True)
    tmp = parent / f".{output.name}.new-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    written = unchanged = 0
    try:
        made_dirs: set[Path] = {tmp}
        for rel, content in outputs.items():
            target = tmp / rel
            if target.parent not in made_dirs:
                target.parent.mkdir(parents=True, exist_ok=True)
                made_dirs.add(target.parent)
            old = output / rel
            if _same(old, content):
                try:
                    os.link(old, target)
                    unchanged += 1
                    continue
                except OSError:
                    pass
            if isinstance(content, Path):
                shutil.copyfile(content, target)
            else:
                target.write_bytes(content)
            written += 1
        _swap(tmp, output)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return WriteReport(written=written, unchanged=unchanged, total=len(outputs))


def _same(old: Path, content: bytes | Path) -> bool:
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
        return old.read_bytes() == content.read_bytes()
    return st.st_size == len(content) and old.read_bytes() == content


def _swap(new: Path, output: Path) -> None:
    """Put new in output's place: an atomic exchange where the system allows, else two renames."""
    if not output.exists():
        os.rename(new, output)
        return
    if _exchange(new, output):
        shutil.rmtree(new)  # new now holds the previous site
        return
    old = output.parent / f".{output.name}.old-{os.getpid()}"
    os.rename(output, old)
    os.rename(new, output)
    shutil.rmtree(old)


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
