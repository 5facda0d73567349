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

from govsite.controls import CONTROL, remove_controls_from_value
from govsite.errors import Report, SourceLocation
from govsite.messages import Text, text
from govsite.punctuation import find_fullwidth_syntax
from govsite.yamlerrors import describe_yaml_error

Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]

# Bounds on what a small file can make the converter build. Aliases (`*name`) repeat an
# anchored value (`&name`) without copying it in the text, so nine lines can stand for a
# billion values ("billion laughs"); and each level of nesting costs the converter stack.
# A real front matter or catalogue comes nowhere near either.
MAX_DEPTH = 100
"""Levels of lists and mappings inside each other."""
MAX_ALIAS_VALUES = 10_000
"""Values read a second (or further) time through aliases, in one document."""


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
        return _load_located(loader, text, origin, first_line, report)
    finally:
        loader.dispose()


def _load_located(
    loader: yaml.SafeLoader, source: str, origin: SourceLocation, first_line: int, report: Report
) -> LocatedYaml | None:
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        message, where, hint = describe_yaml_error(exc, source, origin.at(first_line))
        report.say("error", message, where, hint)
        return None
    except yaml.YAMLError:
        report.say("error", text("GS102.unreadable"), origin, text("GS102.hint"))
        return None
    except RecursionError:  # only the pure-Python composer recurses; libyaml stops at 1,000
        report.say("error", text("GS106.deep", depth=MAX_DEPTH), origin, text("GS106.deep.hint"))
        return None
    if node is None:
        return LocatedYaml(None, origin)
    converter = _Converter(loader, source, origin, first_line, report)
    try:
        value = converter.convert(node, ())
    except _TooLarge as exc:
        hint = text(f"{exc.message.key}.hint")
        report.say("error", exc.message, converter.place_of(exc), hint)
        return None
    return LocatedYaml(
        value,
        origin,
        MappingProxyType(converter.value_locations),
        MappingProxyType(converter.key_locations),
        MappingProxyType(converter.scalar_texts),
    )


class _TooLarge(Exception):
    """The document would expand beyond MAX_DEPTH or MAX_ALIAS_VALUES at `node`."""

    def __init__(self, message: Text, node: yaml.Node, path: KeyPath) -> None:
        super().__init__(message.render())
        self.message = message
        self.node = node
        self.path = path


class _Converter:
    """Turns a composed node tree into dicts, lists and scalars, recording locations."""

    def __init__(
        self,
        loader: yaml.SafeLoader,
        source: str,
        origin: SourceLocation,
        first_line: int,
        report: Report,
    ) -> None:
        self.loader = loader
        self.origin = origin
        self.first_line = first_line
        self.report = report
        self.value_locations: dict[KeyPath, SourceLocation] = {}
        self.key_locations: dict[KeyPath, SourceLocation] = {}
        self.scalar_texts: dict[KeyPath, str] = {}
        self.converted: set[int] = set()  # ids of nodes converted once: a repeat is an alias
        self.open: set[int] = set()  # ids of the nodes being converted, outermost to here
        self.repeats = 0
        # Without an anchor (&name) there is no alias, and without a backslash no escape that
        # writes a control character: most documents skip both checks.
        self.anchored = "&" in source
        self.escaped = "\\" in source

    def locate(self, node: yaml.Node) -> SourceLocation:
        mark = node.start_mark
        return self.origin.at(self.first_line + mark.line, mark.column + 1)

    def place_of(self, problem: _TooLarge) -> SourceLocation:
        """The outermost key above the problem: a node reached through an alias is written
        where its anchor is, but the key that holds the alias is the place to change."""
        for end in range(1, len(problem.path) + 1):
            if problem.path[:end] in self.key_locations:
                return self.key_locations[problem.path[:end]]
        return self.locate(problem.node)

    def convert(self, node: yaml.Node, path: KeyPath) -> object:
        self.value_locations[path] = self.locate(node)
        if not self.anchored:
            return self._convert_node(node, path)
        self._count(node, path)
        if isinstance(node, yaml.ScalarNode):
            return self._convert_node(node, path)
        if id(node) in self.open:
            raise _TooLarge(text("GS106.self-alias"), node, path)
        self.open.add(id(node))
        try:
            return self._convert_node(node, path)
        finally:
            self.open.discard(id(node))

    def _convert_node(self, node: yaml.Node, path: KeyPath) -> object:
        if isinstance(node, yaml.ScalarNode):
            self.scalar_texts[path] = str(node.value)
            return self._convert_scalar(node)
        if len(path) >= MAX_DEPTH:
            # No alias involved: the node itself is the place.
            raise _TooLarge(text("GS106.deep", depth=MAX_DEPTH), node, ())
        if isinstance(node, yaml.MappingNode):
            return self._convert_mapping(node, path)
        return [self.convert(item, (*path, i)) for i, item in enumerate(node.value)]

    def _count(self, node: yaml.Node, path: KeyPath) -> None:
        if id(node) not in self.converted:
            self.converted.add(id(node))
            return
        self.repeats += 1
        if self.repeats > MAX_ALIAS_VALUES:
            limit = f"{MAX_ALIAS_VALUES:,}"
            raise _TooLarge(text("GS106.aliases", limit=limit), node, path)

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
            hint = text("GS102.key-not-text.hint")
            self.report.say("error", text("GS102.key-not-text"), self.locate(node), hint)
            return None
        try:
            value = self.loader.construct_object(node)
        except (ValueError, yaml.YAMLError):
            # e.g. `2024-02-30`: the resolver calls it a date but no such day exists. Keep the
            # source; the schema that expects a date reports it with the reason.
            value = node.value
        # Escapes ("\v", "\e") write what raw source cannot hold.
        if self.escaped and isinstance(value, str) and CONTROL.search(value):
            return remove_controls_from_value(value, self.locate(node), self.report)
        return value
