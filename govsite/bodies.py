"""Render every document's Markdown body on the build's executor, reusing the bodies an
earlier build rendered.

A body depends on its text, the document's own URL, the Markdown options, and the URL
of each document its links name. The memo keeps, by a digest of the first three, the
rendered body with the URLs its links found; it is reused while those URLs are the
same, so moving a document renders again exactly its own body and those linking to it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from govsite.document import ParsedDocument
from govsite.errors import Diagnostic, Report, SourceLocation
from govsite.markup import MarkdownOptions, MarkdownRenderer
from govsite.memo import Memo, key_of
from govsite.model import Body, Heading
from govsite.parallel import ExecutorFactory, InProcessExecutor, map_in_chunks
from govsite.urls import is_external, link_href, resolve_source_href


def render_bodies(
    documents: Sequence[ParsedDocument],
    urls: Mapping[str, str],
    options: MarkdownOptions,
    report: Report,
    memo: Memo | None = None,
    run_on: ExecutorFactory = InProcessExecutor,
) -> list[Body]:
    """Each document's body, in order; `urls` maps content paths to the documents' URLs."""
    keys = [_key(parsed, urls, options) for parsed in documents]
    found: dict[int, _KeptBody] = {}
    for number, key in enumerate(keys):
        kept = _kept_body(memo.get(key)) if memo is not None else None
        if kept is not None and all(urls.get(target) == url for target, url in kept.lookups):
            found[number] = kept
    to_render = [number for number in range(len(documents)) if number not in found]
    rendered = map_in_chunks(run_on, _worker, (documents, urls, options), _render, to_render)
    for number, body in zip(to_render, rendered, strict=True):
        found[number] = body
        if memo is not None and memo.keep:
            memo.put(keys[number], body.to_json())
    bodies = []
    for number in range(len(documents)):  # problems in document order, wherever they came from
        report.extend(found[number].problems)
        bodies.append(found[number].body)
    return bodies


def _key(parsed: ParsedDocument, urls: Mapping[str, str], options: MarkdownOptions) -> str:
    path = str(parsed.source.content_path)
    return key_of(
        path, urls[path], parsed.body, parsed.body_start_line, dataclasses.astuple(options)
    )


@dataclass(frozen=True, slots=True)
class _Worker:
    documents: Sequence[ParsedDocument]
    urls: Mapping[str, str]
    renderer: MarkdownRenderer


def _worker(shared: tuple[Sequence[ParsedDocument], Mapping[str, str], MarkdownOptions]) -> _Worker:
    documents, urls, options = shared
    return _Worker(documents, urls, MarkdownRenderer(options))


def _render(worker: _Worker, number: int) -> _KeptBody:
    parsed = worker.documents[number]
    resolver = _LinkResolver(parsed, worker.urls[str(parsed.source.content_path)], worker.urls)
    body = worker.renderer.render(
        parsed.body, first_line=parsed.body_start_line, resolve_link=resolver
    )
    return _KeptBody(body, tuple(resolver.lookups.items()), tuple(resolver.problems))


@dataclass(frozen=True, slots=True)
class _KeptBody:
    """A rendered body with what its rendering depended on besides its text: the URLs its links named."""

    body: Body
    lookups: tuple[tuple[str, str | None], ...]
    """(document path, its URL or None if there was none), for each `.md` link."""
    problems: tuple[Diagnostic, ...]

    def to_json(self) -> list[Any]:
        headings = [[h.level, h.anchor, h.text] for h in self.body.headings]
        body = [self.body.html, headings, self.body.show_toc]
        return [body, self.lookups, [p.to_json() for p in self.problems]]


def _kept_body(data: Any) -> _KeptBody | None:
    if data is None:
        return None
    try:
        (html, headings, show_toc), lookups, problems = data
        body = Body(
            html=str(html),
            headings=tuple(
                Heading(level=int(level), anchor=str(anchor), text=str(text))
                for level, anchor, text in headings
            ),
            show_toc=bool(show_toc),
        )
        found = tuple((str(target), None if u is None else str(u)) for target, u in lookups)
        return _KeptBody(body, found, tuple(Diagnostic.from_json(p) for p in problems))
    except (TypeError, ValueError):
        return None  # not what this version keeps: render again


class _LinkResolver:
    """Rewrites the links of one document's body to relative links of the built site."""

    def __init__(self, parsed: ParsedDocument, url: str, urls: Mapping[str, str]) -> None:
        self.content_path = str(parsed.source.content_path)
        self.location: SourceLocation = parsed.source.location
        self.url = url
        self.urls = urls
        self.problems: list[Diagnostic] = []
        self.lookups: dict[str, str | None] = {}
        """The URL of each document a link named (None: no such document), for the memo."""

    def __call__(self, href: str, line: int) -> str:
        if is_external(href) or not href:
            return href
        path, hash_sign, fragment = unquote(href).partition("#")
        target = resolve_source_href(path, self.content_path)
        if target is None:
            self._problem(f"link '{href}' leads outside content/", line)
            return href
        if target.endswith(".md"):
            found = self.lookups[target] = self.urls.get(target)
            if found is None:
                self._problem(
                    f"link '{href}' points to a document that does not exist ('content/{target}')",
                    line,
                )
                return href
            target = found
        return link_href(self.url, target + hash_sign + fragment)

    def _problem(self, message: str, line: int) -> None:
        self.problems.append(Diagnostic("error", "GS307", message, self.location.at(line)))
