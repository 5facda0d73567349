"""Where govsite's built-in themes are (standard library only: uptodate.py lists them too)."""

from __future__ import annotations

from pathlib import Path


def _builtin_themes() -> Path:
    """A wheel ships the themes inside the package (govsite/themes); a source checkout and an
    editable install (`pip install -e .`) keep them at the repository's root (themes/)."""
    package = Path(__file__).resolve().parent
    packaged = package / "themes"
    return packaged if packaged.is_dir() else package.parent / "themes"


BUILTIN_THEMES = _builtin_themes()
