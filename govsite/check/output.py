"""Output rules (GC6xx): every page reachable, titled uniquely and described."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.html import PageFacts
from govsite.check.links import HEALTH_DIR, page_location
from govsite.check.rules import finding
from govsite.errors import Diagnostic
from govsite.model import Record
from govsite.plan import NOT_FOUND_PATH

HOME_PAGE = "index.html"
# Pages nobody should reach by following links: hosts serve 404.html themselves and the
# health report is for the people who run the site.
_UNLINKED = (NOT_FOUND_PATH, HEALTH_DIR)


def check_output(inspection: Inspection, facts: Mapping[str, PageFacts]) -> Iterator[Diagnostic]:
    yield from _orphans(inspection, facts)
    yield from _same_title_in_category(inspection)
    yield from _page_titles(inspection, facts)


def reachable_pages(facts: Mapping[str, PageFacts]) -> set[str]:
    """Pages reached by following links from the home page (each page visited once)."""
    seen = {HOME_PAGE} if HOME_PAGE in facts else set()
    queue = list(seen)
    while queue:
        found = [t for t in facts[queue.pop()].reaches if t not in seen and t in facts]
        seen.update(found)
        queue += found
    return seen


def _orphans(inspection: Inspection, facts: Mapping[str, PageFacts]) -> Iterator[Diagnostic]:
    reached = reachable_pages(facts)
    for path in sorted(facts):
        if path not in reached and not path.startswith(_UNLINKED):
            yield finding(
                "GC601",
                messages.text("GC601", path=path),
                page_location(inspection, path),
                messages.text("GC601.hint"),
            )


def _same_title_in_category(inspection: Inspection) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str], Record] = {}
    records = sorted(inspection.site.records, key=lambda r: str(r.source.path))
    for record in records:
        key = (record.category, record.title)
        earlier = first.setdefault(key, record)
        # A new edition that replaces the old one under the same name is the usual way
        # of revising a 办法: the validity column tells the two apart.
        if earlier is record or _one_replaces_other(earlier, record):
            continue
        yield finding(
            "GC602",
            messages.text(
                "GC602",
                title=record.title,
                other=str(earlier.source.path),
                category=record.category,
            ),
            inspection.field_location(record.source, "title"),
        )


def _one_replaces_other(a: Record, b: Record) -> bool:
    return a.superseded_by == b.index_no or b.superseded_by == a.index_no


def _page_titles(inspection: Inspection, facts: Mapping[str, PageFacts]) -> Iterator[Diagnostic]:
    by_title: defaultdict[str, list[str]] = defaultdict(list)
    for path, page in sorted(facts.items()):
        if path.startswith(_UNLINKED):
            continue
        if not (page.description or "").strip():
            yield finding(
                "GC604",
                messages.text("GC604"),
                page_location(inspection, path),
                messages.text("GC604.hint"),
            )
        if page.title:
            by_title[page.title].append(path)
    categories = _record_categories(inspection)
    for title, paths in by_title.items():
        for path in paths[1:]:
            if categories.get(path) is not None and categories.get(path) == categories.get(
                paths[0]
            ):
                continue  # two records of one category: GC602 says it at the source
            yield finding(
                "GC603",
                messages.text("GC603", title=title, other=paths[0]),
                page_location(inspection, path),
                messages.text("GC603.hint"),
            )


def _record_categories(inspection: Inspection) -> dict[str, str]:
    return {
        page.output_path: page.record.category
        for page in inspection.pages
        if page.record is not None
    }
