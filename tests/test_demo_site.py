"""The demo site in content/: it builds, every link in it leads somewhere, and builds are reproducible."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html

from govsite import pipeline
from govsite.config import load_project
from govsite.outputs import search
from govsite.pipeline import BuildResult
from tests.conftest import REPO, tree_digest


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("demo") / "build"
    return out, pipeline.build(load_project(REPO, out))


def html_files(out: Path) -> Iterator[Path]:
    yield from sorted(out.rglob("*.html"))


def test_the_demo_is_a_realistic_site(demo: tuple[Path, BuildResult]) -> None:
    site = demo[1].site
    assert len(site.records) >= 60
    assert len({r.category.split("/")[0] for r in site.records}) >= 8
    assert len({a for r in site.records for a in r.agencies}) >= 5
    assert sum(1 for r in site.records if r.is_interpretation) >= 10
    assert sum(1 for r in site.records if r.superseded_by) >= 3
    assert any(r.attachments for r in site.records)
    assert demo[1].diagnostics == ()


def test_every_relative_link_resolves_to_a_file_and_fragment(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    ids: dict[Path, set[str]] = {}
    broken = []
    for page in html_files(out):
        if page.name == "404.html":
            continue  # links from the site root path; checked in test_not_found_links_from_the_root
        tree = html.parse(str(page))
        for _element, attribute, link, _ in tree.getroot().iterlinks():
            parts = urlsplit(link)
            if parts.scheme or parts.netloc or attribute not in ("href", "src"):
                continue
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if not target.is_file():
                broken.append(f"{page.relative_to(out)}: {link}")
                continue
            if parts.fragment and target.suffix == ".html":
                if target not in ids:
                    ids[target] = set(html.parse(str(target)).getroot().xpath("//@id"))
                if unquote(parts.fragment) not in ids[target]:
                    broken.append(f"{page.relative_to(out)}: {link} (no such id)")
    assert broken == []


def test_not_found_links_from_the_root(demo: tuple[Path, BuildResult]) -> None:
    tree = html.parse(str(demo[0] / "404.html"))
    hrefs = [link for _, attribute, link, _ in tree.getroot().iterlinks() if attribute == "href"]
    internal = [h for h in hrefs if not urlsplit(h).scheme and not h.startswith("#")]
    assert internal and all(h.startswith("/") for h in internal)


def stable_files(folder: Path) -> list[Path]:
    return sorted(p.relative_to(folder) for p in folder.rglob("*") if p.is_file())


def test_two_builds_are_byte_identical(demo: tuple[Path, BuildResult], tmp_path: Path) -> None:
    first = demo[0]
    second = tmp_path / "again"
    pipeline.build(load_project(REPO, second))
    first_files = stable_files(first)
    assert any(
        f.parts[0] == search.BUNDLE_DIR for f in first_files
    )  # the search index is compared too
    assert first_files == stable_files(second)
    different = [f for f in first_files if (first / f).read_bytes() != (second / f).read_bytes()]
    assert different == []


def test_a_rebuild_without_changes_touches_no_file(tmp_path: Path) -> None:
    out = tmp_path / "build"
    pipeline.build(load_project(REPO, out))
    before = stable_digest(out)
    assert any(
        path.startswith(f"{search.BUNDLE_DIR}/") for path in before
    )  # the search index keeps too
    pipeline.build(load_project(REPO, out))
    assert stable_digest(out) == before


def stable_digest(folder: Path) -> dict[str, str]:
    return tree_digest(folder)
