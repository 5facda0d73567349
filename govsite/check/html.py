"""What the rules need from a rendered page: its title, description, ids and links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from lxml import etree, html

from govsite.htmltree import elements, parse_page
from govsite.render import OutputFile
from govsite.urls import is_safe_url


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
    unsafe: tuple[str, ...] = ()
    """Addresses of any element that fail the URL gate (`urls.is_safe_url`): a build refuses them."""


# XPath unions return nodes in document order, as the rules report them.
_IDS = etree.XPath("//@id | //a/@name")
_LINKS = etree.XPath("//a/@href | //form/@action")  # the search page is reached by its form
_SOURCES = etree.XPath("//img/@src | //script/@src | //link[not(@rel='canonical')]/@href")
# Every attribute a browser follows or loads, on any element (SVG's xlink:href too).
_ADDRESSES = etree.XPath(
    "//@href | //@src | //@action | //@formaction | //@poster | //@data | //@cite"
    " | //@background | //@ping | //@manifest | //@*[contains(name(), ':href')]"
)
_SRCSETS = etree.XPath("//@srcset | //@imagesrcset")
_TITLE = etree.XPath("/html/head/title")  # not the <title> of an inline SVG
_DESCRIPTION = etree.XPath("//meta[@name='description']/@content")


def page_facts(outputs: Sequence[OutputFile]) -> Mapping[str, PageFacts]:
    """Facts of every HTML output, by path (a build reads them in analyse.py instead)."""
    return {
        output.path: facts_of(output.path, parse_page(output.content))
        for output in outputs
        if output.path.endswith(".html")
    }


def facts_of(path: str, page: html.HtmlElement) -> PageFacts:
    titles = elements(_TITLE, page)
    descriptions = _strings(_DESCRIPTION, page)
    return PageFacts(
        path=path,
        title=titles[0].text_content().strip() if titles else None,
        description=descriptions[-1] if descriptions else None,
        ids=frozenset(_strings(_IDS, page)),
        links=_strings(_LINKS, page),
        sources=_strings(_SOURCES, page),
        unsafe=_unsafe_addresses(page),
    )


def _unsafe_addresses(page: html.HtmlElement) -> tuple[str, ...]:
    candidates = list(_strings(_ADDRESSES, page))
    for srcset in _strings(_SRCSETS, page):
        candidates += [entry.split()[0] for entry in srcset.split(",") if entry.strip()]
    return tuple(dict.fromkeys(url for url in candidates if not is_safe_url(url)))


def _strings(query: etree.XPath, page: html.HtmlElement) -> tuple[str, ...]:
    found = query(page)
    assert isinstance(found, list)  # the queries select attributes
    return tuple(str(value) for value in found)
