"""Atom feeds (RFC 4287): the newest records of the site, and of each top-level category.

Ids never change once a record is out: they are name-based UUIDs of the site's domain
and the record's 索引号, which editors must never change, so moving a file (its URL),
correcting a date or rewording a title does not make readers see a record twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from lxml import etree

from govsite.model import Record, Site
from govsite.outputs.metadata import (
    ALL_RECORDS_FEED,
    category_feed,
    last_changed,
    site_domain,
    start_of_day,
)
from govsite.outputs.opendata import SCHEMA_PATH
from govsite.plan import CATALOGUE_URL, category_url
from govsite.render import OutputFile
from govsite.urls import absolute_url

FEED_ENTRIES = 50
"""Entries per feed. Readers poll often and only need what is new; a national portal's
100,000 records would make a feed of tens of megabytes."""

ATOM = "http://www.w3.org/2005/Atom"
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# lxml-stubs types nsmap keys as str, but None is how lxml names the default namespace.
_DEFAULT_NAMESPACE: Any = {None: ATOM}
# Used only when a site has no record at all: Atom requires a date, and a fixed one keeps
# builds reproducible.
_NO_RECORD_DATE = date(2000, 1, 1)


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    path: str
    """Site path of the feed file."""
    key: str
    """Stable name of the feed, part of its id."""
    title: str
    page: str
    """Site path of the HTML page that shows the same records."""
    records: tuple[Record, ...]


def build_feeds(site: Site, labels: Mapping[str, str]) -> tuple[OutputFile, ...]:
    """The feed of all new records and one feed per top-level category, each newest first."""
    return tuple(
        OutputFile(feed.path, render_feed(site, feed, labels)) for feed in plan_feeds(site, labels)
    )


def plan_feeds(site: Site, labels: Mapping[str, str]) -> tuple[Feed, ...]:
    """Which feeds the site has and their records, in one pass over the records."""
    separator = labels["title_separator"]
    newest: dict[str, list[Record]] = {node.key: [] for node in site.categories.roots}
    for record in site.records:  # newest first already
        group = newest[record.category.split("/")[0]]
        if len(group) < FEED_ENTRIES:
            group.append(record)
    feeds = [
        Feed(
            path=ALL_RECORDS_FEED,
            key="all",
            title=f"{labels['latest']}{separator}{site.config.title}",
            page="",
            records=site.records[:FEED_ENTRIES],
        )
    ]
    feeds += [
        Feed(
            path=category_feed(node.key),
            key=f"catalogue/{node.key}",
            title=f"{node.title}{separator}{site.config.title}",
            page=category_url(node),
            records=tuple(newest[node.key]),
        )
        for node in site.categories.roots
    ]
    return tuple(feeds)


def render_feed(site: Site, feed: Feed, labels: Mapping[str, str]) -> bytes:
    """One Atom feed document."""
    base = site.config.base_url
    root = etree.Element(f"{{{ATOM}}}feed", nsmap=_DEFAULT_NAMESPACE)
    root.set(_XML_LANG, site.config.language)
    _text(root, "id", feed_id(site, feed.key))
    _text(root, "title", feed.title)
    if site.config.description:
        _text(root, "subtitle", site.config.description)
    _text(root, "updated", start_of_day(_feed_updated(site, feed.records)).isoformat())
    _link(root, "self", "application/atom+xml", absolute_url(base, feed.path))
    _link(root, "alternate", "text/html", absolute_url(base, feed.page))
    author = etree.SubElement(root, f"{{{ATOM}}}author")
    _text(author, "name", site.config.identity.host)
    _text(author, "uri", base)
    _text(root, "generator", "govsite")
    for record in feed.records:
        _entry(root, site, record, labels)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def entry_id(site: Site, record: Record) -> str:
    """The id of a record's entry in every feed: the same in every build, for ever."""
    return _site_uuid(site, f"record/{record.index_no}")


def feed_id(site: Site, key: str) -> str:
    return _site_uuid(site, f"feed/{key}")


def _site_uuid(site: Site, name: str) -> str:
    # RFC 9562 name-based UUIDs: the site's domain names the namespace (as DNS names are
    # meant to), so two sites never share an id, and one site always makes the same ids.
    namespace = uuid.uuid5(uuid.NAMESPACE_DNS, site_domain(site))
    return uuid.uuid5(namespace, name).urn


def _feed_updated(site: Site, records: Sequence[Record]) -> date:
    """The last change among the feed's records; for an empty feed, the site's newest."""
    pool = records or site.records[:FEED_ENTRIES]
    return max((last_changed(r) for r in pool), default=_NO_RECORD_DATE)


def _entry(feed: etree._Element, site: Site, record: Record, labels: Mapping[str, str]) -> None:
    base = site.config.base_url
    entry = etree.SubElement(feed, f"{{{ATOM}}}entry")
    _text(entry, "id", entry_id(site, record))
    _text(entry, "title", record.title)
    _text(entry, "updated", start_of_day(last_changed(record)).isoformat())
    _text(entry, "published", start_of_day(record.published).isoformat())
    _link(entry, "alternate", "text/html", absolute_url(base, record.url))
    for key in record.agencies:
        author = etree.SubElement(entry, f"{{{ATOM}}}author")
        _text(author, "name", site.agencies[key].title)
    node = site.categories.by_path[record.category]
    category = etree.SubElement(entry, f"{{{ATOM}}}category")
    category.set("term", node.path)
    category.set("scheme", absolute_url(base, CATALOGUE_URL))
    category.set("label", node.title)
    # The record's validity on the build's date, in the vocabulary of the open data's `status`.
    status = etree.SubElement(entry, f"{{{ATOM}}}category")
    status.set("term", record.status)
    status.set("scheme", f"{absolute_url(base, SCHEMA_PATH)}#status")
    status.set("label", labels[f"validity_{record.status}"])
    if record.summary:
        _text(entry, "summary", record.summary)


def _text(parent: etree._Element, name: str, text: str) -> None:
    etree.SubElement(parent, f"{{{ATOM}}}{name}").text = text


def _link(parent: etree._Element, rel: str, media_type: str, href: str) -> None:
    link = etree.SubElement(parent, f"{{{ATOM}}}link")
    link.set("rel", rel)
    link.set("type", media_type)
    link.set("href", href)
