"""What a citizen sees: on a phone the document is on the first screen, the folded reading aids and
navigation open with a tap or a key (and without JavaScript), numbers and dates in tables stay
whole, records print cleanly, and the health report fits its page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.browser.conftest import OffsiteRequests, new_context
from tests.browser.toolbar import RECORD, save_prefs_before_load

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
REPEALED = "records/policies/2021/business-environment-measures-2021/"
WITH_TABLE = "records/policies/2026/one-thing-efficiently/"
INTERPRETED = RECORD  # the 2024 measures, which have 相关解读

BOX_JS = """s => { const b = document.querySelector(s).getBoundingClientRect();
  return {top: b.top, bottom: b.bottom}; }"""


@pytest.fixture
def phone(browser: Browser, offsite_requests: OffsiteRequests) -> Iterator[BrowserContext]:
    context = new_context(browser, offsite_requests, viewport=PHONE)
    yield context
    context.close()


def box(page: Page, selector: str) -> dict[str, float]:
    result: dict[str, float] = page.evaluate(BOX_JS, selector)
    return result


@pytest.mark.parametrize("path", [REPEALED, RECORD, WITH_TABLE])
def test_on_a_phone_the_title_and_validity_notice_fill_the_first_screen(
    phone: BrowserContext, site_url: str, path: str
) -> None:
    page = phone.new_page()
    page.goto(site_url + path)
    h1 = box(page, "main h1")
    assert h1["top"] >= 0 and h1["bottom"] <= PHONE["height"], h1
    if path == REPEALED:
        notice = box(page, ".notice")
        assert notice["bottom"] <= PHONE["height"], notice
    # The breadcrumbs no longer repeat the title.
    assert page.locator(".breadcrumbs [aria-current=page]").inner_text() == "正文"


@pytest.mark.parametrize("path", [REPEALED, WITH_TABLE])
def test_on_a_phone_at_200_percent_text_the_title_starts_on_the_first_screen(
    phone: BrowserContext, site_url: str, path: str
) -> None:
    save_prefs_before_load(phone, {"size": 4})
    page = phone.new_page()
    page.goto(site_url + path)
    assert page.evaluate("getComputedStyle(document.body).fontSize") == "36px"
    assert box(page, "main h1")["top"] < PHONE["height"]


def test_on_a_phone_the_folds_open_with_a_tap(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    page.goto(site_url + RECORD)
    nav_link = page.locator(".site-nav a", has_text="信息公开目录")
    larger = page.locator('#a11y-toolbar [data-a11y="larger"]')
    assert not nav_link.is_visible() and not larger.is_visible()
    page.locator(".site-nav summary").click()
    assert nav_link.is_visible()
    page.locator("#a11y-toolbar summary").click()
    assert larger.is_visible()
    larger.click()
    assert page.evaluate("document.documentElement.dataset.textSize") == "1"


def test_on_a_phone_the_folds_open_from_the_keyboard(phone: BrowserContext, site_url: str) -> None:
    page = phone.new_page()
    page.goto(site_url + RECORD)
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#a11y-toolbar') !== null")
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.dataset.a11y") == "larger"
    summary = page.locator(".site-nav summary")
    summary.focus()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "首页"


def test_on_a_phone_without_javascript_the_navigation_still_opens(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str
) -> None:
    context = new_context(browser, offsite_requests, viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + RECORD)
    nav_link = page.locator(".site-nav a", has_text="信息公开目录")
    assert not nav_link.is_visible()
    page.locator(".site-nav summary").click()
    assert nav_link.is_visible()
    with page.expect_navigation():
        nav_link.click()
    assert page.url == site_url + "catalogue/index.html"
    context.close()


def test_on_a_wide_screen_nothing_is_folded(page: Page, site_url: str) -> None:
    page.goto(site_url + RECORD)
    assert page.locator(".site-nav a", has_text="信息公开目录").is_visible()
    assert page.locator('#a11y-toolbar [data-a11y="larger"]').is_visible()
    assert page.locator("summary:visible").count() == 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
def test_interpretations_are_linked_beside_the_metadata(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str, viewport: dict[str, int]
) -> None:
    context = new_context(browser, offsite_requests, viewport=viewport)
    page = context.new_page()
    page.goto(site_url + INTERPRETED)
    quick = page.locator(".record-meta .meta-related a")
    assert quick.count() == page.locator(".related-interpretations a").count() >= 1
    # Right under the metadata table, long before the end of the page.
    gap = box(page, ".meta-related")["top"] - box(page, ".record-meta dl")["bottom"]
    assert 0 <= gap < 50
    with page.expect_navigation():
        quick.first.click()
    assert page.locator(".record-meta .meta-related", has_text="解读的文件").count() == 1
    context.close()


# The text of every table cell that is only a date or a number, and how many lines it takes.
CELL_LINES_JS = r"""() => [...document.querySelectorAll('.prose td, .prose th')]
  .filter(cell => /^[0-9][0-9.,:/%\-年月日号]*$/.test(cell.textContent.trim()))
  .map(cell => {
    const range = document.createRange();
    range.selectNodeContents(cell);
    const tops = new Set([...range.getClientRects()].filter(r => r.width > 0).map(r => Math.round(r.top)));
    return [cell.textContent.trim(), tops.size];
  })"""


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["375", "1280"])
@pytest.mark.parametrize("size", [0, 4], ids=["default", "200%"])
def test_dates_and_numbers_in_tables_stay_on_one_line(
    browser: Browser,
    offsite_requests: OffsiteRequests,
    site_url: str,
    viewport: dict[str, int],
    size: int,
) -> None:
    context = new_context(browser, offsite_requests, viewport=viewport)
    save_prefs_before_load(context, {"size": size})
    page = context.new_page()
    page.goto(site_url + WITH_TABLE)
    cells = page.evaluate(CELL_LINES_JS)
    assert any("年" in text for text, _ in cells)  # the table's 上线时间 column
    assert [c for c in cells if c[1] != 1] == []
    # The table still sits in its own labelled region, which scrolls if it must.
    region = page.locator(".prose .scroll-region[role=region]").first
    assert region.get_attribute("aria-labelledby")
    context.close()


def test_print_shows_the_document_without_clutter(page: Page, site_url: str) -> None:
    page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; }")
    page.goto(site_url + RECORD)
    button = page.get_by_role("button", name="打印本页")
    button.click()
    assert page.evaluate("window.printed") == 1
    page.emulate_media(media="print")
    for hidden in ("#a11y-toolbar", ".site-nav", ".breadcrumbs", ".footer-nav", ".site-search"):
        assert not page.locator(hidden).is_visible(), hidden
    assert not button.is_visible()
    for shown in ("main h1", ".record-meta dl", ".record-body", ".page-address"):
        assert page.locator(shown).is_visible(), shown
    # Links of the text print their full address (marked by print.js before printing).
    related = page.locator(".related-interpretations a").first
    after = related.evaluate("a => getComputedStyle(a, '::after').content")
    assert after == f'" ({related.evaluate("a => a.href")})"'
    assert after.startswith(f'" ({site_url}records/')


def test_without_javascript_there_is_no_print_button(
    browser: Browser, offsite_requests: OffsiteRequests, site_url: str
) -> None:
    context = new_context(browser, offsite_requests, viewport=DESKTOP, java_script_enabled=False)
    page = context.new_page()
    page.goto(site_url + RECORD)
    assert page.locator(".print-button").count() == 1
    assert not page.locator(".print-button").is_visible()
    context.close()


def test_the_footer_links_the_site_map_and_shows_the_police_badge(
    page: Page, site_url: str
) -> None:
    page.goto(site_url + RECORD)
    badge = page.locator(".site-footer .public-security svg")
    assert badge.is_visible() and badge.get_attribute("aria-hidden") == "true"
    number = page.locator(".site-footer .public-security")
    badge_box, link_box = badge.bounding_box(), number.bounding_box()
    assert badge_box and link_box and badge_box["width"] >= 16
    with page.expect_navigation():
        page.locator(".footer-nav").get_by_role("link", name="网站地图").click()
    assert page.locator("h1").inner_text() == "网站地图"
    assert page.locator("main a", has_text="政策文件").count() >= 1
    assert page.locator('main a[href*="records/"]').count() == 0  # sections, not every record


def test_health_report_fits_at_desktop_width_with_readable_chart_labels(
    page: Page, site_url: str
) -> None:
    page.goto(site_url + "_health/")
    regions = page.locator("main .scroll-region:has(table)")
    assert regions.count() >= 2
    category_table = regions.nth(1)
    assert category_table.evaluate("r => r.scrollWidth <= r.clientWidth")
    sizes = page.eval_on_selector_all(
        "main svg[role=img] text", "ts => ts.map(t => t.getBoundingClientRect().height)"
    )
    assert sizes and min(sizes) >= 14
