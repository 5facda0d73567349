"""The preview's engine: after any sequence of edits, picked up by the real file watcher, the
build folder equals a clean build byte for byte; an edit renders only what it affects."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

import jinja2
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from govsite import manifest, pipeline
from govsite.check import gate, health
from govsite.config import CACHE_DIR, load_project
from govsite.engine import graph
from govsite.engine.live import Change, LiveSite
from govsite.engine.machine import MACHINE_BLIND, make_machine_files
from govsite.errors import BuildFailed, Report
from govsite.manifest import SIGNATURE_PATH
from govsite.model import Body
from govsite.outputs.opendata import record_file
from govsite.plan import (
    OWN_PAGE_FIELDS,
    PLANNED_PAGE_FIELDS,
    PLANNED_RECORD_FIELDS,
    Listing,
    PlannedPage,
    plan_document_page,
    plan_site,
)
from govsite.serve import PreviewState, start_preview
from tests import test_incremental as edits
from tests.conftest import REPO, copy_of_the_demo, tree_bytes

LAGGING = ("search-index/", "_health/", ".well-known/")
"""The search index catches up in the background; the health report measures against today;
the manifest of published files is the first build's (a preview is not a deployed copy)."""
EDITS = 13
SEED = 13


@pytest.fixture
def demo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the demo site's sources (built without the search index: it may lag)."""
    monkeypatch.setattr(pipeline, "index_site", lambda *arguments: None)
    return copy_of_the_demo(tmp_path / "site")


def assert_same_as_clean(root: Path, clean: Path, step: str) -> None:
    shutil.rmtree(clean, ignore_errors=True)
    pipeline.build(load_project(root, clean), cache_dir=None)
    served = {p: c for p, c in tree_bytes(root / "build").items() if not p.startswith(LAGGING)}
    expected = {p: c for p, c in tree_bytes(clean).items() if not p.startswith(LAGGING)}
    assert sorted(served) == sorted(expected), step
    assert [p for p in expected if served[p] != expected[p]] == [], step


# -- edits beyond those of the build cache's test -------------------------------------------------


def change_category(root: Path, rng: random.Random, n: int) -> str:
    candidates = [
        p for p in edits.records(root) if "category: interpretations" not in p.read_text()
    ]
    path = rng.choice(candidates)
    category = rng.choice(["policies/departments", "budgets/budgets", "policies/government-office"])
    text = re.sub(r"^category: .*$", f"category: {category}", path.read_text(), count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")
    return f"move {path.name} to {category}"


def add_agency(root: Path, rng: random.Random, n: int) -> str:
    path = rng.choice([p for p in edits.records(root) if "agency: [" not in p.read_text()])
    text = re.sub(
        r"^agency: (.*)$", r"agency: [\g<1>, finance]", path.read_text(), count=1, flags=re.M
    )
    path.write_text(text, encoding="utf-8")
    return f"add an agency to {path.name}"


def change_catalogue(root: Path, rng: random.Random, n: int) -> str:
    path = root / "content" / "catalogues" / "categories.yaml"
    text = path.read_text(encoding="utf-8").replace("title: 部门文件", f"title: 部门文件{n}", 1)
    path.write_text(text, encoding="utf-8")
    return "retitle a category in the catalogue"


Operation = Callable[[Path, random.Random, int], str]
EVERY_KIND: list[Operation] = [
    edits.edit_body,
    edits.edit_title,
    change_category,
    edits.change_validity,
    add_agency,
    edits.add_record,
    edits.delete_record,
    edits.rename_record,
    change_catalogue,
    edits.change_template,
    edits.change_label,
    edits.change_site_title,
    edits.edit_page,
]


# -- the proof -------------------------------------------------------------------------------------


@pytest.fixture
def preview(demo: Path) -> Iterator[tuple[PreviewState, list[str]]]:
    """The preview's engine on the demo copy, driven by the real file watcher (no HTTP server)."""
    log: list[str] = []
    state, observer = start_preview(demo, log.append, search=False, language="zh")
    try:
        yield state, log
    finally:
        observer.stop()
        observer.join()


def wait_for_update(state: PreviewState, seen: int) -> None:
    """Until the watcher saw the edit, the update ran, and no other follows it."""
    assert state.wait_for_change((seen, state.counters()[1]), 30)[0] > seen, "no update came"
    quiet = time.monotonic()
    while time.monotonic() - quiet < 0.3:
        counters = state.counters()
        if state.wait_for_change(counters, 0.1) != counters or state.updating:
            quiet = time.monotonic()


def restore(root: Path, files: dict[Path, bytes]) -> None:
    """Undo an edit, rewriting only what it changed (a rewritten template would reload all)."""
    for path in set(edits.sources(root)) - set(files):
        path.unlink()
    for path, content in files.items():
        if not path.is_file() or path.read_bytes() != content:
            path.write_bytes(content)


def test_serve_edits_equal_a_clean_build(
    demo: Path, preview: tuple[PreviewState, list[str]], tmp_path: Path
) -> None:
    state, log = preview
    rng = random.Random(SEED)
    # Every kind of edit once, in a seeded order, then seeded picks: a failure names its steps.
    plan = rng.sample(EVERY_KIND, len(EVERY_KIND))
    plan += [rng.choice(EVERY_KIND) for _ in range(EDITS - len(plan))]
    done: list[str] = []
    for n, operation in enumerate(plan):
        before = edits.sources(demo)
        seen = state.counters()[0]
        done.append(operation(demo, rng, n))
        if edits.sources(demo) == before:
            done[-1] += " (no change)"
            continue
        wait_for_update(state, seen)
        if state.failure is not None:
            # The edit made the site invalid (a link to a renamed record, say): undo it.
            done[-1] += " (failed, undone)"
            seen = state.counters()[0]
            restore(demo, before)
            wait_for_update(state, seen)
        assert state.failure is None and state.crash is None, log
        assert_same_as_clean(demo, tmp_path / "clean", "; ".join(done))
    assert sum("failed" in step for step in done) < len(done) // 3, done
    # The lines are in the language asked for, as an editor reads them.
    assert any("只重新组装改动的文件" in line for line in log), log
    assert any("重新安排涉及的列表" in line for line in log), log


# -- what an edit renders --------------------------------------------------------------------------


@pytest.fixture
def live(demo: Path) -> LiveSite:
    site = LiveSite(demo, language="en")
    site.load()
    return site


def first_record(root: Path) -> Path:
    return edits.records(root)[0]


def test_the_preview_speaks_the_sites_language_unless_told(demo: Path) -> None:
    assert LiveSite(demo).load().startswith("已生成 ")  # the demo is a zh-CN site
    assert LiveSite(demo, language="en").load().startswith("Built ")


def test_the_lines_after_an_edit_are_in_the_sites_language(demo: Path) -> None:
    """An editor reading Chinese reads the update's lines in Chinese too."""
    live = LiveSite(demo)
    live.load()
    path = first_record(demo)
    retitle(path, "（中文）")
    written: list[str] = []
    summary = live.update([Change(path)], written.append)
    assert summary is not None and summary.startswith("已更新，用时 "), summary
    assert "只重新组装改动的文件" in summary and "Updated" not in summary, summary
    assert len(written) == 1 and written[0].startswith("已写入，用时 "), written


def test_a_body_edit_renders_and_writes_only_its_page(live: LiveSite, demo: Path) -> None:
    path = first_record(demo)
    with path.open("a", encoding="utf-8") as file:
        file.write("\n补充的一段正文。\n")
    catalogue = demo / "build" / "data" / "catalogue.json"
    untouched = catalogue.stat().st_mtime_ns
    summary = live.update([Change(path)])
    assert summary is not None and "1 pages rendered, 1 files written" in summary, summary
    assert "edited documents reassembled" in summary
    assert catalogue.stat().st_mtime_ns == untouched  # the open data shows no body


def test_a_title_edit_renders_the_pages_that_show_the_title(live: LiveSite, demo: Path) -> None:
    path = first_record(demo)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: (.*)$", r"title: \g<1>（修订）", text, count=1, flags=re.M))
    assert live.state is not None
    index_no = edits.INDEX_NO.search(text)
    assert index_no is not None
    readers = live.state.graph.readers(
        graph.ModelChanges({index_no.group(1): frozenset({"title"})}, {}, frozenset())
    )
    summary = live.update([Change(path)])
    assert summary is not None
    rendered = int(re.search(r"(\d+) pages rendered", summary)[1])  # type: ignore[index]
    assert 1 < rendered <= len(readers) + 1, summary  # + its own page, planned anew
    assert rendered < len(live.state.pages) // 4, summary


def retitle(path: Path, mark: str) -> str:
    """Add `mark` to the record's title; its index number."""
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^title: (.*)$", rf"title: \g<1>{mark}", text, count=1, flags=re.M))
    number = edits.INDEX_NO.search(text)
    assert number is not None
    return number.group(1)


def listing_showing(live: LiveSite, index_no: str) -> Path:
    assert live.state is not None
    record = live.state.site.record(index_no)
    listing = next(p for p in live.state.pages if p.listing and record in p.listing.records)
    return live.state.out_dir / listing.output_path


def test_the_edited_records_own_page_is_written_before_its_listings(
    live: LiveSite, demo: Path
) -> None:
    """What an editor waits for comes first: when `say` is told, the record's page shows
    the new title and its listings do not yet; once the update returns, they do."""
    path = first_record(demo)
    index_no = retitle(path, "（先写）")
    own, listing = demo / "build" / live_url(live, path), listing_showing(live, index_no)
    seen: list[tuple[str, bool, bool]] = []

    def say(line: str) -> None:
        seen.append((line, "（先写）" in own.read_text(), "（先写）" in listing.read_text()))

    summary = live.update([Change(path)], say)
    assert summary is not None and summary.startswith("Updated"), summary
    assert len(seen) == 1, seen
    line, mine, theirs = seen[0]
    assert line.startswith("Written in ") and live_url(live, path) in line, line
    assert mine and not theirs
    assert "（先写）" in listing.read_text()


def test_a_failure_after_the_own_page_puts_it_back(demo: Path, tmp_path: Path) -> None:
    """The own page is written before the listings render; if one of them fails, the page
    is as it was, the state too, and the next good edit brings everything up to date."""
    table = REPO / "themes" / "default" / "templates" / "partials" / "record_table.html"
    override = demo / "templates" / "partials" / "record_table.html"
    override.parent.mkdir(parents=True)
    override.write_text(
        '{% for r in listing.records if "【坏】" in r.title %}{{ no_such_macro() }}{% endfor %}'
        + table.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    live = LiveSite(demo)
    live.load()
    path = first_record(demo)
    own = demo / "build" / live_url(live, path)
    before, state = own.read_bytes(), live.state
    written: list[bool] = []
    retitle(path, "【坏】")
    with pytest.raises(BuildFailed):
        live.update([Change(path)], lambda line: written.append("【坏】" in own.read_text()))
    assert written == [True]  # it was written first, then put back
    assert own.read_bytes() == before and live.state is state
    path.write_text(path.read_text(encoding="utf-8").replace("【坏】", "（好）"), encoding="utf-8")
    assert live.update([Change(path)]) is not None
    assert_same_as_clean(demo, tmp_path / "clean", "a failed title edit, then a good one")


def test_the_kept_plan_data_is_what_the_plan_says_after_moves(live: LiveSite, demo: Path) -> None:
    """The edges, identities and numbers the engine updates per record moved (not made
    again from every page) are what they would be made from the whole plan."""
    rng = random.Random(SEED)
    summaries = []
    for n, operation in enumerate((change_category,) * 4 + (edits.add_record,) * 2):
        before = edits.sources(demo)
        operation(demo, rng, n)
        after = edits.sources(demo)
        summaries.append(live.update([Change(p) for p in after if before.get(p) != after[p]]))
        state = live.state
        assert state is not None
        assert state.uses == graph.plan_uses(state.pages)
        assert state.identities == {p.output_path: graph.identity(p) for p in state.pages}
        assert state.numbers == {p.output_path: n for n, p in enumerate(state.pages)}
    assert sum("listings planned again" in str(s) for s in summaries) >= 3, summaries


def test_a_new_record_is_assembled_alone_and_equals_a_clean_build(
    live: LiveSite, demo: Path, tmp_path: Path
) -> None:
    """A record that names no other is added to the kept site (no whole assemble) and
    planned into its listings only; one that interprets another is assembled with all."""
    plain = [
        p
        for p in edits.records(demo)
        if not re.search(r"^(interprets|superseded_by):", p.read_text(), re.M)
    ]
    linked = [p for p in edits.records(demo) if re.search(r"^interprets:", p.read_text(), re.M)]
    for source, how in (
        (plain[0], "edited documents reassembled, listings planned again"),
        (linked[0], "whole site assembled"),
    ):
        text = source.read_text(encoding="utf-8")
        number = edits.INDEX_NO.search(text)
        assert number is not None
        prefix = number.group(1).rsplit("-", 1)[0]
        text = edits.INDEX_NO.sub(f'index_no: "{prefix}-{99000 + len(how)}"', text, count=1)
        target = source.with_name(f"new-{len(how)}.md")
        target.write_text(text, encoding="utf-8")
        summary = live.update([Change(target)])
        assert summary is not None and how in summary, summary
        assert_same_as_clean(demo, tmp_path / "clean", f"add a copy of {source.name}")


def test_a_failed_update_is_tried_again_with_the_next_change(live: LiveSite, demo: Path) -> None:
    broken, other = edits.records(demo)[:2]
    broken.write_text(broken.read_text().replace("title:", "titel:", 1), encoding="utf-8")
    with pytest.raises(BuildFailed):
        live.update([Change(broken)])
    with other.open("a", encoding="utf-8") as file:
        file.write("\n另一处修改。\n")
    with pytest.raises(BuildFailed):  # the broken document is read again with the other
        live.update([Change(other)])
    broken.write_text(broken.read_text().replace("titel:", "title:", 1), encoding="utf-8")
    assert live.update([Change(broken)]) is not None
    page = demo / "build" / live_url(live, other)
    assert "另一处修改。" in page.read_text(encoding="utf-8")


def live_url(live: LiveSite, path: Path) -> str:
    assert live.state is not None
    relative = str(PurePosixPath(path.relative_to(live.state.project.content_dir).as_posix()))
    record = next(r for r in live.state.site.records if str(r.source.path).endswith(relative))
    return record.url + "index.html"


def test_paths_no_build_reads_change_nothing(live: LiveSite, demo: Path) -> None:
    (demo / "content" / ".notes.md.swp").write_text("x", encoding="utf-8")
    (demo / "README.txt").write_text("x", encoding="utf-8")
    gone = demo / "content" / "4913"  # an editor's test that it may write, already removed
    assert (
        live.update(
            [Change(demo / "content/.notes.md.swp"), Change(demo / "README.txt"), Change(gone)]
        )
        is None
    )


# -- the graph and the machine-readable files ------------------------------------------------------


def test_a_page_identity_names_every_field_the_planner_sets() -> None:
    # identity() lists the fields by hand, so that it stays cheap: a new field must join it.
    planned = [f.name for f in dataclasses.fields(PlannedPage)]
    assert planned == [
        "url", "template", "title", "breadcrumbs", "source", "description",
        "record", "document", "listing", "directory",
    ]  # fmt: skip
    listing = [f.name for f in dataclasses.fields(Listing)]
    assert listing == [
        "kind", "title", "description", "records", "first_number", "total",
        "pagination", "subsections",
    ]  # fmt: skip


def test_machine_readable_files_show_no_blind_field(live: LiveSite) -> None:
    state = live.state
    assert state is not None
    site = state.site
    changed = [
        dataclasses.replace(
            r,
            body=Body(html="<p>另一段</p>", headings=(), show_toc=False),
            source=dataclasses.replace(r.source, line=99),
            check_ignore=("GC999",),
            validity_note="说明",
        )
        for r in site.records
    ]
    assert {"body", "source", "check_ignore", "validity_note"} == MACHINE_BLIND
    other = dataclasses.replace(
        site, records=tuple(changed), records_by_index_no={r.index_no: r for r in changed}
    )
    labels, sources = state.sources.theme.labels, state.sources.sources
    _, before = make_machine_files(site, state.pages, labels, sources)
    _, after = make_machine_files(other, state.pages, labels, sources)
    assert sorted((f.path, f.content) for f in before) == sorted((f.path, f.content) for f in after)


def test_a_kept_plan_keeps_the_sitemap_unless_a_day_of_change_moved(live: LiveSite) -> None:
    state = live.state
    assert state is not None
    site, record = state.site, state.site.records[0]
    labels, sources = state.sources.theme.labels, state.sources.sources
    for edited, kept in (
        (dataclasses.replace(record, title=record.title + "（修订）"), True),
        (dataclasses.replace(record, updated=date(2099, 1, 1)), False),
    ):
        records = tuple(edited if r is record else r for r in site.records)
        other = dataclasses.replace(
            site, records=records, records_by_index_no={r.index_no: r for r in records}
        )
        machine, _ = make_machine_files(
            other, state.pages, labels, sources, state.machine, plan_kept=True
        )
        fresh, _ = make_machine_files(other, state.pages, labels, sources)
        assert (machine.sitemap_files is state.machine.sitemap_files) is kept, edited
        assert machine.sitemap == fresh.sitemap
        assert machine.sitemap_files == fresh.sitemap_files


def test_machine_files_of_touched_records_are_the_only_ones_made_again(live: LiveSite) -> None:
    """With the records an edit touched, only their files (and the catalogue, feeds…) are
    handed back, and the kept parts describe what a making from nothing does."""
    state = live.state
    assert state is not None
    site, record = state.site, state.site.records[3]
    edited = dataclasses.replace(record, title=record.title + "（修订）")
    records = tuple(edited if r is record else r for r in site.records)
    other = dataclasses.replace(
        site, records=records, records_by_index_no={r.index_no: r for r in records}
    )
    labels, sources = state.sources.theme.labels, state.sources.sources
    touched = graph.Touched(frozenset({record.index_no}), reordered=False)
    machine, files = make_machine_files(
        other, state.pages, labels, sources, state.machine, plan_kept=True, touched=touched
    )
    fresh, every = make_machine_files(other, state.pages, labels, sources)
    made = [f.path for f in files if f.path.startswith("data/records/")]
    assert made == [record_file(record.index_no)]
    assert machine.paths == fresh.paths and machine.others == fresh.others
    assert machine.days == fresh.days and machine.sitemap == fresh.sitemap
    contents = {f.path: f.content for f in every}
    assert all(contents[f.path] == f.content for f in files)


# -- search in the background ----------------------------------------------------------------------


def test_the_search_index_is_behind_until_the_background_run_ends(tmp_path: Path) -> None:
    from govsite.engine.searchsync import SearchJob, SearchRefresher

    release = threading.Event()
    runs: list[frozenset[str]] = []
    changes: list[bool] = []

    def index(job: SearchJob, report: object) -> None:
        runs.append(job.changed)
        release.wait(10)

    refresher = SearchRefresher(lambda: changes.append(refresher.behind), lambda line: None, index)
    project = load_project(REPO, tmp_path / "out")
    refresher.request(project, lambda: {"a/index.html": "1"}, ["a/index.html"])
    wait_until(lambda: bool(runs))
    refresher.request(project, lambda: {"a/index.html": "2"}, ["b/index.html"])
    assert refresher.behind
    release.set()
    wait_until(lambda: not refresher.behind)
    assert runs == [frozenset({"a/index.html"}), frozenset({"b/index.html"})]
    assert changes[0] is True and changes[-1] is False


def wait_until(check: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 10
    while not check():
        assert time.monotonic() < deadline, "never happened"
        time.sleep(0.01)


def test_the_plan_reads_no_field_but_the_planned_ones(live: LiveSite) -> None:
    """Changing every other field of every record and plain page plans the same pages."""
    state = live.state
    assert state is not None
    site = state.site
    body = Body(html="<p>别的</p>", headings=(), show_toc=False)
    unplanned = {
        "doc_no": "另一个文号",
        "genre": "别的体裁",
        "written": site.records[-1].published,
        "effective": None,
        "expires": None,
        "updated": site.records[0].published,
        "keywords": ("另一个",),
        "superseded_by": None,
        "interprets": (),
        "attachments": (),
        "body": body,
        "interpretations": (),
        "supersedes": (),
        "validity_note": "说明",
        "check_ignore": ("GC999",),
        "statistics": None,
        "annual_report": None,
        "kind": None,
    }
    fields = {f.name for f in dataclasses.fields(site.records[0])}
    assert fields == PLANNED_RECORD_FIELDS | unplanned.keys()  # a new field joins one or the other
    records = [dataclasses.replace(r, **unplanned) for r in site.records]  # type: ignore[arg-type]
    pages = [dataclasses.replace(p, body=body, nav_order=None) for p in site.pages]
    assert {f.name for f in dataclasses.fields(site.pages[0])} == PLANNED_PAGE_FIELDS | {
        "body", "nav_order", "check_ignore",
    }  # fmt: skip
    other = dataclasses.replace(
        site,
        records=tuple(records),
        pages=tuple(pages),
        records_by_index_no={r.index_no: r for r in records},
    )
    report = Report()
    labels = state.sources.theme.labels
    before = [graph.identity(p) for p in plan_site(site, labels, report)]
    after = [graph.identity(p) for p in plan_site(other, labels, report)]
    assert before == after


def test_a_title_or_summary_is_planned_into_its_own_page_only(live: LiveSite) -> None:
    state = live.state
    assert state is not None
    site = state.site
    retitled = [
        dataclasses.replace(r, title=r.title + "（改）", summary="新的概述") for r in site.records
    ]
    other = dataclasses.replace(
        site, records=tuple(retitled), records_by_index_no={r.index_no: r for r in retitled}
    )
    assert {"title", "summary"} == OWN_PAGE_FIELDS
    labels = state.sources.theme.labels
    before, after = plan_site(site, labels, Report()), plan_site(other, labels, Report())
    differing = [
        b.url for b, a in zip(before, after, strict=True) if graph.identity(b) != graph.identity(a)
    ]
    assert differing == [r.url for r in site.records]
    for record in retitled:  # and each is planned as the whole plan plans it
        planned = next(p for p in after if p.url == record.url)
        assert plan_document_page(other, labels, record) == planned


def test_the_graph_is_plain_data_of_what_each_page_read(live: LiveSite) -> None:
    state = live.state
    assert state is not None
    record = state.site.records[0]
    data = state.graph.as_data()["pages"]
    own = data[record.url + "index.html"]
    assert [record.index_no, ["*"]] in own["records"]  # its JSON-LD reads all of it
    listing = next(p for p in state.pages if p.listing is not None and record in p.listing.records)
    rows = dict((i, n) for i, n in data[listing.output_path]["records"])
    assert "title" in rows[record.index_no] and "body" not in rows[record.index_no]
    assert json.loads(json.dumps(data)) == data  # plain JSON data


# -- `govsite build` is the same engine ------------------------------------------------------------

FULL_BUILDS = {change_catalogue, edits.change_template, edits.change_label, edits.change_site_title}
"""Edits that build everything."""
DOCUMENT_EDITS = set(EVERY_KIND) - FULL_BUILDS - {edits.edit_page}
"""Edits `govsite build` applies with the engine's update, each rendering part of the site (a
plain page's title is in every page's navigation: its update renders every page)."""


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A copy of the demo site's sources (built with everything: search index, health report)."""
    return copy_of_the_demo(tmp_path / "site")


def build_with_cache(root: Path) -> pipeline.BuildResult:
    """On two processes, as the command line builds: an update indexes beside its check
    (parallel.started_beside); the clean build it is compared with runs on one."""
    return pipeline.build(load_project(root), cache_dir=root / CACHE_DIR, jobs=2)


def assert_every_file_as_clean(root: Path, clean: Path, step: str) -> None:
    """Every file of build/ (search index, health report and manifest too) as a clean build's."""
    shutil.rmtree(clean, ignore_errors=True)
    pipeline.build(load_project(root, clean), cache_dir=None)
    built, expected = tree_bytes(root / "build"), tree_bytes(clean)
    assert sorted(built) == sorted(expected), step
    assert [p for p in expected if built[p] != expected[p]] == [], step


def test_build_edits_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    rng = random.Random(SEED + 1)
    plan = rng.sample(EVERY_KIND, len(EVERY_KIND))
    plan += [rng.choice(EVERY_KIND) for _ in range(EDITS - len(plan))]
    build_with_cache(site)
    done: list[str] = []
    updates = 0
    for n, operation in enumerate(plan):
        before = edits.sources(site)
        done.append(operation(site, rng, n))
        try:
            result = build_with_cache(site)
        except BuildFailed:
            done[-1] += " (failed, undone)"
            restore(site, before)
            result = build_with_cache(site)
        else:
            if edits.sources(site) == before:
                done[-1] += " (no change)"
            elif operation in DOCUMENT_EDITS:
                assert result.pages_reused > 0, done[-1]  # the engine's update, not a full build
                updates += 1
            elif operation in FULL_BUILDS:
                assert result.pages_reused == 0, done[-1]
        assert_every_file_as_clean(site, tmp_path / "clean", "; ".join(done))
    assert updates >= len(DOCUMENT_EDITS) // 2, done


def test_an_update_compiles_no_template_the_last_build_compiled(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The templates Jinja compiled are kept in the build cache (render._KeptCompiled)."""
    build_with_cache(site)
    compiled: list[str | None] = []
    compile_template = jinja2.Environment.compile

    def noting(self: jinja2.Environment, source: str, name: str | None = None, *args: Any) -> Any:
        compiled.append(name)
        return compile_template(self, source, name, *args)

    monkeypatch.setattr(jinja2.Environment, "compile", noting)
    edits.edit_title(site, random.Random(SEED), 0)
    assert build_with_cache(site).pages_reused > 0  # the engine's update
    assert compiled == []
    shutil.rmtree(site / CACHE_DIR / "kept" / "templates")
    edits.edit_title(site, random.Random(SEED), 1)
    assert build_with_cache(site).pages_reused > 0
    assert "record.html" in compiled


@pytest.mark.parametrize("signed", [False, True])
def test_an_update_lists_its_files_without_walking_the_build_folder(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, signed: bool
) -> None:
    """The update's manifest comes from the last build's list of files and those the update
    wrote or removed, not from a walk reading every file's status; it is a clean build's."""
    if signed:
        key = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        monkeypatch.setenv("GOVSITE_TEST_SIGNING_KEY", key.decode())
        with (site / "govsite.yaml").open("a", encoding="utf-8") as config:
            config.write("\nsigning:\n  key_env: GOVSITE_TEST_SIGNING_KEY\n")
    build_with_cache(site)

    def walk(folder: Path) -> None:
        raise AssertionError(f"the update walked {folder}")

    rng = random.Random(SEED)
    for n, edit in enumerate((edits.edit_body, edits.add_record, edits.delete_record)):
        step = edit(site, rng, n)
        with monkeypatch.context() as walking:
            walking.setattr(manifest, "files_below", walk)
            result = build_with_cache(site)
        assert result.pages_reused > 0, step  # the engine's update
        assert_every_file_as_clean(site, tmp_path / "clean", step)
    assert (site / "build" / SIGNATURE_PATH).is_file() == signed


def test_a_signing_key_gone_fails_the_update_as_a_build_of_everything_fails(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The update signs the manifest with the key a build of everything would load, or fails."""
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    monkeypatch.setenv("GOVSITE_TEST_SIGNING_KEY", key.decode())
    with (site / "govsite.yaml").open("a", encoding="utf-8") as config:
        config.write("\nsigning:\n  key_env: GOVSITE_TEST_SIGNING_KEY\n")
    build_with_cache(site)
    assert (site / "build" / SIGNATURE_PATH).is_file()
    edits.edit_body(site, random.Random(1), 0)
    monkeypatch.delenv("GOVSITE_TEST_SIGNING_KEY")
    with pytest.raises(BuildFailed) as failed:
        build_with_cache(site)
    assert "GS113" in str(failed.value.diagnostics)


def test_the_health_report_is_made_again_only_when_what_it_shows_or_reads_changed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made: list[str] = []

    def render_health(*arguments: Any) -> health.RenderedHealth:
        made.append("report")
        return health.render_health(*arguments)

    monkeypatch.setattr(gate, "render_health", render_health)
    report = site / "build" / "_health" / "index.html"
    build_with_cache(site)
    assert made == ["report"]
    edits.edit_body(site, random.Random(1), 0)
    assert build_with_cache(site).pages_reused > 0
    assert made == ["report"]  # it shows and reads what it did: not made again
    before = report.read_bytes()
    guide = site / "content" / "pages" / "apply.md"  # its title is in every page's footer
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("title: ", "title: 新的", 1), encoding="utf-8"
    )
    build_with_cache(site)
    assert made == ["report", "report"]
    assert report.read_bytes() != before
    assert "新的" in report.read_text(encoding="utf-8")


def test_the_health_reports_findings_are_written_again_only_when_they_changed(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    written: list[int] = []
    findings_json = health.findings_json

    def counted(*arguments: Any) -> str:
        written.append(len(arguments[0]))
        return findings_json(*arguments)

    monkeypatch.setattr(health, "findings_json", counted)
    build_with_cache(site)
    guide = site / "content" / "pages" / "apply.md"  # its title is in every page's footer
    guide.write_text(
        guide.read_text(encoding="utf-8").replace("title: ", "title: 新的", 1), encoding="utf-8"
    )
    build_with_cache(site)  # the engine's update renders every page again (the footer)
    assert len(written) == 1  # the report was made again, its findings the last report's
    assert_every_file_as_clean(site, site.parent / "clean", "the report's page read changed")
    successor = site / "content/records/policies/2024/business-environment-measures.md"
    text = successor.read_text(encoding="utf-8")
    published = re.search(r"^published: .*$", text, flags=re.M)
    assert published is not None
    successor.write_text(text.replace(published[0], "published: 2999-01-01"), encoding="utf-8")
    written.clear()
    assert build_with_cache(site).pages_reused > 0
    assert len(written) == 1 and written[0] > 0  # a finding more (GC202): written again
    assert_every_file_as_clean(site, site.parent / "clean", "a finding more")


def test_a_record_an_edit_of_another_changes_is_checked_again(site: Path) -> None:
    # The 2021 measures name the 2024 ones as their successor. Held back (published after
    # today), the successor is not on the site, so the 2021 measures are repealed without a
    # reason on the site (GC202): a finding of a document the edit did not touch.
    build_with_cache(site)
    successor = site / "content/records/policies/2024/business-environment-measures.md"
    text = successor.read_text(encoding="utf-8")
    published = re.search(r"^published: .*$", text, flags=re.M)
    assert published is not None
    successor.write_text(text.replace(published[0], "published: 2999-01-01"), encoding="utf-8")
    assert build_with_cache(site).pages_reused > 0  # the engine's update
    report = json.loads((site / "build/_health/report.json").read_text(encoding="utf-8"))
    assert {"GC202"} <= {
        f["rule"]
        for f in report["findings"]
        if f["path"] == "content/records/policies/2021/business-environment-measures-2021.md"
    }
    assert_every_file_as_clean(site, site.parent / "clean", "successor held back")
