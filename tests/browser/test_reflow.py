"""Reflow (WCAG 1.4.10): at 320 CSS px no page of the demo scrolls sideways, at any text size."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser

from tests.browser.conftest import OffsiteRequests, demo_pages
from tests.browser.survey import (
    DEFAULT,
    LARGEST_TEXT,
    MODE_STATE_JS,
    Mode,
    mode_context,
    mode_problems,
    survey,
)

NARROW = {"width": 320, "height": 640}

# The outermost element that sticks out (outside any region that scrolls by itself) is named,
# so a failure says what to fix.
OVERFLOW_JS = f"""() => {{
  const width = document.documentElement.clientWidth;
  const scrollWidth = document.documentElement.scrollWidth;
  const scrollsItself = e => e !== document.body && getComputedStyle(e).overflowX !== 'visible';
  const inScroller = e => {{
    for (let a = e.parentElement; a && a !== document.documentElement; a = a.parentElement)
      if (scrollsItself(a)) return true;
    return false;
  }};
  let widest = '';
  if (scrollWidth > width) {{
    const e = [...document.body.querySelectorAll('*')]
      .find(e => e.getBoundingClientRect().right > width + 0.5 && !inScroller(e));
    widest = e ? e.tagName.toLowerCase() + (e.className ? '.' + e.className.replace(/ /g, '.') : '') : '';
  }}
  return {{width, scrollWidth, widest, mode: ({MODE_STATE_JS})()}};
}}"""


def reflow_failures(
    browser: Browser, offsite: OffsiteRequests, site_url: str, paths: list[str], mode: Mode
) -> list[str]:
    """Each page wider than the 320 px viewport, with the last element that sticks out."""
    with mode_context(browser, offsite, mode, viewport=NARROW) as context:
        results = survey(context, [site_url + p for p in paths], OVERFLOW_JS)
    failures = []
    for url, r in results.items():
        problems = mode_problems(r["mode"], mode)
        if r["scrollWidth"] > r["width"]:
            problems.append(f"{r['scrollWidth']} px wide in {r['width']} px (see {r['widest']})")
        failures += [f"{url}: {p}" for p in problems]
    return failures


@pytest.mark.parametrize("mode", [DEFAULT, LARGEST_TEXT], ids=lambda m: m.name)
def test_no_page_scrolls_sideways_at_320px(
    browser: Browser,
    offsite_requests: OffsiteRequests,
    site_url: str,
    demo_build: Path,
    mode: Mode,
) -> None:
    failures = reflow_failures(browser, offsite_requests, site_url, demo_pages(demo_build), mode)
    assert not failures, "\n".join(failures)
