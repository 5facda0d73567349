"""The health report with findings in every table (the demo has none) passes axe too."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from govsite import pipeline
from govsite.config import load_project
from tests.browser.conftest import describe_violations, run_axe, serve
from tests.test_check import BROKEN


def test_health_report_with_findings_has_no_axe_violations(page: Page, tmp_path: Path) -> None:
    out = tmp_path / "build"
    pipeline.build(load_project(BROKEN, out))
    for url in serve(out):
        page.goto(url + "_health/")
        assert page.locator("table").count() == 4  # per month, categories, rules, findings
        violations = run_axe(page)
        assert not violations, describe_violations(violations)
