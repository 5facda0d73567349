"""Stage 6: read each rendered page back once, for the facts the check needs and the copy
search indexes (its search record).

Both need the page parsed as HTML, which is most of their cost, so each page is parsed
once, on the build's executor. The results depend on the page's bytes alone, so with a
build cache they are kept by the digest of those bytes and an unchanged page is never
read again:

    kept/facts.json     per page digest: title, description, ids, links, sources
    kept/copies.json    per searchable page path: the digest of the page its search record was
                        made from, and of the record (checked before the record is trusted)
    kept/site/<path>    each searchable page's search record (search.search_record), at its path
    kept/search/        each search shard's postings, by a key of its pages (search.index_site)

(memo.py has the whole folder.) `copies.json` is removed before any copy is rewritten and
written again only once the build succeeded, so a build cut short never leaves a copy
that its entry misdescribes.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.cachefiles import remove, write_atomically
from govsite.check.html import PageFacts, facts_of
from govsite.htmltree import parse_page
from govsite.memo import Workspace, key_of
from govsite.outputs.search import search_record
from govsite.parallel import ExecutorFactory, InProcessExecutor, as_is, map_in_chunks
from govsite.progress import Progress, no_progress
from govsite.render import OutputFile


@dataclass(frozen=True, slots=True)
class Analysis:
    facts: Mapping[str, PageFacts]
    """The facts of every HTML page, by path inside the build folder."""
    copies: Path
    """The folder of search records, one per searchable page (search.search_record)."""
    copied: Mapping[str, str]
    """The digest of the page each copy was made from, by path."""
    code: str
    """The govsite that made the copies (fingerprint.code_key)."""


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers share: the pages, and where the copies of searchable ones go."""

    outputs: Sequence[OutputFile]
    searchable: frozenset[str]
    copies: Path


def analyse(
    outputs: Sequence[OutputFile],
    searchable: frozenset[str],
    space: Workspace,
    factory: ExecutorFactory = InProcessExecutor,
    progress: Progress = no_progress,
) -> Analysis:
    """The facts of every HTML page of `outputs`, and a search copy of each page in `searchable`."""
    digests = {o.path: key_of(o.content) for o in outputs if o.path.endswith(".html")}
    _remove_stale_copies(space, {path: digests[path] for path in searchable})
    facts: dict[str, PageFacts] = {}
    copy_digests: dict[str, str] = {}
    to_read: list[int] = []
    for number, output in enumerate(outputs):
        digest = digests.get(output.path)
        if digest is None:
            continue
        known = _facts_from_json(output.path, space.facts.get(digest))
        copy = space.kept_copy(output.path, digest) if output.path in searchable else ""
        if known is not None and copy is not None:
            facts[output.path] = known
            if copy:
                copy_digests[output.path] = copy
        else:
            to_read.append(number)
    work = _Work(outputs, searchable, space.copies)
    found = map_in_chunks(
        factory,
        as_is,
        work,
        _read_page,
        to_read,
        lambda count: progress("pages read back", count, len(to_read)),
    )
    for number, (page_facts, copy_digest) in zip(to_read, found, strict=True):
        path = outputs[number].path
        facts[path] = page_facts
        if copy_digest is not None:
            copy_digests[path] = copy_digest
        if space.facts.keep:
            space.facts.put(digests[path], _facts_json(page_facts))
    copies = {path: digests[path] for path in sorted(searchable)}
    space.remember_copies({path: (digests[path], copy_digests[path]) for path in copies})
    return Analysis(facts, space.copies, copies, space.code)


def _remove_stale_copies(space: Workspace, wanted: Mapping[str, str]) -> None:
    """Forget the copies' record until the build succeeds, and remove every file in the
    copies' folder that is no copy of a page of this build (of pages gone, or put there by
    damage): Pagefind indexes the whole folder."""
    space.forget_copies()
    if not space.known_copies or not space.copies.is_dir():
        remove(space.copies)  # copies no record describes: start again
        return
    for folder, _, names in os.walk(space.copies):
        for name in names:
            path = Path(folder, name)
            if path.relative_to(space.copies).as_posix() not in wanted:
                remove(path)


def _read_page(work: _Work, number: int) -> tuple[PageFacts, str | None]:
    """The page's facts, and the digest of its search copy if it is searchable."""
    output = work.outputs[number]
    page = parse_page(output.content)
    facts = facts_of(output.path, page)
    if output.path not in work.searchable:
        return facts, None
    record = search_record(page)  # takes `page` apart
    write_atomically(work.copies / output.path, record)
    return facts, key_of(record)


def _facts_json(facts: PageFacts) -> list[Any]:
    return [
        facts.title,
        facts.description,
        sorted(facts.ids),
        facts.links,
        facts.sources,
        facts.unsafe,
    ]


def _facts_from_json(path: str, data: Any) -> PageFacts | None:
    """Facts kept by an earlier build, or None if there are none (or they do not read back)."""
    try:
        title, description, ids, links, sources, unsafe = data
        return PageFacts(
            path, title, description, frozenset(ids), tuple(links), tuple(sources), tuple(unsafe)
        )
    except (TypeError, ValueError):
        return None
