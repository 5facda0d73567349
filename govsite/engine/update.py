"""The update step: changed documents in, the pages that show them rewritten in the build folder.

    read and parse the changed files only
      → the new Site: `assemble.reassemble` when every edit stays inside its own document
        (same URL, kind, index number and supersession links), else a whole `assemble`
        (bodies of unchanged documents reused)
      → plan every page again (linear and cheap: no rendering)
      → pages to render = new or re-planned pages (graph.identity)
                        ∪ pages that read a changed field, record, plain page or site part
      → render those; machine-readable files only if something they show changed
      → write each file that changed, atomically; remove the pages the site no longer has

Nothing is written unless every stage succeeded: a problem raises BuildFailed and leaves
the state and the build folder as they were. The search index and the health report are
not touched here (live.py refreshes search in the background).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from govsite.assemble import assemble, document_url, reassemble
from govsite.discover import read_source
from govsite.document import ParsedDocument, parse_document
from govsite.engine.graph import changed_identities, model_changes
from govsite.engine.machine import machine_changed, make_machine_files
from govsite.engine.output import digest, remove_file, replace_file
from govsite.engine.state import SiteState
from govsite.errors import Diagnostic, Report
from govsite.memo import Memo
from govsite.model import Site
from govsite.plan import PlannedPage, plan_site
from govsite.render import OutputFile, RenderedPage, RenderFailure, collect_rendered


@dataclass(frozen=True, slots=True)
class Update:
    """What one update did."""

    rendered: int
    written: tuple[str, ...]
    """Paths (in the build folder) of the files replaced or added."""
    removed: tuple[str, ...]
    whole_assemble: bool
    diagnostics: tuple[Diagnostic, ...]
    seconds: float

    def summary(self) -> str:
        how = "whole site assembled" if self.whole_assemble else "edited documents reassembled"
        return (
            f"Updated in {self.seconds:.2f}s: {self.rendered} pages rendered, "
            f"{len(self.written)} files written, {len(self.removed)} removed ({how})"
        )


def apply(state: SiteState, changed: Iterable[PurePosixPath]) -> tuple[SiteState, Update]:
    """The next state after the documents at `changed` (paths below content/) were edited,
    added or deleted, with the build folder brought up to date; BuildFailed changes nothing."""
    started = time.perf_counter()
    project = state.project
    report = Report(strict=False, suppressed=project.config.suppress_warnings)
    edits = _read_documents(state, changed, report)
    report.stop_if_errors()
    documents = dict(state.documents)
    for path, parsed in edits.items():
        if parsed is None:
            documents.pop(path, None)
        else:
            documents[path] = parsed
    site, bodies = _assembled(state, edits, documents, report)
    report.stop_if_errors()
    labels = state.sources.theme.labels
    pages = plan_site(site, labels, report)
    report.stop_if_errors()

    identities, replanned = changed_identities(state.identities, pages)
    by_path = {page.output_path: page for page in pages}
    changes = model_changes(state.site, site, state.graph)
    to_render = sorted((replanned | state.graph.readers(changes)) & by_path.keys())
    rendered = _render(state, site, [by_path[path] for path in to_render], report)

    machine = state.machine
    machine_files: tuple[OutputFile, ...] = ()
    if machine_changed(state.site, site):
        machine, machine_files = make_machine_files(
            site, pages, labels, state.sources.sources, state.machine
        )
    outputs = (*(r.output for r in rendered.values()), *machine_files)
    # Everything is made: only now does anything change, on disk and in the model.
    written = dict(state.written)
    replaced = _write_changed(state, outputs, written)
    gone = sorted(
        (state.identities.keys() - by_path.keys()) | (state.machine.paths - machine.paths)
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
        sources=replace(state.sources, documents=tuple(documents[k] for k in sorted(documents))),
        documents=documents,
        site=site,
        pages=pages,
        identities=identities,
        written=written,
        machine=machine,
        bodies=bodies,
    )
    update = Update(
        rendered=len(rendered),
        written=tuple(replaced),
        removed=tuple(gone),
        whole_assemble=bodies is not state.bodies,
        diagnostics=report.diagnostics,
        seconds=time.perf_counter() - started,
    )
    return new_state, update


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
                parsed = parse_document(source, project.index_no_pattern, report)
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
) -> tuple[Site, dict[str, Any]]:
    """The new Site, and the kept bodies for the next whole assemble."""
    project, read = state.project, state.sources
    edited = [
        (state.documents[path], parsed)
        for path, parsed in edits.items()
        if parsed is not None and path in state.documents
    ]
    if len(edited) == len(edits):
        urls = {path: document_url(parsed) for path, parsed in documents.items()}
        site = reassemble(
            project, state.site, edited, read.catalogues, read.sources.files, urls, report
        )
        if site is not None:
            return site, state.bodies
    memo = Memo(dict(state.bodies))
    ordered = [documents[path] for path in sorted(documents)]
    site = assemble(project, ordered, read.catalogues, read.sources.files, report, memo)
    return site, memo.used


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
