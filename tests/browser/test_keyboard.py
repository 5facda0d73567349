"""Keyboard use: the skip link comes first, and every toolbar control works with Enter and Space."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Page

from tests.browser.toolbar import (
    ALL_ON,
    FAKE_SPEECH,
    LISTING,
    RECORD,
    announced,
    computed,
    mode_attributes,
    save_prefs_before_load,
    toolbar_button,
)

KEYS = ["Enter", "Space"]


@pytest.mark.parametrize("path", ["", LISTING, RECORD, "404.html"])
def test_first_tab_reaches_the_skip_link(page: Page, site_url: str, path: str) -> None:
    page.goto(site_url + path)
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, document.activeElement.hash]")
    assert focused == ["skip-link", "#main"]
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_tab_then_reaches_every_toolbar_control_with_a_visible_ring(
    page: Page, site_url: str
) -> None:
    page.goto(site_url + RECORD)
    page.keyboard.press("Tab")  # the skip link
    reached = []
    for _ in range(7):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.dataset.a11y"))
        assert float(computed(page, ":focus", "outline-width").removesuffix("px")) >= 3
    assert reached == ["larger", "smaller", "contrast", "spacing", "cursor", "simple", "read"]


def press_on(page: Page, action: str, key: str) -> None:
    toolbar_button(page, action).focus()
    page.keyboard.press(key)


@pytest.mark.parametrize("key", KEYS)
def test_larger_and_smaller_text(page: Page, site_url: str, key: str) -> None:
    page.goto(site_url + RECORD)
    assert computed(page, "body", "font-size") == "18px"
    for size in (1, 2, 3, 4, 4):  # the fifth press stays at the largest step
        press_on(page, "larger", key)
        assert mode_attributes(page) == {"data-text-size": str(size)}
    assert computed(page, "body", "font-size") == "36px"  # 200%
    announced(page, "文字大小：200%")
    press_on(page, "smaller", key)
    assert mode_attributes(page) == {"data-text-size": "3"}
    assert computed(page, "body", "font-size") == "31.5px"  # 175%


# Each on/off control: the <html> attribute it sets, and a property of the page that shows it.
Check = Callable[[Page], bool]
TOGGLES: dict[str, tuple[str, str, Check]] = {
    "contrast": (
        "data-contrast",
        "high",
        lambda p: computed(p, "body", "color") == "rgb(0, 0, 0)",
    ),
    "spacing": (
        "data-spacing",
        "wide",
        lambda p: computed(p, "body", "line-height") == "39.6px",  # 2.2 × 18px
    ),
    "cursor": (
        "data-cursor",
        "large",
        lambda p: (
            "cursor" in computed(p, "body", "cursor")
            and "cursor-pointer" in computed(p, ".site-title", "cursor")
        ),
    ),
    "simple": (
        "data-simple",
        "on",
        lambda p: (
            not p.locator(".site-nav").is_visible()
            and not p.locator(".site-footer").is_visible()
            and p.locator(".record-meta").is_visible()
            and p.locator(".record-body").is_visible()
        ),
    ),
}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("action", TOGGLES)
def test_each_toggle(page: Page, site_url: str, action: str, key: str) -> None:
    attribute, value, shows = TOGGLES[action]
    page.goto(site_url + RECORD)
    button = toolbar_button(page, action)
    assert button.get_attribute("aria-pressed") == "false"
    assert not shows(page)
    press_on(page, action, key)
    assert mode_attributes(page) == {attribute: value}
    assert button.get_attribute("aria-pressed") == "true"
    assert shows(page)
    announced(page, "已开启" + button.inner_text().removeprefix("✓").strip())
    press_on(page, action, key)
    assert mode_attributes(page) == {}
    assert button.get_attribute("aria-pressed") == "false"
    assert not shows(page)


@pytest.mark.parametrize("key", KEYS)
def test_reset(context: BrowserContext, site_url: str, key: str) -> None:
    save_prefs_before_load(context, ALL_ON)
    page = context.new_page()
    page.goto(site_url + RECORD)
    assert len(mode_attributes(page)) == 5
    press_on(page, "reset", key)
    assert mode_attributes(page) == {}
    assert page.evaluate("localStorage.getItem('govsite:prefs')") == "{}"
    assert all(toolbar_button(page, a).get_attribute("aria-pressed") == "false" for a in TOGGLES)
    announced(page, "已恢复默认显示")


@pytest.mark.parametrize("key", KEYS)
def test_read_aloud_main_content_then_stop(
    context: BrowserContext, site_url: str, key: str
) -> None:
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    page.goto(site_url + RECORD)
    read, pause = toolbar_button(page, "read"), toolbar_button(page, "pause")
    assert not pause.is_visible()
    press_on(page, "read", key)
    spoken = page.evaluate("window.spoken.filter(s => s.text)")
    title = page.locator("h1").inner_text()
    assert len(spoken) == 1 and spoken[0]["lang"] == "zh-CN"
    assert spoken[0]["text"].startswith(title)
    assert "营商环境" in spoken[0]["text"][len(title) :]  # the body too, not just the title
    assert read.get_attribute("aria-pressed") == "true"
    announced(page, "开始朗读，再按一次“朗读”停止")
    press_on(page, "pause", key)
    assert pause.get_attribute("aria-pressed") == "true"
    assert page.evaluate("window.spoken.at(-1)") == "pause"
    press_on(page, "pause", key)
    assert page.evaluate("window.spoken.at(-1)") == "resume"
    press_on(page, "read", key)
    assert read.get_attribute("aria-pressed") == "false"
    assert not pause.is_visible()
    assert page.evaluate("window.spoken.at(-1)") == "cancel"


def test_read_aloud_reads_the_selection(context: BrowserContext, site_url: str) -> None:
    context.add_init_script(FAKE_SPEECH)
    page = context.new_page()
    page.goto(site_url + RECORD)
    page.evaluate("getSelection().selectAllChildren(document.querySelector('h1'))")
    press_on(page, "read", "Enter")
    spoken = page.evaluate("window.spoken.filter(s => s.text)")
    assert [s["text"] for s in spoken] == [page.locator("h1").inner_text()]
