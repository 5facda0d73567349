"""Stage 6: write the rendered site into the build folder, all at once or not at all.

Everything goes into a fresh folder beside the build folder first; only when every file
is written is it swapped in. A build that fails, at any stage, leaves the previous site
as it was, and a server never serves a half-written one.

A file whose bytes did not change since the previous build is hard-linked into the new
folder rather than written, so it keeps its modification time: deploy tools that sync by
mtime (rsync, many static hosts) and HTTP caches see only what really changed.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from pathlib import Path

from govsite.errors import UnsafeOutputDir
from govsite.progress import Progress, no_progress, report_every
from govsite.render import OutputFile

BUILD_MARK = ".govsite-build"
"""The file govsite writes into every build folder: the proof that it may replace the folder."""
_MARK_CONTENT = b'{"generator": "govsite"}\n'


def check_output_dir(out_dir: Path, root: Path, sources: Iterable[Path], cache_dir: Path) -> None:
    """Refuse a build folder govsite may not replace; UnsafeOutputDir says which and why.

    A build replaces its folder whole, so the folder must be new, empty, or one an earlier
    build marked as its own (BUILD_MARK); and it may not hold or overlap the site, its
    sources, its build cache or a git repository, whatever it contains.
    """
    target = out_dir.resolve()
    shown = f"the build folder '{out_dir}'"
    if root.resolve().is_relative_to(target):
        raise UnsafeOutputDir(f"{shown} would replace the whole site")
    if ".git" in target.parts:
        raise UnsafeOutputDir(f"{shown} is inside a git repository's own folder ('.git')")
    for path in (*sources, cache_dir):
        source = path.resolve()
        if source.is_relative_to(target) or target.is_relative_to(source):
            raise UnsafeOutputDir(f"{shown} would overwrite '{path}'")
    _check_replaceable(out_dir, shown)


def _check_replaceable(out_dir: Path, shown: str) -> None:
    """A folder that exists must be empty or carry an earlier build's mark."""
    if not out_dir.exists():
        return
    if not out_dir.is_dir():
        raise UnsafeOutputDir(f"{shown} is a file, not a folder")
    if (out_dir / BUILD_MARK).is_file():
        return
    with os.scandir(out_dir) as entries:
        found = sorted(entry.name for entry in entries)
    if found:
        if ".git" in found:
            raise UnsafeOutputDir(
                f"{shown} holds a git repository ('.git'); govsite never replaces one"
            )
        raise UnsafeOutputDir(
            f"{shown} already holds files govsite did not write (such as '{found[0]}'), "
            "and a build replaces the whole folder; choose a new or empty folder, or empty "
            f"this one yourself (govsite replaces only folders marked with its '{BUILD_MARK}' file)"
        )


def write_site(
    out_dir: Path,
    outputs: Sequence[OutputFile],
    copies: Sequence[tuple[str, Path]],
    finish: Callable[[Path], None] | None = None,
    progress: Progress = no_progress,
) -> None:
    """Write `outputs` and copy each (site path, source file) into a new `out_dir`, then swap it in.

    `finish` post-processes the complete staged folder (the search index) before the
    swap; if it raises, the previous site stays as it was.
    """
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    try:
        previous = out_dir if out_dir.is_dir() else None
        written = _fill(staging, outputs, copies, previous, progress)
        if finish is not None:
            finish(staging)
            _relink_unchanged(staging, previous, written)
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fill(
    folder: Path,
    outputs: Sequence[OutputFile],
    copies: Sequence[tuple[str, Path]],
    previous: Path | None,
    progress: Progress,
) -> set[str]:
    """Fill `folder`; the site paths it wrote."""
    made: set[Path] = set()
    total = len(copies) + len(outputs)
    every = report_every(total)
    for relative, source in copies:
        target = _prepare(folder, relative, made)
        if not _reuse(previous, relative, target, partial(_same_file, source)):
            shutil.copy2(source, target)  # with the source's mtime, which the next build compares
    progress("files written", len(copies), total)
    # Rendered pages are written after the copied files, so a page always wins a clash.
    for number, output in enumerate(outputs, len(copies) + 1):
        target = _prepare(folder, output.path, made)
        target.unlink(missing_ok=True)
        if not _reuse(previous, output.path, target, partial(_same_bytes, output.content)):
            target.write_bytes(output.content)
        if number % every == 0 or number == total:
            progress("files written", number, total)
    (folder / BUILD_MARK).write_bytes(_MARK_CONTENT)
    os.chmod(folder, 0o755)  # mkdtemp makes it 0700; a web server must be able to read it
    return {relative for relative, _ in copies} | {output.path for output in outputs}


def _relink_unchanged(folder: Path, previous: Path | None, written: set[str]) -> None:
    """Files `finish` made (the search index) that equal the previous build's keep its mtime too."""
    if previous is None:
        return
    for target in sorted(folder.rglob("*")):
        relative = target.relative_to(folder).as_posix()
        if relative in written or not target.is_file():
            continue
        content = target.read_bytes()
        target.unlink()
        if not _reuse(previous, relative, target, partial(_same_bytes, content)):
            target.write_bytes(content)


def _reuse(
    previous: Path | None, relative: str, target: Path, same: Callable[[Path], bool]
) -> bool:
    """Link the previous build's file at `relative` to `target` if it is the same; True if so."""
    if previous is None:
        return False
    old = previous / relative
    try:
        if not (old.is_file() and same(old)):
            return False
        os.link(old, target)
    except OSError:
        return False  # a file system without hard links, or a file removed meanwhile: write anew
    return True


def _same_bytes(content: bytes, old: Path) -> bool:
    return old.stat().st_size == len(content) and old.read_bytes() == content


def _same_file(source: Path, old: Path) -> bool:
    mine, theirs = source.stat(), old.stat()
    if mine.st_size != theirs.st_size:
        return False
    return mine.st_mtime_ns == theirs.st_mtime_ns or filecmp.cmp(source, old, shallow=False)


def _prepare(folder: Path, relative: str, made: set[Path]) -> Path:
    target = folder / relative
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    return target


def _swap_in(staging: Path, out_dir: Path) -> None:
    if not out_dir.exists():
        staging.rename(out_dir)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-old-", dir=out_dir.parent))
    retired.rmdir()
    out_dir.rename(retired)
    staging.rename(out_dir)
    shutil.rmtree(retired, ignore_errors=True)
