"""govsite's Markdown: fixture cases in markdown-it-py's format, plus links, lines and the table of contents."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsite.markup import MarkdownOptions, MarkdownRenderer, slugify

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "markdown"


def read_fixtures(path: Path) -> list[tuple[str, int, str, str]]:
    """(title, line, input, expected) for each `title / . / input / . / expected / .` case."""
    lines = path.read_text(encoding="utf-8").split("\n")
    cases, index = [], 0
    while index < len(lines):
        if lines[index + 1 : index + 2] == ["."]:
            title, start = lines[index], index + 1
            end_input = lines.index(".", index + 2)
            end_expected = lines.index(".", end_input + 1)
            source = "\n".join(lines[index + 2 : end_input]) + "\n"
            expected = "\n".join(lines[end_input + 1 : end_expected]) + "\n"
            cases.append((title, start, source, expected))
            index = end_expected + 1
        else:
            index += 1
    return cases


CASES = read_fixtures(FIXTURES / "govsite.md")


def render(text: str, **options: object) -> str:
    renderer = MarkdownRenderer(MarkdownOptions(**options))  # type: ignore[arg-type]
    return renderer.render(text, first_line=1, resolve_link=lambda href, line: href).html


@pytest.mark.parametrize(
    ("title", "line", "source", "expected"), CASES, ids=[f"line-{c[1]}" for c in CASES]
)
def test_fixture(title: str, line: int, source: str, expected: str) -> None:
    assert render(source) == expected, f"{title} (govsite.md:{line})"


def test_raw_html_passes_only_when_the_site_opts_in() -> None:
    assert render("<aside>注</aside>\n", raw_html=True) == "<aside>注</aside>\n"


def test_links_are_resolved_with_their_exact_line() -> None:
    seen: list[tuple[str, int]] = []

    def resolve(href: str, line: int) -> str:
        seen.append((href, line))
        return "resolved/" + href

    renderer = MarkdownRenderer(MarkdownOptions())
    body = renderer.render(
        "第一段\n\n第二段第一行\n第二行[链接](a.md)\n\n![图](b.png)\n",
        first_line=10,
        resolve_link=resolve,
    )
    assert seen == [("a.md", 13), ("b.png", 15)]
    assert 'href="resolved/a.md"' in body.html
    assert 'src="resolved/b.png"' in body.html


def test_table_of_contents_appears_from_the_configured_number_of_sections() -> None:
    text = "## 一\n\n### 一之一\n\n## 二\n\n## 三\n"
    renderer = MarkdownRenderer(MarkdownOptions(toc_min_headings=3))
    body = renderer.render(text, first_line=1, resolve_link=lambda h, n: h)
    assert [(h.level, h.anchor) for h in body.headings] == [
        (2, "一"),
        (3, "一之一"),
        (2, "二"),
        (2, "三"),
    ]
    assert body.show_toc
    assert (
        not MarkdownRenderer(MarkdownOptions(toc_min_headings=4))
        .render(text, first_line=1, resolve_link=lambda h, n: h)
        .show_toc
    )


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("第一章　总则", "第一章-总则"),
        ("Section 2: Scope", "section-2-scope"),
        ("（一）", "一"),
        ("——", "section"),
    ],
)
def test_slugify(text: str, slug: str) -> None:
    assert slugify(text) == slug
