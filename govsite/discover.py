"""Stage 1: find the site's sources under content/ and read them as text."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from govsite import messages
from govsite.controls import remove_controls
from govsite.errors import Report, SourceLocation
from govsite.messages import Text

CATALOGUE_DIR = "catalogues"


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A text source: where it is (relative to the site root) and what it says."""

    location: SourceLocation
    text: str

    @property
    def content_path(self) -> PurePosixPath:
        """The path below content/, e.g. `records/2024/x.md`."""
        return self.location.path.relative_to("content")


@dataclass(frozen=True, slots=True)
class StaticFile:
    """A file copied to the site as it is: an attachment, an image."""

    content_path: PurePosixPath
    source: Path
    size: int


@dataclass(frozen=True, slots=True)
class Sources:
    documents: tuple[SourceFile, ...]
    catalogues: Mapping[str, SourceFile]
    files: Mapping[PurePosixPath, StaticFile]


def discover(root: Path, report: Report) -> Sources:
    """Read every Markdown document and catalogue under `root/content`, in path order.

    Only regular files inside the site are read: a symbolic link that leads out of it (or
    nowhere), a FIFO or a device, and a name that cannot be a safe address on every host
    are located errors, and nothing of them is published.
    """
    content = root / "content"
    documents: list[SourceFile] = []
    catalogues: dict[str, SourceFile] = {}
    files: dict[PurePosixPath, StaticFile] = {}
    for path, relative in _sources(root, content, report):
        if relative.suffix == ".md":
            source = _read_text(path, PurePosixPath("content") / relative, report)
            if source:
                documents.append(source)
        elif _is_catalogue(relative):
            source = _read_text(path, PurePosixPath("content") / relative, report)
            if source:
                catalogues[relative.stem] = source
        else:
            files[relative] = StaticFile(relative, path, path.stat().st_size)
    return Sources(tuple(documents), MappingProxyType(catalogues), MappingProxyType(files))


def _sources(root: Path, content: Path, report: Report) -> Iterator[tuple[Path, PurePosixPath]]:
    """The readable files under `content` with their paths below it; errors for the rest."""
    site = root.resolve()
    seen: dict[str, PurePosixPath] = {}
    for path in _walk(content):
        relative = PurePosixPath(path.relative_to(content).as_posix())
        where = SourceLocation(PurePosixPath("content") / relative)
        problem = _name_problem(relative) or _file_problem(path, site)
        if (
            problem is None
            and (twin := seen.setdefault(relative.as_posix().casefold(), relative)) != relative
        ):
            problem = (
                messages.text("GS105.case", twin=str(twin)),
                messages.text("GS105.case.hint"),
            )
        if problem is None:
            yield path, relative
        else:
            report.say("error", problem[0], where, problem[1])


# Characters that cannot stand in a file name on Windows, or would end the path of an
# address (`#`, `?`), or are controls: a site keeps building and serving on every host.
_UNSAFE_NAME_CHARS = re.compile(r'[\x00-\x1f\x7f-\x9f\\:*?"<>|#]')
_RESERVED_NAMES = re.compile(r"(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³])(\..*)?", re.IGNORECASE)


def _name_problem(relative: PurePosixPath) -> tuple[Text, Text] | None:
    for part in relative.parts:
        if found := _UNSAFE_NAME_CHARS.search(part):
            message = messages.text("GS105.character", name=part, character=repr(found.group()))
            return message, messages.text("GS105.character.hint")
        if _RESERVED_NAMES.fullmatch(part) or part != part.strip(" .") or part.startswith(" "):
            message = messages.text("GS105.reserved", name=part)
            return message, messages.text("GS105.reserved.hint")
    return None


def _file_problem(path: Path, site: Path) -> tuple[Text, Text] | None:
    """Why `path` may not be read: a link out of the site or nowhere, or not a regular file."""
    if path.is_symlink():
        target = path.resolve()
        if not target.exists():
            return _problem("GS105.dangling")
        if not target.is_relative_to(site):
            return _problem("GS105.outside")
    mode = path.stat().st_mode if path.exists() else 0
    if stat.S_ISDIR(mode):
        return _problem("GS105.linked-folder")
    if not stat.S_ISREG(mode):
        return _problem("GS105.special")
    return None


def _problem(key: str) -> tuple[Text, Text]:
    return messages.text(key), messages.text(f"{key}.hint")


def read_source(root: Path, content_path: PurePosixPath, report: Report) -> SourceFile | None:
    """One source under `root/content`, read as `discover` reads it (None: not UTF-8, reported)."""
    shown_as = PurePosixPath("content") / content_path
    problem = _name_problem(content_path) or _file_problem(root / shown_as, root.resolve())
    if problem is not None:  # as discover refuses it (a case-only twin needs every name)
        report.say("error", problem[0], SourceLocation(shown_as), problem[1])
        return None
    return _read_text(root / shown_as, shown_as, report)


def is_hidden(content_path: PurePosixPath) -> bool:
    """Whether `discover` skips the file: it or a folder above it is hidden."""
    return any(part.startswith(".") for part in content_path.parts)


def _walk(top: Path) -> list[Path]:
    """Every file below `top`, sorted, skipping hidden files and folders.

    Linked folders are listed as entries of their own (and refused), never walked into.
    """
    found: list[Path] = []
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        linked = [d for d in subfolders if Path(folder, d).is_symlink()]
        subfolders[:] = [d for d in subfolders if d not in linked]
        found.extend(Path(folder, name) for name in (*names, *linked) if not name.startswith("."))
    return sorted(found, key=lambda p: p.as_posix())


def _is_catalogue(relative: PurePosixPath) -> bool:
    return relative.parent == PurePosixPath(CATALOGUE_DIR) and relative.suffix in (".yaml", ".yml")


def _read_text(path: Path, shown_as: PurePosixPath, report: Report) -> SourceFile | None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        report.say(
            "error",
            messages.text("GS101", byte=f"{data[exc.start]:02x}"),
            SourceLocation(shown_as, line, column),
            messages.text("GS101.hint"),
        )
        return None
    # Normalise line endings so line numbers and output don't depend on the editor.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Every stage after this one may take the text to hold no control characters.
    location = SourceLocation(shown_as)
    return SourceFile(location, remove_controls(text, location, report))
