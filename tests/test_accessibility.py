"""Structural accessibility invariants of every page the theme produces (the browser tier adds axe-core).

Checked on the golden sites and the demo: `lang`, one h1, no skipped heading level, the
skip link first, landmarks, alt text, unique ids, labelled navigation and data tables.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import pytest
from lxml import html

from govsite import pipeline
from govsite.config import load_project
from tests.conftest import REPO

SITES = [REPO / "tests" / "sites" / "basic" / "input", REPO]


@pytest.fixture(scope="module", params=SITES, ids=["basic", "demo"])
def built(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("a11y") / "build"
    pipeline.build(load_project(request.param, out))
    return out


def pages(out: Path) -> Iterator[tuple[str, html.HtmlElement]]:
    for path in sorted(out.rglob("*.html")):
        yield path.relative_to(out).as_posix(), html.parse(str(path)).getroot()


def problems_of(root: html.HtmlElement) -> list[str]:
    found = []
    if not root.get("lang"):
        found.append("no lang on <html>")
    headings = [int(h.tag[1]) for h in root.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    if headings.count(1) != 1 or headings[0] != 1:
        found.append(f"headings start {headings[:3]}; want exactly one h1, first")
    found += [f"h{b} follows h{a}" for a, b in pairwise(headings) if b > a + 1]
    focusable = root.xpath("//a[@href] | //button | //input | //select | //textarea")
    if not focusable or "skip-link" not in (focusable[0].get("class") or ""):
        found.append("the first focusable element is not the skip link")
    for landmark in ("header", "main", "footer"):
        if len(root.findall(f".//{landmark}")) != 1:
            found.append(f"not exactly one <{landmark}>")
    found += [
        f"<img> without alt: {img.get('src')}" for img in root.iter("img") if img.get("alt") is None
    ]
    ids = root.xpath("//@id")
    found += [f"duplicate id {i!r}" for i in sorted(set(ids)) if ids.count(i) > 1]
    navs = root.findall(".//nav")
    found += [
        "<nav> without a label"
        for nav in navs
        if not (nav.get("aria-label") or nav.get("aria-labelledby"))
    ]
    for table in root.iter("table"):
        # Tables editors write in Markdown (inside .prose) have no caption syntax; only the theme's own need one.
        in_body = table.xpath("ancestor::*[contains(concat(' ', @class, ' '), ' prose ')]")
        if not in_body and table.find("caption") is None:
            found.append("theme table without <caption>")
        found += ["<th> without scope" for th in table.iter("th") if not th.get("scope")]
    return found


def test_every_page_meets_the_structural_rules(built: Path) -> None:
    failures = {name: p for name, root in pages(built) if (p := problems_of(root))}
    assert failures == {}


def test_the_checks_catch_a_broken_page() -> None:
    broken = html.fromstring(
        "<html><body><a href='x'>x</a><header></header><main><h2>a</h2><h4>b</h4>"
        "<img src='a.png'><nav></nav><table><tr><th>x</th></tr></table></main></body></html>"
    )
    problems = problems_of(broken)
    assert "no lang on <html>" in problems
    assert "h4 follows h2" in problems
    assert "the first focusable element is not the skip link" in problems
    assert "<img> without alt: a.png" in problems
    assert "<th> without scope" in problems
    assert "not exactly one <footer>" in problems
