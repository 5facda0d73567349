"""Load YAML into plain values plus the source location of every key and value.

PyYAML's `safe_load` forgets where things came from and silently keeps the last of
two duplicate keys. Here the node tree is composed first (with the C parser when
PyYAML has it), converted by hand, and every key path is mapped to its line, so a
later stage can say "content/x.md:7:10" about a value it rejects.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import yaml

from govsite.errors import Report, SourceLocation
from govsite.messages import text
from govsite.punctuation import find_fullwidth_syntax

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class LocatedYaml:
    """A YAML document's value and where each part of it was written."""

    value: object
    origin: SourceLocation
    value_locations: Mapping[KeyPath, SourceLocation] = field(default_factory=dict)
    key_locations: Mapping[KeyPath, SourceLocation] = field(default_factory=dict)
    scalar_texts: Mapping[KeyPath, str] = field(default_factory=dict)
    """Scalars as written, before YAML read `001234567` as an (octal) number."""

    def value_at(self, path: KeyPath) -> SourceLocation:
        """Where the value at `path` was written (or its nearest written ancestor)."""
        return self._nearest(self.value_locations, path)

    def key_at(self, path: KeyPath) -> SourceLocation:
        """Where the mapping key ending `path` was written."""
        if path in self.key_locations:
            return self.key_locations[path]
        return self.value_at(path)

    def _nearest(self, table: Mapping[KeyPath, SourceLocation], path: KeyPath) -> SourceLocation:
        for end in range(len(path), -1, -1):
            if path[:end] in table:
                return table[path[:end]]
        return self.origin


def load_yaml(text: str, origin: SourceLocation, report: Report) -> LocatedYaml | None:
    """Parse one YAML document; `origin.line` is the line the text starts at in its file.

    Syntax errors and duplicate keys go to `report`; on a syntax error the result is None.
    """
    first_line = origin.line or 1
    mistyped = find_fullwidth_syntax(text, origin.at(first_line))
    if mistyped:  # PyYAML would report them a line later, or not at all
        report.extend(mistyped)
        return None
    loader = Loader(text)
    try:
        return _load_located(loader, origin, first_line, report)
    finally:
        loader.dispose()


def _load_located(
    loader: yaml.SafeLoader, origin: SourceLocation, first_line: int, report: Report
) -> LocatedYaml | None:
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        where = _mark_location(origin, first_line, exc)
        message = text("GS102", detail=_describe_yaml_error(exc, first_line))
        report.say("error", message, where, text("GS102.hint"))
        return None
    except yaml.YAMLError as exc:
        report.say("error", text("GS102", detail=str(exc)), origin)
        return None
    if node is None:
        return LocatedYaml(None, origin)
    converter = _Converter(loader, origin, first_line, report)
    value = converter.convert(node, ())
    return LocatedYaml(
        value,
        origin,
        MappingProxyType(converter.value_locations),
        MappingProxyType(converter.key_locations),
        MappingProxyType(converter.scalar_texts),
    )


class _Converter:
    """Turns a composed node tree into dicts, lists and scalars, recording locations."""

    def __init__(
        self, loader: yaml.SafeLoader, origin: SourceLocation, first_line: int, report: Report
    ) -> None:
        self.loader = loader
        self.origin = origin
        self.first_line = first_line
        self.report = report
        self.value_locations: dict[KeyPath, SourceLocation] = {}
        self.key_locations: dict[KeyPath, SourceLocation] = {}
        self.scalar_texts: dict[KeyPath, str] = {}

    def locate(self, node: yaml.Node) -> SourceLocation:
        mark = node.start_mark
        return self.origin.at(self.first_line + mark.line, mark.column + 1)

    def convert(self, node: yaml.Node, path: KeyPath) -> object:
        self.value_locations[path] = self.locate(node)
        if isinstance(node, yaml.MappingNode):
            return self._convert_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]
        self.scalar_texts[path] = str(node.value)
        return self._convert_scalar(node)

    def _convert_mapping(self, node: yaml.MappingNode, path: KeyPath) -> dict[str, object]:
        result: dict[str, object] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self._convert_scalar(key_node)  # reports it; the pair is left out
                continue
            key = str(self._convert_scalar(key_node)) if key_node.value is not None else ""
            key_location = self.locate(key_node)
            if key in result:
                first = self.key_locations[(*path, key)]
                message = text("GS103", key=key, line=first.line or 0)
                self.report.say("error", message, key_location, text("GS103.hint"))
                continue
            self.key_locations[(*path, key)] = key_location
            result[key] = self.convert(value_node, (*path, key))
        return result

    def _convert_scalar(self, node: yaml.Node) -> object:
        if not isinstance(node, yaml.ScalarNode):
            self.report.say("error", text("GS102.key-not-text"), self.locate(node))
            return None
        try:
            return self.loader.construct_object(node)
        except (ValueError, yaml.YAMLError):
            # e.g. `2024-02-30`: the resolver calls it a date but no such day exists. Keep the
            # text; the schema that expects a date reports it with the reason.
            return node.value


def _mark_location(
    origin: SourceLocation, first_line: int, exc: yaml.MarkedYAMLError
) -> SourceLocation:
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return origin
    return origin.at(first_line + mark.line, mark.column + 1)


def _describe_yaml_error(exc: yaml.MarkedYAMLError, first_line: int) -> str:
    context = exc.context or ""
    if context and exc.context_mark and exc.context_mark is not exc.problem_mark:
        # The problem is often found a line after the mistake: say where the construct began.
        mark = exc.context_mark
        context += f" (begun at line {first_line + mark.line}, column {mark.column + 1})"
    parts = [p for p in (context, exc.problem) if p]
    return ", ".join(parts) if parts else "cannot parse"
