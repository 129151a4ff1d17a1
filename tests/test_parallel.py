"""Parallel builds (forked workers for parsing and rendering) equal a serial build, byte for byte."""

import sys

from mentorsite.build import build
from mentorsite.sources.config import load_config
from mentorsite.sources.parse import PARALLEL_GUIDES
from mentorsite.steps.pages import PARALLEL_PAGES
from tests.conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from generate import generate  # noqa: E402


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_parallel_equals_serial(tmp_path):
    root = tmp_path / "handbook"
    guides = max(PARALLEL_GUIDES, PARALLEL_PAGES) + 10  # (enough for workers to parse and render)
    generate(root, guides)
    guide = root / "content/guides/topic-01/guide-00001.md"
    guide.write_text(guide.read_text() + "\n::type peer\n\n::milestones template-1\n\n:::tip Careful\nText.\n:::\n")
    serial = build(load_config(root / "site.yml", output=str(root / "serial")), cache=False, jobs=1)
    parallel = build(load_config(root / "site.yml", output=str(root / "parallel")), cache=False, jobs=2)
    assert serial.rendered == parallel.rendered == serial.pages > guides
    a, b = tree(root / "serial"), tree(root / "parallel")
    assert sorted(a) == sorted(b)
    assert [rel for rel in a if a[rel] != b[rel]] == []
    page = (root / "parallel/guides/topic-01/guide-00001/index.html").read_text()
    assert "type-card" in page and "admonition-tip" in page and "/bench/guides/" in page


def test_parallel_build_reports_errors_located(tmp_path):
    root = tmp_path / "handbook"
    generate(root, PARALLEL_GUIDES + 10)  # (enough for workers to parse)
    bad = root / "content/guides/topic-02/guide-00002.md"
    bad.write_text(bad.read_text().replace("---\n\n", "---\n\n::type nope\n\n", 1))
    (root / "content/guides/topic-03/guide-00003.md").write_text("---\ntitle: [unclosed\n---\n")
    import pytest

    from mentorsite.errors import SiteErrors

    with pytest.raises(SiteErrors) as info:
        build(load_config(root / "site.yml"), cache=False, jobs=2)
    messages = [str(e) for e in info.value.errors]
    assert any(m.startswith("content/guides/topic-02/guide-00002.md:") and "unknown type 'nope'" in m for m in messages)
    assert not any("link target" in m for m in messages)  # links to a guide with errors are not errors too
    assert any(m.startswith("content/guides/topic-03/guide-00003.md:3:") and "invalid YAML" in m for m in messages)
