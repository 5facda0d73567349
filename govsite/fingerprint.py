"""govsite's own fingerprint: a digest of its sources and of the libraries installed beside
it. It is part of the one key of everything the build cache keeps (engine/snapshot.py
`fingerprint`, memo.py's `kept/code`): another govsite, or the same one beside other
libraries, trusts nothing an earlier one kept.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import govsite

CACHE_FORMAT = 2
"""Bump when the cache's files or the meaning of a key change."""

PACKAGE_DIR = Path(govsite.__file__).resolve().parent
"""govsite's own code (the code key digests it; the stamp lists it)."""


def code_key() -> str:
    """govsite's own sources, and the versions of Python and the libraries (`versions`)."""
    data = [CACHE_FORMAT, _folder_digests((PACKAGE_DIR,), suffix=".py"), versions()]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def versions() -> list[str]:
    """Python's version, govsite's, and every library installed where this Python imports
    from, by the names of their metadata folders (`jinja2-3.1.4.dist-info`), which carry
    the version. Listing those folders is a scandir each; asking importlib.metadata for
    each dependency's version reads and parses every one's metadata (0.05 s of a build
    with nothing to do). Any library installed or removed builds again, which is rare."""
    found = {f"python {sys.version}", f"govsite {govsite.__version__}"}
    for folder in sys.path:
        try:
            entries = os.scandir(folder or os.curdir)
        except OSError:
            continue  # a zip file, or a folder that is gone
        with entries:
            found.update(e.name for e in entries if _is_library_metadata(e.name))
    return sorted(found)


def _is_library_metadata(name: str) -> bool:
    """A library's metadata folder, but govsite's own: its version is counted above, and a
    source checkout's `govsite.egg-info` is on sys.path only when a command runs from
    the checkout (`python -m govsite`), so counting it made the key depend on that."""
    return name.endswith(_METADATA_SUFFIXES) and name.split("-")[0].split(".")[0] != "govsite"


_METADATA_SUFFIXES = (".dist-info", ".egg-info")


def _folder_digests(folders: Sequence[Path], suffix: str = "") -> list[tuple[str, str, str]]:
    """(folder, relative path, content digest) of every file below `folders`, in a stable order."""
    found = []
    for number, folder in enumerate(folders):
        files = (
            sorted(p for p in folder.rglob(f"*{suffix}") if p.is_file()) if folder.is_dir() else []
        )
        for path in files:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
            found.append((str(number), path.relative_to(folder).as_posix(), content))
    return found
