"""Free index numbers (索引号) for the hints of a record with none, a copied one or a
malformed one: the next serial of the record's own agency in its publication year.

The numbers are worked out once every document is parsed, since "free" depends on all of
them; each hint hands out a different number, so two records fixed from one run don't clash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from govsite import clock
from govsite.errors import Report, SourceLocation
from govsite.indexno import IndexNumberPattern
from govsite.messages import text
from govsite.model import Agency


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberRequest:
    """A record whose index number is missing or does not follow the pattern."""

    problem: Literal["missing", "off-pattern"]
    location: SourceLocation
    agencies: tuple[str, ...]
    """The agency keys the record names (the first owns the number)."""
    published: date | None
    written: str | None = None
    """The number as written, for `off-pattern`."""


class FreeNumbers:
    """Hands out index numbers no record uses yet."""

    def __init__(
        self, pattern: IndexNumberPattern, used: Iterable[str], agencies: Mapping[str, Agency]
    ) -> None:
        self.pattern = pattern
        self.used = set(used)
        self.agencies = agencies

    def take(self, agency_keys: Iterable[str], day: date | None) -> str | None:
        """The next free number of the first known agency among `agency_keys` (or the first
        agency of the site) on `day`'s year and month; None if the site has no agencies."""
        code = self._agency_code(agency_keys)
        if code is None:
            return None
        day = day or clock.today()
        serial = 1 + max((self._serial(n, code, day) for n in self.used), default=0)
        number = self.pattern.format(
            agency_code=code, year=day.year, month=day.month, serial=serial
        )
        self.used.add(number)
        return number

    def _agency_code(self, keys: Iterable[str]) -> str | None:
        for key in keys:
            if key in self.agencies:
                return self.agencies[key].code
        first = next(iter(self.agencies.values()), None)
        return first.code if first else None

    def _serial(self, number: str, code: str, day: date) -> int:
        fields = self.pattern.parse(number)
        if not fields or fields.get("agency_code", code) != code:
            return 0
        if fields.get("year", str(day.year)) != str(day.year):
            return 0
        if fields.get("month", f"{day.month:02d}") != f"{day.month:02d}":
            return 0
        return int(fields["serial"])


def report_requests(requests: Iterable[NumberRequest], free: FreeNumbers, report: Report) -> None:
    """GS202 for a missing number and GS205 for a malformed one, each with a free number."""
    for request in sorted(requests, key=lambda r: r.location):
        number = free.take(request.agencies, request.published)
        if request.problem == "missing":
            hint = (
                text("GS202.index-no.hint", index_no=number)
                if number
                else text("GS202.hint", field="index_no")
            )
            report.say("error", text("GS202", field="index_no"), request.location, hint)
        else:
            message = text("GS205", index_no=request.written or "", pattern=free.pattern.template)
            example = text("GS205.hint", example=number) if number else None
            report.say("error", message, request.location, example)
