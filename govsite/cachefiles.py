"""File helpers the build cache's parts share (cache.py, memo.py, uptodate.py, search.py):
standard library only, so the up-to-date check stays quick to import."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def write_atomically(path: Path, content: bytes) -> None:
    """Write beside `path`, then rename, so a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def read_text(path: Path) -> str | None:
    """The file's text, or None if it cannot be read (anything missing in a cache is a miss)."""
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        return None
