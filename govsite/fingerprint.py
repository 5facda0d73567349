"""Stable digests of model values, the build's global key and each page's identity (for the build cache).

A digest must change whenever a value could render differently, in any process and any
run: values are serialised field by field with their types (a `Markup` is not a `str`, a
date is not its text), never through `repr` or `hash`, which can leave fields out or vary
with the process's hash seed. A value of a type this module does not know raises
`Unfingerprintable`, so nothing is ever cached on a guess.
"""

from __future__ import annotations

import dataclasses
import hashlib
import importlib.metadata
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path, PurePath
from typing import Any

import markupsafe

import govsite
from govsite.config import SiteConfig
from govsite.model import Record, Site
from govsite.plan import PlannedPage
from govsite.theme import Theme

CACHE_FORMAT = 1
"""Bump when the cache's files or the meaning of a key change."""

_PACKAGE_DIR = Path(govsite.__file__).resolve().parent


class Unfingerprintable(TypeError):
    """A value whose every difference this module cannot promise to see."""


def digest(*values: object) -> str:
    """A hex digest of `values`, equal exactly when their serialisations are equal."""
    text = json.dumps([_plain(v, by_reference=False) for v in values], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def page_identity(page: PlannedPage) -> str:
    """A digest of everything a planned page holds, with the records it shows as references.

    The records' own fields are not part of it: rendering notes which fields the
    template reads, and the cache checks those separately (govsite/cache.py).
    """
    text = json.dumps(_plain(page, by_reference=True), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def global_key(config: SiteConfig, theme: Theme, site: Site) -> str:
    """What every page may read besides its own page and the records: when it changes, nothing is reused.

    The config, the theme chain (every template file, the labels, each asset's published
    URL, which carries its content hash), the catalogues and agencies, and the code that
    renders (govsite's sources, Jinja2, markupsafe and Python's versions).
    """
    return digest(
        CACHE_FORMAT,
        config,
        theme.chain,
        _folder_digests(theme.template_dirs),
        dict(theme.labels),
        {name: asset.url for name, asset in theme.assets.items()},
        site.categories.roots,
        site.topics.roots,
        dict(site.agencies),
        code_key(),
    )


def code_key() -> str:
    """govsite's own sources and the versions of the libraries it renders and reads pages with."""
    versions = [
        installed_version(name) for name in ("jinja2", "markupsafe", "lxml", "markdown-it-py")
    ]
    return digest(
        CACHE_FORMAT,
        _folder_digests((_PACKAGE_DIR,), suffix=".py"),
        [govsite.__version__, *versions, sys.version],
    )


def installed_version(package: str) -> str:
    """The installed version of `package`, or "unknown"."""
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def _folder_digests(folders: Sequence[Path], suffix: str = "") -> list[tuple[str, str, str]]:
    """(folder, relative path, content digest) of every file below `folders`, in a stable order."""
    found = []
    for number, folder in enumerate(folders):
        files = (
            sorted(p for p in folder.rglob(f"*{suffix}") if p.is_file()) if folder.is_dir() else []
        )
        for path in files:
            content = hashlib.sha256(path.read_bytes()).hexdigest()
            found.append((str(number), path.relative_to(folder).as_posix(), content))
    return found


def _plain(value: Any, *, by_reference: bool) -> Any:
    """`value` as JSON data that keeps its type; records become references when `by_reference`."""
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, markupsafe.Markup):
        return ["Markup", str(value)]
    if isinstance(value, date):
        return [type(value).__name__, value.isoformat()]
    if isinstance(value, PurePath):
        return ["path", value.as_posix()]
    if by_reference and isinstance(value, Record):
        return ["record", value.index_no]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [
            [f.name, _plain(getattr(value, f.name), by_reference=by_reference)]
            for f in dataclasses.fields(value)
        ]
        return [type(value).__name__, fields]
    if isinstance(value, (tuple, list)):
        return [type(value).__name__, [_plain(v, by_reference=by_reference) for v in value]]
    if isinstance(value, Mapping):
        items = [
            [_plain(k, by_reference=by_reference), _plain(v, by_reference=by_reference)]
            for k, v in value.items()
        ]
        return ["map", items]
    if isinstance(value, (set, frozenset)):
        members = [
            json.dumps(_plain(v, by_reference=by_reference), ensure_ascii=False) for v in value
        ]
        return ["set", sorted(members)]
    raise Unfingerprintable(f"cannot fingerprint a value of type {type(value).__name__}")
