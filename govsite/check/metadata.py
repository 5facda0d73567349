"""Metadata rules (GC2xx): what the build accepts but an editor most likely got wrong."""

from __future__ import annotations

from collections.abc import Iterator

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.config import Project
from govsite.errors import Diagnostic, SourceLocation
from govsite.indexno import IndexNumberPattern
from govsite.model import NO_LONGER_IN_FORCE, Record


def check_metadata(inspection: Inspection, project: Project) -> Iterator[Diagnostic]:
    """The metadata rules over the site as a whole and its plain pages (`record_metadata`
    has each record's own)."""
    site = inspection.site
    for record in site.records:
        yield from _replaced_but_effective(inspection, record)
    for page in site.pages:
        yield from _placeholder(inspection, page.source, page.body.html)
    yield from _supersession_loops(inspection)
    yield from _identity(project)


def record_metadata(
    inspection: Inspection, record: Record, pattern: IndexNumberPattern
) -> Iterator[Diagnostic]:
    """The metadata rules that read one record only (and the catalogues and options, which
    an edit of a document does not change)."""
    yield from _dates(inspection, record)
    yield from _ended_without_reason(inspection, record)
    yield from _index_number(inspection, record, pattern)
    yield from _without_summary(inspection, record)
    yield from _placeholder(inspection, record.source, record.body.html)


PLACEHOLDER_BODY = "正文。"
"""What `govsite new` writes where the document's text goes (scaffold.py)."""


def _placeholder(inspection: Inspection, source: SourceLocation, html: str) -> Iterator[Diagnostic]:
    if html.strip() != f"<p>{PLACEHOLDER_BODY}</p>":
        return
    lines = inspection.text(source).split("\n")
    line = next((n for n, text in enumerate(lines, 1) if text.strip() == PLACEHOLDER_BODY), None)
    yield finding(
        "GC207",
        messages.text("GC207", placeholder=PLACEHOLDER_BODY),
        source.at(line, 1 if line else None),
    )


def _without_summary(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    wanted = inspection.options.summary_categories
    if record.summary or not any(_within(record.category, path) for path in wanted):
        return
    yield finding(
        "GC208",
        messages.text("GC208", category=record.category),
        inspection.field_location(record.source, "category"),
        messages.text("GC208.hint"),
    )


def _within(category: str, path: str) -> bool:
    return category == path or category.startswith(path + "/")


def _identity(project: Project) -> Iterator[Diagnostic]:
    identity = project.config.identity
    where = project.config_location
    if identity.error_report_url is None:
        yield finding(
            "GC701",
            messages.text("GC701", site_id=identity.site_id),
            where,
        )
    if identity.party_gov_logo is None:
        yield finding(
            "GC702",
            messages.text("GC702"),
            where,
        )


def _dates(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    if record.published < record.written:
        yield finding(
            "GC201",
            messages.text("GC201", published=str(record.published), written=str(record.written)),
            inspection.field_location(record.source, "published"),
            messages.text("GC201.hint"),
        )


def _ended_without_reason(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    explained = record.superseded_by or record.validity_note
    # An expiry date is reason enough for an expired record.
    if record.validity == "expired" and record.expires is not None:
        explained = "expires"
    if record.validity in NO_LONGER_IN_FORCE and not explained:
        yield finding(
            "GC202",
            messages.text("GC202", validity=record.validity),
            inspection.field_location(record.source, "validity"),
            messages.text("GC202.hint"),
        )


def _replaced_but_effective(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    if record.status != "effective" or record.superseded_by is None:
        return
    successor = inspection.site.records_by_index_no.get(record.superseded_by)
    if successor is not None and successor.status == "effective":  # in force on the day
        yield finding(
            "GC204",
            messages.text("GC204", successor=successor.index_no),
            inspection.field_location(record.source, "validity", "superseded_by"),
        )


def _index_number(
    inspection: Inspection, record: Record, pattern: IndexNumberPattern
) -> Iterator[Diagnostic]:
    fields = pattern.parse(record.index_no) or {}
    agency = inspection.site.agencies.get(record.agencies[0])
    code = fields.get("agency_code")
    if agency is not None and code is not None and code != agency.code:
        yield finding(
            "GC205",
            messages.text(
                "GC205", index_no=record.index_no, code=code, agency=agency.key, own=agency.code
            ),
            inspection.field_location(record.source, "index_no"),
            messages.text("GC205.hint", own=agency.code),
        )
    year = fields.get("year")
    if year is not None and int(year) != record.published.year:
        yield finding(
            "GC206",
            messages.text(
                "GC206", index_no=record.index_no, year=year, published=record.published.year
            ),
            inspection.field_location(record.source, "index_no"),
            messages.text("GC206.hint", published=record.published.year),
        )


def _supersession_loops(inspection: Inspection) -> Iterator[Diagnostic]:
    """Each record has at most one successor, so following them from every record once finds every loop."""
    by_no = inspection.site.records_by_index_no
    finished: set[str] = set()
    for start in sorted(by_no):
        trail: list[str] = []
        on_trail: set[str] = set()
        current: str | None = start
        while current is not None and current in by_no and current not in finished:
            if current in on_trail:
                loop = trail[trail.index(current) :]
                yield _loop_finding(inspection, loop)
                break
            trail.append(current)
            on_trail.add(current)
            current = by_no[current].superseded_by
        finished.update(trail)


def _loop_finding(inspection: Inspection, loop: list[str]) -> Diagnostic:
    first = min(loop)
    record = inspection.site.records_by_index_no[first]
    turn = loop.index(first)
    chain = " → ".join([*loop[turn:], *loop[:turn], first])
    return finding(
        "GC203",
        messages.text("GC203", chain=chain),
        inspection.field_location(record.source, "superseded_by"),
        messages.text("GC203.hint"),
    )
