"""The check inside `govsite build`: `--strict` fails on any check error, and the health
report is rendered alongside the pages."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from govsite.check.health import render_health
from govsite.check.inspect import inspect
from govsite.config import Project
from govsite.errors import BuildFailed
from govsite.render import OutputFile

if TYPE_CHECKING:
    from govsite.pipeline import CompiledSite


def after_render(
    project: Project, compiled: CompiledSite, *, strict: bool, as_of: date
) -> tuple[OutputFile, ...]:
    """The health report's files; BuildFailed in strict mode when the check finds errors.

    Date rules measure against `as_of` (normally today).
    """
    if not (strict or project.config.health):
        return ()
    result = inspect(project, compiled, as_of)
    if strict:
        errors = [f for f in result.findings if f.severity == "error"]
        if errors:
            raise BuildFailed(errors)
    if not project.config.health:
        return ()
    return render_health(compiled.site, compiled.theme, result)
