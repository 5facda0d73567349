"""sitemap.xml (sitemaps.org protocol 0.9) with each page's last change, and robots.txt naming it.

One sitemap holds at most 50,000 addresses; a larger site (a national portal has 100,000+
records) gets a sitemap index at `sitemap.xml` and the parts beside it, `sitemap-1.xml`, …
at the site root, because a sitemap may only list addresses below its own folder.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from govsite.model import Site
from govsite.outputs.metadata import last_changed
from govsite.plan import NOT_FOUND_PATH, PlannedPage
from govsite.render import OutputFile
from govsite.urls import absolute_url

SITEMAP_URLS = 50_000
"""The protocol's limit of addresses in one sitemap file."""
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_PATH = "sitemap.xml"

Entry = tuple[str, date | None]
"""An absolute address and the day it last changed, when known."""


def build_sitemap(
    site: Site,
    pages: Sequence[PlannedPage],
    limit: int = SITEMAP_URLS,
    entries: Sequence[Entry] | None = None,
    kept: tuple[Sequence[Entry], Sequence[OutputFile]] = ((), ()),
) -> tuple[OutputFile, ...]:
    """The sitemap (or a sitemap index and its parts) of every page but the 404 page, and
    robots.txt; `entries` are `sitemap_entries(site, pages)` if the caller has them.
    `kept`: an earlier sitemap's entries and files, whose parts with the same entries are
    reused (the preview: a listing's change leaves the parts of 50,000 record pages alone)."""
    entries = list(sitemap_entries(site, pages)) if entries is None else entries
    robots = OutputFile("robots.txt", robots_txt(site).encode("utf-8"))
    if len(entries) <= limit:
        return (OutputFile(SITEMAP_PATH, _urlset(entries)), robots)
    parts = [entries[start : start + limit] for start in range(0, len(entries), limit)]
    old_entries, old_files = kept
    before = {f.path: f for f in old_files}
    files = [
        before[path]
        if path in before and old_entries[start : start + limit] == part
        else OutputFile(path, _urlset(part))
        for start, path, part in (
            (n * limit, f"sitemap-{n + 1}.xml", part) for n, part in enumerate(parts)
        )
    ]
    index = [
        (absolute_url(site.config.base_url, f.path), _newest(d for _, d in part))
        for f, part in zip(files, parts, strict=True)
    ]
    return (OutputFile(SITEMAP_PATH, _sitemap_index(index)), *files, robots)


def sitemap_entries(site: Site, pages: Sequence[PlannedPage]) -> Iterable[Entry]:
    """Each page's address and last change, in the order the pages were planned."""
    site_changed = _newest(last_changed(r) for r in site.records)
    for page in pages:
        if page.url == NOT_FOUND_PATH:
            continue
        yield page_entry(site, page, site_changed)


def page_entry(site: Site, page: PlannedPage, site_changed: date | None) -> Entry:
    """A page's address and last change; `site_changed` is the newest record's last change."""
    return absolute_url(site.config.base_url, page.url), _page_changed(page, site_changed)


def robots_txt(site: Site) -> str:
    """Every crawler is welcome; the sitemap says where the pages are."""
    # Crawlers read robots.txt only at the root of a host: a site published under a
    # sub-path needs the Sitemap line copied into the host's own robots.txt.
    sitemap = absolute_url(site.config.base_url, SITEMAP_PATH)
    return f"User-agent: *\nAllow: /\n\nSitemap: {sitemap}\n"


def _page_changed(page: PlannedPage, site_changed: date | None) -> date | None:
    """A record changes with its `updated` date; a listing with its newest row; the site's
    home and directories with any record; a plain page's date is unknown (no lastmod)."""
    if page.record is not None:
        return last_changed(page.record)
    if page.listing is not None:
        return _newest(last_changed(r) for r in page.listing.records)
    if page.document is not None:
        return None
    return site_changed


def _newest(days: Iterable[date | None]) -> date | None:
    return max((d for d in days if d is not None), default=None)


def _urlset(entries: Sequence[Entry]) -> bytes:
    return _listed("urlset", "url", entries)


def _sitemap_index(entries: Sequence[Entry]) -> bytes:
    return _listed("sitemapindex", "sitemap", entries)


def _listed(root: str, name: str, entries: Sequence[Entry]) -> bytes:
    """The XML of `entries`, written out as text in the bytes lxml's pretty printer wrote
    (an element tree of 13,000 addresses took a twentieth of a second of every update
    that moved a listing's last change)."""
    head = f"<?xml version='1.0' encoding='utf-8'?>\n<{root} xmlns=\"{SITEMAP_NS}\""
    if not entries:
        return f"{head}/>\n".encode()
    parts = [f"{head}>\n"]
    for loc, changed in entries:
        lastmod = f"    <lastmod>{changed.isoformat()}</lastmod>\n" if changed else ""
        parts.append(f"  <{name}>\n    <loc>{_text(loc)}</loc>\n{lastmod}  </{name}>\n")
    parts.append(f"</{root}>\n")
    return "".join(parts).encode("utf-8")


def _text(value: str) -> str:
    """`value` as XML character data, as lxml escapes it (xml.sax.saxutils would import
    urllib.request, and http and ssl with it, into every build)."""
    escaped = value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace("\r", "&#13;")
