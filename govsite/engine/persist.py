"""Saving what the next build starts from after the command line has its answer.

Pickling the engine's snapshot and writing the stamp of a 10,000-record site takes a
second or two, and nobody waits for it: the build folder is complete and swapped in
before. With `detach` (the command line) the saving runs in a forked child that the
command does not wait for. From before the fork until it is done, the child holds
`.govsite-cache/saving` locked; every govsite command waits for that lock before it
reads the cache (lock.site_lock), so no command ever reads a cache half-saved. Each
file is written atomically, and a save that fails leaves no snapshot: the next build
builds everything.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

from govsite import lock

_pending: list[tuple[int, Callable[[], None]]] = []
"""Each saving child, with the work it does: what that work saves stays referenced here, as
freeing it would first copy every memory page the child still shares (cli.run)."""


def save(cache_dir: Path, work: Callable[[], None], *, detach: bool) -> None:
    """Run `work` (the saving), here or, with `detach` where fork exists, in a child."""
    if not detach or not hasattr(os, "fork"):
        work()
        return
    saving = lock.hold_saving_lock(cache_dir)
    child = os.fork()
    if child == 0:  # pragma: no cover (measured by the tests through the files it writes)
        _save_in_child(work)
    os.close(saving)  # the child holds the lock until it exits
    _pending.append((child, work))


def _save_in_child(work: Callable[[], None]) -> None:
    code = 1
    try:
        lock.release_inherited()  # the parent's site lock is the parent's to release
        quiet = os.open(os.devnull, os.O_RDWR)
        for stream in (0, 1, 2):  # no caller waits on a pipe this child holds open
            os.dup2(quiet, stream)
        _pause_for_tests()
        work()
        code = 0
    finally:
        os._exit(code)  # no handler of the parent's runs twice


def _pause_for_tests() -> None:
    """Let a test kill the saving child (GOVSITE_TEST_KILL_AT=saving), or hold it until a
    file exists (GOVSITE_TEST_HOLD_SAVE=PATH)."""
    if os.environ.get("GOVSITE_TEST_KILL_AT") == "saving":
        os.kill(os.getpid(), signal.SIGKILL)
    release = os.environ.get("GOVSITE_TEST_HOLD_SAVE")
    while release and not os.path.exists(release):
        time.sleep(0.05)


def wait_for_saves() -> None:
    """Wait until every save this process started in a child has finished."""
    while _pending:
        os.waitpid(_pending.pop()[0], 0)


def handed_over() -> bool:
    """Whether a child is saving what this process made (it then has nothing left to do)."""
    return bool(_pending)
