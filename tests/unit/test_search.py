"""govsite/search.py: the normalisation shared with search.js, n-gram tokens, and the index stage."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from govsite import pipeline, search
from govsite.config import load_project
from govsite.errors import BuildFailed, Report
from govsite.htmltree import parse_page
from tests.conftest import MakeSite

# (typed, canonical form). tests/browser/test_search.py runs search.js's canonicalText on
# the same table, so the index (Python) and the queries (JavaScript) agree.
CANONICAL_CASES = [
    ("国办发〔2024〕3号", "国办发 2024 3 号"),
    ("国办发[2024]3号", "国办发 2024 3 号"),
    ("国办发(2024)3号", "国办发 2024 3 号"),
    ("国办发（2024）3号", "国办发 2024 3 号"),
    ("国办发【2024】3号", "国办发 2024 3 号"),
    ("国办发2024 3号", "国办发 2024 3 号"),
    ("国办发 〔 2024 〕 3 号", "国办发 2024 3 号"),
    ("国办发〔２０２４〕３号", "国办发 2024 3 号"),
    ("00258307X/2026-00004", "00258307 x 2026 00004"),
    ("００２５８３０７Ｘ／２０２６－００００４", "00258307 x 2026 00004"),
    ("金桥镇区", "金桥镇区"),
    ("就业见习，补贴标准。", "就业见习 补贴标准"),
    ("“十四五”规划", "十四五 规划"),
    ("二〇三五年", "二〇三五年"),
    ("GDP增长", "gdp 增长"),
    ("Open  Data\tAPI", "open data api"),
    ("AppKey", "appkey"),
    ("第²条", "第 2 条"),  # NFKC makes the superscript a digit
    ("ab௰cd", "ab cd"),  # a numeral that is not a letter (Tamil ten) separates runs
    ("", ""),
    ("〔〕、。 ", ""),
]


@pytest.mark.parametrize(("typed", "canonical"), CANONICAL_CASES)
def test_canonical_text(typed: str, canonical: str) -> None:
    assert search.canonical_text(typed) == canonical


def test_loosely_typed_document_numbers_have_one_form() -> None:
    forms = {
        search.canonical_text(t) for t in ("国办发〔2024〕3号", "国办发[2024]3号", "国办发2024 3号")
    }
    assert forms == {"国办发 2024 3 号"}
    assert search.canonical_text("国办发〔2024〕13号") not in forms


def test_encoded_characters_are_fixed_width_ascii_words() -> None:
    word = search.encode_chars("金桥")
    # 金 U+91D1 = 2·26³ + 3·26² + 5·26 + 19 → cdft; 桥 U+6865 = 1·26³ + 13·26² + 13·26 + 23 → bnnx
    assert word == "zq" + "cdft" + "bnnx"
    assert word.isascii() and word.isalpha() and len(word) == 2 + 4 * 2
    assert search.encode_chars("金桥") != search.encode_chars("桥金")


def test_index_tokens_are_bigrams_of_each_run() -> None:
    enc = search.encode_chars
    assert search.index_tokens("金桥镇区") == [enc("金桥"), enc("桥镇"), enc("镇区")]
    # a one-character run is a token of its own; runs never pair across a separator
    assert search.index_tokens("〔2024〕3号") == [
        enc("20"),
        enc("02"),
        enc("24"),
        enc("3"),
        enc("号"),
    ]


def test_a_phrase_straddling_words_has_all_its_bigrams_in_the_index() -> None:
    tokens = set(search.index_tokens("本市金桥镇区域内的居民"))
    assert {search.encode_chars(p) for p in ("金桥", "桥镇", "镇区")} <= tokens


# A day on which the skeleton's newest record (published 2026-03-05) passes every date rule.
SKELETON_FRESH = date(2026, 3, 10)

PAGE = """<!DOCTYPE html><html lang="zh-CN"><body>
<nav>网站导航</nav>
<article data-pagefind-body><h1 data-pagefind-weight="10">关于金桥镇的通知</h1>
<dl><dt>发文字号</dt><dd data-pagefind-weight="8">青政发〔2024〕3号</dd></dl>
<nav data-pagefind-ignore>目录链接</nav>
<p>正文<a href="x">第一段</a>内容</p><script>ignored()</script></article>
<footer>页脚</footer></body></html>"""


def test_indexed_text_is_the_body_without_ignored_parts() -> None:
    text = search.indexed_text(parse_page(PAGE.encode()))
    assert text.weighted.split() == ["关于金桥镇的通知", "青政发〔2024〕3号"]
    assert text.plain.split() == ["发文字号", "正文第一段内容"]  # inline links do not break a run


def test_indexed_text_leaves_out_characters_lxml_refuses() -> None:
    # A page can hold them raw (a theme) or as references (raw HTML); lxml reads both but
    # refuses them in the text the stage writes back.
    page = "<html><body><main data-pagefind-body><p>甲&#11;乙\x0c丙</p>\x1b<p>丁&#xFFFE;</p>"
    text = search.indexed_text(parse_page((page + "</main></body></html>").encode()))
    assert text.plain.split() == ["甲乙丙", "丁"]


def test_with_tokens_appends_weighted_and_plain_tokens_after_the_sentinel() -> None:
    copy = search.with_tokens(
        PAGE.encode(), search.indexed_text(parse_page(PAGE.encode()))
    ).decode()
    block = copy[copy.index("<div data-pagefind-body><p data-pagefind-weight") :]
    assert block.endswith("</body></html>")
    weighted, plain = block.split("</p><p>")
    assert f"{search.SENTINEL} " in weighted and search.encode_chars("金桥") in weighted
    assert search.encode_chars("段内") in plain and search.encode_chars("金桥") not in plain
    assert search.encode_chars("导航") not in copy and search.encode_chars("录链") not in copy


def test_without_pagefind_the_site_builds_with_a_warning(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(search, "pagefind_executable", lambda: None)
    out = tmp_path / "out"
    result = pipeline.build(load_project(make_site(), out))
    assert [d.code for d in result.diagnostics] == ["GS501"]
    assert (out / "search" / "index.html").is_file()
    assert not (out / search.BUNDLE_DIR).exists()


def test_without_pagefind_a_strict_build_writes_nothing(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(search, "pagefind_executable", lambda: None)
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as failed:
        # As of a day the skeleton's newest record is fresh, so only the search is missing.
        pipeline.build(load_project(make_site(), out), strict=True, as_of=SKELETON_FRESH)
    assert [d.code for d in failed.value.diagnostics] == ["GS501"]
    assert not out.exists()


def test_a_failing_pagefind_is_a_warning_and_leaves_no_half_bundle(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    report = Report()
    search._run_pagefind(Path("/bin/false"), tmp_path, tmp_path / "pagefind", report)
    assert [d.code for d in report.diagnostics] == ["GS501"]
    assert not (tmp_path / "pagefind").exists()


def test_the_bundle_indexes_document_pages_only(make_site: MakeSite, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = pipeline.build(load_project(make_site(), out))
    assert result.diagnostics == ()
    entry = (out / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8")
    documents = len(result.site.records) + len(result.site.pages)
    assert f'"page_count":{documents}' in entry
    assert (out / "pagefind" / search.SHARDS_FILE).read_text(encoding="utf-8") == "[]"


def test_a_large_index_is_cut_into_shards_that_together_hold_every_page(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 2)
    out = tmp_path / "out"
    result = pipeline.build(load_project(make_site(), out))
    assert result.site is not None
    documents = len(result.site.records) + len(result.site.pages)
    bundle = out / search.BUNDLE_DIR
    shards = json.loads((bundle / search.SHARDS_FILE).read_text(encoding="utf-8"))
    assert 0 < len(shards) < -(-documents // 2)
    counts = [
        int(
            re.findall(r'"page_count":(\d+)', (bundle / name / "pagefind-entry.json").read_text())[
                0
            ]
        )
        for name in ["", *shards]
    ]
    assert sum(counts) == documents  # every page in exactly one shard


def test_a_site_with_nothing_to_search_has_no_bundle_and_no_warning(tmp_path: Path) -> None:
    report = Report()
    search.index_site(tmp_path, tmp_path / "copies", {}, "code", None, report)
    assert report.diagnostics == ()
    assert not (tmp_path / search.BUNDLE_DIR).exists()
