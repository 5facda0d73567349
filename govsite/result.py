"""What a build reports: what it wrote, the problems it found, how long it took."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from govsite.errors import Diagnostic, summarize
from govsite.messages import Language, text

if TYPE_CHECKING:  # kept out of imports: an up-to-date build must not pay for the model's
    from govsite.model import Site


@dataclass(frozen=True, slots=True)
class Scheduled:
    """A record held back because it is published after the day the site was built for."""

    index_no: str
    published: str
    """The day it appears, `YYYY-MM-DD`."""
    source: str
    """Its file, relative to the site."""


def scheduled_records(site: Site) -> tuple[Scheduled, ...]:
    """What `site` holds back, oldest first, for the build summary."""
    return tuple(
        Scheduled(r.index_no, r.published.isoformat(), str(r.source.path)) for r in site.scheduled
    )


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Site | None
    """The site model; None when the build folder was already current and nothing was read."""
    records: int
    documents: int
    pages_written: int
    files_copied: int
    diagnostics: tuple[Diagnostic, ...]
    seconds: float
    pages_rendered: int = 0
    """Pages the templates rendered in this build; the others were reused from the build cache."""
    pages_reused: int = 0
    scheduled: tuple[Scheduled, ...] = ()
    """Records held back until their publication day (they build on that day's build)."""

    def summary(self, language: Language = "en") -> str:
        """One line for the terminal and CI logs (and one per scheduled record)."""
        counts: dict[str, str | int] = {
            "pages": self.pages_written,
            "records": self.records,
            "documents": self.documents,
            "files": self.files_copied,
            "seconds": f"{self.seconds:.2f}",
        }
        if self.site is None:
            line = text("build.up-to-date", **counts)
        elif self.pages_reused:
            line = text("build.built-reusing", reused=self.pages_reused, **counts)
        else:
            line = text("build.built", **counts)
        problems = summarize(self.diagnostics, language)
        scheduled = (
            text("build.scheduled", index_no=s.index_no, source=s.source, published=s.published)
            for s in self.scheduled
        )
        return "".join(
            [line.render(language), problems, *(f"\n  {s.render(language)}" for s in scheduled)]
        )
