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
from mentorsite.site.model import SiteConfig


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


def discover(config: SiteConfig, state=None) -> Sources:
    """Read program.yml, types/, milestones/, worksheets/, guides/ and list assets/.

    A build from the command line knows, from its state (state.sources), each guide's file's
    stat and digest: a guide whose stat is the same is not read (its Source has the digest, and
    no data until read() is called); state.sources is brought up to date here (see _known).

    A preview keeps in its memory the bytes of each file by its stat: a file whose size and
    modification time are unchanged is not read again, and gives the same Source."""
    memory = state.memory if state is not None else None
    known = state.sources if state is not None and memory is None and state.path is not None else None
    root = config.root
    content = root / config.content
    if not content.is_dir():
        raise SiteError(
            config.key_locs.get("content", Loc(Path("site.yml"), 1, 1)),
            f"content folder '{config.content}' not found — create it or set 'content:' in site.yml",
        )
    overlay = content / config.overlay if config.overlay else None
    read = _Reader(root, content, overlay, memory, known)
    guides_dir = content / "guides"
    guides = ()
    if guides_dir.is_dir():
        guides = tuple(read.guide(p) for p in _walk_names(guides_dir, root) if p.endswith(".md"))
    assets_dir = content / "assets"
    assets = ()
    if assets_dir.is_dir():
        assets = tuple((_asset_name(p, assets_dir, root), p) for p in _walk(assets_dir, root))
    orphans: tuple[Path, ...] = ()
    if overlay is not None and overlay.is_dir():
        assets = tuple((rel, _inside(overlay / "assets" / rel, root) if (overlay / "assets" / rel).is_file() else p)
                       for rel, p in assets)
        orphans = tuple(
            p.relative_to(root) for p in _walk(overlay, root)
            if p.suffix in (".yml", ".yaml", ".md") and not (content / p.relative_to(overlay)).is_file()
        )
    program, index = content / "program.yml", content / "index.md"
    return Sources(
        program=read.source(program) if _one_file(program, root) else None,
        types=read.yaml_files("types"),
        milestones=read.yaml_files("milestones"),
        worksheets=read.yaml_files("worksheets"),
        guides=guides,
        index=read.guide(str(index)) if _one_file(index, root) else None,
        assets=assets,
        untranslated=tuple(read.untranslated),
        orphans=orphans,
    )


class _Reader:
    """How discover reads the files of a content folder: through a preview's memory, the state's
    stats of the guides (known), and a language's overlay folder."""

    def __init__(self, root: Path, content: Path, overlay: Path | None, memory, known: dict | None):
        self.root, self.content, self.overlay = root, content, overlay
        self.memo = memory.files if memory is not None else None
        self.sources_memo = memory.sources if memory is not None else None
        # paths as strings: pathlib costs more than reading the file, a thousand guides over
        self.content_at = len(str(content)) + 1
        self.root_at = len(str(root)) + 1
        self.known = known
        self.seen = dict(known) if known is not None else None
        if known is not None:
            known.clear()
        self.untranslated: list[Path] = []

    def guide(self, name: str) -> Source:
        rel = name[self.content_at:].replace(os.sep, "/")
        if self.overlay is not None or self.seen is None:
            return self.source(name)
        data, digest = _known(name, self.seen, self.known, self.root, name[self.root_at:])
        return Source(Path(name[self.root_at:]), rel, data, digest, name)

    def source(self, p: Path | str) -> Source:
        name = str(p)
        rel = name[self.content_at:].replace(os.sep, "/")
        if self.overlay is not None:
            translated = self.overlay / rel
            if translated.is_file():
                _inside(translated, self.root)  # (content/<code>/ or a folder of it may be a link)
                return Source(translated.relative_to(self.root), rel, _read(translated, self.memo, self.root))
            self.untranslated.append(Path(name[self.root_at:]))
        data = _read(name, self.memo, self.root, name[self.root_at:])
        if self.sources_memo is None:
            return Source(Path(name[self.root_at:]), rel, data)
        same = self.sources_memo.get(name)  # a preview's: the same file, unchanged, is the same Source
        if same is None or same.data is not data or same.rel != rel:
            same = self.sources_memo[name] = Source(Path(name[self.root_at:]), rel, data)
        return same

    def yaml_files(self, sub: str) -> tuple[Source, ...]:
        folder = self.content / sub
        if os.path.islink(folder):
            _link_target(str(folder), self.root)  # (content/types as a link out of the project is refused)
        if not folder.is_dir():
            return ()
        files = sorted(p for p in folder.iterdir() if p.suffix in (".yml", ".yaml") and not p.name.startswith(".")
                       and _file_or_link(p, self.root))
        return tuple(self.source(p) for p in files)


def _asset_name(path: Path, assets: Path, root: Path) -> str:
    """An asset's path under assets/, which is its web address: it must be UTF-8 text."""
    rel = path.relative_to(assets).as_posix()
    _regular(os.stat(path), Loc(path.relative_to(root), 1, 1))  # (copying a named pipe would wait for ever)
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        raise SiteError(Loc(path.relative_to(root), 1, 1), "this file's name is not UTF-8 text — rename it: the name "
                                                           "of a file in assets/ is its web address") from None
    return rel


def _file_or_link(path: Path, root: Path) -> bool:
    """Whether path is a source to read: a file, or a link to one (a link is checked: _link_target)."""
    if os.path.islink(path):
        return not os.path.isdir(_link_target(str(path), root))
    return os.path.lexists(path) and not path.is_dir()  # (a named pipe is named when it is read: _lstat)


def _one_file(path: Path, root: Path) -> bool:
    """Whether there is a source at path (program.yml, index.md), which cannot be a folder."""
    if _file_or_link(path, root):
        return True
    if path.is_dir():
        raise SiteError(Loc(path.relative_to(root), 1, 1), f"this is a folder, not a file — make {path.name} a file, "
                                                           "or give the folder another name")
    return False


def _link_target(path: str, root: Path, folder: bool | None = None) -> str:
    """The real path a link under content/ leads to; a located SiteError when it leads out of the
    project, to a hidden file or folder (.git, .github, ...: never published, whatever path
    reaches them), to nothing, or round in a circle."""
    shown = Path(os.path.relpath(path, root))
    try:
        st = os.stat(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            raise SiteError(Loc(shown, 1, 1), "this is a link that leads round in a circle — fix the link or remove it") from None
        raise SiteError(Loc(shown, 1, 1), f"this is a link to {os.readlink(path)}, which does not exist — "
                                          "fix the link or remove it") from None
    target = os.path.realpath(path)
    is_dir = stat.S_ISDIR(st.st_mode) if folder is None else folder
    real_root = os.path.realpath(root)
    rel = os.path.relpath(target, real_root)
    if rel == os.pardir or rel.startswith(os.pardir + os.sep):
        raise SiteError(Loc(shown, 1, 1),
                        f"this folder is a link to {target}, outside the project — copy the files into the project instead"
                        if is_dir else
                        f"this is a link to a file outside the project ({target}) — copy the file into the project instead")
    if rel != os.curdir and any(part.startswith(".") for part in rel.split(os.sep)):
        raise SiteError(Loc(shown, 1, 1), f"this {'folder ' if is_dir else ''}is a link to {Path(rel).as_posix()}"
                                          f"{'/' if is_dir else ''}, which is hidden — nothing hidden is published: "
                                          "remove the link")
    return target


def _inside(path: Path, root: Path) -> Path:
    """path, when what it names (through any links on its way) is in the project and not hidden;
    otherwise the SiteError of the first link on its way that leads elsewhere."""
    real = os.path.realpath(path)
    rel = os.path.relpath(real, os.path.realpath(root))
    if not (rel == os.pardir or rel.startswith(os.pardir + os.sep)) and not any(p.startswith(".") for p in rel.split(os.sep)):
        return path
    parts = Path(os.path.relpath(path, root)).parts
    for i in range(1, len(parts) + 1):
        step = root.joinpath(*parts[:i])
        if os.path.islink(step):
            _link_target(str(step), root)
    return path


MAX_BYTES = {".md": 1_000_000}  # a guide larger than this is a book (some 250 printed pages), not a guide
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
        _link_target(str(path), root, folder=False)
        st = os.stat(path)
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


_KINDS = {stat.S_IFIFO: "a named pipe (FIFO)", stat.S_IFSOCK: "a socket", stat.S_IFCHR: "a device",
          stat.S_IFBLK: "a device", stat.S_IFDIR: "a folder"}


def _regular(st: os.stat_result, loc: Loc) -> None:
    """Refuse what is not a regular file: a named pipe would wait for a writer for ever."""
    if not stat.S_ISREG(st.st_mode):
        raise SiteError(loc, f"this is {_KINDS.get(stat.S_IFMT(st.st_mode), 'not a regular file')}, not a file — "
                             "only regular files are read: replace it with a file, or move it out of the content folder")


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
    files and folders. Every link on the way (folder itself included: content/assets may be one)
    must lead inside the project, to something not hidden (_link_target). A link to a folder is
    followed once: not when it leads back up the tree (a loop), nor to a folder another link
    already led to (links between folders would otherwise multiply the paths without end)."""
    out: list[str] = []
    root = root or folder
    start = str(folder)
    real = _link_target(start, root) if os.path.islink(start) else os.path.realpath(start)
    stack = [(start, real, (real,))]
    linked: set[str] = set()
    while stack:
        path, real, above = stack.pop()
        try:
            entries = sorted(os.scandir(path), key=lambda e: e.name)
        except (FileNotFoundError, NotADirectoryError):
            continue
        folders = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                target = _link_target(entry.path, root)
                if not os.path.isdir(target):
                    out.append(entry.path)
                elif target not in linked and not any(a == target or a.startswith(target + os.sep) for a in above):
                    linked.add(target)
                    folders.append((entry.path, target, above + (target,)))
            elif entry.is_dir():
                inner = os.path.join(real, entry.name)
                folders.append((entry.path, inner, above + (inner,)))
            else:
                out.append(entry.path)
        stack.extend(reversed(folders))  # (walked in order)
    out.sort(key=lambda name: name.split(os.sep))
    return out
