"""govsite's own fingerprint: a digest of its sources and of the libraries it renders and
reads pages with. It is part of the one key of everything the build cache keeps
(engine/snapshot.py `fingerprint`, memo.py's `kept/code`): another govsite trusts nothing
an earlier one kept.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import govsite

CACHE_FORMAT = 2
"""Bump when the cache's files or the meaning of a key change."""

_PACKAGE_DIR = Path(govsite.__file__).resolve().parent


def code_key() -> str:
    """govsite's own sources and the versions of the libraries it renders and reads pages with."""
    versions = [
        installed_version(name) for name in ("jinja2", "markupsafe", "lxml", "markdown-it-py")
    ]
    data = [
        CACHE_FORMAT,
        _folder_digests((_PACKAGE_DIR,), suffix=".py"),
        [govsite.__version__, *versions, sys.version],
    ]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def installed_version(package: str) -> str:
    """The installed version of `package`, or "unknown" when it is missing or its metadata
    folder is empty (pip leaves such folders behind when an install is interrupted; the
    importlib_metadata backport, once imported, raises FileNotFoundError for them)."""
    try:
        return importlib.metadata.version(package) or "unknown"
    except (importlib.metadata.PackageNotFoundError, OSError):
        return "unknown"


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
