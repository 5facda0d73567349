"""The machine-readable files (feeds, sitemap, open data) of a live site, made again only
when something they show changed.

None of them shows a record's body, where it is defined, the check's silenced rules or
the note on its validity (MACHINE_BLIND; tests/test_engine.py changes exactly those and
checks the files stay the same), so an edit of a body text leaves them alone. Otherwise
the feeds are made again (they are small), the sitemap when a page's address or date
changed, and the open data from each record's exported values, kept per record.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

from govsite.discover import Sources
from govsite.engine.graph import Touched
from govsite.model import Record, Site
from govsite.outputs.feeds import FEED_ENTRIES, plan_feeds, render_feed
from govsite.outputs.metadata import last_changed
from govsite.outputs.opendata import (
    ExportedRow,
    catalogue_files,
    json_bytes,
    record_data,
    record_file,
)
from govsite.outputs.sitemap import Entry, build_sitemap, page_entry
from govsite.pipeline import machine_readable_files, more_machine_readable
from govsite.plan import NOT_FOUND_PATH, PlannedPage
from govsite.render import OutputFile

MACHINE_BLIND = frozenset({"body", "source", "check_ignore", "validity_note"})
"""Record fields no machine-readable file shows."""


@dataclass(frozen=True, slots=True)
class _Exported:
    """A record's open data as the catalogue shows it. Not its own file's bytes: those are
    written when made, and kept they were 1.3 KB a record for as long as the engine runs."""

    record: Record
    row: ExportedRow


@dataclass(frozen=True, slots=True)
class MachineFiles:
    """The machine-readable files of one version of the site, as far as the next needs them."""

    exported: Mapping[str, _Exported]
    """By index number: the record it was made from and its lines of the catalogue."""
    sitemap: tuple[Entry, ...]
    sitemap_files: tuple[OutputFile, ...]
    paths: frozenset[str]
    """Every machine-readable file's path."""
    days: Mapping[date, int]
    """How many records last changed on each day (the newest is the site's last change)."""
    entries: Mapping[str, tuple[PlannedPage, Entry]]
    """Each page's sitemap entry by URL, with the planned page it was made from."""
    feeds: Mapping[str, tuple[object, OutputFile]]
    """Each feed's file by path, with what it was made from."""
    others: frozenset[str]
    """The paths of the files but the records' own (feeds, sitemap, catalogue, tables…)."""


def make_machine_files(
    site: Site,
    pages: Sequence[PlannedPage],
    labels: Mapping[str, str],
    sources: Sources,
    previous: MachineFiles | None = None,
    *,
    plan_kept: bool = False,
    touched: Touched | None = None,
) -> tuple[MachineFiles, tuple[OutputFile, ...]]:
    """This version's machine-readable files; with `previous`, what it can reuse is reused.

    The files are what `pipeline.compile_site` makes, in any order; with `previous`, only
    those made again (a record's file, a feed or a sitemap part kept is left out, so an
    edit of one record does not hand 100,000 files to be compared). `plan_kept`: `pages`
    are the previous version's, showing the edited records' new versions (update.py); then
    the sitemap is the previous one unless an edited record's last change moved.
    `touched`: only those records can differ from `previous` (the others are its objects).
    """
    kept = previous.exported if previous else {}
    files: dict[str, OutputFile] = {}  # the records' files made again, by index number
    if previous is not None and touched is not None:
        exported = dict(kept)
        changed = [site.record(n) for n in sorted(touched.records)]
        exported.update(_export(site, kept, changed, files))
        again = [exported[n] for n in touched.records]
    else:
        exported = dict(_export(site, kept, site.records, files))
        again = list(exported.values())
    rows = [exported[r.index_no].row for r in site.records]
    days = _days(site, previous, touched)
    newest = max(days, default=None)
    by_page = previous.entries if previous is not None else {}
    if previous is not None and plan_kept and _same_days(previous.exported, again):
        entries = previous.sitemap  # every page's address and last change are as they were
    else:
        same_newest = previous is not None and max(previous.days, default=None) == newest
        by_page = dict(_entries(site, pages, by_page, newest, same_newest))
        entries = tuple(entry for _, entry in by_page.values())
    if previous is not None and previous.sitemap == entries:
        sitemap_files = previous.sitemap_files
    else:
        earlier = (previous.sitemap, previous.sitemap_files) if previous else ((), ())
        sitemap_files = build_sitemap(site, pages, entries=entries, kept=earlier)
    feeds = dict(_feeds(site, labels, previous.feeds if previous is not None else {}))
    others = tuple(
        machine_readable_files(
            (file for _, file in feeds.values()),
            sitemap_files,
            (*catalogue_files(site, rows, updated=newest), *more_machine_readable(site)),
            sources,
        )
    )
    made = [e for e in again if previous is None or e is not kept.get(e.record.index_no)]
    made_files = (files[e.record.index_no] for e in made)
    records = tuple(machine_readable_files((), (), made_files, sources))
    other_paths = frozenset(f.path for f in others)
    if previous is not None and touched is not None:  # no record went: their files stay
        paths = (previous.paths - previous.others) | other_paths | {f.path for f in records}
    else:
        own = {str(path) for path in sources.files}  # as machine_readable_files leaves out
        paths = other_paths | {record_file(n) for n in exported if record_file(n) not in own}
    machine = MachineFiles(
        MappingProxyType(exported), entries, sitemap_files, paths, days, by_page, feeds, other_paths
    )
    if previous is None:
        return machine, (*others, *records)  # every record's file was made
    kept_files = {
        id(f) for f in (*previous.sitemap_files, *(f for _, f in previous.feeds.values()))
    }
    return machine, (*(f for f in others if id(f) not in kept_files), *records)


def _days(site: Site, previous: MachineFiles | None, touched: Touched | None) -> Counter[date]:
    """How many records last changed on each day; with `touched`, counted from `previous`."""
    if previous is None or touched is None:
        return Counter(last_changed(r) for r in site.records)
    days = Counter(previous.days)
    for number in touched.records:
        before = previous.exported.get(number)
        if before is not None:
            days[last_changed(before.record)] -= 1
        days[last_changed(site.record(number))] += 1
    return +days  # without the days no record changed on any more


def _entries(
    site: Site,
    pages: Iterable[PlannedPage],
    kept: Mapping[str, tuple[PlannedPage, Entry]],
    newest: date | None,
    same_newest: bool,
) -> Iterable[tuple[str, tuple[PlannedPage, Entry]]]:
    """Each page's sitemap entry, in the plan's order: the one made from the same planned
    page kept (its rows, and so its last change, are the same), unless it shows the site's
    last change (home, directories) and that moved."""
    for page in pages:
        if page.url == NOT_FOUND_PATH:
            continue
        found = kept.get(page.url)
        if found is None or found[0] is not page or not (same_newest or _shows_records(page)):
            found = (page, page_entry(site, page, newest))
        yield page.url, found


def _shows_records(page: PlannedPage) -> bool:
    """Whether a page's last change is that of the records it shows (not the site's)."""
    return page.record is not None or page.listing is not None or page.document is not None


def _feeds(
    site: Site, labels: Mapping[str, str], kept: Mapping[str, tuple[object, OutputFile]]
) -> Iterable[tuple[str, tuple[object, OutputFile]]]:
    """Each feed's file, made again only if its records or title changed (an empty feed
    shows the site's newest records' last change)."""
    for feed in plan_feeds(site, labels):
        made_from = (feed, () if feed.records else site.records[:FEED_ENTRIES])
        found = kept.get(feed.path)
        if found is None or found[0] != made_from:
            found = (made_from, OutputFile(feed.path, render_feed(site, feed, labels)))
        yield feed.path, found


def _export(
    site: Site,
    kept: Mapping[str, _Exported],
    records: Iterable[Record],
    files: dict[str, OutputFile],
) -> Iterable[tuple[str, _Exported]]:
    """Each record's exported row, the kept one if made from the same record; the files of
    those made again go into `files`."""
    for record in records:
        found = kept.get(record.index_no)
        if found is None or found.record is not record:
            data = record_data(site, record)
            files[record.index_no] = OutputFile(record_file(record.index_no), json_bytes(data))
            found = _Exported(record, ExportedRow.of(data))
        yield record.index_no, found


def _same_days(before: Mapping[str, _Exported], after: Iterable[_Exported]) -> bool:
    """Whether every record made again changed on the same day as before (its sitemap date)."""
    return all(
        last_changed(now.record) == last_changed(before[key].record)
        for now in after
        if now is not before.get(key := now.record.index_no)
    )


def machine_changed(old: Site, new: Site, touched: Touched | None = None) -> bool:
    """Whether anything a machine-readable file shows differs between two versions of the
    site; with `touched`, only those records are compared (the others are the same objects)."""
    if (touched is None or touched.reordered) and _order(old) != _order(new):
        return True
    if [p.url for p in old.pages] != [p.url for p in new.pages]:
        return True
    records = new.records if touched is None else [new.record(n) for n in touched.records]
    for record in records:
        before = old.records_by_index_no[record.index_no]
        if before is not record and _shown(before) != _shown(record):
            return True
    return False


def _order(site: Site) -> list[str]:
    return [r.index_no for r in site.records]


def _shown(record: Record) -> list[object]:
    return [
        getattr(record, f.name) for f in dataclasses.fields(record) if f.name not in MACHINE_BLIND
    ]
