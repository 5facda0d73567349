"""Find the theme chain (a theme may `extends:` another), its labels and its content-hashed assets.

Themes are looked up in the site's own `themes/` first, then in the themes that ship
with govsite. Templates resolve through the site's `templates/` folder, then the chain
child first; `{% extends "default:base.html" %}` reaches a named theme's template so an
override can change one block.
"""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Literal

import jinja2
import rcssmin  # type: ignore[import-untyped]
import rjsmin  # type: ignore[import-untyped]

from govsite.builtin import BUILTIN_THEMES as BUILTIN_THEMES  # serve.py imports it from here
from govsite.config import Project
from govsite.errors import Report, SourceLocation
from govsite.messages import text
from govsite.schema import read_object
from govsite.yamlload import load_yaml

THEME_FILE = "theme.yaml"
ASSETS_DIR = "assets"


@dataclass(frozen=True, slots=True, kw_only=True)
class ContrastPair:
    """A colour token the theme sets as text (or a line) on another, and how strongly they must differ.

    `kind` names the WCAG ratio: body 7:1, text 4.5:1, ui 3:1 (non-text such as borders).
    govsite itself does not use these; the browser tests check them in every colour mode.
    """

    text: str
    background: str
    kind: Literal["body", "text", "ui"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ThemeFile:
    """The keys of a theme's theme.yaml."""

    name: str
    extends: str | None = None
    contrast_pairs: tuple[ContrastPair, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Asset:
    """A theme static file and the content-hashed site path it is published at."""

    name: str
    url: str
    source: Path
    minified: bytes | None = None
    """What is published instead of the source file's bytes (CSS and JS)."""
    integrity: str = ""
    """The Subresource Integrity value of the published bytes (`sha384-…`)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Theme:
    name: str
    chain: tuple[str, ...]
    """Theme names, the site's theme first and the root of the chain last."""
    template_dirs: tuple[Path, ...]
    named_template_dirs: Mapping[str, Path]
    labels: Mapping[str, str]
    assets: Mapping[str, Asset]
    compiled_templates: Path | None = None
    """Where Jinja keeps the templates it compiled, for the next process that renders
    (the build cache's, memo.Workspace.templates), or None: nowhere."""

    def loader(self) -> jinja2.BaseLoader:
        prefixed = {
            name: jinja2.FileSystemLoader(path) for name, path in self.named_template_dirs.items()
        }
        return jinja2.ChoiceLoader(
            [
                jinja2.FileSystemLoader([str(p) for p in self.template_dirs]),
                jinja2.PrefixLoader(prefixed, delimiter=":"),
            ]
        )


def load_theme(project: Project, report: Report) -> Theme | None:
    """Resolve the site's theme; problems are reported and give None."""
    folders = _resolve_chain(project, report)
    if folders is None:
        return None
    labels = _load_labels(project, folders, report)
    template_dirs = [project.templates_dir] if project.templates_dir.is_dir() else []
    template_dirs += [f / "templates" for f in folders.values()]
    for folder in (*template_dirs, *folders.values()):
        _refuse_links_out(folder, project.root, report)
    return Theme(
        name=project.config.theme,
        chain=tuple(folders),
        template_dirs=tuple(template_dirs),
        named_template_dirs=MappingProxyType({n: f / "templates" for n, f in folders.items()}),
        labels=MappingProxyType(labels),
        assets=MappingProxyType(_collect_assets(list(folders.values()))),
    )


def display_path(path: Path, root: Path) -> PurePosixPath:
    """A path for messages: relative to the site, or to govsite's own folder for built-in themes."""
    for base in (root, BUILTIN_THEMES.parent):
        if path.is_relative_to(base):
            return PurePosixPath(path.relative_to(base).as_posix())
    return PurePosixPath(path.as_posix())


def _refuse_links_out(folder: Path, root: Path, report: Report) -> None:
    """GS152 for each symbolic link in `folder` that leads outside the site and govsite's
    own themes: a theme publishes its static files and runs its templates, so it may read
    nothing from elsewhere on the machine. (os.walk does not follow linked folders.)"""
    allowed = (root.resolve(), BUILTIN_THEMES.resolve())
    for parent, subfolders, names in os.walk(folder):
        for name in sorted((*subfolders, *names)):
            path = Path(parent, name)
            target = path.resolve()
            if path.is_symlink() and not any(target.is_relative_to(a) for a in allowed):
                where = SourceLocation(display_path(path, root))
                report.say("error", text("GS152"), where, text("GS152.hint"))


def _find_theme(project: Project, name: str) -> Path | None:
    if PurePosixPath(name).name != name or name in (".", ".."):
        return None  # a theme is named by its folder under themes/, never by a path
    for base in (*project.theme_dirs, BUILTIN_THEMES):
        if (base / name / THEME_FILE).is_file():
            return base / name
    return None


def _resolve_chain(project: Project, report: Report) -> dict[str, Path] | None:
    """Theme folders by name, child first; a missing theme or a loop in `extends` is an error."""
    chain: dict[str, Path] = {}
    name: str | None = project.config.theme
    asked_at = project.config_location
    while name is not None:
        if name in chain:
            loop = " → ".join([*chain, name])
            report.say("error", text("GS150.loop", loop=loop), asked_at, text("GS150.loop.hint"))
            return None
        folder = _find_theme(project, name)
        if folder is None:
            message = text("GS150.not-found", name=name)
            report.say("error", message, asked_at, text("GS150.not-found.hint"))
            return None
        chain[name] = folder
        asked_at = SourceLocation(display_path(folder / THEME_FILE, project.root), 1)
        theme_file = _read_theme_file(folder / THEME_FILE, asked_at, report)
        if theme_file is None:
            return None
        name = theme_file.extends
    return chain


def _read_theme_file(path: Path, location: SourceLocation, report: Report) -> ThemeFile | None:
    doc = load_yaml(path.read_text(encoding="utf-8"), location, report)
    return read_object(doc, (), doc.value, ThemeFile, report) if doc else None


def _load_labels(project: Project, folders: Mapping[str, Path], report: Report) -> dict[str, str]:
    """The UI words for the site's language, the chain's root first so children override."""
    language = project.config.language
    labels: dict[str, str] = {}
    found = False
    for folder in reversed(list(folders.values())):
        path = folder / "labels" / f"{language}.yaml"
        if not path.is_file():
            continue
        found = True
        location = SourceLocation(display_path(path, project.root), 1)
        doc = load_yaml(path.read_text(encoding="utf-8"), location, report)
        if doc is None:
            continue
        if not isinstance(doc.value, dict) or not all(
            isinstance(v, str) for v in doc.value.values()
        ):
            report.say("error", text("GS151.malformed"), location, text("GS151.malformed.hint"))
            continue
        labels.update(doc.value)
    if not found:
        report.say(
            "error",
            text("GS151.missing", theme=project.config.theme, language=language),
            project.config_location,
            text("GS151.missing.hint", language=language),
        )
    return labels


def _collect_assets(folders: list[Path]) -> dict[str, Asset]:
    """Static files of the chain, parent first so a child theme's file of the same name wins."""
    assets: dict[str, Asset] = {}
    for folder in reversed(folders):
        static = folder / "static"
        for path in sorted(p for p in static.rglob("*") if p.is_file()) if static.is_dir() else ():
            name = path.relative_to(static).as_posix()
            raw = path.read_bytes()
            minified = _minify(path.suffix, raw)
            published = raw if minified is None else minified
            assets[name] = Asset(
                name=name,
                url=_hashed_url(name, published),
                source=path,
                minified=minified,
                integrity=_integrity(published),
            )
    return assets


def _minify(suffix: str, raw: bytes) -> bytes | None:
    """CSS and JS without comments and spaces: every page's CSS+JS must stay under 40 KB before
    compression, and the theme's sources keep their comments for the people who restyle it."""
    if suffix == ".css":
        return bytes(rcssmin.cssmin(raw))
    if suffix == ".js":
        return bytes(rjsmin.jsmin(raw))
    return None


def _integrity(content: bytes) -> str:
    """SHA-384, the digest the Subresource Integrity specification recommends."""
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


def _hashed_url(name: str, content: bytes) -> str:
    digest = hashlib.sha256(content).hexdigest()[:10]
    stem, dot, suffix = name.rpartition(".")
    hashed = f"{stem}.{digest}.{suffix}" if dot else f"{name}.{digest}"
    return f"{ASSETS_DIR}/{hashed}"
