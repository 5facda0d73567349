"""A site kept loaded between edits: what `govsite serve` asks to bring up to date.

Changed paths (from the file watcher) are sorted into documents, which the update step
handles (update.py), and everything else a page may read without a note in the graph:
the config, catalogues, static files, themes, templates and labels. Those reload the
whole site, as a full build; so does the first change after anything went wrong
unexpectedly, since the build folder may then no longer be what the model says.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath

from govsite import clock
from govsite.config import CONFIG_FILE, Project, load_project
from govsite.discover import is_hidden
from govsite.engine.searchsync import SearchRefresher
from govsite.engine.state import SiteState, load
from govsite.engine.update import apply
from govsite.errors import BuildFailed
from govsite.messages import Language, choose_language
from govsite.theme import BUILTIN_THEMES


@dataclass(frozen=True, slots=True)
class Change:
    """A path the watcher reported, and whether it was a folder (created, deleted or moved)."""

    path: Path
    folder: bool = False


class LiveSite:
    """The site at `root`, loaded once (`load`), then updated on each burst of changes (`update`)."""

    def __init__(
        self,
        root: Path,
        out_dir: Path | None = None,
        *,
        jobs: int | None = 1,
        search: SearchRefresher | None = None,
        today: Callable[[], date] = clock.today,
        language: str | None = None,
    ) -> None:
        self.root = root
        self.explicit_language = language
        """`--lang`, if given; else the locale's or the site's (messages.choose_language)."""
        self.today = today
        """The day to build for: the site is loaded anew when it changes."""
        self.out_dir = out_dir
        self.jobs = jobs
        self.search = search
        self.state: SiteState | None = None
        self._pending: set[PurePosixPath] = set()
        """Documents changed since the last update that succeeded: a failed one is tried again."""

    def load(self) -> str:
        """Build the whole site and keep it; a summary line. BuildFailed: nothing is kept."""
        self.state = None  # until the load succeeds, the next change loads again
        self._pending.clear()
        project = load_project(self.root, self.out_dir)
        state, result = load(project, as_of=self.today(), jobs=self.jobs)
        self.state = state
        return result.summary(self._speaks())

    @property
    def language(self) -> str | None:
        """The site's language, once it is loaded."""
        return self.state.project.config.language if self.state is not None else None

    def _speaks(self) -> Language:
        return choose_language(self.explicit_language, self.language)

    def update(
        self, changes: Iterable[Change], say: Callable[[str], None] | None = None
    ) -> str | None:
        """Bring the build folder up to date with `changes`: a summary line, or None if none mattered.

        `say` is told as soon as the changed documents' own pages are written (what an
        editor waits for), before the listings and data files that follow.
        BuildFailed leaves the folder as it was; the documents are read again next time.
        """
        state = self.state
        if state is None or state.as_of != self.today():
            return self.load()  # nothing loaded yet, or a new day: every record's status may change
        documents: set[PurePosixPath] = set()
        for change in changes:
            kind = classify(state, change)
            if kind == "reload":
                return self.load()
            if isinstance(kind, PurePosixPath):
                documents.add(kind)
        if not documents and not self._pending:
            return None
        self._pending |= documents
        try:
            language = self._speaks()
            first = None if say is None else (lambda written: say(written.summary(language)))
            self.state, update = apply(state, self._pending, first)
        except BuildFailed:
            raise  # the sources have problems; the model and the folder are as they were
        except BaseException:
            self.state = None  # the folder may be half updated: the next change loads it all
            raise
        self._pending.clear()
        self._index_for_search(self.state, update.written + update.removed)
        lines = [update.summary(language), *(d.format_text(language) for d in update.diagnostics)]
        return "\n".join(lines)

    def _index_for_search(self, state: SiteState, paths: Iterable[str]) -> None:
        if self.search is None:
            return
        changed = [p for p in paths if p.endswith(".html")]
        if not changed:
            return
        written = state.written  # never changed once the state is made: safe to read later

        def pages() -> dict[str, str]:
            return {path: written[path].hex() for path in state.searchable()}

        self.search.request(state.project, pages, changed)


Kind = PurePosixPath | str | None


def classify(state: SiteState, change: Change) -> Kind:
    """A document's path below content/, "reload", or None for a path no build reads."""
    project = state.project
    path = change.path
    if path.is_relative_to(project.out_dir):
        return None
    if path == project.root / CONFIG_FILE:
        return "reload"
    if path.is_relative_to(project.content_dir):
        return _content_change(
            state, PurePosixPath(path.relative_to(project.content_dir).as_posix()), change
        )
    if any(path.is_relative_to(folder) for folder in _theme_folders(project)):
        return "reload"
    return None


def _content_change(state: SiteState, relative: PurePosixPath, change: Change) -> Kind:
    if is_hidden(relative) or not relative.parts:
        return None  # discover skips hidden files: editors' swap files, .DS_Store
    if change.folder:
        return "reload"  # a folder moved in or out: its files were not reported one by one
    if relative.suffix == ".md":  # as discover decides
        known = str(relative) in state.documents
        return relative if known or change.path.is_file() else None
    if relative in state.sources.sources.files or change.path.exists():
        return "reload"  # a catalogue, an attachment or an image
    return None  # a file that came and went (an editor's write test)


def _theme_folders(project: Project) -> list[Path]:
    return [*project.theme_dirs, BUILTIN_THEMES, project.templates_dir]
