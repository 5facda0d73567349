"""Write single files into the live build folder, each replaced atomically.

The preview server reads `build/` while the engine writes it, so a file is never written
in place: its bytes go to a temporary file in the same folder, which then replaces the
old one (`os.replace`, atomic on one file system). A reader sees the old page or the new,
never half of one, and a file hard-linked from an earlier build or the cache is never
changed under its other names.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path


def digest(content: bytes) -> bytes:
    """What the engine remembers of each file it wrote: a fixed-size digest, not the bytes."""
    return hashlib.sha256(content).digest()


def replace_file(out_dir: Path, relative: str, content: bytes) -> None:
    """Write `content` to `out_dir/relative` through a temporary file beside it."""
    target = out_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.chmod(temporary, 0o644)  # mkstemp makes it 0600; a web server must read it
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def copy_file(out_dir: Path, relative: str, source: Path) -> None:
    """Copy `source` (with its mtime, as the full build does) to `out_dir/relative`, atomically."""
    target = out_dir / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        shutil.copy2(source, temporary)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def remove_file(out_dir: Path, relative: str) -> None:
    """Remove a file the site no longer has, and the folders it leaves empty."""
    target = out_dir / relative
    target.unlink(missing_ok=True)
    folder = target.parent
    while folder != out_dir and folder.is_relative_to(out_dir):
        try:
            folder.rmdir()  # only when empty
        except OSError:
            break
        folder = folder.parent
