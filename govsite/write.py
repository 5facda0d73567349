"""Stage 6: write the rendered site into the build folder, all at once or not at all.

Everything goes into a fresh folder beside the build folder first; only when every file
is written is it swapped in. A build that fails, at any stage, leaves the previous site
as it was, and a server never serves a half-written one.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from pathlib import Path

from govsite.progress import Progress, no_progress, report_every
from govsite.render import OutputFile


class UnsafeOutputDir(ValueError):
    """The build folder would overwrite the site's own sources."""


def check_output_dir(out_dir: Path, root: Path, sources: Iterable[Path]) -> None:
    """Refuse a build folder that would replace the site, or overlap one of its source folders."""
    target = out_dir.resolve()
    if root.resolve().is_relative_to(target):
        raise UnsafeOutputDir(f"the build folder '{out_dir}' would replace the whole site")
    for path in sources:
        source = path.resolve()
        if source.is_relative_to(target) or target.is_relative_to(source):
            raise UnsafeOutputDir(f"the build folder '{out_dir}' would overwrite '{path}'")


def write_site(
    out_dir: Path,
    outputs: Sequence[OutputFile],
    copies: Sequence[tuple[str, Path]],
    progress: Progress = no_progress,
) -> None:
    """Write `outputs` and copy each (site path, source file) into a new `out_dir`, then swap it in."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-new-", dir=out_dir.parent))
    try:
        _fill(staging, outputs, copies, progress)
        _swap_in(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def _fill(
    folder: Path,
    outputs: Sequence[OutputFile],
    copies: Sequence[tuple[str, Path]],
    progress: Progress,
) -> None:
    made: set[Path] = set()
    total = len(copies) + len(outputs)
    every = report_every(total)
    for relative, source in copies:
        target = _prepare(folder, relative, made)
        shutil.copyfile(source, target)
    progress("files written", len(copies), total)
    # Rendered pages are written after the copied files, so a page always wins a clash.
    for number, output in enumerate(outputs, len(copies) + 1):
        _prepare(folder, output.path, made).write_bytes(output.content)
        if number % every == 0 or number == total:
            progress("files written", number, total)
    os.chmod(folder, 0o755)  # mkdtemp makes it 0700; a web server must be able to read it


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
