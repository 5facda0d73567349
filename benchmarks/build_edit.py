"""Time `govsite build` with the build cache after one edit, and with nothing changed.

    python3 benchmarks/build_edit.py --site SITE --edits 3

Runs the command line as an editor would, on a site made by benchmarks/generate.py (copy
one first: it is edited and built in place). A clean build first (the build folder and
the cache removed; with `--keep`, a build from the site's last build and cache), then for each kind of edit (a body edit, a title edit, a category
change of seeded records) `--edits` times: the edit saved, then `govsite build` timed
from start to exit; then a rebuild with nothing changed. Prints the median and every
time, with the load (`os.getloadavg`), and a calibration figure before and after: the
time of a fixed CPU loop (0.32 s on the benchmark machine when its neighbours leave it
alone), so that tables from different hours can be compared. In a checkout edited
since `scripts/install.sh` byte-compiled govsite, run `python -m compileall -q govsite`
first where PYTHONDONTWRITEBYTECODE is set: each edited module is compiled again by
every build otherwise (5-10 ms each), which no user's install pays.

`--pause` is the time between one build's exit and the next edit (an editor reading the
page; at least 1.1 s, since the build's stamp wants settled files). govsite saves its
build cache after it exits (engine/persist.py), and the next build waits for that save:
with a short pause that wait is in the next build's time.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from serve_edit import _edit_body, _edit_category, _edit_title


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, required=True)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pause", type=float, default=1.1, help="seconds between builds")
    parser.add_argument(
        "--keep", action="store_true", help="start from the site's last build and cache"
    )
    arguments = parser.parse_args()
    root: Path = arguments.site
    if not arguments.keep:
        shutil.rmtree(root / "build", ignore_errors=True)
        shutil.rmtree(root / ".govsite-cache", ignore_errors=True)
    print(f"calibration: {_calibration():.3f} s", flush=True)
    print(f"first build: {_build(root):.1f} s; load {os.getloadavg()}", flush=True)
    records = sorted((root / "content" / "records").rglob("*.md"))
    rng = random.Random(arguments.seed)
    for kind, edit in (("body", _edit_body), ("title", _edit_title), ("category", _edit_category)):
        times = []
        for n in range(arguments.edits):
            time.sleep(max(arguments.pause, 1.1))  # the build's stamp wants settled files
            edit(rng.choice(records), n)
            times.append(_build(root))
            print(f"  {kind} {n}: {times[-1]:.2f} s", flush=True)
        _report(f"{kind} edit", times)
    time.sleep(1.1)
    _build(root)  # settled: this one writes the stamp
    _report("no change", [_build(root) for _ in range(3)])
    print(f"calibration: {_calibration():.3f} s", flush=True)


def _calibration() -> float:
    """The best of three runs of a fixed CPU loop: this host's speed now (it varies by up
    to two fifths within a day on a shared machine), printed before and after the runs so
    that tables from different hours can be compared."""
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total = 0
        for number in range(10**7):
            total += number
        best = min(best, time.perf_counter() - started)
    return best


def _build(root: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "govsite", "build", "--site", str(root), "-q"], check=True
    )
    return time.perf_counter() - started


def _report(what: str, times: list[float]) -> None:
    print(
        f"{what}: median {statistics.median(times):.2f} s (min {min(times):.2f}, "
        f"max {max(times):.2f}); load {os.getloadavg()}",
        flush=True,
    )


if __name__ == "__main__":
    main()
