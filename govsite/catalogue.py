"""Stage 2a: read the catalogues (categories, topics, agencies) from content/catalogues/."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

from govsite.discover import CATALOGUE_DIR, SourceFile
from govsite.errors import Report, SourceLocation
from govsite.model import Agency, Catalogue, CatalogueNode
from govsite.schema import read_object
from govsite.yamlload import KeyPath, LocatedYaml, load_yaml

KEY_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]*")
_AGENCY_CODE = re.compile(r"[0-9A-Z]{9}|[0-9A-Z]{18}")
REQUIRED = ("categories", "agencies")
OPTIONAL = ("topics",)


@dataclass(frozen=True, slots=True, kw_only=True)
class TreeEntry:
    """How a category or topic is written in its YAML file."""

    key: str
    title: str
    description: str | None = None
    children: tuple[TreeEntry, ...] = ()
    update_window_days: int | None = None
    """Categories only: how often a new record is due (`govsite check`, GC402)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgencyEntry:
    """How an agency is written in agencies.yaml."""

    key: str
    title: str
    code: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Catalogues:
    categories: Catalogue
    topics: Catalogue
    agencies: Mapping[str, Agency]


def load_catalogues(files: Mapping[str, SourceFile], report: Report) -> Catalogues:
    """Parse the catalogue files; what is missing or wrong is reported and left empty."""
    for name in sorted(set(files) - set(REQUIRED) - set(OPTIONAL)):
        report.error(
            "GS120",
            f"unknown catalogue '{name}' (known: {', '.join(REQUIRED + OPTIONAL)})",
            files[name].location,
        )
    for name in REQUIRED:
        if name not in files:
            where = SourceLocation(PurePosixPath("content", CATALOGUE_DIR, f"{name}.yaml"))
            report.error("GS120", f"the catalogue '{name}.yaml' is missing", where)
    return Catalogues(
        categories=_load_tree(files.get("categories"), report),
        topics=_load_tree(files.get("topics"), report),
        agencies=_load_agencies(files.get("agencies"), report),
    )


def _load_list(
    source: SourceFile | None, report: Report
) -> tuple[LocatedYaml, list[object]] | None:
    if source is None:
        return None
    doc = load_yaml(source.text, source.location.at(1), report)
    if doc is None or doc.value is None:
        return None
    if not isinstance(doc.value, list):
        report.error("GS120", "a catalogue is a YAML list of entries", doc.value_at(()))
        return None
    return doc, doc.value


def _load_tree(source: SourceFile | None, report: Report) -> Catalogue:
    loaded = _load_list(source, report)
    nodes: dict[str, CatalogueNode] = {}
    if loaded is None:
        return Catalogue(roots=(), by_path=MappingProxyType(nodes))
    doc, items = loaded
    entries = [read_object(doc, (i,), item, TreeEntry, report) for i, item in enumerate(items)]
    roots = _build_nodes(doc, entries, (), "", nodes, report)
    return Catalogue(roots=roots, by_path=MappingProxyType(nodes))


def _build_nodes(
    doc: LocatedYaml,
    entries: list[TreeEntry | None] | tuple[TreeEntry, ...],
    path: KeyPath,
    parent: str,
    nodes: dict[str, CatalogueNode],
    report: Report,
) -> tuple[CatalogueNode, ...]:
    """Nodes for `entries`, registered in `nodes` depth first (the catalogue's reading order)."""
    built: list[CatalogueNode] = []
    for i, entry in enumerate(entries):
        if entry is None:
            continue
        here = (*path, i)
        key_path = f"{parent}/{entry.key}" if parent else entry.key
        if not _check_key(doc, here, entry.key, key_path in nodes, report):
            continue
        # Register before the children so walk() lists a parent before its children.
        nodes[key_path] = _node(entry, key_path, (), doc.value_at(here))
        children = _build_nodes(doc, entry.children, (*here, "children"), key_path, nodes, report)
        nodes[key_path] = node = _node(entry, key_path, children, doc.value_at(here))
        built.append(node)
    return tuple(built)


def _node(
    entry: TreeEntry, path: str, children: tuple[CatalogueNode, ...], source: SourceLocation
) -> CatalogueNode:
    return CatalogueNode(
        key=entry.key,
        path=path,
        title=entry.title,
        description=entry.description,
        children=children,
        source=source,
        update_window_days=entry.update_window_days,
    )


def _check_key(doc: LocatedYaml, path: KeyPath, key: str, taken: bool, report: Report) -> bool:
    where = doc.value_at((*path, "key"))
    if not KEY_PATTERN.fullmatch(key):
        report.error(
            "GS120",
            f"key '{key}' may hold only lowercase letters, digits and '-'",
            where,
            "keys become URLs; put the Chinese name in 'title'",
        )
        return False
    if taken:
        report.error("GS121", f"key '{key}' is used twice at this level", where)
        return False
    return True


def _load_agencies(source: SourceFile | None, report: Report) -> Mapping[str, Agency]:
    agencies: dict[str, Agency] = {}
    loaded = _load_list(source, report)
    if loaded is None:
        return MappingProxyType(agencies)
    doc, items = loaded
    codes: dict[str, str] = {}
    for i, item in enumerate(items):
        entry = read_object(doc, (i,), item, AgencyEntry, report)
        if entry is None or not _check_key(doc, (i,), entry.key, entry.key in agencies, report):
            continue
        code_at = doc.value_at((i, "code"))
        if not _AGENCY_CODE.fullmatch(entry.code):
            report.error(
                "GS120",
                f"agency code '{entry.code}' must be 9 or 18 characters of 0-9 and A-Z",
                code_at,
                "the 组织机构代码 or 统一社会信用代码 used in index numbers",
            )
        elif entry.code in codes:
            report.error(
                "GS121",
                f"agency code '{entry.code}' is also the code of '{codes[entry.code]}'",
                code_at,
            )
        codes.setdefault(entry.code, entry.key)
        agencies[entry.key] = Agency(
            key=entry.key, title=entry.title, code=entry.code, source=doc.value_at((i,))
        )
    return MappingProxyType(agencies)
