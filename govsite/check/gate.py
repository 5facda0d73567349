"""The check inside `govsite build`: `--strict` fails on any check error, and the health
report is rendered alongside the pages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from govsite.check.health import Shown, render_health, shown
from govsite.check.html import PageFacts
from govsite.check.inspect import PerDocument, inspect
from govsite.check.links import unsafe_addresses
from govsite.compiled import CompiledSite
from govsite.config import Project
from govsite.errors import BuildFailed
from govsite.memo import Memo
from govsite.parallel import ExecutorFactory, InProcessExecutor
from govsite.reads import PageReads
from govsite.render import OutputFile


def refuse_unsafe_addresses(compiled: CompiledSite, facts: Mapping[str, PageFacts]) -> None:
    """BuildFailed if any page would carry an address that fails the URL gate (GS308)."""
    sources = {p.output_path: p.source for p in compiled.pages if p.source is not None}
    problems = list(unsafe_addresses(facts, sources.get))
    if problems:
        raise BuildFailed(problems)


@dataclass(frozen=True, slots=True)
class HealthReport:
    """The health report a build writes, and what it shows."""

    files: tuple[OutputFile, ...] | None
    """Its files; None when they show what the `kept` report showed (so they are the same)."""
    shown: Shown | None
    """None when the site has no report."""
    reads: PageReads | None = None
    """What its page read of the site beyond what it shows, when it was rendered (reads.py)."""
    per_document: PerDocument = field(default_factory=PerDocument)
    """What the check found out per document, for the next check (check/inspect.py)."""


def after_render(
    project: Project,
    compiled: CompiledSite,
    facts: Mapping[str, PageFacts],
    memo: Memo,
    *,
    strict: bool,
    as_of: date,
    run_on: ExecutorFactory = InProcessExecutor,
    markdown: Mapping[str, tuple[str, int]] | None = None,
    kept: Shown | None = None,
    read_changed: bool = True,
    earlier: PerDocument | None = None,
) -> HealthReport:
    """The health report; BuildFailed in strict mode when the check finds errors.

    `facts` are the rendered pages' and `memo` the content rules' (analyse.py); date
    rules measure against `as_of`. The slow rules run on the executor `run_on` makes;
    `markdown` holds the documents' bodies where the caller has them, and `earlier` what
    an earlier check found of the documents that are as it found them; the report holds
    what this check found per document (check/inspect.py).
    `kept` is what the report of the build being updated showed: its files stay if it
    shows the same and nothing else its page read changed since (`read_changed`: the
    engine's graph says); its findings as report.json lists them are reused if the same.
    """
    if not (strict or project.config.health):
        return HealthReport((), None)
    result = inspect(
        project,
        compiled,
        as_of,
        facts=facts,
        memo=memo,
        run_on=run_on,
        markdown=markdown,
        earlier=earlier,
    )
    if strict:
        errors = [f for f in result.findings if f.severity == "error"]
        if errors:
            raise BuildFailed(errors)
    if not project.config.health:
        return HealthReport((), None)
    what = shown(compiled.site, result)
    per_document = result.per_document
    if kept is not None and not read_changed and what == kept:
        return HealthReport(None, kept, per_document=per_document)
    rendered = render_health(compiled.site, compiled.theme, result, what, kept)
    return HealthReport(rendered.files, rendered.shown, rendered.reads, per_document)
