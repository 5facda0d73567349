"""Each rendered page is read back once: what the build cache keeps of it is what a fresh read finds."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from govsite import analyse, markup, memo, pipeline
from govsite.config import load_project
from govsite.errors import Report
from govsite.model import Body
from govsite.outputs import search
from govsite.result import BuildResult
from tests.conftest import tree_bytes
from tests.test_incremental import demo, edit_body, edit_title

__all__ = ["demo"]  # the fixture, shared with the incremental tests


def build(root: Path, progress: dict[str, int] | None = None) -> BuildResult:
    project = load_project(root)
    seen = progress if progress is not None else {}
    return pipeline.build(
        project,
        jobs=1,
        cache_dir=project.cache_dir,
        progress=lambda stage, done, total: seen.__setitem__(stage, total),
    )


def fresh_copies(root: Path) -> dict[str, bytes]:
    """The search copies of the site at `root`, made without any cache."""
    compiled = pipeline.compile_site(load_project(root), Report(), as_of=date.today())
    searchable = frozenset(
        p.output_path for p in compiled.pages if p.record is not None or p.document is not None
    )
    with memo.workspace(None) as space:
        analyse.analyse(compiled.outputs, searchable, space)
        return tree_bytes(space.copies)


@pytest.fixture
def shards_indexed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many pages each search shard indexed had (it still indexes them)."""
    indexed: list[int] = []
    real = search.shard_postings

    def counted(texts: Any) -> Any:
        found = list(texts)
        indexed.append(len(found))
        return real(found)

    monkeypatch.setattr(search, "shard_postings", counted)
    return indexed


@pytest.fixture
def pages_parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The facts of each page read (parsed), by path, in this process (`--jobs 1`)."""
    parsed: list[str] = []
    real = analyse.facts_of

    def counted(path: str, page: Any) -> Any:
        parsed.append(path)
        return real(path, page)

    monkeypatch.setattr(analyse, "facts_of", counted)
    return parsed


def test_unchanged_pages_are_not_read_again_and_the_search_shards_are_reused(
    demo: Path, shards_indexed: list[int], pages_parsed: list[str]
) -> None:
    first: dict[str, int] = {}
    build(demo, first)
    bundle = tree_bytes(demo / "build" / search.BUNDLE_DIR)
    shards = len(shards_indexed)
    # Each page is read as it is rendered, by the worker that staged it: none is read back.
    assert len(pages_parsed) > 150 and shards > 0
    assert len(set(pages_parsed)) == len(pages_parsed)
    assert "pages read back" not in first

    (demo / "govsite.yaml").touch()  # a full build, every page from the cache
    pages_parsed.clear()
    again: dict[str, int] = {}
    build(demo, again)
    assert pages_parsed == []
    assert "pages read back" not in again  # nothing to read: the stage did not even start
    assert len(shards_indexed) == shards
    assert tree_bytes(demo / "build" / search.BUNDLE_DIR) == bundle

    edit_body(demo, random.Random(3), 0)
    edited: dict[str, int] = {}
    build(demo, edited)
    assert len(pages_parsed) == 1 and "pages read back" not in edited
    assert len(shards_indexed) == shards + 1


def test_an_edit_indexes_its_own_shard_again_and_no_other(
    demo: Path, shards_indexed: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 10)
    build(demo)
    shards = len(shards_indexed)
    assert shards > 3 and max(shards_indexed) <= 10
    edit_body(demo, random.Random(4), 0)
    build(demo)
    assert len(shards_indexed) == shards + 1
    manifest = json.loads((demo / "build" / search.BUNDLE_DIR / "manifest.json").read_text())
    assert manifest["pages"] == len(fresh_copies(demo))


def test_kept_copies_equal_fresh_ones_after_edits(demo: Path) -> None:
    build(demo)
    rng = random.Random(5)
    for step in range(3):
        (edit_body if step % 2 else edit_title)(demo, rng, step)
        build(demo)
    kept = tree_bytes(demo / ".govsite-cache" / memo.KEPT_DIR / memo.SITE_DIR)
    assert kept == fresh_copies(demo)


def test_another_govsite_trusts_nothing_kept(
    demo: Path, monkeypatch: pytest.MonkeyPatch, shards_indexed: list[int]
) -> None:
    build(demo)
    shards = len(shards_indexed)
    monkeypatch.setattr(memo, "code_key", lambda: "another version")
    (demo / "govsite.yaml").touch()
    progress: dict[str, int] = {}
    build(demo, progress)
    assert progress["pages read back"] > 150 and len(shards_indexed) == 2 * shards


def test_a_body_renders_again_only_when_its_text_or_a_link_target_changes(
    demo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered: list[str] = []
    render = markup.MarkdownRenderer.render

    def counted(self: markup.MarkdownRenderer, text: str, **options: Any) -> Body:
        rendered.append(text)
        return render(self, text, **options)

    monkeypatch.setattr(markup.MarkdownRenderer, "render", counted)
    build(demo)
    assert len(rendered) > 40
    rendered.clear()
    (demo / "govsite.yaml").touch()
    build(demo)
    assert rendered == []

    moved = demo / "content/records/plans/2021/fourteenth-five-year-plan.md"
    text = moved.read_text(encoding="utf-8")
    moved.write_text(text.replace("---\n", "---\nslug: plan-outline\n", 1), encoding="utf-8")
    build(demo)
    assert len(rendered) == 2  # its own body (its URL changed), and the one body linking to it
    linking = demo / "build/records/plans/2023/fourteenth-plan-midterm-evaluation/index.html"
    assert 'href="../../2021/plan-outline/index.html"' in linking.read_text(encoding="utf-8")
