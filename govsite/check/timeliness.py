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

from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.discover import CATALOGUE_DIR
from govsite.errors import Diagnostic, SourceLocation
from govsite.model import CatalogueNode

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
    yield from _home_page(inspection)
    columns = column_statuses(inspection)
    yield from _columns(inspection, columns)
    yield from _review_due(inspection)
    yield from _recently_expired(inspection)
    yield from _annual_report_due(inspection)
    yield from _consultation_feedback(inspection)


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
            f"the newest record on the home page was published {age} days ago "
            f"(at most {limit} allowed): publish something new",
            inspection.field_location(newest.source, "published"),
        )


def _columns(inspection: Inspection, columns: list[ColumnStatus]) -> Iterator[Diagnostic]:
    as_of = inspection.as_of
    stale = [c for c in columns if c.is_stale(as_of)]
    empty = [c for c in columns if c.newest is None]
    for column in stale:
        yield finding(
            "GC402",
            f"category '{column.node.path}' had no new record for {column.days_since(as_of)} days "
            f"(its update window is {column.window_days})",
            column.node.source,
        )
    for column in empty:
        yield finding("GC404", f"category '{column.node.path}' has no records", column.node.source)
    veto = inspection.options.veto_count
    if len(stale) >= veto:
        yield finding(
            "GC403",
            f"categories not updated: {len(stale)} (a site with {veto} or more fails inspection): "
            + _paths(stale),
            CATEGORIES_FILE,
        )
    if len(empty) >= veto:
        yield finding(
            "GC405",
            f"empty categories: {len(empty)} (a site with {veto} or more fails inspection): "
            + _paths(empty),
            CATEGORIES_FILE,
        )


def _paths(columns: list[ColumnStatus]) -> str:
    return ", ".join(c.node.path for c in columns)


def _review_due(inspection: Inspection) -> Iterator[Diagnostic]:
    period = inspection.options.review_period_days
    for record in inspection.site.records:
        if record.status != "effective":  # expired or pending by its dates: not due for review
            continue
        last = record.updated or record.published
        age = (inspection.as_of - last).days
        if age > period:
            field = "updated" if record.updated else "published"
            yield finding(
                "GC406",
                f"still 'effective' but last {field} {age} days ago (review period {period}): "
                "confirm it is in force and set 'updated', or change 'validity'",
                inspection.field_location(record.source, field),
            )


def _recently_expired(inspection: Inspection) -> Iterator[Diagnostic]:
    """Records whose `expires` day passed within the last review period, not yet marked expired.

    The site already shows them as 已失效; the editor confirms it in the front matter (or
    extends `expires`, or names the record that replaces it). Older expiries are not named
    again every run.
    """
    period = inspection.options.review_period_days
    for record in inspection.site.records:
        if record.status != "expired" or record.validity == "expired" or record.expires is None:
            continue
        days = (inspection.as_of - record.expires).days
        if days <= period:
            yield finding(
                "GC407",
                f"expired on {record.expires.isoformat()} ({days} days ago) and now shows as "
                "expired (已失效), but its 'validity' still says "
                f"'{record.validity}': set 'validity: expired' (and 'superseded_by' if a "
                "record replaces it), or correct 'expires'",
                inspection.field_location(record.source, "expires"),
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
        yield finding(
            "GC408",
            f"the {year} annual report (政府信息公开工作年度报告) was due by {month}月{day}日 "
            f"and is not published: write it with `govsite new report --year {year}`",
            node.source if node is not None else CATEGORIES_FILE,
        )


def _consultation_feedback(inspection: Inspection) -> Iterator[Diagnostic]:
    """A closed 意见征集 reports back what was adopted (采纳情况反馈) within `feedback_days`."""
    days = inspection.options.feedback_days
    for record in inspection.site.records:
        kind = record.kind
        if kind is None or kind.key != "consultation" or len(kind.period) != 2:
            continue
        if any(f.name == "feedback" for f in kind.fields):
            continue
        late = (inspection.as_of - kind.period[1]).days - days
        if late > 0:
            yield finding(
                "GC409",
                f"the consultation closed on {kind.period[1].isoformat()} and has no 采纳情况反馈 "
                f"{days} days later: publish the feedback and name it in 'feedback'",
                inspection.field_location(record.source, "consultation"),
            )
