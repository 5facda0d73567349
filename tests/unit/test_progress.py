"""Build progress: bars on a terminal, one summary line otherwise, nothing on stdout with --quiet."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner

from govsite import pipeline
from govsite.cli import main
from govsite.config import load_project
from govsite.progress import TerminalBars, no_progress, progress_for
from tests.conftest import MakeSite


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_bar_moves_in_place_and_ends_its_line_when_the_stage_is_done() -> None:
    screen = Terminal()
    bars = TerminalBars(screen)
    for done in range(0, 1001):
        bars("pages rendered", done, 1000)
    drawn = screen.getvalue()
    assert drawn.count("\r") == 31  # redrawn only when the 30-wide bar moves, and at 0
    assert drawn.endswith(f"\rpages rendered   [{'#' * 30}] 1,000/1,000\n")
    assert drawn.count("\n") == 1


@pytest.mark.parametrize(
    ("tty", "ci", "quiet", "bars"),
    [
        (True, None, False, True),
        (True, None, True, False),
        (True, "true", False, False),
        (False, None, False, False),
    ],
)
def test_bars_only_on_an_interactive_terminal(
    monkeypatch: pytest.MonkeyPatch, tty: bool, ci: str | None, quiet: bool, bars: bool
) -> None:
    if ci is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", ci)
    stream = Terminal() if tty else io.StringIO()
    chosen = progress_for(stream, quiet=quiet)
    assert isinstance(chosen, TerminalBars) is bars
    assert (chosen is no_progress) is not bars


def test_the_build_reports_every_stage_up_to_its_total(make_site: MakeSite) -> None:
    seen: dict[str, list[tuple[int, int]]] = {}
    pipeline.build(
        load_project(make_site()),
        jobs=2,
        progress=lambda stage, done, total: seen.setdefault(stage, []).append((done, total)),
    )
    # No "pages read back": each page is read by the worker that rendered it (streaming).
    stages = ["records loaded", "pages rendered", "files written", "search indexed"]
    assert list(seen) == stages
    for reports in seen.values():
        assert reports[-1][0] == reports[-1][1] > 0
        assert [done for done, _ in reports] == sorted(done for done, _ in reports)


def test_quiet_prints_nothing_on_stdout_and_piped_output_is_one_line(make_site: MakeSite) -> None:
    root = make_site()
    quiet = CliRunner().invoke(main, ["build", "--site", str(root), "--quiet"])
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stdout == ""
    piped = CliRunner().invoke(main, ["build", "--site", str(root), "--no-cache", "--lang", "en"])
    assert piped.stdout.count("\n") == 1
    assert piped.stdout.startswith("Built ")
