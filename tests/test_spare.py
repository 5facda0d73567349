"""The spare build folder (engine/spare.py): the update takes it as its staging folder when
it is exactly the last build, and never when anything in it may have been touched."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from govsite import lock, pipeline
from govsite.config import CACHE_DIR, load_project
from govsite.engine import rebuild
from govsite.result import BuildResult
from govsite.retire import SPARE_RECORD, STAGING_MARK, wait_for_removals
from tests.conftest import MakeSite, tree_bytes

SPARE = ".build-spare"


def build_with_cache(root: Path) -> BuildResult:
    return pipeline.build(load_project(root), cache_dir=root / CACHE_DIR)


def add_paragraph(root: Path, paragraph: str) -> None:
    """An edit of a document: the engine's update, not a build of everything."""
    guide = root / "content" / "pages" / "guide.md"
    guide.write_text(guide.read_text(encoding="utf-8") + f"\n{paragraph}\n", encoding="utf-8")


def assert_as_clean(root: Path) -> None:
    """The build folder holds what a build of everything, without the cache, writes."""
    wait_for_removals()
    clean = root.parent / "clean"
    pipeline.build(load_project(root, clean), cache_dir=None)
    built, expected = tree_bytes(root / "build"), tree_bytes(clean)
    assert sorted(built) == sorted(expected)
    assert [path for path in expected if built[path] != expected[path]] == []


def inode(path: Path) -> int:
    return os.lstat(path).st_ino


Pin = Callable[[Path], int]


@pytest.fixture
def pin() -> Iterator[Pin]:
    """The inode of a folder, kept open to the test's end: a folder removed meanwhile cannot
    hand its inode number to a new one, which would then pass for it."""
    held: list[int] = []

    def pinned(folder: Path) -> int:
        held.append(os.open(folder, os.O_RDONLY | os.O_DIRECTORY))
        return os.fstat(held[-1]).st_ino

    yield pinned
    for descriptor in held:
        os.close(descriptor)


def no_linking(*arguments: object) -> bool:
    raise AssertionError("the update linked the previous build's files")


def assert_the_next_update_takes_the_spare(
    root: Path, paragraph: str, monkeypatch: pytest.MonkeyPatch, pin: Pin
) -> None:
    """An edit, then a build that takes the spare as it is now (and links nothing)."""
    add_paragraph(root, paragraph)
    spare = pin(root / SPARE)
    with monkeypatch.context() as patched:
        patched.setattr(rebuild, "_link_previous", no_linking)
        build_with_cache(root)
    assert inode(root / "build") == spare
    assert_as_clean(root)


def test_an_update_takes_the_spare_as_its_staging_folder_and_links_nothing(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, pin: Pin
) -> None:
    root = make_site()
    build_with_cache(root)
    assert (root / SPARE / SPARE_RECORD).is_file()  # made by the save, for the first update
    for n in range(2):
        spare, build = pin(root / SPARE), pin(root / "build")
        add_paragraph(root, f"第{n}段。")
        with monkeypatch.context() as patched:
            patched.setattr(rebuild, "_link_previous", no_linking)
            result = build_with_cache(root)
        assert result.pages_reused > 0  # the engine's update
        assert inode(root / "build") == spare  # the spare, renamed: it is the new build
        assert inode(root / SPARE) == build  # the retired build, kept as the next spare
        assert (root / SPARE / SPARE_RECORD).is_file()
        assert f"第{n}段" in (root / "build/pages/guide/index.html").read_text(encoding="utf-8")
        assert_as_clean(root)
    # The spare holds the build's own files: it costs folders, not copies.
    assert inode(root / SPARE / "index.html") == inode(root / "build" / "index.html")
    assert not (root / "build" / SPARE_RECORD).exists()


def add_file(spare: Path) -> None:
    (spare / "pages" / "extra.html").write_bytes(b"not built")


def add_folder(spare: Path) -> None:
    (spare / "pages" / "extra").mkdir()


def replace_page(spare: Path) -> None:
    page = spare / "index.html"
    page.unlink()
    page.write_bytes(b"not built")


def remove_file(spare: Path) -> None:
    (spare / "robots.txt").unlink()  # a file the edit does not write again


def write_into_page(spare: Path) -> None:
    """Written in place: the build's file too, which is the same inode."""
    with (spare / "index.html").open("ab") as page:
        page.write(b"<!-- not built -->")


def close_folder(spare: Path) -> None:
    (spare / "pages").chmod(0o700)


def forge_record(spare: Path) -> None:
    (spare / SPARE_RECORD).write_bytes(b'{"files": 1, "folders_mtime_ns": 0}')


@pytest.mark.parametrize(
    "tamper",
    [add_file, add_folder, replace_page, remove_file, write_into_page, close_folder, forge_record],
)
def test_a_spare_touched_since_its_sync_is_not_taken(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, pin: Pin, tamper: Callable[[Path], None]
) -> None:
    root = make_site()
    build_with_cache(root)
    spare = pin(root / SPARE)
    tamper(root / SPARE)
    add_paragraph(root, "又一段。")
    build_with_cache(root)
    assert inode(root / "build") != spare
    assert_as_clean(root)  # nothing of the tampered spare is in it
    # It was removed, the retired build kept as the spare in its place, and that one is taken.
    assert_the_next_update_takes_the_spare(root, "再一段。", monkeypatch, pin)


def test_a_spare_govsite_did_not_make_is_never_touched(make_site: MakeSite) -> None:
    root = make_site()
    mine = root / SPARE
    mine.mkdir()
    (mine / "notes.txt").write_bytes(b"mine")
    build_with_cache(root)
    add_paragraph(root, "一段。")
    build_with_cache(root)
    assert_as_clean(root)
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]
    assert (mine / "notes.txt").read_bytes() == b"mine"
    assert sorted(p.name for p in root.iterdir() if p.name.startswith(".build")) == [SPARE]


# -- killed: each at a point of its own, in a real `govsite build` ---------------------------------


def run_build(root: Path, kill_at: str | None = None) -> int:
    """`govsite build` as the command line runs it, the cache (and the spare) saved in a child
    after it returns; its exit code, once that child is done, killed or not."""
    environment = {k: v for k, v in os.environ.items() if k != "GOVSITE_TEST_KILL_AT"}
    if kill_at is not None:
        environment["GOVSITE_TEST_KILL_AT"] = kill_at
    done = subprocess.run(
        [sys.executable, "-m", "govsite", "build", "--site", str(root), "-j1", "-q"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    os.close(lock.hold_saving_lock(root / CACHE_DIR))  # the saving child is done
    return done.returncode


KILLED = {
    # point: (the command's exit code, the spare's record there after the kill)
    "saving": (0, False),  # the child killed before it saves anything
    "spare-syncing": (0, False),  # the spare half pruned
    "spare-synced": (0, False),  # the spare whole, not yet recorded
    "spare-recorded": (0, True),  # recorded, its folders' time not yet set
    "staged": (-9, None),  # the update killed before its swap: the spare it took is a leftover
    "swapped": (-9, None),  # the update killed after its swap: the spare it took is the build
}


@pytest.mark.parametrize("point", sorted(KILLED))
def test_a_kill_while_the_spare_is_synced_or_taken_costs_time_not_correctness(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, pin: Pin, point: str
) -> None:
    root = make_site()
    assert run_build(root) == 0
    add_paragraph(root, "第一段。")
    assert run_build(root) == 0  # an update: it takes the spare the first build's save made
    add_paragraph(root, "第二段。")
    retired = pin(root / "build")
    code, recorded = KILLED[point]
    assert run_build(root, kill_at=point) == code
    assert (root / "build" / "index.html").is_file()
    if recorded is None:
        assert not (root / SPARE).exists()
    else:
        assert inode(root / SPARE) == retired
        assert (root / SPARE / SPARE_RECORD).is_file() == recorded

    add_paragraph(root, "第三段。")
    build_with_cache(root)
    assert inode(root / "build") != retired  # never the spare the kill left
    assert_as_clean(root)
    # And the next update takes the spare kept again.
    assert_the_next_update_takes_the_spare(root, "第四段。", monkeypatch, pin)
    assert [p.name for p in root.iterdir() if p.name.startswith(".build")] == [SPARE]
    assert (root / SPARE / STAGING_MARK).is_file()
