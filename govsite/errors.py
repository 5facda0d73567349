"""Diagnostics: located problems in the site's sources, collected per build."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

Severity = Literal["error", "warning"]

# A printed message is one line per field, whatever a file name or a value in it holds: a CI
# service reads a line starting `::error` as a command, and a terminal obeys ESC sequences.
# So C0 and C1 controls (line breaks included), Unicode's line separators and the bidi
# overrides that reorder what is shown are spelt as escapes.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with its control characters spelt as escapes (`\\n`, `\\x1b`, `\\u2028`)."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    code = ord(character)
    return _ESCAPES.get(character) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


@dataclass(frozen=True, slots=True, order=True)
class SourceLocation:
    """A place in a source file, relative to the site root; line and column are 1-based."""

    path: PurePosixPath
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = str(self.path)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text

    def at(self, line: int | None, column: int | None = None) -> SourceLocation:
        """The same file at another line (and column)."""
        return SourceLocation(self.path, line, column)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem an editor can fix, with the code that documents it."""

    severity: Severity
    code: str
    message: str
    location: SourceLocation
    hint: str | None = None

    def sort_key(self) -> tuple[str, int, int, str, str]:
        loc = self.location
        return (str(loc.path), loc.line or 0, loc.column or 0, self.code, self.message)

    def to_json(self) -> list[Any]:
        """The diagnostic as JSON data (the build cache keeps some), read back by `from_json`."""
        where = self.location
        return [
            self.severity,
            self.code,
            self.message,
            [str(where.path), where.line, where.column],
            self.hint,
        ]

    @classmethod
    def from_json(cls, data: Any) -> Diagnostic:
        """ValueError or TypeError if `data` is not what `to_json` makes."""
        severity, code, message, (path, line, column), hint = data
        if severity not in ("error", "warning"):
            raise ValueError(f"unknown severity {severity!r}")
        location = SourceLocation(PurePosixPath(path), line, column)
        return cls(severity, str(code), str(message), location, hint)

    def format_text(self) -> str:
        """`path:line:col: severity[code]: message`, and an indented hint line; every printed
        diagnostic (build, check, serve) is formatted here, its fields made `printable`."""
        where, message = printable(str(self.location)), printable(self.message)
        text = f"{where}: {self.severity}[{self.code}]: {message}"
        if self.hint:
            text += f"\n  hint: {printable(self.hint)}"
        return text


class UnsafeOutputDir(ValueError):
    """The build folder would overwrite the site's own sources."""


class BuildFailed(Exception):
    """Raised at a stage boundary when the build found errors it cannot go past."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__(self.format_text())

    def format_text(self) -> str:
        lines = [d.format_text() for d in self.diagnostics]
        lines.append(summarize(self.diagnostics) + " Nothing was written.")
        return "\n".join(lines)


def summarize(diagnostics: Iterable[Diagnostic]) -> str:
    """'3 problems (2 errors, 1 warning).'"""
    found = list(diagnostics)
    errors = sum(1 for d in found if d.severity == "error")
    warnings = len(found) - errors
    return (
        f"{_plural(len(found), 'problem')} "
        f"({_plural(errors, 'error')}, {_plural(warnings, 'warning')})."
    )


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class Report:
    """Collects diagnostics during a build; stages call `stop_if_errors` at their boundary."""

    def __init__(self, *, strict: bool = False, suppressed: Iterable[str] = ()) -> None:
        self.strict = strict
        self.suppressed = frozenset(suppressed)
        self._diagnostics: list[Diagnostic] = []

    def error(
        self, code: str, message: str, location: SourceLocation, hint: str | None = None
    ) -> None:
        self._diagnostics.append(Diagnostic("error", code, message, location, hint))

    def warning(
        self, code: str, message: str, location: SourceLocation, hint: str | None = None
    ) -> None:
        if code not in self.suppressed:
            self._diagnostics.append(Diagnostic("warning", code, message, location, hint))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for diagnostic in diagnostics:
            if diagnostic.severity == "error" or diagnostic.code not in self.suppressed:
                self._diagnostics.append(diagnostic)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return tuple(sorted(self._diagnostics, key=Diagnostic.sort_key))

    @property
    def error_count(self) -> int:
        return sum(1 for d in self._diagnostics if self._is_fatal(d))

    def stop_if_errors(self) -> None:
        """Raise BuildFailed with everything collected so far if any of it is fatal."""
        if self.error_count:
            raise BuildFailed(self._diagnostics)

    def _is_fatal(self, diagnostic: Diagnostic) -> bool:
        return diagnostic.severity == "error" or self.strict


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the closest choice to a misspelt word, if one is close enough."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None
