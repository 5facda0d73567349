"""Stage 1: find the site's sources under content/ and read them as text."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType

from govsite.errors import Report, SourceLocation

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
    """Read every Markdown document and catalogue under `root/content`, in path order."""
    content = root / "content"
    documents: list[SourceFile] = []
    catalogues: dict[str, SourceFile] = {}
    files: dict[PurePosixPath, StaticFile] = {}
    for path in _walk(content):
        relative = PurePosixPath(path.relative_to(content).as_posix())
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


def read_source(root: Path, content_path: PurePosixPath, report: Report) -> SourceFile | None:
    """One source under `root/content`, read as `discover` reads it (None: not UTF-8, reported)."""
    shown_as = PurePosixPath("content") / content_path
    return _read_text(root / shown_as, shown_as, report)


def is_hidden(content_path: PurePosixPath) -> bool:
    """Whether `discover` skips the file: it or a folder above it is hidden."""
    return any(part.startswith(".") for part in content_path.parts)


def _walk(top: Path) -> list[Path]:
    """Every file below `top`, sorted, skipping hidden files and folders."""
    found: list[Path] = []
    for folder, subfolders, names in os.walk(top):
        subfolders[:] = [d for d in subfolders if not d.startswith(".")]
        found.extend(Path(folder, name) for name in names if not name.startswith("."))
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
        report.error(
            "GS101",
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded)",
            SourceLocation(shown_as, line, column),
            "save the file as UTF-8 (files saved as GBK/GB18030 by older editors are the usual cause)",
        )
        return None
    # Normalise line endings so line numbers and output don't depend on the editor.
    return SourceFile(SourceLocation(shown_as), text.replace("\r\n", "\n").replace("\r", "\n"))
