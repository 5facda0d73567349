"""Run every rule family over a compiled site and gather the findings with the build's own."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from govsite.check.attachments import check_attachments
from govsite.check.content import content_findings
from govsite.check.context import Inspection
from govsite.check.html import PageFacts, page_facts
from govsite.check.interpretation import check_interpretations
from govsite.check.links import check_links, external_links
from govsite.check.metadata import check_metadata, record_metadata
from govsite.check.output import check_output
from govsite.check.rules import without_ignored
from govsite.check.timeliness import check_timeliness, record_timeliness
from govsite.compiled import CompiledSite
from govsite.config import Project
from govsite.errors import Diagnostic, SourceLocation
from govsite.memo import Memo
from govsite.parallel import ExecutorFactory, InProcessExecutor

if TYPE_CHECKING:  # http, ssl and urllib.request: imported only to fetch (--external)
    from govsite.check.external import ExternalOptions


@dataclass(frozen=True, slots=True)
class PerDocument:
    """What a check found out document by document that the check of the site after an
    edit takes as it is for each document the edit left alone (the engine keeps it)."""

    key_lines: dict[str, dict[str, int]] = field(default_factory=dict)
    """The lines of the front-matter keys the rules looked up, by source path (check/context.py)."""
    content: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    """The content rules' findings, silenced ones too, by source path (check/content.py)."""
    records: dict[str, tuple[Diagnostic, ...]] = field(default_factory=dict)
    """The findings, silenced ones too, of the rules that read one record only (its
    metadata and timeliness), by source path."""

    def without(self, paths: Collection[str]) -> PerDocument:
        """All but what the documents at the source `paths` had."""
        return PerDocument(
            {path: lines for path, lines in self.key_lines.items() if path not in paths},
            {path: found for path, found in self.content.items() if path not in paths},
            {path: found for path, found in self.records.items() if path not in paths},
        )


@dataclass(frozen=True, slots=True)
class CheckResult:
    inspection: Inspection
    findings: tuple[Diagnostic, ...]
    """The build's own diagnostics and every check finding not silenced, sorted by place."""
    external_links: Mapping[str, SourceLocation]
    per_document: PerDocument

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if f.severity == severity)


def inspect(
    project: Project,
    compiled: CompiledSite,
    as_of: date,
    external: ExternalOptions | None = None,
    facts: Mapping[str, PageFacts] | None = None,
    memo: Memo | None = None,
    run_on: ExecutorFactory = InProcessExecutor,
    markdown: Mapping[str, tuple[str, int]] | None = None,
    earlier: PerDocument | None = None,
) -> CheckResult:
    """Every rule over `compiled`, measured against `as_of`; external links fetched only if asked.

    `facts` are the pages' facts if a build has read them already, and `memo` what the
    content rules found in documents an earlier build checked (both from analyse.py).
    The content rules run on the executor `run_on` makes. `markdown` holds documents'
    bodies where the caller has them (`Inspection.markdown`), and `earlier` what an
    earlier check found of the documents that are as it found them.
    """
    earlier = earlier or PerDocument()
    site = compiled.site
    inspection = Inspection(
        root=project.root,
        site=site,
        pages=compiled.pages,
        outputs=compiled.outputs,
        # A build's files are staged already: they exist beside the copied ones.
        static_paths=frozenset(path for path, _ in compiled.copies)
        | frozenset(s.path for s in compiled.staged),
        as_of=as_of,
        markdown=markdown or {},
        key_lines=dict(earlier.key_lines),  # the rules add those they look up
    )
    facts = page_facts(compiled.outputs) if facts is None else facts
    outside = external_links(inspection, facts)
    content = content_findings(inspection, memo, run_on, earlier.content)
    records = _record_findings(inspection, project, earlier.records)
    found = [
        *check_links(inspection, facts),
        *check_metadata(inspection, project),
        *(f for document in content.values() for f in document),
        *(f for record in records.values() for f in record),
        *check_timeliness(inspection),
        *check_interpretations(inspection),
        *check_output(inspection, facts),
        *check_attachments(project, compiled.copies),
    ]
    if external is not None:
        from govsite.check.external import check_external  # http and ssl: only to fetch

        found += check_external(outside, external)
    # Only the documents that silence a rule: hashing 10,000 paths was a tenth of the check.
    ignored = {r.source.path: frozenset(r.check_ignore) for r in site.records if r.check_ignore}
    ignored |= {p.source.path: frozenset(p.check_ignore) for p in site.pages if p.check_ignore}
    kept = without_ignored(found, site.config.check.ignore, ignored)
    # A link the build already named (GS307, in `govsite check`, which goes on past it)
    # is not named again as a link of the built page.
    named = {(d.location.path, d.location.line) for d in compiled.diagnostics if d.code == "GS307"}
    kept = [f for f in kept if f.code != "GC101" or (f.location.path, f.location.line) not in named]
    findings = sorted([*compiled.diagnostics, *kept], key=Diagnostic.sort_key)
    per_document = PerDocument(inspection.key_lines, content, records)
    return CheckResult(inspection, tuple(findings), outside, per_document)


def _record_findings(
    inspection: Inspection, project: Project, known: Mapping[str, tuple[Diagnostic, ...]]
) -> dict[str, tuple[Diagnostic, ...]]:
    """The findings of the rules that read one record only, by source path; `known` holds
    those of records as an earlier check found them."""
    pattern = project.index_no_pattern
    found = {}
    for record in inspection.site.records:
        path = str(record.source.path)
        kept = known.get(path)
        if kept is None:
            own = record_metadata(inspection, record, pattern)
            kept = (*own, *record_timeliness(inspection, record))
        found[path] = kept
    return found


SEVERITY_RANK = {"warning": 1, "error": 2}


def fails(findings: tuple[Diagnostic, ...], fail_on: str) -> bool:
    """Whether anything was found at or above the `fail_on` severity."""
    return any(SEVERITY_RANK[f.severity] >= SEVERITY_RANK[fail_on] for f in findings)
