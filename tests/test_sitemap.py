"""sitemap.xml, the sitemap index of a large site, robots.txt and the canonical link of every page."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree, html

from govsite import pipeline
from govsite.config import load_project
from govsite.errors import Report
from govsite.outputs.metadata import last_changed
from govsite.outputs.sitemap import build_sitemap, sitemap_entries
from govsite.pipeline import BuildResult
from govsite.plan import plan_site
from tests.conftest import REPO, MakeSite

S = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
BASE = "https://www.qingchuan.gov.cn/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("sitemap") / "build"
    return out, pipeline.build(load_project(REPO, out))


def locations(xml: bytes) -> dict[str, str | None]:
    """Each <loc> of a sitemap (or sitemap index) with its <lastmod>."""
    root = etree.fromstring(xml)
    return {
        str(item.findtext(S + "loc")): item.findtext(S + "lastmod")
        for item in root
        if item.tag in (S + "url", S + "sitemap")
    }


def page_path(out: Path, url: str) -> Path:
    path = out / unquote(url.removeprefix(BASE))
    return path / "index.html" if url.endswith("/") else path


def test_the_sitemap_lists_every_public_page_once(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    root = etree.parse(str(out / "sitemap.xml")).getroot()
    assert root.tag == S + "urlset"
    listed = [page_path(out, str(loc.text)) for loc in root.iter(S + "loc")]
    assert len(listed) == len(set(listed))
    # Not the 404 page nor the health report for the site's staff (both say noindex).
    pages = {
        p
        for p in out.rglob("*.html")
        if p.name != "404.html" and p.relative_to(out).parts[0] != "_health"
    }
    assert set(listed) == pages


def test_lastmod_is_the_day_a_record_last_changed(demo: tuple[Path, BuildResult]) -> None:
    out, result = demo
    entries = locations((out / "sitemap.xml").read_bytes())
    assert all(d is None or re.fullmatch(r"\d{4}-\d{2}-\d{2}", d) for d in entries.values())
    for record in result.site.records:
        assert entries[BASE + record.url] == last_changed(record).isoformat()
    newest = max(last_changed(r) for r in result.site.records)
    assert entries[BASE] == newest.isoformat()
    updated = [r for r in result.site.records if r.updated and r.updated != r.published]
    assert updated, "the demo should have a record updated after it was published"


def test_a_large_site_gets_a_sitemap_index_with_parts_at_the_root(
    demo: tuple[Path, BuildResult],
) -> None:
    site = demo[1].site
    pages = plan_site(site, _labels(), Report())
    whole = locations(build_sitemap(site, pages)[0].content)
    files = {f.path: f.content for f in build_sitemap(site, pages, limit=40)}
    numbers = range(1, -(-len(whole) // 40) + 1)
    assert len(numbers) > 2
    assert set(files) == {"sitemap.xml", "robots.txt", *(f"sitemap-{n}.xml" for n in numbers)}
    index = etree.fromstring(files["sitemap.xml"])
    assert index.tag == S + "sitemapindex"
    parts = locations(files["sitemap.xml"])
    assert list(parts) == [f"{BASE}sitemap-{n}.xml" for n in numbers]
    merged: dict[str, str | None] = {}
    for n in numbers:
        part = locations(files[f"sitemap-{n}.xml"])
        assert len(part) <= 40
        # The index's lastmod of a part is the newest lastmod inside it.
        assert parts[f"{BASE}sitemap-{n}.xml"] == max((d for d in part.values() if d), default=None)
        merged.update(part)
    assert merged == whole


def test_the_parts_whose_entries_are_the_same_are_kept(demo: tuple[Path, BuildResult]) -> None:
    """The preview passes the last sitemap: a part with the same entries is its file
    object, unmade; the sitemap is what a sitemap made from nothing is, byte for byte."""
    site = demo[1].site
    pages = plan_site(site, _labels(), Report())
    entries = list(sitemap_entries(site, pages))
    files = build_sitemap(site, pages, limit=40, entries=entries)
    changed = [*entries[:-1], (entries[-1][0], date(2001, 1, 1))]  # in the last part only
    again = build_sitemap(site, pages, limit=40, entries=changed, kept=(entries, files))
    fresh = build_sitemap(site, pages, limit=40, entries=changed)
    assert [f.content for f in again] == [f.content for f in fresh]
    kept = [f.path for f in again if any(f is old for old in files)]
    assert kept == [f"sitemap-{n}.xml" for n in range(1, len(files) - 2)]  # all but the last


def test_robots_txt_points_to_the_sitemap(demo: tuple[Path, BuildResult]) -> None:
    lines = (demo[0] / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert "User-agent: *" in lines
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert not any(line.startswith("Disallow: /") for line in lines)


def test_a_sites_own_robots_txt_replaces_the_generated_one(make_site: MakeSite) -> None:
    root = make_site({"content/robots.txt": "User-agent: *\nDisallow: /drafts/\n"})
    pipeline.build(load_project(root))
    assert (root / "build/robots.txt").read_text(encoding="utf-8").endswith("/drafts/\n")
    assert (root / "build/sitemap.xml").is_file()


def test_every_page_has_one_canonical_link_to_its_own_address(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    for page in sorted(out.rglob("*.html")):
        canonical = html.parse(str(page)).getroot().xpath("//head/link[@rel='canonical']/@href")
        assert len(canonical) == 1, page
        address = page.relative_to(out).as_posix().removesuffix("index.html")
        assert canonical[0] == BASE + address


def _labels() -> dict[str, str]:
    return {
        "home": "首页",
        "catalogue": "目录",
        "agencies": "机构",
        "years": "年份",
        "topics": "主题",
        "repealed": "失效",
        "repealed_description": "",
        "not_found": "未找到",
        "year_listing": "{year}年",
        "search": "站内搜索",
        "sitemap": "网站地图",
        "sitemap_description": "",
    }
