"""What a build holds at once stays below what it makes: the largest process of a 100,000-record
build must stay under 1 GB (docs/performance.md, "Memory"), so the stages that make the
largest files make them as they write them."""

from __future__ import annotations

import dataclasses
import gc
import os
import sys
import tracemalloc
from datetime import date
from pathlib import Path

from govsite import pipeline
from govsite.cachefiles import read_checked
from govsite.check.html import facts_of
from govsite.check.inspect import PerDocument
from govsite.config import load_project
from govsite.engine import snapshot
from govsite.engine.machine import make_machine_files
from govsite.engine.snapshot import SNAPSHOT, Snapshot
from govsite.errors import BuildFailed, Report
from govsite.htmltree import parse_page
from govsite.outputs.opendata import RECORDS_DIR, record_file
from tests.conftest import MakeSite


def _snapshot_of(extra: dict[str, bytes]) -> Snapshot:
    return Snapshot(
        key="k",
        state={"graph": None, "uses": None},
        facts={},
        front=(),
        later=(),
        after=(),
        extra=extra,
        health=None,
        per_document=PerDocument(),
        copies=(),
        sources={},
        files={},
    )


def peak_of_saving(cache_dir: Path, kept: Snapshot) -> int:
    """The most memory Python held while `kept` was saved."""
    tracemalloc.start()
    try:
        snapshot.save(cache_dir, kept)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_snapshot_is_written_as_it_is_pickled_never_held_whole(tmp_path: Path) -> None:
    # 8 MB of distinct values: saved through a buffer, the pickle and the file's bytes
    # (its digest joined in front) were each as large, at once.
    kept = _snapshot_of({f"page-{n}.html": os.urandom(32 * 1024) for n in range(256)})
    peak = peak_of_saving(tmp_path, kept)

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


def test_the_engine_keeps_the_records_open_data_lines_but_not_their_files(
    make_site: MakeSite,
) -> None:
    # The engine keeps its MachineFiles for as long as it runs, and pickles them into the
    # snapshot; each record's own JSON file is written once made and needed no more.
    project = load_project(make_site())
    report = Report()
    read = pipeline.read_sources(project, report)
    compiled = pipeline.compile_site(project, report, as_of=date(2026, 12, 1), read=read)

    machine, files = make_machine_files(
        compiled.site, compiled.pages, read.theme.labels, read.sources
    )

    made = {id(f.content) for f in files if f.path.startswith(RECORDS_DIR)}
    assert len(made) == len(compiled.site.records) > 1
    assert not made & _reachable(machine.exported)
    assert {record_file(n) for n in machine.exported} <= machine.paths


def _reachable(root: object) -> set[int]:
    return {id(value) for value in _values(root)}


def test_the_snapshot_s_independent_parts_are_pickled_each_with_a_memo_of_its_own(
    tmp_path: Path,
) -> None:
    # pickle's memo holds every object saved until the end, in a table that doubles as it
    # fills: the state, the facts and the build folder's files in one pickle were one
    # table of all their objects (at 100,000 records, about 24 million).
    def many(tag: str) -> dict[str, str]:
        return {f"{tag}{n}": f"{n}{tag}" for n in range(100_000)}

    kept = dataclasses.replace(
        _snapshot_of({}),
        state={"site": many("s"), "graph": many("g"), "uses": None},
        facts=many("f"),
        files=many("b"),
        sources=many("r"),
    )
    peak = peak_of_saving(tmp_path, kept)

    # Each part's table of 200,000 objects, with the one it doubled from: 12.6 MB; all
    # 1,000,000 objects in one table: about 50 MB.
    assert peak < 20_000_000
    assert snapshot.load(tmp_path, "k") == kept


def test_the_check_keeps_no_document_s_text_it_read(make_site: MakeSite) -> None:
    # Every finding located at a front-matter key reads its document's text; kept, those
    # texts were most of the content folder again for as long as the check ran.
    root = make_site()
    project = load_project(root)
    result = pipeline.check_site(project, date(2040, 1, 1))  # every record long unreviewed
    assert not isinstance(result, BuildFailed)
    looked_into = {f.location.path for f in result.findings if f.location.line}
    texts = {
        (root / path).read_text(encoding="utf-8") for path in looked_into if path.suffix == ".md"
    }
    assert texts  # the findings looked into documents

    kept = {id(v) for v in _values(result) if isinstance(v, str) and v in texts}

    assert not kept


def _values(root: object) -> list[object]:
    seen: set[int] = set()
    found = []
    stack = [root]
    while stack:
        value = stack.pop()
        if id(value) not in seen and not isinstance(value, type):
            seen.add(id(value))
            found.append(value)
            stack.extend(gc.get_referents(value))
    return found
