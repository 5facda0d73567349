"""Remove the folders the write stage retires (previous builds) and those killed builds left behind.

Only folders the write stage named (`.build-new-…`, `.build-old-…` beside the build folder)
and marked (or left empty) are ever removed; the spare (`.build-spare`, engine/spare.py) is
named and marked too, but is no leftover: the engine's update keeps it. Removal runs in a
child process, so a large previous build costs the build nothing and the command line
exits without waiting for it; the mark goes last, so a removal cut short is finished by
the next build.
Run as `python -m govsite.retire FOLDER…`: this module imports nothing of govsite's stages.
"""

from __future__ import annotations

import os
import shutil
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

STAGING_MARK = ".govsite-staging"
"""Marks a folder the write stage made beside the build folder (a build being written, or a
previous build being removed)."""
BUILD_MARK = ".govsite-build"
"""Marks a build folder govsite wrote: the proof that a build may replace the folder
(write.check_output_dir); a retired build carries it too."""
SPARE_RECORD = ".govsite-spare"
"""In the spare (`spare_of`): the record that it equals the last build (engine/spare.py)."""


def spare_of(destination: Path) -> Path:
    """The spare beside the build folder `destination`: a folder of hard links to the last
    build's files that the next update takes as its staging folder (engine/spare.py)."""
    return destination.parent / f".{destination.name}-spare"


_pending_processes: list[int] = []
_pending_threads: list[threading.Thread] = []


def leftovers(destination: Path) -> list[Path]:
    """Folders beside `destination` that govsite named for it, and marked or left empty."""
    found = []
    for kind in ("new", "old"):
        prefix = f".{destination.name}-{kind}-"
        for folder in sorted(destination.parent.iterdir()):
            if not folder.name.startswith(prefix) or folder.is_symlink() or not folder.is_dir():
                continue
            marked = (folder / STAGING_MARK).is_file() or (folder / BUILD_MARK).is_file()
            if marked or not any(folder.iterdir()):
                found.append(folder)
    return found


def remove_in_background(folders: Sequence[Path]) -> None:
    """Start removing `folders` (each marked) without waiting; `wait_for_removals` waits."""
    if not folders:
        return
    arguments = [os.fspath(folder) for folder in folders]
    if hasattr(os, "posix_spawn"):
        package_parent = str(Path(__file__).resolve().parent.parent)
        path = os.pathsep.join(p for p in (package_parent, os.environ.get("PYTHONPATH")) if p)
        environment = {**os.environ, "PYTHONPATH": path}
        command = [sys.executable, "-m", "govsite.retire", *arguments]
        _pending_processes.append(os.posix_spawn(sys.executable, command, environment, setsid=True))
        return
    thread = threading.Thread(target=remove_marked, args=(folders,), daemon=True)
    thread.start()
    _pending_threads.append(thread)


def wait_for_removals() -> None:
    """Wait until every removal this process started has finished (and reap its process)."""
    while _pending_processes:
        os.waitpid(_pending_processes.pop(), 0)
    while _pending_threads:
        _pending_threads.pop().join()


def remove_marked(folders: Sequence[Path]) -> None:
    """Remove each folder, its marks last; what cannot be removed is left for the next build."""
    for folder in folders:
        try:
            for child in folder.iterdir():
                if child.name in (STAGING_MARK, BUILD_MARK):
                    continue
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            for mark in (STAGING_MARK, BUILD_MARK):
                (folder / mark).unlink(missing_ok=True)
            folder.rmdir()
        except OSError:
            continue  # gone already, or not removable now: the next build tries again


if __name__ == "__main__":
    remove_marked([Path(argument) for argument in sys.argv[1:]])
