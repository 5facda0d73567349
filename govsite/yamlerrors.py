"""PyYAML's syntax errors in the editor's words: where, what was found, and how to fix it.

libyaml says "while parsing a flow sequence … did not find expected ',' or ']'" a line
after the mistake. Each kind of error it makes is named here by what the editor wrote (a
list left open, a quote left open, a ':' without a space) and placed where the fix goes:
an unclosed list or quote at its opening, not where the parser gave up.
"""

from __future__ import annotations

import re

import yaml

from govsite.errors import SourceLocation
from govsite.messages import Text, text

# `title:abc`: a key, a ':' and no space, so YAML reads the whole line as text.
_NO_SPACE_AFTER_COLON = re.compile(r"\s*(?P<key>[A-Za-z_][\w-]*):(?P<value>[^\s:].*)")
_ANCHOR_NAME = re.compile(r"\*([^\s,\[\]{}]+)")
_FOUND_LENGTH = 20


def describe_yaml_error(
    exc: yaml.MarkedYAMLError, source: str, origin: SourceLocation
) -> tuple[Text, SourceLocation, Text]:
    """The message, the place to fix and the hint for a syntax error in `source`, whose
    first line is `origin.line` of its file."""
    lines = source.split("\n")
    first_line = origin.line or 1
    problem = exc.problem_mark or exc.context_mark
    if problem is None:
        return text("GS102.unreadable"), origin, text("GS102.hint")
    opened = exc.context_mark
    said = exc.problem or ""
    context = exc.context or ""

    def at(mark: yaml.Mark) -> SourceLocation:
        return origin.at(first_line + mark.line, mark.column + 1)

    where = at(problem)
    line, column = first_line + problem.line, problem.column + 1
    if "flow node" in context:  # a list or mapping ending in ',' where the text ends
        opened = _open_bracket(lines, problem) or opened
        context = "flow sequence" if opened and _char(lines, opened) == "[" else "flow mapping"
    if opened is not None and "flow sequence" in context:
        return text("GS102.unclosed-list"), at(opened), text("GS102.unclosed-list.hint")
    if opened is not None and "flow mapping" in context:
        return text("GS102.unclosed-mapping"), at(opened), text("GS102.unclosed-mapping.hint")
    if opened is not None and "quoted scalar" in context and "end of stream" in said:
        quote = _char(lines, opened)
        return (
            text("GS102.unclosed-quote", quote=quote),
            at(opened),
            text("GS102.unclosed-quote.hint", quote=quote),
        )
    missing_space = _missing_space(lines, problem)
    if missing_space is not None:
        index, colon, key, value = missing_space
        message = text("GS102.no-space-after-colon", line=first_line + index, key=key)
        hint = text("GS102.no-space-after-colon.hint", key=key, value=value)
        return message, origin.at(first_line + index, colon), hint
    if opened is not None and "simple key" in context:
        written = lines[opened.line].strip() if opened.line < len(lines) else ""
        message = text("GS102.missing-colon", line=first_line + opened.line, written=written)
        return message, at(opened), text("GS102.missing-colon.hint")
    if "mapping values are not allowed" in said:
        message = text("GS102.colon-in-value", line=line, column=column)
        return message, where, text("GS102.colon-in-value.hint")
    if opened is not None and "block mapping" in context and "expected key" in said:
        message = text(
            "GS102.indentation",
            line=line,
            column=column,
            found=_found(lines, problem),
            key_column=opened.column + 1,
        )
        return message, where, text("GS102.indentation.hint")
    nameless = "an anchor" in context or "an alias" in context  # a '&' or '*' and no name
    if nameless and opened is not None:
        problem = opened
        where, line, column = at(problem), first_line + problem.line, problem.column + 1
    if "cannot start any token" in said or nameless:
        char = _char(lines, problem)
        if char == "\t":
            return text("GS102.tab", line=line, column=column), where, text("GS102.tab.hint")
        message = text("GS102.cannot-start", line=line, column=column, char=char)
        return message, where, text("GS102.cannot-start.hint", char=char)
    if "undefined alias" in said:
        name = _alias(lines, problem)
        message = text("GS102.undefined-alias", line=line, column=column, name=name)
        return message, where, text("GS102.undefined-alias.hint", name=name)
    if "unknown escape" in said:
        # The mark is at the backslash; the character after it is the one YAML does not know.
        written = lines[problem.line][problem.column + 1 : problem.column + 2]
        message = text("GS102.escape", line=line, column=column, char=written)
        return message, where, text("GS102.escape.hint")
    message = text("GS102", line=line, column=column, found=_found(lines, problem))
    return message, where, text("GS102.hint")


def _char(lines: list[str], mark: yaml.Mark) -> str:
    line = lines[mark.line] if mark.line < len(lines) else ""
    return line[mark.column] if mark.column < len(line) else ""


def _found(lines: list[str], mark: yaml.Mark) -> Text:
    """What stands at `mark`: its first few characters (at the end of a line, the line)."""
    line = lines[mark.line] if mark.line < len(lines) else ""
    rest = line[mark.column :].strip() or line.strip()
    shown = rest[:_FOUND_LENGTH] + ("…" if len(rest) > _FOUND_LENGTH else "")
    return text("value.written", value=shown)


def _open_bracket(lines: list[str], mark: yaml.Mark) -> yaml.Mark | None:
    """Where the innermost '[' or '{' still open at `mark` was written (quotes skipped)."""
    opened: list[tuple[int, int, str]] = []
    quote = ""
    for number, line in enumerate(lines[: mark.line + 1]):
        end = mark.column if number == mark.line else len(line)
        for column, char in enumerate(line[:end]):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"":
                quote = char
            elif char in "[{":
                opened.append((number, column, char))
            elif char in "]}" and opened:
                opened.pop()
    if not opened:
        return None
    number, column, _ = opened[-1]
    return yaml.Mark("", 0, number, column, None, 0)


def _alias(lines: list[str], mark: yaml.Mark) -> str:
    line = lines[mark.line] if mark.line < len(lines) else ""
    found = _ANCHOR_NAME.match(line, mark.column)
    return found.group(1) if found else ""


def _missing_space(lines: list[str], mark: yaml.Mark) -> tuple[int, int, str, str] | None:
    """(line index, column of the ':', key, value) of a `key:value` on the problem's line or
    the one before it."""
    for index in (mark.line - 1, mark.line):
        if 0 <= index < len(lines):
            found = _NO_SPACE_AFTER_COLON.fullmatch(lines[index])
            if found and not found.group("value").startswith(("//", "\\")):
                colon = found.start("value")  # the ':' is just before: its 1-based column
                return index, colon, found.group("key"), found.group("value").rstrip()
    return None
