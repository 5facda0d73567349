"""The `govsite` command's exit: after a build that left its cache to a saving child, the
process ends without tearing down what it holds (cli.run), and says all it had to say."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import MakeSite

# The command as its console script runs it, with an exit handler that shows whether the
# interpreter's teardown ran.
COMMAND = (
    "import atexit, sys; from govsite.cli import run; "
    "atexit.register(lambda: print('TEARDOWN', file=sys.stderr)); run()"
)


def govsite(root: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", COMMAND, "build", "--site", str(root), "--lang", "en", *options],
        capture_output=True,
        text=True,
        check=False,
    )


def test_a_build_that_hands_its_cache_to_a_saving_child_exits_at_once_and_says_everything(
    make_site: MakeSite,
) -> None:
    root = make_site()
    built = govsite(root, "-j1")
    assert built.returncode == 0, built.stderr
    assert "Built" in built.stdout  # flushed before the exit
    assert "TEARDOWN" not in built.stderr


def test_other_ends_run_the_interpreters_teardown_with_the_commands_exit_code(
    make_site: MakeSite,
) -> None:
    root = make_site()
    uncached = govsite(root, "-j1", "--no-cache")
    assert uncached.returncode == 0, uncached.stderr
    assert "TEARDOWN" in uncached.stderr
    (root / "govsite.yaml").write_text("title: [unclosed\n", encoding="utf-8")
    failed = govsite(root, "-j1")
    assert failed.returncode not in (0, None)
    assert "govsite.yaml" in failed.stderr
    assert "TEARDOWN" in failed.stderr
