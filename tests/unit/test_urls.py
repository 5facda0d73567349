from __future__ import annotations

import posixpath
import random

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.urls import encode_path, is_external, output_file, relative_href, resolve_source_href
from tests.conftest import MakeSite


@pytest.mark.parametrize(
    ("here", "target", "href"),
    [
        ("", "catalogue/", "catalogue/index.html"),
        ("records/a/2024/x/", "", "../../../../index.html"),
        ("records/a/2024/x/", "files/2024/b.pdf", "../../../../files/2024/b.pdf"),
        ("records/a/2024/x/", "records/a/2024/y/#第一章", "../y/index.html#第一章"),
        ("records/a/2024/x/", "records/a/2024/x/#toc", "#toc"),
        ("catalogue/page/2/", "catalogue/", "../../index.html"),
    ],
)
def test_links_are_relative_and_name_index_html(here: str, target: str, href: str) -> None:
    assert relative_href(here, target) == href


def test_output_files() -> None:
    assert [output_file(u) for u in ("", "a/", "404.html")] == [
        "index.html",
        "a/index.html",
        "404.html",
    ]


@pytest.mark.parametrize(
    ("href", "site_path"),
    [
        ("../policies/a.md", "records/policies/a.md"),
        ("/files/b.pdf", "files/b.pdf"),
        ("./", "records/interpretations/"),
        ("../../../secret", None),
    ],
)
def test_source_hrefs_resolve_against_the_document(href: str, site_path: str | None) -> None:
    assert resolve_source_href(href, "records/interpretations/x.md") == site_path


@pytest.mark.parametrize(
    ("href", "external"),
    [
        ("https://www.gov.cn/", True),
        ("mailto:a@b.cn", True),
        ("#fn1", True),
        ("//cdn", True),
        ("a.md", False),
        ("../x:y.md", False),
        ("files/a.pdf", False),
    ],
)
def test_is_external(href: str, external: bool) -> None:
    assert is_external(href) is external


def test_relative_href_agrees_with_posixpath_relpath() -> None:
    """The fast path computation must give exactly what posixpath.relpath gives for site paths."""
    rng = random.Random(6)
    names = ["a", "b", "records", "2024", "x-1", "政策"]
    for _ in range(2000):
        here = "/".join(rng.choices(names, k=rng.randrange(0, 4))) + rng.choice(["/", ""])
        target = "/".join(rng.choices(names, k=rng.randrange(1, 4))) + rng.choice(["/", ".pdf"])
        here = "" if here == "/" else here
        expected = posixpath.relpath(
            output_file(target), posixpath.dirname(output_file(here)) or "."
        )
        assert relative_href(here, target) == expected, (here, target)


@pytest.mark.parametrize(
    ("href", "encoded"),
    [
        ("../files/附件1 清单.pdf", "../files/附件1%20清单.pdf"),
        ('a"b<c>d', "a%22b%3Cc%3Ed"),
        ("a%20b", "a%20b"),  # already encoded: left alone
        ("100%.pdf", "100%25.pdf"),
        ("第一章#节", "第一章#节"),  # Chinese is valid in an href as written
    ],
)
def test_hrefs_are_percent_encoded_where_they_must_be(href: str, encoded: str) -> None:
    assert encode_path(href) == encoded


def test_an_attachment_with_a_space_in_its_name_gets_a_valid_href(make_site: MakeSite) -> None:
    policy = "content/records/policies/2026/disclosure-work-points.md"
    root = make_site({"content/files/2026/附件1 老旧小区改造任务清单.pdf": "%PDF-1.4\n"})
    text = (root / policy).read_text(encoding="utf-8")
    attachment = (
        "attachments:\n  - file: files/2026/附件1 老旧小区改造任务清单.pdf\n    title: 附件1\n"
    )
    (root / policy).write_text(text.replace("summary:", attachment + "summary:"), encoding="utf-8")
    pipeline.build(load_project(root))
    page = (root / "build/records/policies/2026/disclosure-work-points/index.html").read_text(
        encoding="utf-8"
    )
    assert 'href="../../../../files/2026/附件1%20老旧小区改造任务清单.pdf"' in page
    assert (root / "build/files/2026/附件1 老旧小区改造任务清单.pdf").is_file()
