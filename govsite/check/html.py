"""What the rules need from a rendered page: its title, description, ids and links."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html.parser import HTMLParser

from govsite.render import OutputFile


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


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title: str | None = None
        self.description: str | None = None
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if "id" in found:
            self.ids.add(found["id"])
        if tag == "a" and "name" in found:
            self.ids.add(found["name"])
        if tag == "title":
            self._in_title, self.title = True, ""
        elif tag == "meta" and found.get("name") == "description":
            self.description = found.get("content", "")
        elif tag == "a" and "href" in found:
            self.links.append(found["href"])
        elif tag == "form" and "action" in found:
            self.links.append(found["action"])  # the search page is reached by its form
        elif tag in ("img", "script") and "src" in found:
            self.sources.append(found["src"])
        elif tag == "link" and "href" in found and found.get("rel") != "canonical":
            self.sources.append(found["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title = (self.title or "") + data


def page_facts(outputs: Sequence[OutputFile]) -> Mapping[str, PageFacts]:
    """Facts of every HTML output, by path."""
    facts: dict[str, PageFacts] = {}
    for output in outputs:
        if not output.path.endswith(".html"):
            continue
        collector = _Collector()
        collector.feed(output.content.decode("utf-8"))
        collector.close()
        facts[output.path] = PageFacts(
            path=output.path,
            title=collector.title.strip() if collector.title is not None else None,
            description=collector.description,
            ids=frozenset(collector.ids),
            links=tuple(collector.links),
            sources=tuple(collector.sources),
        )
    return facts
