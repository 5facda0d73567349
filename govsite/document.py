"""Stage 2b: read a Markdown document's front matter into typed metadata.

A document with a `category` is a disclosure record; one without is a plain page.
Only the front matter is checked here, file by file; references between files are
checked in `assemble`.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from govsite.config import KindSpec
from govsite.discover import SourceFile
from govsite.errors import Report
from govsite.frontmatter import FrontMatterError, split_front_matter
from govsite.indexno import IndexNumberPattern
from govsite.kinds import BUILTIN_KINDS, read_kind
from govsite.messages import text
from govsite.model import RecordKind, Validity
from govsite.numbering import NumberRequest
from govsite.schema import read_object
from govsite.yamlload import LocatedYaml, ValueLocations, load_yaml

SLUG_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")  # 100 fit any file system


@dataclass(frozen=True, slots=True, kw_only=True)
class AttachmentEntry:
    file: str
    """Path under content/."""
    title: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CheckOptions:
    """`check:` in front matter: how `govsite check` treats this one document."""

    ignore: tuple[str, ...] = ()
    """Rule ids (GCnnn) silenced for this document."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordMeta:
    """The front matter of a disclosure record."""

    title: str
    index_no: str
    doc_no: str | None = None
    agency: tuple[str, ...]
    genre: str | None = None
    written: date
    published: date
    effective: date | None = None
    expires: date | None = None
    updated: date | None = None
    category: str
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    validity: Validity = "effective"
    superseded_by: str | None = None
    interprets: tuple[str, ...] = ()
    attachments: tuple[AttachmentEntry, ...] = ()
    summary: str | None = None
    slug: str | None = None
    validity_note: str | None = None
    statistics: str | None = None
    check: CheckOptions | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class PageMeta:
    """The front matter of a plain page."""

    title: str
    slug: str | None = None
    nav_order: int | None = None
    check: CheckOptions | None = None


_RECORD_ONLY = frozenset(f.name for f in dataclasses.fields(RecordMeta)) - {
    f.name for f in dataclasses.fields(PageMeta)
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ParsedDocument:
    """A document whose front matter passed its own checks."""

    source: SourceFile
    """Where the document is; its text is not kept (`body` is, and nothing reads the rest)."""
    meta: RecordMeta | PageMeta
    locations: ValueLocations
    """Where each front matter value was written, for the located errors of later stages."""
    body: str
    body_start_line: int
    kind: RecordKind | None = None
    """The record's column kind and its fields, if it has one (kinds.py)."""


def parse_document(
    source: SourceFile,
    pattern: IndexNumberPattern,
    report: Report,
    kinds: Mapping[str, KindSpec] = BUILTIN_KINDS,
    requests: list[NumberRequest] | None = None,
    unread: set[str] | None = None,
) -> ParsedDocument | None:
    """Parse one document; problems are reported and give None.

    The index number of a record left out for its own errors is added to `unread`, when
    given, so that references to it are not reported as references to nothing.

    A block under the key of one of `kinds` makes the record of that column kind. A missing
    or malformed index number is added to `requests` instead, when given, so that its hint
    can name a free number once every document is read (numbering.py).
    """
    try:
        parts = split_front_matter(source.text)
    except FrontMatterError as exc:
        report.say("error", exc.message, source.location.at(exc.line, 1), exc.hint)
        return None
    doc = load_yaml(parts.meta_text, source.location.at(parts.meta_start_line), report)
    if doc is None:
        return None
    written = doc.value if isinstance(doc.value, dict) else {}
    kind_ok, kind = read_kind(doc, written, kinds, report)
    without_kind = {k: v for k, v in written.items() if k not in kinds}
    value = without_kind if isinstance(doc.value, dict) else doc.value
    meta = _read_meta(doc, value, report, requests)
    if meta is None or not kind_ok or not _check_meta(doc, meta, pattern, report, requests):
        if unread is not None and isinstance(written.get("index_no"), str):
            unread.add(written["index_no"])
        return None
    if isinstance(meta, RecordMeta):
        meta = _without_repeats(doc, meta, report)
    if kind is not None and not isinstance(meta, RecordMeta):
        message = text("GS210.page", title=kind.title, key=kind.key)
        report.say("error", message, doc.key_at((kind.key,)), text("GS210.page.hint", key=kind.key))
        return None
    return ParsedDocument(
        source=dataclasses.replace(source, text=""),  # the whole text: 1.4 KB a record
        meta=meta,
        kind=kind,
        locations=ValueLocations.of(doc),
        body=parts.body,
        body_start_line=parts.body_start_line,
    )


def _read_meta(
    doc: LocatedYaml, written: object, report: Report, requests: list[NumberRequest] | None
) -> RecordMeta | PageMeta | None:
    value = written if written is not None else {}
    # A page that carries record fields but no category is a record missing its category:
    # saying so helps more than calling every record field unknown.
    is_record = isinstance(value, dict) and bool(_RECORD_ONLY & value.keys())
    if not is_record:
        return read_object(doc, (), value, PageMeta, report)
    assert isinstance(value, dict)
    if "index_no" in value or requests is None:
        return read_object(doc, (), value, RecordMeta, report)
    # Everything else is reported now; the missing number later, with a free one to use.
    found = Report()
    read_object(doc, (), value, RecordMeta, found)
    report.extend(d for d in found.diagnostics if d.text != text("GS202", field="index_no"))
    requests.append(_request("missing", doc, value, None))
    return None


def _request(
    problem: Literal["missing", "off-pattern"],
    doc: LocatedYaml,
    value: dict[str, object],
    written: str | None,
) -> NumberRequest:
    agency = value.get("agency")
    agencies = [agency] if isinstance(agency, str) else agency if isinstance(agency, list) else []
    published = value.get("published")
    return NumberRequest(
        problem=problem,
        location=doc.value_at(("index_no",) if written else ()),
        agencies=tuple(str(a) for a in agencies),
        published=published if isinstance(published, date) else None,
        written=written,
    )


_LISTS_OF_NAMES = ("agency", "topics", "keywords", "interprets")
"""Front-matter lists in which an item named twice means nothing more: an agency listed
twice showed the record twice in the agency's listing, and its name twice on the page."""


def _without_repeats(doc: LocatedYaml, meta: RecordMeta, report: Report) -> RecordMeta:
    """`meta` with each item of its lists of names once, warning where one was repeated."""
    changes: dict[str, Any] = {}
    for name in _LISTS_OF_NAMES:
        items: tuple[str, ...] = getattr(meta, name)
        once: dict[str, None] = {}  # in the order written
        for index, item in enumerate(items):
            if item in once:
                message = text("GS208", field=name, index=index, value=item)
                report.say("warning", message, doc.value_at((name, index)), text("GS208.hint"))
            once[item] = None
        if len(once) < len(items):
            changes[name] = tuple(once)
    return dataclasses.replace(meta, **changes) if changes else meta


def _check_meta(
    doc: LocatedYaml,
    meta: RecordMeta | PageMeta,
    pattern: IndexNumberPattern,
    report: Report,
    requests: list[NumberRequest] | None,
) -> bool:
    ok = True
    if meta.slug is not None and not SLUG_PATTERN.fullmatch(meta.slug):
        where = doc.value_at(("slug",))
        report.say("error", text("GS203.slug", slug=meta.slug), where, text("GS203.slug.hint"))
        ok = False
    if isinstance(meta, RecordMeta) and pattern.parse(meta.index_no) is None:
        if requests is not None:
            assert isinstance(doc.value, dict)
            requests.append(_request("off-pattern", doc, doc.value, meta.index_no))
            return False
        message = text("GS205", index_no=meta.index_no, pattern=pattern.template)
        example = text("GS205.hint", example=pattern.example())
        report.say("error", message, doc.value_at(("index_no",)), example)
        ok = False
    return ok
