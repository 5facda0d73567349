"""`govsite check`: compile the site in memory (nothing is written) and inspect it."""

from __future__ import annotations

from datetime import date

from govsite import pipeline
from govsite.check.external import ExternalOptions
from govsite.check.inspect import CheckResult, inspect
from govsite.config import Project
from govsite.errors import BuildFailed, Diagnostic, Report

SEVERITY_RANK = {"warning": 1, "error": 2}


def run_check(
    project: Project, as_of: date, external: ExternalOptions | None = None
) -> CheckResult | BuildFailed:
    """The check's result, or the build's own failure when the site does not build at all."""
    report = Report(suppressed=project.config.suppress_warnings)
    try:
        compiled = pipeline.compile_site(project, report, as_of=as_of)
    except BuildFailed as failed:
        return failed
    return inspect(project, compiled, as_of, external)


def fails(findings: tuple[Diagnostic, ...], fail_on: str) -> bool:
    """Whether anything was found at or above the `fail_on` severity."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
