"""What a template read while it rendered one page: which fields of which records and plain pages, which parts of the site.

Templates reach records in many ways (`page.record`, a listing's rows, `site.records`,
`record(index_no)`), and a site's own templates may reach any of them, so the build
engine does not guess a page's inputs from its kind: it notes them while the page
renders. Every `a.b` and `a[b]` of a template goes through the Jinja environment's
`getattr` and `getitem`, which `ReadingEnvironment` overrides to note reads of records,
plain pages and the site; govsite's own helpers that look into a record note the whole record.
A read the notes cannot describe marks the page as not cacheable.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import jinja2
from markupsafe import Markup

from govsite.model import Page, Record, Site

WHOLE_RECORD = "*"
"""The field name noted when a helper (or `{{ rec }}`) may use every field of a record or page."""

SITE_PARTS_IN_GLOBAL_KEY = frozenset({"config", "categories", "topics", "agencies"})
"""Parts of `Site` every page may read without a note: a change in them (the config, the
catalogues) makes the engine build everything (engine/live.py, engine/rebuild.py)."""

SITE_PARTS_NOTED = {
    "records": "records",
    "records_by_index_no": "records",
    "pages": "pages",
    "nav_pages": "pages",
}
"""Parts of `Site` noted when read: `records` stands for which records exist and their order,
`pages` for which plain pages exist, their order and their places in the navigation."""


@dataclass(slots=True)
class Reads:
    """The notes of one page's rendering (mutable while it renders, then only read)."""

    fields: set[tuple[str, str]] = field(default_factory=set)
    """(index number, field name) of every record field read."""
    page_fields: set[tuple[str, str]] = field(default_factory=set)
    """(URL, field name) of every plain page field read."""
    site_parts: set[str] = field(default_factory=set)
    cacheable: bool = True


_current: contextvars.ContextVar[Reads | None] = contextvars.ContextVar("reads", default=None)


@contextmanager
def noting_reads() -> Iterator[Reads]:
    """Note the reads of whatever renders inside the block (per thread, so thread pools work)."""
    reads = Reads()
    token = _current.set(reads)
    try:
        yield reads
    finally:
        _current.reset(token)


def note_record(record: Record, name: str = WHOLE_RECORD) -> None:
    if (reads := _current.get()) is not None:
        reads.fields.add((record.index_no, name))


def note_page(page: Page, name: str = WHOLE_RECORD) -> None:
    if (reads := _current.get()) is not None:
        reads.page_fields.add((page.url, name))


def _note_site(name: str) -> None:
    reads = _current.get()
    if reads is None or name in SITE_PARTS_IN_GLOBAL_KEY:
        return
    if name in SITE_PARTS_NOTED:
        reads.site_parts.add(SITE_PARTS_NOTED[name])
    else:
        reads.cacheable = False  # a part of the site no key covers


def record_lookup(site: Site) -> Callable[[str], Record]:
    """`record(index_no)` for templates: looking a record up notes that it exists."""

    def record(index_no: str) -> Record:
        found = site.record(index_no)
        note_record(found, "index_no")
        return found

    return record


class ReadingEnvironment(jinja2.Environment):
    """A Jinja environment that notes what templates read from records and the site."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        if type(obj) is MappingProxyType and attribute not in _MAPPING_ATTRIBUTES:
            # The labels (`labels.col_title`), a dozen times a row of every listing: Jinja
            # tries the attribute first, and an AttributeError raised and caught each time
            # was a tenth of a listing page's rendering. The same value, without it.
            try:
                return obj[attribute]
            except KeyError:
                pass
        if isinstance(obj, Site):
            return self._site_part(obj, attribute)
        _note_field(obj, attribute)
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        if isinstance(obj, Site) and isinstance(argument, str):
            return self._site_part(obj, argument)
        _note_field(obj, argument if isinstance(argument, str) else WHOLE_RECORD)
        return super().getitem(obj, argument)

    def _site_part(self, site: Site, name: str) -> Any:
        if name == "record":
            return record_lookup(site)  # notes each record it finds
        _note_site(name)
        return super().getattr(site, name)


_MAPPING_ATTRIBUTES = frozenset(dir(MappingProxyType))
_PLAIN = frozenset({str, Markup, int})
"""What most printed values are: nothing to note."""


def note_printed(value: Any) -> Any:
    """The environment's `finalize`: printing a record, a page or the site itself may show any of it."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, Site) and (reads := _current.get()) is not None:
        reads.cacheable = False
    _note_field(value, WHOLE_RECORD)
    return value


def _note_field(value: Any, name: str) -> None:
    """Note the field `name` read, if `value` is a record or a plain page."""
    if isinstance(value, Record):
        note_record(value, name)
    elif isinstance(value, Page):
        note_page(value, name)


# -- what a page read, as data (the dependency graph's edges: engine/graph.py) ---------------------


FieldReads = tuple[tuple[str, tuple[str, ...]], ...]
"""(index number or URL, the names of the fields read), sorted."""


@dataclass(frozen=True, slots=True)
class PageReads:
    """The reads of one rendered page: fields of records (by index number) and of plain pages (by URL)."""

    records: FieldReads
    site_parts: tuple[str, ...]
    documents: FieldReads = ()

    @classmethod
    def of(cls, reads: Reads) -> PageReads:
        return cls(
            _grouped(reads.fields), tuple(sorted(reads.site_parts)), _grouped(reads.page_fields)
        )


def _grouped(reads: set[tuple[str, str]]) -> FieldReads:
    fields: dict[str, set[str]] = {}
    for identity, name in reads:
        fields.setdefault(identity, set()).add(name)
    return tuple((i, _fewest(names)) for i, names in sorted(fields.items()))


def _fewest(names: set[str]) -> tuple[str, ...]:
    """The field names that matter: the whole record (or page) covers every other field."""
    return (WHOLE_RECORD,) if WHOLE_RECORD in names else tuple(sorted(names))
