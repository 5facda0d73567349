"""In an editable install (`pip install -e .`, the README's own), the default theme is read
from the checkout's themes/, outside the package: an edit there must build again."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import time
from pathlib import Path

from tests.conftest import REPO


def editable_install(tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the checkout installed with `pip install -e` into a new virtual environment;
    (its python, its checkout). The environment finds govsite's dependencies in this one's."""
    checkout = tmp_path / "checkout"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    for folder in ("govsite", "themes"):
        shutil.copytree(REPO / folder, checkout / folder, ignore=ignore)
    for file in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / file, checkout / file)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    Path(purelib, "dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-build-isolation", "-e", str(checkout)],
        check=True,
        capture_output=True,
    )
    return python, checkout


def settle(*folders: Path) -> None:
    """Date every file back, so the build trusts their mtimes (uptodate.SETTLED_NS)."""
    past = time.time() - 30
    for folder in folders:
        for path in folder.rglob("*"):
            os.utime(path, (past, past))


def test_an_edit_of_the_default_theme_in_an_editable_install_builds_again(
    tmp_path: Path,
) -> None:
    python, checkout = editable_install(tmp_path)
    where = subprocess.run(
        [str(python), "-c", "from govsite.theme import BUILTIN_THEMES; print(BUILTIN_THEMES)"],
        check=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,  # not the repository's root, where `-c` would import its govsite
    )
    assert Path(where.stdout.strip()) == checkout / "themes"  # the real editable layout
    site = tmp_path / "site"
    subprocess.run([str(python), "-m", "govsite", "init", str(site)], check=True, cwd=tmp_path)

    def build() -> str:
        done = subprocess.run(
            [str(python), "-m", "govsite", "build", "--site", str(site), "-j", "1", "--lang", "en"],
            capture_output=True,
            text=True,
            cwd=tmp_path,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    settle(site, checkout)
    assert build().startswith("Built")
    assert build().startswith("Up to date")  # the stamp was written and is trusted
    labels = checkout / "themes" / "default" / "labels" / "zh-CN.yaml"
    labels.write_text(
        labels.read_text(encoding="utf-8").replace(
            'footer_nav: "网站信息"', 'footer_nav: "站点信息"'
        ),
        encoding="utf-8",
    )
    settle(checkout / "themes")
    assert build().startswith("Built")
    assert 'aria-label="站点信息"' in (site / "build" / "index.html").read_text(encoding="utf-8")
