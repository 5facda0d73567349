"""The check inside `govsite build`: `--strict` fails on any check error, and the health
report is rendered alongside the pages."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from govsite.check.health import render_health
from govsite.check.html import PageFacts
from govsite.check.inspect import inspect
from govsite.check.links import unsafe_addresses
from govsite.compiled import CompiledSite
from govsite.config import Project
from govsite.errors import BuildFailed
from govsite.memo import Memo
from govsite.parallel import ExecutorFactory, InProcessExecutor
from govsite.render import OutputFile


def refuse_unsafe_addresses(compiled: CompiledSite, facts: Mapping[str, PageFacts]) -> None:
    """BuildFailed if any page would carry an address that fails the URL gate (GS308)."""
    sources = {p.output_path: p.source for p in compiled.pages if p.source is not None}
    problems = list(unsafe_addresses(facts, sources.get))
    if problems:
        raise BuildFailed(problems)


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
) -> tuple[OutputFile, ...]:
    """The health report's files; BuildFailed in strict mode when the check finds errors.

    `facts` are the rendered pages' and `memo` the content rules' (analyse.py); date
    rules measure against `as_of`. The slow rules run on the executor `run_on` makes;
    `markdown` holds the documents' bodies where the caller has them (check/context.py).
    """
    if not (strict or project.config.health):
        return ()
    result = inspect(
        project, compiled, as_of, facts=facts, memo=memo, run_on=run_on, markdown=markdown
    )
    if strict:
        errors = [f for f in result.findings if f.severity == "error"]
        if errors:
            raise BuildFailed(errors)
    if not project.config.health:
        return ()
    return render_health(compiled.site, compiled.theme, result)
