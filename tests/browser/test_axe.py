"""axe-core over every page of the demo site, in the default look and the reader's strongest settings."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import AXE_TAGS, OffsiteRequests, demo_pages, describe_violations
from tests.browser.survey import (
    DEFAULT,
    HIGH_CONTRAST,
    LARGEST_TEXT,
    MODE_STATE_JS,
    Mode,
    mode_context,
    mode_problems,
    survey,
)

AXE_JS = f"""async () => ({{
  mode: ({MODE_STATE_JS})(),
  violations: (await axe.run(document, {{
    runOnly: {{type: 'tag', values: {json.dumps(AXE_TAGS)}}},
    resultTypes: ['violations'],
  }})).violations,
}})"""


def axe_failures(
    browser: Browser, offsite: OffsiteRequests, site_url: str, paths: list[str], mode: Mode
) -> list[str]:
    """One entry per page that axe (or the mode's <html> attributes) finds fault with."""
    with mode_context(browser, offsite, mode, viewport={"width": 1280, "height": 900}) as context:
        results = survey(context, [site_url + p for p in paths], AXE_JS)
    failures = []
    for url, result in results.items():
        problems = mode_problems(result["mode"], mode)
        if result["violations"]:
            problems.append(describe_violations(result["violations"]))
        if problems:
            failures.append(f"{url}:\n" + "\n".join(problems))
    return failures


@pytest.mark.parametrize("mode", [DEFAULT, HIGH_CONTRAST, LARGEST_TEXT], ids=lambda m: m.name)
def test_no_axe_violations_on_any_page(
    browser: Browser,
    offsite_requests: OffsiteRequests,
    site_url: str,
    demo_build: Path,
    mode: Mode,
) -> None:
    failures = axe_failures(browser, offsite_requests, site_url, demo_pages(demo_build), mode)
    assert not failures, "\n".join(failures)
