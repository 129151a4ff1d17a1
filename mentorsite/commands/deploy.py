"""Publish the built site to a branch (gh-pages) of the handbook's git repository.

Like ghp-import, the commit is made with git plumbing — blobs from the output folder, a tree
written through a temporary index, commit-tree on the branch's previous tip, update-ref — so the
working tree, the real index and the current branch are never touched.
"""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mentorsite import __version__
from mentorsite.errors import SiteError
from mentorsite.site.model import SiteConfig

log = logging.getLogger(__name__)

_ZERO = "0" * 40


@dataclass(frozen=True, slots=True)
class DeployReport:
    """What a deploy did."""

    branch: str
    commit: str
    parent: str | None
    files: int
    remote: str | None  # None when not pushed
    message: str


class _GitFailed(Exception):
    def __init__(self, args: list[str], code: int, stderr: str):
        super().__init__(stderr)
        self.args_ = args
        self.code = code
        self.stderr = stderr

    @property
    def first_line(self) -> str:
        lines = [l.strip() for l in self.stderr.splitlines() if l.strip()]
        errors = [l for l in lines if l.lower().startswith(("fatal:", "error:"))]
        return (errors or lines or [f"git exited with {self.code}"])[0]


def _git(cwd: Path, *args: str, input: bytes | None = None, env: dict | None = None) -> str:
    """Run git in cwd and return its stdout; _GitFailed on a non-zero exit."""
    cmd = ["git", "-c", "core.quotepath=false", *args]
    try:
        proc = subprocess.run(cmd, cwd=cwd, input=input, capture_output=True,
                              env={**os.environ, **(env or {})})
    except FileNotFoundError:
        raise SiteError(None, "git is not installed — install git to deploy") from None
    if proc.returncode != 0:
        raise _GitFailed(cmd, proc.returncode, proc.stderr.decode("utf-8", errors="replace"))
    return proc.stdout.decode("utf-8", errors="replace")


def _maybe(cwd: Path, *args: str) -> str | None:
    """git's stdout, stripped, or None when it fails (a ref that does not exist)."""
    try:
        return _git(cwd, *args).strip() or None
    except _GitFailed:
        return None


def deploy(
    config: SiteConfig,
    *,
    build,
    config_file: Path = Path("site.yml"),
    branch: str = "gh-pages",
    remote: str = "origin",
    message: str | None = None,
    allow_dirty: bool = False,
    force: bool = False,
    push: bool = True,
    overwrite_source_branch: bool = False,
) -> DeployReport:
    """Build the site with build(config), commit the output to branch, and push it to remote.
    A branch that holds the handbook's sources is refused (see _source_branch) unless
    overwrite_source_branch says to put the site there in their place."""
    root = config.root
    head, current, sources, dirty = _preflight(config, config_file, branch, remote, allow_dirty, push,
                                               overwrite_source_branch)
    build(config)
    output = (root / config.output).resolve()
    if output.is_relative_to(root.resolve()) and not _succeeds(root, "check-ignore", "-q", str(output)):
        log.warning("warning: %s/ is not in .gitignore — add it, so the built site stays out of your source branch",
                    config.output)

    ref = f"refs/heads/{branch}"
    tracking = f"refs/remotes/{remote}/{branch}"
    if push:
        _fetch(root, remote, branch, tracking)
    local_tip = _maybe(root, "rev-parse", "--verify", "-q", f"{ref}^{{commit}}")
    remote_tip = _maybe(root, "rev-parse", "--verify", "-q", f"{tracking}^{{commit}}") if push else None
    if remote_tip and not overwrite_source_branch:  # (what the fetch brought in)
        sources.refuse(branch, remote_tip)
    parent = local_tip
    if remote_tip and (local_tip is None or (local_tip != remote_tip and _is_ancestor(root, local_tip, remote_tip))):
        parent = remote_tip  # the remote is ahead (a deploy from elsewhere): build on it

    tree, files = _write_tree(root, output)
    text = _message(root, message, head, current, dirty)
    commit = _commit(root, tree, parent, text)
    try:
        _git(root, "update-ref", "-m", f"mentorsite deploy: {text.splitlines()[0]}", ref, commit, local_tip or _ZERO)
    except _GitFailed as e:
        raise SiteError(None, f"could not update branch '{branch}': {e.first_line} — try again") from None
    if push:
        _push(root, remote, branch, force)
    return DeployReport(branch=branch, commit=commit, parent=parent, files=files,
                        remote=remote if push else None, message=text)


def _preflight(config: SiteConfig, config_file: Path, branch: str, remote: str, allow_dirty: bool, push: bool,
               overwrite_source_branch: bool) -> tuple:
    """What deploy checks before it builds: (the source commit, the current branch, the sources'
    branches, the uncommitted files), or the SiteError that says what to do first."""
    root = config.root
    if _maybe(root, "rev-parse", "--is-inside-work-tree") != "true":
        raise SiteError(None, f"{root} is not in a git repository — run 'git init', commit your handbook, then deploy")
    head = _maybe(root, "rev-parse", "--verify", "-q", "HEAD^{commit}")
    if head is None:
        raise SiteError(None, "the repository has no commits yet — commit your handbook, then deploy")
    if _maybe(root, "check-ref-format", "--branch", branch) is None:
        raise SiteError(None, f"'{branch}' is not a valid branch name — pass another with --branch")
    current = _maybe(root, "symbolic-ref", "--short", "-q", "HEAD")
    if current == branch:
        raise SiteError(None, f"you are on the '{branch}' branch — switch to the branch holding your handbook's "
                              "sources (git switch main), then deploy")
    sources = _Sources(root, config, config_file, head, current, remote)
    if not overwrite_source_branch:
        for tip in (f"refs/heads/{branch}", f"refs/remotes/{remote}/{branch}"):
            sources.refuse(branch, tip)
    dirty = _dirty(root, config, config_file)
    if dirty and not allow_dirty:
        more = f" (and {len(dirty) - 1} more)" if len(dirty) > 1 else ""
        raise SiteError(None, f"uncommitted changes to {dirty[0]}{more} — commit them first, "
                              "or pass --allow-dirty to publish them anyway")
    if push and _maybe(root, "remote", "get-url", remote) is None:
        raise SiteError(None, f"there is no git remote '{remote}' — add one (git remote add {remote} URL), "
                              "name another with --remote, or pass --no-push")
    return head, current, sources, dirty


def _message(root: Path, message: str | None, head: str, current: str | None, dirty: list[str]) -> str:
    """The deploy commit's message: --message with {sha} and {branch} filled in, or ours."""
    short = _git(root, "rev-parse", "--short", head).strip()
    source = current or "detached HEAD"
    if message:
        return message.replace("{sha}", short).replace("{branch}", source)
    text = f"Deploy {short} from {source}\n\nSource commit {head}, built by mentorsite {__version__}."
    if dirty:
        text += "\nBuilt with uncommitted changes to: " + ", ".join(dirty[:10]) + (" ..." if len(dirty) > 10 else "")
    return text


def _commit(root: Path, tree: str, parent: str | None, text: str) -> str:
    """A commit of the site's tree on parent (the branch's tip), without touching the working tree."""
    args = ["commit-tree", tree] + (["-p", parent] if parent else []) + ["-F", "-"]
    try:
        return _git(root, *args, input=text.encode("utf-8")).strip()
    except _GitFailed as e:
        if "identity" in e.stderr or "user.email" in e.stderr:
            raise SiteError(None, "git does not know who you are — run git config user.name 'Your Name' and "
                                  "git config user.email you@example.org, then deploy") from None
        raise SiteError(None, f"git commit-tree failed: {e.first_line}") from None


class _Sources:
    """What tells that a branch holds the handbook's sources, so that deploying there would put
    the site in their place: the handbook's files in its last commit or its history, a history
    shared with the current commit, being the remote's default branch or the current branch's
    upstream."""

    def __init__(self, root: Path, config: SiteConfig, config_file: Path, head: str, current: str | None,
                 remote: str):
        prefix = _maybe(root, "rev-parse", "--show-prefix") or ""  # the project's folder in the repository
        self.root, self.head, self.current, self.remote = root, head, current, remote
        self.paths = [(prefix + config_file.name, config_file.name),
                      (prefix + config.content.strip("/"), config.content.strip("/") + "/")]
        default = _maybe(root, "symbolic-ref", "-q", "--short", f"refs/remotes/{remote}/HEAD")
        self.default = default.split("/", 1)[1] if default and "/" in default else None
        upstream = _maybe(root, "rev-parse", "-q", "--abbrev-ref", "--symbolic-full-name", "@{upstream}") if current else None
        self.upstream = upstream.split("/", 1)[1] if upstream and upstream.startswith(remote + "/") else None

    def refuse(self, branch: str, tip: str) -> None:
        """A SiteError when branch (whose last commit is tip, a ref or a commit) holds the sources."""
        reason = self.reason(branch, tip)
        if reason:
            raise SiteError(None, f"'{branch}' holds your handbook's sources ({reason}) — publish to a branch of its own "
                                  f"(the default is gh-pages), or pass --overwrite-source-branch to put the site there "
                                  f"in their place")

    def reason(self, branch: str, tip: str) -> str | None:
        if branch == self.default:
            return f"it is the default branch of '{self.remote}'"
        if branch == self.upstream:
            return f"it is the upstream of your branch '{self.current}'"
        commit = _maybe(self.root, "rev-parse", "--verify", "-q", f"{tip}^{{commit}}")
        if commit is None:
            return None  # no such branch yet
        for path, shown in self.paths:
            if _succeeds(self.root, "cat-file", "-e", f"{commit}:{path}"):
                return f"{shown} is in its last commit"
        if _is_ancestor(self.root, commit, self.head):
            return "its last commit is in the history of yours"
        if _is_ancestor(self.root, self.head, commit):
            return "your current commit is in its history"
        for path, shown in self.paths:
            if _maybe(self.root, "log", "-1", "--format=%H", commit, "--", path):
                return f"{shown} is in its history"
        return None


def _dirty(root: Path, config: SiteConfig, config_file: Path) -> list[str]:
    """Paths with uncommitted changes (untracked files too) among the sources of the site."""
    paths = [config_file.name, config.content, "themes"]
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", *paths)
    entries = [e for e in out.split("\0") if e]
    names, skip = [], False
    for entry in entries:
        if skip:  # the original name of a rename
            skip = False
            continue
        if entry[:1] in "RC" and len(entry) > 3:
            skip = True
        names.append(entry[3:])
    return sorted(names)


def _fetch(root: Path, remote: str, branch: str, tracking: str) -> None:
    try:
        _git(root, "fetch", "--quiet", "--no-tags", remote, f"+refs/heads/{branch}:{tracking}",
             env={"LC_ALL": "C", "LANGUAGE": ""})
    except _GitFailed as e:
        if "couldn't find remote ref" in e.stderr:
            return  # the first deploy: the branch does not exist on the remote yet
        raise SiteError(None, f"could not fetch '{branch}' from '{remote}': {e.first_line} — "
                              "check the remote and your network, or pass --no-push") from None


def _succeeds(cwd: Path, *args: str) -> bool:
    """Whether git exits 0 (for questions answered by the exit code)."""
    try:
        _git(cwd, *args)
        return True
    except _GitFailed:
        return False


def _is_ancestor(root: Path, a: str, b: str) -> bool:
    return _succeeds(root, "merge-base", "--is-ancestor", a, b)


def _write_tree(root: Path, output: Path) -> tuple[str, int]:
    """Store every file of the output folder as a blob and return the tree holding them."""
    if not output.is_dir():
        raise SiteError(None, f"the output folder {output} does not exist — the build did not write it")
    files: list[str] = []
    for dirpath, dirnames, filenames in os.walk(output):
        dirnames.sort()
        for name in sorted(filenames):
            full = Path(dirpath) / name
            if "\n" in str(full):
                raise SiteError(None, f"a file name in the output has a line break: {full!r} — rename it")
            files.append(full.relative_to(output).as_posix())
    blobs = _git(root, "hash-object", "-w", "--no-filters", "--stdin-paths",
                 input="".join(str(output / f) + "\n" for f in files).encode("utf-8")).split()
    entries = dict(zip(files, blobs))
    if ".nojekyll" not in entries:  # GitHub Pages must not run Jekyll over the site
        entries[".nojekyll"] = _git(root, "hash-object", "-w", "--stdin", input=b"").strip()
    with tempfile.TemporaryDirectory(prefix="mentorsite-deploy-") as tmp:
        env = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        info = "".join(f"100644 blob {sha}\t{path}\0" for path, sha in sorted(entries.items()))
        _git(root, "update-index", "-z", "--index-info", input=info.encode("utf-8"), env=env)
        tree = _git(root, "write-tree", env=env).strip()
    return tree, len(entries)


def _push(root: Path, remote: str, branch: str, force: bool) -> None:
    spec = f"{'+' if force else ''}refs/heads/{branch}:refs/heads/{branch}"
    try:
        _git(root, "push", "--quiet", remote, spec, env={"LC_ALL": "C", "LANGUAGE": ""})
    except _GitFailed as e:
        if "non-fast-forward" in e.stderr or "fetch first" in e.stderr or "[rejected]" in e.stderr:
            raise SiteError(None, f"'{remote}' refused the push: its '{branch}' has commits that yours does not — "
                                  f"pass --force to replace the published site (the new commit is on your local "
                                  f"'{branch}')") from None
        raise SiteError(None, f"git push to '{remote}' failed: {e.first_line} — the new commit is on your "
                              f"local '{branch}'; push it with git push {remote} {branch}") from None
