"""axe-core over every page of the demo site, in the default look and the reader's strongest settings."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page

from tests.browser.conftest import demo_pages, describe_violations, run_axe


def test_no_axe_violations_on_any_page(page: Page, site_url: str, demo_build: Path) -> None:
    failures = []
    for path in demo_pages(demo_build):
        page.goto(site_url + path)
        violations = run_axe(page)
        if violations:
            failures.append(f"{path}:\n{describe_violations(violations)}")
    assert not failures, "\n".join(failures)
