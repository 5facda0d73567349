"""Control characters in the site's text: each one found is named, located and removed.

Word writes U+000B for a manual line break, a terminal leaves ESC sequences behind, and a
broken converter leaves U+FFFE. None of them can be shown in a page, and lxml (which the
search stage and the check use to read pages back) refuses text holding them.
"""

from __future__ import annotations

import re

from govsite import messages
from govsite.errors import Report, SourceLocation

# C0 controls except tab and line feed, DEL, the C1 controls, and Unicode's noncharacters.
# (discover has made every line ending a line feed, so a carriage return is a stray one.)
_NONCHARACTERS = "".join(
    chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17)
)
CONTROL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufdd0-\ufdef{_NONCHARACTERS}]")

# unicodedata has no names for controls; these are their Unicode name aliases.
_NAMES = {
    0x00: "NULL",
    0x07: "BELL",
    0x08: "BACKSPACE",
    0x0B: "LINE TABULATION",
    0x0C: "FORM FEED",
    0x0D: "CARRIAGE RETURN",
    0x1B: "ESCAPE",
    0x7F: "DELETE",
    0x85: "NEXT LINE",
}
# A pasted document can hold hundreds; after this many in one file, one warning counts the rest.
MAX_WARNINGS_PER_TEXT = 20


def describe(character: str) -> str:
    """'U+000B LINE TABULATION', 'U+FFFE (a noncharacter)'."""
    code = ord(character)
    if code in _NAMES:
        return f"U+{code:04X} {_NAMES[code]}"
    kind = "a noncharacter" if code >= 0xFDD0 else "a control character"
    return f"U+{code:04X} ({kind})"


def remove_controls(text: str, where: SourceLocation, report: Report) -> str:
    """`text` without control characters, each one removed a GS107 warning at its line and column.

    `where` is the file's start (line 1, or no line): `text` is the whole file.
    """
    if CONTROL.search(text) is None:  # the usual case, answered by one scan in C
        return text
    matches = list(CONTROL.finditer(text))
    for match in matches[:MAX_WARNINGS_PER_TEXT]:
        _warn(report, match.group(), _position(text, match.start(), where))
    if len(matches) > MAX_WARNINGS_PER_TEXT:
        rest = len(matches) - MAX_WARNINGS_PER_TEXT
        where_rest = _position(text, matches[MAX_WARNINGS_PER_TEXT].start(), where)
        hint = messages.text("GS107.hint")
        report.say("warning", messages.text("GS107.more", count=rest), where_rest, hint)
    return CONTROL.sub("", text)


def remove_controls_from_value(value: str, where: SourceLocation, report: Report) -> str:
    """`value` without control characters, each kind removed a GS107 warning at the value.

    For a value written with escapes (YAML's "\\v"), whose characters have no column of their own.
    """
    if CONTROL.search(value) is None:
        return value
    for character in sorted(set(CONTROL.findall(value))):
        _warn(report, character, where)
    return CONTROL.sub("", value)


def _warn(report: Report, character: str, where: SourceLocation) -> None:
    code = ord(character)
    shown = f"U+{code:04X}"
    if code in _NAMES:
        said = messages.text("GS107", code=shown, name=_NAMES[code])
    else:
        key = "GS107.noncharacter" if code >= 0xFDD0 else "GS107.unnamed"
        said = messages.text(key, code=shown)
    report.say("warning", said, where, messages.text("GS107.hint"))


def _position(text: str, offset: int, where: SourceLocation) -> SourceLocation:
    line_start = text.rfind("\n", 0, offset) + 1
    line = (where.line or 1) + text.count("\n", 0, offset)
    return where.at(line, offset - line_start + 1)
