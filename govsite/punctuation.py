"""Find full-width punctuation where YAML expects its half-width syntax (`：` after a key,
a full-width space in the indentation, `【…】` around a list).

Chinese input methods type these by default. PyYAML then fails a line or two later with
"could not find expected ':'", or reads the line as text; naming the character where it
was typed says the fix. Full-width punctuation inside values is text, and left alone.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from govsite.errors import Diagnostic, SourceLocation
from govsite.fieldnames import RECORD_KEYS
from govsite.messages import Text, text

IDEOGRAPHIC_SPACE = "\u3000"
# A key at the start of a line (after an optional list dash): ASCII or Chinese words.
_KEY = re.compile(r"(?P<dash>-[ \u3000]+)?(?P<key>[A-Za-z_][\w-]*|[\u3400-\u9fff]{1,12})[ \u3000]*")
_BLOCK_SCALAR = re.compile(r":[ \u3000]+[|>][-+0-9]*[ \u3000]*(#.*)?$")
_LIST_SEPARATORS = re.compile(r"[，,、]")
# Keys whose value is a list: there `【…】` means a list; elsewhere (a title) it is text.
_LIST_KEYS = frozenset(
    (
        *("keywords", "topics", "agency", "interprets", "ignore", "suppress_warnings"),
        *("interpretation_categories", "summary_categories", "主题词", "关键词", "主题分类"),
    )
)


def find_fullwidth_syntax(source: str, origin: SourceLocation) -> list[Diagnostic]:
    """Errors for full-width punctuation in YAML syntax; `origin.line` is the text's first line."""
    first_line = origin.line or 1
    return [
        Diagnostic.of("error", message, origin.at(first_line + index, column), hint)
        for index, column, message, hint in _scan(source, first_line)
    ]


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of YAML: its 0-based index, 1-based number, indent and text after it."""

    index: int
    number: int
    indent: int
    text: str


def _scan(source: str, first_line: int) -> Iterator[tuple[int, int, Text, Text]]:
    block_indent: int | None = None  # inside a `|` or `>` block scalar: its key's indent
    key_indent: int | None = None  # where the keys of the innermost mapping begin
    for index, raw in enumerate(source.split("\n")):
        text_ = raw.lstrip(" ")
        line = _Line(index, first_line + index, len(raw) - len(text_), text_)
        if block_indent is not None and (not text_.strip() or line.indent > block_indent):
            continue  # a block scalar's text is text, whatever it holds
        block_indent = None
        if not text_ or text_.startswith("#"):
            continue
        found = _KEY.match(text_)
        if text_.startswith(IDEOGRAPHIC_SPACE) or found is None:
            yield from _indentation(line)
            continue
        # A list item's dash starts a mapping: its first key is at a key's place too.
        at_key_position = (
            key_indent is None or line.indent <= key_indent or bool(found.group("dash"))
        )
        yield from _after_key(line, found, at_key_position)
        if text_[found.end() : found.end() + 1] == ":":
            key_indent = line.indent + len(found.group("dash") or "")
            if _BLOCK_SCALAR.search(text_):
                block_indent = line.indent


def _indentation(line: _Line) -> Iterator[tuple[int, int, Text, Text]]:
    if line.text.startswith(IDEOGRAPHIC_SPACE):
        yield line.index, line.indent + 1, *_space(line.number, line.indent + 1)


def _after_key(
    line: _Line, found: re.Match[str], at_key_position: bool
) -> Iterator[tuple[int, int, Text, Text]]:
    """A `：` where a key's `:` belongs; a full-width space or `【…】` after a key's `:`."""
    end = found.end()
    after = line.text[end : end + 1]
    column = line.indent + end + 1
    key = found.group("key")
    # `- 综合：政务` in a list is text; `- file：a.pdf` is a mapping in a list.
    ascii_key = key.isascii()
    if after == "：" and at_key_position and (ascii_key or not found.group("dash")):
        yield line.index, column, *_colon(line.number, column, key)
        return
    if after != ":":
        return
    rest = line.text[end + 1 :]
    if rest.startswith(IDEOGRAPHIC_SPACE):
        yield line.index, column + 1, *_space(line.number, column + 1)
        return
    value = rest.strip(" \u3000")
    if key in _LIST_KEYS and value.startswith("【") and value.endswith("】"):
        bracket = column + 1 + rest.index("【")
        yield line.index, bracket, *_bracket(line.number, bracket, value[1:-1])


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
