"""A build killed at any point of the write stage leaves a build folder, and the next build cleans up.

Each build runs as a real `govsite build` process that kills itself with SIGKILL at a chosen
point of the write stage (GOVSITE_TEST_KILL_AT, write.py's `_pause_for_tests`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.retire import wait_for_removals
from tests.conftest import MakeSite, tree_bytes


def run_build(root: Path, kill_at: str | None = None) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if k != "GOVSITE_TEST_KILL_AT"}
    if kill_at is not None:
        environment["GOVSITE_TEST_KILL_AT"] = kill_at
    return subprocess.run(
        [sys.executable, "-m", "govsite", "build", "--site", str(root), "--no-cache", "-j1", "-q"],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


def beside_build(root: Path) -> list[str]:
    return sorted(p.name for p in root.iterdir() if p.name.startswith(".build"))


@pytest.mark.parametrize("point", ["staged", "swapped"])
def test_a_killed_build_leaves_a_whole_site_and_the_next_build_removes_its_leftovers(
    make_site: MakeSite, point: str
) -> None:
    root = make_site()
    assert run_build(root).returncode == 0
    first = tree_bytes(root / "build")
    page = root / "content/pages/guide.md"
    page.write_text(page.read_text(encoding="utf-8") + "\n新增的一段。\n", encoding="utf-8")

    killed = run_build(root, kill_at=point)

    assert killed.returncode == -signal.SIGKILL
    assert (root / "build" / "index.html").is_file()  # a whole site, old or new
    if point == "staged":
        assert tree_bytes(root / "build") == first
    leftovers = beside_build(root)
    assert leftovers  # what the kill left: the staged build, or the retired one
    assert all((root / name / ".govsite-staging").is_file() for name in leftovers)

    pipeline.build(load_project(root))  # in this process, so it can wait for its removals
    wait_for_removals()
    rebuilt = tree_bytes(root / "build")
    assert "新增的一段" in rebuilt["pages/guide/index.html"].decode()
    assert ".govsite-staging" not in rebuilt
    assert beside_build(root) == []
