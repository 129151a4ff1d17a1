"""Faults: builds killed at random moments, two builds at once, a full disk, a read-only folder.
Whatever happens, the output folder holds the old site or the new one, complete."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": str(REPO)}
KILLS = int(os.environ.get("MENTORSITE_KILLS", "24"))


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def mentorsite(root: Path, *args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mentorsite", *args], cwd=root, env=ENV, capture_output=True, text=True, **kw)


def test_a_killed_build_leaves_the_old_site_or_the_new_one(tmp_path):
    root = tmp_path / "handbook"
    generate(root, 150)
    guide = next((root / "content/guides").rglob("guide-00007.md"))
    original = guide.read_text()
    versions = {}
    for name, text in (("a", original), ("b", original.replace("## Section 1", "## Section one, renamed"))):
        guide.write_text(text)
        assert mentorsite(root, "build", "--no-cache", "--output", f"_expected_{name}").returncode == 0
        versions[name] = tree(root / f"_expected_{name}")
    assert versions["a"] != versions["b"]
    guide.write_text(original)
    assert mentorsite(root, "build", "--no-cache").returncode == 0
    start = time.perf_counter()
    guide.write_text(original.replace("## Section 1", "## Section one, renamed"))
    assert mentorsite(root, "build", "--no-cache").returncode == 0
    duration = time.perf_counter() - start
    rng = random.Random(20271)
    outcomes = {"a": 0, "b": 0}
    for i in range(KILLS + 12):
        if i >= KILLS and outcomes["a"] and outcomes["b"]:
            break  # a loaded machine may need a few longer waits to see kills after the swap too
        target = "a" if i % 2 == 0 else "b"
        guide.write_text(original if target == "a" else original.replace("## Section 1", "## Section one, renamed"))
        proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "build", "--no-cache"], cwd=root, env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, duration * 1.1) if i < KILLS else duration * (1 + i - KILLS))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        site = tree(root / "_site")
        matches = [name for name, expected in versions.items() if site == expected]
        assert matches, f"kill {i}: the site is neither the old one nor the new one"
        outcomes[matches[0]] += 1
        # the next build cleans up after the killed one and finishes the job
    guide.write_text(original)
    assert mentorsite(root, "build").returncode == 0
    assert tree(root / "_site") == versions["a"]
    assert [p.name for p in root.iterdir() if p.name.startswith("._site")] == []
    assert outcomes["a"] and outcomes["b"], outcomes  # some kills came before the swap, some after


def test_two_builds_at_once_are_serialised(tmp_path):
    from mentorsite.state import build_lock

    root = tmp_path / "handbook"
    generate(root, 20)
    proc = None
    with build_lock(root, root / "_site"):
        proc = subprocess.Popen([sys.executable, "-m", "mentorsite", "build"], cwd=root, env=ENV,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(1.5)
        assert proc.poll() is None  # waiting for the lock
        assert not (root / "_site").exists()
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert "another build is writing _site/; waiting for it to finish..." in err
    assert (root / "_site/index.html").is_file()


def _mount_tmpfs(folder: Path, size: str) -> bool:
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        return False
    return subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True).returncode == 0


def _need_mount(ok: bool) -> None:
    if not ok:
        if os.environ.get("CI"):
            pytest.fail("cannot mount a tmpfs (CI runs as root and must)")
        pytest.skip("mounting a tmpfs needs root")


@pytest.mark.parametrize("fault", ["full disk", "read-only"])
def test_a_failed_write_keeps_the_previous_site(tmp_path, fault):
    disk = tmp_path / "disk"
    _need_mount(_mount_tmpfs(disk, "1m"))
    try:
        root = tmp_path / "project"
        shutil.copytree(REPO / "tests/fixtures/sites/relative", root)
        out = str(disk / "_site")
        assert mentorsite(root, "build", "--output", out).returncode == 0
        before = tree(disk / "_site")
        if fault == "full disk":
            for i in range(2):  # (more than the 1 MB disk, each under a guide's limit)
                (root / f"content/guides/big-{i}.md").write_text("---\ntitle: Big\n---\n\n" + ("Lots of words. " * 45_000))
        else:
            (root / "content/guides/only.md").write_text("# Changed\n")
            assert subprocess.run(["mount", "-o", "remount,ro", str(disk)]).returncode == 0
        result = mentorsite(root, "build", "--no-cache", "--output", out)
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        message = result.stderr.splitlines()[0]
        assert message.startswith("cannot write the site to ")
        expected = "No space left on device" if fault == "full disk" else "Read-only file system"
        assert expected in message
        assert message.endswith("free some disk space or make the folder writable; the previous site was kept")
        assert tree(disk / "_site") == before
    finally:
        subprocess.run(["umount", "-l", str(disk)])


# A build killed at each step of its end: the swap of the site, each file replaced or removed,
# and the save of the build state. Whatever the step, the next build (with its cache) makes the
# same site as a build from nothing: no page, search entry or print part is left stale.
_KILL_AT = """
import os, shutil, signal, sys
from mentorsite import write
from mentorsite.commands.cli import main

stop, calls = int(sys.argv[1]), [0]
started = [False]

def counted(fn):
    def call(*args, **kwargs):
        out = fn(*args, **kwargs)
        if started[0]:
            calls[0] += 1
            if calls[0] == stop:
                os.kill(os.getpid(), signal.SIGKILL)
        return out
    return call

for name in ("replace", "rename", "unlink", "link"):
    setattr(os, name, counted(getattr(os, name)))
shutil.rmtree = counted(shutil.rmtree)
real_write = write.write

def writing(*args, **kwargs):
    started[0] = True  # from here on: the site's files, the swap, the state
    return real_write(*args, **kwargs)

write.write = writing
import mentorsite.build
mentorsite.build.write = writing
code = main(["build", "--jobs", "1"])
print("calls", calls[0])
sys.exit(code)
"""


def test_a_build_killed_at_any_step_after_it_starts_writing_leaves_nothing_stale(tmp_path):
    root = tmp_path / "handbook"
    generate(root, 12)
    guide = next((root / "content/guides").rglob("guide-00003.md"))
    original = guide.read_text()
    edited = original.replace("## Section 1", "## Section one, renamed") + "\nA word only this edit has: zanzibar.\n"
    script = tmp_path / "kill_at.py"
    script.write_text(_KILL_AT)

    def killed_at(step: int) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(script), str(step)], cwd=root, env=ENV, capture_output=True, text=True)

    def expected() -> dict[str, bytes]:
        shutil.rmtree(root / "_expected", ignore_errors=True)
        assert mentorsite(root, "build", "--no-cache", "--output", "_expected").returncode == 0
        return tree(root / "_expected")

    assert mentorsite(root, "build").returncode == 0
    guide.write_text(edited)
    assert mentorsite(root, "build").returncode == 0  # (the second build keeps the site before it: the spare)
    guide.write_text(original)
    counted = killed_at(0)  # (never killed: counts the steps, in the state the builds below start from)
    assert counted.returncode == 0, counted.stderr
    steps = int(counted.stdout.split("calls ")[-1])
    assert steps >= 3, counted.stdout
    kills = 0
    for step in range(1, steps + 1):
        text, other = (edited, original) if step % 2 else (original, edited)  # (the edit, or its undoing)
        guide.write_text(other)
        assert mentorsite(root, "build").returncode == 0
        guide.write_text(text)
        proc = killed_at(step)
        assert proc.returncode in (-signal.SIGKILL, 0), f"step {step}: {proc.returncode} {proc.stderr}"
        kills += proc.returncode == -signal.SIGKILL  # (0: this build had fewer steps, and ended)
        guide.write_text(other)  # the edit undone: the site must be the one before it again
        result = mentorsite(root, "build")
        assert result.returncode == 0, result.stderr
        want = expected()
        got = tree(root / "_site")
        stale = sorted(name for name in want.keys() | got.keys() if want.get(name) != got.get(name))
        assert not stale, f"killed at step {step} of {steps}: stale after the next build: {stale[:5]}"
    assert kills >= steps - 2
