"""What the rules need from a rendered page: its title, description, ids and links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree, html

from govsite.render import OutputFile

# Pages are UTF-8 (render.py writes them so); telling lxml spares it guessing from bytes.
_PARSER = html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True, slots=True)
class PageFacts:
    path: str
    """Path inside the build folder, e.g. `records/x/index.html`."""
    title: str | None
    description: str | None
    ids: frozenset[str]
    links: tuple[str, ...]
    """`a href` values, in document order."""
    sources: tuple[str, ...]
    """`img src`, `link href` (but canonical), `script src` values."""


# XPath unions return nodes in document order, as the rules report them.
_IDS = etree.XPath("//@id | //a/@name")
_LINKS = etree.XPath("//a/@href | //form/@action")  # the search page is reached by its form
_SOURCES = etree.XPath("//img/@src | //script/@src | //link[not(@rel='canonical')]/@href")
_TITLE = etree.XPath("/html/head/title")  # not the <title> of an inline SVG
_DESCRIPTION = etree.XPath("//meta[@name='description']/@content")


def page_facts(outputs: Sequence[OutputFile]) -> Mapping[str, PageFacts]:
    """Facts of every HTML output, by path (a build reads them in analyse.py instead)."""
    return {
        output.path: facts_of(output.path, parse_page(output.content))
        for output in outputs
        if output.path.endswith(".html")
    }


def parse_page(content: bytes) -> html.HtmlElement:
    return html.document_fromstring(content, parser=_PARSER)


def facts_of(path: str, page: html.HtmlElement) -> PageFacts:
    titles = _nodes(_TITLE, page)
    descriptions = _strings(_DESCRIPTION, page)
    return PageFacts(
        path=path,
        title=titles[0].text_content().strip() if titles else None,
        description=descriptions[-1] if descriptions else None,
        ids=frozenset(_strings(_IDS, page)),
        links=_strings(_LINKS, page),
        sources=_strings(_SOURCES, page),
    )


def _strings(query: etree.XPath, page: html.HtmlElement) -> tuple[str, ...]:
    found = query(page)
    assert isinstance(found, list)  # the queries select attributes
    return tuple(str(value) for value in found)


def _nodes(query: etree.XPath, page: html.HtmlElement) -> list[html.HtmlElement]:
    found = query(page)
    assert isinstance(found, list)  # the queries select elements
    return [node for node in found if isinstance(node, html.HtmlElement)]
