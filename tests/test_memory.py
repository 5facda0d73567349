"""What a build holds at once stays below what it makes: the largest process of a 100,000-record
build must stay under 1 GB (docs/performance.md, "Memory"), so the stages that make the
largest files make them as they write them."""

from __future__ import annotations

import os
import tracemalloc
from pathlib import Path

from govsite.cachefiles import read_checked
from govsite.engine import snapshot
from govsite.engine.snapshot import SNAPSHOT, Snapshot


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
