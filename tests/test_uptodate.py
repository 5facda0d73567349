"""A build whose inputs and build folder are as the last build left them writes nothing."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from govsite import fingerprint, pipeline, theme, uptodate
from govsite.cli import main
from govsite.config import load_project
from govsite.errors import BuildFailed
from govsite.outputs import search
from govsite.result import BuildResult
from tests.conftest import MakeSite
from tests.test_incremental import demo, records
from tests.unit.test_search import SKELETON_FRESH

__all__ = ["demo"]  # the fixture, shared with the incremental tests

AS_OF = date(2026, 11, 30)


def build(root: Path, *, strict: bool = False, as_of: date = AS_OF) -> BuildResult:
    """As `govsite build` does: replay the last build if it is current, else build."""
    project = load_project(root)
    _, replayed = uptodate.replay(project, project.cache_dir, strict=strict, as_of=as_of)
    return replayed or pipeline.build(
        project, strict=strict, as_of=as_of, jobs=1, cache_dir=project.cache_dir
    )


def settle(root: Path) -> None:
    """Date every file a few seconds back, so a build trusts their mtimes (uptodate.SETTLED_NS)."""
    past = time.time() - 10
    for path in (root / "govsite.yaml", *root.rglob("*")):
        os.utime(path, (past, past))


def mtimes(folder: Path) -> dict[Path, int]:
    return {path: path.stat().st_mtime_ns for path in folder.rglob("*") if path.is_file()}


def _cannot_write(*arguments: object) -> None:
    raise OSError("the disk is full")


@pytest.fixture
def built(demo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The demo built once, its sources dated back so the build trusts their mtimes."""
    # Without its search index the build warns (GS501): a diagnostic the up-to-date build must repeat.
    monkeypatch.setattr(search, "_write_index", _cannot_write)
    settle(demo)
    first = build(demo)
    assert first.site is not None and [d.code for d in first.diagnostics] == ["GS501"]
    return demo


def test_nothing_changed_reads_nothing_writes_nothing_and_repeats_the_report(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = mtimes(built / "build")

    def must_not_build(*args: object, **kwargs: object) -> None:
        raise AssertionError("an up-to-date build built the site")

    monkeypatch.setattr(pipeline, "build", must_not_build)
    again = build(built)
    assert again.site is None
    assert again.summary().startswith(f"Up to date: {again.pages_written} pages")
    assert [d.code for d in again.diagnostics] == ["GS501"]
    assert mtimes(built / "build") == before


def edit_a_record(root: Path) -> None:
    with records(root)[0].open("a", encoding="utf-8") as file:
        file.write("\n补充一句。\n")


def touch_the_config(root: Path) -> None:
    (root / "govsite.yaml").touch()


def edit_the_theme(root: Path) -> None:
    stylesheet = next((root / "themes").rglob("*.css"))
    stylesheet.write_text(stylesheet.read_text(encoding="utf-8") + "\n", encoding="utf-8")


def add_an_attachment(root: Path) -> None:
    attachment = root / "content" / "files" / "new.txt"
    attachment.parent.mkdir(exist_ok=True)
    attachment.write_text("新附件", encoding="utf-8")


def delete_a_built_page(root: Path) -> None:
    (root / "build" / "index.html").unlink()


def edit_a_built_page(root: Path) -> None:
    with (root / "build" / "index.html").open("ab") as file:
        file.write(b"<!-- edited by hand -->")


@pytest.mark.parametrize(
    "change",
    [
        edit_a_record,
        touch_the_config,
        edit_the_theme,
        add_an_attachment,
        delete_a_built_page,
        edit_a_built_page,
    ],
)
def test_any_change_to_inputs_or_output_builds_again(
    built: Path, change: Callable[[Path], None]
) -> None:
    clean = (built / "build" / "index.html").read_bytes()
    change(built)
    again = build(built)
    assert again.site is not None
    if change in (delete_a_built_page, edit_a_built_page):
        assert (built / "build" / "index.html").read_bytes() == clean  # the site is whole again


def test_other_options_build_again(built: Path) -> None:
    assert build(built, as_of=date(2026, 12, 1)).site is not None  # the health report's date
    assert build(built, as_of=date(2026, 12, 1)).site is None
    with pytest.raises(BuildFailed):  # built, not replayed: --strict makes GS501 fatal
        build(built, as_of=date(2026, 12, 1), strict=True)


def test_inputs_modified_just_before_the_build_are_checked_again(built: Path) -> None:
    """An mtime as young as the build may hide a second same-size edit: no stamp for it."""
    now = os.stat(built / "govsite.yaml").st_mtime
    touch_the_config(built)
    assert os.stat(built / "govsite.yaml").st_mtime > now
    assert build(built).site is not None  # changed: built, but not stamped, being so young
    assert build(built).site is not None
    settle(built)
    assert build(built).site is not None  # settled now: built, and stamped
    assert build(built).site is None


def test_the_site_folder_may_be_named_either_way(
    built: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(built)
    assert build(Path(".")).site is None  # `built` was built through its absolute path


def test_the_command_says_so_and_repeats_the_warnings(built: Path) -> None:
    result = CliRunner().invoke(
        main, ["build", "--site", str(built), "--as-of", AS_OF.isoformat(), "--lang", "en"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Up to date: ")
    assert "warning[GS501]" in result.stderr


def test_an_edit_to_a_built_in_theme_builds_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A source checkout keeps the built-in themes beside the package, not inside it."""
    themes = tmp_path / "themes"
    shutil.copytree(theme.BUILTIN_THEMES, themes)
    monkeypatch.setattr(theme, "BUILTIN_THEMES", themes)
    monkeypatch.setattr(uptodate, "BUILTIN_THEMES", themes)
    root = make_site()
    assert not (root / "themes").exists()  # the site uses the built-in theme
    settle(root)
    assert build(root, as_of=SKELETON_FRESH).site is not None
    assert build(root, as_of=SKELETON_FRESH).site is None
    script = next(themes.rglob("search.js"))
    script.write_text(script.read_text(encoding="utf-8") + "\n// edited\n", encoding="utf-8")
    assert build(root, as_of=SKELETON_FRESH).site is not None


def test_a_library_installed_or_upgraded_builds_again(
    built: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Versions are read from the names of the libraries' metadata folders on sys.path."""
    libraries = tmp_path / "site-packages"
    (libraries / "markdown_it_py-3.0.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(libraries))
    assert build(built).site is not None
    assert build(built).site is None
    (libraries / "markdown_it_py-3.0.0.dist-info").rename(
        libraries / "markdown_it_py-4.0.0.dist-info"
    )
    assert build(built).site is not None


def test_another_version_of_a_library_is_another_code_key(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Everything kept was made by this govsite beside these libraries (a Jinja or lxml
    release may render or read a page differently), named by their metadata folders."""
    before = fingerprint.code_key()
    libraries = tmp_path / "site-packages"
    # A folder without its METADATA, as an install cut short leaves it, counts too.
    (libraries / "markdown_it_py-9.9.9.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(libraries))
    assert fingerprint.code_key() != before


def test_govsites_own_metadata_is_no_library_version(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`python -m govsite` puts the folder it runs in on sys.path: run from a source
    checkout, it found the checkout's govsite.egg-info, which the console script does not
    see, and every switch between the two built everything."""
    checkout = tmp_path / "checkout"
    for name in ("govsite.egg-info", "govsite-0.1.0.dist-info", "jinja2-9.9.dist-info"):
        (checkout / name).mkdir(parents=True)
    monkeypatch.chdir(checkout)
    monkeypatch.syspath_prepend("")
    found = fingerprint.versions()
    assert "jinja2-9.9.dist-info" in found
    assert [name for name in found if name.startswith("govsite") and name.endswith("-info")] == []
