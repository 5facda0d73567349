"""The spare: a second build folder of hard links that the next update takes as its staging folder.

An update writes the few files an edit changes, but its staging folder must hold all of
the last build's: linking them one by one, a folder per record page, cost two seconds at
10,000 records. So the update keeps the build it retires beside the build folder, as the
spare (`.build-spare`, retire.spare_of), and after the command has answered, the saving
child (engine/persist.py) brings it up to date with the new build (`sync`): each file a
hard link to the build's own (the same inode), everything else removed, and then a record
that it is that build. The next update checks it (`holds`, in a child forked beside the
loading of the snapshot: rebuild._spare_holds) and takes it as its staging folder in one
rename (write.write_staged).

The check trusts nothing it has not seen: every file the snapshot lists must be in the
spare with the snapshot's inode, size and mtime (one lstat each), and nothing else may be
there. Listing every folder for what else is there would cost what linking did, so the
sync sets every folder's mtime to one time in the past, which the record names: whatever
is added to, removed from or renamed in a folder after that sets its mtime to the present,
so a folder that still has the recorded time holds what the sync left in it (one lstat
each). A spare that is not exactly the build, or whose sync was cut short (no record, or a
folder of another time), is removed, and the update links the previous build as before.

The spare costs folders only: its files are the build's, by hard link. Removing it is
harmless (the next update links the previous build, and keeps a new spare).
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import tempfile
import time
from collections.abc import Mapping
from pathlib import Path

from govsite.engine.snapshot import BuiltFile
from govsite.retire import SPARE_RECORD, STAGING_MARK, spare_of

_PAST_NS = 10_000_000_000
"""How far before the sync the folders' time is set: whatever changes a folder later sets
its mtime to the present (even on a file system whose clock lags the machine's a little),
never back to that time."""


def holds(spare: Path, files: Mapping[str, BuiltFile]) -> bool:
    """Whether `spare` holds the files of the build `files` lists (and govsite's marks) and
    nothing else, each a link to the build's own file, as the last `sync` recorded."""
    record = _read_record(spare)
    if record is None or record.get("files") != len(files):
        return False
    at, mode = record.get("folders_mtime_ns"), _folder_mode()
    root = os.fspath(spare)
    try:
        if os.lstat(root).st_mtime_ns != at:
            return False
        for folder in _folders_of(files):
            status = os.lstat(f"{root}/{folder}")
            if status.st_mtime_ns != at or not _is_folder_of_mode(status, mode):
                return False
        for path, built in files.items():
            status = os.lstat(f"{root}/{path}")
            if not stat.S_ISREG(status.st_mode) or (
                status.st_ino,
                status.st_size,
                status.st_mtime_ns,
            ) != (built.inode, built.size, built.mtime_ns):
                return False
    except OSError:
        return False
    # Equal counts: the spare holds the build of `files`, not one of more files (the
    # record counts the files the sync left, and no folder changed since).
    return True


def sync(destination: Path, files: Mapping[str, BuiltFile]) -> None:
    """Make the spare beside `destination` hold the build there, which `files` lists, and
    record it; a folder of the spare's name that govsite did not make is left alone."""
    spare = spare_of(destination)
    try:
        if _claim(spare, destination):
            _sync(spare, destination, files)
    except OSError:
        return  # a spare without its record is never trusted; the next sync starts again


def _sync(spare: Path, destination: Path, files: Mapping[str, BuiltFile]) -> None:
    """Prune the spare, link what it lacks, record it, then set its folders' time."""
    (spare / SPARE_RECORD).unlink(missing_ok=True)  # first: a sync cut short is never trusted
    folders, mode = _folders_of(files), _folder_mode()
    kept = _prune(os.fspath(spare), "", files, folders, mode)
    _pause_for_tests("spare-syncing")
    if not _link_missing(os.fspath(destination), os.fspath(spare), files, kept):
        return  # the build is not the one `files` lists (changed since): no record
    _pause_for_tests("spare-synced")
    seconds = (time.time_ns() - _PAST_NS) // 1_000_000_000
    at = (seconds - seconds % 2) * 1_000_000_000  # whole even seconds: any file system keeps them
    record = json.dumps({"files": len(files), "folders_mtime_ns": at}).encode()
    _write_record(spare, record)
    _pause_for_tests("spare-recorded")
    for folder in folders:
        os.utime(spare / folder, ns=(at, at), follow_symlinks=False)
    os.utime(spare, ns=(at, at))  # the last: until then the record names a time not yet set


def _claim(spare: Path, destination: Path) -> bool:
    """Whether `spare` is govsite's spare, made here (marked, in one rename) if it is missing."""
    if spare.is_symlink():
        return False
    if spare.is_dir():
        return (spare / STAGING_MARK).is_file()
    made = Path(tempfile.mkdtemp(prefix=f".{destination.name}-new-", dir=destination.parent))
    (made / STAGING_MARK).write_bytes(b"")
    try:
        os.rename(made, spare)  # fails if a file or a folder of that name appeared meanwhile
    except OSError:
        shutil.rmtree(made, ignore_errors=True)
        return False
    return True


def _prune(
    folder: str, prefix: str, files: Mapping[str, BuiltFile], folders: set[str], mode: int
) -> set[str]:
    """Remove below `folder` what is not a link to the file of `files` at its path (folders
    of `folders` kept, and made of `mode`); the paths of the files kept."""
    kept: set[str] = set()
    with os.scandir(folder) as entries:
        for entry in entries:
            path = prefix + entry.name
            if path == STAGING_MARK:
                continue  # the spare's own mark
            if entry.is_dir(follow_symlinks=False):
                if path not in folders:
                    shutil.rmtree(entry.path)
                    continue
                status = entry.stat(follow_symlinks=False)
                if not _is_folder_of_mode(status, mode):
                    os.chmod(entry.path, (stat.S_IMODE(status.st_mode) & ~0o777) | mode)
                kept |= _prune(entry.path, f"{path}/", files, folders, mode)
            elif path in files and _is_link_to(entry, files[path]):
                kept.add(path)
            else:
                os.unlink(entry.path)
    return kept


def _is_link_to(entry: os.DirEntry[str], built: BuiltFile) -> bool:
    # The inode from lstat, not the directory entry's: on some file systems (overlayfs) they differ.
    return entry.is_file(follow_symlinks=False) and entry.stat(follow_symlinks=False).st_ino == (
        built.inode
    )


def _link_missing(build: str, spare: str, files: Mapping[str, BuiltFile], kept: set[str]) -> bool:
    """Link each file of `files` the spare lacks from the build; False if one of the build's
    is not the file `files` lists."""
    made: set[str] = set()
    for path, built in files.items():
        if path in kept:
            continue
        source = f"{build}/{path}"
        if os.lstat(source).st_ino != built.inode:
            return False
        parent = path.rpartition("/")[0]
        if parent not in made:
            os.makedirs(f"{spare}/{parent}", exist_ok=True)
            made.add(parent)
        os.link(source, f"{spare}/{path}")
    return True


def _folders_of(files: Mapping[str, BuiltFile]) -> set[str]:
    """Every folder below the build folder that holds a file of `files` (at any depth)."""
    folders: set[str] = set()
    for path in files:
        parent = path.rpartition("/")[0]
        while parent and parent not in folders:
            folders.add(parent)
            parent = parent.rpartition("/")[0]
    return folders


def _is_folder_of_mode(status: os.stat_result, mode: int) -> bool:
    return stat.S_ISDIR(status.st_mode) and stat.S_IMODE(status.st_mode) & 0o777 == mode


def _folder_mode() -> int:
    """The permissions a folder the build makes gets (0777 less the umask), as a folder of
    the spare must have: the spare's folders become the build's."""
    return 0o777 & ~_umask()


def _umask() -> int:
    """The process's umask, read where the system shows it (Linux): setting it to learn it
    would change it, for a moment, for another thread making files."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)
    os.umask(umask)
    return umask


def _read_record(spare: Path) -> dict[str, int] | None:
    try:
        record = json.loads((spare / SPARE_RECORD).read_bytes())
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(spare: Path, record: bytes) -> None:
    """Write the record under a temporary name, then rename it: it is whole or missing."""
    temporary = spare / f"{SPARE_RECORD}.tmp"
    temporary.write_bytes(record)
    os.replace(temporary, spare / SPARE_RECORD)


def _pause_for_tests(point: str) -> None:
    """Let a test kill the sync at a chosen point (GOVSITE_TEST_KILL_AT=spare-syncing,
    spare-synced or spare-recorded), as write.py's own points do."""
    if os.environ.get("GOVSITE_TEST_KILL_AT") == point:
        os.kill(os.getpid(), signal.SIGKILL)
