"""Head metadata of the demo's pages: schema.org Legislation JSON-LD, government meta tags, Open Graph."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from lxml import html

from govsite import pipeline
from govsite.config import load_project
from govsite.pipeline import BuildResult
from tests.conftest import REPO, MakeSite

BASE = "https://www.qingchuan.gov.cn/"
MEASURES = "records/policies/2026/private-economy-measures/"
MEASURES_EXPLAINED = "records/interpretations/2026/private-economy-measures-interpretation/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("metadata") / "build"
    return out, pipeline.build(load_project(REPO, out))


def head(out: Path, url: str) -> html.HtmlElement:
    return html.parse(str(out / url / "index.html")).getroot().head


def linked_data(out: Path, url: str) -> dict[str, Any]:
    scripts = head(out, url).xpath("script[@type='application/ld+json']")
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0].text)
    return data


def meta(out: Path, url: str) -> dict[str, str]:
    """`<meta name>` and `<meta property>` of a page; a name given twice fails the test."""
    found: dict[str, str] = {}
    for element in head(out, url).xpath("meta[@name or @property]"):
        key = element.get("name") or element.get("property")
        assert key.lower() not in {k.lower() for k in found}, f"{key} twice on {url}"
        found[key] = element.get("content")
    return found


def test_a_record_page_describes_the_record_as_legislation(
    demo: tuple[Path, BuildResult],
) -> None:
    data = linked_data(demo[0], MEASURES)
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "Legislation"
    assert data["@id"] == data["url"] == BASE + MEASURES
    assert data["name"] == "青川市人民政府关于印发青川市促进民营经济高质量发展若干措施的通知"
    assert data["legislationIdentifier"] == "青政发〔2026〕18号"
    assert data["identifier"] == "002583010/2026-00005"
    assert data["legislationDate"] == "2026-11-04"
    assert data["datePublished"] == "2026-11-10"
    assert data["legislationDateOfApplicability"] == "2026-12-01"
    assert data["expires"] == "2029-11-30"
    assert data["legislationPassedBy"] == [
        {"@type": "GovernmentOrganization", "name": "青川市人民政府", "identifier": "002583010"}
    ]
    assert data["legislationLegalForce"] == "https://schema.org/InForce"
    assert data["legislationType"] == "通知"
    assert [i["@id"] for i in data["subjectOf"]] == [BASE + MEASURES_EXPLAINED]


def test_a_record_that_replaces_another_says_it_changes_it(
    demo: tuple[Path, BuildResult],
) -> None:
    replaced = "records/policies/2021/business-environment-measures-2021/"
    replacement = demo[1].site.record("002583010/2024-00002")
    data = linked_data(demo[0], replacement.url)
    assert BASE + replaced in [c["@id"] for c in data["legislationChanges"]]


@pytest.mark.parametrize(
    ("url", "force"),
    [
        ("records/policies/2021/business-environment-measures-2021/", "NotInForce"),
        ("records/policies/2022/employment-subsidy-measures-2022/", "PartiallyInForce"),
        (MEASURES, "InForce"),
    ],
)
def test_legal_force_follows_validity(demo: tuple[Path, BuildResult], url: str, force: str) -> None:
    assert linked_data(demo[0], url)["legislationLegalForce"] == f"https://schema.org/{force}"


def test_an_interpretation_is_about_and_based_on_what_it_interprets(
    demo: tuple[Path, BuildResult],
) -> None:
    data = linked_data(demo[0], MEASURES_EXPLAINED)
    for key in ("about", "isBasedOn"):
        assert data[key] == [
            {
                "@type": "Legislation",
                "@id": BASE + MEASURES,
                "name": "青川市人民政府关于印发青川市促进民营经济高质量发展若干措施的通知",
                "identifier": "002583010/2026-00005",
                "legislationIdentifier": "青政发〔2026〕18号",
            }
        ]


def test_only_record_pages_carry_json_ld(demo: tuple[Path, BuildResult]) -> None:
    out = demo[0]
    for url in ("", "catalogue/", "catalogue/policies/", "pages/about/"):
        assert head(out, url).xpath("script[@type='application/ld+json']") == []


def test_a_title_cannot_close_the_script_element(make_site: MakeSite) -> None:
    title = '</script><script>alert("x")</script><!-- & -->'
    root = make_site()
    record = root / "content/records/policies/2026/disclosure-work-points.md"
    text = record.read_text(encoding="utf-8").replace(
        "title: 示例市人民政府办公室关于印发2026年政务公开工作要点的通知", f"title: '{title}'"
    )
    record.write_text(text, encoding="utf-8")
    pipeline.build(load_project(root))
    page = root / "build/records/policies/2026/disclosure-work-points/index.html"
    tree = html.parse(str(page)).getroot()
    scripts = tree.xpath("//script[not(@src)]")
    assert [s.get("type") for s in scripts] == ["application/ld+json"]
    assert json.loads(scripts[0].text)["name"] == title
    assert "</script><script>" not in scripts[0].text


def test_a_record_page_has_the_government_meta_tags_and_open_graph(
    demo: tuple[Path, BuildResult],
) -> None:
    tags = meta(demo[0], MEASURES)
    title = "青川市人民政府关于印发青川市促进民营经济高质量发展若干措施的通知"
    summary = (
        "围绕公平准入、要素保障、科技创新、权益保护等方面提出22条措施，自2026年12月1日起施行。"
    )
    assert tags | {"viewport": "", "referrer": "", "color-scheme": ""} == {
        "viewport": "",
        "referrer": "",
        "color-scheme": "",
        "description": summary,
        "SiteName": "青川市人民政府信息公开",
        "SiteDomain": "www.qingchuan.gov.cn",
        "SiteIDCode": "3399000001",
        "ColumnName": "市政府文件",
        "ColumnType": "政策文件",
        "ArticleTitle": title,
        "PubDate": "2026-11-10",
        "ContentSource": "青川市人民政府",
        "Keywords": "民营经济,民营企业,公平竞争,融资支持",
        "og:site_name": "青川市人民政府信息公开",
        "og:title": title,
        "og:description": summary,
        "og:type": "article",
        "og:url": BASE + MEASURES,
        "og:locale": "zh_CN",
    }


def test_every_page_names_the_site_and_category_pages_their_column(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    for page in sorted(out.rglob("index.html")):
        tags = meta(out, page.parent.relative_to(out).as_posix() + "/")
        assert tags["SiteIDCode"] == "3399000001" and tags["og:url"].startswith(BASE)
    listing = meta(out, "catalogue/policies/municipal-government/")
    assert (listing["ColumnName"], listing["ColumnType"]) == ("市政府文件", "政策文件")
    assert "ArticleTitle" not in listing and listing["og:type"] == "website"
    assert "ColumnName" not in meta(out, "years/")


def test_a_record_without_summary_is_described_by_its_title(make_site: MakeSite) -> None:
    root = make_site()
    record = root / "content/records/policies/2026/disclosure-work-points.md"
    text = record.read_text(encoding="utf-8").replace(
        "summary: 部署2026年全市政务公开重点工作。\n", ""
    )
    record.write_text(text, encoding="utf-8")
    pipeline.build(load_project(root))
    tags = meta(root / "build", "records/policies/2026/disclosure-work-points/")
    assert tags["description"] == tags["og:description"] == tags["ArticleTitle"]


def test_later_pages_of_a_category_name_the_same_column(tmp_path: Path) -> None:
    project = load_project(REPO, tmp_path / "build")
    project = replace(project, config=replace(project.config, page_size=5))
    pipeline.build(project)
    out = tmp_path / "build"
    first, later = meta(out, "catalogue/policies/"), meta(out, "catalogue/policies/page/2/")
    assert later["ColumnName"] == first["ColumnName"] == "政策文件"
