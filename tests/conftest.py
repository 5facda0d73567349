"""Shared fixtures: sites made from the sample site `govsite init` writes, with edits on top."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pytest

from govsite.engine.persist import wait_for_saves
from govsite.retire import wait_for_removals
from govsite.scaffold import SKELETON

REPO = Path(__file__).resolve().parent.parent


def copy_of_the_demo(root: Path) -> Path:
    """`root`, made a copy of the demo site's sources (its content, themes and config)."""
    root.mkdir()
    for folder in ("content", "themes"):
        shutil.copytree(REPO / folder, root / folder)
    shutil.copy(REPO / "govsite.yaml", root / "govsite.yaml")
    return root


pytest_plugins = ["tests.serving"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="Rewrite tests/sites/*/expected from the current output instead of comparing.",
    )


@pytest.fixture(autouse=True)
def _reap_removals() -> Iterator[None]:
    """A `govsite build` run in-process leaves the previous build being removed, and its
    cache being saved, by child processes (retire.py, engine/persist.py); wait for them,
    so no test's folder is still being written or removed after it."""
    yield
    wait_for_removals()
    wait_for_saves()


@pytest.fixture(autouse=True)
def _no_locale(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages follow LC_ALL/LANG when they name a language: tests must not depend on the
    machine's locale (a test that wants one sets it)."""
    for variable in ("LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


MakeSite = Callable[..., Path]


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """A copy of the sample site; `files` maps relative paths to new text (None deletes)."""

    def make(files: Mapping[str, str | bytes | None] | None = None, name: str = "site") -> Path:
        root = tmp_path / name
        shutil.copytree(SKELETON, root)
        for relative, text in (files or {}).items():
            path = root / relative
            if text is None:
                path.unlink()
                continue
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
        return root

    return make


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` with its bytes."""
    files = (path for path in sorted(folder.rglob("*")) if path.is_file())
    return {path.relative_to(folder).as_posix(): path.read_bytes() for path in files}


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file below `folder` with the hash of its bytes and its mtime, to prove it was not touched."""
    return {
        path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        + f"@{path.stat().st_mtime_ns}"
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }
