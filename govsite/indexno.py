"""The site's index-number (索引号) pattern: check, take apart and make up index numbers.

The disclosure-catalogue rules give a 20-character 索引号, `{agency_code}/{year}-{serial:05d}`,
but sites use 9-character organisation codes or 18-character unified social credit codes
and some number by month, so the pattern is a format string with these fields.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass

from govsite.messages import Text, text

DEFAULT_PATTERN = "{agency_code}/{year}-{serial:05d}"

_FIELD_REGEXES = {
    # 组织机构代码 (9 characters) or 统一社会信用代码 (18 characters)
    "agency_code": r"[0-9A-Z]{9}(?:[0-9A-Z]{9})?",
    "year": r"\d{4}",
    "month": r"0[1-9]|1[0-2]",
}


class PatternError(ValueError):
    """What is wrong with an index-number pattern, as a message in the editor's language."""

    def __init__(self, message: Text) -> None:
        super().__init__(message.render())
        self.text = message


@dataclass(frozen=True, slots=True)
class IndexNumberPattern:
    """A compiled index-number pattern."""

    template: str
    regex: re.Pattern[str]

    def parse(self, index_no: str) -> dict[str, str] | None:
        """The fields of `index_no`, or None when it does not follow the pattern."""
        match = self.regex.fullmatch(index_no)
        return match.groupdict() if match else None

    def format(self, *, agency_code: str, year: int, month: int, serial: int) -> str:
        return self.template.format(agency_code=agency_code, year=year, month=month, serial=serial)

    def example(self) -> str:
        return self.format(agency_code="000000000", year=2026, month=1, serial=1)


def compile_pattern(template: str) -> IndexNumberPattern:
    """Compile a pattern such as `{agency_code}/{year}-{serial:05d}`; PatternError says what is wrong."""
    parts: list[str] = []
    seen: set[str] = set()
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError:  # Python's words for an unpaired brace
        raise PatternError(text("GS111.pattern.braces", pattern=template)) from None
    for literal, name, spec, _ in fields:
        parts.append(re.escape(literal))
        if name is None:
            continue
        if name in seen:
            raise PatternError(text("GS111.pattern.twice", pattern=template, field=name))
        seen.add(name)
        parts.append(f"(?P<{name}>{_field_regex(template, name, spec or '')})")
    if "serial" not in seen:
        raise PatternError(text("GS111.pattern.no-serial", pattern=template))
    return IndexNumberPattern(template, re.compile("".join(parts)))


def _field_regex(template: str, name: str, spec: str) -> str:
    if name == "serial":
        width = re.fullmatch(r"0(\d+)d", spec)
        if width:
            return rf"\d{{{int(width.group(1))}}}"
        if spec in ("", "d"):
            return r"\d+"
        raise PatternError(text("GS111.pattern.serial-width", pattern=template, spec=spec))
    if name == "month" and spec == "02d":
        return _FIELD_REGEXES["month"]
    if name in _FIELD_REGEXES and not spec:
        return _FIELD_REGEXES[name]
    field = name + (":" + spec if spec else "")
    raise PatternError(text("GS111.pattern.unknown-field", pattern=template, field=field))
