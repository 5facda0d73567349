"""Stage 5: render every planned page through the theme's templates (no file is written here)."""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import jinja2

from govsite import metadata
from govsite.errors import Report, SourceLocation
from govsite.model import Site
from govsite.plan import NOT_FOUND_PATH, PlannedPage
from govsite.theme import Theme, display_path
from govsite.urls import relative_href


@dataclass(frozen=True, slots=True)
class OutputFile:
    """A rendered file: its path inside the build folder and its bytes."""

    path: str
    content: bytes


def render_site(
    site: Site, pages: Sequence[PlannedPage], theme: Theme, root: Path, report: Report
) -> tuple[OutputFile, ...]:
    """Render each page; a template error is reported once per template line, with the page that hit it."""
    environment = make_environment(site, theme)
    seen: set[tuple[str, str]] = set()
    outputs: list[OutputFile] = []
    for page in pages:
        try:
            html = environment.get_template(page.template).render(
                page=page, canonical=_canonical(site, page)
            )
        except Exception as exc:  # any template failure becomes a located diagnostic
            _report_template_error(exc, page, theme, root, seen, report)
            continue
        outputs.append(OutputFile(page.output_path, html.encode("utf-8")))
    return tuple(outputs)


def make_environment(site: Site, theme: Theme) -> jinja2.Environment:
    """The Jinja environment: autoescaped, strict about undefined names, with govsite's helpers."""
    environment = jinja2.Environment(
        loader=theme.loader(),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    labels = theme.labels
    environment.globals.update(
        site=site,
        labels=labels,
        link=_link,
        asset=_asset_linker(theme),
        agency=site.agencies.__getitem__,
        category=site.categories.by_path.__getitem__,
        topic=site.topics.by_path.__getitem__,
        record=site.record,
        json_ld=lambda record: metadata.json_ld(site, record),
        government_meta=lambda page: metadata.government_meta(site, labels, page),
        feed_links=lambda page: metadata.feed_links(site, labels, page),
    )
    environment.filters.update(
        format_date=lambda d: _format_date(d, labels),
        filesize=format_size,
        validity_label=lambda v: labels[f"validity_{v}"],
    )
    return environment


@jinja2.pass_context
def _link(context: jinja2.runtime.Context, url: str) -> str:
    """The href from the page being rendered to the site path `url`."""
    page: PlannedPage = context["page"]
    site: Site = context["site"]
    if page.url == NOT_FOUND_PATH:
        # Hosts serve 404.html at whatever path was asked for, so relative links would
        # break there: the 404 page links from the site's root path instead.
        return urlsplit(site.config.base_url).path + url
    return relative_href(page.url, url)


def _asset_linker(theme: Theme) -> Any:
    @jinja2.pass_context
    def asset(context: jinja2.runtime.Context, name: str) -> str:
        if name not in theme.assets:
            raise LookupError(
                f"asset '{name}' is not in the static/ folder of theme '{theme.name}'"
            )
        return str(_link(context, theme.assets[name].url))

    return asset


def _canonical(site: Site, page: PlannedPage) -> str:
    return site.config.base_url + page.url


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


def _report_template_error(
    exc: Exception,
    page: PlannedPage,
    theme: Theme,
    root: Path,
    seen: set[tuple[str, str]],
    report: Report,
) -> None:
    location = _template_location(exc, root, theme)
    message = f"{type(exc).__name__}: {exc}"
    if (str(location), message) in seen:
        return
    seen.add((str(location), message))
    shown = f"{page.source}" if page.source else f"the page '{page.output_path}'"
    report.error("GS402", f"template error while rendering {shown}: {message}", location)


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
