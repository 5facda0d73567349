from __future__ import annotations

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
