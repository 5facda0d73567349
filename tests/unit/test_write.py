from __future__ import annotations

import os
from pathlib import Path

import pytest

from govsite.render import OutputFile
from govsite.write import UnsafeOutputDir, check_output_dir, write_site


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


@pytest.mark.parametrize("out", [".", "content", "content/build", "..", "themes"])
def test_the_build_never_overwrites_the_sources(tmp_path: Path, out: str) -> None:
    root = tmp_path / "site"
    sources = [root / "content", root / "themes"]
    with pytest.raises(UnsafeOutputDir):
        check_output_dir(root / out, root, sources)


def test_ordinary_build_folders_are_fine(tmp_path: Path) -> None:
    root = tmp_path / "site"
    check_output_dir(root / "build", root, [root / "content"])
    check_output_dir(tmp_path / "public", root, [root / "content"])


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
