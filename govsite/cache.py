"""The build cache: rendered pages kept between builds, reused only when every input is unchanged.

A page is reused when two things match the build that rendered it:

- its key: the global key (config, theme, catalogues, govsite itself: fingerprint.py)
  and the page's own identity (its URL, template, title, breadcrumbs, listing, …, with
  the records it shows as references);
- its reads: the digest of every record field and site part its template read while
  rendering (reads.py), recomputed on the current site. A record that is gone, or any
  field read that now holds another value, and the page renders again.

Templates are deterministic, so a page whose every input is unchanged renders to the
same bytes. Layout of the folder (`.govsite-cache/` at the site root by default):

    manifest.json         the global key and, per page key, its reads and output digest
    pages/<sha256>        rendered bytes, named by their digest (checked when read)

The manifest is replaced atomically and only after a build wrote its site, and then
holds only the pages that build used, whose files stay; every other file is removed, so
the cache does not grow. A failed build leaves the manifest and its files as they were.
Anything unreadable or inconsistent in the folder counts as a miss, never as an error:
the manifest carries the digest of its bytes, and a page file must match its name.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govsite.cachefiles import read_bytes, read_checked, remove, write_atomically, write_checked
from govsite.fingerprint import CACHE_FORMAT, Unfingerprintable, digest, page_identity
from govsite.model import Site
from govsite.plan import PlannedPage
from govsite.reads import WHOLE_RECORD, Reads

MANIFEST = "manifest.json"
PAGES_DIR = "pages"


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
    """The field names to check: the whole record (or page) covers every other field."""
    return (WHOLE_RECORD,) if WHOLE_RECORD in names else tuple(sorted(names))


@dataclass(frozen=True, slots=True)
class _Entry:
    reads: PageReads
    inputs: str
    """Digest of the values of the reads when the page was rendered."""
    output: str
    """Digest of the rendered bytes: the name of their file under pages/."""


class SiteValues:
    """Digests of the current site's values that pages read, each worked out once per build."""

    def __init__(self, site: Site) -> None:
        self.site = site
        self._pages = {page.url: page for page in site.pages}
        self._digests: dict[tuple[str, str, str], str] = {}

    def inputs(self, reads: PageReads) -> str | None:
        """The digest of everything `reads` names, or None when a record or page it names is gone."""
        found: list[object] = []
        for kind, fields in (("record", reads.records), ("page", reads.documents)):
            for identity, names in fields:
                if self._find(kind, identity) is None:
                    return None
                found.append([kind, identity, [self._field(kind, identity, n) for n in names]])
        found.append([[part, self._site_part(part)] for part in reads.site_parts])
        return digest(found)

    def _find(self, kind: str, identity: str) -> object | None:
        if kind == "record":
            return self.site.records_by_index_no.get(identity)
        return self._pages.get(identity)

    def _field(self, kind: str, identity: str, name: str) -> str:
        key = (kind, identity, name)
        if key not in self._digests:
            self._digests[key] = self._field_digest(kind, identity, name)
        return self._digests[key]

    def _field_digest(self, kind: str, identity: str, name: str) -> str:
        holder = self._find(kind, identity)
        if name == WHOLE_RECORD:
            return digest(holder)
        try:
            # A field the template asked for but the model lacks is a value too: missing.
            return digest(getattr(holder, name, ["missing"]))
        except Unfingerprintable:
            return self._field(kind, identity, WHOLE_RECORD)  # stand on the whole value

    def _site_part(self, part: str) -> str:
        key = ("site", "", part)
        if key not in self._digests:
            if part == "records":
                value: object = [r.index_no for r in self.site.records]
            else:  # which pages exist, in which order, and the navigation's order
                value = [[p.url, p.nav_order] for p in self.site.pages]
            self._digests[key] = digest(value)
        return self._digests[key]


class PageCache:
    """The cache of one build: looks pages up, stores new ones, saves what the build used."""

    def __init__(self, directory: Path, global_key: str, site: Site) -> None:
        self.directory = directory
        self.global_key = global_key
        self.values = SiteValues(site)
        self._previous = _load_manifest(directory / MANIFEST, global_key)
        self._used: dict[str, _Entry] = {}
        self.reused = 0

    def key(self, page: PlannedPage) -> str:
        return digest(self.global_key, page_identity(page))

    def lookup(self, page: PlannedPage) -> bytes | None:
        """The page's bytes from an earlier build whose every input matches this one, else None."""
        try:
            key = self.key(page)
            entry = self._previous.get(key)
            if entry is None or self.values.inputs(entry.reads) != entry.inputs:
                return None
        except Unfingerprintable:
            return None
        content = self._read_page(entry.output)
        if content is None:
            return None
        self._used[key] = entry
        self.reused += 1
        return content

    def store(self, page: PlannedPage, reads: PageReads, content: bytes) -> None:
        """Keep a freshly rendered page (its file is written now; the manifest on `save`)."""
        try:
            key = self.key(page)
            inputs = self.values.inputs(reads)
        except Unfingerprintable:
            return  # a value no digest can vouch for: render this page every time
        if inputs is None:
            return
        output = hashlib.sha256(content).hexdigest()
        path = self.directory / PAGES_DIR / output
        try:
            if self._read_page(output) is None:  # not there yet, or damaged: (re)write it
                write_atomically(path, content)
        except OSError:
            return  # a full disk, say: the build goes on, the page is just not kept
        self._used[key] = _Entry(reads, inputs, output)

    def save(self) -> None:
        """Write the manifest of the pages this build used and remove every other page file."""
        write_checked(
            self.directory / MANIFEST,
            json.dumps(_manifest(self.global_key, self._used), ensure_ascii=False).encode(),
        )
        kept = {entry.output for entry in self._used.values()}
        pages = self.directory / PAGES_DIR
        for path in pages.iterdir() if pages.is_dir() else ():
            if path.name not in kept:
                remove(path)

    def _read_page(self, output: str) -> bytes | None:
        content = read_bytes(self.directory / PAGES_DIR / output)
        if content is None:
            return None
        return content if hashlib.sha256(content).hexdigest() == output else None


def _manifest(global_key: str, entries: Mapping[str, _Entry]) -> dict[str, Any]:
    """The manifest as JSON data; each distinct list of field names is written once."""
    field_lists: dict[tuple[str, ...], int] = {}

    def numbered(reads: FieldReads) -> list[list[object]]:
        return [[i, field_lists.setdefault(names, len(field_lists))] for i, names in reads]

    pages = {}
    for key, entry in entries.items():
        pages[key] = {
            "records": numbered(entry.reads.records),
            "documents": numbered(entry.reads.documents),
            "site": list(entry.reads.site_parts),
            "inputs": entry.inputs,
            "output": entry.output,
        }
    return {
        "format": CACHE_FORMAT,
        "global": global_key,
        "fields": [list(names) for names in field_lists],
        "pages": pages,
    }


def _load_manifest(path: Path, global_key: str) -> dict[str, _Entry]:
    """The entries of the manifest at `path` if it was written under `global_key`; else none."""
    try:
        data = json.loads(read_checked(path) or b"null")
        if data["format"] != CACHE_FORMAT or data["global"] != global_key:
            return {}
        return dict(_entries(data["fields"], data["pages"]))
    except (ValueError, KeyError, TypeError, IndexError, AttributeError):
        return {}  # no cache yet, or one this version cannot read: render everything


def _entries(fields: list[list[str]], pages: dict[str, Any]) -> Iterable[tuple[str, _Entry]]:
    names = [tuple(str(n) for n in names) for names in fields]
    for key, page in pages.items():
        records = tuple((str(index_no), names[number]) for index_no, number in page["records"])
        documents = tuple((str(url), names[number]) for url, number in page["documents"])
        reads = PageReads(records, tuple(str(p) for p in page["site"]), documents)
        yield str(key), _Entry(reads, str(page["inputs"]), str(page["output"]))
