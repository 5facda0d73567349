"""The dependency graph: for each part of the model, the pages that use it.

Edges come from two sources, both recorded while the site is planned and rendered,
never guessed afterwards:

- the planner: a page's identity (URL, template, title, breadcrumbs, listing rows,
  pagination, directory counts, …, with the records and plain pages it shows as
  references; `identity`). A page whose identity changed is rendered again; a record
  moving between listings changes the rows, and so the identity, of both;
- the templates: what each page actually read while it rendered (`reads.py`: fields of
  records by index number, fields of plain pages by URL, the site's `records` and
  `pages` parts). A page that read something the notes cannot describe depends on
  everything and is rendered on every update.

What every page may read without a note (the config, catalogues, agencies, the theme and
its labels) is not in the graph: a change there reloads the whole site (update.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from govsite.model import Page, Record, Site
from govsite.plan import PlannedPage
from govsite.reads import WHOLE_RECORD, PageReads

_MISSING = object()


@dataclass(frozen=True, slots=True)
class PageDeps:
    """What one rendered page read: None for a page that depends on everything."""

    reads: PageReads | None


@dataclass(frozen=True, slots=True)
class ModelChanges:
    """How a new version of the site differs from the old, in the graph's terms."""

    records: Mapping[str, frozenset[str]]
    """Index number of each record that changed → the names read of it whose values changed;
    {WHOLE_RECORD} for a record that came or went (every reader of it is affected)."""
    documents: Mapping[str, frozenset[str]]
    """Plain page URL → the field names whose values changed."""
    site_parts: frozenset[str]
    """`records` (which records exist, their order) and `pages` (which plain pages, their order)."""

    @property
    def empty(self) -> bool:
        return not (self.records or self.documents or self.site_parts)


class DependencyGraph:
    """Page (output path) → what it read, and the inverse: each record, plain page and site
    part → the pages that read it, with the field names each read."""

    def __init__(self) -> None:
        self._deps: dict[str, PageDeps] = {}
        self._records: defaultdict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
        self._documents: defaultdict[str, dict[str, tuple[str, ...]]] = defaultdict(dict)
        self._parts: defaultdict[str, set[str]] = defaultdict(set)
        self._always: set[str] = set()

    def __len__(self) -> int:
        return len(self._deps)

    def set_page(self, path: str, reads: PageReads | None) -> None:
        """Record what the page at `path` read when it was last rendered (replacing the old)."""
        self.remove_page(path)
        self._deps[path] = PageDeps(reads)
        if reads is None:
            self._always.add(path)
            return
        for index_no, names in reads.records:
            self._records[index_no][path] = names
        for url, names in reads.documents:
            self._documents[url][path] = names
        for part in reads.site_parts:
            self._parts[part].add(path)

    def remove_page(self, path: str) -> None:
        deps = self._deps.pop(path, None)
        if deps is None:
            return
        if deps.reads is None:
            self._always.discard(path)
            return
        for index_no, _ in deps.reads.records:
            self._records[index_no].pop(path, None)
        for url, _ in deps.reads.documents:
            self._documents[url].pop(path, None)
        for part in deps.reads.site_parts:
            self._parts[part].discard(path)

    def names_read(self, index_no: str) -> frozenset[str]:
        """Every field name of the record any page read."""
        return frozenset(n for names in self._records.get(index_no, {}).values() for n in names)

    def page_names_read(self, url: str) -> frozenset[str]:
        return frozenset(n for names in self._documents.get(url, {}).values() for n in names)

    def readers(self, changes: ModelChanges) -> set[str]:
        """The pages whose reads `changes` touch, and those that depend on everything."""
        found = set(self._always)
        for edges, changed in (
            (self._records, changes.records),
            (self._documents, changes.documents),
        ):
            for identity, names in changed.items():
                for path, read in edges.get(identity, {}).items():
                    if WHOLE_RECORD in names or WHOLE_RECORD in read or not names.isdisjoint(read):
                        found.add(path)
        for part in changes.site_parts:
            found |= self._parts.get(part, set())
        return found

    def as_data(self) -> dict[str, Any]:
        """The graph as plain JSON data (for tests and for looking at it)."""
        return {
            "pages": {
                path: None
                if deps.reads is None
                else {
                    "records": [[i, list(n)] for i, n in deps.reads.records],
                    "documents": [[u, list(n)] for u, n in deps.reads.documents],
                    "site": list(deps.reads.site_parts),
                }
                for path, deps in sorted(self._deps.items())
            }
        }


@dataclass(frozen=True, slots=True)
class Touched:
    """What an edit kept in place replaced (update.py, after `assemble.reassemble`): every
    other record and plain page of the new site is the old one's object, so the passes that
    compare two versions of the site look at these alone, and an edit costs what it changed,
    not the size of the site."""

    records: frozenset[str]
    """Index numbers of the records edited or added."""
    reordered: bool
    """Whether the records' order may have changed (a record came, or a publication date moved)."""


def model_changes(
    old: Site, new: Site, graph: DependencyGraph, touched: Touched | None = None
) -> ModelChanges:
    """What changed between two versions of the site, as far as any page read it; with
    `touched`, only those records are compared (every other one is the same object)."""
    before: Mapping[str, Record] = old.records_by_index_no
    after: Mapping[str, Record] = new.records_by_index_no
    if touched is not None:
        before = {n: before[n] for n in touched.records if n in before}
        after = {n: after[n] for n in touched.records}
    records = _changed(before, after, graph.names_read)
    old_pages = {p.url: p for p in old.pages}
    new_pages = {p.url: p for p in new.pages}
    documents = _changed(old_pages, new_pages, graph.page_names_read)
    parts = set()
    if (touched is None or touched.reordered) and _order(old) != _order(new):
        parts.add("records")
    if [(p.url, p.nav_order) for p in old.pages] != [(p.url, p.nav_order) for p in new.pages]:
        parts.add("pages")
    return ModelChanges(records, documents, frozenset(parts))


def _order(site: Site) -> list[str]:
    return [r.index_no for r in site.records]


def _changed(
    old: Mapping[str, Record] | Mapping[str, Page],
    new: Mapping[str, Record] | Mapping[str, Page],
    names_read: Any,
) -> dict[str, frozenset[str]]:
    """Identity → the names read of it whose values differ (everything, when it came or went)."""
    changed: dict[str, frozenset[str]] = {}
    for identity in old.keys() | new.keys():
        before, after = old.get(identity), new.get(identity)
        if before is after:
            continue  # the same object: nothing in it changed
        if before is None or after is None:
            changed[identity] = frozenset({WHOLE_RECORD})
            continue
        if before == after:
            continue
        # Pages that read the whole record see any change; the others only the fields they read.
        changed[identity] = frozenset(
            name
            for name in names_read(identity) - {WHOLE_RECORD}
            if getattr(before, name, _MISSING) != getattr(after, name, _MISSING)
        )
    return changed


def identity(page: PlannedPage) -> tuple[object, ...]:
    """Everything a planned page holds, with the records and plain pages it shows as references.

    The records' fields are the templates' reads (the graph's other edges); this is the
    planner's part: which rows a listing shows, its pagination, a directory's counts…
    """
    listing = page.listing
    rows = None
    if listing is not None:
        rows = (
            listing.kind,
            listing.title,
            listing.description,
            tuple(r.index_no for r in listing.records),
            listing.first_number,
            listing.total,
            listing.pagination,
            listing.subsections,
        )
    return (
        page.url,
        page.template,
        page.title,
        page.breadcrumbs,
        page.source,
        page.description,
        page.record.index_no if page.record is not None else None,
        page.document.url if page.document is not None else None,
        rows,
        page.directory,
    )


def changed_identities(
    old: Mapping[str, tuple[object, ...]], pages: Iterable[PlannedPage]
) -> tuple[dict[str, tuple[object, ...]], set[str]]:
    """The new identities by output path, and the paths of pages that are new or planned differently."""
    new = {page.output_path: identity(page) for page in pages}
    return new, {path for path, ident in new.items() if old.get(path) != ident}


@dataclass(frozen=True, slots=True)
class PlanUses:
    """The planner's edges: for each record and plain page, the planned pages that show it
    (its own page, the listing pages whose rows it is in), by output path."""

    records: Mapping[str, frozenset[str]]
    documents: Mapping[str, frozenset[str]]

    def replanned(self, dropped: Iterable[PlannedPage], planned: Iterable[PlannedPage]) -> PlanUses:
        """These edges after the pages `dropped` were replaced by `planned` (plan.replan_moved):
        one new set per record shown, not a pass over every record."""
        gone: defaultdict[str, set[str]] = defaultdict(set)
        came: defaultdict[str, set[str]] = defaultdict(set)
        for pages, change in ((dropped, gone), (planned, came)):
            for page in pages:
                for index_no in _records_shown(page):
                    change[index_no].add(page.output_path)
        records = dict(self.records)
        for index_no in gone.keys() | came.keys():
            if gone[index_no] == came[index_no]:
                continue  # shown on pages of the same paths (most rows of a planned listing)
            paths = (records.get(index_no, frozenset()) - gone[index_no]) | came[index_no]
            if paths:
                records[index_no] = paths
            else:
                records.pop(index_no, None)
        return PlanUses(records, self.documents)


def _records_shown(page: PlannedPage) -> Iterable[str]:
    if page.record is not None:
        yield page.record.index_no
    for row in page.listing.records if page.listing is not None else ():
        yield row.index_no


def plan_uses(pages: Iterable[PlannedPage]) -> PlanUses:
    records: defaultdict[str, set[str]] = defaultdict(set)
    documents: defaultdict[str, set[str]] = defaultdict(set)
    for page in pages:
        for index_no in _records_shown(page):
            records[index_no].add(page.output_path)
        if page.document is not None:
            documents[page.document.url].add(page.output_path)
    return PlanUses(
        {k: frozenset(v) for k, v in records.items()},
        {k: frozenset(v) for k, v in documents.items()},
    )
