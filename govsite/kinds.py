"""Column kinds: records that are more than a document (意见征集, 公示公告, 建议提案办理,
领导信息, 政策解读的形式), each with its own typed fields.

A record is of a kind when its front matter has a block under the kind's key:

    consultation:
      opens: 2026-11-01
      closes: 2026-11-30
      email: yjzj@example.gov.cn

The built-in kinds below and a site's own (`kinds:` in govsite.yaml) are the same kind of
data, read and checked by the same code: every field typed, required fields present,
misspelt field names answered with "did you mean", and the fields shown in the record's
metadata table, in open data and in the JSON Schema.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from types import MappingProxyType
from urllib.parse import urlsplit

from govsite import messages
from govsite.config import FieldSpec, KindSpec, SiteConfig
from govsite.errors import Report, suggest
from govsite.messages import text
from govsite.model import KindField, RecordKind
from govsite.schema import coerce
from govsite.yamlload import LocatedYaml

_TEXT = "text"
BUILTIN_KINDS: Mapping[str, KindSpec] = MappingProxyType(
    {
        "consultation": KindSpec(
            title="意见征集",
            fields=MappingProxyType(
                {
                    "opens": FieldSpec(title="征集开始日期", type="date", required=True),
                    "closes": FieldSpec(title="征集截止日期", type="date", required=True),
                    "address": FieldSpec(title="通信地址"),
                    "email": FieldSpec(title="电子邮箱"),
                    "form": FieldSpec(title="在线提交", type="link"),
                    "feedback": FieldSpec(title="采纳情况反馈", type="record"),
                }
            ),
            period=("opens", "closes"),
            period_labels=("未开始", "征集中", "已结束"),
        ),
        "publicity": KindSpec(
            title="公示公告",
            fields=MappingProxyType(
                {
                    "starts": FieldSpec(title="公示开始日期", type="date", required=True),
                    "ends": FieldSpec(title="公示结束日期", type="date", required=True),
                    "contact": FieldSpec(title="意见反馈方式"),
                }
            ),
            period=("starts", "ends"),
            period_labels=("未开始", "公示中", "已结束"),
        ),
        "proposal": KindSpec(
            title="建议提案办理",
            fields=MappingProxyType(
                {
                    "source": FieldSpec(
                        title="类别",
                        type="enum",
                        required=True,
                        values=("人大代表建议", "政协委员提案"),
                    ),
                    "number": FieldSpec(title="编号", required=True),
                    "handler": FieldSpec(title="办理单位", required=True),
                    "replied": FieldSpec(title="答复日期", type="date"),
                    "reply_type": FieldSpec(
                        title="办理结果",
                        type="enum",
                        # A: solved or adopted; B: being solved or planned; C: kept for reference
                        values=("A类", "B类", "C类"),
                    ),
                }
            ),
        ),
        "leader": KindSpec(
            title="领导信息",
            fields=MappingProxyType(
                {
                    "name": FieldSpec(title="姓名", required=True),
                    "post": FieldSpec(title="职务", required=True),
                    "duties": FieldSpec(title="工作分工"),
                    "photo": FieldSpec(title="照片", type="file", requires=("photo_alt",)),
                    "photo_alt": FieldSpec(title="照片说明"),
                    "biography": FieldSpec(title="简历"),
                }
            ),
        ),
        "explainer": KindSpec(
            title="政策解读形式",
            fields=MappingProxyType(
                {
                    "format": FieldSpec(
                        title="解读形式",
                        type="enum",
                        required=True,
                        values=("文字", "图解", "视频", "问答"),
                        requires_when=MappingProxyType(
                            {"图解": ("text_alternative",), "视频": ("captions",)}
                        ),
                    ),
                    "text_alternative": FieldSpec(title="图解文字版", type="file"),
                    "captions": FieldSpec(title="视频字幕", type="file"),
                }
            ),
        ),
    }
)


def kinds_of(config: SiteConfig) -> Mapping[str, KindSpec]:
    """The built-in kinds and the site's own; a site's kind of the same key replaces the built-in."""
    return MappingProxyType({**BUILTIN_KINDS, **config.kinds})


def read_kind(
    doc: LocatedYaml,
    front_matter: Mapping[str, object],
    kinds: Mapping[str, KindSpec],
    report: Report,
) -> tuple[bool, RecordKind | None]:
    """Whether the kind block of a record's front matter is right (each problem is reported
    at its line), and its RecordKind (None when it has none)."""
    keys = [key for key in front_matter if key in kinds]
    if not keys:
        return True, None
    if len(keys) > 1:
        message = text("GS210.two-kinds", first=keys[0], second=keys[1])
        report.say("error", message, doc.key_at((keys[1],)), text("GS210.two-kinds.hint"))
        return False, None
    (key,) = keys
    spec = kinds[key]
    block = front_matter[key]
    if not isinstance(block, dict):
        message = text("GS210.mapping", key=key, title=spec.title)
        report.say("error", message, doc.value_at((key,)), text("GS210.mapping.hint"))
        return False, None
    fields = _read_fields(doc, key, block, spec, report)
    if fields is None:
        return False, None
    period = tuple(
        v for f in fields if f.name in spec.period for v in [f.value] if isinstance(v, date)
    )
    return True, RecordKind(
        key=key,
        title=spec.title,
        fields=fields,
        period=period if len(period) == 2 else (),
        period_labels=spec.period_labels,
    )


def _read_fields(
    doc: LocatedYaml, key: str, block: dict[str, object], spec: KindSpec, report: Report
) -> tuple[KindField, ...] | None:
    ok = True
    for name in block:
        if name not in spec.fields:
            message = text("GS201.kind", field=name, title=spec.title, key=key)
            fields = ", ".join(spec.fields)
            hint = suggest(name, spec.fields) or text("GS201.kind.hint", fields=fields)
            report.say("error", message, doc.key_at((key, name)), hint)
            ok = False
    found: list[KindField] = []
    for name, field in spec.fields.items():
        if name not in block or block[name] is None:
            if field.required:
                message = text("GS202.kind", title=spec.title, field=name, name=field.title)
                report.say("error", message, doc.key_at((key,)), text("GS202.hint", field=name))
                ok = False
            continue
        value = _value(doc, (key, name), block[name], field, report)
        if value is None:
            ok = False
            continue
        found.append(KindField(name=name, title=field.title, type=field.type, value=value))
        for needed in (*field.requires, *field.requires_when.get(str(value), ())):
            if block.get(needed) is None:
                message = text(
                    "GS202.kind-requires",
                    field=name,
                    value=str(value),
                    needed=needed,
                    name=spec.fields[needed].title,
                )
                hint = text("GS202.hint", field=needed)
                report.say("error", message, doc.value_at((key, name)), hint)
                ok = False
    return tuple(found) if ok else None


def _value(
    doc: LocatedYaml, path: tuple[str, str], raw: object, field: FieldSpec, report: Report
) -> str | date | tuple[str, ...] | None:
    if field.type == "date":
        converted = coerce(doc, path, raw, date, report)
        return converted if isinstance(converted, date) else None
    if field.type == "list":
        converted = coerce(doc, path, raw, tuple[str, ...], report)
        return converted if isinstance(converted, tuple) else None
    text = coerce(doc, path, raw, str, report)
    if not isinstance(text, str):
        return None
    if field.type == "enum" and text not in field.values:
        choices = ", ".join(field.values)
        message = messages.text("GS203.choice", field=".".join(path), value=text, choices=choices)
        report.say("error", message, doc.value_at(path), suggest(text, field.values))
        return None
    if field.type == "link" and urlsplit(text).scheme not in ("http", "https"):
        message = messages.text("GS203.url", field=".".join(path), value=text)
        report.say("error", message, doc.value_at(path), messages.text("GS111.url.hint"))
        return None
    return text


def with_period_status(kind: RecordKind, as_of: date) -> RecordKind:
    """The kind with its period's status (未开始, 征集中 or 已结束, in the kind's words) on `as_of`."""
    if len(kind.period) != 2 or len(kind.period_labels) != 3:
        return kind
    start, end = kind.period
    before, during, after = kind.period_labels
    status = before if as_of < start else during if as_of <= end else after
    return replace(kind, period_status=status)
