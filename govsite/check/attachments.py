"""Rules on files under content/ published as they are: none may run script (GC801)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from govsite import messages
from govsite.activecontent import active_content_in
from govsite.check.rules import finding
from govsite.config import Project
from govsite.errors import Diagnostic


def check_attachments(project: Project, copies: Iterable[tuple[str, Path]]) -> Iterator[Diagnostic]:
    """GC801 for everything in an SVG, HTML or XML file under content/ that can run script."""
    for location, published, found in active_content_in(project, copies):
        yield finding(
            "GC801",
            messages.text("GC801", file=published, what=found.said),
            location,
            messages.text("GC801.hint"),
        )
