"""What a build holds at once stays below what it makes: the largest process of a 100,000-record
build must stay under 1 GB (docs/performance.md, "Memory"), so the stages that make the
largest files make them as they write them."""

from __future__ import annotations

import os
import sys
import tracemalloc
from pathlib import Path

from govsite.cachefiles import read_checked
from govsite.check.html import facts_of
from govsite.engine import snapshot
from govsite.engine.snapshot import SNAPSHOT, Snapshot
from govsite.htmltree import parse_page


def _snapshot_of(extra: dict[str, bytes]) -> Snapshot:
    return Snapshot(
        key="k",
        state={},
        facts={},
        front=(),
        later=(),
        after=(),
        extra=extra,
        health=None,
        key_lines={},
        copies=(),
        sources={},
        files={},
    )


def test_the_snapshot_is_written_as_it_is_pickled_never_held_whole(tmp_path: Path) -> None:
    # 8 MB of distinct values: saved through a buffer, the pickle and the file's bytes
    # (its digest joined in front) were each as large, at once.
    kept = _snapshot_of({f"page-{n}.html": os.urandom(32 * 1024) for n in range(256)})
    tracemalloc.start()
    try:
        snapshot.save(tmp_path, kept)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    size = (tmp_path / SNAPSHOT).stat().st_size
    assert size > 8 * 1024 * 1024
    assert peak < size / 4
    assert snapshot.load(tmp_path, "k") == kept  # and its digest is right
    assert read_checked(tmp_path / SNAPSHOT) is not None


def test_the_facts_kept_of_every_page_hold_where_its_links_lead_without_hash_tables() -> None:
    # A record page links to some 40 pages (navigation, neighbours, related records); the
    # build keeps every page's facts, so a set per page was 2 KB more per page.
    links = "".join(f'<a href="../r-{n:03d}/#part">{n}</a>' for n in range(40))
    page = parse_page(f"<html><head><title>t</title></head><body>{links}</body></html>".encode())

    facts = facts_of("records/x/index.html", page)

    assert len(facts.reaches) == len(facts.targets) == len(facts.anchors) == 40
    assert "records/r-007/index.html" in facts.reaches
    assert ("records/r-007/index.html", "part") in facts.anchors
    each = [
        sys.getsizeof(facts.reaches),
        sys.getsizeof(facts.targets),
        sys.getsizeof(facts.anchors),
    ]
    assert max(each) < 40 * 8 + 100  # a pointer per path: no table of a set's slots
