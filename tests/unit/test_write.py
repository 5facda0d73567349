from __future__ import annotations

import os
from pathlib import Path

import pytest

from govsite.render import OutputFile
from govsite.retire import wait_for_removals
from govsite.write import (
    BUILD_MARK,
    UnsafeOutputDir,
    check_output_dir,
    exchange_folders,
    write_site,
)


def test_a_build_replaces_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, [OutputFile("a/index.html", b"one"), OutputFile("stale.html", b"x")], [])
    write_site(out, [OutputFile("a/index.html", b"two")], [])
    assert (out / "a/index.html").read_bytes() == b"two"
    assert not (out / "stale.html").exists()
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no staging folders left


def test_a_failed_write_leaves_the_previous_site_and_no_debris(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, [OutputFile("index.html", b"good")], [])
    with pytest.raises(FileNotFoundError):
        write_site(
            out, [OutputFile("index.html", b"new")], [("copied.pdf", tmp_path / "missing.pdf")]
        )
    assert (out / "index.html").read_bytes() == b"good"
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]


def test_pages_win_over_copied_files_of_the_same_path(tmp_path: Path) -> None:
    source = tmp_path / "index.html"
    source.write_bytes(b"copied")
    write_site(
        tmp_path / "build", [OutputFile("index.html", b"rendered")], [("index.html", source)]
    )
    assert (tmp_path / "build/index.html").read_bytes() == b"rendered"


@pytest.mark.parametrize(
    "out", [".", "content", "content/build", "..", "themes", ".govsite-cache", ".govsite-cache/x"]
)
def test_the_build_never_overwrites_the_sources(tmp_path: Path, out: str) -> None:
    root = tmp_path / "site"
    sources = [root / "content", root / "themes"]
    with pytest.raises(UnsafeOutputDir):
        check_output_dir(root / out, root, sources, root / ".govsite-cache")


def test_ordinary_build_folders_are_fine(tmp_path: Path) -> None:
    root = tmp_path / "site"
    cache = root / ".govsite-cache"
    check_output_dir(root / "build", root, [root / "content"], cache)
    check_output_dir(tmp_path / "public", root, [root / "content"], cache)
    (tmp_path / "empty").mkdir()
    check_output_dir(tmp_path / "empty", root, [root / "content"], cache)


def test_a_folder_govsite_did_not_write_is_never_replaced(tmp_path: Path) -> None:
    root = tmp_path / "site"
    cache = root / ".govsite-cache"
    other = tmp_path / "photos"
    other.mkdir()
    (other / "holiday.jpg").write_bytes(b"irreplaceable")
    with pytest.raises(UnsafeOutputDir, match=r"photos.*did not write.*holiday\.jpg"):
        check_output_dir(other, root, [root / "content"], cache)
    (tmp_path / "notes.txt").write_text("a file, not a folder")
    with pytest.raises(UnsafeOutputDir, match="is a file"):
        check_output_dir(tmp_path / "notes.txt", root, [root / "content"], cache)


def test_a_git_repository_is_never_a_build_folder(tmp_path: Path) -> None:
    root = tmp_path / "site"
    cache = root / ".govsite-cache"
    (root / ".git" / "objects").mkdir(parents=True)
    for out in (root / ".git", root / ".git" / "objects", root / ".git" / "new"):
        with pytest.raises(UnsafeOutputDir, match=r"\.git"):
            check_output_dir(out, root, [root / "content"], cache)
    checkout = tmp_path / "checkout"
    (checkout / ".git").mkdir(parents=True)
    with pytest.raises(UnsafeOutputDir, match="git repository"):
        check_output_dir(checkout, root, [root / "content"], cache)


def test_a_folder_an_earlier_build_wrote_may_be_replaced(tmp_path: Path) -> None:
    root = tmp_path / "site"
    out = tmp_path / "public"
    write_site(out, [OutputFile("index.html", b"one")], [])
    assert (out / BUILD_MARK).is_file()
    check_output_dir(out, root, [root / "content"], root / ".govsite-cache")


def test_unchanged_files_keep_their_modification_time(tmp_path: Path) -> None:
    attachment = tmp_path / "notice.pdf"
    attachment.write_bytes(b"%PDF-1.7")
    out = tmp_path / "build"
    pages = [OutputFile("same.html", b"same"), OutputFile("changed.html", b"one")]
    write_site(out, pages, [("files/notice.pdf", attachment)])
    for path in out.rglob("*"):  # back-date, so a rewrite could not land on the same time
        if path.is_file():
            os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    old_mtimes = {p.name: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}

    pages = [OutputFile("same.html", b"same"), OutputFile("changed.html", b"two")]
    write_site(out, pages, [("files/notice.pdf", attachment)])

    new_mtimes = {p.name: p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()}
    assert new_mtimes["same.html"] == old_mtimes["same.html"]
    assert new_mtimes["changed.html"] != old_mtimes["changed.html"]
    assert (out / "changed.html").read_bytes() == b"two"
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "notice.pdf"]


def test_a_changed_attachment_is_copied_again(tmp_path: Path) -> None:
    attachment = tmp_path / "notice.pdf"
    attachment.write_bytes(b"version 1")
    out = tmp_path / "build"
    write_site(out, [], [("notice.pdf", attachment)])
    attachment.write_bytes(b"version 2")
    write_site(out, [], [("notice.pdf", attachment)])
    assert (out / "notice.pdf").read_bytes() == b"version 2"


def test_a_replacement_of_the_same_size_and_mtime_is_still_published(tmp_path: Path) -> None:
    attachment = tmp_path / "notice.pdf"
    attachment.write_bytes(b"version 1")
    out = tmp_path / "build"
    write_site(out, [], [("notice.pdf", attachment)])
    published = (out / "notice.pdf").stat()
    attachment.write_bytes(b"version 2")  # same size
    os.utime(attachment, ns=(published.st_atime_ns, published.st_mtime_ns))  # and same mtime
    write_site(out, [], [("notice.pdf", attachment)])
    assert (out / "notice.pdf").read_bytes() == b"version 2"


def test_a_symlinked_build_folder_stays_a_link_and_its_target_is_updated(tmp_path: Path) -> None:
    web_root = tmp_path / "www" / "site"
    web_root.mkdir(parents=True)
    out = tmp_path / "build"
    out.symlink_to(web_root, target_is_directory=True)
    write_site(out, [OutputFile("index.html", b"one"), OutputFile("old.html", b"x")], [])
    write_site(out, [OutputFile("index.html", b"two")], [])
    wait_for_removals()
    assert out.is_symlink() and os.readlink(out) == str(web_root)
    assert (web_root / "index.html").read_bytes() == b"two"
    assert not (web_root / "old.html").exists()
    assert sorted(p.name for p in (tmp_path / "www").iterdir()) == ["site"]


def test_two_folders_are_exchanged_in_one_step(tmp_path: Path) -> None:
    """What the swap into the build folder rests on: both paths exist before, during and after."""
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "a").write_bytes(b"a")
    (second / "b").write_bytes(b"b")
    if not exchange_folders(first, second):
        pytest.skip("this system has no atomic exchange; the write stage renames twice")
    assert [p.name for p in first.iterdir()] == ["b"]
    assert [p.name for p in second.iterdir()] == ["a"]


def test_only_marked_or_empty_folders_named_by_govsite_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, [OutputFile("index.html", b"one")], [])
    marked = tmp_path / ".build-new-killed"
    (marked / "records").mkdir(parents=True)
    (marked / "records" / "index.html").write_bytes(b"half")
    (marked / ".govsite-staging").write_bytes(b"")
    empty = tmp_path / ".build-old-empty"
    empty.mkdir()
    unmarked = tmp_path / ".build-new-mine"  # someone's own folder that happens to match
    unmarked.mkdir()
    (unmarked / "keep.txt").write_bytes(b"mine")
    other = tmp_path / ".public-new-x"  # another build folder's leftovers are not ours to judge
    other.mkdir()
    (other / ".govsite-staging").write_bytes(b"")
    write_site(out, [OutputFile("index.html", b"two")], [])
    wait_for_removals()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        ".build-new-mine",
        ".public-new-x",
        "build",
    ]
    assert (unmarked / "keep.txt").read_bytes() == b"mine"


def test_a_dangling_build_symlink_gets_its_target_made(tmp_path: Path) -> None:
    out = tmp_path / "build"
    out.symlink_to(tmp_path / "www" / "site", target_is_directory=True)
    write_site(out, [OutputFile("index.html", b"one")], [])
    assert out.is_symlink()
    assert (tmp_path / "www" / "site" / "index.html").read_bytes() == b"one"
