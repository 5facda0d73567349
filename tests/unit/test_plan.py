"""Which pages the site has, and what each listing holds."""

from __future__ import annotations

import dataclasses
import random
import subprocess
import sys
from collections.abc import Iterable
from datetime import date

import pytest

from govsite import pipeline
from govsite.annualreport import attach_annual_reports
from govsite.assemble import assemble
from govsite.config import load_project
from govsite.engine import graph
from govsite.errors import BuildFailed, Report
from govsite.model import Record, Site
from govsite.plan import PlannedPage, plan_site, replan_moved
from tests.conftest import REPO, MakeSite

BASIC = REPO / "tests" / "sites" / "basic" / "input"
LABELS = {
    "home": "首页",
    "catalogue": "信息公开目录",
    "agencies": "按机构",
    "years": "按年份",
    "topics": "按主题",
    "repealed": "失效废止",
    "repealed_description": "不再有效的文件。",
    "not_found": "未找到",
    "year_listing": "{year}年",
    "search": "站内搜索",
    "sitemap": "网站地图",
    "sitemap_description": "本网站的全部栏目。",
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlannedPage]:
    result = pipeline.build(load_project(BASIC, tmp_path_factory.mktemp("basic") / "build"))
    return {p.url: p for p in plan_site(result.site, LABELS, Report())}


def listed(page: PlannedPage) -> list[str]:
    assert page.listing is not None
    return [r.index_no for r in page.listing.records]


def test_a_category_lists_its_subcategories_records_newest_first(
    pages: dict[str, PlannedPage],
) -> None:
    # Both records are filed under policies/municipal; the parent category lists them too.
    assert listed(pages["catalogue/policies/"]) == ["000000001/2026-00001", "000000001/2025-00001"]
    assert listed(pages["catalogue/policies/municipal/"]) == listed(pages["catalogue/policies/"])
    assert "catalogue/policies/page/2/" not in pages


def test_joint_documents_appear_under_each_agency(pages: dict[str, PlannedPage]) -> None:
    office = listed(pages["agencies/gov-office/"]) + listed(pages["agencies/gov-office/page/2/"])
    assert "000000002/2026-00001" in office
    assert listed(pages["agencies/finance/"]) == ["000000002/2026-00001"]


def test_years_and_repealed(pages: dict[str, PlannedPage]) -> None:
    assert listed(pages["years/2025/"]) == ["000000001/2025-00001"]
    assert listed(pages["repealed/"]) == ["000000001/2025-00001"]


def test_pagination_links_every_page(pages: dict[str, PlannedPage]) -> None:
    first, second = pages["agencies/gov-office/"], pages["agencies/gov-office/page/2/"]
    assert first.listing is not None and second.listing is not None
    assert first.listing.pagination.urls == ("agencies/gov-office/", "agencies/gov-office/page/2/")
    assert (first.listing.pagination.previous_url, first.listing.pagination.next_url) == (
        None,
        "agencies/gov-office/page/2/",
    )
    assert second.listing.first_number == 3


def test_breadcrumbs_lead_from_home_through_the_catalogue(pages: dict[str, PlannedPage]) -> None:
    record = pages["records/policies/2026/disclosure-work-points/"]
    assert [c.url for c in record.breadcrumbs] == [
        "",
        "catalogue/",
        "catalogue/policies/",
        "catalogue/policies/municipal/",
    ]


def test_a_document_cannot_take_a_generated_page_url(make_site: MakeSite) -> None:
    root = make_site({"content/catalogue/index.md": "---\ntitle: 冒名\n---\n"})
    with pytest.raises(BuildFailed) as failure:
        pipeline.build(load_project(root))
    assert failure.value.format_text().splitlines()[0] == (
        "content/catalogue/index.md: error[GS401]: output 'catalogue/index.html' is claimed twice: "
        "also by a page govsite generates"
    )


def test_the_search_page_is_planned_at_search(pages: dict[str, PlannedPage]) -> None:
    search = pages["search/"]
    assert search.template == "search.html"
    assert search.title == "站内搜索"
    assert [link.url for link in search.breadcrumbs] == [""]


def test_the_site_map_lists_sections_and_the_category_tree_not_records(
    pages: dict[str, PlannedPage],
) -> None:
    site_map = pages["sitemap/"]
    assert site_map.template == "sitemap.html"
    assert site_map.title == "网站地图"
    assert [link.url for link in site_map.breadcrumbs] == [""]
    assert site_map.directory == pages["catalogue/"].directory
    assert site_map.record is None and site_map.listing is None


# -- planning again after records moved (the preview's engine) ---------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Site:
    """The assembled site of benchmarks/generate.py with 400 records (20 to a listing page)."""
    out = tmp_path_factory.mktemp("generated")
    script = REPO / "benchmarks" / "generate.py"
    subprocess.run([sys.executable, script, "--records", "400", "--out", out], check=True)
    project = load_project(out / "site")
    report = Report()
    read = pipeline.read_sources(project, report)
    site = assemble(
        project, read.documents, read.catalogues, read.sources.files, report, as_of=date.today()
    )
    return attach_annual_reports(site, read.sources.files, report)


def with_records(site: Site, records: Iterable[Record]) -> Site:
    ordered = sorted(records, key=lambda r: (r.published, r.index_no), reverse=True)
    return dataclasses.replace(
        site, records=tuple(ordered), records_by_index_no={r.index_no: r for r in ordered}
    )


def moved(site: Site, record: Record, rng: random.Random, n: int) -> Record | None:
    """`record` with a new category, agencies, date, topics or status, a copy of it, or None."""
    other = rng.choice(site.records)
    change = rng.choice(["category", "agencies", "published", "topics", "status", "add", "delete"])
    if change == "agencies" and rng.random() < 0.5:  # plan_site lists one named twice twice
        return dataclasses.replace(record, agencies=(*record.agencies, *record.agencies))
    if change == "delete":
        return None
    if change == "add":
        index_no = f"{record.index_no}-{n}"
        return dataclasses.replace(record, index_no=index_no, url=f"records/added-{index_no}/")
    if change == "status":
        status = "repealed" if not record.no_longer_in_force else "effective"
        return dataclasses.replace(record, status=status)
    return dataclasses.replace(record, **{change: getattr(other, change)})


def test_planning_only_what_moved_equals_planning_the_whole_site(generated: Site) -> None:
    """Records moved between categories, agencies, years, topics and the repealed, added and
    deleted, a few at a time: the listings they left and joined planned again (with their
    pagination and the directories' counts) are the whole plan, and so are the planner's edges."""
    rng = random.Random(7)
    site, pages = generated, plan_site(generated, LABELS, Report())
    replanned = 0
    for n in range(40):
        records = dict(site.records_by_index_no)
        pairs: list[tuple[Record | None, Record | None]] = []
        for record in rng.sample(site.records, rng.randint(1, 3)):
            after = moved(site, record, rng, n)
            if after is None or after.index_no != record.index_no:
                if after is None:
                    del records[record.index_no]
                pairs.append((record, None) if after is None else (None, after))
            else:
                pairs.append((record, after))
            if after is not None:
                records[after.index_no] = after
        new = with_records(site, records.values())
        expected = plan_site(new, LABELS, Report())
        numbers = {p.output_path: number for number, p in enumerate(pages)}
        # As the engine calls it: the old plan showing the moved records' new versions
        # in the listings they stay in (engine/update.py, _with_new_versions).
        pages = tuple(_showing(page, pairs) for page in pages)
        again = replan_moved(new, LABELS, pages, numbers, pairs)
        years = {r.published.year for r in site.records}
        if again is None:  # only when a year listing comes or goes
            assert years != {r.published.year for r in new.records}, n
        else:
            replanned += 1
            assert again.pages == expected, n
            paths = [p.output_path for p in pages]
            assert again.shifted == (paths != [p.output_path for p in expected]), n
            uses = graph.plan_uses(pages).replanned(again.dropped, again.planned)
            assert uses == graph.plan_uses(expected), n
            assert {p.output_path for p in again.planned} >= {
                p.output_path for p in expected if p not in pages
            }, n
        site, pages = new, expected
    assert replanned > 30


def _showing(page: PlannedPage, pairs: list[tuple[Record | None, Record | None]]) -> PlannedPage:
    if page.listing is None:
        return page
    new = {b.index_no: a for b, a in pairs if b is not None and a is not None}
    rows = tuple(new.get(r.index_no, r) for r in page.listing.records)
    return dataclasses.replace(page, listing=dataclasses.replace(page.listing, records=rows))
