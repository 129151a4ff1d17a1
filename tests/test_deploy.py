"""`mentorsite deploy` against real git repositories: a source repository whose origin is a
local bare repository. The published branch holds exactly the built site, and the source
branch, HEAD, index and working tree are left as they were."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.test_build import FULL


def git(cwd: Path, *args: str) -> str:
    proc = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    assert proc.returncode == 0, f"git {' '.join(args)}: {proc.stderr}"
    return proc.stdout


@pytest.fixture
def repos(make_site, tmp_path, monkeypatch):
    """(source, bare): a handbook committed on 'main', with 'origin' a bare repository."""
    # git identity and configuration only for the repositories of this test
    for name, value in {
        "GIT_AUTHOR_NAME": "Test Author", "GIT_AUTHOR_EMAIL": "author@example.org",
        "GIT_COMMITTER_NAME": "Test Committer", "GIT_COMMITTER_EMAIL": "committer@example.org",
        "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig"), "GIT_CONFIG_NOSYSTEM": "1",
    }.items():
        monkeypatch.setenv(name, value)
    bare = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    root = make_site({**FULL, ".gitignore": "_site/\n.mentorsite-cache/\n",
                      "site.yml": "title: Test Handbook\nurl: https://org.github.io/handbook/\n"})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "The handbook")
    git(root, "remote", "add", "origin", str(bare))
    git(root, "push", "-q", "origin", "main")
    return root, bare


def state(root: Path) -> dict:
    """Everything deploy must leave alone."""
    return {
        "head": git(root, "rev-parse", "HEAD"),
        "branch": git(root, "symbolic-ref", "HEAD"),
        "main": git(root, "rev-parse", "refs/heads/main"),
        "index": git(root, "ls-files", "--stage"),
        "status": git(root, "status", "--porcelain", "--untracked-files=all"),
        "diff": git(root, "diff"),
    }


def site_files(out: Path) -> dict[str, str]:
    """Path -> blob id of every file of the built site."""
    files = sorted(p for p in out.rglob("*") if p.is_file())
    ids = git(out, "hash-object", "--no-filters", *map(str, files)).split()
    return {p.relative_to(out).as_posix(): i for p, i in zip(files, ids)}


def tree_files(repo: Path, ref: str) -> dict[str, str]:
    out = {}
    for line in git(repo, "ls-tree", "-r", "-z", ref).split("\0"):
        if line:
            meta, path = line.split("\t", 1)
            out[path] = meta.split()[2]
    return out


def test_deploy_publishes_exactly_the_built_site(repos, run):
    root, bare = repos
    before = state(root)
    result = run("deploy")
    assert result.code == 0, result.err
    assert state(root) == before
    published = tree_files(bare, "gh-pages")
    assert published == site_files(root / "_site")
    assert ".nojekyll" in published and "index.html" in published
    short = git(root, "rev-parse", "--short", "HEAD").strip()
    assert git(bare, "log", "-1", "--format=%s", "gh-pages").strip() == f"Deploy {short} from main"
    assert git(bare, "rev-list", "--count", "gh-pages").strip() == "1"
    assert git(root, "rev-parse", "gh-pages") == git(bare, "rev-parse", "gh-pages")
    assert f"Committed {len(published)} files to 'gh-pages'" in result.out


def test_a_second_deploy_adds_one_commit(repos, run):
    root, bare = repos
    assert run("deploy").code == 0
    first = git(bare, "rev-parse", "gh-pages").strip()
    (root / "content/guides/later/third.md").write_text("---\ntitle: Third steps\n---\n\nChanged.\n")
    git(root, "commit", "-q", "-am", "Change a guide")
    before = state(root)
    assert run("deploy").code == 0
    assert state(root) == before
    assert git(bare, "rev-list", "--count", "gh-pages").strip() == "2"
    assert git(bare, "rev-parse", "gh-pages^").strip() == first
    assert tree_files(bare, "gh-pages") == site_files(root / "_site")
    changed = git(bare, "diff", "--name-only", first, "gh-pages").split()
    assert "guides/later/third/index.html" in changed


def test_a_fresh_clone_deploys_on_top_of_the_published_branch(repos, run, tmp_path, monkeypatch):
    root, bare = repos
    assert run("deploy").code == 0
    first = git(bare, "rev-parse", "gh-pages").strip()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(bare), str(clone))
    monkeypatch.chdir(clone)
    assert run("deploy").code == 0
    assert git(bare, "rev-parse", "gh-pages^").strip() == first


def test_uncommitted_content_refuses_without_allow_dirty(repos, run):
    root, bare = repos
    (root / "content/guides/later/third.md").write_text("---\ntitle: Third steps\n---\n\nDraft.\n")
    (root / "content/guides/later/new.md").write_text("---\ntitle: New\n---\n\nNew.\n")
    before = state(root)
    result = run("deploy")
    assert result.code == 1
    assert result.err == ("uncommitted changes to content/guides/later/new.md (and 1 more) — commit them first, "
                          "or pass --allow-dirty to publish them anyway\n")
    assert not (root / "_site").exists()
    assert git(bare, "branch", "--list", "gh-pages") == ""
    result = run("deploy", "--allow-dirty")
    assert result.code == 0, result.err
    assert state(root) == before
    assert "guides/later/new/index.html" in tree_files(bare, "gh-pages")
    body = git(bare, "log", "-1", "--format=%b", "gh-pages")
    assert "Built with uncommitted changes to: content/guides/later/new.md, content/guides/later/third.md" in body


def test_other_uncommitted_files_do_not_block(repos, run):
    root, _bare = repos
    (root / "notes.txt").write_text("not part of the site")
    assert run("deploy").code == 0


def test_a_diverged_remote_is_not_overwritten_without_force(repos, run):
    root, bare = repos
    assert run("deploy").code == 0
    # someone replaces the published branch with an unrelated history
    empty = subprocess.run(["git", "mktree"], cwd=bare, input="", capture_output=True, text=True,
                           check=True).stdout.strip()
    other = git(bare, "commit-tree", empty, "-m", "Someone else").strip()
    git(bare, "update-ref", "refs/heads/gh-pages", other)
    result = run("deploy")
    assert result.code == 1
    assert result.err == ("'origin' refused the push: its 'gh-pages' has commits that yours does not — pass --force "
                          "to replace the published site (the new commit is on your local 'gh-pages')\n")
    assert git(bare, "rev-parse", "gh-pages").strip() == other
    result = run("deploy", "--force")
    assert result.code == 0, result.err
    assert git(bare, "rev-parse", "gh-pages") == git(root, "rev-parse", "gh-pages")
    assert tree_files(bare, "gh-pages") == site_files(root / "_site")


def test_no_push_and_options(repos, run):
    root, bare = repos
    result = run("deploy", "--no-push", "--branch", "site", "--message", "Publish {sha} ({branch})")
    assert result.code == 0, result.err
    short = git(root, "rev-parse", "--short", "HEAD").strip()
    assert git(root, "log", "-1", "--format=%s", "site").strip() == f"Publish {short} (main)"
    assert git(bare, "branch", "--list", "site") == ""
    assert "not pushed (--no-push)" in result.out


@pytest.mark.parametrize("setup, args, message", [
    ("no-remote", [], "there is no git remote 'upstream' — add one (git remote add upstream URL), name another with "
                      "--remote, or pass --no-push"),
    ("on-branch", [], "you are on the 'gh-pages' branch — switch to the branch holding your handbook's sources "
                      "(git switch main), then deploy"),
    ("bad-branch", [], "'bad..name' is not a valid branch name — pass another with --branch"),
])
def test_errors_are_one_line(repos, run, setup, args, message):
    root, _bare = repos
    if setup == "no-remote":
        args = ["--remote", "upstream"]
    elif setup == "on-branch":
        git(root, "checkout", "-q", "-b", "gh-pages")
    elif setup == "bad-branch":
        args = ["--branch", "bad..name"]
    result = run("deploy", *args)
    assert result.code == 1
    assert result.err == message + "\n"


def test_not_a_repository(make_site, run, tmp_path, monkeypatch):
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    root = make_site(FULL)
    result = run("deploy")
    assert result.code == 1
    assert result.err == (f"{root} is not in a git repository — run 'git init', commit your handbook, then deploy\n")


def test_an_empty_url_is_warned_about(repos, run):
    root, bare = repos
    (root / "site.yml").write_text("title: Test Handbook\n")
    git(root, "commit", "-q", "-am", "No url")
    result = run("deploy")
    assert result.code == 0
    assert result.err == ("warning: site.yml has no url — every link starts at / and breaks on a GitHub Pages project "
                          "site (https://org.github.io/handbook/): set url in site.yml, or pass --url\n")
    result = run("deploy", "--url", "https://org.github.io/handbook/")
    assert result.code == 0
    assert result.err == ""
    assert 'href="/handbook/static/site.css"' in (root / "_site/index.html").read_text()


SOURCES = ("— publish to a branch of its own (the default is gh-pages), or pass --overwrite-source-branch to put "
           "the site there in their place\n")


def orphan(root: Path, branch: str) -> str:
    """A branch with one commit holding only a README (not the handbook), not checked out."""
    blob = subprocess.run(["git", "hash-object", "-w", "--stdin"], cwd=root, input="Read me\n", capture_output=True,
                          text=True, check=True).stdout.strip()
    tree = subprocess.run(["git", "mktree"], cwd=root, input=f"100644 blob {blob}\tREADME\n", capture_output=True,
                          text=True, check=True).stdout.strip()
    commit = git(root, "commit-tree", tree, "-m", "Read me").strip()
    git(root, "update-ref", f"refs/heads/{branch}", commit)
    return commit


def refs(repo: Path) -> str:
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)")


@pytest.mark.parametrize("push", [True, False])
def test_a_branch_holding_the_sources_is_refused(repos, run, push):
    """From another branch, `deploy --branch main` would commit the site onto main (and push it)."""
    root, bare = repos
    git(root, "switch", "-q", "-c", "feature")
    before, remote_before = state(root), refs(bare)
    result = run("deploy", "--branch", "main", *([] if push else ["--no-push"]))
    assert result.code == 1
    assert result.err == f"'main' holds your handbook's sources (site.yml is in its last commit) {SOURCES}"
    assert state(root) == before and refs(bare) == remote_before
    assert not (root / "_site").exists()  # refused before building


def test_a_branch_only_on_the_remote_is_checked_too(repos, run):
    root, bare = repos
    git(root, "switch", "-q", "-c", "feature")
    git(root, "fetch", "-q", "origin")
    git(root, "branch", "-q", "-D", "main")  # main is now only origin/main
    result = run("deploy", "--branch", "main")
    assert result.code == 1
    assert result.err == f"'main' holds your handbook's sources (site.yml is in its last commit) {SOURCES}"
    assert git(root, "branch", "--list", "main") == ""


def test_a_branch_with_the_content_folder_only(repos, run):
    root, bare = repos
    git(root, "switch", "-q", "-c", "copy")
    git(root, "rm", "-q", "site.yml")
    git(root, "commit", "-q", "-m", "Without site.yml")
    git(root, "switch", "-q", "main")
    result = run("deploy", "--branch", "copy", "--no-push")
    assert result.code == 1
    assert result.err == f"'copy' holds your handbook's sources (content/ is in its last commit) {SOURCES}"


@pytest.mark.parametrize("setup, reason", [
    ("older", "its last commit is in the history of yours"),
    ("newer", "your current commit is in its history"),
    ("default", "it is the default branch of 'origin'"),
    ("upstream", "it is the upstream of your branch 'feature'"),
    ("history", "site.yml is in its history"),
])
def test_other_signs_of_a_source_branch(repos, run, setup, reason):
    root, bare = repos
    if setup in ("older", "newer"):  # a branch of the same history whose last commit lacks the handbook
        git(root, "switch", "-q", "-c", "feature")
        git(root, "rm", "-q", "-r", "site.yml", "content")
        git(root, "commit", "-q", "-m", "Without the handbook")
        if setup == "older":
            git(root, "branch", "-q", "target")
            (root / "notes.txt").write_text("more\n")
            git(root, "add", "notes.txt")
            git(root, "commit", "-q", "-m", "More")
            git(root, "checkout", "-q", "main", "--", "site.yml", "content")
            git(root, "commit", "-q", "-m", "The handbook back")
        else:
            git(root, "branch", "-q", "target")
            git(root, "switch", "-q", "main")
            git(root, "branch", "-q", "-f", "target", "feature")
            git(root, "switch", "-q", "--detach", "feature~1")
    elif setup == "default":  # the remote's default branch, even without the handbook in it
        git(root, "push", "-q", "origin", f"{orphan(root, 'target')}:refs/heads/target")
        git(bare, "symbolic-ref", "HEAD", "refs/heads/target")
        git(root, "remote", "set-head", "origin", "-a")
    elif setup == "history":  # a history of its own, which once held the handbook
        tree = git(root, "rev-parse", "HEAD^{tree}").strip()
        first = git(root, "commit-tree", tree, "-m", "A copy of the handbook").strip()
        git(root, "update-ref", "refs/heads/target", first)
        git(root, "update-ref", "refs/heads/target", git(root, "commit-tree", git(root, "rev-parse", f"{orphan(root, 'x')}^{{tree}}").strip(),
                                                          "-p", first, "-m", "Only a README").strip())
    else:  # the current branch's upstream
        git(root, "push", "-q", "origin", f"{orphan(root, 'target')}:refs/heads/target")
        git(root, "fetch", "-q", "origin")
        git(root, "switch", "-q", "-c", "feature")
        git(root, "branch", "-q", "--set-upstream-to", "origin/target")
    before = refs(root)
    result = run("deploy", "--branch", "target", "--no-push")
    assert result.code == 1
    assert result.err == f"'target' holds your handbook's sources ({reason}) {SOURCES}"
    assert refs(root) == before


def test_overwrite_source_branch_puts_the_site_there(repos, run):
    root, bare = repos
    git(root, "switch", "-q", "-c", "feature")
    main = git(root, "rev-parse", "main").strip()
    before = state(root)
    result = run("deploy", "--branch", "main", "--overwrite-source-branch")
    assert result.code == 0, result.err
    after = state(root)
    assert after.pop("main") != before.pop("main")
    assert after == before  # the working tree, index and current branch as they were
    assert git(bare, "rev-parse", "main^").strip() == main  # one commit on top: the sources stay in its history
    assert tree_files(bare, "main") == site_files(root / "_site")


def test_a_branch_unrelated_to_the_sources_is_fine(repos, run):
    root, bare = repos
    orphan(root, "pages")
    result = run("deploy", "--branch", "pages", "--no-push")
    assert result.code == 0, result.err
    assert git(root, "rev-parse", "pages^").strip() == git(root, "rev-parse", "refs/heads/pages@{1}").strip()
