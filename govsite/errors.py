"""Diagnostics: located problems in the site's sources, collected per build."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

from govsite.messages import Language, Text, text

Severity = Literal["error", "warning"]

# A printed message is one line per field, whatever a file name or a value in it holds: a CI
# service reads a line starting `::error` as a command, and a terminal obeys ESC sequences.
# So control characters (line breaks included), Unicode's line and paragraph separators and
# the format characters that are invisible or reorder what is shown (bidi overrides, zero
# widths, a byte order mark) are spelt as escapes. Spaces, full-width ones included, stay.
_UNPRINTABLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    """`text` with its control and format characters spelt as escapes (`\\n`, `\\x1b`, `\\u2028`)."""
    if text.isprintable():  # the common case, checked in C
        return text
    return "".join(_escape(c) if _unprintable(c) else c for c in text)


def _unprintable(character: str) -> bool:
    return unicodedata.category(character) in _UNPRINTABLE_CATEGORIES


def _escape(character: str) -> str:
    code = ord(character)
    if character in _ESCAPES:
        return _ESCAPES[character]
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


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
    text: Text | None = None
    """The message as a catalogue entry, so it can be printed in the editor's language."""
    hint_text: Text | None = None

    @classmethod
    def of(
        cls,
        severity: Severity,
        message: str | Text,
        location: SourceLocation,
        hint: str | Text | None = None,
        *,
        code: str | None = None,
    ) -> Diagnostic:
        """A diagnostic from plain English or from catalogue texts (whose key starts with the code)."""
        if isinstance(message, Text):
            code = code or message.key.split(".")[0]
        if code is None:
            raise ValueError("a plain-text diagnostic needs its code")  # a bug in govsite
        return cls(
            severity,
            code,
            message.render() if isinstance(message, Text) else message,
            location,
            hint.render() if isinstance(hint, Text) else hint,
            message if isinstance(message, Text) else None,
            hint if isinstance(hint, Text) else None,
        )

    def message_in(self, language: Language) -> str:
        return self.text.render(language) if self.text else self.message

    def hint_in(self, language: Language) -> str | None:
        return self.hint_text.render(language) if self.hint_text else self.hint

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
            self.text.to_json() if self.text else None,
            self.hint_text.to_json() if self.hint_text else None,
        ]

    @classmethod
    def from_json(cls, data: Any) -> Diagnostic:
        """ValueError or TypeError if `data` is not what `to_json` makes."""
        severity, code, message, (path, line, column), hint, said, hinted = data
        if severity not in ("error", "warning"):
            raise ValueError(f"unknown severity {severity!r}")
        location = SourceLocation(PurePosixPath(path), line, column)
        return cls(
            severity,
            str(code),
            str(message),
            location,
            hint,
            Text.from_json(said) if said else None,
            Text.from_json(hinted) if hinted else None,
        )

    def format_text(self, language: Language = "en") -> str:
        """`path:line:col: error[CODE]: message` and an indented `hint:` line: the one shape
        the build, `govsite check` and the preview's error page all print, its fields made
        `printable`. The frame stays in English in every language, so editors and CI can
        jump to the place."""
        where, message = printable(str(self.location)), printable(self.message_in(language))
        line = f"{where}: {self.severity}[{self.code}]: {message}"
        hint = self.hint_in(language)
        if hint:
            line += f"\n  hint: {printable(hint)}"
        return line


class UnsafeOutputDir(ValueError):
    """The build folder would overwrite the site's own sources."""


class BuildFailed(Exception):
    """Raised at a stage boundary when the build found errors it cannot go past."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = tuple(sorted(diagnostics, key=Diagnostic.sort_key))
        super().__init__(self.format_text())

    def format_text(self, language: Language = "en") -> str:
        lines = [d.format_text(language) for d in self.diagnostics]
        nothing = text("summary.nothing-written").render(language)
        lines.append(summarize(self.diagnostics, language) + nothing)
        return "\n".join(lines)


class ScaffoldError(ValueError):
    """The request cannot be met: what is wrong and, in `hint`, what to pass instead
    (catalogue texts `new.*` and `init.*`, printed in the editor's language)."""

    def __init__(self, said: Text, hint: Text | None = None, option: str | None = None) -> None:
        super().__init__(said.render())
        self.said = said
        self.hint = hint
        self.option = option
        """The command-line option at fault, when one is."""

    def format_text(self, language: Language = "en") -> str:
        """`error: message` and an indented `hint:` line, as the build prints its problems."""
        line = f"error: {printable(self.said.render(language))}"
        if self.hint is not None:
            line += f"\n  hint: {printable(self.hint.render(language))}"
        return line


def summarize(diagnostics: Iterable[Diagnostic], language: Language = "en") -> str:
    """'3 problems (2 errors, 1 warning).'"""
    found = list(diagnostics)
    errors = sum(1 for d in found if d.severity == "error")
    counts = {"problems": len(found), "errors": errors, "warnings": len(found) - errors}
    # English needs singular and plural forms; the key names which of the three are 1.
    forms = "".join(
        "1" if counts[name] == 1 else "n" for name in ("problems", "errors", "warnings")
    )
    return text(f"summary.{forms}", **counts).render(language)


class Report:
    """Collects diagnostics during a build; stages call `stop_if_errors` at their boundary."""

    def __init__(self, *, strict: bool = False, suppressed: Iterable[str] = ()) -> None:
        self.strict = strict
        self.suppressed = frozenset(suppressed)
        self._diagnostics: list[Diagnostic] = []

    def say(
        self,
        severity: Severity,
        message: Text,
        location: SourceLocation,
        hint: str | Text | None = None,
    ) -> None:
        """Report a message from the catalogue (govsite/messages/); its key starts with the code."""
        self.extend([Diagnostic.of(severity, message, location, hint)])

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
    hint = suggest(word, choices)
    return hint.render() if hint else None


def suggest(word: str, choices: Iterable[str]) -> Text | None:
    """`did_you_mean` as a catalogue text."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return text("hint.did-you-mean", word=close[0]) if close else None
