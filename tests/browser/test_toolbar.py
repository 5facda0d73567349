"""The reading-aids toolbar: choices persist and apply before first paint, it is hidden without
JavaScript, and at the largest text its controls are 60×60 and every target at least 44×44."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import OffsiteRequests, new_context
from tests.browser.toolbar import (
    ALL_ON,
    ALL_ON_ATTRIBUTES,
    LISTING,
    RECORD,
    mode_attributes,
    save_prefs_before_load,
    toolbar_button,
)

CLICKS = {"larger": 4, "contrast": 1, "spacing": 1, "cursor": 1, "simple": 1}


def test_every_choice_survives_navigation_and_reload(page: Page, site_url: str) -> None:
    page.goto(site_url + RECORD)
    for action, times in CLICKS.items():
        for _ in range(times):
            toolbar_button(page, action).click()
    assert mode_attributes(page) == ALL_ON_ATTRIBUTES
    with page.expect_navigation():
        page.locator(".site-title").click()  # a real link, to another page
    assert page.url == site_url + "index.html"
    assert mode_attributes(page) == ALL_ON_ATTRIBUTES
    page.goto(site_url + LISTING)
    page.reload()
    assert mode_attributes(page) == ALL_ON_ATTRIBUTES
    for action in ("contrast", "spacing", "cursor", "simple"):
        assert toolbar_button(page, action).get_attribute("aria-pressed") == "true"


@pytest.mark.parametrize("prefs", [{"size": 2}, {"contrast": True}, ALL_ON], ids=str)
def test_saved_choices_are_on_html_before_the_body_is_parsed(
    context: BrowserContext, site_url: str, prefs: dict[str, Any]
) -> None:
    """Recorded the moment <body> enters the DOM, before anything in it can be painted."""
    save_prefs_before_load(context, prefs)
    context.add_init_script(
        """new MutationObserver((changes, observer) => {
             if (!document.body) return;
             const html = document.documentElement;
             window.atBodyStart = {classes: html.className,
               attributes: html.getAttributeNames().filter(n => n.startsWith('data-'))};
             observer.disconnect();
           }).observe(document, {childList: true, subtree: true});"""
    )
    page = context.new_page()
    page.goto(site_url + RECORD)
    at_body_start = page.evaluate("window.atBodyStart")
    assert at_body_start["classes"] == "js"
    assert sorted(at_body_start["attributes"]) == sorted(mode_attributes(page))
    assert len(at_body_start["attributes"]) == sum(1 for v in prefs.values() if v)


@pytest.fixture
def no_js_page(browser: Browser, offsite_requests: OffsiteRequests) -> Iterator[Page]:
    context = new_context(
        browser,
        offsite_requests,
        viewport={"width": 1280, "height": 900},
        java_script_enabled=False,
    )
    yield context.new_page()
    context.close()


def test_without_javascript_the_toolbar_is_hidden_and_the_page_works(
    no_js_page: Page, site_url: str
) -> None:
    page = no_js_page
    page.goto(site_url + RECORD)
    assert page.locator("#a11y-toolbar").count() == 1
    assert not page.locator("#a11y-toolbar").is_visible()
    assert page.locator(".site-nav").is_visible() and page.locator(".record-body").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip-link"
    nav = page.get_by_role("navigation", name="网站导航")
    with page.expect_navigation():
        nav.get_by_role("link", name="信息公开目录").click()
    assert page.url == site_url + "catalogue/index.html"
    assert page.locator("h1").inner_text() == "信息公开目录"


# Visible links and buttons smaller than 44×44, except links inside running text, which WCAG 2.5.8
# exempts (their size is the text's). The skip link is measured when focused, where it shows.
SMALL_TARGETS = """min => [...document.querySelectorAll('a[href], button')]
  .filter(el => el.checkVisibility() && !el.matches('.skip-link, .prose p a, .prose li a, .prose td a'))
  .map(el => [el, el.getBoundingClientRect()])
  .filter(([el, box]) => box.width < min || box.height < min)
  .map(([el, box]) => `${el.outerHTML.slice(0, 80)} ${Math.round(box.width)}×${Math.round(box.height)}`)"""


@pytest.mark.parametrize("width", [375, 1280])
@pytest.mark.parametrize("path", ["", LISTING, RECORD])
def test_at_the_largest_text_controls_are_big_enough(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str, width: int, path: str
) -> None:
    context = new_context(browser, offsite_requests, viewport={"width": width, "height": 900})
    save_prefs_before_load(context, {"size": 4})
    page = context.new_page()
    page.goto(site_url + path)
    assert mode_attributes(page) == {"data-text-size": "4"}
    if width < 600:  # on a phone the toolbar and the navigation are folded: open both
        page.locator("#a11y-toolbar summary").click()
        page.locator(".site-nav summary").click()
    buttons = page.locator("#a11y-toolbar button:visible")
    assert buttons.count() == 8
    for box in (buttons.nth(i).bounding_box() for i in range(buttons.count())):
        assert box is not None and box["width"] >= 60 and box["height"] >= 60, box
    assert page.evaluate(SMALL_TARGETS, 44) == []
    context.close()
