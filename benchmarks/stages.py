"""Where a build's time goes, stage by stage: the real build, timed at its progress reports.

    python3 benchmarks/stages.py SITE_DIR [--jobs N] [--cache] [--profile FILE.pstats]

Runs `govsite.pipeline.build` once and notes when each stage it reports on (records
loaded, pages rendered, pages read back, files written, search indexed) first and last
reported; the time between one stage's end and the next one's is that stage plus the
work before it that reports nothing (assembling and planning before rendering, the
check gate before writing). With --cache the build uses (and fills) the site's build
cache, as `govsite build` does; without it, every stage runs in full. With --profile the
run is under cProfile (workers are not profiled) and the stats are saved for
`python3 -m pstats`.
"""

from __future__ import annotations

import argparse
import cProfile
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's govsite
from govsite import pipeline
from govsite.config import load_project

# What runs, unreported, before each reporting stage ends (pipeline.py has the order).
BEFORE = {
    "records loaded": "discover, catalogues, front matter",
    "pages rendered": "Markdown bodies (assemble), plan, templates",
    "pages read back": "feeds, sitemap, open data; parse each page for the check and search",
    "files written": "the check gate and health report; writing the staging folder",
    "search indexed": "Pagefind, shard by shard",
}


def main() -> None:
    parser = argparse.ArgumentParser(description="Time each stage of one build.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--cache", action="store_true", help="use the site's build cache")
    parser.add_argument("--profile", type=Path, help="write cProfile stats to this file")
    arguments = parser.parse_args()
    project = load_project(arguments.site)
    ends: dict[str, float] = {}
    started = time.perf_counter()

    def note(stage: str, done: int, total: int) -> None:
        ends[stage] = time.perf_counter() - started

    def build() -> None:
        pipeline.build(
            project,
            jobs=arguments.jobs,
            progress=note,
            cache_dir=project.cache_dir if arguments.cache else None,
        )

    if arguments.profile:
        cProfile.runctx("build()", globals(), locals(), str(arguments.profile))
    else:
        build()
    total = time.perf_counter() - started
    print("| stage (and the unreported work before it) | ends at s | seconds | share |")
    print("| --- | ---: | ---: | ---: |")
    previous = 0.0
    for stage, end in [*ends.items(), ("swap in, save the cache", total)]:
        what = f"{stage}: {BEFORE[stage]}" if stage in BEFORE else stage
        share = (end - previous) / total
        print(f"| {what} | {end:.2f} | {end - previous:.2f} | {share:.0%} |")
        previous = end
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\npeak memory: build process {own:.0f} MB, largest child {children:.0f} MB")


if __name__ == "__main__":
    main()
