"""The site model: plain, immutable values that the templates read.

URLs here are site paths without a leading slash, ending in `/` for a folder page
(`records/policies/2024/x/`, `""` for the home page). Templates turn them into links
relative to the page being rendered, so a build works at a domain root, under a
sub-path and opened from disk alike. Cross-references are index numbers resolved
through `Site`, never back-pointers, so the model stays a tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from govsite.config import SiteConfig
from govsite.errors import SourceLocation

Validity = Literal["effective", "amended", "repealed", "expired"]
VALIDITIES: tuple[Validity, ...] = ("effective", "amended", "repealed", "expired")
NO_LONGER_IN_FORCE: frozenset[str] = frozenset({"repealed", "expired"})

Status = Literal["pending", "effective", "amended", "repealed", "expired"]
"""A record's validity as of the build: its declared `Validity`, unless its dates say otherwise."""
STATUSES: tuple[Status, ...] = ("pending", "effective", "amended", "repealed", "expired")


def status_on(
    validity: Validity, effective: date | None, expires: date | None, as_of: date
) -> Status:
    """What a record is on `as_of`: the one place where its dates act on its validity.

    A repeal or expiry the editor declared stands whatever the dates say. Otherwise a
    record is expired once its `expires` day has passed (it is valid *until* that day,
    inclusive), and pending (尚未施行) before its `effective` day.
    """
    if validity in NO_LONGER_IN_FORCE:
        return validity
    if expires is not None and as_of > expires:
        return "expired"
    if effective is not None and as_of < effective:
        return "pending"
    return validity


@dataclass(frozen=True, slots=True, kw_only=True)
class CatalogueNode:
    """One entry of a catalogue tree (a disclosure category or a topic)."""

    key: str
    path: str
    """Slash-joined keys from the root, e.g. `policies/municipal-government`."""
    title: str
    description: str | None
    children: tuple[CatalogueNode, ...]
    source: SourceLocation
    update_window_days: int | None = None
    """How often the category needs a new record; None: the site's default (`govsite check`)."""

    @property
    def depth(self) -> int:
        return self.path.count("/")


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogue:
    """A catalogue tree and a lookup by key path."""

    roots: tuple[CatalogueNode, ...]
    by_path: Mapping[str, CatalogueNode]

    def lineage(self, path: str) -> tuple[CatalogueNode, ...]:
        """The node at `path` and its ancestors, root first."""
        keys = path.split("/")
        return tuple(self.by_path["/".join(keys[: i + 1])] for i in range(len(keys)))

    def walk(self) -> tuple[CatalogueNode, ...]:
        """Every node, depth first, in the order the catalogue lists them."""
        return tuple(self.by_path.values())


@dataclass(frozen=True, slots=True, kw_only=True)
class Agency:
    """An issuing body (发布机构)."""

    key: str
    title: str
    code: str
    """The organisation code used in index numbers."""
    source: SourceLocation


@dataclass(frozen=True, slots=True, kw_only=True)
class Attachment:
    title: str
    url: str
    """Site path of the file, e.g. `files/2024/budget.pdf`."""
    kind: str
    """The file type shown to readers, e.g. `PDF`."""
    size: int
    """Size in bytes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Heading:
    """A section heading of a body, for the table of contents."""

    level: int
    anchor: str
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Body:
    """A document's Markdown rendered to safe HTML, with its section headings."""

    html: str
    headings: tuple[Heading, ...]
    show_toc: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class KindField:
    """One field of a record's column kind, with its label and its value."""

    name: str
    title: str
    type: str
    """text, date, enum, list, link, record (a 索引号) or file (a site path, once assembled)."""
    value: str | date | tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordKind:
    """What makes a record of a column kind (意见征集, 公示公告…) more than a document."""

    key: str
    title: str
    fields: tuple[KindField, ...]
    period: tuple[date, ...] = ()
    """Start and end, for a kind with a period (征集期, 公示期)."""
    period_labels: tuple[str, ...] = ()
    """Before, during and after the period."""
    period_status: str | None = None
    """The one of `period_labels` the build's day falls in (kinds.with_period_status)."""


@dataclass(frozen=True, slots=True)
class ReportRow:
    """A row of an annual report's table: its official label, its level, its figures."""

    label: str
    depth: int
    """0: 一、…; 1: （一）…; 2: 1. …"""
    values: tuple[int, ...]
    """Empty for a row that only heads the rows below it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnualReport:
    """The tables of a 政府信息公开工作年度报告 (annualreport.py reads and checks them)."""

    year: int
    regulations: tuple[int, int, int]
    """规章: issued in the year, repealed in the year, in force at its end (computed)."""
    normative: tuple[int, int, int]
    """行政规范性文件, likewise."""
    decisions: tuple[int, ...]
    """本年处理决定数量 of 行政许可, 行政处罚, 行政强制."""
    fees: float
    """行政事业性收费: 本年收费金额（万元）."""
    applications: tuple[ReportRow, ...]
    """表三, every row of the official format."""
    appeals: tuple[int, ...]
    """表四: 行政复议, then 行政诉讼 直接起诉 and 复议后起诉, five results each."""
    statistics_file: str
    """The statistics file, its path under content/."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Record:
    """A disclosure record (政府信息): a policy, a budget, an interpretation, a notice…"""

    source: SourceLocation
    url: str
    title: str
    index_no: str
    doc_no: str | None
    agencies: tuple[str, ...]
    """Keys of the issuing bodies; the first owns the 文号."""
    genre: str | None
    written: date
    published: date
    effective: date | None
    expires: date | None
    updated: date | None
    category: str
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    validity: Validity
    """The validity the front matter declares (what `govsite check` holds the editor to)."""
    status: Status
    """The validity as of the build's date (`status_on`): what every page, feed and file shows."""
    superseded_by: str | None
    interprets: tuple[str, ...]
    attachments: tuple[Attachment, ...]
    summary: str | None
    body: Body
    interpretations: tuple[str, ...] = ()
    """Index numbers of the interpretations of this record (derived from their `interprets`)."""
    supersedes: tuple[str, ...] = ()
    """Index numbers of the records this one replaces (derived from their `superseded_by`)."""
    validity_note: str | None = None
    """Why a record is no longer in force, when no other record replaces it."""
    check_ignore: tuple[str, ...] = ()
    """`govsite check` rule ids silenced for this record."""
    statistics: str | None = None
    """An annual report's statistics file, relative to the record's own file."""
    annual_report: AnnualReport | None = None
    """An annual report's tables, once read (annualreport.py)."""
    kind: RecordKind | None = None
    """Its column kind and the kind's fields, if it has one."""

    @property
    def is_interpretation(self) -> bool:
        return bool(self.interprets)

    @property
    def in_force(self) -> bool:
        """In force on the build's date: neither pending nor repealed or expired."""
        return self.status in ("effective", "amended")

    @property
    def status_changed(self) -> date | None:
        """The day its dates last changed its status (it took effect or expired), if that day has come."""
        if self.status == "expired" and self.validity != "expired" and self.expires is not None:
            return self.expires + timedelta(days=1)
        if self.status in ("effective", "amended") and self.effective is not None:
            return self.effective
        return None

    @property
    def no_longer_in_force(self) -> bool:
        """Repealed or expired on the build's date (the 失效废止 listing)."""
        return self.status in NO_LONGER_IN_FORCE


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """A plain page: the disclosure guide, about, contact."""

    source: SourceLocation
    url: str
    title: str
    nav_order: int | None
    body: Body
    check_ignore: tuple[str, ...] = ()
    """`govsite check` rule ids silenced for this page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Site:
    """Everything the site says, resolved and checked."""

    config: SiteConfig
    records: tuple[Record, ...]
    """Newest first (by publication date, then index number)."""
    pages: tuple[Page, ...]
    categories: Catalogue
    topics: Catalogue
    agencies: Mapping[str, Agency]
    records_by_index_no: Mapping[str, Record]
    as_of: date
    """The day the site is built for: statuses are as of this day, later records held back."""
    scheduled: tuple[Record, ...] = ()
    """Records published after `as_of`, held back until that day (oldest first); never shown."""

    def record(self, index_no: str) -> Record:
        return self.records_by_index_no[index_no]

    @property
    def nav_pages(self) -> tuple[Page, ...]:
        """Pages that asked for a place in the navigation, in their order."""
        listed = [p for p in self.pages if p.nav_order is not None]
        return tuple(sorted(listed, key=lambda p: (p.nav_order, p.url)))
