"""govsite/outputs/search.py and searchindex.py: the normalisation shared with search.js, tokens with
positions, postings, shards, and the index stage."""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Callable, Iterator
from datetime import date
from itertools import accumulate
from pathlib import Path

import pytest

from govsite import pipeline, uptodate
from govsite.config import load_project
from govsite.engine import snapshot
from govsite.engine.searchsync import SearchJob, index_pages
from govsite.errors import BuildFailed, Report
from govsite.htmltree import parse_page
from govsite.memo import KEPT_DIR, SITE_DIR, Workspace
from govsite.outputs import search, searchindex, searchjoin
from govsite.outputs.searchindex import token_positions
from tests import test_incremental as edits
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


def test_a_han_run_gives_its_bigrams_at_consecutive_positions() -> None:
    assert token_positions(["金桥镇区"]) == {"金桥": [0], "桥镇": [1], "镇区": [2]}


def test_numbers_and_words_are_whole_tokens_and_runs_are_gap_apart() -> None:
    found = token_positions(search.canonical_runs("国办发〔2024〕3号文"))
    gap = searchindex.GAP
    assert found["国办"] == [0] and found["办发"] == [1]
    assert found["2024"] == [2 + gap]
    assert found["3"] == [3 + 2 * gap]
    assert found["号文"] == [4 + 3 * gap]
    # where Han text meets a number, its edge characters are tokens: 3号 finds 3号文
    assert found["发$"] == [1] and found["^号"] == [4 + 3 * gap]
    assert "20" not in found and "13" not in found  # 3 never finds 13, 02 never 2024


def test_a_one_character_run_is_its_own_token() -> None:
    found = token_positions(search.canonical_runs("第2条"))
    assert found == {
        "第": [0],
        "第$": [0],
        "2": [1 + searchindex.GAP],
        "条": [2 + 2 * searchindex.GAP],
        "^条": [2 + 2 * searchindex.GAP],
    }


def test_postings_hold_each_page_with_its_head_and_body_positions() -> None:
    texts = [(["金桥"], ["金桥镇", "金桥"]), (["无关"], []), ([], ["金桥"])]
    postings = searchindex.shard_postings(texts)
    first, last, pages, _ = postings["金桥"]
    assert (first, last, pages) == (0, 2, 2)
    joined = {token: parts for token, _, parts in searchindex.join_shards([(5, postings)], 100, 8)}
    (part,) = joined["金桥"]
    assert (part.first, part.last) == (5, 7)
    assert decode(part.data) == {5: ([0], [0, 2 + searchindex.GAP]), 7: ([], [0])}


def decode(data: bytes) -> dict[int, tuple[list[int], list[int]]]:
    """A token's postings as search.js reads them: page → (head positions, body positions)."""
    numbers = iter(varints(data))
    found = {}
    page = -1
    for _ in range(next(numbers)):
        page += next(numbers)
        head, body = next(numbers), next(numbers)
        found[page] = (list(accumulate(next(numbers) for _ in range(head))),
                       list(accumulate(next(numbers) for _ in range(body))))  # fmt: skip
    return found


def varints(data: bytes) -> Iterator[int]:
    value = shift = 0
    for byte in data:
        value |= (byte & 0x7F) << shift
        shift += 7
        if byte < 0x80:
            yield value
            value = shift = 0


def test_joined_shards_equal_one_shard() -> None:
    texts = [([f"标题{n}"], ["金桥镇区", str(n), "金桥"]) for n in range(7)]
    whole = list(searchindex.join_shards([(0, searchindex.shard_postings(texts))], 10**6, 7))
    cut = [(start, searchindex.shard_postings(texts[start : start + 3])) for start in (0, 3, 6)]
    assert list(searchindex.join_shards(cut, 10**6, 7)) == whole


def test_large_postings_are_cut_into_parts_between_shards() -> None:
    texts = [(["金桥"], ["金桥镇区"] * 50) for _ in range(9)]
    cut = [(start, searchindex.shard_postings(texts[start : start + 3])) for start in (0, 3, 6)]
    joined = {token: (pages, parts) for token, pages, parts in searchindex.join_shards(cut, 100, 9)}
    pages, parts = joined["金桥"]
    assert pages == 9 and [(p.first, p.last) for p in parts] == [(0, 2), (3, 5), (6, 8)]
    assert [sorted(decode(p.data)) for p in parts] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]
    files = searchindex.index_files(searchindex.join_shards(cut, 100, 9), 1)
    assert len(files.parts) == 3 * len(joined)  # every token here is larger than INLINE_BYTES


def test_a_part_files_number_is_its_tokens_rank_in_its_bucket() -> None:
    """So a token added renames no part file of another bucket (searchjoin.py)."""
    texts = [(["金桥"], ["金桥镇区", "发展规划"] * 200) for _ in range(3)]
    tokens = list(searchindex.join_shards([(0, searchindex.shard_postings(texts))], 100, 3))
    buckets = 2
    files = searchindex.index_files(tokens, buckets)
    expected: dict[str, bytes] = {}
    ranks = [0] * buckets
    for token, _, parts in tokens:  # every one is in parts here
        bucket = searchindex.fnv1a(token) % buckets
        number = bucket + buckets * ranks[bucket]
        ranks[bucket] += 1
        expected.update({f"{number:x}-{index}": part.data for index, part in enumerate(parts)})
    assert files.parts == expected and min(ranks) > 0
    entries = [e for data in files.buckets.values() for e in searchindex.read_bucket(data)]
    assert sorted(e.token for e in entries) == [token for token, _, _ in tokens]
    assert {e.number for e in entries} == {int(n.split("-")[0], 16) for n in expected}


def test_the_bucket_hash_is_fnv1a() -> None:
    assert searchindex.fnv1a("") == 0x811C9DC5
    assert searchindex.fnv1a("a") == 0xE40C292C  # the published FNV-1a test vector


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


def test_a_search_record_leaves_out_characters_xml_refuses() -> None:
    # A page can hold them raw (a theme) or as references (raw HTML); lxml reads both, and
    # the record written for the index must not carry them (nor fail on them).
    page = "<html><body><main data-pagefind-body><p>甲&#11;乙\x0c丙</p>\x1b<p>丁&#xFFFE;</p>"
    record = search.search_record(parse_page((page + "</main></body></html>").encode()))
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", record.decode())
    assert "甲" in record.decode() and "丁" in record.decode()


def test_a_search_record_holds_the_result_and_a_clean_excerpt() -> None:
    page = PAGE.replace(
        "<article data-pagefind-body>",
        '<article data-pagefind-body><div hidden data-search-no-excerpt><span data-pagefind-meta="title:关于金桥镇的通知"></span><span data-pagefind-filter="agency:gov"></span><span data-pagefind-filter="agency:finance"></span></div>',
    )
    page = page.replace("<dl>", "<dl data-search-no-excerpt>").replace(
        "<h1 ", "<h1 data-search-no-excerpt "
    )
    header, texts, _ = search.search_record(parse_page(page.encode())).decode().split("\n")
    assert json.loads(header) == {
        "meta": {"title": "关于金桥镇的通知"},
        "filters": {"agency": ["gov", "finance"]},
    }
    weighted, _, excerpt = json.loads(texts)
    assert weighted.split() == ["关于金桥镇的通知", "青政发〔2024〕3号"]
    assert excerpt == "正文第一段内容"  # no title, no metadata, no navigation


def built_index(out: Path) -> dict[str, bytes]:
    bundle = out / search.BUNDLE_DIR
    return {
        f.relative_to(bundle).as_posix(): f.read_bytes()
        for f in sorted(bundle.rglob("*"))
        if f.is_file()
    }


def test_the_index_holds_document_pages_only_newest_first(
    make_site: MakeSite, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = pipeline.build(load_project(make_site(), out))
    assert result.diagnostics == () and result.site is not None
    files = built_index(out)
    manifest = json.loads(files["manifest.json"])
    documents = len(result.site.records) + len(result.site.pages)
    assert manifest["pages"] == documents == len([f for f in files if f.startswith("d/")])
    dates = [json.loads(files[f"d/{n}.json"]).get("date", "") for n in range(documents)]
    assert dates == sorted(dates, reverse=True)
    assert set(manifest["facets"]) == set(search.FACETS)


def test_an_index_cut_into_shards_is_the_index_in_one(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site = make_site()
    pipeline.build(load_project(site, tmp_path / "one"))
    indexed: list[int] = []
    real = search.shard_postings
    monkeypatch.setattr(search, "shard_postings", lambda texts: indexed.append(1) or real(texts))
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    pipeline.build(load_project(site, tmp_path / "cut"))
    pages = json.loads((tmp_path / "one" / search.BUNDLE_DIR / "manifest.json").read_text())[
        "pages"
    ]
    assert len(indexed) == pages > 2  # one shard per page
    assert built_index(tmp_path / "cut") == built_index(tmp_path / "one")


def test_an_edit_indexes_its_shard_again_and_no_other(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site = make_site()
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    indexed: list[int] = []
    real = search.shard_postings
    monkeypatch.setattr(search, "shard_postings", lambda texts: indexed.append(1) or real(texts))
    out = tmp_path / "out"
    cache = tmp_path / "cache"
    pipeline.build(load_project(site, out), cache_dir=cache)
    first = len(indexed)
    record = next((site / "content" / "records").rglob("*.md"))
    record.write_text(record.read_text(encoding="utf-8") + "\n新增的一段文字。\n", encoding="utf-8")
    indexed.clear()
    pipeline.build(load_project(site, out), cache_dir=cache)
    assert first > 2 and len(indexed) == 1
    pipeline.build(load_project(site, tmp_path / "clean"))
    assert built_index(out) == built_index(tmp_path / "clean")


def test_an_edit_joins_again_only_the_tokens_its_shard_touches(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site = make_site()
    monkeypatch.setattr(search, "SHARD_PAGES", 1)
    out, cache = tmp_path / "out", tmp_path / "cache"
    pipeline.build(load_project(site, out), cache_dir=cache)
    joined: list[int] = []
    real = search.join_all
    monkeypatch.setattr(search, "join_all", lambda *a: joined.append(1) or real(*a))
    record = next((site / "content" / "records").rglob("*.md"))
    record.write_text(record.read_text(encoding="utf-8") + "\n通知的规定。\n", encoding="utf-8")
    result = pipeline.build(load_project(site, out), cache_dir=cache)
    assert result.pages_reused > 0 and joined == []  # the update, and no join of everything
    pipeline.build(load_project(site, tmp_path / "clean"))
    assert built_index(out) == built_index(tmp_path / "clean")


def test_an_update_checks_only_the_search_records_the_index_reads(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A kept search record is checked against its digest when the index reads it (its
    shard indexed again), and not looked at otherwise."""
    site, out, cache = make_site(), tmp_path / "out", tmp_path / "cache"
    pipeline.build(load_project(site, out), cache_dir=cache)
    checked: list[str] = []
    real_check = Workspace.kept_copy
    monkeypatch.setattr(
        Workspace,
        "kept_copy",
        lambda self, path, d: checked.append(path) or real_check(self, path, d),
    )
    indexed: list[str] = []
    real_index = search._index_shard
    monkeypatch.setattr(
        search,
        "_index_shard",
        lambda work, n: indexed.extend(work.shards[n]) or real_index(work, n),
    )
    edits.edit_body(site, random.Random(5), 1)
    result = pipeline.build(load_project(site, out), cache_dir=cache)
    assert result.pages_reused > 0
    searchable = len(list((cache / KEPT_DIR / SITE_DIR).rglob("*.html")))
    assert len(checked) == len(set(checked)) > 0 and set(checked) < set(indexed)
    assert len(set(indexed) - set(checked)) == 1  # the edited page's: made again, not checked
    assert len(indexed) < searchable  # the other shards' records are not looked at


def test_a_damaged_search_record_the_update_reads_is_made_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    site, out, cache = make_site(), tmp_path / "out", tmp_path / "cache"
    monkeypatch.setattr(search, "_shards", lambda pages: [(0, len(pages))])  # one shard
    pipeline.build(load_project(site, out), cache_dir=cache)
    copies = sorted((cache / KEPT_DIR / SITE_DIR).rglob("*.html"))
    for copy in copies[:3]:
        copy.write_bytes(copy.read_bytes()[:20])  # cut short: not JSON, not its digest
    edits.edit_body(site, random.Random(5), 1)
    result = pipeline.build(load_project(site, out), cache_dir=cache)
    assert result.pages_reused > 0 and result.diagnostics == ()
    pipeline.build(load_project(site, tmp_path / "clean"))
    assert built_index(out) == built_index(tmp_path / "clean")


def test_an_index_that_cannot_be_written_is_a_warning_and_leaves_nothing(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fail(*arguments: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(search, "_write_index", fail)
    out = tmp_path / "out"
    result = pipeline.build(load_project(make_site(), out))
    assert [d.code for d in result.diagnostics] == ["GS501"]
    assert "disk full" in result.diagnostics[0].message
    assert (out / "search" / "index.html").is_file()
    assert not (out / search.BUNDLE_DIR).exists()


def test_a_strict_build_without_its_index_writes_nothing(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    def fail(*arguments: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(search, "_write_index", fail)
    out = tmp_path / "out"
    with pytest.raises(BuildFailed) as failed:
        # As of a day the skeleton's newest record is fresh, so only the search is missing.
        pipeline.build(load_project(make_site(), out), strict=True, as_of=SKELETON_FRESH)
    assert [d.code for d in failed.value.diagnostics] == ["GS501"]
    assert not out.exists()


def test_a_site_with_nothing_to_search_has_no_bundle_and_no_warning(tmp_path: Path) -> None:
    report = Report()
    search.index_site(tmp_path, tmp_path / "records", {}, "code", None, report)
    assert report.diagnostics == ()
    assert not (tmp_path / search.BUNDLE_DIR).exists()


def test_trigrams_stand_beside_common_bigrams_only() -> None:
    runs = search.canonical_runs("质均衡发展")
    assert "衡发展" not in token_positions(runs)
    found = token_positions(runs, common={"发展"})
    assert found["衡发展"] == [2]  # where its first bigram is
    assert "质均衡" not in found and "均衡发" not in found  # no common bigram in them
    both = token_positions(runs, common={"衡发", "发展"})
    assert "衡发展" not in both and both["均衡发"] == [1]  # beside a common one, not two
    every = token_positions(runs, every_trigram=True)
    assert {t: every[t] for t in ("质均衡", "均衡发", "衡发展")} == {
        "质均衡": [0],
        "均衡发": [1],
        "衡发展": [2],
    }


def shard_texts(pages: int, rare_every: int) -> list[tuple[list[str], list[str]]]:
    """`pages` pages, each with 发展 (common), and 衡发展 on every `rare_every`-th page."""
    return [
        (["标题"], ["均衡发展" if page % rare_every == 0 else "推进发展"]) for page in range(pages)
    ]


def test_a_shard_gives_the_trigrams_beside_its_common_bigrams() -> None:
    size = searchindex.SMALL_SHARD
    postings = searchindex.shard_postings(shard_texts(size, 10))
    assert postings["衡发展"][2] == len(range(0, size, 10))
    assert "均衡发" not in postings  # 均衡 and 衡发 are both rare
    assert "进发展" not in postings and "推进发" not in postings  # 推进, 进发, 发展: all common
    small = searchindex.shard_postings(shard_texts(size - 1, 10))
    assert "均衡发" in small  # a small shard gives every trigram


def test_the_join_keeps_a_trigram_only_where_every_shard_gave_it() -> None:
    size = searchindex.SMALL_SHARD
    rare = searchindex.shard_postings(shard_texts(size, 10))
    also_rare = searchindex.shard_postings(shard_texts(size, 20))
    common_there = searchindex.shard_postings(shard_texts(size, 2))  # 衡发 common there
    assert "衡发展" not in common_there  # both its bigrams are common there
    kept = {
        t: pages
        for t, pages, _ in searchindex.join_shards([(0, rare), (size, also_rare)], 10**6, 2 * size)
    }
    assert kept["衡发展"] == len(range(0, size, 10)) + len(range(0, size, 20))
    shards = [(0, rare), (size, common_there)]
    joined = {t for t, _, _ in searchindex.join_shards(shards, 10**6, 2 * size)}
    assert "衡发展" not in joined  # the second shard left it out: it is not complete
    assert {"衡发", "发展"} <= joined


def test_a_common_token_comes_in_smaller_parts() -> None:
    texts = [(["金桥"], ["金桥镇区"] * 50 if page % 9 == 0 else ["无关"]) for page in range(81)]
    cut = [
        (start, searchindex.shard_postings(texts[start : start + 9])) for start in range(0, 81, 9)
    ]
    joined = {token: parts for token, _, parts in searchindex.join_shards(cut, 400, 81)}
    rare, common = joined["镇区"], joined["金桥"]  # on one page in nine; on every page
    assert len(rare) > 1 and all(len(part.data) >= 400 for part in rare[:-1])
    assert len(common) > 2 and all(len(part.data) < 200 for part in common)  # cut at 100


def test_the_search_page_lists_the_filter_values_as_data_that_cannot_close_its_element(
    make_site: MakeSite, tmp_path: Path
) -> None:
    """search.js makes the filters' checkboxes from #search-filter-values: a title is data there."""
    title = '示例市人民政府办公室</script><script>alert("x")</script><!-- & -->'
    site = make_site()
    agencies = site / "content" / "catalogues" / "agencies.yaml"
    text = agencies.read_text(encoding="utf-8").replace(
        "title: 示例市人民政府办公室", f"title: '{title}'", 1
    )
    agencies.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert pipeline.build(load_project(site, out)).diagnostics == ()
    page = parse_page((out / "search" / "index.html").read_bytes())
    scripts = page.xpath("//script[not(@src)]")
    assert [s.get("id") for s in scripts] == ["search-filter-values"]
    groups = json.loads(scripts[0].text)
    assert [name for name, _, _ in groups][:5] == [
        "agency",
        "category",
        "topic",
        "year",
        "validity",
    ]
    agency_label, agency_values = groups[0][1], groups[0][2]
    assert agency_label == "发布机构" and title in [shown for _, shown in agency_values]
    assert "</script>" not in scripts[0].text


def bundle_files(out: Path) -> dict[str, tuple[int, bytes]]:
    """Each file of the built index: its inode and bytes."""
    bundle = out / search.BUNDLE_DIR
    return {
        f.relative_to(bundle).as_posix(): (f.stat().st_ino, f.read_bytes())
        for f in sorted(bundle.rglob("*"))
        if f.is_file()
    }


def pages_of(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}


def count_results(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The pages whose result file (`d/<n>.json`) the index makes, as it makes them."""
    made: list[str] = []
    real = search._result_json

    def result_json(page: search._Page, excerpt: str) -> bytes:
        made.append(page.path)
        return real(page, excerpt)

    monkeypatch.setattr(search, "_result_json", result_json)
    return made


@pytest.mark.parametrize("edit", [edits.edit_body, edits.add_record, edits.delete_record])
def test_an_update_writes_only_the_index_files_whose_bytes_change(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    edit: Callable[[Path, random.Random, int], str],
) -> None:
    """The cached build's update keeps every file of the index whose bytes stay (the last
    build's, linked), links a renumbered page's result to the file that holds it, and makes
    only the results of the pages that changed; the index is a clean build's."""
    site, out, cache = make_site(), tmp_path / "out", tmp_path / "cache"
    pipeline.build(load_project(site, out), cache_dir=cache)
    before, pages = bundle_files(out), pages_of(out)
    made = count_results(monkeypatch)
    step = edit(site, random.Random(3), 1)
    result = pipeline.build(load_project(site, out), cache_dir=cache)
    assert result.pages_reused > 0, step  # the engine's update, not a build of everything
    after = bundle_files(out)
    inodes: dict[bytes, set[int]] = {}
    for inode, content in before.values():
        inodes.setdefault(content, set()).add(inode)
    kept = [name for name, (inode, content) in after.items() if content in inodes]
    assert kept and all(after[name][0] in inodes[after[name][1]] for name in kept), step
    if edit is edits.edit_body:  # no page renumbered: most files stay
        assert len(kept) > len(after) // 2, step
    new = {name for name, (_, content) in after.items() if content not in inodes}
    changed = {p for p, content in pages_of(out).items() if pages.get(p) != content}
    assert new and set(made) <= changed and len(made) == len(set(made)), (step, made)
    pipeline.build(load_project(site, tmp_path / "clean"))
    assert built_index(out) == built_index(tmp_path / "clean"), step


@pytest.mark.parametrize("builds", [1, 2])
def test_the_preview_brings_its_index_up_to_date_as_the_build_does(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, builds: int
) -> None:
    """govsite serve's background indexer keeps the live index's files whose bytes stay,
    also after a second build of everything linked them to the first one's."""
    project = load_project(make_site(), tmp_path / "out")
    for _ in range(builds):
        snapshot.forget(project.cache_dir)  # a build of everything, as `govsite serve` loads
        uptodate.forget_stamp(project.cache_dir)
        pipeline.build(project, cache_dir=project.cache_dir)
    before = bundle_files(project.out_dir)
    made = count_results(monkeypatch)
    copies = project.cache_dir / KEPT_DIR / SITE_DIR
    pages = {
        path: hashlib.sha256((project.out_dir / path).read_bytes()).hexdigest()
        for path in (p.relative_to(copies).as_posix() for p in copies.rglob("*.html"))
    }
    assert pages
    report = Report()
    index_pages(SearchJob(project, lambda: pages, frozenset()), report)
    assert report.diagnostics == ()
    assert bundle_files(project.out_dir) == before  # the same files: not one written again
    assert made == []


def random_page(rng: random.Random, letters: str) -> tuple[list[str], list[str]]:
    """A page's head and body runs: Han runs of skewed letters (some bigrams common), numbers."""
    weights = [1 / (n + 1) for n in range(len(letters))]

    def run() -> str:
        if rng.random() < 0.1:
            return str(rng.randrange(30))
        return "".join(rng.choices(letters, weights, k=rng.randint(1, 7)))

    return [run()], [run() for _ in range(rng.randint(1, 12))]


def token_files_of(
    wanted: searchjoin.Wanted, bundle: Path, had: dict[str, str]
) -> dict[str, bytes]:
    """The files `wanted` says, the bytes of those it leaves to the folder read from it."""
    held = {sha: (bundle / name).read_bytes() for name, sha in had.items()}
    return {name: data if data is not None else held[sha] for name, (sha, data) in wanted.items()}


@pytest.mark.parametrize("part_bytes", [48, 600])
def test_joining_again_only_what_changed_shards_touch_makes_a_join_of_everything(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, part_bytes: int
) -> None:
    """Seeded edits of one or two shards at a time (pages rewritten, letters that were
    nowhere added, so bigrams come, go and become common or not, trigrams become complete
    or not, part files are renamed): the token files brought up to date are those of a join
    of everything, and so is the kept join."""
    monkeypatch.setattr(searchjoin, "PART_BYTES", part_bytes)
    rng = random.Random(13)
    letters = "的发展关于规定通知市区镇"
    sizes = [70, 9, 80, 65, 3, 66]
    texts = [[random_page(rng, letters) for _ in range(size)] for size in sizes]
    starts = list(accumulate([0, *sizes]))
    pages = starts[-1]

    def layout(keys: list[str]) -> tuple[searchjoin.Shard, ...]:
        return tuple((starts[n], starts[n + 1], keys[n]) for n in range(len(sizes)))

    keys = [f"{n}-0" for n in range(len(sizes))]
    postings = [searchindex.shard_postings(shard) for shard in texts]
    wanted, join = searchjoin.join_all(layout(keys), postings, pages)
    bundle = tmp_path / "bundle"
    search._put(bundle, wanted, {})
    had = {name: sha for name, (sha, _) in wanted.items()}
    updated = 0
    for edit in range(1, 40):
        old = {}
        for number in rng.sample(range(len(sizes)), rng.randint(1, 2)):
            old[number] = postings[number]
            extra = "" if rng.random() < 0.7 else rng.choice("新增补充修改")
            for page in rng.sample(range(sizes[number]), min(3, sizes[number])):
                texts[number][page] = random_page(rng, letters + extra)
            postings[number] = searchindex.shard_postings(texts[number])
            keys[number] = f"{number}-{edit}"
        changed = {number: (was, postings[number]) for number, was in old.items()}
        made = searchjoin.join_changed(
            join, layout(keys), changed, postings.__getitem__, bundle, had
        )
        full, full_join = searchjoin.join_all(layout(keys), postings, pages)
        if made is None:  # only when the bucket count changes
            assert searchindex.bucket_count(full_join.tokens) != searchindex.bucket_count(
                join.tokens
            )
            made = full, full_join
        else:
            updated += 1
        assert token_files_of(made[0], bundle, had) == token_files_of(full, bundle, had), edit
        assert made[1] == full_join, edit
        search._put(bundle, made[0], had)
        had = {name: sha for name, (sha, _) in made[0].items()}
        join = made[1]
    assert updated > 30


def test_the_preview_joins_again_only_the_tokens_a_changed_page_touches(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """govsite serve's background indexer takes the same way as the cached build: a changed
    page's shard indexed again, its tokens joined again, and the index what indexing every
    page from nothing makes."""
    project = load_project(make_site(), tmp_path / "out")
    pipeline.build(project, cache_dir=project.cache_dir)
    copies = project.cache_dir / KEPT_DIR / SITE_DIR
    paths = sorted(p.relative_to(copies).as_posix() for p in copies.rglob("*.html"))
    before = built_index(project.out_dir)
    page = project.out_dir / paths[0]
    html_text = page.read_text(encoding="utf-8")
    page.write_text(html_text.replace("</article>", "<p>通知的规定新增</p></article>", 1))
    pages = {p: hashlib.sha256((project.out_dir / p).read_bytes()).hexdigest() for p in paths}
    joined: list[int] = []
    real = search.join_all
    monkeypatch.setattr(search, "join_all", lambda *a: joined.append(1) or real(*a))
    report = Report()
    index_pages(SearchJob(project, lambda: pages, frozenset(paths[:1])), report)
    assert report.diagnostics == () and joined == []
    assert built_index(project.out_dir) != before
    clean = tmp_path / "clean"
    search.index_site(clean, copies, pages, "code", None, Report())
    assert joined == [1] and built_index(project.out_dir) == built_index(clean)
