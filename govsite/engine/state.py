"""The live site: everything `govsite serve` loads once and keeps between edits.

A `SiteState` holds the parsed documents by source path, the catalogues and theme, the
assembled `Site`, the planned pages, the dependency graph, and a digest of every file the
engine wrote into the build folder (never the bytes: 10,000 pages would be hundreds of
megabytes). `load` makes one by a full build, the way `govsite build` builds;
`update.apply` derives the next from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govsite import uptodate
from govsite.assemble import document_url
from govsite.check.health import HEALTH_PAGE
from govsite.config import Project
from govsite.document import ParsedDocument
from govsite.engine import snapshot
from govsite.engine.graph import DependencyGraph, PlanUses, identity, plan_uses
from govsite.engine.machine import MachineFiles, make_machine_files
from govsite.engine.output import digest
from govsite.model import Site
from govsite.parallel import executor_for_jobs
from govsite.pipeline import Built, SiteSources, build_everything, check_build_folder
from govsite.plan import PlannedPage
from govsite.render import PageRenderer
from govsite.result import BuildResult


@dataclass(slots=True)
class SiteState:
    """The model of a site as it is in its build folder (the engine's one mutable value)."""

    project: Project
    sources: SiteSources
    """The theme, the discovered files, the catalogues and the documents as last read."""
    documents: dict[str, ParsedDocument]
    """Parsed documents by path below content/ (`records/2024/x.md`)."""
    site: Site
    urls: dict[str, str]
    """Each document's URL, by its path below content/."""
    pages: tuple[PlannedPage, ...]
    numbers: dict[str, int]
    """Each planned page's number in `pages`, by output path."""
    identities: dict[str, tuple[object, ...]]
    """Each planned page's identity (graph.identity), by output path."""
    uses: PlanUses
    graph: DependencyGraph
    written: dict[str, bytes]
    """Digest of every page, machine-readable file and minified asset in the build folder."""
    machine: MachineFiles
    renderer: PageRenderer
    bodies: dict[str, Any]
    """Rendered bodies by their key, for the next whole assemble (bodies.py)."""
    as_of: date

    @property
    def out_dir(self) -> Path:
        return self.project.out_dir

    def searchable(self) -> list[str]:
        """The pages the search index covers: those of records and plain pages."""
        return [p.output_path for p in self.pages if p.record is not None or p.document is not None]


def load(project: Project, *, as_of: date, jobs: int | None = 1) -> tuple[SiteState, BuildResult]:
    """Build the site as `govsite build` does (staged, swapped in, indexed) and keep its model.

    Every page is rendered: the graph needs what each one read. Bodies and the search
    index come from the build cache where they can.
    """
    check_build_folder(project)
    # The stamp and the snapshot say what `govsite build` wrote; the engine is about to change the folder.
    uptodate.forget_stamp(project.cache_dir)
    snapshot.forget(project.cache_dir)
    built = build_everything(
        project, False, as_of, executor_for_jobs(jobs), cache_dir=project.cache_dir
    )
    return state_of(project, built, as_of), built.result


def state_of(project: Project, built: Built, as_of: date) -> SiteState:
    """The engine's model of what a build of everything made."""
    read, compiled = built.read, built.compiled
    graph = DependencyGraph()
    for path, reads in built.noted.items():
        graph.set_page(path, reads)
    if built.written.health.shown is not None:  # the check's page: the update asks if it changed
        graph.set_page(HEALTH_PAGE, built.written.health.reads)
    machine, _ = make_machine_files(compiled.site, compiled.pages, read.theme.labels, read.sources)
    return SiteState(
        project=project,
        sources=read,
        documents={str(d.source.content_path): d for d in read.documents},
        site=compiled.site,
        urls={str(d.source.content_path): document_url(d) for d in read.documents},
        pages=compiled.pages,
        numbers={p.output_path: n for n, p in enumerate(compiled.pages)},
        identities={p.output_path: identity(p) for p in compiled.pages},
        uses=plan_uses(compiled.pages),
        graph=graph,
        # A build staged its files as it made them (their digests came back), `serve`'s
        # first load too; files held in memory are digested here.
        written={o.path: digest(o.content) for o in compiled.outputs}
        | {f.path: bytes.fromhex(f.digest) for f in compiled.staged},
        machine=machine,
        renderer=PageRenderer(compiled.site, read.theme, project.root),
        bodies=built.bodies,
        as_of=as_of,
    )
