"""Run one script on many pages of a served site, several tabs at a time, and the reader's modes.

Playwright's sync API waits for each call, so a plain loop checks one page at a time while the
other CPU idles. Here each tab is given its URL and its script is started without waiting
(the promise is parked on `window`); only then are the results collected, so the renderers
work side by side. Each tab is its own renderer process in Chromium.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import OffsiteRequests, new_context

TABS = 2
"""Tabs checked side by side. Measured with axe on 40 demo pages on a 2-CPU machine busy with other
jobs: 8-11 s for 1, 2 or 3 tabs alike, so the CPU is the limit there; a runner with idle cores gains."""

PREFS_KEY = "govsite:prefs"
PENDING = "__govsiteSurvey"


@dataclass(frozen=True, slots=True)
class Mode:
    """A reader's setting, put in place the way the theme's toolbar stores it (localStorage)."""

    name: str
    prefs: Mapping[str, Any] = field(default_factory=dict)
    expected_attributes: Mapping[str, str] = field(default_factory=dict)
    """What js/prefs.js must then set on <html>, as `document.documentElement.dataset` keys."""

    def init_script(self) -> str:
        return (
            f"localStorage.setItem({json.dumps(PREFS_KEY)}, {json.dumps(json.dumps(self.prefs))});"
        )


DEFAULT = Mode("default")
HIGH_CONTRAST = Mode("high-contrast", {"contrast": True}, {"contrast": "high"})
LARGEST_TEXT = Mode("largest-text", {"size": 4}, {"textSize": "4"})

# What js/prefs.js set on <html>: proof that the stored mode reached the page.
MODE_STATE_JS = """() => ({dataset: {...document.documentElement.dataset}})"""


def mode_problems(state: Mapping[str, Any], mode: Mode) -> list[str]:
    """How the page's <html> differs from what `mode` should have set."""
    dataset = state["dataset"]
    return [
        f"<html> data-{key}={dataset.get(key)!r}, expected {value!r} in {mode.name} mode"
        for key, value in mode.expected_attributes.items()
        if dataset.get(key) != value
    ]


@contextmanager
def mode_context(
    browser: Browser, offsite: OffsiteRequests, mode: Mode, **options: Any
) -> Iterator[BrowserContext]:
    """A fresh profile with `mode` stored before any page script runs."""
    context = new_context(browser, offsite, **options)
    if mode.prefs:
        context.add_init_script(mode.init_script())
    try:
        yield context
    finally:
        context.close()


def survey(context: BrowserContext, urls: list[str], script: str) -> dict[str, Any]:
    """`script` (a JS function, may be async) run on each URL once it has loaded, by URL."""
    tabs = [context.new_page() for _ in range(min(TABS, len(urls)))]
    results: dict[str, Any] = {}
    try:
        for start in range(0, len(urls), len(tabs)):
            batch = list(zip(tabs, urls[start : start + len(tabs)], strict=False))
            for tab, url in batch:
                _start(tab, url, script)
            for tab, url in batch:
                results[url] = tab.evaluate(f"() => window.{PENDING}")
    finally:
        for tab in tabs:
            tab.close()
    return results


def _start(tab: Page, url: str, script: str) -> None:
    tab.goto(url)
    # Not awaited here: the next tab starts while this one works.
    tab.evaluate(f"() => {{ window.{PENDING} = Promise.resolve(({script})()); }}")
