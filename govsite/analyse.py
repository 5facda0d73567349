"""Stage 6: read each rendered page back once, for the facts the check needs and the copy
search indexes.

Both need the page parsed as HTML, which is most of their cost, so each page is parsed
once, on the build's executor. The results depend on the page's bytes alone, so with a
build cache they are kept by the digest of those bytes and an unchanged page is never
read again:

    analysis/code           the govsite and libraries that found the rest (fingerprint.code_key)
    analysis/facts.json     per page digest: title, description, ids, links, sources
    analysis/copies.json    per searchable page path: the digest of the page its copy was made from
    analysis/site/<path>    the copies Pagefind indexes (search.with_tokens), at the pages' paths
    analysis/search/        the last search bundle and its key, reused while the copies are the same

`copies.json` is removed before any copy is rewritten and written again only once the
build succeeded, so a build cut short never leaves a copy that its entry misdescribes.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from govsite.check.html import PageFacts, facts_of, parse_page
from govsite.fingerprint import code_key
from govsite.parallel import ExecutorFactory, InProcessExecutor, map_in_chunks
from govsite.progress import Progress, no_progress
from govsite.render import OutputFile
from govsite.search import indexed_text, with_tokens

ANALYSIS_DIR = "analysis"
CODE = "code"
FACTS = "facts.json"
COPIES = "copies.json"
SITE_DIR = "site"
KEPT_BUNDLE_DIR = "search"


@dataclass(frozen=True, slots=True)
class Analysis:
    facts: Mapping[str, PageFacts]
    """The facts of every HTML page, by path inside the build folder."""
    copies: Path
    """The folder of search copies, one per searchable page, ready for Pagefind."""
    search_key: str
    """A digest of which pages the copies were made from: equal keys, equal search bundles."""


@dataclass(frozen=True, slots=True)
class _Work:
    """What the workers share: the pages, and where the copies of searchable ones go."""

    outputs: Sequence[OutputFile]
    searchable: frozenset[str]
    copies: Path


class Workspace:
    """Where the analysis keeps what it found: in the build cache, or for one build only."""

    def __init__(self, folder: Path, *, kept: bool) -> None:
        self.folder = folder
        self.kept = kept
        self.code = code_key()
        trusted = kept and _read_text(folder / CODE) == self.code
        self.known_facts: dict[str, Any] = _load(folder / FACTS) if trusted else {}
        self.known_copies: dict[str, str] = _load(folder / COPIES) if trusted else {}
        self._facts: dict[str, Any] = {}
        self._copies: dict[str, str] = {}

    @property
    def copies(self) -> Path:
        return self.folder / SITE_DIR

    @property
    def kept_bundle(self) -> Path | None:
        """Where the search bundle is kept between builds (search.index_site), if it is."""
        return self.folder / KEPT_BUNDLE_DIR if self.kept else None

    def remember(self, facts: dict[str, Any], copies: dict[str, str]) -> None:
        """What this build found: facts by page digest, copied pages' digests by path."""
        self._facts = facts
        self._copies = copies

    def has_copy(self, path: str, digest: str) -> bool:
        return self.known_copies.get(path) == digest and (self.copies / path).is_file()

    def save(self) -> None:
        """Keep what this build found (and only that), once the build has succeeded."""
        if self.kept:
            _write_json(self.folder / FACTS, self._facts)
            _write_json(self.folder / COPIES, self._copies)
            (self.folder / CODE).write_text(self.code, encoding="utf-8")


@contextmanager
def workspace(cache_dir: Path | None) -> Iterator[Workspace]:
    """The analysis folder of the build cache, or a temporary one without a cache."""
    if cache_dir is not None:
        yield Workspace(cache_dir / ANALYSIS_DIR, kept=True)
        return
    with TemporaryDirectory(prefix="govsite-analysis-") as folder:
        yield Workspace(Path(folder), kept=False)


def analyse(
    outputs: Sequence[OutputFile],
    searchable: frozenset[str],
    space: Workspace,
    factory: ExecutorFactory = InProcessExecutor,
    progress: Progress = no_progress,
) -> Analysis:
    """The facts of every HTML page of `outputs`, and a search copy of each page in `searchable`."""
    digests = {o.path: _digest(o.content) for o in outputs if o.path.endswith(".html")}
    _remove_stale_copies(space, {path: digests[path] for path in searchable})
    facts: dict[str, PageFacts] = {}
    to_read: list[int] = []
    for number, output in enumerate(outputs):
        digest = digests.get(output.path)
        if digest is None:
            continue
        known = _facts_from_json(output.path, space.known_facts.get(digest))
        copied = output.path not in searchable or space.has_copy(output.path, digest)
        if known is not None and copied:
            facts[output.path] = known
        else:
            to_read.append(number)
    work = _Work(outputs, searchable, space.copies)
    found = map_in_chunks(
        factory,
        _same,
        work,
        _read_page,
        to_read,
        lambda count: progress("pages read back", count, len(to_read)),
    )
    facts.update(
        (outputs[n].path, page_facts) for n, page_facts in zip(to_read, found, strict=True)
    )
    copies = {path: digests[path] for path in sorted(searchable)}
    space.remember({digests[path]: _facts_json(f) for path, f in facts.items()}, copies)
    search_key = _digest(json.dumps([space.code, copies]).encode())  # the code makes the copies
    return Analysis(facts, space.copies, search_key)


def _remove_stale_copies(space: Workspace, wanted: Mapping[str, str]) -> None:
    """Forget the copies' record until the build succeeds, and remove copies of pages gone."""
    (space.folder / COPIES).unlink(missing_ok=True)
    for path in set(space.known_copies) - set(wanted):
        (space.copies / path).unlink(missing_ok=True)
    if not space.known_copies and space.copies.exists():
        shutil.rmtree(space.copies)  # copies no record describes: start again


def _same(work: _Work) -> _Work:
    return work


def _read_page(work: _Work, number: int) -> PageFacts:
    output = work.outputs[number]
    page = parse_page(output.content)
    facts = facts_of(output.path, page)
    if output.path in work.searchable:
        copy = work.copies / output.path
        copy.parent.mkdir(parents=True, exist_ok=True)
        copy.write_bytes(with_tokens(output.content, indexed_text(page)))  # takes `page` apart
    return facts


def _digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _facts_json(facts: PageFacts) -> list[Any]:
    return [facts.title, facts.description, sorted(facts.ids), facts.links, facts.sources]


def _facts_from_json(path: str, data: Any) -> PageFacts | None:
    """Facts kept by an earlier build, or None if there are none (or they do not read back)."""
    try:
        title, description, ids, links, sources = data
        return PageFacts(path, title, description, frozenset(ids), tuple(links), tuple(sources))
    except (TypeError, ValueError):
        return None


def _read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None


def _load(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}  # nothing kept yet, or unreadable: read every page again
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(json.dumps(data, ensure_ascii=False).encode())
    temporary.replace(path)
