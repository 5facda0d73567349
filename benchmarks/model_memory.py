"""The memory the site model takes, stage by stage, up to planning (before any page renders).

    python3 benchmarks/model_memory.py SITE_DIR [--jobs N] [--tracemalloc]

Runs the stages of `pipeline.compile_site` that come before rendering, as a clean build
runs them (no cache): discover and parse every source, assemble (the Markdown bodies on
`--jobs` forked workers), planning; and prints the build process's resident set after
each and its peak (the kernel's `ru_maxrss`). Rendering forks its workers from this
state, so the peak here is the floor of a whole build's. Run it under
`benchmarks/memory.py` to see the body workers too. With --tracemalloc, the Python
allocations still held after each stage instead (slow: for 1,000 to 10,000 records).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's govsite
from govsite import clock
from govsite.assemble import assemble
from govsite.config import load_project
from govsite.errors import Report
from govsite.parallel import executor_for_jobs
from govsite.pipeline import read_sources
from govsite.plan import plan_site

MB = 1024 * 1024


def main() -> None:
    parser = argparse.ArgumentParser(description="Memory of the site model, stage by stage.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--tracemalloc", action="store_true")
    arguments = parser.parse_args()
    if arguments.tracemalloc:
        tracemalloc.start()
    started = time.perf_counter()
    stages: dict[str, dict[str, float]] = {}

    def note(stage: str) -> None:
        held = tracemalloc.get_traced_memory()[0] / MB if arguments.tracemalloc else None
        stages[stage] = {
            "s": round(time.perf_counter() - started, 1),
            "RSS MB": round(psutil.Process().memory_info().rss / MB),
            **({"Python-held MB": round(held, 1)} if held is not None else {}),
        }

    project = load_project(arguments.site)
    report = Report(suppressed=project.config.suppress_warnings)
    read = read_sources(project, report)
    note("sources read and parsed")
    site = assemble(
        project,
        read.documents,
        read.catalogues,
        read.sources.files,
        report,
        None,
        executor_for_jobs(arguments.jobs),
        as_of=clock.today(),
    )
    note("assembled (bodies rendered)")
    pages = plan_site(site, read.theme.labels, report)
    note("planned")
    result = {
        "records": len(site.records),
        "pages planned": len(pages),
        "stages": stages,
        "peak RSS MB (ru_maxrss)": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
