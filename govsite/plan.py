"""Stage 4: decide every page of the site, its URL, template and what it shows.

Listings are grouped in one pass over the records (each record joins the listing of
its category and every ancestor, each agency, its year and each topic), so planning
stays linear in the number of records.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

from govsite import messages
from govsite.errors import Report, SourceLocation
from govsite.model import Catalogue, CatalogueNode, Page, Record, Site
from govsite.urls import output_file

HOME_URL = ""
CATALOGUE_URL = "catalogue/"
AGENCIES_URL = "agencies/"
YEARS_URL = "years/"
TOPICS_URL = "topics/"
REPEALED_URL = "repealed/"
SEARCH_URL = "search/"
SITEMAP_URL = "sitemap/"
NOT_FOUND_PATH = "404.html"

ListingKind = Literal["category", "agency", "year", "topic", "repealed"]

PLANNED_RECORD_FIELDS = frozenset(
    {"url", "title", "source", "summary", "category", "agencies", "published", "topics"}
    | {"validity", "status", "index_no"}
)
"""The fields of a record the planner reads (the preview plans again only when one changed;
tests/test_engine.py changes every other field and checks the plan stays the same)."""
PLANNED_PAGE_FIELDS = frozenset({"url", "title", "source"})
"""The fields of a plain page the planner reads."""
OWN_PAGE_FIELDS = frozenset({"title", "summary"})
"""Planned fields of a record or plain page that only its own page shows (its title and
description): an edit of these plans that page alone (`plan_document_page`)."""


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DirectoryEntry:
    """A row of a directory page: a category, agency, year or topic and how many records it has."""

    title: str
    url: str
    count: int
    depth: int = 0
    description: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Pagination:
    number: int
    """1-based number of this page."""
    urls: tuple[str, ...]
    """The URL of every page of the listing, in order."""

    @property
    def count(self) -> int:
        return len(self.urls)

    @property
    def previous_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None

    @property
    def window(self) -> tuple[tuple[int, str | None], ...]:
        """The numbered pages the navigation shows, in order, as (number, URL): the first, the
        last and two either side of this one, and (number, None) for a gap where pages are
        left out. Worked out from at most nine numbers: the template's loop over every page,
        on every page, was quadratic in a listing's length (a top-level category has 500
        pages at 100,000 records)."""
        count, number = self.count, self.number
        near = range(number - 2, number + 3)
        candidates = sorted(n for n in {1, 2, *near, count - 1, count} if 1 <= n <= count)
        shown: list[tuple[int, str | None]] = []
        for n in candidates:
            if n in (1, count) or abs(n - number) <= 2:
                shown.append((n, self.urls[n - 1]))
            elif n in (2, count - 1):
                shown.append((n, None))
        return tuple(shown)


@dataclass(frozen=True, slots=True, kw_only=True)
class Listing:
    """One page of a table of records: a category, an agency, a year, a topic, or the repealed."""

    kind: ListingKind
    title: str
    description: str | None
    records: tuple[Record, ...]
    first_number: int
    """序号 of the first row on this page."""
    total: int
    pagination: Pagination
    subsections: tuple[DirectoryEntry, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class PlannedPage:
    """A page to render: where it goes, which template draws it and what it is about."""

    url: str
    template: str
    title: str
    breadcrumbs: tuple[Link, ...]
    """Links from the home page down to this page's parent."""
    source: SourceLocation | None = None
    """The document this page shows; None for pages govsite generates."""
    description: str | None = None
    record: Record | None = None
    document: Page | None = None
    listing: Listing | None = None
    directory: tuple[DirectoryEntry, ...] = ()

    @property
    def output_path(self) -> str:
        """Where the page is written inside the build folder."""
        return output_file(self.url)


def plan_document_page(
    site: Site, labels: Mapping[str, str], document: Record | Page
) -> PlannedPage:
    """The page of one record or plain page, as `plan_site` plans it."""
    planner = _Planner(site, labels)
    if isinstance(document, Record):
        return planner.record_page(document)
    return planner.plain_page(document)


def plan_site(site: Site, labels: Mapping[str, str], report: Report) -> tuple[PlannedPage, ...]:
    """Every page of the site; two pages wanting one URL is an error naming both.

    `labels` are the theme's words for the pages govsite generates (home, catalogue, …).
    """
    planner = _Planner(site, labels)
    pages = [
        planner.home(),
        planner.not_found(),
        *planner.document_pages(),
        planner.catalogue_landing(),
        *planner.category_listings(),
        *planner.agency_listings(),
        *planner.year_listings(),
        *planner.topic_listings(),
        *planner.repealed_listing(),
        planner.search_page(),
        planner.sitemap_page(),
    ]
    _report_url_collisions(pages, report)
    return tuple(pages)


class _Planner:
    def __init__(self, site: Site, labels: Mapping[str, str]) -> None:
        self.site = site
        self.labels = labels
        self.home_link = Link(labels["home"], HOME_URL)
        self.catalogue_link = Link(labels["catalogue"], CATALOGUE_URL)

    def home(self) -> PlannedPage:
        config = self.site.config
        return PlannedPage(
            url=HOME_URL,
            template="home.html",
            title=config.title,
            breadcrumbs=(),
            description=config.description,
        )

    def not_found(self) -> PlannedPage:
        return PlannedPage(
            url=NOT_FOUND_PATH,
            template="404.html",
            title=self.labels["not_found"],
            breadcrumbs=(self.home_link,),
        )

    def search_page(self) -> PlannedPage:
        """The search form and results (static/js/search.js); without JavaScript it explains why."""
        return PlannedPage(
            url=SEARCH_URL,
            template="search.html",
            title=self.labels["search"],
            breadcrumbs=(self.home_link,),
        )

    def sitemap_page(self) -> PlannedPage:
        """网站地图: the sections, the category tree and the pages, not every record, so it
        stays one short page however many records a site has."""
        return PlannedPage(
            url=SITEMAP_URL,
            template="sitemap.html",
            title=self.labels["sitemap"],
            breadcrumbs=(self.home_link,),
            description=self.labels["sitemap_description"],
            directory=self._category_tree,
        )

    def document_pages(self) -> Iterable[PlannedPage]:
        for page in self.site.pages:
            yield self.plain_page(page)
        for record in self.site.records:
            yield self.record_page(record)

    def plain_page(self, page: Page) -> PlannedPage:
        return PlannedPage(
            url=page.url,
            template="page.html",
            title=page.title,
            breadcrumbs=(self.home_link,),
            source=page.source,
            document=page,
        )

    def record_page(self, record: Record) -> PlannedPage:
        categories = self.site.categories
        trail = [Link(n.title, category_url(n)) for n in categories.lineage(record.category)]
        return PlannedPage(
            url=record.url,
            template="record.html",
            title=record.title,
            breadcrumbs=(self.home_link, self.catalogue_link, *trail),
            source=record.source,
            # Without a 内容概述 the title is the best one-line description of a record.
            description=record.summary or record.title,
            record=record,
        )

    def catalogue_landing(self) -> PlannedPage:
        return PlannedPage(
            url=CATALOGUE_URL,
            template="catalogue.html",
            title=self.labels["catalogue"],
            breadcrumbs=(self.home_link,),
            directory=self._category_tree,
        )

    @functools.cached_property
    def _category_tree(self) -> tuple[DirectoryEntry, ...]:
        counts = {path: len(group) for path, group in self._by_category.items()}
        return tuple(_tree_entry(n, counts, category_url) for n in self.site.categories.walk())

    def category_listings(self) -> Iterable[PlannedPage]:
        yield from self._tree_listings(
            "category",
            self.site.categories,
            category_url,
            self._by_category,
            (self.home_link, self.catalogue_link),
        )

    def agency_listings(self) -> Iterable[PlannedPage]:
        members = _group(self.site.records, lambda r: r.agencies)
        agencies = self.site.agencies.values()
        yield self._directory(
            AGENCIES_URL,
            "agencies",
            [
                DirectoryEntry(
                    title=a.title, url=agency_url(a.key), count=len(members.get(a.key, ()))
                )
                for a in agencies
            ],
        )
        parent = Link(self.labels["agencies"], AGENCIES_URL)
        for agency in agencies:
            yield from self._paginate(
                "agency",
                agency_url(agency.key),
                agency.title,
                None,
                members.get(agency.key, ()),
                (self.home_link, self.catalogue_link, parent),
            )

    def year_listings(self) -> Iterable[PlannedPage]:
        members = _group(self.site.records, lambda r: (str(r.published.year),))
        years = sorted(members, reverse=True)
        title = self.labels["year_listing"]
        yield self._directory(
            YEARS_URL,
            "years",
            [
                DirectoryEntry(
                    title=title.format(year=year), url=year_url(year), count=len(members[year])
                )
                for year in years
            ],
        )
        parent = Link(self.labels["years"], YEARS_URL)
        for year in years:
            yield from self._paginate(
                "year",
                year_url(year),
                title.format(year=year),
                None,
                members[year],
                (self.home_link, self.catalogue_link, parent),
            )

    def topic_listings(self) -> Iterable[PlannedPage]:
        members = _group(
            self.site.records, lambda r: {p for t in r.topics for p in _ancestor_paths(t)}
        )
        counts = {path: len(group) for path, group in members.items()}
        topics = self.site.topics
        entries = [_tree_entry(n, counts, topic_url) for n in topics.walk()]
        yield self._directory(TOPICS_URL, "topics", entries)
        parent = Link(self.labels["topics"], TOPICS_URL)
        yield from self._tree_listings(
            "topic", topics, topic_url, members, (self.home_link, self.catalogue_link, parent)
        )

    def repealed_listing(self) -> Iterable[PlannedPage]:
        repealed = tuple(r for r in self.site.records if r.no_longer_in_force)
        yield from self._paginate(
            "repealed",
            REPEALED_URL,
            self.labels["repealed"],
            self.labels["repealed_description"],
            repealed,
            (self.home_link, self.catalogue_link),
        )

    def _tree_listings(
        self,
        kind: ListingKind,
        catalogue: Catalogue,
        url_of: Callable[[CatalogueNode], str],
        members: Mapping[str, tuple[Record, ...]],
        breadcrumbs: tuple[Link, ...],
    ) -> Iterable[PlannedPage]:
        """A listing for every node of a tree, each with its children as subsections."""
        counts = {path: len(group) for path, group in members.items()}
        for node in catalogue.walk():
            trail = [Link(n.title, url_of(n)) for n in catalogue.lineage(node.path)[:-1]]
            yield from self._paginate(
                kind,
                url_of(node),
                node.title,
                node.description,
                members.get(node.path, ()),
                (*breadcrumbs, *trail),
                tuple(_tree_entry(child, counts, url_of) for child in node.children),
            )

    @functools.cached_property
    def _by_category(self) -> Mapping[str, tuple[Record, ...]]:
        return _group(self.site.records, lambda r: _ancestor_paths(r.category))

    def _paginate(
        self,
        kind: ListingKind,
        url: str,
        title: str,
        description: str | None,
        records: Sequence[Record],
        breadcrumbs: tuple[Link, ...],
        subsections: tuple[DirectoryEntry, ...] = (),
    ) -> Iterable[PlannedPage]:
        """The pages of one listing: `url`, then `url/page/2/`, … (an empty listing still has one)."""
        size = self.site.config.page_size
        count = max(1, -(-len(records) // size))
        urls = tuple(url if n == 1 else f"{url}page/{n}/" for n in range(1, count + 1))
        for number, page_url in enumerate(urls, start=1):
            start = (number - 1) * size
            listing = Listing(
                kind=kind,
                title=title,
                description=description,
                records=tuple(records[start : start + size]),
                first_number=start + 1,
                total=len(records),
                pagination=Pagination(number=number, urls=urls),
                subsections=subsections if number == 1 else (),
            )
            yield PlannedPage(
                url=page_url,
                template="listing.html",
                title=title,
                breadcrumbs=breadcrumbs,
                description=description,
                listing=listing,
            )

    def _directory(self, url: str, label: str, entries: list[DirectoryEntry]) -> PlannedPage:
        return PlannedPage(
            url=url,
            template="directory.html",
            title=self.labels[label],
            breadcrumbs=(self.home_link, self.catalogue_link),
            directory=tuple(entries),
        )


# -- building blocks ---------------------------------------------------------------------------


def _group(
    records: Iterable[Record], keys_of: Callable[[Record], Iterable[str]]
) -> Mapping[str, tuple[Record, ...]]:
    """Records by each key `keys_of(record)` gives, keeping the records' (newest-first) order."""
    groups: defaultdict[str, list[Record]] = defaultdict(list)
    for record in records:
        for key in keys_of(record):
            groups[key].append(record)
    return {key: tuple(group) for key, group in groups.items()}


def _ancestor_paths(path: str) -> tuple[str, ...]:
    keys = path.split("/")
    return tuple("/".join(keys[: i + 1]) for i in range(len(keys)))


def _tree_entry(
    node: CatalogueNode, counts: Mapping[str, int], url_of: Callable[[CatalogueNode], str]
) -> DirectoryEntry:
    return DirectoryEntry(
        title=node.title,
        url=url_of(node),
        count=counts.get(node.path, 0),
        depth=node.depth,
        description=node.description,
    )


def _report_url_collisions(pages: Sequence[PlannedPage], report: Report) -> None:
    claimed: dict[str, PlannedPage] = {}
    for page in pages:
        first = claimed.setdefault(page.output_path, page)
        if first is page:
            continue
        where = page.source or first.source
        assert where is not None  # generated URLs are distinct by construction
        other = first if where is page.source else page
        path = page.output_path
        message = (
            messages.text("GS401", path=path, owner=str(other.source))
            if other.source
            else messages.text("GS401.generated", path=path)
        )
        report.say("error", message, where, messages.text("GS401.hint"))


def category_url(node: CatalogueNode) -> str:
    return f"{CATALOGUE_URL}{node.path}/"


def topic_url(node: CatalogueNode) -> str:
    return f"{TOPICS_URL}{node.path}/"


def agency_url(key: str) -> str:
    return f"{AGENCIES_URL}{key}/"


def year_url(year: str) -> str:
    return f"{YEARS_URL}{year}/"


# -- planning again after records moved --------------------------------------------------------


def listing_urls(record: Record) -> tuple[str, ...]:
    """The first URL of every listing `record` is a row of, once for each row, as `plan_site`
    groups records: its category and their ancestors, its agencies (one named twice lists
    it twice), its year, its topics and their ancestors, and the repealed. A URL with no
    listing (an agency the site does not list) is harmless."""
    urls = [f"{CATALOGUE_URL}{path}/" for path in _ancestor_paths(record.category)]
    urls += [agency_url(key) for key in record.agencies]
    urls.append(year_url(str(record.published.year)))
    urls += sorted({f"{TOPICS_URL}{p}/" for t in record.topics for p in _ancestor_paths(t)})
    if record.no_longer_in_force:
        urls.append(REPEALED_URL)
    return tuple(urls)


@dataclass(frozen=True, slots=True)
class Replanned:
    """The pages of a site after some records moved, as `plan_site` plans them."""

    pages: tuple[PlannedPage, ...]
    planned: tuple[PlannedPage, ...]
    """The pages planned anew (the others are the old plan's objects)."""
    dropped: tuple[PlannedPage, ...]
    """The old plan's pages these replaced."""
    shifted: bool
    """Whether any page's number in the plan changed (a listing gained or lost a page, or
    the records' order changed); if not, each page kept its number."""


def replan_moved(
    site: Site,
    labels: Mapping[str, str],
    old: Sequence[PlannedPage],
    numbers: Mapping[str, int],
    moved: Sequence[tuple[Record | None, Record | None]],
) -> Replanned | None:
    """`plan_site(site)` from `old`, the plan of the site before the records `moved` (old
    version, new version; None where it came or went) changed a field the planner reads:
    only their own pages, the listings they leave and join (with all their pagination) and
    the counts of the directories are planned again. `old` already shows every other
    record's current version. None where only `plan_site` can tell: a year listing comes or
    goes, or a new URL may collide with another page's."""
    gone = {b.index_no for b, _ in moved if b is not None}
    arrived = [a for _, a in moved if a is not None]
    urls = frozenset().union(*(_listings_changed(before, after) for before, after in moved))
    firsts = {u: numbers[output_file(u)] for u in urls if output_file(u) in numbers}
    if any(output_file(year_url(str(r.published.year))) not in numbers for r in arrived):
        return None  # a new year: the years' directory and listings change shape
    if len({r.url for r in arrived}) < len(arrived):
        return None  # plan_site reports the collision
    for record in arrived:
        number = numbers.get(output_file(record.url))
        owner = old[number].record if number is not None else None
        if number is not None and (owner is None or owner.index_no != record.index_no):
            return None  # plan_site reports the collision
    members: dict[str, list[Record]] = {}
    for url, first in firsts.items():
        members[url] = _rows(old, first, url, gone, arrived)
        if not members[url] and url.startswith(YEARS_URL):
            return None  # the year's last record left it
    counts = {url: len(rows) for url, rows in members.items()}
    # A listing a record stayed in shows the counts of its subsections, which may change.
    stayed = {u for b, a in moved for r in (b, a) if r is not None for u in listing_urls(r)}
    for url in sorted(stayed - firsts.keys()):
        number = numbers.get(output_file(url))
        if number is None:
            continue
        head = _listing_of(old[number])
        if _recounted(head.subsections, counts) != head.subsections:
            firsts[url] = number
            members[url] = _rows(old, number, url, gone, arrived)
    planner = _Planner(site, labels)
    spliced = list(old)
    shifted = False
    planned: list[PlannedPage] = []
    dropped: list[PlannedPage] = []
    # Directories and sitemap keep their place; only the counts of moved-in-or-out listings change.
    for url in (CATALOGUE_URL, SITEMAP_URL, AGENCIES_URL, YEARS_URL, TOPICS_URL):
        number = numbers[output_file(url)]
        page = old[number]
        entries = _recounted(page.directory, counts)
        if entries != page.directory:
            spliced[number] = replace(page, directory=entries)
            planned.append(spliced[number])
            dropped.append(page)
    # Listings from the last to the first, so the numbers before each stay valid.
    for url, first in sorted(firsts.items(), key=lambda item: -item[1]):
        head = _listing_of(old[first])
        end = first + head.pagination.count
        pages = tuple(
            planner._paginate(
                head.kind,
                url,
                head.title,
                head.description,
                members[url],
                old[first].breadcrumbs,
                _recounted(head.subsections, counts),
            )
        )
        dropped.extend(old[first:end])
        planned.extend(pages)
        shifted = shifted or len(pages) != end - first
        spliced[first:end] = pages
    # The records' own pages, in the site's (newest-first) order, before the catalogue.
    if all(b is not None and a is not None and _by_date(b) == _by_date(a) for b, a in moved):
        # Each kept its place in that order (and its URL, as reassemble keeps it): each own
        # page is planned again where it is, without a pass over every record's page.
        for before, after in moved:
            assert before is not None and after is not None
            number = numbers[output_file(after.url)]
            dropped.append(spliced[number])
            spliced[number] = planner.record_page(after)
            planned.append(spliced[number])
        return Replanned(tuple(spliced), tuple(planned), tuple(dropped), shifted)
    start, end = 2 + len(site.pages), numbers[output_file(CATALOGUE_URL)]
    own = {_record_of(p).index_no: p for p in old[start:end]}
    shifted = shifted or list(own) != [r.index_no for r in site.records]
    for before, after in moved:
        if before is not None:
            dropped.append(own.pop(before.index_no))
        if after is not None:
            own[after.index_no] = planner.record_page(after)
            planned.append(own[after.index_no])
    spliced[start:end] = [own[r.index_no] for r in site.records]
    return Replanned(tuple(spliced), tuple(planned), tuple(dropped), shifted)


def _listings_changed(before: Record | None, after: Record | None) -> frozenset[str]:
    """The listings whose rows a record's move changes: those it left or joined (or is
    listed in a different number of times); every one it is in, if its place in the
    records' order moved. A listing it stays in shows its new version in the same row."""
    left = Counter(listing_urls(before) if before is not None else ())
    joined = Counter(listing_urls(after) if after is not None else ())
    if before is None or after is None or _by_date(before) != _by_date(after):
        return frozenset(left | joined)
    return frozenset(url for url in left | joined if left[url] != joined[url])


def _rows(
    old: Sequence[PlannedPage],
    first: int,
    url: str,
    gone: set[str],
    arrived: Sequence[Record],
) -> list[Record]:
    """The rows of the listing at `url` (its first page `old[first]`) once the records
    `gone` left it and those `arrived` that list themselves there joined, in the site's order."""
    urls_of_listing = _listing_of(old[first]).pagination.urls
    rows = [
        r
        for n in range(first, first + len(urls_of_listing))
        for r in _listing_of(old[n]).records
        if r.index_no not in gone
    ]
    rows += [r for r in arrived for joined in listing_urls(r) if joined == url]
    rows.sort(key=_by_date, reverse=True)  # the site's order, without a pass over it
    return rows


def _by_date(record: Record) -> tuple[date, str]:
    """Reversed, the order of `Site.records` (newest first, by date, then index number)."""
    return (record.published, record.index_no)


def _listing_of(page: PlannedPage) -> Listing:
    assert page.listing is not None, page.url  # a listing's URL plans a listing page
    return page.listing


def _record_of(page: PlannedPage) -> Record:
    assert page.record is not None, page.url  # between the plain pages and the catalogue
    return page.record


def _recounted(
    entries: tuple[DirectoryEntry, ...], counts: Mapping[str, int]
) -> tuple[DirectoryEntry, ...]:
    """`entries` with the counts of the listings in `counts` (the others are as they were)."""
    return tuple(
        replace(e, count=counts[e.url]) if e.url in counts and e.count != counts[e.url] else e
        for e in entries
    )
