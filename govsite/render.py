"""Stage 5: render every planned page through the theme's templates (no file is written here)."""

from __future__ import annotations

import contextlib
import traceback
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
from markupsafe import Markup

from govsite.annualreport import with_report_tables
from govsite.cachefiles import read_checked, write_checked
from govsite.errors import Report, SourceLocation
from govsite.messages import text
from govsite.model import STATUSES, Record, Site
from govsite.outputs import metadata
from govsite.parallel import ExecutorFactory, InProcessExecutor, map_in_chunks
from govsite.plan import NOT_FOUND_PATH, PlannedPage
from govsite.progress import Progress, no_progress
from govsite.reads import (
    PageReads,
    ReadingEnvironment,
    note_printed,
    note_record,
    noting_reads,
    record_lookup,
)
from govsite.theme import Asset, Theme, display_path
from govsite.urls import absolute_url, encode_path, link_href

if TYPE_CHECKING:  # check.html reads OutputFile from here
    from govsite.check.html import PageFacts


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A rendered file: its path inside the build folder and its bytes."""

    path: str
    content: bytes


@dataclass(frozen=True, slots=True)
class StagedFile:
    """A file already written into the build's staging folder: what the later stages need
    of it, never its bytes (a build holds these, however large the site)."""

    path: str
    digest: str
    """memo.key_of of its bytes."""
    facts: PageFacts | None = None
    """An HTML page's facts, read from the bytes as they were staged (None: not read yet)."""
    copy: str | None = None
    """The digest of the page's search copy, if it is searchable and was read."""


class PageSink(Protocol):
    """Where a build's workers put each rendered file (analyse.PageSink): plain data, so it
    travels to any executor."""

    def write(self, output: OutputFile) -> StagedFile:
        """Stage `output` as it is."""

    def take(self, output: OutputFile, searchable: bool) -> StagedFile:
        """Stage `output` and read it there and then: its facts, and a search copy if `searchable`."""

    def content(self, path: str) -> bytes:
        """The bytes staged at `path`."""


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """A page a template rendered, with what it read (None: it read something no key covers)."""

    output: OutputFile
    reads: PageReads | None


@dataclass(frozen=True, slots=True)
class StagedPage:
    """A page a worker rendered and staged, with what it read (as RenderedPage)."""

    staged: StagedFile
    reads: PageReads | None


@dataclass(frozen=True, slots=True)
class RenderFailure:
    """A page whose template raised, reduced to picklable text (tracebacks do not cross processes)."""

    location: SourceLocation
    message: str
    shown: str


@dataclass(frozen=True, slots=True)
class _RenderContext:
    """What every worker holds once (made by its initializer), so tasks carry only page numbers."""

    site: Site
    pages: Sequence[PlannedPage]
    theme: Theme
    root: Path
    environment: jinja2.Environment
    sink: PageSink | None = None


def render_site(
    site: Site,
    pages: Sequence[PlannedPage],
    theme: Theme,
    root: Path,
    report: Report,
    executor_factory: ExecutorFactory | None = None,
    progress: Progress = no_progress,
    noted: dict[str, PageReads | None] | None = None,
    sink: PageSink | None = None,
) -> tuple[OutputFile | StagedFile, ...]:
    """Render each page; a template error is reported once per template line, with the page that hit it.

    Pages are rendered by the executor `executor_factory` makes (in this process by
    default) and collected in page order, so the output does not depend on the executor.
    `noted` receives, by output path, what each page read (engine/graph.py). With a `sink`
    (a build), each page is staged as soon as it is rendered and only what `sink` says of
    it comes back: StagedFiles, never the pages' bytes.
    """
    rendered = _render_pages(site, pages, theme, root, executor_factory, progress, sink)
    for item in rendered:
        if noted is not None and not isinstance(item, RenderFailure):
            path = item.output.path if isinstance(item, RenderedPage) else item.staged.path
            noted[path] = item.reads
    return collect_rendered(rendered, report)


def _render_pages(
    site: Site,
    pages: Sequence[PlannedPage],
    theme: Theme,
    root: Path,
    executor_factory: ExecutorFactory | None,
    progress: Progress,
    sink: PageSink | None,
) -> list[RenderedPage | StagedPage | RenderFailure]:
    """Every page rendered on the executor, in page order."""
    return map_in_chunks(
        executor_factory or InProcessExecutor,
        _worker_context,
        (site, pages, theme, root, sink),
        _render_numbered,
        range(len(pages)),
        lambda count: progress("pages rendered", count, len(pages)),
    )


def _worker_context(
    shared: tuple[Site, Sequence[PlannedPage], Theme, Path, PageSink | None],
) -> _RenderContext:
    site, pages, theme, root, sink = shared
    return _RenderContext(site, pages, theme, root, make_environment(site, theme), sink)


def _render_numbered(
    context: _RenderContext, number: int
) -> RenderedPage | StagedPage | RenderFailure:
    page = context.pages[number]
    rendered = _render_page(context, page)
    if context.sink is None or not isinstance(rendered, RenderedPage):
        return rendered
    # Staged here, in the worker: only the page's facts travel back, never its bytes.
    return StagedPage(context.sink.take(rendered.output, is_searchable(page)), rendered.reads)


def is_searchable(page: PlannedPage) -> bool:
    """Whether the search indexes the page: a record's or a document's own page."""
    return page.record is not None or page.document is not None


def _render_page(context: _RenderContext, page: PlannedPage) -> RenderedPage | RenderFailure:
    try:
        with noting_reads() as reads:
            html = context.environment.get_template(page.template).render(
                page=page, canonical=_canonical(context.site, page)
            )
    except Exception as exc:  # any template failure becomes a located diagnostic
        location = _template_location(exc, context.root, context.theme)
        shown = f"{page.source.path}" if page.source else page.output_path
        return RenderFailure(location, f"{type(exc).__name__}: {exc}", shown)
    page_reads = PageReads.of(reads) if reads.cacheable else None
    return RenderedPage(OutputFile(page.output_path, html.encode("utf-8")), page_reads)


def collect_rendered(
    rendered: Iterable[OutputFile | StagedFile | RenderedPage | StagedPage | RenderFailure],
    report: Report,
) -> tuple[OutputFile | StagedFile, ...]:
    """The rendered files in page order; each distinct template error reported once."""
    seen: set[tuple[str, str]] = set()
    outputs: list[OutputFile | StagedFile] = []
    for item in rendered:
        if isinstance(item, OutputFile | StagedFile):
            outputs.append(item)
        elif isinstance(item, RenderedPage):
            outputs.append(item.output)
        elif isinstance(item, StagedPage):
            outputs.append(item.staged)
        elif (str(item.location), item.message) not in seen:
            seen.add((str(item.location), item.message))
            message = text("GS402", page=item.shown, error=item.message)
            report.say("error", message, item.location, text("GS402.hint"))
    return tuple(outputs)


def make_environment(site: Site, theme: Theme) -> jinja2.Environment:
    """The Jinja environment: autoescaped, strict about undefined names, with govsite's helpers."""
    # Reads are noted so the build cache knows each page's inputs (govsite/reads.py);
    # `finalize` sees every printed value and returns it unchanged.
    environment = ReadingEnvironment(
        loader=theme.loader(),
        bytecode_cache=_KeptCompiled(theme.compiled_templates)
        if theme.compiled_templates
        else None,
        finalize=note_printed,
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    labels = theme.labels
    environment.globals.update(
        labels=labels,
        link=_link,
        asset=_asset_linker(theme),
        asset_has_content=_asset_has_content(theme),
        # A change of config reloads the whole site, so the environment may hold it.
        integrity=_integrity_attribute(theme, site.config.subresource_integrity),
    )
    environment.filters.update(
        format_date=lambda d: _format_date(d, labels),
        filesize=format_size,
        validity_label=lambda v: labels[f"validity_{v}"],
    )
    bind_site(environment, site, labels)
    return environment


class _KeptCompiled(jinja2.BytecodeCache):
    """Jinja's compiled templates, kept in the build cache: each process that renders (a
    build's workers, an update, the preview) loads them instead of compiling every
    template again (0.1 s of an edit's build). Jinja checks each against its template's
    source; the cache's own digest (cachefiles.write_checked), that it is whole. One that
    is not, or cannot be kept, is compiled again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = read_checked(self.folder / bucket.key)
        if data is not None:
            try:
                bucket.bytecode_from_string(data)
            except Exception:  # whole, but not what this Jinja reads
                bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        with contextlib.suppress(OSError):  # a read-only cache: compiled again next time
            write_checked(self.folder / bucket.key, bucket.bytecode_to_string())


def bind_site(environment: jinja2.Environment, site: Site, labels: Mapping[str, str]) -> None:
    """Point the helpers that read the site at `site`.

    The preview keeps one environment across edits (its compiled templates with it) and
    binds each new version of the site; loaded templates see the change, as their
    globals chain to the environment's.
    """
    environment.globals.update(
        site=site,
        labels=labels,
        link=_link,
        agency=site.agencies.__getitem__,
        category=site.categories.by_path.__getitem__,
        topic=site.topics.by_path.__getitem__,
        record=record_lookup(site),
        json_ld=lambda record: metadata.json_ld(site, _noted(record)),
        government_meta=lambda page: metadata.government_meta(site, labels, _noted_page(page)),
        feed_links=lambda page: metadata.feed_links(site, labels, _noted_page(page)),
        with_report_tables=with_report_tables,
        statuses=STATUSES,  # every validity a record can show, for the search filters
    )


class PageRenderer:
    """Renders pages one at a time in this process, with one environment kept across edits."""

    def __init__(self, site: Site, theme: Theme, root: Path) -> None:
        self._context = _RenderContext(site, (), theme, root, make_environment(site, theme))

    def rebind(self, site: Site) -> None:
        """Render from now on with `site` (a new version of the same site, same theme)."""
        context = self._context
        bind_site(context.environment, site, context.theme.labels)
        self._context = _RenderContext(site, (), context.theme, context.root, context.environment)

    def render(self, page: PlannedPage) -> RenderedPage | RenderFailure:
        return _render_page(self._context, page)


def _noted(record: Record) -> Record:
    """A record a helper reads in Python, out of the templates' sight: it may use any field."""
    note_record(record)
    return record


def _noted_page(page: PlannedPage) -> PlannedPage:
    if page.record is not None:
        _noted(page.record)
    return page


@jinja2.pass_context
def _link(context: jinja2.runtime.Context, url: str) -> str:
    """The href from the page being rendered to the site path `url`."""
    page: PlannedPage = context["page"]
    site: Site = context["site"]
    if page.url == NOT_FOUND_PATH:
        # Hosts serve 404.html at whatever path was asked for, so relative links would
        # break there: the 404 page links from the site's root path instead.
        return encode_path(urlsplit(site.config.base_url).path + url)
    return link_href(page.url, url)


def _asset_linker(theme: Theme) -> Any:
    @jinja2.pass_context
    def asset(context: jinja2.runtime.Context, name: str) -> str:
        return str(_link(context, _theme_asset(theme, name).url))

    return asset


def _theme_asset(theme: Theme, name: str) -> Asset:
    """The theme's static file `name`; LookupError, which the page's error shows, if none."""
    found = theme.assets.get(name)
    if found is None:
        raise LookupError(f"asset '{name}' is not in the static/ folder of theme '{theme.name}'")
    return found


def _asset_has_content(theme: Theme) -> Any:
    """Whether a theme asset publishes any bytes: a page need not ask for an empty one (the
    default theme's css/custom.css, empty until a child theme fills it, was a request of
    every page for nothing)."""

    def has_content(name: str) -> bool:
        found = _theme_asset(theme, name)
        if found.minified is not None:  # CSS and JS: what is published is the minified bytes
            return found.minified != b""
        return found.source.stat().st_size > 0

    return has_content


def _integrity_attribute(theme: Theme, enabled: bool) -> Any:
    """` integrity="sha384-…"` for a theme asset's link or script, or nothing when turned off."""

    def integrity(name: str) -> Markup:
        if not enabled or name not in theme.assets:
            return Markup("")  # an unknown name is reported by asset() on the same tag
        return Markup(' integrity="{}"').format(theme.assets[name].integrity)

    return integrity


def _canonical(site: Site, page: PlannedPage) -> str:
    # Percent-encoded like the sitemap, feeds and JSON-LD, so all name a page the same way.
    return absolute_url(site.config.base_url, page.url)


def _format_date(value: date, labels: Mapping[str, str]) -> str:
    return labels["date_format"].format(year=value.year, month=value.month, day=value.day)


def format_size(size: int) -> str:
    """A file size as readers expect it: `812 B`, `12.3 KB`, `4.1 MB`."""
    if size < 1024:
        return f"{size} B"
    value = size / 1024
    for unit in ("KB", "MB"):
        if value < 1024:
            return f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GB"


def _template_location(exc: Exception, root: Path, theme: Theme) -> SourceLocation:
    """The innermost template line of the error (Jinja maps its frames back to template lines)."""
    if isinstance(exc, jinja2.TemplateSyntaxError) and exc.filename:
        return SourceLocation(display_path(Path(exc.filename), root), exc.lineno)
    found = SourceLocation(display_path(theme.template_dirs[0], root))
    tb: TracebackType | None = exc.__traceback__
    for frame, line in traceback.walk_tb(tb):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            found = SourceLocation(display_path(Path(filename), root), line)
    return found
