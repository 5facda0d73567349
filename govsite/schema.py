"""Turn located YAML mappings into typed, frozen dataclasses, reporting each mismatch where it was written.

One small converter serves the config, the catalogues and front matter alike, so every
kind of file rejects unknown keys, names missing fields and explains a wrong type the
same way. A dataclass field without a default is required; the YAML key is the field name.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from govsite.errors import Report, did_you_mean
from govsite.yamlload import KeyPath, LocatedYaml

T = TypeVar("T")


class _Invalid:
    """Marks a value that was rejected (and reported)."""


INVALID = _Invalid()


def read_object(
    doc: LocatedYaml, path: KeyPath, value: object, schema: type[T], report: Report
) -> T | None:
    """Build `schema` from the mapping `value` found at `path` of `doc`; None if anything was wrong."""
    if not isinstance(value, dict):
        report.error(
            "GS203", f"expected a mapping of keys, got {_describe(value)}", doc.value_at(path)
        )
        return None
    hints, fields = _schema_of(schema)
    ok = _reject_unknown_keys(doc, path, value, fields, report)
    arguments: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in value:
            if _is_required(spec):
                report.error("GS202", f"missing required field '{name}'", doc.value_at(path))
                ok = False
            continue
        converted = coerce(doc, (*path, name), value[name], hints[name], report)
        if converted is INVALID:
            ok = False
        else:
            arguments[name] = converted
    return schema(**arguments) if ok else None


_Schema = tuple[dict[str, Any], dict[str, "dataclasses.Field[Any]"]]
_schemas: dict[type[Any], _Schema] = {}


def _schema_of(schema: type[Any]) -> _Schema:
    """Type hints and fields of a dataclass, worked out once per class: get_type_hints
    re-evaluates every annotation, which cost as much as the YAML parsing of front matter."""
    if schema not in _schemas:
        fields = {f.name: f for f in dataclasses.fields(schema)}
        _schemas[schema] = (typing.get_type_hints(schema), fields)
    return _schemas[schema]


def coerce(doc: LocatedYaml, path: KeyPath, value: object, hint: Any, report: Report) -> object:
    """Convert one value to the type `hint`, or report why not and return INVALID."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if value is None and type(None) in args:
            return None
        (inner,) = [a for a in args if a is not type(None)]
        return coerce(doc, path, value, inner, report)
    if origin is tuple:
        return _coerce_tuple(doc, path, value, args[0], report)
    if origin is collections.abc.Mapping:
        return _coerce_mapping(doc, path, value, args[1], report)
    if origin is Literal:
        if value in args:
            return value
        choices = ", ".join(str(a) for a in args)
        return _reject(
            doc,
            path,
            f"'{value}' is not one of: {choices}",
            report,
            did_you_mean(str(value), map(str, args)),
        )
    if dataclasses.is_dataclass(hint):
        result = read_object(doc, path, value, hint, report)  # type: ignore[arg-type]
        return INVALID if result is None else result
    return _coerce_scalar(doc, path, value, hint, report)


def _coerce_mapping(
    doc: LocatedYaml, path: KeyPath, value: object, item: Any, report: Report
) -> object:
    """Keys the author chooses (a site's own column kinds), each value of type `item`."""
    if not isinstance(value, dict):
        return _reject(doc, path, f"expected a mapping of keys, got {_describe(value)}", report)
    converted = {key: coerce(doc, (*path, key), v, item, report) for key, v in value.items()}
    if any(c is INVALID for c in converted.values()):
        return INVALID
    return MappingProxyType(converted)


def _coerce_tuple(
    doc: LocatedYaml, path: KeyPath, value: object, item: Any, report: Report
) -> object:
    # A single value where a list is expected is taken as a list of one:
    # editors write `topics: employment` as often as `topics: [employment]`.
    items = value if isinstance(value, list) else [value]
    paths = [(*path, i) for i in range(len(items))] if isinstance(value, list) else [path]
    converted = [coerce(doc, p, v, item, report) for p, v in zip(paths, items, strict=True)]
    return INVALID if any(c is INVALID for c in converted) else tuple(converted)


def _coerce_scalar(
    doc: LocatedYaml, path: KeyPath, value: object, hint: Any, report: Report
) -> object:
    if hint is str:
        if isinstance(value, str):
            return value.strip() or _reject(doc, path, "must not be empty", report)
        written = doc.scalar_texts.get(path, str(value))
        quotable = isinstance(value, int | float | date)
        hint_text = f'write it in quotes: "{written}"' if quotable else None
        return _reject(doc, path, f"expected text, got {_describe(value)}", report, hint_text)
    if hint is bool:
        if isinstance(value, bool):
            return value
        return _reject(doc, path, f"expected true or false, got {_describe(value)}", report)
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        return _reject(doc, path, f"expected a whole number, got {_describe(value)}", report)
    if hint is date:
        return _coerce_date(doc, path, value, report)
    raise TypeError(f"schema type {hint!r} is not supported")  # a bug in govsite, not in content


def _coerce_date(doc: LocatedYaml, path: KeyPath, value: object, report: Report) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    reason = ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError as exc:
            reason = f" ({exc})"
    return _reject(
        doc,
        path,
        f"{_describe(value)} is not a valid date{reason}",
        report,
        "write dates as YYYY-MM-DD",
        code="GS204",
    )


def _reject_unknown_keys(
    doc: LocatedYaml,
    path: KeyPath,
    value: dict[str, object],
    fields: dict[str, dataclasses.Field[Any]],
    report: Report,
) -> bool:
    unknown = [key for key in value if key not in fields]
    for key in unknown:
        report.error(
            "GS201", f"unknown key '{key}'", doc.key_at((*path, key)), did_you_mean(key, fields)
        )
    return not unknown


def _is_required(spec: dataclasses.Field[Any]) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


def _reject(
    doc: LocatedYaml,
    path: KeyPath,
    message: str,
    report: Report,
    hint: str | None = None,
    *,
    code: str = "GS203",
) -> _Invalid:
    report.error(code, f"'{_key_name(path)}': {message}", doc.value_at(path), hint)
    return INVALID


def _key_name(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "document"


def _describe(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"'{str(value).lower()}'"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, int | float):
        return f"the number {value}"
    return f"'{value}'"
