"""Machine-readable metadata in page heads: schema.org JSON-LD, government meta tags, feed links.

The templates (partials/head_meta.html) decide the markup; this module works out the
values, so the rules (which column a page belongs to, how validity maps to legal force)
live in one tested place.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from urllib.parse import urlsplit

from markupsafe import Markup

from govsite.clock import CHINA_STANDARD_TIME
from govsite.model import CatalogueNode, Record, Site, Status
from govsite.plan import CATALOGUE_URL, Link, PlannedPage
from govsite.urls import absolute_url

ALL_RECORDS_FEED = "feeds/all.xml"

# A record's legal force on the build's date; schema.org has no "not yet in force".
LEGAL_FORCE: Mapping[Status, str] = {
    "pending": "https://schema.org/NotInForce",
    "effective": "https://schema.org/InForce",
    "amended": "https://schema.org/PartiallyInForce",
    "repealed": "https://schema.org/NotInForce",
    "expired": "https://schema.org/NotInForce",
}

_LATER_PAGE = re.compile(r"page/\d+/$")

# Characters that could end the <script> element or open a comment inside it. JSON lets
# any character be written as \uXXXX, so escaping them keeps the data and the page safe.
_SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def category_feed(key: str) -> str:
    """The site path of the feed of the top-level category `key`."""
    return f"feeds/catalogue/{key}.xml"


def start_of_day(day: date) -> datetime:
    """Midnight of `day` in China Standard Time, for formats that need a time (Atom)."""
    return datetime.combine(day, time(0, 0), CHINA_STANDARD_TIME)


def last_changed(record: Record) -> date:
    """The day a record last changed: its `updated` date, or the day it was published,
    or a later day on which its dates changed what it shows (it took effect or expired)."""
    changed = record.updated or record.published
    return max(changed, record.status_changed or changed)


def site_domain(site: Site) -> str:
    return urlsplit(site.config.base_url).hostname or ""


def page_category(site: Site, page: PlannedPage) -> CatalogueNode | None:
    """The catalogue category a record page or a category listing belongs to."""
    if page.record is not None:
        return site.categories.by_path[page.record.category]
    if page.listing is not None and page.listing.kind == "category":
        # `catalogue/<path>/` or a later page of it, `catalogue/<path>/page/<n>/`.
        path = _LATER_PAGE.sub("", page.url.removeprefix(CATALOGUE_URL)).rstrip("/")
        return site.categories.by_path.get(path)
    return None


def feed_links(site: Site, labels: Mapping[str, str], page: PlannedPage) -> tuple[Link, ...]:
    """The feeds a page announces: all new records, and the feed of its top-level category."""
    separator = labels["title_separator"]
    links = [Link(f"{labels['latest']}{separator}{site.config.title}", ALL_RECORDS_FEED)]
    node = page_category(site, page)
    if node is not None:
        top = site.categories.lineage(node.path)[0]
        links.append(Link(f"{top.title}{separator}{site.config.title}", category_feed(top.key)))
    return tuple(links)


def government_meta(
    site: Site, labels: Mapping[str, str], page: PlannedPage
) -> tuple[tuple[str, str], ...]:
    """The `<meta name>` pairs Chinese government publishing systems and crawlers read.

    Site tags on every page, column tags on pages of a category, article tags on records.
    """
    identity = site.config.identity
    tags = [
        ("SiteName", site.config.title),
        ("SiteDomain", site_domain(site)),
        ("SiteIDCode", identity.site_id),
    ]
    node = page_category(site, page)
    if node is not None:
        lineage = site.categories.lineage(node.path)
        tags += [("ColumnName", lineage[-1].title), ("ColumnType", lineage[0].title)]
    record = page.record
    if record is not None:
        tags += _article_meta(site, labels, record)
    return tuple(tags)


def _article_meta(site: Site, labels: Mapping[str, str], record: Record) -> list[tuple[str, str]]:
    sources = labels["list_separator"].join(site.agencies[a].title for a in record.agencies)
    tags = [
        ("ArticleTitle", record.title),
        ("PubDate", record.published.isoformat()),
        ("ContentSource", sources),
    ]
    if record.keywords:
        tags.append(("Keywords", ",".join(record.keywords)))
    # No `Description` here: meta names are case-insensitive and base.html already gives
    # every page its `description`.
    return tags


def json_ld(site: Site, record: Record) -> Markup:
    """The schema.org `Legislation` of a record, as JSON safe inside a `<script>` element."""
    text = json.dumps(legislation(site, record), ensure_ascii=False, indent=1, sort_keys=True)
    return Markup(text.translate(_SCRIPT_SAFE))


def legislation(site: Site, record: Record) -> dict[str, Any]:
    """A record as a schema.org `Legislation` object (https://schema.org/Legislation)."""
    base = site.config.base_url
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Legislation",
        "@id": absolute_url(base, record.url),
        "url": absolute_url(base, record.url),
        "name": record.title,
        "identifier": record.index_no,
        "inLanguage": site.config.language,
        "legislationDate": record.written.isoformat(),
        "datePublished": record.published.isoformat(),
        "legislationPassedBy": [_organization(site, key) for key in record.agencies],
        "legislationLegalForce": LEGAL_FORCE[record.status],
        "publisher": {"@type": "GovernmentOrganization", "name": site.config.identity.host},
    }
    optional: dict[str, Any] = {
        "legislationIdentifier": record.doc_no,
        "legislationType": record.genre,
        "legislationDateOfApplicability": _iso(record.effective),
        "expires": _iso(record.expires),
        "dateModified": _iso(record.updated),
        "keywords": ",".join(record.keywords) or None,
        "description": record.summary,
    }
    data.update({key: value for key, value in optional.items() if value is not None})
    if record.interprets:
        interpreted = [_reference(site, site.record(n)) for n in record.interprets]
        data["about"] = interpreted
        data["isBasedOn"] = interpreted
    if record.interpretations:
        data["subjectOf"] = [_reference(site, site.record(n)) for n in record.interpretations]
    if record.supersedes:
        # schema.org's legislationChanges covers replacement and repeal of another text.
        data["legislationChanges"] = [_reference(site, site.record(n)) for n in record.supersedes]
    return data


def _organization(site: Site, key: str) -> dict[str, str]:
    agency = site.agencies[key]
    return {"@type": "GovernmentOrganization", "name": agency.title, "identifier": agency.code}


def _reference(site: Site, record: Record) -> dict[str, str]:
    """A short mention of another record: enough to find it, with its page as @id."""
    reference = {
        "@type": "Legislation",
        "@id": absolute_url(site.config.base_url, record.url),
        "name": record.title,
        "identifier": record.index_no,
    }
    if record.doc_no:
        reference["legislationIdentifier"] = record.doc_no
    return reference


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None
