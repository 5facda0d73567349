"""Metadata rules (GC2xx): what the build accepts but an editor most likely got wrong."""

from __future__ import annotations

from collections.abc import Iterator

from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.config import Project
from govsite.errors import Diagnostic
from govsite.indexno import IndexNumberPattern
from govsite.model import NO_LONGER_IN_FORCE, Record


def check_metadata(inspection: Inspection, project: Project) -> Iterator[Diagnostic]:
    site = inspection.site
    for record in site.records:
        yield from _dates(inspection, record)
        yield from _ended_without_reason(inspection, record)
        yield from _replaced_but_effective(inspection, record)
        yield from _index_number(inspection, record, project.index_no_pattern)
    yield from _supersession_loops(inspection)


def _dates(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    if record.published < record.written:
        yield finding(
            "GC201",
            f"published {record.published} is earlier than written {record.written}",
            inspection.field_location(record.source, "published"),
        )


def _ended_without_reason(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    explained = record.superseded_by or record.validity_note
    # An expiry date is reason enough for an expired record.
    if record.validity == "expired" and record.expires is not None:
        explained = "expires"
    if record.validity in NO_LONGER_IN_FORCE and not explained:
        yield finding(
            "GC202",
            f"the record is '{record.validity}' but names no 'superseded_by' and has no "
            "'validity_note' (or, if expired, 'expires') saying why",
            inspection.field_location(record.source, "validity"),
        )


def _replaced_but_effective(inspection: Inspection, record: Record) -> Iterator[Diagnostic]:
    if record.status != "effective" or record.superseded_by is None:
        return
    successor = inspection.site.records_by_index_no.get(record.superseded_by)
    if successor is not None and successor.status == "effective":  # in force on the day
        yield finding(
            "GC204",
            f"still 'effective' although it is replaced by '{successor.index_no}', which is "
            "in force: set 'validity' to 'repealed' (or 'amended')",
            inspection.field_location(record.source, "validity", "superseded_by"),
        )


def _index_number(
    inspection: Inspection, record: Record, pattern: IndexNumberPattern
) -> Iterator[Diagnostic]:
    fields = pattern.parse(record.index_no) or {}
    where = inspection.field_location(record.source, "index_no")
    agency = inspection.site.agencies.get(record.agencies[0])
    code = fields.get("agency_code")
    if agency is not None and code is not None and code != agency.code:
        yield finding(
            "GC205",
            f"index_no '{record.index_no}' carries agency code '{code}' but '{agency.key}' "
            f"has code '{agency.code}'",
            where,
        )
    year = fields.get("year")
    if year is not None and int(year) != record.published.year:
        yield finding(
            "GC206",
            f"index_no '{record.index_no}' carries the year {year} but the record was "
            f"published in {record.published.year}",
            where,
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
        f"'superseded_by' goes round in a loop: {chain}",
        inspection.field_location(record.source, "superseded_by"),
    )
