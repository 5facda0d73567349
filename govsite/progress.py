"""Progress of long builds: a bar per stage on a terminal, nothing otherwise.

The pipeline reports `(stage, done, total)` to a plain callable; only the command line
decides how to show it, so the library and the tests stay silent.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TextIO

Progress = Callable[[str, int, int], None]
"""Called with a stage's label, the items done so far and the items in all."""

BAR_WIDTH = 30


def no_progress(stage: str, done: int, total: int) -> None:
    """The default: builds from the library or the preview server show nothing."""


class TerminalBars:
    """One bar per stage, redrawn in place and ended with a newline when the stage is done."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.shown: tuple[str, int] | None = None

    def __call__(self, stage: str, done: int, total: int) -> None:
        filled = BAR_WIDTH * done // total if total else BAR_WIDTH
        if self.shown == (stage, filled) and done < total:
            return  # redraw only when the bar moves: a site has up to 10⁵ pages
        self.shown = (stage, filled)
        bar = "#" * filled + "." * (BAR_WIDTH - filled)
        end = "\n" if done >= total else ""
        self.stream.write(f"\r{stage:<16} [{bar}] {done:,}/{total:,}{end}")
        self.stream.flush()


def progress_for(stream: TextIO, *, quiet: bool) -> Progress:
    """Bars on an interactive terminal; nothing when quiet, piped or under CI (logs want one line)."""
    if quiet or os.environ.get("CI") or not stream.isatty():
        return no_progress
    return TerminalBars(stream)


def report_every(total: int) -> int:
    """How many items between two reports: about a hundred reports per stage, so they cost nothing."""
    return max(1, total // 100)
