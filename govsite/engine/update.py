"""The update step: changed documents in, the pages that show them rewritten in the build folder.

    read and parse the changed files only
      → the new Site: `assemble.reassemble` when every edit stays inside its own document
        (same URL, kind, index number and supersession links), else a whole `assemble`
        (bodies of unchanged documents reused)
      → the plan: kept, with the edited documents' new versions swapped into the pages
        that show them, when no field the planner reads changed (a new title or summary
        plans the document's own page again); a record moved to other listings plans
        those it left and joined (plan.replan_moved); after a whole assemble, or where
        only that can tell, plan every page again (linear, no rendering)
      → pages to render = new or re-planned pages (graph.identity)
                        ∪ pages that read a changed field, record, plain page or site part
      → render the edited documents' own pages and write them first (what an editor
        waits for; `on_first` is told), then the other pages; machine-readable files only
        if something they show changed
      → write each other file that changed, atomically; remove the pages the site no
        longer has

An edit kept in place (reassembled) carries the set of records it touched (graph.Touched)
through every stage: the comparisons of the two versions of the site, the planner's
edits, the open data's rows and the sitemap's entries look at those records alone, so
an edit costs what it changes, not the size of the site. A whole assemble compares all.

Nothing else is written unless every stage succeeded: a problem raises BuildFailed and
leaves the state and the build folder as they were (the own pages written first are
put back). The search index and the health report are not touched here (live.py
refreshes search in the background).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import Any

from govsite.annualreport import attach_annual_reports
from govsite.assemble import assemble, document_url, reassemble
from govsite.discover import StaticFile, read_source
from govsite.document import ParsedDocument, RecordMeta, parse_document
from govsite.engine.graph import (
    PlanUses,
    Touched,
    changed_identities,
    identity,
    model_changes,
    plan_uses,
)
from govsite.engine.machine import machine_changed, make_machine_files
from govsite.engine.output import digest, remove_file, replace_file
from govsite.engine.state import SiteState
from govsite.errors import Diagnostic, Report
from govsite.kinds import kinds_of
from govsite.memo import Memo
from govsite.messages import Language, text
from govsite.model import Page, Record, Site
from govsite.plan import (
    OWN_PAGE_FIELDS,
    PLANNED_PAGE_FIELDS,
    PLANNED_RECORD_FIELDS,
    PlannedPage,
    Replanned,
    plan_document_page,
    plan_site,
    replan_moved,
)
from govsite.render import OutputFile, RenderedPage, RenderFailure, collect_rendered
from govsite.urls import output_file


@dataclass(frozen=True, slots=True)
class FirstWritten:
    """The changed documents' own pages are in the build folder; the rest of the update follows."""

    pages: tuple[str, ...]
    """Their paths in the build folder (rendered again)."""
    written: tuple[str, ...]
    """Those whose bytes changed (replaced or added)."""
    seconds: float
    """Since the update started."""

    def summary(self, language: Language = "en") -> str:
        pages = ", ".join(self.pages)
        return text("serve.written", seconds=f"{self.seconds:.2f}", pages=pages).render(language)


@dataclass(frozen=True, slots=True)
class Update:
    """What one update did."""

    rendered: int
    written: tuple[str, ...]
    """Paths (in the build folder) of the files replaced or added."""
    removed: tuple[str, ...]
    whole_assemble: bool
    planned: str
    """How the site was planned: "plan kept" (the edited documents' new versions swapped
    in, their own pages planned again), "listings planned again" (also the listings the
    moved records left and joined) or "planned again" (every page)."""
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    cpu_seconds: float
    """The CPU time of the update itself (its thread's): on a busy machine, what it cost."""
    read_diagnostics: int = 0
    """How many of `diagnostics` came from reading the changed documents (the first ones)."""
    reached: frozenset[str] = frozenset()
    """Pages in the graph the changes reached that the plan does not make (the check's)."""
    first_seconds: float | None = None
    """When the changed documents' own pages were written (FirstWritten), if any was rendered."""

    def summary(self, language: Language = "en") -> str:
        line = text(
            "serve.updated",
            seconds=f"{self.seconds:.2f}",
            cpu=f"{self.cpu_seconds:.2f}",
            rendered=self.rendered,
            written=len(self.written),
            removed=len(self.removed),
            assembled=text(
                "serve.assembled.whole" if self.whole_assemble else "serve.assembled.edited"
            ),
            planned=text(_PLANNED_SAID[self.planned]),
        )
        return line.render(language)


_PLANNED_SAID = {
    "plan kept": "serve.planned.kept",
    "listings planned again": "serve.planned.listings",
    "planned again": "serve.planned.all",
}
"""The message saying how an update planned the site (`Update.planned`)."""


def apply(
    state: SiteState,
    changed: Iterable[PurePosixPath],
    on_first: Callable[[FirstWritten], None] | None = None,
) -> tuple[SiteState, Update]:
    """The next state after the documents at `changed` (paths below content/) were edited,
    added or deleted, with the build folder brought up to date; BuildFailed changes nothing.

    The changed documents' own pages are rendered and written first (what an editor waits
    for), then `on_first` is told; the listings, feeds and data files follow. If a later
    stage fails, the own pages are put back as they were before BuildFailed is raised.
    """
    started, cpu = time.perf_counter(), time.thread_time()
    project = state.project
    report = Report(strict=False, suppressed=project.config.suppress_warnings)
    edits = _read_documents(state, changed, report)
    report.stop_if_errors()
    read_diagnostics = len(report.diagnostics)
    documents = dict(state.documents)
    for path, parsed in edits.items():
        if parsed is None:
            documents.pop(path, None)
        else:
            documents[path] = parsed
    if any(parsed is None or path not in state.documents for path, parsed in edits.items()):
        documents = {path: documents[path] for path in sorted(documents)}
    site, urls, bodies, touched = _assembled(state, edits, documents, report)
    report.stop_if_errors()
    plan = _planned(state, site, touched, report)
    report.stop_if_errors()

    changes = model_changes(state.site, site, state.graph, touched)
    wanted = plan.replanned | state.graph.readers(changes)
    own = {output_file(urls[path]) for path, parsed in edits.items() if parsed is not None}
    first = sorted(path for path in wanted & own if path in plan.numbers)
    rest = sorted(path for path in wanted - own if path in plan.numbers)
    written = dict(state.written)
    rendered = _render(state, site, [plan.pages[plan.numbers[path]] for path in first], report)
    # The editor's page goes first: written now, put back if anything after it fails.
    before = _kept_bytes(project.out_dir, rendered)
    replaced = _write_changed(state, (r.output for r in rendered.values()), written)
    try:
        first_seconds = time.perf_counter() - started
        if on_first is not None and first:
            on_first(FirstWritten(tuple(first), tuple(replaced), first_seconds))
        rendered |= _render(state, site, [plan.pages[plan.numbers[p]] for p in rest], report)
        machine = state.machine
        machine_files: tuple[OutputFile, ...] = ()
        if machine_changed(state.site, site, touched):
            machine, machine_files = make_machine_files(
                site,
                plan.pages,
                state.sources.theme.labels,
                state.sources.sources,
                state.machine,
                plan_kept=plan.how == "plan kept",
                touched=touched,
            )
    except BaseException:
        _put_back(project.out_dir, before)
        raise
    outputs = (*(rendered[path].output for path in rest if path in rendered), *machine_files)
    # Everything is made: only now does anything else change, on disk and in the model.
    replaced += _write_changed(state, outputs, written)
    gone = sorted(
        (state.numbers.keys() - plan.numbers.keys() if plan.numbers is not state.numbers else set())
        | (state.machine.paths - machine.paths if machine is not state.machine else set())
    )
    for path in gone:
        remove_file(project.out_dir, path)
        written.pop(path, None)
        state.graph.remove_page(path)
    for path, page in rendered.items():
        state.graph.set_page(path, page.reads)
    state.renderer.rebind(site)
    new_state = replace(
        state,
        sources=replace(state.sources, documents=tuple(documents.values())),
        documents=documents,
        site=site,
        urls=urls,
        pages=plan.pages,
        numbers=plan.numbers,
        identities=plan.identities,
        uses=plan.uses,
        written=written,
        machine=machine,
        bodies=bodies,
    )
    update = Update(
        rendered=len(rendered),
        written=tuple(replaced),
        removed=tuple(gone),
        whole_assemble=touched is None,
        planned=plan.how,
        diagnostics=report.diagnostics,
        seconds=time.perf_counter() - started,
        cpu_seconds=time.thread_time() - cpu,
        read_diagnostics=read_diagnostics,
        reached=frozenset(path for path in wanted if path not in plan.numbers),
        first_seconds=first_seconds if first else None,
    )
    return new_state, update


@dataclass(frozen=True, slots=True)
class _Plan:
    pages: tuple[PlannedPage, ...]
    numbers: dict[str, int]
    identities: dict[str, tuple[object, ...]]
    uses: PlanUses
    replanned: set[str]
    """Pages that are new or planned differently."""
    how: str
    """"plan kept", "listings planned again" (plan.replan_moved) or "planned again" (all of it)."""


@dataclass(frozen=True, slots=True)
class _Edits:
    """How the records and plain pages of an edit kept in place changed, for the planner."""

    moved: list[tuple[Record | None, Record | None]]
    """Records with a new value of a field the planner reads beyond their own page's."""
    own: list[Record | Page]
    """Records and plain pages with a new title or summary only (their own page shows it)."""
    records: list[Record]
    pages: list[Page]
    """Every record and plain page with a new version."""


def _planned(state: SiteState, site: Site, touched: Touched | None, report: Report) -> _Plan:
    """Every page of the new site: the old plan showing the edited documents' new versions,
    with the own pages of those with a new title or summary planned again, and the listings
    a record left or joined planned again with the directories' counts (plan.replan_moved);
    or, after a whole assemble or where only the whole plan can tell, every page again."""
    labels = state.sources.theme.labels
    edits = _edits(state.site, site, touched) if touched is not None else None
    if edits is not None:
        pages = _with_new_versions(state, edits)
        if not edits.moved:
            return _own_planned(
                state,
                site,
                edits,
                _Plan(
                    tuple(pages), state.numbers, state.identities, state.uses, set(), "plan kept"
                ),
            )
        again = replan_moved(site, labels, pages, state.numbers, edits.moved)
        if again is not None:
            return _own_planned(state, site, edits, _replanned(state, again))
    planned = plan_site(site, labels, report)
    identities, replanned = changed_identities(state.identities, planned)
    numbers = {page.output_path: number for number, page in enumerate(planned)}
    return _Plan(planned, numbers, identities, plan_uses(planned), replanned, "planned again")


def _replanned(state: SiteState, again: Replanned) -> _Plan:
    """The plan after `replan_moved`, its identities and edges updated for the pages it changed."""
    numbers = state.numbers
    if again.shifted:
        numbers = {page.output_path: number for number, page in enumerate(again.pages)}
    identities = dict(state.identities)
    for page in again.dropped:
        identities.pop(page.output_path, None)
    replanned = set()
    for page in again.planned:
        identities[page.output_path] = found = identity(page)
        if state.identities.get(page.output_path) != found:
            replanned.add(page.output_path)
    uses = state.uses.replanned(again.dropped, again.planned)
    return _Plan(again.pages, numbers, identities, uses, replanned, "listings planned again")


def _own_planned(state: SiteState, site: Site, edits: _Edits, plan: _Plan) -> _Plan:
    """`plan` with the own pages of the documents with a new title or summary planned again."""
    if not edits.own:
        return plan
    pages = list(plan.pages)
    identities = dict(plan.identities) if plan.identities is state.identities else plan.identities
    replanned = set(plan.replanned)
    for document in edits.own:
        path = output_file(document.url)
        page = plan_document_page(site, state.sources.theme.labels, document)
        pages[plan.numbers[path]] = page
        identities[path] = identity(page)
        replanned.add(path)
    return replace(plan, pages=tuple(pages), identities=identities, replanned=replanned)


def _edits(old: Site, new: Site, touched: Touched) -> _Edits | None:
    """How the documents changed, or None if a record went, or plain pages came, went or
    changed address or source (then the whole site is planned again). Records are matched
    by index number; only the `touched` ones can differ (the others are the same objects)."""
    if len(old.pages) != len(new.pages):
        return None
    edits = _Edits([], [], [], [])
    added = 0
    for after in sorted((new.record(n) for n in touched.records), key=_by_date, reverse=True):
        before = old.records_by_index_no.get(after.index_no)
        if before is None:
            edits.moved.append((None, after))  # added
            added += 1
            continue
        if before is after:
            continue
        edits.records.append(after)
        if not _same(before, after, PLANNED_RECORD_FIELDS - OWN_PAGE_FIELDS):
            edits.moved.append((before, after))
        elif not _same(before, after, PLANNED_RECORD_FIELDS & OWN_PAGE_FIELDS):
            edits.own.append(after)
    for was, page in zip(old.pages, new.pages, strict=True):
        if was is page:
            continue
        if not _same(was, page, PLANNED_PAGE_FIELDS - OWN_PAGE_FIELDS):
            return None
        edits.pages.append(page)
        if not _same(was, page, PLANNED_PAGE_FIELDS & OWN_PAGE_FIELDS):
            edits.own.append(page)
    return edits if len(new.records) - added == len(old.records) else None


def _by_date(record: Record) -> tuple[date, str]:
    """Reversed, the records' order in the Site (newest first)."""
    return (record.published, record.index_no)


def _same(before: object, after: object, names: Iterable[str]) -> bool:
    return all(getattr(before, name) == getattr(after, name) for name in names)


def _with_new_versions(state: SiteState, edits: _Edits) -> list[PlannedPage]:
    """The old plan, each page that shows an edited record or plain page showing its new version."""
    pages = list(state.pages)
    for record in edits.records:
        for path in state.uses.records.get(record.index_no, ()):
            number = state.numbers[path]
            pages[number] = _showing_record(pages[number], record)
    for document in edits.pages:
        for path in state.uses.documents.get(document.url, ()):
            number = state.numbers[path]
            pages[number] = replace(pages[number], document=document)
    return pages


def _showing_record(page: PlannedPage, record: Record) -> PlannedPage:
    if page.record is not None and page.record.index_no == record.index_no:
        page = replace(page, record=record)
    if page.listing is not None:
        rows = tuple(record if r.index_no == record.index_no else r for r in page.listing.records)
        page = replace(page, listing=replace(page.listing, records=rows))
    return page


def _read_documents(
    state: SiteState, changed: Iterable[PurePosixPath], report: Report
) -> dict[str, ParsedDocument | None]:
    """Each changed document parsed again, or None where it is gone."""
    project = state.project
    edits: dict[str, ParsedDocument | None] = {}
    for path in sorted(set(changed)):
        if (project.content_dir / path).is_file():
            source = read_source(project.root, path, report)
            if source is not None:
                parsed = parse_document(
                    source, project.index_no_pattern, report, kinds_of(project.config)
                )
                if parsed is not None:
                    edits[str(path)] = parsed
        elif str(path) in state.documents:
            edits[str(path)] = None
    return edits


def _assembled(
    state: SiteState,
    edits: Mapping[str, ParsedDocument | None],
    documents: Mapping[str, ParsedDocument],
    report: Report,
) -> tuple[Site, dict[str, str], dict[str, Any], Touched | None]:
    """The new Site, every document's URL, the kept bodies for the next whole assemble
    (the same object as the state's when the edited documents were reassembled in place),
    and, when they were, the records they touched (None after a whole assemble)."""
    project, read = state.project, state.sources
    edited = [
        (state.documents[path], parsed)
        for path, parsed in edits.items()
        if parsed is not None and path in state.documents
    ]
    added = [p for path, p in edits.items() if p is not None and path not in state.documents]
    if len(edited) + len(added) == len(edits):
        # Each edited document kept its URL (reassemble checks); the added ones join them.
        urls = state.urls
        if added:
            urls = {**urls, **{str(p.source.content_path): document_url(p) for p in added}}
        site = reassemble(
            project, state.site, edited, read.catalogues, read.sources.files, urls, report, added
        )
        if site is not None:
            changed = [*(new for _, new in edited), *added]
            site, touched = _with_annual_reports(
                state.site, site, changed, read.sources.files, report
            )
            return site, urls, state.bodies, touched
    memo = Memo(dict(state.bodies))
    ordered = [documents[path] for path in sorted(documents)]
    site = assemble(
        project, ordered, read.catalogues, read.sources.files, report, memo, as_of=state.as_of
    )
    site = attach_annual_reports(site, read.sources.files, report)
    urls = {path: document_url(parsed) for path, parsed in documents.items()}
    return site, urls, memo.used, None


def _with_annual_reports(
    old: Site,
    site: Site,
    documents: Iterable[ParsedDocument],
    files: Mapping[PurePosixPath, StaticFile],
    report: Report,
) -> tuple[Site, Touched]:
    """The reassembled `site` with its annual reports' tables attached, and what it touched:
    the edited and added records, and every annual report (its tables count other records,
    so attach_annual_reports makes each anew on every edit). Every other record is the old
    site's object."""
    numbers = {d.meta.index_no for d in documents if isinstance(d.meta, RecordMeta)}
    attached = attach_annual_reports(site, files, report)
    if attached is not site:
        numbers |= {r.index_no for r in attached.records if r.statistics is not None}
    reordered = any(
        n not in old.records_by_index_no or old.record(n).published != site.record(n).published
        for n in numbers
    )
    return attached, Touched(frozenset(numbers), reordered)


def _render(
    state: SiteState, site: Site, pages: list[PlannedPage], report: Report
) -> dict[str, RenderedPage]:
    """The pages rendered with the new site; BuildFailed (renderer back on the old site) if any failed."""
    state.renderer.rebind(site)
    try:
        results: list[RenderedPage | RenderFailure] = [state.renderer.render(p) for p in pages]
        collect_rendered(results, report)
        report.stop_if_errors()
    finally:
        state.renderer.rebind(state.site)  # `apply` binds the new site once it commits
    return {r.output.path: r for r in results if isinstance(r, RenderedPage)}


def _kept_bytes(out_dir: Path, rendered: Mapping[str, RenderedPage]) -> dict[str, bytes | None]:
    """What the build folder holds at each rendered page's path (None: nothing yet), to put
    back if the update fails after writing them."""
    kept: dict[str, bytes | None] = {}
    for path in rendered:
        try:
            kept[path] = (out_dir / path).read_bytes()
        except FileNotFoundError:
            kept[path] = None
    return kept


def _put_back(out_dir: Path, kept: Mapping[str, bytes | None]) -> None:
    for path, content in kept.items():
        if content is None:
            remove_file(out_dir, path)
        else:
            replace_file(out_dir, path, content)


def _write_changed(
    state: SiteState, outputs: Iterable[OutputFile], written: dict[str, bytes]
) -> list[str]:
    """Write each output whose bytes differ from what the folder holds; their paths."""
    replaced = []
    for output in outputs:
        found = digest(output.content)
        if written.get(output.path) != found:
            replace_file(state.project.out_dir, output.path, output.content)
            written[output.path] = found
            replaced.append(output.path)
    return replaced
