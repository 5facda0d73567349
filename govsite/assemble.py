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
from datetime import date
from pathlib import PurePosixPath
from types import MappingProxyType

from govsite.bodies import render_bodies
from govsite.catalogue import Catalogues
from govsite.config import Project
from govsite.discover import StaticFile
from govsite.document import PageMeta, ParsedDocument, RecordMeta
from govsite.errors import Report, suggest
from govsite.indexno import IndexNumberPattern
from govsite.kinds import with_period_status
from govsite.markup import MarkdownOptions
from govsite.memo import Memo
from govsite.messages import Text, text
from govsite.model import Attachment, Body, CatalogueNode, Page, Record, RecordKind, Site, status_on
from govsite.numbering import FreeNumbers
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
    *,
    as_of: date,
    unread: frozenset[str] = frozenset(),
) -> Site:
    """Check references between files and build the Site as of the day `as_of`.

    Each record's status is its validity on `as_of`; a record published later is held
    back (`Site.scheduled`). Bodies render on the executor `run_on` makes; with a `memo`
    (the build cache's), a body whose text and links' targets are as an earlier build
    rendered them is taken from it instead (bodies.py).
    """
    urls = {str(d.source.content_path): document_url(d) for d in documents}
    checker = _ReferenceChecker(catalogues, files, report, project.index_no_pattern, unread)
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
            records.append(_record(parsed, parsed.meta, url, body, files, as_of))
        else:
            pages.append(_page(parsed, parsed.meta, url, body))
    scheduled = sorted((r for r in records if r.published > as_of), key=_by_date)
    held_back = {r.index_no: r for r in scheduled}
    records = [
        _without_held_back(r, held_back, documents, report)
        for r in records
        if r.index_no not in held_back
    ]
    records = _with_derived_links(records)
    records.sort(key=_by_date, reverse=True)
    return Site(
        config=project.config,
        records=tuple(records),
        pages=tuple(sorted(pages, key=lambda p: p.url)),
        categories=catalogues.categories,
        topics=catalogues.topics,
        agencies=catalogues.agencies,
        records_by_index_no=MappingProxyType({r.index_no: r for r in records}),
        as_of=as_of,
        scheduled=tuple(scheduled),
    )


def _by_date(record: Record) -> tuple[date, str]:
    return record.published, record.index_no


def _without_held_back(
    record: Record,
    held_back: Mapping[str, Record],
    documents: Sequence[ParsedDocument],
    report: Report,
) -> Record:
    """`record` without its links to records not yet published: they show from that day on."""
    named: list[tuple[KeyPath, str]] = []
    if record.superseded_by:
        named.append((("superseded_by",), record.superseded_by))
    named += [(("interprets", i), n) for i, n in enumerate(record.interprets)]
    waiting = [(key, n) for key, n in named if n in held_back]
    if not waiting:
        return record
    locations = next(d.locations for d in documents if d.source.location == record.source)
    for key, index_no in waiting:
        field = key if len(record.interprets) > 1 or key[0] == "superseded_by" else key[:1]
        day = held_back[index_no].published.isoformat()
        message = text("GS320", field=str(key[0]), index_no=index_no, published=day)
        report.say("warning", message, locations.value_at(field), text("GS320.hint"))
    return replace(
        record,
        superseded_by=None if record.superseded_by in held_back else record.superseded_by,
        interprets=tuple(n for n in record.interprets if n not in held_back),
    )


def reassemble(
    project: Project,
    site: Site,
    edited: Sequence[tuple[ParsedDocument, ParsedDocument]],
    catalogues: Catalogues,
    files: Mapping[PurePosixPath, StaticFile],
    urls: Mapping[str, str],
    report: Report,
    added: Sequence[ParsedDocument] = (),
) -> Site | None:
    """`site` with the documents `edited` (old parse, new parse) replaced and the records
    `added`, or None if an edit reaches beyond its own document (its URL, kind, index
    number or the links that derive other records' fields changed, or a new document is
    not a record that stands alone): then only a whole `assemble` is sound.

    Every other document's body and fields depend on an edited one only through its URL,
    so the rest of the site is kept as it is. `urls` are every document's URLs, the added
    ones' too. No document of a site that assembled links to a file that was not there
    (GS307) or names an index number no record had (GS304, GS305), so a new record
    changes no other document.
    """
    if not all(_kept_in_place(old, new, site.as_of) for old, new in edited):
        return None
    if not all(_stands_alone(new, site, urls) for new in added):
        return None
    if len({new.meta.index_no for new in added if isinstance(new.meta, RecordMeta)}) < len(added):
        return None
    checker = _ReferenceChecker(catalogues, files, report, project.index_no_pattern)
    checker.index_numbers.update(site.records_by_index_no)
    options = MarkdownOptions(
        raw_html=project.config.raw_html, toc_min_headings=project.config.toc_min_headings
    )
    documents = [*(new for _, new in edited), *added]
    bodies = render_bodies(documents, urls, options, report)
    records = dict(site.records_by_index_no)  # in the records' order; a copy, not a pass
    pages = {p.url: p for p in site.pages}
    for parsed, body in zip(documents, bodies, strict=True):
        url = urls[str(parsed.source.content_path)]
        if isinstance(parsed.meta, RecordMeta):
            checker.check_record(parsed, parsed.meta)
            old = records.get(parsed.meta.index_no)
            if old is None:  # added, standing alone: nothing links to it, it links to none
                records[parsed.meta.index_no] = _record(
                    parsed, parsed.meta, url, body, files, site.as_of
                )
                continue
            records[old.index_no] = replace(
                _record(parsed, parsed.meta, url, body, files, site.as_of),
                interpretations=old.interpretations,  # derived from other records, unchanged
                supersedes=old.supersedes,
            )
        else:
            pages[url] = _page(parsed, parsed.meta, url, body)
    numbers = [d.meta.index_no for d in documents if isinstance(d.meta, RecordMeta)]
    before = site.records_by_index_no
    if not added and all(records[n].published == before[n].published for n in numbers):
        # No date moved: the same order, each edited record in its old place (found by
        # bisection, so an edit costs no pass over a large site's records).
        ordered = list(site.records)
        for number in numbers:
            ordered[_position(site.records, before[number])] = records[number]
    else:
        ordered = sorted(records.values(), key=lambda r: (r.published, r.index_no), reverse=True)
        records = {r.index_no: r for r in ordered}
    return replace(
        site,
        records=tuple(ordered),
        pages=tuple(sorted(pages.values(), key=lambda p: p.url)),
        records_by_index_no=MappingProxyType(records),
    )


def _position(records: Sequence[Record], record: Record) -> int:
    """Where `record` is in `records`, newest first by (publication date, index number)."""
    key = (record.published, record.index_no)
    low, high = 0, len(records)
    while low < high:
        middle = (low + high) // 2
        if (records[middle].published, records[middle].index_no) > key:
            low = middle + 1
        else:
            high = middle
    assert records[low] is record, record.index_no  # index numbers are unique
    return low


def _kept_in_place(old: ParsedDocument, new: ParsedDocument, as_of: date) -> bool:
    """Whether an edit leaves the document where it was, the same kind, linked the same way,
    and shown or held back as before (a record published after `as_of` is not on the site)."""
    if document_url(old) != document_url(new) or type(old.meta) is not type(new.meta):
        return False
    if isinstance(old.meta, RecordMeta) and isinstance(new.meta, RecordMeta):
        links = ("index_no", "superseded_by", "interprets")
        shown = old.meta.published <= as_of and new.meta.published <= as_of
        return shown and all(getattr(old.meta, name) == getattr(new.meta, name) for name in links)
    return True


def _stands_alone(new: ParsedDocument, site: Site, urls: Mapping[str, str]) -> bool:
    """Whether a new document is a record shown on the site (not held back) with an index
    number and an address of its own, naming no other record (that would change the
    other's derived fields)."""
    meta = new.meta
    if not isinstance(meta, RecordMeta) or meta.published > site.as_of:
        return False
    if meta.superseded_by is not None or meta.interprets:
        return False
    taken = set(site.records_by_index_no) | {r.index_no for r in site.scheduled}
    url = urls[str(new.source.content_path)]
    return meta.index_no not in taken and list(urls.values()).count(url) == 1


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
    as_of: date,
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
        status=status_on(meta.validity, meta.effective, meta.expires, as_of),
        superseded_by=meta.superseded_by,
        interprets=meta.interprets,
        attachments=attachments,
        summary=meta.summary,
        body=body,
        validity_note=meta.validity_note,
        statistics=meta.statistics,
        kind=with_period_status(parsed.kind, as_of) if parsed.kind is not None else None,
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
        self,
        catalogues: Catalogues,
        files: Mapping[PurePosixPath, StaticFile],
        report: Report,
        pattern: IndexNumberPattern,
        unread: frozenset[str] = frozenset(),
    ) -> None:
        self.catalogues = catalogues
        self.unread = unread
        """Records left out for their own errors (`govsite check`): not unknown, unchecked."""
        self.files = files
        self.report = report
        self.pattern = pattern
        self.index_numbers: set[str] = set()
        self.titles = {
            "agency": {a.title: a.key for a in catalogues.agencies.values()},
            "category": _titles(catalogues.categories.by_path),
            "topics": _titles(catalogues.topics.by_path),
        }

    def check_index_numbers(self, documents: Sequence[ParsedDocument]) -> None:
        """Each index number once; a copy is reported on the newer file (by `published`, then
        the file named as a copy of another, then path), since the record published first
        already carries the number for good."""
        holders: defaultdict[str, list[tuple[ParsedDocument, RecordMeta]]] = defaultdict(list)
        for parsed in documents:
            if isinstance(parsed.meta, RecordMeta):
                holders[parsed.meta.index_no].append((parsed, parsed.meta))
        self.index_numbers = set(holders)
        free = FreeNumbers(self.pattern, holders, self.catalogues.agencies)
        for index_no, records in sorted(holders.items()):
            paths = [parsed.source.content_path for parsed, _ in records]
            records.sort(
                key=lambda pair: (
                    pair[1].published,
                    _named_as_a_copy(pair[0].source.content_path, paths),
                    str(pair[0].source.content_path),
                )
            )
            first = records[0][0].locations.value_at(("index_no",))
            for parsed, meta in records[1:]:
                number = free.take(meta.agency, meta.published) or ""
                self.report.say(
                    "error",
                    text("GS206", index_no=index_no, first=str(first)),
                    parsed.locations.value_at(("index_no",)),
                    text("GS206.hint", free=number),
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
                near = suggest(attachment.file, map(str, self.files))
                self.report.say(
                    "error",
                    text("GS306", file=attachment.file),
                    parsed.locations.value_at(("attachments", i, "file")),
                    near or text("GS306.hint"),
                )
        if parsed.kind is not None:
            self._check_kind_references(parsed, parsed.kind)

    def _check_kind_references(self, parsed: ParsedDocument, kind: RecordKind) -> None:
        """A kind's `record` fields name existing records; its `file` fields existing files."""
        for field in kind.fields:
            where: KeyPath = (kind.key, field.name)
            if field.type == "record":
                self._known(
                    parsed, where, (str(field.value),), self.index_numbers, "GS304", "record"
                )
            elif field.type == "file" and PurePosixPath(str(field.value)) not in self.files:
                message = text("GS306.kind", name=field.title, file=str(field.value))
                hint = text("GS306.kind.hint")
                self.report.say("error", message, parsed.locations.value_at(where), hint)

    def _known(
        self,
        parsed: ParsedDocument,
        field: KeyPath,
        values: Sequence[str],
        known: Mapping[str, object] | set[str],
        code: str,
        what: str,
    ) -> None:
        titles = self.titles.get(str(field[0]), {})
        for i, value in enumerate(values):
            if value in known:
                continue
            where = parsed.locations.value_at((*field, i) if len(values) > 1 else field)
            hint: Text | None
            if what == "record" and value in self.unread:  # its own errors say what to fix
                unread = text(f"{code}.unread", value=value, field=str(field[0]))
                self.report.say("error", unread, where, text(f"{code}.unread.hint"))
                continue
            if value in titles:  # 市政府文件 written for policies/municipal
                hint = text("GS30x.title.hint", value=value, word=titles[value])
            else:
                # A record never refers to itself: its own number is no suggestion.
                choices = (k for k in known if k != getattr(parsed.meta, "index_no", None))
                hint = suggest(value, choices) if len(known) < 5000 else None
                hint = hint or text(f"{code}.hint")
            message = text(code, value=value, field=str(field[0]))
            self.report.say("error", message, where, hint)


def _titles(by_path: Mapping[str, CatalogueNode]) -> dict[str, str]:
    """Key paths by title, for titles that name one entry only."""
    paths: defaultdict[str, list[str]] = defaultdict(list)
    for path, node in by_path.items():
        paths[node.title].append(path)
    return {title: found[0] for title, found in paths.items() if len(found) == 1}


def _named_as_a_copy(path: PurePosixPath, paths: Sequence[PurePosixPath]) -> bool:
    """Whether the file is named as a copy of another beside it: that one's name with
    something added ('x - 副本.md', 'x-2.md', 'x copy.md'), as editors and file managers
    name a copy made on the same day, whose name may sort before the original's
    ('x - 副本' < 'x.')."""
    return any(
        other.parent == path.parent and other.stem != path.stem and path.stem.startswith(other.stem)
        for other in paths
    )
