"""Python's cyclic garbage collector, paused where a stage makes many objects and no cycles.

Each pass of the collector walks every object the process holds. A build holds millions
(a loaded snapshot, the site's model), so a stage that makes tens of thousands of new
objects would trigger passes that cost more than the stage: loading a snapshot took
twice as long, and the search index's reading of its kept pages twenty times (1.1 s
instead of 0.05 s at 10,000 pages). Reference counting still frees what each stage drops.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Run the block without the cyclic collector (as it was after)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def set_aside() -> None:
    """Leave every object made so far out of the collector's passes from now on (gc.freeze):
    a loaded snapshot's millions, which the build holds to its end. Reference counting
    still frees them."""
    gc.freeze()
