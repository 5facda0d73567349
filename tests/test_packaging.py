"""The wheel carries everything a site needs at build time: every module and data file of the
package (subpackages, the skeleton, schemas) and the default theme."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.conftest import REPO


def test_the_wheel_ships_the_whole_package_and_the_default_theme(tmp_path: Path) -> None:
    # From a copy: setuptools works in ./build, which is also where govsite writes the demo site.
    source = tmp_path / "source"
    for folder in ("govsite", "themes"):
        shutil.copytree(
            REPO / folder, source / folder, ignore=shutil.ignore_patterns("__pycache__")
        )
    for file in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / file, source / file)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("govsite-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = {
        p.relative_to(REPO).as_posix()
        for p in (REPO / "govsite").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }
    theme = {
        "govsite/themes/" + p.relative_to(REPO / "themes").as_posix()
        for p in (REPO / "themes" / "default").rglob("*")
        if p.is_file()
    }
    assert "govsite/skeleton/govsite.yaml" in package
    assert "govsite/check/__init__.py" in package
    assert package | theme <= names, sorted((package | theme) - names)
