"""What the toolbar tests share: pages to visit, the saved-prefs contract, reading the page's state."""

from __future__ import annotations

import json
from typing import Any

from playwright.sync_api import BrowserContext, Page

RECORD = "records/policies/2024/business-environment-measures/"
LISTING = "catalogue/policies/"
PREFS_KEY = "govsite:prefs"
# Every <html> attribute a saved choice sets (the toolbar contract).
MODE_ATTRIBUTES = ("data-text-size", "data-contrast", "data-spacing", "data-cursor", "data-simple")
ALL_ON = {"size": 4, "contrast": True, "spacing": True, "cursor": True, "simple": True}
ALL_ON_ATTRIBUTES = {
    "data-text-size": "4",
    "data-contrast": "high",
    "data-spacing": "wide",
    "data-cursor": "large",
    "data-simple": "on",
}

# Stands in for the browser's speech synthesis (headless Chromium has no voices), recording calls.
FAKE_SPEECH = """
window.spoken = [];
Object.defineProperty(window, "speechSynthesis", {configurable: true, value: {
  speak(u) { window.spoken.push({text: u.text, lang: u.lang}); },
  cancel() { window.spoken.push("cancel"); },
  pause() { window.spoken.push("pause"); },
  resume() { window.spoken.push("resume"); },
}});
"""


def save_prefs_before_load(context: BrowserContext, prefs: dict[str, Any]) -> None:
    """Every page of the context starts with these prefs saved, as if chosen on an earlier visit."""
    script = f"localStorage.setItem({json.dumps(PREFS_KEY)}, {json.dumps(json.dumps(prefs))})"
    context.add_init_script(script)


def mode_attributes(page: Page) -> dict[str, str]:
    """The mode attributes present on <html>, by name."""
    result: dict[str, str] = page.evaluate(
        """names => Object.fromEntries(names
            .filter(n => document.documentElement.hasAttribute(n))
            .map(n => [n, document.documentElement.getAttribute(n)]))""",
        list(MODE_ATTRIBUTES),
    )
    return result


def computed(page: Page, selector: str, css_property: str) -> str:
    value: str = page.eval_on_selector(
        selector, "(el, p) => getComputedStyle(el).getPropertyValue(p)", css_property
    )
    return value


def toolbar_button(page: Page, action: str) -> Any:
    return page.locator(f'#a11y-toolbar [data-a11y="{action}"]')


def announced(page: Page, text: str) -> None:
    """Wait until the polite live region says `text` (fails after Playwright's default timeout)."""
    page.wait_for_function(
        "text => document.getElementById('a11y-status').textContent === text", arg=text
    )
