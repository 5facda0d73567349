"""Find full-width punctuation where YAML expects its half-width syntax (`：` after a key,
a full-width space in the indentation, `【…】` around a list).

Chinese input methods type these by default. PyYAML then fails a line or two later with
"could not find expected ':'", or reads the line as text; naming the character where it
was typed says the fix. Full-width punctuation inside values is text, and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from govsite.errors import Diagnostic, SourceLocation
from govsite.fieldnames import RECORD_KEYS
from govsite.messages import Text, text

IDEOGRAPHIC_SPACE = "\u3000"
# A key at the start of a line (after an optional list dash): ASCII or Chinese words.
_KEY = re.compile(r"(?P<dash>-[ \u3000]+)?(?P<key>[A-Za-z_][\w-]*|[\u3400-\u9fff]{1,12})[ \u3000]*")
_BLOCK_SCALAR = re.compile(r":[ \u3000]+[|>][-+0-9]*[ \u3000]*(#.*)?$")
_LIST_SEPARATORS = re.compile(r"[，,、]")


def find_fullwidth_syntax(source: str, origin: SourceLocation) -> list[Diagnostic]:
    """Errors for full-width punctuation in YAML syntax; `origin.line` is the text's first line."""
    first_line = origin.line or 1
    return [
        Diagnostic.of("error", message, origin.at(first_line + index, column), hint)
        for index, column, message, hint in _scan(source, first_line)
    ]


def _scan(source: str, first_line: int) -> Iterator[tuple[int, int, Text, Text]]:
    block_indent: int | None = None  # inside a `|` or `>` block scalar: its key's indent
    key_indent: int | None = None  # the indent of the last line that held a key
    for index, line in enumerate(source.split("\n")):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block_indent is not None:
            if not stripped.strip() or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        number = first_line + index
        if stripped.startswith(IDEOGRAPHIC_SPACE):
            yield index, indent + 1, *_space(number, indent + 1)
            continue
        at_key_position = key_indent is None or indent <= key_indent
        found = _KEY.match(stripped)
        if found is None:
            continue
        end = found.end()
        after = stripped[end : end + 1]
        column = indent + end + 1
        if after == "：" and at_key_position:
            key = found.group("key")
            yield index, column, *_colon(number, column, key)
            continue
        if after != ":":
            continue
        key_indent = indent
        rest = stripped[end + 1 :]
        if rest.startswith(IDEOGRAPHIC_SPACE):
            yield index, column + 1, *_space(number, column + 1)
            continue
        if _BLOCK_SCALAR.search(stripped):
            block_indent = indent
            continue
        value = rest.strip(" \u3000")
        if value.startswith("【") and value.endswith("】") and _LIST_SEPARATORS.search(value):
            bracket = column + 1 + rest.index("【")
            yield index, bracket, *_bracket(number, bracket, value[1:-1])


def _colon(line: int, column: int, key: str) -> tuple[Text, Text]:
    message = text("GS102.fullwidth-colon", line=line, column=column, key=key)
    # `文号：` is two mistakes in one: name the key as well as the colon.
    meant = RECORD_KEYS.get(key, key)
    return message, text("GS102.fullwidth-colon.hint", key=meant)


def _space(line: int, column: int) -> tuple[Text, Text]:
    message = text("GS102.fullwidth-space", line=line, column=column)
    return message, text("GS102.fullwidth-space.hint")


def _bracket(line: int, column: int, inside: str) -> tuple[Text, Text]:
    message = text("GS102.fullwidth-bracket", line=line, column=column, char="【", ascii="[")
    return message, text("GS102.fullwidth-bracket.hint", items=list_items(inside))


def list_items(written: str) -> str:
    """`老旧小区，城市更新` → `老旧小区, 城市更新`: the items as a half-width flow list's inside."""
    return ", ".join(
        part.strip(" \u3000") for part in _LIST_SEPARATORS.split(written) if part.strip(" \u3000")
    )
