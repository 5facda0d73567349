"""Stage 3: turn parsed documents and catalogues into the checked, cross-referenced Site.

Every check that needs more than one file lives here: unknown agencies, categories and
topics, duplicate index numbers, supersession and interpretation links that point
nowhere, missing attachments and links to documents that do not exist. Bodies are
rendered here too, since their links need every document's URL.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import PurePosixPath
from types import MappingProxyType

from govsite.bodies import render_bodies
from govsite.catalogue import Catalogues
from govsite.config import Project
from govsite.discover import StaticFile
from govsite.document import PageMeta, ParsedDocument, RecordMeta
from govsite.errors import Report, did_you_mean
from govsite.markup import MarkdownOptions
from govsite.memo import Memo
from govsite.model import Attachment, Body, Page, Record, Site
from govsite.parallel import ExecutorFactory, InProcessExecutor
from govsite.yamlload import KeyPath


def assemble(
    project: Project,
    documents: Sequence[ParsedDocument],
    catalogues: Catalogues,
    files: Mapping[PurePosixPath, StaticFile],
    report: Report,
    memo: Memo | None = None,
    run_on: ExecutorFactory = InProcessExecutor,
) -> Site:
    """Check references between files and build the Site (bodies rendered, links resolved).

    Bodies render on the executor `run_on` makes; with a `memo` (the build cache's), a
    body whose text and links' targets are as an earlier build rendered them is taken
    from it instead (bodies.py).
    """
    urls = {str(d.source.content_path): document_url(d) for d in documents}
    checker = _ReferenceChecker(catalogues, files, report)
    checker.check_index_numbers(documents)
    options = MarkdownOptions(
        raw_html=project.config.raw_html, toc_min_headings=project.config.toc_min_headings
    )
    bodies = render_bodies(documents, urls, options, report, memo, run_on)
    records: list[Record] = []
    pages: list[Page] = []
    for parsed, body in zip(documents, bodies, strict=True):
        url = urls[str(parsed.source.content_path)]
        if isinstance(parsed.meta, RecordMeta):
            checker.check_record(parsed, parsed.meta)
            records.append(_record(parsed, parsed.meta, url, body, files))
        else:
            pages.append(_page(parsed, parsed.meta, url, body))
    records = _with_derived_links(records)
    records.sort(key=lambda r: (r.published, r.index_no), reverse=True)
    return Site(
        config=project.config,
        records=tuple(records),
        pages=tuple(sorted(pages, key=lambda p: p.url)),
        categories=catalogues.categories,
        topics=catalogues.topics,
        agencies=catalogues.agencies,
        records_by_index_no=MappingProxyType({r.index_no: r for r in records}),
    )


def reassemble(
    project: Project,
    site: Site,
    edited: Sequence[tuple[ParsedDocument, ParsedDocument]],
    catalogues: Catalogues,
    files: Mapping[PurePosixPath, StaticFile],
    urls: Mapping[str, str],
    report: Report,
) -> Site | None:
    """`site` with the documents `edited` (old parse, new parse) replaced, or None if an
    edit reaches beyond its own document (its URL, kind, index number or the links that
    derive other records' fields changed): then only a whole `assemble` is sound.

    Every other document's body and fields depend on an edited one only through its URL,
    so the rest of the site is kept as it is. `urls` are every document's URLs.
    """
    if not all(_kept_in_place(old, new) for old, new in edited):
        return None
    checker = _ReferenceChecker(catalogues, files, report)
    checker.index_numbers.update(site.records_by_index_no)
    options = MarkdownOptions(
        raw_html=project.config.raw_html, toc_min_headings=project.config.toc_min_headings
    )
    documents = [new for _, new in edited]
    bodies = render_bodies(documents, urls, options, report)
    records = {r.index_no: r for r in site.records}
    pages = {p.url: p for p in site.pages}
    for parsed, body in zip(documents, bodies, strict=True):
        url = urls[str(parsed.source.content_path)]
        if isinstance(parsed.meta, RecordMeta):
            checker.check_record(parsed, parsed.meta)
            old = records[parsed.meta.index_no]
            records[old.index_no] = replace(
                _record(parsed, parsed.meta, url, body, files),
                interpretations=old.interpretations,  # derived from other records, unchanged
                supersedes=old.supersedes,
            )
        else:
            pages[url] = _page(parsed, parsed.meta, url, body)
    ordered = sorted(records.values(), key=lambda r: (r.published, r.index_no), reverse=True)
    return replace(
        site,
        records=tuple(ordered),
        pages=tuple(sorted(pages.values(), key=lambda p: p.url)),
        records_by_index_no=MappingProxyType({r.index_no: r for r in ordered}),
    )


def _kept_in_place(old: ParsedDocument, new: ParsedDocument) -> bool:
    """Whether an edit leaves the document where it was, the same kind, linked the same way."""
    if document_url(old) != document_url(new) or type(old.meta) is not type(new.meta):
        return False
    if isinstance(old.meta, RecordMeta) and isinstance(new.meta, RecordMeta):
        links = ("index_no", "superseded_by", "interprets")
        return all(getattr(old.meta, name) == getattr(new.meta, name) for name in links)
    return True


def document_url(parsed: ParsedDocument) -> str:
    """`records/2024/x.md` → `records/2024/x/`; `guide/index.md` → `guide/`; `slug` renames the last part."""
    path = parsed.source.content_path.with_suffix("")
    parts = list(path.parts[:-1] if path.name == "index" else path.parts)
    if parsed.meta.slug:
        parts[-1:] = [parsed.meta.slug]
    return "/".join(parts) + "/" if parts else ""


def _record(
    parsed: ParsedDocument,
    meta: RecordMeta,
    url: str,
    body: Body,
    files: Mapping[PurePosixPath, StaticFile],
) -> Record:
    attachments = tuple(
        _attachment(a.file, a.title, files)
        for a in meta.attachments
        if PurePosixPath(a.file) in files
    )
    return Record(
        source=parsed.source.location,
        url=url,
        title=meta.title,
        index_no=meta.index_no,
        doc_no=meta.doc_no,
        agencies=meta.agency,
        genre=meta.genre,
        written=meta.written,
        published=meta.published,
        effective=meta.effective,
        expires=meta.expires,
        updated=meta.updated,
        category=meta.category,
        topics=meta.topics,
        keywords=meta.keywords,
        validity=meta.validity,
        superseded_by=meta.superseded_by,
        interprets=meta.interprets,
        attachments=attachments,
        summary=meta.summary,
        body=body,
        validity_note=meta.validity_note,
        check_ignore=meta.check.ignore if meta.check else (),
    )


def _page(parsed: ParsedDocument, meta: PageMeta, url: str, body: Body) -> Page:
    return Page(
        source=parsed.source.location,
        url=url,
        title=meta.title,
        nav_order=meta.nav_order,
        body=body,
        check_ignore=meta.check.ignore if meta.check else (),
    )


def _attachment(file: str, title: str, files: Mapping[PurePosixPath, StaticFile]) -> Attachment:
    found = files[PurePosixPath(file)]
    kind = found.content_path.suffix.lstrip(".").upper() or "FILE"
    return Attachment(title=title, url=str(found.content_path), kind=kind, size=found.size)


def _with_derived_links(records: Iterable[Record]) -> list[Record]:
    """Fill in each record's interpretations and the records it supersedes (editors write each link once)."""
    interpretations: defaultdict[str, list[str]] = defaultdict(list)
    supersedes: defaultdict[str, list[str]] = defaultdict(list)
    listed = list(records)
    for record in listed:
        for target in record.interprets:
            interpretations[target].append(record.index_no)
        if record.superseded_by:
            supersedes[record.superseded_by].append(record.index_no)
    return [
        replace(
            r,
            interpretations=tuple(sorted(interpretations.get(r.index_no, ()))),
            supersedes=tuple(sorted(supersedes.get(r.index_no, ()))),
        )
        for r in listed
    ]


class _ReferenceChecker:
    """Checks the references a record makes to catalogues, files and other records."""

    def __init__(
        self, catalogues: Catalogues, files: Mapping[PurePosixPath, StaticFile], report: Report
    ) -> None:
        self.catalogues = catalogues
        self.files = files
        self.report = report
        self.index_numbers: set[str] = set()

    def check_index_numbers(self, documents: Sequence[ParsedDocument]) -> None:
        first_seen: dict[str, ParsedDocument] = {}
        for parsed in documents:
            if not isinstance(parsed.meta, RecordMeta):
                continue
            index_no = parsed.meta.index_no
            self.index_numbers.add(index_no)
            first = first_seen.setdefault(index_no, parsed)
            if first is not parsed:
                self.report.error(
                    "GS206",
                    f"index_no '{index_no}' is already used by {first.front_matter.value_at(('index_no',))}",
                    parsed.front_matter.value_at(("index_no",)),
                    "an index number identifies one record for good: give this record a new one",
                )

    def check_record(self, parsed: ParsedDocument, meta: RecordMeta) -> None:
        agencies = self.catalogues.agencies
        categories = self.catalogues.categories.by_path
        topics = self.catalogues.topics.by_path
        self._known(parsed, ("agency",), meta.agency, agencies, "GS301", "agency")
        self._known(parsed, ("category",), (meta.category,), categories, "GS302", "category")
        self._known(parsed, ("topics",), meta.topics, topics, "GS303", "topic")
        if meta.superseded_by is not None:
            self._known(
                parsed,
                ("superseded_by",),
                (meta.superseded_by,),
                self.index_numbers,
                "GS304",
                "record",
            )
        self._known(parsed, ("interprets",), meta.interprets, self.index_numbers, "GS305", "record")
        for i, attachment in enumerate(meta.attachments):
            if PurePosixPath(attachment.file) not in self.files:
                self.report.error(
                    "GS306",
                    f"attachment 'content/{attachment.file}' does not exist",
                    parsed.front_matter.value_at(("attachments", i, "file")),
                    "attachment paths are relative to content/",
                )

    def _known(
        self,
        parsed: ParsedDocument,
        field: KeyPath,
        values: Sequence[str],
        known: Mapping[str, object] | set[str],
        code: str,
        what: str,
    ) -> None:
        for i, value in enumerate(values):
            if value in known:
                continue
            where = parsed.front_matter.value_at((*field, i) if len(values) > 1 else field)
            hint = did_you_mean(value, known) if len(known) < 5000 else None
            self.report.error(code, f"unknown {what} '{value}' in '{field[0]}'", where, hint)
