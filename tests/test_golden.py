"""Golden output: each tests/sites/<case>/input builds to exactly tests/sites/<case>/expected.

Refresh after an intended change with `python -m pytest tests/test_golden.py --update-golden`
and review the difference in git before committing it.
"""

from __future__ import annotations

import difflib
import shutil
from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project

SITES = Path(__file__).resolve().parent / "sites"
CASES = sorted(p for p in SITES.iterdir() if (p / "input").is_dir())
# Pages and feeds are compared in full; theme assets by name only (their hash is in the name).
COMPARED_IN_FULL = (".html", ".xml", ".json", ".txt", ".csv")


def files_below(folder: Path) -> list[str]:
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(files)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_site_builds_to_its_golden_output(case: Path, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "build"
    pipeline.build(load_project(case / "input", out))
    expected = case / "expected"
    if update_golden:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
    assert files_below(out) == files_below(expected)
    for name in files_below(expected):
        if not name.endswith(COMPARED_IN_FULL):
            continue
        got = (out / name).read_text(encoding="utf-8")
        want = (expected / name).read_text(encoding="utf-8")
        if got != want:
            diff = difflib.unified_diff(
                want.splitlines(),
                got.splitlines(),
                f"expected/{name}",
                f"built/{name}",
                lineterm="",
            )
            pytest.fail(
                f"{case.name}: {name} differs (refresh with --update-golden if intended):\n"
                + "\n".join(diff)
            )
