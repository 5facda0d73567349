"""`govsite build` with the build cache: the engine of `govsite serve`, started from a snapshot.

    is the last build current? (uptodate.py: file metadata only)  → its result, replayed
    the snapshot of the last build, under this build's fingerprint (snapshot.py)
      → the source files that changed (size and mtime, then content digest)
      → only documents (edited, added, deleted, renamed), and the build folder is the one
        the snapshot describes: a staging folder of links to the previous build's files,
        `update.apply` there (the step `govsite serve` takes on a save), the changed pages
        read back, the health report, the search index and the manifest, then the swap
    else (no snapshot, a change the engine does not apply, a problem): everything once,
    and the snapshot saved for the next build

The output is what a build of everything writes, byte for byte (tests/test_engine.py).
A strict build always builds everything: its gate turns any warning into a failure,
which only a full run reports the way a full run does.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any

from lxml import html

from govsite import uptodate
from govsite.cachefiles import write_atomically
from govsite.check import gate
from govsite.check.health import HEALTH_PAGE, Shown
from govsite.check.html import PageFacts, facts_of
from govsite.check.inspect import PerDocument
from govsite.compiled import CompiledSite
from govsite.config import Project
from govsite.discover import CATALOGUE_DIR, is_hidden
from govsite.engine import persist, snapshot, spare
from govsite.engine.output import digest, replace_file
from govsite.engine.snapshot import BuiltFile, Snapshot
from govsite.engine.state import SiteState, state_of
from govsite.engine.update import Update, apply
from govsite.errors import BuildFailed, Diagnostic, Report
from govsite.htmltree import parse_page
from govsite.manifest import (
    MANIFEST_PATH,
    PUBLIC_KEY_PATH,
    Manifest,
    digest_file,
    write_manifest,
)
from govsite.memo import Workspace, key_of, workspace
from govsite.outputs.search import BUNDLE_DIR, Bundle, index_site, search_record
from govsite.parallel import ExecutorFactory, started_beside
from govsite.pipeline import Built, build_everything, manifest_stamp
from govsite.progress import Progress
from govsite.render import OutputFile, PageRenderer
from govsite.result import BuildResult, scheduled_records
from govsite.retire import spare_of
from govsite.write import build_folder, write_staged

if TYPE_CHECKING:  # cryptography is imported where a key is read (manifest.py)
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

_KEPT_FIELDS = tuple(f.name for f in fields(SiteState) if f.name not in ("project", "renderer"))
"""The SiteState's fields a snapshot keeps (the project is the build's, the renderer is made anew)."""


def _kept(state: SiteState) -> dict[str, Any]:
    """What the snapshot keeps of the engine's state: all but the project and the renderer,
    which are made again from the project when it is loaded."""
    return {name: getattr(state, name) for name in _KEPT_FIELDS}


def build_with_cache(
    project: Project,
    cache_dir: Path,
    strict: bool,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress,
    detach: bool = False,
    inputs: uptodate.Inputs | None = None,
) -> BuildResult:
    """Build `project` with its build cache (pipeline.build has the options); with `detach`,
    the cache is saved after this returns, in a child process (engine/persist.py)."""
    if inputs is None:  # read before the build reads them
        inputs, replayed = uptodate.replay(project, cache_dir, strict=strict, as_of=as_of)
        if replayed is not None:
            return replayed
    uptodate.forget_stamp(cache_dir)
    key = snapshot.fingerprint(project, strict=strict, as_of=as_of)
    applied = None
    if not strict:
        # The spare is checked beside the snapshot's loading (a tenth of a second each): in
        # a child forked before it, which reads the files it lists; run here (one CPU), it
        # is run when asked, and takes them from the snapshot loaded by then.
        loaded: list[Snapshot] = []
        checking = functools.partial(_spare_holds, cache_dir, key, project.out_dir, loaded)
        with started_beside(checking, render_on) as spare_holds:
            found = snapshot.load(cache_dir, key)
            if found is not None:
                loaded.append(found)
                applied = _apply_changes(
                    project, cache_dir, found, inputs, as_of, render_on, progress, spare_holds
                )
    next_snapshot: Callable[[], Snapshot]
    if applied is not None:
        result, kept = applied
        next_snapshot = functools.partial(_as_it_is, kept)
    else:
        sources = snapshot.read_sources(inputs)  # listed before the build reads them
        built = build_everything(project, strict, as_of, render_on, progress, cache_dir)
        result = built.result
        # Made where it is saved: in the saving child, if it is one.
        next_snapshot = functools.partial(_snapshot_of, key, project, built, as_of, sources)

    def save() -> None:
        saved = next_snapshot()
        snapshot.save(cache_dir, saved)
        uptodate.save_stamp(cache_dir, inputs, project.out_dir, result)
        spare.sync(build_folder(project.out_dir), saved.files)  # for the next update

    persist.save(cache_dir, save, detach=detach)
    return result


def _spare_holds(cache_dir: Path, key: str, out_dir: Path, loaded: list[Snapshot]) -> bool:
    """Whether the spare holds the build that the snapshot under `key` describes (spare.py):
    the one `loaded` holds, if it is loaded yet."""
    files = loaded[0].files if loaded else snapshot.built_files(cache_dir, key)
    return files is not None and spare.holds(spare_of(build_folder(out_dir)), files)


def _as_it_is(kept: Snapshot) -> Snapshot:
    return kept


def _snapshot_of(
    key: str,
    project: Project,
    built: Built,
    as_of: date,
    sources: dict[str, tuple[int, int, str]],
) -> Snapshot:
    state = state_of(project, built, as_of)
    compiled, diagnostics = built.compiled, built.result.diagnostics
    return Snapshot(
        key=key,
        state=_kept(state),
        facts=dict(built.written.facts),
        front=diagnostics[: built.read_diagnostics],
        later=compiled.diagnostics[built.read_diagnostics :],
        after=_after_compile(diagnostics[len(compiled.diagnostics) :]),
        extra={o.path: digest(o.content) for o in built.written.extra},
        health=built.written.health.shown,
        per_document=built.written.health.per_document,
        copies=compiled.copies,
        sources=sources,
        files=_built_files(build_folder(project.out_dir)),
    )


def _after_compile(diagnostics: Iterable[Diagnostic]) -> tuple[Diagnostic, ...]:
    """Diagnostics of the stages after compiling that an update does not run again (the
    static files' active content); the search index's own (GS501) it reports itself."""
    return tuple(d for d in diagnostics if d.code != "GS501")


def _built_files(folder: Path) -> dict[str, BuiltFile]:
    """Every file the manifest of `folder` lists, with its inode, size, mtime and digest."""
    manifest = Manifest.from_bytes((folder / MANIFEST_PATH).read_bytes())
    files = {}
    for entry in manifest.files:
        status = os.stat(folder / entry.path)
        files[entry.path] = BuiltFile(status.st_ino, entry.size, status.st_mtime_ns, entry.sha256)
    return files


# -- an update of the last build ------------------------------------------------------------------


@dataclass(slots=True)
class _Staged:
    """What filling the staging folder made, for the result and the next snapshot."""

    state: SiteState
    update: Update
    facts: dict[str, PageFacts]
    extra: dict[str, bytes]
    health: Shown | None
    per_document: PerDocument
    front: tuple[Diagnostic, ...]
    later: tuple[Diagnostic, ...]
    diagnostics: tuple[Diagnostic, ...]
    """All of them, as the build reports them."""
    files: dict[str, BuiltFile]


def _apply_changes(
    project: Project,
    cache_dir: Path,
    found: Snapshot,
    inputs: uptodate.Inputs,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress,
    spare_holds: Callable[[], bool],
) -> tuple[BuildResult, Snapshot] | None:
    """The last build brought up to date with the changed documents, and the snapshot for
    the next; or None if the engine cannot (a change beyond documents, a build folder that
    is not the snapshot's, a problem: the build of everything then does it, and reports
    problems as it does). `spare_holds`: whether the spare holds the last build (`_spare_holds`)."""
    started = time.perf_counter()
    changed, sources = snapshot.changed_sources(found.sources, inputs)
    documents = _documents(project, changed)
    if documents is None:
        return None
    staged: list[_Staged] = []

    def fill(staging: Path, previous: Path | None, linked: bool) -> None:
        # Linked: the staging folder is the spare, the previous build's files (engine/spare.py).
        if not linked and (previous is None or not _link_previous(previous, staging, found.files)):
            raise _CannotUpdate
        staged.append(
            _update(project, cache_dir, found, documents, staging, as_of, render_on, progress)
        )

    try:
        write_staged(project.out_dir, fill, lambda _: spare_holds())
    except (_CannotUpdate, BuildFailed):
        return None
    done = staged[0]
    after = Snapshot(
        key=found.key,
        state=_kept(done.state),
        facts=done.facts,
        front=done.front,
        later=done.later,
        after=found.after,
        extra=done.extra,
        health=done.health,
        per_document=done.per_document,
        copies=found.copies,
        sources=sources,
        files=done.files,
    )
    site, pages = done.state.site, done.state.pages
    result = BuildResult(
        site=site,
        records=len(site.records),
        documents=len(site.pages),
        pages_written=len(pages) + len(done.extra),
        files_copied=len(found.copies),
        diagnostics=done.diagnostics,
        seconds=time.perf_counter() - started,
        pages_rendered=done.update.rendered,
        pages_reused=len(pages) - done.update.rendered,
        scheduled=scheduled_records(site),
    )
    return result, after


class _CannotUpdate(Exception):
    """The build folder is not the one the snapshot describes (or cannot be linked)."""


def _documents(project: Project, changed: Iterable[str]) -> list[PurePosixPath] | None:
    """The changed paths as documents below content/, or None if any is not a document."""
    content = project.content_dir.resolve()
    documents = []
    for path in changed:
        location = Path(path)
        if not location.is_relative_to(content):
            return None  # the config, a theme, a template, a label
        relative = PurePosixPath(location.relative_to(content).as_posix())
        if relative.suffix != ".md" or relative.parts[0] == CATALOGUE_DIR or is_hidden(relative):
            return None  # a catalogue, an attachment, an image
        documents.append(relative)
    return documents


def _link_previous(previous: Path, staging: Path, files: Mapping[str, BuiltFile]) -> bool:
    """Link each file of the previous build into `staging`; False if one is not as the snapshot
    says (edited by hand, or written by something else since) or cannot be linked."""
    made: set[str] = set()
    source_dir, target_dir = os.fspath(previous), os.fspath(staging)
    try:
        for path, built in files.items():
            source = f"{source_dir}/{path}"
            status = os.lstat(source)
            if (status.st_ino, status.st_size, status.st_mtime_ns) != (
                built.inode,
                built.size,
                built.mtime_ns,
            ):
                return False
            parent = path.rpartition("/")[0]
            if parent and parent not in made:
                _make_folder(target_dir, parent, made)
            os.link(source, f"{target_dir}/{path}")
    except OSError:
        return False
    return True


def _make_folder(root: str, folder: str, made: set[str]) -> None:
    """Make `folder` below `root`, and its parents not in `made` (one mkdir each, as
    makedirs's own checks cost more than the 14,000 folders of a 10,000-record site)."""
    parent = folder.rpartition("/")[0]
    if parent and parent not in made:
        _make_folder(root, parent, made)
    os.mkdir(f"{root}/{folder}")
    made.add(folder)


def _update(
    project: Project,
    cache_dir: Path,
    found: Snapshot,
    documents: list[PurePosixPath],
    staging: Path,
    as_of: date,
    render_on: ExecutorFactory,
    progress: Progress,
) -> _Staged:
    """Apply the changed documents in `staging` (holding links to the previous build's files)."""
    kept = dict(found.state)
    state = SiteState(
        project=replace(project, out_dir=staging),
        renderer=PageRenderer(kept["site"], kept["sources"].theme, project.root),
        **kept,
    )
    report = Report(strict=False, suppressed=project.config.suppress_warnings)
    signing = Report()
    stamp = manifest_stamp(project, signing)  # its warnings are the snapshot's already
    if signing.error_count:
        raise _CannotUpdate  # the build of everything reports the key's problem as it does
    state, update = apply(state, documents)
    progress("pages rendered", update.rendered, update.rendered)
    front, later = _diagnostics(found, documents, update)
    with workspace(cache_dir, update=True) as space:
        facts, records = _read_back(staging, state, update, found.facts, space, progress)
        compiled = CompiledSite(
            state.site,
            state.sources.theme,
            state.pages,
            tuple(OutputFile(path, b"") for path in state.written),  # the check reads their paths
            found.copies,
            (*front, *later),
        )
        gate.refuse_unsafe_addresses(compiled, facts)
        # The search index, beside the check and health report (both take a few tenths of
        # a second, and neither reads what the other writes).
        index = functools.partial(_index, staging, state, space, found.files, records, render_on)
        with started_beside(index, render_on) as searching:
            health, changed, extra_digests = _check(
                project,
                found,
                documents,
                state,
                update,
                staging,
                compiled,
                facts,
                space,
                as_of,
                render_on,
            )
            bundle, indexed = searching()
        report.extend(indexed)
    files = _manifest(
        staging, stamp.source_commit, stamp.signing_key, found.files, update, changed, bundle
    )
    diagnostics = (*front, *later, *found.after, *report.diagnostics)
    return _Staged(
        state,
        update,
        facts,
        extra_digests,
        health.shown,
        health.per_document,
        front,
        later,
        diagnostics,
        files,
    )


def _check(
    project: Project,
    found: Snapshot,
    documents: Iterable[PurePosixPath],
    state: SiteState,
    update: Update,
    staging: Path,
    compiled: CompiledSite,
    facts: Mapping[str, PageFacts],
    space: Workspace,
    as_of: date,
    render_on: ExecutorFactory,
) -> tuple[gate.HealthReport, dict[str, str], dict[str, bytes]]:
    """The check and health report of the updated site, the report's files replaced in
    `staging` where they changed; with the digests (hex) of the files changed by path,
    the update's pages included, and the digests of the report's files."""
    edited = {str(PurePosixPath("content") / path) for path in documents}
    earlier = found.per_document.without(edited)
    # The findings of the rules that read one record hold while the update kept the
    # record as it was (an edit may change another record too: the one it replaces, say).
    before = {str(record.source.path): record for record in found.state["site"].records}
    same = {
        path
        for record in state.site.records
        if before.get(path := str(record.source.path)) is record
    }
    earlier = replace(earlier, records={p: f for p, f in earlier.records.items() if p in same})
    # The content rules read the edited documents only (the others' findings are kept).
    markdown = {
        str(document.source.location.path): (document.body, document.body_start_line)
        for document in map(state.documents.get, map(str, documents))
        if document is not None
    }
    health = gate.after_render(
        project,
        compiled,
        facts,
        space.content,
        strict=False,
        as_of=as_of,
        run_on=render_on,
        markdown=markdown,
        kept=found.health,
        read_changed=HEALTH_PAGE in update.reached,
        earlier=earlier,
    )
    extra_digests = found.extra  # the report shows and reads what it did: its files stay
    changed = {path: state.written[path].hex() for path in update.written}
    if health.files is not None:
        state.graph.set_page(HEALTH_PAGE, health.reads)
        extra_digests = {}
        for output in health.files:
            extra_digests[output.path] = digest(output.content)
            if found.extra.get(output.path) != extra_digests[output.path]:
                replace_file(staging, output.path, output.content)
                changed[output.path] = extra_digests[output.path].hex()
    return health, changed, extra_digests


def _index(
    staging: Path,
    state: SiteState,
    space: Workspace,
    known: Mapping[str, BuiltFile],
    records: _Records,
    render_on: ExecutorFactory,
) -> tuple[Bundle, tuple[Diagnostic, ...]]:
    """The search index of `staging`, with its warnings. Its files are links to the last
    build's (`known`): only those that change are replaced (search.index_site), never
    written into."""
    report = Report(strict=False)
    searchable = {path: state.written[path].hex() for path in sorted(state.searchable())}
    had = {p: f.sha256 for p, f in known.items() if p.startswith(f"{BUNDLE_DIR}/")}
    bundle = index_site(
        staging,
        space.copies,
        searchable,
        space.code,
        space.kept_bundle,
        report,
        render_on,
        had,
        records.check,
    )
    space.remember_copies(records.copies)
    space.save_copies()
    return bundle, report.diagnostics


def _diagnostics(
    found: Snapshot, documents: Iterable[PurePosixPath], update: Update
) -> tuple[tuple[Diagnostic, ...], tuple[Diagnostic, ...]]:
    """The diagnostics a build of everything would report of reading and of the later stages:
    the last build's, less those of the documents read again (and, when the whole site was
    assembled again, of every stage after reading), with the update's."""
    again = {PurePosixPath("content") / path for path in documents}
    read = update.diagnostics[: update.read_diagnostics]
    later = update.diagnostics[update.read_diagnostics :]
    front = (*(d for d in found.front if d.location.path not in again), *read)
    if not update.whole_assemble:
        later = (*(d for d in found.later if d.location.path not in again), *later)
    return front, later


def _read_back(
    staging: Path,
    state: SiteState,
    update: Update,
    known: Mapping[str, PageFacts],
    space: Workspace,
    progress: Progress,
) -> tuple[dict[str, PageFacts], _Records]:
    """Every HTML page's facts: the last build's, and the changed pages' read back; and the
    search records, made again for a changed page (or one whose kept record was made from
    another page), the others as they were kept: each of those is checked against its
    digest only if the index reads it (`_Records.check`)."""
    facts = dict(known)
    for path in update.removed:
        facts.pop(path, None)
    pages: dict[str, html.HtmlElement] = {}
    for path in update.written:
        if path.endswith(".html"):
            pages[path] = parse_page((staging / path).read_bytes())
            facts[path] = facts_of(path, pages[path])
    if pages:
        progress("pages read back", len(pages), len(pages))
    space.forget_copies()
    records = _Records(staging, space, {}, set())
    for path in state.searchable():
        page_digest = state.written[path].hex()
        kept = space.known_copies.get(path)
        if path not in pages and kept is not None and kept[0] == page_digest:
            records.copies[path] = kept
            records.unchecked.add(path)
        else:
            records.make(path, page_digest, pages.get(path))
    return facts, records


@dataclass(slots=True)
class _Records:
    """The search records of the searchable pages in the cache (`space.copies`): each one's
    page digest and digest, and those kept from the last build not checked yet."""

    staging: Path
    space: Workspace
    copies: dict[str, tuple[str, str]]
    unchecked: set[str]

    def check(self, paths: Iterable[str]) -> None:
        """Make sure the records at `paths` are whole before the index reads them: a kept one
        whose bytes are not those of its digest is made again from its page."""
        for path in paths:
            if path in self.unchecked:
                self.unchecked.discard(path)
                page_digest = self.copies[path][0]
                if self.space.kept_copy(path, page_digest) is None:
                    self.make(path, page_digest, None)

    def make(self, path: str, page_digest: str, page: html.HtmlElement | None) -> None:
        """Make the record of the page at `path` (parsed as `page`, if it is) again."""
        record = search_record(page if page is not None else _page_at(self.staging, path))
        write_atomically(self.space.copies / path, record)
        self.copies[path] = (page_digest, key_of(record))


def _page_at(staging: Path, path: str) -> html.HtmlElement:
    return parse_page((staging / path).read_bytes())


def _manifest(
    staging: Path,
    source_commit: str | None,
    signing_key: Ed25519PrivateKey | None,
    known: Mapping[str, BuiltFile],
    update: Update,
    changed: Mapping[str, str],
    bundle: Bundle,
) -> dict[str, BuiltFile]:
    """Write the manifest of `staging`; every file it lists.

    The staging folder holds the last build's files (`known`) as links, but those the
    update removed or `changed` (their SHA-256 by path: the pages and the health report
    written) and the search index as `bundle` says: the list is made from those, and
    only the changed files are looked at (for the next snapshot's inode and mtime)."""
    index = f"{BUNDLE_DIR}/"
    files = {path: built for path, built in known.items() if not path.startswith(index)}
    for path in (*update.removed, PUBLIC_KEY_PATH):
        files.pop(path, None)  # the public key is written again if the site signs
    changed = {**changed, **{path: bundle.files[path] for path in bundle.new}}
    for path in bundle.files.keys() - bundle.new:
        files[path] = known[path]  # the last build's file, linked
    for path, sha256 in changed.items():
        files[path] = _built_file(staging / path, sha256)
    listed = {path: (built.sha256, built.size) for path, built in files.items()}
    write_manifest(staging, source_commit, signing_key, listed=listed)
    if signing_key is not None:
        files[PUBLIC_KEY_PATH] = _built_file(staging / PUBLIC_KEY_PATH, None)
    return files


def _built_file(path: Path, sha256: str | None) -> BuiltFile:
    """The file at `path` as the next snapshot keeps it (its digest read if not given)."""
    status = os.stat(path)
    if sha256 is None:
        sha256, _ = digest_file(path)
    return BuiltFile(status.st_ino, status.st_size, status.st_mtime_ns, sha256)
