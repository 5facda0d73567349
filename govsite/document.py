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

from govsite.config import KindSpec
from govsite.discover import SourceFile
from govsite.errors import Report
from govsite.frontmatter import FrontMatterError, split_front_matter
from govsite.indexno import IndexNumberPattern
from govsite.kinds import BUILTIN_KINDS, read_kind
from govsite.model import RecordKind, Validity
from govsite.schema import read_object
from govsite.yamlload import LocatedYaml, load_yaml

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
    meta: RecordMeta | PageMeta
    front_matter: LocatedYaml
    body: str
    body_start_line: int
    kind: RecordKind | None = None
    """The record's column kind and its fields, if it has one (kinds.py)."""


def parse_document(
    source: SourceFile,
    pattern: IndexNumberPattern,
    report: Report,
    kinds: Mapping[str, KindSpec] = BUILTIN_KINDS,
) -> ParsedDocument | None:
    """Parse one document; problems are reported and give None.

    A block under the key of one of `kinds` makes the record of that column kind."""
    try:
        parts = split_front_matter(source.text)
    except FrontMatterError as exc:
        report.error("GS104", str(exc), source.location.at(exc.line, 1))
        return None
    doc = load_yaml(parts.meta_text, source.location.at(parts.meta_start_line), report)
    if doc is None:
        return None
    written = doc.value if isinstance(doc.value, dict) else {}
    kind_ok, kind = read_kind(doc, written, kinds, report)
    without_kind = {k: v for k, v in written.items() if k not in kinds}
    meta = _read_meta(doc, without_kind if isinstance(doc.value, dict) else doc.value, report)
    if meta is None or not kind_ok or not _check_meta(doc, meta, pattern, report):
        return None
    if kind is not None and not isinstance(meta, RecordMeta):
        report.error(
            "GS210",
            f"a {kind.title} ('{kind.key}') is a record: it needs a category, index_no and dates",
            doc.key_at((kind.key,)),
        )
        return None
    return ParsedDocument(
        source=source,
        meta=meta,
        kind=kind,
        front_matter=doc,
        body=parts.body,
        body_start_line=parts.body_start_line,
    )


def _read_meta(doc: LocatedYaml, written: object, report: Report) -> RecordMeta | PageMeta | None:
    value = written if written is not None else {}
    # A page that carries record fields but no category is a record missing its category:
    # saying so helps more than calling every record field unknown.
    is_record = isinstance(value, dict) and bool(_RECORD_ONLY & value.keys())
    schema: type[RecordMeta] | type[PageMeta] = RecordMeta if is_record else PageMeta
    return read_object(doc, (), value, schema, report)


def _check_meta(
    doc: LocatedYaml, meta: RecordMeta | PageMeta, pattern: IndexNumberPattern, report: Report
) -> bool:
    ok = True
    if meta.slug is not None and not SLUG_PATTERN.fullmatch(meta.slug):
        report.error(
            "GS203",
            f"slug '{meta.slug}' may hold only letters, digits, '.', '_' and '-', at most 100",
            doc.value_at(("slug",)),
        )
        ok = False
    if isinstance(meta, RecordMeta) and pattern.parse(meta.index_no) is None:
        report.error(
            "GS205",
            f"index_no '{meta.index_no}' does not follow the site's pattern '{pattern.template}'",
            doc.value_at(("index_no",)),
            f"for example '{pattern.example()}'",
        )
        ok = False
    return ok
