"""Open data: every record's metadata as JSON and CSV under data/, with a JSON Schema for it.

Another portal, a journalist or a search engine reads the catalogue without scraping
pages. docs/open-data.md describes the files; `data/schema.json` (JSON Schema 2020-12)
is the contract, and a test validates every exported file against it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import resources
from types import EllipsisType
from typing import Any

from govsite.annualreport import APPEAL_RESULTS, APPLICANTS
from govsite.kinds import kinds_of
from govsite.model import AnnualReport, Record, RecordKind, Site
from govsite.outputs.metadata import last_changed
from govsite.render import OutputFile
from govsite.urls import absolute_url

DATA_DIR = "data/"
SCHEMA_PATH = "data/schema.json"
CATALOGUE_JSON = "data/catalogue.json"
CATALOGUE_CSV = "data/catalogue.csv"
RECORDS_DIR = "data/records/"

# Several values in one CSV cell (agencies, topics, keywords…) are joined with this; the
# JSON files keep them as lists.
CSV_LIST_SEPARATOR = ";"
CSV_COLUMNS = (
    "index_no",
    "title",
    "doc_no",
    "agencies",
    "agency_keys",
    "genre",
    "written",
    "published",
    "effective",
    "expires",
    "updated",
    "category",
    "category_title",
    "topics",
    "keywords",
    "validity",
    "status",
    "in_force",
    "superseded_by",
    "supersedes",
    "interprets",
    "interpretations",
    "attachments",
    "summary",
    "kind",
    "kind_status",
    "url",
    "data_url",
)

# A cell starting with one of these is a formula to a spreadsheet program (`=HYPERLINK(…)`,
# `@SUM(…)`, `+cmd|…`), and the CSV opens straight into one. As OWASP's "CSV Injection"
# advises, such a cell gets a leading `'`, so that the program reads it as text; the JSON
# files keep the true value.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Letters, digits and `-` are kept in record file names; `/` (the separator of index
# numbers) becomes `_`; any other character becomes `~` and the hex of its UTF-8 bytes.
# `_` and `~` never stand for themselves, so two index numbers never share a file name.
_KEPT = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-")


def build_open_data(site: Site) -> Iterator[OutputFile]:
    """data/records/*.json, one by one as they are made, then data/schema.json,
    data/catalogue.json and data/catalogue.csv.

    Only each record's two catalogue lines are kept until the end: a national portal's
    records as Python data would take more memory than everything else the build holds.
    """
    rows = []
    for record in site.records:
        data = record_data(site, record)
        rows.append(ExportedRow.of(data))
        yield OutputFile(record_file(record.index_no), json_bytes(data))
    yield from catalogue_files(site, rows)


def open_data_files(
    site: Site, exported: Sequence[Mapping[str, Any]], written: Iterable[int]
) -> tuple[OutputFile, ...]:
    """The open data of `site` from each record's `record_data`, in the records' order, with
    the files of the records numbered `written` only (the preview writes only those it changed)."""
    rows = [ExportedRow.of(data) for data in exported]
    return (*catalogue_files(site, rows), *record_files(site, exported, written))


@dataclass(frozen=True, slots=True)
class ExportedRow:
    """One record's line of the catalogue's JSON and of its CSV, in UTF-8 (the preview keeps
    them per record: the catalogue is then its lines' bytes joined, not 100,000 lines of
    text joined and encoded again on every edit)."""

    json: bytes
    csv: bytes

    @classmethod
    def of(cls, data: Mapping[str, Any]) -> ExportedRow:
        buffer = io.StringIO(newline="")
        csv.writer(buffer, lineterminator="\r\n").writerow([_inert(c) for c in csv_row(data)])
        return cls(json.dumps(data, ensure_ascii=False).encode(), buffer.getvalue().encode())


def catalogue_files(
    site: Site, rows: Sequence[ExportedRow], updated: date | EllipsisType | None = ...
) -> tuple[OutputFile, ...]:
    """The schema and the whole catalogue as JSON and CSV, from each record's exported row;
    `updated`, the records' last change, if the caller knows it (catalogue_json)."""
    return (
        OutputFile(SCHEMA_PATH, json_bytes(schema(site))),
        OutputFile(CATALOGUE_JSON, catalogue_json(site, rows, updated)),
        OutputFile(CATALOGUE_CSV, catalogue_csv(rows)),
    )


def record_files(
    site: Site, exported: Sequence[Mapping[str, Any]], written: Iterable[int]
) -> list[OutputFile]:
    return [
        OutputFile(record_file(site.records[n].index_no), json_bytes(exported[n])) for n in written
    ]


def record_file(index_no: str) -> str:
    """The site path of a record's JSON file, a file-system-safe form of its 索引号.

    `002583021/2024-00012` → `data/records/002583021_2024-00012.json`.
    """
    name = "".join(_safe_character(c) for c in index_no)
    return f"{RECORDS_DIR}{name}.json"


def _safe_character(character: str) -> str:
    if character in _KEPT:
        return character
    if character == "/":
        return "_"
    return "".join(f"~{byte:02X}" for byte in character.encode("utf-8"))


def record_data(site: Site, record: Record) -> dict[str, Any]:
    """Everything known about a record except its body text, in plain JSON values."""
    base = site.config.base_url
    node = site.categories.by_path[record.category]
    return {
        "index_no": record.index_no,
        "title": record.title,
        "doc_no": record.doc_no,
        "agencies": [_agency(site, key) for key in record.agencies],
        "genre": record.genre,
        "written": record.written.isoformat(),
        "published": record.published.isoformat(),
        "effective": _iso(record.effective),
        "expires": _iso(record.expires),
        "updated": _iso(record.updated),
        "category": {"path": node.path, "title": node.title},
        "topics": [{"path": t, "title": site.topics.by_path[t].title} for t in record.topics],
        "keywords": list(record.keywords),
        "validity": record.validity,
        "status": record.status,
        "in_force": record.in_force,
        "superseded_by": record.superseded_by,
        "supersedes": list(record.supersedes),
        "interprets": list(record.interprets),
        "interpretations": list(record.interpretations),
        "attachments": [
            {"title": a.title, "url": absolute_url(base, a.url), "type": a.kind, "size": a.size}
            for a in record.attachments
        ],
        "summary": record.summary,
        "kind": _kind(site, record.kind) if record.kind is not None else None,
        "url": absolute_url(base, record.url),
        "data_url": absolute_url(base, record_file(record.index_no)),
    }


def catalogue_json(
    site: Site, rows: Iterable[ExportedRow], updated: date | EllipsisType | None = ...
) -> bytes:
    """The whole catalogue, one record per line, so a diff between two days stays readable.
    `updated` is the records' last change (the preview counts it as records change)."""
    config = site.config
    if updated is ...:
        updated = max((last_changed(r) for r in site.records), default=None)
    header = {
        "site": {
            "title": config.title,
            "base_url": config.base_url,
            "site_id": config.identity.site_id,
            "host": config.identity.host,
        },
        "as_of": site.as_of.isoformat(),
        "updated": _iso(updated),
        "count": len(site.records),
    }
    head = json.dumps(header, ensure_ascii=False)[:-1]  # reopen the object to add records
    lines = b",\n".join(row.json for row in rows)
    return b"".join((f'{head}, "records": [\n'.encode(), lines, b"\n]}\n"))


def catalogue_csv(rows: Iterable[ExportedRow]) -> bytes:
    """The catalogue as a spreadsheet: RFC 4180 quoting, CRLF lines, UTF-8 with a BOM
    (without the BOM, Excel reads UTF-8 as the local code page and garbles Chinese)."""
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerow(CSV_COLUMNS)
    return b"".join((buffer.getvalue().encode("utf-8-sig"), *(row.csv for row in rows)))


def csv_row(data: Mapping[str, Any]) -> list[str]:
    """A record's JSON values as the CSV's text cells, in CSV_COLUMNS order."""
    join = CSV_LIST_SEPARATOR.join
    cells = {
        **{key: _cell(value) for key, value in data.items()},
        "agencies": join(a["title"] for a in data["agencies"]),
        "agency_keys": join(a["key"] for a in data["agencies"]),
        "category": data["category"]["path"],
        "category_title": data["category"]["title"],
        "topics": join(t["path"] for t in data["topics"]),
        "attachments": join(a["url"] for a in data["attachments"]),
        "kind": data["kind"]["key"] if data["kind"] else "",
        "kind_status": (data["kind"] or {}).get("status") or "",
    }
    return [cells[column] for column in CSV_COLUMNS]


def _inert(cell: str) -> str:
    """The cell as a spreadsheet program reads it as text, never as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return CSV_LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def schema(site: Site) -> dict[str, Any]:
    """The JSON Schema of the exported files, with this site's address as its `$id`."""
    text = resources.files("govsite.outputs").joinpath("opendata_schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    loaded["$defs"]["kind"] = {"oneOf": [{"type": "null"}, *_kind_schemas(site)]}
    return {"$id": absolute_url(site.config.base_url, SCHEMA_PATH), **loaded}


def _kind(site: Site, kind: RecordKind) -> dict[str, Any]:
    """A column kind's fields as JSON: dates in ISO form, files and records as addresses."""
    base = site.config.base_url
    fields: dict[str, Any] = {}
    for field in kind.fields:
        value = field.value
        if isinstance(value, date):
            fields[field.name] = value.isoformat()
        elif isinstance(value, tuple):
            fields[field.name] = list(value)
        elif field.type == "file":
            fields[field.name] = absolute_url(base, value)
        else:
            fields[field.name] = value
    return {"key": kind.key, "title": kind.title, "status": kind.period_status, "fields": fields}


def _kind_schemas(site: Site) -> list[dict[str, Any]]:
    """One schema per column kind of the site, so a reuser can validate its fields too."""
    schemas = []
    for key, spec in sorted(kinds_of(site.config).items()):
        properties: dict[str, Any] = {}
        for name, field in spec.fields.items():
            typed: dict[str, Any] = {"type": "string"}
            if field.type == "date":
                typed = {"$ref": "#/$defs/date"}
            elif field.type == "list":
                typed = {"type": "array", "items": {"type": "string"}}
            elif field.type == "enum":
                typed["enum"] = list(field.values)
            properties[name] = {"description": field.title, **typed}
        schemas.append(
            {
                "type": "object",
                "required": ["key", "title", "status", "fields"],
                "additionalProperties": False,
                "properties": {
                    "key": {"const": key},
                    "title": {"const": spec.title},
                    "status": {"enum": [*spec.period_labels, None]},
                    "fields": {
                        "type": "object",
                        "additionalProperties": False,
                        "properties": properties,
                        "required": [n for n, f in spec.fields.items() if f.required],
                    },
                },
            }
        )
    return schemas


def _agency(site: Site, key: str) -> dict[str, str]:
    agency = site.agencies[key]
    return {"key": agency.key, "title": agency.title, "code": agency.code}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def json_bytes(data: Mapping[str, Any]) -> bytes:
    """A JSON file of the open data: indented, UTF-8 as it is, ending in a newline."""
    return (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode()


REPORT_TABLE_FILES = {2: "table-2.csv", 3: "table-3.csv", 4: "table-4.csv"}
"""Each annual report's tables, beside its page."""


def annual_report_tables(site: Site) -> tuple[OutputFile, ...]:
    """Each report's tables as CSV files beside its page (UTF-8 with a BOM, as spreadsheets want)."""
    files: list[OutputFile] = []
    for record in site.records:
        if record.annual_report is None:
            continue
        for number, rows in _table_rows(record.annual_report).items():
            files.append(OutputFile(record.url + REPORT_TABLE_FILES[number], _csv(rows)))
    return tuple(files)


def _table_rows(found: AnnualReport) -> dict[int, list[list[str]]]:
    two = [
        ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"],
        ["规章", *map(str, found.regulations)],
        ["行政规范性文件", *map(str, found.normative)],
        ["信息内容", "本年处理决定数量", "", ""],
        ["行政许可", str(found.decisions[0]), "", ""],
        ["行政处罚", str(found.decisions[1]), "", ""],
        ["行政强制", str(found.decisions[2]), "", ""],
        ["信息内容", "本年收费金额（单位：万元）", "", ""],
        ["行政事业性收费", f"{found.fees:g}", "", ""],
    ]
    three = [["申请人情况", *APPLICANTS]]
    three += [[row.label, *map(str, row.values)] for row in found.applications]
    groups = ["行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）"]
    four = [[f"{g}{r}" for g in groups for r in APPEAL_RESULTS], [str(f) for f in found.appeals]]
    return {2: two, 3: three, 4: four}


def _csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return b"\xef\xbb\xbf" + buffer.getvalue().encode("utf-8")
