"""What the rules need from a rendered page: its title, description, ids and links, and
where its internal links lead (resolved once, where the page is read, so a check of the
whole site is set operations rather than 800,000 path joins at 10,000 records)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import cast
from urllib.parse import unquote, urlsplit

from lxml import etree, html

from govsite.htmltree import elements, parse_page
from govsite.render import OutputFile
from govsite.urls import is_external, is_safe_url


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
    reaches: tuple[str, ...] = ()
    """The build paths the page's internal `links` lead to (the check's walk from the home page)."""
    targets: tuple[str, ...] = ()
    """The build paths every internal link and source leads to (each must exist)."""
    anchors: tuple[tuple[str, str], ...] = ()
    """(build path, fragment) of each internal link or source with a #fragment."""
    outward: tuple[str, ...] = ()
    """The http(s) links, in document order."""

    @classmethod
    def of(
        cls,
        path: str,
        title: str | None,
        description: str | None,
        ids: frozenset[str],
        links: tuple[str, ...],
        sources: tuple[str, ...],
        unsafe: tuple[str, ...],
    ) -> PageFacts:
        """The facts of a page with these values, and where its links lead worked out."""
        reaches, anchors = _internal(path, links)
        loads, more_anchors = _internal(path, sources)
        outward = (href for href in links if urlsplit(href).scheme in ("http", "https"))
        return cls(
            path,
            title,
            description,
            ids,
            links,
            sources,
            unsafe,
            # Sorted tuples, not sets: a set of 40 paths takes five times the memory,
            # and the build keeps every page's facts (40 MB more at 10,000 records).
            tuple(sorted(reaches)),
            tuple(sorted(reaches | loads)),
            tuple(sorted(anchors | more_anchors)),
            tuple(outward),
        )


def resolve_href(page_path: str, href: str) -> tuple[str, str] | None:
    """(build path, fragment) an internal href of `page_path` leads to; None for external ones."""
    if href.startswith("#"):
        return page_path, unquote(href[1:])
    if is_external(href):
        return None
    parts = urlsplit(href)
    target = page_path
    if parts.path:
        joined = posixpath.normpath(
            posixpath.join(posixpath.dirname(page_path), unquote(parts.path))
        )
        target = joined + "/index.html" if parts.path.endswith("/") else joined
        target = target.removeprefix("./")
    return target, unquote(parts.fragment)


def _internal(
    page_path: str, hrefs: Iterable[str]
) -> tuple[frozenset[str], frozenset[tuple[str, str]]]:
    """Where the internal ones of `hrefs` lead, and those of them with a fragment."""
    resolved = [r for r in (resolve_href(page_path, href) for href in hrefs) if r is not None]
    return frozenset(path for path, _ in resolved), frozenset(r for r in resolved if r[1])


# One walk of the page for every attribute a rule reads (six walks took half the time
# of reading a page back): an XPath union returns them in document order, as the rules
# report them, and each is sorted out below by its name and element. All but the ids,
# the description and the srcsets are addresses a browser follows or loads, on any
# element (SVG's xlink:href too).
_ATTRIBUTES = etree.XPath(
    "//@id | //a/@name | //@href | //@src | //@action | //@formaction | //@poster | //@data"
    " | //@cite | //@background | //@ping | //@manifest | //@*[contains(name(), ':href')]"
    " | //@srcset | //@imagesrcset | //meta[@name='description']/@content"
)
_LINKED = {("a", "href"), ("form", "action")}  # the search page is reached by its form
_LOADED = {("img", "src"), ("script", "src"), ("link", "href")}  # but a canonical link
_TITLE = etree.XPath("/html/head/title")  # not the <title> of an inline SVG


def page_facts(outputs: Sequence[OutputFile]) -> Mapping[str, PageFacts]:
    """Facts of every HTML output, by path (a build reads them in analyse.py instead)."""
    return {
        output.path: facts_of(output.path, parse_page(output.content))
        for output in outputs
        if output.path.endswith(".html")
    }


def facts_of(path: str, page: html.HtmlElement) -> PageFacts:
    titles = elements(_TITLE, page)
    found = _Attributes.of(page)
    return PageFacts.of(
        path=path,
        title=titles[0].text_content().strip() if titles else None,
        description=found.description,
        ids=frozenset(found.ids),
        links=tuple(found.links),
        sources=tuple(found.sources),
        unsafe=_unsafe_addresses(found.addresses, found.srcsets),
    )


@dataclass(slots=True)
class _Attributes:
    """The attributes of one page the rules read, sorted out (each list in document order)."""

    ids: set[str] = field(default_factory=set)
    links: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    srcsets: list[str] = field(default_factory=list)
    description: str | None = None
    """The last description's (as a browser takes it)."""

    @classmethod
    def of(cls, page: html.HtmlElement) -> _Attributes:
        found = cls()
        values = _ATTRIBUTES(page)
        assert isinstance(values, list)  # the query selects attributes
        for value in cast(list[etree._ElementUnicodeResult], values):
            element = value.getparent()
            assert element is not None  # an attribute's
            found.add(str(value.attrname), element, str(value))
        return found

    def add(self, name: str, element: etree._Element, text: str) -> None:
        if name in ("id", "name"):
            self.ids.add(text)
        elif name == "content":
            self.description = text
        elif name in ("srcset", "imagesrcset"):
            self.srcsets.append(text)
        else:
            self.addresses.append(text)
            tag = element.tag
            if (tag, name) in _LINKED:
                self.links.append(text)
            elif (tag, name) in _LOADED and (tag != "link" or element.get("rel") != "canonical"):
                self.sources.append(text)


def _unsafe_addresses(addresses: list[str], srcsets: list[str]) -> tuple[str, ...]:
    candidates = list(addresses)
    for srcset in srcsets:
        candidates += [entry.split()[0] for entry in srcset.split(",") if entry.strip()]
    return tuple(dict.fromkeys(url for url in candidates if not is_safe_url(url)))
