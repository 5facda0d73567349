"""Golden output: each tests/sites/<case>/input builds to exactly tests/sites/<case>/expected.

Refresh after an intended change with `python -m pytest tests/test_golden.py --update-golden`
and review the difference in git before committing it.
"""

from __future__ import annotations

import difflib
import shutil
from datetime import date
from pathlib import Path

import pytest

from govsite import pipeline
from govsite.config import load_project
from govsite.manifest import MANIFEST_PATH, Manifest

SITES = Path(__file__).resolve().parent / "sites"
CASES = sorted(p for p in SITES.iterdir() if (p / "input").is_dir())
# Pages and feeds are compared in full; theme assets by name only (their hash is in the name).
COMPARED_IN_FULL = (".html", ".xml", ".json", ".txt", ".csv")
# Output depends on the day a site is built for (validity, held-back records): a fixed one.
GOLDEN_AS_OF = date(2026, 11, 30)


def comparable_manifest(folder: Path) -> str:
    """The manifest without the source commit: the golden sites sit inside govsite's own
    repository, whose commit changes with every commit."""
    manifest = Manifest.from_bytes((folder / MANIFEST_PATH).read_bytes())
    return Manifest(manifest.files).to_bytes().decode("utf-8")


def files_below(folder: Path) -> list[str]:
    files = (p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    return sorted(files)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_site_builds_to_its_golden_output(case: Path, tmp_path: Path, update_golden: bool) -> None:
    out = tmp_path / "build"
    pipeline.build(load_project(case / "input", out), as_of=GOLDEN_AS_OF)
    expected = case / "expected"
    if update_golden:
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(out, expected)
        (expected / MANIFEST_PATH).write_text(comparable_manifest(out), encoding="utf-8")
    assert files_below(out) == files_below(expected)
    for name in files_below(expected):
        if not name.endswith(COMPARED_IN_FULL):
            continue
        got = (out / name).read_text(encoding="utf-8")
        want = (expected / name).read_text(encoding="utf-8")
        if name == MANIFEST_PATH:
            got = comparable_manifest(out)
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
