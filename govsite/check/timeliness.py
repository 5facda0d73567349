"""Timeliness rules (GC4xx), after the national inspection indicators for government
websites (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号), where a stale home page, five
or more columns not updated, or five or more empty columns veto the whole site.

Every date is measured against `Inspection.as_of` (`--as-of`), so a run can be repeated.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import PurePosixPath

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.discover import CATALOGUE_DIR
from govsite.errors import Diagnostic, SourceLocation
from govsite.model import CatalogueNode, Record

CATEGORIES_FILE = SourceLocation(PurePosixPath("content", CATALOGUE_DIR, "categories.yaml"))


@dataclass(frozen=True, slots=True)
class ColumnStatus:
    """A category with no children (a column of the site) and how fresh it is."""

    node: CatalogueNode
    newest: date | None
    window_days: int
    count: int

    def days_since(self, as_of: date) -> int | None:
        return None if self.newest is None else (as_of - self.newest).days

    def is_stale(self, as_of: date) -> bool:
        days = self.days_since(as_of)
        return days is not None and days > self.window_days


def column_statuses(inspection: Inspection) -> list[ColumnStatus]:
    """Every leaf category in catalogue order, with the day it last changed.

    A record updated in place (a guide with this year's figures) counts as an update of its
    column, as the inspection indicators count 栏目更新."""
    newest: dict[str, date] = {}
    counts: dict[str, int] = {}
    for record in inspection.site.records:
        if record.published > inspection.as_of:
            continue
        changed = max(record.published, record.updated or record.published)
        changed = min(changed, inspection.as_of)
        known = newest.get(record.category)
        newest[record.category] = max(known, changed) if known else changed
        counts[record.category] = counts.get(record.category, 0) + 1
    default = inspection.options.update_window_days
    return [
        ColumnStatus(
            node,
            newest.get(node.path),
            node.update_window_days if node.update_window_days is not None else default,
            counts.get(node.path, 0),
        )
        for node in inspection.site.categories.walk()
        if not node.children
    ]


def check_timeliness(inspection: Inspection) -> Iterator[Diagnostic]:
    """The timeliness rules over the site as a whole (`record_timeliness` has the others)."""
    yield from _home_page(inspection)
    columns = column_statuses(inspection)
    yield from _columns(inspection, columns)
    yield from _annual_report_due(inspection)


def record_timeliness(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    """The timeliness rules that read one record only."""
    yield from _review_due(inspection, record)
    yield from _recently_expired(inspection, record)
    yield from _consultation_feedback(inspection, record)


def _home_page(inspection: Inspection) -> Iterator[Diagnostic]:
    published = [r for r in inspection.site.records if r.published <= inspection.as_of]
    if not published:
        return
    newest = published[0]  # records are newest first
    age = (inspection.as_of - newest.published).days
    limit = inspection.options.home_max_age_days
    if age > limit:
        yield finding(
            "GC401",
            messages.text("GC401", days=age, limit=limit),
            inspection.field_location(newest.source, "published"),
            messages.text("GC401.hint"),
        )


def _columns(inspection: Inspection, columns: list[ColumnStatus]) -> Iterator[Diagnostic]:
    as_of = inspection.as_of
    stale = [c for c in columns if c.is_stale(as_of)]
    empty = [c for c in columns if c.newest is None]
    for column in stale:
        yield finding(
            "GC402",
            messages.text(
                "GC402",
                title=column.node.title,
                path=column.node.path,
                days=column.days_since(as_of) or 0,
                window=column.window_days,
            ),
            column.node.source,
            messages.text("GC402.hint"),
        )
    for column in empty:
        yield finding(
            "GC404",
            messages.text("GC404", title=column.node.title, path=column.node.path),
            column.node.source,
            messages.text("GC404.hint", path=column.node.path),
        )
    veto = inspection.options.veto_count
    if len(stale) >= veto:
        yield finding(
            "GC403",
            messages.text("GC403", count=len(stale), veto=veto, categories=_paths(stale)),
            CATEGORIES_FILE,
            messages.text("GC403.hint", veto=veto),
        )
    if len(empty) >= veto:
        yield finding(
            "GC405",
            messages.text("GC405", count=len(empty), veto=veto, categories=_paths(empty)),
            CATEGORIES_FILE,
            messages.text("GC405.hint", veto=veto),
        )


def _paths(columns: list[ColumnStatus]) -> str:
    return ", ".join(c.node.path for c in columns)


def _review_due(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    period = inspection.options.review_period_days
    if record.status != "effective":  # expired or pending by its dates: not due for review
        return
    last = record.updated or record.published
    age = (inspection.as_of - last).days
    if age > period:
        field = "updated" if record.updated else "published"
        yield finding(
            "GC406",
            messages.text(f"GC406.{field}", days=age, period=period),
            inspection.field_location(record.source, field),
            messages.text("GC406.hint", today=inspection.as_of.isoformat()),
        )


def _recently_expired(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    """Records whose `expires` day passed within the last review period, not yet marked expired.

    The site already shows them as 已失效; the editor confirms it in the front matter (or
    extends `expires`, or names the record that replaces it). Older expiries are not named
    again every run.
    """
    period = inspection.options.review_period_days
    if record.status != "expired" or record.validity == "expired" or record.expires is None:
        return
    days = (inspection.as_of - record.expires).days
    if days <= period:
        yield finding(
            "GC407",
            messages.text(
                "GC407", expires=record.expires.isoformat(), days=days, validity=record.validity
            ),
            inspection.field_location(record.source, "expires"),
            messages.text("GC407.hint"),
        )


def _annual_report_due(inspection: Inspection) -> Iterator[Diagnostic]:
    """条例第四十九条: last year's 年度报告 is due by 31 March (a department's by 31 January)."""
    config = inspection.site.config.annual_report
    month, day = (int(part) for part in config.due.split("-"))
    as_of = inspection.as_of
    year = as_of.year - 1
    if as_of <= date(as_of.year, month, day):
        return
    published = {
        r.annual_report.year
        for r in inspection.site.records
        if r.annual_report is not None and r.published <= as_of
    }
    if year not in published:
        node = inspection.site.categories.by_path.get(config.category)
        # `govsite new report` files the report under that category: name it first if missing.
        hint = (
            messages.text("GC408.hint", year=year)
            if node is not None
            else messages.text("GC408.no-category.hint", year=year, category=config.category)
        )
        yield finding(
            "GC408",
            messages.text("GC408", year=year, due=f"{as_of.year}-{month:02d}-{day:02d}"),
            node.source if node is not None else CATEGORIES_FILE,
            hint,
        )


def _consultation_feedback(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    """A closed 意见征集 reports back what was adopted (采纳情况反馈) within `feedback_days`."""
    days = inspection.options.feedback_days
    kind = record.kind
    if kind is None or kind.key != "consultation" or len(kind.period) != 2:
        return
    if any(f.name == "feedback" for f in kind.fields):
        return
    late = (inspection.as_of - kind.period[1]).days - days
    if late > 0:
        yield finding(
            "GC409",
            messages.text("GC409", closed=kind.period[1].isoformat(), days=days),
            inspection.field_location(record.source, "consultation"),
            messages.text("GC409.hint"),
        )
