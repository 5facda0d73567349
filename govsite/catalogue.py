"""Stage 2a: read the catalogues (categories, topics, agencies) from content/catalogues/."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import PurePosixPath
from types import MappingProxyType

from govsite.discover import CATALOGUE_DIR, SourceFile
from govsite.errors import Report, SourceLocation
from govsite.messages import text
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
        known = ", ".join(REQUIRED + OPTIONAL)
        report.say(
            "error",
            text("GS120.unknown", name=name, known=known),
            files[name].location,
            text("GS120.unknown.hint", known=known),
        )
    for name in REQUIRED:
        if name not in files:
            where = SourceLocation(PurePosixPath("content", CATALOGUE_DIR, f"{name}.yaml"))
            report.say("error", text("GS120.missing", name=name), where, text("GS120.missing.hint"))
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
        report.say("error", text("GS120.list"), doc.value_at(()), text("GS120.list.hint"))
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
        report.say("error", text("GS120.key", key=key), where, text("GS120.key.hint"))
        return False
    if taken:
        report.say("error", text("GS121.key", key=key), where, text("GS121.key.hint"))
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
            report.say(
                "error", text("GS120.code", code=entry.code), code_at, text("GS120.code.hint")
            )
        elif entry.code in codes:
            message = text("GS121.code", code=entry.code, other=codes[entry.code])
            report.say("error", message, code_at, text("GS121.code.hint"))
        codes.setdefault(entry.code, entry.key)
        agencies[entry.key] = Agency(
            key=entry.key, title=entry.title, code=entry.code, source=doc.value_at((i,))
        )
    return MappingProxyType(agencies)
