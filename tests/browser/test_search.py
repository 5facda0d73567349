"""Site search on the built demo, in Chromium: what each kind of query finds, filters and
their counts, what a search fetches, the page's accessibility.

The expected pages come from an independent reading of the built pages (lxml, the same
data-pagefind-body regions) and a plain statement of what a query matches (`matches`): a
query must find exactly those pages, and say how many there are.
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

from govsite import pipeline
from govsite.config import load_project
from govsite.outputs import search, searchindex, searchjoin
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


def pages_containing(texts: dict[str, str], query: str) -> set[str]:
    return {url for url, text in texts.items() if matches(text, query)}


def matches(text: str, query: str) -> bool:
    """Whether a page's `text` holds every term of `query`, as README "Search" says a search finds.

    In canonical form (runs of Han text, of digits, of letters), within one line: a term of
    one run is found inside a run of Han text, or equals a number or word; a term of several
    runs is found where they stand in a row, its first run ending a run there if it is Han
    text and its last starting one (else equal), the ones between equal. Punctuation between
    two runs of Han text in a term separates two terms.
    """
    lines = [search.canonical_runs(line) for line in text.splitlines()]
    return all(any(_in_runs(line, term) for line in lines) for term in _terms(query))


def _terms(query: str) -> list[list[str]]:
    terms = []
    for word in query.split():
        current: list[str] = []
        for run in search.canonical_runs(word):
            if current and searchindex.is_han(run) and searchindex.is_han(current[-1]):
                terms.append(current)
                current = []
            current.append(run)
        if current:
            terms.append(current)
    return terms


def _in_runs(runs: list[str], term: list[str]) -> bool:
    if len(term) == 1:
        if searchindex.is_han(term[0]):
            return any(searchindex.is_han(r) and term[0] in r for r in runs)
        return term[0] in runs
    for start in range(len(runs) - len(term) + 1):
        here = runs[start : start + len(term)]
        first, *middle, last = zip(term, here, strict=True)
        if (
            (first[1].endswith(first[0]) if searchindex.is_han(first[0]) else first[0] == first[1])
            and all(a == b for a, b in middle)
            and (last[1].startswith(last[0]) if searchindex.is_han(last[0]) else last[0] == last[1])
        ):
            return True
    return False


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
        shown = page.locator(".search-result").count()
        page.click("#search-more")
        page.wait_for_function(
            "n => document.querySelectorAll('.search-result').length > n", arg=shown
        )
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
    mark = search_page.text_content(".search-result .search-result-meta mark")
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
    search_page.wait_for_selector("#search-results[data-shown='20']", state="attached")
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
    search_page.click("#search-filters > summary")
    search_page.click("#search-filters details:has(input[name=agency]) > summary")
    before = int(search_page.get_attribute("#search-form", "data-searches") or "0")
    search_page.get_by_label("青川市人力资源和社会保障局").check()  # keyboard-operable checkbox
    wait_for_search(search_page, before)
    narrowed = set(result_urls(search_page))
    assert narrowed and narrowed < everything
    for url in narrowed:
        assert "青川市人力资源和社会保障局" in indexed_texts[url]
    assert "agency=hrss" in search_page.url


def test_the_filter_checkboxes_work_from_the_keyboard(search_page: Page) -> None:
    submit(search_page, "就业")
    for summary in (
        "#search-filters > summary",
        ".search-filter-group:has(input[name=validity]) > summary",
    ):
        search_page.focus(summary)  # each group folds open from the keyboard
        search_page.keyboard.press("Enter")
    before = int(search_page.get_attribute("#search-form", "data-searches") or "0")
    search_page.locator("input[name=validity][value=effective]").focus()
    search_page.keyboard.press("Space")
    wait_for_search(search_page, before)
    assert "validity=effective" in search_page.url


def test_the_search_page_with_results_has_no_axe_violation(search_page: Page) -> None:
    submit(search_page, "就业")
    search_page.click("#search-filters > summary")
    search_page.click("#search-filters details:has(input[name=agency]) > summary")
    violations = run_axe(search_page)
    assert violations == [], describe_violations(violations)


@pytest.mark.parametrize(("typed", "canonical"), CANONICAL_CASES)
def test_the_javascript_normaliser_matches_the_python_one(
    search_page: Page, typed: str, canonical: str
) -> None:
    got = search_page.evaluate(
        "async t => (await window.govsiteSearch.engine()).canonicalText(t)", typed
    )
    assert got == canonical == search.canonical_text(typed)


@pytest.mark.parametrize("typed", ["金桥镇区域", "国办发〔2024〕3号", "发2024", "第2条", "GDP增长"])
def test_the_javascript_phrase_tokens_are_the_index_tokens(search_page: Page, typed: str) -> None:
    """Each [token, offset] search.js looks up stands at that offset in the indexed text itself."""
    tokens = search_page.evaluate(
        "async t => { const e = await window.govsiteSearch.engine();"
        " return e.phrasesOf(t).map((runs) => e.phraseTokens(runs)); }",
        typed,
    )
    (phrase,) = tokens
    indexed = searchindex.token_positions(search.canonical_runs(typed), every_trigram=True)
    origin = min(indexed[phrase[0][0]]) - phrase[0][1]
    assert all(origin + offset in indexed[token] for token, offset in phrase)
    for token, _ in phrase:
        js = search_page.evaluate(
            "async t => (await window.govsiteSearch.engine()).bucketOf(t, 4096)", token
        )
        assert js == searchindex.fnv1a(token) % 4096


def bundle_requests(context: BrowserContext, site_url: str, path: str) -> list[str]:
    seen: list[str] = []

    def record(request: Request) -> None:
        if f"/{search.BUNDLE_DIR}/" in request.url:
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


def test_the_search_page_keeps_the_strict_script_policy(demo_build: Path) -> None:
    policies = {}
    for path in (
        "index.html",
        "search/index.html",
        "records/personnel/2024/appointments-2024-05/index.html",
    ):
        tree = html.parse(str(demo_build / path)).getroot()
        (policy,) = tree.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")
        policies[path] = next(p.strip() for p in policy.split(";") if "script-src" in p)
    assert set(policies.values()) == {"script-src 'self'"}  # no WebAssembly, no eval


@pytest.fixture(scope="module")
def sharded_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo built with an index of at most 10 pages a shard, where a shard of 4 pages or
    more gives only the trigrams beside its common bigrams (so shards decide unlike one
    another), and posting lists of more than 64 bytes come in parts of about 256 (64 for a
    common token)."""
    shards: list[int] = []
    real = search.shard_postings
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 10)
        patch.setattr(searchindex, "SMALL_SHARD", 4)
        patch.setattr(searchjoin, "PART_BYTES", 256)
        patch.setattr(searchindex, "INLINE_BYTES", 64)
        patch.setattr(search, "shard_postings", lambda texts: shards.append(1) or real(texts))
        out = tmp_path_factory.mktemp("sharded") / "build"
        assert pipeline.build(load_project(REPO, out)).diagnostics == ()
    assert len(shards) >= 5
    return out


@pytest.fixture(scope="module")
def sharded_site_url(sharded_build: Path) -> Iterator[str]:
    yield from serve(sharded_build)


def bucket_entries(bundle: Path) -> dict[str, tuple[int, int | None]]:
    """Every token of an index's bucket files: its pages and the number naming its part files
    (None for a posting list held in the bucket)."""
    entries: dict[str, tuple[int, int | None]] = {}
    for file in sorted((bundle / "t").glob("*.bin")):
        data = file.read_bytes()
        at = 0
        while at < len(data):
            length, at = varint_at(data, at)
            name = data[at : at + length].decode()
            pages, at = varint_at(data, at + length)
            parts, at = varint_at(data, at)
            if parts:
                number, at = varint_at(data, at)
                entries[name] = (pages, number)
                for _ in range(2 * parts):
                    _, at = varint_at(data, at)
            else:
                length, at = varint_at(data, at)
                at += length
                entries[name] = (pages, None)
    return entries


def varint_at(data: bytes, at: int) -> tuple[int, int]:
    """The varint at `at` in `data`, and where the next thing starts."""
    value = shift = 0
    while data[at] >= 0x80:
        value |= (data[at] & 0x7F) << shift
        shift += 7
        at += 1
    return value | data[at] << shift, at + 1


def test_a_phrase_beside_a_common_bigram_fetches_none_of_its_parts(
    context: BrowserContext,
    sharded_build: Path,
    sharded_site_url: str,
    indexed_texts: dict[str, str],
) -> None:
    """A phrase of a common bigram and a rarer one is proven by their trigram: of the common
    bigram's posting list (in parts) nothing is fetched. Without the trigram, any cover takes
    both bigrams, and the common one's parts that hold the rarer one's pages are fetched."""
    bundle = sharded_build / search.BUNDLE_DIR
    entries = bucket_entries(bundle)
    manifest = json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))
    pages = manifest["pages"]
    choices = sorted(
        (entries[token[:2]][0], token)
        for token in entries
        if searchindex.is_trigram(token)
        and entries[token[:2]][1] is not None
        and searchindex.is_common(entries[token[:2]][0], pages)
        and not searchindex.is_common(entries[token[1:]][0], pages)
    )
    assert choices, "the demo has a common bigram in parts with a trigram beside it"
    _, phrase = choices[-1]
    common_parts = f"/p/{entries[phrase[:2]][1]:x}-"
    seen: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: seen.append(urlsplit(request.url).path))
    page.goto(sharded_site_url + "search/")
    submit(page, phrase)
    assert set(result_urls(page)) == pages_containing(indexed_texts, phrase)
    assert [path for path in seen if common_parts in path] == []
    bucket = searchindex.fnv1a(phrase) % manifest["buckets"]
    assert any(path.endswith(f"/{search.BUNDLE_DIR}/t/{bucket:x}.bin") for path in seen)


@pytest.mark.parametrize("word", ["就业", "预算", "补贴"])
def test_a_sharded_index_finds_what_one_index_finds(
    page: Page, sharded_site_url: str, indexed_texts: dict[str, str], word: str
) -> None:
    page.goto(sharded_site_url + "search/")
    submit(page, word)
    expected = pages_containing(indexed_texts, word)
    assert len(expected) > 10  # more than one shard holds them
    assert f"找到 {len(expected)} 条" in (page.text_content("#search-status") or "")
    assert set(result_urls(page)) == expected


def test_on_a_sharded_index_phrases_across_words_find_exactly_their_pages(
    page: Page, sharded_site_url: str, indexed_texts: dict[str, str]
) -> None:
    page.goto(sharded_site_url + "search/")
    missed = []
    for phrase in random_phrases(indexed_texts, count=25, seed=20261203):
        expected = pages_containing(indexed_texts, phrase)
        submit(page, phrase)
        count = f"找到 {len(expected)} 条" if expected else "没有找到"
        status = page.text_content("#search-status") or ""
        found = set(result_urls(page))
        if found != expected or count not in status:
            missed.append(f"{phrase}: missing {expected - found}, extra {found - expected}")
    assert missed == []


@pytest.mark.parametrize(
    "typed", ["青政任2024 3号", "青政任〔2024〕3号", "政任[2024]3", "2024 3号"]
)
def test_on_a_sharded_index_loose_document_numbers_find_their_record_first(
    page: Page, sharded_site_url: str, indexed_texts: dict[str, str], typed: str
) -> None:
    page.goto(sharded_site_url + "search/")
    submit(page, typed)
    found = result_urls(page)
    assert found[0] == "records/personnel/2024/appointments-2024-05/"
    assert set(found) == pages_containing(indexed_texts, typed)


def facet_values(demo_build: Path, url: str) -> dict[str, set[str]]:
    tree = html.parse(str(demo_build / url / "index.html")).getroot()
    values: dict[str, set[str]] = {}
    for mark in tree.xpath("//*[@data-pagefind-filter]/@data-pagefind-filter"):
        name, _, value = str(mark).partition(":")
        values.setdefault(name, set()).add(value)
    return values


def test_filters_show_true_counts_and_fold_empty_values(
    page: Page, sharded_site_url: str, indexed_texts: dict[str, str], demo_build: Path
) -> None:
    page.goto(sharded_site_url + "search/")
    assert page.is_hidden("#search-filters")  # nothing to filter before a search
    submit(page, "就业")
    expected = pages_containing(indexed_texts, "就业")
    before = int(page.get_attribute("#search-filters", "data-counted") or "0")
    page.click("#search-filters > summary")
    page.wait_for_selector(f"#search-filters[data-counted='{before + 1}']", state="attached")
    for name in ("agency", "validity", "genre", "year"):
        page.click(f"#search-filters details:has(input[name={name}]) > summary")
        for box in page.locator(f"input[name={name}]").all():
            value = box.get_attribute("value") or ""
            count = sum(value in facet_values(demo_build, url).get(name, ()) for url in expected)
            item = box.locator("xpath=ancestor::li")
            if count:
                assert item.locator(".search-filter-count").text_content() == f"({count})"
            else:
                assert item.is_hidden()  # a value no result has is folded away
    # choosing one narrows the results to exactly its count
    box = page.locator("input[name=validity][value=effective]")
    count = box.locator("xpath=ancestor::li").locator(".search-filter-count").text_content() or ""
    searches = int(page.get_attribute("#search-form", "data-searches") or "0")
    box.check()
    wait_for_search(page, searches)
    assert f"找到 {count.strip('()')} 条" in (page.text_content("#search-status") or "")


def test_a_result_shows_its_validity_number_date_and_a_clean_excerpt(search_page: Page) -> None:
    submit(search_page, "青政任2024 3号")
    first = search_page.locator(".search-result").first
    details = first.locator(".search-result-meta").text_content() or ""
    assert "有效性：" in details and "发文字号：青政任〔2024〕3号" in details
    excerpt = first.locator(".search-excerpt").text_content() or ""
    for label in ("成文日期", "发文字号", "索引号", "内容概述"):
        assert label not in excerpt  # the metadata list is shown above, not run into the text


def test_a_repealed_record_is_marked_in_the_results(search_page: Page, demo_build: Path) -> None:
    repealed = json.loads((demo_build / "data" / "catalogue.json").read_text(encoding="utf-8"))
    title = next(r["title"] for r in repealed["records"] if r["validity"] == "repealed")
    submit(search_page, title)
    first = search_page.locator(".search-result").first
    assert first.locator(".search-result-title a").text_content() == title
    assert first.locator(".validity-repealed").text_content() == "已废止"


def test_a_search_fetches_little_of_the_index(context: BrowserContext, site_url: str) -> None:
    """The manifest, one bucket per token, one file per result shown: never a page's text."""
    seen: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: seen.append(urlsplit(request.url).path))
    page.goto(site_url + "search/?q=" + quote("就业 补贴"))
    page.wait_for_selector("#search-form[data-searches]", state="attached")
    fetched = [path for path in seen if f"/{search.BUNDLE_DIR}/" in path]
    kinds = [path.split(f"/{search.BUNDLE_DIR}/")[1].split("/")[0] for path in fetched]
    assert kinds.count("manifest.json") == 1
    assert 1 <= kinds.count("t") <= 2  # 就业 and 补贴: one bucket each at most
    assert kinds.count("d") == 10 and "f" not in kinds  # facets only once the filters open
    assert len(seen) <= 30


def test_the_header_search_box_says_what_to_type(page: Page, site_url: str) -> None:
    page.goto(site_url)
    assert page.get_attribute("#site-search-q", "placeholder") == "标题、正文或文号"


def test_a_phrase_with_a_bigram_found_nowhere_fetches_no_posting_list(
    context: BrowserContext, sharded_build: Path, sharded_site_url: str
) -> None:
    """Of 关于X: two bigrams that are in the index around one that is nowhere, the middle one
    is the one a cover may leave out: the phrase is still found nowhere, with nothing fetched
    of the posting lists in parts."""
    entries = bucket_entries(sharded_build / search.BUNDLE_DIR)
    first = max(
        (t for t in entries if len(t) == 2 and searchindex.is_han(t) and entries[t][1] is not None),
        key=lambda t: entries[t][0],
    )
    last = next(
        t
        for t in sorted(entries, key=lambda t: -entries[t][0])
        if len(t) == 2 and searchindex.is_han(t) and first[1] + t[0] not in entries
    )
    phrase = first + last
    seen: list[str] = []
    page = context.new_page()
    page.on("request", lambda request: seen.append(urlsplit(request.url).path))
    page.goto(sharded_site_url + "search/")
    submit(page, phrase)
    assert "没有找到" in (page.text_content("#search-status") or "")
    assert [path for path in seen if "/p/" in path] == []
