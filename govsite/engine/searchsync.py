"""The preview's search index, brought up to date in the background after the pages are visible.

The update step writes pages first; this thread then makes the search records of the
pages that changed (as the build's read-back stage does), and brings a copy of the live
index up to date as the cached build does (search.index_site: links to the live files,
only those whose bytes change replaced; the shards holding changed pages indexed again,
the others from the build cache, and only the tokens the changed shards touch joined
again, from the kept join: searchjoin.py), then swaps it into `build/search-index/`.
While it works the index is *behind*: the preview server says so on the search page, so
results are never shown as fresh when they are not.

`index_pages` is the one function the indexing goes through: a new indexer replaces it.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from govsite.cachefiles import write_atomically
from govsite.config import Project
from govsite.errors import Report
from govsite.fingerprint import code_key
from govsite.htmltree import parse_page
from govsite.memo import COPIES, KEPT_BUNDLE_DIR, KEPT_DIR, SITE_DIR
from govsite.outputs.search import BUNDLE_DIR, index_site, link_index, search_record


@dataclass(frozen=True, slots=True)
class SearchJob:
    """What the index must cover: every searchable page's digest (hex), and the pages changed."""

    project: Project
    pages: Callable[[], Mapping[str, str]]
    changed: frozenset[str]


def index_pages(job: SearchJob, report: Report) -> None:
    """Index `job.pages` into the build folder's `search-index/`, making copies of the changed pages first.

    The copies and the kept shards are the build cache's (memo.py), which the first build
    of the preview filled; its record of the copies is dropped, since they change here.
    """
    project = job.project
    kept = project.cache_dir / KEPT_DIR
    copies, bundles = kept / SITE_DIR, kept / KEPT_BUNDLE_DIR
    (kept / COPIES).unlink(missing_ok=True)  # the next build reads its pages again
    pages = dict(job.pages())
    for path in sorted(job.changed):
        copy = copies / path
        try:
            content = (project.out_dir / path).read_bytes()
        except FileNotFoundError:
            copy.unlink(missing_ok=True)
            pages.pop(path, None)
            continue
        pages[path] = hashlib.sha256(content).hexdigest()  # of the bytes this copy is made from
        write_atomically(copy, search_record(parse_page(content)))
    out_dir = project.out_dir
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-search-", dir=out_dir.parent))
    try:
        # Links to the live index's files, of which only those that change are replaced.
        present = link_index(out_dir, staging, bundles, _code())
        index_site(staging, copies, pages, _code(), bundles, report, present=present)
        _swap_bundle(staging / BUNDLE_DIR, out_dir / BUNDLE_DIR)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@functools.cache
def _code() -> str:
    """govsite's own fingerprint (it does not change while the preview runs)."""
    return code_key()


def _swap_bundle(new: Path, live: Path) -> None:
    if not new.is_dir():
        return  # the indexer failed (a warning says so): keep the last index
    retired = live.with_name(f".{live.name}-old")
    shutil.rmtree(retired, ignore_errors=True)
    if live.exists():
        live.rename(retired)
    new.rename(live)
    shutil.rmtree(retired, ignore_errors=True)


class SearchRefresher:
    """One background thread at a time re-indexes; requests made meanwhile are merged into the next run."""

    def __init__(
        self,
        on_change: Callable[[], None],
        log: Callable[[str], None],
        index: Callable[[SearchJob, Report], None] = index_pages,
    ) -> None:
        self._on_change = on_change
        """Called whenever `behind` may have changed (from either thread)."""
        self._log = log
        self._index = index
        self._lock = threading.Lock()
        self._next: SearchJob | None = None
        self._running = False

    @property
    def behind(self) -> bool:
        with self._lock:
            return self._running or self._next is not None

    def request(
        self, project: Project, pages: Callable[[], Mapping[str, str]], changed: Iterable[str]
    ) -> None:
        """Index `pages()` (searchable path → digest of its bytes, worked out in the background),
        `changed` since the last request."""
        with self._lock:
            earlier = self._next.changed if self._next is not None else frozenset()
            self._next = SearchJob(project, pages, earlier | frozenset(changed))
            if self._running:
                return
            self._running = True
        self._on_change()
        threading.Thread(target=self._run, name="govsite-search", daemon=True).start()

    def _run(self) -> None:
        while True:
            with self._lock:
                job, self._next = self._next, None
                if job is None:
                    self._running = False
                    break
            report = Report()
            try:
                self._index(job, report)
            except Exception as exc:  # the preview keeps going; the next edit tries again
                self._log(f"search index not updated: {type(exc).__name__}: {exc}")
            for diagnostic in report.diagnostics:
                self._log(diagnostic.format_text())
        self._on_change()
