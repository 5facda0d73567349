"""Time the update step `govsite serve` runs on a save, in process, on a site built with the cache.

    python3 benchmarks/serve_update.py --site SITE --edits 5 [--kinds body,title,category]

For sizes where a real `govsite serve`'s first build takes most of an hour (100,000
records), this starts from the snapshot a `govsite build` left instead: it is loaded into
the engine's state as `engine/rebuild._update` does, with a copy of the build folder (hard
links, so nothing of the site's own build is changed) as the folder updated. Then each
edit (benchmarks/serve_edit.py's kinds, on seeded records) is saved and `update.apply`
timed from its start to two moments: the record's own page written (what `govsite serve`
prints as "Written …") and the whole update written ("Updated …"), with the CPU time of
the update. The first edit of each kind is a warm-up, left out of the medians. The watcher's
0.05 s pause and the event's delivery are not in these times. The edited files are put
back as they were at the end.
"""

from __future__ import annotations

import argparse
import pickle
import random
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path, PurePosixPath

from serve_edit import _edit_body, _edit_category, _edit_title

from govsite.cachefiles import open_checked
from govsite.config import Project, load_project
from govsite.engine import snapshot
from govsite.engine.state import SiteState
from govsite.engine.update import FirstWritten, apply
from govsite.render import PageRenderer

EDITS: dict[str, Callable[[Path, int], None]] = {
    "body": _edit_body,
    "title": _edit_title,
    "category": _edit_category,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--kinds", default="body,title,category")
    parser.add_argument("--seed", type=int, default=7)
    arguments = parser.parse_args()
    project = load_project(arguments.site)
    with tempfile.TemporaryDirectory(prefix="serve-update-") as scratch:
        folder = Path(scratch) / "build"
        subprocess.run(["cp", "-al", str(project.out_dir), str(folder)], check=True)
        started = time.perf_counter()
        state = _loaded(project, folder)
        print(f"snapshot loaded in {time.perf_counter() - started:.1f} s")
        records = sorted((arguments.site / "content").rglob("records/**/*.md"))
        kept: dict[Path, bytes] = {}
        rng = random.Random(arguments.seed)
        try:
            for kind in arguments.kinds.split(","):
                state = _series(state, kind, records, arguments.edits, rng, kept)
        finally:
            for path, content in kept.items():
                path.write_bytes(content)
            shutil.rmtree(folder, ignore_errors=True)


def _loaded(project: Project, folder: Path) -> SiteState:
    """The engine's state from the site's snapshot, writing into `folder`."""
    cache_dir = project.cache_dir
    file = open_checked(cache_dir / snapshot.SNAPSHOT)
    if file is None:
        raise SystemExit("no snapshot: run `govsite build` on the site first")
    with file:
        key = pickle.load(file)
    found = snapshot.load(cache_dir, key)
    if found is None:
        raise SystemExit("the snapshot cannot be read: run `govsite build` on the site again")
    kept = dict(found.state)
    renderer = PageRenderer(kept["site"], kept["sources"].theme, project.root)
    return SiteState(project=replace(project, out_dir=folder), renderer=renderer, **kept)


def _series(
    state: SiteState,
    kind: str,
    records: list[Path],
    edits: int,
    rng: random.Random,
    kept: dict[Path, bytes],
) -> SiteState:
    first_written, whole, cpu = [], [], []
    for n in range(edits + 1):
        path = rng.choice(records)
        kept.setdefault(path, path.read_bytes())
        EDITS[kind](path, n)
        relative = PurePosixPath(path.relative_to(state.project.root / "content").as_posix())
        moments: list[float] = []
        started, cpu_started = time.perf_counter(), time.process_time()
        state, update = apply(state, [relative], _stamp_into(moments))
        ended, spent = time.perf_counter(), time.process_time() - cpu_started
        first = (moments[0] if moments else ended) - started
        print(
            f"  {kind} {n}{' (warm-up)' if n == 0 else ''}: page {first:.3f} s, whole"
            f" {ended - started:.3f} s, CPU {spent:.3f} s, {update.rendered} pages rendered"
        )
        if n:
            first_written.append(first)
            whole.append(ended - started)
            cpu.append(spent)
    print(
        f"{kind}: the page {statistics.median(first_written):.3f} s, the whole update"
        f" {statistics.median(whole):.3f} s (CPU {statistics.median(cpu):.3f} s), medians of {edits}"
    )
    return state


def _stamp_into(moments: list[float]) -> Callable[[FirstWritten], None]:
    """What `apply` tells when the edited record's own page is written: the moment, noted."""
    return lambda _: moments.append(time.perf_counter())


if __name__ == "__main__":
    main()
