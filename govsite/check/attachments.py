"""Rules on files under content/ published as they are: none may run script (GC801)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from govsite import messages
from govsite.activecontent import active_attachments
from govsite.check.rules import finding
from govsite.config import Project
from govsite.errors import Diagnostic


def check_attachments(project: Project, copies: Iterable[tuple[str, Path]]) -> Iterator[Diagnostic]:
    """GC801 for everything in an SVG, HTML or XML file under content/ that can run script.

    The message is the build's own (GS160, activecontent.py); the hint says what to do."""
    for location, message in active_attachments(project, copies):
        yield finding("GC801", message, location, messages.text("GC801.hint"))
