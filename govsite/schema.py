"""Turn located YAML mappings into typed, frozen dataclasses, reporting each mismatch where it was written.

One small converter serves the config, the catalogues and front matter alike, so every
kind of file rejects unknown keys, names missing fields and explains a wrong type the
same way. A dataclass field without a default is required; the YAML key is the field name.
"""

from __future__ import annotations

import calendar
import collections.abc
import dataclasses
import re
import types
import typing
from datetime import date, datetime
from types import MappingProxyType
from typing import Any, Literal, TypeVar

from govsite.errors import Report, suggest
from govsite.fieldnames import RECORD_KEYS, VALIDITY_WORDS
from govsite.messages import Text, text
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
        message = text("GS203.mapping", got=_describe(value))
        report.say("error", message, doc.value_at(path), text("GS203.mapping.hint"))
        return None
    hints, fields = _schema_of(schema)
    ok = _reject_unknown_keys(doc, path, value, fields, report)
    arguments: dict[str, Any] = {}
    for name, spec in fields.items():
        if name not in value:
            if _is_required(spec):
                hint = text("GS202.hint", field=name)
                report.say("error", text("GS202", field=name), doc.value_at(path), hint)
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
        meant = VALIDITY_WORDS.get(str(value), "")
        hint = (
            text("GS203.choice-chinese.hint", value=str(value), word=meant)
            if meant in args
            else suggest(str(value), map(str, args))
        )
        message = text("GS203.choice", field=_key_name(path), value=str(value), choices=choices)
        return _reject(doc, path, message, report, hint)
    if dataclasses.is_dataclass(hint):
        result = read_object(doc, path, value, hint, report)  # type: ignore[arg-type]
        return INVALID if result is None else result
    return _coerce_scalar(doc, path, value, hint, report)


def _coerce_mapping(
    doc: LocatedYaml, path: KeyPath, value: object, item: Any, report: Report
) -> object:
    """Keys the author chooses (a site's own column kinds), each value of type `item`."""
    if not isinstance(value, dict):
        message = text("GS203.mapping", got=_describe(value))
        return _reject(doc, path, message, report, text("GS203.mapping.hint"))
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
    if any(c is INVALID for c in converted):
        return INVALID
    if item is str:
        converted = _split_fullwidth_commas(doc, path, paths, converted, report)
    return tuple(converted)


def _split_fullwidth_commas(
    doc: LocatedYaml, path: KeyPath, paths: list[KeyPath], items: list[Any], report: Report
) -> list[Any]:
    """`[老旧小区，城市更新]` is one item to YAML but two to the editor who typed it: take
    it as two, and warn so that the source is fixed."""
    if not any("，" in item for item in items):
        return items
    split = [part.strip() for item in items for part in item.split("，") if part.strip()]
    for index, (where, item) in enumerate(zip(paths, items, strict=True)):
        if "，" in item:
            message = text("GS207", field=_key_name(path), index=index, value=item)
            hint = text("GS207.hint", items=", ".join(split))
            report.say("warning", message, doc.value_at(where), hint)
    return split


def _coerce_scalar(
    doc: LocatedYaml, path: KeyPath, value: object, hint: Any, report: Report
) -> object:
    if hint is str:
        if isinstance(value, str):
            return value.strip() or _reject(
                doc,
                path,
                text("GS203.empty", field=_key_name(path)),
                report,
                text("GS203.empty.hint"),
            )
        written = doc.scalar_texts.get(path, str(value))
        quotable = isinstance(value, int | float | date)
        quote = text("GS203.text.hint", written=written) if quotable else None
        message = text("GS203.text", field=_key_name(path), got=_describe(value))
        return _reject(doc, path, message, report, quote or text("GS203.text.other.hint"))
    if hint is bool:
        if isinstance(value, bool):
            return value
        message = text("GS203.bool", field=_key_name(path), got=_describe(value))
        return _reject(doc, path, message, report, text("GS203.bool.hint"))
    if hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        message = text("GS203.int", field=_key_name(path), got=_describe(value))
        return _reject(doc, path, message, report, text("GS203.int.hint"))
    if hint is date:
        return _coerce_date(doc, path, value, report)
    raise TypeError(f"schema type {hint!r} is not supported")  # a bug in govsite, not in content


def _coerce_date(doc: LocatedYaml, path: KeyPath, value: object, report: Report) -> object:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    field, got = _key_name(path), _describe(value)
    message = text("GS204", field=field, got=got)
    hint = text("GS204.hint")
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            meant = read_chinese_date(value)
            if meant is not None:  # 2026年11月28日, 2026/11/28, 2026.11.28, 2026-11-8
                hint = text("GS204.converted.hint", iso=meant.isoformat())
            elif _ISO_SHAPE.fullmatch(value.strip()):  # 2026-02-30: say why it is no date
                message = _out_of_range(field, got, value.strip()) or message
    return _reject(doc, path, message, report, hint)


_ISO_SHAPE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CHINESE_DATE = re.compile(r"(\d{4})\s*(?:年|/|\.|-)\s*(\d{1,2})\s*(?:月|/|\.|-)\s*(\d{1,2})\s*日?")


def read_chinese_date(written: str) -> date | None:
    """The day a date written the Chinese or another common way means, if it is one."""
    found = _CHINESE_DATE.fullmatch(written.strip())
    if found is None:
        return None
    try:
        return date(*(int(part) for part in found.groups()))
    except ValueError:
        return None


def _out_of_range(field: str, got: Text, written: str) -> Text | None:
    year, month, day = (int(part) for part in written.split("-"))
    if not 1 <= month <= 12:
        return text("GS204.month", field=field, got=got, month=month)
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if not 1 <= day <= days:
        return text("GS204.day", field=field, got=got, year=year, month=month, days=days)
    return None


def _reject_unknown_keys(
    doc: LocatedYaml,
    path: KeyPath,
    value: dict[str, object],
    fields: dict[str, dataclasses.Field[Any]],
    report: Report,
) -> bool:
    unknown = [key for key in value if key not in fields]
    for key in unknown:
        meant = RECORD_KEYS.get(key)
        hint = (
            text("GS201.chinese-name.hint", name=key, word=meant)
            if meant in fields
            else suggest(key, fields)
        )
        report.say("error", text("GS201", key=key), doc.key_at((*path, key)), hint)
    return not unknown


def _is_required(spec: dataclasses.Field[Any]) -> bool:
    return spec.default is dataclasses.MISSING and spec.default_factory is dataclasses.MISSING


def _reject(
    doc: LocatedYaml, path: KeyPath, message: Text, report: Report, hint: Text | None = None
) -> _Invalid:
    report.say("error", message, doc.value_at(path), hint)
    return INVALID


def _key_name(path: KeyPath) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "document"


def _describe(value: object) -> Text:
    if value is None:
        return text("value.nothing")
    if isinstance(value, bool):
        return text("value.written", value=str(value).lower())
    if isinstance(value, list):
        return text("value.list")
    if isinstance(value, dict):
        return text("value.mapping")
    if isinstance(value, int | float):
        return text("value.number", value=str(value))
    return text("value.written", value=str(value))
