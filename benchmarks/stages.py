"""Where a build's time goes, stage by stage, in one process.

    python3 benchmarks/stages.py SITE_DIR [--jobs N] [--profile FILE.pstats]

Runs the same stages as govsite.pipeline.build, timing each with a wall clock; Markdown
(inside assemble) is timed separately by wrapping MarkdownRenderer.render. With
--profile, the run is under cProfile and the stats are saved for `python3 -m pstats`.
"""

from __future__ import annotations

import argparse
import cProfile
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # this checkout's govsite
from govsite import markup
from govsite.assemble import assemble
from govsite.catalogue import load_catalogues
from govsite.config import load_project
from govsite.discover import discover
from govsite.document import parse_document
from govsite.errors import Report
from govsite.parallel import executor_for_jobs
from govsite.pipeline import _static_copies
from govsite.plan import plan_site
from govsite.render import render_site
from govsite.theme import load_theme
from govsite.write import write_site

timings: dict[str, float] = {}


@contextmanager
def stage(name: str) -> Iterator[None]:
    started = time.perf_counter()
    yield
    timings[name] = timings.get(name, 0.0) + time.perf_counter() - started


def timed_markdown() -> None:
    """Count the time spent in Markdown apart from the rest of assemble."""
    original: Callable[..., Any] = markup.MarkdownRenderer.render

    def render(self: markup.MarkdownRenderer, *args: Any, **kwargs: Any) -> Any:
        with stage("Markdown (markdown-it-py, in assemble)"):
            return original(self, *args, **kwargs)

    markup.MarkdownRenderer.render = render  # type: ignore[method-assign]


def build(site_dir: Path, out_dir: Path, jobs: int) -> None:
    project = load_project(site_dir, out_dir)
    report = Report()
    with stage("theme"):
        theme = load_theme(project, report)
    with stage("read (discover: walk and read files)"):
        sources = discover(project.root, report)
    with stage("catalogues"):
        catalogues = load_catalogues(sources.catalogues, report)
    with stage("front matter (YAML + schema)"):
        documents = [
            d
            for s in sources.documents
            if (d := parse_document(s, project.index_no_pattern, report))
        ]
    with stage("assemble (all, Markdown included)"):
        site = assemble(project, documents, catalogues, sources.files, report)
    with stage("plan (listings, pagination)"):
        assert theme is not None
        pages = plan_site(site, theme.labels, report)
    with stage(f"render (Jinja2 templates, --jobs {jobs})"):
        outputs = render_site(site, pages, theme, project.root, report, executor_for_jobs(jobs))
    with stage("write (staging folder, swap)"):
        write_site(out_dir, outputs, _static_copies(sources, theme))
    report.stop_if_errors()


def main() -> None:
    parser = argparse.ArgumentParser(description="Time each stage of a govsite build.")
    parser.add_argument("site", type=Path)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--profile", type=Path, help="save cProfile stats here")
    args = parser.parse_args()
    timed_markdown()
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "build"
        started = time.perf_counter()
        if args.profile:
            cProfile.runctx("build(args.site, out, args.jobs)", globals(), locals(), args.profile)
        else:
            build(args.site, out, args.jobs)
        total = time.perf_counter() - started
    print("| stage | seconds | share |\n| --- | ---: | ---: |")
    for name, seconds in timings.items():
        print(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    print(f"| **total** | {total:.2f} | |")


if __name__ == "__main__":
    main()
