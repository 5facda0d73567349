"""The resident set of a whole build, stage by stage, and of every process it starts.

    python3 benchmarks/stage_memory.py SITE_DIR [--jobs N] [--every 0.1] [--no-cache]

Runs `govsite.pipeline.build` as `govsite build` does (with the site's build cache, so
the engine's snapshot is made and saved; here in this process, not in a detached child,
so its cost is measured too) while a thread samples, every `--every` seconds, the resident
set of this process and of each process it started (render and check workers). Each
sample is put down to the stage running then: a stage is a step of the build this
script names by wrapping it (below, `STAGES`). It prints, per stage, the build process's
resident set at the stage's start and its peak during it, and the largest worker's;
then the kernel's peaks (`ru_maxrss`). A sample misses a peak shorter than `--every`.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import resource
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's govsite
from govsite import pipeline
from govsite.config import load_project

MB = 1024 * 1024

# (module, name, stage): the function `name` wherever `module` calls it from. Wrapped in
# the module that calls it, since each imports the names it uses.
STAGES = (
    ("govsite.pipeline", "read_sources", "read: discover, catalogues, front matter"),
    ("govsite.pipeline", "assemble", "assemble (Markdown bodies)"),
    ("govsite.pipeline", "plan_site", "plan"),
    ("govsite.pipeline", "render_site", "render (pages staged)"),
    ("govsite.pipeline", "build_feeds", "feeds"),
    ("govsite.pipeline", "build_sitemap", "sitemap"),
    ("govsite.pipeline", "stage_rest", "stage the rest (open data, feeds, sitemap made lazily)"),
    ("govsite.pipeline", "analyse", "analyse: read pages back (facts, search records)"),
    ("govsite.check.gate", "inspect", "check: the whole-site rules"),
    ("govsite.check.gate", "render_health", "check: the health report"),
    ("govsite.pipeline", "index_site", "search index"),
    ("govsite.pipeline", "write_manifest", "manifest"),
    ("govsite.pipeline", "publish", "publish (swap in; search index, manifest)"),
    ("govsite.engine.rebuild", "state_of", "snapshot: the engine's state"),
    ("govsite.engine.rebuild", "_snapshot_of", "snapshot: made"),
    ("govsite.engine.snapshot", "write_checked_by", "snapshot: written"),
)


class Sampler:
    """Samples this process and its children, putting each sample down to the current stage."""

    def __init__(self, every: float) -> None:
        self.every = every
        self.stage = "start"
        self.stack: list[str] = []
        self.order: list[str] = []
        self.start_rss: dict[str, int] = {}
        self.main: dict[str, int] = {}
        self.workers: dict[str, int] = {}
        self.me = psutil.Process()
        self.done = threading.Event()

    def enter(self, stage: str) -> None:
        self.stack.append(self.stage)
        self.stage = stage
        if stage not in self.order:
            self.order.append(stage)
            self.start_rss[stage] = self.me.memory_info().rss
        self.sample()

    def leave(self) -> None:
        self.sample()
        self.stage = self.stack.pop()

    def sample(self) -> None:
        stage = self.stage
        self.main[stage] = max(self.main.get(stage, 0), self.me.memory_info().rss)
        for child in self.me.children(recursive=True):
            try:
                rss = child.memory_info().rss
            except psutil.Error:
                continue
            self.workers[stage] = max(self.workers.get(stage, 0), rss)

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.sample()


def wrap(sampler: Sampler, stage: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        sampler.enter(stage)
        try:
            return function(*args, **kwargs)
        finally:
            sampler.leave()

    return wrapped


def instrument(sampler: Sampler) -> None:
    for module_name, name, stage in STAGES:
        module = importlib.import_module(module_name)
        setattr(module, name, wrap(sampler, stage, getattr(module, name)))
    gate = importlib.import_module("govsite.check.gate")
    gate.after_render = wrap(sampler, "check gate and health report", gate.after_render)
    snap = importlib.import_module("govsite.engine.snapshot")
    snap.save = wrap(sampler, "snapshot: pickled and written", snap.save)
    uptodate = importlib.import_module("govsite.engine.rebuild").uptodate
    uptodate.save_stamp = wrap(sampler, "stamp", uptodate.save_stamp)


def main() -> None:
    parser = argparse.ArgumentParser(description="Resident set of a build, stage by stage.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--every", type=float, default=0.1)
    parser.add_argument("--no-cache", action="store_true", help="build without the cache")
    arguments = parser.parse_args()
    project = load_project(arguments.site)
    sampler = Sampler(arguments.every)
    instrument(sampler)
    thread = threading.Thread(target=sampler.run, daemon=True)
    thread.start()
    started = time.perf_counter()
    result = pipeline.build(
        project,
        jobs=arguments.jobs,
        cache_dir=None if arguments.no_cache else project.cache_dir,
    )
    seconds = time.perf_counter() - started
    sampler.done.set()
    thread.join()
    print(f"{result.records} records, {result.pages_written} pages, {seconds:.0f} s")
    print("| stage | build process at start MB | its peak MB | largest worker MB |")
    print("| --- | ---: | ---: | ---: |")
    for stage in ["start", *sampler.order]:
        start = sampler.start_rss.get(stage, 0) / MB
        peak = sampler.main.get(stage, 0) / MB
        worker = sampler.workers.get(stage, 0) / MB
        print(f"| {stage} | {start:.0f} | {peak:.0f} | {worker:.0f} |")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"\nkernel peaks: build process {own:.0f} MB, largest child {children:.0f} MB")


if __name__ == "__main__":
    main()
