"""Interpretation rules (GC5xx): policies need an interpretation, published with them
(三同步: drafted, signed off and published in step with the policy)."""

from __future__ import annotations

from collections.abc import Iterator

from govsite import messages
from govsite.check.context import Inspection
from govsite.check.rules import finding
from govsite.errors import Diagnostic
from govsite.model import Record


def needs_interpretation(record: Record, categories: tuple[str, ...]) -> bool:
    """An `effective` record (in force or pending, not expired by its dates) in one of
    `categories` (or below) that is not itself an interpretation.

    An `amended` record is left out: the record amending it carries the interpretation."""
    in_scope = any(record.category == c or record.category.startswith(c + "/") for c in categories)
    in_force = record.validity == "effective" and not record.no_longer_in_force  # or pending
    return in_scope and in_force and not record.is_interpretation


def check_interpretations(inspection: Inspection) -> Iterator[Diagnostic]:
    options = inspection.options
    site = inspection.site
    for record in site.records:
        wanted = needs_interpretation(record, options.interpretation_categories)
        if wanted and not record.interpretations:
            yield finding(
                "GC501",
                messages.text("GC501", title=record.title, index_no=record.index_no),
                inspection.field_location(record.source, "index_no"),
                messages.text("GC501.hint", index_no=record.index_no),
            )
        for target in record.interprets:
            policy = site.records_by_index_no.get(target)
            if policy is None:
                continue
            gap = (record.published - policy.published).days
            if abs(gap) > options.interpretation_grace_days:
                when = "after" if gap > 0 else "before"
                yield finding(
                    "GC502",
                    messages.text(
                        f"GC502.{when}",
                        days=abs(gap),
                        target=target,
                        limit=options.interpretation_grace_days,
                    ),
                    inspection.field_location(record.source, "published"),
                    messages.text("GC502.hint", limit=options.interpretation_grace_days),
                )
