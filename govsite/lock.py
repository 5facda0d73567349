"""One build (or preview) of a site at a time: a lock file in the site's build cache folder.

Two builds of one site at once would write the same cache and the same build folder,
and an unlucky interleaving could leave one build's site under the other's stamp. So
`govsite build` and `govsite serve` hold `.govsite-cache/lock` while they run, with
`flock`: the operating system releases it when the process ends, however it ends, so a
killed build never leaves a stale lock behind. The file holds the holder's pid, command
and start time, for the message the second build fails with at once (it does not wait:
a build that queued behind a preview would only build what the preview builds anyway).

The file itself is never removed: removing it while another process opens it would
let two processes lock two different files of the same name.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_FILE = "lock"
SAVING_FILE = "saving"
"""Locked while the build cache is being saved after the command returned (engine/persist.py)."""

_held: set[int] = set()


class SiteBusy(Exception):
    """Another govsite process is building or previewing the same site."""


@contextmanager
def site_lock(cache_dir: Path, command: str) -> Iterator[None]:
    """Hold the lock of the site whose cache folder is `cache_dir` while `command` runs.

    SiteBusy, naming the holder, if another process holds it.
    """
    descriptor = _open_lock_file(cache_dir)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SiteBusy(_busy_message(cache_dir, _read_holder(descriptor))) from None
        _held.add(descriptor)
        _write_holder(descriptor, command)
        os.close(hold_saving_lock(cache_dir))  # the last build's cache is saved by now
        try:
            yield
        finally:
            os.ftruncate(descriptor, 0)  # nobody holds it now; the OS drops the lock on close
    finally:
        _held.discard(descriptor)
        os.close(descriptor)


def hold_saving_lock(cache_dir: Path) -> int:
    """The saving lock's file, locked, once any save of the cache still running is done.

    The lock goes with the file's descriptor: a forked child inheriting it holds the lock
    until the child exits, after its parent closed its own copy.
    """
    descriptor = os.open(cache_dir / SAVING_FILE, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    fcntl.flock(descriptor, fcntl.LOCK_EX)
    return descriptor


def release_inherited() -> None:
    """In a forked child: close the site locks inherited from the parent, which holds them."""
    for descriptor in _held:
        os.close(descriptor)
    _held.clear()


def _open_lock_file(cache_dir: Path) -> int:
    path = cache_dir / LOCK_FILE
    try:
        # A file where the cache folder belongs, or a folder where the lock file does, is
        # damage to govsite's own folder (cachefiles.py): replaced, never a reason to stop.
        if not cache_dir.is_dir() and (cache_dir.exists() or cache_dir.is_symlink()):
            cache_dir.unlink()
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        cache_dir.mkdir(exist_ok=True)  # in the site's folder, which must exist already
        return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise SiteBusy(
            f"cannot open the site's lock file '{path}': {exc.strerror}; "
            f"remove '{cache_dir}' if it is not a folder, or make it writable"
        ) from None


def _write_holder(descriptor: int, command: str) -> None:
    holder = {"pid": os.getpid(), "command": command, "started": time.time()}
    os.ftruncate(descriptor, 0)
    os.pwrite(descriptor, json.dumps(holder).encode(), 0)


def _read_holder(descriptor: int) -> dict[str, object]:
    try:
        data = json.loads(os.pread(descriptor, 4096, 0))
    except (OSError, ValueError):
        return {}  # written a moment from now, or damaged: the message says less
    return data if isinstance(data, dict) else {}


def _busy_message(cache_dir: Path, holder: dict[str, object]) -> str:
    command = holder.get("command")
    pid = holder.get("pid")
    started = holder.get("started")
    who = f"'{command}'" if isinstance(command, str) else "another govsite process"
    if isinstance(pid, int):
        who += f" (pid {pid}"
        if isinstance(started, (int, float)):
            who += time.strftime(", started %Y-%m-%d %H:%M:%S", time.localtime(started))
        who += ")"
    return (
        f"{who} is already building or previewing this site (lock: {cache_dir / LOCK_FILE}); "
        "wait for it to finish or stop it, then run this again"
    )


def command_line() -> str:
    """This process's command, as the lock's holder is named (`govsite build --site x`)."""
    return " ".join(["govsite", *sys.argv[1:]])
