"""What the pipeline hands to the check and the writers: the site as a build would write it.

Its own module so that `govsite.check` can read it without importing the pipeline that
calls the check."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from govsite.cache import PageCache
from govsite.errors import Diagnostic
from govsite.model import Site
from govsite.plan import PlannedPage
from govsite.render import OutputFile, StagedFile
from govsite.theme import Theme


@dataclass(frozen=True, slots=True)
class CompiledSite:
    """Everything a build would write, held in memory (`govsite check` inspects it)."""

    site: Site
    theme: Theme
    pages: tuple[PlannedPage, ...]
    outputs: tuple[OutputFile, ...]
    copies: tuple[tuple[str, Path], ...]
    diagnostics: tuple[Diagnostic, ...]
    cache: PageCache | None = None
    """The build cache the pages were rendered with; `build` saves it once the site is written."""
    staged: tuple[StagedFile, ...] = ()
    """The files a build already wrote into its staging folder (then `outputs` is empty)."""
