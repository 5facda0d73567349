"""The engine's state, saved after a build so the next `govsite build` starts from it.

One file in the build cache, `snapshot.pickle`, holds everything the engine needs to
take up where the last build left off: the parsed documents, the Site, the plan and the
pages' identities, the dependency graph, the machine-readable files' per-record parts,
the page facts the check reads, the build's diagnostics, the size, modification time
and digest of every source file it read, and the inode, size, modification time and
digest of every file in the build folder. It is keyed by ONE fingerprint (`key`): of
govsite's code, the versions of Python and its libraries, and the options that change
output (the as-of date, strict, the build folder). A snapshot that is missing, damaged
(its bytes are checked against the digest written before them), of another fingerprint
or unreadable is a miss, and the build does everything once.

The snapshot is a pickle: loading it runs no code of its own beyond govsite's classes,
but it is as trusted as the site's own files (whoever can write `.govsite-cache/` can
write `content/` and `templates/` too).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import pickle
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from govsite import collector
from govsite.cachefiles import Writer, open_checked, remove, write_checked_by
from govsite.check.health import Shown
from govsite.check.html import PageFacts
from govsite.check.inspect import PerDocument
from govsite.config import Project
from govsite.engine.pickling import Pickler
from govsite.errors import Diagnostic
from govsite.fingerprint import code_key
from govsite.uptodate import SETTLED_NS, Inputs

SNAPSHOT = "snapshot.pickle"
"""The snapshot's file in the build cache."""
FORMAT = 2
"""Bump when the snapshot's contents change meaning (the code key covers most changes)."""


@dataclass(frozen=True, slots=True)
class BuiltFile:
    """A file in the build folder as the build left it: the same inode, size and mtime mean
    the same bytes (the file is only ever replaced, never written in place)."""

    inode: int
    size: int
    mtime_ns: int
    sha256: str


@dataclass(slots=True)
class Snapshot:
    """What one successful build leaves for the next (see the module's docstring)."""

    key: str
    state: dict[str, Any]
    """The SiteState's fields but the project and the renderer (state.py)."""
    facts: dict[str, PageFacts]
    """Every HTML page's facts, by path in the build folder (check/html.py)."""
    front: tuple[Diagnostic, ...]
    """The diagnostics of reading the sources (the signing key, theme, catalogues, each document)."""
    later: tuple[Diagnostic, ...]
    """The diagnostics of the stages after reading (assemble, plan, render)."""
    after: tuple[Diagnostic, ...]
    """The diagnostics of the stages after those that an update does not run again."""
    extra: dict[str, bytes]
    """The digest of each page the check added (the health report), by path."""
    health: Shown | None
    """What the health report shows (the update keeps its files when that is the same)."""
    per_document: PerDocument
    """What the check found out per document (check/inspect.py)."""
    copies: tuple[tuple[str, Path], ...]
    """The files copied as they are (attachments, theme assets), by site path."""
    sources: dict[str, tuple[int, int, str]]
    """Every file the build read: (size, mtime in ns, SHA-256), by absolute path; an mtime of
    -1 marks a file modified just before it was looked at (its digest decides next time)."""
    files: dict[str, BuiltFile]
    """Every file in the build folder but govsite's marks, by site path."""


def fingerprint(project: Project, *, strict: bool, as_of: date) -> str:
    """The one key of everything kept: govsite's code and libraries, and the build's options."""
    options = [FORMAT, str(project.out_dir.resolve()), strict, as_of.isoformat()]
    return hashlib.sha256(json.dumps([options, code_key()]).encode()).hexdigest()


_APART = (("files",), ("facts",), ("sources",), ("per_document", "health"))
"""The fields that share no object with the rest (each group made from its own reading),
saved before it as pickles of their own: pickle's memo holds every object it saved until
the end, in a table of 16 bytes a slot that doubles as it fills (at 30,000 records, 7.3
million objects in 16 million slots, the old table beside the new as it doubled). Saved
apart, each part's memo is let go before the next. The key comes first, so a snapshot of
another key is not read further; the build folder's files next (`built_files`). The
health report's findings are mostly the per-document ones: saved together, once."""
_STATE_APART = ("graph", "uses")
"""The state's fields saved apart too: the graph's and the plan's edges are paths and
index numbers (at 10,000 records they share 24,000 of their 480,000 objects with the
rest, strings then loaded as two copies) and a quarter of the state's objects."""


def save(cache_dir: Path, snapshot: Snapshot) -> None:
    """Write `snapshot` atomically, its digest first.

    The pickle goes to the file as it is made: held whole, and joined to its digest, it
    was two copies of a file of about 10 KB a record beside the state it describes."""
    state = {name: value for name, value in snapshot.state.items() if name not in _STATE_APART}
    rest = dataclasses.replace(  # less those of _APART and _STATE_APART
        snapshot,
        state=state,
        facts={},
        files={},
        sources={},
        per_document=PerDocument(),
        health=None,
    )
    parts = (
        snapshot.key,
        *(tuple(getattr(snapshot, name) for name in group) for group in _APART),
        rest,
        *(snapshot.state[name] for name in _STATE_APART),
    )

    def dump(file: Writer) -> None:
        with collector.paused():
            for part in parts:
                Pickler(file, protocol=pickle.HIGHEST_PROTOCOL).dump(part)

    write_checked_by(cache_dir / SNAPSHOT, dump)


def forget(cache_dir: Path) -> None:
    """Drop the snapshot before the build folder changes: a build cut short leaves none."""
    remove(cache_dir / SNAPSHOT)


def load(cache_dir: Path, key: str) -> Snapshot | None:
    """The snapshot saved under `key`, or None (missing, damaged, of another version or key)."""
    file = open_checked(cache_dir / SNAPSHOT)
    if file is None:
        return None
    try:
        with file, collector.paused():
            if pickle.load(file) != key:
                return None
            parts: dict[str, Any] = {}
            for group in _APART:
                parts.update(zip(group, pickle.load(file), strict=True))
            snapshot = pickle.load(file)
            if not isinstance(snapshot, Snapshot):
                return None
            snapshot.state.update((name, pickle.load(file)) for name in _STATE_APART)
            # Before the collector runs again: its first pass would walk them all (0.2 s).
            collector.set_aside()
    except Exception:  # a pickle of classes that changed: unusable, so a miss
        return None
    return dataclasses.replace(snapshot, **parts)


def built_files(cache_dir: Path, key: str) -> dict[str, BuiltFile] | None:
    """The build folder's files as the snapshot saved under `key` lists them (`Snapshot.files`),
    read without the rest; or None (missing, damaged, of another version or key)."""
    file = open_checked(cache_dir / SNAPSHOT)
    if file is None:
        return None
    try:
        with file:
            if pickle.load(file) != key:
                return None
            (files,) = pickle.load(file)
    except Exception:  # as in `load`
        return None
    return files if isinstance(files, dict) else None


# -- the sources -----------------------------------------------------------------------------------


def read_sources(inputs: Inputs) -> dict[str, tuple[int, int, str]]:
    """Size, mtime and digest of every file the build reads (see `Snapshot.sources`), as
    `inputs` listed them (uptodate.read_inputs)."""
    return changed_sources({}, inputs)[1]  # every file is new to an empty listing


def changed_sources(
    known: Mapping[str, tuple[int, int, str]], inputs: Inputs
) -> tuple[list[str], dict[str, tuple[int, int, str]]]:
    """The paths of files added, deleted or changed since `known` was read, and the new
    listing, of the files as `inputs` listed them (uptodate.read_inputs).

    A file with its size and mtime as they were is taken as unchanged (as make and git
    do); one whose status changed is compared by its digest, so a file touched but not
    changed is not an edit.
    """
    now: dict[str, tuple[int, int, str]] = {}
    changed = []
    for path, status in inputs.sources:
        # -1: modified just before it was looked at, so its digest decides next time.
        mtime = status.st_mtime_ns if status.st_mtime_ns < inputs.looked_at - SETTLED_NS else -1
        before = known.get(path)
        if before is not None and before[0] == status.st_size and before[1] == mtime != -1:
            now[path] = before
            continue
        found = _digest_of(path)
        now[path] = (status.st_size, mtime, found)
        if before is None or before[2] != found:
            changed.append(path)
    changed += [path for path in known if path not in now]
    return changed, now


def _digest_of(path: str) -> str:
    try:
        with open(path, "rb") as file:
            return hashlib.file_digest(file, "sha256").hexdigest()
    except OSError:
        return ""  # gone while we looked: its absence is what the next listing finds
