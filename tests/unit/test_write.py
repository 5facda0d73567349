from __future__ import annotations

import os
from pathlib import Path

import pytest

from govsite.render import OutputFile
from govsite.write import BUILD_MARK, UnsafeOutputDir, check_output_dir, write_site


def test_a_build_replaces_the_old_site_whole(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, [OutputFile("a/index.html", b"one"), OutputFile("stale.html", b"x")], [])
    write_site(out, [OutputFile("a/index.html", b"two")], [])
    assert (out / "a/index.html").read_bytes() == b"two"
    assert not (out / "stale.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build"]  # no staging folders left


def test_a_failed_write_leaves_the_previous_site_and_no_debris(tmp_path: Path) -> None:
    out = tmp_path / "build"
    write_site(out, [OutputFile("index.html", b"good")], [])
    with pytest.raises(FileNotFoundError):
        write_site(
            out, [OutputFile("index.html", b"new")], [("copied.pdf", tmp_path / "missing.pdf")]
        )
    assert (out / "index.html").read_bytes() == b"good"
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
    assert sorted(p.name for p in tmp_path.iterdir()) == ["build", "notice.pdf"]


def test_a_changed_attachment_is_copied_again(tmp_path: Path) -> None:
    attachment = tmp_path / "notice.pdf"
    attachment.write_bytes(b"version 1")
    out = tmp_path / "build"
    write_site(out, [], [("notice.pdf", attachment)])
    attachment.write_bytes(b"version 2")
    write_site(out, [], [("notice.pdf", attachment)])
    assert (out / "notice.pdf").read_bytes() == b"version 2"
