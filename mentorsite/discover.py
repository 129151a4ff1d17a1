"""Find and read the project's source files: the only stage that reads the content tree."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
import time
from dataclasses import dataclass, field
from pathlib import Path

from mentorsite.errors import Loc, SiteError
from mentorsite.model import SiteConfig


@dataclass(frozen=True, slots=True)
class Source:
    """A source file: its path relative to the project root, and its bytes."""

    path: Path  # relative to the project root, shown in messages
    rel: str  # posix path relative to the content folder
    data: bytes | None  # None: not read, the file is unchanged since a build read it (see discover)
    digest: str | None = None  # of data (source_digest), when discover knows it
    file: str = ""  # where to read data when it is None

    def read(self) -> "Source":
        """The source with its bytes (read now if discover did not read them)."""
        if self.data is not None:
            return self
        data = _read(self.file, None, Path(self.file[: len(self.file) - len(str(self.path))]), str(self.path))
        return Source(self.path, self.rel, data, source_digest(data))


@dataclass(frozen=True, slots=True)
class Sources:
    """Everything a build reads, grouped by kind."""

    program: Source | None
    types: tuple[Source, ...]
    milestones: tuple[Source, ...]
    worksheets: tuple[Source, ...]
    guides: tuple[Source, ...]
    index: Source | None
    assets: tuple[tuple[str, Path], ...] = field(default=())  # (rel under assets/, absolute path)
    # a language's view of a multilingual project (config.overlay): content/<code>/ over content/
    untranslated: tuple[Path, ...] = field(default=())  # sources with no translation, shown as they are
    orphans: tuple[Path, ...] = field(default=())  # translations of no source in content/


def source_digest(data: bytes) -> str:
    """The digest of a source file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def discover(config: SiteConfig, memo: dict | None = None, known: dict | None = None) -> Sources:
    """Read program.yml, types/, milestones/, worksheets/, guides/ and list assets/.

    memo (kept by a long-running preview) maps a path to ((size, mtime_ns), bytes): a file whose
    size and modification time are unchanged is not read again.

    known (kept in the build cache) maps a guide's path to (its file's stat, the digest of its
    bytes): a guide whose stat is the same is not read (its Source has the digest, and no data
    until read() is called). It is brought up to date here (see _known)."""
    root = config.root
    content = root / config.content
    if not content.is_dir():
        raise SiteError(
            config.key_locs.get("content", Loc(Path("site.yml"), 1, 1)),
            f"content folder '{config.content}' not found — create it or set 'content:' in site.yml",
        )

    overlay = content / config.overlay if config.overlay else None
    untranslated: list[Path] = []

    # paths as strings: pathlib costs more than reading the file, a thousand guides over
    content_at = len(str(content)) + 1
    root_at = len(str(root)) + 1

    seen = dict(known) if known is not None else None
    if known is not None:
        known.clear()

    def guide(name: str) -> Source:
        rel = name[content_at:].replace(os.sep, "/")
        if overlay is not None or seen is None:
            return source(name)
        data, digest = _known(name, seen, known, root, name[root_at:])
        return Source(Path(name[root_at:]), rel, data, digest, name)

    def source(p: Path | str) -> Source:
        name = str(p)
        rel = name[content_at:].replace(os.sep, "/")
        if overlay is not None:
            translated = overlay / rel
            if translated.is_file():
                return Source(translated.relative_to(root), rel, _read(translated, memo, root))
            untranslated.append(Path(name[root_at:]))
        data = _read(name, memo, root, name[root_at:])
        if memo is None:
            return Source(Path(name[root_at:]), rel, data)
        known = memo.get(("source", name))  # a preview's: the same file, unchanged, is the same Source
        if known is None or known.data is not data or known.rel != rel:
            known = memo[("source", name)] = Source(Path(name[root_at:]), rel, data)
        return known

    def yaml_files(sub: str) -> tuple[Source, ...]:
        folder = content / sub
        if not folder.is_dir():
            return ()
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and _present(p))
        return tuple(source(p) for p in files)

    program = content / "program.yml"
    guides_dir = content / "guides"
    guides = ()
    if guides_dir.is_dir():
        guides = tuple(guide(p) for p in _walk_names(guides_dir, root) if p.endswith(".md"))
    index = content / "index.md"
    assets_dir = content / "assets"
    assets = ()
    if assets_dir.is_dir():
        assets = tuple((p.relative_to(assets_dir).as_posix(), p) for p in _walk(assets_dir, root) if _safe_asset(p, root))
    orphans: tuple[Path, ...] = ()
    if overlay is not None and overlay.is_dir():
        assets = tuple((rel, overlay / "assets" / rel if (overlay / "assets" / rel).is_file() else p) for rel, p in assets)
        orphans = tuple(
            p.relative_to(root) for p in _walk(overlay)
            if p.suffix in (".yml", ".yaml", ".md") and not (content / p.relative_to(overlay)).is_file()
        )
    return Sources(
        program=source(program) if _present(program) else None,
        types=yaml_files("types"),
        milestones=yaml_files("milestones"),
        worksheets=yaml_files("worksheets"),
        guides=guides,
        index=guide(str(index)) if _present(index) else None,
        assets=assets,
        untranslated=tuple(untranslated),
        orphans=orphans,
    )


def _safe_asset(path: Path, root: Path) -> bool:
    """An asset may be a link only to a file inside the project."""
    st = _link_stat(path, root, None) if path.is_symlink() else os.lstat(path)
    if path.is_symlink() and root.resolve() not in path.resolve().parents:
        raise SiteError(Loc(path.relative_to(root), 1, 1), f"this is a link to a file outside the project "
                                                          f"({path.resolve()}) — copy the file into the project instead")
    _regular(st, Loc(path.relative_to(root), 1, 1))
    return True


MAX_BYTES = {".md": 5_000_000}  # a guide larger than this is a mistake, not a guide
MAX_OTHER = 2_000_000  # YAML files


# a file's stat is trusted to tell that it did not change only when the file was last changed
# this long before it was read: a second change within the file system's time stamp's step
# (up to 2 s on some) could leave the same size and time (git's "racy clean" files)
_SETTLED_NS = 3_000_000_000


def _known(name: str, seen: dict, known: dict, root: Path, shown: str) -> tuple[bytes | None, str]:
    """A guide's (bytes, digest): (None, digest) when seen has its file's stat; known gets its
    entry when the file had settled (_SETTLED_NS) when read."""
    st = _lstat(name, root, shown)
    key = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    entry = seen.get(name)
    if entry is not None and entry[0] == key:
        known[name] = entry
        return None, entry[1]
    data = _read(name, None, root, shown, st)
    digest = source_digest(data)
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) > _SETTLED_NS and len(data) == st.st_size:
        known[name] = (key, digest)
    return data, digest


def _lstat(path: Path | str, root: Path | None, shown: str | None = None) -> os.stat_result:
    """A source file's stat; refuses links out of the project and files too large to be sources."""
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):  # (folders that are links are checked by _walk)
        st = _link_stat(path, root, shown)
        target = Path(path).resolve()
        if root.resolve() not in target.parents:
            raise SiteError(
                Loc(Path(path).relative_to(root), 1, 1),
                f"this is a link to a file outside the project ({target}) — copy the file into the project instead",
            )
    _regular(st, Loc(Path(shown) if shown else Path(path).relative_to(root), 1, 1))
    suffix = os.path.splitext(path)[1]
    limit = MAX_BYTES.get(suffix, MAX_OTHER)
    if st.st_size > limit:
        raise SiteError(
            Loc(Path(shown) if shown else Path(path).relative_to(root), 1, 1),
            f"the file is {st.st_size / 1e6:.1f} MB, more than the {limit / 1e6:.0f} MB a "
            f"{'guide' if suffix == '.md' else 'data file'} may be — split it into several files",
        )
    return st


def _present(path: Path) -> bool:
    """A name in the content folder that is not a folder: what it is (a file, a link to nothing,
    a named pipe) is checked when it is read (_lstat), so that the wrong ones are named."""
    return os.path.lexists(path) and not path.is_dir()


_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder"}


def _regular(st: os.stat_result, loc: Loc) -> None:
    """Refuse what is not a regular file: a named pipe would wait for a writer for ever."""
    if not stat.S_ISREG(st.st_mode):
        raise SiteError(loc, f"this is {_KINDS.get(stat.S_IFMT(st.st_mode), 'not a regular file')}, not a file — "
                             "only regular files are read: replace it with a file, or move it out of the content folder")


def _link_stat(path: Path | str, root: Path, shown: str | None) -> os.stat_result:
    """The stat of what a link leads to; a link to nothing, or round in a loop, is refused."""
    try:
        return os.stat(path)
    except OSError as e:
        target = os.readlink(path)
        why = {errno.ELOOP: "goes round in a loop of links", errno.ENOENT: "does not exist",
               errno.ENOTDIR: "does not exist"}.get(e.errno, f"cannot be read ({e.strerror})")
        raise SiteError(Loc(Path(shown) if shown else Path(path).relative_to(root), 1, 1),
                        f"this is a link to '{target}', which {why} — point the link at a file, or delete it") from None


def _read(path: Path | str, memo: dict | None, root: Path | None, shown: str | None = None,
          st: os.stat_result | None = None) -> bytes:
    """A source file's bytes; refuses links out of the project and files too large to be sources
    (st: its _lstat, when the caller has it)."""
    if st is None:
        st = _lstat(path, root, shown)
    if memo is not None:
        key = (st.st_size, st.st_mtime_ns, st.st_ino)
        known = memo.get(str(path))
        if known is not None and known[0] == key:
            return known[1]
    fd = os.open(path, os.O_RDONLY)  # (os.read: a file object costs more than the read, for a small file)
    try:
        data = os.read(fd, st.st_size + 1)
        if len(data) > st.st_size:  # it grew since the stat: read the rest
            chunks = [data]
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    if memo is not None:
        memo[str(path)] = (key, data)
    return data


def _walk(folder: Path, root: Path | None = None) -> list[Path]:
    """Files below folder, sorted, skipping hidden files and folders (see _walk_names)."""
    return [Path(name) for name in _walk_names(folder, root)]


def _walk_names(folder: Path, root: Path | None = None) -> list[str]:
    """The paths of the files below folder, sorted as paths sort (part by part), skipping hidden
    files and folders. A folder that is a link is followed if it stays inside the project and
    refused if it leads out of it."""
    out: list[str] = []
    real_root = (root or folder).resolve()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        keep = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            path = Path(dirpath) / d
            if path.is_symlink():
                target = path.resolve()
                if real_root not in target.parents and target != real_root:
                    shown = path.relative_to(root) if root else path
                    raise SiteError(Loc(shown, 1, 1), f"this folder is a link to {target}, outside the project — "
                                                      "copy the files into the project instead")
                if target in path.parents or target == path.parent.resolve():
                    continue  # a link back up the tree would loop
            keep.append(d)
        dirnames[:] = keep
        out.extend(os.path.join(dirpath, f) for f in filenames if not f.startswith("."))
    out.sort(key=lambda name: name.split(os.sep))
    return out
