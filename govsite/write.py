"""Stage 6: write the rendered site into the build folder, all at once or not at all.

Everything goes into a fresh folder beside the build folder first; only when every file
is written is it swapped in, in one atomic exchange where the system has one (see
`_swap_in`). A build that fails, at any stage, leaves the previous site as it was, a
server never serves a half-written one, and a build folder exists at every instant; the
previous build and whatever a killed build left are removed in the background (retire.py).
A build folder that is a symlink stays one: the folder it points to is replaced.

A file whose bytes did not change since the previous build is hard-linked into the new
folder rather than written, so it keeps its modification time: deploy tools that sync by
mtime (rsync, many static hosts) and HTTP caches see only what really changed.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from govsite.errors import UnsafeOutputDir
from govsite.progress import Progress, no_progress, report_every
from govsite.render import OutputFile
from govsite.retire import (
    BUILD_MARK,
    SPARE_RECORD,
    STAGING_MARK,
    leftovers,
    remove_in_background,
    spare_of,
    wait_for_removals,
)

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

    The whole write stage in one call, for files held in memory; a build stages its pages
    as they are rendered instead (`staged`, `stage_file`, `publish`).
    """
    with staged(out_dir) as staging:
        for output in outputs:
            stage_file(staging, output.path, output.content)
        publish(staging, copies, {output.path for output in outputs}, finish, progress)


@dataclass(frozen=True, slots=True)
class Staging:
    """A new build folder being filled beside the one it will replace: plain data, so a
    worker process (or a Dask worker on the same file system) can write into it."""

    folder: Path
    destination: Path
    """The folder the staged one replaces (`build_folder`)."""
    previous: Path | None
    """The build being replaced, if any: unchanged files are hard-linked from it."""


@contextmanager
def staged(out_dir: Path) -> Iterator[Staging]:
    """A new staging folder for a build into `out_dir`, removed again if the build fails.

    Made before the first page is rendered, so workers can write each page as they go;
    only `publish` puts it in place of the build folder. Whatever a killed build leaves
    is marked, and the next build removes it (retire.py).
    """
    destination = build_folder(out_dir)
    made_parent = not destination.parent.exists()
    destination.parent.mkdir(parents=True, exist_ok=True)
    wait_for_removals()  # one remover at a time, so two never race over one leftover
    remove_in_background(leftovers(destination))
    folder = _new_staging(destination)
    previous = destination if destination.is_dir() else None
    try:
        yield Staging(folder, destination, previous)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        if made_parent:  # a failed build leaves no trace, not even the folder for its output
            with contextlib.suppress(OSError):
                destination.parent.rmdir()
        raise


def stage_file(staging: Staging, relative: str, content: bytes) -> None:
    """Put `content` at the site path `relative` of the staging folder.

    Written under a temporary name and renamed, so a killed worker never leaves half a
    file under a final name; the same bytes as the previous build's file are hard-linked
    from it instead, so the file keeps its modification time. Safe to call from several
    processes at once, for different paths.
    """
    target = staging.folder / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)
    if _reuse(staging.previous, relative, target, partial(_same_bytes, content)):
        return
    replace_through(target, content, target.with_name(f".{target.name}.{os.getpid()}.tmp"))


def replace_through(target: Path, content: bytes, temporary: Path) -> None:
    """Write `content` at `temporary`, then rename it over `target`: a reader never sees
    half a file, and a file linked from an earlier build is replaced, never written into.

    `temporary` (one name per process and target) is made anew, as a plain write would
    make it (0666 less the umask, not mkstemp's 0600), so a leftover of a killed run is
    never written through either.
    """
    temporary.unlink(missing_ok=True)
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o666)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(content)
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def publish(
    staging: Staging,
    copies: Sequence[tuple[str, Path]],
    written: set[str],
    finish: Callable[[Path], None] | None = None,
    progress: Progress = no_progress,
) -> None:
    """Copy each (site path, source file) into the staging folder, finish it and swap it in.

    `written` are the site paths already staged (the rendered files); a copied file of the
    same path gives way to it. `finish` post-processes the complete staged folder (the
    search index) before the swap; if it raises, the previous site stays as it was. When
    the build folder is a symlink (to a web root, say), the link stays and the folder it
    points to is replaced instead. The previous build is removed in the background after
    the swap (retire.py).
    """
    _copy_files(staging, copies, written, progress)
    if finish is not None:
        finish(staging.folder)
        _relink_unchanged(staging.folder, staging.previous, written | {r for r, _ in copies})
    _pause_for_tests("staged")
    retired = _swap_in(staging.folder, staging.destination)
    if retired is not None:
        remove_in_background([retired])


def build_folder(out_dir: Path) -> Path:
    """The folder a build replaces: `out_dir`, or the folder it links to when it is a symlink.

    A symlinked build folder (`build` → the web root) is a common deployment; replacing the
    link with a folder would leave the web root as it was, never updated again.
    """
    return Path(os.path.realpath(out_dir)) if out_dir.is_symlink() else out_dir


def _new_staging(destination: Path) -> Path:
    """A new, marked folder beside `destination` (on its file system, so the swap is a rename)."""
    staging = Path(tempfile.mkdtemp(prefix=f".{destination.name}-new-", dir=destination.parent))
    (staging / STAGING_MARK).write_bytes(b"")
    return staging


def _copy_files(
    staging: Staging,
    copies: Sequence[tuple[str, Path]],
    written: set[str],
    progress: Progress,
) -> None:
    """Copy the files; then mark the folder as a build and open it to readers."""
    folder = staging.folder
    made: set[Path] = set()
    total = len(copies) + len(written)
    every = report_every(total)
    for number, (relative, source) in enumerate(copies, len(written) + 1):
        # A rendered page always wins a clash with a copied file (it was staged already).
        if relative not in written:
            target = _prepare(folder, relative, made)
            # Copied with the source's mtime, which the next build compares.
            if not _reuse(staging.previous, relative, target, partial(_same_file, source)):
                shutil.copy2(source, target)
        if number % every == 0 or number == total:
            progress("files written", number, total)
    (folder / BUILD_MARK).write_bytes(_MARK_CONTENT)
    os.chmod(folder, 0o755)  # mkdtemp makes it 0700; a web server must be able to read it


def _relink_unchanged(folder: Path, previous: Path | None, written: set[str]) -> None:
    """Files `finish` made (the search index) that equal the previous build's keep its mtime too."""
    if previous is None:
        return
    for target in sorted(folder.rglob("*")):
        relative = target.relative_to(folder).as_posix()
        if relative in written or relative == STAGING_MARK or not target.is_file():
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
    """Compared byte for byte: a replacement of the same size and mtime (a copy that kept its
    time, a clock set back) must still be published, with or without the cache."""
    if source.stat().st_size != old.stat().st_size:
        return False
    with source.open("rb") as mine, old.open("rb") as theirs:
        while chunk := mine.read(_CHUNK):
            if chunk != theirs.read(len(chunk)):
                return False
    return True


_CHUNK = 1 << 20


def _prepare(folder: Path, relative: str, made: set[Path]) -> Path:
    target = folder / relative
    if target.parent not in made:
        target.parent.mkdir(parents=True, exist_ok=True)
        made.add(target.parent)
    return target


def _swap_in(staging: Path, destination: Path) -> Path | None:
    """Put `staging` in place of `destination`; the folder now holding the previous build.

    The two folders are exchanged in one step (renameat2 RENAME_EXCHANGE on Linux,
    renamex_np RENAME_SWAP on macOS), so a build folder exists at every instant, even when
    the build is killed. A symlink switched by rename would give the same, but would turn
    every build folder into a link, which copies and archives of it do not expect.
    Elsewhere, two renames: a kill between them leaves no build folder until the next build.
    """
    # The mark leaves the new build only after the swap: a kill just before it must leave a
    # staged folder the next build recognises (the build folder is replaced by then anyway).
    retired: Path | None = None
    if not os.path.lexists(destination):
        staging.rename(destination)
    else:
        _mark(destination)  # the previous build is marked before it leaves, whatever kills us
        try:
            exchanged = exchange_folders(staging, destination)
        except OSError:
            _unmark(destination)
            raise
        retired = staging if exchanged else _rename_twice(staging, destination)
        _mark(retired)  # again: marking the live folder fails where it is read-only
    _pause_for_tests("swapped")
    _unmark(destination)
    return retired


def _rename_twice(staging: Path, destination: Path) -> Path:
    retired = Path(tempfile.mkdtemp(prefix=f".{destination.name}-old-", dir=destination.parent))
    retired.rmdir()
    destination.rename(retired)
    staging.rename(destination)
    return retired


def _mark(folder: Path) -> None:
    with contextlib.suppress(OSError):  # a read-only folder: it is still swapped, just unmarked
        (folder / STAGING_MARK).write_bytes(b"")


def _unmark(folder: Path) -> None:
    with contextlib.suppress(OSError):
        (folder / STAGING_MARK).unlink(missing_ok=True)


def _pause_for_tests(point: str) -> None:
    """Let a test kill a real build at a chosen point (GOVSITE_TEST_KILL_AT=staged|swapped)."""
    if os.environ.get("GOVSITE_TEST_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)


def exchange_folders(first: Path, second: Path) -> bool:
    """Swap two paths atomically; False where the system or file system cannot."""
    swap = _atomic_swap()
    if swap is None:
        return False
    if swap(os.fsencode(first), os.fsencode(second)) == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP, errno.ENOTSUP):
        return False
    raise OSError(error, os.strerror(error), str(second))


@functools.cache
def _atomic_swap() -> Callable[[bytes, bytes], int] | None:
    """The C library's exchanging rename, if it has one."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return None
    if sys.platform.startswith("linux") and hasattr(libc, "renameat2"):
        renameat2 = libc.renameat2
        renameat2.argtypes = [
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_int,
            ctypes.c_char_p,
            ctypes.c_uint,
        ]
        renameat2.restype = ctypes.c_int
        return lambda a, b: int(renameat2(_AT_FDCWD, a, _AT_FDCWD, b, _RENAME_EXCHANGE))
    if sys.platform == "darwin" and hasattr(libc, "renamex_np"):
        renamex_np = libc.renamex_np
        renamex_np.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
        renamex_np.restype = ctypes.c_int
        return lambda a, b: int(renamex_np(a, b, _RENAME_SWAP))
    return None


_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # linux/fs.h
_RENAME_SWAP = 2  # macOS stdio.h


def write_staged(
    out_dir: Path,
    fill: Callable[[Path, Path | None, bool], None],
    spare_holds: Callable[[Path], bool] | None = None,
) -> None:
    """Fill a staging folder with `fill(staging, previous build or None, linked)`, mark it as
    a build and swap it in, as `write_site` does; `fill` raising leaves the build folder as it was.

    The engine's update (engine/rebuild.py) fills it with links to the previous build's
    files and writes only what changed: `fill` must never write into a linked file (it
    replaces it: a new file, then `os.replace`), since the previous build still shows it.
    With `spare_holds` (the update's), the retired previous build is kept as the spare
    (retire.spare_of) instead of being removed, and the spare is taken as the staging folder
    when `spare_holds(spare)` says it holds links to the previous build's files, no more and
    no fewer: `linked` is then True, and `fill` has only the changes left to write.
    """
    destination = build_folder(out_dir)
    destination.parent.mkdir(parents=True, exist_ok=True)
    wait_for_removals()
    remove_in_background(leftovers(destination))
    taken = None if spare_holds is None else _take_spare(destination, spare_holds)
    staging = taken or _new_staging(destination)
    try:
        fill(staging, destination if destination.is_dir() else None, taken is not None)
        (staging / BUILD_MARK).unlink(missing_ok=True)
        (staging / BUILD_MARK).write_bytes(_MARK_CONTENT)
        os.chmod(staging, 0o755)
        _pause_for_tests("staged")
        retired = _swap_in(staging, destination)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if retired is not None and not (spare_holds is not None and _keep_spare(retired, destination)):
        remove_in_background([retired])


def _take_spare(destination: Path, holds: Callable[[Path], bool]) -> Path | None:
    """The spare, renamed to a new staging name, if it is govsite's and `holds` says it is the
    previous build; else None, and a spare of govsite's that is not is removed in the background.

    A folder of the spare's name that govsite did not mark, or a symlink, is never touched.
    """
    spare = spare_of(destination)
    if spare.is_symlink() or not (spare / STAGING_MARK).is_file():
        return None
    ready = holds(spare)
    kind = "new" if ready else "old"
    # Renamed over a new empty folder: a unique name, taken in one step.
    taken = Path(tempfile.mkdtemp(prefix=f".{destination.name}-{kind}-", dir=destination.parent))
    try:
        os.rename(spare, taken)
    except OSError:  # not ours to take after all (changed under us): left as it is
        taken.rmdir()
        return None
    if not ready:
        remove_in_background([taken])
        return None
    (taken / SPARE_RECORD).unlink(missing_ok=True)  # a staging folder now, not a spare
    return taken


def _keep_spare(retired: Path, destination: Path) -> bool:
    """Keep the retired build (marked, as `_swap_in` left it) as the spare; False if it cannot
    be (not marked, or a folder of the spare's name is there), and it is removed as before."""
    spare = spare_of(destination)
    if os.path.lexists(spare) or not (retired / STAGING_MARK).is_file():
        return False
    try:
        retired.rename(spare)
    except OSError:
        return False
    return True
