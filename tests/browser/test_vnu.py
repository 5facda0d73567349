"""The Nu Html Checker (vnu-jar, run with the machine's Java) finds no error in any built page."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.browser.conftest import NODE_MODULES

VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"


def vnu_errors(build: Path) -> list[str]:
    """Every error the checker reports for the HTML files under `build`, in one JVM run."""
    java = shutil.which("java")
    if java is None or not VNU_JAR.is_file():
        pytest.fail("java or vnu.jar missing: run bash scripts/setup-browser.sh", pytrace=False)
    run = subprocess.run(
        [
            java,
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            "--skip-non-html",
            str(build),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    # vnu writes its report to stderr and exits 1 when it found errors.
    messages = json.loads(run.stderr)["messages"]
    return [
        f"{page_name(m.get('url', ''), build)}:{m.get('lastLine', '?')}: {m['type']}: {m['message']}"
        for m in messages
    ]


def page_name(url: str, build: Path) -> str:
    path = Path(url.removeprefix("file:"))
    return (
        path.relative_to(build.resolve()).as_posix()
        if path.is_relative_to(build.resolve())
        else url
    )


def test_no_html_errors_in_any_page(demo_build: Path) -> None:
    errors = vnu_errors(demo_build)
    assert not errors, "\n".join(errors)
