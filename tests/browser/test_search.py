"""Site search on the built demo, in Chromium: what each kind of query finds, filters, the page's accessibility.

The expected pages come from an independent reading of the built pages (lxml, the same
data-pagefind-body regions): a query must find exactly the pages whose text contains it.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest
from lxml import html
from playwright.sync_api import BrowserContext, Page, Request

from govsite import pipeline, search
from govsite.config import load_project
from tests.browser.conftest import REPO, describe_violations, run_axe, serve
from tests.unit.test_search import CANONICAL_CASES

pytestmark = pytest.mark.browser

BLOCKS = [
    "p",
    "pre",
    "li",
    "td",
    "th",
    "dd",
    "dt",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "caption",
    "figcaption",
]
HAN_RUN = re.compile(r"[\u4e00-\u9fff]{6,}")


@pytest.fixture(scope="module")
def indexed_texts(demo_build: Path) -> dict[str, str]:
    """Site path → the text of each searchable page (its data-pagefind-body, ignored parts left out)."""
    texts = {}
    for file in sorted(demo_build.rglob("index.html")):
        tree = html.parse(str(file)).getroot()
        bodies = tree.xpath("//*[@data-pagefind-body]")
        if not bodies:
            continue
        for ignored in tree.xpath("//*[@data-pagefind-body]//*[@data-pagefind-ignore]"):
            ignored.drop_tree()
        blocks = [b.text_content() for body in bodies for b in body.iter(*BLOCKS)]
        url = file.parent.relative_to(demo_build).as_posix() + "/"
        texts[url] = "\n".join(blocks)
    return texts


def pages_containing(texts: dict[str, str], phrase: str) -> set[str]:
    return {url for url, text in texts.items() if phrase.lower() in text.lower()}


def submit(page: Page, query: str) -> None:
    """Type `query` in the search page's form, submit it and wait until the results are shown."""
    before = page.get_attribute("#search-form", "data-searches") or "0"
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    wait_for_search(page, int(before))


def wait_for_search(page: Page, before: int) -> None:
    page.wait_for_function(
        "before => Number(document.getElementById('search-form').dataset.searches || 0) > before",
        arg=before,
    )
    page.wait_for_function(
        "() => { const s = document.getElementById('search-status').textContent;"
        " return s && s !== document.getElementById('search-form').dataset.labelSearching; }"
    )


def result_urls(page: Page) -> list[str]:
    """Every result's site path, pressing "more results" until all are shown."""
    while page.is_visible("#search-more"):
        page.click("#search-more")
    hrefs = page.eval_on_selector_all(".search-result-title a", "links => links.map(a => a.href)")
    return [urlsplit(h).path.lstrip("/") for h in hrefs]


@pytest.fixture
def search_page(page: Page, site_url: str) -> Page:
    page.goto(site_url + "search/")
    return page


@pytest.mark.parametrize("word", ["就业", "预算", "采购", "教育", "补贴"])
def test_a_two_character_word_finds_exactly_the_pages_containing_it(
    search_page: Page, indexed_texts: dict[str, str], word: str
) -> None:
    expected = pages_containing(indexed_texts, word)
    assert 0 < len(expected) < len(indexed_texts)
    submit(search_page, word)
    assert f"找到 {len(expected)} 条" in (search_page.text_content("#search-status") or "")
    found = result_urls(search_page)
    assert len(found) == len(set(found))
    assert set(found) == expected


@pytest.mark.parametrize("word", ["GDP", "dataset", "csv"])
def test_an_english_word_finds_exactly_the_pages_containing_it(
    search_page: Page, indexed_texts: dict[str, str], word: str
) -> None:
    expected = pages_containing(indexed_texts, word)
    assert expected
    submit(search_page, word)
    assert set(result_urls(search_page)) == expected


def test_a_document_number_finds_its_record_first(
    search_page: Page, indexed_texts: dict[str, str]
) -> None:
    expected = pages_containing(indexed_texts, "〔2024〕3号")
    submit(search_page, "〔2024〕3号")
    found = result_urls(search_page)
    assert set(found) == expected
    assert found[0] == "records/personnel/2024/appointments-2024-05/"
    mark = search_page.text_content(".search-result .search-excerpt mark")
    # brackets only separate a number's parts, so the mark may start after 〔
    assert search.canonical_text(mark or "") == search.canonical_text("〔2024〕3号")
    first = search_page.locator(".search-result").first
    assert (
        first.locator(".search-result-title a").text_content()
        == "青川市人民政府关于刘明远等同志职务任免的通知"
    )
    details = first.locator(".search-result-meta").text_content() or ""
    for shown in (
        "发文字号：青政任〔2024〕3号",
        "发布日期：2024年05月17日",
        "发布机构：青川市人民政府",
    ):
        assert shown in details


def test_the_count_is_announced_politely_and_more_results_take_the_focus(
    search_page: Page,
) -> None:
    status = search_page.locator("#search-status")
    assert status.get_attribute("role") == "status"
    assert status.get_attribute("aria-live") == "polite"
    submit(search_page, "就业")
    assert search_page.locator(".search-result").count() == 10
    search_page.focus("#search-more")
    search_page.keyboard.press("Enter")
    assert search_page.locator(".search-result").count() == 20
    focused = search_page.evaluate("document.activeElement.closest('.search-result') !== null")
    assert focused


@pytest.mark.parametrize(
    "typed",
    [
        "青政任〔2024〕3号",
        "青政任[2024]3号",
        "青政任(2024)3号",
        "青政任2024 3号",
        "青政任（2024）3号",
    ],
)
def test_a_loosely_typed_document_number_finds_its_record_first(
    search_page: Page, typed: str
) -> None:
    submit(search_page, typed)
    found = result_urls(search_page)
    assert found[0] == "records/personnel/2024/appointments-2024-05/"


def test_an_index_number_finds_its_record_first(search_page: Page) -> None:
    submit(search_page, "00258307X/2026-00004")
    assert result_urls(search_page)[0] == (
        "records/interpretations/2026/internship-subsidy-interpretation/"
    )


def test_a_query_with_no_result_says_so(search_page: Page) -> None:
    submit(search_page, "量子纠缠态")
    assert result_urls(search_page) == []
    assert search_page.is_hidden("#search-results-section")
    assert "量子纠缠态" in search_page.text_content("#search-status")


def random_phrases(texts: dict[str, str], count: int, seed: int) -> Iterator[str]:
    """`count` runs of 2 to 6 consecutive Han characters from the records' text, picked with `seed`."""
    chooser = random.Random(seed)
    runs = sorted({r for t in texts.values() for r in HAN_RUN.findall(t)})
    for _ in range(count):
        run = chooser.choice(runs)
        length = chooser.randint(2, 6)
        start = chooser.randrange(len(run) - length + 1)
        yield run[start : start + length]


def test_any_few_consecutive_characters_find_exactly_their_pages(
    search_page: Page, indexed_texts: dict[str, str]
) -> None:
    missed = []
    for phrase in random_phrases(indexed_texts, count=40, seed=20260401):
        expected = pages_containing(indexed_texts, phrase)
        submit(search_page, phrase)
        found = set(result_urls(search_page))
        if found != expected:
            missed.append(f"{phrase}: missing {expected - found}, extra {found - expected}")
    assert missed == []


def test_filtering_by_agency_narrows_the_results(
    search_page: Page, indexed_texts: dict[str, str]
) -> None:
    submit(search_page, "就业")
    everything = set(result_urls(search_page))
    search_page.click("#search-filters summary")
    before = int(search_page.get_attribute("#search-form", "data-searches") or "0")
    search_page.get_by_label(
        "青川市人力资源和社会保障局", exact=True
    ).check()  # keyboard-operable checkbox
    wait_for_search(search_page, before)
    narrowed = set(result_urls(search_page))
    assert narrowed and narrowed < everything
    for url in narrowed:
        assert "青川市人力资源和社会保障局" in indexed_texts[url]
    assert "agency=hrss" in search_page.url


def test_the_filter_checkboxes_work_from_the_keyboard(search_page: Page) -> None:
    submit(search_page, "就业")
    summary = search_page.locator("#search-filters summary")
    summary.focus()
    search_page.keyboard.press("Enter")
    before = int(search_page.get_attribute("#search-form", "data-searches") or "0")
    search_page.locator("input[name=validity][value=repealed]").focus()
    search_page.keyboard.press("Space")
    wait_for_search(search_page, before)
    assert "validity=repealed" in search_page.url


def test_the_search_page_with_results_has_no_axe_violation(search_page: Page) -> None:
    submit(search_page, "就业")
    search_page.click("#search-filters summary")
    violations = run_axe(search_page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize(("typed", "canonical"), CANONICAL_CASES)
def test_the_javascript_normaliser_matches_the_python_one(
    search_page: Page, typed: str, canonical: str
) -> None:
    got = search_page.evaluate("t => window.govsiteSearch.canonicalText(t)", typed)
    assert got == canonical == search.canonical_text(typed)
    for text in (typed, "金桥镇区域", "国办发〔2024〕3号"):
        js = search_page.evaluate("t => window.govsiteSearch.encodeChars(t)", text)
        assert js == search.encode_chars(text)


def bundle_requests(context: BrowserContext, site_url: str, path: str) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        if "/pagefind/" in request.url:
            seen.append(request.url)

    page = context.new_page()
    page.on("request", record)
    page.goto(site_url + path)
    page.wait_for_load_state("networkidle")
    return seen


@pytest.mark.parametrize("path", ["", "records/personnel/2024/appointments-2024-05/", "search/"])
def test_pages_that_are_not_searching_fetch_nothing_of_the_index(
    context: BrowserContext, site_url: str, path: str
) -> None:
    assert bundle_requests(context, site_url, path) == []


def test_the_header_form_searches_from_any_page(page: Page, site_url: str) -> None:
    page.goto(site_url + "records/personnel/2024/appointments-2024-05/")
    page.fill("#site-search-q", "见习补贴")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/**?q=*")
    wait_for_search(page, 0)
    assert "records/interpretations/2026/internship-subsidy-interpretation/" in result_urls(page)


def test_without_javascript_the_search_page_explains_and_links_to_the_catalogue(
    browser_without_js: Page, site_url: str
) -> None:
    page = browser_without_js
    page.goto(site_url)
    page.fill("#site-search-q", "就业")
    page.press("#site-search-q", "Enter")
    page.wait_for_url("**/search/**?q=" + quote("就业"))
    assert page.is_visible("#search-nojs")
    assert page.is_visible("#search-nojs a[href='../catalogue/index.html']")
    assert page.is_hidden("#search-filters")


@pytest.fixture
def browser_without_js(context: BrowserContext) -> Iterator[Page]:
    no_js = context.browser
    assert no_js is not None
    fresh = no_js.new_context(java_script_enabled=False, locale="zh-CN")
    yield fresh.new_page()
    fresh.close()


def test_pagefind_also_runs_on_the_page_itself_under_its_csp(search_page: Page) -> None:
    """Where a browser cannot start Pagefind's worker, its WebAssembly runs in the page: the CSP must allow it."""
    count = search_page.evaluate(
        """async () => {
            const pagefind = await import('../pagefind/pagefind.js');
            await pagefind.options({ noWorker: true, baseUrl: '/' });
            const found = await pagefind.search(window.govsiteSearch.queryTokens('就业').join(' '));
            return found.results.length;
        }"""
    )
    assert count > 0


def test_only_the_search_page_relaxes_the_script_policy(demo_build: Path) -> None:
    policies = {}
    for path in (
        "index.html",
        "search/index.html",
        "records/personnel/2024/appointments-2024-05/index.html",
    ):
        tree = html.parse(str(demo_build / path)).getroot()
        (policy,) = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        policies[path] = next(p.strip() for p in policy.split(";") if "script-src" in p)
    assert policies.pop("search/index.html") == "script-src 'self' 'wasm-unsafe-eval'"
    assert set(policies.values()) == {"script-src 'self'"}


@pytest.fixture(scope="module")
def sharded_site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo built with an index of at most 10 pages a shard, served."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 10)
        out = tmp_path_factory.mktemp("sharded") / "build"
        assert pipeline.build(load_project(REPO, out)).diagnostics == ()
    shards = json.loads((out / search.BUNDLE_DIR / search.SHARDS_FILE).read_text(encoding="utf-8"))
    assert len(shards) >= 2
    yield from serve(out)


@pytest.mark.parametrize("word", ["就业", "预算", "补贴"])
def test_a_sharded_index_finds_what_one_index_finds(
    page: Page, sharded_site_url: str, indexed_texts: dict[str, str], word: str
) -> None:
    page.goto(sharded_site_url + "search/")
    submit(page, word)
    expected = pages_containing(indexed_texts, word)
    assert len(expected) > 10  # more than one shard holds them
    assert set(result_urls(page)) == expected
