"""The build, stage by stage: discover → parse → assemble → plan → render (from the build
cache where nothing changed) → machine-readable files → read pages back → check gate →
write → search index. (Whether to build at all is uptodate.py's question, asked first.)

Each stage takes values and returns values; problems are collected in one Report and
checked at the stage boundaries, so an editor sees every problem of a stage in one run
and nothing is written unless the whole site rendered.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from govsite import uptodate
from govsite.analyse import analyse
from govsite.assemble import assemble
from govsite.cache import PageCache, PageReads
from govsite.catalogue import Catalogues, load_catalogues
from govsite.check import gate
from govsite.config import Project
from govsite.discover import Sources, discover
from govsite.document import ParsedDocument, parse_document
from govsite.errors import Diagnostic, Report
from govsite.feeds import build_feeds
from govsite.fingerprint import global_key
from govsite.memo import Memo, Workspace, workspace
from govsite.model import Site
from govsite.opendata import build_open_data
from govsite.parallel import ExecutorFactory, InProcessExecutor, executor_for_jobs
from govsite.plan import PlannedPage, plan_site
from govsite.progress import Progress, no_progress, report_every
from govsite.render import OutputFile, render_site
from govsite.result import BuildResult
from govsite.search import index_site
from govsite.sitemap import build_sitemap
from govsite.theme import Theme, load_theme
from govsite.write import check_output_dir, write_site


def build(
    project: Project,
    *,
    strict: bool = False,
    as_of: date | None = None,
    jobs: int = 1,
    executor_factory: ExecutorFactory | None = None,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
) -> BuildResult:
    """Build the site of `project` into `project.out_dir`; BuildFailed lists every problem found.

    The check's date rules (`--strict`, the health report) measure against `as_of`, or today.
    Pages render in `jobs` processes, or on the executor `executor_factory` makes.
    With a `cache_dir` (the CLI passes `project.cache_dir`), pages whose inputs
    did not change since the last build are reused from it, and the build is stamped so
    that `uptodate.replay` can tell the next time nothing changed at all; None neither
    reads nor writes a cache. This always builds: callers ask `uptodate.replay` first.
    """
    started = time.perf_counter()
    check_output_dir(project.out_dir, project.root, _source_dirs(project))
    as_of = as_of or date.today()
    inputs = None
    if cache_dir is not None:
        inputs = uptodate.read_inputs(project, strict=strict, as_of=as_of)  # before reading them
        uptodate.forget_stamp(cache_dir)
    report = Report(strict=strict, suppressed=project.config.suppress_warnings)
    render_on = executor_factory or executor_for_jobs(jobs)
    with workspace(cache_dir) as space:
        compiled = compile_site(
            project,
            report,
            render_on=render_on,
            progress=progress,
            cache_dir=cache_dir,
            bodies=space.bodies,
        )
        extra = check_and_write(
            project, compiled, space, report, strict, as_of, render_on, progress
        )
        space.save()  # only now, like the page cache: a failed build leaves both as they were
        if compiled.cache is not None:
            compiled.cache.save()
    reused = compiled.cache.reused if compiled.cache is not None else 0
    result = BuildResult(
        site=compiled.site,
        records=len(compiled.site.records),
        documents=len(compiled.site.pages),
        pages_written=len(compiled.pages) + len(extra),
        files_copied=len(compiled.copies),
        diagnostics=report.diagnostics,
        seconds=time.perf_counter() - started,
        pages_rendered=len(compiled.pages) - reused,
        pages_reused=reused,
    )
    if cache_dir is not None and inputs is not None:  # both or neither: mypy cannot tell
        uptodate.save_stamp(cache_dir, inputs, project.out_dir, result)
    return result


def check_and_write(
    project: Project,
    compiled: CompiledSite,
    space: Workspace,
    report: Report,
    strict: bool,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress,
) -> tuple[OutputFile, ...]:
    """Read the pages back, pass the quality gate, write the site and index it; the extra pages."""
    searchable = frozenset(
        p.output_path for p in compiled.pages if p.record is not None or p.document is not None
    )
    analysis = analyse(compiled.outputs, searchable, space, render_on, progress)
    # The quality gate: `--strict` stops here on any `govsite check` error; the health
    # report joins the pages (unless the config turns it off).
    extra = gate.after_render(
        project,
        compiled,
        analysis.facts,
        space.content,
        strict=strict,
        as_of=as_of,
        run_on=render_on,
    )

    def index_then_check(staging: Path) -> None:
        index_site(
            staging, analysis.copies, analysis.copied, analysis.code, space.kept_bundle, report
        )
        report.stop_if_errors()  # a GS501 warning is fatal with --strict
        progress("search indexed", len(searchable), len(searchable))

    outputs = (*compiled.outputs, *extra)
    write_site(project.out_dir, outputs, compiled.copies, index_then_check, progress)
    return extra


@dataclass(frozen=True, slots=True)
class CompiledSite:
    """Everything a build would write, held in memory (`govsite check` inspects it)."""

    site: Site
    theme: Theme
    pages: tuple[PlannedPage, ...]
    outputs: tuple[OutputFile, ...]
    copies: tuple[tuple[str, Path], ...]
    diagnostics: tuple[Diagnostic, ...]
    cache: PageCache | None = None
    """The build cache the pages were rendered with; `build` saves it once the site is written."""


@dataclass(frozen=True, slots=True)
class SiteSources:
    """The site's sources, read and parsed: what the stages after parsing start from."""

    theme: Theme
    sources: Sources
    catalogues: Catalogues
    documents: tuple[ParsedDocument, ...]


def read_sources(project: Project, report: Report, progress: Progress = no_progress) -> SiteSources:
    """Load the theme, discover and parse every source; BuildFailed if any of it is broken."""
    theme = load_theme(project, report)
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    documents = _parse_documents(sources, project, report, progress)
    report.stop_if_errors()  # never assemble a half-parsed site
    assert theme is not None
    return SiteSources(theme, sources, catalogues, tuple(documents))


def compile_site(
    project: Project,
    report: Report,
    *,
    render_on: ExecutorFactory = InProcessExecutor,
    progress: Progress = no_progress,
    cache_dir: Path | None = None,
    bodies: Memo | None = None,
    read: SiteSources | None = None,
    noted: dict[str, PageReads | None] | None = None,
) -> CompiledSite:
    """Every stage but writing; BuildFailed at the first stage boundary with errors.

    Bodies an earlier build rendered are taken from `bodies` where nothing they depend on changed.
    `read` is the sources if the caller read them already; `noted` receives what each
    rendered page read (the preview's engine builds its dependency graph from it).
    """
    read = read or read_sources(project, report, progress)
    theme, sources = read.theme, read.sources
    site = assemble(
        project, read.documents, read.catalogues, sources.files, report, bodies, render_on
    )
    report.stop_if_errors()

    pages = plan_site(site, theme.labels, report)
    report.stop_if_errors()

    cache = None
    if cache_dir is not None:
        cache = PageCache(cache_dir, global_key(project.config, theme, site), site)
    outputs = render_site(
        site, pages, theme, project.root, report, render_on, progress, cache, noted
    )
    report.stop_if_errors()

    machine_readable = machine_readable_files(
        build_feeds(site, theme.labels), build_sitemap(site, pages), build_open_data(site), sources
    )
    copies = static_copies(sources, theme)
    outputs = (*outputs, *machine_readable, *minified_assets(theme))
    return CompiledSite(site, theme, pages, outputs, copies, report.diagnostics, cache)


def machine_readable_files(
    feeds: Iterable[OutputFile],
    sitemap: Iterable[OutputFile],
    open_data: Iterable[OutputFile],
    sources: Sources,
) -> tuple[OutputFile, ...]:
    """Machine-readable files for feed readers, crawlers and reusers of the data; a site's
    own file of the same name under content/ (its own robots.txt, say) replaces one."""
    own = {str(path) for path in sources.files}
    return tuple(output for output in (*feeds, *sitemap, *open_data) if output.path not in own)


def _parse_documents(
    sources: Sources, project: Project, report: Report, progress: Progress
) -> list[ParsedDocument]:
    total = len(sources.documents)
    every = report_every(total)
    documents = []
    for number, source in enumerate(sources.documents, 1):
        if (parsed := parse_document(source, project.index_no_pattern, report)) is not None:
            documents.append(parsed)
        if number % every == 0 or number == total:
            progress("records loaded", number, total)
    return documents


def _source_dirs(project: Project) -> list[Path]:
    return [project.content_dir, *project.theme_dirs, project.templates_dir]


def static_copies(sources: Sources, theme: Theme) -> tuple[tuple[str, Path], ...]:
    """Content files (attachments, images) at their own paths, theme assets at hashed paths."""
    copies = [(str(f.content_path), f.source) for f in sources.files.values()]
    copies += [(a.url, a.source) for a in theme.assets.values() if a.minified is None]
    return tuple(copies)


def minified_assets(theme: Theme) -> tuple[OutputFile, ...]:
    return tuple(
        OutputFile(a.url, a.minified) for a in theme.assets.values() if a.minified is not None
    )
