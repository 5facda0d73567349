"""The build, stage by stage: discover → parse → assemble → plan → render → write.

Each stage takes values and returns values; problems are collected in one Report and
checked at the stage boundaries, so an editor sees every problem of a stage in one run
and nothing is written unless the whole site rendered.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from govsite.assemble import assemble
from govsite.catalogue import load_catalogues
from govsite.config import Project
from govsite.discover import Sources, discover
from govsite.document import ParsedDocument, parse_document
from govsite.errors import Diagnostic, Report, summarize
from govsite.model import Site
from govsite.plan import plan_site
from govsite.progress import Progress, no_progress, report_every
from govsite.render import ExecutorFactory, executor_for_jobs, render_site
from govsite.theme import Theme, load_theme
from govsite.write import check_output_dir, write_site


@dataclass(frozen=True, slots=True)
class BuildResult:
    site: Site
    pages_written: int
    files_copied: int
    diagnostics: tuple[Diagnostic, ...]
    seconds: float

    def summary(self) -> str:
        """One line for the terminal and CI logs."""
        site = self.site
        line = (
            f"Built {self.pages_written} pages ({len(site.records)} records, {len(site.pages)} pages) "
            f"and copied {self.files_copied} files in {self.seconds:.2f} s"
        )
        return f"{line}; {summarize(self.diagnostics)}"


def build(
    project: Project,
    *,
    strict: bool = False,
    jobs: int = 1,
    executor_factory: ExecutorFactory | None = None,
    progress: Progress = no_progress,
) -> BuildResult:
    """Build the site of `project` into `project.out_dir`; BuildFailed lists every problem found.

    Pages render in `jobs` processes, or on the executor `executor_factory` makes.
    """
    started = time.perf_counter()
    check_output_dir(project.out_dir, project.root, _source_dirs(project))
    report = Report(strict=strict, suppressed=project.config.suppress_warnings)

    theme = load_theme(project, report)
    sources = discover(project.root, report)
    catalogues = load_catalogues(sources.catalogues, report)
    documents = _parse_documents(sources, project, report, progress)
    report.stop_if_errors()  # never assemble a half-parsed site
    assert theme is not None

    site = assemble(project, documents, catalogues, sources.files, report)
    report.stop_if_errors()

    pages = plan_site(site, theme.labels, report)
    report.stop_if_errors()

    render_on = executor_factory or executor_for_jobs(jobs)
    outputs = render_site(site, pages, theme, project.root, report, render_on, progress)
    report.stop_if_errors()

    copies = _static_copies(sources, theme)
    write_site(project.out_dir, outputs, copies, progress)
    return BuildResult(
        site=site,
        pages_written=len(outputs),
        files_copied=len(copies),
        diagnostics=report.diagnostics,
        seconds=time.perf_counter() - started,
    )


def _parse_documents(
    sources: Sources, project: Project, report: Report, progress: Progress
) -> list[ParsedDocument]:
    total = len(sources.documents)
    every = report_every(total)
    documents = []
    for number, source in enumerate(sources.documents, 1):
        if (parsed := parse_document(source, project.index_no_pattern, report)) is not None:
            documents.append(parsed)
        if number % every == 0 or number == total:
            progress("records loaded", number, total)
    return documents


def _source_dirs(project: Project) -> list[Path]:
    return [project.content_dir, *project.theme_dirs, project.templates_dir]


def _static_copies(sources: Sources, theme: Theme) -> list[tuple[str, Path]]:
    """Content files (attachments, images) at their own paths, theme assets at hashed paths."""
    copies = [(str(f.content_path), f.source) for f in sources.files.values()]
    copies += [(asset.url, asset.source) for asset in theme.assets.values()]
    return copies
