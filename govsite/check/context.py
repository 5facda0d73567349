"""What every rule family reads: the compiled site, the day to measure against, the sources."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from govsite.config import CheckConfig
from govsite.errors import SourceLocation
from govsite.frontmatter import split_front_matter
from govsite.model import Site
from govsite.plan import PlannedPage
from govsite.render import OutputFile


@dataclass(frozen=True, slots=True)
class Inspection:
    """A compiled site as the rules see it; source texts are read once, on demand."""

    root: Path
    site: Site
    pages: Sequence[PlannedPage]
    outputs: Sequence[OutputFile]
    static_paths: frozenset[str]
    """Site paths of copied files (attachments, images, theme assets)."""
    as_of: date
    markdown: Mapping[str, tuple[str, int]] = field(default_factory=dict)
    """Documents' Markdown bodies and the line each starts on, by source path, where the
    caller holds them (the engine's update); others are read from their files."""
    key_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    """The line of each top-level front-matter key, by source path: filled as the rules
    ask, and kept between builds by the engine (each finding would read its file again)."""
    _sources: dict[str, SourceLocation] = field(default_factory=dict)

    @property
    def options(self) -> CheckConfig:
        return self.site.config.check

    def text(self, location: SourceLocation) -> str:
        """The document's text, read again each time: most documents are looked into once
        (the lines of their keys are kept in `key_lines`), and every text read, kept, was
        about 1.3 KB a record for as long as the check ran (37 MB at 30,000 records)."""
        return (self.root / location.path).read_text(encoding="utf-8-sig")

    def markdown_of(self, location: SourceLocation) -> tuple[str, int]:
        """The Markdown body of the document at `location`, and the line it starts on."""
        known = self.markdown.get(str(location.path))
        if known is not None:
            return known
        parts = split_front_matter(self.text(location))
        return parts.body, parts.body_start_line

    def source_of(self, output_path: str) -> SourceLocation | None:
        """The document a built page shows, if it shows one."""
        if not self._sources:
            self._sources.update(
                (p.output_path, p.source) for p in self.pages if p.source is not None
            )
        return self._sources.get(output_path)

    def field_location(self, location: SourceLocation, *names: str) -> SourceLocation:
        """Where the first of the front-matter keys `names` that is written is, or line 1."""
        key = str(location.path)
        lines = self.key_lines.get(key)
        if lines is None:
            lines = self.key_lines[key] = _key_lines(self.text(location))
        for name in names:
            if name in lines:
                return location.at(lines[name], 1)
        return location.at(1, 1)


_KEY = re.compile(r"(.+?)\s*:")


def _key_lines(text: str) -> dict[str, int]:
    """The first line each key is written on at the start of a line of the front matter."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.split("\n---", 1)[0].split("\n"), start=1):
        if found := _KEY.match(line):
            lines.setdefault(found.group(1), number)
    return lines
