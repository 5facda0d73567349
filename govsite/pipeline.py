"""The build, stage by stage: discover → parse → assemble → plan → render → machine-readable
files → read pages back → check gate → write → search index. With the build cache,
`build` is the engine's (engine/rebuild.py): whether to build at all (uptodate.py), then
the last build's snapshot brought up to date with the edited documents, else these
stages once (`build_everything`) and the snapshot saved.

Each stage takes values and returns values; problems are collected in one Report and
checked at the stage boundaries, so an editor sees every problem of a stage in one run
and nothing is written unless the whole site rendered.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from itertools import chain
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from govsite import clock
from govsite.activecontent import report_active_attachments
from govsite.analyse import PageSink, analyse, page_sink, stage_rest
from govsite.annualreport import attach_annual_reports
from govsite.assemble import assemble
from govsite.catalogue import Catalogues, load_catalogues
from govsite.check import gate
from govsite.check.html import PageFacts
from govsite.check.inspect import CheckResult, inspect
from govsite.compiled import CompiledSite
from govsite.config import Project
from govsite.discover import CATALOGUE_DIR, Sources, discover
from govsite.document import ParsedDocument, RecordMeta, parse_document
from govsite.errors import BuildFailed, Diagnostic, Report
from govsite.headers import build_host_headers
from govsite.kinds import kinds_of
from govsite.manifest import load_signing_key, source_commit, write_manifest
from govsite.memo import Memo, Workspace, workspace
from govsite.model import Site
from govsite.numbering import FreeNumbers, NumberRequest, report_requests
from govsite.outputs.feeds import build_feeds
from govsite.outputs.opendata import annual_report_tables, build_open_data
from govsite.outputs.search import index_site
from govsite.outputs.sitemap import build_sitemap
from govsite.parallel import ExecutorFactory, InProcessExecutor, executor_for_jobs
from govsite.plan import plan_site
from govsite.progress import Progress, no_progress, report_every
from govsite.reads import PageReads
from govsite.render import OutputFile, StagedFile, is_searchable, render_site
from govsite.result import BuildResult, scheduled_records
from govsite.retire import wait_for_removals
from govsite.theme import BUILTIN_THEMES, Theme, load_theme
from govsite.uptodate import Inputs
from govsite.write import Staging, check_output_dir, publish, stage_file, staged, write_site

if TYPE_CHECKING:  # imported where they are used: a key read, external links fetched
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from govsite.check.external import ExternalOptions


def build(
    project: Project,
    *,
    strict: bool = False,
    as_of: date | None = None,
    jobs: int | None = 1,
    executor_factory: ExecutorFactory | None = None,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
    detach: bool = False,
    inputs: Inputs | None = None,
) -> BuildResult:
    """Build the site of `project` into `project.out_dir`; BuildFailed lists every problem found.

    The site is built as of the day `as_of`, or today: records show their validity on that
    day, records published later are held back, and the check's date rules (`--strict`,
    the health report) measure against it.
    Pages render in `jobs` processes (None: one per CPU), or on the executor `executor_factory` makes.
    With a `cache_dir` (the CLI passes `project.cache_dir`) the build is the engine's
    (engine/rebuild.py): nothing to do when nothing changed since the last build (the
    stamp, uptodate.py); else, from the snapshot the last build saved, the edited
    documents are applied as `govsite serve` applies them; else everything is built
    once, and the snapshot saved. None neither reads nor writes a cache.
    The previous build is removed in the background, and the cache saved after the
    build folder is swapped in; with `detach` (the command line, which exits right after)
    the build returns without waiting for either (engine/persist.py). `inputs` are what a
    caller that found the last build not current read of the sources before
    (uptodate.replay): the build then neither asks again nor reads them again.
    """
    check_build_folder(project)
    as_of = as_of or clock.today()
    render_on = executor_factory or executor_for_jobs(jobs)
    if cache_dir is None:
        result = build_everything(project, strict, as_of, render_on, progress).result
    else:
        from govsite.engine.rebuild import build_with_cache  # the engine is made of these stages

        result = build_with_cache(
            project, cache_dir, strict, as_of, render_on, progress, detach, inputs
        )
    if not detach:
        wait_for_removals()
    return result


@dataclass(frozen=True, slots=True)
class Built:
    """What a build of everything made, as far as the engine keeps it (engine/rebuild.py)."""

    read: SiteSources
    compiled: CompiledSite
    written: Written
    read_diagnostics: int
    """How many of the result's diagnostics came from reading the sources (the first ones)."""
    noted: dict[str, PageReads | None]
    bodies: dict[str, Any]
    result: BuildResult


def build_everything(
    project: Project,
    strict: bool,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
) -> Built:
    """The stages, each once, over the whole site: read, assemble, plan, render, machine-readable
    files, read the pages back, check, write (staged and swapped in), index for search.

    With a `cache_dir`, document bodies and the check's per-document results are taken
    from its memos where nothing they depend on changed (memo.py).
    """
    started = time.perf_counter()
    report = Report(strict=strict, suppressed=project.config.suppress_warnings)
    stamp = manifest_stamp(project, report)
    report.stop_if_errors()
    read = read_sources(project, report, progress)
    read_diagnostics = len(report.diagnostics)
    noted: dict[str, PageReads | None] = {}
    with workspace(cache_dir) as space:
        read = replace(read, theme=replace(read.theme, compiled_templates=space.templates))
        # Pages are written into the staging folder as they render; a failure removes it.
        with staged(project.out_dir) as staging:
            compiled = compile_site(
                project,
                report,
                as_of=as_of,
                render_on=render_on,
                progress=progress,
                bodies=space.bodies,
                read=read,
                noted=noted,
                sink=page_sink(staging, space),
            )
            written = check_and_write(
                project, compiled, space, report, strict, as_of, render_on, progress, stamp, staging
            )
        space.save()  # only now: a failed build leaves the memos as they were
        bodies = dict(space.bodies.used)
    result = build_result(compiled, written.extra, report, started)
    return Built(read, compiled, written, read_diagnostics, noted, bodies, result)


def build_result(
    compiled: CompiledSite, extra: Sequence[OutputFile], report: Report, started: float
) -> BuildResult:
    """What a build of `compiled` (and the `extra` pages the check added) reports."""
    return BuildResult(
        site=compiled.site,
        records=len(compiled.site.records),
        documents=len(compiled.site.pages),
        pages_written=len(compiled.pages) + len(extra),
        files_copied=len(compiled.copies),
        diagnostics=report.diagnostics,
        seconds=time.perf_counter() - started,
        pages_rendered=len(compiled.pages),
        scheduled=scheduled_records(compiled.site),
    )


def check_and_write(
    project: Project,
    compiled: CompiledSite,
    space: Workspace,
    report: Report,
    strict: bool,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress,
    stamp: ManifestStamp,
    staging: Staging | None = None,
) -> Written:
    """Read the pages back, pass the quality gate, write the site and index it.

    The files are in `staging` already if `compile_site` staged them, else in memory."""
    # Files under content/ are published as they are: refuse (or flag) any that runs script.
    report_active_attachments(project, compiled.copies, report)
    report.stop_if_errors()
    searchable = frozenset(p.output_path for p in compiled.pages if is_searchable(p))
    files: tuple[OutputFile | StagedFile, ...] = (*compiled.outputs, *compiled.staged)
    folder = staging.folder if staging is not None else None
    analysis = analyse(files, searchable, space, render_on, progress, folder)
    gate.refuse_unsafe_addresses(compiled, analysis.facts)
    # The quality gate: `--strict` stops here on any `govsite check` error; the health
    # report joins the pages (unless the config turns it off).
    health = gate.after_render(
        project,
        compiled,
        analysis.facts,
        space.content,
        strict=strict,
        as_of=as_of,
        run_on=render_on,
    )
    extra = health.files or ()

    def index_then_check(staging: Path) -> None:
        index_site(
            staging,
            analysis.copies,
            analysis.copied,
            analysis.code,
            space.kept_bundle,
            report,
            render_on,
        )
        report.stop_if_errors()  # a GS501 warning is fatal with --strict
        progress("search indexed", len(searchable), len(searchable))
        # Last: the manifest lists every file published, the search index included.
        write_manifest(staging, stamp.source_commit, stamp.signing_key)

    outputs = (*compiled.outputs, *extra)
    if staging is None:
        write_site(project.out_dir, outputs, compiled.copies, index_then_check, progress)
        return Written(analysis.facts, health)
    for output in outputs:
        stage_file(staging, output.path, output.content)
    written = {f.path for f in files} | {o.path for o in extra}
    publish(staging, compiled.copies, written, index_then_check, progress)
    return Written(analysis.facts, health)


@dataclass(frozen=True, slots=True)
class Written:
    """What writing the site found beyond the compiled site."""

    facts: Mapping[str, PageFacts]
    """The facts of every HTML page, by path."""
    health: gate.HealthReport
    """The health report: what it shows and read (the engine's update compares them)."""

    @property
    def extra(self) -> tuple[OutputFile, ...]:
        """The pages the check added (the health report)."""
        return self.health.files or ()


@dataclass(frozen=True, slots=True)
class ManifestStamp:
    """What the manifest of published files says beyond them (manifest.py)."""

    source_commit: str | None
    signing_key: Ed25519PrivateKey | None


@dataclass(frozen=True, slots=True)
class SiteSources:
    """The site's sources, read and parsed: what the stages after parsing start from."""

    theme: Theme
    sources: Sources
    catalogues: Catalogues
    documents: tuple[ParsedDocument, ...]
    unread: frozenset[str] = frozenset()
    """The index numbers of records left out for their own errors (`govsite check`)."""


def read_sources(
    project: Project,
    report: Report,
    progress: Progress = no_progress,
    *,
    keep_going: bool = False,
) -> SiteSources:
    """Load the theme, discover and parse every source; BuildFailed if any of it is broken
    (with `keep_going`, only if something beyond single documents is)."""
    theme = load_theme(project, report)
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    unread: set[str] = set()
    documents = _parse_documents(sources, project, catalogues, report, progress, unread)
    _stage_boundary(report, keep_going)  # never assemble a half-parsed site (but see above)
    assert theme is not None
    # Nothing reads a document's text once it is parsed: don't keep it in the model.
    kept = replace(sources, documents=())
    return SiteSources(theme, kept, catalogues, tuple(documents), frozenset(unread))


def compile_site(
    project: Project,
    report: Report,
    *,
    as_of: date,
    render_on: ExecutorFactory = InProcessExecutor,
    progress: Progress = no_progress,
    bodies: Memo | None = None,
    keep_going: bool = False,
    read: SiteSources | None = None,
    noted: dict[str, PageReads | None] | None = None,
    sink: PageSink | None = None,
) -> CompiledSite:
    """Every stage but writing, as of the day `as_of`; BuildFailed at the first stage boundary with errors.

    Bodies an earlier build rendered are taken from `bodies` where nothing they depend on changed.
    With `keep_going` (`govsite check`), errors that belong to single documents don't stop
    it: those documents are left out, so every other finding is still reported in one run.
    `read` is the sources if the caller read them already; `noted` receives what each
    rendered page read (the preview's engine builds its dependency graph from it).
    With a `sink` (a build), every file is staged as soon as it is made, and the result
    holds what was staged (`staged`) instead of the files' bytes.
    """
    own_read = read is None
    read = read or read_sources(project, report, progress, keep_going=keep_going)
    theme, sources = read.theme, read.sources
    site = assemble(
        project,
        read.documents,
        read.catalogues,
        sources.files,
        report,
        bodies,
        render_on,
        as_of=as_of,
        unread=read.unread,
    )
    if own_read:  # the parsed documents are not read again: let them go
        del read
    _stage_boundary(report, keep_going)
    if keep_going and report.error_count:
        site = _without_documents_in_error(site, report)
    site = attach_annual_reports(site, sources.files, report)
    _stage_boundary(report, keep_going)

    pages = plan_site(site, theme.labels, report)
    _stage_boundary(report, keep_going)

    outputs = render_site(
        site, pages, theme, project.root, report, render_on, progress, noted, sink
    )
    _stage_boundary(report, keep_going)

    machine_readable = machine_readable_files(
        build_feeds(site, theme.labels),
        build_sitemap(site, pages),
        chain(build_open_data(site), more_machine_readable(site)),
        sources,
    )
    copies = static_copies(sources, theme)
    # One pass: with a sink each file is staged as it is made, never all held at once.
    held, staged_files = stage_rest(chain(outputs, machine_readable, minified_assets(theme)), sink)
    return CompiledSite(site, theme, pages, held, copies, report.diagnostics, staged_files)


def _stage_boundary(report: Report, keep_going: bool) -> None:
    """Stop on errors, unless keeping going and every error is a document's own."""
    if not keep_going or not all(_in_a_document(d) for d in report.diagnostics):
        report.stop_if_errors()


def _in_a_document(diagnostic: Diagnostic) -> bool:
    parts = diagnostic.location.path.parts
    return diagnostic.severity == "warning" or (
        len(parts) > 1 and parts[0] == "content" and parts[1] != CATALOGUE_DIR
    )


def _without_documents_in_error(site: Site, report: Report) -> Site:
    """The site less the documents whose errors leave them unrenderable, and the links others
    make to those. A broken link or a missing attachment (GS306, GS307) still renders."""
    broken = {
        d.location.path
        for d in report.diagnostics
        if d.severity == "error" and d.code not in _STILL_RENDERABLE
    }
    records = [r for r in site.records if r.source.path not in broken]
    kept = {r.index_no for r in records}
    records = [
        replace(
            r,
            superseded_by=r.superseded_by if r.superseded_by in kept else None,
            interprets=tuple(n for n in r.interprets if n in kept),
            interpretations=tuple(n for n in r.interpretations if n in kept),
            supersedes=tuple(n for n in r.supersedes if n in kept),
        )
        for r in records
    ]
    return replace(
        site,
        records=tuple(records),
        pages=tuple(p for p in site.pages if p.source.path not in broken),
        records_by_index_no=MappingProxyType({r.index_no: r for r in records}),
    )


_STILL_RENDERABLE = frozenset({"GS306", "GS307"})


def machine_readable_files(
    feeds: Iterable[OutputFile],
    sitemap: Iterable[OutputFile],
    open_data: Iterable[OutputFile],
    sources: Sources,
) -> Iterator[OutputFile]:
    """Machine-readable files for feed readers, crawlers and reusers of the data; a site's
    own file of the same name under content/ (its own robots.txt, say) replaces one."""
    own = {str(path) for path in sources.files}
    return (output for output in chain(feeds, sitemap, open_data) if output.path not in own)


def more_machine_readable(site: Site) -> tuple[OutputFile, ...]:
    """The files beside the open data that a build writes too: the annual reports' tables and
    the hosts' security headers (with open data, what `machine_readable_files` filters)."""
    return (*annual_report_tables(site), *build_host_headers())


def _parse_documents(
    sources: Sources,
    project: Project,
    catalogues: Catalogues,
    report: Report,
    progress: Progress,
    unread: set[str],
) -> list[ParsedDocument]:
    total = len(sources.documents)
    every = report_every(total)
    kinds = kinds_of(project.config)
    documents = []
    requests: list[NumberRequest] = []
    pattern = project.index_no_pattern
    for number, source in enumerate(sources.documents, 1):
        parsed = parse_document(source, pattern, report, kinds, requests, unread)
        if parsed is not None:
            documents.append(parsed)
        if number % every == 0 or number == total:
            progress("records loaded", number, total)
    if requests:  # the hints name free numbers, known only now that every document is read
        used = (d.meta.index_no for d in documents if isinstance(d.meta, RecordMeta))
        report_requests(requests, FreeNumbers(pattern, used, catalogues.agencies), report)
    return documents


def check_build_folder(project: Project) -> None:
    """UnsafeOutputDir if the build folder is not one a build may replace (write.py)."""
    check_output_dir(project.out_dir, project.root, _source_dirs(project), project.cache_dir)


def manifest_stamp(project: Project, report: Report) -> ManifestStamp:
    """What the build's manifest says beyond its files: the source commit, and the key to sign with."""
    return ManifestStamp(source_commit(project.root), load_signing_key(project, report))


def _source_dirs(project: Project) -> list[Path]:
    return [project.content_dir, *project.theme_dirs, project.templates_dir, BUILTIN_THEMES]


def static_copies(sources: Sources, theme: Theme) -> tuple[tuple[str, Path], ...]:
    """Content files (attachments, images) at their own paths, theme assets at hashed paths."""
    copies = [(str(f.content_path), f.source) for f in sources.files.values()]
    copies += [(a.url, a.source) for a in theme.assets.values() if a.minified is None]
    return tuple(copies)


def minified_assets(theme: Theme) -> tuple[OutputFile, ...]:
    return tuple(
        OutputFile(a.url, a.minified) for a in theme.assets.values() if a.minified is not None
    )


def check_site(
    project: Project, as_of: date, external: ExternalOptions | None = None
) -> CheckResult | BuildFailed:
    """`govsite check`: the site compiled in memory (nothing is written) and inspected, or
    the build's own failure when the site does not build at all."""
    report = Report(suppressed=project.config.suppress_warnings)
    try:
        # A document with errors is left out and its errors reported with everything else.
        compiled = compile_site(project, report, as_of=as_of, keep_going=True)
    except BuildFailed as failed:
        return failed
    return inspect(project, compiled, as_of, external)
