"""Stage 6: read each rendered page back once, for the facts the check needs and the copy
search indexes (its search record).

Both need the page parsed as HTML, which is most of their cost, so each page is parsed
once, on the build's executor: in a build, by the worker that rendered it, from the bytes it
has just written into the staging folder (`PageSink`), so only the facts come back and no
process holds every page. Pages taken from the build cache are staged as they are, and
read back here only if nothing is kept of them. The results depend on the page's bytes alone, so with a
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
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from govsite.cachefiles import remove, write_atomically
from govsite.check.html import PageFacts, facts_of
from govsite.htmltree import parse_page
from govsite.memo import Workspace, key_of
from govsite.outputs.search import search_record
from govsite.parallel import ExecutorFactory, InProcessExecutor, as_is, map_in_chunks
from govsite.progress import Progress, no_progress
from govsite.render import OutputFile, StagedFile
from govsite.write import Staging, stage_file


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
class PageSink:
    """Where a build's workers put each page as they render it: into the staging folder, and
    read there and then (its facts, its search copy), so that only those travel back and
    no process ever holds every page's bytes."""

    staging: Staging
    copies: Path
    shared: dict[object, object] = field(default_factory=dict, compare=False)
    """Values of the facts this worker sent back, each kept once (`_shared_facts`)."""

    def write(self, output: OutputFile) -> StagedFile:
        stage_file(self.staging, output.path, output.content)
        return StagedFile(output.path, key_of(output.content))

    def take(self, output: OutputFile, searchable: bool) -> StagedFile:
        staged = self.write(output)
        if not output.path.endswith(".html"):
            return staged
        facts, copy = _read(output.path, output.content, searchable, self.copies)
        return replace(staged, facts=_shared_facts(facts, self.shared), copy=copy)

    def content(self, path: str) -> bytes:
        return (self.staging.folder / path).read_bytes()


def page_sink(staging: Staging, space: Workspace) -> PageSink:
    """The sink of a build that stages into `staging` and keeps its search copies in `space`."""
    space.forget_copies()  # the workers rewrite copies from now on
    return PageSink(staging, space.copies)


def stage_rest(
    files: Iterable[OutputFile | StagedFile], sink: PageSink | None
) -> tuple[tuple[OutputFile, ...], tuple[StagedFile, ...]]:
    """`files` held in memory and staged: all staged with a `sink`, none without one."""
    if sink is None:
        return tuple(f for f in files if isinstance(f, OutputFile)), ()
    return (), tuple(f if isinstance(f, StagedFile) else sink.write(f) for f in files)


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers share: the pages, and where the copies of searchable ones go."""

    outputs: Sequence[OutputFile | StagedFile]
    searchable: frozenset[str]
    copies: Path
    folder: Path | None
    """Where the staged files are."""
    shared: dict[object, object] = field(default_factory=dict, compare=False)


def analyse(
    outputs: Sequence[OutputFile | StagedFile],
    searchable: frozenset[str],
    space: Workspace,
    factory: ExecutorFactory = InProcessExecutor,
    progress: Progress = no_progress,
    folder: Path | None = None,
) -> Analysis:
    """The facts of every HTML page of `outputs`, and a search copy of each page in `searchable`.

    Staged files (read from the staging `folder`) that their worker read already are
    not read again.
    """
    digests = {o.path: _digest(o) for o in outputs if o.path.endswith(".html")}
    fresh = {o.path for o in outputs if isinstance(o, StagedFile) and o.copy is not None}
    _remove_stale_copies(space, {path: digests[path] for path in searchable}, fresh)
    facts: dict[str, PageFacts] = {}
    copy_digests: dict[str, str] = {}
    to_read: list[int] = []
    for number, output in enumerate(outputs):
        digest = digests.get(output.path)
        if digest is None:
            continue
        if isinstance(output, StagedFile) and output.facts is not None:
            known: PageFacts | None = output.facts  # read by the worker that staged it
            copy: str | None = output.copy or ""
            if space.facts.keep:
                space.facts.put(digest, _facts_json(output.facts))
        else:
            known = _facts_from_json(output.path, space.facts.get(digest))
            copy = space.kept_copy(output.path, digest) if output.path in searchable else ""
        if known is not None and copy is not None:
            facts[output.path] = known
            if copy:
                copy_digests[output.path] = copy
        else:
            to_read.append(number)
    work = _Work(outputs, searchable, space.copies, folder)
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


def _digest(output: OutputFile | StagedFile) -> str:
    return output.digest if isinstance(output, StagedFile) else key_of(output.content)


def _remove_stale_copies(space: Workspace, wanted: Mapping[str, str], fresh: set[str]) -> None:
    """Forget the copies' record until the build succeeds, and remove every file in the
    copies' folder that is no copy of a page of this build (of pages gone, or put there by
    damage): Pagefind indexes the whole folder. Without a record of the copies, only those
    this build made (`fresh`) stay."""
    space.forget_copies()
    keep = wanted.keys() if space.known_copies else fresh
    for folder, _, names in os.walk(space.copies):
        for name in names:
            path = Path(folder, name)
            if path.relative_to(space.copies).as_posix() not in keep:
                remove(path)


def _read_page(work: _Work, number: int) -> tuple[PageFacts, str | None]:
    """The page's facts, and the digest of its search copy if it is searchable."""
    output = work.outputs[number]
    if isinstance(output, OutputFile):
        content = output.content
    else:
        assert work.folder is not None  # staged files come with their folder
        content = (work.folder / output.path).read_bytes()
    facts, copy = _read(output.path, content, output.path in work.searchable, work.copies)
    return _shared_facts(facts, work.shared), copy


def _shared_facts(facts: PageFacts, shared: dict[object, object]) -> PageFacts:
    """`facts` with each string, list and set equal to one in `shared` replaced by that one.

    Most of a page's links, ids and sources are its neighbours' too (the navigation, the
    theme's assets). Results travel back pickled a chunk at a time, and pickle sends an
    object it has sent once as a reference: so equal values arrive once per chunk, not once
    per page (at 100,000 records, some 5 KB per page less in the build process).
    """

    def one(value: Any) -> Any:
        return shared.setdefault(value, value)

    return PageFacts(
        facts.path,
        one(facts.title),
        one(facts.description),
        one(frozenset(one(i) for i in facts.ids)),
        one(tuple(one(link) for link in facts.links)),
        one(tuple(one(source) for source in facts.sources)),
        one(tuple(one(address) for address in facts.unsafe)),
        one(tuple(one(path) for path in facts.reaches)),
        one(tuple(one(path) for path in facts.targets)),
        one(tuple(one(anchor) for anchor in facts.anchors)),
        one(tuple(one(link) for link in facts.outward)),
    )


def _read(
    path: str, content: bytes, searchable: bool, copies: Path
) -> tuple[PageFacts, str | None]:
    """The facts of the page `content`, and the digest of its search copy (written under
    `copies`) if it is `searchable`."""
    page = parse_page(content)
    facts = facts_of(path, page)
    if not searchable:
        return facts, None
    record = search_record(page)  # takes `page` apart
    write_atomically(copies / path, record)
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
        return PageFacts.of(
            path, title, description, frozenset(ids), tuple(links), tuple(sources), tuple(unsafe)
        )
    except (TypeError, ValueError):
        return None
