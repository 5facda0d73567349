from __future__ import annotations

from datetime import date
from pathlib import PurePosixPath

from govsite.errors import Report, SourceLocation
from govsite.yamlload import load_yaml

ORIGIN = SourceLocation(PurePosixPath("content/x.md"), 2)


def test_every_key_and_value_knows_its_line_in_the_file() -> None:
    doc = load_yaml("title: 标题\ntopics:\n  - a\n  - b\n", ORIGIN, Report())
    assert doc is not None
    assert doc.value == {"title": "标题", "topics": ["a", "b"]}
    assert str(doc.key_at(("topics",))) == "content/x.md:3:1"
    assert str(doc.value_at(("topics", 1))) == "content/x.md:5:5"
    assert str(doc.value_at(("topics", 7))) == "content/x.md:4:3"  # nearest known ancestor


def test_a_syntax_error_is_located_in_the_whole_file() -> None:
    report = Report()
    assert load_yaml("a: 1\nb: [x,\n", ORIGIN, report) is None
    (problem,) = report.diagnostics
    assert (problem.code, problem.location.line) == ("GS102", 4)


def test_duplicate_keys_are_an_error_not_a_silent_overwrite() -> None:
    report = Report()
    doc = load_yaml("title: 一\ntitle: 二\n", ORIGIN, report)
    assert doc is not None and doc.value == {"title": "一"}
    (problem,) = report.diagnostics
    assert (
        problem.format_text()
        == "content/x.md:3:1: error[GS103]: duplicate key 'title' (first written at line 2)\n"
        "  hint: keep one of the two lines and delete the other"
    )


def test_dates_are_dates_and_impossible_ones_stay_text_for_the_schema_to_explain() -> None:
    doc = load_yaml("a: 2024-03-05\nb: 2024-02-30\n", ORIGIN, Report())
    assert doc is not None and doc.value == {"a": date(2024, 3, 5), "b": "2024-02-30"}


def test_an_empty_document_is_none() -> None:
    doc = load_yaml("# only a comment\n", ORIGIN, Report())
    assert doc is not None and doc.value is None
