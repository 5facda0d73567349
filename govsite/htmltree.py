"""Rendered pages as lxml trees, for the stages that read pages back (the check, search)."""

from __future__ import annotations

from lxml import etree, html

# Pages are UTF-8 (render.py writes them so); telling lxml spares it guessing from bytes.
_PARSER = html.HTMLParser(encoding="utf-8")


def parse_page(content: bytes) -> html.HtmlElement:
    return html.document_fromstring(content, parser=_PARSER)


def elements(query: etree.XPath, node: html.HtmlElement) -> list[html.HtmlElement]:
    """The elements an XPath query selects (mypy cannot tell a query's result type)."""
    found = query(node)
    assert isinstance(found, list)  # the queries select elements
    return [element for element in found if isinstance(element, html.HtmlElement)]
