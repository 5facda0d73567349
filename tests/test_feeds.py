"""Atom feeds of the demo site: RFC 4287's required elements, and the checks a feed validator makes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import etree, html

from govsite import pipeline
from govsite.config import load_project
from govsite.outputs import feeds
from govsite.pipeline import BuildResult
from tests.conftest import REPO, MakeSite

A = "{http://www.w3.org/2005/Atom}"
BASE = "https://www.qingchuan.gov.cn/"
# RFC 3339 date-time (section 5.6), with the numeric offset govsite writes.
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("feeds") / "build"
    return out, pipeline.build(load_project(REPO, out))


def feed_files(out: Path) -> list[Path]:
    return sorted((out / "feeds").rglob("*.xml"))


def parse(path: Path) -> etree._Element:
    return etree.parse(str(path)).getroot()


def one(parent: etree._Element, name: str) -> etree._Element:
    found = parent.findall(A + name)
    assert len(found) == 1, f"{len(found)} atom:{name} in {parent.tag}"
    return found[0]


def test_there_is_a_feed_of_all_records_and_one_per_top_level_category(
    demo: tuple[Path, BuildResult],
) -> None:
    out, result = demo
    names = {p.relative_to(out).as_posix() for p in feed_files(out)}
    roots = result.site.categories.roots
    assert names == {"feeds/all.xml", *(f"feeds/catalogue/{n.key}.xml" for n in roots)}


def test_every_feed_has_the_elements_rfc_4287_requires(demo: tuple[Path, BuildResult]) -> None:
    for path in feed_files(demo[0]):
        feed = parse(path)
        assert feed.tag == A + "feed"
        for name in ("id", "title", "updated"):
            assert one(feed, name).text
        self_links = [link for link in feed.findall(A + "link") if link.get("rel") == "self"]
        assert len(self_links) == 1
        # atom:feed must have an author unless every entry has one (4.1.1); govsite gives both.
        assert one(one(feed, "author"), "name").text
        for entry in feed.findall(A + "entry"):
            for name in ("id", "title", "updated"):
                assert one(entry, name).text
            assert entry.findall(A + "author"), "every entry names its agencies"
            # An entry without atom:content must have an alternate link (4.1.2).
            alternates = [e for e in entry.findall(A + "link") if e.get("rel") == "alternate"]
            assert len(alternates) == 1 and alternates[0].get("type") == "text/html"


def test_ids_are_unique_absolute_iris_and_one_record_has_one_id_everywhere(
    demo: tuple[Path, BuildResult],
) -> None:
    id_of_page: dict[str, str] = {}
    feed_ids = []
    for path in feed_files(demo[0]):
        feed = parse(path)
        feed_ids.append(one(feed, "id").text)
        entry_ids = [one(e, "id").text for e in feed.findall(A + "entry")]
        assert len(entry_ids) == len(set(entry_ids)), f"duplicate entry id in {path.name}"
        for entry in feed.findall(A + "entry"):
            page = one(entry, "link").get("href")
            assert page is not None
            assert id_of_page.setdefault(page, str(one(entry, "id").text)) == one(entry, "id").text
    all_ids = feed_ids + list(id_of_page.values())
    assert len(all_ids) == len(set(all_ids))
    assert all(re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", str(i)) for i in all_ids)


def test_dates_are_rfc_3339_in_china_standard_time_and_the_feed_is_as_new_as_its_newest_entry(
    demo: tuple[Path, BuildResult],
) -> None:
    for path in feed_files(demo[0]):
        feed = parse(path)
        stamps = [e.text or "" for e in feed.iter(A + "updated", A + "published")]
        assert stamps and all(RFC3339.match(s) and s.endswith("+08:00") for s in stamps)
        entry_updates = [one(e, "updated").text or "" for e in feed.findall(A + "entry")]
        assert one(feed, "updated").text == max(entry_updates, default=one(feed, "updated").text)


def test_every_link_is_absolute_under_base_url_and_self_is_the_feeds_own_address(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    for path in feed_files(out):
        feed = parse(path)
        hrefs = [link.get("href") or "" for link in feed.iter(A + "link")]
        assert hrefs and all(h.startswith(BASE) for h in hrefs)
        self_link = next(x for x in feed.findall(A + "link") if x.get("rel") == "self")
        assert self_link.get("href") == BASE + path.relative_to(out).as_posix()
        for href in hrefs:  # every alternate page exists in the build
            page = out / href.removeprefix(BASE)
            assert (page / "index.html").is_file() if href.endswith("/") else page.is_file()


def test_entries_are_the_newest_records_newest_first(demo: tuple[Path, BuildResult]) -> None:
    out, result = demo
    records = result.site.records
    titles = [one(e, "title").text for e in parse(out / "feeds/all.xml").findall(A + "entry")]
    assert titles == [r.title for r in records[: feeds.FEED_ENTRIES]]
    policies = parse(out / "feeds/catalogue/policies.xml").findall(A + "entry")
    expected = [r for r in records if r.category.startswith("policies/")]
    assert [one(e, "title").text for e in policies] == [r.title for r in expected][:50]
    published = [one(e, "published").text or "" for e in policies]
    assert published == sorted(published, reverse=True)


def test_feeds_are_capped(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(feeds, "FEED_ENTRIES", 1)
    out = make_site() / "build"
    pipeline.build(load_project(out.parent))
    entries = {path.name: len(parse(path).findall(A + "entry")) for path in feed_files(out)}
    assert entries["all.xml"] == 1
    assert set(entries.values()) == {0, 1}  # the new site's 年报 category has no record yet


def test_an_entry_keeps_its_id_when_its_file_moves_and_its_title_changes(
    make_site: MakeSite,
) -> None:
    def entry_ids(root: Path) -> set[str]:
        pipeline.build(load_project(root))
        feed = parse(root / "build/feeds/all.xml")
        return {str(one(e, "id").text) for e in feed.findall(A + "entry")}

    root = make_site()
    before = entry_ids(root)
    source = root / "content/records/policies/2026/disclosure-work-points.md"
    text = source.read_text(encoding="utf-8")
    # A new slug moves the page to another URL; the title is reworded too.
    source.write_text(text.replace("title: ", "slug: renamed\ntitle: 修订 ", 1), encoding="utf-8")
    assert entry_ids(root) == before
    assert (root / "build/records/policies/2026/renamed/index.html").is_file()


def test_every_page_announces_the_feed_of_all_records_and_its_categorys(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    for page in sorted(out.rglob("*.html")):
        links = (
            html.parse(str(page))
            .getroot()
            .xpath("//head/link[@rel='alternate'][@type='application/atom+xml']/@href")
        )
        resolved = {(page.parent / str(h)).resolve() for h in links}
        if page.name != "404.html":
            assert (out / "feeds/all.xml").resolve() in resolved, page
    record_page = out / "records/policies/2026/private-economy-measures/index.html"
    links = (
        html.parse(str(record_page)).getroot().xpath("//head/link[@type='application/atom+xml']")
    )
    assert [link.get("href") for link in links] == [
        "../../../../feeds/all.xml",
        "../../../../feeds/catalogue/policies.xml",
    ]
    assert all(link.get("title") for link in links)
