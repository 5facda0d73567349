"""Before the build: is the last build still current? Decided from file metadata alone,
so a build with nothing to do takes a fraction of a second at any size.

After each successful build the stamp (`stamp.json` in the build cache) records what the
build read and what it wrote: the size and modification time of every file it can read
(the config, content/, the site's themes and templates, govsite's own package and its
built-in themes, which an editable install reads from the checkout's themes/), the
versions of Python and of the libraries installed, the options that change output
(strict, the build folder, and the as-of date: the site is built as of a
day, which decides each record's validity, which records are held back until their
publication day and what the health report measures) and the size and modification time
of every file in the build folder. When all of them are as they were, a full build would
write the same bytes again, so the build replays the last one's summary and diagnostics
instead. `govsite build` and `govsite serve` both default the as-of date to today, so a
build made on an earlier day is never replayed as today's.

This is the rule make, ninja and Hugo's file watcher live by: an edit changes a file's
size or its mtime. An edit that keeps both (a tool that restores mtimes) is missed;
`--no-cache` builds without the stamp. A hand edit or a deletion inside the build folder
changes that file's size or mtime, so the next build writes the site again (a file added
to the build folder by hand is not looked for, and a full build removes it).

File systems keep mtimes in coarse ticks, so a second edit of the same size right after
the build read a file could keep its mtime. As git does with its index, a build whose
inputs were modified less than a second before it looked at them is not stamped; the
next build checks everything again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govsite.builtin import BUILTIN_THEMES
from govsite.cachefiles import read_checked, remove, write_checked
from govsite.config import CONFIG_FILE, Project
from govsite.errors import Diagnostic
from govsite.fingerprint import PACKAGE_DIR, versions
from govsite.result import BuildResult, Scheduled

STAMP = "stamp.json"
STAMP_FORMAT = 3
SETTLED_NS = 1_000_000_000
"""An input younger than this when the build looked at it may still change unseen."""

_SKIPPED_NAMES = frozenset({"__pycache__"})


@dataclass(frozen=True, slots=True)
class Inputs:
    """What a build is about to read, as metadata."""

    key: str
    """A digest of every input's metadata and the options: equal when nothing could change output."""
    settled: bool
    """No input was modified within SETTLED_NS of being looked at, so the key can be trusted."""
    sources: tuple[tuple[str, os.stat_result], ...]
    """Every source file the build reads (`source_files`), with its status as listed for the
    key: the engine compares them with its snapshot's without listing them again."""
    looked_at: int
    """When they were listed (`time.time_ns`)."""


def read_inputs(project: Project, *, strict: bool, as_of: date) -> Inputs:
    """The metadata of everything the build of `project` reads, and the options it is built with."""
    looked_at = time.time_ns()
    hasher = _Listing()
    options = [STAMP_FORMAT, str(project.out_dir.resolve()), strict, as_of.isoformat()]
    hasher.update(json.dumps([options, versions()]).encode())
    sources = tuple(source_files(project))
    hasher.add("sources", sources)
    # govsite itself is an input, but not one an editor saves twice within a second.
    hasher.add("govsite", list_files(PACKAGE_DIR, skip_hidden=False), newest=False)
    settled = hasher.newest_ns < looked_at - SETTLED_NS
    return Inputs(hasher.hexdigest(), settled, sources, looked_at)


def source_files(project: Project) -> Iterator[tuple[str, os.stat_result]]:
    """Every file a build of `project` reads (the config, content/, themes, templates), with
    its status. Resolved, so that `--site .` and `--site /abs/path` list them the same way;
    the built-in themes too, which an editable install (the README's) reads from the
    checkout's themes/, where they are edited, and a wheel from inside the package."""
    config = project.root.resolve() / CONFIG_FILE
    yield str(config), config.stat()  # load_project read it
    yield from list_files(project.content_dir.resolve(), skip_hidden=True)
    for folder in (*project.theme_dirs, project.templates_dir, BUILTIN_THEMES):
        yield from list_files(folder.resolve(), skip_hidden=False)


def _output_files(out_dir: Path) -> list[str]:
    """The build folder's files, relative to it."""
    start = len(str(out_dir)) + 1
    return [path[start:] for path, _ in list_files(out_dir, skip_hidden=False)]


def _output_listing(out_dir: Path, files: Sequence[str]) -> str:
    """A digest of the sizes and mtimes of `files` in the build folder.

    The files the last build wrote are looked up one by one: listing 14,000 folders
    (one per record page) would take longer than all the rest of an up-to-date build.
    """
    folder = f"{out_dir}{os.sep}"
    hasher = _Listing()
    hasher.add("out", ((name, os.stat(folder + name)) for name in files))
    return hasher.hexdigest()


def replay(
    project: Project, cache_dir: Path, *, strict: bool, as_of: date
) -> tuple[Inputs, BuildResult | None]:
    """What the build is about to read (read_inputs), and the last build's result, replayed,
    if nothing it read or wrote has changed since (else None: the build needs the inputs)."""
    started = time.perf_counter()
    inputs = read_inputs(project, strict=strict, as_of=as_of)
    return inputs, _replay(project, cache_dir, inputs, started)


def _replay(
    project: Project, cache_dir: Path, inputs: Inputs, started: float
) -> BuildResult | None:
    try:
        stamp = json.loads(read_checked(cache_dir / STAMP) or b"null")
        if stamp["key"] != inputs.key:
            return None
        if stamp["output"] != _output_listing(project.out_dir, stamp["files"]):
            return None
        return _replayed(stamp["result"], time.perf_counter() - started)
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
        return None  # no stamp yet, a damaged one, one this version cannot read, or a built file gone: build


def save_stamp(cache_dir: Path, inputs: Inputs, out_dir: Path, result: BuildResult) -> None:
    """Record a successful build (written atomically, like the rest of the cache)."""
    if not inputs.settled:
        return
    files = _output_files(out_dir)
    stamp = {
        "key": inputs.key,
        "result": _plain_result(result),
        "files": files,
        "output": _output_listing(out_dir, files),
    }
    write_checked(cache_dir / STAMP, json.dumps(stamp, ensure_ascii=False).encode())


def forget_stamp(cache_dir: Path) -> None:
    """Drop the stamp before the build folder changes, so a build cut short is never 'current'."""
    remove(cache_dir / STAMP)


def list_files(folder: Path | str, *, skip_hidden: bool) -> Iterator[tuple[str, os.stat_result]]:
    """(path, status) of each file below `folder`, in a stable order (os.scandir: no Path objects)."""
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError:
        return  # no such folder (a site without templates/): nothing to list
    for entry in entries:
        if (skip_hidden and entry.name[0] == ".") or entry.name in _SKIPPED_NAMES:
            continue
        try:
            if entry.is_dir(follow_symlinks=True):
                yield from list_files(entry.path, skip_hidden=skip_hidden)
            elif not entry.name.endswith(".pyc"):
                yield entry.path, entry.stat(follow_symlinks=True)
        except OSError:
            continue  # removed while we looked: its absence is what the listing records


class _Listing:
    """A digest of files' names, sizes and mtimes, and the newest mtime among them."""

    def __init__(self) -> None:
        self._hasher = hashlib.sha256()
        self.newest_ns = 0

    def add(
        self, label: str, files: Iterable[tuple[str, os.stat_result]], *, newest: bool = True
    ) -> None:
        """List `files`; `newest`: let their mtimes count toward `newest_ns`."""
        self._hasher.update(label.encode())
        listed = list(files)
        # One update of the joined lines: the same digest, without a call per file.
        lines = (f"\0{path}\0{status.st_size}\0{status.st_mtime_ns}" for path, status in listed)
        self._hasher.update("".join(lines).encode())
        if newest and listed:
            self.newest_ns = max(self.newest_ns, max(s.st_mtime_ns for _, s in listed))

    def update(self, data: bytes) -> None:
        self._hasher.update(data)

    def hexdigest(self) -> str:
        return self._hasher.hexdigest()


def _plain_result(result: BuildResult) -> dict[str, Any]:
    counts = [result.records, result.documents, result.pages_written, result.files_copied]
    return {
        "counts": counts,
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "scheduled": [[s.index_no, s.published, s.source] for s in result.scheduled],
    }


def _replayed(data: dict[str, Any], seconds: float) -> BuildResult:
    records, documents, pages, copied = (int(n) for n in data["counts"])
    diagnostics = tuple(Diagnostic.from_json(d) for d in data["diagnostics"])
    scheduled = tuple(Scheduled(*(str(v) for v in s)) for s in data["scheduled"])
    return BuildResult(
        None, records, documents, pages, copied, diagnostics, seconds, scheduled=scheduled
    )
